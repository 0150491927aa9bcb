//! The probe's IDLE against scripted servers: a server that refuses IDLE, one that answers a
//! tag while the client idles, and one that never stops pushing. Each must end with an error
//! naming it, or, for the flood, end the wait on time.

use crate::common::fake_imap;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use fake_imap::Step::{self, Expect, Send, Sleep};
use resync_check::probe::session::{Credentials, Session};

fn send(bytes: &[u8]) -> Step {
    Send(bytes.to_vec())
}

/// Logged in with QRESYNC enabled, `a3 IDLE` expected, then `rest`.
fn idling(rest: Vec<Step>) -> Vec<Step> {
    let mut steps = vec![
        send(b"* OK fake ready\r\n"),
        Expect("a1 LOGIN \"alice\" \"***\"".into()),
        send(b"a1 OK logged in\r\n"),
        Expect("a2 ENABLE QRESYNC".into()),
        send(b"* ENABLED QRESYNC\r\na2 OK enabled\r\n"),
        Expect("a3 IDLE".into()),
    ];
    steps.extend(rest);
    steps
}

fn session(script: Vec<Step>) -> Session {
    let fake = fake_imap::serve(vec![script]);
    let endpoint = fake_imap::endpoint(&fake.addr, Duration::from_secs(1));
    let credentials = Credentials {
        user: "alice".into(),
        password: "secret".into(),
    };
    let transcript = Rc::new(RefCell::new(Vec::new()));
    Session::open(&endpoint, &credentials, 1, &transcript).expect("logged in")
}

#[test]
fn a_refused_idle_is_named() {
    let mut c1 = session(idling(vec![send(b"a3 NO no IDLE here\r\n")]));
    let error = c1.idle().expect_err("a NO to IDLE");
    assert_eq!(error, "C1: `a3 IDLE` was refused: `a3 NO no IDLE here`");
}

#[test]
fn a_tagged_line_while_idling_is_named() {
    let mut c1 = session(idling(vec![
        send(b"+ idling\r\n"),
        send(b"* 1 FETCH (UID 1 MODSEQ (6) FLAGS (\\Flagged))\r\n"),
        send(b"a3 OK too early\r\n"),
    ]));
    assert_eq!(c1.idle().unwrap(), "a3");
    let error = c1
        .pushed(Duration::from_secs(2), |_| false)
        .expect_err("a tagged line before DONE");
    assert_eq!(error, "C1: while idling, an unexpected `a3 OK too early`");
}

#[test]
fn pushes_are_read_until_enough_then_done_reads_the_rest() {
    let mut c1 = session(idling(vec![
        send(b"+ idling\r\n"),
        send(b"* 1 FETCH (UID 1 MODSEQ (6) FLAGS (\\Flagged))\r\n"),
        send(b"* VANISHED 4\r\n"),
        Expect("DONE".into()),
        send(b"* OK [HIGHESTMODSEQ 8] Highest\r\na3 OK Idle completed\r\n"),
    ]));
    let tag = c1.idle().unwrap();
    let start = Instant::now();
    let pushed = c1
        .pushed(Duration::from_secs(3), |lines| lines.len() == 2)
        .unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
    let texts: Vec<&str> = pushed.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "* 1 FETCH (UID 1 MODSEQ (6) FLAGS (\\Flagged))",
            "* VANISHED 4"
        ]
    );
    let done = c1.done(&tag).unwrap();
    assert_eq!(done.untagged.len(), 1);
    assert_eq!(done.tagged.text, "a3 OK Idle completed");
}

#[test]
fn a_server_that_never_stops_pushing_does_not_hold_the_wait() {
    let mut flood = vec![send(b"+ idling\r\n")];
    for _ in 0..300 {
        flood.push(send(b"* 1 EXISTS\r\n"));
        flood.push(Sleep(Duration::from_millis(10)));
    }
    let mut c1 = session(idling(flood));
    c1.idle().unwrap();
    let start = Instant::now();
    let pushed = c1.pushed(Duration::from_millis(500), |_| false).unwrap();
    let elapsed = start.elapsed();
    assert!(elapsed < Duration::from_millis(1500), "{elapsed:?}");
    assert!(!pushed.is_empty());
    assert!(pushed.iter().all(|l| l.text == "* 1 EXISTS"));
}

#[test]
fn a_silent_server_ends_the_wait_with_nothing() {
    let mut c1 = session(idling(vec![
        send(b"+ idling\r\n"),
        Sleep(Duration::from_secs(3)),
    ]));
    c1.idle().unwrap();
    let start = Instant::now();
    let pushed = c1.pushed(Duration::from_millis(300), |_| false).unwrap();
    assert!(pushed.is_empty());
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
}
