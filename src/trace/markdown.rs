//! A trace as markdown, ready to paste into a mailing-list post or an erratum: what it shows,
//! the model configuration, the transcript, and the commands that reproduce it.

use std::fmt::Write;

use super::Trace;
use super::blame;
use super::replay::Replayed;
use super::text::{count, transcript};
use crate::system::Config;

/// The clauses `config` sets otherwise than `edition` does, as ` with a=b and c=d`; empty
/// when none, so "Under edition X" never stands over another edition's values unsaid.
fn overrides(edition: &str, config: &Config) -> String {
    let Ok(edition) = crate::spec::edition(edition) else {
        return String::new();
    };
    let changed: Vec<String> = config
        .spec
        .values()
        .iter()
        .zip(edition.spec.values())
        .filter(|((_, a), (_, b))| a != b)
        .map(|((clause, value), _)| format!("`{clause}={value}`"))
        .collect();
    if changed.is_empty() {
        String::new()
    } else {
        format!(" with {}", changed.join(" and "))
    }
}

pub fn render(trace: &Trace, replayed: &Replayed) -> String {
    let config = &replayed.config;
    let property = replayed.property;
    let shown = transcript(config, property, &replayed.actions);
    let responsible = blame::avoiding_changes(config, property, &replayed.actions);
    let mut out = String::new();
    writeln!(
        out,
        "# `{}` violated: {}\n",
        property.name, trace.model.name
    )
    .unwrap();
    writeln!(out, "## What this shows\n").unwrap();
    writeln!(
        out,
        "Under edition `{}`{}, {} ({}, {}, at most {} each) break `{}`: {} ({}).\n",
        trace.model.edition,
        overrides(&trace.model.edition, config),
        count(trace.steps.len(), "step"),
        count(config.clients, "client"),
        count(config.messages, "message"),
        count(config.commands, "command"),
        property.name,
        property.summary,
        property.section
    )
    .unwrap();
    writeln!(out, "{}\n", shown.divergence).unwrap();
    if let Some(sentence) = &shown.detectability {
        writeln!(out, "The divergence is {sentence}\n").unwrap();
    }
    writeln!(
        out,
        "Responsible: {}.\n",
        blame::sentence(property.name, &responsible)
    )
    .unwrap();
    writeln!(out, "## Model\n").unwrap();
    writeln!(out, "| setting | value | source |\n|---|---|---|").unwrap();
    writeln!(out, "| edition | `{}` | |", trace.model.edition).unwrap();
    for (clause, value) in config.spec.shown_values() {
        let source = config.spec.source(clause).unwrap_or_default();
        writeln!(
            out,
            "| `{clause}` | `{value}` | {} |",
            source.replace('|', "\\|")
        )
        .unwrap();
    }
    writeln!(
        out,
        "| bounds | {}, {}, {} per client | |\n",
        count(config.clients, "client"),
        count(config.messages, "message"),
        count(config.commands, "command")
    )
    .unwrap();
    writeln!(
        out,
        "## Transcript\n\n`C1:` is what client 1 sends, `S1:` what it reads from the server, \
         in the order it reads it; `--` lines are notes, not on the wire.\n"
    )
    .unwrap();
    writeln!(out, "```\n{}```\n", shown.text).unwrap();
    writeln!(out, "## Reproduce\n").unwrap();
    writeln!(out, "```\n{}\n```", trace.reproduce).unwrap();
    writeln!(
        out,
        "\nor replay this trace's JSON with `resync-check replay FILE.json`; made by {}.",
        trace.tool
    )
    .unwrap();
    writeln!(
        out,
        "\nTo step through it in the browser, step back and branch off (what if another \
         client had read first?): `resync-check explore --trace FILE.json`, which opens \
         stateright's Explorer at its last state."
    )
    .unwrap();
    out
}
