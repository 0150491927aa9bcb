//! Counterexample traces: a path of named steps (who did what, never stateright action
//! indices; the vocabulary is [`crate::step`]'s), each with the IMAP lines it produced, and
//! the model it ran on. Saved as JSON, replayed, minimized and rendered as text, markdown or
//! SVG.

pub mod blame;
pub mod detectability;
mod explain;
pub mod markdown;
pub mod minimize;
pub mod replay;
pub mod reproduce;
pub mod save;
pub mod state;
pub mod svg;
pub mod text;
mod words;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::imap::types::ClientId;
use crate::imap::wire;
use crate::setup::{self, Bounds};
use crate::step::Step;
use crate::step::snapshot::Snapshot;
use crate::system::{Action, Config, System};

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
                .shown_values()
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
    /// which value each clause had, not only the ones that differ from the edition. The
    /// exceptions are the clauses listings leave out at the values that change nothing
    /// (`Spec::shown_values`).
    pub fn check_complete(&self) -> Result<(), String> {
        let missing: Vec<&str> = crate::spec::clauses()
            .iter()
            .map(|c| c.name)
            // Left out only at the values that change nothing (`Spec::shown_values`).
            .filter(|name| !crate::spec::ELIDABLE.contains(name))
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
            // Lines still unread when the client sends (pushed ones, before DONE) are not
            // this command's.
            let before = queued(state, client).len();
            state.apply(config, action);
            let mut after = queued(state, client);
            // Interleaved (`server/pipeline.rs`): the first command's tagged line, which
            // was last, now stands between this command's untagged lines and its tagged one.
            if matches!(action, Action::Issue { reply, .. } if reply.interleave) {
                after.remove(after.len() - 2);
                step.queued = after.split_off(before - 1);
            } else {
                step.queued = after.split_off(before);
            }
        }
        Action::Push { client, .. } => {
            let before = queued(state, client).len();
            state.apply(config, action);
            step.queued = queued(state, client).split_off(before);
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
        Action::Arrive
        | Action::Remove { .. }
        | Action::Renumber
        | Action::Forget
        | Action::Restart => state.apply(config, action),
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
        let word = crate::shell::path_word(path).unwrap_or_else(|| path.to_string());
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
/// is the tool's own fault (a path it found that does not replay), said as such. `reduce`
/// is the run's `--reduce` value when not the default, which the reproduce commands name.
pub fn record_violations(
    setup: &crate::setup::ModelSetup,
    outcome: &crate::check::CheckOutcome,
    snapshots: bool,
    reduce: Option<&str>,
) -> Result<Vec<(Trace, replay::Replayed)>, String> {
    let info = ModelInfo::new(&setup.name, &setup.edition, &setup.config);
    let mut out = Vec::new();
    for p in &outcome.properties {
        // With `--counterexamples N`, each of them, the first being `counterexample`.
        let paths: Vec<&Vec<Action>> = match (&p.distinct, &p.counterexample) {
            (Some(distinct), _) => distinct.found.iter().map(|(path, _)| path).collect(),
            (None, Some(path)) => vec![path],
            (None, None) => continue,
        };
        let name = crate::properties::PROPERTIES[p.property].name;
        for (k, actions) in paths.into_iter().enumerate() {
            let mut reproduce = check_command(setup.script_file.as_deref(), &info, name);
            // Another reduction may find another path as short (reduce::OTHER_REDUCE_NAMES).
            if let Some(reduce) = reduce {
                reproduce.push_str(&format!(" --reduce {reduce}"));
            }
            // The second and after: `--counterexamples K` prints this one as its K-th and
            // last, as the search for more lists them in an order that depends neither on N
            // nor on the other properties (check/views.rs, search/views.rs).
            if k > 0 {
                reproduce.push_str(&format!(" --counterexamples {}", k + 1));
            }
            let trace = Trace::record(
                info.clone(),
                &setup.config,
                name,
                reproduce,
                actions,
                snapshots,
            );
            let replayed = replay::replay(&trace).map_err(|e| {
                format!(
                    "internal error: the counterexample found for {name} does not replay: {e:?}"
                )
            })?;
            out.push((trace, replayed));
        }
    }
    Ok(out)
}
