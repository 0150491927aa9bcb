//! The server's side of one client's connection, and what it holds back from that client.

use std::hash::{Hash, Hasher};

use crate::imap::types::{ModSeq, Uid};
use crate::imap::uids::UidMap;

use super::uid_set::UidSet;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Session {
    pub qresync: bool,
    pub selected: bool,
    /// Flag changes made by other sessions that this session has not been told yet, with
    /// the mod-sequence of the earliest such change per message (the one a resync point
    /// must stay below, RFC 7162 section 3.2).
    ///
    /// Two entries inline, where other maps keep four: a session is copied with every server
    /// its state changes, and moved whole when the clients are put in canonical order; more
    /// entries spill to the heap.
    pub pending_flags: UidMap<ModSeq, 2>,
    /// Flag changes made by other sessions that this session will never be told
    /// (`flag-flush=lost-at-sync`), with the mod-sequence of the earliest per message. Not
    /// held back, as the server will not send them (`holds_back_anything` leaves them out,
    /// so `views-converge` judges the client); not told either (`safe_highest_modseq` counts
    /// them, so a HIGHESTMODSEQ or MODSEQ over one is the server's fault). A later FETCH of
    /// the message's flags tells them after all. Always empty under the other values, so
    /// none inline: empty, it is copied without allocating.
    pub lost_flags: UidMap<ModSeq, 0>,
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
    /// While an IDLE is active (`client-idle=idle`): what the session was pushed since its
    /// last tagged response. None otherwise, and always in a model without IDLE.
    pub idle: Option<Idle>,
}

/// An active IDLE (RFC 9051 section 6.3.13).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Idle {
    /// The largest MODSEQ pushed in a FETCH since the session's last tagged response, kept
    /// only under `idle-highestmodseq=since-tagged` with `held-back-highestmodseq=lower`
    /// (the one reading that needs it), so the others have no more states.
    pub shown: Option<ModSeq>,
}

/// The derived hash, field by field, with `idle` written only while an IDLE is active: a
/// model without IDLE hashes (and fingerprints, `fingerprint.rs`) exactly as before it existed.
impl Hash for Session {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.qresync.hash(state);
        self.selected.hash(state);
        self.pending_flags.hash(state);
        self.pending_expunges.hash(state);
        self.pending_arrivals.hash(state);
        self.unannounced_expunges.hash(state);
        self.resynced_from.hash(state);
        if let Some(idle) = &self.idle {
            idle.hash(state);
        }
        // Written only when set, as `idle`.
        if !self.lost_flags.is_empty() {
            self.lost_flags.hash(state);
        }
    }
}

impl Session {
    pub(super) fn new() -> Session {
        Session {
            qresync: false,
            selected: false,
            pending_flags: UidMap::new(),
            lost_flags: UidMap::new(),
            pending_expunges: UidSet::new(),
            pending_arrivals: UidSet::new(),
            unannounced_expunges: UidSet::new(),
            resynced_from: None,
            idle: None,
        }
    }

    pub fn holds_back_anything(&self) -> bool {
        !self.pending_flags.is_empty()
            || self.holds_back_expunges()
            || !self.pending_arrivals.is_empty()
    }

    /// The session has now been told `uid`'s flags (a FETCH with FLAGS, or the message is
    /// gone): nothing of its flags stays held back or lost.
    pub fn told_flags(&mut self, uid: Uid) {
        self.pending_flags.remove(&uid);
        self.lost_flags.remove(&uid);
    }

    /// `flag-flush=lost-at-sync`: the flag changes held back now are never sent.
    pub(super) fn lose_pending_flags(&mut self) {
        for (uid, since) in std::mem::take(&mut self.pending_flags) {
            self.lost_flags.get_or_insert_with(uid, || since);
        }
    }

    pub fn holds_back_expunges(&self) -> bool {
        !self.pending_expunges.is_empty() || !self.unannounced_expunges.is_empty()
    }

    pub(super) fn forget_pending(&mut self) {
        self.pending_flags.clear();
        self.lost_flags.clear();
        self.pending_expunges.clear();
        self.pending_arrivals.clear();
        self.unannounced_expunges.clear();
    }
}
