//! The state after a trace's last step, in words: each client's cache, resync point and
//! connection, what the server holds back from it, what it has not read yet, and the
//! mailbox.

use crate::imap::types::ClientId;
use crate::imap::wire;
use crate::properties::client_count_agrees;
use crate::server::{Server, UID_VALIDITY};
use crate::system::System;

pub(super) fn held_back(server: &Server, client: ClientId) -> Vec<String> {
    let Some(session) = server.session(client) else {
        return Vec::new();
    };
    let mailbox = &server.mailbox;
    let mut out: Vec<String> = session
        .pending_flags
        .iter()
        .map(|(uid, since)| {
            let message = &mailbox.messages[uid];
            let (flags, last) = (message.flags, message.modseq);
            if last == *since {
                format!("UID {uid}'s flags, now {flags}, changed at MODSEQ {since}")
            } else {
                format!(
                    "UID {uid}'s flags, now {flags}, held back since MODSEQ {since}, last \
                     changed at MODSEQ {last}"
                )
            }
        })
        .collect();
    out.extend(session.lost_flags.iter().map(|(uid, since)| {
        format!("UID {uid}'s flag change at MODSEQ {since}, dropped: never sent in this session")
    }));
    out.extend(session.pending_expunges.iter().map(|uid| {
        let e = &mailbox.expunged[&uid];
        format!("expunge of UID {uid} at MODSEQ {}", e.modseq)
    }));
    out.extend(
        session
            .pending_arrivals
            .iter()
            .map(|uid| format!("arrival of UID {uid} (EXISTS)")),
    );
    out.extend(session.unannounced_expunges.iter().map(|uid| {
        let e = &mailbox.expunged[&uid];
        format!(
            "expunge of UID {uid} at MODSEQ {}, a message never announced to it",
            e.modseq
        )
    }));
    out
}

/// The state block's lines: mailbox, expunge log, each client's cache, resync point,
/// connection and what it has not read.
pub fn describe_state(state: &System) -> Vec<String> {
    let mailbox = &state.server.mailbox;
    let messages: Vec<String> = mailbox
        .messages
        .iter()
        .map(|(uid, m)| format!("UID {uid} {} MODSEQ {}", m.flags, m.modseq))
        .collect();
    // UIDVALIDITY only once the server has changed it (`uidvalidity-change=renumber`).
    let renumbered = mailbox.uid_validity != UID_VALIDITY;
    let validity = |v: u32| match renumbered {
        true => format!(" (UIDVALIDITY {v})"),
        false => String::new(),
    };
    let mut lines = vec![format!(
        "mailbox{}: HIGHESTMODSEQ {}; {}",
        validity(mailbox.uid_validity),
        mailbox.highest_modseq,
        if messages.is_empty() {
            "no messages".to_string()
        } else {
            messages.join(", ")
        }
    )];
    if !mailbox.expunged.is_empty() {
        let expunged: Vec<String> = mailbox
            .expunged
            .iter()
            .map(|(uid, e)| format!("UID {uid} at MODSEQ {} by {}", e.modseq, e.cause_text()))
            .collect();
        lines.push(format!("expunged: {}", expunged.join(", ")));
    }
    for (i, client) in state.clients.iter().enumerate() {
        let id = ClientId(i as u8);
        let cache: Vec<String> = client
            .cache
            .iter()
            .map(|(uid, flags)| format!("UID {uid} {flags}"))
            .collect();
        let connection = match &client.connection {
            None => "disconnected".to_string(),
            Some(c) => {
                let mut parts = vec![
                    if c.selected {
                        "selected"
                    } else {
                        "not selected"
                    }
                    .to_string(),
                ];
                if !c.awaiting.is_empty() {
                    parts.push(format!("{} command(s) in flight", c.awaiting.len()));
                }
                if !client_count_agrees(state, id) {
                    parts.push(format!(
                        "counts {} messages where its session numbers {}",
                        c.exists,
                        state.server.view(id).len()
                    ));
                }
                let held = held_back(&state.server, id);
                if !held.is_empty() {
                    parts.push(format!("server holds back {}", held.join("; ")));
                }
                parts.join(", ")
            }
        };
        lines.push(format!(
            "{id} cache{}: {}; resync point {}; {connection}",
            validity(client.uid_validity),
            if cache.is_empty() {
                "empty".to_string()
            } else {
                cache.join(", ")
            },
            client.resync_point
        ));
        // What the server has sent and the client not read yet: part of the story when the
        // trace stops mid-response.
        let unread: Vec<String> = client
            .connection
            .iter()
            .flat_map(|c| c.queue.iter())
            .map(|line| format!("`{}`", wire::response(line)))
            .collect();
        if !unread.is_empty() {
            lines.push(format!("{id} has not read yet: {}", unread.join(", ")));
        }
    }
    lines
}
