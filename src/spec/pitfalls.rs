//! The clauses of issue #12 items 3 and 4: how the server reads `*` in a UID set, how much
//! expunge history it keeps, and the client's use of `*`, of `UID FETCH ... (CHANGEDSINCE m
//! VANISHED)` and of seq-match-data. Each value names its source.

use super::{Clause, ClauseValues};

/// What `*` stands for in a UID set the client sends (`1:*`).
///
/// The RFC text gives one answer: RFC 3501 section 9 (and RFC 9051 section 9) reads `*` in
/// a UID set as "the unique identifier of the last message in the mailbox or, if the mailbox
/// is empty, the mailbox's current UIDNEXT value", and RFC 3501 section 6.4.8 (RFC 9051
/// section 6.4.9) as "the message with the highest numbered UID": the highest UID present,
/// `last-present`, which the editions use. UIDNEXT-1 is not what `*` means but the bound
/// RFC 7162 section 3.2.5.1 gives known-uids when the client sends none ("1:<maxuid>, where
/// <maxuid> is the mailbox's UIDNEXT value minus 1"), which Dovecot also applies to `*`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UidStar {
    /// The largest UID the mailbox has assigned, UIDNEXT - 1: `1:*` names every UID an
    /// expunged message had.
    UidnextMinus1,
    /// The UID of the last message now in the mailbox (UIDNEXT if it is empty): the
    /// expunges of UIDs above it fall outside `1:*`.
    LastPresent,
}

impl ClauseValues for UidStar {
    const CLAUSE: Clause = Clause {
        name: "uid-star",
        summary: "what `*` stands for in a UID set `1:*` the client sends (known-uids, \
                  UID FETCH ... VANISHED): the largest UID assigned, or the largest present",
        arrivals_needed: 0,
        needs: &[("client-known-uids", "star")],
        values: &[
            (
                "uidnext-minus-1",
                "against RFC 3501 section 9 (* in a UID set is \"the unique identifier of \
                 the last message in the mailbox\"): UIDNEXT-1, the largest UID assigned, the \
                 bound RFC 7162 section 3.2.5.1 gives absent known-uids (\"1:<maxuid>, where \
                 <maxuid> is the mailbox's UIDNEXT value minus 1\"), so 1:* names every UID \
                 an expunged message had (Dovecot 2.3.19.1)",
            ),
            (
                "last-present",
                "RFC 3501 section 9 (\"the unique identifier of the last message in the \
                 mailbox or, if the mailbox is empty, the mailbox's current UIDNEXT value\"), \
                 section 6.4.8 and RFC 9051 section 6.4.9 (\"the message with the highest \
                 numbered UID\"): the highest UID now present, so the top UID's expunge \
                 drops out of 1:* (Cyrus 3.6.1, cyrus-imapd #6071)",
            ),
        ],
    };
    const ALL: &'static [Self] = &[Self::UidnextMinus1, Self::LastPresent];
    const RENAMED: &'static [(&'static str, &'static str)] = &[
        ("rfc3501", "uidnext-minus-1"),
        ("current-top", "last-present"),
    ];
}

/// Whether the client resynchronizes mid-session with `UID FETCH <set> (FLAGS)
/// (CHANGEDSINCE m VANISHED)`, m its stored resync point, and which set it names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClientFetchVanished {
    /// Never sends it.
    Never,
    /// The UIDs in its cache (RFC 7162 section 3.2.6, Example 1: "the lowest and highest
    /// UIDs from the client's cache").
    Cache,
    /// `1:*`.
    Star,
}

impl ClauseValues for ClientFetchVanished {
    const CLAUSE: Clause = Clause {
        name: "client-fetch-vanished",
        summary: "whether the selected client also sends UID FETCH <set> (FLAGS) (CHANGEDSINCE \
                  m VANISHED) from its stored resync point, with its cached UIDs or 1:*",
        arrivals_needed: 0,
        needs: &[],
        values: &[
            (
                "never",
                "RFC 7162 section 6 (the QRESYNC SELECT resynchronizes)",
            ),
            (
                "cache",
                "RFC 7162 section 3.2.6 (the VANISHED UID FETCH modifier; Example 1 names the \
                 UIDs of the client's cache)",
            ),
            (
                "star",
                "RFC 7162 section 3.2.6 with the set 1:* (cyrus-imapd #6071; Alinto/sope \
                 PR #73 replaced it by 1:4294967295)",
            ),
        ],
    };
    const ALL: &'static [Self] = &[Self::Never, Self::Cache, Self::Star];
}

