//! The command line: parse, run the command (`resync_check::cli`), exit with its code.

use std::process::ExitCode;

use clap::Parser;

use resync_check::cli::{self, args::Cli};

// A search clones, hashes and drops millions of small states; the system allocator spent a
// fifth of a check in malloc and free (perf, `check --edition rfc7162 --keep-going`).
// mimalloc 2, not 3: Cargo.toml says why.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    ExitCode::from(cli::run(Cli::parse()))
}
