//! The verdicts after a whole-space depth-first run, ours (dfs.rs) or stateright's
//! (stateright.rs): a depth-first search's paths are counterexamples but not the shortest,
//! so one more pass of our breadth-first search finds the shortest path of every property
//! the run found violated.

use std::collections::BTreeMap;

use super::{
    CheckOptions, CheckOutcome, Completion, PropertyOutcome, Statistics, Verdict, completion,
    condition,
};
use crate::limits::Budget;
use crate::properties::{Kind, PROPERTIES};
use crate::reduce::Space;
use crate::search::{self, Condition, Goal};
use crate::system::{Action, Config, System};

/// What a depth-first run found.
pub(super) struct Found {
    pub statistics: Statistics,
    /// Per property decided (by name), the line-by-line path the run met it by.
    pub discovered: BTreeMap<&'static str, Vec<Action>>,
    /// `sometimes` properties met inside a move and not among `discovered`.
    pub reached_inside: Vec<usize>,
}

/// The outcome of the run that found `found`, described in the search line as `engine`
/// (with the reduction); the shortest-path pass runs on `options.threads` threads.
pub(super) fn verdicts(
    config: &Config,
    script: &[Action],
    (start, prefix_hits): (&System, &[(usize, usize)]),
    properties: Vec<usize>,
    (options, engine): (CheckOptions, &str),
    budget: &Budget,
    found: Found,
) -> CheckOutcome {
    let Found {
        statistics,
        discovered,
        reached_inside,
    } = found;
    let completion = completion(&options.limits, budget.reason());
    let complete = completion == Completion::Complete;
    // One pass of our search for the shortest path of every property the run found
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
        config,
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
            let verdict = Verdict::of(i, hit, complete, config);
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
                        // The search stopped at a limit: the path the run found is still a
                        // counterexample.
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
    CheckOutcome {
        properties,
        statistics,
        completion,
        search: format!(
            "{engine}, reduction {}",
            options.reduction.sound_for(&config.spec).name()
        ),
        coverage: None,
    }
}
