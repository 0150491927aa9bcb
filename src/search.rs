//! Our own breadth-first search: deterministic, single-threaded, level by level. It checks
//! every property at every new state, so the first state at which an `always` property
//! fails ends a shortest counterexample of it, and among the shortest paths it is the first
//! in action order, whatever the thread count of any other run. stateright 0.31's BFS
//! overwrites discoveries when several properties are checked and races between threads
//! (stateright-0.31.md, pitfall 1), so its paths are neither.
//!
//! `check` runs it first: shallow violations end the run at once at any bound. With
//! `--keep-going`, stateright explores the whole space and this search then finds the
//! shortest path of each property stateright found violated, all in one pass.

use std::collections::HashSet;
use std::collections::hash_map::DefaultHasher;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::time::Instant;

use crate::limits::{Allowance, Budget};
use crate::properties::Kind;
use crate::system::{Action, Config, System};

/// A 64-bit fingerprint, as stateright's own: SipHash-1-3 with fixed keys, so the same on
/// every run and platform. Two states colliding would silently merge; the odds stay below
/// one in ten thousand up to 60 million states, the same odds stateright's verdicts rest on.
fn fingerprint(state: &System) -> u64 {
    let mut hasher = DefaultHasher::new();
    state.hash(&mut hasher);
    hasher.finish()
}

/// The visited set's keys are fingerprints already: hashing them again is wasted work.
#[derive(Default)]
struct Identity(u64);

impl Hasher for Identity {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, _: &[u8]) {
        unreachable!("only u64 keys are hashed");
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type Visited = HashSet<u64, BuildHasherDefault<Identity>>;

/// When the search ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Goal {
    /// At the first state where an `always` property fails (every property failing there
    /// is recorded).
    FirstViolation,
    /// Once every property is decided, or the space is exhausted.
    Decide,
}

/// How the search ended and what it found.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// Per condition decided (its index in the search's list): the path from the start to
    /// the first state where an `always` one fails or a `sometimes` one holds.
    pub decided: Vec<(usize, Vec<Action>)>,
    /// Whether the whole space reachable from the start was explored.
    pub exhausted: bool,
    pub unique_states: usize,
    pub generated_states: usize,
    /// In states along a path, the start counting 1 (stateright's convention).
    pub depth_max: usize,
    pub seconds: f64,
}

impl Outcome {
    pub fn path(&self, condition: usize) -> Option<&Vec<Action>> {
        self.decided
            .iter()
            .find(|(c, _)| *c == condition)
            .map(|(_, path)| path)
    }
}

/// How many states the search expands between two looks at the budget.
const LOOK_EVERY: usize = 1024;

/// A node of the search tree: the state its parent's state and `action` lead to.
#[derive(Clone, Copy)]
struct Node {
    /// Index into the nodes; [`START`] for the start state.
    parent: u32,
    /// Actions from the start.
    depth: u32,
    action: Action,
}

const START: u32 = u32::MAX;

/// The states along one path of the search tree, from the start: the queue holds node
/// indices, not states (a state is a kilobyte or more, a node a few dozen bytes), and a
/// state is rebuilt from the nearest ancestor on this path. Nodes are expanded in the order
/// they were made, so consecutive ones share most of their path: each costs about one
/// `apply`.
struct PathStates {
    /// `nodes[k]` is the node at depth k + 1 of the path; `states[k + 1]` its state.
    nodes: Vec<u32>,
    states: Vec<System>,
}

impl PathStates {
    fn new(start: &System) -> PathStates {
        PathStates {
            nodes: Vec::new(),
            states: vec![start.clone()],
        }
    }

    fn state_of(&mut self, config: &Config, tree: &[Node], index: u32) -> &System {
        let mut chain = Vec::new();
        let mut at = index;
        while at != START {
            let depth = tree[at as usize].depth as usize;
            if self.nodes.get(depth - 1) == Some(&at) {
                break;
            }
            chain.push(at);
            at = tree[at as usize].parent;
        }
        let kept = match at {
            START => 0,
            _ => tree[at as usize].depth as usize,
        };
        self.nodes.truncate(kept);
        self.states.truncate(kept + 1);
        for &node in chain.iter().rev() {
            let mut next = self.states[self.states.len() - 1].clone();
            next.apply(config, tree[node as usize].action);
            self.nodes.push(node);
            self.states.push(next);
        }
        &self.states[self.states.len() - 1]
    }
}

/// A condition to decide: an `always` one is decided where it fails, a `sometimes` one
/// where it holds.
pub type Condition = (Kind, fn(&System) -> bool);

