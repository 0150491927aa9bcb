//! The clauses of issue 28's Stalwart loss: whether a message another agent delivers gets a
//! new mod-sequence, and whether the client skips its resync when HIGHESTMODSEQ has not
//! moved. Each value names its source.
//!
//! At their defaults (`arrival-modseq=bump`, `client-unchanged=resync`) both clauses change
//! nothing, and traces and reports leave them out (`Spec::shown_values`), so that every
//! model written before them reads and renders as before.

use super::{Clause, ClauseValues};

/// The mod-sequence a message delivered by another agent gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArrivalModseq {
    /// HIGHESTMODSEQ + 1, as every other change.
    Bump,
    /// The current HIGHESTMODSEQ, which does not rise.
    None,
}

impl ClauseValues for ArrivalModseq {
    const CLAUSE: Clause = Clause {
        name: "arrival-modseq",
        summary: "the mod-sequence of a message another agent delivers: a new one above \
                  HIGHESTMODSEQ, or the current HIGHESTMODSEQ, which then does not rise",
        arrivals_needed: 1,
        needs: &[],
        values: &[
            (
                "bump",
                "RFC 7162 section 3.1 (\"When a message is appended to a mailbox (via the IMAP \
                 APPEND command, COPY to the mailbox, or using an external mechanism), the \
                 server generates a new modification sequence that is higher than the \
                 highest modification sequence of all messages in the mailbox\")",
            ),
            (
                "none",
                "against RFC 7162 section 3.1: a delivered message takes the current \
                 HIGHESTMODSEQ, which does not rise (Stalwart 0.14.x on SMTP delivery, found \
                 by sharedinbox, commit 8a51496)",
            ),
        ],
    };
    const ALL: &'static [Self] = &[Self::Bump, Self::None];
}

/// What the client does at reconnect when the SELECT reports the HIGHESTMODSEQ it stored.
/// `skip` makes a difference only where a message arrives, so the matrix checks it with the
/// other agent; it loses one under RFC 7162's own server too (docs/matrix.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClientUnchanged {
    /// Resyncs all the same: the rest of its resync, if any, then `UID FETCH n:*` for the
    /// messages from its UIDNEXT on.
    Resync,
    /// Takes the unchanged value for "nothing changed": no further resync command and no
    /// `UID FETCH n:*`; the value is stored as it was.
    Skip,
}

impl ClauseValues for ClientUnchanged {
    const CLAUSE: Clause = Clause {
        name: "client-unchanged",
        summary: "what the client does when the SELECT reports the HIGHESTMODSEQ it stored: \
                  resync all the same, or skip the resync and the fetch of new messages",
        arrivals_needed: 1,
        needs: &[],
        values: &[
            (
                "resync",
                "RFC 7162 section 6 (\"This client can now fetch information about new \
                 messages\"; step 2, \"Discover new messages\", by UID from its UIDNEXT)",
            ),
            (
                "skip",
                "RFC 7162 section 6 (\"The client uses the value from the HIGHESTMODSEQ OK \
                 response code received on the mailbox opening to determine if it needs to \
                 resynchronize\"; step d applies \"for each mailbox that requires \
                 synchronization\"), read as: an unchanged value means nothing changed, new \
                 messages included (Roundcube 1.6.5 rcube_imap_cache.php, meli 0.9.0 \
                 melib/src/imap/sync). The text permits it, yet with section 6's \"MUST \
                 update its copy of the HIGHESTMODSEQ value whenever the server sends a \
                 subsequent HIGHESTMODSEQ OK response code\" the stored value can cover an \
                 arrival announced by EXISTS and not fetched yet",
            ),
        ],
    };
    const ALL: &'static [Self] = &[Self::Resync, Self::Skip];
}
