//! What the front end answers from the model's mailbox itself: FETCH where the model has no
//! such command (bodies, arbitrary sets) and STATUS. None of these changes what the
//! model tracks, apart from one thing: flags a FETCH shows are no longer held back from the
//! session.

use imap_codec::imap_types::command::FetchModifier;
use imap_codec::imap_types::fetch::{Macro, MacroOrMessageDataItemNames, MessageDataItemName};
use imap_codec::imap_types::mailbox::Mailbox as WireMailbox;
use imap_codec::imap_types::sequence::{SeqOrUid, Sequence, SequenceSet};
use imap_codec::imap_types::status::StatusDataItemName;
use std::num::NonZeroU32;

use super::served::{Front, REAL};
use super::transcript::render;
use crate::imap::command::Command;
use crate::imap::types::{Flag, ModSeq, Uid};

/// The numbers of 1..=`upto` that `set` names, ascending, `*` standing for `largest` (RFC
/// 3501 section 9, `seq-number`). It walks 1..=`upto`, never the set, whose
/// `1:4294967295` would take billions of steps.
pub fn members(set: &SequenceSet, largest: u32, upto: u32) -> Vec<u32> {
    let ranges = spans(set, largest);
    (1..=upto)
        .filter(|n| ranges.iter().any(|(low, high)| low <= n && n <= high))
        .collect()
}

/// The highest number `set` names, `*` standing for `largest`.
pub fn highest(set: &SequenceSet, largest: u32) -> u32 {
    let spans = spans(set, largest);
    spans.iter().map(|(_, high)| *high).max().unwrap_or(0)
}

/// Each sequence of `set` as its lowest and highest number, `*` standing for `largest`.
fn spans(set: &SequenceSet, largest: u32) -> Vec<(u32, u32)> {
    let value = |x: &SeqOrUid| match x {
        SeqOrUid::Value(n) => n.get(),
        SeqOrUid::Asterisk => largest,
    };
    let each = set.0.as_ref().iter().map(|s| match s {
        Sequence::Single(x) => (value(x), value(x)),
        Sequence::Range(a, b) => (value(a).min(value(b)), value(a).max(value(b))),
    });
    each.collect()
}

/// The UIDs the mailbox assigned that a UID set names, `*` as the `uid-star` clause says:
/// a UID never assigned names no message (RFC 3501 section 6.4.8).
pub fn uids(front: &Front, set: &SequenceSet) -> Vec<Uid> {
    let server = &front.system.server;
    let star = server.star(&front.config.spec);
    let assigned = server.mailbox.uid_next.0 - 1;
    members(set, star.0, assigned)
        .into_iter()
        .map(Uid)
        .collect()
}

/// The messages of the session's view a FETCH or STORE names, each as its sequence number
/// and UID, ascending; None if a sequence set names a number past the view.
pub fn named(front: &Front, set: &SequenceSet, uid: bool) -> Option<Vec<(u32, Uid)>> {
    let view = front.system.server.view(REAL);
    let numbered = view.iter().enumerate().map(|(i, u)| (i as u32 + 1, *u));
    if uid {
        let uids = uids(front, set);
        return Some(numbered.filter(|(_, u)| uids.contains(u)).collect());
    }
    let count = view.len() as u32;
    if highest(set, count) > count {
        return None;
    }
    let seqs = members(set, count, count);
    Some(numbered.filter(|(s, _)| seqs.contains(s)).collect())
}

/// Whether `set` is exactly `1:*`.
pub fn is_one_to_star(set: &SequenceSet) -> bool {
    let one = NonZeroU32::new(1).expect("1");
    matches!(
        set.0.as_ref(),
        [Sequence::Range(SeqOrUid::Value(a), SeqOrUid::Asterisk)] if *a == one
    )
}

/// Whether `set` names `*` anywhere.
pub fn has_star(set: &SequenceSet) -> bool {
    set.0.as_ref().iter().any(|s| match s {
        Sequence::Single(x) => *x == SeqOrUid::Asterisk,
        Sequence::Range(a, b) => *a == SeqOrUid::Asterisk || *b == SeqOrUid::Asterisk,
    })
}

