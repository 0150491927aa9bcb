//! What the integration tests share, in one place: running the binary and scratch
//! directories here; the pitfall tests' models (clauses.rs) and steps (steps.rs), the small
//! models of the search comparisons (small.rs) and the runs they compare (engines.rs), the
//! probe's scripted IMAP server (fake_imap.rs), the Explorer served on a free port
//! (explorer.rs) and the fuzz suite's mutations (mutate.rs). Every test binary
//! (tests/*/main.rs, tests/*.rs) includes it and uses a part of it.
#![allow(dead_code)]

pub mod clauses;
pub mod engines;
pub mod explorer;
pub mod fake_imap;
pub mod mutate;
pub mod small;
pub mod steps;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use resync_check::check::{CheckOptions, CheckOutcome, Limits, Strategy, Verdict, check};
use resync_check::cli::args::ReduceArg;
use resync_check::properties::PROPERTIES;
use resync_check::reduce::Reduction;
use resync_check::system::{Action, Config};
use serde_json::Value;

/// The model file whose proof (every property holds, 7,479,837 states) takes most of
/// `verify models`' time: tests/exhaustive/longest_model.rs verifies it, the traces'
/// regeneration (tests/checker/traces.rs) every other.
pub const LONGEST_MODEL: &str = "models/clause-client-pipelining-on.json";

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `resync-check` with `base` then `more` from the project root.
pub fn run_with(base: &[&str], more: &[&str]) -> Output {
    run(&[base, more].concat())
}

/// `check` on a small model of `edition`: 2 clients, 1 message, `commands` commands each.
pub fn small_check(edition: &'static str, commands: &'static str) -> [&'static str; 9] {
    [
        "check",
        "--edition",
        edition,
        "--clients",
        "2",
        "--messages",
        "1",
        "--commands",
        commands,
    ]
}

/// Runs `resync-check` with `args` from the project root.
pub fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_resync-check"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("the binary runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// An empty directory of its own for this test process and `name`.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("resync-check-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `args`, expecting exit 2 with `message` on standard error, nothing on standard
/// output (the error comes before any work), and no panic.
pub fn refused(args: &[&str], message: &str) {
    let output = run(args);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
    assert!(err.contains(message), "{args:?}: stderr was {err}");
    assert!(err.starts_with("error: "), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{args:?}: {err}");
    assert_eq!(stdout(&output), "", "{args:?}");
}

pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

pub fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

pub fn write_json(path: &Path, value: &Value) {
    std::fs::write(path, serde_json::to_string_pretty(value).unwrap()).unwrap();
}

/// A check with `reduction`, on stateright's DFS on 2 threads (the engine these tests were
/// pinned on; our search gives the same counts and paths, tests/exhaustive/engines.rs).
/// Each property's verdict and counterexample length, in the order of `PROPERTIES`.
pub type Summary = Vec<(Verdict, Option<usize>)>;

/// Every property checked on `config`: the verdicts and the unique state count.
pub fn summary(config: Config, options: CheckOptions) -> (Summary, usize) {
    scripted_summary(config, &[], options)
}

/// Every property checked on `config` from the end of `script`: the verdicts and the unique
/// state count.
pub fn scripted_summary(
    config: Config,
    script: &[Action],
    options: CheckOptions,
) -> (Summary, usize) {
    let outcome = check(config, script, (0..PROPERTIES.len()).collect(), options);
    let verdicts = outcome
        .properties
        .iter()
        .map(|p| (p.verdict, p.counterexample.as_ref().map(Vec::len)))
        .collect();
    (verdicts, outcome.statistics.unique_states)
}

/// `properties` checked on `config` under every reduction (`options`).
pub fn check_reduced(config: Config, properties: Vec<usize>, keep_going: bool) -> CheckOutcome {
    check(config, &[], properties, options(Reduction::ALL, keep_going))
}

pub fn options(reduction: Reduction, keep_going: bool) -> CheckOptions {
    CheckOptions {
        strategy: Strategy::Dfs,
        threads: 1,
        limits: Limits::NONE,
        keep_going,
        progress: false,
        reduction,
    }
}

/// Every reduction `--reduce` offers, as it sets them. (`values` alone, nearly the
/// line-by-line space, only in tests/exhaustive/reduction_verdicts.rs's verdict comparison:
/// the others take it with the rest in `all-values`.)
pub fn reductions() -> [Reduction; 7] {
    [
        ReduceArg::Symmetry,
        ReduceArg::ReadOrder,
        ReduceArg::Reads,
        ReduceArg::Retire,
        ReduceArg::Exact,
        ReduceArg::All,
        ReduceArg::AllValues,
    ]
    .map(ReduceArg::reduction)
}
