//! Runs a sequence of actions from the initial state, checking that each is enabled where
//! it comes, and says why one is not in the reader's terms. Model-file scripts are checked
//! with it when a model is set up, and traces when they are replayed, so it sits below both.

use crate::system::{Action, Config, System};

/// Runs `actions` from the initial state, checking that each is enabled where it comes.
/// On failure: the 1-based step and why it is not enabled.
pub fn run(config: &Config, actions: &[Action]) -> Result<System, (usize, String)> {
    let mut state = System::initial(config);
    let mut enabled = Vec::new();
    for (i, action) in actions.iter().enumerate() {
        enabled.clear();
        state.actions(config, &mut enabled);
        if !enabled.contains(action) {
            return Err((i + 1, why_disabled(config, &state, *action)));
        }
        state.apply(config, *action);
    }
    Ok(state)
}

/// Why `action` is not enabled in `state`, in the reader's terms.
pub fn why_disabled(config: &Config, state: &System, action: Action) -> String {
    let (client, issue) = match action {
        Action::Arrive => {
            return format!(
                "all {} arrivals the bound allows have happened",
                config.arrivals
            );
        }
        Action::Renumber => {
            return "the server assigns the UIDs again only under uidvalidity-change=renumber, \
                    once, without arrivals, and while no session has INBOX selected"
                .to_string();
        }
        Action::Restart => {
            return "the server restarts with its MODSEQs lost only under modseq-restart=lost, \
                    once, and while no client is connected"
                .to_string();
        }
        Action::Forget => {
            return "the server forgets expunge history only under \
                    expunge-history=truncated|under-report, while it remembers an expunge"
                .to_string();
        }
        Action::Remove { uid } if state.removed() >= usize::from(config.removals) => {
            return format!(
                "all {} removals the bound allows have happened (UID {uid})",
                config.removals
            );
        }
        Action::Remove { uid } => {
            return format!(
                "UID {uid} is not a message the other agent appended and has not moved away yet"
            );
        }
        Action::Push { client, .. } => {
            return format!(
                "the server pushes to {client} only under client-idle=idle and idle-push=push, \
                 while {client} idles, and only a part of what it holds back from {client}"
            );
        }
        Action::Read { client } => return format!("{client} has no unread line to read"),
        Action::Drop { client } => return format!("{client} has no connection to drop"),
        Action::Issue {
            client,
            request,
            reply,
        } => (client, (request, reply)),
    };
    let Some(replica) = state.clients.get(client.index()) else {
        return format!("the model has no client {client}");
    };
    let (request, reply) = issue;
    if replica.commands_issued >= config.commands {
        format!(
            "{client} has already sent the {} commands its bound allows",
            config.commands
        )
    } else if replica
        .connection
        .as_ref()
        .is_some_and(|c| !c.awaiting.is_empty())
    {
        format!("{client} is still waiting for a tagged response")
    } else if replica.requests(&config.spec).contains(&request) {
        format!(
            "the spec does not let the server answer {client} that way here \
             (`server_sends: {}`{}{}{}{}): it holds back nothing such a flush could send, or \
             the other choices make no difference to this command",
            reply.flush.name(),
            if reply.select == Default::default() {
                ""
            } else {
                ", a `select` answer"
            },
            if reply.gone == Default::default() {
                ""
            } else {
                ", `gone_store`"
            },
            if reply.code {
                ", `adds_highestmodseq`"
            } else {
                ""
            },
            if reply.interleave {
                ", `interleaves`"
            } else {
                ""
            },
        )
    } else {
        format!(
            "{client} cannot send {} here: its cache and connection do not offer it",
            crate::json::to_line(&request)
        )
    }
}
