//! A whole-space run (`--keep-going --strategy stateright`) with stateright's depth-first
//! search on `--threads` threads: an engine independent of ours, whose complete runs count
//! the same states (tested). The verdicts and shortest counterexamples follow as after our
//! own depth-first search (after_run.rs).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Instant;

use stateright::{Checker, HasDiscoveries, Model};

use super::after_run::{Found, verdicts};
use super::{CheckOptions, CheckOutcome, Statistics};
use crate::limits::Budget;
use crate::model::ResyncModel;
use crate::properties::PROPERTIES;
use crate::system::{Action, Config, System};

/// A property name no model has: waiting for it to be discovered keeps stateright exploring
/// the whole space even after every real property is decided, so state counts are those of
/// the complete space and do not depend on thread timing.
const NEVER_DISCOVERED: &str = "(explore the whole space)";

pub(super) fn whole_space(
    config: Config,
    script: &[Action],
    (start, prefix_hits): (&System, &[(usize, usize)]),
    properties: Vec<usize>,
    options: CheckOptions,
    budget: &Arc<Budget>,
) -> CheckOutcome {
    let model = ResyncModel::new(
        config,
        start.clone(),
        properties.clone(),
        Arc::clone(budget),
        options.reduction,
    );
    let builder = model
        .checker()
        .threads(options.threads)
        .finish_when(HasDiscoveries::AllOf(BTreeSet::from([NEVER_DISCOVERED])));
    let started = Instant::now();
    let found = finish(builder.spawn_dfs().join(), started, budget);
    let search = format!("stateright dfs, {} thread(s)", options.threads);
    verdicts(
        &config,
        script,
        (start, prefix_hits),
        properties,
        (options, &search),
        budget,
        found,
    )
}

/// The statistics of a finished stateright run, its discoveries as line-by-line paths, and
/// the `sometimes` properties it met inside a move.
fn finish<C: Checker<ResyncModel>>(checker: C, start: Instant, budget: &Budget) -> Found {
    let statistics = Statistics {
        unique_states: checker.unique_state_count(),
        generated_states: checker.state_count(),
        depth_max: checker.max_depth(),
        seconds: start.elapsed().as_secs_f64(),
    };
    // stateright rebuilds each discovery's path through `actions`, which must offer
    // everything again for the indices to mean what they meant.
    budget.release();
    let model = checker.model();
    let space = model.space();
    let discovered = checker
        .discoveries()
        .into_iter()
        .map(|(name, path)| (name, space.concrete(&model.start, &path.into_actions())))
        .collect::<BTreeMap<_, _>>();
    let reached_inside = (0..PROPERTIES.len())
        .filter(|&i| model.reached_inside(i))
        .collect();
    Found {
        statistics,
        discovered,
        reached_inside,
    }
}
