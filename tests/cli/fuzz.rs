//! The fuzz suite: structured mutations of every committed model file and trace, and of a
//! simulation summary, run through the library's own parse, replay, render, minimize and
//! merge (no subprocesses, so thousands of cases take seconds). Each mutant must be either
//! rejected with a clear error or accepted, and an accepted trace must print exactly what
//! the original prints: no mutant that changes a printed claim replays. Only the model's
//! name may change, as it is a label (see `replay::check_name`).
//!
//! Every runner has a fixed seed, so a run tries the same cases every time:
//! `cargo test --release --test cli fuzz::` (a failure prints the mutation, shrunk).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use serde_json::{Value, json};

use resync_check::check::{CheckOptions, Limits, Strategy as Order, check};
use resync_check::model_file;
use resync_check::properties::{Kind, property};
use resync_check::setup;
use resync_check::simulate::summary::{SummaryFile, merge};
use resync_check::simulate::{self, Options, Policy, Shard};
use resync_check::step::run::run;
use resync_check::system::System;
use resync_check::trace::minimize::minimize;
use resync_check::trace::replay::{ReplayError, check_lines, replay};
use resync_check::trace::{ModelInfo, Trace, markdown, svg, text};

use crate::common;
use crate::common::mutate;
use common::root;
use mutate::{apply, mutation};

/// Mutants tried per committed file (32 traces, 25 models) and for the summary.
const CASES_PER_TRACE: u32 = 128;
const CASES_PER_MODEL: u32 = 64;
const SUMMARY_CASES: u32 = 800;

/// How the mutants fared, printed at the end of each test (`--nocapture` shows it).
static REFUSED: AtomicU64 = AtomicU64::new(0);
static ACCEPTED: AtomicU64 = AtomicU64::new(0);
static UNCHANGED: AtomicU64 = AtomicU64::new(0);

fn tally(what: &str) {
    let [refused, accepted, unchanged] =
        [&REFUSED, &ACCEPTED, &UNCHANGED].map(|c| c.swap(0, Ordering::Relaxed));
    eprintln!(
        "fuzz {what}: {refused} mutants refused, {accepted} accepted, {unchanged} mutations \
         that changed nothing"
    );
}

/// A rejection a person can act on: said, not too long, in the file's terms, never the
/// tool's own fault.
fn clear(message: &str) -> Result<(), TestCaseError> {
    prop_assert!(!message.trim().is_empty(), "an empty error");
    prop_assert!(message.len() < 4000, "an error of {} bytes", message.len());
    let internal = [
        "struct ",
        "enum ",
        "RawModel",
        "RawExpect",
        "expected u8",
        "expected u32",
        "expected u64",
        "expected usize",
        // serde's words for a JSON array ("invalid type: sequence", "expected a
        // sequence"), not the property `sequence-numbers-as-told`.
        "type: sequence",
        "a sequence",
        "internal error",
        "panicked",
    ];
    for word in internal {
        prop_assert!(!message.contains(word), "`{}` in: {}", word, message);
    }
    Ok(())
}

/// A mutant refused, for the tally: its message must be clear.
fn refused(message: &str) -> Result<(), TestCaseError> {
    REFUSED.fetch_add(1, Ordering::Relaxed);
    clear(message)
}

/// Bytes that are not UTF-8 are refused when the file is read: the message must be clear.
fn text_of(bytes: Vec<u8>) -> Result<Option<String>, TestCaseError> {
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Some(text)),
        Err(e) => {
            // One file per call: the fuzz tests run on several threads of one process.
            static NEXT: AtomicUsize = AtomicUsize::new(0);
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let name = format!("resync-fuzz-{}-{n}", std::process::id());
            let path = std::env::temp_dir().join(name);
            std::fs::write(&path, e.as_bytes()).unwrap();
            let read = resync_check::json::read_text(&path);
            let _ = std::fs::remove_file(&path);
            refused(&read.expect_err("bytes that are not UTF-8 are refused"))?;
            Ok(None)
        }
    }
}

fn runner(seed: u8, cases: u32) -> TestRunner {
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 200,
        ..Config::default()
    };
    TestRunner::new_with_rng(
        config,
        TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]),
    )
}

fn committed(dir: &str) -> Vec<(PathBuf, String)> {
    let mut out: Vec<(PathBuf, String)> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect();
    out.sort();
    out
}

