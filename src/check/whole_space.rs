//! A whole-space run (`--keep-going`, `verify`, `matrix`) with our breadth-first search, on
//! `threads` threads: every property is decided on the way and the space is explored to its
//! end, so the state counts are those of the whole space. The search is deterministic
//! whatever the thread count (search/expand.rs), so its paths are the shortest, first in
//! action order; under the read reduction, whose paths can be longer, one more pass with the
//! exact reductions finds the shortest path of each violated property.

use super::{
    CheckOptions, CheckOutcome, Completion, PropertyOutcome, Statistics, Verdict, completion,
    condition,
};
use crate::checkpoint::{Persist, Phase};
use crate::limits::Budget;
use crate::properties::Kind;
use crate::reduce::Space;
use crate::search::{self, Condition, Goal};
use crate::system::{Action, Config, System};

pub(super) fn whole_space(
    config: &Config,
    script: &[Action],
    (start, prefix_hits): (&System, &[(usize, usize)]),
    properties: Vec<usize>,
    options: CheckOptions,
    (budget, mut persist): (&Budget, Option<&mut Persist>),
) -> CheckOutcome {
    let conditions: Vec<Condition> = properties.iter().map(|&i| condition(i)).collect();
    let space = Space {
        config,
        reduction: options.reduction,
    };
    let threads = options.threads;
    let resume = persist.as_mut().and_then(|p| p.take(Phase::Main));
    let goal = Goal::Exhaust;
    let (run, stopped) =
        search::search_from(&space, start, &conditions, goal, budget, threads, resume);
    if let (Some(persist), Some(snapshot)) = (persist, &stopped) {
        persist.stopped(Phase::Main, None, run.generated_states, snapshot);
    }
    drop(stopped);
    let completion = match run.exhausted {
        true => Completion::Complete,
        false => completion(&options.limits, budget.reason()),
    };
    let complete = completion == Completion::Complete;
    let in_script = |i: usize| prefix_hits.iter().find(|(p, _)| *p == i).map(|(_, n)| *n);
    // The violated properties whose path the reduced run may not have found shortest.
    let again: Vec<usize> = (0..properties.len())
        .filter(|_| space.applied().reads)
        .filter(|&k| conditions[k].0 == Kind::Always && run.path(k).is_some())
        .filter(|&k| in_script(properties[k]).is_none())
        .collect();
    let shortest = match again.is_empty() {
        true => search::Outcome::default(),
        false => {
            let exact = Space {
                config,
                reduction: options.reduction.exact(),
            };
            let wanted: Vec<Condition> = again.iter().map(|&k| conditions[k]).collect();
            let after = budget.after_run();
            search::search(&exact, start, &wanted, Goal::Decide, &after, threads)
        }
    };
    let outcomes = (0..properties.len())
        .map(|k| {
            let i = properties[k];
            let found = run.path(k);
            let hit = in_script(i).is_some() || found.is_some();
            let verdict = Verdict::of(i, hit, complete, config);
            let mut is_shortest = true;
            let counterexample = (verdict == Verdict::Violated).then(|| match in_script(i) {
                Some(n) => script[..n].to_vec(),
                None => {
                    let searched = match again.iter().position(|&a| a == k) {
                        Some(c) => shortest.path(c),
                        None => found,
                    };
                    // The second pass stopped at a limit: the reduced run's path is still
                    // a counterexample.
                    let path = searched.or(found).cloned().unwrap_or_default();
                    is_shortest = searched.is_some();
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
    CheckOutcome {
        properties: outcomes,
        statistics: Statistics {
            unique_states: run.unique_states,
            generated_states: run.generated_states,
            depth_max: run.depth_max,
            seconds: run.seconds,
        },
        completion,
        coverage: None,
        search: format!(
            "bfs, {} thread(s), reduction {}",
            options.threads,
            space.applied().name()
        ),
    }
}
