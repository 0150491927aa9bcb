//! Scenarios for the server clauses about mod-sequences: CLOSE's response code, the
//! HIGHESTMODSEQ over held-back expunges, an expunge's own mod-sequence, what HIGHESTMODSEQ
//! is, and VANISHED (EARLIER) while history is kept.

use super::{Ctx, Finding, Verdict, evidence, fetch_modseq, modseq_max, tagged_hms, vanished};
use crate::client::Client;
use crate::imap::command::Command;
use crate::imap::types::{ModSeq, Tag};
use crate::probe::parse::uid_set;
use crate::spec;

/// Erratum 1808's story: both sessions set `\Deleted` on a
/// message, C1 closes. RFC 7162 section 3.2.8: CLOSE "MUST NOT send" HIGHESTMODSEQ.
pub fn close_highestmodseq(ctx: &mut Ctx) -> Result<Finding, String> {
    let mut c1 = ctx.open()?;
    let mailbox = ctx.mailbox(&mut c1, 4)?;
    ctx.select(&mut c1, &mailbox)?;
    let mut c2 = ctx.open()?;
    ctx.select(&mut c2, &mailbox)?;
    c1.run("STORE 1 +FLAGS.SILENT (\\Deleted)")?;
    c2.run("STORE 2 +FLAGS.SILENT (\\Deleted)")?;
    let close = c1.run("CLOSE")?;
    let noop = c2.run("NOOP")?;
    let status = c1.run(&format!(
        "STATUS {} (HIGHESTMODSEQ)",
        super::quoted(&mailbox)
    ))?;
    let after = status.lines().find_map(|l| l.status_highest_modseq());
    c1.logout();
    c2.logout();
    // The CLOSE expunged both messages if C2, which had both announced, is told of both.
    let told = vanished(&noop)?;
    let expunged = told.contains(&1) && told.contains(&2);
    let mut proof = evidence(1, &close);
    proof.extend(evidence(2, &noop));
    // RFC 7162 section 3.2.8 forbids the code on CLOSE whatever it expunged; its absence
    // decides only once the CLOSE did expunge, the case erratum 1808 is about.
    let (value, observed, verdict) = match tagged_hms(&close) {
        None if !expunged => (
            None,
            format!(
                "CLOSE's OK has no [HIGHESTMODSEQ], but C2 was not told of the expunge of UIDs 1 and 2 (told of {})",
                if told.is_empty() {
                    "none".into()
                } else {
                    uid_set(&told)
                }
            ),
            Verdict::NotExercised,
        ),
        None => (
            Some("omit"),
            "CLOSE expunged UIDs 1 and 2, and its OK has no [HIGHESTMODSEQ]".to_string(),
            Verdict::Conforms,
        ),
        Some(m) if after.is_some_and(|a| m >= a) => (
            Some("send"),
            format!("CLOSE's OK carries [HIGHESTMODSEQ {m}], the updated value"),
            Verdict::Breaks,
        ),
        Some(m) if after.is_some() => (
            Some("send-safe"),
            format!(
                "CLOSE's OK carries [HIGHESTMODSEQ {m}], below the mailbox's {}",
                after.unwrap_or_default()
            ),
            Verdict::Breaks,
        ),
        Some(m) => (
            None,
            format!(
                "CLOSE's OK carries [HIGHESTMODSEQ {m}]; STATUS reported no HIGHESTMODSEQ to compare it with"
            ),
            Verdict::Breaks,
        ),
    };
    proof.extend(status.untagged.iter().map(|l| format!("S1: {}", l.text)));
    Ok(Finding {
        implies: Vec::new(),
        clause: "close-highestmodseq",
        value: value.map(String::from),
        observed,
        required: "CLOSE MUST NOT send HIGHESTMODSEQ",
        verdict,
        section: "RFC 7162 3.2.8",
        needs: "a CLOSE that expunges messages another session has \\Deleted",
        evidence: proof,
    })
}

