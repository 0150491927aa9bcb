//! What `check` prints: the configuration, a verdict per property, the shortest
//! counterexample of each violated property as a transcript, and the statistics.

use std::fmt::Write;

use crate::check::{CheckOptions, CheckOutcome, Completion, Strategy, Verdict};
use crate::properties::PROPERTIES;
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
            Verdict::Violated => {
                let steps = p.counterexample.as_ref().map_or(0, |c| c.len());
                format!("VIOLATED (shortest counterexample: {steps} steps)")
            }
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
            "\n== {} violated: shortest counterexample, {} steps",
            trace.property,
            trace.steps.len()
        )
        .unwrap();
        out.push_str(&text::body(trace, replayed));
    }
    out
}

pub fn summary(outcome: &CheckOutcome, options: &CheckOptions) -> String {
    let s = &outcome.statistics;
    let strategy = match options.strategy {
        Strategy::Bfs => "bfs",
        Strategy::Dfs => "dfs",
    };
    let completion = match &outcome.completion {
        Completion::Complete => "complete".to_string(),
        Completion::Incomplete(why) => format!("incomplete: {why}"),
    };
    format!(
        "\nstates: {} unique, {} generated; depth max {}; {:.2} s; {:.0} states/s; {strategy}, {} thread(s); {completion}\n",
        s.unique_states,
        s.generated_states,
        s.depth_max,
        s.seconds,
        s.states_per_second(),
        options.threads,
    )
}

/// 0 every property decided as wished over the complete space; 1 a violation or a vacuous
/// `sometimes`; 3 stopped at a limit with nothing found.
pub fn exit_code(outcome: &CheckOutcome) -> i32 {
    if outcome.properties.iter().any(|p| p.verdict.is_failure()) {
        1
    } else if outcome.completion != Completion::Complete {
        3
    } else {
        0
    }
}