/// `n:*`'s n, if `set` is that.
fn from_to_star(set: &SequenceSet) -> Option<u32> {
    match set.0.as_ref() {
        [Sequence::Range(SeqOrUid::Value(a), SeqOrUid::Asterisk)] => Some(a.get()),
        _ => None,
    }
}

/// The one message served for each UID: a small RFC 5322 message whose Message-ID names
/// the UIDVALIDITY and the UID, so a client's copies can be matched to the model's.
pub fn message(uid_validity: u32, uid: Uid) -> String {
    format!(
        "Message-ID: <{uid_validity}.{uid}@resync-check.invalid>\r\n\
         From: resync-check <serve@resync-check.invalid>\r\n\
         Subject: message {uid}\r\n\
         Date: Mon, 07 Dec 2026 00:00:00 +0000\r\n\
         \r\n\
         Message {uid} of the served mailbox.\r\n"
    )
}

/// The FETCH items served.
#[derive(Clone, Copy, Default)]
struct Items {
    /// Any item beyond UID, FLAGS and MODSEQ.
    data: bool,
    internal_date: bool,
    size: bool,
    body: bool,
}

fn items(names: &MacroOrMessageDataItemNames) -> Result<Items, String> {
    let mut items = Items::default();
    let names: Vec<MessageDataItemName> = match names {
        MacroOrMessageDataItemNames::Macro(Macro::Fast) => vec![
            MessageDataItemName::Flags,
            MessageDataItemName::InternalDate,
            MessageDataItemName::Rfc822Size,
        ],
        MacroOrMessageDataItemNames::Macro(m) => {
            return Err(format!("FETCH {m:?} is not served (ENVELOPE is not)"));
        }
        MacroOrMessageDataItemNames::MessageDataItemNames(names) => names.clone(),
    };
    for name in &names {
        match name {
            MessageDataItemName::Uid | MessageDataItemName::Flags | MessageDataItemName::ModSeq => {
            }
            MessageDataItemName::InternalDate => items.internal_date = true,
            MessageDataItemName::Rfc822Size => items.size = true,
            // BODY.PEEK[] only: BODY[] sets \Seen (RFC 3501 section 6.4.5), a change the
            // front end would make behind the model's back.
            MessageDataItemName::BodyExt {
                section: None,
                partial: None,
                peek: true,
            } => items.body = true,
            other => return Err(format!("FETCH item {other:?} is not served")),
        }
    }
    items.data = items.internal_date || items.size || items.body;
    Ok(items)
}

