//! `check --checkpoint FILE` and `--resume FILE` (issue 31 item 3): a run stopped by a limit
//! or Ctrl-C and resumed ends with the counts, verdicts and byte-identical traces of a run
//! that never stopped, at 1 and 2 threads, in both searches of a first-violation run and in
//! a whole-space one; a file of another model, format or version, or a damaged one, is
//! refused with a clear error.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use crate::common;
use common::{refused, root, run, stderr, stdout, temp_dir};

/// rfc7162, 2 clients x 1 message x 2 commands, every state, the whole space.
const WHOLE: &[&str] = &[
    "check",
    "--edition",
    "rfc7162",
    "--clients",
    "2",
    "--messages",
    "1",
    "--commands",
    "2",
    "--reduce",
    "none",
    "--keep-going",
];

/// The RFC 5162 model to its first violation of views-converge (9 steps), found under the
/// read reduction, then searched again with the exact reductions for the shortest path.
const FIRST: &[&str] = &[
    "check",
    "models/errata-1808-rfc5162.json",
    "--property",
    "views-converge",
];

/// What a run printed and saved, less its timing.
#[derive(Debug, PartialEq, Eq)]
struct Run {
    code: Option<i32>,
    /// Standard output, the seconds and states per second cut from the `states:` line.
    out: String,
    /// The traces `--save` wrote, by file name.
    traces: BTreeMap<String, Vec<u8>>,
}

