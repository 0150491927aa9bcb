//! The command line's grammar (clap): commands, flags and their values. Values are parsed
//! here with messages that name the problem; what they mean is the library's business.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

mod real;

pub use real::{ClientCommand, ExploreArgs, InterimapArgs, ProbeArgs, ProbeFormat, ServeArgs};

use crate::setup::{self, Bounds, Overrides};
use crate::simulate::{MAX_RUNS, MAX_STEPS, Shard};

/// Model checker for IMAP mailbox resynchronization (CONDSTORE/QRESYNC, RFC 5162, RFC 7162).
///
/// Exit codes: 0 every property holds (and every `sometimes` is reached) over the complete
/// bounded space, or a trace replays; 1 a property is violated, a `sometimes` is never
/// reached, a model file's expectation is not met, or a trace does not replay; 2 bad input or
/// usage; 3 stopped at a limit with nothing found.
#[derive(Parser)]
#[command(name = "resync-check", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
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
    /// Measure how the checker scales: the standard bounds, whole spaces, one process each.
    Bench(BenchArgs),
    /// Serve stateright's Explorer over a model, in IMAP's words; `--trace` opens it at a
    /// saved trace's last state.
    Explore(ExploreArgs),
    /// List editions, clauses and properties.
    List,
    /// Run conformance scenarios against a real IMAP server and check the model with what it
    /// does.
    Probe(ProbeArgs),
    /// Serve the model's mailbox to a real IMAP client: every choice the text leaves the
    /// server, and the model's other clients' changes, seeded or scripted.
    Serve(ServeArgs),
    /// Put a real IMAP client through `serve`, run after run, and judge what it kept.
    #[command(subcommand)]
    Client(ClientCommand),
}

/// A whole number; `-1` gets this message rather than clap's tip to write `-- -1`, which
/// would be read as the model file.
pub fn whole(text: &str) -> Result<u64, String> {
    let negative =
        text.len() > 1 && text.starts_with('-') && text[1..].chars().all(|c| c.is_ascii_digit());
    if negative {
        return Err(format!(
            "`{text}` is negative: give a whole number, 0 or more"
        ));
    }
    text.parse::<u64>()
        .map_err(|_| format!("`{text}` is not a whole number"))
}

fn ranged(text: &str, min: u64, max: u64) -> Result<u64, String> {
    let n = whole(text)?;
    if n < min || n > max {
        return Err(format!("`{n}` is out of range: give {min} to {max}"));
    }
    Ok(n)
}

fn positive(text: &str) -> Result<u64, String> {
    ranged(text, 1, u64::MAX)
}

fn threads(text: &str) -> Result<u64, String> {
    ranged(text, 1, 64)
}

fn runs(text: &str) -> Result<u64, String> {
    ranged(text, 1, MAX_RUNS)
}

fn steps(text: &str) -> Result<u64, String> {
    ranged(text, 1, MAX_STEPS)
}

#[derive(Clone, Copy, ValueEnum)]
pub enum StrategyArg {
    Bfs,
    Dfs,
    Stateright,
}

/// Which sound reductions decide verdicts (docs/checker.md, "Reductions"). Counterexamples are
/// searched without the read macro-steps, so they stay shortest.
#[derive(Clone, Copy, ValueEnum)]
pub enum ReduceArg {
    /// Symmetry, read order, read macro-steps and retired clients.
    All,
    /// The reductions that keep paths shortest: symmetry and read order.
    Exact,
    /// One state per class of states equal up to renaming clients.
    Symmetry,
    /// A client reads only right after its own last step.
    ReadOrder,
    /// A client reads a response whole right after its command, or a prefix and drops.
    Reads,
    /// A client that can take no step again, and no property fail on, becomes a placeholder.
    Retire,
    /// Every reduction of `all`, and mod-sequences renamed to close the gaps no run can tell
    /// apart (where mod-sequences only grow).
    AllValues,
    /// Mod-sequences renamed to close the gaps no run can tell apart, alone.
    Values,
    /// The line-by-line model, every state.
    None,
}

