//! `check` and `verify`.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::ValueEnum;

use super::args::{CheckArgs, ReduceArg, RunArgs, StrategyArg, VerdictFormat, VerifyArgs};
use super::header;
use crate::check::{
    CheckOptions, CheckOutcome, Limits, Strategy, check_distinct, check_resumable,
    check_resumable_options,
};
use crate::checkpoint::{self, Key, Persist};
use crate::limits::default_max_memory;
use crate::model_file;
use crate::output;
use crate::reduce::Reduction;
use crate::report::{self, json::VerifiedFile};
use crate::setup::{self, ModelSetup};
use crate::spec;
use crate::trace::replay::Replayed;
use crate::trace::save::{save, save_script};
use crate::trace::{self, Trace};

/// The options of a run that decides every property (`verify`; `check --keep-going`).
pub fn options(run: &RunArgs) -> CheckOptions {
    CheckOptions {
        keep_going: true,
        progress: run.progress || std::io::stderr().is_terminal(),
        strategy: match run.strategy {
            StrategyArg::Bfs => Strategy::Bfs,
            StrategyArg::Dfs => Strategy::Dfs,
            StrategyArg::Stateright => Strategy::Stateright,
        },
        threads: run.threads as usize,
        limits: Limits {
            max_states: run.max_states.map(|n| n as usize),
            max_seconds: run.max_seconds,
            max_memory: run.max_memory.or_else(default_max_memory),
        },
        reduction: run.reduce.reduction(),
    }
}

/// The `--reduce` value that applies `reduction`, unless it is the default: what a
/// reproduce command adds (trace::record_violations).
pub fn reduce_flag(reduction: Reduction) -> Option<String> {
    let given = ReduceArg::value_variants()
        .iter()
        .find(|r| r.reduction() == reduction)?;
    let value = given.to_possible_value()?;
    (!matches!(given, ReduceArg::All)).then(|| value.get_name().to_string())
}

/// Checks a model; for each violated property, records its trace and replays it.
/// With `counterexamples` above 1, up to that many per violated property, of distinct views.
fn check_model(
    model: &ModelSetup,
    options: CheckOptions,
    snapshots: bool,
    (counterexamples, coverage): (usize, bool),
    persist: Option<&mut Persist>,
) -> Result<(CheckOutcome, Vec<(Trace, Replayed)>), String> {
    let (config, script, properties) = (model.config, &model.script, model.properties.clone());
    let outcome = match persist {
        Some(_) if coverage => {
            return Err("--coverage does not go with --checkpoint or --resume".to_string());
        }
        Some(persist) => check_resumable(
            config,
            script,
            properties,
            options,
            counterexamples,
            persist,
        )?,
        None => {
            let edition = spec::edition(&model.edition).map_err(|e| e.to_string())?;
            let coverage = coverage.then_some((&edition.spec, edition.name));
            check_distinct(
                config,
                script,
                properties,
                options,
                counterexamples,
                coverage,
            )
        }
    };
    let reduce = reduce_flag(options.reduction);
    let traces = trace::record_violations(model, &outcome, snapshots, reduce.as_deref())?;
    Ok((outcome, traces))
}

pub fn check(args: &CheckArgs) -> Result<u8, String> {
    if let Some(dir) = &args.run.save {
        output::prepare_dir("--save", dir)?;
    }
    let model = setup::prepare(&args.model.overrides(), setup::DEFAULT_COMMANDS.into())?;
    let options = CheckOptions {
        keep_going: args.keep_going,
        ..options(&args.run)
    };
    let mut persist = prepare_checkpoint(args, &model, &options)?;
    let text = args.run.format == VerdictFormat::Text;
    if text {
        output::print(&header(&model));
    }
    let many = args.counterexamples as usize;
    let (snapshots, asked) = (args.run.snapshots, (many, args.coverage));
    let (outcome, traces) = check_model(&model, options, snapshots, asked, persist.as_mut())?;
    if text {
        output::print(&report::verdicts(&outcome));
        match many {
            1 => output::print(&report::counterexamples(&traces)),
            _ => output::print(&report::distinct_counterexamples(&outcome, &traces)),
        }
        output::print(&report::summary(&outcome));
        if let Some(coverage) = &outcome.coverage {
            output::print(&report::coverage::text(coverage));
        }
    } else {
        output::print(&report::json::check(&model, &outcome, &traces));
    }
    if let Some(dir) = &args.run.save {
        save(dir, &traces)?;
    }
    if let Some(written) = persist.and_then(|p| p.written) {
        let written = written?;
        output::eprintln(&format!(
            "checkpoint: wrote {} ({} unique states, {} generated; {} bytes in {:.2} s); \
             go on with --resume {0}",
            written.path.display(),
            written.unique_states,
            written.generated_states,
            written.bytes,
            written.seconds
        ));
    }
    Ok(report::exit_code(&outcome) as u8)
}

