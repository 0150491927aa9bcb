//! Small models for the tests that compare searches: every edition, and every clause
//! value over rfc7162.

use resync_check::setup::{Bounds, config};
use resync_check::spec::{EDITIONS, clauses};
use resync_check::system::Config;

/// Every edition, and every clause value over rfc7162: two clients, one message, two
/// commands each; a clause about the other agent's race gets the arrivals it needs, one
/// removal, and one command each. Each distinct model once, under the first name that makes it: a
/// clause at rfc7162's own value is rfc7162, and a value that needs another clause's value
/// is often that value's model (`pipelined-highestmodseq=since-tagged` is
/// `client-pipelining=on`).
pub fn models() -> Vec<(String, Config)> {
    let small = Bounds {
        clients: Some(2),
        messages: Some(1),
        commands: Some(2),
        arrivals: None,
        removals: None,
    };
    let race = Bounds {
        commands: Some(1),
        arrivals: Some(1),
        removals: Some(1),
        ..small
    };
    let mut models: Vec<(String, Config)> = EDITIONS
        .iter()
        .map(|e| (e.name.to_string(), config(e.name, &[], small).unwrap()))
        .collect();
    for clause in clauses() {
        let bounds = match clause.arrivals_needed {
            0 => small,
            n => Bounds {
                arrivals: Some(n.into()),
                ..race
            },
        };
        for (value, _) in clause.values {
            // With the clauses it needs to make a difference (as the matrix checks it).
            let needed = clause
                .needs
                .iter()
                .map(|(c, v)| (c.to_string(), v.to_string()));
            let mut set: Vec<(String, String)> = needed.collect();
            set.push((clause.name.to_string(), value.to_string()));
            let name = format!("rfc7162 {}={value}", clause.name);
            let config = config("rfc7162", &set, bounds).unwrap();
            if !models.iter().any(|(_, c)| *c == config) {
                models.push((name, config));
            }
        }
    }
    models
}
