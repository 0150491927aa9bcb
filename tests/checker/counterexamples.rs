//! `check --counterexamples N`: up to N counterexamples per violated property, each the
//! shortest of its view (the clauses blamed, the kinds of command sent). Pinned on the small
//! RFC 5162 model (2 clients, 1 message, 2 commands) and on the README's model.

use crate::common;
use common::{refused, run, run_with, small_check, stderr, stdout, temp_dir};
use serde_json::Value;

/// Runs `check` on the small model with `more` flags; the exit code must be 1 (violated).
fn small(more: &[&str]) -> String {
    let output = run_with(&small_check("rfc5162", "2"), more);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{more:?}: {}",
        stderr(&output)
    );
    stdout(&output)
}

/// The output without the summary's `states:` line, whose timings and thread count differ
/// from run to run.
fn without_timings(text: &str) -> String {
    text.lines()
        .filter(|l| !l.starts_with("states: "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `--format json` output without what differs from run to run (the statistics).
fn json_without_timings(text: &str) -> Value {
    let mut value: Value = serde_json::from_str(text).unwrap();
    value.as_object_mut().unwrap().remove("statistics");
    value
}

/// Runs a trace's `reproduce` command with `--format json`; it must find a violation.
fn run_reproduce(line: &str) -> Value {
    let args: Vec<&str> = line
        .strip_prefix("resync-check ")
        .unwrap()
        .split(' ')
        .chain(["--format", "json"])
        .collect();
    let output = run(&args);
    assert_eq!(output.status.code(), Some(1), "{line}");
    serde_json::from_str(&stdout(&output)).unwrap()
}

/// The violated verdicts' `distinct` summaries, by property.
fn distinct(report: &Value) -> Vec<(String, Value)> {
    report["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["verdict"] == "violated")
        .map(|v| {
            (
                v["property"].as_str().unwrap().to_string(),
                v["distinct"].clone(),
            )
        })
        .collect()
}

/// A view with its clients numbered by their first command, as the tool compares them.
fn renamed(view: &Value) -> (Vec<String>, Vec<String>) {
    let responsible = view["responsible"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().to_string())
        .collect();
    let mut order: Vec<String> = Vec::new();
    let commands = view["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let (client, kind) = c.as_str().unwrap().split_once(' ').unwrap();
            if !order.iter().any(|o| o == client) {
                order.push(client.to_string());
            }
            let at = order.iter().position(|o| o == client).unwrap();
            format!("#{at} {kind}")
        })
        .collect();
    (responsible, commands)
}

#[test]
fn one_is_the_run_without_the_flag() {
    for more in [&["--keep-going"][..], &[][..]] {
        let plain = small(more);
        let one = small(&[more, &["--counterexamples", "1"]].concat());
        assert_eq!(without_timings(&plain), without_timings(&one), "{more:?}");
        let json = [more, &["--format", "json"]].concat();
        let plain = small(&json);
        let one = small(&[&json[..], &["--counterexamples", "1"]].concat());
        assert_eq!(json_without_timings(&plain), json_without_timings(&one));
        // No field of the flag's appears at 1.
        assert!(!one.contains("\"distinct\"") && !one.contains("\"view\""));
    }
    // The README's model, text, as the README prints it.
    let args = ["check", "models/errata-1808-rfc5162.json"];
    let plain = stdout(&run(&args));
    let one = stdout(&run_with(&args, &["--counterexamples", "1"]));
    assert_eq!(without_timings(&plain), without_timings(&one));
}

#[test]
fn three_on_the_small_model_are_distinct_and_shortest_first() {
    let out = small(&["--keep-going", "--counterexamples", "3", "--format", "json"]);
    let report: Value = serde_json::from_str(&out).unwrap();
    let found = distinct(&report);
    let steps = |d: &Value| -> Vec<u64> {
        d["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_u64().unwrap())
            .collect()
    };
    let pinned: Vec<(&str, Vec<u64>)> = vec![
        ("views-converge", vec![9, 9, 11]),
        ("divergence-detectable", vec![13, 13, 13]),
        ("resync-point-safe", vec![3, 3, 4]),
        ("announced-highestmodseq-covered", vec![2, 2, 4]),
        ("computed-highestmodseq-covered", vec![2, 2, 2]),
    ];
    assert_eq!(found.len(), pinned.len());
    for ((property, d), (name, lengths)) in found.iter().zip(&pinned) {
        assert_eq!(property, name);
        assert_eq!(d["asked"], 3);
        assert_eq!(d["found"], 3, "{property}");
        assert_eq!(&steps(d), lengths, "{property}");
        assert!(d.get("fewer").is_none(), "{property}");
    }
    // Per property, three entries, numbered 1 to 3, as long as the verdict says, with
    // views that differ once the clients are renamed alike.
    let counterexamples = report["counterexamples"].as_array().unwrap();
    assert_eq!(counterexamples.len(), 15);
    for (k, (name, lengths)) in pinned.iter().enumerate() {
        let ours = &counterexamples[3 * k..3 * k + 3];
        let views: Vec<_> = ours.iter().map(|c| renamed(&c["view"])).collect();
        for (i, c) in ours.iter().enumerate() {
            assert_eq!(c["property"], *name);
            assert_eq!(c["index"], i as u64 + 1);
            assert_eq!(c["steps"], lengths[i]);
            assert_eq!(
                c["trace"]["steps"].as_array().unwrap().len() as u64,
                lengths[i]
            );
            assert!(!views[..i].contains(&views[i]), "{name}: {:?}", views[i]);
        }
    }
    // The views of one property, pinned: the second sends UID STORE where the first sends
    // STORE; the third lets C1 resync before C2's CLOSE.
    let commands = |c: &Value| c["view"]["commands"].clone();
    assert_eq!(
        commands(&counterexamples[0]),
        serde_json::json!([
            "C1 STORE +FLAGS \\Deleted",
            "C2 CLOSE",
            "C2 SELECT (resync)"
        ])
    );
    assert_eq!(
        commands(&counterexamples[1]),
        serde_json::json!([
            "C1 UID STORE +FLAGS \\Deleted",
            "C2 CLOSE",
            "C2 SELECT (resync)"
        ])
    );
    assert_eq!(
        commands(&counterexamples[2]),
        serde_json::json!([
            "C1 STORE +FLAGS \\Deleted",
            "C1 SELECT (resync)",
            "C2 CLOSE",
            "C2 SELECT (resync)"
        ])
    );
    for c in &counterexamples[0..3] {
        assert_eq!(
            c["view"]["responsible"],
            serde_json::json!(["close-highestmodseq=send"])
        );
    }
    // resync-point-safe's third rests on other clauses than its first two.
    assert_eq!(
        counterexamples[8]["view"]["responsible"],
        serde_json::json!([
            "held-back-highestmodseq=none",
            "client-resync-point=rfc5162"
        ])
    );
    // The first of each is the counterexample the run without the flag prints.
    let plain = small(&["--keep-going", "--format", "json"]);
    let plain: Value = serde_json::from_str(&plain).unwrap();
    for (k, c) in plain["counterexamples"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        assert_eq!(c["trace"], counterexamples[3 * k]["trace"]);
        assert_eq!(c["transcript"], counterexamples[3 * k]["transcript"]);
    }
}

#[test]
fn the_text_numbers_them_and_names_each_view() {
    let out = small(&["--keep-going", "--counterexamples", "3"]);
    assert!(out.contains(
        "views-converge                         VIOLATED (shortest counterexample: 9 steps; 3 \
         with distinct views: 9, 9, 11 steps)\n"
    ));
    let headers: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("== views-converge"))
        .collect();
    assert_eq!(
        headers,
        [
            "== views-converge violated: counterexample 1 of 3, 9 steps (the shortest)",
            "== views-converge violated: counterexample 2 of 3, 9 steps (the shortest of its view)",
            "== views-converge violated: counterexample 3 of 3, 11 steps (the shortest of its view)",
        ]
    );
    assert!(out.contains(
        "\n-- view: responsible close-highestmodseq=send; commands C1 UID STORE +FLAGS \\Deleted, \
         C2 CLOSE, C2 SELECT (resync)\n"
    ));
    assert_eq!(out.matches("\n-- view: ").count(), 15);
    assert_eq!(out.matches("\n-- reproduce: ").count(), 15);
}

#[test]
fn each_reproduce_line_finds_its_own_counterexample() {
    let out = small(&["--keep-going", "--counterexamples", "3"]);
    let reproduce: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("-- reproduce: ") && l.contains(" views-converge"))
        .collect();
    let command = "resync-check check --edition rfc5162 --clients 2 --messages 1 --commands 2 \
                   --property views-converge";
    assert_eq!(
        reproduce,
        [
            format!("-- reproduce: {command}"),
            format!("-- reproduce: {command} --counterexamples 2"),
            format!("-- reproduce: {command} --counterexamples 3"),
        ]
    );
    // Each command, run, prints that very counterexample as its last: the same trace.
    let out = small(&["--keep-going", "--counterexamples", "3", "--format", "json"]);
    let report: Value = serde_json::from_str(&out).unwrap();
    for c in report["counterexamples"].as_array().unwrap() {
        let line = c["trace"]["reproduce"].as_str().unwrap();
        let again = run_reproduce(line);
        let last = again["counterexamples"].as_array().unwrap().last().unwrap();
        assert_eq!(last["trace"], c["trace"], "{line}");
        assert_eq!(last["transcript"], c["transcript"], "{line}");
    }
}

/// A run with a reduction other than the default finds its counterexamples in another space,
/// where another path may come first: its reproduce commands name the reduction, and each
/// finds that very counterexample again. On the README's model, divergence-detectable's
/// first counterexample under `--reduce reads` is not the default's, though as short.
#[test]
fn a_reproduce_line_names_a_reduction_other_than_the_default() {
    let model = "models/errata-1808-rfc5162.json";
    let report = |more: &[&str]| -> Value {
        let args = [&["check", model, "--keep-going", "--format", "json"], more].concat();
        let output = run(&args);
        assert_eq!(output.status.code(), Some(1), "{more:?}");
        serde_json::from_str(&stdout(&output)).unwrap()
    };
    let divergence = |report: &Value| -> Value {
        let all = report["counterexamples"].as_array().unwrap();
        let found = all
            .iter()
            .find(|c| c["property"] == "divergence-detectable");
        found.unwrap().clone()
    };
    let default = report(&[]);
    let reads = report(&["--reduce", "reads"]);
    for c in reads["counterexamples"].as_array().unwrap() {
        let line = c["trace"]["reproduce"].as_str().unwrap();
        assert!(line.ends_with(" --reduce reads"), "{line}");
    }
    for c in default["counterexamples"].as_array().unwrap() {
        let line = c["trace"]["reproduce"].as_str().unwrap();
        assert!(!line.contains("--reduce"), "{line}");
    }
    let (ours, theirs) = (divergence(&reads), divergence(&default));
    assert_eq!(ours["steps"], theirs["steps"]);
    assert_ne!(ours["trace"]["steps"], theirs["trace"]["steps"]);
    // Its reproduce command, run, finds the same counterexample.
    let line = ours["trace"]["reproduce"].as_str().unwrap();
    let again = run_reproduce(line);
    // The same steps and command; the model is named by its flags there, not by its file.
    let again = &divergence(&again)["trace"];
    assert_eq!(again["steps"], ours["trace"]["steps"], "{line}");
    assert_eq!(again["reproduce"], ours["trace"]["reproduce"], "{line}");
}

#[test]
fn the_same_whatever_the_threads() {
    let one = small(&["--keep-going", "--counterexamples", "4", "--threads", "1"]);
    let three = small(&["--keep-going", "--counterexamples", "4", "--threads", "3"]);
    assert_eq!(without_timings(&one), without_timings(&three));
    let again = small(&["--keep-going", "--counterexamples", "4", "--threads", "1"]);
    assert_eq!(without_timings(&one), without_timings(&again));
}

#[test]
fn without_keep_going_the_search_goes_on_for_the_first_violations_property() {
    let out = run(&[
        "check",
        "models/errata-1808-rfc5162.json",
        "--counterexamples",
        "3",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let out = stdout(&out);
    assert!(out.contains(
        "computed-highestmodseq-covered         VIOLATED (shortest counterexample: 2 steps; 3 \
         with distinct views: 2, 2, 2 steps)\n"
    ));
    // The run still stopped at the first violation: the others stay undecided.
    assert!(out.contains(
        "views-converge                         undecided (stopped at the first violation"
    ));
    assert_eq!(out.matches("\n== ").count(), 3);
}

#[test]
fn fewer_than_asked_says_why() {
    // The small model has 76 views of divergence-detectable in all.
    let out = small(&[
        "--keep-going",
        "--counterexamples",
        "100",
        "--format",
        "json",
    ]);
    let report: Value = serde_json::from_str(&out).unwrap();
    let found = distinct(&report);
    let detectable = &found
        .iter()
        .find(|(p, _)| p == "divergence-detectable")
        .unwrap()
        .1;
    assert_eq!(detectable["found"], 76);
    assert_eq!(detectable["fewer"], "no other view within the bounds");
    let steps = detectable["steps"].as_array().unwrap();
    assert!(steps.windows(2).all(|w| w[0].as_u64() <= w[1].as_u64()));
    assert_eq!(steps.last().unwrap(), 22);
    for (property, d) in &found {
        if property != "divergence-detectable" {
            assert_eq!(d["found"], 100, "{property}");
        }
    }
    // A state limit stops the search for more: the counterexamples found so far are kept.
    let out = small(&["--counterexamples", "3", "--max-states", "200"]);
    assert!(out.contains(
        "computed-highestmodseq-covered         VIOLATED (shortest counterexample: 2 steps; 1 \
         of 3 asked with distinct views: 2 steps, stopped at the state limit (--max-states \
         200))\n"
    ));
}

#[test]
fn saved_ones_are_numbered_and_replay() {
    let dir = temp_dir("counterexamples-save");
    let dir_arg = dir.to_str().unwrap();
    small(&["--counterexamples", "3", "--save", dir_arg]);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "rfc5162.computed-highestmodseq-covered.2.json",
            "rfc5162.computed-highestmodseq-covered.3.json",
            "rfc5162.computed-highestmodseq-covered.json",
        ]
    );
    for name in &names {
        let path = dir.join(name);
        let output = run(&["replay", path.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(0), "{name}: {}", stderr(&output));
    }
}

#[test]
fn a_count_out_of_range_is_refused() {
    let message = "for '--counterexamples <N>': `0` is out of range: give 1 to 100";
    refused(&["check", "--counterexamples", "0"], message);
    let message = "for '--counterexamples <N>': `101` is out of range: give 1 to 100";
    refused(&["check", "--counterexamples", "101"], message);
    refused(&["check", "--counterexamples", "-3"], "`-3` is negative");
    refused(
        &["check", "--counterexamples", "many"],
        "`many` is not a whole number",
    );
}