/// With --checkpoint or --resume: checks the file to write can be, and reads the one to
/// resume from, before any work.
fn prepare_checkpoint(
    args: &CheckArgs,
    model: &ModelSetup,
    options: &CheckOptions,
) -> Result<Option<Persist>, String> {
    if args.checkpoint.is_none() && args.resume.is_none() {
        return Ok(None);
    }
    if let Some(path) = &args.checkpoint {
        output::check_file("--checkpoint", path)?;
    }
    check_resumable_options(options, args.counterexamples as usize)?;
    let key = Key::of(
        &model.config,
        &model.script,
        &model.properties,
        options.reduction,
        options.keep_going,
    );
    let mut persist = Persist::none(key);
    persist.checkpoint.clone_from(&args.checkpoint);
    if let Some(path) = &args.resume {
        let (saved, seconds) = checkpoint::load(path, &persist.key)?;
        output::eprintln(&format!(
            "checkpoint: resumed from {} ({} unique states, {} generated; read in {seconds:.2} s)",
            path.display(),
            saved.snapshot.unique_states(),
            saved.snapshot.generated_states(),
        ));
        persist.resume = Some(saved);
    }
    Ok(Some(persist))
}

pub fn verify(args: VerifyArgs) -> Result<u8, String> {
    if let Some(dir) = &args.run.save {
        output::prepare_dir("--save", dir)?;
    }
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("models")]
    } else {
        args.paths
    };
    let mut files = Vec::new();
    for path in &paths {
        files.extend(model_file::files(path)?);
    }
    // Load every file first: a malformed one is bad input, reported before any run.
    let loaded = files
        .iter()
        .map(|f| model_file::load(f))
        .collect::<Result<Vec<_>, _>>()?;
    let mut models = Vec::new();
    for file in &loaded {
        let Some(expect) = &file.expect else {
            return Err(format!("{}: no `expect` to verify", file.path.display()));
        };
        models.push((file, expect, setup::of_file(file)?));
    }
    let options = options(&args.run);
    let text = args.run.format == VerdictFormat::Text;
    let mut verified = Vec::new();
    for (file, expect, model) in &models {
        let (outcome, traces) = check_model(model, options, args.run.snapshots, (1, false), None)?;
        if let Some(dir) = &args.run.save {
            save(dir, &traces)?;
            save_script(dir, model)?;
        }
        // `unique_states` pins the space of the default reductions; another `--reduce`
        // explores another space, so only the verdicts are compared.
        let expect = match options.reduction == Reduction::ALL {
            true => (**expect).clone(),
            false => model_file::Expect {
                unique_states: None,
                ..(**expect).clone()
            },
        };
        let result = VerifiedFile {
            path: file.path.display().to_string(),
            mismatches: model_file::mismatches(&expect, &outcome),
            unique_states: outcome.statistics.unique_states,
            seconds: outcome.statistics.seconds,
        };
        if text {
            output::print(&report::verified(&result));
        }
        verified.push(result);
    }
    let failures = verified.iter().filter(|v| !v.mismatches.is_empty()).count();
    if text {
        output::println(&format!(
            "{} passed, {failures} failed",
            verified.len() - failures
        ));
    } else {
        output::print(&report::json::verify(&verified));
    }
    Ok(if failures == 0 { 0 } else { 1 })
}
