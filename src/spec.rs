//! The spec text under test: clauses (one rule each, with its RFC section and its values) and
//! editions (a named set of clause values, as a document was published).
//!
//! Adding a clause: an enum with its values, a `ClauseValues` impl naming each value's
//! source, a field in [`Spec`], and one arm in each of `Spec::set` and `Spec::values`.

use std::fmt;

mod idle;
mod pitfalls;

pub use idle::{ClientIdle, IdleHighestModseq, IdlePush};
pub use pitfalls::{ClientFetchVanished, ClientSeqMatch, ExpungeHistory, ModseqRestart, UidStar};

/// What the catalogue says of one clause.
pub struct Clause {
    pub name: &'static str,
    pub summary: &'static str,
    /// Whether the clause can only make a difference once another agent appends a message
    /// and moves it away again: the matrix checks it with one arrival and one removal.
    pub needs_other_agent: bool,
    /// Other clauses' values without which this clause makes no difference (a client's
    /// answer to a server event the editions never produce): the matrix checks this clause
    /// with them set.
    pub needs: &'static [(&'static str, &'static str)],
    /// Each value's name and where it comes from (an RFC section or an erratum).
    pub values: &'static [(&'static str, &'static str)],
}

trait ClauseValues: Copy + PartialEq + 'static {
    const CLAUSE: Clause;
    /// The values in the order of `CLAUSE.values`.
    const ALL: &'static [Self];
}

fn value_name<T: ClauseValues>(value: T) -> &'static str {
    let i = T::ALL
        .iter()
        .position(|v| *v == value)
        .expect("every value is listed");
    T::CLAUSE.values[i].0
}

fn parse_value<T: ClauseValues>(value: &str) -> Result<T, SpecError> {
    match T::CLAUSE.values.iter().position(|(name, _)| *name == value) {
        Some(i) => Ok(T::ALL[i]),
        None => Err(SpecError::UnknownValue {
            clause: T::CLAUSE.name,
            value: value.to_string(),
            valid: T::CLAUSE.values.iter().map(|(name, _)| *name).collect(),
        }),
    }
}

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
        needs_other_agent: false,
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
    /// The server has no such duty: codes carry the mailbox's HIGHESTMODSEQ.
    None,
}

impl ClauseValues for HeldBackHighestModseq {
    const CLAUSE: Clause = Clause {
        name: "held-back-highestmodseq",
        summary: "while the server holds changes back from a session, the HIGHESTMODSEQ it lets \
                  that client adopt",
        needs_other_agent: false,
        needs: &[],
        values: &[
            (
                "lower",
                "erratum 1810, RFC 7162 section 3.2 (\"MUST send ... in a way that the client \
                 doesn't lose any changes\")",
            ),
            ("none", "RFC 5162 as published (no such duty)"),
        ],
    };
    const ALL: &'static [Self] = &[Self::Lower, Self::None];
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
        needs_other_agent: false,
        needs: &[],
        values: &[
            (
                "bump",
                "RFC 7162 section 3.2, RFC 5162 sections 3.3-3.5 (\"MUST increment\")",
            ),
            (
                "none",
                "a server that does not bump on expunge (resync-rules.md C11): the expunge is \
                 logged at the current HIGHESTMODSEQ",
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
        needs_other_agent: false,
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
                 section 3.1's \"different mod-sequence value\" (resync-rules.md C12)",
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
}

impl ClauseValues for VanishedEarlier {
    const CLAUSE: Clause = Clause {
        name: "vanished-earlier",
        summary: "the UIDs a QRESYNC SELECT reports in VANISHED (EARLIER)",
        needs_other_agent: false,
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
        ],
    };
    const ALL: &'static [Self] = &[Self::Exact, Self::Superset, Self::Any];
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
        needs_other_agent: true,
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
}

impl ClauseValues for ExistsUpdate {
    const CLAUSE: Clause = Clause {
        name: "exists-update",
        summary: "when a session is told of an arrival by EXISTS: at the end of the next \
                  command, or of any later one",
        needs_other_agent: false,
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
        ],
    };
    const ALL: &'static [Self] = &[Self::Prompt, Self::Lazy];
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
        needs_other_agent: false,
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

/// How the client computes its stored resync point at each tagged response.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClientResyncPoint {
    /// Adopt a HIGHESTMODSEQ code, then raise it to the largest MODSEQ seen if that is higher.
    Rfc5162,
    /// A HIGHESTMODSEQ code seen since the last tagged response wins, even if lower;
    /// otherwise the largest MODSEQ seen, if higher than the stored value.
    Rfc7162,
    /// As `Rfc7162`, but also adopts a FETCH's MODSEQ, if higher, as soon as it reads it.
    Eager,
    /// As `Rfc7162`, but stores SELECT's untagged HIGHESTMODSEQ as soon as it reads it,
    /// before the resynchronization completes.
    SelectOnReceipt,
    /// As `Rfc7162`, but the client also sends `STATUS INBOX (HIGHESTMODSEQ)` while INBOX
    /// is not selected (after CLOSE, or on a new connection before its SELECT) and stores
    /// the value it reports, at STATUS's tagged OK, as a code of the mailbox (real-servers.md
    /// A2(b); KDE KIMAP). Only this client sends STATUS: the others have no use for it.
    Status,
}

