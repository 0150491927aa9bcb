//! `check --coverage`: after a complete run, one more walk of the same reduced graph
//! (search/coverage.rs), on one thread, counting its transitions: the kind of action each
//! agent took and the server's choices in each (kinds.rs), and for each clause whose value
//! differs from the edition's, the transitions where that value changed what happened.
//! Counts are of the reduced graph the run explored (every move out of every state, moves
//! to states already met included), so they are the same whatever `--threads` is, and they
//! sum, over the action kinds, to the run's generated states less the start.
//!
//! A clause value's path, exactly: at each state of the graph, the moves the run's spec
//! offers with the states they lead to, against those the same spec with that one clause
//! at the edition's value offers, under the same reductions. `changed` counts the
//! transitions of the graph the edition's value would not take (a move it does not offer,
//! or one that leads elsewhere); `withheld` the transitions it would take from those states
//! that this value does not (a server choice this value takes away); `in_script` the steps
//! of a model file's script (line by line, before the graph's start) where its value acted,
//! for a value can act there alone. All 0: wherever the bounds led, the value did what the
//! edition's does, so the graph is the one the edition's value makes and every verdict of
//! the run is vacuous for it (the states inside a read macro-step, where `sometimes`
//! properties are also looked for, are not compared). Where setting the clause back would
//! turn a reduction off (`Reduction::sound_for`), both sides are compared without it.

mod kinds;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::limits::Allowance;
use crate::reduce::{Move, Reduction, Space};
use crate::search::coverage::{Walked, walk};
use crate::spec::Spec;
use crate::system::{Action, Config, System};

use kinds::{Key, classify, names, universe};

/// How many transitions took one kind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Count {
    /// `action` or `server choice`.
    pub section: &'static str,
    /// The agent (`C1`, `other agent`, `server`) for an action; the choice's dimension
    /// (`flushed`, `optional HIGHESTMODSEQ code`, `response`, ...) for a choice.
    pub group: String,
    pub kind: String,
    pub transitions: u64,
}

/// One clause whose value differs from the edition's, and where it made a difference.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClauseCount {
    pub clause: &'static str,
    pub value: &'static str,
    pub edition_value: &'static str,
    /// Transitions of the graph the edition's value would not take.
    pub changed: u64,
    /// Transitions the edition's value would take from the graph's states that this value
    /// does not.
    pub withheld: u64,
    /// Steps of the model file's script (line by line, before the graph's start) that the
    /// edition's value would not take, or that would lead elsewhere under it.
    pub in_script: u64,
}

impl ClauseCount {
    pub fn exercised(&self) -> bool {
        self.changed + self.withheld + self.in_script > 0
    }
}

/// What `--coverage` reports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// The reductions the counted graph was reduced by (`Reduction::name`).
    pub reduction: String,
    /// The edition the clause values are compared with.
    pub edition: String,
    pub states: u64,
    pub transitions: u64,
    /// Every kind in the universe (kinds.rs) and every kind met, universe first.
    pub counts: Vec<Count>,
    pub clauses: Vec<ClauseCount>,
}

impl Coverage {
    /// The kinds and clause values no transition exercised.
    pub fn never(&self) -> (Vec<&Count>, Vec<&ClauseCount>) {
        let counts = self.counts.iter().filter(|c| c.transitions == 0).collect();
        let clauses = self.clauses.iter().filter(|c| !c.exercised()).collect();
        (counts, clauses)
    }
}

/// Why coverage is missing: the walk stopped at a limit.
pub const OUT_OF_BUDGET: &str = "a limit stopped the coverage walk";

/// The spaces a comparison of two specs at the states of one graph needs.
struct Compared<'a> {
    /// The graph's spec under the comparison's reductions, when they are not the graph's.
    ours: Option<Space<'a>>,
    /// The other spec.
    theirs: Space<'a>,
}

impl<'a> Compared<'a> {
    /// `ours` and `theirs` compared at the states of the graph whose reductions are
    /// `applied`: under those, less any that `theirs` makes unsound (the reduced moves must
    /// be alike on both sides).
    fn new(ours: &'a Config, theirs: &'a Config, applied: Reduction) -> Compared<'a> {
        let reduction = applied.sound_for(&theirs.spec);
        Compared {
            ours: (reduction != applied).then_some(Space {
                config: ours,
                reduction,
            }),
            theirs: Space {
                config: theirs,
                reduction,
            },
        }
    }
}

/// The clauses of `config` whose value differs from `edition`'s, each with `config` as the
/// edition's value would have it, in catalogue order.
fn away(config: &Config, edition: &Spec) -> Vec<(ClauseCount, Config)> {
    let ours = config.spec.values();
    let theirs = edition.values();
    let mut out = Vec::new();
    for ((clause, value), (_, edition_value)) in ours.into_iter().zip(theirs) {
        if value == edition_value {
            continue;
        }
        let mut spec = config.spec;
        spec.set(clause, edition_value)
            .expect("catalogue values parse");
        let count = ClauseCount {
            clause,
            value,
            edition_value,
            changed: 0,
            withheld: 0,
            in_script: 0,
        };
        out.push((count, Config { spec, ..*config }));
    }
    out
}

