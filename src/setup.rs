//! Turns an edition, clause overrides and bounds (from flags, a model file, or both) into a
//! validated [`Config`] and a [`ModelSetup`] ready to check.

use std::path::PathBuf;

use crate::model_file::{self, ModelFile};
use crate::properties::PROPERTIES;
use crate::shell::path_word;
use crate::spec::edition;
use crate::step::run::run;
use crate::system::{Action, Config};

// Bounds are defined with the model file, which reads them and comes first; re-exported
// because `config` takes them, so its callers (flags, traces, tests) name them here.
pub use crate::model_file::Bounds;

pub const DEFAULT_EDITION: &str = "rfc5162";
pub const DEFAULT_CLIENTS: u8 = 2;
pub const DEFAULT_MESSAGES: u32 = 2;
/// At 2 commands per client the rfc7162 space has 1,211,425 states (about two seconds on 2
/// cores) and the rfc5162 one still holds the erratum's counterexample; 3 is some sixty times
/// larger.
pub const DEFAULT_COMMANDS: u8 = 2;

const MAX_CLIENTS: u64 = 9;
const MAX_MESSAGES: u64 = 99;
const MAX_COMMANDS: u64 = 99;
const MAX_ARRIVALS: u64 = 9;

// No UID exceeds messages + arrivals (`server/uid_set.rs`), and a session's sets hold UIDs up
// to `MAX_UID` only.
const _: () = assert!(MAX_MESSAGES + MAX_ARRIVALS <= crate::server::MAX_UID as u64);

fn bounded(name: &str, value: Option<u64>, default: u64, max: u64) -> Result<u64, String> {
    let value = value.unwrap_or(default);
    if value == 0 || value > max {
        return Err(format!("{name} must be between 1 and {max}, not {value}"));
    }
    Ok(value)
}

pub fn config(
    edition_name: &str,
    clauses: &[(String, String)],
    bounds: Bounds,
) -> Result<Config, String> {
    let mut spec = edition(edition_name).map_err(|e| e.to_string())?.spec;
    for (clause, value) in clauses {
        spec.set(clause, value).map_err(|e| e.to_string())?;
    }
    let arrivals = bounds.arrivals.unwrap_or(0);
    if arrivals > MAX_ARRIVALS {
        return Err(format!(
            "arrivals must be between 0 and {MAX_ARRIVALS}, not {arrivals}"
        ));
    }
    let removals = bounds.removals.unwrap_or(0);
    if removals > arrivals {
        return Err(format!(
            "removals ({removals}) cannot exceed arrivals ({arrivals}): the other agent only \
             moves away messages it appended"
        ));
    }
    Ok(Config {
        arrivals: arrivals as u8,
        removals: removals as u8,
        clients: bounded(
            "clients",
            bounds.clients,
            DEFAULT_CLIENTS.into(),
            MAX_CLIENTS,
        )? as u8,
        messages: bounded(
            "messages",
            bounds.messages,
            DEFAULT_MESSAGES.into(),
            MAX_MESSAGES,
        )? as u32,
        commands: bounded(
            "commands",
            bounds.commands,
            DEFAULT_COMMANDS.into(),
            MAX_COMMANDS,
        )? as u8,
        spec,
    })
}

/// Parses `NAME=VALUE` as given to `--clause`.
pub fn clause_assignment(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.is_empty() && !value.is_empty() => {
            Ok((name.to_string(), value.to_string()))
        }
        _ => Err(format!("expected NAME=VALUE, got `{text}`")),
    }
}

/// A model ready to check: from a model file, flags, or both.
pub struct ModelSetup {
    /// Names the model in reports and trace files.
    pub name: String,
    pub edition: String,
    pub description: Option<String>,
    pub config: Config,
    /// Steps to follow before exploring freely (see `check::check`).
    pub script: Vec<Action>,
    /// The model file, when its script is needed to reproduce a trace.
    pub script_file: Option<String>,
    /// Indices into [`PROPERTIES`].
    pub properties: Vec<usize>,
}

/// What the command line says of the model: a model file and flags that override it.
#[derive(Default)]
pub struct Overrides {
    pub model: Option<PathBuf>,
    pub edition: Option<String>,
    pub clauses: Vec<(String, String)>,
    pub bounds: Bounds,
    pub properties: Vec<String>,
}

