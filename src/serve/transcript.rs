//! The served run written down as the checker's traces show one: the model's lines as IMAP
//! text, the server's choices in words, and the other clients' and agent's steps.

use crate::imap::response::Response;
use crate::imap::wire;
use crate::server::{Earlier, GoneStore, Reply, Scope};
use crate::step::{Do, Step};

/// The model's lines as IMAP text, its tagged response under the real client's `tag`.
pub fn render(lines: &[Response], tag: &str) -> Vec<String> {
    lines
        .iter()
        .map(|line| {
            let text = wire::response(line);
            match line {
                Response::Tagged { .. } => format!("{tag} {}", &text["a0 ".len()..]),
                _ => text,
            }
        })
        .collect()
}

/// A server choice in words, for the transcript.
pub fn describe(reply: Reply) -> String {
    let mut parts = vec![format!("sends {}", reply.flush.name())];
    if reply.code {
        parts.push("adds [HIGHESTMODSEQ]".into());
    }
    if reply.select.earlier == Earlier::Superset {
        parts.push("VANISHED (EARLIER) a superset".into());
    }
    if reply.select.scope == Scope::AllUids {
        parts.push("FETCH beyond the known UIDs".into());
    }
    if reply.gone == GoneStore::No {
        parts.push("NO to a STORE on a held-back expunge".into());
    }
    parts.join(", ")
}

/// The transcript's lines for a step of the model's other clients or other agent.
pub fn step_lines(step: &Step) -> Vec<String> {
    let who = step.client.map(|c| c.to_string()).unwrap_or_default();
    let n = who.trim_start_matches('C');
    let server_lines = || step.queued.iter().map(|line| format!("S{n}: {line}"));
    match step.kind {
        Do::Send => {
            let sent = step.sent.iter().map(|line| format!("{who}: {line}"));
            sent.chain(server_lines()).collect()
        }
        // The other clients' reads change nothing C1 can see.
        Do::Read => Vec::new(),
        Do::Drop => vec![format!("-- {who}'s connection drops")],
        Do::Arrive => vec!["-- another agent appends a message".into()],
        Do::Remove => {
            let uid = step.uid.map(|u| u.to_string()).unwrap_or_default();
            vec![format!("-- another agent moves UID {uid} away")]
        }
        Do::Renumber => vec!["-- the server renumbers the UIDs".into()],
        Do::Forget => vec!["-- the server forgets expunge records".into()],
        Do::Restart => vec!["-- the server restarts".into()],
        Do::Push => server_lines().collect(),
    }
}
