//! Runs of the checker compared across engines (our breadth-first search on one thread or
//! more, our depth-first one, stateright's depth-first one): tests/checker/parallel_search.rs
//! and tests/exhaustive/engines.rs.

use resync_check::check::{CheckOptions, CheckOutcome, Limits, Strategy, check};
use resync_check::properties::PROPERTIES;
use resync_check::reduce::Reduction;
use resync_check::system::{Action, Config};

/// A whole-space (`keep_going`) or first-violation run, with the reductions of `all`.
pub fn options(strategy: Strategy, threads: usize, keep_going: bool) -> CheckOptions {
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
pub type Decided = (usize, Vec<(String, Option<Vec<Action>>)>);

pub fn decided(outcome: &CheckOutcome) -> Decided {
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

pub fn run(config: Config, options: CheckOptions) -> Decided {
    decided(&check(
        config,
        &[],
        (0..PROPERTIES.len()).collect(),
        options,
    ))
}
