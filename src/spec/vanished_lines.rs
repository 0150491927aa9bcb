//! The clauses of a loss reported against Mailspring and read in Roundcube's code (issue 28
//! section 3): how many lines a server's VANISHED (EARLIER) takes, and a client that keeps
//! only the last of them.

use super::{Clause, ClauseValues};

/// How many VANISHED (EARLIER) lines a server answers one resync with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VanishedEarlierLines {
    /// One line naming every UID, as RFC 7162's examples do (sections 3.2.5.2, 3.2.6).
    One,
    /// One line per UID.
    PerUid,
}

impl ClauseValues for VanishedEarlierLines {
    const CLAUSE: Clause = Clause {
        name: "vanished-earlier-lines",
        summary: "how many lines the VANISHED (EARLIER) of one resync (QRESYNC SELECT, UID \
                  FETCH ... VANISHED) takes: one, or one per UID",
        arrivals_needed: 0,
        needs: &[],
        values: &[
            (
                "one",
                "RFC 7162 sections 3.2.5.2 and 3.2.6 (each example answers with one VANISHED \
                 (EARLIER) line)",
            ),
            (
                "per-uid",
                "RFC 7162 section 3.2.10 read as it stands: a VANISHED is an untagged \
                 response like any other, and nothing bounds how many one command gets (the \
                 section itself foresees two in one answer, \"one with EARLIER and one \
                 without\"); each UID in a line of its own",
            ),
        ],
    };
    const ALL: &'static [Self] = &[Self::One, Self::PerUid];
}

/// What the client does with several VANISHED (EARLIER) lines in the answer to one command.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClientVanishedEarlier {
    /// Removes the UIDs of each line as it reads it.
    All,
    /// Keeps the UIDs of the last line only, and removes them at the tagged response: each
    /// line overwrites the one before.
    KeepLast,
}

impl ClauseValues for ClientVanishedEarlier {
    const CLAUSE: Clause = Clause {
        name: "client-vanished-earlier",
        summary: "what the client does with several VANISHED (EARLIER) lines answering one \
                  command: removes every UID named, or only those of the last line",
        arrivals_needed: 0,
        // With one line per answer the two values read the same.
        needs: &[("vanished-earlier-lines", "per-uid")],
        values: &[
            (
                "all",
                "RFC 3501 section 2.2.2 (\"A client MUST be prepared to accept any server \
                 response at all times\") and RFC 7162 section 6 (after the QRESYNC SELECT's \
                 report of expunged messages \"the client is synchronized\"): every line's \
                 UIDs are gone",
            ),
            (
                "keep-last",
                "against RFC 3501 section 2.2.2 and RFC 7162 section 6: each VANISHED \
                 (EARLIER) line replaces the one before, so only the last line's UIDs are \
                 removed, and the resync point is stored all the same (Roundcube 1.6.5 \
                 rcube_imap_generic.php, `$this->data['VANISHED'] = $v_data`, as we read \
                 it; Mailspring-Sync before PR #141, \"multiple VANISHED lines\")",
            ),
        ],
    };
    const ALL: &'static [Self] = &[Self::All, Self::KeepLast];
}
