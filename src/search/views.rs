//! A breadth-first search for more counterexamples than the shortest (`check
//! --counterexamples N`): the shortest path to a violating state of each distinct *view*, as
//! Apalache's `--max-error` with `--view`. A view is what the caller makes of a path
//! (check/views.rs: the clauses blamed and the commands sent), so this search cannot dedupe
//! on states alone, as the others do: two paths to one state that sent different commands
//! are two views, and the one the state search keeps could hide the other for good. It
//! dedupes on the state and the history of commands sent so far (a hash of their kinds and
//! clients, in order), which is what a view can still tell apart, so each history gets its
//! shortest paths; the caller then dedupes what remains.
//!
//! The search is on one thread and expands in action order, so what it reports, and in which
//! order, does not depend on `--threads`. It moves through concrete states (a move's client
//! ids are those of the run, which the history records), but dedupes on the canonical form
//! of the state and the history renamed alike (reduce/symmetry.rs): a renaming of a run is
//! a renaming of its view, which the caller counts as one. Its queue holds tree nodes, not
//! states, which are rebuilt along the path as in the other search (expand.rs): the
//! histories multiply the states, so there are many more nodes.

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;

use crate::fingerprint::{self, StableHasher};
use crate::imap::types::ClientId;
use crate::limits::Allowance;
use crate::reduce::{Move, Space, canonical_order, permute};
use crate::system::{Action, System};

/// How a search for more counterexamples ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    /// Every condition got all it asked for.
    Satisfied,
    /// Every state and history reachable from the start was explored.
    Exhausted,
    /// The budget was spent first.
    Stopped,
}

/// The search tree: per node its parent (or [`ROOT`]), its depth and its move, interned (a
/// model has a few hundred distinct moves).
#[derive(Default)]
struct Tree {
    nodes: Vec<(u32, u16, u32)>,
    moves: Vec<Move>,
    interned: HashMap<Move, u32, BuildHasherDefault<StableHasher>>,
}

const ROOT: u32 = u32::MAX;

impl Tree {
    fn push(&mut self, parent: u32, mv: Move) -> u32 {
        let depth = match parent {
            ROOT => 1,
            _ => self.nodes[parent as usize].1 + 1,
        };
        let moves = &mut self.moves;
        let at = *self.interned.entry(mv).or_insert_with(|| {
            moves.push(mv);
            (moves.len() - 1) as u32
        });
        self.nodes.push((parent, depth, at));
        (self.nodes.len() - 1) as u32
    }

    fn path_to(&self, mut node: u32) -> Vec<Move> {
        let mut path = Vec::new();
        while node != ROOT {
            let (parent, _, mv) = self.nodes[node as usize];
            path.push(self.moves[mv as usize]);
            node = parent;
        }
        path.reverse();
        path
    }
}

/// The states along the path last rebuilt, from the start: nodes are expanded in the order
/// they were made, so consecutive ones share most of their path.
struct Path {
    nodes: Vec<u32>,
    states: Vec<System>,
}

impl Path {
    fn state_of(&mut self, space: &Space, tree: &Tree, node: u32) -> &System {
        let mut chain = Vec::new();
        let mut at = node;
        while at != ROOT {
            let (parent, depth, _) = tree.nodes[at as usize];
            if self.nodes.get(depth as usize - 1) == Some(&at) {
                break;
            }
            chain.push(at);
            at = parent;
        }
        let kept = match at {
            ROOT => 0,
            _ => tree.nodes[at as usize].1 as usize,
        };
        self.nodes.truncate(kept);
        self.states.truncate(kept + 1);
        for &n in chain.iter().rev() {
            let mv = tree.moves[tree.nodes[n as usize].2 as usize];
            let next = space.step(&self.states[self.states.len() - 1], mv, &mut |_| {});
            self.nodes.push(n);
            self.states.push(next);
        }
        &self.states[self.states.len() - 1]
    }
}

/// A node of the current level with what its children need.
struct Open {
    node: u32,
    /// The kinds of command sent on the way here, in order, with their clients.
    history: Vec<(ClientId, u64)>,
    /// Bit c: condition c fails at this state.
    failing: u64,
}

