//! The flush clauses (`spec/flush.rs`, issue 27 item 3): `flag-flush` and `expunge-flush`
//! at `every-command` take choices away from the server, never add one, so every
//! reduction stays sound (`Reduction::sound_for` keeps them all) and an RFC 7162 model that
//! holds holds under them. Their verdicts with `held-back-highestmodseq=none` (Cyrus 3.6.1's
//! text), at the default bounds, under every reduction against the line-by-line model.

use crate::common;

use common::{Summary, options};
use resync_check::check::Verdict;
use resync_check::cli::args::ReduceArg;
use resync_check::model_file::property_index;
use resync_check::reduce::Reduction;
use resync_check::setup::{Bounds, config};
use resync_check::system::Config;

/// Every property checked on `config` with `reduction`, the whole space explored.
fn summary(config: Config, reduction: Reduction) -> (Summary, usize) {
    common::summary(config, options(reduction, true))
}

fn model(clauses: &[(&str, &str)]) -> Config {
    let set: Vec<(String, String)> = clauses
        .iter()
        .map(|(c, v)| (c.to_string(), v.to_string()))
        .collect();
    config("rfc7162", &set, Bounds::default()).unwrap()
}

/// The length of the shortest counterexample of `property`, or None if it holds.
fn steps(summary: &Summary, property: &str) -> Option<usize> {
    let (verdict, length) = summary[property_index(property).unwrap()];
    assert_eq!(verdict == Verdict::Violated, length.is_some(), "{property}");
    length
}

#[test]
fn every_reduction_applies_and_agrees_with_the_line_by_line_model() {
    for flush in ["flag-flush", "expunge-flush"] {
        let config = model(&[
            ("held-back-highestmodseq", "none"),
            (flush, "every-command"),
        ]);
        assert_eq!(Reduction::ALL.sound_for(&config.spec), Reduction::ALL);
        let (unreduced, _) = summary(config, Reduction::NONE);
        for reduction in [ReduceArg::Exact, ReduceArg::All].map(ReduceArg::reduction) {
            let (reduced, _) = summary(config, reduction);
            assert_eq!(
                reduced,
                unreduced,
                "{flush}=every-command, {}",
                reduction.name()
            );
        }
    }
}

#[test]
fn a_server_that_flushes_flag_changes_still_loses_an_expunge() {
    let none = model(&[("held-back-highestmodseq", "none")]);
    let flags = model(&[
        ("held-back-highestmodseq", "none"),
        ("flag-flush", "every-command"),
    ]);
    let both = model(&[
        ("held-back-highestmodseq", "none"),
        ("flag-flush", "every-command"),
        ("expunge-flush", "every-command"),
    ]);
    let (none, none_states) = summary(none, Reduction::ALL);
    let (flags, flags_states) = summary(flags, Reduction::ALL);
    let (both, both_states) = summary(both, Reduction::ALL);
    assert_eq!(
        (none_states, flags_states, both_states),
        (28543, 11087, 10967)
    );
    // `none` alone loses a held-back flag change first (13 steps, silently); with the flag
    // changes flushed, only an expunge held back during a STORE by sequence number is left
    // (16 steps), which the count shows.
    assert_eq!(steps(&none, "views-converge"), Some(13));
    assert_eq!(steps(&flags, "views-converge"), Some(16));
    assert_eq!(steps(&both, "views-converge"), Some(16));
    assert_eq!(steps(&none, "divergence-detectable"), Some(13));
    assert_eq!(steps(&flags, "divergence-detectable"), None);
    assert_eq!(steps(&flags, "resync-point-safe"), Some(7));
    assert_eq!(steps(&flags, "announced-highestmodseq-covered"), Some(8));
    // With both flushed, no HIGHESTMODSEQ code covers a change still held back; but the plain
    // OK of a STORE by sequence number, during which the expunge stays held back, follows the
    // STORE's MODSEQ above it: the value the client computes covers it.
    assert_eq!(steps(&both, "announced-highestmodseq-covered"), None);
    assert_eq!(steps(&flags, "computed-highestmodseq-covered"), Some(5));
    assert_eq!(steps(&both, "computed-highestmodseq-covered"), Some(5));
}