/// The sequence-number commands C1 tries, in order, until one shows it a MODSEQ at or above
/// the held-back expunge's. During each, RFC 3501 section 7.4.1 and RFC 7162 section 3.2.10.2
/// forbid sending the expunge, so it stays held back. A FETCH of flags alone may carry no
/// MODSEQ at all (Crymap 2.0.1) or only older ones (Dovecot 2.3.19.1); a STORE gives message
/// 1 a new MODSEQ, above the expunge's, and RFC 7162 section 3.2 makes the server send it.
pub const HELD_BACK_TRIES: [&str; 3] = [
    "FETCH 1 (FLAGS)",
    "FETCH 1 (FLAGS MODSEQ)",
    "STORE 1 +FLAGS (\\Seen)",
];

/// C2 expunges a message; C1 runs sequence-number commands (`HELD_BACK_TRIES`), during which
/// the expunge is held back (RFC 3501 section 7.4.1). If C1 is shown a MODSEQ at or above the
/// expunge's, the server must also send a HIGHESTMODSEQ below it (RFC 7162 section 3.2, erratum
/// 1810: "MUST send untagged events to a client in a way that the client doesn't lose any
/// changes"; its second sentence names the case of a MODSEQ above the delayed expunge's, and the
/// first covers one equal to it, which a client stores and resyncs from). The model's RFC 7162
/// client reads C1's lines: if the resync point it stores covers the expunge, it would lose it
/// after a drop. A MODSEQ below the expunge's endangers nothing, so it decides nothing.
pub fn held_back_highestmodseq(ctx: &mut Ctx) -> Result<Finding, String> {
    const NEEDS: &str =
        "a MODSEQ at or above a held-back expunge's, shown to the session it is held back from";
    let mut c1 = ctx.open()?;
    let mailbox = ctx.mailbox(&mut c1, 4)?;
    let selected = ctx.select(&mut c1, &mailbox)?;
    let mut c2 = ctx.open()?;
    ctx.select(&mut c2, &mailbox)?;
    c2.run("STORE 4 +FLAGS.SILENT (\\Deleted)")?;
    let expunge = c2.run("EXPUNGE")?;
    let Some(x) = tagged_hms(&expunge) else {
        return Err(format!(
            "C2's EXPUNGE carried no [HIGHESTMODSEQ] to date the expunge: `{}`",
            expunge.tagged.text
        ));
    };
    let mut proof = evidence(2, &expunge);
    let mut tried = Vec::new();
    let mut delivered_by = None;
    let mut decided_by = None;
    for command in HELD_BACK_TRIES {
        let tag = c1.next_tag();
        let reply = c1.run(command)?;
        proof.extend(evidence(1, &reply));
        let delivered = !vanished(&reply)?.is_empty();
        let shown = modseq_max(&reply);
        tried.push((tag, command, reply));
        if delivered {
            delivered_by = Some(command);
            break;
        }
        if shown.is_some_and(|m| m >= x) {
            decided_by = Some(command);
            break;
        }
    }
    // The model's RFC 7162 client, synchronized at SELECT's HIGHESTMODSEQ, reads C1's lines
    // (each command as a NOOP under its tag: only the responses matter to the resync point).
    let rfc7162 = spec::edition("rfc7162").map_err(|e| format!("{e:?}"))?.spec;
    let mut client = Client::new(4);
    client.resync_point = ModSeq(selected.highest_modseq);
    let noops: Vec<(Tag, Command)> = tried
        .iter()
        .map(|(t, _, _)| (Tag(*t), Command::Noop))
        .collect();
    client.issue(&noops, &rfc7162);
    if let Some(connection) = client.connection.as_mut() {
        for (_, _, reply) in &tried {
            connection
                .queue
                .extend(reply.lines().filter_map(|l| l.to_model()));
        }
    }
    while client.read(&rfc7162).is_some() {}
    let stored = client.resync_point.0;
    ctx.note(&format!(
        "the model's RFC 7162 client, reading C1's lines, stores resync point {stored}"
    ));
    // Where an RFC 7162 client would store a resync point at or above the expunge, the loss
    // is shown live: C1's connection drops before it reads anything more, and C1 reconnects
    // and resynchronizes from that point (RFC 7162 section 3.2.5) with every UID it knows.
    let mut shown_live = None;
    if decided_by.is_some() && stored >= x {
        c1.drop_connection();
        let mut again = ctx.reopen(1)?;
        let parameters = format!(" (QRESYNC ({} {stored} 1:4))", selected.uid_validity);
        let resync = ctx.select_with(&mut again, &mailbox, &parameters)?;
        again.logout();
        proof.extend(evidence(1, &resync.reply));
        let reported = vanished(&resync.reply)?;
        let exists = resync.reply.lines().find_map(|l| l.exists());
        shown_live = Some(if reported.contains(&4) {
            format!("after a drop, QRESYNC from {stored} reports the expunge of UID 4 after all")
        } else {
            format!(
                "shown live: after a drop, QRESYNC from {stored} with known UIDs 1:4 reports {} and {}: the expunge of UID 4 is never reported, and a client that follows RFC 7162 section 6 keeps UID 4{}",
                if reported.is_empty() {
                    "no VANISHED".into()
                } else {
                    format!("VANISHED (EARLIER) {}", uid_set(&reported))
                },
                exists.map_or("no EXISTS".into(), |n| format!("{n} EXISTS")),
                match exists {
                    Some(n) if n < 4 => format!(
                        " (only the count, {n} EXISTS against its 4 cached messages, hints at it)"
                    ),
                    _ => String::new(),
                }
            )
        });
        c2.logout();
    } else {
        c1.run("NOOP")?;
        c1.logout();
        c2.logout();
    }
    let shown = tried.iter().filter_map(|(_, _, r)| modseq_max(r)).max();
    let codes: Vec<String> = tried
        .iter()
        .flat_map(|(_, _, r)| r.lines().filter_map(|l| l.highest_modseq()))
        .map(|c| c.to_string())
        .collect();
    let codes = if codes.is_empty() {
        "no HIGHESTMODSEQ".to_string()
    } else {
        format!("HIGHESTMODSEQ {}", codes.join(", "))
    };
    let shown_text = shown.map_or("no MODSEQ".into(), |m| format!("MODSEQ {m}"));
    let (value, observed, verdict, section) = if let Some(command) = delivered_by {
        (
            None,
            format!(
                "the expunge at {x} was sent to C1 during `{command}`, a sequence-number command"
            ),
            Verdict::Breaks,
            "RFC 7162 3.2.10.2, RFC 3501 7.4.1",
        )
    } else if let Some(command) = decided_by {
        let (value, verdict) = if stored >= x {
            ("none", Verdict::Breaks)
        } else {
            ("lower", Verdict::Conforms)
        };
        (
            Some(value),
            format!(
                "decided by `{command}`: C1 was shown {shown_text} while the expunge at {x} was held back, and {codes}; an RFC 7162 client stores {stored}{}",
                shown_live.map_or(String::new(), |s| format!("; {s}"))
            ),
            verdict,
            "RFC 7162 3.2",
        )
    } else {
        let names: Vec<String> = tried.iter().map(|(_, c, _)| format!("`{c}`")).collect();
        (
            None,
            format!(
                "C1 was shown {shown_text}, none at or above the held-back expunge's {x}, by {}",
                names.join(", ")
            ),
            Verdict::NotExercised,
            "RFC 7162 3.2",
        )
    };
    Ok(Finding {
        implies: Vec::new(),
        clause: "held-back-highestmodseq",
        value: value.map(String::from),
        observed,
        required: "a HIGHESTMODSEQ below a held-back expunge whenever a MODSEQ at or above it is shown",
        verdict,
        section,
        needs: NEEDS,
        evidence: proof,
    })
}

