//! The spec text under test: clauses (one rule each, with its RFC section and its values) and
//! editions (a named set of clause values, as a document was published).
//!
//! Adding a clause: an enum with its values and a `ClauseValues` impl naming each value's
//! source (in `server.rs`, `client.rs` or `pitfalls.rs`), a field in [`Spec`], one arm in
//! each of `Spec::set` and `Spec::values`, and its value in `editions.rs`'s RFC 5162.

use std::fmt;

mod arrival;
mod client;
mod condstore;
mod editions;
mod flush;
mod idle;
mod numbering;
mod pipelining;
mod pitfalls;
mod server;
mod vanished_lines;

pub use arrival::{ArrivalModseq, ClientUnchanged};
pub use client::{
    ClientClose, ClientKnownUids, ClientOutOfBand, ClientResyncPoint, ClientUidvalidity,
};
pub use condstore::{ClientSync, FetchSet};
pub use editions::{EDITIONS, ERRATA, Edition, Erratum, edition};
pub use flush::{ExpungeFlush, FlagFlush};
pub use idle::{ClientIdle, IdleHighestModseq, IdlePush};
pub use numbering::HeldBackNumbering;
pub use pipelining::{ClientPipelining, PipelinedHighestModseq};
pub use pitfalls::{ClientFetchVanished, ClientSeqMatch, ExpungeHistory, ModseqRestart, UidStar};
pub use server::{
    CloseHighestModseq, ExistsUpdate, ExpungeModseq, HeldBackHighestModseq, KnownUidsScope,
    MailboxHighestModseq, UidvalidityChange, VanishedEarlier, VanishedUnannounced,
};
pub use vanished_lines::{ClientVanishedEarlier, VanishedEarlierLines};

/// What the catalogue says of one clause.
pub struct Clause {
    pub name: &'static str,
    pub summary: &'static str,
    /// How many messages another agent must append (and one move away again) before the
    /// clause can make a difference; 0 if it needs none. The matrix checks it with that many
    /// arrivals and one removal.
    pub arrivals_needed: u8,
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
    /// Former names of values, each with the value it now is: refused with an error that
    /// names the new value, never read as it, so a model or command line written for the
    /// old meaning does not silently check another.
    const RENAMED: &'static [(&'static str, &'static str)] = &[];
}

fn value_name<T: ClauseValues>(value: T) -> &'static str {
    let i = T::ALL
        .iter()
        .position(|v| *v == value)
        .expect("every value is listed");
    T::CLAUSE.values[i].0
}

fn parse_value<T: ClauseValues>(value: &str) -> Result<T, SpecError> {
    if let Some((_, new)) = T::RENAMED.iter().find(|(old, _)| *old == value) {
        return Err(SpecError::RenamedValue {
            clause: T::CLAUSE.name,
            value: value.to_string(),
            new,
        });
    }
    match T::CLAUSE.values.iter().position(|(name, _)| *name == value) {
        Some(i) => Ok(T::ALL[i]),
        None => Err(SpecError::UnknownValue {
            clause: T::CLAUSE.name,
            value: value.to_string(),
            valid: T::CLAUSE.values.iter().map(|(name, _)| *name).collect(),
        }),
    }
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
    pub client_sync: ClientSync,
    pub client_pipelining: ClientPipelining,
    pub pipelined_highestmodseq: PipelinedHighestModseq,
    pub flag_flush: FlagFlush,
    pub expunge_flush: ExpungeFlush,
    pub arrival_modseq: ArrivalModseq,
    pub client_unchanged: ClientUnchanged,
    pub vanished_earlier_lines: VanishedEarlierLines,
    pub client_vanished_earlier: ClientVanishedEarlier,
    pub held_back_numbering: HeldBackNumbering,
}

/// The clauses a listing may leave out, at the values [`Spec::is_elided`] names.
pub const ELIDABLE: [&str; 10] = [
    "client-sync",
    "client-pipelining",
    "pipelined-highestmodseq",
    "flag-flush",
    "expunge-flush",
    "arrival-modseq",
    "client-unchanged",
    "vanished-earlier-lines",
    "client-vanished-earlier",
    "held-back-numbering",
];

/// How many clauses there are.
pub const CLAUSE_COUNT: usize = 32;

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
        ClientSync::CLAUSE,
        ClientPipelining::CLAUSE,
        PipelinedHighestModseq::CLAUSE,
        FlagFlush::CLAUSE,
        ExpungeFlush::CLAUSE,
        ArrivalModseq::CLAUSE,
        ClientUnchanged::CLAUSE,
        VanishedEarlierLines::CLAUSE,
        ClientVanishedEarlier::CLAUSE,
        HeldBackNumbering::CLAUSE,
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
            "client-sync" => self.client_sync = parse_value(value)?,
            "client-pipelining" => self.client_pipelining = parse_value(value)?,
            "pipelined-highestmodseq" => self.pipelined_highestmodseq = parse_value(value)?,
            "flag-flush" => self.flag_flush = parse_value(value)?,
            "expunge-flush" => self.expunge_flush = parse_value(value)?,
            "arrival-modseq" => self.arrival_modseq = parse_value(value)?,
            "client-unchanged" => self.client_unchanged = parse_value(value)?,
            "vanished-earlier-lines" => self.vanished_earlier_lines = parse_value(value)?,
            "client-vanished-earlier" => self.client_vanished_earlier = parse_value(value)?,
            "held-back-numbering" => self.held_back_numbering = parse_value(value)?,
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
            entry(self.client_sync),
            entry(self.client_pipelining),
            entry(self.pipelined_highestmodseq),
            entry(self.flag_flush),
            entry(self.expunge_flush),
            entry(self.arrival_modseq),
            entry(self.client_unchanged),
            entry(self.vanished_earlier_lines),
            entry(self.client_vanished_earlier),
            entry(self.held_back_numbering),
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

