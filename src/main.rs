//! The command line: parse, call the library, print, exit with the documented code.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use resync_check::check::{CheckOptions, CheckOutcome, Limits, Strategy, check};
use resync_check::matrix;
use resync_check::model_file::{self, property_index};
use resync_check::properties::Kind;
use resync_check::report;
use resync_check::setup::{self, Bounds, ModelSetup, Overrides};
use resync_check::simulate::summary::{SummaryFile, merge};
use resync_check::simulate::{self, Policy, Shard};
use resync_check::system::Action;
use resync_check::trace::minimize::minimize;
use resync_check::trace::replay::{ReplayError, Replayed, replay, run};
use resync_check::trace::save::save;
use resync_check::trace::{self, ModelInfo, Trace, markdown, svg, text};

/// Model checker for IMAP mailbox resynchronization (CONDSTORE/QRESYNC, RFC 5162, RFC 7162).
///
/// Exit codes: 0 every property holds (and every `sometimes` is reached) over the complete
/// bounded space, or a trace replays; 1 a property is violated, a `sometimes` is never
/// reached, a model file's expectation is not met, or a trace does not replay; 2 bad input or
/// usage; 3 stopped at a limit with nothing found.
#[derive(Parser)]
#[command(name = "resync-check", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Explore every interleaving within the bounds and check each property.
    Check(CheckArgs),
    /// Check model files (or every *.json in a directory) against their expected verdicts.
    Verify(VerifyArgs),
    /// Re-execute a saved trace and confirm it still ends in its violation.
    Replay(TraceArg),
    /// Render a saved trace as text, markdown or SVG.
    Render(RenderArgs),
    /// Drop steps from a trace while it still ends in its violation.
    Minimize(MinimizeArgs),
    /// Seeded random walks, for bounds beyond exhaustive reach.
    Simulate(SimulateArgs),
    /// Merge the JSON summaries of a simulation's shards into the whole run's.
    Merge(MergeArgs),
    /// Check every other value of every clause, alone, and each erratum alone.
    Matrix(MatrixArgs),
    /// List editions, clauses and properties.
    List,
}

#[derive(Clone, Copy, ValueEnum)]
enum StrategyArg {
    Bfs,
    Dfs,
}

#[derive(Clone, Copy, ValueEnum)]
enum MatrixFormat {
    Text,
    Markdown,
    Json,
}

