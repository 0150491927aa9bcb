//! `check --coverage`: the counts of the explored (reduced) graph's transitions, pinned at
//! small bounds (RFC 7162, 2 clients, 1 message, 1 command each), in text and JSON, the same
//! at 1 and 3 threads and under DFS; a clause value the bounds exercise and one they never
//! do; a run stopped early, which has none; and the matrix's vacuous rows.

use crate::common;
use common::{run, run_with, small_check, stderr, stdout};
use serde_json::Value;

/// Runs `check` on the small model with `more` flags: its exit code and standard output.
fn small(more: &[&str]) -> (Option<i32>, String) {
    let output = run_with(&small_check("rfc7162", "1"), more);
    let err = stderr(&output);
    assert!(!err.contains("panicked"), "{more:?}: {err}");
    (output.status.code(), stdout(&output))
}

/// The coverage section of a text output: from its `coverage:` line to the end.
fn section(text: &str) -> &str {
    let at = text.find("\ncoverage:").expect("a coverage section");
    &text[at + 1..]
}

fn json(more: &[&str]) -> Value {
    let all: Vec<&str> = more.iter().chain(&["--format", "json"]).copied().collect();
    let (_, out) = small(&all);
    serde_json::from_str(&out).expect("valid JSON")
}

/// The count of `group` `kind` in a JSON coverage.
fn count(coverage: &Value, group: &str, kind: &str) -> u64 {
    let counts = coverage["counts"].as_array().unwrap();
    let found = counts
        .iter()
        .find(|c| c["group"] == group && c["kind"] == kind)
        .unwrap_or_else(|| panic!("no count {group} {kind}"));
    found["transitions"].as_u64().unwrap()
}

const PINNED: &str = r#"coverage: 387 transitions out of 65 states, the graph as reduced by symmetry+reads+retire (its moves are counted; under symmetry C1 is the first client in canonical order)
never exercised at these bounds (19):
  C1 STORE -FLAGS \Deleted
  C1 STORE -FLAGS \Seen
  C1 UID STORE -FLAGS \Deleted
  C1 UID STORE -FLAGS \Seen
  C1 EXPUNGE
  C1 UID EXPUNGE
  C1 UID FETCH (new messages)
  C2 STORE -FLAGS \Deleted
  C2 STORE -FLAGS \Seen
  C2 UID STORE -FLAGS \Deleted
  C2 UID STORE -FLAGS \Seen
  C2 EXPUNGE
  C2 UID EXPUNGE
  C2 UID FETCH (new messages)
  flushed: expunges
  flushed: flag-changes+expunges
  VANISHED (EARLIER): superset
  SELECT FETCH scope: all-uids
  STORE answer: no
actions:
  C1 STORE +FLAGS \Deleted      24
  C1 STORE -FLAGS \Deleted      0
  C1 STORE +FLAGS \Seen         24
  C1 STORE -FLAGS \Seen         0
  C1 UID STORE +FLAGS \Deleted  24
  C1 UID STORE -FLAGS \Deleted  0
  C1 UID STORE +FLAGS \Seen     24
  C1 UID STORE -FLAGS \Seen     0
  C1 EXPUNGE                    0
  C1 UID EXPUNGE                0
  C1 CLOSE                      10
  C1 NOOP                       24
  C1 UID FETCH (new messages)   0
  C1 SELECT (resync)            14
  C1 drop the connection        27
  C2 STORE +FLAGS \Deleted      28
  C2 STORE -FLAGS \Deleted      0
  C2 STORE +FLAGS \Seen         28
  C2 STORE -FLAGS \Seen         0
  C2 UID STORE +FLAGS \Deleted  28
  C2 UID STORE -FLAGS \Deleted  0
  C2 UID STORE +FLAGS \Seen     28
  C2 UID STORE -FLAGS \Seen     0
  C2 EXPUNGE                    0
  C2 UID EXPUNGE                0
  C2 CLOSE                      12
  C2 NOOP                       28
  C2 UID FETCH (new messages)   0
  C2 SELECT (resync)            8
  C2 drop the connection        56
server choices:
  flushed: nothing                        224
  flushed: flag-changes                   80
  flushed: expunges                       0
  flushed: flag-changes+expunges          0
  optional HIGHESTMODSEQ code: not added  194
  optional HIGHESTMODSEQ code: added      110
  VANISHED (EARLIER): exact               22
  VANISHED (EARLIER): superset            0
  SELECT FETCH scope: known-uids          22
  SELECT FETCH scope: all-uids            0
  STORE answer: new-modseq                208
  STORE answer: no                        0
  response: read whole                    152
  response: dropped after 0 line(s)       152
