//! The shortest path to a state where a condition fails, by a deterministic breadth-first
//! search of our own. stateright 0.31's BFS overwrites discoveries when several properties
//! are checked and races between threads (stateright-0.31.md, pitfall 1), so its paths are
//! neither shortest nor reproducible; this search is both: among the shortest paths it
//! returns the first in action order, whatever the thread count of the main check.

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashSet, VecDeque};
use std::hash::{Hash, Hasher};

use crate::system::{Action, Config, System};

/// A 128-bit fingerprint: two keyed SipHash values. Collisions (which would silently drop a
/// state) are out of reach at any size this search can hold in memory.
fn fingerprint(state: &System) -> (u64, u64) {
    let mut a = DefaultHasher::new();
    0u8.hash(&mut a);
    state.hash(&mut a);
    let mut b = DefaultHasher::new();
    1u8.hash(&mut b);
    state.hash(&mut b);
    (a.finish(), b.finish())
}

/// The actions of a shortest path from `start` to a state where `holds` is false, or None if
/// no state reachable from `start` falsifies it.
pub fn shortest_counterexample(
    config: &Config,
    start: &System,
    holds: fn(&System) -> bool,
) -> Option<Vec<Action>> {
    match shortest_counterexample_within(config, start, holds, &|| false) {
        Search::Found(path) => Some(path),
        Search::NotFound | Search::Stopped => None,
    }
}

/// What a bounded search ended with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Search {
    Found(Vec<Action>),
    /// No reachable state falsifies the condition.
    NotFound,
    /// `stop` said so (the memory limit) before the search ended.
    Stopped,
}

/// How many states the search visits between two looks at `stop`.
const STOP_EVERY: usize = 1024;

/// As [`shortest_counterexample`], giving up as soon as `stop` returns true.
pub fn shortest_counterexample_within(
    config: &Config,
    start: &System,
    holds: fn(&System) -> bool,
    stop: &dyn Fn() -> bool,
) -> Search {
    let initial = start.clone();
    if !holds(&initial) {
        return Search::Found(Vec::new());
    }
    // Each node: its parent's index and the action from there.
    let mut nodes: Vec<(usize, Action)> = Vec::new();
    let mut seen = HashSet::new();
    seen.insert(fingerprint(&initial));
    let mut queue = VecDeque::new();
    queue.push_back((initial, usize::MAX));
    let mut actions = Vec::new();
    let mut visited = 0usize;
    while let Some((state, index)) = queue.pop_front() {
        visited += 1;
        if visited % STOP_EVERY == 0 && stop() {
            return Search::Stopped;
        }
        actions.clear();
        state.actions(config, &mut actions);
        for &action in &actions {
            let mut next = state.clone();
            next.apply(config, action);
            if !seen.insert(fingerprint(&next)) {
                continue;
            }
            nodes.push((index, action));
            let next_index = nodes.len() - 1;
            if !holds(&next) {
                return Search::Found(path_to(&nodes, next_index));
            }
            queue.push_back((next, next_index));
        }
    }
    Search::NotFound
}

fn path_to(nodes: &[(usize, Action)], mut index: usize) -> Vec<Action> {
    let mut path = Vec::new();
    while index != usize::MAX {
        let (parent, action) = nodes[index];
        path.push(action);
        index = parent;
    }
    path.reverse();
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_told_to_stop_says_so_and_one_left_alone_finds_the_path() {
        let config = crate::setup::config("rfc5162", &[], Default::default()).unwrap();
        let start = System::initial(&config);
        let holds = crate::properties::property("views-converge")
            .unwrap()
            .condition;
        let stopped = shortest_counterexample_within(&config, &start, holds, &|| true);
        assert_eq!(stopped, Search::Stopped);
        let found = shortest_counterexample(&config, &start, holds).unwrap();
        assert_eq!(found.len(), 9);
    }
}
