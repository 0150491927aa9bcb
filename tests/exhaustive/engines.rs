//! Our breadth-first search on two threads against itself on one, against our depth-first
//! search and against stateright's depth-first whole-space run: on every edition and every
//! clause value, the same state counts, verdicts and counterexamples, step for step; and the
//! first-violation run on one thread and three. Small bounds.

use crate::common;

use common::engines::{options, run};
use common::small::models;
use resync_check::check::Strategy;

#[test]
#[ignore = "the exhaustive tier: cargo test --release --test exhaustive -- --ignored"]
fn two_threads_decide_as_one_and_as_both_depth_first_searches_on_every_clause_value() {
    let mut violated = 0;
    for (name, config) in models() {
        let one = run(config, options(Strategy::Bfs, 1, true));
        let two = run(config, options(Strategy::Bfs, 2, true));
        let depth_first = run(config, options(Strategy::Dfs, 1, true));
        let theirs = run(config, options(Strategy::Stateright, 2, true));
        assert_eq!(one, two, "{name}: 1 thread against 2");
        assert_eq!(
            one, depth_first,
            "{name}: breadth first against depth first"
        );
        assert_eq!(one, theirs, "{name}: ours against stateright's");
        violated += one.1.iter().filter(|(v, _)| v == "violated").count();
        // The first-violation run too.
        let first_one = run(config, options(Strategy::Bfs, 1, false));
        let first_two = run(config, options(Strategy::Bfs, 3, false));
        assert_eq!(first_one, first_two, "{name}: first violation");
    }
    // The comparison is worth something only if some paths are compared.
    assert!(violated > 20, "{violated}");
}
