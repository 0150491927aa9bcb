//! The fuzz suite: structured mutations of every committed model file and trace, and of a
//! simulation summary, run through the library's own parse, replay, render, minimize and
//! merge (no subprocesses, so thousands of cases take seconds). Each mutant must be either
//! rejected with a clear error or accepted, and an accepted trace must print exactly what
//! the original prints: no mutant that changes a printed claim replays. Only the model's
//! name may change, as it is a label (see `replay::check_name`).
//!
//! Every runner has a fixed seed, so a run tries the same cases every time:
//! `cargo test --release --test fuzz` (a failure prints the mutation, shrunk).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use serde_json::{Value, json};

use resync_check::check::{CheckOptions, Limits, Strategy as Order, check};
use resync_check::model_file;
use resync_check::properties::{Kind, property};
use resync_check::setup;
use resync_check::simulate::summary::{SummaryFile, merge};
use resync_check::simulate::{self, Options, Policy, Shard};
use resync_check::system::System;
use resync_check::trace::minimize::minimize;
use resync_check::trace::replay::{ReplayError, check_lines, replay, run};
use resync_check::trace::{ModelInfo, Trace, markdown, svg, text};

mod common;
use common::root;

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

#[derive(Clone, Debug)]
enum Mutation {
    /// Of the `k`-th array (the steps, a script, lines, properties, ...): delete, duplicate,
    /// swap two elements.
    Delete(usize, usize),
    Duplicate(usize, usize),
    Swap(usize, usize, usize),
    /// Delete, duplicate or swap steps (or a script's steps) themselves.
    DeleteStep(usize),
    DuplicateStep(usize),
    SwapSteps(usize, usize),
    /// The `k`-th number, string or node of any kind becomes `value`.
    Number(usize, Value),
    Text(usize, String),
    Retype(usize, Value),
    /// A character inserted into, or the last character removed from, the `k`-th string.
    InsertChar(usize, usize, char),
    Shorten(usize),
    /// Drop the `k`-th field anywhere; add a field to the `k`-th object.
    DropField(usize),
    AddField(usize, String, Value),
    /// The `k`-th object as an array of its values, as serde would read it by position.
    Positional(usize),
    /// The `k`-th number as an integer of 2^64 or more.
    Huge(usize),
    /// The bytes: cut at an offset, a bit flipped, a byte inserted.
    Truncate(usize),
    FlipBit(usize, u8),
    InsertByte(usize, u8),
}

fn numbers() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!(0)),
        Just(json!(1)),
        Just(json!(2)),
        Just(json!(3)),
        Just(json!(9)),
        Just(json!(10)),
        Just(json!(99)),
        Just(json!(256)),
        Just(json!(4294967296u64)),
        Just(json!(u64::MAX)),
        Just(json!(-1)),
        Just(json!(1.5)),
        (0u64..400).prop_map(|n| json!(n)),
    ]
}

fn strings() -> impl Strategy<Value = String> {
    let words = [
        "",
        "rfc7162",
        "rfc5162",
        "rfc5162+1808",
        "C1",
        "C2",
        "C3",
        "C0",
        "views-converge",
        "resync-point-safe",
        "close-expunged-unseen-deleted",
        "nothing",
        "everything",
        "flag-changes",
        "send",
        "read",
        "drop",
        "arrive",
        "remove",
        "close",
        "noop",
        "resync",
        "\\Deleted",
        "\\Seen",
        "x\u{0}y",
        "line\nbreak",
        "\u{feff}",
        "é",
        "resync-check 0.1.0",
        "resync-check 9.9.9",
        "rm -rf ~",
        "swarm",
        "0/3",
        "5/3",
        "a1 OK done",
        "* 1 EXISTS",
        "send",
        "omit",
        "report",
        "exact",
        "superset",
        "known-uids",
        "all-uids",
        "keep",
    ];
    prop_oneof![
        proptest::sample::select(words.to_vec()).prop_map(str::to_string),
        Just("x".repeat(300)),
        "[a-z0-9 .+=-]{0,12}",
    ]
}

fn values() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        Just(json!(true)),
        Just(json!([])),
        Just(json!({})),
        Just(json!([1, 2])),
        Just(json!({"a": 1})),
        numbers(),
        strings().prop_map(Value::String),
    ]
}

