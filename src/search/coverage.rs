//! The walk behind `check --coverage` (check/coverage.rs) and the matrix's vacuity column:
//! every state reachable from the start in a reduced space, each once, with all its
//! successors, on one thread, in breadth-first then action order. What it hands its caller
//! is the reduced graph itself (each state and every move out of it, including moves to
//! states already met), so counts over it do not depend on the order of the walk, nor on
//! how many threads the run before it had. Like the other searches it keeps a tree of moves,
//! not states, and rebuilds each state along the path last rebuilt (expand.rs).

use super::expand::PathStates;
use super::tree::{START, Tree};
use super::visited::Visited;
use crate::limits::Allowance;
use crate::reduce::{Move, Space};
use crate::system::System;

/// How a walk ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Walked {
    /// Every reachable state was visited.
    Exhausted,
    /// The visitor asked to stop.
    Stopped,
    /// The budget was spent first.
    OutOfBudget,
}

/// What [`walk`] calls at each state: the state and its moves with the states they lead
/// to; false ends the walk.
pub type Visit<'a> = dyn FnMut(&System, &[(Move, System)]) -> bool + 'a;

/// Visits every state reachable from `start` in `space` (the start as `space` makes it:
/// canonical under symmetry), each once: `visit(state, successors)` gets the state and
/// each of its moves with the state it leads to (as `Space::successors` gives them, in
/// order), and returns false to end the walk. Looks at `budget` every state; counts no
/// states against it.
pub fn walk(space: &Space, start: &System, budget: &dyn Allowance, visit: &mut Visit) -> Walked {
    let start = space.start(start);
    let mut tree = Tree::default();
    let mut visited = Visited::default();
    visited.insert(start.fingerprint());
    let mut path = PathStates::new(&start);
    let mut successors = Vec::new();
    let mut next = START;
    loop {
        if budget.is_spent() {
            return Walked::OutOfBudget;
        }
        let state = match next {
            START => &start,
            index => path.state_of(space, &tree, index),
        };
        space.successors(state, &mut successors, &mut |_, _| {});
        if !visit(state, &successors) {
            return Walked::Stopped;
        }
        let depth = tree.depth(next);
        for (mv, child) in successors.drain(..) {
            if visited.insert(child.fingerprint()) {
                tree.push(next, depth + 1, mv);
            }
        }
        next = match next {
            START => 0,
            index => index + 1,
        };
        if next as usize >= tree.len() {
            return Walked::Exhausted;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::Budget;
    use crate::reduce::Reduction;
    use crate::search::{Goal, search};

    #[test]
    fn the_walk_meets_the_states_and_moves_of_a_complete_search() {
        let bounds = crate::setup::Bounds {
            commands: Some(1),
            ..Default::default()
        };
        let config = crate::setup::config("rfc7162", &[], bounds).unwrap();
        let start = System::initial(&config);
        let space = Space {
            config: &config,
            reduction: Reduction::ALL,
        };
        let budget = Budget::new(None);
        let run = search(&space, &start, &[], Goal::Exhaust, &budget, 2);
        let (mut states, mut moves) = (0, 0);
        let walked = walk(&space, &start, &budget, &mut |_, successors| {
            states += 1;
            moves += successors.len();
            true
        });
        assert_eq!(walked, Walked::Exhausted);
        assert!(run.exhausted);
        assert_eq!(states, run.unique_states);
        // The search counts the start as generated, then every successor it admitted.
        assert_eq!(moves + 1, run.generated_states);
        let stopped = Budget::new(None);
        stopped.stop(crate::limits::Stop::Interrupt);
        assert_eq!(
            walk(&space, &start, &stopped, &mut |_, _| true),
            Walked::OutOfBudget
        );
        assert_eq!(
            walk(&space, &start, &budget, &mut |_, _| false),
            Walked::Stopped
        );
    }
}