impl ClauseValues for ClientResyncPoint {
    const CLAUSE: Clause = Clause {
        name: "client-resync-point",
        summary: "what the client stores as its resync point at each tagged response",
        needs_other_agent: false,
        needs: &[],
        values: &[
            ("rfc5162", "RFC 5162 section 5 as published"),
            ("rfc7162", "erratum 1809, RFC 7162 section 6"),
            (
                "eager",
                "against RFC 7162 section 6 note (adopts a MODSEQ as soon as it reads it; \
                 resync-rules.md C3)",
            ),
            (
                "select-on-receipt",
                "against RFC 7162 section 6 (\"Once the synchronization is complete\"; stores \
                 SELECT's HIGHESTMODSEQ on receipt; resync-rules.md C4)",
            ),
            (
                "status",
                "against RFC 7162 section 6 (the value comes from the mailbox opening and the \
                 codes and MODSEQs sent while it is selected): stores what STATUS (HIGHESTMODSEQ) \
                 reports (RFC 7162 section 3.1.7, RFC 4551 section 3.6), sent after CLOSE or on \
                 a new connection before SELECT (real-servers.md A2(b), KDE KIMAP)",
            ),
        ],
    };
    const ALL: &'static [Self] = &[
        Self::Rfc5162,
        Self::Rfc7162,
        Self::Eager,
        Self::SelectOnReceipt,
        Self::Status,
    ];
}

/// What the client does with its cache when CLOSE completes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClientClose {
    /// Leaves the cache as it is: CLOSE reports nothing, so there is nothing to apply.
    Keep,
    /// Drops every message its cache shows as `\Deleted`, since CLOSE expunged them.
    PruneDeleted,
}

impl ClauseValues for ClientClose {
    const CLAUSE: Clause = Clause {
        name: "client-close",
        summary: "what the client does with its cache when CLOSE completes",
        needs_other_agent: false,
        needs: &[],
        values: &[
            (
                "keep",
                "RFC 7162 section 3.2.8 (CLOSE reports nothing; the next QRESYNC SELECT does)",
            ),
            (
                "prune-deleted",
                "RFC 5162 section 3.4 (a client that trusts CLOSE's HIGHESTMODSEQ must apply \
                 the expunge itself; erratum 1808's rationale assumes it)",
            ),
        ],
    };
    const ALL: &'static [Self] = &[Self::Keep, Self::PruneDeleted];
}

/// Which UIDs the client sends as known-uids in its QRESYNC SELECT.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClientKnownUids {
    Cache,
    Omit,
    /// `1:*`, which RFC 7162 section 7 forbids ("\"*\" is not allowed"); `uid-star` says
    /// what the server makes of it.
    Star,
}

impl ClauseValues for ClientKnownUids {
    const CLAUSE: Clause = Clause {
        name: "client-known-uids",
        summary: "the known-uids a client sends in SELECT (QRESYNC ...)",
        needs_other_agent: false,
        needs: &[],
        values: &[
            ("cache", "RFC 7162 section 3.2.5.1 (the UIDs in its cache)"),
            (
                "omit",
                "RFC 7162 section 3.2.5.1 (none: the server uses 1:<UIDNEXT-1>)",
            ),
            (
                "star",
                "against RFC 7162 section 7 (known-uids: \"*\" is not allowed): 1:*, which \
                 Cyrus 3.6.1 accepts and Dovecot 2.3.19.1 refuses with BAD (real-servers.md \
                 section 6; the model's server accepts it)",
            ),
        ],
    };
    const ALL: &'static [Self] = &[Self::Cache, Self::Omit, Self::Star];
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
        needs_other_agent: false,
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
                 sessions, the messages get the UIDs 1 to n (resync-rules.md C15)",
            ),
        ],
    };
    const ALL: &'static [Self] = &[Self::Never, Self::Renumber];
}

