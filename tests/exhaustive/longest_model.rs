//! The longest model file's proof: pipelining keeps every property at 2 clients, 2 messages
//! and 2 commands (7,479,837 states under symmetry and retiring; the read reductions are off
//! under pipelining). `verify` checks it against the file's expectations; it saves no trace.

use crate::common;
use common::{LONGEST_MODEL, run, temp_dir};

#[test]
#[ignore = "the exhaustive tier: cargo test --release --test exhaustive -- --ignored"]
fn the_longest_model_file_verifies_and_saves_no_trace() {
    let dir = temp_dir("regenerate-longest");
    let output = run(&["verify", LONGEST_MODEL, "--save", dir.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&output.stdout).contains("1 passed, 0 failed"));
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
}
