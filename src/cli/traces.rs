//! `replay`, `render` and `minimize`: what a saved trace shows, checked before it is shown.

use std::path::Path;

use super::args::{Format, MinimizeArgs, RenderArgs};
use crate::output;
use crate::properties::{Kind, property};
use crate::step::run::run;
use crate::trace::minimize::minimize as shorten;
use crate::trace::replay::{ReplayError, Replayed, check_lines, replay as run_replay};
use crate::trace::{ModelInfo, Trace, check_command, markdown, reproduce, svg, text};

pub fn load_trace(path: &Path) -> Result<Trace, String> {
    let text = crate::json::read(path)?;
    Trace::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Where in `trace` step `step` (1-based) is, in the reader's terms.
fn step_name(trace: &Trace, step: usize) -> String {
    match trace.steps.get(step.wrapping_sub(1)) {
        Some(s) => match s.client {
            Some(client) => format!("step {step} ({client} {})", s.kind.name()),
            None => format!("step {step} ({})", s.kind.name()),
        },
        None => format!("step {step}"),
    }
}

/// Replays a trace; Err(code) after printing why it does not replay.
fn replayed(path: &Path, trace: &Trace) -> Result<Result<Replayed, u8>, String> {
    let shown = path.display();
    match run_replay(trace) {
        Ok(replayed) => Ok(Ok(replayed)),
        Err(ReplayError::Invalid(why)) => Err(format!("{shown}: {why}")),
        Err(ReplayError::Claim(why)) => {
            output::println(&output::plain(&format!("{shown}: does not replay: {why}")));
            Ok(Err(1))
        }
        Err(ReplayError::Diverged { step, why }) => {
            // The check after the last step says so itself.
            let what = if step > trace.steps.len() {
                why
            } else {
                format!("{}: {why}", step_name(trace, step))
            };
            output::println(&output::plain(&format!("{shown}: does not replay: {what}")));
            Ok(Err(1))
        }
    }
}

pub fn replay(path: &Path) -> Result<u8, String> {
    let trace = load_trace(path)?;
    Ok(match replayed(path, &trace)? {
        Ok(r) => {
            output::println(&format!(
                "{}: replays: {}, and the last state violates {}",
                path.display(),
                text::count(r.actions.len(), "step"),
                r.property.name
            ));
            0
        }
        Err(code) => code,
    })
}

pub fn render(args: &RenderArgs) -> Result<u8, String> {
    let trace = load_trace(&args.trace)?;
    let replayed = match replayed(&args.trace, &trace)? {
        Ok(r) => r,
        Err(code) => return Ok(code),
    };
    output::print(&match args.format {
        Format::Text => text::render(&trace, &replayed),
        Format::Markdown => markdown::render(&trace, &replayed),
        Format::Svg => svg::render(&trace, &replayed),
    });
    Ok(0)
}

/// Minimizes a trace from elsewhere. Its steps may carry no lines (a hand-written
/// scenario); a step that carries lines must carry the model's, as `replay` requires: a
/// trace whose lines differ is refused (exit 1) rather than quietly corrected.
pub fn minimize(args: &MinimizeArgs) -> Result<u8, String> {
    let shown = args.trace.display();
    let trace = load_trace(&args.trace)?;
    if let Some(path) = &args.output {
        output::check_file("--output", path)?;
    }
    let config = trace.model.config().map_err(|e| format!("{shown}: {e}"))?;
    let property = property(&trace.property)
        .filter(|p| p.kind == Kind::Always)
        .ok_or_else(|| format!("{shown}: `{}` is not an `always` property", trace.property))?;
    let actions = trace.actions().map_err(|e| format!("{shown}: {e}"))?;
    match run(&config, &actions) {
        Err((step, why)) => {
            output::println(&output::plain(&format!(
                "{shown}: does not run: {}: {why}",
                step_name(&trace, step)
            )));
            return Ok(1);
        }
        Ok(last) if (property.condition)(&last) => {
            output::println(&format!(
                "{shown}: its steps end in no violation of {}",
                property.name
            ));
            return Ok(1);
        }
        Ok(_) => {}
    }
    if let Err((step, why)) = check_lines(&trace, &config, &actions) {
        output::println(&output::plain(&format!(
            "{shown}: does not replay: {}: {why} (minimize takes steps with the model's \
             lines, or with none)",
            step_name(&trace, step)
        )));
        return Ok(1);
    }
    let shorter = shorten(&config, property.condition, &actions);
    // The input's command still reproduces the violation if it is one this tool writes for
    // this model; otherwise the `check` command of the model does.
    let command = if reproduce::check(&trace).is_ok() {
        trace.reproduce.clone()
    } else {
        check_command(None, &trace.model, property.name)
    };
    // Every clause named, as a hand-written scenario may name only some.
    let info = ModelInfo::new(&trace.model.name, &trace.model.edition, &config);
    let minimized = Trace::record(info, &config, property.name, command, &shorter, false);
    output::eprintln(&format!(
        "removed {} of {} ({} remain)",
        actions.len() - shorter.len(),
        text::count(actions.len(), "step"),
        shorter.len()
    ));
    match &args.output {
        Some(path) => output::write_atomic(path, &minimized.to_json())?,
        None => output::print(&minimized.to_json()),
    }
    Ok(0)
}
