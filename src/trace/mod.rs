//! Counterexample traces: a path of named steps (who did what, never stateright action
//! indices), each with the IMAP lines it produced, and the model it ran on. Saved as JSON,
//! replayed, minimized and rendered as text, markdown or SVG.

pub mod blame;
pub mod markdown;
pub mod minimize;
pub mod replay;
pub mod reproduce;
pub mod save;
pub mod snapshot;
pub mod svg;
pub mod text;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::client::Request;
use crate::imap::types::{ClientId, Uid};
use crate::imap::wire;
use crate::server::{Flush, GoneStore, Reply, SelectReply};
use crate::setup::{self, Bounds};
use crate::system::{Action, Config, System};
use snapshot::Snapshot;

/// Bumped whenever a change to the format would make an older reader misread a file.
pub const FORMAT_VERSION: u32 = 1;

/// The tool that wrote a trace.
pub fn tool() -> String {
    format!("resync-check {}", env!("CARGO_PKG_VERSION"))
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trace {
    pub format_version: u32,
    pub tool: String,
    pub model: ModelInfo,
    /// The property the last state violates.
    pub property: String,
    /// A command that reproduces this trace.
    pub reproduce: String,
    pub steps: Vec<Step>,
}

/// Everything that defines the model a trace ran on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelInfo {
    pub name: String,
    pub edition: String,
    /// Every clause with its value, the edition's and any override.
    #[serde(deserialize_with = "crate::json::unique_map")]
    pub clauses: BTreeMap<String, String>,
    pub clients: u8,
    pub messages: u32,
    pub commands: u8,
    /// Messages another agent may append (absent: none).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub arrivals: u8,
    /// Of those, messages it may move away again (absent: none).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub removals: u8,
}

fn is_zero(n: &u8) -> bool {
    *n == 0
}

impl ModelInfo {
    pub fn new(name: &str, edition: &str, config: &Config) -> ModelInfo {
        ModelInfo {
            name: name.to_string(),
            edition: edition.to_string(),
            clauses: config
                .spec
                .values()
                .iter()
                .map(|(c, v)| (c.to_string(), v.to_string()))
                .collect(),
            clients: config.clients,
            messages: config.messages,
            commands: config.commands,
            arrivals: config.arrivals,
            removals: config.removals,
        }
    }

    /// Every clause must be named, as [`ModelInfo::new`] writes them: a trace or summary says
    /// which value each clause had, not only the ones that differ from the edition.
    pub fn check_complete(&self) -> Result<(), String> {
        let missing: Vec<&str> = crate::spec::clauses()
            .iter()
            .map(|c| c.name)
            .filter(|name| !self.clauses.contains_key(*name))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        Err(format!(
            "`model.clauses` does not name {}: a trace names every clause with its value",
            missing
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }

    pub fn config(&self) -> Result<Config, String> {
        let clauses: Vec<(String, String)> = self.clauses.clone().into_iter().collect();
        let bounds = Bounds {
            clients: Some(self.clients.into()),
            messages: Some(self.messages.into()),
            commands: Some(self.commands.into()),
            arrivals: Some(self.arrivals.into()),
            removals: Some(self.removals.into()),
        };
        setup::config(&self.edition, &clauses, bounds)
    }
}

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
    /// Who: absent for the other agent's `arrive` and `remove`, and the server's `renumber`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<ClientId>,
    /// For `remove`: the UID the other agent moves away.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<Uid>,
    /// For `send`: what the client asks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<Request>,
    /// For `send`: which of the changes it holds back for this session the server sends at
    /// the end of the command.
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
    /// For `send`: the command lines.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sent: Vec<String>,
    /// For `send`: the response lines queued on the connection.
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
            || self.adds_highestmodseq;
        let bare = self.client.is_none() && self.request.is_none() && !chooses;
        match (self.kind, self.uid) {
            (Do::Arrive, None) if bare => return Ok(Action::Arrive),
            (Do::Arrive, _) => {
                return Err(
                    "an `arrive` step names no client, UID, request or server choice".into(),
                );
            }
            (Do::Renumber, None) if bare => return Ok(Action::Renumber),
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
                },
            }),
            (Do::Send, _, _) => Err("a `send` step needs `request` and `server_sends`".into()),
            (Do::Read | Do::Drop, None, _) if !chooses => Ok(match self.kind {
                Do::Read => Action::Read { client },
                _ => Action::Drop { client },
            }),
            (_, _, _) => Err(
                "only a `send` step has `request`, `server_sends`, `select`, `gone_store` and \
                 `adds_highestmodseq`"
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
            }
            Action::Read { client } => step.client = Some(client),
            Action::Drop { client } => {
                step.kind = Do::Drop;
                step.client = Some(client);
            }
            Action::Arrive => step.kind = Do::Arrive,
            Action::Renumber => step.kind = Do::Renumber,
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