/// RFC 7162 section 3.2: an expunge "MUST" increment the mailbox's mod-sequence. C1 sets
/// `\Deleted` on UID 1 (MODSEQ m) and UID EXPUNGEs it; C2 resyncs from m.
pub fn expunge_modseq(ctx: &mut Ctx) -> Result<Finding, String> {
    let mut c1 = ctx.open()?;
    let mailbox = ctx.mailbox(&mut c1, 4)?;
    let selected = ctx.select(&mut c1, &mailbox)?;
    let store = c1.run("UID STORE 1 +FLAGS.SILENT (\\Deleted)")?;
    let m = fetch_modseq(&store, 1).ok_or_else(|| {
        format!(
            "the STORE's FETCH carried no MODSEQ: `{}`",
            store.tagged.text
        )
    })?;
    let expunge = c1.run("UID EXPUNGE 1")?;
    c1.logout();
    let mut c2 = ctx.open()?;
    let parameters = format!(" (QRESYNC ({} {m} 1:4))", selected.uid_validity);
    let resync = ctx.select_with(&mut c2, &mailbox, &parameters)?;
    c2.logout();
    let after = resync.highest_modseq;
    let reported = vanished(&resync.reply)?;
    let mut proof = evidence(1, &store);
    proof.extend(evidence(1, &expunge));
    proof.extend(
        resync
            .reply
            .lines()
            .filter(|l| l.vanished().is_some() || l.highest_modseq().is_some())
            .map(|l| format!("S2: {}", l.text)),
    );
    let bumped = after > m && reported.contains(&1);
    Ok(Finding {
        implies: Vec::new(),
        clause: "expunge-modseq",
        value: Some(if bumped { "bump" } else { "none" }.into()),
        observed: format!(
            "\\Deleted at MODSEQ {m}; after UID EXPUNGE HIGHESTMODSEQ is {after}; QRESYNC from {m} reports VANISHED (EARLIER) {}",
            if reported.is_empty() {
                "nothing".into()
            } else {
                uid_set(&reported)
            }
        ),
        required: "an expunge increments the mod-sequence and is reported above the old one",
        verdict: if bumped {
            Verdict::Conforms
        } else {
            Verdict::Breaks
        },
        section: "RFC 7162 3.2",
        needs: "a QRESYNC SELECT from the MODSEQ of a message's last change before its expunge",
        evidence: proof,
    })
}

