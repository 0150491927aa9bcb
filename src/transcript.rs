//! A path of actions as an IMAP transcript: `C1:` lines are what client 1 sent, `S1:` lines
//! what it read from the server, in the order it read them; `--` lines are notes that are not
//! on the wire. Ends with the state after the last step and one sentence on what diverged.

use std::fmt::Write;

use crate::imap::types::{ClientId, Flag, Uid};
use crate::imap::wire;
use crate::properties::{Property, is_synchronized};
use crate::server::{ExpungeCause, Expunged, Server};
use crate::system::{Action, Config, System};

/// The rendered transcript, and the state it ends in.
pub struct Transcript {
    pub text: String,
    pub last: System,
}

pub fn render(config: &Config, property: &Property, actions: &[Action]) -> Transcript {
    let mut state = System::initial(config);
    let mut text = String::new();
    // Per client: the line at which its stored resync point last changed.
    let mut point_sources: Vec<Option<String>> = vec![None; state.clients.len()];
    for &action in actions {
        match action {
            Action::Issue {
                client, request, ..
            } => {
                let held_back = held_back(&state.server, client);
                if !held_back.is_empty() {
                    writeln!(
                        text,
                        "-- not yet told to {client}: {}",
                        held_back.join("; ")
                    )
                    .unwrap();
                }
                for (tag, command) in state.clients[client.index()].commands(request) {
                    writeln!(text, "{client}: {}", wire::command(tag, &command)).unwrap();
                }
                let expunged_before = state.server.mailbox.expunged.len();
                state.apply(config, action);
                let closed: Vec<Uid> = state
                    .server
                    .mailbox
                    .expunged
                    .iter()
                    .filter(|(_, e)| e.by == client && e.cause == ExpungeCause::Close)
                    .map(|(uid, _)| *uid)
                    .collect();
                if state.server.mailbox.expunged.len() > expunged_before && !closed.is_empty() {
                    let modseq = state.server.mailbox.highest_modseq;
                    writeln!(
                        text,
                        "-- CLOSE expunges UID {} at MODSEQ {modseq}, with no untagged response (RFC 5162 section 3.4, RFC 7162 section 3.2.8)",
                        wire::uid_set(&closed)
                    )
                    .unwrap();
                }
            }
            Action::Read { client } => {
                let replica = &state.clients[client.index()];
                let point_before = replica.resync_point;
                let line = replica
                    .connection
                    .as_ref()
                    .and_then(|c| c.queue.front())
                    .map(wire::response)
                    .unwrap_or_default();
                state.apply(config, action);
                let server_label = format!("S{}", client.0 + 1);
                writeln!(text, "{server_label}: {line}").unwrap();
                let point = state.clients[client.index()].resync_point;
                if point != point_before {
                    writeln!(text, "-- {client} stores resync point {point}").unwrap();
                    point_sources[client.index()] = Some(line);
                }
            }
            Action::Drop { client } => {
                let unread = state.clients[client.index()]
                    .connection
                    .as_ref()
                    .map_or(0, |c| c.queue.len());
                writeln!(
                    text,
                    "-- {client}'s connection drops ({unread} unread line{} lost)",
                    if unread == 1 { "" } else { "s" }
                )
                .unwrap();
                state.apply(config, action);
            }
        }
    }
    text.push_str("-- state after the last step\n");
    describe_state(&mut text, &state);
    let why = explain(property, &state, &point_sources);
    writeln!(text, "-- {}: {why}", property.name).unwrap();
    Transcript { text, last: state }
}

fn held_back(server: &Server, client: ClientId) -> Vec<String> {
    let Some(session) = server.session(client) else {
        return Vec::new();
    };
    let mailbox = &server.mailbox;
    let mut out: Vec<String> = session
        .pending_flags
        .iter()
        .map(|(uid, since)| {
            let flags = mailbox.messages[uid].flags;
            format!("UID {uid}'s flags, now {flags}, changed at MODSEQ {since}")
        })
        .collect();
    out.extend(session.pending_expunges.iter().map(|uid| {
        let e = &mailbox.expunged[uid];
        format!("expunge of UID {uid} at MODSEQ {}", e.modseq)
    }));
    out
}