fn timeless(out: &str) -> String {
    out.lines()
        .map(|line| match line.strip_prefix("states: ") {
            Some(rest) => {
                let parts: Vec<&str> = rest.split("; ").collect();
                let kept: Vec<&str> = [&parts[..2], &parts[4..]].concat();
                format!("states: {}", kept.join("; "))
            }
            None => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs `base` with `extra` and `--save` into a fresh directory named `name`.
fn check(name: &str, base: &[&str], extra: &[&str]) -> (Run, Output) {
    let dir = temp_dir(&format!("checkpoint-save-{name}"));
    let save = dir.to_str().unwrap();
    let args: Vec<&str> = [base, extra, &["--save", save]].concat();
    let output = run(&args);
    (finished(&output, &dir), output)
}

fn finished(output: &Output, dir: &Path) -> Run {
    assert!(!stderr(output).contains("panicked"), "{}", stderr(output));
    let traces = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    Run {
        code: output.status.code(),
        out: timeless(&stdout(output)),
        traces,
    }
}

fn file(dir: &Path, name: &str) -> PathBuf {
    dir.join(name)
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Stops `base` at `max_states` writing `checkpoint`; asserts it stopped there.
fn stop(name: &str, base: &[&str], threads: &str, max_states: &str, checkpoint: &Path) -> Run {
    let extra = [
        "--threads",
        threads,
        "--max-states",
        max_states,
        "--checkpoint",
        s(checkpoint),
    ];
    let (stopped, output) = check(name, base, &extra);
    assert!(
        stderr(&output).contains("checkpoint: wrote"),
        "{}",
        stderr(&output)
    );
    assert!(checkpoint.is_file());
    stopped
}

#[test]
fn a_whole_space_run_stopped_and_resumed_ends_as_one_that_never_stopped() {
    let dir = temp_dir("checkpoint-whole");
    for (stop_threads, resume_threads, max, unique) in
        [("1", "2", "20000", 8011), ("2", "1", "19997", 8010)]
    {
        let (unstopped, _) = check("whole-ref", WHOLE, &["--threads", resume_threads]);
        assert_eq!(unstopped.code, Some(0));
        assert!(unstopped.out.contains(&format!(
            "states: 163351 unique, 554901 generated; depth max 32; bfs, {resume_threads} \
             thread(s), reduction none; complete"
        )));
        let checkpoint = file(&dir, &format!("whole-{stop_threads}.ckpt"));
        let stopped = stop("whole-stop", WHOLE, stop_threads, max, &checkpoint);
        assert_eq!(stopped.code, Some(3));
        let counts = format!("states: {unique} unique, {max} generated; depth max 8; bfs, ");
        assert!(stopped.out.contains(&counts), "{}", stopped.out);
        let limit = format!("stopped at the state limit (--max-states {max})");
        assert!(stopped.out.contains(&limit));
        // Resumed with the limit lifted, on the other thread count.
        let resume = ["--threads", resume_threads, "--resume", s(&checkpoint)];
        let (resumed, output) = check("whole-resumed", WHOLE, &resume);
        assert!(stderr(&output).contains("checkpoint: resumed from"));
        assert_eq!(
            resumed, unstopped,
            "stopped at {max} on {stop_threads} thread(s)"
        );
    }
}

#[test]
fn a_run_stopped_twice_resumes_to_a_second_limit_then_to_the_end() {
    let dir = temp_dir("checkpoint-twice");
    let checkpoint = file(&dir, "twice.ckpt");
    stop("twice-1", WHOLE, "2", "1000", &checkpoint);
    // To a second limit, writing over the same file: as one run stopped there.
    let second = ["--max-states", "100000"];
    let (limited, _) = check("twice-ref", WHOLE, &second);
    assert_eq!(limited.code, Some(3));
    assert!(
        limited
            .out
            .contains("states: 36745 unique, 100000 generated; depth max 10")
    );
    let ckpt = s(&checkpoint);
    let again = [&second[..], &["--resume", ckpt, "--checkpoint", ckpt]].concat();
    let (resumed, _) = check("twice-2", WHOLE, &again);
    assert_eq!(resumed, limited);
    // Then to the end.
    let (unstopped, _) = check("twice-ref-end", WHOLE, &[]);
    let (ended, _) = check("twice-3", WHOLE, &["--resume", ckpt]);
    assert_eq!(ended, unstopped);
    assert!(
        ended
            .out
            .contains("states: 163351 unique, 554901 generated")
    );
}

#[test]
fn a_first_violation_run_resumes_in_either_of_its_searches() {
    let dir = temp_dir("checkpoint-first");
    let (unstopped, _) = check("first-ref", FIRST, &[]);
    assert_eq!(unstopped.code, Some(1));
    assert!(unstopped.out.contains(
        "views-converge                         VIOLATED (shortest counterexample: 9 steps)"
    ));
    assert!(
        unstopped
            .out
            .contains("states: 84962 unique, 138625 generated; depth max 10")
    );
    assert_eq!(unstopped.traces.len(), 3);
    for threads in ["1", "2"] {
        // 600 states: in the first search (under the read reduction); 60000: in the second,
        // once the first found the violation in 1045 states.
        for (max_states, second) in [("600", false), ("60000", true)] {
            let checkpoint = file(&dir, &format!("first-{threads}-{max_states}.ckpt"));
            let stopped = stop("first-stop", FIRST, threads, max_states, &checkpoint);
            assert_eq!(stopped.out.contains("found one in 1045 states"), second);
            let resume = ["--threads", "2", "--resume", s(&checkpoint)];
            let (resumed, _) = check("first-resumed", FIRST, &resume);
            assert_eq!(
                resumed, unstopped,
                "{threads} thread(s), --max-states {max_states}"
            );
        }
    }
}

#[test]
fn a_whole_space_run_with_violations_resumes_to_the_same_traces() {
    let base = &["check", "models/errata-1808-rfc5162.json", "--keep-going"];
    let dir = temp_dir("checkpoint-keep");
    let (unstopped, _) = check("keep-ref", base, &[]);
    assert_eq!(unstopped.code, Some(1));
    assert!(
        unstopped
            .out
            .contains("states: 30384 unique, 171744 generated; depth max 8")
    );
    assert_eq!(unstopped.traces.len(), 15);
    let checkpoint = file(&dir, "keep.ckpt");
    let stopped = stop("keep-stop", base, "1", "100000", &checkpoint);
    // Stopped, the run printed the paths of the reduced space, not the shortest.
    assert!(
        stopped
            .out
            .contains("states: 19120 unique, 100000 generated; depth max 5")
    );
    assert!(
        stopped
            .out
            .contains("a counterexample of 11 steps, not shortest")
    );
    assert_ne!(stopped.traces, unstopped.traces);
    let (resumed, _) = check("keep-resumed", base, &["--resume", s(&checkpoint)]);
    assert_eq!(resumed, unstopped);
}

#[test]
fn ctrl_c_writes_the_checkpoint_and_the_run_resumes_from_it() {
    let dir = temp_dir("checkpoint-interrupt");
    let checkpoint = file(&dir, "interrupted.ckpt");
    let mut child = Command::new(env!("CARGO_BIN_EXE_resync-check"))
        .args(WHOLE)
        .args(["--threads", "1", "--checkpoint", s(&checkpoint)])
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The header is printed as the search begins (about 2 s long): Ctrl-C then stops it
    // within the watcher's 5 ms.
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    assert!(first.starts_with("model rfc7162: "), "{first}");
    std::thread::sleep(Duration::from_millis(100));
    let signal = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(signal.success());
    let mut rest = String::new();
    out.read_to_string(&mut rest).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(rest.contains("incomplete: stopped by Ctrl-C"), "{rest}");
    assert!(stderr(&output).contains("checkpoint: wrote"));
    let (unstopped, _) = check("interrupt-ref", WHOLE, &[]);
    let (resumed, _) = check("interrupt-resumed", WHOLE, &["--resume", s(&checkpoint)]);
    assert_eq!(resumed, unstopped);
}

#[test]
fn a_file_of_another_model_format_or_version_or_a_damaged_one_is_refused() {
    let dir = temp_dir("checkpoint-refused");
    let good = file(&dir, "good.ckpt");
    stop("refused-stop", WHOLE, "2", "5000", &good);
    let bytes = std::fs::read(&good).unwrap();
    let with = |name: &str, change: &dyn Fn(&mut Vec<u8>)| {
        let mut changed = bytes.clone();
        change(&mut changed);
        let path = file(&dir, name);
        std::fs::write(&path, changed).unwrap();
        path
    };
    let resume = |path: &Path, extra: &[&str], message: &str| {
        let args = [WHOLE, extra, &["--resume", s(path)]].concat();
        refused(&args, message);
    };
    // WHOLE with one flag's value changed.
    let changed = |flag: &str, value: &'static str| -> Vec<&str> {
        let at = WHOLE.iter().position(|a| *a == flag).unwrap() + 1;
        let mut args = WHOLE.to_vec();
        args[at] = value;
        args
    };
    // The same file resumes.
    let (resumed, _) = check("refused-resumed", WHOLE, &["--resume", s(&good)]);
    assert_eq!(resumed.code, Some(0));
    // Another model: other bounds, another clause value, another reduction, another goal.
    let other = "a checkpoint of another model or run (2 client(s) x 1 message(s) x 2 command(s)";
    let good_path = s(&good);
    for args in [changed("--messages", "2"), changed("--reduce", "symmetry")] {
        refused(&[&args[..], &["--resume", good_path]].concat(), other);
    }
    resume(&good, &["--clause", "vanished-earlier=exact"], other);
    let first: Vec<&str> = WHOLE
        .iter()
        .copied()
        .filter(|a| *a != "--keep-going")
        .collect();
    refused(&[&first[..], &["--resume", good_path]].concat(), other);
    // Another version or format of the tool: the header names them before the checksum.
    let version = with("version.ckpt", &|b| {
        let at = b
            .windows(5)
            .position(|w| w == env!("CARGO_PKG_VERSION").as_bytes());
        b[at.unwrap()..][..5].copy_from_slice(b"9.9.9");
    });
    let ours = format!(
        "resync-check {} (state fingerprints v",
        env!("CARGO_PKG_VERSION")
    );
    let theirs = "written by resync-check 9.9.9 (state fingerprints v";
    resume(&version, &[], theirs);
    resume(&version, &[], &format!("not by this {ours}"));
    // The same version, fingerprinting states otherwise (an older build of it): its
    // visited set would mean nothing here.
    let encoding = with("encoding.ckpt", &|b| {
        let at = b.windows(14).position(|w| w == b"fingerprints v").unwrap();
        b[at + 14] = b'0';
    });
    resume(&encoding, &[], &format!("written by {ours}0"));
    resume(&encoding, &[], &format!("), not by this {ours}"));
    // The format follows the magic string, its length first (one byte).
    let format = with("format.ckpt", &|b| {
        let at = 1 + b[0] as usize;
        b[at] = 7;
    });
    resume(
        &format,
        &[],
        "a checkpoint in format 7, which this version reads not",
    );
    // Damaged and truncated files: the checksum.
    let damaged = "a damaged or truncated checkpoint: its checksum does not match";
    let middle = bytes.len() / 2;
    resume(&with("flipped.ckpt", &|b| b[middle] ^= 1), &[], damaged);
    resume(
        &with("truncated.ckpt", &|b| b.truncate(middle)),
        &[],
        damaged,
    );
    resume(
        &with("tail.ckpt", &|b| b.truncate(b.len() - 1)),
        &[],
        damaged,
    );
    resume(
        &with("empty.ckpt", &|b| b.clear()),
        &[],
        "not a checkpoint of resync-check",
    );
    let model = root().join("models/errata-1808-rfc5162.json");
    resume(&model, &[], "not a checkpoint of resync-check");
    resume(&file(&dir, "missing.ckpt"), &[], "cannot read");
    // Where our search does not run, or the file could not be written.
    for strategy in ["dfs", "stateright"] {
        let depth_first = [WHOLE, &["--strategy", strategy, "--checkpoint", s(&good)]].concat();
        refused(
            &depth_first,
            "the breadth-first search only (--strategy bfs), not with a depth-first one",
        );
    }
    let views = [FIRST, &["--counterexamples", "2", "--resume", s(&good)]].concat();
    refused(&views, "do not go with --counterexamples above 1");
    let nowhere = file(&dir, "no/such/dir.ckpt");
    refused(
        &[WHOLE, &["--checkpoint", s(&nowhere)]].concat(),
        "does not exist",
    );
}

/// A checkpoint's visited set holds fingerprints, and a file of another fingerprint version
/// is refused (`fingerprint::STATES_VERSION`). So the fingerprints are pinned here, over a
/// fixed walk through states that hold back arrivals and expunges and queue lines: a change
/// that moves them (or the walk) fails this test; if the states now hash otherwise, bump
/// `STATES_VERSION` and pin both anew.
#[test]
fn state_fingerprints_change_only_with_their_version() {
    use resync_check::setup::{Bounds, config};
    use resync_check::system::System;
    let bounds = Bounds {
        clients: Some(2),
        messages: Some(2),
        commands: Some(3),
        arrivals: Some(1),
        removals: Some(1),
    };
    let config = config("rfc7162", &[], bounds).unwrap();
    let mut state = System::initial(&config);
    let mut fingerprints = vec![state.fingerprint()];
    let mut actions = Vec::new();
    for step in 0..40usize {
        actions.clear();
        state.actions(&config, &mut actions);
        let Some(&action) = actions.get((step * 7) % actions.len().max(1)) else {
            break;
        };
        state.apply(&config, action);
        fingerprints.push(state.fingerprint());
    }
    // Sixteen steps, to a state where every command is spent; the sessions hold back an
    // arrival, then an expunge, on the way.
    assert_eq!(fingerprints.len(), 17, "the walk is as long as pinned");
    assert_eq!(
        (
            resync_check::fingerprint::STATES_VERSION,
            resync_check::fingerprint::of(&fingerprints)
        ),
        (3, 9140704209661061562)
    );
}