fn field_names() -> impl Strategy<Value = String> {
    let names = [
        "state",
        "uid",
        "select",
        "client",
        "request",
        "server_sends",
        "sent",
        "queued",
        "read",
        "lost",
        "arrivals",
        "removals",
        "colour",
        "do",
        "format_version",
        "script",
        "expect",
        "properties",
        "description",
        "unique_states",
        "shard",
        "walks",
    ];
    proptest::sample::select(names.to_vec()).prop_map(str::to_string)
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let k = || 0usize..10_000;
    let arrays = prop_oneof![
        (k(), k()).prop_map(|(a, i)| Mutation::Delete(a, i)),
        (k(), k()).prop_map(|(a, i)| Mutation::Duplicate(a, i)),
        (k(), k(), k()).prop_map(|(a, i, j)| Mutation::Swap(a, i, j)),
        k().prop_map(Mutation::DeleteStep),
        k().prop_map(Mutation::DuplicateStep),
        (k(), k()).prop_map(|(i, j)| Mutation::SwapSteps(i, j)),
    ];
    let scalars = prop_oneof![
        (k(), numbers()).prop_map(|(n, v)| Mutation::Number(n, v)),
        (k(), strings()).prop_map(|(n, s)| Mutation::Text(n, s)),
        (k(), values()).prop_map(|(n, v)| Mutation::Retype(n, v)),
        (k(), k(), any::<char>()).prop_map(|(n, i, c)| Mutation::InsertChar(n, i, c)),
        k().prop_map(Mutation::Shorten),
        k().prop_map(Mutation::Huge),
    ];
    let fields = prop_oneof![
        k().prop_map(Mutation::DropField),
        (k(), field_names(), values()).prop_map(|(n, f, v)| Mutation::AddField(n, f, v)),
        k().prop_map(Mutation::Positional),
    ];
    let bytes = prop_oneof![
        k().prop_map(Mutation::Truncate),
        (k(), 0u8..8).prop_map(|(i, b)| Mutation::FlipBit(i, b)),
        (k(), any::<u8>()).prop_map(|(i, b)| Mutation::InsertByte(i, b)),
    ];
    prop_oneof![3 => arrays, 4 => scalars, 2 => fields, 2 => bytes]
}

/// Every node of `value` in pre-order, as paths of keys and indices.
#[derive(Clone, Debug)]
enum Key {
    Field(String),
    Index(usize),
}

