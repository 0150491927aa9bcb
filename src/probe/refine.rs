//! `probe --live`'s refinement (issue 27 item 3): where the real server sent, at the end of a
//! command, a change the model's server held back at that step, the model's counterexample
//! rests on a freedom this server does not take. The clause value that takes it away
//! (`flag-flush=every-command`, `expunge-flush=every-command`, `spec/flush.rs`) is what the
//! probe adds before it searches the model again, and only where, under that value, the
//! model's server would have had to send it too: a VANISHED during a STORE by sequence number
//! breaks RFC 3501 section 7.4.1 and refines nothing. Only what the server was seen to send
//! refines: a server that held back what the model's sent is within `any` already.

use serde::Serialize;

use crate::imap::command::Command;
use crate::imap::response::Response;
use crate::imap::wire;
use crate::server::Flush;
use crate::spec::{ExpungeFlush, FlagFlush, Spec};
use crate::system::{Action, System};

/// A clause value the real server's answer at one step showed, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Refinement {
    /// `NAME=VALUE`, as `--clause` takes it.
    pub clause: String,
    /// The step, what the model's server held back there, and the real line that told it.
    pub why: String,
}

/// What `real` (the real server's answer to `command`, the command of `action`, read into
/// the model's lines) told that the model's server, in state `model` before the step, held
/// back, as the clause values that would have made it send it. `step` names the step.
pub fn refinements(
    model: &System,
    spec: &Spec,
    action: &Action,
    command: &Command,
    real: &[Response],
    step: &str,
) -> Vec<Refinement> {
    let Action::Issue { client, reply, .. } = action else {
        return Vec::new();
    };
    let Some(session) = model.server.session(*client).filter(|s| s.selected) else {
        return Vec::new();
    };
    // Whether, under `refined`, every answer the model's server may give to `command` here
    // sends the part `sent` picks.
    let forced = |refined: Spec, sent: fn(Flush) -> bool| {
        let choices = model.server.flush_choices(*client, command, &refined);
        !choices.is_empty() && choices.into_iter().all(sent)
    };
    let mut out = Vec::new();
    // A FETCH with FLAGS of a message whose change the model's server held back: the real
    // server told it at the end of this command (RFC 3501 section 5.2).
    let told_flags = real.iter().find_map(|line| match line {
        Response::Fetch {
            uid,
            flags: Some(_),
            ..
        } if session.pending_flags.contains_key(uid) => Some((*uid, line)),
        _ => None,
    });
    let every = Spec {
        flag_flush: FlagFlush::EveryCommand,
        ..*spec
    };
    if let Some((uid, line)) = told_flags
        && !reply.flush.flags
        && spec.flag_flush == FlagFlush::Any
        && forced(every, |f| f.flags)
    {
        out.push(Refinement {
            clause: "flag-flush=every-command".into(),
            why: format!(
                "at {step} the model's server held back UID {uid}'s flag change; the real \
                 server sent it: `{}`",
                wire::response(line)
            ),
        });
    }
    // A VANISHED (not EARLIER) naming an expunge the model's server held back.
    let told_expunge = real.iter().find(|line| {
        matches!(line, Response::Vanished { earlier: false, uids }
            if uids.iter().any(|u| session.pending_expunges.contains(u)))
    });
    let every = Spec {
        expunge_flush: ExpungeFlush::EveryCommand,
        ..*spec
    };
    if let Some(line) = told_expunge
        && !reply.flush.expunges
        && spec.expunge_flush == ExpungeFlush::Any
        && forced(every, |f| f.expunges)
    {
        out.push(Refinement {
            clause: "expunge-flush=every-command".into(),
            why: format!(
                "at {step} the model's server held back another session's expunge; the real \
                 server sent it: `{}`",
                wire::response(line)
            ),
        });
    }
    out
}