/// RFC 7162 section 3.2: HIGHESTMODSEQ is a counter that expunges move too, not the highest
/// MODSEQ of the messages left. C1 changes UID 4 last and expunges it; STATUS then tells the
/// mailbox's HIGHESTMODSEQ, to compare with the remaining messages' MODSEQs.
pub fn mailbox_highestmodseq(ctx: &mut Ctx) -> Result<Finding, String> {
    let mut c1 = ctx.open()?;
    let mailbox = ctx.mailbox(&mut c1, 4)?;
    ctx.select(&mut c1, &mailbox)?;
    let store = c1.run("UID STORE 4 +FLAGS.SILENT (\\Deleted)")?;
    let m4 = fetch_modseq(&store, 4).ok_or_else(|| {
        format!(
            "the STORE's FETCH carried no MODSEQ: `{}`",
            store.tagged.text
        )
    })?;
    c1.run("UID EXPUNGE 4")?;
    let rest = c1.run("UID FETCH 1:3 (MODSEQ)")?;
    let rest_max = modseq_max(&rest);
    let mut c2 = ctx.open()?;
    let status = c2.run(&format!(
        "STATUS {} (HIGHESTMODSEQ)",
        super::quoted(&mailbox)
    ))?;
    let hms = status
        .lines()
        .find_map(|l| l.status_highest_modseq())
        .ok_or_else(|| format!("STATUS reported no HIGHESTMODSEQ: `{}`", status.tagged.text))?;
    c2.logout();
    let next = c1.run("UID STORE 1 +FLAGS.SILENT (\\Seen)")?;
    let n = fetch_modseq(&next, 1);
    c1.logout();
    let mut proof = evidence(1, &store);
    proof.extend(evidence(1, &rest));
    proof.extend(evidence(2, &status));
    proof.extend(evidence(1, &next));
    let next_text = n.map_or("no MODSEQ".into(), |n| n.to_string());
    // What decides is HIGHESTMODSEQ against the messages left: a counter is above all of
    // them and above the expunged message's last change; the highest message MODSEQ is not.
    // The next STORE, when it shows its MODSEQ, must also be above (no reuse, section 3.1).
    let (value, verdict, observed) = match rest_max {
        None => (
            None,
            Verdict::NotExercised,
            format!(
                "after expunging UID 4 (changed at {m4}): HIGHESTMODSEQ {hms}, but `UID FETCH 1:3 (MODSEQ)` showed no MODSEQ to compare it with"
            ),
        ),
        Some(rest_max) => {
            let counter = hms > m4 && hms > rest_max && n.is_none_or(|n| n > hms);
            (
                Some(if counter { "counter" } else { "max-message" }),
                if counter {
                    Verdict::Conforms
                } else {
                    Verdict::Breaks
                },
                format!(
                    "after expunging UID 4 (changed at {m4}): HIGHESTMODSEQ {hms}, the messages left at most {rest_max}, the next STORE {next_text}"
                ),
            )
        }
    };
    Ok(Finding {
        implies: Vec::new(),
        clause: "mailbox-highestmodseq",
        value: value.map(String::from),
        observed,
        required: "HIGHESTMODSEQ counts expunges too and never goes down",
        verdict,
        section: "RFC 7162 3.2",
        needs: "the MODSEQs of the messages left after expunging the last-changed one",
        evidence: proof,
    })
}

