//! Scenarios for what a session is told and when: the scope of a QRESYNC SELECT's FETCHes,
//! VANISHED for messages never announced, when arrivals and other sessions' changes reach a
//! session, and the two `*` pitfalls (cyrus-imapd #6071).

use super::{Ctx, Finding, Selected, Verdict, evidence, vanished};
use crate::probe::parse::uid_set;
use crate::probe::session::Session;

/// RFC 7162 section 3.2.5.1: the FETCHes of a QRESYNC SELECT "should only" cover the known
/// UIDs. C1 sets `\Seen` on UIDs 1 and 3; C2 resyncs with known-uids `2:4`.
pub fn known_uids_scope(ctx: &mut Ctx) -> Result<Finding, String> {
    let mut c1 = ctx.open()?;
    let mailbox = ctx.mailbox(&mut c1, 4)?;
    let selected = ctx.select(&mut c1, &mailbox)?;
    c1.run("UID STORE 1 +FLAGS.SILENT (\\Seen)")?;
    c1.run("UID STORE 3 +FLAGS.SILENT (\\Seen)")?;
    c1.logout();
    let mut c2 = ctx.open()?;
    let parameters = format!(
        " (QRESYNC ({} {} 2:4))",
        selected.uid_validity, selected.highest_modseq
    );
    let resync = ctx.select_with(&mut c2, &mailbox, &parameters)?;
    c2.logout();
    let mut fetched: Vec<u32> = resync
        .reply
        .lines()
        .filter_map(|l| l.fetch()?.uid)
        .collect();
    fetched.sort_unstable();
    let value = match fetched.as_slice() {
        [3] => Some("restrict"),
        [1, 3] => Some("all"),
        _ => None,
    };
    Ok(Finding {
        implies: Vec::new(),
        clause: "known-uids-scope",
        value: value.map(String::from),
        observed: format!(
            "UIDs 1 and 3 changed; QRESYNC with known-uids 2:4 FETCHes UID {}",
            if fetched.is_empty() {
                "none".into()
            } else {
                uid_set(&fetched)
            }
        ),
        required: "FETCH the changed known UIDs (the others \"should\" be left out)",
        verdict: if fetched.contains(&3) {
            Verdict::Conforms
        } else {
            Verdict::Breaks
        },
        section: "RFC 7162 3.2.5.1",
        needs: "a QRESYNC SELECT with known-uids after changes inside and outside them",
        evidence: resync
            .reply
            .lines()
            .filter(|l| l.fetch().is_some())
            .map(|l| format!("S2: {}", l.text))
            .collect(),
    })
}

/// RFC 7162 section 3.2.10.2 (erratum 3322): a VANISHED "MUST NOT" name a message never
/// announced by EXISTS. C2 appends UID 5 and expunges it while C1 is idle; C1 then NOOPs.
pub fn vanished_unannounced(ctx: &mut Ctx) -> Result<Finding, String> {
    let mut c1 = ctx.open()?;
    let mailbox = ctx.mailbox(&mut c1, 4)?;
    ctx.select(&mut c1, &mailbox)?;
    let mut c2 = ctx.open()?;
    ctx.select(&mut c2, &mailbox)?;
    c2.append(
        &mailbox,
        "From: probe@localhost\r\nSubject: arrival\r\n\r\nnew\r\n",
    )?;
    c2.run("UID STORE 5 +FLAGS.SILENT (\\Deleted)")?;
    let expunge = c2.run("UID EXPUNGE 5")?;
    let noop = c1.run("NOOP")?;
    c1.logout();
    c2.logout();
    // Announced: an EXISTS of 5 or more before the VANISHED in the same answer.
    let mut announced = false;
    let mut reported_unannounced = false;
    let mut reported = false;
    for line in noop.lines() {
        if line.exists().is_some_and(|n| n >= 5) {
            announced = true;
        }
        if let Some(v) = line.vanished() {
            let (_, uids) = v?;
            if uids.contains(&5) {
                reported = true;
                reported_unannounced |= !announced;
            }
        }
    }
    // The arrival must really have been expunged (C2, which saw it, is told so), or C1's
    // silence about it proves nothing.
    let expunged = vanished(&expunge)?.contains(&5);
    let (value, observed, verdict) = match (expunged, reported, reported_unannounced) {
        (false, false, _) => (
            None,
            "C2's `UID EXPUNGE 5` reported no expunge of UID 5, and C1's NOOP does not name it",
            Verdict::NotExercised,
        ),
        (true, false, _) => (
            Some("omit"),
            "C1's NOOP does not name UID 5, never announced to it",
            Verdict::Conforms,
        ),
        (_, true, false) => (
            Some("omit"),
            "C1's NOOP announces UID 5 by EXISTS, then reports it gone",
            Verdict::Conforms,
        ),
        (_, true, true) => (
            Some("report"),
            "C1's NOOP names UID 5 in VANISHED, never announced by EXISTS",
            Verdict::Breaks,
        ),
    };
    let mut proof = evidence(2, &expunge);
    proof.extend(evidence(1, &noop));
    Ok(Finding {
        implies: Vec::new(),
        clause: "vanished-unannounced",
        value: value.map(String::from),
        observed: observed.into(),
        required: "VANISHED names only messages announced to the session",
        verdict,
        section: "RFC 7162 3.2.10.2",
        needs: "an arrival expunged before the session was told of it",
        evidence: proof,
    })
}

