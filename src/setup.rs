//! Turns an edition, clause overrides and bounds (from flags or a model file) into a
//! validated [`Config`].

use crate::spec::edition;
use crate::system::Config;

pub const DEFAULT_EDITION: &str = "rfc5162";
pub const DEFAULT_CLIENTS: u8 = 2;
pub const DEFAULT_MESSAGES: u32 = 2;
/// At 3 commands per client the rfc7162 space has 68,145,730 states (about three minutes on
/// 2 cores); at 2 it has 742,642 and still holds the erratum's counterexample.
pub const DEFAULT_COMMANDS: u8 = 2;

const MAX_CLIENTS: u64 = 9;
const MAX_MESSAGES: u64 = 99;
const MAX_COMMANDS: u64 = 99;
const MAX_ARRIVALS: u64 = 9;

/// Bounds as given; None takes the default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bounds {
    pub clients: Option<u64>,
    pub messages: Option<u64>,
    pub commands: Option<u64>,
    /// Messages another agent may append; default none.
    pub arrivals: Option<u64>,
}

impl Bounds {
    /// `self` where given, else `base`.
    pub fn or(self, base: Bounds) -> Bounds {
        Bounds {
            clients: self.clients.or(base.clients),
            messages: self.messages.or(base.messages),
            commands: self.commands.or(base.commands),
            arrivals: self.arrivals.or(base.arrivals),
        }
    }
}

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
    Ok(Config {
        arrivals: arrivals as u8,
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
