//! The command line as a user meets it: exit codes and errors, JSON output, the hardening of
//! issue 10, the fuzz suite, `simulate`, `serve`, the Explorer over HTTP, and the docs'
//! links. One test binary: `cargo test --release --test cli` (the fuzz suite alone:
//! `cargo test --release --test cli fuzz::`).

#[path = "../common/mod.rs"]
mod common;

mod cli;
mod docs;
mod explore_http;
mod fuzz;
mod hardening;
mod hardening_inputs;
mod json_output;
mod serve;
mod simulate;
