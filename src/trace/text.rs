//! A trace as text: `C1:` lines are what client 1 sent, `S1:` lines what it read from the
//! server, in the order it read them; `--` lines are notes that are not on the wire. Ends
//! with the state after the last step, one sentence on what diverged, the clauses it depends
//! on, and the command that reproduces it.

use std::fmt::Write;

use crate::imap::types::{ClientId, ModSeq, Uid};
use crate::imap::wire;
use crate::properties::Property;
use crate::server::ExpungeCause;
use crate::system::{Action, Config, System};

use super::Trace;
use super::blame;
use super::explain::explain;
use super::replay::Replayed;
pub use super::state::describe_state;
use super::state::held_back;
pub use super::words::count;

/// The model a trace or a check ran on: name, edition, bounds, and every clause with its
/// source.
pub fn header(name: &str, edition: &str, config: &Config) -> String {
    let mut out = String::new();
    writeln!(
        out,
        "model {name}: edition {edition}, {}, {}, {} per client",
        count(config.clients, "client"),
        count(config.messages, "message"),
        count(config.commands, "command")
    )
    .unwrap();
    for (clause, value) in config.spec.shown_values() {
        let source = config.spec.source(clause).unwrap_or_default();
        writeln!(out, "  {clause}={value}  [{source}]").unwrap();
    }
    out
}

/// The whole trace as text: header, then [`body`].
pub fn render(trace: &Trace, replayed: &Replayed) -> String {
    let mut out = header(&trace.model.name, &trace.model.edition, &replayed.config);
    out.push('\n');
    out.push_str(&body(trace, replayed));
    out
}

/// The property, the transcript, what diverged, the responsible clauses, how to reproduce.
pub fn body(trace: &Trace, replayed: &Replayed) -> String {
    let property = replayed.property;
    let mut out = String::new();
    writeln!(out, "-- {}: {}", property.name, property.summary).unwrap();
    writeln!(out, "-- source: {}", property.section).unwrap();
    out.push_str(&transcript(&replayed.config, property, &replayed.actions).text);
    let responsible = blame::avoiding_changes(&replayed.config, property, &replayed.actions);
    writeln!(
        out,
        "-- responsible: {}.",
        blame::sentence(property.name, &responsible)
    )
    .unwrap();
    writeln!(out, "-- reproduce: {}", trace.reproduce).unwrap();
    out
}

/// One line of a transcript.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A command line the client sends.
    Send { client: ClientId, line: String },
    /// A response line the client reads.
    Read { client: ClientId, line: String },
    /// A note about a client, not on the wire.
    Note { client: ClientId, text: String },
    /// The client's connection drops.
    Drop { client: ClientId, text: String },
    /// The other agent appends or moves away a message: a note at the server.
    Agent { text: String },
}

/// A path as transcript events, the state after its last step, and what diverged.
pub struct Transcript {
    pub events: Vec<Event>,
    /// The state after the last step, one line per part (mailbox, expunge log, clients).
    pub state: Vec<String>,
    /// One sentence naming what diverged: which client, UID, flag, and which MODSEQ hid it.
    pub divergence: String,
    /// The client whose cache diverged.
    pub diverged: Option<ClientId>,
    /// For `views-converge` and `divergence-detectable`: whether the diverged client's own
    /// count would show it (`properties::divergence_detectable`), as one sentence.
    pub detectability: Option<String>,
    pub last: System,
    /// The events, the state and the divergence as text lines.
    pub text: String,
}

/// What no transcript shows, said once at its top.
pub const LEFT_OUT: &str = "not shown: each new connection's greeting and LOGIN, which come \
                            before its ENABLE (RFC 5161 section 3.1), and the FLAGS, \
                            PERMANENTFLAGS and RECENT lines of a SELECT answer (RFC 3501 \
                            section 6.3.1); the model tracks none of them";

/// What no transcript of a CONDSTORE-only client (`client-sync=condstore*`) shows: it sends
/// no ENABLE.
pub const LEFT_OUT_CONDSTORE: &str = "not shown: each new connection's greeting and LOGIN, \
                                      which come before its SELECT (RFC 3501 section 6.3: \
                                      a command of the authenticated state), and the FLAGS, \
                                      PERMANENTFLAGS and RECENT lines of a SELECT answer (RFC \
                                      3501 section 6.3.1); the model tracks none of them";

