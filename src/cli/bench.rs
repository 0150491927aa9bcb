//! `bench`.

use clap::ValueEnum;

use super::args::{BenchArgs, ReduceArg, StrategyArg};
use crate::bench::{self, STANDARD};
use crate::output;

pub fn bench(args: &BenchArgs) -> Result<u8, String> {
    if let Some(path) = &args.save {
        output::check_file("--save", path)?;
    }
    let editions = match args.editions.is_empty() {
        true => vec!["rfc7162".to_string()],
        false => args.editions.clone(),
    };
    for edition in &editions {
        crate::spec::edition(edition).map_err(|e| e.to_string())?;
    }
    let reductions = match args.reductions.is_empty() {
        true => vec![ReduceArg::All, ReduceArg::None],
        false => args.reductions.clone(),
    };
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let strategy = args
        .strategy
        .to_possible_value()
        .map(|v| v.get_name().to_string())
        .unwrap_or_default();
    // Our depth-first search runs on one thread: the row says so, as the check does.
    let threads = match args.strategy {
        StrategyArg::Dfs => 1,
        _ => args.threads,
    };
    let mut rows = Vec::new();
    for edition in &editions {
        for reduction in &reductions {
            for bounds in STANDARD {
                let reduce = reduction
                    .to_possible_value()
                    .map(|v| v.get_name().to_string());
                let reduce = reduce.unwrap_or_default();
                let search = bench::Search {
                    reduce: &reduce,
                    strategy: &strategy,
                    threads,
                };
                let row = bench::row(&exe, edition, search, bounds, args.max_seconds)?;
                output::eprintln(&format!(
                    "bench: {edition} {} {strategy} {}x{}x{}: {} states, {:.1} s, {}",
                    row.reduction,
                    row.clients,
                    row.messages,
                    row.commands,
                    row.unique_states,
                    row.seconds,
                    row.completion
                ));
                rows.push(row);
            }
        }
    }
    output::print(&format!(
        "bench: whole spaces (check --keep-going), each row in its own process, at most {} s \
         per row\n\n{}",
        args.max_seconds,
        bench::table(&rows)
    ));
    if let Some(path) = &args.save {
        output::write_atomic(path, &crate::json::to_pretty(&rows))?;
    }
    Ok(0)
}
