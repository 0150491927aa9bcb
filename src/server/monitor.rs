//! The server's faults, recorded as they happen: monitors for the properties that blame the
//! server (`announced-highestmodseq-covered`, `computed-highestmodseq-covered`,
//! `highestmodseq-monotonic`, `vanished-only-known-uids`, `sequence-numbers-as-told`), and
//! the bound erratum 1810 sets on the codes it sends.

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

/// A sequence number the server used with another meaning than the one the session was told:
/// what `sequence-numbers-as-told` forbids (RFC 3501 sections 2.3.1.2 and 7.4.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Misnumbered {
    /// A FETCH named a sequence number above the count the session had been told when the
    /// line came (cyrus-imapd #1967's `* 919 FETCH` before `* 919 EXISTS`).
    FetchBeyondCount {
        client: ClientId,
        seq: u32,
        count: u32,
    },
    /// A STORE by sequence number was read as another message (or none) than the one that
    /// number names in the session (`held-back-numbering=renumbered`, Stalwart's S3).
    StoreMisread {
        client: ClientId,
        seq: u32,
        named: Option<Uid>,
        read: Option<Uid>,
    },
}

impl Misnumbered {
    pub fn client(self) -> ClientId {
        match self {
            Misnumbered::FetchBeyondCount { client, .. }
            | Misnumbered::StoreMisread { client, .. } => client,
        }
    }

    pub fn client_mut(&mut self) -> &mut ClientId {
        match self {
            Misnumbered::FetchBeyondCount { client, .. }
            | Misnumbered::StoreMisread { client, .. } => client,
        }
    }
}

impl Server {
    /// The highest value this session may be told without covering a change the server is
    /// holding back from it (RFC 7162 section 3.2, erratum 1810).
    pub fn safe_highest_modseq(&self, client: ClientId) -> ModSeq {
        let Some(session) = self.session(client) else {
            return self.mailbox.highest_modseq;
        };
        // A lost flag change (`flag-flush=lost-at-sync`) was not told either.
        let held_back = session
            .pending_flags
            .values()
            .chain(session.lost_flags.values())
            .copied()
            .chain(
                session
                    .pending_expunges
                    .iter()
                    .map(|uid| self.mailbox.expunged[&uid].modseq),
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
                .map(|uid| self.mailbox.expunged[&uid].modseq)
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

    /// Records the first FETCH in `lines` whose sequence number is above the count the
    /// session has been told by the time the line comes: `count` when the command began,
    /// then each EXISTS sets it (RFC 3501 section 7.3.1), and each EXPUNGE, and each UID of
    /// a VANISHED without EARLIER, lowers it by one (RFC 3501 section 7.4.1, RFC 7162
    /// section 3.2.10.2). RFC 3501 section 2.3.1.2: a sequence number is "a relative
    /// position from 1 to the number of messages in the mailbox". A VANISHED UID outside
    /// `numbered` (the session's sequence numbers when the command began) lowers nothing:
    /// that is `vanished-only-known-uids`' fault, reported there and not twice.
    pub(super) fn watch_fetch_numbers(
        &mut self,
        client: ClientId,
        count: u32,
        numbered: &[Uid],
        lines: &[Response],
    ) {
        let mut count = count;
        for line in lines {
            match line {
                Response::Exists(n) => count = *n,
                Response::Expunge(_) => count = count.saturating_sub(1),
                Response::Vanished {
                    earlier: false,
                    uids,
                } => {
                    let known = uids.iter().filter(|uid| numbered.contains(uid)).count();
                    count = count.saturating_sub(known as u32);
                }
                Response::Fetch { seq, .. } if *seq > count => {
                    self.misnumbered
                        .get_or_insert(Misnumbered::FetchBeyondCount {
                            client,
                            seq: *seq,
                            count,
                        });
                    return;
                }
                _ => {}
            }
        }
    }
}
