//! The commands behind the command line: each takes its parsed flags, calls the library,
//! prints through [`crate::output`], and returns the exit code (2 for bad input, with the
//! message). `src/main.rs` only parses and exits.

pub mod args;
mod bench;
mod check;
mod client;
mod client_blame;
mod client_report;
pub mod explore;
mod matrix;
pub mod probe;
mod probe_live;
pub mod serve;
mod simulate;
mod traces;

use args::{Cli, Command};

use crate::output;
use crate::report;
use crate::setup::ModelSetup;
use crate::trace::text;

/// Runs the command `cli` names; the exit code.
pub fn run(cli: Cli) -> u8 {
    crate::limits::install_interrupt_handler();
    let code = match cli.command {
        Command::Check(args) => check::check(&args),
        Command::Verify(args) => check::verify(args),
        Command::Replay(args) => traces::replay(&args.trace),
        Command::Render(args) => traces::render(&args),
        Command::Minimize(args) => traces::minimize(&args),
        Command::Simulate(args) => simulate::simulate(&args),
        Command::Merge(args) => simulate::merge(&args),
        Command::Matrix(args) => matrix::matrix(&args),
        Command::Bench(args) => bench::bench(&args),
        Command::Explore(args) => explore::explore(&args),
        Command::Probe(args) => probe::probe(&args),
        Command::Serve(args) => serve::serve(&args),
        Command::Client(command) => client::client(&command),
        Command::List => {
            output::print(&report::list());
            Ok(0)
        }
    };
    let code = code.unwrap_or_else(|message| {
        output::eprintln(&format!("error: {}", output::plain(&message)));
        2
    });
    match output::stdout_failure() {
        Some(why) => {
            output::eprintln(&format!("error: cannot write to standard output: {why}"));
            2
        }
        None => code,
    }
}

/// The model's header, as `check` and `simulate` print it before the run.
fn header(model: &ModelSetup) -> String {
    let mut out = text::header(&model.name, &model.edition, &model.config);
    if let Some(description) = &model.description {
        // A summary's description may come from anywhere: no control characters.
        out.push_str(&format!("  {}\n", output::plain(description)));
    }
    if !model.script.is_empty() {
        out.push_str(&format!(
            "  (follows a script of {} first)\n",
            text::count(model.script.len(), "step")
        ));
    }
    out.push('\n');
    out
}
