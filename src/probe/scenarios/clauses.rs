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
    c2.run("NOOP")?;
    let status = c1.run(&format!(
        "STATUS {} (HIGHESTMODSEQ)",
        super::quoted(&mailbox)
    ))?;
    let after = status.lines().find_map(|l| l.status_highest_modseq());
    c1.logout();
    c2.logout();
    let mut proof = evidence(1, &close);
    let (value, observed, verdict) = match tagged_hms(&close) {
        None => (
            "omit",
            "CLOSE's OK has no [HIGHESTMODSEQ]".to_string(),
            Verdict::Conforms,
        ),
        Some(m) if after.is_some_and(|a| m >= a) => (
            "send",
            format!("CLOSE's OK carries [HIGHESTMODSEQ {m}], the updated value"),
            Verdict::Breaks,
        ),
        Some(m) => (
            "send-safe",
            format!("CLOSE's OK carries [HIGHESTMODSEQ {m}], below the mailbox's {after:?}"),
            Verdict::Breaks,
        ),
    };
    proof.extend(status.untagged.iter().map(|l| format!("S1: {}", l.text)));
    Ok(Finding {
        clause: "close-highestmodseq",
        value: Some(value.into()),
        observed,
        required: "CLOSE MUST NOT send HIGHESTMODSEQ",
        verdict,
        section: "RFC 7162 3.2.8",
        evidence: proof,
    })
}

/// C2 expunges a message; C1 runs a sequence-number FETCH,
/// during which the expunge is held back (RFC 3501 section 7.4.1). If C1 is shown a MODSEQ
/// the server must also send a HIGHESTMODSEQ below the held-back expunge (RFC 7162 section
/// 3.2, erratum 1810). The model's RFC 7162 client reads C1's lines: if the resync point it
/// stores covers the expunge, it would lose it after a drop.
pub fn held_back_highestmodseq(ctx: &mut Ctx) -> Result<Finding, String> {
    let mut c1 = ctx.open()?;
    let mailbox = ctx.mailbox(&mut c1, 4)?;
    let selected = ctx.select(&mut c1, &mailbox)?;
    let mut c2 = ctx.open()?;
    ctx.select(&mut c2, &mailbox)?;
    c2.run("STORE 4 +FLAGS.SILENT (\\Deleted)")?;
    let expunge = c2.run("EXPUNGE")?;
    let expunged_at = tagged_hms(&expunge);
    let tag = c1.next_tag();
    let fetch = c1.run("FETCH 1 (FLAGS)")?;
    let held_back = vanished(&fetch)?.is_empty();
    // The model's client, synchronized at SELECT's HIGHESTMODSEQ, reads C1's lines.
    let rfc7162 = spec::edition("rfc7162").map_err(|e| format!("{e:?}"))?.spec;
    let mut client = Client::new(4);
    client.resync_point = ModSeq(selected.highest_modseq);
    client.issue(&[(Tag(tag), Command::Noop)], &rfc7162);
    if let Some(connection) = client.connection.as_mut() {
        connection
            .queue
            .extend(fetch.lines().filter_map(|l| l.to_model()));
    }
    while client.read(&rfc7162).is_some() {}
    let stored = client.resync_point.0;
    ctx.note(&format!(
        "the model's RFC 7162 client, reading C1's lines, stores resync point {stored}"
    ));
    c1.run("NOOP")?;
    c1.logout();
    c2.logout();
    let mut proof = evidence(2, &expunge);
    proof.extend(evidence(1, &fetch));
    let Some(x) = expunged_at else {
        return Err(format!(
            "C2's EXPUNGE carried no [HIGHESTMODSEQ] to date the expunge: `{}`",
            expunge.tagged.text
        ));
    };
    let shown = modseq_max(&fetch);
    let code =
        tagged_hms(&fetch).or_else(|| fetch.untagged.iter().find_map(|l| l.highest_modseq()));
    let (value, observed, verdict) = if !held_back {
        (
            None,
            "the expunge was not held back during FETCH by sequence number".to_string(),
            Verdict::Breaks,
        )
    } else if stored >= x {
        (
            Some("none"),
            format!(
                "C1 was shown MODSEQ {} while the expunge at {x} was held back, and {}; an RFC 7162 client stores {stored}",
                shown.map_or("-".into(), |m| m.to_string()),
                code.map_or("no HIGHESTMODSEQ".to_string(), |c| format!(
                    "HIGHESTMODSEQ {c}"
                ))
            ),
            Verdict::Breaks,
        )
    } else {
        (
            Some("lower"),
            format!(
                "C1 was shown MODSEQ {} and {} below the held-back expunge at {x}; an RFC 7162 client stores {stored}",
                shown.map_or("-".into(), |m| m.to_string()),
                code.map_or("no HIGHESTMODSEQ".to_string(), |c| format!(
                    "HIGHESTMODSEQ {c}"
                ))
            ),
            Verdict::Conforms,
        )
    };
    Ok(Finding {
        clause: "held-back-highestmodseq",
        value: value.map(String::from),
        observed,
        required: "a HIGHESTMODSEQ below a held-back expunge whenever a higher MODSEQ is shown",
        verdict,
        section: "RFC 7162 3.2",
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
    let rest_max = modseq_max(&rest).unwrap_or(0);
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
    let n = fetch_modseq(&next, 1).unwrap_or(0);
    c1.logout();
    let counter = hms > m4 && hms > rest_max && n > hms;
    let mut proof = evidence(1, &store);
    proof.extend(evidence(1, &rest));
    proof.extend(evidence(2, &status));
    proof.extend(evidence(1, &next));
    Ok(Finding {
        clause: "mailbox-highestmodseq",
        value: Some(if counter { "counter" } else { "max-message" }.into()),
        observed: format!(
            "after expunging UID 4 (changed at {m4}): HIGHESTMODSEQ {hms}, the messages left at most {rest_max}, the next STORE {n}"
        ),
        required: "HIGHESTMODSEQ counts expunges too and never goes down",
        verdict: if counter {
            Verdict::Conforms
        } else {
            Verdict::Breaks
        },
        section: "RFC 7162 3.2",
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
        evidence: resync
            .reply
            .lines()
            .filter(|l| l.vanished().is_some() || l.highest_modseq().is_some())
            .map(|l| format!("S2: {}", l.text))
            .collect(),
    })
}
