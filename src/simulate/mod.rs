//! Seeded random walks beyond exhaustive reach. Walk `i` of seed `S` draws every choice from
//! ChaCha8 seeded with (S, i), so its path does not depend on the thread count, on which
//! thread ran it, or on the shard it ran in. Every property is checked at every state; a walk
//! ends at its step bound, at a state with no action, or once every `always` property checked
//! has been violated (a walk goes on after a first violation: resync-point-safe usually fails
//! steps before the views-converge failure it leads to). Results
//! are tallied with order-independent merges (sums, minima, register maxima), so the
//! summary is the same whatever order walks finish in.
//!
//! stateright's own simulation checker is not used: it records wrong paths when a step is a
//! no-op and seeds later walks from a non-portable RNG (docs/stateright-0.31.md, pitfall 3).

pub mod summary;
mod walks;

pub use walks::Walks;

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::client::Request;
use crate::distinct::Distinct;
use crate::imap::command::Target;
use crate::model_file::property_index;
use crate::properties::{Kind, PROPERTIES};
use crate::step::run::run as run_script;
use crate::system::{Action, Config, System};
use crate::trace::replay::{Replayed, replay};
use crate::trace::{Trace, model_flags};
use summary::SummaryFile;

/// How a walk picks among the enabled actions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Policy {
    /// Uniformly.
    Uniform,
    /// Swarm testing: each walk first switches off a random subset of action kinds (each
    /// with probability one half; reads never, or responses would pile up; the other agent's
    /// arrivals and removals count as one kind), then picks uniformly among what is left;
    /// where nothing is left, among everything enabled.
    Swarm,
}

impl Policy {
    /// The name the CLI and the summaries use.
    pub fn name(self) -> &'static str {
        match self {
            Policy::Uniform => "uniform",
            Policy::Swarm => "swarm",
        }
    }
}

/// Which walks this process runs: those whose index mod `count` is `index`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// Parses `I/N`.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let parsed = text
            .split_once('/')
            .and_then(|(i, n)| Some((i.parse::<u64>().ok()?, n.parse::<u64>().ok()?)));
        match parsed {
            Some((index, count)) if count > 0 && index < count => Ok(Shard { index, count }),
            _ => Err(format!(
                "expected I/N with 0 <= I < N (shard I of N), got `{text}`"
            )),
        }
    }
}

// In `limits`, below `trace`, which checks a trace's `reproduce` against them.
pub use crate::limits::{MAX_RUNS, MAX_STEPS};

#[derive(Clone, Debug)]
pub struct Options {
    pub seed: u64,
    pub runs: u64,
    pub steps: u64,
    pub threads: usize,
    pub policy: Policy,
    pub shard: Shard,
    /// Run only this walk (which must be below `runs`).
    pub walk: Option<u64>,
}

/// How many walks each property's tally keeps by index (the lowest ones).
pub const FIRST_KEPT: usize = 20;

/// What the walks found for one property.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Tally {
    /// Walks that violated it (`always`) or reached it (`sometimes`).
    pub walks: u64,
    /// The lowest such walks, as (walk, step), at most [`FIRST_KEPT`].
    pub first: Vec<(u64, u64)>,
}

impl Tally {
    fn add(&mut self, walk: u64, step: u64) {
        self.walks += 1;
        self.first.push((walk, step));
        self.first.sort();
        self.first.truncate(FIRST_KEPT);
    }

    pub fn merge(&mut self, other: &Tally) {
        self.walks += other.walks;
        self.first.extend(&other.first);
        self.first.sort();
        self.first.truncate(FIRST_KEPT);
    }
}

/// The result of a set of walks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    pub walks: u64,
    pub steps: u64,
    pub distinct: Distinct,
    /// Per property checked, in the order given.
    pub tallies: Vec<Tally>,
}

impl Summary {
    pub fn new(properties: usize) -> Summary {
        Summary {
            walks: 0,
            steps: 0,
            distinct: Distinct::default(),
            tallies: vec![Tally::default(); properties],
        }
    }

    pub fn merge(&mut self, other: &Summary) {
        self.walks += other.walks;
        self.steps += other.steps;
        self.distinct.merge(&other.distinct);
        for (a, b) in self.tallies.iter_mut().zip(&other.tallies) {
            a.merge(b);
        }
    }
}

/// The 32-byte ChaCha seed of walk `walk` of run seed `seed`: both, little-endian.
fn walk_rng(seed: u64, walk: u64) -> ChaCha8Rng {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    bytes[8..16].copy_from_slice(&walk.to_le_bytes());
    ChaCha8Rng::from_seed(bytes)
}

/// A uniform index below `n` (n > 0), by rejection: depends only on the ChaCha stream.
fn uniform(rng: &mut ChaCha8Rng, n: usize) -> usize {
    let n = n as u64;
    let zone = u64::MAX - u64::MAX % n;
    loop {
        let x = rng.next_u64();
        if x < zone {
            return (x % n) as usize;
        }
    }
}

