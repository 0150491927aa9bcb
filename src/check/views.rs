//! `check --counterexamples N`: up to N counterexamples per violated property, each the
//! shortest of its *view*, as Apalache's `--max-error` with `--view`. A view is what a reader
//! tells two counterexamples apart by: the clause values the `responsible:` line names, and
//! the commands sent, in order, by which client. Two paths that differ only in their reads,
//! their server choices, or by a renaming of the clients (client symmetry: C1 and C2 swapped)
//! are one view, so the list does not repeat one story N times.
//!
//! The first counterexample is the one the run without the flag prints, so N = 1 is that
//! run. The others come from one more search (search/views.rs) after the run, from the
//! script's end, which goes on past the first violation's level until each violated property
//! has N views, the space is exhausted, or a limit stops it; each is a shortest path among
//! those with its view, listed shortest first (ties in breadth-first, then action order).

use serde::Serialize;

use super::{CheckOutcome, Completion, Limits, Verdict, completion};
use crate::client::Request;
use crate::imap::command::{StoreOp, Target};
use crate::imap::types::{ClientId, Flag, Uid};
use crate::limits::Budget;
use crate::properties::{PROPERTIES, Property};
use crate::reduce::{Reduction, Space};
use crate::search::views::{Ended, more_paths};
use crate::system::{Action, Config, System};
use crate::trace::blame;

/// The most counterexamples per property `--counterexamples` asks for: each gets a blame
/// (a replay per clause value) and a transcript.
pub const MAX_COUNTEREXAMPLES: u64 = 100;

/// What a reader tells two counterexamples apart by.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct View {
    /// The clause values the `responsible:` line names, as `clause=value`.
    pub responsible: Vec<String>,
    /// Each command sent, in order, as its kind (`C1 STORE +FLAGS \\Deleted`, `C2 CLOSE`),
    /// the client as the transcript names it.
    pub commands: Vec<String>,
}

impl View {
    /// The view of the path `actions` to a violation of `property`.
    pub fn of(config: &Config, property: &Property, actions: &[Action]) -> View {
        let blamed = blame::avoiding_changes(config, property, actions);
        View {
            responsible: blame::responsible(&blamed),
            commands: commands(actions, |client| client),
        }
    }

    /// Whether the two are one view: the same clauses, and the same commands once the
    /// clients are numbered by their first command (so a renaming of the clients is the
    /// same view).
    fn same(&self, other: &View, actions: &[Action], others: &[Action]) -> bool {
        self.responsible == other.responsible && renamed(actions) == renamed(others)
    }

    /// The view in one line: `responsible close-highestmodseq=send; commands C1 STORE 1
    /// +FLAGS \Deleted, C2 CLOSE`.
    pub fn line(&self) -> String {
        let responsible = match self.responsible.is_empty() {
            true => "no clause".to_string(),
            false => self.responsible.join(" and "),
        };
        let commands = match self.commands.is_empty() {
            true => "none".to_string(),
            false => self.commands.join(", "),
        };
        format!("responsible {responsible}; commands {commands}")
    }
}

/// The commands of `actions`, each with its client as `name` renames it.
fn commands(actions: &[Action], mut name: impl FnMut(ClientId) -> ClientId) -> Vec<String> {
    actions
        .iter()
        .filter_map(|action| match action {
            Action::Issue {
                client, request, ..
            } => Some(format!("{} {}", name(*client), kind(*request))),
            _ => None,
        })
        .collect()
}

/// The commands of `actions` with the clients numbered by their first command.
fn renamed(actions: &[Action]) -> Vec<String> {
    let mut order: Vec<ClientId> = Vec::new();
    commands(actions, |client| {
        let at = match order.iter().position(|&c| c == client) {
            Some(at) => at,
            None => {
                order.push(client);
                order.len() - 1
            }
        };
        ClientId(at as u8)
    })
}

/// A request as its kind of command: without the message it names (a STORE to message 1
/// and one to message 2 are one kind), nor what the client's state fills in (tags, the
/// resync point and known UIDs of a SELECT, the set of a FETCH).
pub(crate) fn kind(request: Request) -> String {
    match request {
        Request::Store { target, op, flag } => {
            let uid = match target {
                Target::Seq(_) => "",
                Target::Uid(_) => "UID ",
            };
            let sign = match op {
                StoreOp::Add => '+',
                StoreOp::Remove => '-',
            };
            let flag = match flag {
                Flag::Deleted => "\\Deleted",
                Flag::Seen => "\\Seen",
            };
            format!("{uid}STORE {sign}FLAGS {flag}")
        }
        Request::Expunge => "EXPUNGE".to_string(),
        Request::UidExpunge => "UID EXPUNGE".to_string(),
        Request::Close => "CLOSE".to_string(),
        Request::Noop => "NOOP".to_string(),
        Request::FetchNew => "UID FETCH (new messages)".to_string(),
        Request::Resync => "SELECT (resync)".to_string(),
        Request::Status => "STATUS".to_string(),
        Request::FetchVanished => "UID FETCH (CHANGEDSINCE, VANISHED)".to_string(),
        Request::Idle => "IDLE".to_string(),
        Request::Done => "DONE".to_string(),
        Request::ChangedSince => "UID FETCH (CHANGEDSINCE)".to_string(),
        Request::SearchAll => "UID SEARCH ALL".to_string(),
    }
}