#[derive(clap::Args)]
struct MatrixArgs {
    /// The edition each row changes one clause of.
    #[arg(long, default_value = "rfc7162")]
    base: String,
    #[arg(long, value_enum, default_value = "text")]
    format: MatrixFormat,
    #[command(flatten)]
    bounds: BoundArgs,
    /// Checker threads per row.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..=64))]
    threads: u64,
    /// Instead of printing, replace the text between the lines `<!-- matrix: begin -->` and
    /// `<!-- matrix: end -->` of FILE with the markdown matrix.
    #[arg(long, value_name = "FILE", conflicts_with = "format")]
    into: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum PolicyArg {
    Uniform,
    Swarm,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Markdown,
    Svg,
}

#[derive(clap::Args)]
struct RunArgs {
    /// Exploration order of the exhaustive check (counterexamples are always shortest).
    #[arg(long, value_enum, default_value = "dfs")]
    strategy: StrategyArg,
    /// Checker threads. Verdicts, state counts of complete runs and counterexamples do not
    /// depend on it.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..=64))]
    threads: u64,
    /// Stop after this many generated states (the run is then incomplete).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    max_states: Option<u64>,
    /// Stop after this many seconds (the run is then incomplete).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    max_seconds: Option<u64>,
    /// Write each violated property's trace to DIR/<model>.<property>.json, .txt and .svg.
    #[arg(long, value_name = "DIR")]
    save: Option<PathBuf>,
    /// With --save: record the state after every step in the JSON.
    #[arg(long, requires = "save")]
    snapshots: bool,
}

/// The bounds of a model.
#[derive(clap::Args)]
struct BoundArgs {
    /// Client replicas (default 2).
    #[arg(long)]
    clients: Option<u64>,
    /// Messages in the mailbox at the start (default 2).
    #[arg(long)]
    messages: Option<u64>,
    /// Commands each client may issue, reconnects included (default 2; 20 for simulate).
    #[arg(long)]
    commands: Option<u64>,
    /// Messages another agent may append during the run (default 0).
    #[arg(long)]
    arrivals: Option<u64>,
    /// Of those, messages the other agent may move away again, as a filter does right after
    /// delivery (default 0).
    #[arg(long)]
    removals: Option<u64>,
}

impl BoundArgs {
    fn bounds(&self) -> Bounds {
        Bounds {
            clients: self.clients,
            messages: self.messages,
            commands: self.commands,
            arrivals: self.arrivals,
            removals: self.removals,
        }
    }
}

/// What selects the model, for `check` and `simulate`.
#[derive(clap::Args)]
struct ModelArgs {
    /// A model file; flags override what it sets.
    model: Option<PathBuf>,
    /// The spec edition under test (default rfc5162).
    #[arg(long)]
    edition: Option<String>,
    /// Override one clause of the edition: NAME=VALUE (repeatable; see `list`).
    #[arg(long = "clause", value_parser = setup::clause_assignment)]
    clauses: Vec<(String, String)>,
    #[command(flatten)]
    bounds: BoundArgs,
    /// Check only this property (repeatable; default all).
    #[arg(long = "property")]
    properties: Vec<String>,
}

impl ModelArgs {
    fn overrides(&self) -> Overrides {
        Overrides {
            model: self.model.clone(),
            edition: self.edition.clone(),
            clauses: self.clauses.clone(),
            bounds: self.bounds.bounds(),
            properties: self.properties.clone(),
        }
    }
}

#[derive(clap::Args)]
struct CheckArgs {
    #[command(flatten)]
    model: ModelArgs,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(clap::Args)]
struct SimulateArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// The run's seed: walk I draws its choices from ChaCha8 seeded with (SEED, I).
    #[arg(long)]
    seed: u64,
    /// How many walks the run has.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1_000_000_000))]
    runs: u64,
    /// The most steps a walk takes.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    steps: u64,
    /// How a walk picks its next action.
    #[arg(long, value_enum, default_value = "uniform")]
    policy: PolicyArg,
    /// Worker threads. The output does not depend on it.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..=64))]
    threads: u64,
    /// Run only the walks whose index mod N is I (I/N), for N machines.
    #[arg(long, value_parser = Shard::parse)]
    shard: Option<Shard>,
    /// Run only walk I of the run (as the reproduce command of a violation does).
    #[arg(long)]
    walk: Option<u64>,
    /// Write the JSON summary (for `merge`) to FILE.
    #[arg(long, value_name = "FILE")]
    summary: Option<PathBuf>,
    /// Write each violated property's first trace to DIR/<model>.<property>.json, .txt, .svg.
    #[arg(long, value_name = "DIR")]
    save: Option<PathBuf>,
}

#[derive(clap::Args)]
struct MergeArgs {
    /// The shards' summaries, as `simulate --shard I/N --summary FILE` writes them.
    #[arg(required = true)]
    summaries: Vec<PathBuf>,
    /// Write the merged JSON summary to FILE.
    #[arg(long, value_name = "FILE")]
    summary: Option<PathBuf>,
    /// Write each violated property's first trace to DIR/<model>.<property>.json, .txt, .svg.
    #[arg(long, value_name = "DIR")]
    save: Option<PathBuf>,
}

#[derive(clap::Args)]
struct VerifyArgs {
    /// Model files or directories (default: models/).
    paths: Vec<PathBuf>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(clap::Args)]
struct TraceArg {
    /// A trace file, as `check --save` writes it.
    trace: PathBuf,
}

#[derive(clap::Args)]
struct RenderArgs {
    /// A trace file, as `check --save` writes it.
    trace: PathBuf,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

#[derive(clap::Args)]
struct MinimizeArgs {
    /// A trace file; its steps may come without lines (a hand-written scenario).
    trace: PathBuf,
    /// Where to write the minimized trace (default: standard output).
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check(args) => run_check(args),
        Command::Verify(args) => run_verify(args),
        Command::Replay(args) => run_replay(&args.trace),
        Command::Render(args) => run_render(&args),
        Command::Minimize(args) => run_minimize(&args),
        Command::Simulate(args) => run_simulate(&args),
        Command::Merge(args) => run_merge(&args),
        Command::Matrix(args) => run_matrix(&args),
        Command::List => {
            print!("{}", report::list());
            Ok(0)
        }
    };
    match code {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            eprintln!("resync-check: error: {message}");
            ExitCode::from(2)
        }
    }
}

