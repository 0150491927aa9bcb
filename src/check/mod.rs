//! Runs a check. By default our breadth-first search (`search/`) looks for the first
//! violation and stops there, as TLC and Spin do: a shallow violation ends the run at once
//! at any bound, with a shortest counterexample. With `keep_going`, the whole bounded space
//! is explored for every verdict and the statistics: by our breadth-first search
//! (`whole_space.rs`, `Strategy::Bfs`, the default), or depth first, by ours (`dfs.rs`) or
//! stateright's (`stateright.rs`), then one more pass of our breadth-first search for the
//! shortest counterexample of each violated property (`after_run.rs`).

mod after_run;
pub mod coverage;
mod dfs;
mod first_violation;
mod stateright;
pub mod views;
mod whole_space;

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::checkpoint::Persist;
use crate::limits::{Budget, Stop, Watcher, show_size};
use crate::properties::{Kind, PROPERTIES};
use crate::reduce::Reduction;
use crate::search::Condition;
use crate::spec::Spec;
use crate::system::{Action, Config, System};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// Our breadth-first search, on `threads` threads.
    Bfs,
    /// Our depth-first search, on one thread.
    Dfs,
    /// stateright's depth-first search, on `threads` threads.
    Stateright,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Stop after this many generated states, exactly (see `limits.rs`).
    pub max_states: Option<usize>,
    pub max_seconds: Option<u64>,
    /// Stop when the resident memory reaches this many bytes; the shortest-counterexample
    /// search after the run obeys it too.
    pub max_memory: Option<u64>,
}

impl Limits {
    /// No limit: the run goes on until the space is exhausted.
    pub const NONE: Limits = Limits {
        max_states: None,
        max_seconds: None,
        max_memory: None,
    };
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckOptions {
    pub strategy: Strategy,
    pub threads: usize,
    pub limits: Limits,
    /// Explore the whole space and decide every property (with `strategy` and `threads`);
    /// otherwise stop at the first violated `always` property (our breadth-first search, on
    /// `threads` threads).
    pub keep_going: bool,
    /// Print a progress line on stderr every two seconds.
    pub progress: bool,
    /// The reductions that decide verdicts; counterexample paths come from a search with
    /// `reduction.exact()` only, so they stay shortest (see `reduce/mod.rs`).
    pub reduction: Reduction,
}

/// Why the properties a first-violation run did not decide are undecided.
pub const STOPPED_AT_FIRST: &str = "stopped at the first violation; --keep-going explores the rest";

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
    /// A `sometimes` property whose state the bounds cannot reach (`Property::needs`):
    /// neither reached nor a vacuous model.
    NotApplicable,
    /// The run stopped at a limit before deciding.
    Undecided,
}