impl ReduceArg {
    pub fn reduction(self) -> crate::reduce::Reduction {
        use crate::reduce::Reduction;
        let (symmetry, read_order, reads, retire, values) = match self {
            ReduceArg::All => (true, true, true, true, false),
            ReduceArg::Exact => (true, true, false, false, false),
            ReduceArg::Symmetry => (true, false, false, false, false),
            ReduceArg::ReadOrder => (false, true, false, false, false),
            ReduceArg::Reads => (false, false, true, false, false),
            ReduceArg::Retire => (false, false, false, true, false),
            ReduceArg::AllValues => (true, true, true, true, true),
            ReduceArg::Values => (false, false, false, false, true),
            ReduceArg::None => (false, false, false, false, false),
        };
        Reduction {
            symmetry,
            read_order,
            reads,
            retire,
            values,
        }
    }
}

/// How `check` and `verify` print their verdicts.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VerdictFormat {
    Text,
    /// One JSON object with the same fields as the text (see docs/commands.md).
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum MatrixFormat {
    Text,
    Markdown,
    Json,
}

#[derive(clap::Args)]
pub struct MatrixArgs {
    /// The edition each row changes one clause of.
    #[arg(long, default_value = "rfc7162")]
    pub base: String,
    #[arg(long, value_enum, default_value = "text")]
    pub format: MatrixFormat,
    #[command(flatten)]
    pub bounds: BoundArgs,
    /// Checker threads per row.
    #[arg(long, default_value_t = 2, value_parser = threads, allow_negative_numbers = true)]
    pub threads: u64,
    /// The reductions each row's check applies.
    #[arg(long, value_enum, default_value = "all")]
    pub reduce: ReduceArg,
    /// Stop each row's check when the memory in use reaches SIZE (512M, 4G; default three
    /// quarters of the machine's memory).
    #[arg(long, value_name = "SIZE", value_parser = crate::limits::parse_size)]
    pub max_memory: Option<u64>,
    /// Instead of printing, replace the text between the lines `<!-- matrix: begin -->` and
    /// `<!-- matrix: end -->` of FILE with the markdown matrix.
    #[arg(long, value_name = "FILE", conflicts_with = "format")]
    pub into: Option<PathBuf>,
    /// Instead of printing, compare the markdown matrix with the one between FILE's markers
    /// and exit 1, naming the first line that differs, if they differ (FILE is not changed).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["format", "into"])]
    pub check: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum PolicyArg {
    Uniform,
    Swarm,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Text,
    Markdown,
    Svg,
}

#[derive(clap::Args)]
pub struct RunArgs {
    /// Search of a whole-space run (`--keep-going`, `verify`): `bfs` is our breadth-first
    /// search on --threads threads, `dfs` our depth-first one on one thread (the least CPU
    /// and memory a state), `stateright` stateright's depth-first one on --threads threads;
    /// counterexamples are always shortest.
    #[arg(long, value_enum, default_value = "bfs")]
    pub strategy: StrategyArg,
    /// Checker threads. Verdicts, state counts of complete runs and counterexamples do not
    /// depend on it.
    #[arg(long, default_value_t = 2, value_parser = threads, allow_negative_numbers = true)]
    pub threads: u64,
    /// The sound reductions that decide verdicts: state counts are those of the reduced
    /// space; `none` explores every state of the line-by-line model.
    #[arg(long, value_enum, default_value = "all")]
    pub reduce: ReduceArg,
    /// Stop after this many generated states (the run is then incomplete).
    #[arg(long, value_parser = positive, allow_negative_numbers = true)]
    pub max_states: Option<u64>,
    /// Stop after this many seconds (the run is then incomplete).
    #[arg(long, value_parser = positive, allow_negative_numbers = true)]
    pub max_seconds: Option<u64>,
    /// Stop when the memory in use reaches SIZE (512M, 4G; default three quarters of the
    /// machine's memory); the run is then incomplete.
    #[arg(long, value_name = "SIZE", value_parser = crate::limits::parse_size)]
    pub max_memory: Option<u64>,
    /// Write each violated property's trace to DIR/<model>.<property>.json, .txt and .svg.
    #[arg(long, value_name = "DIR")]
    pub save: Option<PathBuf>,
    /// With --save: record the state after every step in the JSON.
    #[arg(long, requires = "save")]
    pub snapshots: bool,
    /// Print a progress line on stderr every two seconds (states, states per second, depth,
    /// memory, elapsed time); the default when stderr is a terminal.
    #[arg(long)]
    pub progress: bool,
    /// Print the verdicts as text or as one JSON object.
    #[arg(long, value_enum, default_value = "text")]
    pub format: VerdictFormat,
}

/// The bounds of a model.
#[derive(clap::Args)]
pub struct BoundArgs {
    /// Client replicas (default 2).
    #[arg(long, value_parser = whole, allow_negative_numbers = true)]
    pub clients: Option<u64>,
    /// Messages in the mailbox at the start (default 2).
    #[arg(long, value_parser = whole, allow_negative_numbers = true)]
    pub messages: Option<u64>,
    /// Commands each client may issue, reconnects included (default 2; 20 for simulate).
    #[arg(long, value_parser = whole, allow_negative_numbers = true)]
    pub commands: Option<u64>,
    /// Messages another agent may append during the run (default 0).
    #[arg(long, value_parser = whole, allow_negative_numbers = true)]
    pub arrivals: Option<u64>,
    /// Of those, messages the other agent may move away again, as a filter does right after
    /// delivery (default 0).
    #[arg(long, value_parser = whole, allow_negative_numbers = true)]
    pub removals: Option<u64>,
}

impl BoundArgs {
    pub fn bounds(&self) -> Bounds {
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
pub struct ModelArgs {
    /// A model file; flags override what it sets.
    pub model: Option<PathBuf>,
    /// The spec edition under test (default rfc5162).
    #[arg(long)]
    pub edition: Option<String>,
    /// Override one clause of the edition: NAME=VALUE (repeatable, each clause once; see
    /// `list`).
    #[arg(long = "clause", value_parser = setup::clause_assignment)]
    pub clauses: Vec<(String, String)>,
    #[command(flatten)]
    pub bounds: BoundArgs,
    /// Check only this property (repeatable, each property once; default all).
    #[arg(long = "property")]
    pub properties: Vec<String>,
}

impl ModelArgs {
    pub fn overrides(&self) -> Overrides {
        Overrides {
            model: self.model.clone(),
            edition: self.edition.clone(),
            clauses: self.clauses.clone(),
            bounds: self.bounds.bounds(),
            properties: self.properties.clone(),
        }
    }

    /// The model flags again, as a command line names them (without `--property`): for a
    /// `serve` process to run the same model.
    pub fn flags(&self) -> Vec<String> {
        let mut flags = Vec::new();
        if let Some(file) = &self.model {
            flags.push(file.display().to_string());
        }
        if let Some(edition) = &self.edition {
            flags.extend(["--edition".into(), edition.clone()]);
        }
        for (clause, value) in &self.clauses {
            flags.extend(["--clause".into(), format!("{clause}={value}")]);
        }
        let bounds = &self.bounds;
        for (name, value) in [
            ("--clients", bounds.clients),
            ("--messages", bounds.messages),
            ("--commands", bounds.commands),
            ("--arrivals", bounds.arrivals),
            ("--removals", bounds.removals),
        ] {
            if let Some(value) = value {
                flags.extend([name.to_string(), value.to_string()]);
            }
        }
        flags
    }
}

#[derive(clap::Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    #[command(flatten)]
    pub run: RunArgs,
    /// Explore the whole space and decide every property (with --strategy and --threads).
    /// Without it, check stops at the first violated `always` property, found by our
    /// breadth-first search on --threads threads, so its counterexample is shortest.
    #[arg(long)]
    pub keep_going: bool,
    /// Print up to N counterexamples per violated property, each the shortest of its view
    /// (the clauses its `responsible:` line names and the commands sent, clients renamed
    /// alike): the search goes on past the first violation to find them (1 to 100).
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = counterexamples,
          allow_negative_numbers = true)]
    pub counterexamples: u64,
    /// If a limit or Ctrl-C stops the search, write it to FILE (tree, visited set,
    /// frontier, counters) for --resume; our breadth-first search only.
    #[arg(long, value_name = "FILE")]
    pub checkpoint: Option<PathBuf>,
    /// Go on from the search a stopped run of the same model wrote with --checkpoint: the
    /// run ends with the counts, verdicts and counterexamples of one that never stopped.
    #[arg(long, value_name = "FILE")]
    pub resume: Option<PathBuf>,
    /// After a complete run, count the transitions of the explored (reduced) graph: each
    /// action kind per agent, each server choice, and for each clause value away from the
    /// edition's, the transitions where it changed what happened; what the bounds never
    /// exercised is listed first. A run stopped early (first violation, a limit) has none.
    #[arg(long)]
    pub coverage: bool,
}

