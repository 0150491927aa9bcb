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
    c2.run("UID EXPUNGE 5")?;
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
    let (value, observed) = match (reported, reported_unannounced) {
        (false, _) => (
            "omit",
            "C1's NOOP does not name UID 5, never announced to it",
        ),
        (true, false) => (
            "omit",
            "C1's NOOP announces UID 5 by EXISTS, then reports it gone",
        ),
        (true, true) => (
            "report",
            "C1's NOOP names UID 5 in VANISHED, never announced by EXISTS",
        ),
    };
    Ok(Finding {
        clause: "vanished-unannounced",
        value: Some(value.into()),
        observed: observed.into(),
        required: "VANISHED names only messages announced to the session",
        verdict: if reported_unannounced {
            Verdict::Breaks
        } else {
            Verdict::Conforms
        },
        section: "RFC 7162 3.2.10.2",
        evidence: evidence(1, &noop),
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
    let mut delivered = Vec::new();
    let mut proof = evidence(1, &fetch);
    for (uid, command) in [
        (2, "UID SEARCH UID 1"),
        (3, "STORE 1 +FLAGS.SILENT (\\Seen)"),
        (4, "NOOP"),
    ] {
        c2.run(&format!("UID STORE {uid} +FLAGS.SILENT (\\Flagged)"))?;
        let reply = c1.run(command)?;
        let told = reply
            .lines()
            .filter_map(|l| l.fetch())
            .any(|f| f.uid == Some(uid));
        let name = command
            .split(' ')
            .take(if command.starts_with("UID") { 2 } else { 1 });
        let name = name.collect::<Vec<_>>().join(" ");
        delivered.push(format!("{name}: {}", if told { "yes" } else { "no" }));
        proof.extend(evidence(1, &reply));
    }
    c1.logout();
    c2.logout();
    Ok(Finding {
        clause: "exists-update",
        value: Some(if exists { "prompt" } else { "lazy" }.into()),
        observed: format!(
            "EXISTS at the end of C1's next FETCH: {}; C2's flag change told at the end of {}",
            if exists { "yes" } else { "no" },
            delivered.join(", ")
        ),
        required: "size updates at the end of a command that observed them",
        verdict: Verdict::Conforms,
        section: "RFC 3501 5.2",
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
    let (value, verdict) = if with_star.contains(&4) {
        ("uidnext-minus-1", Verdict::Conforms)
    } else {
        ("last-present", Verdict::Pitfall)
    };
    Ok(Finding {
        clause: "uid-star",
        value: Some(value.into()),
        observed: format!(
            "top UID 4 expunged; `UID FETCH 1:* ... (CHANGEDSINCE m VANISHED)` reports {}, \
             `1:4294967295` reports {}",
            show(&with_star),
            show(&with_max)
        ),
        required: "VANISHED (EARLIER) for expunged UIDs in the set",
        verdict,
        section: "RFC 7162 3.2.6, RFC 3501 9",
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
        clause: "* in QRESYNC known-uids",
        value: None,
        observed,
        required: "known-uids has no `*` (reject it, or report every expunge)",
        verdict,
        section: "RFC 7162 7",
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