impl Verdict {
    /// Property `i`'s verdict: `hit` says its state was found (a violation of an `always`
    /// one, a state where a `sometimes` one holds); without it, only a complete run decides.
    /// A `sometimes` property whose state `config` cannot reach is not applicable.
    pub(crate) fn of(i: usize, hit: bool, complete: bool, config: &Config) -> Verdict {
        let property = &PROPERTIES[i];
        match (property.kind, hit) {
            (Kind::Always, true) => Verdict::Violated,
            (Kind::Always, false) if complete => Verdict::Holds,
            (Kind::Sometimes, true) => Verdict::Reached,
            (Kind::Sometimes, false) if property.not_applicable(config) => Verdict::NotApplicable,
            (Kind::Sometimes, false) if complete => Verdict::Unreached,
            (_, false) => Verdict::Undecided,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Verdict::Holds => "holds",
            Verdict::Violated => "violated",
            Verdict::Reached => "reached",
            Verdict::Unreached => "unreached",
            Verdict::NotApplicable => "not applicable",
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
    /// For a violated property: the shortest path to a violating state (or, if `shortest`
    /// is false, the path stateright found).
    pub counterexample: Option<Vec<Action>>,
    /// Whether `counterexample` is shortest: false when the search for the shortest stopped
    /// at the memory limit.
    pub shortest: bool,
    /// With `--counterexamples N` above 1, for a violated property: the counterexamples of
    /// distinct views (views.rs). None otherwise.
    pub distinct: Option<views::Distinct>,
}

pub struct CheckOutcome {
    pub properties: Vec<PropertyOutcome>,
    pub statistics: Statistics,
    pub completion: Completion,
    /// Which search explored: `bfs, 2 thread(s) (first violation)`, or the strategy
    /// and threads.
    pub search: String,
    /// With `--coverage`: the counts of a complete run, or why there are none (the run or
    /// the coverage walk stopped before the space's end). None without it.
    pub coverage: Option<Result<coverage::Coverage, String>>,
}

impl CheckOutcome {
    pub fn verdict(&self, name: &str) -> Option<Verdict> {
        self.properties
            .iter()
            .find(|p| PROPERTIES[p.property].name == name)
            .map(|p| p.verdict)
    }
}

/// Checks `properties` over every state reachable from the state `script` leads to (the
/// initial state when it is empty). The states along the script are checked too; a
/// counterexample includes the script. `script` must run (see `step::run::run`).
pub fn check(
    config: Config,
    script: &[Action],
    properties: Vec<usize>,
    options: CheckOptions,
) -> CheckOutcome {
    check_distinct(config, script, properties, options, 1, None)
}

/// [`check`], then for each violated property up to `counterexamples` counterexamples of
/// distinct views (views.rs), within the same limits; with `coverage` (the edition's spec
/// and name), the counts of `--coverage` (coverage/). At 1 and None it is [`check`].
pub fn check_distinct(
    config: Config,
    script: &[Action],
    properties: Vec<usize>,
    options: CheckOptions,
    counterexamples: usize,
    coverage: Option<(&Spec, &str)>,
) -> CheckOutcome {
    let asked = (counterexamples, coverage);
    run(config, script, properties, options, asked, None)
}

/// [`check`], resumed from `persist.resume` if it holds a checkpoint of this run, and
/// writing a checkpoint to `persist.checkpoint` if a limit or Ctrl-C stops it (see
/// `checkpoint/`). Our breadth-first search only: a whole-space run depth first, or a search
/// for more counterexamples (`--counterexamples`), is refused.
pub fn check_resumable(
    config: Config,
    script: &[Action],
    properties: Vec<usize>,
    options: CheckOptions,
    counterexamples: usize,
    persist: &mut Persist,
) -> Result<CheckOutcome, String> {
    check_resumable_options(&options, counterexamples)?;
    let outcome = run(
        config,
        script,
        properties,
        options,
        (1, None),
        Some(persist),
    );
    Ok(outcome)
}

/// Refuses the options [`check_resumable`] cannot checkpoint.
pub fn check_resumable_options(
    options: &CheckOptions,
    counterexamples: usize,
) -> Result<(), String> {
    if options.keep_going && options.strategy != Strategy::Bfs {
        return Err(
            "--checkpoint and --resume work with the breadth-first search only \
                    (--strategy bfs), not with a depth-first one"
                .to_string(),
        );
    }
    if counterexamples > 1 {
        return Err(
            "--checkpoint and --resume do not go with --counterexamples above 1".to_string(),
        );
    }
    Ok(())
}

/// The check, with what else was asked: up to `counterexamples` per violated property, and
/// the coverage counts with the edition's spec and name.
fn run(
    config: Config,
    script: &[Action],
    properties: Vec<usize>,
    options: CheckOptions,
    (counterexamples, coverage): (usize, Option<(&Spec, &str)>),
    persist: Option<&mut Persist>,
) -> CheckOutcome {
    let watcher = Watcher::new();
    let budget = Arc::new(match options.progress {
        true => Budget::counting(options.limits.max_states),
        false => Budget::new(options.limits.max_states),
    });
    if let Some(saved) = persist.as_ref().and_then(|p| p.resume.as_ref()) {
        budget.resume_at(saved.generated);
    }
    let deadline = options
        .limits
        .max_seconds
        .map(|s| Instant::now() + Duration::from_secs(s));
    std::thread::scope(|scope| {
        let (watcher, budget) = (&watcher, &budget);
        let (max_memory, progress) = (options.limits.max_memory, options.progress);
        scope.spawn(move || watcher.watch(budget, deadline, max_memory, progress));
        // Ends the watcher however the check ends (a panic included), or the scope would
        // wait for it for ever.
        let _finish = Finish(watcher);
        let (start, prefix_hits) = walk_script(&config, script, &properties);
        let mut outcome = check_watched(
            config,
            script,
            (&start, &prefix_hits),
            properties,
            options,
            budget,
            persist,
        );
        if counterexamples > 1 {
            let settings = (options.reduction, &options.limits);
            views::add_distinct(
                &config,
                script,
                &start,
                &mut outcome,
                counterexamples,
                settings,
                budget,
            );
        }
        if let Some(edition) = coverage {
            outcome.coverage = Some(match &outcome.completion {
                Completion::Incomplete(why) => Err(why.clone()),
                Completion::Complete => {
                    let after = budget.after_run();
                    coverage::coverage(
                        &config,
                        (script, &start),
                        options.reduction,
                        edition,
                        &after,
                    )
                    .ok_or_else(|| {
                        match completion(&options.limits, budget.reason()) {
                            Completion::Incomplete(why) => why,
                            Completion::Complete => coverage::OUT_OF_BUDGET.to_string(),
                        }
                    })
                }
            });
        }
        outcome
    })
}

struct Finish<'a>(&'a Watcher);

impl Drop for Finish<'_> {
    fn drop(&mut self) {
        self.0.finish();
    }
}

