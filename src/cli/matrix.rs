//! `matrix`.

use super::args::{MatrixArgs, MatrixFormat};
use crate::check::{CheckOptions, Limits, Strategy};
use crate::limits::default_max_memory;
use crate::matrix;
use crate::output;
use crate::setup;

pub fn matrix(args: &MatrixArgs) -> Result<u8, String> {
    let config = setup::config(&args.base, &[], args.bounds.bounds())?;
    // The file to update is read and its markers checked before the rows run.
    let into = match &args.into {
        Some(path) => {
            output::check_file("--into", path)?;
            let text = crate::json::read_text(path)?;
            matrix::splice(&text, "").map_err(|e| format!("--into {}: {e}", path.display()))?;
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
    if let Some((path, text)) = into {
        let updated = matrix::splice(&text, &matrix::markdown(&built))
            .map_err(|e| format!("--into {}: {e}", path.display()))?;
        output::write_atomic(path, &updated)?;
    } else {
        output::print(&match args.format {
            MatrixFormat::Text => matrix::text(&built),
            MatrixFormat::Markdown => matrix::markdown(&built),
            MatrixFormat::Json => matrix::json(&built),
        });
    }
    // A row stopped at the memory limit is marked incomplete: the matrix was not decided.
    Ok(if matrix::is_complete(&built) { 0 } else { 3 })
}