fn options(run: &RunArgs) -> CheckOptions {
    CheckOptions {
        strategy: match run.strategy {
            StrategyArg::Bfs => Strategy::Bfs,
            StrategyArg::Dfs => Strategy::Dfs,
        },
        threads: run.threads as usize,
        limits: Limits {
            max_states: run.max_states.map(|n| n as usize),
            max_seconds: run.max_seconds,
        },
    }
}

/// Checks a model; for each violated property, records its trace and replays it.
fn check_model(model: &ModelSetup, run: &RunArgs) -> (CheckOutcome, Vec<(Trace, Replayed)>) {
    let properties = model.properties.clone();
    let outcome = check(model.config, &model.script, properties, options(run));
    let traces = trace::record_violations(model, &outcome, run.snapshots);
    (outcome, traces)
}

fn print_header(model: &ModelSetup) {
    print!(
        "{}",
        text::header(&model.name, &model.edition, &model.config)
    );
    if let Some(description) = &model.description {
        println!("  {description}");
    }
    if !model.script.is_empty() {
        println!("  (follows a script of {} steps first)", model.script.len());
    }
    println!();
}

fn run_check(args: CheckArgs) -> Result<u8, String> {
    let model = setup::prepare(&args.model.overrides(), setup::DEFAULT_COMMANDS.into())?;
    print_header(&model);
    let (outcome, traces) = check_model(&model, &args.run);
    print!("{}", report::verdicts(&outcome));
    print!("{}", report::counterexamples(&traces));
    print!("{}", report::summary(&outcome, &options(&args.run)));
    if let Some(dir) = &args.run.save {
        save(dir, &traces)?;
    }
    Ok(report::exit_code(&outcome) as u8)
}

fn run_verify(args: VerifyArgs) -> Result<u8, String> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("models")]
    } else {
        args.paths
    };
    let mut files = Vec::new();
    for path in &paths {
        files.extend(model_file::files(path)?);
    }
    // Load every file first: a malformed one is bad input, reported before any run.
    let loaded = files
        .iter()
        .map(|f| model_file::load(f))
        .collect::<Result<Vec<_>, _>>()?;
    let mut models = Vec::new();
    for file in &loaded {
        let Some(expect) = &file.expect else {
            return Err(format!("{}: no `expect` to verify", file.path.display()));
        };
        models.push((file, expect, setup::of_file(file)?));
    }
    let mut failures = 0;
    for (file, expect, model) in &models {
        let (outcome, traces) = check_model(model, &args.run);
        if let Some(dir) = &args.run.save {
            save(dir, &traces)?;
            trace::save::save_script(dir, model)?;
        }
        let mismatches = model_file::mismatches(expect, &outcome);
        let states = outcome.statistics.unique_states;
        let seconds = outcome.statistics.seconds;
        let status = if mismatches.is_empty() {
            "ok  "
        } else {
            "FAIL"
        };
        println!(
            "{status}  {} ({states} states, {seconds:.1} s)",
            file.path.display()
        );
        for m in &mismatches {
            println!("      {m}");
        }
        failures += usize::from(!mismatches.is_empty());
    }
    println!("{} passed, {failures} failed", models.len() - failures);
    Ok(if failures == 0 { 0 } else { 1 })
}

fn load_trace(path: &Path) -> Result<Trace, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    Trace::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Replays a trace; Err(code) after printing why it does not replay.
fn replayed(path: &Path, trace: &Trace) -> Result<Result<Replayed, u8>, String> {
    match replay(trace) {
        Ok(replayed) => Ok(Ok(replayed)),
        Err(ReplayError::Invalid(why)) => Err(format!("{}: {why}", path.display())),
        Err(ReplayError::Diverged { step, why }) => {
            let what = match trace.steps.get(step - 1) {
                Some(s) => {
                    let kind = s.kind.name();
                    match s.client {
                        Some(client) => format!("step {step} ({client} {kind})"),
                        None => format!("step {step} ({kind})"),
                    }
                }
                None => "after the last step".to_string(),
            };
            println!("{}: does not replay: {what}: {why}", path.display());
            Ok(Err(1))
        }
    }
}

