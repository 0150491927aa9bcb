//! Our own breadth-first search: deterministic, single-threaded, level by level. It checks
//! every property at every new state, so the first state at which an `always` property
//! fails ends a shortest counterexample of it, and among the shortest paths it is the first
//! in action order, whatever the thread count of any other run. stateright 0.31's BFS
//! overwrites discoveries when several properties are checked and races between threads
//! (docs/stateright-0.31.md, pitfall 1), so its paths are neither.
//!
//! `check` runs it first: shallow violations end the run at once at any bound. With
//! `--keep-going`, stateright explores the whole space and this search then finds the
//! shortest path of each property stateright found violated, all in one pass.

pub mod coverage;
mod depth_first;
mod expand;
mod persist;
mod tree;
pub mod views;
mod visited;

use std::time::Instant;

use crate::limits::{Allowance, Budget};
use crate::properties::Kind;
use crate::reduce::{Move, Reduction, Space};
use crate::system::{Action, Config, System};

pub use depth_first::{DepthFirst, depth_first};
use expand::{Batch, Child, Inner, PathStates};
pub use persist::{Snapshot, named};
use tree::{START, Tree};
use visited::Visited;

/// When the search ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Goal {
    /// At the first state where an `always` property fails (every property failing there
    /// is recorded).
    FirstViolation,
    /// Once every property is decided, or the space is exhausted.
    Decide,
    /// Once the space is exhausted, every property decided on the way: the state counts
    /// are those of the whole space.
    Exhaust,
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
    budget: &(dyn Allowance + Sync),
    threads: usize,
) -> Outcome {
    search_from(space, start, conditions, goal, budget, threads, None).0
}

/// [`search`], going on from `resume` (a snapshot of the same search, `check --resume`) if
/// given; the snapshot to resume it from if the budget stopped it, None if it ended.
pub fn search_from(
    space: &Space,
    start: &System,
    conditions: &[Condition],
    goal: Goal,
    budget: &(dyn Allowance + Sync),
    threads: usize,
    resume: Option<Snapshot>,
) -> (Outcome, Option<Snapshot>) {
    let started = Instant::now();
    let before = resume.as_ref().map_or(0.0, |r| r.seconds);
    let mut found = Found {
        conditions,
        open: (0..conditions.len()).collect(),
        decided: Vec::new(),
    };
    if let Some(resumed) = &resume {
        found.open.clone_from(&resumed.open);
        found.decided.clone_from(&resumed.decided);
    }
    let ended = explore(space, start, &mut found, goal, budget, threads, resume);
    let seconds = before + started.elapsed().as_secs_f64();
    let (unique_states, generated_states, depth_max) = ended.statistics;
    let outcome = Outcome {
        decided: found
            .decided
            .iter()
            .map(|(i, moves)| (*i, space.concrete(start, moves)))
            .collect(),
        exhausted: ended.exhausted,
        unique_states,
        generated_states,
        depth_max,
        seconds,
    };
    let snapshot = ended.stopped.map(|mut snapshot| {
        snapshot.open = found.open;
        snapshot.decided = found.decided;
        snapshot.seconds = seconds;
        snapshot
    });
    (outcome, snapshot)
}

/// How [`explore`] ended.
struct Ended {
    exhausted: bool,
    /// The unique and generated states, and the depth reached.
    statistics: (usize, usize, usize),
    /// Where it stopped, if the budget stopped it (the conditions and time are filled in
    /// by the caller).
    stopped: Option<Snapshot>,
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

