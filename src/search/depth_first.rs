//! Our depth-first search (`--strategy dfs`): one thread, every state computed once, from
//! its parent, and never rebuilt.
//!
//! The breadth-first search (mod.rs) keeps a tree node per state and rebuilds each state
//! it expands from its parent's (`PathStates`): a fifth of its time on the line-by-line
//! model (docs/scaling.md). Here the stack holds, for each state on the current path, its
//! successors not yet expanded, as states: at most the depth times a state's new successors
//! (a few hundred states at the standard bounds, thousands where the start alone has
//! thousands of successors), and the rest of the memory is the visited set. A
//! successor enters the visited set, and the open properties are checked at it, when its
//! parent is expanded (as in the breadth-first search), so each unique state is expanded
//! once and a complete run's unique and generated counts are the breadth-first search's.
//! Its paths are the stack's: counterexamples but not the shortest, which the check finds
//! after (check/dfs.rs). Depth-first order is fixed (a state's successors in `Space`'s
//! order), so every count and path is the same on every run.

use std::time::Instant;

use super::visited::Visited;
use super::{Condition, Found, LOOK_EVERY};
use crate::limits::Allowance;
use crate::properties::Kind;
use crate::reduce::{Move, Space};
use crate::system::System;

/// How a depth-first search ended and what it found.
#[derive(Clone, Debug, Default)]
pub struct DepthFirst {
    /// Per condition decided (its index in the search's list), the moves from the start to
    /// the state where the search first met it, not the shortest such path; a `sometimes`
    /// condition may hold inside the path's last move, as in [`super::Outcome`].
    pub decided: Vec<(usize, Vec<Move>)>,
    pub unique_states: usize,
    pub generated_states: usize,
    /// The longest path the search went down, in states, the start counting 1.
    pub depth_max: usize,
    pub seconds: f64,
}

/// A state on the current path: its new successors, those before `next` expanded or being
/// expanded (the one at `next - 1` is the next state on the path).
struct Frame {
    children: Vec<(Move, System)>,
    next: usize,
}

/// Explores every state reachable from `start` (made canonical by `space`) depth first,
/// deciding `conditions` on the way, within `budget`.
pub fn depth_first(
    space: &Space,
    start: &System,
    conditions: &[Condition],
    budget: &(dyn Allowance + Sync),
) -> DepthFirst {
    let started = Instant::now();
    let start = space.start(start);
    let mut found = Found {
        conditions,
        open: (0..conditions.len()).collect(),
        decided: Vec::new(),
    };
    found.decide_at(&start, Vec::new);
    let mut search = Search {
        space,
        budget,
        found,
        visited: Visited::default(),
        generated_states: 1,
        depth_max: 1,
        successors: Vec::new(),
        fingerprints: Vec::new(),
        spare: Vec::new(),
        stopped: false,
    };
    search.visited.insert(start.fingerprint());
    let first = search.expand(&start, &[]);
    let mut stack = vec![first];
    let mut expanded = 1usize;
    let mut path: Vec<Move> = Vec::new();
    while let Some(top) = stack.last_mut() {
        if search.stopped {
            break;
        }
        if top.next == top.children.len() {
            let mut done = stack.pop().expect("the top frame");
            done.children.clear();
            search.spare.push(done.children);
            path.pop();
            continue;
        }
        top.next += 1;
        let (action, _) = top.children[top.next - 1];
        path.push(action);
        expanded += 1;
        if expanded % LOOK_EVERY == 0 {
            if budget.is_spent() {
                break;
            }
            budget.show_path_depth(path.len() + 1);
        }
        let top = stack.last().expect("the top frame");
        let frame = search.expand(&top.children[top.next - 1].1, &path);
        stack.push(frame);
    }
    DepthFirst {
        decided: search.found.decided,
        unique_states: search.visited.len(),
        generated_states: search.generated_states,
        depth_max: search.depth_max,
        seconds: started.elapsed().as_secs_f64(),
    }
}

/// What the search keeps between expansions.
struct Search<'a, 'c> {
    space: &'a Space<'a>,
    budget: &'a (dyn Allowance + Sync),
    found: Found<'c>,
    visited: Visited,
    generated_states: usize,
    depth_max: usize,
    /// Reused from one expansion to the next.
    successors: Vec<(Move, System)>,
    fingerprints: Vec<u64>,
    /// The children vectors of popped frames, for the next frames to reuse.
    spare: Vec<Vec<(Move, System)>>,
    /// The budget admitted only some successors of a state: the search ends.
    stopped: bool,
}

impl Search<'_, '_> {
    /// The frame of `state`, reached by `path`: its successors not visited before, each
    /// entered into the visited set and checked against the open conditions.
    fn expand(&mut self, state: &System, path: &[Move]) -> Frame {
        let conditions = self.found.conditions;
        let sometimes_open = self
            .found
            .open
            .iter()
            .any(|&i| conditions[i].0 == Kind::Sometimes);
        let mut hits: Vec<(usize, usize)> = Vec::new();
        if self.space.applied().reads && sometimes_open {
            let open = &self.found.open;
            let mut record = |k: usize, inside: &System| {
                for &i in open {
                    let (kind, condition) = conditions[i];
                    if kind == Kind::Sometimes
                        && !hits.iter().any(|&(_, c)| c == i)
                        && condition(inside)
                    {
                        hits.push((k, i));
                    }
                }
            };
            self.space
                .successors(state, &mut self.successors, &mut record);
        } else {
            self.space
                .successors(state, &mut self.successors, &mut |_, _| {});
        }
        let admitted = self.budget.admit(self.successors.len());
        if admitted < self.successors.len() {
            self.successors.truncate(admitted);
            hits.retain(|&(k, _)| k < admitted);
            self.stopped = true;
        }
        self.generated_states += admitted;
        // Each hit is of a condition open during the expansion, and of no other hit's.
        for &(k, i) in &hits {
            self.found.open.retain(|&o| o != i);
            let through = [path, &[self.successors[k].0]].concat();
            self.found.decided.push((i, through));
        }
        // All fingerprints first, their slots fetched meanwhile, then the inserts.
        self.fingerprints.clear();
        self.fingerprints
            .extend(self.successors.iter().map(|(_, child)| {
                let fingerprint = child.fingerprint();
                self.visited.prefetch(fingerprint);
                fingerprint
            }));
        let mut children = self.spare.pop().unwrap_or_default();
        let depth = path.len() + 2;
        for (k, (action, child)) in self.successors.drain(..).enumerate() {
            if !self.visited.insert(self.fingerprints[k]) {
                continue;
            }
            self.depth_max = self.depth_max.max(depth);
            self.found.decide_at(&child, || [path, &[action]].concat());
            children.push((action, child));
        }
        Frame { children, next: 0 }
    }
}
