//! The `reproduce` field of a trace, checked against its model. `render` prints it as the
//! command to paste, so it must not be taken on trust: it must be one of the commands this
//! tool writes for this very model and property (`check`, with `--reduce R` after a run
//! with a reduction other than the default and `--counterexamples K` for a property's K-th,
//! or `simulate ... --walk`), with the model flags derived from the trace's model, and
//! nothing a shell would read as more than words.

use std::path::Path;

use super::{ModelInfo, Trace, model_flags};
use crate::check::views::MAX_COUNTEREXAMPLES;
use crate::limits::{MAX_RUNS, MAX_STEPS};
use crate::reduce::OTHER_REDUCE_NAMES;
use crate::shell::{path_word, plain_path};

/// The model file at the start of `rest` (after `check ` or `simulate `), if any, and
/// whether it is written as [`path_word`] writes it.
fn leading_path(rest: &str) -> Result<Option<&str>, ()> {
    if let Some(quoted) = rest.strip_prefix('\'') {
        let inner = &quoted[..quoted.find('\'').ok_or(())?];
        return match path_word(inner) {
            Some(word) if word.starts_with('\'') => Ok(Some(inner)),
            _ => Err(()),
        };
    }
    match rest.split(' ').next() {
        Some(word) if !word.starts_with("--") => {
            if plain_path(word) {
                Ok(Some(word))
            } else {
                Err(())
            }
        }
        _ => Ok(None),
    }
}

/// `n` if `text` is exactly its decimal form, within `min..=max`.
fn number(text: &str, min: u64, max: u64) -> Option<u64> {
    let n = text.parse::<u64>().ok()?;
    (n.to_string() == text && (min..=max).contains(&n)).then_some(n)
}

/// The `simulate` tail after the model flags and the property:
/// ` --seed S --runs R --steps K --policy P --walk W`.
fn simulate_tail(tail: &str) -> bool {
    let words: Vec<&str> = tail.split(' ').collect();
    let [
        "",
        "--seed",
        seed,
        "--runs",
        runs,
        "--steps",
        steps,
        "--policy",
        policy,
        "--walk",
        walk,
    ] = words[..]
    else {
        return false;
    };
    let runs = number(runs, 1, MAX_RUNS);
    number(seed, 0, u64::MAX).is_some()
        && number(steps, 1, MAX_STEPS).is_some()
        && ["uniform", "swarm"].contains(&policy)
        && runs.is_some_and(|r| number(walk, 0, r - 1).is_some())
}

/// The `check` tail after the property: ` --reduce R` for a run with a reduction other than
/// the default, then, for a property's second counterexample and after (`check
/// --counterexamples N`), ` --counterexamples K`, of which it is the K-th and last; or
/// nothing.
fn check_tail(tail: &str) -> bool {
    let tail = match tail.strip_prefix(" --reduce ") {
        Some(rest) => {
            let (name, rest) = rest.split_at(rest.find(' ').unwrap_or(rest.len()));
            if !OTHER_REDUCE_NAMES.contains(&name) {
                return false;
            }
            rest
        }
        None => tail,
    };
    tail.is_empty()
        || tail
            .strip_prefix(" --counterexamples ")
            .and_then(|k| number(k, 2, MAX_COUNTEREXAMPLES))
            .is_some()
}

/// Checks `trace.reproduce`; the error says what it should look like. A command that names
/// a model file (one with a script, which no flag can give) is checked against that file,
/// read from the current directory as the command would be: it must name the trace's model,
/// and the trace must follow its script.
pub fn check(trace: &Trace) -> Result<(), String> {
    let text = trace.reproduce.as_str();
    if text.len() <= 4096 {
        match fits(text, &trace.model, &trace.property) {
            Some(None) => return Ok(()),
            Some(Some(path)) => return check_model_file(trace, path),
            None => {}
        }
    }
    let shown: String = text.chars().take(200).collect();
    Err(format!(
        "`reproduce` is `{}`, which is not a command this tool writes for this trace's model \
         and property; for this model it is `{}` (or the `simulate ... --walk` command that \
         found it)",
        shown.escape_debug(),
        super::check_command(None, &trace.model, &trace.property)
    ))
}

/// The model file `reproduce` names, if it fits the model (Some(None) for none); None if it
/// does not fit.
fn fits<'a>(text: &'a str, info: &ModelInfo, property: &str) -> Option<Option<&'a str>> {
    for command in ["check", "simulate"] {
        let Some(rest) = text.strip_prefix(&format!("resync-check {command} ")) else {
            continue;
        };
        let path = leading_path(rest).ok()?;
        let head = format!(
            "resync-check {command}{} --property {property}",
            model_flags(path, info)
        );
        let tail = text.strip_prefix(&head)?;
        let fits = match command {
            "check" => check_tail(tail),
            _ => simulate_tail(tail),
        };
        return fits.then_some(path);
    }
    None
}