/// What a trace prints: text, markdown and SVG.
fn rendered(trace: &Trace, name: &str) -> Result<[String; 3], TestCaseError> {
    let mut labelled = trace.clone();
    labelled.model.name = name.to_string();
    let replayed = replay(trace).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
    Ok([
        text::render(&labelled, &replayed),
        markdown::render(&labelled, &replayed),
        svg::render(&labelled, &replayed),
    ])
}

/// `minimize` as the command line runs it; a minimized path must still run and violate.
fn minimized(trace: &Trace) -> Result<(), TestCaseError> {
    let Ok(config) = trace.model.config() else {
        return Ok(());
    };
    let Some(property) = property(&trace.property).filter(|p| p.kind == Kind::Always) else {
        return Ok(());
    };
    let Ok(actions) = trace.actions() else {
        return Ok(());
    };
    let Ok(last) = run(&config, &actions) else {
        return Ok(());
    };
    if (property.condition)(&last) {
        return Ok(());
    }
    if let Err((_, why)) = check_lines(trace, &config, &actions) {
        return clear(&why);
    }
    let shorter = minimize(&config, property.condition, &actions);
    prop_assert!(shorter.len() <= actions.len());
    let end = run(&config, &shorter).map_err(|(_, why)| TestCaseError::fail(why))?;
    prop_assert!(
        !(property.condition)(&end),
        "a minimized path that violates nothing"
    );
    Ok(())
}

fn trace_mutant(
    bytes: Vec<u8>,
    original: &Trace,
    prints: &[String; 3],
) -> Result<(), TestCaseError> {
    let Some(text) = text_of(bytes)? else {
        return Ok(());
    };
    let trace = match Trace::from_json(&text) {
        Err(e) => return refused(&e),
        Ok(trace) => trace,
    };
    match replay(&trace) {
        Err(ReplayError::Invalid(e) | ReplayError::Claim(e)) => refused(&e)?,
        Err(ReplayError::Diverged { why, .. }) => refused(&why)?,
        Ok(replayed) => {
            ACCEPTED.fetch_add(1, Ordering::Relaxed);
            // What the trace says of itself is what the original says.
            let mut labelled = trace.model.clone();
            labelled.name = original.model.name.clone();
            prop_assert_eq!(&labelled, &original.model);
            prop_assert_eq!(&trace.property, &original.property);
            prop_assert_eq!(&trace.reproduce, &original.reproduce);
            prop_assert_eq!(&trace.tool, &original.tool);
            if replayed.actions == original.actions().unwrap() {
                // The same steps print the same, whatever else the mutation touched.
                let now = rendered(&trace, &original.model.name)?;
                for (what, (a, b)) in ["text", "markdown", "svg"]
                    .iter()
                    .zip(now.iter().zip(prints))
                {
                    prop_assert!(a == b, "a mutant that replays prints another {}", what);
                }
            } else {
                // Other steps (a step the violation does not need, dropped): they must run
                // and end in the violation, checked here apart from `replay`.
                let property = property(&trace.property).unwrap();
                let end = run(&replayed.config, &replayed.actions)
                    .map_err(|(_, why)| TestCaseError::fail(why))?;
                prop_assert!(!(property.condition)(&end));
            }
        }
    }
    minimized(&trace)
}

#[test]
fn mutated_traces_are_refused_clearly_or_print_what_the_original_prints() {
    for (n, (path, text)) in committed("traces").iter().enumerate() {
        let original = Trace::from_json(text).unwrap();
        let prints = rendered(&original, &original.model.name).unwrap();
        let mut runner = runner(n as u8, CASES_PER_TRACE);
        let outcome = runner.run(&mutation(), |m| match apply(text, &m) {
            None => unchanged(),
            Some(bytes) => trace_mutant(bytes, &original, &prints),
        });
        if let Err(e) = outcome {
            panic!("{}: {e}", path.display());
        }
    }
    tally("traces");
}

/// A mutation that found nothing to change (a model file without arrays, say).
fn unchanged() -> Result<(), TestCaseError> {
    UNCHANGED.fetch_add(1, Ordering::Relaxed);
    Ok(())
}