fn nodes(value: &Value, path: &mut Vec<Key>, out: &mut Vec<Vec<Key>>) {
    out.push(path.clone());
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(Key::Index(i));
                nodes(item, path, out);
                path.pop();
            }
        }
        Value::Object(fields) => {
            for (key, item) in fields {
                path.push(Key::Field(key.clone()));
                nodes(item, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn at<'a>(value: &'a mut Value, path: &[Key]) -> &'a mut Value {
    path.iter().fold(value, |v, key| match key {
        Key::Field(f) => &mut v[f.as_str()],
        Key::Index(i) => &mut v[*i],
    })
}

/// The paths of the nodes of `value` for which `keep` holds.
fn paths(value: &Value, keep: impl Fn(&Value) -> bool) -> Vec<Vec<Key>> {
    let mut all = Vec::new();
    nodes(value, &mut Vec::new(), &mut all);
    let mut root = value.clone();
    all.into_iter().filter(|p| keep(at(&mut root, p))).collect()
}

/// The `k`-th (mod their number) node for which `keep` holds, if any.
fn pick(value: &mut Value, k: usize, keep: impl Fn(&Value) -> bool) -> Option<&mut Value> {
    let found = paths(value, keep);
    if found.is_empty() {
        return None;
    }
    let path = found[k % found.len()].clone();
    Some(at(value, &path))
}

/// The steps (of a trace) or the script (of a model file), else any array.
fn steps(value: &mut Value) -> Option<&mut Vec<Value>> {
    let key = ["steps", "script"]
        .into_iter()
        .find(|k| value.get(k).is_some_and(Value::is_array))?;
    value[key].as_array_mut()
}

fn edit_array(items: &mut Vec<Value>, m: &Mutation) {
    if items.is_empty() {
        return;
    }
    let n = items.len();
    match m {
        Mutation::Delete(_, i) | Mutation::DeleteStep(i) => {
            items.remove(i % n);
        }
        Mutation::Duplicate(_, i) | Mutation::DuplicateStep(i) => {
            let item = items[i % n].clone();
            items.insert(i % n, item);
        }
        Mutation::Swap(_, i, j) | Mutation::SwapSteps(i, j) => items.swap(i % n, j % n),
        _ => {}
    }
}

/// `text` with `m` applied; None where it changes nothing.
fn apply(text: &str, m: &Mutation) -> Option<Vec<u8>> {
    let mut bytes = text.as_bytes().to_vec();
    match *m {
        Mutation::Truncate(i) => {
            bytes.truncate(i % bytes.len());
            return Some(bytes);
        }
        Mutation::FlipBit(i, bit) => {
            let n = bytes.len();
            bytes[i % n] ^= 1 << bit;
            return Some(bytes);
        }
        Mutation::InsertByte(i, b) => {
            let n = bytes.len();
            bytes.insert(i % n, b);
            return Some(bytes);
        }
        _ => {}
    }
    let mut value: Value = serde_json::from_str(text).unwrap();
    match m {
        Mutation::Delete(a, _) | Mutation::Duplicate(a, _) | Mutation::Swap(a, _, _) => {
            let items = pick(&mut value, *a, Value::is_array)?.as_array_mut()?;
            edit_array(items, m);
        }
        Mutation::DeleteStep(k) | Mutation::DuplicateStep(k) | Mutation::SwapSteps(k, _) => {
            // A model file without a script: another array (properties, say).
            match steps(&mut value) {
                Some(items) => edit_array(items, m),
                None => edit_array(pick(&mut value, *k, Value::is_array)?.as_array_mut()?, m),
            }
        }
        Mutation::Number(k, v) => *pick(&mut value, *k, Value::is_number)? = v.clone(),
        Mutation::Text(k, s) => *pick(&mut value, *k, Value::is_string)? = json!(s),
        Mutation::Retype(k, v) => *pick(&mut value, *k, |_| true)? = v.clone(),
        Mutation::InsertChar(k, i, c) => {
            let Value::String(s) = pick(&mut value, *k, Value::is_string)? else {
                return None;
            };
            let at = s.char_indices().map(|(i, _)| i).nth(i % (s.len() + 1));
            s.insert(at.unwrap_or(s.len()), *c);
        }
        Mutation::Shorten(k) => {
            let Value::String(s) = pick(&mut value, *k, Value::is_string)? else {
                return None;
            };
            s.pop()?;
        }
        Mutation::DropField(k) => {
            let found = paths(&value, |_| true);
            let fields: Vec<_> = found
                .iter()
                .filter(|p| matches!(p.last(), Some(Key::Field(_))))
                .collect();
            let path = fields.get(k % fields.len().max(1))?;
            let (Some(Key::Field(name)), parent) = (path.last(), &path[..path.len() - 1]) else {
                return None;
            };
            at(&mut value, parent).as_object_mut()?.remove(name);
        }
        Mutation::AddField(k, name, v) => {
            let object = pick(&mut value, *k, Value::is_object)?.as_object_mut()?;
            object.insert(name.clone(), v.clone());
        }
        Mutation::Positional(k) => {
            let node = pick(&mut value, *k, |v| {
                v.as_object().is_some_and(|o| !o.is_empty())
            })?;
            let fields: Vec<Value> = node.as_object()?.values().cloned().collect();
            *node = Value::Array(fields);
        }
        Mutation::Huge(k) => {
            *pick(&mut value, *k, Value::is_number)? = json!("\u{1}HUGE\u{1}");
            let text = serde_json::to_string_pretty(&value).unwrap();
            return Some(
                text.replace("\"\\u0001HUGE\\u0001\"", "18446744073709551616")
                    .into_bytes(),
            );
        }
        _ => unreachable!(),
    }
    Some(serde_json::to_string_pretty(&value).unwrap().into_bytes())
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
        "sequence",
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
            let path = std::env::temp_dir().join(format!("resync-fuzz-{}", std::process::id()));
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
