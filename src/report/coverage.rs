//! What `check --coverage` prints (check/coverage/): what the bounds never exercised first,
//! as TLC lists the actions it never took, then every count.

use std::fmt::Write;

use serde::Serialize;

use crate::check::coverage::{ClauseCount, Count, Coverage};

/// The coverage section of the text output, or the sentence saying why there is none.
pub fn text(coverage: &Result<Coverage, String>) -> String {
    let coverage = match coverage {
        Ok(coverage) => coverage,
        Err(why) => {
            return format!(
                "\ncoverage: none: the space was not explored to its end ({why}); coverage \
                 counts only a complete run\n"
            );
        }
    };
    let mut out = String::new();
    let clients = match coverage.reduction.contains("symmetry") {
        true => "; under symmetry C1 is the first client in canonical order",
        false => "",
    };
    writeln!(
        out,
        "\ncoverage: {} transitions out of {} states, {} (its moves are counted{clients})",
        coverage.transitions,
        coverage.states,
        match coverage.reduction.as_str() {
            "none" => "the line-by-line graph, with no reduction".to_string(),
            reduction => format!("the graph as reduced by {reduction}"),
        }
    )
    .unwrap();
    let (counts, clauses) = coverage.never();
    match counts.len() + clauses.len() {
        0 => writeln!(out, "never exercised at these bounds: nothing").unwrap(),
        n => {
            writeln!(out, "never exercised at these bounds ({n}):").unwrap();
            for count in counts {
                writeln!(out, "  {}", name(count)).unwrap();
            }
            for clause in clauses {
                writeln!(
                    out,
                    "  {}={} ({} has {}): no transition differs, so every verdict is vacuous \
                     for it",
                    clause.clause, clause.value, coverage.edition, clause.edition_value
                )
                .unwrap();
            }
        }
    }
    for (section, title) in [("action", "actions"), ("server choice", "server choices")] {
        writeln!(out, "{title}:").unwrap();
        let rows: Vec<&Count> = coverage
            .counts
            .iter()
            .filter(|c| c.section == section)
            .collect();
        let width = rows.iter().map(|c| name(c).len()).max().unwrap_or(0);
        for count in rows {
            writeln!(out, "  {:<width$}  {}", name(count), count.transitions).unwrap();
        }
    }
    match coverage.clauses.is_empty() {
        true => writeln!(
            out,
            "clause values: every one is {}'s, so none is compared",
            coverage.edition
        )
        .unwrap(),
        false => {
            writeln!(
                out,
                "clause values away from {}'s (changed: transitions its value would not take; \
                 withheld: transitions its value would take from these states that this one \
                 does not):",
                coverage.edition
            )
            .unwrap();
            for clause in &coverage.clauses {
                writeln!(out, "  {}", clause_line(clause, &coverage.edition)).unwrap();
            }
        }
    }
    out
}

fn name(count: &Count) -> String {
    match count.section {
        "action" => format!("{} {}", count.group, count.kind),
        _ => format!("{}: {}", count.group, count.kind),
    }
}

fn clause_line(clause: &ClauseCount, edition: &str) -> String {
    format!(
        "{}={} ({edition} has {}): {} changed, {} withheld{}",
        clause.clause,
        clause.value,
        clause.edition_value,
        clause.changed,
        clause.withheld,
        match clause.in_script {
            0 => String::new(),
            n => format!(", {n} of the script's steps"),
        }
    )
}

/// The coverage of `--format json`: the counts, or why there are none.
#[derive(Serialize)]
pub struct Json<'a> {
    /// Whether the counts are there: the run, and the coverage walk, explored the whole
    /// space.
    pub complete: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<&'a str>,
    /// The kinds (`section`, `group`, `kind`) and clause values no transition exercised,
    /// as the text lists them first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub never: Option<Vec<String>>,
    #[serde(flatten)]
    pub counts: Option<&'a Coverage>,
}

pub fn json(coverage: &Result<Coverage, String>) -> Json<'_> {
    match coverage {
        Ok(c) => {
            let (counts, clauses) = c.never();
            let mut never: Vec<String> = counts.into_iter().map(name).collect();
            never.extend(
                clauses
                    .into_iter()
                    .map(|k| format!("{}={}", k.clause, k.value)),
            );
            Json {
                complete: true,
                why: None,
                never: Some(never),
                counts: Some(c),
            }
        }
        Err(why) => Json {
            complete: false,
            why: Some(why),
            never: None,
            counts: None,
        },
    }
}