/// Action kinds, for swarm testing.
fn kind(action: &Action) -> u32 {
    match action {
        Action::Read { .. } => 0,
        Action::Drop { .. } => 1,
        Action::Issue { request, .. } => match request {
            Request::Store {
                target: Target::Seq(_),
                ..
            } => 2,
            Request::Store {
                target: Target::Uid(_),
                ..
            } => 3,
            Request::Expunge => 4,
            Request::UidExpunge => 5,
            Request::Close => 6,
            // IDLE and DONE share NOOP's kind (a command that only waits for changes), and a
            // push the server steps' kind below: the kinds, and so every seeded walk of a
            // model without IDLE, stay as they were.
            Request::Noop | Request::Idle | Request::Done => 7,
            // The rest of a CONDSTORE resync shares the reconnect's kind: the kinds, and so
            // every seeded walk of a QRESYNC model, stay as they were.
            Request::Resync | Request::ChangedSince | Request::SearchAll => 8,
            Request::FetchNew => 9,
            Request::Status => 11,
            Request::FetchVanished => 13,
        },
        // The other agent, appending or moving away.
        Action::Arrive | Action::Remove { .. } => 10,
        Action::Renumber => 12,
        Action::Forget | Action::Push { .. } => 14,
        Action::Restart => 15,
    }
}

const KINDS: u32 = 16;

/// One walk's outcome.
pub struct Walk {
    pub steps: u64,
    /// The path taken, if asked for.
    pub path: Vec<Action>,
    /// Per property checked: the step at which it was first violated (`always`) or first
    /// reached (`sometimes`).
    pub hits: Vec<Option<u64>>,
}

/// Runs walk `index`. `distinct` sees every state visited.
pub fn walk(
    config: &Config,
    start: &System,
    properties: &[usize],
    options: &Options,
    index: u64,
    record: bool,
    distinct: &mut Distinct,
) -> Walk {
    let mut rng = walk_rng(options.seed, index);
    // Bit k set: kind k switched off for this walk. Reads (kind 0) never are.
    let off: u32 = match options.policy {
        Policy::Uniform => 0,
        Policy::Swarm => (rng.next_u32() & ((1 << KINDS) - 1)) & !1,
    };
    let mut state = start.clone();
    let mut hits = vec![None; properties.len()];
    let mut path = Vec::new();
    let mut actions = Vec::new();
    let mut choices = Vec::new();
    let mut steps = 0;
    distinct.insert(&state);
    let mut all_violated = check(&state, properties, 0, &mut hits);
    while !all_violated && steps < options.steps {
        actions.clear();
        state.actions(config, &mut actions);
        if actions.is_empty() {
            break;
        }
        choices.clear();
        choices.extend(actions.iter().filter(|a| off & (1 << kind(a)) == 0));
        let pool = if choices.is_empty() {
            &actions
        } else {
            &choices
        };
        let action = pool[uniform(&mut rng, pool.len())];
        state.apply(config, action);
        steps += 1;
        if record {
            path.push(action);
        }
        distinct.insert(&state);
        all_violated = check(&state, properties, steps, &mut hits);
    }
    Walk { steps, path, hits }
}

/// Records first hits at `step`; true once every `always` property has been violated.
fn check(state: &System, properties: &[usize], step: u64, hits: &mut [Option<u64>]) -> bool {
    let mut all_violated = properties
        .iter()
        .any(|i| PROPERTIES[*i].kind == Kind::Always);
    for (slot, &i) in properties.iter().enumerate() {
        if hits[slot].is_some() {
            continue;
        }
        let holds = (PROPERTIES[i].condition)(state);
        let always = PROPERTIES[i].kind == Kind::Always;
        if holds != always {
            hits[slot] = Some(step);
        } else if always {
            all_violated = false;
        }
    }
    all_violated
}