fn counterexamples(text: &str) -> Result<u64, String> {
    ranged(text, 1, crate::check::views::MAX_COUNTEREXAMPLES)
}

#[derive(clap::Args)]
pub struct SimulateArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    /// The run's seed: walk I draws its choices from ChaCha8 seeded with (SEED, I).
    #[arg(long, value_parser = whole, allow_negative_numbers = true)]
    pub seed: u64,
    /// How many walks the run has.
    #[arg(long, value_parser = runs, allow_negative_numbers = true)]
    pub runs: u64,
    /// The most steps a walk takes.
    #[arg(long, value_parser = steps, allow_negative_numbers = true)]
    pub steps: u64,
    /// How a walk picks its next action.
    #[arg(long, value_enum, default_value = "uniform")]
    pub policy: PolicyArg,
    /// Worker threads. The output does not depend on it.
    #[arg(long, default_value_t = 2, value_parser = threads, allow_negative_numbers = true)]
    pub threads: u64,
    /// Run only the walks whose index mod N is I (I/N), for N machines.
    #[arg(long, value_parser = Shard::parse, allow_hyphen_values = true)]
    pub shard: Option<Shard>,
    /// Run only walk I of the run (as the reproduce command of a violation does).
    #[arg(long, value_parser = whole, allow_negative_numbers = true, conflicts_with = "summary")]
    pub walk: Option<u64>,
    /// Write the JSON summary (for `merge`) to FILE.
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
    /// Write each violated property's first trace to DIR/<model>.<property>.json, .txt, .svg.
    #[arg(long, value_name = "DIR")]
    pub save: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct MergeArgs {
    /// The shards' summaries, as `simulate --shard I/N --summary FILE` writes them.
    #[arg(required = true)]
    pub summaries: Vec<PathBuf>,
    /// Write the merged JSON summary to FILE.
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
    /// Write each violated property's first trace to DIR/<model>.<property>.json, .txt, .svg.
    #[arg(long, value_name = "DIR")]
    pub save: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct VerifyArgs {
    /// Model files or directories (default: models/).
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(clap::Args)]
pub struct TraceArg {
    /// A trace file, as `check --save` writes it.
    pub trace: PathBuf,
}

#[derive(clap::Args)]
pub struct RenderArgs {
    /// A trace file, as `check --save` writes it.
    pub trace: PathBuf,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

#[derive(clap::Args)]
pub struct MinimizeArgs {
    /// A trace file; its steps may come without lines (a hand-written scenario).
    pub trace: PathBuf,
    /// Where to write the minimized trace (default: standard output).
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct BenchArgs {
    /// The editions to measure (default rfc7162).
    #[arg(long = "edition", value_name = "EDITION")]
    pub editions: Vec<String>,
    /// The reductions to measure, each over the whole set (default all and none).
    #[arg(long = "reduce", value_enum, value_name = "REDUCTION")]
    pub reductions: Vec<ReduceArg>,
    /// The search of every row, as `check --strategy` (`dfs` runs on one thread whatever
    /// --threads says).
    #[arg(long, value_enum, default_value = "bfs")]
    pub strategy: StrategyArg,
    /// Checker threads of every row, as `check --threads`.
    #[arg(long, default_value_t = 2, value_parser = threads, allow_negative_numbers = true)]
    pub threads: u64,
    /// Stop each row after this many seconds (its row then says so).
    #[arg(long, default_value_t = 600, value_parser = positive, allow_negative_numbers = true)]
    pub max_seconds: u64,
    /// Also write the rows as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    pub save: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The values other than the default are the ones a reproduce command may carry
    /// (trace/reproduce.rs), spelled as clap spells them.
    #[test]
    fn the_reduce_names_are_the_command_lines() {
        let name = |r: &ReduceArg| r.to_possible_value().unwrap().get_name().to_string();
        let variants = ReduceArg::value_variants();
        assert_eq!(name(&variants[0]), "all");
        let others: Vec<String> = variants[1..].iter().map(name).collect();
        assert_eq!(others, crate::reduce::OTHER_REDUCE_NAMES);
    }
}
