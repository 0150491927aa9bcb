//! The model on its own and its verdicts: server and client without the checker, the
//! clauses of issue #12 (pitfalls, IDLE, pipelining, CONDSTORE-only clients, flushes) and
//! erratum 1808 with exact state counts and counterexamples, and random command sequences.
//! One test binary: `cargo test --release --test model`.

#[path = "../common/mod.rs"]
mod common;

mod client;
mod client_resync_point;
mod condstore_client;
mod divergence;
mod erratum_1808;
mod flush;
mod idle;
mod pipelining;
mod pitfalls;
mod pitfalls_star_history;
mod random_commands;
mod server;
mod server_answers;
mod server_history;
