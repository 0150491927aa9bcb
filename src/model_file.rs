//! Model files (`models/*.json`): a spec edition with clause overrides, bounds, the
//! properties to check and the expected verdicts. Unknown fields are rejected; errors name
//! the file, and syntax errors their line and column.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::check::{CheckOutcome, Completion, Verdict};
use crate::properties::{Kind, PROPERTIES, property};
use crate::step::Step;
use crate::system::Action;

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawModel {
    description: String,
    edition: String,
    #[serde(default, deserialize_with = "crate::json::unique_map")]
    clauses: BTreeMap<String, String>,
    clients: Option<u64>,
    messages: Option<u64>,
    commands: Option<u64>,
    arrivals: Option<u64>,
    removals: Option<u64>,
    /// The properties to check; all when absent.
    properties: Option<Vec<String>>,
    /// Steps the checker follows before it explores freely.
    #[serde(default)]
    script: Vec<Step>,
    expect: Option<RawExpect>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawExpect {
    #[serde(deserialize_with = "crate::json::unique_map")]
    verdicts: BTreeMap<String, String>,
    unique_states: Option<usize>,
}

/// Bounds as a model file or flags give them; None takes the default (`setup` applies the
/// defaults and the limits). Here, with the file that reads them, so that `setup` depends on
/// this module and not the other way round.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bounds {
    pub clients: Option<u64>,
    pub messages: Option<u64>,
    pub commands: Option<u64>,
    /// Messages another agent may append; default none.
    pub arrivals: Option<u64>,
    /// Of those, messages it may move away again; default none.
    pub removals: Option<u64>,
}

impl Bounds {
    /// `self` where given, else `base`.
    pub fn or(self, base: Bounds) -> Bounds {
        Bounds {
            clients: self.clients.or(base.clients),
            messages: self.messages.or(base.messages),
            commands: self.commands.or(base.commands),
            arrivals: self.arrivals.or(base.arrivals),
            removals: self.removals.or(base.removals),
        }
    }
}

pub struct ModelFile {
    pub path: PathBuf,
    /// The file name without `.json`: names the model in reports.
    pub name: String,
    pub description: String,
    pub edition: String,
    pub clauses: Vec<(String, String)>,
    pub bounds: Bounds,
    /// Indices into [`PROPERTIES`].
    pub properties: Vec<usize>,
    /// The fixed prefix of steps (see `check::check`); empty for most models.
    pub script: Vec<Action>,
    pub expect: Option<Expect>,
}

#[derive(Clone)]
pub struct Expect {
    /// (index into [`PROPERTIES`], verdict)
    pub verdicts: Vec<(usize, Verdict)>,
    /// The unique state count of the complete run.
    pub unique_states: Option<usize>,
}

pub fn load(path: &Path) -> Result<ModelFile, String> {
    parse(path, &crate::json::read(path)?)
}

/// The properties a list names, each once, in its order; `what` names the list in errors.
pub fn property_list(names: &[String], what: &str) -> Result<Vec<usize>, String> {
    if names.is_empty() {
        return Err(format!(
            "{what} is empty, so nothing would be checked: name at least one property, or \
             leave it out to check them all"
        ));
    }
    let mut out = Vec::new();
    for name in names {
        let i = property_index(name).map_err(|e| format!("{what}: {e}"))?;
        if out.contains(&i) {
            return Err(format!("{what}: `{name}` is listed twice"));
        }
        out.push(i);
    }
    Ok(out)
}

/// A model file's `text`, read from `path` (which names the model and the errors).
pub fn parse(path: &Path, text: &str) -> Result<ModelFile, String> {
    let shown = path.display();
    let raw: RawModel = crate::json::parse(text).map_err(|e| format!("{shown}: {e}"))?;
    let properties: Vec<usize> = match &raw.properties {
        None => (0..PROPERTIES.len()).collect(),
        Some(names) => property_list(names, "`properties`").map_err(|e| format!("{shown}: {e}"))?,
    };
    let expect = match raw.expect {
        None => None,
        Some(expect) => {
            let mut verdicts = Vec::new();
            for (name, verdict) in &expect.verdicts {
                let i = property_index(name).map_err(|e| format!("{shown}: expect: {e}"))?;
                let verdict =
                    parse_verdict(i, verdict).map_err(|e| format!("{shown}: expect: {e}"))?;
                if !properties.contains(&i) {
                    return Err(format!(
                        "{shown}: expect: `{name}` is not among the properties the model checks"
                    ));
                }
                verdicts.push((i, verdict));
            }
            Some(Expect {
                verdicts,
                unique_states: expect.unique_states,
            })
        }
    };
    let mut script = Vec::new();
    for (i, step) in raw.script.iter().enumerate() {
        if step.has_outcome() {
            return Err(format!(
                "{shown}: script step {}: a script names actions only, without lines or state",
                i + 1
            ));
        }
        let action = step
            .action()
            .map_err(|e| format!("{shown}: script step {}: {e}", i + 1))?;
        script.push(action);
    }
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(ModelFile {
        path: path.to_path_buf(),
        name,
        description: raw.description,
        edition: raw.edition,
        clauses: raw.clauses.into_iter().collect(),
        bounds: Bounds {
            clients: raw.clients,
            messages: raw.messages,
            commands: raw.commands,
            arrivals: raw.arrivals,
            removals: raw.removals,
        },
        properties,
        script,
        expect,
    })
}

pub fn property_index(name: &str) -> Result<usize, String> {
    match property(name) {
        Some(p) => Ok(PROPERTIES.iter().position(|q| q.name == p.name).unwrap()),
        None => Err(format!(
            "unknown property `{name}`; valid properties: {}",
            PROPERTIES
                .iter()
                .map(|p| p.name)
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

fn parse_verdict(property: usize, text: &str) -> Result<Verdict, String> {
    let valid: &[Verdict] = match PROPERTIES[property].kind {
        Kind::Always => &[Verdict::Holds, Verdict::Violated],
        Kind::Sometimes => &[Verdict::Reached, Verdict::Unreached, Verdict::NotApplicable],
    };
    valid
        .iter()
        .copied()
        .find(|v| v.name() == text)
        .ok_or_else(|| {
            let names: Vec<&str> = valid.iter().map(|v| v.name()).collect();
            format!(
                "unknown verdict `{text}` for `{}`; valid verdicts: {}",
                PROPERTIES[property].name,
                names.join(", ")
            )
        })
}

/// The model files a `verify` argument names: the file itself, or every `*.json` in a
/// directory, sorted by name.
pub fn files(path: &Path) -> Result<Vec<PathBuf>, String> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let entries = std::fs::read_dir(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!(
            "{}: no model files (*.json) in this directory",
            path.display()
        ));
    }
    Ok(files)
}

/// Each way `outcome` differs from what the file expects.
pub fn mismatches(expect: &Expect, outcome: &CheckOutcome) -> Vec<String> {
    let mut out = Vec::new();
    for (i, expected) in &expect.verdicts {
        let name = PROPERTIES[*i].name;
        match outcome.verdict(name) {
            Some(actual) if actual == *expected => {}
            Some(actual) => out.push(format!(
                "{name}: expected {}, got {}",
                expected.name(),
                actual.name()
            )),
            None => out.push(format!("{name}: not checked")),
        }
    }
    if let Some(expected) = expect.unique_states {
        let actual = outcome.statistics.unique_states;
        if outcome.completion != Completion::Complete {
            out.push(format!(
                "unique states: expected {expected} from a complete run, but the run was incomplete"
            ));
        } else if actual != expected {
            out.push(format!("unique states: expected {expected}, got {actual}"));
        }
    }
    out
}
