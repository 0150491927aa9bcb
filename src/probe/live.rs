//! `probe --live`: a model counterexample replayed on real connections. Each model client
//! is the model's own [`Client`], driving a real session: its commands go out under its own
//! tags (with the real mailbox, UIDVALIDITY and MODSEQs), every server line is parsed into the
//! model's responses and queued for it, a `read` step reads one, a `drop` closes the socket,
//! and a reconnect is LOGIN then the client's own `ENABLE QRESYNC` and `SELECT (QRESYNC ...)`.
//! At the end a fresh connection fetches the truth and each client's cache is compared.

use crate::imap::uids::UidMap;

use serde::Serialize;

use super::refine::{Refinement, refinements};
use super::scenarios::{Ctx, Probe};
use super::session::{Session, quoted};
use crate::client::{Client, Request};
use crate::imap::command::Command;
use crate::imap::types::{Flag, FlagSet, ModSeq, Uid};
use crate::imap::wire;
use crate::system::{Action, System};
use crate::trace::Trace;

/// What the replay found.
#[derive(Clone, Debug, Serialize)]
pub struct Live {
    pub property: String,
    /// Where the real server did not do what the model's server did in the trace.
    pub deviations: Vec<String>,
    /// Each client whose cache differs from the real mailbox at the end, and how.
    pub diverged: Vec<String>,
    /// The real mailbox at the end: UID and flags the model tracks.
    pub truth: String,
    /// Where the real server sent what the model's server held back, the clause value
    /// that says so (`refine.rs`): what the probe adds before searching again.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refinements: Vec<Refinement>,
}

/// Replays `trace` against the server; the result and the live transcript.
pub fn replay(probe: &Probe, trace: &Trace) -> (Result<Live, String>, Vec<String>) {
    probe.with_ctx(&format!("live-{}", trace.property), |ctx| run(ctx, trace))
}

