//! Named steps: who did what (a client sends, reads or drops; the other agent appends or
//! removes), never stateright action indices, with room for the lines a step produced and
//! the state after it. Traces record them and model-file scripts name them (without the
//! lines), so the vocabulary sits below both: a model file reads its script without
//! reaching up into `trace`. `run` checks that a sequence of actions is enabled where each
//! comes.

pub mod run;
pub mod snapshot;

use serde::{Deserialize, Serialize};

use crate::client::Request;
use crate::imap::types::{ClientId, Uid};
use crate::server::{Flush, GoneStore, Reply, SelectReply};
use crate::system::Action;
use snapshot::Snapshot;

/// What a step does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Do {
    /// The client sends a command; the server executes it and queues its response.
    Send,
    /// The client reads the next queued line.
    Read,
    /// The client's connection drops.
    Drop,
    /// Another agent appends a message (no client).
    Arrive,
    /// The other agent moves away a message it appended (no client).
    Remove,
    /// The server assigns the UIDs again under a greater UIDVALIDITY (no client).
    Renumber,
    /// The server lets its expunge records expire (no client).
    Forget,
    /// The server restarts and loses its mod-sequences (no client).
    Restart,
    /// The server pushes held-back changes to an idling client (`server_sends` says which).
    Push,
}

impl Do {
    /// The name traces use (`do`).
    pub fn name(self) -> &'static str {
        match self {
            Do::Send => "send",
            Do::Read => "read",
            Do::Drop => "drop",
            Do::Arrive => "arrive",
            Do::Remove => "remove",
            Do::Renumber => "renumber",
            Do::Forget => "forget",
            Do::Restart => "restart",
            Do::Push => "push",
        }
    }
}

/// One named step, and the lines it produced. Model-file scripts use the same shape
/// without the lines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    #[serde(rename = "do")]
    pub kind: Do,
    /// Who: absent for the other agent's `arrive` and `remove`, and the server's `renumber`
    /// `forget` and `restart`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<ClientId>,
    /// For `remove`: the UID the other agent moves away.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<Uid>,
    /// For `send`: what the client asks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<Request>,
    /// For `send`: which of the changes it holds back for this session the server sends at
    /// the end of the command; for `push`, what it pushes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_sends: Option<Flush>,
    /// For `send` of a resync: how the server answered the QRESYNC SELECT where the spec
    /// leaves it a choice; absent for the default (exact VANISHED (EARLIER), FETCH for the
    /// known UIDs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub select: Option<SelectReply>,
    /// For `send` of a STORE on a message whose expunge the server holds back from this
    /// session: `no` if it answered NO; absent for the default (a new MODSEQ).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gone_store: Option<GoneStore>,
    /// For `send`: true if the server added an optional `[HIGHESTMODSEQ n]` to the tagged
    /// OK; absent for false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub adds_highestmodseq: bool,
    /// For `send` of a second command in flight: true if the server began it before
    /// completing the first, so its untagged lines go before the first's tagged response
    /// (RFC 3501 section 5.5); absent for false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub interleaves: bool,
    /// For `send`: the command lines.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sent: Vec<String>,
    /// For `send` and `push`: the response lines it queued on the connection.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub queued: Vec<String>,
    /// For `read`: the line read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read: Option<String>,
    /// For `drop`: the unread lines lost.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lost: Vec<String>,
    /// The state after the step, when traces are saved with snapshots.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<Snapshot>,
}

