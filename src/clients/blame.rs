//! Blame for a run where a real client lost a change: the same scenario and the same choices
//! rerun with the server at RFC 7162's value of each server clause the run set otherwise,
//! one clause at a time, then all of them at once. If the loss goes under one clause's RFC
//! 7162 value, that clause's value is the server's fault (named with the RFC section its
//! source cites); if it stays with every server clause at RFC 7162's value, the client's. A
//! rerun whose choices no longer fit the recorded ones (another server offers other options)
//! is reported as not replayable, never guessed at. The reruns themselves are the caller's
//! (`cli/client_blame.rs`): this is the decision, free of I/O.

use serde::Serialize;

use super::mailbox::Messages;
use crate::spec::{Spec, edition};
use crate::trace::blame::breaks;

/// A server clause at a value other than RFC 7162's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Suspect {
    pub clause: &'static str,
    pub value: &'static str,
    /// The value the rfc7162 edition gives it.
    pub rfc7162: &'static str,
    /// Where the run's value comes from, as the catalogue says (`resync-check list`).
    pub source: &'static str,
    /// The RFC section the run's value goes against: the first its source cites where the
    /// source says `against ...`; otherwise (an older text's value, RFC 5162's) the first
    /// that RFC 7162's value's source cites. None for a value the text permits.
    pub against: Option<String>,
    /// Whether the text permits a server this value: setting it in place of RFC 7162's
    /// breaks nothing, by the rule traces blame ways out with (`trace::blame::breaks`: the
    /// value says `against` or `breaks`, or RFC 7162's value is the MUST of its section). A
    /// client must cope with a permitted value, so a loss that needs one is the client's.
    pub permitted: bool,
}

/// What one rerun found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "outcome", content = "why")]
pub enum Rerun {
    /// The quiet sync left the client's copy equal to the model's mailbox.
    Same,
    Diverged,
    /// The quiet sync did not complete.
    NotJudged,
    /// The recorded choices do not fit the run under the other values.
    NotReplayable(String),
}

/// One rerun: the clause values it changed and what it found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Tried {
    /// `clause=value` of each clause set to RFC 7162's value.
    pub under: Vec<String>,
    pub rerun: Rerun,
}

/// Whose fault a loss is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "fault")]
pub enum Verdict {
    /// The loss goes under RFC 7162's value of these clauses (each alone, or, when no
    /// single one suffices, all together).
    Server { clauses: Vec<Suspect> },
    /// The loss stays with every server clause at RFC 7162's value, or goes only at RFC
    /// 7162's value of clauses whose run value the text permits a server (`permitted`,
    /// empty otherwise); `reran` is false when the run used only RFC 7162's values and
    /// nothing was rerun.
    Client {
        section: String,
        reran: bool,
        permitted: Vec<Suspect>,
    },
    /// The reruns that would decide could not be judged or replayed.
    Undecided { why: String },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Blame {
    pub verdict: Verdict,
    pub tried: Vec<Tried>,
}

/// The server clauses `spec` sets to a value other than RFC 7162's, in catalogue order. The
/// `client-*` clauses are left out: under `serve` they govern only the model's other
/// clients, not the server the real client meets.
pub fn suspects(spec: &Spec) -> Vec<Suspect> {
    let rfc7162 = edition("rfc7162").expect("the rfc7162 edition exists").spec;
    spec.values()
        .into_iter()
        .zip(rfc7162.values())
        .filter(|((clause, value), (_, standard))| {
            !clause.starts_with("client-") && value != standard
        })
        .map(|((clause, value), (_, standard))| {
            let source = spec.source(clause).unwrap_or("");
            let standard_source = rfc7162.source(clause).unwrap_or("");
            let permitted = breaks(standard_source, source).is_none();
            let against = match (permitted, source.starts_with("against")) {
                (true, _) => None,
                (false, true) => section(source),
                (false, false) => section(standard_source),
            };
            Suspect {
                clause,
                value,
                rfc7162: standard,
                source,
                against,
                permitted,
            }
        })
        .collect()
}

/// The first `RFC n section s` (or `sections s`) in `text`.
pub fn section(text: &str) -> Option<String> {
    let at = text.find("RFC ")?;
    let words: Vec<&str> = text[at..].split_whitespace().take(4).collect();
    let number = words
        .get(1)?
        .trim_end_matches(|c: char| !c.is_ascii_digit());
    if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit()) {
        return section(&text[at + 4..]);
    }
    let ended = words[1].len() > number.len();
    match (words.get(2), words.get(3)) {
        _ if ended => Some(format!("RFC {number}")),
        (Some(&("section" | "sections")), Some(s)) => {
            let s: String = s
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == '-')
                .collect();
            let s = s.trim_end_matches('.');
            Some(format!("RFC {number} section {s}"))
        }
        _ => Some(format!("RFC {number}")),
    }
}

/// The RFC section a client's loss breaks: a message kept that the server expunged, or one
/// lost that it still has, is RFC 7162 section 6's resynchronization (expunges through
/// VANISHED, new messages by UID); flags alone, section 3.1's mod-sequences (every flag
/// change gets one, and a client that resynchronizes from its stored value must see it).
pub fn client_section(model: &Messages, local: &Messages) -> String {
    let same_messages = model.keys().eq(local.keys());
    if same_messages {
        "RFC 7162 section 3.1 (a flag change and its mod-sequence) and section 6".into()
    } else {
        "RFC 7162 section 6 (the resynchronization: expunged messages and new ones)".into()
    }
}