fn cause(e: &Expunged) -> String {
    let command = match e.cause {
        ExpungeCause::Expunge => "EXPUNGE",
        ExpungeCause::UidExpunge => "UID EXPUNGE",
        ExpungeCause::Close => "CLOSE",
    };
    format!("{}'s {command}", e.by)
}

fn describe_state(text: &mut String, state: &System) {
    let mailbox = &state.server.mailbox;
    let messages: Vec<String> = mailbox
        .messages
        .iter()
        .map(|(uid, m)| format!("UID {uid} {} MODSEQ {}", m.flags, m.modseq))
        .collect();
    writeln!(
        text,
        "--   mailbox: HIGHESTMODSEQ {}; {}",
        mailbox.highest_modseq,
        if messages.is_empty() {
            "no messages".to_string()
        } else {
            messages.join(", ")
        }
    )
    .unwrap();
    if !mailbox.expunged.is_empty() {
        let expunged: Vec<String> = mailbox
            .expunged
            .iter()
            .map(|(uid, e)| format!("UID {uid} at MODSEQ {} by {}", e.modseq, cause(e)))
            .collect();
        writeln!(text, "--   expunged: {}", expunged.join(", ")).unwrap();
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
                if !c.queue.is_empty() {
                    parts.push(format!("{} line(s) unread", c.queue.len()));
                }
                let held = held_back(&state.server, id);
                if !held.is_empty() {
                    parts.push(format!("server holds back {}", held.join("; ")));
                }
                parts.join(", ")
            }
        };
        writeln!(
            text,
            "--   {id} cache: {}; resync point {}; {connection}",
            if cache.is_empty() {
                "empty".to_string()
            } else {
                cache.join(", ")
            },
            client.resync_point
        )
        .unwrap();
    }
}

/// One sentence naming what diverged: which client, UID, flag, and which MODSEQ hid it.
fn explain(property: &Property, state: &System, point_sources: &[Option<String>]) -> String {
    let source = |c: ClientId| match &point_sources[c.index()] {
        Some(line) => format!(" (stored when it read `{line}`)"),
        None => " (its initial value)".to_string(),
    };
    let mailbox = &state.server.mailbox;
    for (i, client) in state.clients.iter().enumerate() {
        let id = ClientId(i as u8);
        let point = client.resync_point;
        // views-converge compares the whole cache of a synchronized client; resync-point-safe
        // only what the client's resync point covers.
        let whole = match property.name {
            "views-converge" if is_synchronized(state, id) => true,
            "resync-point-safe" => false,
            _ => continue,
        };
        let resynced = state.server.session(id).and_then(|s| s.resynced_from);
        // Expunged messages the client still caches.
        for uid in client.cache.keys() {
            let Some(e) = mailbox.expunged.get(uid) else {
                continue;
            };
            if whole || e.modseq <= point {
                let hidden = match resynced {
                    Some(since) if whole && since >= e.modseq => format!(
                        "; its QRESYNC SELECT from MODSEQ {since} sent no VANISHED for it, since the expunge's MODSEQ {} is not above {since}",
                        e.modseq
                    ),
                    _ => String::new(),
                };
                return format!(
                    "{id} still caches UID {uid}, which {} expunged at MODSEQ {}; {id}'s resync point is {point}{}{hidden}.",
                    cause(e),
                    e.modseq,
                    source(id)
                );
            }
        }
        for (uid, message) in &mailbox.messages {
            if !whole && message.modseq > point {
                continue;
            }
            match client.cache.get(uid) {
                None => {
                    return format!(
                        "{id} does not cache UID {uid}, which is in the mailbox with flags {} at MODSEQ {}; {id}'s resync point is {point}{}.",
                        message.flags,
                        message.modseq,
                        source(id)
                    );
                }
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
                    return format!(
                        "{id} caches UID {uid} {cached} {flag}, but the mailbox has it {actual} {flag} since MODSEQ {}; {id}'s resync point is {point}{}.",
                        message.modseq,
                        source(id)
                    );
                }
                Some(_) => {}
            }
        }
    }
    "no divergence found in the last state (a renderer bug: please report it).".to_string()
}
