//! The probe against recorded transcripts of Dovecot 2.3.19 and Cyrus 3.6.1
//! (`tests/transcripts/*.json`, written by `resync-check probe --format json` against the
//! servers `tests/servers/*/start` starts): a fake server plays each scenario's server lines
//! back, checks every command the probe sends, and the probe must reach the same findings.

use crate::common::fake_imap;

use std::time::Duration;

use resync_check::probe::conn::Endpoint;
use resync_check::probe::scenarios::{Outcome, Probe};
use resync_check::probe::session::Credentials;
use serde_json::Value;

fn recorded(name: &str) -> Value {
    let path = format!("{}/tests/transcripts/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn endpoint(addr: &str) -> Endpoint {
    fake_imap::endpoint(addr, Duration::from_secs(5))
}

/// The `<n>` of the recorded mailbox names, so that the probe sends the same commands.
fn run_of(scenario: &str, transcript: &[String]) -> u64 {
    let marker = format!("resync-check-{scenario}-");
    let line = transcript
        .iter()
        .find(|l| l.contains(&marker))
        .expect("a mailbox name in the transcript");
    let digits: String = line[line.find(&marker).unwrap() + marker.len()..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().unwrap()
}

/// Replays every scenario of a recording; returns the new outcomes by scenario.
fn replay(name: &str) -> Vec<Outcome> {
    let doc = recorded(name);
    let mut outcomes = Vec::new();
    for recorded in doc["outcomes"].as_array().unwrap() {
        let scenario = recorded["scenario"].as_str().unwrap();
        let transcript: Vec<String> =
            serde_json::from_value(recorded["transcript"].clone()).unwrap();
        let fake = fake_imap::serve(fake_imap::scripts_of(&transcript));
        let credentials = Credentials {
            user: "alice".into(),
            password: "not-the-recorded-one".into(),
        };
        let mut probe = Probe::new(endpoint(&fake.addr), credentials, false);
        probe.run = run_of(scenario, &transcript);
        let outcome = probe
            .run_selected(&[scenario.to_string()], |_| {})
            .remove(0);
        assert_eq!(
            *fake.mismatches.lock().unwrap(),
            Vec::<String>::new(),
            "{name} {scenario}"
        );
        assert_eq!(
            serde_json::to_value(&outcome.result).unwrap(),
            recorded["result"],
            "{name} {scenario}: the finding differs from the recorded one"
        );
        assert_eq!(
            outcome.transcript, transcript,
            "{name} {scenario}: the transcript differs"
        );
        outcomes.push(outcome);
    }
    outcomes
}

/// (clause, value, verdict) of each finding.
fn summary(outcomes: &[Outcome]) -> Vec<(String, Option<String>, String)> {
    outcomes
        .iter()
        .map(|o| {
            let f = o.result.as_ref().expect("every recorded scenario ran");
            let verdict = serde_json::to_value(f.verdict).unwrap();
            (
                f.clause.to_string(),
                f.value.clone(),
                verdict.as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn row(clause: &str, value: Option<&str>, verdict: &str) -> (String, Option<String>, String) {
    (clause.into(), value.map(String::from), verdict.into())
}

#[test]
fn dovecot_2_3_19_conforms_to_every_clause() {
    assert_eq!(
        summary(&replay("dovecot-2.3.19.json")),
        vec![
            row("close-highestmodseq", Some("omit"), "conforms"),
            row("held-back-highestmodseq", Some("lower"), "conforms"),
            row("expunge-modseq", Some("bump"), "conforms"),
            row("mailbox-highestmodseq", Some("counter"), "conforms"),
            row("vanished-earlier", Some("exact"), "conforms"),
            row("known-uids-scope", Some("restrict"), "conforms"),
            row("vanished-unannounced", Some("omit"), "conforms"),
            row("exists-update", Some("prompt"), "conforms"),
            row("uid-star", Some("uidnext-minus-1"), "conforms"),
            row("* in QRESYNC known-uids", None, "conforms"),
            row("idle-push", Some("push"), "conforms"),
        ]
    );
}

/// Cyrus 3.6.1: no lower HIGHESTMODSEQ over a held-back
/// expunge, `*` resolved against the UIDs left, and nothing pushed until DONE.
#[test]
fn cyrus_3_6_1_breaks_the_held_back_rule_and_the_star_checks() {
    let outcomes = replay("cyrus-3.6.1.json");
    // C2's flag change was told at the end of each of C1's UID SEARCH, STORE and NOOP: the
    // model the probe checks takes `flag-flush=every-command` (spec/flush.rs).
    let flags = resync_check::probe::report::clause_flags(&outcomes);
    assert_eq!(
        flags[7..9],
        ["exists-update=prompt", "flag-flush=every-command"]
    );
    assert_eq!(
        summary(&outcomes),
        vec![
            row("close-highestmodseq", Some("omit"), "conforms"),
            row("held-back-highestmodseq", Some("none"), "breaks"),
            row("expunge-modseq", Some("bump"), "conforms"),
            row("mailbox-highestmodseq", Some("counter"), "conforms"),
            row("vanished-earlier", Some("exact"), "conforms"),
            row("known-uids-scope", Some("restrict"), "conforms"),
            row("vanished-unannounced", Some("omit"), "conforms"),
            row("exists-update", Some("prompt"), "conforms"),
            row("uid-star", Some("last-present"), "pitfall"),
            row("* in QRESYNC known-uids", None, "breaks"),
            row("idle-push", Some("at-done"), "conforms"),
        ]
    );
}

#[test]
fn a_server_that_answers_another_script_ends_the_scenario_with_an_error() {
    // Cyrus's held-back scenario served to the close scenario: the commands differ.
    let doc = recorded("cyrus-3.6.1.json");
    let transcript: Vec<String> =
        serde_json::from_value(doc["outcomes"][1]["transcript"].clone()).unwrap();
    let fake = fake_imap::serve(fake_imap::scripts_of(&transcript));
    let credentials = Credentials {
        user: "alice".into(),
        password: "x".into(),
    };
    let probe = Probe::new(endpoint(&fake.addr), credentials, false);
    let outcome = probe
        .run_selected(&["close-highestmodseq".into()], |_| {})
        .remove(0);
    let error = outcome
        .result
        .expect_err("a mismatched script must not give a finding");
    assert!(error.contains("BYE"), "{error}");
}
