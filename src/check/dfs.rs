//! A whole-space run (`--keep-going --strategy dfs`) with stateright's depth-first search,
//! then one more pass of our search for the shortest counterexample of each violated
//! property.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Instant;

use stateright::{Checker, HasDiscoveries, Model};

use super::{
    CheckOptions, CheckOutcome, Completion, PropertyOutcome, Statistics, Strategy, Verdict,
    completion, condition,
};
use crate::limits::Budget;
use crate::model::ResyncModel;
use crate::properties::{Kind, PROPERTIES};
use crate::reduce::Space;
use crate::search::{self, Condition, Goal};
use crate::system::{Action, Config, System};

/// A property name no model has: waiting for it to be discovered keeps stateright exploring
/// the whole space even after every real property is decided, so state counts are those of
/// the complete space and do not depend on thread timing.
const NEVER_DISCOVERED: &str = "(explore the whole space)";

pub(super) fn whole_space(
    config: Config,
    script: &[Action],
    start: &System,
    prefix_hits: &[(usize, usize)],
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
    let (statistics, discovered, reached_inside) = match options.strategy {
        Strategy::Bfs => finish(builder.spawn_bfs().join(), started, budget),
        Strategy::Dfs => finish(builder.spawn_dfs().join(), started, budget),
    };
    let completion = completion(&options.limits, budget.reason());
    let complete = completion == Completion::Complete;
    // One pass of our search for the shortest path of every property stateright found
    // violated after the script; the limits still hold (it stops with the run's budget).
    let violated: Vec<usize> = properties
        .iter()
        .copied()
        .filter(|&i| PROPERTIES[i].kind == Kind::Always)
        .filter(|i| discovered.contains_key(PROPERTIES[*i].name))
        .filter(|i| !prefix_hits.iter().any(|(p, _)| p == i))
        .collect();
    let conditions: Vec<Condition> = violated.iter().map(|&i| condition(i)).collect();
    let exact = Space {
        config: &config,
        reduction: options.reduction.exact(),
    };
    let shortest = match conditions.is_empty() {
        true => search::Outcome::default(),
        false => search::search(
            &exact,
            start,
            &conditions,
            Goal::Decide,
            &budget.after_run(),
            options.threads,
        ),
    };
    let properties = properties
        .into_iter()
        .map(|i| {
            let in_script = prefix_hits.iter().find(|(p, _)| *p == i).map(|(_, n)| *n);
            let found = discovered.get(PROPERTIES[i].name);
            let hit = in_script.is_some() || found.is_some() || reached_inside.contains(&i);
            let verdict = Verdict::of(i, hit, complete, &config);
            let mut is_shortest = true;
            let counterexample = (verdict == Verdict::Violated).then(|| match in_script {
                Some(n) => script[..n].to_vec(),
                None => {
                    let searched = violated
                        .iter()
                        .position(|v| *v == i)
                        .and_then(|c| shortest.path(c));
                    let path = match searched {
                        Some(path) => path.clone(),
                        // The search stopped at a limit: the path stateright found is still
                        // a counterexample.
                        None => {
                            is_shortest = false;
                            found.cloned().unwrap_or_default()
                        }
                    };
                    [script, &path].concat()
                }
            });
            PropertyOutcome {
                property: i,
                verdict,
                counterexample,
                shortest: is_shortest,
                distinct: None,
            }
        })
        .collect();
    let strategy = match options.strategy {
        Strategy::Bfs => "bfs",
        Strategy::Dfs => "dfs",
    };
    CheckOutcome {
        properties,
        statistics,
        completion,
        search: format!(
            "{strategy}, {} thread(s), reduction {}",
            options.threads,
            options.reduction.sound_for(&config.spec).name()
        ),
        coverage: None,
    }
}

/// The statistics of a finished stateright run, its discoveries as line-by-line paths, and
/// the `sometimes` properties it met inside a move.
fn finish<C: Checker<ResyncModel>>(
    checker: C,
    start: Instant,
    budget: &Budget,
) -> (Statistics, BTreeMap<&'static str, Vec<Action>>, Vec<usize>) {
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
        .collect();
    let reached_inside = (0..PROPERTIES.len())
        .filter(|&i| model.reached_inside(i))
        .collect();
    (statistics, discovered, reached_inside)
}
