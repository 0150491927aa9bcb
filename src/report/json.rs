//! `--format json` of `check` and `verify`: the same fields as the text, as one JSON object,
//! for tools and CI. Timings sit in `statistics`, as they sit in the text's last line; the
//! rest is the same for the same input.

use serde::Serialize;

use crate::check::views::View;
use crate::check::{CheckOutcome, Completion};
use crate::properties::{Kind, PROPERTIES};
use crate::setup::ModelSetup;
use crate::trace::replay::Replayed;
use crate::trace::{Trace, text};

#[derive(Serialize)]
struct Clause {
    clause: &'static str,
    value: &'static str,
    source: &'static str,
}

#[derive(Serialize)]
struct Model {
    name: String,
    edition: String,
    description: Option<String>,
    clients: u8,
    messages: u32,
    commands: u8,
    arrivals: u8,
    removals: u8,
    /// Steps of the model file's script, followed before exploring.
    script_steps: usize,
    clauses: Vec<Clause>,
}

#[derive(Serialize)]
struct PropertyVerdict {
    property: &'static str,
    kind: &'static str,
    /// `holds`, `violated`, `reached`, `unreached` or `undecided`.
    verdict: &'static str,
    /// For a violated property: the counterexample's length.
    #[serde(skip_serializing_if = "Option::is_none")]
    counterexample_steps: Option<usize>,
    /// For a violated property: whether that counterexample is shortest.
    #[serde(skip_serializing_if = "Option::is_none")]
    shortest: Option<bool>,
    /// With `--counterexamples N` above 1, for a violated property: what was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    distinct: Option<DistinctFound>,
}

/// How many counterexamples of distinct views `--counterexamples N` found for a property.
#[derive(Serialize)]
struct DistinctFound {
    asked: usize,
    found: usize,
    /// Each one's length, in the order of `counterexamples`.
    steps: Vec<usize>,
    /// Why fewer than asked were found, if fewer were.
    #[serde(skip_serializing_if = "Option::is_none")]
    fewer: Option<String>,
}

#[derive(Serialize)]
struct Counterexample<'a> {
    property: &'a str,
    steps: usize,
    /// The transcript as `check` prints it, from the property line to the reproduce line.
    transcript: String,
    /// The trace, as `--save` writes it.
    trace: &'a Trace,
    /// With `--counterexamples N` above 1: its place among its property's, from 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    index: Option<usize>,
    /// With `--counterexamples N` above 1: its view (check/views.rs).
    #[serde(skip_serializing_if = "Option::is_none")]
    view: Option<&'a View>,
}

#[derive(Serialize)]
struct Statistics {
    unique_states: usize,
    generated_states: usize,
    depth_max: usize,
    seconds: f64,
    states_per_second: f64,
    /// Which search explored, as the text summary says it.
    search: String,
    /// The process's peak resident memory (`VmHWM`, Linux), when it can be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    peak_resident_bytes: Option<u64>,
    /// The process's CPU time until the report, every thread's, set-up included
    /// (`limits::cpu_seconds`, Linux), when it can be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    cpu_seconds: Option<f64>,
}

#[derive(Serialize)]
struct CheckReport<'a> {
    model: Model,
    verdicts: Vec<PropertyVerdict>,
    counterexamples: Vec<Counterexample<'a>>,
    statistics: Statistics,
    complete: bool,
    /// `complete`, or `incomplete: ` and the limit that stopped the run.
    completion: String,
    exit_code: i32,
    /// With `--coverage` (report/coverage.rs).
    #[serde(skip_serializing_if = "Option::is_none")]
    coverage: Option<super::coverage::Json<'a>>,
}

