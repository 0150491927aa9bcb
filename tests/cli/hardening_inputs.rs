//! Issue 10's defects in what the tool reads: lists and keys given twice or empty, messages
//! in the reader's terms, traces whose claims do not fit their model, and `minimize` on
//! wrong lines. Each through the command line, as a user meets it.

use std::path::Path;

use serde_json::{Value, json};

use crate::common;
use common::{read_json, refused, root, run, stderr, stdout, temp_dir, write, write_json};

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

#[test]
fn a_scripted_model_with_flags_saves_traces_that_replay() {
    // `reproduce` names the model file for its script; the flags give the rest.
    let dir = temp_dir("scripted");
    let output = run(&[
        "check",
        "models/errata-1808-example-1-rfc5162.json",
        "--commands",
        "4",
        "--property",
        "resync-point-safe",
        "--save",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let trace = dir.join("errata-1808-example-1-rfc5162.resync-point-safe.json");
    let replayed = run(&["replay", trace.to_str().unwrap()]);
    assert_eq!(replayed.status.code(), Some(0), "{}", stdout(&replayed));
    // The same trace naming a model file that is not there does not replay.
    let moved = read_json(&trace);
    let mut moved = moved;
    let command = moved["reproduce"]
        .as_str()
        .unwrap()
        .replace("models/", "elsewhere/");
    moved["reproduce"] = json!(command);
    let path = dir.join("moved.json");
    write_json(&path, &moved);
    let output = run(&["replay", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output).contains(
            "`reproduce` names the model file elsewhere/errata-1808-example-1-rfc5162.json, \
             which is not a file here"
        ),
        "{}",
        stdout(&output)
    );
}
