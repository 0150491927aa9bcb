//! A client replica: what survives a disconnect (its cache and its stored resync point) and
//! what does not (its connection). It learns only from the lines it reads, and follows the
//! spec's client clauses. Free of stateright.

mod condstore;
mod pipeline;
mod read;
pub mod resync_point;
mod send;

pub use condstore::Sync;
pub use send::Commands;

use std::hash::{Hash, Hasher};

use serde::{Deserialize, Serialize};
use smallvec::SmallVec;

use crate::hashed::Hashed;
use crate::imap::command::{StoreOp, Target};
use crate::imap::types::{Flag, FlagSet, ModSeq, Tag, Uid};
use crate::imap::uids::{UidList, UidMap};
use crate::server::UID_VALIDITY;
use crate::spec::{ClientFetchVanished, ClientIdle, ClientResyncPoint, Spec};

/// What a client chooses to do next. The wire commands follow from this and the client's
/// state (`Client::commands`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum Request {
    Store {
        target: Target,
        op: StoreOp,
        flag: Flag,
    },
    Expunge,
    /// `UID EXPUNGE` of every UID the cache shows as `\Deleted` (RFC 7162 section 3.2.9:
    /// the disconnected client's way to expunge only what it knows of).
    UidExpunge,
    Close,
    Noop,
    /// `UID FETCH <uidnext>:* (FLAGS)`, after the client learned that messages arrived (an
    /// EXISTS, or a SELECT's UIDNEXT above its own).
    FetchNew,
    /// Open INBOX again: `ENABLE QRESYNC` and `SELECT INBOX (QRESYNC ...)` on a new
    /// connection (pipelined), or only the SELECT on a live connection after CLOSE.
    Resync,
    /// `STATUS INBOX (HIGHESTMODSEQ)` while INBOX is not selected: after CLOSE on the same
    /// connection, or on a new connection after `ENABLE QRESYNC` (pipelined), before the
    /// SELECT. Only a `client-resync-point=status` client sends it.
    Status,
    /// `UID FETCH <set> (FLAGS) (CHANGEDSINCE m VANISHED)` from the stored resync point,
    /// while selected. Only a `client-fetch-vanished=cache|star` client sends it.
    FetchVanished,
    /// `IDLE`, while INBOX is selected. Only a `client-idle=idle` client sends it.
    Idle,
    /// `DONE`, once the client has read IDLE's `+` continuation: not counted as a command,
    /// since it ends one (RFC 9051 section 6.3.13).
    Done,
    /// `UID FETCH 1:* (FLAGS) (CHANGEDSINCE m)`, the second command of a CONDSTORE-only
    /// client's resync (`client-sync=condstore*`, `condstore.rs`): not counted.
    ChangedSince,
    /// `UID SEARCH ALL`, the third command of a `client-sync=condstore` resync: not counted.
    SearchAll,
}

/// The per-command bookkeeping the client keeps until the tagged response.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Awaiting {
    /// A `.SILENT` STORE: the client applies the change to the message its own
    /// `FETCH (UID u MODSEQ (m))` names, when it reads that line (RFC 7162 section 3.1.3:
    /// the server sends it for every message the STORE changed).
    Store {
        op: StoreOp,
        flag: Flag,
    },
    /// A `.SILENT` STORE of a `client-pipelining=on` client, which names its message: with
    /// two STOREs in flight, the FETCH without FLAGS is the one of the STORE that names its
    /// UID (`client/pipeline.rs`). `seq` if it used a sequence number (RFC 3501 section 5.5
    /// lets a command with sequence numbers follow only a FETCH, STORE or SEARCH).
    PipelinedStore {
        uid: Uid,
        seq: bool,
        op: StoreOp,
        flag: Flag,
    },
    Close,
    Select,
    FetchNew,
    FetchVanished,
    /// EXPUNGE or UID EXPUNGE, told apart from `Other` only for a
    /// `client-out-of-band=ignore-vanished` client, which applies the VANISHED of its own
    /// expunges (elsewhere the two would be states of their own for nothing).
    Expunge,
    Other,
    /// IDLE sent, its `+` continuation not read yet: the client may not send DONE (RFC 9051
    /// section 6.3.13: DONE answers the continuation).
    Idle,
    /// IDLE's `+` read: the client may send DONE. After DONE it awaits the tagged OK as
    /// `Other`.
    Idling,
    /// `UID FETCH 1:* (FLAGS) (CHANGEDSINCE m)` of a CONDSTORE resync.
    ChangedSince,
    /// `UID SEARCH ALL` of a CONDSTORE resync.
    SearchAll,
}

pub use crate::imap::queue::Queue;