clause values: every one is rfc7162's, so none is compared
"#;

#[test]
fn the_small_model_s_coverage_is_pinned_and_adds_up_to_the_run_s_transitions() {
    let (code, out) = small(&["--coverage"]);
    // Two `sometimes` properties are unreached at one command each: exit 1, as without
    // --coverage; the run is complete, so coverage is counted.
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("; complete\n"), "{out}");
    assert_eq!(section(&out), PINNED);
    // The action counts add up to the transitions, which are the run's generated states
    // less the start: the walk counted the graph the run explored.
    let actions: u64 = section(&out)
        .split("\nactions:\n")
        .nth(1)
        .unwrap()
        .split("\nserver choices:\n")
        .next()
        .unwrap()
        .lines()
        .map(|l| l.rsplit(' ').next().unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(actions, 387);
    assert!(out.contains("states: 65 unique, 388 generated;"), "{out}");
    // Without the flag, no section.
    let (_, plain) = small(&[]);
    assert!(!plain.contains("\ncoverage:"), "{plain}");
}

#[test]
fn json_coverage_is_the_same_at_any_thread_count_and_strategy() {
    let one = json(&["--coverage", "--threads", "1"]);
    let coverage = &one["coverage"];
    assert_eq!(coverage["complete"], true);
    assert_eq!(coverage["transitions"], 387);
    assert_eq!(coverage["states"], 65);
    assert_eq!(coverage["reduction"], "symmetry+reads+retire");
    assert_eq!(coverage["edition"], "rfc7162");
    assert_eq!(count(coverage, "C1", "SELECT (resync)"), 14);
    assert_eq!(count(coverage, "C2", "drop the connection"), 56);
    assert_eq!(count(coverage, "flushed", "flag-changes"), 80);
    assert_eq!(count(coverage, "optional HIGHESTMODSEQ code", "added"), 110);
    assert_eq!(count(coverage, "response", "dropped after 0 line(s)"), 152);
    let never: Vec<&str> = coverage["never"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(never.len(), 19);
    assert_eq!(never[0], "C1 STORE -FLAGS \\Deleted");
    assert_eq!(
        never[14..],
        [
            "flushed: expunges",
            "flushed: flag-changes+expunges",
            "VANISHED (EARLIER): superset",
            "SELECT FETCH scope: all-uids",
            "STORE answer: no"
        ]
    );
    assert_eq!(coverage["clauses"], serde_json::json!([]));
    let three = json(&["--coverage", "--threads", "3"]);
    assert_eq!(three["coverage"], one["coverage"]);
    let whole = json(&["--coverage", "--keep-going", "--threads", "3"]);
    assert_eq!(whole["coverage"], one["coverage"]);
    let dfs = json(&[
        "--coverage",
        "--keep-going",
        "--strategy",
        "dfs",
        "--threads",
        "3",
    ]);
    assert_eq!(dfs["coverage"], one["coverage"]);
    let stateright = json(&[
        "--coverage",
        "--keep-going",
        "--strategy",
        "stateright",
        "--threads",
        "3",
    ]);
    assert_eq!(stateright["coverage"], one["coverage"]);
    // Without the flag, no field.
    assert!(json(&[]).get("coverage").is_none());
}

#[test]
fn a_clause_value_the_bounds_exercise_counts_and_one_they_never_do_is_listed_first() {
    let args = [
        "--coverage",
        "--clause",
        "vanished-earlier=exact",
        "--clause",
        "client-fetch-vanished=cache",
    ];
    let (_, out) = small(&args);
    let text = section(&out);
    let never = format!("{}\n", text.split("\nactions:\n").next().unwrap());
    assert!(
        never.contains(
            "\n  vanished-earlier=exact (rfc7162 has any): no transition differs, so every \
             verdict is vacuous for it\n"
        ),
        "{text}"
    );
    assert!(!never.contains("client-fetch-vanished"), "{text}");
    assert!(
        text.ends_with(
            "  vanished-earlier=exact (rfc7162 has any): 0 changed, 0 withheld\n  \
             client-fetch-vanished=cache (rfc7162 has never): 64 changed, 0 withheld\n"
        ),
        "{text}"
    );
    // `exact` offers one VANISHED (EARLIER) answer: `superset` is not in its universe.
    assert!(!text.contains("superset"), "{text}");
    let coverage = &json(&args)["coverage"];
    assert_eq!(coverage["transitions"], 499);
    assert_eq!(coverage["states"], 80);
    let clauses = coverage["clauses"].as_array().unwrap();
    assert_eq!(clauses[0]["clause"], "vanished-earlier");
    assert_eq!(
        (&clauses[0]["changed"], &clauses[0]["withheld"]),
        (&0.into(), &0.into())
    );
    assert_eq!(clauses[1]["edition_value"], "never");
    // The value adds one request and changes nothing else: the transitions it changed are
    // exactly those that send it, counted on their own as actions.
    let sent = count(coverage, "C1", "UID FETCH (CHANGEDSINCE, VANISHED)")
        + count(coverage, "C2", "UID FETCH (CHANGEDSINCE, VANISHED)");
    assert_eq!(sent, 64);
    assert_eq!(clauses[1]["changed"], sent);
    assert_eq!(clauses[1]["withheld"], 0);
    assert_eq!(clauses[1]["in_script"], 0);
    let never = coverage["never"].as_array().unwrap();
    assert_eq!(never.last().unwrap(), "vanished-earlier=exact");
    // A value that changes an answer: the edition's answer is withheld, this one changed.
    let send = json(&[
        "--coverage",
        "--keep-going",
        "--clause",
        "close-highestmodseq=send",
    ]);
    let clauses = &send["coverage"]["clauses"];
    assert_eq!(clauses[0]["changed"], 4);
    assert_eq!(clauses[0]["withheld"], 4);
}

#[test]
fn a_value_that_acts_only_in_the_model_file_s_script_is_exercised_there() {
    // The script runs up to a push whose answer `per-response` decides; from there the
    // free exploration never pushes such an answer again: the value acted in one script
    // step and no transition of the graph.
    let output = run(&[
        "check",
        "models/clause-idle-highestmodseq-per-response.json",
        "--keep-going",
        "--coverage",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let out = stdout(&output);
    let text = section(&out);
    assert!(
        text.ends_with(
            "  client-idle=idle (rfc7162 has never): 244 changed, 0 withheld, 2 of the script's \
             steps\n  idle-highestmodseq=per-response (rfc7162 has since-tagged): 0 changed, 0 \
             withheld, 1 of the script's steps\n"
        ),
        "{text}"
    );
    let never = text.split("\nactions:\n").next().unwrap();
    assert!(!never.contains("idle-highestmodseq"), "{text}");
}

#[test]
fn a_run_stopped_before_the_space_s_end_has_no_coverage() {
    // The first violation stops the run: no counts, and the text says why.
    let (code, out) = small(&["--coverage", "--clause", "close-highestmodseq=send"]);
    assert_eq!(code, Some(1));
    assert!(
        section(&out).starts_with(
            "coverage: none: the space was not explored to its end (stopped at the first \
             violation; --keep-going explores the rest); coverage counts only a complete run\n"
        ),
        "{out}"
    );
    let stopped = json(&["--coverage", "--clause", "close-highestmodseq=send"]);
    assert_eq!(stopped["coverage"]["complete"], false);
    assert!(stopped["coverage"].get("counts").is_none());
    // A limit: exit 3, as for any run a limit stopped.
    let (code, out) = small(&["--coverage", "--max-states", "10"]);
    assert_eq!(code, Some(3), "{out}");
    assert!(
        section(&out).contains("(stopped at the state limit (--max-states 10))"),
        "{out}"
    );
}

#[test]
fn the_matrix_marks_the_rows_whose_value_the_bounds_never_exercised() {
    let output = run(&[
        "matrix",
        "--clients",
        "2",
        "--messages",
        "1",
        "--commands",
        "1",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let matrix: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let row = |text: &str| {
        let rows = matrix["rows"].as_array().unwrap();
        let row = rows.iter().find(|r| r["text"] == text).unwrap();
        row["result"]["vacuous"].as_bool().unwrap()
    };
    assert!(!row("rfc7162 (base)"));
    assert!(row("vanished-earlier=exact"));
    assert!(!row("client-fetch-vanished=cache"));
    assert!(!row("close-highestmodseq=send"));
    let text = run(&[
        "matrix",
        "--clients",
        "2",
        "--messages",
        "1",
        "--commands",
        "1",
    ]);
    let line = stdout(&text)
        .lines()
        .find(|l| l.starts_with("vanished-earlier=exact "))
        .unwrap()
        .to_string();
    assert!(
        line.ends_with("; vacuous at these bounds (the value never changed a step)"),
        "{line}"
    );
}
