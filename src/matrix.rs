//! The clause matrix: from a base edition, every other value of every clause, checked alone,
//! with the verdict of each `always` property, the length of its shortest counterexample and
//! the state count; and the errata table: each erratum reverted alone from `rfc7162`, and
//! applied alone to `rfc5162`. A clause that only matters when another agent appends and
//! removes a message is checked with one arrival and one removal, and its row says so. A
//! row whose value never did anything the base's value would not (check/coverage/) is
//! vacuous at these bounds, and says so.

use std::collections::HashMap;
use std::fmt::Write;

use serde::Serialize;

use crate::check::{CheckOptions, CheckOutcome, Completion, Verdict, check, coverage};
use crate::properties::{Kind, PROPERTIES};
use crate::spec::{ERRATA, Spec, clauses, edition};
use crate::system::Config;

#[derive(Serialize)]
pub struct Matrix {
    pub base: String,
    pub clients: u8,
    pub messages: u32,
    pub commands: u8,
    pub arrivals: u8,
    pub removals: u8,
    /// The `always` properties, in column order.
    pub properties: Vec<&'static str>,
    pub rows: Vec<Row>,
    pub errata: Vec<ErratumRow>,
}

#[derive(Serialize)]
pub struct Row {
    /// `clause=value`, or the edition name for the base row.
    pub text: String,
    /// The value's RFC section or source.
    pub source: &'static str,
    pub result: Outcome,
}

#[derive(Serialize)]
pub struct ErratumRow {
    pub erratum: u32,
    pub title: &'static str,
    /// `revert from rfc7162` or `apply to rfc5162`.
    pub change: String,
    pub text: String,
    pub result: Outcome,
}

#[derive(Clone, Serialize)]
pub struct Outcome {
    /// Per `always` property: `holds`, `violated`, or `undecided`.
    pub verdicts: Vec<&'static str>,
    /// Per `always` property: the shortest counterexample's length, if violated.
    pub steps: Vec<Option<usize>>,
    /// `sometimes` properties never reached: the row is vacuous for them.
    pub unreached: Vec<&'static str>,
    pub unique_states: usize,
    pub complete: bool,
    /// The other agent's bounds for this row, where they differ from the matrix's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other_agent: Option<OtherAgent>,
    /// The other clauses set for this row (`clause=value`), which the row's clause needs
    /// to make any difference.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub with: Vec<String>,
    /// Whether the row's value never did anything the base's (an erratum row's: its
    /// edition's) would not: every verdict is vacuous for it (`coverage::exercised`).
    pub vacuous: bool,
}

#[derive(Clone, Copy, Serialize)]
pub struct OtherAgent {
    pub messages: u32,
    pub arrivals: u8,
    pub removals: u8,
}

fn always() -> Vec<usize> {
    (0..PROPERTIES.len())
        .filter(|i| PROPERTIES[*i].kind == Kind::Always)
        .collect()
}

fn outcome(outcome: &CheckOutcome) -> Outcome {
    let mut result = Outcome {
        verdicts: Vec::new(),
        steps: Vec::new(),
        unreached: Vec::new(),
        unique_states: outcome.statistics.unique_states,
        complete: outcome.completion == Completion::Complete,
        other_agent: None,
        with: Vec::new(),
        vacuous: false,
    };
    for p in &outcome.properties {
        let property = &PROPERTIES[p.property];
        match property.kind {
            Kind::Always => {
                result.verdicts.push(p.verdict.name());
                result.steps.push(p.counterexample.as_ref().map(Vec::len));
            }
            Kind::Sometimes if p.verdict == Verdict::Unreached => {
                result.unreached.push(property.name)
            }
            Kind::Sometimes => {}
        }
    }
    result
}

/// Runs the checks, each distinct model once (an erratum reverted from `rfc7162` is often a
/// clause row of the matrix from `rfc7162`).
struct Runner {
    config: Config,
    options: CheckOptions,
    done: HashMap<Config, Outcome>,
    /// Whether a clause's value in a config made a difference against another value.
    exercised: HashMap<(Config, &'static str, &'static str), bool>,
}