/// FETCH and UID FETCH. The model's own commands where it has them: `UID FETCH set (FLAGS)
/// (CHANGEDSINCE m VANISHED)`, `UID FETCH 1:* (FLAGS) (CHANGEDSINCE m)` and `UID FETCH n:*
/// (FLAGS)`; otherwise each message of the set the session can name that is still in the
/// mailbox, with UID, MODSEQ and FLAGS (RFC 7162 section 3.1.4.1: every FETCH carries MODSEQ
/// once CONDSTORE is enabled) and the items asked.
pub fn fetch(
    front: &mut Front,
    tag: &str,
    set: &SequenceSet,
    names: &MacroOrMessageDataItemNames,
    uid: bool,
    modifiers: &[FetchModifier],
) -> Result<Vec<String>, String> {
    let bad = |text: String| Ok(vec![format!("{tag} BAD {text}")]);
    let items = match items(names) {
        Ok(items) => items,
        Err(text) => return bad(text),
    };
    let mut since = None;
    let mut vanished = false;
    for modifier in modifiers {
        match modifier {
            FetchModifier::ChangedSince(m) => since = Some(ModSeq(m.get())),
            FetchModifier::Vanished => vanished = true,
        }
    }
    let Some(session) = front.system.server.session(REAL).filter(|s| s.selected) else {
        return bad("No mailbox selected".into());
    };
    if vanished && (since.is_none() || !uid || !session.qresync) {
        // RFC 7162 section 3.2.6: VANISHED only in a UID FETCH with CHANGEDSINCE, after
        // ENABLE QRESYNC.
        return bad("VANISHED needs UID FETCH, CHANGEDSINCE and ENABLE QRESYNC".into());
    }
    let model = match (uid && !items.data, since) {
        (true, Some(since)) if vanished => Some(Command::UidFetchVanished {
            uids: match is_one_to_star(set) {
                true => Vec::new(),
                false => uids(front, set),
            },
            star: is_one_to_star(set),
            since,
        }),
        (true, Some(since)) if is_one_to_star(set) => {
            Some(Command::UidFetchChangedSince { since, upto: None })
        }
        (true, None) => from_to_star(set).map(|from| Command::UidFetchNew { from: Uid(from) }),
        _ => None,
    };
    if let Some(command) = model {
        return Ok(render(&front.run(&command)?, tag));
    }
    let Some(chosen) = named(front, set, uid) else {
        return bad("Invalid message sequence number".into());
    };
    let mailbox = &front.system.server.mailbox;
    let uid_validity = mailbox.uid_validity;
    let mut lines = Vec::new();
    let mut shown = Vec::new();
    for (seq, uid) in chosen {
        // A message whose expunge is held back from the session: no data (RFC 2180
        // section 4.1.3 lets the server send none).
        let Some(m) = mailbox.messages.get(&uid) else {
            continue;
        };
        if since.is_some_and(|since| m.modseq <= since) {
            continue;
        }
        let mut line = format!(
            "* {seq} FETCH (UID {uid} MODSEQ ({}) FLAGS {}",
            m.modseq, m.flags
        );
        if items.internal_date {
            line.push_str(" INTERNALDATE \"07-Dec-2026 00:00:00 +0000\"");
        }
        let text = message(uid_validity, uid);
        if items.size {
            line.push_str(&format!(" RFC822.SIZE {}", text.len()));
        }
        if items.body {
            line.push_str(&format!(" BODY[] {{{}}}\r\n{text}", text.len()));
        }
        line.push(')');
        lines.push(line);
        shown.push(uid);
    }
    // The session has now been told these messages' flags.
    if let Some(session) = front.system.server_mut().sessions[REAL.index()].as_mut() {
        for uid in shown {
            session.told_flags(uid);
        }
    }
    lines.push(format!("{tag} OK FETCH completed"));
    Ok(lines)
}

/// STATUS INBOX (RFC 3501 section 6.3.10; HIGHESTMODSEQ, RFC 7162 section 3.1.7).
pub fn status(
    front: &Front,
    tag: &str,
    mailbox: &WireMailbox,
    names: &[StatusDataItemName],
) -> Vec<String> {
    if *mailbox != WireMailbox::Inbox {
        return vec![format!("{tag} NO only INBOX is served")];
    }
    let mailbox = &front.system.server.mailbox;
    let count = |f: &dyn Fn(&crate::server::Message) -> bool| {
        mailbox.messages.values().filter(|m| f(m)).count()
    };
    let mut items = Vec::new();
    for name in names {
        items.push(match name {
            StatusDataItemName::Messages => format!("MESSAGES {}", mailbox.messages.len()),
            StatusDataItemName::Recent => "RECENT 0".to_string(),
            StatusDataItemName::UidNext => format!("UIDNEXT {}", mailbox.uid_next),
            StatusDataItemName::UidValidity => format!("UIDVALIDITY {}", mailbox.uid_validity),
            StatusDataItemName::Unseen => {
                format!("UNSEEN {}", count(&|m| !m.flags.contains(Flag::Seen)))
            }
            StatusDataItemName::Deleted => {
                format!("DELETED {}", count(&|m| m.flags.contains(Flag::Deleted)))
            }
            StatusDataItemName::HighestModSeq => {
                format!("HIGHESTMODSEQ {}", mailbox.highest_modseq)
            }
            other => return vec![format!("{tag} BAD STATUS {other:?} is not served")],
        });
    }
    vec![
        format!("* STATUS INBOX ({})", items.join(" ")),
        format!("{tag} OK STATUS completed"),
    ]
}
