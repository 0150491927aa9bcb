//! `client interimap`: the real interimap against `serve`, each run judged after a quiet
//! final sync (`clients/interimap.rs`). By default every branch of the choices is explored,
//! one fresh run per branch, depth first: a branch's choices are its predecessor's up to the
//! last one with an option left, that one advanced, and the first option of every choice
//! after (`serve --script --extend`). With `--runs`, seeded samples instead. Each run's
//! resync point is read from its transcript (`clients/resync_point.rs`); a diverged run is
//! blamed by reruns (`client_blame.rs`); what is printed is `client_report.rs`'s.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::json;

use super::args::{ClientCommand, InterimapArgs, VerdictFormat};
use super::client_blame::Rerunner;
use super::client_report::Report;
use crate::clients::interimap::{self, Choices, Outcome, Programs, Run};
use crate::clients::resync_point;
use crate::output;
use crate::serve::{Choice, Script};
use crate::setup;
use crate::trace::text;

pub fn client(command: &ClientCommand) -> Result<u8, String> {
    match command {
        ClientCommand::Interimap(args) => interimap(args),
    }
}

fn interimap(args: &InterimapArgs) -> Result<u8, String> {
    if !args.model.properties.is_empty() {
        return Err("client checks no model property: leave --property out".into());
    }
    if args.runs == Some(0) {
        return Err("--runs 0: give at least one run".into());
    }
    // The model is checked here, so a bad flag is this command's error, not a run's.
    let model = setup::prepare(&args.model.overrides(), setup::DEFAULT_COMMANDS.into())?;
    let programs = interimap::programs(args.local_imap.clone())?;
    let temp = tempfile::tempdir().map_err(|e| format!("a temporary directory: {e}"))?;
    let base = match &args.save {
        Some(dir) => {
            output::prepare_dir("--save", dir)?;
            dir.clone()
        }
        None => temp.path().to_path_buf(),
    };
    let how = match args.runs {
        Some(runs) => format!("{runs} run(s) from seed {}", args.seed),
        None => format!("every branch, for at most {} s", args.max_seconds),
    };
    let mut report = Report::new(args.format == VerdictFormat::Json);
    report.say(&format!(
        "client interimap against serve, model {}: {how}, {} sync(s) each and a quiet one, at \
         most {} drop(s)",
        model.name, args.syncs, args.drops
    ));
    let started = Instant::now();
    let run = |flags: Vec<String>, choices: Choices| Run {
        model: flags,
        choices,
        syncs: args.syncs,
        drops: args.drops,
        steps_between: args.steps_between,
        timeout: Duration::from_secs(args.timeout.max(1)),
    };
    let rerunner = Rerunner {
        programs: &programs,
        args,
        base: base.clone(),
        run: &run,
    };
    let spec = model.config.spec;
    // Judges one run: its resync point from the wire, and, if it diverged, its blame.
    let mut judge = |label: &str, name: &str, outcome: &Outcome| -> Result<(), String> {
        let class = resync_point::classify(&outcome.transcript);
        let blame = if outcome.diverged() {
            Some(rerunner.blame(&spec, outcome, name)?)
        } else {
            None
        };
        report.add(label, outcome, &class, blame.as_ref());
        Ok(())
    };
    let header = text::header(&model.name, &model.edition, &model.config);
    let complete = match args.runs {
        Some(runs) => {
            for i in 0..runs {
                let seed = args.seed + i;
                let choices = Choices::Seed(seed);
                let (name, outcome) =
                    judged(&programs, &run(args.model.flags(), choices), &base, i == 0)?;
                judge(
                    &format!("run {} (serve --seed {seed})", i + 1),
                    &name,
                    &outcome,
                )?;
            }
            true
        }
        None => {
            let limit = Duration::from_secs(args.max_seconds);
            let mut prefix: Vec<Choice> = Vec::new();
            let mut n = 0;
            loop {
                if started.elapsed() >= limit || crate::limits::interrupted() {
                    break false;
                }
                n += 1;
                let script = write_prefix(&base, n, &header, &prefix)?;
                let choices = Choices::Prefix(script);
                let (name, outcome) =
                    judged(&programs, &run(args.model.flags(), choices), &base, n == 1)?;
                let label = format!("branch {n} ({} choices)", outcome.choices.len());
                judge(&label, &name, &outcome)?;
                match next(&outcome.choices) {
                    Some(p) => prefix = p,
                    None => break true,
                }
            }
        }
    };
    let clean = report.diverged == 0 && report.unjudged == 0;
    let scope = match (args.runs, complete) {
        (Some(_), _) => "run(s)",
        (None, true) if clean => {
            "branch(es), every one there is: no change lost within these bounds"
        }
        (None, true) => "branch(es), every one there is",
        (None, false) => "branch(es), then stopped (--max-seconds or Ctrl-C): incomplete",
    };
    let seconds = started.elapsed().as_secs_f64();
    let summary = format!(
        "{} {scope}; {} diverged, {} not judged, {} the same; {seconds:.1} s",
        report.runs,
        report.diverged,
        report.unjudged,
        report.runs - report.diverged - report.unjudged,
    );
    let described = json!({
        "model": model.name,
        "how": how,
        "syncs": args.syncs,
        "drops": args.drops,
        "steps_between": args.steps_between,
        "scope": scope,
    });
    report.finish(described, &summary, complete, seconds);
    Ok(match (report.exit_code(), complete) {
        (0, false) => 3,
        (code, _) => code,
    })
}

