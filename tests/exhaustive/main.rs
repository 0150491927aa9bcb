//! The exhaustive tier: cross-checks on every clause value and the longest proof, about 3
//! minutes on 2 cores, which would nearly double the suite's 4. Its tests are ignored, so
//! `cargo test` lists them as such; `cargo test --release --test exhaustive -- --ignored`
//! runs them, and CI (`.ci/run`) does after the suite, so nothing lands without them.

#[path = "../common/mod.rs"]
mod common;

mod engines;
mod longest_model;
mod reduction_verdicts;
