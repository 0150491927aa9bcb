//! Our breadth-first search on several threads (src/search/) against itself on one thread,
//! against our depth-first search and against stateright's whole-space run, line by line:
//! the same state counts, verdicts and counterexamples, step for step; a state limit exact
//! on two threads. (On every clause value: tests/exhaustive/engines.rs.) Small bounds keep it
//! fast.

use crate::common;

use common::engines::{decided, options, run};
use resync_check::check::{CheckOptions, Limits, Strategy, check};
use resync_check::properties::PROPERTIES;
use resync_check::reduce::Reduction;
use resync_check::setup::{Bounds, config};

#[test]
fn line_by_line_two_threads_count_and_find_as_one() {
    let bounds = Bounds {
        clients: Some(2),
        messages: Some(2),
        commands: Some(1),
        arrivals: None,
        removals: None,
    };
    for edition in ["rfc5162", "rfc7162"] {
        let config = config(edition, &[], bounds).unwrap();
        let none = |threads| CheckOptions {
            reduction: Reduction::NONE,
            ..options(Strategy::Bfs, threads, true)
        };
        let one = run(config, none(1));
        assert_eq!(one, run(config, none(2)), "{edition}");
        let depth_first = CheckOptions {
            strategy: Strategy::Dfs,
            ..none(1)
        };
        assert_eq!(
            one,
            run(config, depth_first),
            "{edition}: breadth first against depth first"
        );
        let theirs = CheckOptions {
            strategy: Strategy::Stateright,
            ..none(2)
        };
        assert_eq!(
            one,
            run(config, theirs),
            "{edition}: ours against stateright's"
        );
    }
}

#[test]
fn a_state_limit_is_exact_on_two_threads() {
    let config = config("rfc7162", &[], Bounds::default()).unwrap();
    let limited = |threads| CheckOptions {
        limits: Limits {
            max_states: Some(5_000),
            ..Limits::NONE
        },
        reduction: Reduction::NONE,
        ..options(Strategy::Bfs, threads, true)
    };
    let every = (0..PROPERTIES.len()).collect::<Vec<_>>();
    let one = check(config, &[], every.clone(), limited(1));
    let two = check(config, &[], every, limited(2));
    for outcome in [&one, &two] {
        assert_eq!(outcome.statistics.generated_states, 5_000);
    }
    assert_eq!(decided(&one), decided(&two));
    assert_eq!(one.completion, two.completion);
}