/// Applies `action` to `state` and returns the step with the lines it produced.
pub fn step(config: &Config, state: &mut System, action: Action, snapshots: bool) -> Step {
    let mut step = Step::bare(action);
    match action {
        Action::Issue {
            client, request, ..
        } => {
            let commands = state.clients[client.index()].commands(request, &config.spec);
            step.sent = commands
                .iter()
                .map(|(tag, command)| wire::command(*tag, command))
                .collect();
            state.apply(config, action);
            let queue = &state.clients[client.index()]
                .connection
                .as_ref()
                .expect("a send leaves a connection")
                .queue;
            step.queued = queue.iter().map(wire::response).collect();
        }
        Action::Read { client } => {
            let line = queued(state, client).first().cloned();
            state.apply(config, action);
            step.read = line;
        }
        Action::Drop { client } => {
            step.lost = queued(state, client);
            state.apply(config, action);
        }
        Action::Arrive | Action::Remove { .. } | Action::Renumber => state.apply(config, action),
    }
    if snapshots {
        step.state = Some(Snapshot::of(state));
    }
    step
}

fn queued(state: &System, client: ClientId) -> Vec<String> {
    state.clients[client.index()]
        .connection
        .as_ref()
        .map(|c| c.queue.iter().map(wire::response).collect())
        .unwrap_or_default()
}

impl Trace {
    /// Runs `actions` from the initial state and records every step's lines.
    pub fn record(
        model: ModelInfo,
        config: &Config,
        property: &str,
        reproduce: String,
        actions: &[Action],
        snapshots: bool,
    ) -> Trace {
        let mut state = System::initial(config);
        let steps = actions
            .iter()
            .map(|a| step(config, &mut state, *a, snapshots))
            .collect();
        Trace {
            format_version: FORMAT_VERSION,
            tool: tool(),
            model,
            property: property.to_string(),
            reproduce,
            steps,
        }
    }

    /// Pretty JSON with a final newline: the same trace always gives the same bytes.
    pub fn to_json(&self) -> String {
        crate::json::to_pretty(self)
    }

    /// Parses a trace; errors give line and column.
    pub fn from_json(text: &str) -> Result<Trace, String> {
        let trace: Trace = crate::json::parse(text)?;
        if trace.format_version != FORMAT_VERSION {
            return Err(format!(
                "format_version {} is not supported (this tool reads version {FORMAT_VERSION})",
                trace.format_version
            ));
        }
        Ok(trace)
    }

    pub fn actions(&self) -> Result<Vec<Action>, String> {
        self.steps
            .iter()
            .enumerate()
            .map(|(i, s)| s.action().map_err(|e| format!("step {}: {e}", i + 1)))
            .collect()
    }
}

/// The flags that select a model: every setting as a flag, so they hold whatever the model
/// file says; the file itself only when it carries a script, which no flag can give.
pub fn model_flags(script_file: Option<&str>, info: &ModelInfo) -> String {
    let mut flags = String::new();
    if let Some(path) = script_file {
        let word = reproduce::path_word(path).unwrap_or_else(|| path.to_string());
        flags.push_str(&format!(" {word}"));
    }
    flags.push_str(&format!(" --edition {}", info.edition));
    if let Ok(edition) = crate::spec::edition(&info.edition) {
        for (clause, default) in edition.spec.values() {
            match info.clauses.get(clause) {
                Some(value) if value != default => {
                    flags.push_str(&format!(" --clause {clause}={value}"))
                }
                _ => {}
            }
        }
    }
    flags.push_str(&format!(
        " --clients {} --messages {} --commands {}",
        info.clients, info.messages, info.commands
    ));
    if info.arrivals > 0 {
        flags.push_str(&format!(" --arrivals {}", info.arrivals));
    }
    if info.removals > 0 {
        flags.push_str(&format!(" --removals {}", info.removals));
    }
    flags
}

/// The `check` command line that reproduces a model's counterexample for `property`.
pub fn check_command(script_file: Option<&str>, info: &ModelInfo, property: &str) -> String {
    format!(
        "resync-check check{} --property {property}",
        model_flags(script_file, info)
    )
}

/// The trace of each violated property of `outcome`, recorded and replayed. An error here
/// is the tool's own fault (a path it found that does not replay), said as such.
pub fn record_violations(
    setup: &crate::setup::ModelSetup,
    outcome: &crate::check::CheckOutcome,
    snapshots: bool,
) -> Result<Vec<(Trace, replay::Replayed)>, String> {
    let info = ModelInfo::new(&setup.name, &setup.edition, &setup.config);
    let mut out = Vec::new();
    for p in &outcome.properties {
        let Some(actions) = &p.counterexample else {
            continue;
        };
        let name = crate::properties::PROPERTIES[p.property].name;
        let reproduce = check_command(setup.script_file.as_deref(), &info, name);
        let trace = Trace::record(
            info.clone(),
            &setup.config,
            name,
            reproduce,
            actions,
            snapshots,
        );
        let replayed = replay::replay(&trace).map_err(|e| {
            format!("internal error: the counterexample found for {name} does not replay: {e:?}")
        })?;
        out.push((trace, replayed));
    }
    Ok(out)
}
