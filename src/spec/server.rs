//! The server's clauses: what a server sends and when (CLOSE's code, the HIGHESTMODSEQ over
//! held-back changes, expunges and the mailbox's counter, VANISHED, EXISTS, a QRESYNC
//! SELECT's FETCHes, UIDVALIDITY). Each value names its source.

use super::{Clause, ClauseValues};

/// Does CLOSE's tagged OK carry `[HIGHESTMODSEQ n]` after expunging, and which value?
///
/// RFC 5162 section 3.4 and erratum 1810 (RFC 7162 section 3.2) cannot both be obeyed at a
/// CLOSE that expunges: the updated value covers the CLOSE's own expunges, of which the
/// session is told nothing. `send` obeys section 3.4 (and breaks 1810, which the
/// `announced-highestmodseq-covered` monitor reports); `send-safe` obeys 1810 (and sends a
/// value that is not the updated one).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CloseHighestModseq {
    /// The updated per-mailbox mod-sequence, whatever `held-back-highestmodseq` says.
    Send,
    /// The highest value that covers nothing the session was not told of, the CLOSE's own
    /// expunges included.
    SendSafe,
    Omit,
}

impl ClauseValues for CloseHighestModseq {
    const CLAUSE: Clause = Clause {
        name: "close-highestmodseq",
        summary: "CLOSE's tagged OK after expunging: the updated [HIGHESTMODSEQ n], a value \
                  capped below what the session was not told, or none",
        arrivals_needed: 0,
        needs: &[],
        values: &[
            (
                "send",
                "RFC 5162 section 3.4 (\"MUST send the updated per-mailbox modification \
                 sequence\"), even where erratum 1810 forbids it",
            ),
            (
                "send-safe",
                "RFC 5162 section 3.4 capped as erratum 1810 (RFC 7162 section 3.2) requires: \
                 below every change the session was not told of, the CLOSE's own expunges \
                 included (not the updated value, so it breaks section 3.4's letter)",
            ),
            (
                "omit",
                "erratum 1808, RFC 7162 section 3.2.8 (\"MUST NOT send\")",
            ),
        ],
    };
    const ALL: &'static [Self] = &[Self::Send, Self::SendSafe, Self::Omit];
}

/// May a HIGHESTMODSEQ (or a MODSEQ the client will adopt) cover a change the server still
/// holds back from that session?
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HeldBackHighestModseq {
    /// The server sends a HIGHESTMODSEQ below the lowest change it holds back.
    Lower,
    /// Erratum 1810's second sentence alone: a HIGHESTMODSEQ below the lowest expunge it
    /// holds back, whatever flag changes it holds back too.
    ExpungesOnly,
    /// The server has no such duty: codes carry the mailbox's HIGHESTMODSEQ.
    None,
}

impl ClauseValues for HeldBackHighestModseq {
    const CLAUSE: Clause = Clause {
        name: "held-back-highestmodseq",
        summary: "while the server holds changes back from a session, the HIGHESTMODSEQ it lets \
                  that client adopt",
        arrivals_needed: 0,
        needs: &[],
        values: &[
            (
                "lower",
                "erratum 1810, RFC 7162 section 3.2 (\"MUST send ... in a way that the client \
                 doesn't lose any changes\")",
            ),
            (
                "expunges-only",
                "against RFC 7162 section 3.2's first sentence (\"doesn't lose any changes\"): \
                 its second sentence read alone (\"if the server sends MODSEQ FETCH data items \
                 while EXPUNGE (or VANISHED) replies with lower mod-sequences being delayed, \
                 the server MUST send the HIGHESTMODSEQ response code with a lower value\"), \
                 so the code may cover a flag change held back from the session",
            ),
            ("none", "RFC 5162 as published (no such duty)"),
        ],
    };
    const ALL: &'static [Self] = &[Self::Lower, Self::ExpungesOnly, Self::None];
}

/// Does an expunge bump the per-mailbox mod-sequence?
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExpungeModseq {
    Bump,
    None,
}

impl ClauseValues for ExpungeModseq {
    const CLAUSE: Clause = Clause {
        name: "expunge-modseq",
        summary: "whether an expunging command bumps the mod-sequence it logs with the UIDs",
        arrivals_needed: 0,
        needs: &[],
        values: &[
            (
                "bump",
                "RFC 7162 section 3.2, RFC 5162 sections 3.3-3.5 (\"MUST increment\")",
            ),
            (
                "none",
                "against RFC 7162 section 3.2: a server that does not bump on expunge; the expunge \
                 is logged at the current HIGHESTMODSEQ",
            ),
        ],
    };
    const ALL: &'static [Self] = &[Self::Bump, Self::None];
}

