//! Where `serve` takes every choice the text leaves the server, and the model's other
//! clients' steps: from ChaCha8 seeded with the run's seed (as `simulate` draws its walks),
//! or from a saved script, so a run is reproduced exactly. Every choice is recorded with
//! what it chose among, so a script that no longer fits the run is an error, never a
//! silent other run.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// One choice: which of `of` options was taken, and what it was about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub what: String,
    pub index: usize,
    pub of: usize,
}

/// A script: the choices of one run, and the model they were made in (its header, as
/// `check` prints it).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Script {
    pub tool: String,
    pub model: String,
    pub choices: Vec<Choice>,
}

enum Source {
    Seeded(Box<ChaCha8Rng>),
    Scripted {
        choices: Vec<Choice>,
        at: usize,
        /// Past the script's end, the first option of every choice (an exploration's next
        /// branch) instead of an error.
        extend: bool,
    },
}

pub struct Chooser {
    source: Source,
    /// Every choice made so far, in order: the script that replays this run.
    pub made: Vec<Choice>,
}

impl Chooser {
    pub fn seeded(seed: u64) -> Chooser {
        Chooser {
            source: Source::Seeded(Box::new(ChaCha8Rng::seed_from_u64(seed))),
            made: Vec::new(),
        }
    }

    pub fn scripted(choices: Vec<Choice>, extend: bool) -> Chooser {
        Chooser {
            source: Source::Scripted {
                choices,
                at: 0,
                extend,
            },
            made: Vec::new(),
        }
    }

    /// Picks one of `options` (at least one). `what` names the choice in the script; a
    /// scripted choice must name the same, among as many options.
    pub fn pick(&mut self, what: &str, options: usize) -> Result<usize, String> {
        assert!(options > 0, "a choice among no options");
        let index = match &mut self.source {
            // Only a real choice consumes randomness or a script entry: a run with one
            // option is the same under every seed.
            _ if options == 1 => return Ok(0),
            Source::Seeded(rng) => rng.random_range(0..options),
            Source::Scripted {
                choices,
                at,
                extend,
            } => {
                let Some(choice) = choices.get(*at) else {
                    if *extend {
                        *at += 1;
                        self.made.push(Choice {
                            what: what.to_string(),
                            index: 0,
                            of: options,
                        });
                        return Ok(0);
                    }
                    return Err(format!(
                        "the script ends after {at} choices, and the run asks for another: \
                         {what} (one of {options})"
                    ));
                };
                if choice.what != what || choice.of != options || choice.index >= options {
                    return Err(format!(
                        "the script's choice {} is `{}` (option {} of {}), but the run asks \
                         for `{what}` among {options}: the script is of another run",
                        *at + 1,
                        choice.what,
                        choice.index + 1,
                        choice.of
                    ));
                }
                *at += 1;
                choice.index
            }
        };
        self.made.push(Choice {
            what: what.to_string(),
            index,
            of: options,
        });
        Ok(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_gives_the_same_choices_and_a_script_replays_them() {
        let mut a = Chooser::seeded(7);
        let mut b = Chooser::seeded(7);
        let picks: Vec<usize> = (0..20).map(|_| a.pick("x", 5).unwrap()).collect();
        let again: Vec<usize> = (0..20).map(|_| b.pick("x", 5).unwrap()).collect();
        assert_eq!(picks, again);
        assert!(picks.iter().any(|p| *p != picks[0]), "{picks:?}");
        let mut replay = Chooser::scripted(a.made.clone(), false);
        let replayed: Vec<usize> = (0..20).map(|_| replay.pick("x", 5).unwrap()).collect();
        assert_eq!(replayed, picks);
    }

    #[test]
    fn a_script_of_another_run_is_an_error() {
        let mut a = Chooser::seeded(1);
        a.pick("flush", 3).unwrap();
        let mut other = Chooser::scripted(a.made.clone(), false);
        let error = other.pick("flush", 4).unwrap_err();
        assert!(error.contains("the script is of another run"), "{error}");
        let mut short = Chooser::scripted(Vec::new(), false);
        let error = short.pick("flush", 2).unwrap_err();
        assert!(error.contains("the script ends after 0 choices"), "{error}");
        // One option is no choice: nothing is consumed or recorded.
        assert_eq!(short.pick("flush", 1), Ok(0));
        assert!(short.made.is_empty());
        // Extended, a script goes on with the first option of each further choice.
        let mut extended = Chooser::scripted(a.made.clone(), true);
        assert_eq!(extended.pick("flush", 3), Ok(a.made[0].index));
        assert_eq!(extended.pick("drop", 2), Ok(0));
        assert_eq!(extended.made.len(), 2);
    }
}
