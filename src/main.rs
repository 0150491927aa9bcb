//! The command line: parse, run the command (`resync_check::cli`), exit with its code.

use std::process::ExitCode;

use clap::Parser;

use resync_check::cli::{self, args::Cli};

fn main() -> ExitCode {
    ExitCode::from(cli::run(Cli::parse()))
}
