//! The server's side of one client's connection, and what it holds back from that client.

use crate::imap::types::ModSeq;
use crate::imap::uids::{UidMap, UidSet};

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Session {
    pub qresync: bool,
    pub selected: bool,
    /// Flag changes made by other sessions that this session has not been told yet, with
    /// the mod-sequence of the earliest such change per message (the one a resync point
    /// must stay below, RFC 7162 section 3.2).
    pub pending_flags: UidMap<ModSeq>,
    /// Expunges made by other sessions that this session has not been told yet. Until they
    /// are reported, these messages keep their sequence numbers in this session.
    pub pending_expunges: UidSet,
    /// Messages that arrived since this session was last told EXISTS. Until then they have
    /// no sequence number in this session.
    pub pending_arrivals: UidSet,
    /// Messages that arrived and were expunged before this session was told of them, which
    /// a `vanished-unannounced=report` (or `any`) server may name in its next VANISHED.
    pub unannounced_expunges: UidSet,
    /// The mod-sequence this session's QRESYNC SELECT resynchronized from (None for the
    /// sessions of the initial state).
    pub resynced_from: Option<ModSeq>,
}

impl Session {
    pub(super) fn new() -> Session {
        Session {
            qresync: false,
            selected: false,
            pending_flags: UidMap::new(),
            pending_expunges: UidSet::new(),
            pending_arrivals: UidSet::new(),
            unannounced_expunges: UidSet::new(),
            resynced_from: None,
        }
    }

    pub fn holds_back_anything(&self) -> bool {
        !self.pending_flags.is_empty()
            || self.holds_back_expunges()
            || !self.pending_arrivals.is_empty()
    }

    pub fn holds_back_expunges(&self) -> bool {
        !self.pending_expunges.is_empty() || !self.unannounced_expunges.is_empty()
    }

    pub(super) fn forget_pending(&mut self) {
        self.pending_flags.clear();
        self.pending_expunges.clear();
        self.pending_arrivals.clear();
        self.unannounced_expunges.clear();
    }
}
