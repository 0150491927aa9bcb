//! Our depth-first search (`--strategy dfs`, src/search/depth_first.rs) against our
//! breadth-first one: the same unique and generated state counts on complete runs, the same
//! verdicts and (shortest) counterexamples; the same run every time and whatever
//! `--threads`; a state limit exact. (On every clause value: tests/exhaustive/engines.rs.)

use crate::common;

use common::engines::{decided, options};
use resync_check::check::{CheckOptions, CheckOutcome, Completion, Limits, Strategy, check};
use resync_check::properties::PROPERTIES;
use resync_check::reduce::Reduction;
use resync_check::setup::{Bounds, config};

fn bounds(commands: u64) -> Bounds {
    Bounds {
        clients: Some(2),
        messages: Some(2),
        commands: Some(commands),
        arrivals: None,
        removals: None,
    }
}

fn whole(edition: &str, commands: u64, strategy: Strategy, reduction: Reduction) -> CheckOutcome {
    let config = config(edition, &[], bounds(commands)).unwrap();
    let options = CheckOptions {
        reduction,
        ..options(strategy, 1, true)
    };
    check(config, &[], (0..PROPERTIES.len()).collect(), options)
}

fn counts(outcome: &CheckOutcome) -> (usize, usize) {
    let statistics = &outcome.statistics;
    (statistics.unique_states, statistics.generated_states)
}

#[test]
fn depth_first_counts_and_decides_as_breadth_first() {
    for (edition, reduction, expected) in [
        ("rfc5162", Reduction::NONE, (6_055, 17_197)),
        ("rfc5162", Reduction::ALL, (207, 965)),
        ("rfc7162", Reduction::NONE, (5_451, 16_513)),
        ("rfc7162", Reduction::ALL, (157, 939)),
    ] {
        let breadth = whole(edition, 1, Strategy::Bfs, reduction);
        let depth = whole(edition, 1, Strategy::Dfs, reduction);
        assert_eq!(counts(&breadth), expected, "{edition}");
        assert_eq!(counts(&depth), expected, "{edition}");
        assert_eq!(decided(&depth), decided(&breadth), "{edition}");
        assert_eq!(depth.completion, Completion::Complete);
    }
    // rfc5162's CLOSE loses an expunge: the depth-first run finds it, and the check's
    // shortest-path pass gives the breadth-first search's counterexample, step for step.
    let depth = whole("rfc5162", 1, Strategy::Dfs, Reduction::NONE);
    let violated = depth
        .properties
        .iter()
        .filter(|p| p.counterexample.is_some())
        .count();
    assert!(violated > 0);
    assert!(depth.properties.iter().all(|p| p.shortest));
}

#[test]
fn a_depth_first_run_is_the_same_every_time_and_at_any_thread_count() {
    let config = config("rfc7162", &[], bounds(2)).unwrap();
    let run = |threads| {
        let options = CheckOptions {
            reduction: Reduction::NONE,
            ..options(Strategy::Dfs, threads, true)
        };
        check(config, &[], (0..PROPERTIES.len()).collect(), options)
    };
    let one = run(1);
    let again = run(1);
    let three = run(3);
    for outcome in [&one, &again, &three] {
        assert_eq!(counts(outcome), (1_211_425, 4_036_387));
        assert_eq!(outcome.statistics.depth_max, 33);
        // One thread, whatever --threads says, and the output says so.
        assert_eq!(outcome.search, "dfs, 1 thread(s), reduction none");
        assert_eq!(decided(outcome), decided(&one));
    }
}

#[test]
fn a_state_limit_stops_a_depth_first_run_exactly() {
    let config = config("rfc7162", &[], bounds(2)).unwrap();
    let options = CheckOptions {
        limits: Limits {
            max_states: Some(5_000),
            ..Limits::NONE
        },
        reduction: Reduction::NONE,
        ..options(Strategy::Dfs, 1, true)
    };
    let outcome = check(config, &[], (0..PROPERTIES.len()).collect(), options);
    assert_eq!(outcome.statistics.generated_states, 5_000);
    assert_eq!(
        outcome.completion,
        Completion::Incomplete("stopped at the state limit (--max-states 5000)".to_string())
    );
    let undecided = outcome
        .properties
        .iter()
        .filter(|p| p.verdict.name() == "undecided");
    assert!(undecided.count() > 0);
}