/// What the client does when a SELECT reports a UIDVALIDITY other than the one it cached.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClientUidvalidity {
    /// Empties its cache, forgets its stored HIGHESTMODSEQ and its UIDNEXT, and fetches
    /// the mailbox again by UID.
    Wipe,
    /// Takes the new UIDVALIDITY and keeps its cache, resync point and UIDNEXT.
    Keep,
}

impl ClauseValues for ClientUidvalidity {
    const CLAUSE: Clause = Clause {
        name: "client-uidvalidity",
        summary: "what the client does when SELECT reports a new UIDVALIDITY",
        needs_other_agent: false,
        needs: &[("uidvalidity-change", "renumber")],
        values: &[
            (
                "wipe",
                "RFC 7162 section 6 step 1a, RFC 5162 section 5 step 1a (\"empty the local cache\", \
                 \"forget the cached HIGHESTMODSEQ\"; RFC 7162 section 3.1.2.1: \"MUST delete \
                 the cached value of HIGHESTMODSEQ\")",
            ),
            (
                "keep",
                "against RFC 7162 section 6 step 1a: takes the new UIDVALIDITY and keeps its \
                 cache, its stored HIGHESTMODSEQ and its UIDNEXT (resync-rules.md C15)",
            ),
        ],
    };
    const ALL: &'static [Self] = &[Self::Wipe, Self::Keep];
}

/// What the client does with the untagged lines that come outside its sync loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClientOutOfBand {
    /// Applies every line it reads.
    Apply,
    /// Drops a VANISHED (without EARLIER) that answers no expunge of its own.
    IgnoreVanished,
    /// Drops a FETCH with FLAGS outside its QRESYNC SELECT and `UID FETCH n:*`.
    IgnoreFetch,
}

impl ClauseValues for ClientOutOfBand {
    const CLAUSE: Clause = Clause {
        name: "client-out-of-band",
        summary: "whether the client applies the VANISHED and FETCH FLAGS that come at the end \
                  of commands outside its sync loop, where it still moves its resync point",
        needs_other_agent: false,
        needs: &[],
        values: &[
            (
                "apply",
                "RFC 7162 section 3.2.10.2 (VANISHED \"MUST be recorded\"), RFC 3501 section 2.2.2 \
                 (\"A client MUST be prepared to accept any server response at all times\"; \
                 some data \"MUST be recorded\")",
            ),
            (
                "ignore-vanished",
                "against RFC 7162 section 3.2.10.2: drops a VANISHED at the end of STORE, NOOP \
                 or UID FETCH (applies only its own EXPUNGE's and SELECT's), yet adopts the \
                 HIGHESTMODSEQ that follows (resync-rules.md C5: Mailspring-Sync #141, \
                 nextcloud/mail #10036)",
            ),
            (
                "ignore-fetch",
                "against RFC 3501 section 2.2.2: drops a FETCH with FLAGS outside its QRESYNC \
                 SELECT and UID FETCH n:*, yet counts its MODSEQ for its resync point \
                 (resync-rules.md C5)",
            ),
        ],
    };
    const ALL: &'static [Self] = &[Self::Apply, Self::IgnoreVanished, Self::IgnoreFetch];
}

/// One value for every clause: the full text under test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Spec {
    pub close_highestmodseq: CloseHighestModseq,
    pub held_back_highestmodseq: HeldBackHighestModseq,
    pub expunge_modseq: ExpungeModseq,
    pub mailbox_highestmodseq: MailboxHighestModseq,
    pub vanished_earlier: VanishedEarlier,
    pub vanished_unannounced: VanishedUnannounced,
    pub exists_update: ExistsUpdate,
    pub known_uids_scope: KnownUidsScope,
    pub client_resync_point: ClientResyncPoint,
    pub client_close: ClientClose,
    pub client_known_uids: ClientKnownUids,
    pub uidvalidity_change: UidvalidityChange,
    pub client_uidvalidity: ClientUidvalidity,
    pub client_out_of_band: ClientOutOfBand,
    pub uid_star: UidStar,
    pub client_fetch_vanished: ClientFetchVanished,
    pub expunge_history: ExpungeHistory,
    pub client_seq_match: ClientSeqMatch,
    pub modseq_restart: ModseqRestart,
    pub client_idle: ClientIdle,
    pub idle_push: IdlePush,
    pub idle_highestmodseq: IdleHighestModseq,
}

