//! What `check` prints: the configuration, a verdict per property, the shortest
//! counterexample of each violated property as a transcript, and the statistics; what
//! `verify` and `simulate` print. `json` gives the same as one JSON object.

pub mod coverage;
pub mod json;

use std::fmt::Write;

use crate::check::views::Distinct;
use crate::check::{CheckOutcome, Completion, Verdict};
use crate::properties::{Kind, PROPERTIES};
use crate::simulate::Summary;
use crate::simulate::summary::SummaryFile;
use crate::spec::{EDITIONS, clauses};
use crate::trace::replay::Replayed;
use crate::trace::{Trace, text};

pub fn verdicts(outcome: &CheckOutcome) -> String {
    let mut out = String::new();
    for p in &outcome.properties {
        let property = &PROPERTIES[p.property];
        let verdict = match p.verdict {
            Verdict::Unreached => {
                "UNREACHED (vacuous model: no reachable state shows this)".to_string()
            }
            Verdict::NotApplicable => format!("not applicable ({})", property.needs.text()),
            Verdict::Violated => {
                let steps = text::count(p.counterexample.as_ref().map_or(0, |c| c.len()), "step");
                let more = p.distinct.as_ref().map(distinct_note).unwrap_or_default();
                if p.shortest {
                    format!("VIOLATED (shortest counterexample: {steps}{more})")
                } else {
                    format!(
                        "VIOLATED (a counterexample of {steps}, not shortest: the search for \
                         the shortest stopped at the run's limit{more})"
                    )
                }
            }
            Verdict::Undecided => match &outcome.completion {
                Completion::Incomplete(why) => format!("undecided ({why})"),
                Completion::Complete => "undecided".to_string(),
            },
            v => v.name().to_string(),
        };
        writeln!(out, "{:<38} {verdict}", property.name).unwrap();
    }
    out
}

/// Each violated property's trace, as text.
pub fn counterexamples(traces: &[(Trace, Replayed)]) -> String {
    let mut out = String::new();
    for (trace, replayed) in traces {
        writeln!(
            out,
            "\n== {} violated: shortest counterexample, {}",
            trace.property,
            text::count(trace.steps.len(), "step")
        )
        .unwrap();
        out.push_str(&text::body(trace, replayed));
    }
    out
}

/// `; 3 with distinct views: 9, 9, 10 steps`, or with fewer than asked `; 2 of 3 asked
/// with distinct views: 9, 9 steps, ` and why.
fn distinct_note(distinct: &Distinct) -> String {
    let lengths: Vec<String> = distinct
        .found
        .iter()
        .map(|(path, _)| path.len().to_string())
        .collect();
    let found = distinct.found.len();
    let lengths = lengths.join(", ");
    match &distinct.fewer {
        None => format!("; {found} with distinct views: {lengths} steps"),
        Some(why) => format!(
            "; {found} of {} asked with distinct views: {lengths} steps, {why}",
            distinct.asked
        ),
    }
}

/// With `--counterexamples N` above 1: each violated property's counterexamples of distinct
/// views, as text, numbered, each with its view. `traces` are `outcome`'s, in order
/// (`trace::record_violations`).
pub fn distinct_counterexamples(outcome: &CheckOutcome, traces: &[(Trace, Replayed)]) -> String {
    let mut out = String::new();
    let mut traces = traces.iter();
    for p in &outcome.properties {
        let Some(distinct) = &p.distinct else {
            continue;
        };
        let of = distinct.found.len();
        for (k, (_, view)) in distinct.found.iter().enumerate() {
            let (trace, replayed) = traces.next().expect("a trace per counterexample");
            let which = match k {
                0 if p.shortest => "the shortest",
                0 => "not shortest: the search for the shortest stopped at the run's limit",
                _ => "the shortest of its view",
            };
            writeln!(
                out,
                "\n== {} violated: counterexample {} of {of}, {} ({which})",
                trace.property,
                k + 1,
                text::count(trace.steps.len(), "step")
            )
            .unwrap();
            writeln!(out, "-- view: {}", view.line()).unwrap();
            out.push_str(&text::body(trace, replayed));
        }
    }
    out
}