/// Searches from `start` for the states that decide `conditions`, within `budget`.
pub fn search(
    config: &Config,
    start: &System,
    conditions: &[Condition],
    goal: Goal,
    budget: &dyn Allowance,
) -> Outcome {
    let started = Instant::now();
    let mut outcome = Outcome {
        unique_states: 1,
        generated_states: 1,
        depth_max: 1,
        ..Outcome::default()
    };
    let mut open: Vec<usize> = (0..conditions.len()).collect();
    let mut tree: Vec<Node> = Vec::new();
    let end = |outcome: &mut Outcome, visited: usize| {
        outcome.unique_states = visited;
        outcome.seconds = started.elapsed().as_secs_f64();
    };
    if decide_at(conditions, &mut outcome, &mut open, start, &tree, START)
        && finished(goal, conditions, &outcome, &open)
    {
        end(&mut outcome, 1);
        return outcome;
    }
    let mut visited = Visited::default();
    visited.insert(fingerprint(start));
    let mut path = PathStates::new(start);
    let mut actions = Vec::new();
    // The frontier is implicit: nodes are expanded in the order they were made, which is
    // breadth-first order. `next` is the node to expand; START first.
    let mut next: Option<u32> = Some(START);
    let mut expanded = 0usize;
    while let Some(index) = next {
        expanded += 1;
        if expanded % LOOK_EVERY == 0 {
            if budget.is_spent() {
                break;
            }
            if index != START {
                budget.show_depth(tree[index as usize].depth as usize + 1);
            }
        }
        let (state, depth) = match index {
            START => (start, 0),
            _ => (
                path.state_of(config, &tree, index),
                tree[index as usize].depth,
            ),
        };
        actions.clear();
        state.actions(config, &mut actions);
        let admitted = budget.admit(actions.len());
        outcome.generated_states += admitted;
        for &action in &actions[..admitted] {
            let mut child = state.clone();
            child.apply(config, action);
            if !visited.insert(fingerprint(&child)) {
                continue;
            }
            tree.push(Node {
                parent: index,
                depth: depth + 1,
                action,
            });
            let child_index = (tree.len() - 1) as u32;
            outcome.depth_max = outcome.depth_max.max(depth as usize + 2);
            if decide_at(
                conditions,
                &mut outcome,
                &mut open,
                &child,
                &tree,
                child_index,
            ) && finished(goal, conditions, &outcome, &open)
            {
                end(&mut outcome, visited.len());
                return outcome;
            }
        }
        let following = match index {
            START => 0,
            _ => index + 1,
        };
        next = ((following as usize) < tree.len()).then_some(following);
    }
    outcome.exhausted = next.is_none() && !budget.is_spent();
    end(&mut outcome, visited.len());
    outcome
}

/// Records every open condition `state` decides; true if it decided any.
fn decide_at(
    conditions: &[Condition],
    outcome: &mut Outcome,
    open: &mut Vec<usize>,
    state: &System,
    tree: &[Node],
    index: u32,
) -> bool {
    let before = open.len();
    open.retain(|&i| {
        let (kind, condition) = conditions[i];
        let holds = condition(state);
        let decided = match kind {
            Kind::Always => !holds,
            Kind::Sometimes => holds,
        };
        if decided {
            outcome.decided.push((i, path_to(tree, index)));
        }
        !decided
    });
    open.len() < before
}

/// Whether the search may end: at a violation for `FirstViolation`, once nothing is open
/// for `Decide`.
fn finished(goal: Goal, conditions: &[Condition], outcome: &Outcome, open: &[usize]) -> bool {
    match goal {
        Goal::FirstViolation => outcome
            .decided
            .iter()
            .any(|(c, _)| conditions[*c].0 == Kind::Always),
        Goal::Decide => open.is_empty(),
    }
}

fn path_to(tree: &[Node], mut index: u32) -> Vec<Action> {
    let mut path = Vec::new();
    while index != START {
        let node = tree[index as usize];
        path.push(node.action);
        index = node.parent;
    }
    path.reverse();
    path
}

/// The actions of a shortest path from `start` to a state where `holds` is false, or None if
/// no state reachable from `start` falsifies it.
pub fn shortest_counterexample(
    config: &Config,
    start: &System,
    holds: fn(&System) -> bool,
) -> Option<Vec<Action>> {
    let budget = Budget::new(None);
    let conditions = [(Kind::Always, holds)];
    let outcome = search(config, start, &conditions, Goal::Decide, &budget);
    outcome.path(0).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::Stop;

    #[test]
    fn a_search_told_to_stop_says_so_and_one_left_alone_finds_the_path() {
        let config = crate::setup::config("rfc5162", &[], Default::default()).unwrap();
        let start = System::initial(&config);
        let holds = crate::properties::property("views-converge")
            .unwrap()
            .condition;
        let conditions = [(Kind::Always, holds)];
        let stopped = Budget::new(None);
        stopped.stop(Stop::Interrupt);
        let outcome = search(&config, &start, &conditions, Goal::Decide, &stopped);
        assert!(!outcome.exhausted && outcome.decided.is_empty());
        let found = shortest_counterexample(&config, &start, holds).unwrap();
        assert_eq!(found.len(), 9);
        // A state limit is exact here too.
        let limited = Budget::new(Some(500));
        let outcome = search(&config, &start, &conditions, Goal::Decide, &limited);
        assert_eq!(outcome.generated_states, 500);
        assert!(!outcome.exhausted);
    }
}