/// What does not survive a disconnect.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Connection {
    /// Whether the client believes INBOX is selected (from its last SELECT's OK until
    /// CLOSE's OK).
    pub selected: bool,
    /// Lines the server sent that the client has not read yet.
    pub queue: Queue,
    /// Commands sent and not yet answered by their tagged response.
    pub awaiting: SmallVec<[(Tag, Awaiting); 2]>,
    /// The last HIGHESTMODSEQ code read since the last tagged response (RFC 7162 section 6).
    pub hms_code: Option<ModSeq>,
    /// The largest MODSEQ read in a FETCH since the last tagged response (RFC 7162 section 6).
    pub modseq_max: Option<ModSeq>,
    /// The client knows messages arrived that it has not fetched.
    pub fetch_new: bool,
    /// The UIDNEXT the last SELECT reported.
    pub uid_next_seen: Option<Uid>,
    /// The number of messages in the selected mailbox, as the client counts it: set by
    /// EXISTS, lowered by one for each UID of a VANISHED without EARLIER (RFC 7162 section
    /// 3.2.10.2), 0 while nothing is selected. Sequence numbers run from 1 to this. Signed:
    /// a server that names more UIDs than the client counted drives it below zero.
    pub exists: i32,
    /// Search bookkeeping, not protocol: under the read-order reduction (`reduce/mod.rs`)
    /// the client reads no more of its queued lines, because another agent acted since its
    /// last step. Always false in the line-by-line model.
    pub frozen: bool,
    /// Where a CONDSTORE-only client is in its resync (`condstore.rs`); always None for a
    /// QRESYNC client.
    pub sync: Option<Sync>,
    /// The SELECT being answered reported another UIDVALIDITY and the client wiped
    /// (`client-uidvalidity=wipe`): its HIGHESTMODSEQ is not cached (RFC 7162 section 6:
    /// "it MUST cache the received value (unless the mailbox UIDVALIDITY value has
    /// changed ...)"; section 3.1.2.1: "the client MUST delete the cached value of
    /// HIGHESTMODSEQ"). Cleared at the SELECT's tagged response.
    pub new_uidvalidity: bool,
    /// Under `client-vanished-earlier=keep-last`: the UIDs of the last VANISHED (EARLIER)
    /// line read since the last tagged response, each line replacing the one before;
    /// removed from the cache at the tagged response. Always None otherwise.
    pub earlier_kept: Option<UidList>,
}

/// The derived hash, field by field, with `sync` written only during a CONDSTORE resync: a
/// model without it hashes (and fingerprints, `fingerprint.rs`) exactly as before it existed.
impl Hash for Connection {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.selected.hash(state);
        self.queue.hash(state);
        self.awaiting.hash(state);
        self.hms_code.hash(state);
        self.modseq_max.hash(state);
        self.fetch_new.hash(state);
        self.uid_next_seen.hash(state);
        self.exists.hash(state);
        self.frozen.hash(state);
        if let Some(sync) = &self.sync {
            sync.hash(state);
        }
        // Written only while set, as `sync`: a model without a UIDVALIDITY change hashes as
        // before the field existed.
        if self.new_uidvalidity {
            true.hash(state);
        }
        // Written only while set, as `sync`.
        if let Some(kept) = &self.earlier_kept {
            kept.hash(state);
        }
    }
}