impl Runner {
    /// `spec` under the matrix's bounds, with the arrivals `clause` needs, one removal and at
    /// most one message to begin with (a second multiplies the space by about seven), if it
    /// needs the other agent. `reference` has the value the row's is compared with (vacuity).
    fn run(&mut self, spec: Spec, clause: Option<&'static str>, reference: &Spec) -> Outcome {
        let arrivals_needed = clauses()
            .iter()
            .filter(|c| Some(c.name) == clause)
            .map(|c| c.arrivals_needed)
            .max()
            .unwrap_or(0);
        let mut spec = spec;
        let mut with = Vec::new();
        // A clause that answers a server event the editions never produce is checked with
        // that event on.
        for c in clauses().iter().filter(|c| Some(c.name) == clause) {
            for (name, value) in c.needs {
                spec.set(name, value).expect("catalogue values parse");
                with.push(format!("{name}={value}"));
            }
        }
        let mut config = Config {
            spec,
            ..self.config
        };
        if arrivals_needed > 0 {
            config.messages = config.messages.min(1);
            config.arrivals = config.arrivals.max(arrivals_needed);
            config.removals = config.removals.max(1);
        }
        let options = self.options;
        let mut result = self
            .done
            .entry(config)
            .or_insert_with(|| {
                outcome(&check(
                    config,
                    &[],
                    (0..PROPERTIES.len()).collect(),
                    options,
                ))
            })
            .clone();
        let base = (
            self.config.messages,
            self.config.arrivals,
            self.config.removals,
        );
        result.with = with;
        if let Some(name) = clause {
            let value = reference.value(name).expect("a catalogue clause");
            let (key, reduction) = ((config, name, value), options.reduction);
            let exercised = (self.exercised.entry(key))
                .or_insert_with(|| coverage::exercised(&config, name, value, reduction));
            result.vacuous = !*exercised;
        }
        if (config.messages, config.arrivals, config.removals) != base {
            result.other_agent = Some(OtherAgent {
                messages: config.messages,
                arrivals: config.arrivals,
                removals: config.removals,
            });
        }
        result
    }
}

/// Builds the matrix from `base` (an edition name) with the bounds of `config`.
pub fn build(base: &str, config: Config, options: CheckOptions) -> Result<Matrix, String> {
    let base_spec = edition(base).map_err(|e| e.to_string())?.spec;
    let mut runner = Runner {
        config,
        options,
        done: HashMap::new(),
        exercised: HashMap::new(),
    };
    let mut rows = vec![Row {
        text: format!("{base} (base)"),
        source: "",
        result: runner.run(base_spec, None, &base_spec),
    }];
    for clause in clauses() {
        let current = base_spec
            .value(clause.name)
            .expect("every clause has a value");
        for (value, source) in clause.values {
            if *value == current {
                continue;
            }
            let mut spec = base_spec;
            spec.set(clause.name, value)
                .expect("catalogue values parse");
            rows.push(Row {
                text: format!("{}={value}", clause.name),
                source,
                result: runner.run(spec, Some(clause.name), &base_spec),
            });
        }
    }
    let old = edition("rfc5162").expect("listed").spec;
    let new = edition("rfc7162").expect("listed").spec;
    let mut errata = Vec::new();
    for (from, to, name, change) in [
        (new, old, "rfc7162", "revert from"),
        (old, new, "rfc5162", "apply to"),
    ] {
        for erratum in &ERRATA {
            let value = to.value(erratum.clause).expect("every clause has a value");
            let mut spec = from;
            spec.set(erratum.clause, value)
                .expect("catalogue values parse");
            errata.push(ErratumRow {
                erratum: erratum.id,
                title: erratum.title,
                change: format!("{change} {name}"),
                text: format!("{}={value}", erratum.clause),
                result: runner.run(spec, Some(erratum.clause), &from),
            });
        }
    }
    Ok(Matrix {
        base: base.to_string(),
        clients: config.clients,
        messages: config.messages,
        commands: config.commands,
        arrivals: config.arrivals,
        removals: config.removals,
        properties: always().into_iter().map(|i| PROPERTIES[i].name).collect(),
        rows,
        errata,
    })
}

