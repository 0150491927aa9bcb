//! The default run: our breadth-first search for the first violated `always` property,
//! with every reduction, and again with the exact ones for the shortest path.

use super::{
    CheckOptions, CheckOutcome, Completion, PropertyOutcome, STOPPED_AT_FIRST, Statistics, Verdict,
    completion, condition,
};
use crate::checkpoint::{Persist, Phase};
use crate::limits::Budget;
use crate::properties::{Kind, PROPERTIES};
use crate::reduce::Space;
use crate::search::{self, Condition, Goal};
use crate::system::{Action, Config, System};

/// The default run: our search from the script's end, stopped at the first state where an
/// `always` property fails (or at the script's first such state). Every property that state
/// decides gets its verdict, with a shortest path; `sometimes` properties are reached where
/// the search met them; the rest are undecided, unless the search exhausted the space.
pub(super) fn first_violation(
    config: &Config,
    script: &[Action],
    (start, prefix_hits): (&System, &[(usize, usize)]),
    properties: Vec<usize>,
    options: CheckOptions,
    (budget, persist): (&Budget, Option<&mut Persist>),
) -> CheckOutcome {
    let in_script_violation = prefix_hits
        .iter()
        .any(|(p, _)| PROPERTIES[*p].kind == Kind::Always);
    let conditions: Vec<Condition> = properties.iter().map(|&i| condition(i)).collect();
    let (searched, shortest, search) = match in_script_violation {
        true => (search::Outcome::default(), true, "script".to_string()),
        false => search_first(config, start, &conditions, options, (budget, persist)),
    };
    let found = |k: usize| {
        let i = properties[k];
        match prefix_hits.iter().find(|(p, _)| *p == i) {
            Some((_, n)) => Some(script[..*n].to_vec()),
            None => searched.path(k).map(|path| [script, path].concat()),
        }
    };
    let violation = in_script_violation
        || searched
            .decided
            .iter()
            .any(|(k, _)| PROPERTIES[properties[*k]].kind == Kind::Always);
    let complete = !violation && searched.exhausted;
    let completion = match (complete, violation) {
        (true, _) => Completion::Complete,
        (false, true) => Completion::Incomplete(STOPPED_AT_FIRST.to_string()),
        (false, false) => completion(&options.limits, budget.reason()),
    };
    let outcomes = (0..properties.len())
        .map(|k| {
            let i = properties[k];
            let path = found(k);
            let verdict = Verdict::of(i, path.is_some(), complete, config);
            PropertyOutcome {
                property: i,
                verdict,
                counterexample: path.filter(|_| verdict == Verdict::Violated),
                shortest,
                distinct: None,
            }
        })
        .collect();
    CheckOutcome {
        properties: outcomes,
        statistics: Statistics {
            unique_states: searched.unique_states,
            generated_states: searched.generated_states,
            depth_max: searched.depth_max,
            seconds: searched.seconds,
        },
        completion,
        coverage: None,
        search,
    }
}

/// Our search for the first violation under `reduction`. With the read reduction, whose
/// paths can be longer than the shortest, a violation it finds is searched again with the
/// exact reductions only, and that search's outcome (and statistics) stands; if that one
/// stops at a limit first, the reduced path is printed, marked as not shortest. Returns the
/// outcome, whether its paths are shortest, and which search it was. A search a limit stops
/// is written to the run's checkpoint, if it has one; a run resumed in the second search
/// has the first's outcome from the checkpoint.
fn search_first(
    config: &Config,
    start: &System,
    conditions: &[Condition],
    options: CheckOptions,
    (budget, mut persist): (&Budget, Option<&mut Persist>),
) -> (search::Outcome, bool, String) {
    let (reduction, threads) = (options.reduction, options.threads);
    let violates = |outcome: &search::Outcome| {
        let always = |(c, _): &(usize, Vec<Action>)| conditions[*c].0 == Kind::Always;
        outcome.decided.iter().any(always)
    };
    let reduction = reduction.sound_for(&config.spec);
    let space = Space { config, reduction };
    let name = format!(
        "bfs, {threads} thread(s) (first violation), reduction {}",
        reduction.name()
    );
    let goal = Goal::FirstViolation;
    let resumed_exact = persist.as_mut().and_then(|p| match &mut p.resume {
        Some(saved) if saved.phase == Phase::Exact => saved.first.take(),
        _ => None,
    });
    let first = match resumed_exact {
        Some(first) => first,
        None => {
            let resume = persist.as_mut().and_then(|p| p.take(Phase::Main));
            let (first, stopped) =
                search::search_from(&space, start, conditions, goal, budget, threads, resume);
            if let (Some(persist), Some(snapshot)) = (persist.as_mut(), &stopped) {
                persist.stopped(Phase::Main, None, first.generated_states, snapshot);
            }
            first
        }
    };
    if !reduction.reads || !violates(&first) {
        return (first, true, name);
    }
    let exact = Space {
        config,
        reduction: reduction.exact(),
    };
    let resume = persist.as_mut().and_then(|p| p.take(Phase::Exact));
    let (again, stopped) =
        search::search_from(&exact, start, conditions, goal, budget, threads, resume);
    if let (Some(persist), Some(snapshot)) = (persist, &stopped) {
        // The budget counted the first search's states, its start included, then these.
        let generated = first.generated_states + again.generated_states - 1;
        persist.stopped(Phase::Exact, Some(&first), generated, snapshot);
    }
    let name = format!(
        "bfs, {threads} thread(s) (first violation): reduction {} found one in {} states, reduction {} \
         the shortest path",
        reduction.name(),
        first.unique_states,
        exact.reduction.name()
    );
    match violates(&again) {
        true => (again, true, name),
        false => (first, false, name),
    }
}
