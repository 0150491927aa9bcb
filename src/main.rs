//! The command line: parse, call the library, print, exit with the documented code.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use resync_check::check::{CheckOptions, Limits, Strategy, check};
use resync_check::model_file::{self, property_index};
use resync_check::properties::{Kind, PROPERTIES};
use resync_check::report;
use resync_check::setup::{self, Bounds};
use resync_check::spec::{EDITIONS, clauses};

/// Model checker for IMAP mailbox resynchronization (CONDSTORE/QRESYNC, RFC 5162, RFC 7162).
///
/// Exit codes: 0 every property holds (and every `sometimes` is reached) over the complete
/// bounded space; 1 a property is violated, a `sometimes` is never reached, or a model file's
/// expectation is not met; 2 bad input or usage; 3 stopped at a limit with nothing found.
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
    /// List editions, clauses and properties.
    List,
}

#[derive(Clone, Copy, ValueEnum)]
enum StrategyArg {
    Bfs,
    Dfs,
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
}

#[derive(clap::Args)]
struct CheckArgs {
    /// A model file; flags override what it sets.
    model: Option<PathBuf>,
    /// The spec edition under test (default rfc5162).
    #[arg(long)]
    edition: Option<String>,
    /// Override one clause of the edition: NAME=VALUE (repeatable; see `list`).
    #[arg(long = "clause", value_parser = setup::clause_assignment)]
    clauses: Vec<(String, String)>,
    /// Client replicas (default 2).
    #[arg(long)]
    clients: Option<u64>,
    /// Messages in the mailbox at the start (default 2).
    #[arg(long)]
    messages: Option<u64>,
    /// Commands each client may issue, reconnects included (default 2).
    #[arg(long)]
    commands: Option<u64>,
    /// Check only this property (repeatable; default all).
    #[arg(long = "property")]
    properties: Vec<String>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(clap::Args)]
struct VerifyArgs {
    /// Model files or directories (default: models/).
    paths: Vec<PathBuf>,
    #[command(flatten)]
    run: RunArgs,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check(args) => run_check(args),
        Command::Verify(args) => run_verify(args),
        Command::List => {
            print!("{}", list());
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

fn run_check(args: CheckArgs) -> Result<u8, String> {
    let file = args.model.as_deref().map(model_file::load).transpose()?;
    let flags = Bounds {
        clients: args.clients,
        messages: args.messages,
        commands: args.commands,
    };
    let (name, edition, mut clauses, bounds, mut properties) = match &file {
        Some(f) => (
            f.name.clone(),
            f.edition.clone(),
            f.clauses.clone(),
            flags.or(f.bounds),
            f.properties.clone(),
        ),
        None => (
            "(flags)".to_string(),
            setup::DEFAULT_EDITION.to_string(),
            Vec::new(),
            flags,
            (0..PROPERTIES.len()).collect(),
        ),
    };
    // Flags override the file field by field: --edition replaces its edition, and --clause
    // overrides apply after the file's own.
    let edition = args.edition.unwrap_or(edition);
    clauses.extend(args.clauses.iter().cloned());
    if !args.properties.is_empty() {
        properties = args
            .properties
            .iter()
            .map(|n| property_index(n))
            .collect::<Result<_, _>>()?;
    }
    let config = setup::config(&edition, &clauses, bounds)?;
    let options = options(&args.run);
    print!("{}", report::header(&name, &edition, &config));
    if let Some(f) = &file {
        println!("  {}", f.description);
    }
    println!();
    let outcome = check(config, properties, options);
    print!("{}", report::verdicts(&outcome));
    print!("{}", report::counterexamples(&config, &outcome));
    print!("{}", report::summary(&outcome, &options));
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
    let models = files
        .iter()
        .map(|f| model_file::load(f))
        .collect::<Result<Vec<_>, _>>()?;
    let options = options(&args.run);
    let mut failures = 0;
    for model in &models {
        let config = setup::config(&model.edition, &model.clauses, model.bounds)
            .map_err(|e| format!("{}: {e}", model.path.display()))?;
        let Some(expect) = &model.expect else {
            return Err(format!("{}: no `expect` to verify", model.path.display()));
        };
        let outcome = check(config, model.properties.clone(), options);
        let mismatches = model_file::mismatches(expect, &outcome);
        let states = outcome.statistics.unique_states;
        let seconds = outcome.statistics.seconds;
        if mismatches.is_empty() {
            println!(
                "ok    {} ({states} states, {seconds:.1} s)",
                model.path.display()
            );
        } else {
            failures += 1;
            println!(
                "FAIL  {} ({states} states, {seconds:.1} s)",
                model.path.display()
            );
            for m in mismatches {
                println!("      {m}");
            }
        }
    }
    println!("{} passed, {failures} failed", models.len() - failures);
    Ok(if failures == 0 { 0 } else { 1 })
}

fn list() -> String {
    let mut out = String::from("editions:\n");
    for e in &EDITIONS {
        out.push_str(&format!("  {:<10} {}\n", e.name, e.summary));
        let values: Vec<String> = e
            .spec
            .values()
            .iter()
            .map(|(c, v)| format!("{c}={v}"))
            .collect();
        out.push_str(&format!("  {:<10} {}\n", "", values.join(" ")));
    }
    out.push_str("\nclauses (--clause NAME=VALUE):\n");
    for c in clauses() {
        out.push_str(&format!("  {}: {}\n", c.name, c.summary));
        for (value, source) in c.values {
            out.push_str(&format!("    {value:<15} {source}\n"));
        }
    }
    out.push_str("\nproperties (--property NAME):\n");
    for p in &PROPERTIES {
        let kind = match p.kind {
            Kind::Always => "always",
            Kind::Sometimes => "sometimes",
        };
        out.push_str(&format!(
            "  {} ({kind}): {}\n    {}\n",
            p.name, p.summary, p.section
        ));
    }
    out
}