/// How many clauses there are.
pub const CLAUSE_COUNT: usize = 22;

/// Every clause, in the order `list` prints them.
pub fn clauses() -> [Clause; CLAUSE_COUNT] {
    [
        CloseHighestModseq::CLAUSE,
        HeldBackHighestModseq::CLAUSE,
        ExpungeModseq::CLAUSE,
        MailboxHighestModseq::CLAUSE,
        VanishedEarlier::CLAUSE,
        VanishedUnannounced::CLAUSE,
        ExistsUpdate::CLAUSE,
        KnownUidsScope::CLAUSE,
        ClientResyncPoint::CLAUSE,
        ClientClose::CLAUSE,
        ClientKnownUids::CLAUSE,
        UidvalidityChange::CLAUSE,
        ClientUidvalidity::CLAUSE,
        ClientOutOfBand::CLAUSE,
        UidStar::CLAUSE,
        ClientFetchVanished::CLAUSE,
        ExpungeHistory::CLAUSE,
        ClientSeqMatch::CLAUSE,
        ModseqRestart::CLAUSE,
        ClientIdle::CLAUSE,
        IdlePush::CLAUSE,
        IdleHighestModseq::CLAUSE,
    ]
}

impl Spec {
    /// Sets one clause by name, as `--clause NAME=VALUE` or a model file does.
    pub fn set(&mut self, clause: &str, value: &str) -> Result<(), SpecError> {
        match clause {
            "close-highestmodseq" => self.close_highestmodseq = parse_value(value)?,
            "held-back-highestmodseq" => self.held_back_highestmodseq = parse_value(value)?,
            "expunge-modseq" => self.expunge_modseq = parse_value(value)?,
            "mailbox-highestmodseq" => self.mailbox_highestmodseq = parse_value(value)?,
            "vanished-earlier" => self.vanished_earlier = parse_value(value)?,
            "vanished-unannounced" => self.vanished_unannounced = parse_value(value)?,
            "exists-update" => self.exists_update = parse_value(value)?,
            "known-uids-scope" => self.known_uids_scope = parse_value(value)?,
            "client-resync-point" => self.client_resync_point = parse_value(value)?,
            "client-close" => self.client_close = parse_value(value)?,
            "client-known-uids" => self.client_known_uids = parse_value(value)?,
            "uidvalidity-change" => self.uidvalidity_change = parse_value(value)?,
            "client-uidvalidity" => self.client_uidvalidity = parse_value(value)?,
            "client-out-of-band" => self.client_out_of_band = parse_value(value)?,
            "uid-star" => self.uid_star = parse_value(value)?,
            "client-fetch-vanished" => self.client_fetch_vanished = parse_value(value)?,
            "expunge-history" => self.expunge_history = parse_value(value)?,
            "client-seq-match" => self.client_seq_match = parse_value(value)?,
            "modseq-restart" => self.modseq_restart = parse_value(value)?,
            "client-idle" => self.client_idle = parse_value(value)?,
            "idle-push" => self.idle_push = parse_value(value)?,
            "idle-highestmodseq" => self.idle_highestmodseq = parse_value(value)?,
            _ => {
                return Err(SpecError::UnknownClause {
                    clause: clause.to_string(),
                    valid: clauses().iter().map(|c| c.name).collect(),
                });
            }
        }
        Ok(())
    }

    /// Every clause with its value in this spec, in catalogue order.
    pub fn values(&self) -> [(&'static str, &'static str); CLAUSE_COUNT] {
        fn entry<T: ClauseValues>(value: T) -> (&'static str, &'static str) {
            (T::CLAUSE.name, value_name(value))
        }
        [
            entry(self.close_highestmodseq),
            entry(self.held_back_highestmodseq),
            entry(self.expunge_modseq),
            entry(self.mailbox_highestmodseq),
            entry(self.vanished_earlier),
            entry(self.vanished_unannounced),
            entry(self.exists_update),
            entry(self.known_uids_scope),
            entry(self.client_resync_point),
            entry(self.client_close),
            entry(self.client_known_uids),
            entry(self.uidvalidity_change),
            entry(self.client_uidvalidity),
            entry(self.client_out_of_band),
            entry(self.uid_star),
            entry(self.client_fetch_vanished),
            entry(self.expunge_history),
            entry(self.client_seq_match),
            entry(self.modseq_restart),
            entry(self.client_idle),
            entry(self.idle_push),
            entry(self.idle_highestmodseq),
        ]
    }