fn cell(result: &Outcome, i: usize) -> String {
    match (result.verdicts[i], result.steps[i]) {
        ("violated", Some(n)) => format!("violated ({n} steps)"),
        (verdict, _) => verdict.to_string(),
    }
}

fn states(result: &Outcome) -> String {
    let mut out = result.unique_states.to_string();
    if !result.with.is_empty() {
        out.push_str(&format!(" (with {})", result.with.join(", ")));
    }
    if let Some(agent) = result.other_agent {
        out.push_str(&format!(
            " (with {} message(s), {} arrival(s), {} removal(s))",
            agent.messages, agent.arrivals, agent.removals
        ));
    }
    if !result.complete {
        out.push_str(" (incomplete)");
    }
    if !result.unreached.is_empty() {
        out.push_str(&format!("; never reached: {}", result.unreached.join(", ")));
    }
    if result.vacuous {
        out.push_str("; vacuous at these bounds (the value never changed a step)");
    }
    out
}

/// The matrix's bounds, in words.
fn bounds(matrix: &Matrix) -> String {
    let mut out = format!(
        "{} clients, {} messages and {} commands per client",
        matrix.clients, matrix.messages, matrix.commands
    );
    if matrix.arrivals > 0 {
        out.push_str(&format!(", {} arrival(s)", matrix.arrivals));
    }
    if matrix.removals > 0 {
        out.push_str(&format!(", {} removal(s)", matrix.removals));
    }
    out
}

/// The matrix as markdown tables.
pub fn markdown(matrix: &Matrix) -> String {
    let mut out = String::new();
    writeln!(
        out,
        "Each row changes one clause of `{}` and checks every property over the complete \
         space of {} (a clause that only breaks with more commands shows `holds` here). A \
         clause that can only matter when another agent appends a message and moves it away \
         is checked with one message, one arrival and one removal, as its state count says; a \
         client clause that answers a server event the editions never produce is checked with \
         that event on (`client-uidvalidity` with `uidvalidity-change=renumber`). `violated (n \
         steps)` gives the length of the shortest counterexample. `close-highestmodseq=send` \
         is RFC 5162 section 3.4's updated value, which erratum 1810 forbids at a CLOSE that \
         expunges (the `announced-highestmodseq-covered` column); `send-safe` is 3.4's code \
         capped as 1810 requires. A row whose value never changed a step (at no state of its \
         space does it do anything the base's value would not: `check --coverage`) says \
         `vacuous at these bounds`: its verdicts say nothing of that value.\n",
        matrix.base,
        bounds(matrix)
    )
    .unwrap();
    let header: Vec<String> = matrix.properties.iter().map(|p| format!("`{p}`")).collect();
    writeln!(
        out,
        "| clause | source | {} | unique states |",
        header.join(" | ")
    )
    .unwrap();
    writeln!(
        out,
        "|---|---|{}---|",
        "---|".repeat(matrix.properties.len())
    )
    .unwrap();
    for row in &matrix.rows {
        let cells: Vec<String> = (0..matrix.properties.len())
            .map(|i| cell(&row.result, i))
            .collect();
        writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            row.text,
            row.source.replace('|', "\\|"),
            cells.join(" | "),
            states(&row.result)
        )
        .unwrap();
    }
    writeln!(out, "\nThe errata, one at a time:\n").unwrap();
    writeln!(
        out,
        "| erratum | change | clause | {} | unique states |",
        header.join(" | ")
    )
    .unwrap();
    writeln!(
        out,
        "|---|---|---|{}---|",
        "---|".repeat(matrix.properties.len())
    )
    .unwrap();
    for row in &matrix.errata {
        let cells: Vec<String> = (0..matrix.properties.len())
            .map(|i| cell(&row.result, i))
            .collect();
        writeln!(
            out,
            "| {} ({}) | {} | `{}` | {} | {} |",
            row.erratum,
            row.title,
            row.change,
            row.text,
            cells.join(" | "),
            states(&row.result)
        )
        .unwrap();
    }
    out
}

