//! The probe against hostile servers: garbage, a huge literal, an endless line, silence, a
//! trickle, a dropped connection, a NO to a needed command. Each must end the scenario with
//! an error naming the problem, within the timeout, without a panic; the next scenario runs.

use crate::common::fake_imap;

use std::process::Command;
use std::time::{Duration, Instant};

use fake_imap::Step::{self, Close, Expect, ExpectPrefix, Send, Sleep};
use resync_check::probe::scenarios::Probe;
use resync_check::probe::session::Credentials;

const GREETING: &[u8] = b"* OK fake ready\r\n";

fn send(bytes: &[u8]) -> Step {
    Send(bytes.to_vec())
}

/// A greeting, LOGIN's OK and ENABLE's answer, then `rest`.
fn logged_in(rest: Vec<Step>) -> Vec<Step> {
    let mut steps = vec![
        send(GREETING),
        Expect("a1 LOGIN \"alice\" \"***\"".into()),
        send(b"a1 OK logged in\r\n"),
        Expect("a2 ENABLE QRESYNC".into()),
        send(b"* ENABLED QRESYNC\r\na2 OK enabled\r\n"),
    ];
    steps.extend(rest);
    steps
}

/// Runs the close-highestmodseq scenario against `script` (on every connection); the error.
fn error_of(script: Vec<Step>) -> String {
    let fake = fake_imap::serve(vec![script; 8]);
    let endpoint = fake_imap::endpoint(&fake.addr, Duration::from_secs(1));
    let credentials = Credentials {
        user: "alice".into(),
        password: "secret".into(),
    };
    let start = Instant::now();
    let probe = Probe::new(endpoint, credentials, false);
    let outcome = probe
        .run_selected(&["close-highestmodseq".into()], |_| {})
        .remove(0);
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "took {:?}",
        start.elapsed()
    );
    outcome
        .result
        .expect_err("a hostile server gives no finding")
}

fn assert_contains(error: &str, part: &str) {
    assert!(error.contains(part), "`{error}` does not say `{part}`");
}

#[test]
fn a_garbage_greeting_is_named() {
    let error = error_of(vec![send(b"HELLO \x01 there\r\n")]);
    assert_contains(&error, "greeting that does not parse: `HELLO \\u{1} there`");
}

#[test]
fn a_bye_greeting_is_not_ok() {
    let error = error_of(vec![send(b"* BYE go away\r\n")]);
    assert_contains(&error, "greeting that is not `* OK`");
}

#[test]
fn an_unparsable_line_is_named() {
    let error = error_of(vec![
        send(GREETING),
        Expect("a1 LOGIN \"alice\" \"***\"".into()),
        send(b"* 1 FETCH (MODSEQ (x))\r\n"),
    ]);
    assert_contains(
        &error,
        "a line that does not parse: `* 1 FETCH (MODSEQ (x))`",
    );
}

#[test]
fn a_huge_literal_is_refused_before_it_is_read() {
    let error = error_of(logged_in(vec![
        ExpectPrefix("a3 CREATE \"resync-check-close-highestmodseq-".into()),
        send(b"* 1 FETCH (BODY[] {999999999}\r\n"),
        Sleep(Duration::from_secs(3)),
    ]));
    assert_contains(
        &error,
        "a literal of 999999999 bytes, above the limit of 1048576 bytes",
    );
}

#[test]
fn a_line_without_end_is_refused() {
    let mut long = b"* OK ".to_vec();
    long.extend(std::iter::repeat_n(b'a', 1_100_000));
    let error = error_of(vec![send(&long), Sleep(Duration::from_secs(3))]);
    assert_contains(&error, "a line longer than 1048576 bytes without CRLF");
}

#[test]
fn silence_times_out() {
    let error = error_of(vec![Sleep(Duration::from_secs(5))]);
    assert_contains(&error, "waiting for the greeting: no answer within 1 s");
}

#[test]
fn a_trickle_times_out() {
    let mut steps = vec![];
    for _ in 0..20 {
        steps.push(send(b"*"));
        steps.push(Sleep(Duration::from_millis(300)));
    }
    let error = error_of(steps);
    assert_contains(&error, "no whole response within 1 s");
}

#[test]
fn a_dropped_connection_is_named() {
    let error = error_of(logged_in(vec![
        ExpectPrefix("a3 CREATE \"resync-check-close-highestmodseq-".into()),
        Close,
    ]));
    assert_contains(&error, "waiting for the answer to `a3 CREATE");
    assert_contains(&error, "the server closed the connection");
}

#[test]
fn a_no_to_a_needed_command_is_named() {
    let error = error_of(vec![
        send(GREETING),
        Expect("a1 LOGIN \"alice\" \"***\"".into()),
        send(b"a1 NO [AUTHENTICATIONFAILED] wrong password\r\n"),
    ]);
    assert_contains(
        &error,
        "`a1 LOGIN \"alice\" \"***\"` failed: `a1 NO [AUTHENTICATIONFAILED] wrong password`",
    );
    assert!(!error.contains("secret"), "the password leaked: {error}");
}

#[test]
fn enable_without_enabled_is_named() {
    let error = error_of(vec![
        send(GREETING),
        Expect("a1 LOGIN \"alice\" \"***\"".into()),
        send(b"a1 OK logged in\r\n"),
        Expect("a2 ENABLE QRESYNC".into()),
        send(b"a2 OK nothing enabled\r\n"),
    ]);
    assert_contains(
        &error,
        "`ENABLE QRESYNC` was not answered by `* ENABLED ... QRESYNC`",
    );
}

/// The command line: every scenario fails, each with its error, and the exit code is 2.
#[test]
fn the_probe_goes_on_after_each_error_and_exits_2_when_none_ran() {
    let fake = fake_imap::serve(vec![vec![send(b"garbage\r\n")]; 22]);
    let output = Command::new(env!("CARGO_BIN_EXE_resync-check"))
        .args([
            "probe",
            "--server",
            &fake.addr,
            "--user",
            "alice",
            "--password-env",
            "PROBE_PW",
        ])
        .args(["--timeout", "1"])
        .env("PROBE_PW", "secret")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(2), "{stdout}");
    assert_eq!(
        stdout
            .matches("ERROR C1: a greeting that does not parse: `garbage`")
            .count(),
        11,
        "{stdout}"
    );
}

#[test]
fn the_password_never_comes_from_the_command_line() {
    let output = Command::new(env!("CARGO_BIN_EXE_resync-check"))
        .args(["probe", "--server", "127.0.0.1:1", "--user", "alice"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("--password-env VAR or --password-file FILE")
    );
}
