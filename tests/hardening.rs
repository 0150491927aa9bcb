//! Issue 10's defects, each through the command line as a user meets it: bad input gets a
//! clear error (exit 2) before any work, a closed pipe or a memory limit ends a run quietly,
//! and nothing panics.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

mod common;
use common::{root, run, stderr, stdout, temp_dir};

/// Runs `args`, expecting exit 2 with `message` on standard error, nothing on standard
/// output (the error comes before any work), and no panic.
fn refused(args: &[&str], message: &str) {
    let output = run(args);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
    assert!(err.contains(message), "{args:?}: stderr was {err}");
    assert!(err.starts_with("error: "), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{args:?}: {err}");
    assert_eq!(stdout(&output), "", "{args:?}");
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn write_json(path: &Path, value: &Value) {
    std::fs::write(path, serde_json::to_string_pretty(value).unwrap()).unwrap();
}

/// Three shard summaries of one small rfc7162 run, in which no property is violated.
fn shards(dir: &Path) -> Vec<PathBuf> {
    (0..3)
        .map(|i| {
            let path = dir.join(format!("s{i}.json"));
            let output = run(&[
                "simulate",
                "--edition",
                "rfc7162",
                "--seed",
                "1",
                "--runs",
                "30",
                "--steps",
                "60",
                "--shard",
                &format!("{i}/3"),
                "--summary",
                path.to_str().unwrap(),
            ]);
            assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
            path
        })
        .collect()
}

fn merge(files: &[PathBuf]) -> std::process::Output {
    let mut args = vec!["merge"];
    args.extend(files.iter().map(|p| p.to_str().unwrap()));
    run(&args)
}

/// Merging after `tamper` edits the first shard's summary: exit 2 with `message`.
fn merge_refuses(files: &[PathBuf], tamper: impl Fn(&mut Value), message: &str) {
    let original = read_json(&files[0]);
    let mut changed = original.clone();
    tamper(&mut changed);
    write_json(&files[0], &changed);
    let output = merge(files);
    write_json(&files[0], &original);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{message}: {err}");
    assert!(err.contains(message), "expected `{message}`, got {err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn merge_refuses_a_walk_that_does_not_violate_what_the_summary_says() {
    let dir = temp_dir("merge-claims");
    let files = shards(&dir);
    assert_eq!(merge(&files).status.code(), Some(3));
    // Defect 1: these panicked (exit 101).
    merge_refuses(
        &files,
        |v| {
            v["tallies"][0]["walks"] = json!(1);
            v["tallies"][0]["first"] = json!([[3, 5]]);
        },
        "the summary says walk 3 violates views-converge (at step 5), but it does not in its",
    );
    merge_refuses(
        &files,
        |v| {
            v["tallies"][0]["walks"] = json!(1);
            v["tallies"][0]["first"] = json!([[4, 5]]);
        },
        "`tallies[0]` (views-converge): walk 4 is not one of shard 0/3 of 30 walks",
    );
    merge_refuses(
        &files,
        |v| v["tallies"][0]["first"] = json!([[0, 0]]),
        "`tallies[0]` (views-converge): `first` lists 1 walk, but a tally of 0 walks keeps 0",
    );
}

#[test]
fn merge_refuses_impossible_summaries_naming_the_field() {
    let dir = temp_dir("merge-impossible");
    let files = shards(&dir);
    // Defect 2: each of these was believed.
    merge_refuses(
        &files,
        |v| v["walks"] = json!(5000),
        "`walks` is 5000, but shard 0/3 of 30 walks has 10",
    );
    merge_refuses(
        &files,
        |v| v["tallies"][0]["walks"] = json!(11),
        "`tallies[0]` (views-converge): `walks` is 11, more than the 10 walks run",
    );
    merge_refuses(
        &files,
        |v| {
            v["tallies"][0]["walks"] = json!(1);
            v["tallies"][0]["first"] = json!([[300, 5]]);
        },
        "walk 300 is not one of shard 0/3 of 30 walks",
    );
    merge_refuses(
        &files,
        |v| {
            v["tallies"][0]["walks"] = json!(1);
            v["tallies"][0]["first"] = json!([[3, 61]]);
        },
        "walk 3 at step 61, beyond the 60 steps a walk takes",
    );
    merge_refuses(
        &files,
        |v| v["distinct_registers"] = json!("ff".repeat(4096)),
        "`distinct_registers` register 0 holds 255, above the highest rank a register can hold",
    );
    merge_refuses(
        &files,
        |v| v["steps_taken"] = json!(601),
        "`steps_taken` is 601, more than 10 walks of at most 60 steps can take",
    );
    merge_refuses(
        &files,
        |v| v["shard"] = json!("0/18446744073709551615"),
        "`walks` is 10, but shard 0/18446744073709551615 of 30 walks has 1",
    );
    merge_refuses(
        &files,
        |v| v["shard"] = json!("1/3"),
        "shard 1/3 is given twice",
    );
    // "Of another run" says which field.
    let mut other = read_json(&files[1]);
    other["seed"] = json!(2);
    write_json(&files[1], &other);
    let output = merge(&files);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output)
            .contains("summary 2 is of another run: its `seed` differs from the first's"),
        "{}",
        stderr(&output)
    );
}

/// Runs `args` with standard output closed before the program writes anything.
fn with_closed_stdout(args: &[&str]) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_resync-check"))
        .args(args)
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

#[test]
fn a_closed_pipe_ends_the_output_quietly_with_the_verdicts_code() {
    // Defect 3: `| head -1` made these panic (exit 101, "failed printing to stdout").
    let cases: [&[&str]; 3] = [
        &["check", "--edition", "rfc7162", "--messages", "1"],
        &["simulate", "--seed", "1", "--runs", "50", "--steps", "100"],
        &["list"],
    ];
    for args in cases {
        let expected = run(args).status.code();
        let output = with_closed_stdout(args);
        assert_eq!(output.status.code(), expected, "{args:?}");
        let err = stderr(&output);
        assert!(
            !err.contains("panicked") && !err.contains("Broken pipe"),
            "{err}"
        );
    }
}

#[test]
fn output_paths_are_refused_before_the_run() {
    // Defect 4: each of these ran to the end first, then failed (turning exit 1 into 2).
    refused(
        &[
            "check",
            "models/errata-1808-rfc5162.json",
            "--save",
            "/dev/null",
        ],
        "--save /dev/null: is not a directory",
    );
    refused(
        &["check", "--save", "/proc/nope"],
        "--save /proc/nope: cannot create the directory",
    );
    refused(
        &[
            "simulate",
            "--seed",
            "1",
            "--runs",
            "5",
            "--steps",
            "5",
            "--summary",
            "/nonexistent/dir/s.json",
        ],
        "--summary /nonexistent/dir/s.json: the directory /nonexistent/dir does not exist",
    );
    refused(
        &["matrix", "--into", "/nonexistent/README.md"],
        "--into /nonexistent/README.md: the directory /nonexistent does not exist",
    );
    refused(
        &[
            "simulate",
            "--seed",
            "1",
            "--runs",
            "5",
            "--steps",
            "5",
            "--summary",
            "/dev/null",
        ],
        "--summary /dev/null: is not a regular file",
    );
}

#[test]
fn matrix_into_refuses_misplaced_markers_before_the_rows_run() {
    // Defect 5: the end marker first exited 0 and left both markers twice.
    let dir = temp_dir("markers");
    let reversed = "# x\n<!-- matrix: end -->\nold\n<!-- matrix: begin -->\n";
    let path = write(&dir, "README.md", reversed);
    let started = Instant::now();
    refused(
        &["matrix", "--into", path.to_str().unwrap()],
        "`<!-- matrix: end -->` (line 2) comes before `<!-- matrix: begin -->` (line 4)",
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), reversed);
    let twice = "<!-- matrix: begin -->\n<!-- matrix: end -->\n<!-- matrix: begin -->\n";
    let path = write(&dir, "twice.md", twice);
    refused(
        &["matrix", "--into", path.to_str().unwrap()],
        "`<!-- matrix: begin -->` appears more than once (lines 1, 3): keep one",
    );
}