/// The key a (state, history) pair is deduped on: the canonical state's fingerprint, and the
/// history with its clients renamed as the canonical order renames them.
fn key(state: &System, history: &[(ClientId, u64)]) -> (u64, u64) {
    let order = canonical_order(state);
    let identity = order.iter().enumerate().all(|(i, &o)| i == o as usize);
    let fingerprint = match identity {
        true => state.fingerprint(),
        false => {
            let mut canonical = state.clone();
            permute(&mut canonical, &order);
            canonical.fingerprint()
        }
    };
    let mut new_id = vec![0u8; order.len()];
    for (new, &old) in order.iter().enumerate() {
        new_id[old as usize] = new as u8;
    }
    let renamed: Vec<(u8, u64)> = history
        .iter()
        .map(|(c, kind)| (new_id[c.index()], *kind))
        .collect();
    (fingerprint, fingerprint::of(&renamed))
}

/// Searches from `start` in `space` (which must not apply symmetry: see the module comment)
/// for the states where each of `fails` (a condition that is false there: an `always`
/// property) becomes false, level by level. `found(c, path)` gets, in breadth-first and then
/// action order, each line-by-line path whose last step makes condition `c` fail (the state
/// before holds it) while `c` is `wanted`; it returns false once `c` wants no more. The
/// search ends when none is wanted, when the space is exhausted, or when `budget` is spent.
/// `command(a)` is a hash of the kind of command the action `a` sends, or None for an
/// action that sends none: a history is made of those, with their clients.
pub fn more_paths(
    space: &Space,
    start: &System,
    fails: &[fn(&System) -> bool],
    wanted: &mut [bool],
    budget: &dyn Allowance,
    command: &dyn Fn(&Action) -> Option<u64>,
    found: &mut dyn FnMut(usize, &[Action]) -> bool,
) -> Ended {
    assert!(!space.applied().symmetry, "client ids must stay concrete");
    assert!(fails.len() <= 64, "conditions are kept as bits of a u64");
    let failing = |state: &System| {
        (0..fails.len())
            .filter(|&c| !(fails[c])(state))
            .fold(0u64, |bits, c| bits | 1 << c)
    };
    let mut tree = Tree::default();
    let mut visited: HashSet<(u64, u64), BuildHasherDefault<StableHasher>> = HashSet::default();
    visited.insert(key(start, &[]));
    let mut level = vec![Open {
        node: ROOT,
        history: Vec::new(),
        failing: failing(start),
    }];
    let mut path = Path {
        nodes: Vec::new(),
        states: vec![start.clone()],
    };
    let mut successors = Vec::new();
    while !level.is_empty() {
        let mut next = Vec::new();
        for open in &level {
            if !wanted.iter().any(|&w| w) {
                return Ended::Satisfied;
            }
            if budget.is_spent() {
                return Ended::Stopped;
            }
            let state = match open.node {
                ROOT => start,
                node => path.state_of(space, &tree, node),
            };
            space.successors(state, &mut successors, &mut |_, _| {});
            let offered = successors.len();
            let admitted = budget.admit(offered);
            for (mv, state) in successors.drain(..).take(admitted) {
                let sent = match mv {
                    Move::One(action)
                    | Move::Response {
                        issue: Some(action),
                        ..
                    } => command(&action).map(|kind| (action, kind)),
                    Move::Response { issue: None, .. } => None,
                };
                let mut history = open.history.clone();
                if let Some((Action::Issue { client, .. }, kind)) = sent {
                    history.push((client, kind));
                }
                if !visited.insert(key(&state, &history)) {
                    continue;
                }
                let node = tree.push(open.node, mv);
                let failing = failing(&state);
                let new = failing & !open.failing;
                if new != 0 {
                    let actions = space.concrete(start, &tree.path_to(node));
                    for (c, wants) in wanted.iter_mut().enumerate() {
                        if new & 1 << c != 0 && *wants {
                            *wants = found(c, &actions);
                        }
                    }
                }
                next.push(Open {
                    node,
                    history,
                    failing,
                });
            }
            if admitted < offered {
                return Ended::Stopped;
            }
        }
        level = next;
    }
    match wanted.iter().any(|&w| w) {
        true => Ended::Exhausted,
        false => Ended::Satisfied,
    }
}