pub fn summary(outcome: &CheckOutcome) -> String {
    let s = &outcome.statistics;
    let completion = match &outcome.completion {
        Completion::Complete => "complete".to_string(),
        Completion::Incomplete(why) => format!("incomplete: {why}"),
    };
    format!(
        "\nstates: {} unique, {} generated; depth max {}; {:.2} s; {:.0} states/s; {}; {completion}\n",
        s.unique_states,
        s.generated_states,
        s.depth_max,
        s.seconds,
        s.states_per_second(),
        outcome.search,
    )
}

/// 0 every property decided as wished over the complete space; 1 a violation or a vacuous
/// `sometimes`; 3 stopped at a limit with nothing found (or, with `--coverage`, before the
/// coverage walk's end).
pub fn exit_code(outcome: &CheckOutcome) -> i32 {
    if outcome.properties.iter().any(|p| p.verdict.is_failure()) {
        1
    } else if outcome.completion != Completion::Complete || matches!(outcome.coverage, Some(Err(_)))
    {
        3
    } else {
        0
    }
}

/// One model file's line (and its mismatches) in `verify`'s output.
pub fn verified(file: &json::VerifiedFile) -> String {
    let status = if file.mismatches.is_empty() {
        "ok  "
    } else {
        "FAIL"
    };
    let mut out = format!(
        "{status}  {} ({} states, {:.1} s)\n",
        file.path, file.unique_states, file.seconds
    );
    for m in &file.mismatches {
        writeln!(out, "      {m}").unwrap();
    }
    out
}

/// A simulation's summary: what ran, and per property in how many walks it was violated or
/// reached, with the first walk.
pub fn simulation(file: &SummaryFile, summary: &Summary, properties: &[usize]) -> String {
    let mut out = String::new();
    let which = match &file.shard {
        Some(shard) => format!(" (shard {shard}: {} of them)", summary.walks),
        None => String::new(),
    };
    writeln!(
        out,
        "simulate: seed {}, {} walks{which}, at most {} steps each, policy {}",
        file.seed,
        file.runs,
        file.steps,
        file.policy.name()
    )
    .unwrap();
    writeln!(
        out,
        "walks run: {}; steps: {}; distinct states: about {} (HyperLogLog estimate, within a few per cent)\n",
        summary.walks,
        summary.steps,
        summary.distinct.estimate()
    )
    .unwrap();
    for (i, tally) in properties.iter().zip(&summary.tallies) {
        let property = &PROPERTIES[*i];
        let first = tally
            .first
            .first()
            .map(|(w, s)| format!(" (first: walk {w}, step {s})"))
            .unwrap_or_default();
        let verdict = match (property.kind, tally.walks) {
            (Kind::Always, 0) => "not violated in any walk (walks prove nothing)".to_string(),
            (Kind::Always, n) => format!("VIOLATED in {n} walk(s){first}"),
            (Kind::Sometimes, 0) => "not reached in any walk".to_string(),
            (Kind::Sometimes, n) => format!("reached in {n} walk(s){first}"),
        };
        writeln!(out, "{:<38} {verdict}", property.name).unwrap();
    }
    out
}

/// What `list` prints: editions, clauses with their values and sources, properties.
pub fn list() -> String {
    let mut out = String::from("editions:\n");
    for e in &EDITIONS {
        out.push_str(&format!("  {:<12} {}\n", e.name, e.summary));
        let values: Vec<String> = e
            .spec
            .shown_values()
            .iter()
            .map(|(c, v)| format!("{c}={v}"))
            .collect();
        out.push_str(&format!("  {:<12} {}\n", "", values.join(" ")));
    }
    out.push_str("\nclauses (--clause NAME=VALUE):\n");
    for c in clauses() {
        out.push_str(&format!("  {}: {}\n", c.name, c.summary));
        for (value, source) in c.values {
            out.push_str(&format!("    {value:<17} {source}\n"));
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