impl Step {
    /// The action this step names, without its lines.
    pub fn action(&self) -> Result<Action, String> {
        let chooses = self.server_sends.is_some()
            || self.select.is_some()
            || self.gone_store.is_some()
            || self.adds_highestmodseq
            || self.interleaves;
        let bare = self.client.is_none() && self.request.is_none() && !chooses;
        match (self.kind, self.uid) {
            (Do::Arrive, None) if bare => return Ok(Action::Arrive),
            (Do::Arrive, _) => {
                return Err(
                    "an `arrive` step names no client, UID, request or server choice".into(),
                );
            }
            (Do::Renumber, None) if bare => return Ok(Action::Renumber),
            (Do::Forget, None) if bare => return Ok(Action::Forget),
            (Do::Forget, _) => {
                return Err(
                    "a `forget` step names no client, UID, request or server choice".into(),
                );
            }
            (Do::Restart, None) if bare => return Ok(Action::Restart),
            (Do::Restart, _) => {
                return Err(
                    "a `restart` step names no client, UID, request or server choice".into(),
                );
            }
            (Do::Renumber, _) => {
                return Err(
                    "a `renumber` step names no client, UID, request or server choice".into(),
                );
            }
            (Do::Remove, Some(uid)) if bare => return Ok(Action::Remove { uid }),
            (Do::Remove, _) => {
                return Err(
                    "a `remove` step names a `uid`, and no client, request or server choice".into(),
                );
            }
            (_, Some(_)) => return Err("only a `remove` step has a `uid`".into()),
            (_, None) => {}
        }
        let client = self
            .client
            .ok_or("a `send`, `read` or `drop` step needs a `client`")?;
        match (self.kind, self.request, self.server_sends) {
            (Do::Send, Some(request), Some(flush)) => Ok(Action::Issue {
                client,
                request,
                reply: Reply {
                    flush,
                    select: self.select.unwrap_or_default(),
                    gone: self.gone_store.unwrap_or_default(),
                    code: self.adds_highestmodseq,
                    interleave: self.interleaves,
                },
            }),
            (Do::Send, _, _) => Err("a `send` step needs `request` and `server_sends`".into()),
            (Do::Push, None, Some(flush))
                if self.select.is_none() && self.gone_store.is_none() && !self.interleaves =>
            {
                Ok(Action::Push {
                    client,
                    reply: Reply {
                        flush,
                        code: self.adds_highestmodseq,
                        ..Reply::default()
                    },
                })
            }
            (Do::Push, _, _) => Err(
                "a `push` step needs `client` and `server_sends`, and may have \
                 `adds_highestmodseq`; no `request`, `select` or `gone_store`"
                    .into(),
            ),
            (Do::Read | Do::Drop, None, _) if !chooses => Ok(match self.kind {
                Do::Read => Action::Read { client },
                _ => Action::Drop { client },
            }),
            (_, _, _) => Err(
                "only a `send` step has `request`, `server_sends`, `select`, `gone_store`, \
                 `adds_highestmodseq` and `interleaves`"
                    .into(),
            ),
        }
    }

    /// A step naming `action`, without lines.
    pub fn bare(action: Action) -> Step {
        let mut step = Step {
            kind: Do::Read,
            client: None,
            uid: None,
            request: None,
            server_sends: None,
            select: None,
            gone_store: None,
            adds_highestmodseq: false,
            interleaves: false,
            sent: Vec::new(),
            queued: Vec::new(),
            read: None,
            lost: Vec::new(),
            state: None,
        };
        match action {
            Action::Issue {
                client,
                request,
                reply,
            } => {
                step.kind = Do::Send;
                step.client = Some(client);
                step.request = Some(request);
                step.server_sends = Some(reply.flush);
                step.select = (reply.select != SelectReply::default()).then_some(reply.select);
                step.gone_store = (reply.gone != GoneStore::default()).then_some(reply.gone);
                step.adds_highestmodseq = reply.code;
                step.interleaves = reply.interleave;
            }
            Action::Push { client, reply } => {
                step.kind = Do::Push;
                step.client = Some(client);
                step.server_sends = Some(reply.flush);
                step.adds_highestmodseq = reply.code;
            }
            Action::Read { client } => step.client = Some(client),
            Action::Drop { client } => {
                step.kind = Do::Drop;
                step.client = Some(client);
            }
            Action::Arrive => step.kind = Do::Arrive,
            Action::Renumber => step.kind = Do::Renumber,
            Action::Forget => step.kind = Do::Forget,
            Action::Restart => step.kind = Do::Restart,
            Action::Remove { uid } => {
                step.kind = Do::Remove;
                step.uid = Some(uid);
            }
        }
        step
    }

    /// Whether the step carries any line or snapshot (a script step must not).
    pub fn has_outcome(&self) -> bool {
        !self.sent.is_empty()
            || !self.queued.is_empty()
            || self.read.is_some()
            || !self.lost.is_empty()
            || self.state.is_some()
    }
}
