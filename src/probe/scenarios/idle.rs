//! The IDLE scenario: whether another session's changes reach an idling session while it
//! idles or only at DONE (the clause `idle-push`), and which HIGHESTMODSEQ codes come with
//! them (what `idle-highestmodseq` is about).

use std::time::Duration;

use super::{Ctx, Finding, Verdict};
use crate::probe::parse::Line;

/// How long C1 idles. Dovecot 2.3.19.1 pushed within about 0.5 s of another session's
/// change; a server that sends nothing in 3 s is taken to wait for DONE (the scenario stops
/// waiting as soon as both changes came).
const IDLE_WAIT: Duration = Duration::from_secs(3);

/// RFC 9051 section 6.3.13 (RFC 2177): while IDLE is active "the server is now free to send
/// untagged EXISTS, EXPUNGE, FETCH, and other responses at any time", and at DONE it "MAY send
/// any remaining queued untagged responses". C1 idles on four messages; C2 sets `\Flagged` on
/// UID 1, then `\Deleted` on UID 4 and expunges it; C1 waits, then sends DONE.
pub fn idle_push(ctx: &mut Ctx) -> Result<Finding, String> {
    let mut c1 = ctx.open()?;
    let mailbox = ctx.mailbox(&mut c1, 4)?;
    ctx.select(&mut c1, &mailbox)?;
    let mut c2 = ctx.open()?;
    ctx.select(&mut c2, &mailbox)?;
    let tag = c1.idle()?;
    c2.run("UID STORE 1 +FLAGS.SILENT (\\Flagged)")?;
    c2.run("UID STORE 4 +FLAGS.SILENT (\\Deleted)")?;
    c2.run("UID EXPUNGE 4")?;
    c2.logout();
    ctx.note(&format!("C1 idles for up to {} s", IDLE_WAIT.as_secs_f64()));
    let pushed = c1.pushed(IDLE_WAIT, |lines| told(lines) == (true, true))?;
    let done = c1.done(&tag)?;
    c1.logout();
    let at_done: Vec<Line> = done.lines().cloned().collect();
    let (flag_pushed, expunge_pushed) = told(&pushed);
    let (flag_at_done, expunge_at_done) = told(&at_done);
    let value = if flag_pushed || expunge_pushed {
        Some("push")
    } else if flag_at_done && expunge_at_done {
        Some("at-done")
    } else {
        None
    };
    let observed = format!(
        "told while idling: {}; at DONE: {}; HIGHESTMODSEQ codes: {} while idling, {} at DONE",
        changes(flag_pushed, expunge_pushed),
        changes(flag_at_done, expunge_at_done),
        codes(&pushed),
        codes(&at_done)
    );
    let mut evidence: Vec<String> = pushed.iter().map(|l| format!("S1: {}", l.text)).collect();
    evidence.push("C1: DONE".into());
    evidence.extend(at_done.iter().map(|l| format!("S1: {}", l.text)));
    Ok(Finding {
        implies: Vec::new(),
        clause: "idle-push",
        value: value.map(String::from),
        observed,
        required: "nothing of when: the server may push while IDLE is active, or send what it \
                   queued at DONE",
        // Both values are within RFC 9051 section 6.3.13, and no text makes a server send a
        // change by IDLE's tagged OK (RFC 3501 section 7.4.1 only says when an expunge may
        // not be sent): a server that does neither gets no value, and no verdict against it,
        // nor for it.
        verdict: if value.is_some() {
            Verdict::Conforms
        } else {
            Verdict::NotExercised
        },
        section: "RFC 9051 6.3.13",
        needs: "another session's changes, told while idling or at DONE",
        evidence,
    })
}

/// Whether `lines` told C1 of C2's flag change on UID 1 and of the expunge of UID 4.
fn told(lines: &[Line]) -> (bool, bool) {
    let flag = lines
        .iter()
        .filter_map(|l| l.fetch())
        .any(|f| f.uid == Some(1) && f.flags.as_ref().is_some_and(|fl| has(fl, "\\Flagged")));
    let expunge = lines.iter().any(|l| match l.vanished() {
        Some(Ok((_, uids))) => uids.contains(&4),
        _ => false,
    });
    (flag, expunge)
}

fn has(flags: &[String], flag: &str) -> bool {
    flags.iter().any(|f| f.eq_ignore_ascii_case(flag))
}

fn changes(flag: bool, expunge: bool) -> &'static str {
    match (flag, expunge) {
        (true, true) => "UID 1's \\Flagged and UID 4's expunge",
        (true, false) => "UID 1's \\Flagged",
        (false, true) => "UID 4's expunge",
        (false, false) => "nothing",
    }
}

fn codes(lines: &[Line]) -> String {
    let codes: Vec<String> = lines
        .iter()
        .filter_map(|l| l.highest_modseq())
        .map(|m| m.to_string())
        .collect();
    if codes.is_empty() {
        "none".into()
    } else {
        codes.join(", ")
    }
}