    /// The source (RFC section or erratum) of this spec's value for `clause`.
    pub fn source(&self, clause: &str) -> Option<&'static str> {
        let value = self.values().into_iter().find(|(c, _)| *c == clause)?.1;
        let clauses = clauses();
        let entry = clauses.iter().find(|c| c.name == clause)?;
        entry
            .values
            .iter()
            .find(|(v, _)| *v == value)
            .map(|(_, s)| *s)
    }
}

/// A named set of clause values: a document as published.
pub struct Edition {
    pub name: &'static str,
    pub summary: &'static str,
    pub spec: Spec,
}

/// The editions, oldest first. The first is the default.
pub const EDITIONS: [Edition; 3] = [
    Edition {
        name: "rfc5162",
        summary: "RFC 5162 as published (2008): CLOSE answers OK [HIGHESTMODSEQ n] (3.4), \
                  VANISHED may or may not name expunged messages never announced (3.6, a \
                  SHOULD), the client follows section 5 and prunes its \\Deleted messages at \
                  CLOSE",
        spec: RFC5162,
    },
    Edition {
        name: "rfc5162+1808",
        summary: "RFC 5162 with only erratum 1808 applied: CLOSE answers a plain OK, all else \
                  as published",
        spec: Spec {
            close_highestmodseq: CloseHighestModseq::Omit,
            ..RFC5162
        },
    },
    Edition {
        name: "rfc7162",
        summary: "RFC 7162 (2014), with errata 1808, 1809, 1810 and 3322 folded in: plain OK \
                  to CLOSE (3.2.8), client rule of section 6, no HIGHESTMODSEQ over held-back \
                  changes (3.2), VANISHED only for announced messages (3.2.10.2)",
        spec: Spec {
            close_highestmodseq: CloseHighestModseq::Omit,
            held_back_highestmodseq: HeldBackHighestModseq::Lower,
            client_resync_point: ClientResyncPoint::Rfc7162,
            client_close: ClientClose::Keep,
            vanished_unannounced: VanishedUnannounced::Omit,
            ..RFC5162
        },
    },
];

/// RFC 5162 as published. Where it leaves the server a choice (VANISHED (EARLIER)
/// precision, the scope of a QRESYNC SELECT's FETCHes, section 3.6's SHOULD on unannounced
/// expunges) the edition explores both.
const RFC5162: Spec = Spec {
    close_highestmodseq: CloseHighestModseq::Send,
    held_back_highestmodseq: HeldBackHighestModseq::None,
    expunge_modseq: ExpungeModseq::Bump,
    mailbox_highestmodseq: MailboxHighestModseq::Counter,
    vanished_earlier: VanishedEarlier::Any,
    vanished_unannounced: VanishedUnannounced::Any,
    exists_update: ExistsUpdate::Prompt,
    known_uids_scope: KnownUidsScope::Any,
    client_resync_point: ClientResyncPoint::Rfc5162,
    client_close: ClientClose::PruneDeleted,
    client_known_uids: ClientKnownUids::Cache,
    uidvalidity_change: UidvalidityChange::Never,
    client_uidvalidity: ClientUidvalidity::Wipe,
    client_out_of_band: ClientOutOfBand::Apply,
    uid_star: UidStar::Rfc3501,
    client_fetch_vanished: ClientFetchVanished::Never,
    expunge_history: ExpungeHistory::Kept,
    client_seq_match: ClientSeqMatch::Omit,
    modseq_restart: ModseqRestart::Persistent,
    client_idle: ClientIdle::Never,
    idle_push: IdlePush::Push,
    idle_highestmodseq: IdleHighestModseq::SinceTagged,
};

/// An erratum to the resync rules, and the clause whose text it changed.
pub struct Erratum {
    pub id: u32,
    pub title: &'static str,
    pub clause: &'static str,
}