/// What `check --format json` prints.
pub fn check(model: &ModelSetup, outcome: &CheckOutcome, traces: &[(Trace, Replayed)]) -> String {
    let config = &model.config;
    let s = &outcome.statistics;
    let report = CheckReport {
        model: Model {
            name: model.name.clone(),
            edition: model.edition.clone(),
            description: model.description.clone(),
            clients: config.clients,
            messages: config.messages,
            commands: config.commands,
            arrivals: config.arrivals,
            removals: config.removals,
            script_steps: model.script.len(),
            clauses: config
                .spec
                .shown_values()
                .iter()
                .map(|(clause, value)| Clause {
                    clause,
                    value,
                    source: config.spec.source(clause).unwrap_or_default(),
                })
                .collect(),
        },
        verdicts: outcome
            .properties
            .iter()
            .map(|p| {
                let property = &PROPERTIES[p.property];
                PropertyVerdict {
                    property: property.name,
                    kind: match property.kind {
                        Kind::Always => "always",
                        Kind::Sometimes => "sometimes",
                    },
                    verdict: p.verdict.name(),
                    counterexample_steps: p.counterexample.as_ref().map(Vec::len),
                    shortest: p.counterexample.as_ref().map(|_| p.shortest),
                    distinct: p.distinct.as_ref().map(|d| DistinctFound {
                        asked: d.asked,
                        found: d.found.len(),
                        steps: d.found.iter().map(|(path, _)| path.len()).collect(),
                        fewer: d.fewer.clone(),
                    }),
                }
            })
            .collect(),
        counterexamples: traces
            .iter()
            .zip(views(outcome))
            .map(|((trace, replayed), view)| Counterexample {
                property: &trace.property,
                steps: trace.steps.len(),
                transcript: text::body(trace, replayed),
                trace,
                index: view.map(|(k, _)| k + 1),
                view: view.map(|(_, v)| v),
            })
            .collect(),
        statistics: Statistics {
            unique_states: s.unique_states,
            generated_states: s.generated_states,
            depth_max: s.depth_max,
            seconds: s.seconds,
            states_per_second: s.states_per_second(),
            search: outcome.search.clone(),
            peak_resident_bytes: crate::limits::peak_resident_bytes(),
            cpu_seconds: crate::limits::cpu_seconds(),
        },
        complete: outcome.completion == Completion::Complete,
        completion: match &outcome.completion {
            Completion::Complete => "complete".to_string(),
            Completion::Incomplete(why) => format!("incomplete: {why}"),
        },
        exit_code: super::exit_code(outcome),
        coverage: outcome.coverage.as_ref().map(super::coverage::json),
    };
    crate::json::to_pretty(&report)
}

/// Per trace of `outcome` (`trace::record_violations`' order): with `--counterexamples N`
/// above 1, its place among its property's and its view; None for each otherwise.
fn views(outcome: &CheckOutcome) -> Vec<Option<(usize, &View)>> {
    let mut out = Vec::new();
    for p in &outcome.properties {
        match &p.distinct {
            Some(distinct) => {
                out.extend(distinct.found.iter().map(|(_, v)| v).enumerate().map(Some))
            }
            None if p.counterexample.is_some() => out.push(None),
            None => {}
        }
    }
    out
}

/// One model file's result in `verify`.
#[derive(Clone, Debug, Serialize)]
pub struct VerifiedFile {
    pub path: String,
    /// Each way the outcome differs from what the file expects; empty: passed.
    pub mismatches: Vec<String>,
    pub unique_states: usize,
    pub seconds: f64,
}

#[derive(Serialize)]
struct VerifyReport<'a> {
    files: Vec<VerifiedEntry<'a>>,
    passed: usize,
    failed: usize,
}

#[derive(Serialize)]
struct VerifiedEntry<'a> {
    /// `ok` or `FAIL`, as the text says.
    status: &'static str,
    #[serde(flatten)]
    file: &'a VerifiedFile,
}

/// What `verify --format json` prints.
pub fn verify(files: &[VerifiedFile]) -> String {
    let failed = files.iter().filter(|f| !f.mismatches.is_empty()).count();
    let report = VerifyReport {
        files: files
            .iter()
            .map(|file| VerifiedEntry {
                status: if file.mismatches.is_empty() {
                    "ok"
                } else {
                    "FAIL"
                },
                file,
            })
            .collect(),
        passed: files.len() - failed,
        failed,
    };
    crate::json::to_pretty(&report)
}
