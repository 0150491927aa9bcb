//! What of a replica survives a drop: the read macro-steps offer one drop per distinct
//! survivor of a response's prefixes (`Space::walk_response`).

use crate::client::Client;
use crate::hashed::Hashed;
use crate::imap::types::{FlagSet, ModSeq, Uid};
use crate::imap::uids::UidMap;

/// What of a replica survives a drop: its cache, resync point, UIDNEXT and UIDVALIDITY
/// (`Client::disconnected`). The UIDVALIDITY too: a `client-uidvalidity=keep` client takes a
/// new one and keeps the rest, and `resync-point-safe` reads it.
pub(super) struct Survivor {
    cache: Hashed<UidMap<FlagSet>>,
    resync_point: ModSeq,
    uid_next: Uid,
    uid_validity: u32,
}

impl Survivor {
    pub(super) fn of(client: &Client) -> Survivor {
        Survivor {
            cache: client.cache.clone(),
            resync_point: client.resync_point,
            uid_next: client.uid_next,
            uid_validity: client.uid_validity,
        }
    }

    pub(super) fn is_of(&self, client: &Client) -> bool {
        self.cache == client.cache
            && self.resync_point == client.resync_point
            && self.uid_next == client.uid_next
            && self.uid_validity == client.uid_validity
    }
}