/// The errata RFC 7162 folded in (its Appendix B), each one clause of the catalogue. The
/// value before is `rfc5162`'s, the value after `rfc7162`'s.
pub const ERRATA: [Erratum; 4] = [
    Erratum {
        id: 1808,
        title: "CLOSE must not send HIGHESTMODSEQ",
        clause: "close-highestmodseq",
    },
    Erratum {
        id: 1809,
        title: "the client uses a HIGHESTMODSEQ code even if it saw higher MODSEQs",
        clause: "client-resync-point",
    },
    Erratum {
        id: 1810,
        title: "no HIGHESTMODSEQ over changes held back from the session",
        clause: "held-back-highestmodseq",
    },
    Erratum {
        id: 3322,
        title: "VANISHED names only messages announced to the session; rejected for RFC 5162, \
                adopted by RFC 7162 section 3.2.10.2",
        clause: "vanished-unannounced",
    },
];

impl Spec {
    /// Whether the server may write a client's queue while that client is not issuing: a
    /// push to an idling session (the read reductions' argument does not cover it; see
    /// `reduce/mod.rs`).
    pub fn pushes(&self) -> bool {
        self.client_idle == ClientIdle::Idle && self.idle_push == IdlePush::Push
    }

    /// This spec's value for `clause`.
    pub fn value(&self, clause: &str) -> Option<&'static str> {
        self.values()
            .into_iter()
            .find(|(c, _)| *c == clause)
            .map(|(_, v)| v)
    }
}

pub fn edition(name: &str) -> Result<&'static Edition, SpecError> {
    EDITIONS
        .iter()
        .find(|e| e.name == name)
        .ok_or_else(|| SpecError::UnknownEdition {
            edition: name.to_string(),
            valid: EDITIONS.iter().map(|e| e.name).collect(),
        })
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpecError {
    UnknownEdition {
        edition: String,
        valid: Vec<&'static str>,
    },
    UnknownClause {
        clause: String,
        valid: Vec<&'static str>,
    },
    UnknownValue {
        clause: &'static str,
        value: String,
        valid: Vec<&'static str>,
    },
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpecError::UnknownEdition { edition, valid } => write!(
                f,
                "unknown edition `{edition}`; valid editions: {}",
                valid.join(", ")
            ),
            SpecError::UnknownClause { clause, valid } => write!(
                f,
                "unknown clause `{clause}`; valid clauses: {}",
                valid.join(", ")
            ),
            SpecError::UnknownValue {
                clause,
                value,
                valid,
            } => write!(
                f,
                "unknown value `{value}` for clause `{clause}`; valid values: {}",
                valid.join(", ")
            ),
        }
    }
}

impl std::error::Error for SpecError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editions_differ_where_the_errata_changed_the_text() {
        let old = edition("rfc5162").unwrap().spec.values();
        let new = edition("rfc7162").unwrap().spec.values();
        let differing: Vec<&str> = old
            .iter()
            .zip(new.iter())
            .filter(|(a, b)| a.1 != b.1)
            .map(|(a, _)| a.0)
            .collect();
        assert_eq!(
            differing,
            vec![
                "close-highestmodseq",
                "held-back-highestmodseq",
                "vanished-unannounced",
                "client-resync-point",
                "client-close"
            ]
        );
        let only_1808 = edition("rfc5162+1808").unwrap().spec;
        assert_eq!(only_1808.close_highestmodseq, CloseHighestModseq::Omit);
        assert_eq!(only_1808.client_close, ClientClose::PruneDeleted);
    }

    #[test]
    fn set_overrides_one_clause_and_rejects_unknowns() {
        let mut spec = edition("rfc5162").unwrap().spec;
        spec.set("close-highestmodseq", "omit").unwrap();
        assert_eq!(spec.close_highestmodseq, CloseHighestModseq::Omit);
        assert_eq!(spec.client_close, ClientClose::PruneDeleted);
        assert_eq!(
            spec.set("close-highestmodseq", "maybe")
                .unwrap_err()
                .to_string(),
            "unknown value `maybe` for clause `close-highestmodseq`; valid values: send, send-safe, omit"
        );
        assert!(spec.set("no-such", "x").is_err());
        assert_eq!(
            spec.source("close-highestmodseq"),
            Some("erratum 1808, RFC 7162 section 3.2.8 (\"MUST NOT send\")")
        );
    }
}