/// Where the mailbox's HIGHESTMODSEQ comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MailboxHighestModseq {
    /// One per-mailbox counter that every change, expunges included, increments.
    Counter,
    /// Recomputed as the highest MODSEQ of the messages present; every new mod-sequence is
    /// that plus one.
    MaxMessage,
}

impl ClauseValues for MailboxHighestModseq {
    const CLAUSE: Clause = Clause {
        name: "mailbox-highestmodseq",
        summary: "what the server's HIGHESTMODSEQ is: a counter, or the highest MODSEQ of the \
                  messages present",
        arrivals_needed: 0,
        needs: &[],
        values: &[
            (
                "counter",
                "RFC 7162 section 3.2, RFC 5162 section 1 (\"MUST increment the per-mailbox \
                 mod-sequence\" on expunge, and associate that value with the UIDs)",
            ),
            (
                "max-message",
                "RFC 4551 section 3.1.1 and RFC 7162 sections 3.1 and 3.1.2.1 read alone (\"the \
                 highest mod-sequence value of all messages in the mailbox\"): expunging the \
                 newest change lowers it, and later changes reuse mod-sequences, against \
                 RFC 7162 section 3.1's \"different mod-sequence value\" (Trojita's \"recycled HIGHESTMODSEQ\" check)",
            ),
        ],
    };
    const ALL: &'static [Self] = &[Self::Counter, Self::MaxMessage];
}

/// Which expunged UIDs a QRESYNC SELECT reports in VANISHED (EARLIER).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VanishedEarlier {
    /// Exactly those expunged after the client's mod-sequence.
    Exact,
    /// Every expunged UID among the known UIDs, whenever expunged.
    Superset,
    /// Either, chosen at every resync.
    Any,
    /// Those expunged after the client's mod-sequence and, wrongly, every known UID still
    /// present that has not changed since it ("expunged since m" computed as "not changed
    /// since m"; Apache James, JAMES-3642).
    IncludesPresent,
}

impl ClauseValues for VanishedEarlier {
    const CLAUSE: Clause = Clause {
        name: "vanished-earlier",
        summary: "the UIDs a QRESYNC SELECT reports in VANISHED (EARLIER)",
        arrivals_needed: 0,
        needs: &[],
        values: &[
            (
                "exact",
                "RFC 7162 section 3.2.6 (those expunged after the given mod-sequence)",
            ),
            (
                "superset",
                "RFC 7162 sections 3.2.6 note and 5.1 (a server without expunge history \
                 reports every expunged UID)",
            ),
            ("any", "both, at every resync (RFC 7162 permits both)"),
            (
                "includes-present",
                "against RFC 7162 section 3.2.5.1 (VANISHED (EARLIER) names messages \
                 expunged): also every known UID still present and unchanged since the \
                 client's mod-sequence (Apache James before james-project PR 629, JAMES-3642; \
                 Samsung Email showed an empty inbox)",
            ),
        ],
    };
    const ALL: &'static [Self] = &[
        Self::Exact,
        Self::Superset,
        Self::Any,
        Self::IncludesPresent,
    ];
}

/// May a VANISHED (without EARLIER) name a message the session was never told of?
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VanishedUnannounced {
    /// Only messages the session has a sequence number for.
    Omit,
    /// Every message expunged since the last VANISHED, announced by EXISTS or not.
    Report,
    /// Either: at each flush of expunges the server names the unannounced ones or drops
    /// them for good.
    Any,
}

impl ClauseValues for VanishedUnannounced {
    const CLAUSE: Clause = Clause {
        name: "vanished-unannounced",
        summary: "whether a VANISHED (no EARLIER) names a message that arrived and was \
                  expunged before the session was told of it by EXISTS",
        arrivals_needed: 1,
        needs: &[],
        values: &[
            (
                "omit",
                "RFC 7162 section 3.2.10.2 (\"MUST NOT send UIDs for ... messages that were \
                 not announced to the client via EXISTS\"; erratum 3322)",
            ),
            (
                "report",
                "RFC 5162 section 3.6 read as reporting every expunge (\"SHOULD only contain \
                 UIDs for messages expunged since the last VANISHED/EXPUNGE response\", with \
                 no exception for messages never announced)",
            ),
            (
                "any",
                "RFC 5162 section 3.6 as published: a SHOULD, which neither requires nor \
                 forbids naming a message never announced; both, at every flush",
            ),
        ],
    };
    const ALL: &'static [Self] = &[Self::Omit, Self::Report, Self::Any];
}

