//! A verdict says what it saw: each scenario played by a fake server that withholds the
//! observation the scenario needs (edited from a recorded Cyrus 3.6.1 or Dovecot 2.3.19
//! transcript) ends `not exercised`, never `conforms`; where a later command can still
//! exercise the path (held-back-highestmodseq), the probe tries it and says which decided.
//! The edited lines are the tests' own inventions, not a real server's.

use crate::common::fake_imap;

use std::process::Command;
use std::time::Duration;

use resync_check::probe::scenarios::{Finding, Outcome, Probe, Verdict};
use resync_check::probe::session::Credentials;
use serde_json::Value;

fn recorded(file: &str, scenario: &str) -> Vec<String> {
    let path = format!("{}/tests/transcripts/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let doc: Value = serde_json::from_str(&text).unwrap();
    let outcome = doc["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["scenario"] == scenario)
        .unwrap_or_else(|| panic!("{file} has no {scenario}"));
    serde_json::from_value(outcome["transcript"].clone()).unwrap()
}

/// The `<n>` of the recorded mailbox names.
fn run_of(scenario: &str, transcript: &[String]) -> u64 {
    let marker = format!("resync-check-{scenario}-");
    let line = transcript.iter().find(|l| l.contains(&marker)).unwrap();
    let at = line.find(&marker).unwrap() + marker.len();
    line[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap()
}

/// Plays `transcript` to the probe's `scenario`; the fake must see every command it expects.
fn play(scenario: &str, transcript: &[String]) -> Outcome {
    let fake = fake_imap::serve(fake_imap::scripts_of(transcript));
    let credentials = Credentials {
        user: "alice".into(),
        password: "secret".into(),
    };
    let endpoint = fake_imap::endpoint(&fake.addr, Duration::from_secs(5));
    let mut probe = Probe::new(endpoint, credentials, false);
    probe.run = run_of(scenario, transcript);
    let outcome = probe
        .run_selected(&[scenario.to_string()], |_| {})
        .remove(0);
    assert_eq!(
        *fake.mismatches.lock().unwrap(),
        Vec::<String>::new(),
        "{scenario}: {:#?}",
        outcome.transcript
    );
    outcome
}

/// The verdict and value `scenario` reaches on `transcript`.
fn judged(scenario: &str, transcript: &[String]) -> (Verdict, Option<String>) {
    let outcome = play(scenario, transcript);
    let f = finding(&outcome);
    (f.verdict, f.value.clone())
}

fn finding(outcome: &Outcome) -> &Finding {
    outcome
        .result
        .as_ref()
        .unwrap_or_else(|e| panic!("{}: {e}", outcome.scenario))
}

/// `transcript` without the lines equal to one of `lines`.
fn without(transcript: &[String], lines: &[&str]) -> Vec<String> {
    let out: Vec<String> = transcript
        .iter()
        .filter(|l| !lines.contains(&l.as_str()))
        .cloned()
        .collect();
    assert_eq!(
        out.len(),
        transcript.len() - lines.len(),
        "every line found"
    );
    out
}

/// Cyrus's held-back scenario (recorded with its live loss) up to C1's first command, then
/// `c1` (C1's lines from its first `FETCH 1 (FLAGS)` on, tags from a10), then the end: where
/// `dropped_at` names the resync point stored, the recorded drop and QRESYNC from that point;
/// else C1's NOOP and LOGOUT. Then C2's logout and the clean-up, as recorded.
fn held_back(c1: &[&str], dropped_at: Option<u64>) -> Vec<String> {
    let recorded = recorded("cyrus-3.6.1.json", "held-back-highestmodseq");
    let at = |line: &str| recorded.iter().position(|l| l.starts_with(line)).unwrap();
    let (fetch, drop, c2_logout) = (
        at("C1: a10 FETCH 1 (FLAGS)"),
        at("-- C1's connection drops"),
        at("C2: a6 LOGOUT"),
    );
    let mut out: Vec<String> = recorded[..fetch].to_vec();
    out.extend(c1.iter().map(|l| l.to_string()));
    match dropped_at {
        Some(stored) => out.extend(recorded[drop..c2_logout].iter().map(|l| {
            if l.starts_with("C1: a3 SELECT") {
                l.replace(" 7 1:4))", &format!(" {stored} 1:4))"))
            } else {
                l.clone()
            }
        })),
        None => {
            let next = 10 + c1.iter().filter(|l| l.starts_with("C1: ")).count();
            out.push(format!("C1: a{next} NOOP"));
            out.push("S1: * VANISHED 4".into());
            out.push(format!("S1: a{next} OK Completed"));
            out.push(format!("C1: a{} LOGOUT", next + 1));
            out.push("S1: * BYE LOGOUT received".into());
        }
    }
    out.extend(recorded[c2_logout..].iter().cloned());
    out
}

/// Crymap 2.0.1's answer to `FETCH 1 (FLAGS)` while an expunge is held back: no MODSEQ.
const NO_MODSEQ: [&str; 3] = [
    "C1: a10 FETCH 1 (FLAGS)",
    "S1: * 1 FETCH (FLAGS (\\Recent))",
    "S1: a10 OK [EXPUNGEISSUED] K",
];

#[test]
fn held_back_without_any_modseq_is_not_exercised() {
    let mut c1 = NO_MODSEQ.to_vec();
    c1.extend([
        "C1: a11 FETCH 1 (FLAGS MODSEQ)",
        "S1: * 1 FETCH (UID 1 FLAGS (\\Recent) MODSEQ (2))",
        "S1: a11 OK [EXPUNGEISSUED] K",
        "C1: a12 STORE 1 +FLAGS (\\Seen)",
        "S1: * 1 FETCH (FLAGS (\\Recent \\Seen))",
        "S1: a12 OK [EXPUNGEISSUED] K",
    ]);
    let outcome = play("held-back-highestmodseq", &held_back(&c1, None));
    let f = finding(&outcome);
    assert_eq!(f.verdict, Verdict::NotExercised);
    assert_eq!(f.value, None);
    assert_eq!(
        f.observed,
        "C1 was shown MODSEQ 2, none at or above the held-back expunge's 7, by `FETCH 1 (FLAGS)`, \
         `FETCH 1 (FLAGS MODSEQ)`, `STORE 1 +FLAGS (\\Seen)`"
    );
}

#[test]
fn held_back_is_decided_by_the_store_when_the_fetches_show_nothing_above() {
    let mut c1 = NO_MODSEQ.to_vec();
    c1.extend([
        "C1: a11 FETCH 1 (FLAGS MODSEQ)",
        "S1: * 1 FETCH (UID 1 FLAGS (\\Recent) MODSEQ (2))",
        "S1: a11 OK [EXPUNGEISSUED] K",
        "C1: a12 STORE 1 +FLAGS (\\Seen)",
        "S1: * 1 FETCH (UID 1 FLAGS (\\Recent \\Seen) MODSEQ (8))",
    ]);
    let mut breaks = c1.clone();
    breaks.push("S1: a12 OK [EXPUNGEISSUED] K");
    let outcome = play("held-back-highestmodseq", &held_back(&breaks, Some(8)));
    let f = finding(&outcome);
    assert_eq!(
        (f.verdict, f.value.as_deref()),
        (Verdict::Breaks, Some("none"))
    );
    assert_eq!(
        f.observed,
        "decided by `STORE 1 +FLAGS (\\Seen)`: C1 was shown MODSEQ 8 while the expunge at 7 was \
         held back, and no HIGHESTMODSEQ; an RFC 7162 client stores 8; shown live: after a drop, \
         QRESYNC from 8 with known UIDs 1:4 reports no VANISHED and 3 EXISTS: the expunge of UID \
         4 is never reported, and a client that follows RFC 7162 section 6 keeps UID 4 (only the \
         count, 3 EXISTS against its 4 cached messages, hints at it)"
    );
    let mut conforms = c1;
    conforms.push("S1: a12 OK [HIGHESTMODSEQ 6] K");
    let outcome = play("held-back-highestmodseq", &held_back(&conforms, None));
    let f = finding(&outcome);
    assert_eq!(
        (f.verdict, f.value.as_deref()),
        (Verdict::Conforms, Some("lower"))
    );
    assert!(
        f.observed.ends_with("an RFC 7162 client stores 6"),
        "{}",
        f.observed
    );
}

#[test]
fn held_back_sent_during_a_fetch_breaks_the_sequence_number_rule() {
    let c1 = [
        "C1: a10 FETCH 1 (FLAGS)",
        "S1: * 1 FETCH (FLAGS (\\Recent))",
        "S1: * VANISHED 4",
        "S1: a10 OK Completed",
    ];
    let outcome = play("held-back-highestmodseq", &held_back(&c1, None));
    let f = finding(&outcome);
    assert_eq!((f.verdict, f.value.as_deref()), (Verdict::Breaks, None));
    assert_eq!(f.section, "RFC 7162 3.2.10.2, RFC 3501 7.4.1");
}

#[test]
fn close_that_expunged_nothing_is_not_exercised() {
    let recorded = recorded("dovecot-2.3.19.json", "close-highestmodseq");
    let outcome = play(
        "close-highestmodseq",
        &without(&recorded, &["S2: * VANISHED 1:2"]),
    );
    let f = finding(&outcome);
    assert_eq!(
        (f.verdict, f.value.as_deref()),
        (Verdict::NotExercised, None)
    );
    assert_eq!(
        f.observed,
        "CLOSE's OK has no [HIGHESTMODSEQ], but C2 was not told of the expunge of UIDs 1 and 2 (told of none)"
    );
}

#[test]
fn mailbox_highestmodseq_without_the_messages_modseqs_is_not_exercised() {
    let recorded = recorded("dovecot-2.3.19.json", "mailbox-highestmodseq");
    let edited: Vec<String> = recorded
        .iter()
        .map(|l| match l.as_str() {
            "S1: * 1 FETCH (UID 1 MODSEQ (2))" => "S1: * 1 FETCH (UID 1)".to_string(),
            "S1: * 2 FETCH (UID 2 MODSEQ (3))" => "S1: * 2 FETCH (UID 2)".to_string(),
            "S1: * 3 FETCH (UID 3 MODSEQ (4))" => "S1: * 3 FETCH (UID 3)".to_string(),
            _ => l.clone(),
        })
        .collect();
    assert_ne!(edited, recorded);
    assert_eq!(
        judged("mailbox-highestmodseq", &edited),
        (Verdict::NotExercised, None)
    );
}

#[test]
fn an_arrival_never_expunged_is_not_exercised() {
    let recorded = recorded("dovecot-2.3.19.json", "vanished-unannounced");
    assert_eq!(
        judged(
            "vanished-unannounced",
            &without(&recorded, &["S2: * VANISHED 5"])
        ),
        (Verdict::NotExercised, None)
    );
}

#[test]
fn an_arrival_never_announced_is_not_exercised() {
    let recorded = recorded("dovecot-2.3.19.json", "exists-update");
    let edited: Vec<String> = recorded
        .iter()
        .filter(|l| *l != "S1: * 5 EXISTS")
        .cloned()
        .collect();
    assert_eq!(edited.len(), recorded.len() - 1);
    assert_eq!(
        judged("exists-update", &edited),
        (Verdict::NotExercised, None)
    );
}

#[test]
fn no_vanished_even_for_an_explicit_range_is_a_break_not_a_star_finding() {
    let recorded = recorded("cyrus-3.6.1.json", "star-changedsince");
    assert_eq!(
        judged(
            "star-changedsince",
            &without(&recorded, &["S2: * VANISHED (EARLIER) 4"])
        ),
        (Verdict::Breaks, None)
    );
}

#[test]
fn an_idle_told_nothing_is_not_exercised() {
    let recorded = recorded("cyrus-3.6.1.json", "idle-push");
    let done = recorded.iter().position(|l| l == "C1: DONE").unwrap();
    let edited: Vec<String> = recorded
        .iter()
        .enumerate()
        .filter(|(i, l)| {
            !(*i > done && (l.starts_with("S1: * 1 FETCH") || l.starts_with("S1: * VANISHED")))
        })
        .map(|(_, l)| l.clone())
        .collect();
    assert_eq!(edited.len(), recorded.len() - 2);
    assert_eq!(judged("idle-push", &edited), (Verdict::NotExercised, None));
}

/// The command line: a table with a `not exercised` row and no break exits 3, and the
/// text and JSON say so.
#[test]
fn not_exercised_exits_3_and_says_so() {
    let recorded = recorded("dovecot-2.3.19.json", "close-highestmodseq");
    let edited = without(&recorded, &["S2: * VANISHED 1:2"]);
    for (format, expected) in [
        (
            "text",
            "close-highestmodseq: not exercised (RFC 7162 3.2.8; it needs a CLOSE that expunges messages another session has \\Deleted)",
        ),
        ("json", "\"verdict\": \"not-exercised\""),
    ] {
        let fake = fake_imap::serve(fake_imap::scripts_of(&edited));
        let output = Command::new(env!("CARGO_BIN_EXE_resync-check"))
            .args(["probe", "--server", &fake.addr, "--user", "alice"])
            .args(["--password-env", "PROBE_PW", "--timeout", "5", "--no-check"])
            .args(["--clause", "close-highestmodseq", "--format", format])
            .env("PROBE_PW", "secret")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(
            *fake.mismatches.lock().unwrap(),
            Vec::<String>::new(),
            "{stdout}"
        );
        assert_eq!(output.status.code(), Some(3), "{stdout}");
        assert!(stdout.contains(expected), "{stdout}");
    }
}