fn run_replay(path: &Path) -> Result<u8, String> {
    let trace = load_trace(path)?;
    Ok(match replayed(path, &trace)? {
        Ok(r) => {
            println!(
                "{}: replays: {} steps, and the last state violates {}",
                path.display(),
                r.actions.len(),
                r.property.name
            );
            0
        }
        Err(code) => code,
    })
}

fn run_render(args: &RenderArgs) -> Result<u8, String> {
    let trace = load_trace(&args.trace)?;
    let replayed = match replayed(&args.trace, &trace)? {
        Ok(r) => r,
        Err(code) => return Ok(code),
    };
    let rendered = match args.format {
        Format::Text => text::render(&trace, &replayed),
        Format::Markdown => markdown::render(&trace, &replayed),
        Format::Svg => svg::render(&trace, &replayed),
    };
    print!("{rendered}");
    Ok(0)
}

fn run_minimize(args: &MinimizeArgs) -> Result<u8, String> {
    let shown = args.trace.display();
    let trace = load_trace(&args.trace)?;
    let config = trace.model.config().map_err(|e| format!("{shown}: {e}"))?;
    let property = resync_check::properties::property(&trace.property)
        .filter(|p| p.kind == Kind::Always)
        .ok_or_else(|| format!("{shown}: `{}` is not an `always` property", trace.property))?;
    let actions = trace.actions().map_err(|e| format!("{shown}: {e}"))?;
    match run(&config, &actions) {
        Err((step, why)) => {
            println!("{shown}: does not run: step {step}: {why}");
            return Ok(1);
        }
        Ok(last) if (property.condition)(&last) => {
            println!(
                "{shown}: its steps end in no violation of {}",
                property.name
            );
            return Ok(1);
        }
        Ok(_) => {}
    }
    let shorter = minimize(&config, property.condition, &actions);
    let reproduce = format!("resync-check minimize {shown}");
    let minimized = Trace::record(
        trace.model.clone(),
        &config,
        property.name,
        reproduce,
        &shorter,
        false,
    );
    eprintln!(
        "removed {} of {} steps ({} remain)",
        actions.len() - shorter.len(),
        actions.len(),
        shorter.len()
    );
    match &args.output {
        Some(path) => std::fs::write(path, minimized.to_json())
            .map_err(|e| format!("{}: {e}", path.display()))?,
        None => print!("{}", minimized.to_json()),
    }
    Ok(0)
}

/// Commands per client when `simulate` is not told: enough for walks of a few hundred steps.
const SIMULATE_COMMANDS: u64 = 20;

fn run_simulate(args: &SimulateArgs) -> Result<u8, String> {
    let model = setup::prepare(&args.model.overrides(), SIMULATE_COMMANDS)?;
    if let Some(walk) = args.walk.filter(|w| *w >= args.runs) {
        return Err(format!("--walk {walk} is not below --runs {}", args.runs));
    }
    if let (Some(walk), Some(shard)) = (args.walk, args.shard) {
        if walk % shard.count != shard.index {
            return Err(format!(
                "--walk {walk} is not in --shard {}/{}",
                shard.index, shard.count
            ));
        }
    }
    let options = simulate::Options {
        seed: args.seed,
        runs: args.runs,
        steps: args.steps,
        threads: args.threads as usize,
        policy: match args.policy {
            PolicyArg::Uniform => Policy::Uniform,
            PolicyArg::Swarm => Policy::Swarm,
        },
        shard: args.shard.unwrap_or(Shard::ALL),
        walk: args.walk,
    };
    print_header(&model);
    let start = run(&model.config, &model.script).expect("prepare checked the script");
    let started = std::time::Instant::now();
    let progress = |walks: u64, steps: u64, violations: u64| {
        let seconds = started.elapsed().as_secs_f64();
        eprintln!(
            "simulate: {walks} walks, {steps} steps, {:.0} steps/s, {violations} violation(s)",
            steps as f64 / seconds
        );
    };
    let summary = simulate::run(
        &model.config,
        &start,
        &model.properties,
        &options,
        &progress,
    );
    let seconds = started.elapsed().as_secs_f64();
    let info = ModelInfo::new(&model.name, &model.edition, &model.config);
    let script: Vec<trace::Step> = model.script.iter().map(|a| trace::Step::bare(*a)).collect();
    let file = SummaryFile::new(
        info,
        model.description.clone(),
        script,
        &model.properties,
        &options,
        &summary,
    );
    let code = report_simulation(
        &file,
        model.script_file.as_deref(),
        args.save.as_deref(),
        args.threads,
    )?;
    eprintln!(
        "simulate: {} walks, {} steps in {seconds:.2} s: {:.0} steps/s, {:.0} walks/s",
        summary.walks,
        summary.steps,
        summary.steps as f64 / seconds,
        summary.walks as f64 / seconds
    );
    if let Some(path) = &args.summary {
        std::fs::write(path, file.to_json()).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(code)
}

fn run_merge(args: &MergeArgs) -> Result<u8, String> {
    let mut files = Vec::new();
    for path in &args.summaries {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        files.push(SummaryFile::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))?);
    }
    let merged = merge(&files)?;
    let config = merged.model.config()?;
    let script = merged
        .script
        .iter()
        .map(|s| s.action())
        .collect::<Result<Vec<Action>, _>>()?;
    let prepared = ModelSetup {
        name: merged.model.name.clone(),
        edition: merged.model.edition.clone(),
        description: merged.description.clone(),
        config,
        script,
        script_file: None,
        properties: Vec::new(),
    };
    print_header(&prepared);
    let code = report_simulation(&merged, None, args.save.as_deref(), 2)?;
    if let Some(path) = &args.summary {
        std::fs::write(path, merged.to_json()).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(code)
}