/// Runs `run` in its own directory; the first run of a check runs twice and compares the
/// two serve transcripts line by line: a seed or a script names a run only if the client
/// does the same each time.
fn judged(
    programs: &Programs,
    run: &Run,
    base: &Path,
    first: bool,
) -> Result<(String, Outcome), String> {
    let name = match &run.choices {
        Choices::Seed(seed) => format!("run-{seed}"),
        Choices::Prefix(path) => path.file_stem().map_or("branch".into(), |s| {
            s.to_string_lossy().replace("prefix", "branch")
        }),
    };
    let outcome = interimap::run(programs, run, &base.join(&name))?;
    if first {
        let twice = interimap::run(programs, run, &base.join(format!("{name}-again")))?;
        if outcome.transcript != twice.transcript {
            let lines = outcome.transcript.lines().zip(twice.transcript.lines());
            let at = lines.take_while(|(a, b)| a == b).count() + 1;
            return Err(format!(
                "interimap is not deterministic: two runs of {name} differ at line {at} of the \
                 serve transcript, so a seed or a script would not name a run"
            ));
        }
    }
    Ok((name, outcome))
}

/// The choices of the branch after the one that made `made`, depth first: up to the last
/// choice with an option left, that one advanced. None when every branch is done.
fn next(made: &[Choice]) -> Option<Vec<Choice>> {
    let last = made.iter().rposition(|c| c.index + 1 < c.of)?;
    let mut prefix = made[..last].to_vec();
    prefix.push(Choice {
        index: made[last].index + 1,
        ..made[last].clone()
    });
    Some(prefix)
}

/// Writes branch `n`'s prefix as a script `serve --script` reads.
fn write_prefix(base: &Path, n: u64, model: &str, choices: &[Choice]) -> Result<PathBuf, String> {
    let path = base.join(format!("prefix-{n}.json"));
    let script = Script {
        tool: crate::trace::tool(),
        model: model.to_string(),
        choices: choices.to_vec(),
    };
    let json = serde_json::to_string_pretty(&script).map_err(|e| e.to_string())?;
    output::write_atomic(&path, &(json + "\n"))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choice(index: usize, of: usize) -> Choice {
        Choice {
            what: "x".into(),
            index,
            of,
        }
    }

    #[test]
    fn branches_are_walked_depth_first_and_end() {
        let made = [choice(0, 2), choice(1, 2), choice(0, 3)];
        let indices = |p: &[Choice]| p.iter().map(|c| c.index).collect::<Vec<_>>();
        assert_eq!(indices(&next(&made).unwrap()), [0, 1, 1]);
        let made = [choice(0, 2), choice(1, 2), choice(2, 3)];
        assert_eq!(indices(&next(&made).unwrap()), [1]);
        assert_eq!(next(&[choice(1, 2), choice(2, 3)]), None);
        assert_eq!(next(&[]), None);
    }
}
