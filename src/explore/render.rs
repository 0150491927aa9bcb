//! The Explorer's text and chart, from the transcript renderers: an action as its transcript
//! line, a step as the lines it sent, queued or read with the notes `trace::text` prints, a
//! state as the transcripts' state block with each property's verdict, and the path so far
//! as `trace::svg`'s sequence chart.

use std::fmt::Write;

use crate::properties::{Kind, PROPERTIES};
use crate::server::{Earlier, GoneStore, Reply, Scope};
use crate::system::{Action, Config, System};
use crate::trace::svg::{self, Mark};
use crate::trace::text::{self, Event};

use super::Context;

/// `action`'s transcript line, from `state`: what the client sends (`C1: a1 STORE ...`),
/// the line it reads (`S2: a1 OK ...`), or the note of a drop or of the other agent. Where
/// one command is among `siblings` with several server answers, the line names its answer.
pub fn action_label(
    config: &Config,
    state: &System,
    siblings: &[Action],
    action: Action,
) -> String {
    let (events, _, _) = text::events_from(config, state.clone(), &[action]);
    let mut label = events
        .iter()
        .filter(|e| !matches!(e, Event::Note { .. }))
        .map(text::line)
        .collect::<Vec<_>>()
        .join("  ");
    if let Action::Issue {
        client,
        request,
        reply,
    } = action
    {
        let alternatives = siblings
            .iter()
            .filter(|a| {
                matches!(a, Action::Issue { client: c, request: r, .. }
                         if *c == client && *r == request)
            })
            .count();
        if alternatives > 1 {
            write!(label, "  [{}]", answer(reply)).unwrap();
        }
    }
    label
}

/// The server's answer, where the spec leaves it a choice, in the words of the trace format.
fn answer(reply: Reply) -> String {
    let mut parts = vec![format!("server sends {}", reply.flush.name())];
    if reply.select.earlier == Earlier::Superset {
        parts.push("VANISHED (EARLIER) names every expunged UID".to_string());
    }
    if reply.select.scope == Scope::AllUids {
        parts.push("FETCH for every changed message".to_string());
    }
    if reply.gone == GoneStore::No {
        parts.push("STORE answered NO".to_string());
    }
    if reply.code {
        parts.push("adds [HIGHESTMODSEQ]".to_string());
    }
    if reply.interleave {
        parts.push("interleaved before the first command's tagged response".to_string());
    }
    parts.join(", ")
}

/// The lines on `client`'s connection, as the wire shows them.
fn queue(state: &System, client: usize) -> Vec<String> {
    state.clients[client]
        .connection
        .iter()
        .flat_map(|c| c.queue.iter())
        .map(crate::imap::wire::response)
        .collect()
}

/// One step: its transcript lines and notes, the lines it queued, then the state after it.
pub fn step_text(context: &Context, before: &System, action: Action) -> String {
    let config = &context.config;
    let (events, after, _) = text::events_from(config, before.clone(), &[action]);
    let mut out = String::new();
    for event in &events {
        writeln!(out, "{}", text::line(event)).unwrap();
    }
    if let Action::Issue { client, reply, .. } = action {
        let (old, mut new) = (queue(before, client.index()), queue(&after, client.index()));
        // Interleaved (`server/pipeline.rs`): the first command's tagged line, last before,
        // now stands before this command's tagged line; it is not this command's.
        let interleaved = reply.interleave && !old.is_empty() && new.len() > old.len();
        if interleaved {
            new.remove(new.len() - 2);
        }
        // A reconnect starts a new queue; otherwise the command's lines follow the unread
        // (interleaved: all but the first command's tagged line, which was last).
        let queued = match new.strip_prefix(&old[..old.len() - usize::from(interleaved)]) {
            Some(rest) if after.clients[client.index()].connection.is_some() => rest,
            _ => new.as_slice(),
        };
        writeln!(out, "-- the server queues for {client}:").unwrap();
        for line in queued {
            writeln!(out, "--   {line}").unwrap();
        }
    }
    out.push('\n');
    out.push_str(&state_text(context, &after));
    out
}

/// The state block of the transcripts, then each property's verdict at this state.
pub fn state_text(context: &Context, state: &System) -> String {
    let mut out = String::from("-- state\n");
    for line in text::describe_state(state) {
        writeln!(out, "--   {line}").unwrap();
    }
    out.push_str("-- properties at this state\n");
    for &i in &context.properties {
        let p = &PROPERTIES[i];
        let verdict = match (p.kind, (p.condition)(state)) {
            // Words, not emoji: a browser without an emoji font shows boxes.
            (Kind::Always, true) => "holds",
            (Kind::Always, false) => "VIOLATED",
            (Kind::Sometimes, true) => "reached",
            (Kind::Sometimes, false) => "not reached here",
        };
        // Names only: the summaries are long, and `resync-check list` gives them.
        writeln!(out, "--   {verdict}: {}", p.name).unwrap();
    }
    out
}

/// Names of the `always` properties `state` violates.
pub fn violated(context: &Context, state: &System) -> Vec<&'static str> {
    context
        .properties
        .iter()
        .map(|&i| &PROPERTIES[i])
        .filter(|p| p.kind == Kind::Always && !(p.condition)(state))
        .map(|p| p.name)
        .collect()
}

/// The path from `start` as the traces' sequence chart, its last state in the box below:
/// red where an `always` property fails there, grey otherwise.
pub fn chart(context: &Context, start: System, actions: &[Action]) -> String {
    let (events, last, _) = text::events_from(&context.config, start, actions);
    let mut boxed = vec![format!("after {}:", text::count(actions.len(), "step"))];
    boxed.extend(text::describe_state(&last));
    let violated = violated(context, &last);
    let mark = if violated.is_empty() {
        Mark::Calm
    } else {
        boxed.push(format!("violated here: {}", violated.join(", ")));
        Mark::Alarm
    };
    let title = format!(
        "{} (edition {}): {}",
        context.name,
        context.edition,
        text::count(actions.len(), "step")
    );
    svg::chart(context.config.clients, &title, &events, &boxed, mark)
}