    /// Records every open condition whose bit is set in `bits` (expand.rs), with the path
    /// `path` returns; true if it decided any.
    fn decide_bits(&mut self, bits: u64, path: impl Fn() -> Vec<Move>) -> bool {
        if bits == 0 {
            return false;
        }
        let before = self.open.len();
        let decided = &mut self.decided;
        self.open.retain(|&i| {
            let decides = bits & (1 << i) != 0;
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
            Goal::Exhaust => false,
        }
    }
}

/// Nodes expanded in one batch, on every thread, before their successors are merged.
const BATCH_NODES: usize = 8192;

/// The breadth-first loop: batches of nodes in the order they were made (breadth-first
/// order), each expanded on `threads` threads (expand.rs), then merged here in node order,
/// so that everything but the time taken is the same whatever `threads` is. A node whose
/// successors the budget admitted only in part is where a stopped search resumes: from its
/// first successor not admitted, everything before it merged, nothing after it.
fn explore(
    space: &Space,
    concrete: &System,
    found: &mut Found,
    goal: Goal,
    budget: &(dyn Allowance + Sync),
    threads: usize,
    resume: Option<Snapshot>,
) -> Ended {
    assert!(
        found.conditions.len() <= 64,
        "conditions are kept as bits of a u64"
    );
    let start = &space.start(concrete);
    let ended = |exhausted, visited: &Visited, generated, depth_max| Ended {
        exhausted,
        statistics: (visited.len(), generated, depth_max),
        stopped: None,
    };
    let (mut tree, mut visited, mut next, mut expanded);
    let (mut generated_states, mut depth_max, mut done);
    match resume {
        Some(resumed) => {
            (tree, visited) = (resumed.tree, resumed.visited);
            (generated_states, depth_max) = (resumed.generated_states, resumed.depth_max);
            expanded = resumed.expanded;
            done = (resumed.done > 0).then_some((resumed.next, resumed.done));
            let left = resumed.next == START || (resumed.next as usize) < tree.len();
            next = left.then_some(resumed.next);
        }
        None => {
            (generated_states, depth_max, expanded, done) = (1, 1, 0, None);
            tree = Tree::default();
            if found.decide_at(start, Vec::new) && found.finished(goal) {
                return Ended {
                    exhausted: false,
                    statistics: (1, 1, 1),
                    stopped: None,
                };
            }
            visited = Visited::default();
            visited.insert(start.fingerprint());
            // `next` is the first node of the next batch; START first.
            next = Some(START);
        }
    }
    let mut paths: Vec<PathStates> = (0..threads.max(1))
        .map(|_| PathStates::new(start))
        .collect();
    // The first node not merged whole, and how many of its successors were.
    let mut stop: Option<(u32, u32)> = None;
    let mut indices: Vec<u32> = Vec::new();
    let mut spare = Vec::new();
    'search: while let Some(first) = next {
        indices.clear();
        match first {
            START => indices.push(START),
            _ => indices.extend(first..tree.len().min(first as usize + BATCH_NODES) as u32),
        }
        let open = found.open.iter().fold(0u64, |bits, &i| bits | 1 << i);
        let check_inner = space.applied().reads
            && found
                .open
                .iter()
                .any(|&i| found.conditions[i].0 == Kind::Sometimes);
        let parts = Batch {
            space,
            start,
            tree: &tree,
            visited: &visited,
            conditions: found.conditions,
            open,
            check_inner,
            budget,
        }
        .expand(&indices, &mut paths, &mut spare);
        let mut nodes = indices.iter().copied();
        for part in &parts {
            let (mut children, mut inner) = (&part.children[..], &part.inner[..]);
            for node in &part.nodes {
                let index = nodes.next().expect("a node per expanded one");
                expanded += 1;
                if expanded % LOOK_EVERY == 0 {
                    if budget.is_spent() {
                        // Not merged: a resumed search counts it again.
                        (next, expanded) = (Some(index), expanded - 1);
                        break 'search;
                    }
                    if index != START {
                        budget.show_depth(tree.depth(index) as usize + 1);
                    }
                }
                let ours;
                (ours, children) = children.split_at(node.children as usize);
                let hits;
                (hits, inner) = inner.split_at(node.inner as usize);
                // Resumed inside this node: its first `from` successors are merged.
                let from = match done {
                    Some((at, from)) if at == index => from.min(node.successors),
                    _ => 0,
                };
                let admitted = budget.admit((node.successors - from) as usize);
                if stop.is_none() && from + (admitted as u32) < node.successors {
                    stop = Some((index, from + admitted as u32));
                }
                let merged = Merge {
                    index,
                    children: ours,
                    inner: hits,
                    from,
                    until: from + admitted as u32,
                };
                generated_states += admitted;
                let depth = tree.depth(index);
                if merged.apply(found, &mut tree, &mut visited, depth, goal, &mut depth_max) {
                    return ended(false, &visited, generated_states, depth_max);
                }
            }
        }
        done = None;
        let merged_nodes: usize = parts.iter().map(|p| p.nodes.len()).sum();
        spare.extend(parts);
        if merged_nodes < indices.len() {
            // The budget was spent before the batch was expanded whole.
            next = Some(indices[merged_nodes]);
            break;
        }
        let last = indices[indices.len() - 1];
        let following = match last {
            START => 0,
            _ => last + 1,
        };
        next = ((following as usize) < tree.len()).then_some(following);
    }
    let exhausted = next.is_none() && stop.is_none() && !budget.is_spent();
    let mut outcome = ended(exhausted, &visited, generated_states, depth_max);
    if !exhausted {
        // Stopped before the node it resumed in was merged: that node is still partly done.
        let resumed = done.filter(|(at, _)| Some(*at) == next);
        let at_next = (next.unwrap_or(tree.len() as u32), 0);
        let (next, done) = stop.or(resumed).unwrap_or(at_next);
        outcome.stopped = Some(Snapshot {
            tree,
            visited,
            open: Vec::new(),
            decided: Vec::new(),
            next,
            done,
            generated_states,
            depth_max,
            expanded,
            seconds: 0.0,
        });
    }
    outcome
}

