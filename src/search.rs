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
use std::hash::{BuildHasherDefault, Hasher};
use std::time::Instant;

use crate::limits::{Allowance, Budget};
use crate::properties::Kind;
use crate::reduce::{Move, Reduction, Space};
use crate::system::{Action, Config, System};

/// The state's stable fingerprint (fingerprint.rs).
fn fingerprint(state: &System) -> u64 {
    state.fingerprint()
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
    /// Per condition decided (its index in the search's list): the line-by-line path from
    /// the start to the first state where an `always` one fails, or through the first state
    /// where a `sometimes` one holds (which may lie inside the path's last move).
    pub decided: Vec<(usize, Vec<Action>)>,
    /// Whether the whole space reachable from the start was explored.
    pub exhausted: bool,
    pub unique_states: usize,
    pub generated_states: usize,
    /// In states along a path of moves, the start counting 1 (stateright's convention).
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
    /// Moves from the start.
    depth: u32,
    action: Move,
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

    fn state_of(&mut self, space: &Space, tree: &[Node], index: u32) -> &System {
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
            let last = &self.states[self.states.len() - 1];
            let next = space.step(last, tree[node as usize].action, &mut |_| {});
            self.nodes.push(node);
            self.states.push(next);
        }
        &self.states[self.states.len() - 1]
    }
}

/// A condition to decide: an `always` one is decided where it fails, a `sometimes` one
/// where it holds.
pub type Condition = (Kind, fn(&System) -> bool);

/// Searches from `start` for the states that decide `conditions`, within `budget`, in the
/// reduced space `space`; the paths it returns are line by line, from `start`.
pub fn search(
    space: &Space,
    start: &System,
    conditions: &[Condition],
    goal: Goal,
    budget: &dyn Allowance,
) -> Outcome {
    let started = Instant::now();
    let mut found = Found {
        conditions,
        open: (0..conditions.len()).collect(),
        decided: Vec::new(),
    };
    let (exhausted, statistics) = explore(space, start, &mut found, goal, budget);
    let (unique_states, generated_states, depth_max) = statistics;
    Outcome {
        decided: found
            .decided
            .iter()
            .map(|(i, moves)| (*i, space.concrete(start, moves)))
            .collect(),
        exhausted,
        unique_states,
        generated_states,
        depth_max,
        seconds: started.elapsed().as_secs_f64(),
    }
}

/// What the search has decided so far, as paths of moves.
struct Found<'a> {
    conditions: &'a [Condition],
    open: Vec<usize>,
    decided: Vec<(usize, Vec<Move>)>,
}

impl Found<'_> {
    /// Records every open condition `state` decides, with the path `path` returns; true if
    /// it decided any.
    fn decide_at(&mut self, state: &System, path: impl Fn() -> Vec<Move>) -> bool {
        let before = self.open.len();
        let conditions = self.conditions;
        let decided = &mut self.decided;
        self.open.retain(|&i| {
            let (kind, condition) = conditions[i];
            let holds = condition(state);
            let decides = match kind {
                Kind::Always => !holds,
                Kind::Sometimes => holds,
            };
            if decides {
                decided.push((i, path()));
            }
            !decides
        });
        self.open.len() < before
    }

    /// Whether the search may end: at a violation for `FirstViolation`, once nothing is
    /// open for `Decide`.
    fn finished(&self, goal: Goal) -> bool {
        match goal {
            Goal::FirstViolation => self
                .decided
                .iter()
                .any(|(c, _)| self.conditions[*c].0 == Kind::Always),
            Goal::Decide => self.open.is_empty(),
        }
    }
}

