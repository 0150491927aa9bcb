//! `simulate` and `merge`.

use std::path::Path;

use super::args::{MergeArgs, PolicyArg, SimulateArgs};
use super::header;
use crate::model_file::property_index;
use crate::output;
use crate::report;
use crate::setup::{self, ModelSetup};
use crate::simulate::summary::{SummaryFile, merge as merge_files};
use crate::simulate::{self, Policy, Shard};
use crate::step::Step;
use crate::step::run::run;
use crate::system::Action;
use crate::trace::save::save;
use crate::trace::{ModelInfo, text};

/// Commands per client when `simulate` is not told: enough for walks of a few hundred steps.
const SIMULATE_COMMANDS: u64 = 20;

/// Checks `--summary FILE` and `--save DIR` before any walk.
fn check_outputs(summary: Option<&Path>, save_dir: Option<&Path>) -> Result<(), String> {
    if let Some(path) = summary {
        output::check_file("--summary", path)?;
    }
    if let Some(dir) = save_dir {
        output::prepare_dir("--save", dir)?;
    }
    Ok(())
}

pub fn simulate(args: &SimulateArgs) -> Result<u8, String> {
    check_outputs(args.summary.as_deref(), args.save.as_deref())?;
    let model = setup::prepare(&args.model.overrides(), SIMULATE_COMMANDS)?;
    if let Some(walk) = args.walk.filter(|w| *w >= args.runs) {
        return Err(format!("--walk {walk} is not below --runs {}", args.runs));
    }
    if let (Some(walk), Some(shard)) = (args.walk, args.shard) {
        if walk % shard.count != shard.index {
            return Err(format!(
                "--walk {walk} is not in --shard {}/{}",
                shard.index, shard.count
            ));
        }
    }
    let options = simulate::Options {
        seed: args.seed,
        runs: args.runs,
        steps: args.steps,
        threads: args.threads as usize,
        policy: match args.policy {
            PolicyArg::Uniform => Policy::Uniform,
            PolicyArg::Swarm => Policy::Swarm,
        },
        shard: args.shard.unwrap_or(Shard::ALL),
        walk: args.walk,
    };
    output::print(&header(&model));
    let start = run(&model.config, &model.script)
        .map_err(|(step, why)| format!("script step {step}: {why}"))?;
    let started = std::time::Instant::now();
    let progress = |walks: u64, steps: u64, violations: u64| {
        let seconds = started.elapsed().as_secs_f64();
        output::eprintln(&format!(
            "simulate: {walks} walks, {steps} steps, {:.0} steps/s, {violations} violation(s)",
            steps as f64 / seconds
        ));
    };
    let summary = simulate::run(
        &model.config,
        &start,
        &model.properties,
        &options,
        &progress,
    );
    let seconds = started.elapsed().as_secs_f64();
    let info = ModelInfo::new(&model.name, &model.edition, &model.config);
    let script: Vec<Step> = model.script.iter().map(|a| Step::bare(*a)).collect();
    let file = SummaryFile::new(
        info,
        model.description.clone(),
        script,
        &model.properties,
        &options,
        &summary,
    );
    let code = report_simulation(
        &file,
        model.script_file.as_deref(),
        args.save.as_deref(),
        args.threads,
    )?;
    output::eprintln(&format!(
        "simulate: {} walks, {} steps in {seconds:.2} s: {:.0} steps/s, {:.0} walks/s",
        summary.walks,
        summary.steps,
        summary.steps as f64 / seconds,
        summary.walks as f64 / seconds
    ));
    if let Some(path) = &args.summary {
        output::write_atomic(path, &file.to_json())?;
    }
    Ok(code)
}

pub fn merge(args: &MergeArgs) -> Result<u8, String> {
    check_outputs(args.summary.as_deref(), args.save.as_deref())?;
    let mut files = Vec::new();
    for path in &args.summaries {
        let text = crate::json::read(path)?;
        files.push(SummaryFile::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))?);
    }
    let merged = merge_files(&files)?;
    let config = merged.model.config()?;
    let script = merged
        .script
        .iter()
        .map(|s| s.action())
        .collect::<Result<Vec<Action>, _>>()?;
    let prepared = ModelSetup {
        name: merged.model.name.clone(),
        edition: merged.model.edition.clone(),
        description: merged.description.clone(),
        config,
        script,
        script_file: None,
        properties: Vec::new(),
    };
    output::print(&header(&prepared));
    let code = report_simulation(&merged, None, args.save.as_deref(), 2)?;
    if let Some(path) = &args.summary {
        output::write_atomic(path, &merged.to_json())?;
    }
    Ok(code)
}

/// Prints a simulation's summary and the minimized trace of each violated property's first
/// walk; saves those with `save`. 1 if a property was violated, else 3: walks prove nothing.
fn report_simulation(
    file: &SummaryFile,
    script_file: Option<&str>,
    save_dir: Option<&Path>,
    threads: u64,
) -> Result<u8, String> {
    let (summary, found) = simulate::violation_traces(file, script_file, threads as usize)?;
    let properties = file
        .properties
        .iter()
        .map(|n| property_index(n))
        .collect::<Result<Vec<usize>, _>>()?;
    output::print(&report::simulation(file, &summary, &properties));
    let mut traces = Vec::new();
    for found in found {
        output::println(&format!(
            "\n== {} violated: walk {} of seed {}, {}, minimized to {} ({} removed)",
            found.trace.property,
            found.walk,
            file.seed,
            text::count(found.steps_before, "step"),
            found.trace.steps.len(),
            found.steps_before - found.trace.steps.len()
        ));
        output::print(&text::body(&found.trace, &found.replayed));
        traces.push((found.trace, found.replayed));
    }
    if let Some(dir) = save_dir {
        save(dir, &traces)?;
    }
    Ok(if traces.is_empty() { 3 } else { 1 })
}
