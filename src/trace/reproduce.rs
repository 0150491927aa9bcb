//! The `reproduce` field of a trace, checked against its model. `render` prints it as the
//! command to paste, so it must not be taken on trust: it must be one of the commands this
//! tool writes for this very model and property (`check`, or `simulate ... --walk`), with
//! the model flags derived from the trace's model, and nothing a shell would read as more
//! than words.

use super::{ModelInfo, Trace, model_flags};
use crate::simulate::{MAX_RUNS, MAX_STEPS};

/// Whether `path` can stand in a command as it is: letters, digits and `. _ - + = /`, not
/// read as a flag.
fn plain_path(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('-')
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-+=/".contains(c))
}

/// A model file's path as one shell word: as it is if plain, else in single quotes; None if
/// it holds a quote or a control character, which no command this tool writes can carry.
pub fn path_word(path: &str) -> Option<String> {
    if plain_path(path) {
        return Some(path.to_string());
    }
    let quotable = !path.is_empty() && !path.chars().any(|c| c == '\'' || c.is_control());
    quotable.then(|| format!("'{path}'"))
}

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

/// Checks `trace.reproduce`; the error says what it should look like.
pub fn check(trace: &Trace) -> Result<(), String> {
    let text = trace.reproduce.as_str();
    if text.len() <= 4096 && fits(text, &trace.model, &trace.property) {
        return Ok(());
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

fn fits(text: &str, info: &ModelInfo, property: &str) -> bool {
    for command in ["check", "simulate"] {
        let Some(rest) = text.strip_prefix(&format!("resync-check {command} ")) else {
            continue;
        };
        let Ok(path) = leading_path(rest) else {
            return false;
        };
        let head = format!(
            "resync-check {command}{} --property {property}",
            model_flags(path, info)
        );
        let Some(tail) = text.strip_prefix(&head) else {
            return false;
        };
        return match command {
            "check" => tail.is_empty(),
            _ => simulate_tail(tail),
        };
    }
    false
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
            check_command(Some("models/x-1.json"), &info, "views-converge"),
            check_command(Some("my models/x.json"), &info, "views-converge"),
            format!(
                "resync-check simulate{} --property views-converge --seed 1 --runs 300 \
                 --steps 200 --policy swarm --walk 17",
                model_flags(None, &info)
            ),
        ];
        for text in ok {
            assert_eq!(check(&trace(&text)), Ok(()), "{text}");
        }
        let bad = [
            "rm -rf ~".to_string(),
            check_command(None, &info, "resync-point-safe"),
            check_command(None, &info, "views-converge")
                .replace("check ", "check 'x.json'; rm -rf ~; '' "),
            check_command(None, &info, "views-converge").replace("check ", "check x;y "),
            check_command(None, &info, "views-converge") + " && rm -rf ~",
            check_command(None, &info, "views-converge").replace("rfc5162", "rfc7162"),
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
