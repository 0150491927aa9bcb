//! What `check --coverage` counts a transition as: the kind of action each agent took, and
//! the server's choices in it. A transition is one move of the reduced graph: under the
//! `reads` reduction a command together with its client's reads of the answer, whole or up
//! to a drop (reduce/space.rs), so its drop point is a choice of its own.
//!
//! The *universe* is the list of kinds the spec and bounds allow at all, printed even at 0,
//! as TLC lists the actions it never took: a request only one clause value sends is in it
//! only under that value, an arrival only with `--arrivals`. A kind met outside it is still
//! counted and shown; a kind in it that the bounds never reach is listed as never exercised.

use crate::client::Request;
use crate::imap::command::{StoreOp, Target};
use crate::imap::types::{ClientId, Flag, Uid};
use crate::reduce::{Move, Reads, Reduction};
use crate::server::{Earlier, Flush, GoneStore, Reply, Scope};
use crate::spec::{
    ClientFetchVanished, ClientIdle, ClientResyncPoint, ClientSync, ExpungeHistory, KnownUidsScope,
    ModseqRestart, UidvalidityChange, VanishedEarlier, VanishedUnannounced,
};
use crate::system::{Action, Config};

/// Who took a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Agent {
    /// By its index (under symmetry: its place in the canonical order).
    Client(u8),
    /// The other agent, which appends messages and moves them away.
    Other,
    Server,
}

/// What an agent did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Act {
    /// A command, as its kind: the message a STORE names erased.
    Command(Request),
    /// One line read (without the `reads` reduction).
    Read,
    /// Lines queued before the walk began (a model file's script), read as one move.
    ReadQueued,
    Drop,
    Append,
    MoveAway,
    Renumber,
    Forget,
    Restart,
    /// A push to this idling client.
    Push(u8),
}

/// A choice the server (or, for a drop point, the network) made within a transition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Choice {
    /// What it flushed of what it held back, in an answer or a push.
    Flushed(Flush),
    /// Whether it added the optional `[HIGHESTMODSEQ n]` to a tagged OK.
    Code(bool),
    /// A QRESYNC SELECT's VANISHED (EARLIER) precision.
    Earlier(Earlier),
    /// A QRESYNC SELECT's FETCH scope.
    Scope(Scope),
    /// The answer to a STORE.
    Gone(GoneStore),
    /// An answer interleaved with a pipelined STORE's.
    Interleaved,
    /// A response read whole.
    ReadWhole,
    /// A connection dropped after this many lines of a response.
    DropAfter(u16),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Key {
    Action(Agent, Act),
    Choice(Choice),
}

/// The kinds `mv` counts as, in `out`: its action, then its choices.
pub fn classify(config: &Config, mv: &Move, out: &mut Vec<Key>) {
    out.clear();
    match *mv {
        Move::One(action) => action_keys(config, action, out),
        Move::Response {
            client,
            issue,
            reads,
        } => {
            match issue {
                Some(action) => action_keys(config, action, out),
                None => out.push(Key::Action(Agent::Client(client.0), Act::ReadQueued)),
            }
            out.push(Key::Choice(match reads {
                Reads::All => Choice::ReadWhole,
                Reads::ThenDrop(n) => Choice::DropAfter(n),
            }));
        }
    }
}

fn action_keys(config: &Config, action: Action, out: &mut Vec<Key>) {
    let (agent, act) = match action {
        Action::Issue {
            client,
            request,
            reply,
        } => {
            out.push(Key::Action(
                Agent::Client(client.0),
                Act::Command(erased(request)),
            ));
            reply_keys(config, request, reply, out);
            return;
        }
        Action::Read { client } => (Agent::Client(client.0), Act::Read),
        Action::Drop { client } => (Agent::Client(client.0), Act::Drop),
        Action::Arrive => (Agent::Other, Act::Append),
        Action::Remove { .. } => (Agent::Other, Act::MoveAway),
        Action::Renumber => (Agent::Server, Act::Renumber),
        Action::Forget => (Agent::Server, Act::Forget),
        Action::Restart => (Agent::Server, Act::Restart),
        Action::Push { client, reply } => {
            out.push(Key::Action(Agent::Server, Act::Push(client.0)));
            out.push(Key::Choice(Choice::Flushed(reply.flush)));
            out.push(Key::Choice(Choice::Code(reply.code)));
            return;
        }
    };
    out.push(Key::Action(agent, act));
}

