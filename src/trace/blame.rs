//! Which clauses a violation rests on. A set of clause changes "avoids" a trace when, with
//! those clauses set otherwise and everything else the same, the trace's commands still run
//! and, once every client has read every line sent to it, no longer end in a violation.
//! Reads are matched by count, not content: under another text a response may have more or
//! fewer lines, so a read with nothing to read is skipped and unread lines are read at the
//! end.

use crate::spec::{Spec, clauses};
use crate::system::{Action, Config, System};

/// One clause set otherwise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub clause: &'static str,
    /// The value under test.
    pub value: &'static str,
    /// Its RFC section or erratum.
    pub source: &'static str,
    /// The value that avoids the violation (with the rest of its set).
    pub instead: &'static str,
}

/// The smallest sets of clause changes that avoid the violation: the single clauses if any
/// does, else the pairs; empty if neither does.
pub fn avoiding_changes(
    config: &Config,
    holds: fn(&System) -> bool,
    actions: &[Action],
) -> Vec<Vec<Change>> {
    let singles: Vec<Change> = all_changes(config);
    let avoided = |set: &[&Change]| {
        let mut spec: Spec = config.spec;
        for change in set {
            spec.set(change.clause, change.instead)
                .expect("catalogue values parse");
        }
        let other = Config { spec, ..*config };
        settles_without_violation(&other, holds, actions)
    };
    let single: Vec<Vec<Change>> = singles
        .iter()
        .filter(|c| avoided(&[c]))
        .map(|c| vec![c.clone()])
        .collect();
    if !single.is_empty() {
        return single;
    }
    let mut pairs = Vec::new();
    for (i, a) in singles.iter().enumerate() {
        for b in &singles[i + 1..] {
            if a.clause != b.clause && avoided(&[a, b]) {
                pairs.push(vec![a.clone(), b.clone()]);
            }
        }
    }
    pairs
}

/// Every change of one clause to another of its values.
fn all_changes(config: &Config) -> Vec<Change> {
    let mut out = Vec::new();
    for clause in clauses() {
        let value = config
            .spec
            .values()
            .into_iter()
            .find(|(c, _)| *c == clause.name)
            .map(|(_, v)| v)
            .expect("every clause has a value");
        for (instead, _) in clause.values {
            if *instead != value {
                out.push(Change {
                    clause: clause.name,
                    value,
                    source: config.spec.source(clause.name).unwrap_or_default(),
                    instead,
                });
            }
        }
    }
    out
}

/// Runs the commands and drops of `actions` under `config`, reads as described in the
/// module comment, and says whether the end state holds. False if a command or drop no
/// longer runs: a changed trace is no evidence.
fn settles_without_violation(
    config: &Config,
    holds: fn(&System) -> bool,
    actions: &[Action],
) -> bool {
    let mut state = System::initial(config);
    let mut enabled = Vec::new();
    for action in actions {
        enabled.clear();
        state.actions(config, &mut enabled);
        if enabled.contains(action) {
            state.apply(config, *action);
        } else if !matches!(action, Action::Read { .. }) {
            return false;
        }
    }
    loop {
        let unread: Vec<Action> = state
            .clients
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                c.connection
                    .as_ref()
                    .is_some_and(|conn| !conn.queue.is_empty())
            })
            .map(|(i, _)| Action::Read {
                client: crate::imap::types::ClientId(i as u8),
            })
            .collect();
        if unread.is_empty() {
            return holds(&state);
        }
        for read in unread {
            state.apply(config, read);
        }
    }
}

/// One sentence naming the clauses the violation rests on, for transcripts.
pub fn sentence(property: &str, sets: &[Vec<Change>]) -> String {
    if sets.is_empty() {
        return format!(
            "no single clause or pair of clauses set otherwise avoids it: with each, the same \
             commands still violate {property} or no longer run"
        );
    }
    // The clauses under test, each once, in catalogue order.
    let mut under_test: Vec<&Change> = Vec::new();
    for change in sets.iter().flatten() {
        if !under_test.iter().any(|c| c.clause == change.clause) {
            under_test.push(change);
        }
    }
    let named: Vec<String> = under_test
        .iter()
        .map(|c| format!("{}={} [{}]", c.clause, c.value, c.source))
        .collect();
    let alternatives: Vec<String> = sets
        .iter()
        .map(|set| {
            set.iter()
                .map(|c| format!("{}={}", c.clause, c.instead))
                .collect::<Vec<_>>()
                .join(" and ")
        })
        .collect();
    let single = sets[0].len() == 1;
    format!(
        "{}{}; with {}{}, the same commands, every line read, leave no violation of {property}",
        if single {
            ""
        } else {
            "no single clause avoids it, it rests on "
        },
        named.join(" and "),
        alternatives.join(", or with "),
        if single { "" } else { " together" },
    )
}
