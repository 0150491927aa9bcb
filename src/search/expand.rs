//! The expanding half of the breadth-first search, on several threads. A batch of nodes to
//! expand is cut into chunks that the threads take in turn; each chunk's result is its
//! nodes' successors in order, with what the search needs to merge them (fingerprint, the
//! conditions each decides), so that the merge (mod.rs), in node order on one thread, makes
//! the same tree, visited set and decisions whatever the thread count. Rebuilding a state
//! and computing its successors is most of the work, and it is all here.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::tree::{START, Tree};
use super::{Condition, Visited};
use crate::limits::Allowance;
use crate::properties::Kind;
use crate::reduce::{Move, Space};
use crate::system::System;

/// The states along one path of the search tree, from the start: the queue holds node
/// indices, not states (a state is a kilobyte or more, a node a few dozen bytes), and a
/// state is rebuilt from the nearest ancestor on this path. Nodes are expanded in the order
/// they were made, so consecutive ones share most of their path: each costs about one
/// `apply`. Each thread keeps its own.
pub(super) struct PathStates {
    /// `nodes[k]` is the node at depth k + 1 of the path; `states[k + 1]` its state.
    nodes: Vec<u32>,
    states: Vec<System>,
}

impl PathStates {
    pub fn new(start: &System) -> PathStates {
        PathStates {
            nodes: Vec::new(),
            states: vec![start.clone()],
        }
    }

    pub fn state_of(&mut self, space: &Space, tree: &Tree, index: u32) -> &System {
        let mut chain = Vec::new();
        let mut at = index;
        let mut depth = tree.depth(index) as usize;
        while at != START {
            if self.nodes.get(depth - 1) == Some(&at) {
                break;
            }
            chain.push(at);
            at = tree.parent(at);
            depth -= 1;
        }
        let kept = depth;
        self.nodes.truncate(kept);
        self.states.truncate(kept + 1);
        for &node in chain.iter().rev() {
            let last = &self.states[self.states.len() - 1];
            let next = space.step(last, tree.action(node), &mut |_| {});
            self.nodes.push(node);
            self.states.push(next);
        }
        &self.states[self.states.len() - 1]
    }
}

/// A successor not in the visited set when its batch began.
pub(super) struct Child {
    /// Its place among its parent's successors.
    pub k: u32,
    pub action: Move,
    pub fingerprint: u64,
    /// Bit i: condition i, open when the batch began, is decided at this state.
    pub decides: u64,
}

/// A `sometimes` condition holding at a state inside the move `action`, the `k`-th of its
/// parent's (reduce/mod.rs, point 4): the first such move of the parent for each condition.
pub(super) struct Inner {
    pub k: u32,
    pub condition: u32,
    pub action: Move,
}

/// One expanded node.
pub(super) struct Expanded {
    pub successors: u32,
    /// How many of the chunk's `children` and `inner` are this node's, in order.
    pub children: u32,
    pub inner: u32,
}

/// The expanded nodes of one chunk, in order.
#[derive(Default)]
pub(super) struct Part {
    pub nodes: Vec<Expanded>,
    pub children: Vec<Child>,
    pub inner: Vec<Inner>,
}

impl Part {
    fn clear(&mut self) {
        self.nodes.clear();
        self.children.clear();
        self.inner.clear();
    }
}

/// What every thread reads while a batch is expanded; nothing in it changes meanwhile.
pub(super) struct Batch<'a> {
    pub space: &'a Space<'a>,
    pub start: &'a System,
    pub tree: &'a Tree,
    pub visited: &'a Visited,
    pub conditions: &'a [Condition],
    /// Bit i: condition i is open. Conditions decided during the batch are filtered out by
    /// the merge, which is why a superset is enough.
    pub open: u64,
    /// Whether to look for `sometimes` conditions inside moves.
    pub check_inner: bool,
    pub budget: &'a (dyn Allowance + Sync),
}

/// Nodes per chunk at least: a chunk is also how often a thread looks at the budget.
const CHUNK_NODES: usize = 64;