/// The wire lines and notes of `actions`, the state after the last step, and what diverged.
pub fn transcript(config: &Config, property: &Property, actions: &[Action]) -> Transcript {
    let (events, state, point_sources) = events(config, actions);
    let state_lines = describe_state(&state);
    let (diverged, divergence) = explain(property, &state, &point_sources);
    let mut text = events_text(&events, &config.spec);
    text.push_str("-- state after the last step\n");
    for line in &state_lines {
        writeln!(text, "--   {line}").unwrap();
    }
    writeln!(text, "-- {}: {divergence}", property.name).unwrap();
    let detectability = super::detectability::sentence(property, &state, diverged);
    if let Some(sentence) = &detectability {
        writeln!(text, "-- {sentence}").unwrap();
    }
    Transcript {
        events,
        state: state_lines,
        divergence,
        diverged,
        detectability,
        last: state,
        text,
    }
}

/// A model file's script as a transcript, with the state after its last step: how the
/// RFC's examples read in the model.
pub fn script(name: &str, edition: &str, config: &Config, actions: &[Action]) -> String {
    let mut out = header(name, edition, config);
    out.push('\n');
    let (events, state, _) = events(config, actions);
    out.push_str(&events_text(&events, &config.spec));
    out.push_str("-- state after the last step\n");
    for line in describe_state(&state) {
        writeln!(out, "--   {line}").unwrap();
    }
    out
}

fn events_text(events: &[Event], spec: &crate::spec::Spec) -> String {
    let left_out = match spec.client_sync.condstore_only() {
        true => LEFT_OUT_CONDSTORE,
        false => LEFT_OUT,
    };
    let mut text = format!("-- {left_out}\n");
    for event in events {
        writeln!(text, "{}", line(event)).unwrap();
    }
    text
}

/// One event as its transcript line: `C1: ...` sent, `S1: ...` read, `-- ...` a note.
pub fn line(event: &Event) -> String {
    match event {
        Event::Send { client, line } => format!("{client}: {line}"),
        Event::Read { client, line } => format!("S{}: {line}", client.0 + 1),
        Event::Note { text: note, .. }
        | Event::Drop { text: note, .. }
        | Event::Agent { text: note } => format!("-- {note}"),
    }
}

/// The events of `actions`, the state after the last, and per client the line at which its
/// stored resync point last changed.
fn events(config: &Config, actions: &[Action]) -> (Vec<Event>, System, Vec<Option<String>>) {
    events_from(config, System::initial(config), actions)
}