/// RFC 3501 section 5.2: size updates at the end of a command; RFC 7162 section 3.2.10.2 and
/// RFC 3501 section 7.4.1: flag changes at the end of any command, expunges not during
/// sequence-number FETCH, STORE and SEARCH. C2 appends, then changes flags; C1 runs FETCH,
/// UID SEARCH and STORE and records what each brought.
pub fn exists_update(ctx: &mut Ctx) -> Result<Finding, String> {
    let mut c1 = ctx.open()?;
    let mailbox = ctx.mailbox(&mut c1, 4)?;
    ctx.select(&mut c1, &mailbox)?;
    let mut c2 = ctx.open()?;
    ctx.select(&mut c2, &mailbox)?;
    c2.append(
        &mailbox,
        "From: probe@localhost\r\nSubject: arrival\r\n\r\nnew\r\n",
    )?;
    let fetch = c1.run("FETCH 1 (FLAGS)")?;
    let exists = fetch.lines().any(|l| l.exists() == Some(5));
    let mut told_later = false;
    let mut told_every = true;
    let mut delivered = Vec::new();
    let mut proof = evidence(1, &fetch);
    for (uid, command) in [
        (2, "UID SEARCH UID 1"),
        (3, "STORE 1 +FLAGS.SILENT (\\Seen)"),
        (4, "NOOP"),
    ] {
        c2.run(&format!("UID STORE {uid} +FLAGS.SILENT (\\Flagged)"))?;
        let reply = c1.run(command)?;
        told_later |= reply.lines().any(|l| l.exists() == Some(5));
        let told = reply
            .lines()
            .filter_map(|l| l.fetch())
            .any(|f| f.uid == Some(uid));
        let name = command
            .split(' ')
            .take(if command.starts_with("UID") { 2 } else { 1 });
        let name = name.collect::<Vec<_>>().join(" ");
        told_every &= told;
        delivered.push(format!("{name}: {}", if told { "yes" } else { "no" }));
        proof.extend(evidence(1, &reply));
    }
    c1.logout();
    c2.logout();
    // `lazy` is a size update that comes, only later; one that never comes, even at NOOP
    // (RFC 3501 section 6.1.2's poll), shows neither value.
    let (value, verdict) = match (exists, told_later) {
        (true, _) => (Some("prompt"), Verdict::Conforms),
        (false, true) => (Some("lazy"), Verdict::Conforms),
        (false, false) => (None, Verdict::NotExercised),
    };
    // C2's flag change told at the end of each of C1's three commands, a UID command, a
    // sequence-number one and NOOP: the server sends what it holds back at every command
    // (`flag-flush=every-command`, RFC 3501 section 5.2), as far as three commands show.
    // A server that kept one for later is left at `any`, which covers it.
    let implies = match told_every {
        true => vec!["flag-flush=every-command".to_string()],
        false => Vec::new(),
    };
    Ok(Finding {
        implies,
        clause: "exists-update",
        value: value.map(String::from),
        observed: format!(
            "EXISTS at the end of C1's next FETCH: {}{}; C2's flag change told at the end of {}",
            if exists { "yes" } else { "no" },
            match (exists, told_later) {
                (false, true) => ", later: yes",
                (false, false) => ", later (UID SEARCH, STORE, NOOP): no",
                _ => "",
            },
            delivered.join(", ")
        ),
        required: "size updates at the end of a command that observed them",
        verdict,
        section: "RFC 3501 5.2",
        needs: "an EXISTS for another session's arrival, at the next command or later",
        evidence: proof,
    })
}

