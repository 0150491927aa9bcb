//! The conformance table, as text, markdown or JSON, and the clause flags the findings give.

use serde::Serialize;

use super::scenarios::{Finding, Outcome, Verdict};
use crate::spec;

fn verdict(f: &Finding) -> String {
    let section = f.section;
    match f.verdict {
        Verdict::Conforms => format!("conforms ({section})"),
        Verdict::Breaks => format!("BREAKS {section}"),
        Verdict::Pitfall => format!("pitfall ({section})"),
        Verdict::NotExercised => format!("not exercised ({section}; it needs {})", f.needs),
    }
}

/// The `--clause NAME=VALUE` flags of the findings that name a value of a catalogued clause,
/// and the other clauses' values they imply (`Finding::implies`).
pub fn clause_flags(outcomes: &[Outcome]) -> Vec<String> {
    let known: Vec<&str> = spec::clauses().iter().map(|c| c.name).collect();
    outcomes
        .iter()
        .filter_map(|o| o.result.as_ref().ok())
        .filter(|f| known.contains(&f.clause))
        .flat_map(|f| {
            let own = f.value.as_ref().map(|v| format!("{}={v}", f.clause));
            own.into_iter().chain(f.implies.iter().cloned())
        })
        .collect()
}

/// The table as plain text: one block per scenario, evidence lines indented.
pub fn text(server: &str, outcomes: &[Outcome]) -> String {
    let mut out = format!("conformance of {server} (RFC 7162)\n\n");
    for o in outcomes {
        match &o.result {
            Ok(f) => {
                out.push_str(&format!("{}: {}\n", f.clause, verdict(f)));
                if let Some(v) = &f.value {
                    out.push_str(&format!("  value     {}={v}\n", f.clause));
                }
                if !f.implies.is_empty() {
                    out.push_str(&format!("  implies   {}\n", f.implies.join(" ")));
                }
                out.push_str(&format!("  observed  {}\n", f.observed));
                out.push_str(&format!("  requires  {}\n", f.required));
                out.push_str(&format!("  needs     {}\n", f.needs));
                for line in &f.evidence {
                    out.push_str(&format!("    {line}\n"));
                }
            }
            Err(e) => out.push_str(&format!("{}: ERROR {e}\n", o.scenario)),
        }
        out.push('\n');
    }
    out
}

/// The table as markdown, then each scenario's evidence as a code block.
pub fn markdown(server: &str, outcomes: &[Outcome]) -> String {
    let cell = |s: &str| s.replace('|', "\\|");
    let mut out = format!(
        "Conformance of {server} (RFC 7162)\n\n| clause | observed | RFC 7162 requires | verdict |\n|---|---|---|---|\n"
    );
    for o in outcomes {
        match &o.result {
            Ok(f) => out.push_str(&format!(
                "| `{}` | {}{} | {} | {} |\n",
                cell(f.clause),
                f.value
                    .as_ref()
                    .map_or(String::new(), |v| format!("`{v}`: ")),
                cell(&f.observed),
                cell(f.required),
                verdict(f)
            )),
            Err(e) => out.push_str(&format!("| {} | error: {} | | |\n", o.scenario, cell(e))),
        }
    }
    for o in outcomes {
        if let Ok(f) = &o.result {
            out.push_str(&format!(
                "\n{}:\n```\n{}\n```\n",
                f.clause,
                f.evidence.join("\n")
            ));
        }
    }
    out
}

#[derive(Serialize)]
struct Json<'a> {
    server: &'a str,
    greeting: &'a str,
    outcomes: &'a [Outcome],
    clause_flags: Vec<String>,
    seconds: f64,
}

pub fn json(server: &str, greeting: &str, outcomes: &[Outcome], seconds: f64) -> String {
    let doc = Json {
        server,
        greeting,
        outcomes,
        clause_flags: clause_flags(outcomes),
        seconds,
    };
    serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}")) + "\n"
}
