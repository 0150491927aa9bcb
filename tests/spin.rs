//! The core in Promela (models/spin/core.pml) under Spin: an independent encoding of the
//! erratum's race, checked by another model checker. Spin finds the loss where CLOSE sends
//! its HIGHESTMODSEQ (RFC 5162 section 3.4 as published) and none where it does not (RFC 7162
//! section 3.2.8), as resync-check does (docs/spin.md).
//!
//! Ignored by default, for machines without Spin: `.ci/run` installs Debian's `spin` (6.5.2)
//! and runs `cargo test --release --test spin -- --ignored`. The counts are Spin 6.5.2's.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{root, temp_dir};

/// What one exhaustive Spin run printed.
struct Run {
    errors: u64,
    stored: u64,
    transitions: u64,
    out: String,
}

fn command(dir: &Path, program: &str, args: &[&str]) -> String {
    let output = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e} (Spin 6 and gcc are needed)"));
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{program} {args:?}: {text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    text
}

/// The number next to `label` on the first of `out`'s lines that has it: the word after it
/// (`errors: 0`), or else the last word before it (`515490 states, stored`).
fn count(out: &str, label: &str) -> u64 {
    let line = out
        .lines()
        .find(|l| l.contains(label))
        .unwrap_or_else(|| panic!("no `{label}` in Spin's output:\n{out}"));
    let (before, after) = line.split_once(label).unwrap();
    let after = after.split_whitespace().next().and_then(|w| w.parse().ok());
    let before = before
        .split_whitespace()
        .last()
        .and_then(|w| w.parse().ok());
    after
        .or(before)
        .unwrap_or_else(|| panic!("no number next to `{label}` in `{line}`"))
}

/// `spin -a`, `gcc`, `./pan` in a fresh directory holding a copy of the model, as
/// docs/spin.md says: `defines` go to Spin, `cflags` to gcc, `pan` to the verifier.
fn verify(name: &str, defines: &[&str], cflags: &[&str], pan: &[&str]) -> (PathBuf, Run) {
    let dir = temp_dir(&format!("spin-{name}"));
    std::fs::copy(root().join("models/spin/core.pml"), dir.join("core.pml")).unwrap();
    let mut spin: Vec<&str> = defines.to_vec();
    spin.extend(["-a", "core.pml"]);
    command(&dir, "spin", &spin);
    let mut gcc = vec!["-O2", "-DSAFETY"];
    gcc.extend(cflags);
    gcc.extend(["-o", "pan", "pan.c"]);
    command(&dir, "gcc", &gcc);
    // pan exits 0 whether or not it found an error; its summary says which.
    let out = command(&dir, "./pan", pan);
    let run = Run {
        errors: count(&out, "errors:"),
        stored: count(&out, "states, stored"),
        transitions: count(&out, "transitions (= stored+matched)"),
        out,
    };
    (dir, run)
}

#[test]
#[ignore = "needs Spin 6 and gcc: .ci/run installs Debian's spin"]
fn spin_proves_rfc7162_close_at_2x2x2() {
    let (dir, run) = verify("rfc7162", &[], &[], &["-m100000", "-w20"]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(run.errors, 0, "{}", run.out);
    assert!(!run.out.contains("Search not completed"), "{}", run.out);
    assert_eq!((run.stored, run.transitions), (515_490, 1_592_488));
}

#[test]
#[ignore = "needs Spin 6 and gcc: .ci/run installs Debian's spin"]
fn spin_finds_the_loss_when_close_sends_its_highestmodseq() {
    let (dir, run) = verify(
        "close-sends",
        &["-DCLOSE_SENDS"],
        &[],
        &["-m100000", "-w20"],
    );
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(run.errors, 1, "{}", run.out);
    // The cache still holds a UID the mailbox no longer has: views-converge's first half.
    assert!(
        run.out
            .contains("assertion violated (((r[c].cache&(1<<v))!=0)==((present&(1<<v))!=0))"),
        "{}",
        run.out
    );
}

/// WHOLE: a command and its whole response one step, as issue 31's Promela model ran.
#[test]
#[ignore = "needs Spin 6 and gcc: .ci/run installs Debian's spin"]
fn spin_whole_responses_prove_rfc7162_and_find_the_loss() {
    let (dir, run) = verify("whole", &["-DWHOLE"], &[], &["-m100000", "-w20"]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(run.errors, 0, "{}", run.out);
    assert_eq!((run.stored, run.transitions), (19_059, 44_826));
    let flags = ["-DWHOLE", "-DCLOSE_SENDS"];
    let (dir, run) = verify("whole-close-sends", &flags, &[], &["-m100000", "-w20"]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(run.errors, 1, "{}", run.out);
}

/// Spin's shortest counterexample (`-DREACH`, `./pan -i`) replayed as a transcript is
/// erratum 1808's race in nine steps, as resync-check prints it (docs/spin.md).
#[test]
#[ignore = "needs Spin 6 and gcc: .ci/run installs Debian's spin"]
fn spins_shortest_loss_is_the_erratum_race() {
    let (dir, run) = verify(
        "shortest",
        &["-DCLOSE_SENDS"],
        &["-DREACH"],
        &["-m1000", "-i"],
    );
    assert!(run.errors >= 1, "{}", run.out);
    let replay = command(&dir, "spin", &["-DCLOSE_SENDS", "-T", "-t", "core.pml"]);
    let _ = std::fs::remove_dir_all(&dir);
    let transcript: Vec<&str> = replay
        .lines()
        .take_while(|l| !l.starts_with("spin:"))
        .collect();
    assert_eq!(
        transcript,
        [
            "C1: UID STORE 2 +FLAGS.SILENT (\\Deleted)",
            "C2: CLOSE",
            "S2: OK [HIGHESTMODSEQ 3]",
            "C2: SELECT INBOX (QRESYNC (1 3 1,2))",
            "S2: * 1 EXISTS",
            "S2: * OK [UIDVALIDITY 1]",
            "S2: * OK [UIDNEXT 3]",
            "S2: * OK [HIGHESTMODSEQ 3]",
            "S2: OK",
        ],
        "{replay}"
    );
    assert!(replay.contains(
        "spin: text of failed assertion: assert((((r[c].cache&(1<<v))!=0)==((present&(1<<v))!=0)))"
    ));
}