/// Prints a simulation's summary and the minimized trace of each violated property's first
/// walk; saves those with `save`. 1 if a property was violated, else 3: walks prove nothing.
fn report_simulation(
    file: &SummaryFile,
    script_file: Option<&str>,
    save_dir: Option<&Path>,
    threads: u64,
) -> Result<u8, String> {
    let (summary, found) = simulate::violation_traces(file, script_file, threads as usize)?;
    let properties = file
        .properties
        .iter()
        .map(|n| property_index(n))
        .collect::<Result<Vec<usize>, _>>()?;
    print!("{}", report::simulation(file, &summary, &properties));
    let mut traces = Vec::new();
    for found in found {
        println!(
            "\n== {} violated: walk {} of seed {}, {} steps, minimized to {} ({} removed)",
            found.trace.property,
            found.walk,
            file.seed,
            found.steps_before,
            found.trace.steps.len(),
            found.steps_before - found.trace.steps.len()
        );
        print!("{}", text::body(&found.trace, &found.replayed));
        traces.push((found.trace, found.replayed));
    }
    if let Some(dir) = save_dir {
        save(dir, &traces)?;
    }
    Ok(if traces.is_empty() { 3 } else { 1 })
}

const MATRIX_BEGIN: &str = "<!-- matrix: begin -->\n";
const MATRIX_END: &str = "<!-- matrix: end -->\n";

fn run_matrix(args: &MatrixArgs) -> Result<u8, String> {
    let config = setup::config(&args.base, &[], args.bounds.bounds())?;
    let options = CheckOptions {
        strategy: Strategy::Dfs,
        threads: args.threads as usize,
        limits: Limits {
            max_states: None,
            max_seconds: None,
        },
    };
    let started = std::time::Instant::now();
    let built = matrix::build(&args.base, config, options)?;
    eprintln!(
        "matrix: {} rows in {:.1} s",
        built.rows.len() + built.errata.len(),
        started.elapsed().as_secs_f64()
    );
    if let Some(path) = &args.into {
        let shown = path.display();
        let text = std::fs::read_to_string(path).map_err(|e| format!("{shown}: {e}"))?;
        let (Some(begin), Some(end)) = (text.find(MATRIX_BEGIN), text.find(MATRIX_END)) else {
            return Err(format!(
                "{shown}: no `<!-- matrix: begin -->` and `<!-- matrix: end -->` lines"
            ));
        };
        let updated = format!(
            "{}{MATRIX_BEGIN}{}{}",
            &text[..begin],
            matrix::markdown(&built),
            &text[end..]
        );
        std::fs::write(path, updated).map_err(|e| format!("{shown}: {e}"))?;
        return Ok(0);
    }
    print!(
        "{}",
        match args.format {
            MatrixFormat::Text => matrix::text(&built),
            MatrixFormat::Markdown => matrix::markdown(&built),
            MatrixFormat::Json => matrix::json(&built),
        }
    );
    Ok(0)
}