fn reply_keys(config: &Config, request: Request, reply: Reply, out: &mut Vec<Key>) {
    out.push(Key::Choice(Choice::Flushed(reply.flush)));
    out.push(Key::Choice(Choice::Code(reply.code)));
    if request == Request::Resync && !config.spec.client_sync.condstore_only() {
        out.push(Key::Choice(Choice::Earlier(reply.select.earlier)));
        out.push(Key::Choice(Choice::Scope(reply.select.scope)));
    }
    if let Request::Store { .. } = request {
        out.push(Key::Choice(Choice::Gone(reply.gone)));
    }
    if reply.interleave {
        out.push(Key::Choice(Choice::Interleaved));
    }
}

/// `request` with the message it names erased, as `check --counterexamples` compares
/// commands (views.rs).
fn erased(mut request: Request) -> Request {
    if let Request::Store { target, .. } = &mut request {
        *target = match target {
            Target::Seq(_) => Target::Seq(0),
            Target::Uid(_) => Target::Uid(Uid(0)),
        };
    }
    request
}

/// Every kind the spec and bounds of `config` allow under the reductions `applied`, in the
/// order the report lists them (see the module comment).
pub fn universe(config: &Config, applied: Reduction) -> Vec<Key> {
    let spec = &config.spec;
    let sync = spec.client_sync;
    let mut requests = Vec::new();
    for target in [Target::Seq(0), Target::Uid(Uid(0))] {
        for flag in Flag::ALL {
            for op in [StoreOp::Add, StoreOp::Remove] {
                requests.push(Request::Store { target, op, flag });
            }
        }
    }
    requests.extend([
        Request::Expunge,
        Request::UidExpunge,
        Request::Close,
        Request::Noop,
        Request::FetchNew,
        Request::Resync,
    ]);
    if spec.client_resync_point == ClientResyncPoint::Status {
        requests.push(Request::Status);
    }
    let fetch_vanished = !sync.condstore_only()
        && spec.client_fetch_vanished != ClientFetchVanished::Never
        || sync.fetch_set().is_some();
    if fetch_vanished {
        requests.push(Request::FetchVanished);
    }
    if spec.client_idle == ClientIdle::Idle {
        requests.extend([Request::Idle, Request::Done]);
    }
    if sync.condstore_only() && sync.fetch_set().is_none() {
        requests.push(Request::ChangedSince);
    }
    if sync == ClientSync::Condstore {
        requests.push(Request::SearchAll);
    }
    let mut keys = Vec::new();
    for c in 0..config.clients {
        let client = Agent::Client(c);
        keys.extend(
            requests
                .iter()
                .map(|r| Key::Action(client, Act::Command(*r))),
        );
        if !applied.reads {
            keys.push(Key::Action(client, Act::Read));
        }
        keys.push(Key::Action(client, Act::Drop));
    }
    if config.arrivals > 0 {
        keys.push(Key::Action(Agent::Other, Act::Append));
    }
    if config.removals > 0 {
        keys.push(Key::Action(Agent::Other, Act::MoveAway));
    }
    if config.arrivals == 0 && spec.uidvalidity_change == UidvalidityChange::Renumber {
        keys.push(Key::Action(Agent::Server, Act::Renumber));
    }
    if spec.expunge_history != ExpungeHistory::Kept {
        keys.push(Key::Action(Agent::Server, Act::Forget));
    }
    if spec.modseq_restart == ModseqRestart::Lost {
        keys.push(Key::Action(Agent::Server, Act::Restart));
    }
    if spec.pushes() {
        keys.extend((0..config.clients).map(|c| Key::Action(Agent::Server, Act::Push(c))));
    }
    // Only an arrival can be expunged before a session was told of it (server/mailbox.rs).
    let unannounced = spec.vanished_unannounced != VanishedUnannounced::Omit && config.arrivals > 0;
    let unannounced = [false, unannounced];
    for expunges in [false, true] {
        for unannounced in unannounced.into_iter().filter(|u| expunges || !u) {
            for flags in [false, true] {
                for exists in [false, config.arrivals > 0] {
                    let flush = Flush {
                        flags,
                        expunges,
                        unannounced,
                        exists,
                    };
                    let key = Key::Choice(Choice::Flushed(flush));
                    if !keys.contains(&key) {
                        keys.push(key);
                    }
                }
            }
        }
    }
    keys.extend([false, true].map(|c| Key::Choice(Choice::Code(c))));
    if !sync.condstore_only() {
        let earlier = match spec.vanished_earlier {
            VanishedEarlier::Superset => vec![Earlier::Superset],
            VanishedEarlier::Any => vec![Earlier::Exact, Earlier::Superset],
            VanishedEarlier::Exact | VanishedEarlier::IncludesPresent => vec![Earlier::Exact],
        };
        keys.extend(earlier.into_iter().map(|e| Key::Choice(Choice::Earlier(e))));
        let scope = match spec.known_uids_scope {
            KnownUidsScope::Restrict => vec![Scope::KnownUids],
            KnownUidsScope::All => vec![Scope::AllUids],
            KnownUidsScope::Any => vec![Scope::KnownUids, Scope::AllUids],
        };
        keys.extend(scope.into_iter().map(|s| Key::Choice(Choice::Scope(s))));
    }
    keys.extend([GoneStore::NewModseq, GoneStore::No].map(|g| Key::Choice(Choice::Gone(g))));
    if spec.pipelines() {
        keys.push(Key::Choice(Choice::Interleaved));
    }
    if applied.reads {
        keys.push(Key::Choice(Choice::ReadWhole));
    }
    keys
}

