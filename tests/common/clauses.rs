//! rfc7162 with clause values, at the pitfall tests' bounds, and the verdicts it violates.

use resync_check::check::{CheckOutcome, Verdict};
use resync_check::properties::PROPERTIES;
use resync_check::setup::{Bounds, config};
use resync_check::system::Config;

/// rfc7162 with `clauses` set, at 2 clients, 2 messages and `commands` commands each.
pub fn rfc7162_with(clauses: &[(&str, &str)], commands: u64) -> Config {
    let bounds = Bounds {
        clients: Some(2),
        messages: Some(2),
        commands: Some(commands),
        arrivals: None,
        removals: None,
    };
    let clauses: Vec<(String, String)> = clauses
        .iter()
        .map(|(c, v)| (c.to_string(), v.to_string()))
        .collect();
    config("rfc7162", &clauses, bounds).unwrap()
}

/// The properties `outcome` found violated, in catalogue order.
pub fn violated(outcome: &CheckOutcome) -> Vec<&'static str> {
    PROPERTIES
        .iter()
        .filter(|p| outcome.verdict(p.name) == Some(Verdict::Violated))
        .map(|p| p.name)
        .collect()
}