impl Spec {
    /// Whether the server may write a client's queue while that client is not issuing: a
    /// push to an idling session (the read reductions' argument does not cover it; see
    /// `reduce/mod.rs`).
    pub fn pushes(&self) -> bool {
        self.client_idle == ClientIdle::Idle && self.idle_push == IdlePush::Push
    }

    /// Whether every change gets HIGHESTMODSEQ + 1 and HIGHESTMODSEQ never falls: not where
    /// an expunge keeps the mod-sequence it had (`expunge-modseq=none`), HIGHESTMODSEQ is
    /// the highest message's (`mailbox-highestmodseq=max-message`, which falls when that
    /// message goes), a restart loses them (`modseq-restart=lost`), or an arrival takes the
    /// current one (`arrival-modseq=none`). The `retire` reduction's argument needs it
    /// (`reduce/retire.rs`).
    pub fn modseqs_only_grow(&self) -> bool {
        self.expunge_modseq == ExpungeModseq::Bump
            && self.mailbox_highestmodseq == MailboxHighestModseq::Counter
            && self.modseq_restart != ModseqRestart::Lost
            && self.arrival_modseq == ArrivalModseq::Bump
    }

    /// Whether HIGHESTMODSEQ may fall while a client is connected, so that a change after
    /// a client's read gets a mod-sequence at or below one it read: under
    /// `mailbox-highestmodseq=max-message`, where expunging the newest change lowers it.
    /// (`modseq-restart=lost` lowers it only while no client is connected, and under
    /// `expunge-modseq=none` an expunge keeps the current HIGHESTMODSEQ, at or above every
    /// MODSEQ sent.) The `reads` reduction's argument for `sometimes` properties needs it
    /// false (`reduce/mod.rs`, point 4). `arrival-modseq=none` is counted in too, though an
    /// arrival, like such an expunge, takes the current HIGHESTMODSEQ: the argument was not
    /// written for it, and leaving `reads` off there costs states, not soundness.
    pub fn highestmodseq_may_fall_while_connected(&self) -> bool {
        // An arrival under `arrival-modseq=none` does not lower it, but takes a mod-sequence
        // a client may have read: the same case for the argument.
        self.mailbox_highestmodseq == MailboxHighestModseq::MaxMessage
            || self.arrival_modseq == ArrivalModseq::None
    }

    /// Whether the client may send a command with lines unread (`client-pipelining=on`):
    /// the read reductions' argument does not cover it (see `reduce/mod.rs`).
    pub fn pipelines(&self) -> bool {
        self.client_pipelining == ClientPipelining::On
    }

    /// The clauses traces, summaries and reports list: every one, except `client-sync` at
    /// `qresync`, the pipelining clauses while both are at the values that change nothing
    /// (`client-pipelining=off`, `pipelined-highestmodseq=since-tagged`), and the flush
    /// clauses at `any` (`spec/flush.rs`), so that what was
    /// written before they existed reads and renders byte for byte as before. A listing that
    /// leaves them out means those values ([`Spec::is_elided`]).
    pub fn shown_values(&self) -> Vec<(&'static str, &'static str)> {
        self.values()
            .into_iter()
            .filter(|(clause, _)| !self.is_elided(clause))
            .collect()
    }

    /// Whether [`Spec::shown_values`] leaves `clause` out.
    pub fn is_elided(&self, clause: &str) -> bool {
        match clause {
            "client-sync" => self.client_sync == ClientSync::Qresync,
            "client-pipelining" | "pipelined-highestmodseq" => {
                self.client_pipelining == ClientPipelining::Off
                    && self.pipelined_highestmodseq == PipelinedHighestModseq::SinceTagged
            }
            "flag-flush" => self.flag_flush == FlagFlush::Any,
            "expunge-flush" => self.expunge_flush == ExpungeFlush::Any,
            "arrival-modseq" => self.arrival_modseq == ArrivalModseq::Bump,
            "client-unchanged" => self.client_unchanged == ClientUnchanged::Resync,
            "vanished-earlier-lines" => self.vanished_earlier_lines == VanishedEarlierLines::One,
            "client-vanished-earlier" => self.client_vanished_earlier == ClientVanishedEarlier::All,
            "held-back-numbering" => self.held_back_numbering == HeldBackNumbering::Kept,
            _ => false,
        }
    }

    /// This spec's value for `clause`.
    pub fn value(&self, clause: &str) -> Option<&'static str> {
        self.values()
            .into_iter()
            .find(|(c, _)| *c == clause)
            .map(|(_, v)| v)
    }
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
    /// A value's former name (`ClauseValues::RENAMED`).
    RenamedValue {
        clause: &'static str,
        value: String,
        new: &'static str,
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
            SpecError::RenamedValue { clause, value, new } => write!(
                f,
                "value `{value}` of clause `{clause}` was renamed: write `{clause}={new}` \
                 (see `resync-check list` for what it means)"
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
            spec.set("uid-star", "rfc3501").unwrap_err().to_string(),
            "value `rfc3501` of clause `uid-star` was renamed: write `uid-star=uidnext-minus-1` \
             (see `resync-check list` for what it means)"
        );
        assert_eq!(
            spec.set("uid-star", "current-top").unwrap_err().to_string(),
            "value `current-top` of clause `uid-star` was renamed: write \
             `uid-star=last-present` (see `resync-check list` for what it means)"
        );
        assert_eq!(
            spec.source("close-highestmodseq"),
            Some("erratum 1808, RFC 7162 section 3.2.8 (\"MUST NOT send\")")
        );
    }
}