/// One expanded node's successors, merged into the tree and the visited set in order.
struct Merge<'a> {
    index: u32,
    children: &'a [Child],
    inner: &'a [Inner],
    /// Its successors `from..until` are merged: those before `from` were before the search
    /// resumed, and the budget admitted those up to `until`.
    from: u32,
    until: u32,
}

impl Merge<'_> {
    /// Merges; true if the search is finished.
    fn apply(
        &self,
        found: &mut Found,
        tree: &mut Tree,
        visited: &mut Visited,
        depth: u32,
        goal: Goal,
        depth_max: &mut usize,
    ) -> bool {
        let admitted = |k: u32| (self.from..self.until).contains(&k);
        let mut inner = self.inner.iter().filter(|h| admitted(h.k)).peekable();
        // The visited slots of the children, fetched ahead of their inserts below.
        const AHEAD: usize = 8;
        let fetch = |visited: &Visited, i: usize| {
            if let Some(child) = self.children.get(i) {
                visited.prefetch(child.fingerprint);
            }
        };
        (0..AHEAD).for_each(|i| fetch(visited, i));
        let mut fetched = AHEAD;
        let mut children = self.children.iter().filter(|c| admitted(c.k)).peekable();
        loop {
            // At the same successor, the hits inside its move come first.
            let hit_first = match (inner.peek(), children.peek()) {
                (None, None) => return false,
                (Some(h), Some(c)) => h.k <= c.k,
                (some, _) => some.is_some(),
            };
            if hit_first {
                let hit = inner.next().expect("peeked");
                let i = hit.condition as usize;
                if !found.open.contains(&i) {
                    continue;
                }
                found.open.retain(|&o| o != i);
                let through = [tree.path_to(self.index), vec![hit.action]].concat();
                found.decided.push((i, through));
                if found.finished(goal) {
                    return true;
                }
                continue;
            }
            let child = children.next().expect("peeked");
            fetch(visited, fetched);
            fetched += 1;
            if !visited.insert(child.fingerprint) {
                continue;
            }
            let child_index = tree.push(self.index, depth + 1, child.action);
            *depth_max = (*depth_max).max(depth as usize + 2);
            if found.decide_bits(child.decides, || tree.path_to(child_index))
                && found.finished(goal)
            {
                return true;
            }
        }
    }
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
    let outcome = search(&space, start, &conditions, Goal::Decide, &budget, 1);
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
        let outcome = search(&space, &start, &conditions, Goal::Decide, &stopped, 1);
        assert!(!outcome.exhausted && outcome.decided.is_empty());
        let found = shortest_counterexample(&config, &start, holds).unwrap();
        assert_eq!(found.len(), 9);
        // A state limit is exact here too.
        let limited = Budget::new(Some(500));
        let outcome = search(&space, &start, &conditions, Goal::Decide, &limited, 1);
        assert_eq!(outcome.generated_states, 500);
        assert!(!outcome.exhausted);
    }
}