/// The peak resident memory of process `pid`, in KiB.
fn peak_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn a_billion_walks_keep_memory_flat() {
    // Defect 6: the walk indices were collected first, 8 bytes a walk (3.9 GB in 8 s).
    let mut child = Command::new(env!("CARGO_BIN_EXE_resync-check"))
        .args([
            "simulate",
            "--seed",
            "1",
            "--runs",
            "1000000000",
            "--steps",
            "1",
        ])
        .current_dir(root())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(2));
    let peak = peak_kib(child.id());
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(peak < 100 * 1024, "peak {peak} KiB");
}

#[test]
fn a_run_stops_at_the_memory_limit_with_its_verdicts_so_far() {
    // Defect 7: the largest bounds grew to 3.3 GB in 20 s, printing nothing after the header.
    let output = run(&[
        "check",
        "--edition",
        "rfc7162",
        "--clients",
        "9",
        "--messages",
        "99",
        "--commands",
        "99",
        "--max-memory",
        "300M",
    ]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let out = stdout(&output);
    assert!(
        out.contains("views-converge                         undecided\n"),
        "{out}"
    );
    assert!(
        out.contains("; incomplete: stopped at the memory limit (--max-memory 300M)\n"),
        "{out}"
    );
    refused(
        &["check", "--max-memory", "300"],
        "give a whole number and a unit",
    );
    // A model file is capped in size: /dev/zero is not read without end.
    refused(&["check", "/dev/zero"], "/dev/zero: is larger than 16 MiB");
}

#[test]
fn max_states_stops_at_the_limit_itself() {
    // Defect 12: `--max-states 1000` stopped at 4,644 (stateright checks per block of 1500).
    let output = run(&["check", "--edition", "rfc7162", "--max-states", "1000"]);
    assert_eq!(output.status.code(), Some(3));
    let out = stdout(&output);
    assert!(out.contains(" unique, 1000 generated; "), "{out}");
    assert!(out.contains("incomplete: stopped at the state limit (--max-states 1000)"));
}

#[test]
fn empty_and_repeated_lists_and_keys_are_refused() {
    let dir = temp_dir("lists");
    let model = |name: &str, body: &str| {
        let text = format!(r#"{{"description": "d", "edition": "rfc7162", {body}}}"#);
        write(&dir, name, &text).to_str().unwrap().to_string()
    };
    // Defect 8: an empty list checked nothing and exited 0; a repeat printed twice.
    let empty = model("empty.json", r#""properties": []"#);
    refused(
        &["check", &empty],
        "empty.json: `properties` is empty, so nothing would be checked",
    );
    let twice = model(
        "twice.json",
        r#""properties": ["views-converge", "views-converge"]"#,
    );
    refused(
        &["check", &twice],
        "twice.json: `properties`: `views-converge` is listed twice",
    );
    refused(
        &[
            "check",
            "--property",
            "views-converge",
            "--property",
            "views-converge",
        ],
        "--property views-converge is given twice",
    );
    // Defect 9: the last of a repeated clause silently won.
    let clause = model(
        "clause.json",
        r#""clauses": {"client-close": "keep", "client-close": "prune-deleted"}"#,
    );
    refused(
        &["check", &clause],
        "clause.json: line 1, column 93: `client-close` is given twice",
    );
    refused(
        &[
            "check",
            "--clause",
            "client-close=keep",
            "--clause",
            "client-close=prune-deleted",
        ],
        "--clause client-close is given twice",
    );
    let verdicts = model(
        "verdicts.json",
        r#""expect": {"verdicts": {"views-converge": "holds", "views-converge": "violated"}}"#,
    );
    refused(&["verify", &verdicts], "`views-converge` is given twice");
}

#[test]
fn messages_name_the_file_and_speak_json() {
    let dir = temp_dir("messages");
    let file = |name: &str, text: &str| write(&dir, name, text).to_str().unwrap().to_string();
    // Defect 12, one by one.
    let edition = file(
        "edition.json",
        r#"{"description": "d", "edition": "rfc9999"}"#,
    );
    refused(
        &["check", &edition],
        "edition.json: unknown edition `rfc9999`",
    );
    let bounds = file(
        "bounds.json",
        r#"{"description": "d", "edition": "rfc7162", "clients": 10}"#,
    );
    refused(
        &["check", &bounds],
        "bounds.json: clients must be between 1 and 9, not 10",
    );
    let bom = file(
        "bom.json",
        "\u{feff}{\"description\": \"d\", \"edition\": \"rfc7162\"}",
    );
    refused(
        &["check", &bom],
        "bom.json: line 1, column 1: the file starts with a byte-order mark",
    );
    let big = file(
        "big.json",
        r#"{"description": "d", "edition": "rfc7162", "clients": 18446744073709551616}"#,
    );
    refused(
        &["check", &big],
        "integer 18446744073709551616 is too large, expected an integer",
    );
    let array = file("array.json", r#"["d", "rfc7162"]"#);
    let output = run(&["check", &array]);
    assert!(!stderr(&output).contains("struct"), "{}", stderr(&output));
    refused(
        &["check", &array],
        "an array where an object with named fields belongs",
    );
    let output = run(&["check", "--clients", "-1"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("`-1` is negative"),
        "{}",
        stderr(&output)
    );
    assert!(!stderr(&output).contains("-- -1"), "{}", stderr(&output));
    // One prefix for every error, clap's and ours.
    let ours = run(&["check", "--edition", "rfc9999"]);
    let clap = run(&["check", "--frobnicate"]);
    for output in [ours, clap] {
        assert!(
            stderr(&output).starts_with("error: "),
            "{}",
            stderr(&output)
        );
    }
    // "1 message", not "1 messages".
    let output = run(&[
        "check",
        "--edition",
        "rfc7162",
        "--messages",
        "1",
        "--commands",
        "1",
    ]);
    assert!(
        stdout(&output).starts_with(
            "model rfc7162: edition rfc7162, 2 clients, 1 message, 1 command per client\n"
        ),
        "{}",
        stdout(&output)
    );
}

const ERRATUM_TRACE: &str = "traces/errata-1808-rfc5162.views-converge.json";

/// The erratum trace, changed by `tamper`, saved as `name`; its path.
fn tampered(dir: &Path, name: &str, tamper: impl Fn(&mut Value)) -> String {
    let mut trace = read_json(&root().join(ERRATUM_TRACE));
    tamper(&mut trace);
    let path = dir.join(name);
    write_json(&path, &trace);
    path.to_str().unwrap().to_string()
}

/// `replay` and `render` of `path` exit `code`, saying `message` (stdout for 1, stderr for 2).
fn does_not_replay(path: &str, code: i32, message: &str) {
    for args in [
        vec!["replay", path],
        vec!["render", path, "--format", "markdown"],
    ] {
        let output = run(&args);
        assert_eq!(output.status.code(), Some(code), "{args:?}");
        let said = if code == 1 {
            stdout(&output)
        } else {
            stderr(&output)
        };
        assert!(said.contains(message), "{args:?}: {said}");
        assert!(!stderr(&output).contains("panicked"));
    }
}

#[test]
fn replay_checks_every_field_render_prints() {
    let dir = temp_dir("claims");
    // Defect 10: each of these replayed with exit 0, and render printed it.
    let edition = tampered(&dir, "edition.json", |t| {
        t["model"]["edition"] = json!("rfc7162")
    });
    does_not_replay(
        &edition,
        1,
        "does not replay: `reproduce` is `resync-check check --edition rfc5162 --clients 2 \
         --messages 2 --commands 2 --property views-converge`, which is not a command this \
         tool writes for this trace's model and property; for this model it is \
         `resync-check check --edition rfc7162 --clause close-highestmodseq=send",
    );
    let shell = tampered(&dir, "shell.json", |t| t["reproduce"] = json!("rm -rf ~"));
    does_not_replay(
        &shell,
        1,
        "`reproduce` is `rm -rf ~`, which is not a command",
    );
    let tool = tampered(&dir, "tool.json", |t| {
        t["tool"] = json!("resync-check 9.9.9")
    });
    does_not_replay(
        &tool,
        1,
        "`tool` is `resync-check 9.9.9`, but this is resync-check",
    );
    let name = tampered(&dir, "name.json", |t| t["model"]["name"] = json!("x\u{0}y"));
    does_not_replay(&name, 2, "the model name `x\\0y` is not a plain name");
    let positional = tampered(&dir, "positional.json", |t| {
        // The fields in their declared order, as serde would read them by position.
        let fields = [
            "name", "edition", "clauses", "clients", "messages", "commands",
        ];
        let model = fields.iter().map(|f| t["model"][f].clone()).collect();
        t["model"] = Value::Array(model);
    });
    does_not_replay(
        &positional,
        2,
        "`model`: an array where an object with named fields belongs",
    );
    // Defect 12: "after the last step: after the last step".
    let short = tampered(&dir, "short.json", |t| {
        t["steps"].as_array_mut().unwrap().pop();
    });
    let output = run(&["replay", &short]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stdout(&output),
        format!(
            "{short}: does not replay: after the last step, views-converge holds: the trace \
             shows no violation\n"
        )
    );
}

#[test]
fn minimize_refuses_a_trace_whose_lines_differ() {
    // Defect 11: the wrong line was quietly replaced, exit 0.
    let dir = temp_dir("minimize-lines");
    let path = tampered(&dir, "lines.json", |t| {
        t["steps"][1]["queued"][0] = json!("a1 OK [HIGHESTMODSEQ 9] done");
    });
    let out = dir.join("out.json");
    let output = run(&["minimize", &path, "--output", out.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stdout(&output),
        format!(
            "{path}: does not replay: step 2 (C2 send): queued line 1: the trace says `a1 OK \
             [HIGHESTMODSEQ 9] done`, the model produces `a1 OK [HIGHESTMODSEQ 3] done` \
             (minimize takes steps with the model's lines, or with none)\n"
        )
    );
    assert!(!out.exists());
}
