//! The command line: exit codes, output, and clear errors on bad input.

use std::path::PathBuf;

use crate::common;
use common::{run, stderr, stdout, temp_dir};

/// A model file with `text` in a fresh temporary directory.
fn model_file(name: &str, text: &str) -> PathBuf {
    let path = temp_dir(&format!("cli-{name}")).join(format!("{name}.json"));
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn check_of_the_rfc5162_model_prints_the_counterexample_and_exits_1() {
    // The README's main job.
    let output = run(&["check", "models/errata-1808-rfc5162.json", "--keep-going"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let out = stdout(&output);
    assert!(out.contains(
        "views-converge                         VIOLATED (shortest counterexample: 9 steps)"
    ));
    assert!(out.contains("C2: a1 CLOSE\n-- CLOSE expunges UID 1 at MODSEQ 3"));
    assert!(out.contains("S2: a1 OK [HIGHESTMODSEQ 3] done\n-- C2 stores resync point 3\n"));
    // The whole space under the default reductions (symmetry, read macro-steps, retired
    // clients); the line-by-line model has 1614709 states (`--reduce none`,
    // tests/model/erratum_1808.rs).
    assert!(out.contains("states: 30384 unique"));
    assert!(out.contains("; complete\n"));
}

#[test]
fn by_default_check_stops_at_the_first_violation() {
    let output = run(&["check", "models/errata-1808-rfc5162.json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let out = stdout(&output);
    // The first violated in breadth-first order: a plain tagged OK after C2's own STORE's
    // MODSEQ 3, with C1's change at 2 held back (RFC 5162 has no erratum 1810).
    assert!(out.contains(
        "computed-highestmodseq-covered         VIOLATED (shortest counterexample: 2 steps)"
    ));
    assert!(out.contains(
        "views-converge                         undecided (stopped at the first violation; \
         --keep-going explores the rest)"
    ));
    // Found under the read reduction, then searched again without it for the shortest path.
    assert!(out.contains(
        "bfs, 2 thread(s) (first violation): reduction symmetry+reads+retire found one in 22 states, \
         reduction symmetry+read-order the shortest path; incomplete: stopped at the first"
    ));
}

#[test]
fn check_of_rfc7162_holds_and_exits_0() {
    let output = run(&["check", "--edition", "rfc7162"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let out = stdout(&output);
    assert!(out.contains("views-converge                         holds\n"));
    assert!(out.contains("resynced-after-foreign-expunge         reached\n"));
    // Our breadth-first search finds no violation and counts the whole reduced space.
    assert!(out.contains("states: 14055 unique"));
    assert!(out.contains(
        "bfs, 2 thread(s) (first violation), reduction symmetry+reads+retire; complete\n"
    ));
}

#[test]
fn flags_override_the_model_file() {
    let output = run(&[
        "check",
        "models/errata-1808-rfc5162.json",
        "--clause",
        "close-highestmodseq=omit",
        "--property",
        "views-converge",
    ]);
    let out = stdout(&output);
    assert!(out.contains("close-highestmodseq=omit"), "{out}");
    assert!(!out.contains("resync-point-safe "), "{out}");
}

#[test]
fn a_vacuous_model_exits_1() {
    let output = run(&["check", "--edition", "rfc7162", "--commands", "1"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output).contains("resynced-after-foreign-expunge         UNREACHED (vacuous model")
    );
}

#[test]
fn a_run_stopped_by_a_limit_with_nothing_found_exits_3() {
    let output = run(&[
        "check",
        "--edition",
        "rfc7162",
        "--property",
        "views-converge",
        "--max-states",
        "5000",
    ]);
    assert_eq!(output.status.code(), Some(3), "{}", stdout(&output));
    let out = stdout(&output);
    assert!(out.contains("views-converge                         undecided"));
    assert!(out.contains("incomplete: stopped at the state limit (--max-states 5000)"));
}

#[test]
fn verify_reports_an_expectation_that_is_not_met() {
    let path = model_file(
        "wrong",
        r#"{"description": "d", "edition": "rfc5162", "commands": 1,
            "expect": {"verdicts": {"resync-point-safe": "holds"}, "unique_states": 1}}"#,
    );
    let output = run(&["verify", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let out = stdout(&output);
    assert!(
        out.contains("resync-point-safe: expected holds, got violated"),
        "{out}"
    );
    assert!(out.contains("unique states: expected 1, got "), "{out}");
}

fn assert_bad_input(args: &[&str], message: &str) {
    let output = run(args);
    assert_eq!(
        output.status.code(),
        Some(2),
        "{args:?}: {}",
        stdout(&output)
    );
    let err = stderr(&output);
    assert!(err.contains(message), "{args:?}: stderr was {err}");
    assert!(!err.contains("panicked"), "{args:?}: {err}");
}

#[test]
fn bad_flags_exit_2_with_a_message() {
    assert_bad_input(
        &["check", "--edition", "rfc9999"],
        "unknown edition `rfc9999`; valid editions: rfc5162, rfc5162+1808, rfc7162",
    );
    assert_bad_input(
        &["check", "--clause", "client-close=forget"],
        "unknown value `forget` for clause `client-close`; valid values: keep, prune-deleted",
    );
    assert_bad_input(&["check", "--clause", "nonsense"], "expected NAME=VALUE");
    // The former names of `uid-star`'s values are refused, naming the value they became:
    // `rfc3501` was UIDNEXT-1, which is not what RFC 3501 section 9 says `*` is.
    assert_bad_input(
        &["check", "--clause", "uid-star=rfc3501"],
        "value `rfc3501` of clause `uid-star` was renamed: write `uid-star=uidnext-minus-1`",
    );
    assert_bad_input(
        &["check", "--clause", "uid-star=current-top"],
        "value `current-top` of clause `uid-star` was renamed: write `uid-star=last-present`",
    );
    assert_bad_input(
        &["check", "--clients", "0"],
        "clients must be between 1 and 9, not 0",
    );
    assert_bad_input(
        &["check", "--commands", "100"],
        "commands must be between 1 and 99",
    );
    assert_bad_input(&["check", "--property", "fast"], "unknown property `fast`");
    assert_bad_input(
        &["check", "--arrivals", "10"],
        "arrivals must be between 0 and 9, not 10",
    );
    assert_bad_input(
        &["check", "--arrivals", "1", "--removals", "2"],
        "removals (2) cannot exceed arrivals (1)",
    );
    assert_bad_input(&["check", "--threads", "0"], "--threads");
    assert_bad_input(
        &["check", "no/such/model.json"],
        "no/such/model.json: cannot read",
    );
    assert_bad_input(&["frobnicate"], "unrecognized subcommand");
}

#[test]
fn bad_model_files_exit_2_naming_file_line_and_column() {
    let syntax = model_file("syntax", "{\n  \"edition\": \"rfc5162\",\n  oops\n}");
    assert_bad_input(
        &["check", syntax.to_str().unwrap()],
        "syntax.json: line 3, column 3: key must be a string",
    );
    let unknown = model_file(
        "unknown",
        "{\"description\": \"d\", \"edition\": \"rfc5162\",\n \"colour\": 1}",
    );
    assert_bad_input(
        &["check", unknown.to_str().unwrap()],
        "unknown.json: line 2, column 9: unknown field `colour`",
    );
    let verdict = model_file(
        "verdict",
        r#"{"description": "d", "edition": "rfc5162", "expect": {"verdicts": {"views-converge": "reached"}}}"#,
    );
    assert_bad_input(
        &["verify", verdict.to_str().unwrap()],
        "unknown verdict `reached` for `views-converge`; valid verdicts: holds, violated",
    );
    let bounds = model_file(
        "bounds",
        r#"{"description": "d", "edition": "rfc5162", "messages": 0}"#,
    );
    assert_bad_input(
        &["check", bounds.to_str().unwrap()],
        "messages must be between 1 and 99, not 0",
    );
    let renamed = model_file(
        "renamed",
        r#"{"description": "d", "edition": "rfc7162", "clauses": {"client-known-uids": "star", "uid-star": "current-top"}}"#,
    );
    assert_bad_input(
        &["check", renamed.to_str().unwrap()],
        "value `current-top` of clause `uid-star` was renamed: write `uid-star=last-present`",
    );
    let negative = model_file(
        "negative",
        r#"{"description": "d", "edition": "rfc5162", "clients": -1}"#,
    );
    assert_bad_input(
        &["check", negative.to_str().unwrap()],
        "negative.json: line 1, column",
    );
}

#[test]
fn list_names_every_edition_clause_and_property() {
    let output = run(&["list"]);
    assert_eq!(output.status.code(), Some(0));
    let out = stdout(&output);
    for name in [
        "rfc5162",
        "rfc7162",
        "close-highestmodseq",
        "held-back-highestmodseq",
        "client-resync-point",
        "client-close",
        "views-converge",
        "resync-point-safe",
    ] {
        assert!(out.contains(name), "{name}");
    }
    assert!(out.contains("erratum 1808, RFC 7162 section 3.2.8"));
}

#[test]
fn bench_measures_a_row_in_its_own_process_and_refuses_unknown_editions() {
    let exe = std::path::Path::new(env!("CARGO_BIN_EXE_resync-check"));
    for strategy in ["bfs", "dfs"] {
        let search = resync_check::bench::Search {
            reduce: "none",
            strategy,
            threads: 1,
        };
        let row = resync_check::bench::row(exe, "rfc7162", search, (1, 1, 1), 60).unwrap();
        assert_eq!((row.unique_states, row.generated_states), (33, 55));
        assert_eq!(row.reduction, "none");
        assert_eq!(row.completion, "complete");
        assert!(row.bytes_per_state.is_some_and(|b| b > 0.0));
        // A run this small may take less than a clock tick: the CPU time is read, not
        // judged.
        assert!(row.cpu_seconds.is_some_and(|s| s >= 0.0));
        let table = resync_check::bench::table(&[row]);
        let start = format!("| rfc7162 | none | {strategy}, 1 thread(s) | 1x1x1 | 33 | 55 |");
        assert!(table.contains(&start), "{table}");
    }
    let output = run(&["bench", "--edition", "rfc9999"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("unknown edition `rfc9999`"));
}

#[test]
fn verify_under_another_reduction_compares_the_verdicts_alone() {
    // The file pins 110 states, the count under the default reductions; line by line the
    // space has 3448, and the verdicts are the same.
    let file = "models/errata-1808-example-2-rfc7162.json";
    let output = run(&["verify", file, "--reduce", "none"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(
        stdout(&output).contains("(3448 states"),
        "{}",
        stdout(&output)
    );
    let output = run(&["verify", file]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(
        stdout(&output).contains("(110 states"),
        "{}",
        stdout(&output)
    );
}
