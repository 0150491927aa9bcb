//! Which clauses a violation rests on. A set of clause changes "avoids" a trace when, with
//! those clauses set otherwise and everything else the same, the trace's commands still run
//! and, once every client has read every line sent to it, no longer end in a violation.
//! Reads are matched by count, not content: under another text a response may have more or
//! fewer lines, so a read with nothing to read is skipped and unread lines are read at the
//! end. A change that avoids the violation by causing another (a property the trace does not
//! violate fails instead) does not count. Some violations are transient: reading the rest of
//! the lines mends them (a client stores an unsafe resync point that a later line lowers
//! again; harmful if the connection drops first). For those the comparison stops where the
//! trace stops, unread lines unread. A `STATUS` is sent only by a
//! `client-resync-point=status` client: under another client rule the trace's STATUS is
//! left out (with its lines), as that client would not send it, and the rest must run. So
//! is a server event only one clause value makes (`expunge-history`'s forgetting,
//! `modseq-restart=lost`'s restart) under the others.

use crate::client::Request;
use crate::properties::{Kind, PROPERTIES, Property};
use crate::server::Reply;
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

/// Where the comparison ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Settle {
    /// Every client reads every line sent to it.
    ReadAll,
    /// Where the trace ends: reading the rest would mend this violation.
    AsIs,
}

/// The clauses a violation rests on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blame {
    pub settle: Settle,
    /// The smallest sets of clause changes that avoid the violation: the single clauses if
    /// any does, else the pairs; empty if neither does.
    pub sets: Vec<Vec<Change>>,
}

/// The clause changes that avoid `property`'s violation at the end of `actions`.
pub fn avoiding_changes(config: &Config, property: &Property, actions: &[Action]) -> Blame {
    let holds = property.condition;
    let (settle, end) = match run(config, actions, Settle::ReadAll) {
        Some(state) if holds(&state) => (Settle::AsIs, run(config, actions, Settle::AsIs)),
        end => (Settle::ReadAll, end),
    };
    let violated_here = end.map_or_else(Vec::new, |s| violated(&s));
    let singles: Vec<Change> = all_changes(config);
    let avoided = |set: &[&Change]| {
        let mut spec: Spec = config.spec;
        for change in set {
            spec.set(change.clause, change.instead)
                .expect("catalogue values parse");
        }
        let other = Config { spec, ..*config };
        run(&other, actions, settle).is_some_and(|state| {
            holds(&state)
                && violated(&state)
                    .iter()
                    .all(|name| violated_here.contains(name))
        })
    };
    let single: Vec<Vec<Change>> = singles
        .iter()
        .filter(|c| avoided(&[c]))
        .map(|c| vec![c.clone()])
        .collect();
    if !single.is_empty() {
        return Blame {
            settle,
            sets: single,
        };
    }
    let mut pairs = Vec::new();
    for (i, a) in singles.iter().enumerate() {
        for b in &singles[i + 1..] {
            if a.clause != b.clause && avoided(&[a, b]) {
                pairs.push(vec![a.clone(), b.clone()]);
            }
        }
    }
    Blame {
        settle,
        sets: pairs,
    }
}

/// Every change of one clause to another of its values.
fn all_changes(config: &Config) -> Vec<Change> {
    let mut out = Vec::new();
    for clause in clauses() {
        // Another `client-sync` is another protocol (another SELECT, other sync commands,
        // sessions with or without QRESYNC from the start): "the same commands" do not carry
        // over, so no change of it is offered.
        if clause.name == crate::spec::ClientSync::CLAUSE_NAME {
            continue;
        }
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

/// The `always` properties `state` violates.
fn violated(state: &System) -> Vec<&'static str> {
    PROPERTIES
        .iter()
        .filter(|p| p.kind == Kind::Always && !(p.condition)(state))
        .map(|p| p.name)
        .collect()
}

/// Runs the commands and drops of `actions` under `config`, reads as described in the
/// module comment, and returns the end state. None if a command or drop no longer runs: a
/// changed trace is no evidence.
fn run(config: &Config, actions: &[Action], settle: Settle) -> Option<System> {
    let mut state = System::initial(config);
    let mut enabled = Vec::new();
    for action in actions {
        enabled.clear();
        state.actions(config, &mut enabled);
        if let Some(action) = nearest(&enabled, *action) {
            state.apply(config, action);
        } else if !matches!(
            action,
            Action::Read { .. }
                | Action::Forget
                | Action::Restart
                | Action::Issue {
                    request: Request::Status,
                    ..
                }
        ) {
            return None;
        }
    }
    if settle == Settle::AsIs {
        return Some(state);
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
            return Some(state);
        }
        for read in unread {
            state.apply(config, read);
        }
    }
}

/// `action` if enabled. Else, for a command, the same command with the server choice nearest
/// to the one taken: the flush choices and SELECT answers offered are only those that make a
/// difference, so under another text "send everything held back" may not be offered because
/// there is less to send, and a SELECT answer because it is the default's equal.
fn nearest(enabled: &[Action], action: Action) -> Option<Action> {
    if enabled.contains(&action) {
        return Some(action);
    }
    let Action::Issue {
        client,
        request,
        reply,
    } = action
    else {
        return None;
    };
    let default = Reply::default();
    let candidates = enabled.iter().filter_map(|a| match *a {
        Action::Issue {
            client: c,
            request: r,
            reply: other,
        } if c == client
            && r == request
            && other.flush.is_within(reply.flush)
            && (other.select == reply.select || other.select == default.select)
            && (other.gone == reply.gone || other.gone == default.gone)
            && (other.code == reply.code || !other.code)
            && (other.interleave == reply.interleave || !other.interleave) =>
        {
            let same = (
                other.select == reply.select,
                other.gone == reply.gone,
                other.code == reply.code,
                other.interleave == reply.interleave,
            );
            Some(((other.flush.parts(), same), *a))
        }
        _ => None,
    });
    candidates.max_by_key(|(rank, _)| *rank).map(|(_, a)| a)
}

/// One sentence naming the clauses the violation rests on, for transcripts.
pub fn sentence(property: &str, blame: &Blame) -> String {
    let sets = &blame.sets;
    let same = match blame.settle {
        Settle::ReadAll => "the same commands, every line read,",
        Settle::AsIs => {
            "the same steps, stopped where this trace stops (reading the rest would mend this \
             violation, unless the connection drops first),"
        }
    };
    if sets.is_empty() {
        return format!(
            "no single clause or pair of clauses set otherwise avoids it: with each, {same} \
             still violate {property} or no longer run"
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
        "{}{}; with {}{}, {same} leave no violation of {property}",
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