/// A model file's model, with `edition` and `config` (the file's own, or overridden by
/// flags).
fn from_file(file: &ModelFile, edition: String, config: Config) -> Result<ModelSetup, String> {
    let shown = file.path.display().to_string();
    // The script is checked against the configuration the model will run, which flags may
    // have changed from the file's own: a step enabled under one may not be under another.
    run(&config, &file.script)
        .map_err(|(step, why)| format!("{shown}: script step {step}: {why}"))?;
    if !file.script.is_empty() && path_word(&shown).is_none() {
        return Err(format!(
            "{shown}: the path of a model file with a script may not hold a quote or a \
             control character: the commands that reproduce its traces name it"
        ));
    }
    Ok(ModelSetup {
        name: file.name.clone(),
        edition,
        description: Some(file.description.clone()),
        config,
        script: file.script.clone(),
        script_file: (!file.script.is_empty()).then(|| file.path.display().to_string()),
        properties: file.properties.clone(),
    })
}

/// A model file's own configuration; errors name the file.
fn file_config(file: &ModelFile) -> Result<Config, String> {
    config(&file.edition, &file.clauses, file.bounds)
        .map_err(|e| format!("{}: {e}", file.path.display()))
}

/// A model file's model as the file says.
pub fn of_file(file: &ModelFile) -> Result<ModelSetup, String> {
    let config = file_config(file)?;
    from_file(file, file.edition.clone(), config)
}

/// Refuses a flag given twice for the same name: the last would silently win.
fn once<'a>(flag: &str, names: impl Iterator<Item = &'a str>) -> Result<(), String> {
    let mut seen = Vec::new();
    for name in names {
        if seen.contains(&name) {
            return Err(format!("{flag} {name} is given twice: give each once"));
        }
        seen.push(name);
    }
    Ok(())
}

/// The model the command line names. Flags override the file field by field: `--edition`
/// replaces its edition, and `--clause` overrides apply after the file's own. Without a file,
/// `default_commands` bounds the commands.
pub fn prepare(args: &Overrides, default_commands: u64) -> Result<ModelSetup, String> {
    once("--clause", args.clauses.iter().map(|(c, _)| c.as_str()))?;
    once("--property", args.properties.iter().map(String::as_str))?;
    let file = args.model.as_deref().map(model_file::load).transpose()?;
    // The file must be sound on its own, whatever the flags change: its errors name it.
    if let Some(f) = &file {
        file_config(f)?;
    }
    let (edition, mut clauses, bounds) = match &file {
        Some(f) => (
            f.edition.clone(),
            f.clauses.clone(),
            args.bounds.or(f.bounds),
        ),
        None => {
            let defaults = Bounds {
                commands: Some(default_commands),
                ..Bounds::default()
            };
            let bounds = args.bounds.or(defaults);
            (DEFAULT_EDITION.to_string(), Vec::new(), bounds)
        }
    };
    let edition = args.edition.clone().unwrap_or(edition);
    clauses.extend(args.clauses.iter().cloned());
    let config = config(&edition, &clauses, bounds)?;
    let mut setup = match &file {
        Some(f) => from_file(f, edition, config)?,
        None => {
            let mut name = edition.clone();
            for (clause, value) in &clauses {
                name.push_str(&format!("+{clause}={value}"));
            }
            ModelSetup {
                name,
                edition,
                description: None,
                config,
                script: Vec::new(),
                script_file: None,
                properties: (0..PROPERTIES.len()).collect(),
            }
        }
    };
    if !args.properties.is_empty() {
        setup.properties = model_file::property_list(&args.properties, "--property")?;
    }
    Ok(setup)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_impossible_bounds_by_name() {
        let zero = Bounds {
            clients: Some(0),
            ..Bounds::default()
        };
        assert_eq!(
            config("rfc7162", &[], zero).unwrap_err(),
            "clients must be between 1 and 9, not 0"
        );
        let huge = Bounds {
            commands: Some(1000),
            ..Bounds::default()
        };
        assert_eq!(
            config("rfc7162", &[], huge).unwrap_err(),
            "commands must be between 1 and 99, not 1000"
        );
    }

    #[test]
    fn clause_overrides_apply_on_top_of_the_edition() {
        let clauses = vec![("client-close".to_string(), "keep".to_string())];
        let config = config("rfc5162", &clauses, Bounds::default()).unwrap();
        assert_eq!(config.spec.client_close, crate::spec::ClientClose::Keep);
        assert_eq!(config.commands, DEFAULT_COMMANDS);
        assert!(clause_assignment("client-close").is_err());
    }
}
