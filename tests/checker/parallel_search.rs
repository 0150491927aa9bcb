//! Our breadth-first search on several threads (src/search/) against itself on one thread
//! and against stateright's whole-space run: on every edition and every clause value, the
//! same state counts, verdicts and counterexamples, step for step. Small bounds keep it fast.

use crate::common;

use common::small::models;
use resync_check::check::{CheckOptions, CheckOutcome, Limits, Strategy, check};
use resync_check::properties::PROPERTIES;
use resync_check::reduce::Reduction;
use resync_check::setup::{Bounds, config};
use resync_check::system::{Action, Config};

fn options(strategy: Strategy, threads: usize, keep_going: bool) -> CheckOptions {
    CheckOptions {
        strategy,
        threads,
        limits: Limits::NONE,
        keep_going,
        progress: false,
        reduction: Reduction::ALL,
    }
}

/// What a run decided: its unique states, and each property's verdict and counterexample.
type Decided = (usize, Vec<(String, Option<Vec<Action>>)>);

fn decided(outcome: &CheckOutcome) -> Decided {
    let verdicts = outcome
        .properties
        .iter()
        .map(|p| {
            let verdict = p.verdict.name().to_string();
            (verdict, p.counterexample.clone())
        })
        .collect();
    (outcome.statistics.unique_states, verdicts)
}

fn run(config: Config, options: CheckOptions) -> Decided {
    decided(&check(
        config,
        &[],
        (0..PROPERTIES.len()).collect(),
        options,
    ))
}

#[test]
fn two_threads_decide_as_one_and_as_stateright_on_every_clause_value() {
    let mut violated = 0;
    for (name, config) in models() {
        let one = run(config, options(Strategy::Bfs, 1, true));
        let two = run(config, options(Strategy::Bfs, 2, true));
        let theirs = run(config, options(Strategy::Dfs, 2, true));
        assert_eq!(one, two, "{name}: 1 thread against 2");
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
        let theirs = CheckOptions {
            strategy: Strategy::Dfs,
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
