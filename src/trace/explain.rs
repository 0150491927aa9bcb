//! The one sentence that ends a transcript: which client diverged, on which UID or flag,
//! and which MODSEQ hid it; or, for a server fault, what the server sent that it must not.

use crate::imap::types::{ClientId, Flag, Uid};
use crate::imap::wire;
use crate::properties::{Property, client_count_agrees, counts_differ, is_synchronized};
use crate::server::{Misnumbered, Regression};
use crate::system::System;

use super::state::cause;

/// One sentence naming what diverged: which client, UID, flag, and which MODSEQ hid it.
pub(super) fn explain(
    property: &Property,
    state: &System,
    point_sources: &[Option<String>],
) -> (Option<ClientId>, String) {
    if let (Some(u), "announced-highestmodseq-covered") = (&state.server.uncovered, property.name) {
        let sentence = format!(
            "the server sent {} HIGHESTMODSEQ {} while it held back from that session a change \
             at MODSEQ {}: a client that stores the value can never learn of that change.",
            u.client, u.announced, u.held_back
        );
        return (Some(u.client), sentence);
    }
    if let (Some(u), "computed-highestmodseq-covered") =
        (&state.server.computed_uncovered, property.name)
    {
        let sentence = format!(
            "the server sent {} a tagged response with no HIGHESTMODSEQ code after a MODSEQ \
             {} while it held back from that session a change at MODSEQ {}: a client that \
             stores the highest MODSEQ it read there (RFC 7162 section 6) can never learn of \
             that change.",
            u.client, u.announced, u.held_back
        );
        return (Some(u.client), sentence);
    }
    if let (
        Some(Misnumbered::FetchBeyondCount { client, seq, count }),
        "sequence-numbers-as-told",
    ) = (&state.server.misnumbered, property.name)
    {
        let sentence = format!(
            "the server sent {client} a FETCH for message {seq} while it had told {client} of \
             {count} message(s): a client that numbers messages as it was told (RFC 3501 \
             section 2.3.1.2) cannot place the line (Trojita: \"UnknownMessageIndex: Got \
             FETCH that is out of bounds\")."
        );
        return (Some(*client), sentence);
    }
    if let (
        Some(Misnumbered::StoreMisread {
            client,
            seq,
            named,
            read,
        }),
        "sequence-numbers-as-told",
    ) = (&state.server.misnumbered, property.name)
    {
        let uid = |u: &Option<Uid>| match u {
            Some(u) => format!("UID {u}"),
            None => "no message".to_string(),
        };
        let sentence = format!(
            "{client} sent STORE {seq}, which names {} in its session, and the server read it \
             as {}, numbering as if an expunge it had not told {client} of were reported \
             (RFC 3501 section 7.4.1): the client's flag change goes to another message.",
            uid(named),
            uid(read)
        );
        return (Some(*client), sentence);
    }
    match (
        property.name,
        &state.server.regressed,
        &state.server.unannounced,
    ) {
        ("highestmodseq-monotonic", Some(Regression::Restarted { from }), _) => {
            let sentence = format!(
                "the server's restart lowered the mailbox's HIGHESTMODSEQ from {from} to 1 with \
                 the UIDVALIDITY unchanged: the next change gets MODSEQ 2, a value clients may \
                 already have stored."
            );
            return (None, sentence);
        }
        ("highestmodseq-monotonic", Some(Regression::Decreased { by, from, to }), _) => {
            let who = match by {
                Some(client) => format!("{client}'s expunge"),
                None => "the other agent's UID MOVE".to_string(),
            };
            let sentence = format!(
                "{who} lowered the mailbox's HIGHESTMODSEQ from {from} to {to}: the next change \
                 gets MODSEQ {}, a value clients may already have stored.",
                to.0 + 1
            );
            return (by.to_owned(), sentence);
        }
        (
            "highestmodseq-monotonic",
            Some(Regression::Reused {
                modseq,
                uid,
                expunged_at,
            }),
            _,
        ) => {
            let sentence = format!(
                "a change got MODSEQ {modseq}, though the expunge of UID {uid} was logged at \
                 MODSEQ {expunged_at}: a client that stores {modseq} can never learn of that \
                 expunge."
            );
            return (None, sentence);
        }
        ("vanished-only-known-uids", _, Some(u)) => {
            let sentence = format!(
                "the server named UID {} in a VANISHED to {}, which had never been told of it by \
                 EXISTS: the client lowers its message count for a message it never counted.",
                u.uid, u.client
            );
            return (Some(u.client), sentence);
        }
        _ => {}
    }
    if property.name == "message-count-agrees" {
        for (i, client) in state.clients.iter().enumerate() {
            let id = ClientId(i as u8);
            let Some(connection) = &client.connection else {
                continue;
            };
            let numbered = state.server.view(id);
            if !client_count_agrees(state, id) {
                let sentence = format!(
                    "{id} counts {} messages, but its session numbers {} ({}): from here on the \
                     two sides mean different messages by the same sequence number.",
                    connection.exists,
                    numbered.len(),
                    if numbered.is_empty() {
                        "none".to_string()
                    } else {
                        format!("UID {}", wire::uid_set(&numbered))
                    }
                );
                return (Some(id), sentence);
            }
        }
    }
    let mailbox = &state.server.mailbox;
    for (i, client) in state.clients.iter().enumerate() {
        let id = ClientId(i as u8);
        let point = client.resync_point;
        // views-converge compares the whole cache of a synchronized client; resync-point-safe
        // only what the client's resync point covers.
        let whole = match property.name {
            "views-converge" if is_synchronized(state, id) => true,
            // Only a client whose own count would not show it.
            "divergence-detectable" if is_synchronized(state, id) && !counts_differ(state, id) => {
                true
            }
            "resync-point-safe" => false,
            _ => continue,
        };
        // Only a QRESYNC SELECT's starting point explains a missing VANISHED.
        let resynced = state
            .server
            .session(id)
            .filter(|s| s.qresync)
            .and_then(|s| s.resynced_from);
        let mut found: Vec<String> = Vec::new();
        // Expunged messages the client still caches.
        for uid in client.cache.keys() {
            let Some(e) = mailbox.expunged.get(uid) else {
                // Under a new UIDVALIDITY the expunge history of the old UIDs is gone.
                if whole && !mailbox.messages.contains_key(uid) {
                    found.push(format!(
                        "{id} still caches UID {uid}, which the mailbox does not have under \
                         UIDVALIDITY {}",
                        mailbox.uid_validity
                    ));
                }
                continue;
            };
            if whole || e.modseq <= point {
                let hidden = match resynced {
                    Some(since) if whole && since >= e.modseq => format!(
                        ", and its QRESYNC SELECT from MODSEQ {since} sent no VANISHED for it, as the expunge's MODSEQ {} is not above {since}",
                        e.modseq
                    ),
                    _ => String::new(),
                };
                found.push(format!(
                    "{id} still caches UID {uid}, which {} expunged at MODSEQ {}{hidden}",
                    cause(e),
                    e.modseq,
                ));
            }
        }
        for (uid, message) in &mailbox.messages {
            if !whole && (message.modseq > point || *uid >= client.uid_next) {
                continue;
            }
            match client.cache.get(uid) {
                None => found.push(format!(
                    "{id} does not cache UID {uid}, which is in the mailbox with flags {} at MODSEQ {}",
                    message.flags, message.modseq,
                )),
                Some(flags) if *flags != message.flags => {
                    let flag = Flag::ALL
                        .into_iter()
                        .find(|f| flags.contains(*f) != message.flags.contains(*f))
                        .expect("flag sets differ");
                    let (cached, actual) = if flags.contains(flag) {
                        ("with", "without")
                    } else {
                        ("without", "with")
                    };
                    found.push(format!(
                        "{id} caches UID {uid} {cached} {flag}, but the mailbox has it {actual} {flag}, last changed at MODSEQ {}",
                        message.modseq,
                    ));
                }
                Some(_) => {}
            }
        }
        if !found.is_empty() {
            let source = match &point_sources[id.index()] {
                Some(line) => format!("stored when it read `{line}`"),
                None => "its initial value".to_string(),
            };
            let sentence = format!(
                "{}; {id}'s resync point is {point} ({source}).",
                found.join("; ")
            );
            return (Some(id), sentence);
        }
    }
    let none = "no divergence found in the last state (a renderer bug: please report it).";
    (None, none.to_string())
}