/// The matrix as plain text, one line per row.
pub fn text(matrix: &Matrix) -> String {
    let mut out = format!(
        "matrix from {}: {}\ncolumns: {}\n\n",
        matrix.base,
        bounds(matrix),
        matrix.properties.join(", ")
    );
    let line = |text: &str, result: &Outcome| {
        let cells: Vec<String> = (0..matrix.properties.len())
            .map(|i| cell(result, i))
            .collect();
        format!("{text:<44} {} | {}\n", cells.join(" | "), states(result))
    };
    for row in &matrix.rows {
        out.push_str(&line(&row.text, &row.result));
    }
    out.push_str("\nerrata:\n");
    for row in &matrix.errata {
        out.push_str(&line(
            &format!("{} {} ({})", row.erratum, row.change, row.text),
            &row.result,
        ));
    }
    out
}

pub fn json(matrix: &Matrix) -> String {
    crate::json::to_pretty(matrix)
}

/// Whether every row's check ran to completion (a memory limit can stop one).
pub fn is_complete(matrix: &Matrix) -> bool {
    let rows = matrix.rows.iter().map(|r| &r.result);
    let errata = matrix.errata.iter().map(|r| &r.result);
    rows.chain(errata).all(|r| r.complete)
}

/// The line after which `matrix --into` writes the matrix.
pub const BEGIN: &str = "<!-- matrix: begin -->";
/// The line before which it stops.
pub const END: &str = "<!-- matrix: end -->";

/// `text` with what lies between its [`BEGIN`] and [`END`] lines replaced by `content`.
/// Each marker must be a line of its own, once, the begin marker first: anything else would
/// leave the file with two matrices or none, so it is refused.
pub fn splice(text: &str, content: &str) -> Result<String, String> {
    let mut begins = Vec::new();
    let mut ends = Vec::new();
    let mut offset = 0;
    for (number, line) in text.split_inclusive('\n').enumerate() {
        let bare = line.trim_end_matches(['\n', '\r']);
        if bare == BEGIN {
            begins.push((number + 1, offset + line.len()));
        } else if bare == END {
            ends.push((number + 1, offset));
        }
        offset += line.len();
    }
    let lines = |found: &[(usize, usize)]| {
        let numbers: Vec<String> = found.iter().map(|(n, _)| n.to_string()).collect();
        numbers.join(", ")
    };
    let (begin, end) = match (&begins[..], &ends[..]) {
        ([], _) => return Err(format!("no `{BEGIN}` line")),
        (_, []) => return Err(format!("no `{END}` line")),
        ([begin], [end]) => (*begin, *end),
        ([_], _) => {
            return Err(format!(
                "`{END}` appears more than once (lines {}): keep one",
                lines(&ends)
            ));
        }
        (_, _) => {
            return Err(format!(
                "`{BEGIN}` appears more than once (lines {}): keep one",
                lines(&begins)
            ));
        }
    };
    if end.0 < begin.0 {
        return Err(format!(
            "`{END}` (line {}) comes before `{BEGIN}` (line {}): put the begin marker first",
            end.0, begin.0
        ));
    }
    Ok(format!("{}{content}{}", &text[..begin.1], &text[end.1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splice_replaces_between_the_markers_and_refuses_them_misplaced() {
        let text = format!("a\n{BEGIN}\nold\n{END}\nz\n");
        assert_eq!(
            splice(&text, "new\n").unwrap(),
            format!("a\n{BEGIN}\nnew\n{END}\nz\n")
        );
        let reversed = format!("a\n{END}\nold\n{BEGIN}\nz\n");
        assert_eq!(
            splice(&reversed, "new\n").unwrap_err(),
            format!("`{END}` (line 2) comes before `{BEGIN}` (line 4): put the begin marker first")
        );
        let twice = format!("{BEGIN}\n{END}\n{BEGIN}\n{END}\n");
        assert!(
            splice(&twice, "")
                .unwrap_err()
                .contains("(lines 1, 3): keep one")
        );
        let inline = format!("text {BEGIN}\n{END}\n");
        assert_eq!(
            splice(&inline, "").unwrap_err(),
            format!("no `{BEGIN}` line")
        );
        assert_eq!(splice(BEGIN, "").unwrap_err(), format!("no `{END}` line"));
    }
}
