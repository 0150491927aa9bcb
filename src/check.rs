//! Runs a check: stateright explores the bounded space for the verdicts and statistics, then
//! a deterministic BFS finds the shortest counterexample for each violated property.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use stateright::{Checker, HasDiscoveries, Model};

use crate::model::ResyncModel;
use crate::properties::{Kind, PROPERTIES};
use crate::shortest::shortest_counterexample;
use crate::system::{Action, Config, System};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    Bfs,
    Dfs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Stop after this many generated states (stateright checks it per block of 1500).
    pub max_states: Option<usize>,
    pub max_seconds: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckOptions {
    pub strategy: Strategy,
    pub threads: usize,
    pub limits: Limits,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// An `always` property held in every state of the complete bounded space.
    Holds,
    /// An `always` property failed in a reachable state.
    Violated,
    /// A `sometimes` property held in a reachable state.
    Reached,
    /// A `sometimes` property held in no state of the complete bounded space: vacuous model.
    Unreached,
    /// The run stopped at a limit before deciding.
    Undecided,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Holds => "holds",
            Verdict::Violated => "violated",
            Verdict::Reached => "reached",
            Verdict::Unreached => "unreached",
            Verdict::Undecided => "undecided",
        }
    }

    /// Whether this verdict makes the check fail (exit 1).
    pub fn is_failure(self) -> bool {
        matches!(self, Verdict::Violated | Verdict::Unreached)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Completion {
    Complete,
    /// Stopped by a limit; the string says which.
    Incomplete(String),
}

#[derive(Clone, Debug)]
pub struct Statistics {
    pub unique_states: usize,
    pub generated_states: usize,
    /// In states along a path, the initial state counting 1 (stateright's convention).
    pub depth_max: usize,
    pub seconds: f64,
}

impl Statistics {
    pub fn states_per_second(&self) -> f64 {
        if self.seconds > 0.0 {
            self.unique_states as f64 / self.seconds
        } else {
            0.0
        }
    }
}

pub struct PropertyOutcome {
    /// Index into [`PROPERTIES`].
    pub property: usize,
    pub verdict: Verdict,
    /// For a violated property: the shortest path to a violating state.
    pub counterexample: Option<Vec<Action>>,
}

pub struct CheckOutcome {
    pub properties: Vec<PropertyOutcome>,
    pub statistics: Statistics,
    pub completion: Completion,
}

impl CheckOutcome {
    pub fn verdict(&self, name: &str) -> Option<Verdict> {
        self.properties
            .iter()
            .find(|p| PROPERTIES[p.property].name == name)
            .map(|p| p.verdict)
    }
}

/// A property name no model has: waiting for it to be discovered keeps stateright exploring
/// the whole space even after every real property is decided, so state counts are those of
/// the complete space and do not depend on thread timing.
const NEVER_DISCOVERED: &str = "(explore the whole space)";

/// Checks `properties` over every state reachable from the state `script` leads to (the
/// initial state when it is empty). The states along the script are checked too; a
/// counterexample includes the script. `script` must run (see `trace::replay::run`).
pub fn check(
    config: Config,
    script: &[Action],
    properties: Vec<usize>,
    options: CheckOptions,
) -> CheckOutcome {
    let (start, prefix_hits) = walk_script(&config, script, &properties);
    let model = ResyncModel {
        config,
        start: start.clone(),
        properties: properties.clone(),
    };
    let mut builder = model
        .checker()
        .threads(options.threads)
        .finish_when(HasDiscoveries::AllOf(BTreeSet::from([NEVER_DISCOVERED])));
    if let Some(n) = options.limits.max_states {
        builder = builder.target_state_count(n);
    }
    if let Some(s) = options.limits.max_seconds {
        builder = builder.timeout(Duration::from_secs(s));
    }
    let started = Instant::now();
    let (statistics, discovered) = match options.strategy {
        Strategy::Bfs => finish(builder.spawn_bfs().join(), started),
        Strategy::Dfs => finish(builder.spawn_dfs().join(), started),
    };
    let completion = completion(&options.limits, &statistics);
    let complete = completion == Completion::Complete;
    let properties = properties
        .into_iter()
        .map(|i| {
            let in_script = prefix_hits.iter().find(|(p, _)| *p == i).map(|(_, n)| *n);
            let found = in_script.is_some() || discovered.contains(PROPERTIES[i].name);
            let verdict = match (PROPERTIES[i].kind, found, complete) {
                (Kind::Always, true, _) => Verdict::Violated,
                (Kind::Always, false, true) => Verdict::Holds,
                (Kind::Sometimes, true, _) => Verdict::Reached,
                (Kind::Sometimes, false, true) => Verdict::Unreached,
                (_, false, false) => Verdict::Undecided,
            };
            let counterexample = (verdict == Verdict::Violated).then(|| match in_script {
                Some(n) => script[..n].to_vec(),
                None => {
                    let path = shortest_counterexample(&config, &start, PROPERTIES[i].condition)
                        .expect("a state stateright found violating is reachable by BFS");
                    [script, &path].concat()
                }
            });
            PropertyOutcome {
                property: i,
                verdict,
                counterexample,
            }
        })
        .collect();
    CheckOutcome {
        properties,
        statistics,
        completion,
    }
}

/// The state after `script`, and for each property decided inside the script (an `always`
/// one failing, a `sometimes` one holding, at a state before its end) the number of script
/// steps to the first such state.
fn walk_script(
    config: &Config,
    script: &[Action],
    properties: &[usize],
) -> (System, Vec<(usize, usize)>) {
    let mut state = System::initial(config);
    let mut hits: Vec<(usize, usize)> = Vec::new();
    for n in 0..script.len() {
        if n > 0 {
            state.apply(config, script[n - 1]);
        }
        for &i in properties {
            let holds = (PROPERTIES[i].condition)(&state);
            let decided = match PROPERTIES[i].kind {
                Kind::Always => !holds,
                Kind::Sometimes => holds,
            };
            if decided && !hits.iter().any(|(p, _)| *p == i) {
                hits.push((i, n));
            }
        }
    }
    if let Some(last) = script.last() {
        state.apply(config, *last);
    }
    (state, hits)
}

fn finish<C: Checker<ResyncModel>>(
    checker: C,
    start: Instant,
) -> (Statistics, BTreeSet<&'static str>) {
    let statistics = Statistics {
        unique_states: checker.unique_state_count(),
        generated_states: checker.state_count(),
        depth_max: checker.max_depth(),
        seconds: start.elapsed().as_secs_f64(),
    };
    let discovered = checker.discoveries().into_keys().collect();
    (statistics, discovered)
}

/// stateright reports a run stopped by a limit as done (stateright-0.31.md, pitfall 5), so
/// the limits are judged here. A run that ends within a second of its time limit is counted
/// as stopped by it: the conservative answer.
fn completion(limits: &Limits, statistics: &Statistics) -> Completion {
    if let Some(n) = limits
        .max_states
        .filter(|n| statistics.generated_states >= *n)
    {
        return Completion::Incomplete(format!("stopped at the state limit (--max-states {n})"));
    }
    if let Some(s) = limits
        .max_seconds
        .filter(|s| statistics.seconds + 1.0 >= *s as f64)
    {
        return Completion::Incomplete(format!("stopped at the time limit (--max-seconds {s})"));
    }
    Completion::Complete
}
