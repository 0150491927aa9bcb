//! `client interimap`: the real interimap against `serve`, run after run, each judged after a
//! quiet final sync (`clients/interimap.rs`).

use std::time::{Duration, Instant};

use super::args::{ClientCommand, InterimapArgs, ModelArgs};
use crate::clients::interimap::{self, Run};
use crate::clients::mailbox::show;
use crate::output;
use crate::setup;

pub fn client(command: &ClientCommand) -> Result<u8, String> {
    match command {
        ClientCommand::Interimap(args) => interimap(args),
    }
}

fn interimap(args: &InterimapArgs) -> Result<u8, String> {
    if !args.model.properties.is_empty() {
        return Err("client checks no model property: leave --property out".into());
    }
    if args.runs == 0 {
        return Err("--runs 0: give at least one run".into());
    }
    // The model is checked here, so a bad flag is this command's error, not a run's.
    let model = setup::prepare(&args.model.overrides(), setup::DEFAULT_COMMANDS.into())?;
    let programs = interimap::programs(args.local_imap.clone())?;
    let work = match &args.save {
        Some(dir) => {
            output::prepare_dir("--save", dir)?;
            None
        }
        None => Some(tempfile::tempdir().map_err(|e| format!("a temporary directory: {e}"))?),
    };
    let base = match (&args.save, &work) {
        (Some(dir), _) => dir.clone(),
        (None, Some(temp)) => temp.path().to_path_buf(),
        (None, None) => unreachable!("one of the two"),
    };
    output::println(&format!(
        "client interimap against serve, model {}: {} run(s) from seed {}, {} sync(s) each and a \
         quiet one, at most {} drop(s)",
        model.name, args.runs, args.seed, args.syncs, args.drops
    ));
    let started = Instant::now();
    let run = |seed: u64| Run {
        model: serve_flags(&args.model),
        seed,
        syncs: args.syncs,
        drops: args.drops,
        steps_between: args.steps_between,
        timeout: Duration::from_secs(args.timeout.max(1)),
    };
    // A seed names a run only if the client does the same each time: the first run once
    // more, every line compared.
    let twice = interimap::run(&programs, &run(args.seed), &base.join("determinism"))?;
    let (mut diverged, mut unjudged) = (0, 0);
    for i in 0..args.runs {
        let seed = args.seed + i;
        let dir = base.join(format!("run-{seed}"));
        let outcome = interimap::run(&programs, &run(seed), &dir)?;
        if i == 0 && outcome.transcript != twice.transcript {
            let first = outcome.transcript.lines().zip(twice.transcript.lines());
            let at = first.take_while(|(a, b)| a == b).count() + 1;
            return Err(format!(
                "interimap is not deterministic: two runs of seed {seed} differ at line {at} \
                 of the serve transcript, so a seed would not name a run"
            ));
        }
        let exits: Vec<String> = outcome
            .exits
            .iter()
            .map(|e| e.map_or("killed".into(), |c| c.to_string()))
            .collect();
        let verdict = if !outcome.judged() {
            unjudged += 1;
            "not judged: the quiet sync did not complete".to_string()
        } else if outcome.diverged() {
            diverged += 1;
            format!(
                "DIVERGED: the model's mailbox {}, interimap's local copy {}",
                show(&outcome.model),
                show(&outcome.local)
            )
        } else {
            format!("same: {}", show(&outcome.model))
        };
        output::println(&format!(
            "run {} (serve --seed {seed}): syncs exited {}: {verdict}",
            i + 1,
            exits.join(" ")
        ));
        if outcome.diverged() {
            output::println("-- the serve transcript:");
            output::print(&outcome.transcript);
        }
    }
    output::println(&format!(
        "{} run(s): {diverged} diverged, {unjudged} not judged, {} the same; {:.1} s",
        args.runs,
        args.runs - diverged - unjudged,
        started.elapsed().as_secs_f64()
    ));
    Ok(if diverged > 0 {
        1
    } else if unjudged > 0 {
        3
    } else {
        0
    })
}

/// The model flags again, for the `serve` process.
fn serve_flags(model: &ModelArgs) -> Vec<String> {
    let mut flags = Vec::new();
    if let Some(file) = &model.model {
        flags.push(file.display().to_string());
    }
    if let Some(edition) = &model.edition {
        flags.extend(["--edition".into(), edition.clone()]);
    }
    for (clause, value) in &model.clauses {
        flags.extend(["--clause".into(), format!("{clause}={value}")]);
    }
    let bounds = &model.bounds;
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