fn check_watched(
    config: Config,
    script: &[Action],
    (start, prefix_hits): (&System, &[(usize, usize)]),
    properties: Vec<usize>,
    options: CheckOptions,
    budget: &Arc<Budget>,
    persist: Option<&mut Persist>,
) -> CheckOutcome {
    if !options.keep_going {
        return first_violation::first_violation(
            &config,
            script,
            (start, prefix_hits),
            properties,
            options,
            (budget, persist),
        );
    }
    let script_end = (start, prefix_hits);
    match options.strategy {
        Strategy::Bfs => whole_space::whole_space(
            &config,
            script,
            script_end,
            properties,
            options,
            (budget, persist),
        ),
        Strategy::Dfs => dfs::whole_space(&config, script, script_end, properties, options, budget),
        Strategy::Stateright => {
            stateright::whole_space(config, script, script_end, properties, options, budget)
        }
    }
}

pub(crate) fn condition(i: usize) -> Condition {
    (PROPERTIES[i].kind, PROPERTIES[i].condition)
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

/// stateright reports a run stopped by a limit as done (docs/stateright-0.31.md, pitfall 5); the
/// budget knows which limit, if any, stopped it.
pub(crate) fn completion(limits: &Limits, stopped: Option<Stop>) -> Completion {
    let why = match stopped {
        None => return Completion::Complete,
        Some(Stop::States) => format!(
            "stopped at the state limit (--max-states {})",
            limits.max_states.unwrap_or_default()
        ),
        Some(Stop::Time) => format!(
            "stopped at the time limit (--max-seconds {})",
            limits.max_seconds.unwrap_or_default()
        ),
        Some(Stop::Memory) => format!(
            "stopped at the memory limit (--max-memory {})",
            show_size(limits.max_memory.unwrap_or_default())
        ),
        Some(Stop::Interrupt) => "stopped by Ctrl-C".to_string(),
    };
    Completion::Incomplete(why)
}
