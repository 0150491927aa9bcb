//! The reruns blame asks for (`clients/blame.rs` decides): a diverged run's scenario and its
//! recorded choices again, with some server clauses at RFC 7162's value. The choices are the
//! run's whole script, replayed as `serve --script FILE --extend` does: a choice the other
//! values add past the script's end takes its first option, and a choice that does not fit
//! the script (another question, or another number of options) stops serve, which makes the
//! rerun not replayable, never another run judged in its place.

use std::path::PathBuf;

use super::args::InterimapArgs;
use crate::clients::blame::{self, Blame, Rerun};
use crate::clients::interimap::{self, Choices, Outcome, Programs, Run};
use crate::output;
use crate::serve::Script;
use crate::setup;
use crate::spec::Spec;
use crate::trace::text;

pub struct Rerunner<'a> {
    pub programs: &'a Programs,
    pub args: &'a InterimapArgs,
    /// Where the reruns' files go.
    pub base: PathBuf,
    pub run: &'a dyn Fn(Vec<String>, Choices) -> Run,
}

impl Rerunner<'_> {
    /// The blame for `outcome`, a diverged run of `spec`, named `name` (its directory).
    pub fn blame(&self, spec: &Spec, outcome: &Outcome, name: &str) -> Result<Blame, String> {
        let mut n = 0;
        blame::blame(spec, &outcome.model, &outcome.local, |values| {
            n += 1;
            self.rerun(outcome, values, &format!("{name}-blame-{n}"))
        })
    }

    fn rerun(
        &self,
        outcome: &Outcome,
        values: &[(&'static str, &'static str)],
        name: &str,
    ) -> Result<Rerun, String> {
        let mut overrides = self.args.model.overrides();
        overrides
            .clauses
            .retain(|(c, _)| !values.iter().any(|(v, _)| v == c));
        overrides
            .clauses
            .extend(values.iter().map(|(c, v)| (c.to_string(), v.to_string())));
        let model = setup::prepare(&overrides, setup::DEFAULT_COMMANDS.into())?;
        let script = Script {
            tool: crate::trace::tool(),
            model: text::header(&model.name, &model.edition, &model.config),
            choices: outcome.choices.clone(),
        };
        let path = self.base.join(format!("{name}.json"));
        let json = serde_json::to_string_pretty(&script).map_err(|e| e.to_string())?;
        output::write_atomic(&path, &(json + "\n"))?;
        let mut flags = self.args.model.flags();
        // The run's own --clause flags for these clauses go; RFC 7162's values come last.
        let mut kept = Vec::new();
        let mut flags_iter = flags.drain(..);
        while let Some(flag) = flags_iter.next() {
            if flag == "--clause" {
                let assignment = flags_iter.next().unwrap_or_default();
                let clause = assignment.split('=').next().unwrap_or("");
                if !values.iter().any(|(c, _)| *c == clause) {
                    kept.extend([flag, assignment]);
                }
            } else {
                kept.push(flag);
            }
        }
        drop(flags_iter);
        for (clause, value) in values {
            kept.extend(["--clause".to_string(), format!("{clause}={value}")]);
        }
        let run = (self.run)(kept, Choices::Prefix(path));
        let again = interimap::run(self.programs, &run, &self.base.join(name))?;
        Ok(judge(outcome, &again))
    }
}

/// What a rerun found, against the run it replays.
fn judge(original: &Outcome, again: &Outcome) -> Rerun {
    let n = original.choices.len();
    let fits = again.choices.len() >= n && again.choices[..n] == original.choices[..];
    if !fits {
        let error = again.serve_error.lines().find(|l| !l.trim().is_empty());
        let why = match error {
            Some(line) => line.trim_start_matches("error: ").to_string(),
            None => format!(
                "the rerun made {} choice(s), not the {n} recorded",
                again.choices.len()
            ),
        };
        return Rerun::NotReplayable(why);
    }
    if !again.judged() {
        Rerun::NotJudged
    } else if again.diverged() {
        Rerun::Diverged
    } else {
        Rerun::Same
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::mailbox::Messages;
    use crate::serve::Choice;

    fn outcome(choices: &[(&str, usize, usize)], local: &[&str], error: &str) -> Outcome {
        let messages = |ids: &[&str]| -> Messages {
            ids.iter().map(|id| (id.to_string(), "()".into())).collect()
        };
        Outcome {
            choices: choices
                .iter()
                .map(|(what, index, of)| Choice {
                    what: what.to_string(),
                    index: *index,
                    of: *of,
                })
                .collect(),
            exits: vec![Some(0), Some(0)],
            model: messages(&["1.1", "1.2"]),
            local: messages(local),
            transcript: String::new(),
            serve_error: error.into(),
        }
    }

    #[test]
    fn a_rerun_counts_only_if_it_made_the_recorded_choices() {
        let original = outcome(
            &[("another step", 1, 2), ("other step", 0, 3)],
            &["1.2"],
            "",
        );
        // The same choices, then one more at its first option (--extend): judged.
        let longer = [
            ("another step", 1, 2),
            ("other step", 0, 3),
            ("answer to NOOP", 0, 2),
        ];
        assert_eq!(
            judge(&original, &outcome(&longer, &["1.2"], "")),
            Rerun::Diverged
        );
        assert_eq!(
            judge(&original, &outcome(&longer, &["1.1", "1.2"], "")),
            Rerun::Same
        );
        // Serve stopped at a choice that does not fit: its error says which.
        let refused = outcome(
            &[("another step", 1, 2)],
            &["1.1", "1.2"],
            "error: the script's choice 2 is `other step` (option 1 of 3), but the run asks \
             for `other step` among 2: the script is of another run\n",
        );
        assert_eq!(
            judge(&original, &refused),
            Rerun::NotReplayable(
                "the script's choice 2 is `other step` (option 1 of 3), but the run asks for \
                 `other step` among 2: the script is of another run"
                    .into()
            )
        );
        let short = outcome(&[("another step", 1, 2)], &["1.1", "1.2"], "");
        assert_eq!(
            judge(&original, &short),
            Rerun::NotReplayable("the rerun made 1 choice(s), not the 2 recorded".into())
        );
        let mut unjudged = outcome(&longer, &["1.1", "1.2"], "");
        unjudged.exits = vec![Some(0), Some(1)];
        assert_eq!(judge(&original, &unjudged), Rerun::NotJudged);
    }
}