/// Counts the transitions of the graph `reduction` makes of `config` from `start`, the state
/// after the model's `script`. `edition` is the spec clause values are compared with, named
/// `edition_name`; their comparison covers the script's steps too. None if `budget` ran out
/// first.
pub fn coverage(
    config: &Config,
    (script, start): (&[Action], &System),
    reduction: Reduction,
    (edition, edition_name): (&Spec, &str),
    budget: &dyn Allowance,
) -> Option<Coverage> {
    let space = Space { config, reduction };
    let applied = space.applied();
    let others = away(config, edition);
    let compared: Vec<Compared> = others
        .iter()
        .map(|(_, theirs)| Compared::new(config, theirs, applied))
        .collect();
    let mut clauses: Vec<ClauseCount> = others.iter().map(|(count, _)| count.clone()).collect();
    for ((_, theirs), count) in others.iter().zip(&mut clauses) {
        count.in_script = script_differences(config, theirs, script);
    }
    let mut counted: BTreeMap<Key, u64> = BTreeMap::new();
    let (mut states, mut transitions) = (0u64, 0u64);
    let mut keys = Vec::new();
    let mut scratch = Vec::new();
    let walked = walk(&space, start, budget, &mut |state, successors| {
        states += 1;
        transitions += successors.len() as u64;
        for (mv, _) in successors {
            classify(config, mv, &mut keys);
            for key in &keys {
                *counted.entry(*key).or_default() += 1;
            }
        }
        for (c, count) in compared.iter().zip(&mut clauses) {
            let (changed, withheld) = differences(state, successors, c, &mut scratch);
            count.changed += changed;
            count.withheld += withheld;
        }
        true
    });
    if walked != Walked::Exhausted {
        return None;
    }
    let mut order = universe(config, applied);
    order.extend(
        counted
            .keys()
            .filter(|k| !order.contains(k))
            .copied()
            .collect::<Vec<_>>(),
    );
    let counts = order
        .into_iter()
        .map(|key| {
            let (group, kind) = names(key);
            Count {
                section: match key {
                    Key::Action(..) => "action",
                    Key::Choice(..) => "server choice",
                },
                group,
                kind,
                transitions: counted.get(&key).copied().unwrap_or(0),
            }
        })
        .collect();
    Some(Coverage {
        reduction: applied.name(),
        edition: edition_name.to_string(),
        states,
        transitions,
        counts,
        clauses,
    })
}

/// The steps of `script`, from the initial state, that `theirs` would not take (its spec
/// does not offer the action there) or that lead elsewhere under it: a clause value can act
/// in the script alone (a push the script makes, whose answer the rest inherits).
fn script_differences(ours: &Config, theirs: &Config, script: &[Action]) -> u64 {
    let mut state = System::initial(ours);
    let mut offered = Vec::new();
    let mut differing = 0;
    for &action in script {
        offered.clear();
        state.actions(theirs, &mut offered);
        let mut next = state.clone();
        next.apply(ours, action);
        let same = offered.contains(&action) && {
            let mut other = state.clone();
            other.apply(theirs, action);
            other.fingerprint() == next.fingerprint()
        };
        differing += u64::from(!same);
        state = next;
    }
    differing
}

/// At `state`, with `successors` its moves in the counted graph: the transitions only the
/// run's spec takes, and those only the edition's value takes (see the module comment).
fn differences(
    state: &System,
    successors: &[(Move, System)],
    compared: &Compared,
    scratch: &mut Vec<(Move, System)>,
) -> (u64, u64) {
    let keyed = |list: &[(Move, System)]| {
        let mut keys: Vec<(Move, u64)> = list.iter().map(|(m, s)| (*m, s.fingerprint())).collect();
        keys.sort_unstable();
        keys
    };
    let ours = match &compared.ours {
        None => keyed(successors),
        Some(space) => {
            space.successors(state, scratch, &mut |_, _| {});
            keyed(scratch)
        }
    };
    compared.theirs.successors(state, scratch, &mut |_, _| {});
    let theirs = keyed(scratch);
    let (mut only_ours, mut only_theirs) = (0u64, 0u64);
    let (mut i, mut j) = (0, 0);
    while i < ours.len() || j < theirs.len() {
        match (ours.get(i), theirs.get(j)) {
            (Some(a), Some(b)) if a == b => (i, j) = (i + 1, j + 1),
            (Some(a), Some(b)) if a < b => (only_ours, i) = (only_ours + 1, i + 1),
            (Some(_), Some(_)) | (None, Some(_)) => (only_theirs, j) = (only_theirs + 1, j + 1),
            (Some(_), None) => (only_ours, i) = (only_ours + 1, i + 1),
            (None, None) => unreachable!("the loop's condition"),
        }
    }
    (only_ours, only_theirs)
}

/// Whether `clause`'s value in `config` made any difference against `value` (another of
/// its values) in the graph `reduction` makes of `config` from the initial state: the
/// matrix's test of a row (see the module comment). The walk ends at the first difference,
/// else at the space's end: no limit stops it.
pub fn exercised(config: &Config, clause: &str, value: &str, reduction: Reduction) -> bool {
    let mut spec = config.spec;
    spec.set(clause, value).expect("catalogue values parse");
    let theirs = Config { spec, ..*config };
    if theirs == *config {
        return false;
    }
    let space = Space { config, reduction };
    let compared = Compared::new(config, &theirs, space.applied());
    let mut found = false;
    let mut scratch = Vec::new();
    let start = System::initial(config);
    let unlimited = crate::limits::Budget::new(None);
    walk(&space, &start, &unlimited, &mut |state, successors| {
        found = differences(state, successors, &compared, &mut scratch) != (0, 0);
        !found
    });
    found
}