/// The group a kind is listed under and its name: `("C1", "CLOSE")`, `("flushed",
/// "flag-changes+expunges")`.
pub fn names(key: Key) -> (String, String) {
    match key {
        Key::Action(agent, act) => {
            let agent = match agent {
                Agent::Client(c) => ClientId(c).to_string(),
                Agent::Other => "other agent".to_string(),
                Agent::Server => "server".to_string(),
            };
            let act = match act {
                Act::Command(request) => super::super::views::kind(request),
                Act::Read => "read a line".to_string(),
                Act::ReadQueued => "read the lines queued before the search".to_string(),
                Act::Drop => "drop the connection".to_string(),
                Act::Append => "append a message".to_string(),
                Act::MoveAway => "move a message away".to_string(),
                Act::Renumber => "renumber the UIDs".to_string(),
                Act::Forget => "forget expunge history".to_string(),
                Act::Restart => "restart, losing the mod-sequences".to_string(),
                Act::Push(c) => format!("push to idling {}", ClientId(c)),
            };
            (agent, act)
        }
        Key::Choice(choice) => {
            let (group, name) = match choice {
                Choice::Flushed(flush) => ("flushed", flush.name()),
                Choice::Code(true) => ("optional HIGHESTMODSEQ code", "added".to_string()),
                Choice::Code(false) => ("optional HIGHESTMODSEQ code", "not added".to_string()),
                Choice::Earlier(Earlier::Exact) => ("VANISHED (EARLIER)", "exact".to_string()),
                Choice::Earlier(Earlier::Superset) => {
                    ("VANISHED (EARLIER)", "superset".to_string())
                }
                Choice::Scope(Scope::KnownUids) => ("SELECT FETCH scope", "known-uids".to_string()),
                Choice::Scope(Scope::AllUids) => ("SELECT FETCH scope", "all-uids".to_string()),
                Choice::Gone(gone) => ("STORE answer", gone.name().to_string()),
                Choice::Interleaved => ("pipelined answer", "interleaved".to_string()),
                Choice::ReadWhole => ("response", "read whole".to_string()),
                Choice::DropAfter(n) => ("response", format!("dropped after {n} line(s)")),
            };
            (group.to_string(), name)
        }
    }
}