/// Runs every walk of `options` on `options.threads` threads. `progress` is called about
/// once a second with (walks done, steps done, always-violations so far).
pub fn run(
    config: &Config,
    start: &System,
    properties: &[usize],
    options: &Options,
    progress: &(dyn Fn(u64, u64, u64) + Sync),
) -> Summary {
    let indices = Walks::of(options);
    let next = AtomicU64::new(0);
    let done_walks = AtomicU64::new(0);
    let done_steps = AtomicU64::new(0);
    let violations = AtomicU64::new(0);
    let total = Mutex::new(Summary::new(properties.len()));
    std::thread::scope(|scope| {
        for _ in 0..options.threads {
            scope.spawn(|| {
                let mut local = Summary::new(properties.len());
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(index) = indices.get(k) else { break };
                    let walk = walk(
                        config,
                        start,
                        properties,
                        options,
                        index,
                        false,
                        &mut local.distinct,
                    );
                    local.walks += 1;
                    local.steps += walk.steps;
                    for (slot, hit) in walk.hits.iter().enumerate() {
                        if let Some(step) = hit {
                            local.tallies[slot].add(index, *step);
                            if PROPERTIES[properties[slot]].kind == Kind::Always {
                                violations.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                    }
                    done_walks.fetch_add(1, Ordering::Relaxed);
                    done_steps.fetch_add(walk.steps, Ordering::Relaxed);
                }
                total
                    .lock()
                    .expect("no thread panics holding it")
                    .merge(&local);
            });
        }
        let started = Instant::now();
        let mut last = started;
        while done_walks.load(Ordering::Relaxed) < indices.len() {
            std::thread::sleep(Duration::from_millis(50));
            if last.elapsed() >= Duration::from_secs(1) {
                last = Instant::now();
                progress(
                    done_walks.load(Ordering::Relaxed),
                    done_steps.load(Ordering::Relaxed),
                    violations.load(Ordering::Relaxed),
                );
            }
        }
    });
    total.into_inner().expect("no thread panicked")
}

/// A first violation: (property index, walk, steps before minimizing, minimized path).
pub type FirstViolation = (usize, u64, usize, Vec<Action>);

/// The first violating walk of each violated `always` property, as a minimized trace: the
/// walk's path (after the model's script) replayed, cut at the violation, minimized, and
/// recorded. An error if the summary's first walk does not violate the property where the
/// summary says.
pub fn first_violations(
    config: &Config,
    start: &System,
    script: &[Action],
    properties: &[usize],
    options: &Options,
    summary: &Summary,
) -> Result<Vec<FirstViolation>, String> {
    let mut out = Vec::new();
    for (slot, &i) in properties.iter().enumerate() {
        if PROPERTIES[i].kind != Kind::Always {
            continue;
        }
        let Some(&(index, step)) = summary.tallies[slot].first.first() else {
            continue;
        };
        let walk = walk(
            config,
            start,
            properties,
            options,
            index,
            true,
            &mut Distinct::default(),
        );
        // A summary from a file may say anything: the walk must bear it out.
        let name = PROPERTIES[i].name;
        match walk.hits[slot] {
            Some(hit) if hit == step => {}
            Some(hit) => {
                return Err(format!(
                    "the summary says walk {index} first violates {name} at step {step}, but \
                     it does at step {hit}"
                ));
            }
            None => {
                return Err(format!(
                    "the summary says walk {index} violates {name} (at step {step}), but it \
                     does not in its {} steps",
                    walk.steps
                ));
            }
        }
        let full: Vec<Action> = [script, &walk.path[..step as usize]].concat();
        let minimized = crate::trace::minimize::minimize(config, PROPERTIES[i].condition, &full);
        out.push((i, index, full.len(), minimized));
    }
    Ok(out)
}

/// The first violation of each violated `always` property in a simulation's summary, as
/// replayed, minimized traces with the command that reproduces each (`--walk`).
pub struct Found {
    pub walk: u64,
    /// The walk's steps up to the violation, before minimizing (the script included).
    pub steps_before: usize,
    pub trace: Trace,
    pub replayed: Replayed,
}

/// Rebuilds the model of `file` and returns its tallies and the traces of its first
/// violations. `script_file` is the model file, if its script is needed to reproduce them.
pub fn violation_traces(
    file: &SummaryFile,
    script_file: Option<&str>,
    threads: usize,
) -> Result<(Summary, Vec<Found>), String> {
    let config = file.model.config()?;
    let script = file
        .script
        .iter()
        .map(|s| s.action())
        .collect::<Result<Vec<Action>, _>>()?;
    let start =
        run_script(&config, &script).map_err(|(step, why)| format!("script step {step}: {why}"))?;
    let properties = file
        .properties
        .iter()
        .map(|n| property_index(n))
        .collect::<Result<Vec<usize>, _>>()?;
    let summary = file.summary()?;
    let options = Options {
        seed: file.seed,
        runs: file.runs,
        steps: file.steps,
        threads,
        policy: file.policy,
        shard: file.shard()?,
        walk: None,
    };
    let mut out = Vec::new();
    for (i, walk, before, actions) in
        first_violations(&config, &start, &script, &properties, &options, &summary)?
    {
        let name = PROPERTIES[i].name;
        let reproduce = format!(
            "resync-check simulate{} --property {name} --seed {} --runs {} --steps {} --policy {} --walk {walk}",
            model_flags(script_file, &file.model),
            file.seed,
            file.runs,
            file.steps,
            file.policy.name(),
        );
        let trace = Trace::record(
            file.model.clone(),
            &config,
            name,
            reproduce,
            &actions,
            false,
        );
        let replayed = replay(&trace).map_err(|e| {
            format!("internal error: the minimized walk {walk} of {name} does not replay: {e:?}")
        })?;
        out.push(Found {
            walk,
            steps_before: before,
            trace,
            replayed,
        });
    }
    Ok((summary, out))
}