/// The breadth-first loop. Returns whether the space was exhausted, and the unique and
/// generated states and the depth reached.
fn explore(
    space: &Space,
    concrete: &System,
    found: &mut Found,
    goal: Goal,
    budget: &dyn Allowance,
) -> (bool, (usize, usize, usize)) {
    let start = &space.start(concrete);
    let mut generated_states = 1;
    let mut depth_max = 1;
    let mut tree: Vec<Node> = Vec::new();
    if found.decide_at(start, Vec::new) && found.finished(goal) {
        return (false, (1, generated_states, depth_max));
    }
    let mut visited = Visited::default();
    visited.insert(fingerprint(start));
    let mut path = PathStates::new(start);
    let mut successors = Vec::new();
    let mut inner_hits: Vec<(usize, usize)> = Vec::new();
    let sometimes_open = |found: &Found| {
        found
            .open
            .iter()
            .any(|&i| found.conditions[i].0 == Kind::Sometimes)
    };
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
                path.state_of(space, &tree, index),
                tree[index as usize].depth,
            ),
        };
        // `sometimes` properties inside a move (see reduce/mod.rs, point 4), as (index of
        // the move, condition).
        inner_hits.clear();
        let check_inner = space.applied().reads && sometimes_open(found);
        space.successors(state, &mut successors, &mut |k, inner| {
            if check_inner {
                for &i in &found.open {
                    let (kind, condition) = found.conditions[i];
                    if kind == Kind::Sometimes
                        && !inner_hits.iter().any(|&(_, c)| c == i)
                        && condition(inner)
                    {
                        inner_hits.push((k, i));
                    }
                }
            }
        });
        let admitted = budget.admit(successors.len());
        generated_states += admitted;
        for (k, (mv, child)) in successors.drain(..).take(admitted).enumerate() {
            let hits: Vec<usize> = inner_hits
                .iter()
                .filter(|&&(at, i)| at == k && found.open.contains(&i))
                .map(|&(_, i)| i)
                .collect();
            if !hits.is_empty() {
                let through = [path_to(&tree, index), vec![mv]].concat();
                found.open.retain(|i| !hits.contains(i));
                for &i in &hits {
                    found.decided.push((i, through.clone()));
                }
                if found.finished(goal) {
                    return (false, (visited.len(), generated_states, depth_max));
                }
            }
            if !visited.insert(fingerprint(&child)) {
                continue;
            }
            tree.push(Node {
                parent: index,
                depth: depth + 1,
                action: mv,
            });
            let child_index = (tree.len() - 1) as u32;
            depth_max = depth_max.max(depth as usize + 2);
            if found.decide_at(&child, || path_to(&tree, child_index)) && found.finished(goal) {
                return (false, (visited.len(), generated_states, depth_max));
            }
        }
        let following = match index {
            START => 0,
            _ => index + 1,
        };
        next = ((following as usize) < tree.len()).then_some(following);
    }
    let exhausted = next.is_none() && !budget.is_spent();
    (exhausted, (visited.len(), generated_states, depth_max))
}

fn path_to(tree: &[Node], mut index: u32) -> Vec<Move> {
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
/// no state reachable from `start` falsifies it: the first in action order, no reduction.
pub fn shortest_counterexample(
    config: &Config,
    start: &System,
    holds: fn(&System) -> bool,
) -> Option<Vec<Action>> {
    let budget = Budget::new(None);
    let conditions = [(Kind::Always, holds)];
    let space = Space {
        config,
        reduction: Reduction::NONE,
    };
    let outcome = search(&space, start, &conditions, Goal::Decide, &budget);
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
        let space = Space {
            config: &config,
            reduction: Reduction::NONE,
        };
        let stopped = Budget::new(None);
        stopped.stop(Stop::Interrupt);
        let outcome = search(&space, &start, &conditions, Goal::Decide, &stopped);
        assert!(!outcome.exhausted && outcome.decided.is_empty());
        let found = shortest_counterexample(&config, &start, holds).unwrap();
        assert_eq!(found.len(), 9);
        // A state limit is exact here too.
        let limited = Budget::new(Some(500));
        let outcome = search(&space, &start, &conditions, Goal::Decide, &limited);
        assert_eq!(outcome.generated_states, 500);
        assert!(!outcome.exhausted);
    }
}
