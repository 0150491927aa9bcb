//! `--format json` of `check`, `verify` and `matrix`: the fields of the text, as JSON.

use serde_json::Value;

use crate::common;
use common::{root, run, stdout};

fn json(args: &[&str], code: i32) -> Value {
    let output = run(args);
    assert_eq!(output.status.code(), Some(code), "{args:?}");
    serde_json::from_str(&stdout(&output)).unwrap()
}

#[test]
fn check_writes_the_verdicts_counterexamples_and_statistics() {
    let model = "models/errata-1808-rfc5162.json";
    let report = json(&["check", model, "--keep-going", "--format", "json"], 1);
    let text = stdout(&run(&["check", model, "--keep-going"]));
    assert_eq!(report["model"]["name"], "errata-1808-rfc5162");
    assert_eq!(
        report["model"]["clauses"][0]["clause"],
        "close-highestmodseq"
    );
    assert_eq!(report["model"]["clauses"][0]["value"], "send");
    // One verdict per line of the text, in its order.
    let verdicts = report["verdicts"].as_array().unwrap();
    assert_eq!(verdicts.len(), 12);
    for v in verdicts {
        let name = v["property"].as_str().unwrap();
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap();
        let verdict = v["verdict"].as_str().unwrap();
        assert!(line.to_lowercase().contains(verdict), "{line} / {verdict}");
    }
    assert_eq!(verdicts[0]["counterexample_steps"], 9);
    assert_eq!(verdicts[0]["shortest"], true);
    // RFC 5162's shortest divergence (9 steps) is a ghost its count shows; a silent one,
    // a flag change the CLOSE code covers, takes 13.
    assert_eq!(verdicts[1]["property"], "divergence-detectable");
    assert_eq!(verdicts[1]["verdict"], "violated");
    assert_eq!(verdicts[1]["counterexample_steps"], 13);
    // Each counterexample: the transcript as the text prints it, and the trace as saved.
    let first = &report["counterexamples"][0];
    assert!(text.contains(first["transcript"].as_str().unwrap()));
    let saved = root().join("traces/errata-1808-rfc5162.views-converge.json");
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(saved).unwrap()).unwrap();
    assert_eq!(first["trace"], saved);
    // Under the default reductions; 1614709 states line by line (`--reduce none`).
    assert_eq!(report["statistics"]["unique_states"], 30384);
    assert_eq!(report["complete"], true);
    assert_eq!(report["completion"], "complete");
    assert_eq!(report["exit_code"], 1);
    // A stopped run says which limit.
    let stopped = json(
        &[
            "check",
            "--edition",
            "rfc7162",
            "--max-states",
            "1000",
            "--format",
            "json",
        ],
        3,
    );
    assert_eq!(
        stopped["completion"],
        "incomplete: stopped at the state limit (--max-states 1000)"
    );
    assert_eq!(stopped["verdicts"][0]["verdict"], "undecided");
}

#[test]
fn verify_writes_each_file_and_the_totals() {
    let report = json(
        &[
            "verify",
            "models/errata-1808-example-1-rfc5162.json",
            "models/errata-1808-example-2-rfc7162.json",
            "--format",
            "json",
        ],
        0,
    );
    assert_eq!(report["passed"], 2);
    assert_eq!(report["failed"], 0);
    let files = report["files"].as_array().unwrap();
    assert_eq!(
        files[0]["path"],
        "models/errata-1808-example-1-rfc5162.json"
    );
    assert_eq!(files[0]["status"], "ok");
    assert_eq!(files[0]["unique_states"], 1440);
    assert_eq!(files[1]["unique_states"], 110);
    assert_eq!(files[1]["mismatches"], Value::Array(Vec::new()));
}

#[test]
fn matrix_writes_its_rows() {
    let args = ["matrix", "--messages", "1", "--commands", "1"];
    let report = json(&[&args[..], &["--format", "json"]].concat(), 0);
    let text = stdout(&run(&args));
    let rows = report["rows"].as_array().unwrap();
    assert_eq!(rows[0]["text"], "rfc7162 (base)");
    for row in rows {
        assert!(text.contains(row["text"].as_str().unwrap()));
    }
    assert_eq!(report["errata"].as_array().unwrap().len(), 8);
}