/// [`events`] from any state: the Explorer renders one step, or a path from a model file's
/// scripted start.
pub fn events_from(
    config: &Config,
    start: System,
    actions: &[Action],
) -> (Vec<Event>, System, Vec<Option<String>>) {
    let mut state = start;
    let mut events = Vec::new();
    // Per client: the line at which its stored resync point last changed.
    let mut point_sources: Vec<Option<String>> = vec![None; state.clients.len()];
    // Per client: the `* STATUS` line read since its last tagged response.
    let mut status_lines: Vec<Option<String>> = vec![None; state.clients.len()];
    for &action in actions {
        match action {
            Action::Issue {
                client,
                request,
                reply,
            } => {
                let held_back = held_back(&state.server, client);
                if !held_back.is_empty() {
                    let text = format!("not yet told to {client}: {}", held_back.join("; "));
                    events.push(Event::Note { client, text });
                }
                for (tag, command) in state.clients[client.index()].commands(request, &config.spec)
                {
                    let line = wire::command(tag, &command);
                    events.push(Event::Send { client, line });
                }
                if let Some(text) = interleave_note(&state, client, reply, &config.spec) {
                    events.push(Event::Note { client, text });
                }
                let before = state.server.mailbox.expunged.clone();
                state.apply(config, action);
                let closed: Vec<(Uid, ModSeq)> = state
                    .server
                    .mailbox
                    .expunged
                    .iter()
                    .filter(|(uid, e)| e.cause == ExpungeCause::Close && !before.contains_key(uid))
                    .map(|(uid, e)| (*uid, e.modseq))
                    .collect();
                if let Some((_, modseq)) = closed.first() {
                    let uids: Vec<Uid> = closed.iter().map(|(uid, _)| *uid).collect();
                    let text = format!(
                        "CLOSE expunges UID {} at MODSEQ {modseq}, with no untagged response (RFC 5162 section 3.4, RFC 7162 section 3.2.8)",
                        wire::uid_set(&uids),
                    );
                    events.push(Event::Note { client, text });
                }
            }
            Action::Read { client } => {
                let replica = &state.clients[client.index()];
                let point_before = replica.resync_point;
                let line = replica
                    .connection
                    .as_ref()
                    .and_then(|c| c.queue.first())
                    .map(wire::response)
                    .unwrap_or_default();
                state.apply(config, action);
                events.push(Event::Read {
                    client,
                    line: line.clone(),
                });
                let point = state.clients[client.index()].resync_point;
                if point != point_before {
                    let text = format!("{client} stores resync point {point}");
                    events.push(Event::Note { client, text });
                    // A STATUS value is adopted at STATUS's tagged OK: name the line it
                    // came from too.
                    let source = match status_lines[client.index()].take() {
                        Some(status) => format!("{line}`, after `{status}"),
                        None => line.clone(),
                    };
                    point_sources[client.index()] = Some(source);
                }
                if line.starts_with("* STATUS ") {
                    status_lines[client.index()] = Some(line);
                } else if !line.starts_with('*') {
                    status_lines[client.index()] = None;
                }
            }
            Action::Drop { client } => {
                let unread = state.clients[client.index()]
                    .connection
                    .as_ref()
                    .map_or(0, |c| c.queue.len());
                let text = format!(
                    "{client}'s connection drops ({unread} unread line{} lost)",
                    if unread == 1 { "" } else { "s" }
                );
                events.push(Event::Drop { client, text });
                state.apply(config, action);
            }
            Action::Arrive => {
                state.apply(config, action);
                let mailbox = &state.server.mailbox;
                let text = format!(
                    "another agent appends UID {} at MODSEQ {}; selected sessions learn of it by EXISTS",
                    mailbox.uid_next.0 - 1,
                    mailbox.highest_modseq
                );
                events.push(Event::Agent { text });
            }
            Action::Push { client, .. } => {
                let held_back = held_back(&state.server, client);
                state.apply(config, action);
                let text = format!(
                    "the server pushes to {client}, which idles (RFC 9051 section 6.3.13), what it held back: {}",
                    held_back.join("; ")
                );
                events.push(Event::Note { client, text });
            }
            Action::Restart => {
                state.apply(config, action);
                let text = "the server restarts and has lost its mod-sequences: every message and every logged expunge is at MODSEQ 1, HIGHESTMODSEQ 1, UIDVALIDITY unchanged".to_string();
                events.push(Event::Agent { text });
            }
            Action::Forget => {
                state.apply(config, action);
                let text = format!(
                    "the server lets its expunge records expire and keeps only their highest mod-sequence, {} (RFC 7162 section 5.3)",
                    state.server.mailbox.forgotten
                );
                events.push(Event::Agent { text });
            }
            Action::Renumber => {
                let before: Vec<Uid> = state.server.mailbox.messages.keys().copied().collect();
                state.apply(config, action);
                let mailbox = &state.server.mailbox;
                let moved: Vec<String> = before
                    .iter()
                    .zip(mailbox.messages.keys())
                    .filter(|(old, new)| old != new)
                    .map(|(old, new)| format!("UID {old} is now UID {new}"))
                    .collect();
                let text = format!(
                    "the server assigns the UIDs again (they did not persist, RFC 3501 section 2.3.1.1): UIDVALIDITY {}, {}, UIDNEXT {}; the expunge history is deleted (RFC 7162 section 5.3)",
                    mailbox.uid_validity,
                    if moved.is_empty() {
                        "each message keeps its UID".to_string()
                    } else {
                        moved.join(", ")
                    },
                    mailbox.uid_next
                );
                events.push(Event::Agent { text });
            }
            Action::Remove { uid } => {
                state.apply(config, action);
                let text = match state.server.mailbox.expunged.get(&uid) {
                    Some(e) => format!(
                        "another agent moves UID {uid} away (UID MOVE), expunged at MODSEQ {}; sessions told of it learn of its removal by VANISHED",
                        e.modseq
                    ),
                    None => format!("another agent moves UID {uid} away"),
                };
                events.push(Event::Agent { text });
            }
        }
    }
    (events, state, point_sources)
}

/// The note for a second command in flight whose answer the server interleaves with the
/// first's (`server/pipeline.rs`): not on the wire, where only the order of lines shows it.
fn interleave_note(
    state: &System,
    client: ClientId,
    reply: crate::server::Reply,
    spec: &crate::spec::Spec,
) -> Option<String> {
    let first = state.clients[client.index()].first_store_in_flight(spec)?;
    reply.interleave.then(|| {
        format!(
            "the server begins this command before completing {}: its untagged lines go before \
             {}'s tagged response (RFC 3501 section 5.5)",
            first.tag, first.tag
        )
    })
}