/// UID 1 expunged at Mx, then UID 2; QRESYNC from Mx must name
/// UID 2 (RFC 7162 section 3.2.5.1); exact when history is kept (section 3.2.6), a superset
/// of expunged UIDs when it is not (section 3.2.6 note, 5.1).
pub fn vanished_earlier(ctx: &mut Ctx) -> Result<Finding, String> {
    let mut c1 = ctx.open()?;
    let mailbox = ctx.mailbox(&mut c1, 4)?;
    let selected = ctx.select(&mut c1, &mailbox)?;
    c1.run("UID STORE 1 +FLAGS.SILENT (\\Deleted)")?;
    let first = c1.run("UID EXPUNGE 1")?;
    let mx = tagged_hms(&first).ok_or_else(|| {
        format!(
            "UID EXPUNGE carried no [HIGHESTMODSEQ]: `{}`",
            first.tagged.text
        )
    })?;
    c1.run("UID STORE 2 +FLAGS.SILENT (\\Deleted)")?;
    c1.run("UID EXPUNGE 2")?;
    c1.logout();
    let mut c2 = ctx.open()?;
    let parameters = format!(" (QRESYNC ({} {mx} 1:4))", selected.uid_validity);
    let resync = ctx.select_with(&mut c2, &mailbox, &parameters)?;
    c2.logout();
    let reported = vanished(&resync.reply)?;
    let (value, verdict) = match reported.as_slice() {
        [2] => (Some("exact"), Verdict::Conforms),
        r if r.contains(&2) && r.iter().all(|u| *u <= 2) => (Some("superset"), Verdict::Conforms),
        _ => (None, Verdict::Breaks),
    };
    Ok(Finding {
        implies: Vec::new(),
        clause: "vanished-earlier",
        value: value.map(String::from),
        observed: format!(
            "UID 1 expunged at {mx}, then UID 2; QRESYNC from {mx} reports VANISHED (EARLIER) {}",
            if reported.is_empty() {
                "nothing".into()
            } else {
                uid_set(&reported)
            }
        ),
        required: "every UID expunged after the mod-sequence (exact, or a superset of expunged UIDs)",
        verdict,
        section: "RFC 7162 3.2.5.1, 3.2.6",
        needs: "a QRESYNC SELECT from a mod-sequence between two expunges",
        evidence: resync
            .reply
            .lines()
            .filter(|l| l.vanished().is_some() || l.highest_modseq().is_some())
            .map(|l| format!("S2: {}", l.text))
            .collect(),
    })
}
