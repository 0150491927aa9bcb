//! A `sometimes` property that the bounds cannot reach (the three that need another agent, at
//! `--clients 1`) is "not applicable" and does not fail the run; one that could be reached and
//! is not still fails it (a vacuous model).

use crate::common;
use common::{run, run_with, stdout};

/// `check --edition rfc7162` with `extra`: its exit code and standard output.
fn check(extra: &[&str]) -> (Option<i32>, String) {
    let output = run_with(&["check", "--edition", "rfc7162"], extra);
    (output.status.code(), stdout(&output))
}

fn verdict_lines(output: &str) -> Vec<&str> {
    output
        .lines()
        .filter(|l| {
            [
                "close-expunged-unseen-deleted",
                "resynced-after-foreign-expunge",
                "modseq-read-above-held-back-expunge",
            ]
            .iter()
            .any(|p| l.starts_with(p))
        })
        .collect()
}

#[test]
fn one_client_alone_makes_the_three_sometimes_properties_not_applicable_and_exits_0() {
    let (code, text) = check(&[
        "--clients",
        "1",
        "--messages",
        "1",
        "--commands",
        "2",
        "--keep-going",
    ]);
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(
        verdict_lines(&text),
        [
            "close-expunged-unseen-deleted          not applicable (needs 2 clients)",
            "resynced-after-foreign-expunge         not applicable (needs 2 clients, or a removal by the other agent)",
            "modseq-read-above-held-back-expunge    not applicable (needs 2 clients, or a removal by the other agent)",
        ]
    );
    assert!(text.contains("states: 41 unique"), "{text}");
}

#[test]
fn a_removal_by_the_other_agent_makes_two_of_them_applicable_and_reached() {
    let (code, text) = check(&[
        "--clients",
        "1",
        "--messages",
        "1",
        "--commands",
        "2",
        "--arrivals",
        "1",
        "--removals",
        "1",
        "--keep-going",
    ]);
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(
        verdict_lines(&text),
        [
            "close-expunged-unseen-deleted          not applicable (needs 2 clients)",
            "resynced-after-foreign-expunge         reached",
            "modseq-read-above-held-back-expunge    reached",
        ]
    );
}

#[test]
fn a_reachable_sometimes_property_left_unreached_still_fails_the_run() {
    let (code, text) = check(&[
        "--clients",
        "2",
        "--messages",
        "1",
        "--commands",
        "1",
        "--keep-going",
    ]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("resynced-after-foreign-expunge         UNREACHED (vacuous model: no reachable state shows this)"),
        "{text}"
    );
}

#[test]
fn a_model_file_may_expect_not_applicable() {
    let dir = common::temp_dir("vacuity");
    let file = common::write(
        &dir,
        "one-client.json",
        r#"{"description": "one client", "edition": "rfc7162", "clients": 1, "messages": 1, "commands": 2,
            "properties": ["views-converge", "close-expunged-unseen-deleted"],
            "expect": {"verdicts": {"views-converge": "holds", "close-expunged-unseen-deleted": "not applicable"}, "unique_states": 41}}"#,
    );
    let output = run(&["verify", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}
