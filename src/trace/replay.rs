//! Replays a trace: rebuilds the model from the file, re-executes each named step, checks
//! that it was enabled and produced the same lines, and that the last state violates the
//! named property. Everything `render` prints is checked or derived first: the tool, the
//! model's name (a plain label), the edition and clauses (through the `reproduce` command
//! derived from them), and `reproduce` itself.

use crate::properties::{Kind, Property, property};
use crate::system::{Action, Config, System};

use super::{Trace, step};

pub struct Replayed {
    pub config: Config,
    pub property: &'static Property,
    pub actions: Vec<Action>,
    pub last: System,
}

#[derive(Debug, PartialEq, Eq)]
pub enum ReplayError {
    /// The trace is not a trace this tool can replay at all (unknown edition, clause or
    /// property, a malformed step): bad input.
    Invalid(String),
    /// The trace no longer replays: `step` (1-based; steps + 1 for the final check) is the
    /// first that differs.
    Diverged { step: usize, why: String },
    /// What the trace says of itself (its tool, its reproduce command) is not what its
    /// model gives.
    Claim(String),
}

/// The longest model name a trace may carry.
const MAX_NAME: usize = 200;

/// A model name is a label (a model file's name, or an edition and its overrides): it
/// cannot be checked against anything, so it must at least be plain, one line of letters,
/// digits and `. _ - + =` that no renderer has to escape.
pub fn check_name(name: &str) -> Result<(), String> {
    let plain = |c: char| c.is_ascii_alphanumeric() || "._-+=".contains(c);
    if name.is_empty() || name.len() > MAX_NAME || !name.chars().all(plain) {
        let shown: String = name.chars().take(60).collect();
        return Err(format!(
            "the model name `{}` is not a plain name: 1 to {MAX_NAME} letters, digits and \
             `. _ - + =`",
            shown.escape_debug()
        ));
    }
    Ok(())
}

/// The checks of what a trace says of itself, once its steps replay (a step that differs
/// says more than a command derived from a changed model).
fn check_claims(trace: &Trace) -> Result<(), ReplayError> {
    if trace.tool != super::tool() {
        let shown: String = trace.tool.chars().take(60).collect();
        return Err(ReplayError::Claim(format!(
            "`tool` is `{}`, but this is {}: a trace replays with the version that wrote it",
            shown.escape_debug(),
            super::tool()
        )));
    }
    super::reproduce::check(trace).map_err(ReplayError::Claim)
}

pub fn replay(trace: &Trace) -> Result<Replayed, ReplayError> {
    let config = trace.model.config().map_err(ReplayError::Invalid)?;
    let property = property(&trace.property)
        .ok_or_else(|| ReplayError::Invalid(format!("unknown property `{}`", trace.property)))?;
    if property.kind != Kind::Always {
        return Err(ReplayError::Invalid(format!(
            "`{}` is a `sometimes` property: a trace shows a violation of an `always` one",
            property.name
        )));
    }
    let actions = trace.actions().map_err(ReplayError::Invalid)?;
    check_name(&trace.model.name).map_err(ReplayError::Invalid)?;
    trace.model.check_complete().map_err(ReplayError::Invalid)?;
    let mut state = System::initial(&config);
    let mut enabled = Vec::new();
    for (i, (expected, action)) in trace.steps.iter().zip(&actions).enumerate() {
        let diverged = |why: String| ReplayError::Diverged { step: i + 1, why };
        enabled.clear();
        state.actions(&config, &mut enabled);
        if !enabled.contains(action) {
            return Err(diverged(why_disabled(&config, &state, *action)));
        }
        let actual = step(&config, &mut state, *action, expected.state.is_some());
        if let Some(why) = first_difference(expected, &actual) {
            return Err(diverged(why));
        }
    }
    if (property.condition)(&state) {
        return Err(ReplayError::Diverged {
            step: trace.steps.len() + 1,
            why: format!(
                "after the last step, {} holds: the trace shows no violation",
                property.name
            ),
        });
    }
    check_claims(trace)?;
    Ok(Replayed {
        config,
        property,
        actions,
        last: state,
    })
}

/// For `minimize`: runs `actions` (which must run, see [`run`]) and checks that every step of
/// `trace` that carries lines or a snapshot carries the model's. On failure: the 1-based
/// step and what differs.
pub fn check_lines(
    trace: &Trace,
    config: &Config,
    actions: &[Action],
) -> Result<(), (usize, String)> {
    let mut state = System::initial(config);
    for (i, (expected, action)) in trace.steps.iter().zip(actions).enumerate() {
        let actual = step(config, &mut state, *action, expected.state.is_some());
        if expected.has_outcome() {
            if let Some(why) = first_difference(expected, &actual) {
                return Err((i + 1, why));
            }
        }
    }
    Ok(())
}

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
            return "the server assigns the UIDs again only under uidvalidity-change=renumber,                     once, without arrivals, and while no session has INBOX selected"
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
             (`server_sends: {}`{}{}{}): it holds back nothing such a flush could send, or \
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
        )
    } else {
        format!(
            "{client} cannot send {} here: its cache and connection do not offer it",
            crate::json::to_line(&request)
        )
    }
}

fn first_difference(expected: &super::Step, actual: &super::Step) -> Option<String> {
    let lists = [
        ("sent", &expected.sent, &actual.sent),
        ("queued", &expected.queued, &actual.queued),
        ("lost", &expected.lost, &actual.lost),
    ];
    for (what, want, got) in lists {
        for j in 0..want.len().max(got.len()) {
            match (want.get(j), got.get(j)) {
                (Some(w), Some(g)) if w == g => {}
                (Some(w), Some(g)) => {
                    return Some(format!(
                        "{what} line {}: the trace says `{w}`, the model produces `{g}`",
                        j + 1
                    ));
                }
                (Some(w), None) => {
                    return Some(format!(
                        "{what} line {}: the trace says `{w}`, the model produces no such line",
                        j + 1
                    ));
                }
                (None, Some(g)) => {
                    return Some(format!(
                        "{what} line {}: the model produces `{g}`, which the trace lacks",
                        j + 1
                    ));
                }
                (None, None) => {}
            }
        }
    }
    if expected.read != actual.read {
        return Some(format!(
            "the trace reads `{}`, the model reads `{}`",
            expected.read.as_deref().unwrap_or("(nothing)"),
            actual.read.as_deref().unwrap_or("(nothing)")
        ));
    }
    if expected.state != actual.state {
        return Some("the state snapshot differs from the model's state after this step".into());
    }
    None
}