/// Decides the blame, running `rerun` for each set of clause values to try (each a list of
/// `(clause, RFC 7162's value)`). Its errors are the check's own (a program that would not
/// start), not a rerun's finding.
pub fn blame<F>(
    spec: &Spec,
    model: &Messages,
    local: &Messages,
    mut rerun: F,
) -> Result<Blame, String>
where
    F: FnMut(&[(&'static str, &'static str)]) -> Result<Rerun, String>,
{
    let suspects = suspects(spec);
    let section = client_section(model, local);
    if suspects.is_empty() {
        return Ok(Blame {
            verdict: Verdict::Client {
                section,
                reran: false,
                permitted: Vec::new(),
            },
            tried: Vec::new(),
        });
    }
    let mut tried = Vec::new();
    let mut alone = Vec::new();
    for suspect in &suspects {
        let values = [(suspect.clause, suspect.rfc7162)];
        let found = rerun(&values)?;
        alone.push(found.clone());
        tried.push(Tried {
            under: shown(&values),
            rerun: found,
        });
    }
    let all = if suspects.len() > 1 {
        let values: Vec<_> = suspects.iter().map(|s| (s.clause, s.rfc7162)).collect();
        let found = rerun(&values)?;
        tried.push(Tried {
            under: shown(&values),
            rerun: found.clone(),
        });
        found
    } else {
        alone[0].clone()
    };
    let gone: Vec<Suspect> = suspects
        .iter()
        .zip(&alone)
        .filter(|(_, r)| **r == Rerun::Same)
        .map(|(s, _)| s.clone())
        .collect();
    // A loss that goes at RFC 7162's value is the server's only where the run's value
    // departs from the text; one the text permits a server is the client's to cope with.
    let decide = |ending: Vec<Suspect>, section: String| {
        let (permitted, departing): (Vec<Suspect>, Vec<Suspect>) =
            ending.into_iter().partition(|s| s.permitted);
        match departing.is_empty() {
            true => Verdict::Client {
                section,
                reran: true,
                permitted,
            },
            false => Verdict::Server { clauses: departing },
        }
    };
    let verdict = if !gone.is_empty() {
        decide(gone, section)
    } else {
        match all {
            Rerun::Same => decide(suspects, section),
            Rerun::Diverged => Verdict::Client {
                section,
                reran: true,
                permitted: Vec::new(),
            },
            Rerun::NotJudged => Verdict::Undecided {
                why: "with every server clause at RFC 7162's value, the quiet sync did not \
                      complete"
                    .into(),
            },
            Rerun::NotReplayable(why) => Verdict::Undecided {
                why: format!("not replayable with every server clause at RFC 7162's value: {why}"),
            },
        }
    };
    Ok(Blame { verdict, tried })
}

fn shown(values: &[(&str, &str)]) -> Vec<String> {
    values.iter().map(|(c, v)| format!("{c}={v}")).collect()
}

impl Blame {
    /// The blame as text: one line per rerun, then the verdict.
    pub fn text(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for tried in &self.tried {
            let found = match &tried.rerun {
                Rerun::Same => "the loss is gone".to_string(),
                Rerun::Diverged => "the loss stays".to_string(),
                Rerun::NotJudged => "not judged: the quiet sync did not complete".to_string(),
                Rerun::NotReplayable(why) => format!("not replayable: {why}"),
            };
            lines.push(format!(
                "blame: rerun under {}: {found}",
                tried.under.join(" ")
            ));
        }
        lines.push(match &self.verdict {
            Verdict::Server { clauses } => {
                let named: Vec<String> = clauses
                    .iter()
                    .map(|s| match &s.against {
                        Some(section) => format!("{}={}, against {section}", s.clause, s.value),
                        None => format!("{}={} ({})", s.clause, s.value, s.source),
                    })
                    .collect();
                let standard: Vec<String> = clauses
                    .iter()
                    .map(|s| format!("{}={}", s.clause, s.rfc7162))
                    .collect();
                let how = if clauses.len() > 1 {
                    "values together"
                } else {
                    "value"
                };
                format!(
                    "blame: the server's: {}; the loss goes at RFC 7162's {how} {}",
                    named.join("; "),
                    standard.join(" ")
                )
            }
            Verdict::Client {
                section,
                reran: true,
                permitted,
            } if permitted.is_empty() => format!(
                "blame: the client's: the loss stays with every server clause at RFC 7162's \
                 value, against {section}"
            ),
            Verdict::Client {
                section,
                reran: true,
                permitted,
            } => {
                let named: Vec<String> = permitted
                    .iter()
                    .map(|s| format!("{}={} ({})", s.clause, s.value, s.source))
                    .collect();
                format!(
                    "blame: the client's: the loss goes only at RFC 7162's value of {}, but the \
                     text permits a server {}, and a client must cope with what a server may \
                     do; against {section}",
                    permitted
                        .iter()
                        .map(|s| s.clause)
                        .collect::<Vec<_>>()
                        .join(" and "),
                    named.join("; ")
                )
            }
            Verdict::Client {
                section,
                reran: false,
                ..
            } => format!(
                "blame: the client's, without a rerun: the server already used RFC 7162's \
                 value of every server clause, against {section}"
            ),
            Verdict::Undecided { why } => format!("blame: undecided: {why}"),
        });
        lines
    }
}

#[cfg(test)]
mod tests;
