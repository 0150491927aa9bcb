//! A whole-space run (`--keep-going --strategy dfs`) with our depth-first search
//! (search/depth_first.rs), on one thread; the verdicts and shortest counterexamples follow
//! as after stateright's (after_run.rs).

use super::after_run::{Found, verdicts};
use super::{CheckOptions, CheckOutcome, Statistics, condition};
use crate::limits::Budget;
use crate::properties::PROPERTIES;
use crate::reduce::Space;
use crate::search::{self, Condition};
use crate::system::{Action, Config, System};

pub(super) fn whole_space(
    config: &Config,
    script: &[Action],
    (start, prefix_hits): (&System, &[(usize, usize)]),
    properties: Vec<usize>,
    options: CheckOptions,
    budget: &Budget,
) -> CheckOutcome {
    let conditions: Vec<Condition> = properties.iter().map(|&i| condition(i)).collect();
    let space = Space {
        config,
        reduction: options.reduction,
    };
    let run = search::depth_first(&space, start, &conditions, budget);
    let statistics = Statistics {
        unique_states: run.unique_states,
        generated_states: run.generated_states,
        depth_max: run.depth_max,
        seconds: run.seconds,
    };
    let discovered = run
        .decided
        .iter()
        .map(|(c, moves)| {
            let name = PROPERTIES[properties[*c]].name;
            (name, space.concrete(start, moves))
        })
        .collect();
    let found = Found {
        statistics,
        discovered,
        reached_inside: Vec::new(),
    };
    verdicts(
        config,
        script,
        (start, prefix_hits),
        properties,
        (options, "dfs, 1 thread(s)"),
        budget,
        found,
    )
}
