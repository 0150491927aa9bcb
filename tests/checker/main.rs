//! The checker: the reductions and the parallel search against the line-by-line model and
//! stateright, checkpoints, `--counterexamples`, `--coverage`, vacuous properties, the
//! clause matrix, saved traces, their blame and their wire lines. One test binary: `cargo
//! test --release --test checker`.

#[path = "../common/mod.rs"]
mod common;

mod blame;
mod checkpoint;
mod counterexamples;
mod coverage;
mod depth_first;
mod matrix;
mod parallel_search;
mod reduction;
mod traces;
mod vacuity;
mod wire;
