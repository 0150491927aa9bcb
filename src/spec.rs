//! The spec text under test: clauses (one rule each, with its RFC section and its values) and
//! editions (a named set of clause values, as a document was published).
//!
//! Adding a clause: an enum with its values, a `ClauseValues` impl naming each value's
//! source, a field in [`Spec`], and one arm in each of `Spec::set` and `Spec::values`.

use std::fmt;

/// What the catalogue says of one clause.
pub struct Clause {
    pub name: &'static str,
    pub summary: &'static str,
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

/// Does CLOSE's tagged OK carry `[HIGHESTMODSEQ n]` after expunging?
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CloseHighestModseq {
    Send,
    Omit,
}

impl ClauseValues for CloseHighestModseq {
    const CLAUSE: Clause = Clause {
        name: "close-highestmodseq",
        summary: "CLOSE's tagged OK after expunging: with or without [HIGHESTMODSEQ n]",
        values: &[
            ("send", "RFC 5162 section 3.4 (\"MUST send\")"),
            (
                "omit",
                "erratum 1808, RFC 7162 section 3.2.8 (\"MUST NOT send\")",
            ),
        ],
    };
    const ALL: &'static [Self] = &[Self::Send, Self::Omit];
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

/// How the client computes its stored resync point at each tagged response.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClientResyncPoint {
    /// Adopt a HIGHESTMODSEQ code, then raise it to the largest MODSEQ seen if that is higher.
    Rfc5162,
    /// A HIGHESTMODSEQ code seen since the last tagged response wins, even if lower;
    /// otherwise the largest MODSEQ seen, if higher than the stored value.
    Rfc7162,
}

impl ClauseValues for ClientResyncPoint {
    const CLAUSE: Clause = Clause {
        name: "client-resync-point",
        summary: "what the client stores as its resync point at each tagged response",
        values: &[
            ("rfc5162", "RFC 5162 section 5 as published"),
            ("rfc7162", "erratum 1809, RFC 7162 section 6"),
        ],
    };
    const ALL: &'static [Self] = &[Self::Rfc5162, Self::Rfc7162];
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

/// One value for every clause: the full text under test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Spec {
    pub close_highestmodseq: CloseHighestModseq,
    pub held_back_highestmodseq: HeldBackHighestModseq,
    pub client_resync_point: ClientResyncPoint,
    pub client_close: ClientClose,
}

/// Every clause, in the order `list` prints them.
pub fn clauses() -> [Clause; 4] {
    [
        CloseHighestModseq::CLAUSE,
        HeldBackHighestModseq::CLAUSE,
        ClientResyncPoint::CLAUSE,
        ClientClose::CLAUSE,
    ]
}

impl Spec {
    /// Sets one clause by name, as `--clause NAME=VALUE` or a model file does.
    pub fn set(&mut self, clause: &str, value: &str) -> Result<(), SpecError> {
        match clause {
            "close-highestmodseq" => self.close_highestmodseq = parse_value(value)?,
            "held-back-highestmodseq" => self.held_back_highestmodseq = parse_value(value)?,
            "client-resync-point" => self.client_resync_point = parse_value(value)?,
            "client-close" => self.client_close = parse_value(value)?,
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
    pub fn values(&self) -> [(&'static str, &'static str); 4] {
        [
            (
                CloseHighestModseq::CLAUSE.name,
                value_name(self.close_highestmodseq),
            ),
            (
                HeldBackHighestModseq::CLAUSE.name,
                value_name(self.held_back_highestmodseq),
            ),
            (
                ClientResyncPoint::CLAUSE.name,
                value_name(self.client_resync_point),
            ),
            (ClientClose::CLAUSE.name, value_name(self.client_close)),
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
pub const EDITIONS: [Edition; 2] = [
    Edition {
        name: "rfc5162",
        summary: "RFC 5162 as published (2008): CLOSE answers OK [HIGHESTMODSEQ n] (3.4), \
                  the client follows section 5 and prunes its \\Deleted messages at CLOSE",
        spec: Spec {
            close_highestmodseq: CloseHighestModseq::Send,
            held_back_highestmodseq: HeldBackHighestModseq::None,
            client_resync_point: ClientResyncPoint::Rfc5162,
            client_close: ClientClose::PruneDeleted,
        },
    },
    Edition {
        name: "rfc7162",
        summary: "RFC 7162 (2014), with errata 1808, 1809 and 1810 folded in: plain OK to \
                  CLOSE (3.2.8), client rule of section 6, no HIGHESTMODSEQ over held-back \
                  changes (3.2)",
        spec: Spec {
            close_highestmodseq: CloseHighestModseq::Omit,
            held_back_highestmodseq: HeldBackHighestModseq::Lower,
            client_resync_point: ClientResyncPoint::Rfc7162,
            client_close: ClientClose::Keep,
        },
    },
];

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
    fn editions_differ_in_every_clause() {
        let old = edition("rfc5162").unwrap().spec.values();
        let new = edition("rfc7162").unwrap().spec.values();
        for (a, b) in old.iter().zip(new.iter()) {
            assert_eq!(a.0, b.0);
            assert_ne!(a.1, b.1, "clause {}", a.0);
        }
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
            "unknown value `maybe` for clause `close-highestmodseq`; valid values: send, omit"
        );
        assert!(spec.set("no-such", "x").is_err());
        assert_eq!(
            spec.source("close-highestmodseq"),
            Some("erratum 1808, RFC 7162 section 3.2.8 (\"MUST NOT send\")")
        );
    }
}
