//! The server's faults, recorded as they happen: monitors for the properties that blame the
//! server (`announced-highestmodseq-covered`, `computed-highestmodseq-covered`,
//! `highestmodseq-monotonic`, `vanished-only-known-uids`), and the bound erratum 1810 sets
//! on the codes it sends.

use crate::imap::response::Response;
use crate::imap::types::{ClientId, ModSeq, Uid};
use crate::spec::{HeldBackHighestModseq, Spec};

use super::Server;

/// A HIGHESTMODSEQ code the server sent over a change it was holding back from that session:
/// what RFC 7162 section 3.2 (erratum 1810) forbids.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Uncovered {
    pub client: ClientId,
    /// The value sent (for `computed-highestmodseq-covered`, the one the client computes).
    pub announced: ModSeq,
    /// The lowest mod-sequence among the changes held back from that session then.
    pub held_back: ModSeq,
}

/// The first time the mailbox's mod-sequences went backwards: what `highestmodseq-monotonic`
/// forbids (RFC 7162 sections 3.1 and 3.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Regression {
    /// An expunge lowered HIGHESTMODSEQ.
    Decreased {
        by: Option<ClientId>,
        from: ModSeq,
        to: ModSeq,
    },
    /// A change got a mod-sequence no higher than the one an expunge was logged with, so a
    /// client that stored the change's value can no longer learn of the expunge.
    Reused {
        modseq: ModSeq,
        uid: Uid,
        expunged_at: ModSeq,
    },
    /// A restart lost the mod-sequences: HIGHESTMODSEQ went from `from` back to 1.
    Restarted { from: ModSeq },
}

/// A VANISHED (without EARLIER) that named a UID without a sequence number in that session:
/// what RFC 7162 section 3.2.10.2 forbids.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Unannounced {
    pub client: ClientId,
    pub uid: Uid,
}

impl Server {
    /// The highest value this session may be told without covering a change the server is
    /// holding back from it (RFC 7162 section 3.2, erratum 1810).
    pub fn safe_highest_modseq(&self, client: ClientId) -> ModSeq {
        let Some(session) = self.session(client) else {
            return self.mailbox.highest_modseq;
        };
        let held_back = session.pending_flags.values().copied().chain(
            session
                .pending_expunges
                .iter()
                .map(|uid| self.mailbox.expunged[uid].modseq),
        );
        match held_back.min() {
            Some(lowest) => ModSeq(lowest.0 - 1),
            None => self.mailbox.highest_modseq,
        }
    }

    /// The value a server that follows erratum 1810's second sentence alone
    /// (`held-back-highestmodseq=expunges-only`) keeps its code at or below: one below the
    /// lowest expunge held back from the session, whatever flag changes it holds back.
    pub fn below_held_back_expunges(&self, client: ClientId) -> ModSeq {
        let lowest = self.session(client).and_then(|session| {
            session
                .pending_expunges
                .iter()
                .map(|uid| self.mailbox.expunged[uid].modseq)
                .min()
        });
        match lowest {
            Some(lowest) => ModSeq(lowest.0 - 1),
            None => self.mailbox.highest_modseq,
        }
    }

    /// The bound `held-back-highestmodseq` puts on the codes sent to `client`: below every
    /// change held back (`lower`), below the held-back expunges (`expunges-only`), or none.
    pub(super) fn code_bound(&self, client: ClientId, spec: &Spec) -> Option<ModSeq> {
        match spec.held_back_highestmodseq {
            HeldBackHighestModseq::Lower => Some(self.safe_highest_modseq(client)),
            HeldBackHighestModseq::ExpungesOnly => Some(self.below_held_back_expunges(client)),
            HeldBackHighestModseq::None => None,
        }
    }

    /// Records the first HIGHESTMODSEQ code sent above `safe`, the highest value that
    /// covers no change held back from the session.
    pub(super) fn watch(&mut self, client: ClientId, code: Option<ModSeq>, safe: ModSeq) {
        if let Some(announced) = code.filter(|c| *c > safe) {
            self.uncovered.get_or_insert(Uncovered {
                client,
                announced,
                held_back: ModSeq(safe.0 + 1),
            });
        }
    }

    /// Records the first value a section 6 client computes at a tagged response without a
    /// code (`computed`, the highest MODSEQ sent since the previous tagged response) above
    /// `safe`, the highest value that covers no change held back from the session
    /// (`computed-highestmodseq-covered`).
    pub fn watch_computed(&mut self, client: ClientId, computed: ModSeq, safe: ModSeq) {
        if computed > safe {
            self.computed_uncovered.get_or_insert(Uncovered {
                client,
                announced: computed,
                held_back: ModSeq(safe.0 + 1),
            });
        }
    }

    /// Records the first VANISHED without EARLIER in `lines` that names a UID outside
    /// `numbered`, the session's sequence numbers when the command began.
    pub(super) fn watch_vanished(
        &mut self,
        client: ClientId,
        numbered: &[Uid],
        lines: &[Response],
    ) {
        for line in lines {
            let Response::Vanished {
                earlier: false,
                uids,
            } = line
            else {
                continue;
            };
            if let Some(uid) = uids.iter().find(|uid| !numbered.contains(uid)) {
                self.unannounced
                    .get_or_insert(Unannounced { client, uid: *uid });
            }
        }
    }
}
