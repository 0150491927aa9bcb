//! `probe`'s second half: the model checked with the server's observed clauses, and with
//! `--live` each counterexample replayed against the server.

use std::path::Path;

use super::args::CheckArgs;
use super::header;
use crate::check::check as run_check;
use crate::output;
use crate::probe::live;
use crate::probe::refine::Refinement;
use crate::probe::scenarios::Probe;
use crate::report;
use crate::setup;
use crate::trace::{self, save::save};

/// What one round's live replays found.
#[derive(Default)]
pub struct Replays {
    /// A client's cache differed from the real mailbox at the end of a replay (the replays
    /// stop there: the loss is shown).
    pub diverged: bool,
    /// How many counterexamples were replayed (none where the model holds).
    pub replayed: usize,
    /// The clause values the real server's answers showed where the model's server held
    /// back (`probe/refine.rs`), each once, in the order found.
    pub refinements: Vec<Refinement>,
}

/// Checks the model as `args` sets it up and prints what `check` prints; with `probe`,
/// replays each counterexample live, until one diverges. The check's exit code, and what
/// the replays found. `round` (1 for the first search) names the saved live transcripts.
pub fn check_and_replay(
    args: &CheckArgs,
    probe: Option<&Probe>,
    greeting: &str,
    save_dir: Option<&Path>,
    round: usize,
) -> Result<(u8, Replays), String> {
    if let Some(dir) = save_dir {
        output::prepare_dir("--save", dir)?;
    }
    let model = setup::prepare(&args.model.overrides(), setup::DEFAULT_COMMANDS.into())?;
    let options = super::check::options(&args.run);
    let reduce = super::check::reduce_flag(options.reduction);
    output::print(&header(&model));
    let outcome = run_check(
        model.config,
        &model.script,
        model.properties.clone(),
        options,
    );
    let traces = trace::record_violations(&model, &outcome, false, reduce.as_deref())?;
    output::print(&report::verdicts(&outcome));
    output::print(&report::counterexamples(&traces));
    output::print(&report::summary(&outcome));
    if let Some(dir) = save_dir {
        save(dir, &traces)?;
    }
    let code = report::exit_code(&outcome) as u8;
    let mut replays = Replays::default();
    let Some(probe) = probe else {
        return Ok((code, replays));
    };
    if traces.is_empty() {
        output::println("--live: the model found no counterexample, so there is nothing to replay");
    }
    let server = server_name(greeting);
    for (trace, _) in &traces {
        output::println(&format!(
            "== live replay of the {} counterexample against {} ({server})",
            trace.property, probe.endpoint.server
        ));
        let (result, transcript) = live::replay(probe, trace);
        let mut text = transcript.join("\n") + "\n";
        match &result {
            Ok(found) => text.push_str(&verdict(found)),
            Err(e) => text.push_str(&format!("-- the replay stopped: {e}\n")),
        }
        output::print(&text);
        if !result.as_ref().is_ok_and(|f| !f.diverged.is_empty()) {
            output::println("");
        }
        if let Some(dir) = save_dir {
            let stem = match round {
                1 => format!("live-{server}.{}", trace.property),
                k => format!("live-{server}.round-{k}.{}", trace.property),
            };
            let doc = serde_json::json!({
                "server": probe.endpoint.server,
                "greeting": greeting,
                "software": server,
                "property": trace.property,
                "model": trace.model.name,
                "reproduce": trace.reproduce,
                "transcript": transcript,
                "result": result,
            });
            let json = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())? + "\n";
            for (ext, body) in [("json", json), ("txt", text)] {
                let path = dir.join(format!("{stem}.{ext}"));
                std::fs::write(&path, body)
                    .map_err(|e| format!("--save: {}: {e}", path.display()))?;
            }
        }
        replays.replayed += 1;
        let Ok(found) = result else { continue };
        for r in found.refinements {
            if !replays.refinements.iter().any(|o| o.clause == r.clause) {
                replays.refinements.push(r);
            }
        }
        if !found.diverged.is_empty() {
            // A real loss is shown: the other counterexamples add nothing to it.
            replays.diverged = true;
            break;
        }
    }
    Ok((code, replays))
}

fn verdict(found: &live::Live) -> String {
    let mut out = String::new();
    if !found.deviations.is_empty() {
        out.push_str(&format!(
            "-- the real server left the model's path at {} of its steps (marked above)\n",
            found.deviations.len()
        ));
    }
    out.push_str(&format!(
        "-- the real mailbox at the end: {}\n",
        found.truth
    ));
    if found.diverged.is_empty() {
        out.push_str("-- no client diverged: every cache matches the real mailbox\n");
    }
    for d in &found.diverged {
        out.push_str(&format!("-- DIVERGED: {d}\n"));
    }
    out
}

/// The server's software and version as its greeting names them (`Cyrus-IMAP-3.6.1...`,
/// `Dovecot`), as a plain file-name word.
fn server_name(greeting: &str) -> String {
    let text = greeting.rsplit(']').next().unwrap_or(greeting);
    let words: Vec<&str> = text
        .split_whitespace()
        .filter(|w| !["*", "OK", "localhost", "server", "ready", "ready.", "IMAP"].contains(w))
        .take(3)
        .collect();
    let name: String = words
        .join("-")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-+".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    if name.is_empty() {
        "server".into()
    } else {
        name
    }
}