/// The kind of command `action` sends, as the search's history keeps it (search/views.rs,
/// which adds the client): the request with the message it names erased, as in [`kind`].
fn kind_of(action: &Action) -> Option<u64> {
    let Action::Issue { mut request, .. } = *action else {
        return None;
    };
    if let Request::Store { target, .. } = &mut request {
        *target = match target {
            Target::Seq(_) => Target::Seq(0),
            Target::Uid(_) => Target::Uid(Uid(0)),
        };
    }
    Some(crate::fingerprint::of(&request))
}

/// What `--counterexamples N` found for one violated property.
#[derive(Clone, Debug)]
pub struct Distinct {
    /// N.
    pub asked: usize,
    /// The counterexamples with their views, shortest first; the first is the property's
    /// `counterexample`.
    pub found: Vec<(Vec<Action>, View)>,
    /// Why fewer than `asked` were found, if fewer were.
    pub fewer: Option<String>,
}

/// Why a property whose violation lies inside the model file's script has one
/// counterexample only.
const IN_SCRIPT: &str = "the model file's script violates it: its path is the script's";

/// Why fewer were found when the search ran out of paths.
const EXHAUSTED: &str = "no other view within the bounds";

/// Fills in each violated property's [`Distinct`]: the counterexample the run found, then
/// up to `asked - 1` more of other views, from the state after `script` (`start`).
pub(super) fn add_distinct(
    config: &Config,
    script: &[Action],
    start: &System,
    outcome: &mut CheckOutcome,
    asked: usize,
    (reduction, limits): (Reduction, &Limits),
    budget: &Budget,
) {
    let mut searched: Vec<usize> = Vec::new();
    for (k, p) in outcome.properties.iter_mut().enumerate() {
        let Some(path) = p
            .counterexample
            .as_ref()
            .filter(|_| p.verdict == Verdict::Violated)
        else {
            continue;
        };
        let property = &PROPERTIES[p.property];
        let in_script = path.len() <= script.len() && !script.is_empty();
        p.distinct = Some(Distinct {
            asked,
            found: vec![(path.clone(), View::of(config, property, path))],
            fewer: in_script.then(|| IN_SCRIPT.to_string()),
        });
        if !in_script && asked > 1 {
            searched.push(k);
        }
    }
    if searched.is_empty() {
        return;
    }
    let fails: Vec<fn(&System) -> bool> = searched
        .iter()
        .map(|&k| PROPERTIES[outcome.properties[k].property].condition)
        .collect();
    let mut wanted = vec![true; searched.len()];
    // Read order keeps paths shortest and the clients' ids (search/views.rs); renamed
    // mod-sequences would merge states that runs of other command kinds reach, and with
    // them counterexamples this search is to tell apart.
    let space = Space {
        config,
        reduction: Reduction {
            symmetry: false,
            values: false,
            ..reduction.exact()
        },
    };
    let properties = &mut outcome.properties;
    let mut found = |c: usize, tail: &[Action]| {
        let p = &mut properties[searched[c]];
        let property = &PROPERTIES[p.property];
        let path = [script, tail].concat();
        let view = View::of(config, property, &path);
        let distinct = p.distinct.as_mut().expect("set above");
        let seen = distinct
            .found
            .iter()
            .any(|(other, seen)| seen.same(&view, other, &path));
        if !seen {
            distinct.found.push((path, view));
        }
        distinct.found.len() < asked
    };
    let ended = more_paths(
        &space,
        start,
        &fails,
        &mut wanted,
        budget,
        &kind_of,
        &mut found,
    );
    let fewer = match ended {
        Ended::Satisfied => None,
        Ended::Exhausted => Some(EXHAUSTED.to_string()),
        Ended::Stopped => match completion(limits, budget.reason()) {
            Completion::Incomplete(why) => Some(why),
            Completion::Complete => Some("stopped".to_string()),
        },
    };
    for &k in &searched {
        let distinct = properties[k].distinct.as_mut().expect("set above");
        if distinct.found.len() < asked {
            distinct.fewer = fewer.clone();
        }
    }
}
