//! How the server reads a sequence number while it holds an expunge back from the session
//! (issue 28, Stalwart's S3 as read in its code).

use super::{Clause, ClauseValues};

/// Which message a sequence number names while an expunge is held back from the session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HeldBackNumbering {
    /// The session's numbering: the message whose expunge it was not told of keeps its
    /// number, as do the messages after it.
    Kept,
    /// The mailbox's numbering after the expunge: every message after the expunged one is
    /// one lower already.
    Renumbered,
}

impl ClauseValues for HeldBackNumbering {
    const CLAUSE: Clause = Clause {
        name: "held-back-numbering",
        summary: "which message a STORE by sequence number names while an expunge is held \
                  back from the session: the session's numbering, or the mailbox's after the \
                  expunge",
        arrivals_needed: 0,
        needs: &[],
        values: &[
            (
                "kept",
                "RFC 3501 section 7.4.1 (the number of each later message \"is immediately \
                 decremented by 1\" by the EXPUNGE response, not before; the rule that keeps \
                 EXPUNGE out of FETCH, STORE and SEARCH \"is necessary to prevent a loss of \
                 synchronization of message sequence numbers between client and server\")",
            ),
            (
                "renumbered",
                "against RFC 3501 section 7.4.1: a sequence number is read against the mailbox \
                 after an expunge the session has not been told of, so a STORE can change \
                 another message than the one the client named (Stalwart as read in its code, \
                 not run here: sequence_to_ids resolves against the state after the pending \
                 expunges)",
            ),
        ],
    };
    const ALL: &'static [Self] = &[Self::Kept, Self::Renumbered];
}
