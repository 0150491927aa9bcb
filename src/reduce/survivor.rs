//! What of a replica survives a drop: the read macro-steps offer one drop per distinct
//! survivor of a response's prefixes (`Space::walk_response`).

use crate::client::Client;
use crate::imap::types::{FlagSet, ModSeq, Uid};
use crate::imap::uids::UidMap;

/// What of a replica survives a drop.
pub(super) struct Survivor {
    cache: UidMap<FlagSet>,
    resync_point: ModSeq,
    uid_next: Uid,
}

impl Survivor {
    pub(super) fn of(client: &Client) -> Survivor {
        Survivor {
            cache: client.cache.clone(),
            resync_point: client.resync_point,
            uid_next: client.uid_next,
        }
    }

    pub(super) fn is_of(&self, client: &Client) -> bool {
        self.cache == client.cache
            && self.resync_point == client.resync_point
            && self.uid_next == client.uid_next
    }
}