#[test]
fn under_rfc7162_the_flush_values_change_no_verdict() {
    let config = model(&[
        ("flag-flush", "every-command"),
        ("expunge-flush", "every-command"),
    ]);
    let (verdicts, _) = summary(config, Reduction::ALL);
    assert!(verdicts.iter().all(|(v, _)| *v != Verdict::Violated));
    let base = model(&[]);
    assert_eq!(summary(base, Reduction::ALL).0, verdicts);
}

/// `probe --live`'s refinement (`probe/refine.rs`) on the model's own states: C2 sets
/// `\Deleted` on UID 2 and expunges it, so C1's session holds that expunge back; a real
/// server that then answers C1's next command with `VANISHED 2` shows
/// `expunge-flush=every-command`, unless the command is a STORE by sequence number, during
/// which RFC 3501 section 7.4.1 forbids it (that refines nothing: it is a break).
mod refinement {
    use resync_check::imap::response::Response;
    use resync_check::imap::types::{Flag, FlagSet, ModSeq, Uid};
    use resync_check::probe::refine::refinements;
    use resync_check::step::Step;
    use resync_check::system::System;
    use serde_json::json;

    use super::model;

    fn step(value: serde_json::Value) -> resync_check::system::Action {
        let step: Step = serde_json::from_value(value).unwrap();
        step.action().unwrap()
    }

    /// The state after C2's UID STORE and UID EXPUNGE of UID 2, every line read.
    fn expunged() -> (resync_check::system::Config, System) {
        let config = model(&[("held-back-highestmodseq", "none")]);
        let mut state = System::initial(&config);
        let store = json!({"do": "send", "client": "C2", "request": {"store": {"target": {"uid": 2}, "op": "add", "flag": "\\Deleted"}}, "server_sends": "nothing"});
        let expunge = json!({"do": "send", "client": "C2", "request": "uid-expunge", "server_sends": "nothing"});
        let read = json!({"do": "read", "client": "C2"});
        for value in [
            store,
            read.clone(),
            read.clone(),
            expunge,
            read.clone(),
            read,
        ] {
            state.apply(&config, step(value));
        }
        (config, state)
    }

    fn found(target: serde_json::Value, real: &[Response]) -> Vec<String> {
        let (config, state) = expunged();
        let request = json!({"store": {"target": target, "op": "add", "flag": "\\Seen"}});
        let action = step(
            json!({"do": "send", "client": "C1", "request": request, "server_sends": "nothing"}),
        );
        let resync_check::system::Action::Issue { request, .. } = action else {
            panic!("a send");
        };
        let commands = state.clients[0].commands(request, &config.spec);
        let command = &commands.last().unwrap().1;
        refinements(&state, &config.spec, &action, command, real, "step 7")
            .into_iter()
            .map(|r| format!("{}: {}", r.clause, r.why))
            .collect()
    }

    fn answer() -> Vec<Response> {
        vec![
            Response::Fetch {
                seq: 1,
                uid: Uid(1),
                modseq: ModSeq(5),
                flags: Some(FlagSet::EMPTY.with(Flag::Seen)),
            },
            Response::Vanished {
                earlier: false,
                uids: std::iter::once(Uid(2)).collect(),
            },
        ]
    }

    #[test]
    fn a_vanished_the_model_held_back_at_a_uid_store_refines_expunge_flush() {
        assert_eq!(
            found(json!({"uid": 1}), &answer()),
            [
                "expunge-flush=every-command: at step 7 the model's server held back another \
              session's expunge; the real server sent it: `* VANISHED 2`"
            ]
        );
        // Nothing the model held back, nothing to refine.
        assert!(found(json!({"uid": 1}), &answer()[..1]).is_empty());
    }

    #[test]
    fn a_vanished_during_a_sequence_number_store_refines_nothing() {
        assert!(found(json!({"seq": 1}), &answer()).is_empty());
    }
}