/// A model file mutant: refused clearly, or a model whose script runs and whose check,
/// stopped after a few hundred states, ends at that limit or complete.
fn model_mutant(path: &Path, bytes: Vec<u8>) -> Result<(), TestCaseError> {
    let Some(text) = text_of(bytes)? else {
        return Ok(());
    };
    let file = match model_file::parse(path, &text) {
        Err(e) => return refused(&e),
        Ok(file) => file,
    };
    let model = match setup::of_file(&file) {
        Err(e) => return refused(&e),
        Ok(model) => model,
    };
    ACCEPTED.fetch_add(1, Ordering::Relaxed);
    prop_assert!(!model.properties.is_empty());
    prop_assert!(run(&model.config, &model.script).is_ok());
    let options = CheckOptions {
        keep_going: true,
        progress: false,
        reduction: resync_check::reduce::Reduction::NONE,
        strategy: Order::Dfs,
        threads: 1,
        limits: Limits {
            max_states: Some(300),
            ..Limits::NONE
        },
    };
    let outcome = check(
        model.config,
        &model.script,
        model.properties.clone(),
        options,
    );
    prop_assert!(outcome.statistics.generated_states <= 300);
    Ok(())
}

#[test]
fn mutated_model_files_are_refused_clearly_or_run() {
    for (n, (path, text)) in committed("models").iter().enumerate() {
        let mut runner = runner(100 + n as u8, CASES_PER_MODEL);
        let outcome = runner.run(&mutation(), |m| match apply(text, &m) {
            None => unchanged(),
            Some(bytes) => model_mutant(path, bytes),
        });
        if let Err(e) = outcome {
            panic!("{}: {e}", path.display());
        }
    }
    tally("model files");
}

/// A summary of a small swarm run that violates three properties.
fn summary() -> String {
    let bounds = setup::Bounds {
        commands: Some(4),
        ..setup::Bounds::default()
    };
    let config = setup::config("rfc5162", &[], bounds).unwrap();
    let properties: Vec<usize> = (0..resync_check::properties::PROPERTIES.len()).collect();
    let options = Options {
        seed: 1,
        runs: 40,
        steps: 60,
        threads: 1,
        policy: Policy::Swarm,
        shard: Shard::ALL,
        walk: None,
    };
    let start = System::initial(&config);
    let summary = simulate::run(&config, &start, &properties, &options, &|_, _, _| {});
    let info = ModelInfo::new("rfc5162", "rfc5162", &config);
    SummaryFile::new(info, None, Vec::new(), &properties, &options, &summary).to_json()
}

fn summary_mutant(bytes: Vec<u8>) -> Result<(), TestCaseError> {
    let Some(text) = text_of(bytes)? else {
        return Ok(());
    };
    let file = match SummaryFile::from_json(&text) {
        Err(e) => return refused(&e),
        Ok(file) => file,
    };
    let merged = match merge(&[file]) {
        Err(e) => return refused(&e),
        Ok(merged) => merged,
    };
    match simulate::violation_traces(&merged, None, 1) {
        Err(e) => refused(&e),
        Ok((_, found)) => {
            ACCEPTED.fetch_add(1, Ordering::Relaxed);
            for f in found {
                prop_assert!(replay(&f.trace).is_ok());
            }
            Ok(())
        }
    }
}

#[test]
fn mutated_summaries_are_refused_clearly_or_merge() {
    let text = summary();
    let (_, found) =
        simulate::violation_traces(&SummaryFile::from_json(&text).unwrap(), None, 1).unwrap();
    assert_eq!(
        found.len(),
        3,
        "the base summary has three violations to re-run"
    );
    let mut runner = runner(200, SUMMARY_CASES);
    if let Err(e) = runner.run(&mutation(), |m| match apply(&text, &m) {
        None => unchanged(),
        Some(bytes) => summary_mutant(bytes),
    }) {
        panic!("summary: {e}");
    }
    tally("summaries");
}

#[test]
fn a_mutant_with_a_changed_claim_is_caught_by_the_oracle() {
    // The oracle itself: a changed edition is a changed claim, and it is refused.
    let (_, text) = &committed("traces")[0];
    let mut value: Value = serde_json::from_str(text).unwrap();
    let edition = value["model"]["edition"].as_str().unwrap();
    let other = if edition == "rfc7162" {
        "rfc5162"
    } else {
        "rfc7162"
    };
    value["model"]["edition"] = json!(other);
    let trace = Trace::from_json(&value.to_string()).unwrap();
    assert!(matches!(replay(&trace), Err(ReplayError::Claim(_))));
}