/// How much expunge history the server keeps, and what it answers once it forgot some.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExpungeHistory {
    /// Every expunge's mod-sequence, forever.
    Kept,
    /// At any moment the server may forget every expunge logged so far; asked from a
    /// mod-sequence below the highest one it forgot, it reports every UID of the set that
    /// is not present (narrowed by seq-match-data).
    Truncated,
    /// Forgets as `truncated`, then answers from what it still remembers only.
    UnderReport,
}

impl ClauseValues for ExpungeHistory {
    const CLAUSE: Clause = Clause {
        name: "expunge-history",
        summary: "whether the server may forget expunge history, and what VANISHED (EARLIER) \
                  then reports for a mod-sequence below what it forgot",
        arrivals_needed: 0,
        needs: &[],
        values: &[
            (
                "kept",
                "RFC 7162 section 3.2 (\"the server MUST remember\" the mod-sequence of each \
                 expunged UID)",
            ),
            (
                "truncated",
                "RFC 7162 section 3.2.6 note (below <minmodseq> the server \"MUST behave as if \
                 it was requested to report all expunged messages from the provided UID \
                 set\"), section 5.3 (expired records leave \"a single mod-sequence, which is \
                 the highest mod-sequence for all 'expired' expunged messages\"), section \
                 3.2.5.2 (seq-match-data restricts the answer); Dovecot's log rotation, \
                 Cyrus's cyr_expire (both answer with the superset)",
            ),
            (
                "under-report",
                "against RFC 7162 section 3.2.6 note: after forgetting, reports only the \
                 expunges it still remembers (Apache James, JAMES-3722)",
            ),
        ],
    };
    const ALL: &'static [Self] = &[Self::Kept, Self::Truncated, Self::UnderReport];
}

/// Whether the client's QRESYNC SELECT carries seq-match-data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClientSeqMatch {
    Omit,
    /// Every cached UID with its sequence number in the cache's order, 1 to n.
    Cache,
}

impl ClauseValues for ClientSeqMatch {
    const CLAUSE: Clause = Clause {
        name: "client-seq-match",
        summary: "whether the client's QRESYNC SELECT carries seq-match-data: each cached UID \
                  with its sequence number",
        arrivals_needed: 0,
        // The fallback names only UIDs of the known-uids; with the cache as known-uids, those
        // are all UIDs the client must drop, and there is nothing to narrow.
        needs: &[
            ("expunge-history", "truncated"),
            ("client-known-uids", "omit"),
        ],
        values: &[
            ("omit", "RFC 7162 section 3.2.5 (the parameter is optional)"),
            (
                "cache",
                "RFC 7162 section 3.2.5.2 (\"a parenthesized list of a message sequence set \
                 and the corresponding UID sets\"): every cached UID, numbered 1 to n in UID \
                 order, as the cache last matched the mailbox",
            ),
        ],
    };
    const ALL: &'static [Self] = &[Self::Omit, Self::Cache];
}

/// Whether the server's mod-sequences survive a restart with the UIDVALIDITY unchanged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ModseqRestart {
    /// They persist.
    Persistent,
    /// Once, while no client is connected, the server restarts with its mod-sequences
    /// rebuilt from nothing (see `Server::restart`).
    Lost,
}

impl ClauseValues for ModseqRestart {
    const CLAUSE: Clause = Clause {
        name: "modseq-restart",
        summary: "whether the server's mod-sequences survive a restart (once, while no client \
                  is connected) with the UIDVALIDITY unchanged",
        arrivals_needed: 0,
        needs: &[],
        values: &[
            (
                "persistent",
                "RFC 7162 section 3.1.2 (a mailbox that reports HIGHESTMODSEQ \"supports the \
                 persistent storage of mod-sequences\"; one that does not reports NOMODSEQ) \
                 and section 3.1.2.1 (HIGHESTMODSEQ may change only with UIDVALIDITY)",
            ),
            (
                "lost",
                "against RFC 7162 sections 3.1.2 and 3.1.2.1: after a restart every message \
                 and every logged expunge is at MODSEQ 1 and HIGHESTMODSEQ is 1, under the \
                 same UIDVALIDITY (closeio/sync-engine PR #943, \
                 Trojita's \"HIGHESTMODSEQ decreased\", Dovecot's \"Mailbox HIGHESTMODSEQ \
                 shrank\")",
            ),
        ],
    };
    const ALL: &'static [Self] = &[Self::Persistent, Self::Lost];
}
