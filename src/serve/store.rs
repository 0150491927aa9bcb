//! STORE and UID STORE, run as the model's one-message, one-flag STOREs: a STORE of k
//! messages and f flags is k x f model STOREs, each answered as the chooser picks, their
//! untagged lines sent in order and one tagged response at the end. A HIGHESTMODSEQ code one
//! of them put on its tagged OK goes out as `* OK [HIGHESTMODSEQ n]` (RFC 7162 section
//! 3.1.2.1 allows it untagged), so no code the model sends is lost. UNCHANGEDSINCE (RFC 7162
//! section 3.1.3) is judged here, on the model's mod-sequences, before any change.

use imap_codec::imap_types::command::StoreModifier;
use imap_codec::imap_types::flag::{Flag as WireFlag, StoreResponse, StoreType};
use imap_codec::imap_types::sequence::SequenceSet;

use super::data::named;
use super::served::{Front, REAL};
use super::transcript::render;
use crate::imap::command::{Command, StoreOp, Target};
use crate::imap::response::{Code, Response, Status};
use crate::imap::types::{Flag, ModSeq, Uid};
use crate::imap::wire;

pub struct Store<'a, 'b> {
    pub set: &'a SequenceSet,
    pub kind: StoreType,
    pub response: StoreResponse,
    pub flags: &'a [WireFlag<'b>],
    pub uid: bool,
    pub modifiers: &'a [StoreModifier],
}

pub fn store(front: &mut Front, tag: &str, store: Store) -> Result<Vec<String>, String> {
    let mut flags = Vec::new();
    for flag in store.flags {
        match flag {
            WireFlag::Seen => flags.push(Flag::Seen),
            WireFlag::Deleted => flags.push(Flag::Deleted),
            other => {
                return Ok(vec![format!(
                    "{tag} NO only \\Seen and \\Deleted are served, not {other}"
                )]);
            }
        }
    }
    let ops: Vec<(StoreOp, Flag)> = match store.kind {
        StoreType::Add => flags.iter().map(|f| (StoreOp::Add, *f)).collect(),
        StoreType::Remove => flags.iter().map(|f| (StoreOp::Remove, *f)).collect(),
        StoreType::Replace => Flag::ALL
            .iter()
            .map(|f| match flags.contains(f) {
                true => (StoreOp::Add, *f),
                false => (StoreOp::Remove, *f),
            })
            .collect(),
    };
    let mut unchanged_since = store.modifiers.iter().map(|m| match m {
        StoreModifier::UnchangedSince(m) => ModSeq(*m),
    });
    let unchanged_since = unchanged_since.next_back();
    let Some(_) = front.system.server.session(REAL).filter(|s| s.selected) else {
        return Ok(vec![format!("{tag} BAD No mailbox selected")]);
    };
    let Some(named) = named(front, store.set, store.uid) else {
        return Ok(vec![format!("{tag} BAD Invalid message sequence number")]);
    };
    let target = |(seq, uid)| match store.uid {
        true => (Target::Uid(uid), uid),
        false => (Target::Seq(seq), uid),
    };
    let targets: Vec<(Target, Uid)> = named.into_iter().map(target).collect();
    let mut lines: Vec<Response> = Vec::new();
    let mut modified = Vec::new();
    let mut last: Option<Response> = None;
    for (target, uid) in targets {
        if let Some(since) = unchanged_since {
            let mailbox = &front.system.server.mailbox;
            let modseq = mailbox.messages.get(&uid).map(|m| m.modseq);
            let modseq = modseq.or_else(|| mailbox.expunged.get(&uid).map(|e| e.modseq));
            if modseq.is_some_and(|m| m > since) {
                modified.push(match target {
                    Target::Seq(n) => Uid(n),
                    Target::Uid(uid) => uid,
                });
                continue;
            }
        }
        for &(op, flag) in &ops {
            let answer = front.run(&Command::Store { target, op, flag })?;
            for line in answer {
                // An inner STORE's tagged OK: its code goes out where it stood.
                if let Some(m) = last.take().and_then(|l| l.highest_modseq_code()) {
                    lines.push(Response::HighestModSeq(m));
                }
                match line {
                    Response::Tagged { .. } => last = Some(line),
                    other => lines.push(other),
                }
            }
        }
    }
    if store.response == StoreResponse::Answer {
        // Not .SILENT: each FETCH the STORE sent for its own message carries FLAGS too (RFC
        // 3501 section 6.4.6).
        let mailbox = &front.system.server.mailbox;
        for line in &mut lines {
            if let Response::Fetch { uid, flags, .. } = line
                && flags.is_none()
            {
                *flags = mailbox.messages.get(uid).map(|m| m.flags);
            }
        }
    }
    let mut out = render(&lines, tag);
    let last = last.unwrap_or(Response::Tagged {
        tag: crate::imap::types::Tag(0),
        status: Status::Ok,
        code: None,
        text: "STORE completed",
    });
    let mut closing = render(std::slice::from_ref(&last), tag).remove(0);
    if !modified.is_empty() {
        // RFC 7162 section 3.1.3: the UIDs (or numbers) whose UNCHANGEDSINCE failed.
        let Response::Tagged { status, code, .. } = last else {
            unreachable!("the last answer is tagged");
        };
        if let Some(Code::HighestModSeq(m)) = code {
            out.push(format!("* OK [HIGHESTMODSEQ {m}] Highest"));
        }
        let status = match status {
            Status::Ok => "OK",
            Status::No => "NO",
            Status::Bad => "BAD",
        };
        closing = format!(
            "{tag} {status} [MODIFIED {}] Conditional STORE failed",
            wire::uid_set(&modified)
        );
    }
    out.push(closing);
    Ok(out)
}