impl Connection {
    fn new(selected: bool, exists: i32) -> Connection {
        Connection {
            selected,
            queue: Queue::new(),
            awaiting: SmallVec::new(),
            hms_code: None,
            modseq_max: None,
            fetch_new: false,
            uid_next_seen: None,
            exists,
            frozen: false,
            sync: None,
            new_uidvalidity: false,
            earlier_kept: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Client {
    /// The cached mailbox: UID -> flags. Survives disconnects. Its fingerprint is kept
    /// (hashed.rs): most steps leave it as it was.
    pub cache: Hashed<UidMap<FlagSet>>,
    /// The stored HIGHESTMODSEQ the next QRESYNC SELECT starts from. Survives disconnects.
    pub resync_point: ModSeq,
    /// The lowest UID the client has not fetched: new messages are found by UID, not by
    /// mod-sequence (RFC 7162 section 6, step 2). Survives disconnects.
    pub uid_next: Uid,
    /// The UIDVALIDITY its cache is of, the one the last SELECT reported. Survives
    /// disconnects.
    pub uid_validity: u32,
    pub connection: Option<Connection>,
    /// Commands issued so far (a reconnect counts once); the model bounds it.
    pub commands_issued: u8,
    pub next_tag: u16,
}

impl Client {
    /// Selected and synchronized with a mailbox of `messages` fresh messages at MODSEQ 1.
    pub fn new(messages: u32) -> Client {
        Client {
            cache: Hashed::new(
                (1..=messages)
                    .map(|uid| (Uid(uid), FlagSet::EMPTY))
                    .collect(),
            ),
            resync_point: ModSeq(1),
            uid_next: Uid(messages + 1),
            uid_validity: UID_VALIDITY,
            connection: Some(Connection::new(true, messages as i32)),
            commands_issued: 0,
            next_tag: 1,
        }
    }

    /// Connected, selected, nothing in flight, nothing unread, and no arrival it knows of
    /// left to fetch.
    pub fn is_idle_selected(&self) -> bool {
        self.connection.as_ref().is_some_and(|c| {
            c.selected
                && c.awaiting.is_empty()
                && c.queue.is_empty()
                && !c.fetch_new
                && c.sync.is_none()
        })
    }

    /// What the client may do next, in a fixed order. A client sends one command at a time
    /// and only commands that make sense for the mailbox as its cache shows it: a STORE
    /// that changes a flag, an expunge when something is `\Deleted`. While INBOX is not
    /// selected it opens it again, and a `client-resync-point=status` client may first ask
    /// STATUS (RFC 3501 section 6.3.10 asks not to use STATUS on the selected mailbox).
    pub fn requests(&self, spec: &Spec) -> Vec<Request> {
        let unselected = || {
            let mut requests = vec![Request::Resync];
            if spec.client_resync_point == ClientResyncPoint::Status {
                requests.push(Request::Status);
            }
            requests
        };
        let Some(connection) = &self.connection else {
            return unselected();
        };
        if self.is_idling() {
            return vec![Request::Done];
        }
        if !connection.awaiting.is_empty() {
            return self.pipelined_requests(spec);
        }
        if let Some(request) = self.sync_request(spec) {
            return vec![request];
        }
        if !connection.selected {
            return unselected();
        }
        self.selected_requests(spec)
    }

    /// What a selected client with nothing in flight may send, in a fixed order.
    fn selected_requests(&self, spec: &Spec) -> Vec<Request> {
        let Some(connection) = &self.connection else {
            return Vec::new();
        };
        let mut requests = Vec::new();
        for (i, (uid, flags)) in self.cache.iter().enumerate() {
            for flag in Flag::ALL {
                let op = if flags.contains(flag) {
                    StoreOp::Remove
                } else {
                    StoreOp::Add
                };
                for target in [Target::Seq(i as u32 + 1), Target::Uid(*uid)] {
                    requests.push(Request::Store { target, op, flag });
                }
            }
        }
        if self.deleted_uids().next().is_some() {
            requests.push(Request::Expunge);
            requests.push(Request::UidExpunge);
        }
        if connection.fetch_new {
            requests.push(Request::FetchNew);
        }
        requests.push(Request::Close);
        requests.push(Request::Noop);
        let fetch_vanished = match spec.client_fetch_vanished {
            // VANISHED needs QRESYNC (RFC 7162 section 3.2.6).
            _ if spec.client_sync.condstore_only() => false,
            ClientFetchVanished::Never => false,
            ClientFetchVanished::Cache => !self.cache.is_empty(),
            ClientFetchVanished::Star => true,
        };
        if fetch_vanished {
            requests.push(Request::FetchVanished);
        }
        if spec.client_idle == ClientIdle::Idle {
            requests.push(Request::Idle);
        }
        requests
    }

    /// Whether the client has read IDLE's continuation and not yet sent DONE: its one
    /// request is then DONE, which its command budget does not bound.
    pub fn is_idling(&self) -> bool {
        self.connection
            .as_ref()
            .is_some_and(|c| c.awaiting.iter().any(|(_, a)| *a == Awaiting::Idling))
    }

    pub(super) fn deleted_uids(&self) -> impl Iterator<Item = Uid> + '_ {
        self.cache
            .iter()
            .filter(|(_, flags)| flags.contains(Flag::Deleted))
            .map(|(uid, _)| *uid)
    }

    /// The connection is lost: unread lines, commands in flight and the per-command
    /// bookkeeping go with it. The cache and the resync point stay.
    pub fn drop_connection(&mut self) {
        self.connection = None;
    }

    /// This replica after `drop_connection`, made without copying the connection it drops
    /// (the search makes one per drop it tries; `System::dropped`). A struct literal, so a
    /// new field must be named here.
    pub fn disconnected(&self) -> Client {
        Client {
            cache: self.cache.clone(),
            resync_point: self.resync_point,
            uid_next: self.uid_next,
            uid_validity: self.uid_validity,
            connection: None,
            commands_issued: self.commands_issued,
            next_tag: self.next_tag,
        }
    }
}