/// Checks the model file `path` that `trace.reproduce` names against the trace.
fn check_model_file(trace: &Trace, path: &str) -> Result<(), String> {
    let file = Path::new(path);
    let unreadable = |why: String| {
        format!(
            "`reproduce` names the model file {path}, which {why} (replay a trace from the \
             directory it was made in)"
        )
    };
    if !file.is_file() {
        return Err(unreadable("is not a file here".to_string()));
    }
    let model =
        crate::model_file::load(file).map_err(|e| unreadable(format!("does not load: {e}")))?;
    // The command's flags give the edition, clauses and bounds (they were checked against
    // the trace's model); the file gives the name and the script.
    if model.name != trace.model.name {
        return Err(format!(
            "`reproduce` names the model file {path}, of model `{}`, not `{}`",
            model.name, trace.model.name
        ));
    }
    // A violation within the script cuts the trace short of its end.
    let actions = trace.actions()?;
    if !actions.starts_with(&model.script) && !model.script.starts_with(&actions) {
        return Err(format!(
            "`reproduce` names the model file {path}, whose script of {} the trace does not \
             follow",
            super::words::count(model.script.len(), "step")
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::check_command;

    fn trace(reproduce: &str) -> Trace {
        let config = crate::setup::config("rfc5162", &[], Default::default()).unwrap();
        let info = ModelInfo::new("m", "rfc5162", &config);
        let mut trace = Trace::record(info, &config, "views-converge", String::new(), &[], false);
        trace.reproduce = reproduce.to_string();
        trace
    }

    #[test]
    fn only_the_commands_derived_from_the_model_pass() {
        let info = trace("").model;
        let ok = [
            check_command(None, &info, "views-converge"),
            check_command(None, &info, "views-converge") + " --counterexamples 2",
            check_command(None, &info, "views-converge") + " --counterexamples 100",
            check_command(None, &info, "views-converge") + " --reduce none",
            check_command(None, &info, "views-converge") + " --reduce read-order",
            check_command(None, &info, "views-converge") + " --reduce symmetry --counterexamples 3",
            format!(
                "resync-check simulate{} --property views-converge --seed 1 --runs 300 \
                 --steps 200 --policy swarm --walk 17",
                model_flags(None, &info)
            ),
        ];
        for text in ok {
            assert_eq!(check(&trace(&text)), Ok(()), "{text}");
        }
        // A model file must be there, and be the trace's model.
        for path in ["models/no-such.json", "my models/x.json"] {
            let err = check(&trace(&check_command(Some(path), &info, "views-converge")));
            assert!(err.unwrap_err().contains("is not a file here"), "{path}");
        }
        let bad = [
            "rm -rf ~".to_string(),
            check_command(None, &info, "resync-point-safe"),
            check_command(None, &info, "views-converge")
                .replace("check ", "check 'x.json'; rm -rf ~; '' "),
            check_command(None, &info, "views-converge").replace("check ", "check x;y "),
            check_command(None, &info, "views-converge") + " && rm -rf ~",
            check_command(None, &info, "views-converge").replace("rfc5162", "rfc7162"),
            // The first is the plain command's; at most MAX_COUNTEREXAMPLES; written as
            // this tool writes numbers.
            check_command(None, &info, "views-converge") + " --counterexamples 1",
            // A reduction other than the default, once, before `--counterexamples`.
            check_command(None, &info, "views-converge") + " --reduce all",
            check_command(None, &info, "views-converge") + " --reduce bogus",
            check_command(None, &info, "views-converge") + " --reduce",
            check_command(None, &info, "views-converge") + " --reduce none --reduce none",
            check_command(None, &info, "views-converge") + " --counterexamples 2 --reduce none",
            check_command(None, &info, "views-converge") + " --counterexamples 101",
            check_command(None, &info, "views-converge") + " --counterexamples 02",
            check_command(None, &info, "views-converge")
                + " --counterexamples 2 --counterexamples 3",
            format!(
                "resync-check simulate{} --property views-converge --seed 1 --runs 300 \
                 --steps 200 --policy swarm --walk 300",
                model_flags(None, &info)
            ),
        ];
        for text in bad {
            let err = check(&trace(&text)).unwrap_err();
            assert!(
                err.contains("not a command this tool writes"),
                "{text}: {err}"
            );
        }
    }
}