impl Batch<'_> {
    /// Expands `indices` on one thread per `paths` entry: the chunks in order, up to the
    /// first one left unexpanded because the budget was spent. The parts are taken from
    /// `spare` while it has any: a part's vectors keep their capacity from one batch to the
    /// next, where growing fresh ones each batch took a tenth of a profile of the first two
    /// million states at 3 clients x 2 commands (page faults on zeroed memory, then copies).
    pub fn expand(
        &self,
        indices: &[u32],
        paths: &mut [PathStates],
        spare: &mut Vec<Part>,
    ) -> Vec<Part> {
        // Sixteen chunks a thread: consecutive nodes share their paths, which a thread
        // rebuilds once per chunk, and the threads end a batch within a short chunk of each
        // other. (With four, one thread sat idle for up to a quarter of its share of each
        // batch: sixteen ran 0.93x the wall time at 2 clients x 2 messages x 3 commands and
        // 0.96x at 3 x 2 x 2, on 2 threads, for the same CPU time.)
        let per_chunk = CHUNK_NODES.max(indices.len().div_ceil(16 * paths.len()));
        let chunks: Vec<&[u32]> = indices.chunks(per_chunk).collect();
        let taken = AtomicUsize::new(0);
        let pool = Mutex::new(std::mem::take(spare));
        let work = |path: &mut PathStates| {
            let mut done = Vec::new();
            let mut successors = Vec::new();
            loop {
                let c = taken.fetch_add(1, Ordering::Relaxed);
                if c >= chunks.len() || self.budget.is_spent() {
                    return done;
                }
                let mut part = pool
                    .lock()
                    .expect("no thread panics holding it")
                    .pop()
                    .unwrap_or_default();
                part.clear();
                self.expand_chunk(chunks[c], path, &mut successors, &mut part);
                done.push((c, part));
            }
        };
        let mut parts: Vec<Option<Part>> = (0..chunks.len()).map(|_| None).collect();
        let mut place = |done: Vec<(usize, Part)>| {
            for (c, part) in done {
                parts[c] = Some(part);
            }
        };
        match paths {
            [one] => place(work(one)),
            _ => std::thread::scope(|scope| {
                let handles: Vec<_> = paths
                    .iter_mut()
                    .map(|path| scope.spawn(|| work(path)))
                    .collect();
                for handle in handles {
                    place(handle.join().expect("a search thread panicked"));
                }
            }),
        }
        // Chunks after a missing one are of no use: the merge stops at the first gap.
        let mut parts = parts.into_iter();
        let kept = parts.by_ref().map_while(|part| part).collect();
        *spare = pool.into_inner().expect("no thread panics holding it");
        spare.extend(parts.flatten());
        kept
    }

    fn expand_chunk(
        &self,
        indices: &[u32],
        path: &mut PathStates,
        successors: &mut Vec<(Move, System)>,
        part: &mut Part,
    ) {
        let mut hits: Vec<(u32, u32)> = Vec::new();
        let mut fingerprints: Vec<u64> = Vec::new();
        for &index in indices {
            let state = match index {
                START => self.start,
                _ => path.state_of(self.space, self.tree, index),
            };
            hits.clear();
            let mut record = |k: usize, inside: &System| {
                for (i, &(kind, condition)) in self.conditions.iter().enumerate() {
                    if kind == Kind::Sometimes
                        && self.open & (1 << i) != 0
                        && !hits.iter().any(|&(_, c)| c == i as u32)
                        && condition(inside)
                    {
                        hits.push((k as u32, i as u32));
                    }
                }
            };
            match self.check_inner {
                true => self.space.successors(state, successors, &mut record),
                false => self.space.successors(state, successors, &mut |_, _| {}),
            }
            part.inner.extend(hits.iter().map(|&(k, condition)| Inner {
                k,
                condition,
                action: successors[k as usize].0,
            }));
            let count = successors.len() as u32;
            let children_before = part.children.len();
            // All fingerprints first, their slots fetched meanwhile, then the lookups.
            fingerprints.clear();
            fingerprints.extend(successors.iter().map(|(_, child)| {
                let fingerprint = child.fingerprint();
                self.visited.prefetch(fingerprint);
                fingerprint
            }));
            for (k, ((action, child), &fingerprint)) in
                successors.drain(..).zip(&fingerprints).enumerate()
            {
                // A state an earlier move of this node leads to as well: the merge would
                // keep that move's child and drop this one. Commands that change nothing
                // alike, and drops right after them, make most successors such repeats
                // (5.3 of 8.8 million at 2 clients x 2 messages x 3 commands).
                if fingerprints[..k].contains(&fingerprint) || self.visited.contains(fingerprint) {
                    continue;
                }
                part.children.push(Child {
                    k: k as u32,
                    action,
                    fingerprint,
                    decides: self.decides(&child),
                });
            }
            part.nodes.push(Expanded {
                successors: count,
                children: (part.children.len() - children_before) as u32,
                inner: hits.len() as u32,
            });
        }
    }

    /// The open conditions `state` decides, as bits: an `always` one where it fails, a
    /// `sometimes` one where it holds.
    fn decides(&self, state: &System) -> u64 {
        let mut bits = 0;
        for (i, &(kind, condition)) in self.conditions.iter().enumerate() {
            if self.open & (1 << i) != 0 && condition(state) == (kind == Kind::Sometimes) {
                bits |= 1 << i;
            }
        }
        bits
    }
}