fn run(ctx: &mut Ctx, trace: &Trace) -> Result<Live, String> {
    let config = trace.model.config()?;
    if config.arrivals > 0 {
        return Err(
            "a trace with arrivals (another agent's APPEND) is not replayed live yet".into(),
        );
    }
    let spec = config.spec;
    if spec.client_sync.fetch_set().is_some() {
        // Its reconnect is a plain SELECT, which `parse.rs` is not checked against yet.
        return Err(
            "a client that resyncs by plain SELECT (client-sync=fetch-vanished-*) is not \
             replayed live yet"
                .into(),
        );
    }
    if spec.client_sync.condstore_only() {
        // Its sessions would need SELECT (CONDSTORE) from the start, and `parse.rs` does not
        // read `* n EXPUNGE` or `* SEARCH` into the model's lines yet.
        return Err(
            "a CONDSTORE-only client (client-sync=condstore*) is not replayed live yet".into(),
        );
    }
    let clients_n = config.clients as usize;
    let mut c1 = ctx.login_as(1)?;
    let mailbox = ctx.mailbox(&mut c1, config.messages)?;
    let mut first = Some(c1);
    let mut sessions: Vec<Option<Session>> = Vec::new();
    let mut clients = Vec::new();
    let mut uid_validity = 0;
    for i in 0..clients_n {
        let mut session = match first.take() {
            Some(session) => session,
            None => ctx.login_as(i + 1)?,
        };
        session.run("ENABLE QRESYNC")?;
        let selected = ctx.select(&mut session, &mailbox)?;
        uid_validity = selected.uid_validity;
        // The model's starting point: selected and synchronized (RFC 7162 section 6).
        let mut client = Client::new(config.messages);
        client.resync_point = ModSeq(selected.highest_modseq);
        // Its cache is of the real mailbox's UIDVALIDITY, which its SELECTs then report.
        client.uid_validity = selected.uid_validity;
        clients.push(client);
        sessions.push(Some(session));
    }
    ctx.note(&format!(
        "the model's trace for {} starts here",
        trace.property
    ));
    let mut deviations = Vec::new();
    let mut refined: Vec<Refinement> = Vec::new();
    // The model's own run of the trace, one step behind the real one: what its server held
    // back from each session when the step began (`refine.rs`).
    let mut sim = System::initial(&config);
    for (k, step) in trace.steps.iter().enumerate() {
        let n = k + 1;
        let action = step.action()?;
        let before = sim.clone();
        sim.apply(&config, action);
        match action {
            Action::Issue {
                request: Request::Idle | Request::Done,
                ..
            } => {
                return Err(format!("step {n}: IDLE is not replayed live yet"));
            }
            Action::Issue {
                client, request, ..
            } => {
                let i = client.index();
                let commands = clients[i].commands(request, &spec);
                if clients[i].connection.is_none() {
                    sessions[i] = Some(ctx.login_as(i + 1)?);
                }
                clients[i].issue(&commands, &spec);
                let session = sessions[i].as_mut().ok_or("no session")?;
                let mut real = Vec::new();
                let mut answered = Vec::new();
                for (tag, command) in &commands {
                    let line = render(*tag, command, &mailbox, uid_validity);
                    let reply = session.run_as(&tag.to_string(), &line)?;
                    let model: Vec<_> = reply.lines().filter_map(|l| l.to_model()).collect();
                    real.extend(model.iter().map(wire::response));
                    answered.extend(model.iter().cloned());
                    if let Some(c) = clients[i].connection.as_mut() {
                        c.queue.extend(model);
                    }
                }
                let expected: Vec<String> = step.queued.iter().map(|l| shape(l)).collect();
                let got: Vec<String> = real.iter().map(|l| shape(l)).collect();
                if expected != got {
                    let deviation = format!(
                        "step {n} ({client} {}): the model's server answers [{}]; the real server [{}]",
                        step.sent.join(", "),
                        step.queued.join(" / "),
                        real.join(" / ")
                    );
                    ctx.note(&format!(
                        "the real server left the model's path: {deviation}"
                    ));
                    deviations.push(deviation);
                }
                let at = format!("step {n} ({client} {})", step.sent.join(", "));
                let last = &commands.last().ok_or("a step with no command")?.1;
                for r in refinements(&before, &spec, &action, last, &answered, &at) {
                    if !refined.iter().any(|o| o.clause == r.clause) {
                        ctx.note(&format!("to refine: {}: {}", r.clause, r.why));
                        refined.push(r);
                    }
                }
            }
            Action::Read { client } => {
                let i = client.index();
                if clients[i].read(&spec).is_none() {
                    deviations.push(format!(
                        "step {n}: {client} reads `{}` in the model; the real server sent nothing more",
                        step.read.as_deref().unwrap_or("")
                    ));
                }
            }
            Action::Drop { client } => {
                let i = client.index();
                if let Some(session) = sessions[i].take() {
                    session.drop_connection();
                }
                clients[i].drop_connection();
            }
            Action::Arrive | Action::Remove { .. } => {
                return Err(format!(
                    "step {n}: another agent's APPEND or MOVE is not replayed live yet"
                ));
            }
            Action::Renumber => {
                return Err(format!(
                    "step {n}: a server that assigns its UIDs again is not replayed live"
                ));
            }
            Action::Forget => {
                return Err(format!(
                    "step {n}: a server that forgets its expunge history is not replayed live"
                ));
            }
            Action::Restart => {
                return Err(format!(
                    "step {n}: a server that restarts with its MODSEQs lost is not replayed live"
                ));
            }
            Action::Push { .. } => {
                return Err(format!(
                    "step {n}: a push to an idling client is not replayed live yet"
                ));
            }
        }
    }
    ctx.note("the model's trace ends here; each client reads what is left, then finishes its synchronization as RFC 7162 section 6 says: NOOP if selected, else a QRESYNC SELECT");
    for (i, client) in clients.iter_mut().enumerate() {
        while client.read(&spec).is_some() {}
        let selected = client.connection.as_ref().is_some_and(|c| c.selected);
        let request = if selected {
            Request::Noop
        } else {
            Request::Resync
        };
        let commands = client.commands(request, &spec);
        if client.connection.is_none() {
            sessions[i] = Some(ctx.login_as(i + 1)?);
        }
        client.issue(&commands, &spec);
        let session = sessions[i].as_mut().ok_or("no session")?;
        for (tag, command) in &commands {
            let line = render(*tag, command, &mailbox, uid_validity);
            let reply = session.run_as(&tag.to_string(), &line)?;
            if let Some(c) = client.connection.as_mut() {
                c.queue.extend(reply.lines().filter_map(|l| l.to_model()));
            }
        }
        while client.read(&spec).is_some() {}
    }
    let truth = truth(ctx, clients_n + 1, &mailbox)?;
    let diverged = clients
        .iter()
        .enumerate()
        .filter(|(_, c)| *c.cache != truth)
        .map(|(i, c)| {
            format!(
                "C{} caches {} but the mailbox has {}",
                i + 1,
                show(&c.cache),
                show(&truth)
            )
        })
        .collect();
    for session in sessions.into_iter().flatten() {
        session.logout();
    }
    Ok(Live {
        property: trace.property.clone(),
        deviations,
        diverged,
        truth: show(&truth),
        refinements: refined,
    })
}