/// When the server tells a session of an arrival (EXISTS).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExistsUpdate {
    /// At the end of the next command of the selected state that can carry it.
    Prompt,
    /// At the end of that command or of any later one.
    Lazy,
    /// As `prompt`, except that `UID FETCH n:*` sends the FETCH of each arrival it names
    /// before the EXISTS that announces it (Cyrus before cyrus-imapd PR #1998).
    FetchFirst,
}

impl ClauseValues for ExistsUpdate {
    const CLAUSE: Clause = Clause {
        name: "exists-update",
        summary: "when a session is told of an arrival by EXISTS: at the end of the next \
                  command, or of any later one, or after the FETCH that names it",
        // `fetch-first` needs a second arrival while the client fetches the first (`UID
        // FETCH n:*` follows an EXISTS); `lazy` one arrival. Without arrivals no value differs.
        arrivals_needed: 2,
        needs: &[],
        values: &[
            (
                "prompt",
                "RFC 3501 section 5.2 (\"MUST send mailbox size updates automatically if a \
                 mailbox size change is observed during the processing of a command\"), read \
                 as: every command of the selected state observes the mailbox",
            ),
            (
                "lazy",
                "RFC 3501 section 5.2 read by its \"if ... observed\": a server that looks at \
                 the mailbox size only now and then (RFC 3501 section 6.1.2 makes NOOP the \
                 way to poll) may send EXISTS at the end of any later command",
            ),
            (
                "fetch-first",
                "against RFC 3501 section 2.3.1.2 (a sequence number is \"a relative position \
                 from 1 to the number of messages in the mailbox\", the number the client \
                 records from EXISTS, section 7.3.1): UID FETCH n:* sends `* 919 FETCH` for an \
                 arrival before `* 919 EXISTS` (Cyrus at FastMail, cyrus-imapd #1967, KDE bug \
                 379692: Trojita stopped with \"UnknownMessageIndex: Got FETCH that is out \
                 of bounds\"; fixed by cyrus-imapd PR #1998)",
            ),
        ],
    };
    const ALL: &'static [Self] = &[Self::Prompt, Self::Lazy, Self::FetchFirst];
}

/// Are the FETCH results of a QRESYNC SELECT limited to the known UIDs the client sent?
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KnownUidsScope {
    Restrict,
    All,
    Any,
}

impl ClauseValues for KnownUidsScope {
    const CLAUSE: Clause = Clause {
        name: "known-uids-scope",
        summary: "whether the FETCHes of a QRESYNC SELECT cover only the known UIDs sent",
        arrivals_needed: 0,
        needs: &[],
        values: &[
            (
                "restrict",
                "RFC 7162 section 3.2.5.1 (\"should only report\" the known UIDs)",
            ),
            (
                "all",
                "RFC 7162 section 3.2.5.1 (the lowercase \"should\" lets it report every \
                 changed UID)",
            ),
            ("any", "both, at every resync"),
        ],
    };
    const ALL: &'static [Self] = &[Self::Restrict, Self::All, Self::Any];
}

/// Whether the server's UIDs persist, or it may assign them again under a new UIDVALIDITY.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UidvalidityChange {
    /// The UIDs persist: UIDVALIDITY never changes.
    Never,
    /// Once, while no session has INBOX selected, the server assigns the messages present
    /// the UIDs 1 to n under a greater UIDVALIDITY (see `Server::renumber`).
    Renumber,
}

impl ClauseValues for UidvalidityChange {
    const CLAUSE: Clause = Clause {
        name: "uidvalidity-change",
        summary: "whether the server may assign the UIDs again under a greater UIDVALIDITY \
                  (once, while no session has INBOX selected)",
        arrivals_needed: 0,
        needs: &[],
        values: &[
            (
                "never",
                "RFC 3501 section 2.3.1.1 (a UID \"SHOULD NOT change between sessions\"): the \
                 UIDs persist",
            ),
            (
                "renumber",
                "RFC 3501 section 2.3.1.1 (UIDs that fail to persist: a greater UIDVALIDITY; \
                 never \"during the session\"), RFC 7162 sections 3.1.2.1 and 5.3 (HIGHESTMODSEQ \
                 need not be kept, the expunge history \"SHOULD be deleted\"): once, between \
                 sessions, the messages get the UIDs 1 to n",
            ),
        ],
    };
    const ALL: &'static [Self] = &[Self::Never, Self::Renumber];
}
