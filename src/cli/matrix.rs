//! `matrix`.

use super::args::{MatrixArgs, MatrixFormat};
use crate::check::{CheckOptions, Limits, Strategy};
use crate::limits::default_max_memory;
use crate::matrix;
use crate::output;
use crate::setup;

pub fn matrix(args: &MatrixArgs) -> Result<u8, String> {
    let config = setup::config(&args.base, &[], args.bounds.bounds())?;
    // The file to update or check is read and its markers checked before the rows run.
    let flag = if args.check.is_some() {
        "--check"
    } else {
        "--into"
    };
    let into = match args.into.as_ref().or(args.check.as_ref()) {
        Some(path) => {
            output::check_file(flag, path)?;
            let text = crate::json::read_text(path)?;
            matrix::splice(&text, "").map_err(|e| format!("{flag} {}: {e}", path.display()))?;
            Some((path, text))
        }
        None => None,
    };
    let options = CheckOptions {
        keep_going: true,
        progress: false,
        strategy: Strategy::Bfs,
        threads: args.threads as usize,
        limits: Limits {
            max_memory: args.max_memory.or_else(default_max_memory),
            ..Limits::NONE
        },
        reduction: args.reduce.reduction(),
    };
    let started = std::time::Instant::now();
    let built = matrix::build(&args.base, config, options)?;
    output::eprintln(&format!(
        "matrix: {} rows in {:.1} s",
        built.rows.len() + built.errata.len(),
        started.elapsed().as_secs_f64()
    ));
    let complete = matrix::is_complete(&built);
    if let Some((path, text)) = into {
        let updated = matrix::splice(&text, &matrix::markdown(&built))
            .map_err(|e| format!("{flag} {}: {e}", path.display()))?;
        if args.check.is_none() {
            output::write_atomic(path, &updated)?;
        } else if complete && updated != text {
            output::eprintln(&stale(path, &text, &updated));
            return Ok(1);
        } else if complete {
            output::eprintln(&format!("matrix: {} is current", path.display()));
        }
    } else {
        output::print(&match args.format {
            MatrixFormat::Text => matrix::text(&built),
            MatrixFormat::Markdown => matrix::markdown(&built),
            MatrixFormat::Json => matrix::json(&built),
        });
    }
    // A row stopped at the memory limit is marked incomplete: the matrix was not decided
    // (nor, under --check, whether the file is current).
    Ok(if complete { 0 } else { 3 })
}

/// What `--check` says of a file whose matrix differs from today's: the first line that
/// differs, both ways, and the command that brings it up to date.
fn stale(path: &std::path::Path, text: &str, updated: &str) -> String {
    let (line, old, new) = text
        .lines()
        .zip(updated.lines())
        .enumerate()
        .find(|(_, (a, b))| a != b)
        .map(|(i, (a, b))| (i + 1, a, b))
        .unwrap_or((
            text.lines().count().min(updated.lines().count()) + 1,
            "",
            "",
        ));
    format!(
        "matrix: {path}'s matrix is stale, first at line {line}:\n  file:  {old}\n  today: {new}\n\
         run `resync-check matrix --into {path}` (with the same options) to update it",
        path = path.display()
    )
}