/// The model's command line on the real mailbox, with its UIDVALIDITY.
fn render(
    tag: crate::imap::types::Tag,
    command: &Command,
    mailbox: &str,
    uid_validity: u32,
) -> String {
    let mut command = command.clone();
    if let Command::SelectQresync {
        uid_validity: v, ..
    } = &mut command
    {
        *v = uid_validity;
    }
    let line = wire::command(tag, &command);
    let line = line
        .strip_prefix(&format!("{tag} "))
        .unwrap_or(&line)
        .to_string();
    line.replacen("SELECT INBOX", &format!("SELECT {}", quoted(mailbox)), 1)
}

/// A line's kind for comparing the model's answer with the real one: numbers (MODSEQs,
/// UIDVALIDITY) as `#`, and a status line without its human-readable text.
fn shape(line: &str) -> String {
    let words: Vec<&str> = line.split(' ').collect();
    let status = words.len() > 1 && ["OK", "NO", "BAD"].contains(&words[1]);
    let kept = match (status, line.find(']')) {
        (true, Some(end)) if line.contains('[') => line[..=end].to_string(),
        (true, _) => words[..2].join(" "),
        (false, _) => line.to_string(),
    };
    let mut out = String::new();
    for c in kept.chars() {
        if !c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('#') {
            out.push('#');
        }
    }
    out
}

/// `UID FETCH 1:* (FLAGS)` on a fresh connection: each UID with the flags the model tracks.
fn truth(ctx: &mut Ctx, number: usize, mailbox: &str) -> Result<UidMap<FlagSet>, String> {
    let mut session = ctx.login_as(number)?;
    ctx.select(&mut session, mailbox)?;
    let reply = session.run("UID FETCH 1:* (FLAGS)")?;
    session.logout();
    let mut out = UidMap::new();
    for f in reply.lines().filter_map(|l| l.fetch()) {
        let (Some(uid), Some(flags)) = (f.uid, f.flags) else {
            continue;
        };
        let mut set = FlagSet::EMPTY;
        for name in flags {
            if name.eq_ignore_ascii_case("\\Deleted") {
                set = set.with(Flag::Deleted);
            } else if name.eq_ignore_ascii_case("\\Seen") {
                set = set.with(Flag::Seen);
            }
        }
        out.insert(Uid(uid), set);
    }
    Ok(out)
}

fn show(cache: &UidMap<FlagSet>) -> String {
    if cache.is_empty() {
        return "no messages".into();
    }
    cache
        .iter()
        .map(|(u, f)| format!("UID {u} {f}"))
        .collect::<Vec<_>>()
        .join(", ")
}