/// UID 4, the top UID, expunged; `UID FETCH 1:* (FLAGS)
/// (CHANGEDSINCE m VANISHED)` (RFC 7162 section 3.2.6). RFC 3501 section 9 makes `*` "the
/// unique identifier of the last message in the mailbox", so a server may leave UID 4 out; a
/// client that sends `*` then keeps it.
pub fn star_changedsince(ctx: &mut Ctx) -> Result<Finding, String> {
    let (mailbox, selected, mut c2) = top_uid_expunged(ctx)?;
    ctx.select(&mut c2, &mailbox)?;
    let m = selected.highest_modseq;
    let star = c2.run(&format!(
        "UID FETCH 1:* (FLAGS) (CHANGEDSINCE {m} VANISHED)"
    ))?;
    let explicit = c2.run(&format!(
        "UID FETCH 1:4294967295 (FLAGS) (CHANGEDSINCE {m} VANISHED)"
    ))?;
    c2.logout();
    let with_star = vanished(&star)?;
    let with_max = vanished(&explicit)?;
    let mut proof = evidence(2, &star);
    proof.extend(evidence(2, &explicit));
    // The clause `uid-star`: `*` still reaching the expunged UID 4 is UIDNEXT-1
    // (`uidnext-minus-1`); stopping short of it is the last UID present (`last-present`).
    // Only a server that reports UID 4 for the explicit range shows what `*` does; one that
    // does not breaks section 3.2.6 for any range.
    let (value, verdict) = if !with_max.contains(&4) {
        (None, Verdict::Breaks)
    } else if with_star.contains(&4) {
        (Some("uidnext-minus-1"), Verdict::Conforms)
    } else {
        (Some("last-present"), Verdict::Pitfall)
    };
    Ok(Finding {
        implies: Vec::new(),
        clause: "uid-star",
        value: value.map(String::from),
        observed: format!(
            "top UID 4 expunged; `UID FETCH 1:* ... (CHANGEDSINCE m VANISHED)` reports {}, \
             `1:4294967295` reports {}",
            show(&with_star),
            show(&with_max)
        ),
        required: "VANISHED (EARLIER) for expunged UIDs in the set",
        verdict,
        section: "RFC 7162 3.2.6, RFC 3501 9",
        needs: "VANISHED (EARLIER) for an expunged top UID, asked with `1:*` and with an explicit range",
        evidence: proof,
    })
}

/// `*` in QRESYNC known-uids, which RFC 7162 section 7's grammar
/// forbids (`known-uids = sequence-set ; "*" is not allowed`). BAD conforms; accepting it
/// and leaving out the expunged top UID loses that expunge for the client.
pub fn star_known_uids(ctx: &mut Ctx) -> Result<Finding, String> {
    let (mailbox, selected, mut c2) = top_uid_expunged(ctx)?;
    let command = format!(
        "SELECT {} (QRESYNC ({} {} 1:*))",
        super::quoted(&mailbox),
        selected.uid_validity,
        selected.highest_modseq
    );
    let reply = c2.try_run(&command)?;
    c2.logout();
    let reported = vanished(&reply)?;
    let (observed, verdict) = if !reply.ok() {
        ("rejects `1:*` in known-uids".to_string(), Verdict::Conforms)
    } else if reported.contains(&4) {
        (
            "accepts `1:*` and reports UID 4".to_string(),
            Verdict::Conforms,
        )
    } else {
        (
            format!(
                "accepts `1:*` and reports {} (the expunged top UID 4 is left out)",
                show(&reported)
            ),
            Verdict::Breaks,
        )
    };
    Ok(Finding {
        implies: Vec::new(),
        clause: "* in QRESYNC known-uids",
        value: None,
        observed,
        required: "known-uids has no `*` (reject it, or report every expunge)",
        verdict,
        section: "RFC 7162 7",
        needs: "the answer to a QRESYNC SELECT with `1:*` in known-uids",
        evidence: evidence(2, &reply),
    })
}

fn show(uids: &[u32]) -> String {
    if uids.is_empty() {
        "nothing".into()
    } else {
        format!("VANISHED {}", uid_set(uids))
    }
}

/// The start of both `*` scenarios: four messages; C1 expunges the top UID 4 and logs out; C2,
/// a new connection, is returned with the mailbox and what C1's SELECT reported.
fn top_uid_expunged(ctx: &mut Ctx) -> Result<(String, Selected, Session), String> {
    let mut c1 = ctx.open()?;
    let mailbox = ctx.mailbox(&mut c1, 4)?;
    let selected = ctx.select(&mut c1, &mailbox)?;
    c1.run("UID STORE 4 +FLAGS.SILENT (\\Deleted)")?;
    c1.run("UID EXPUNGE 4")?;
    c1.logout();
    let c2 = ctx.open()?;
    Ok((mailbox, selected, c2))
}
