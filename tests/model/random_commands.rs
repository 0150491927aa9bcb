//! Property tests of the server and the clients on random command sequences, through the
//! public surface only (`System::initial`, `System::actions`, `trace::step`, the property
//! conditions), so they hold whatever the internals become. Fixed seeds: every run tries
//! the same sequences.

use std::collections::BTreeSet;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};

use resync_check::imap::types::{ClientId, Uid};
use resync_check::properties::property;
use resync_check::setup::{Bounds, config};
use resync_check::system::{Action, Config as Model, System};
use resync_check::trace::step;

const CASES: u32 = 500;

/// Random walks: each number picks one of the actions enabled at that point.
fn choices() -> impl Strategy<Value = Vec<usize>> {
    proptest::collection::vec(any::<usize>(), 1..120)
}

fn runner(seed: u8) -> TestRunner {
    let config = Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    };
    TestRunner::new_with_rng(
        config,
        TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]),
    )
}

/// A model of `edition` with one clause set, 2 clients, 3 messages, 8 commands each, and
/// the other agent appending and moving away one message.
fn model(edition: &str, clause: (&str, &str)) -> Model {
    let bounds = Bounds {
        clients: Some(2),
        messages: Some(3),
        commands: Some(8),
        arrivals: Some(1),
        removals: Some(1),
    };
    let clauses = [(clause.0.to_string(), clause.1.to_string())];
    config(edition, &clauses, bounds).unwrap()
}

/// Runs the walk `choices` picks, calling `each` with the state before, the action, the
/// step's lines and the state after.
fn walk(
    model: &Model,
    choices: &[usize],
    mut each: impl FnMut(&System, Action, &[String], &System) -> Result<(), TestCaseError>,
) -> Result<(), TestCaseError> {
    let mut state = System::initial(model);
    let mut actions = Vec::new();
    for choice in choices {
        actions.clear();
        state.actions(model, &mut actions);
        if actions.is_empty() {
            break;
        }
        let action = actions[choice % actions.len()];
        let before = state.clone();
        let done = step(model, &mut state, action, false);
        each(&before, action, &done.queued, &state)?;
    }
    Ok(())
}

/// Every mod-sequence the mailbox holds: its messages' and its expunge log's.
fn modseqs(state: &System) -> BTreeSet<u64> {
    let mailbox = &state.server.mailbox;
    let messages = mailbox.messages.values().map(|m| m.modseq.0);
    messages
        .chain(mailbox.expunged.values().map(|e| e.modseq.0))
        .collect()
}

#[test]
fn under_a_counter_modseqs_never_repeat_and_highestmodseq_never_falls() {
    let holds = property("highestmodseq-monotonic").unwrap().condition;
    for (seed, edition) in [(1, "rfc7162"), (2, "rfc5162")] {
        let model = model(edition, ("mailbox-highestmodseq", "counter"));
        let changes = std::cell::Cell::new(0);
        let outcome = runner(seed).run(&choices(), |choices| {
            let mut used = modseqs(&System::initial(&model));
            walk(&model, &choices, |before, action, _, after| {
                let highest = (
                    before.server.mailbox.highest_modseq,
                    after.server.mailbox.highest_modseq,
                );
                prop_assert!(highest.1 >= highest.0, "{action:?} lowered HIGHESTMODSEQ");
                // Each value a step gives a change is above every value given before.
                let new: Vec<u64> = modseqs(after)
                    .difference(&modseqs(before))
                    .copied()
                    .collect();
                let top = used.iter().next_back().copied().unwrap_or(0);
                for modseq in &new {
                    prop_assert!(
                        *modseq > top,
                        "{action:?} reused MODSEQ {modseq} (top {top})"
                    );
                }
                changes.set(changes.get() + new.len());
                used.extend(new);
                prop_assert!(
                    holds(after),
                    "highestmodseq-monotonic fails after {action:?}"
                );
                Ok(())
            })
        });
        outcome.unwrap_or_else(|e| panic!("{edition}: {e}"));
        assert!(
            changes.get() > 500,
            "{edition}: only {} changes",
            changes.get()
        );
    }
}

#[test]
fn a_max_message_server_does_reuse_a_modseq_and_the_property_sees_it() {
    // The counter test above is not vacuous: the clause that breaks it is caught by it.
    let model = model("rfc7162", ("mailbox-highestmodseq", "max-message"));
    let holds = property("highestmodseq-monotonic").unwrap().condition;
    let found = std::cell::Cell::new(0);
    let outcome = runner(3).run(&choices(), |choices| {
        walk(&model, &choices, |_, _, _, after| {
            if !holds(after) {
                found.set(found.get() + 1);
            }
            Ok(())
        })
    });
    outcome.unwrap();
    assert!(
        found.get() > 0,
        "no walk of a max-message server lowered HIGHESTMODSEQ"
    );
}

/// The UIDs of `* VANISHED <set>` (not EARLIER), if `line` is one.
fn vanished(line: &str) -> Option<Vec<u32>> {
    let set = line.strip_prefix("* VANISHED ")?;
    if set.starts_with("(EARLIER)") {
        return None;
    }
    let mut uids = Vec::new();
    for part in set.split(',') {
        let (a, b) = part.split_once(':').unwrap_or((part, part));
        let (a, b): (u32, u32) = (a.parse().unwrap(), b.parse().unwrap());
        uids.extend(a.min(b)..=a.max(b));
    }
    Some(uids)
}

/// Walks `model` from `seed`; per walk step, the UIDs a VANISHED (not EARLIER) named to a
/// client that its session had no number for. Returns (VANISHED lines seen, such UIDs).
fn unannounced_vanished(model: &Model, seed: u8) -> (u32, u32) {
    let holds = property("vanished-only-known-uids").unwrap().condition;
    let seen = std::cell::Cell::new((0, 0));
    let outcome = runner(seed).run(&choices(), |choices| {
        walk(model, &choices, |before, action, queued, after| {
            let mut untold = 0;
            if let Action::Issue { client, .. } = action {
                // What the session could name by number before the command.
                let told: Vec<Uid> = before.server.view(client).to_vec();
                let unread = before.clients[client.index()]
                    .connection
                    .as_ref()
                    .map_or(0, |c| c.queue.len());
                for line in queued.iter().skip(unread) {
                    let Some(uids) = vanished(line) else { continue };
                    let (lines, names) = seen.get();
                    let bad = uids.iter().filter(|u| !told.contains(&Uid(**u))).count() as u32;
                    untold += bad;
                    seen.set((lines + 1, names + bad));
                }
            }
            // The property agrees with the wire: it fails exactly when such a line went out.
            if untold > 0 {
                prop_assert!(!holds(after), "{action:?} named an untold UID unnoticed");
            }
            Ok(())
        })
    });
    outcome.unwrap_or_else(|e| panic!("{e}"));
    seen.get()
}

#[test]
fn under_omit_a_vanished_names_only_uids_the_session_was_told_of() {
    for (seed, edition) in [(4, "rfc7162"), (5, "rfc5162")] {
        let model = model(edition, ("vanished-unannounced", "omit"));
        let (lines, untold) = unannounced_vanished(&model, seed);
        assert!(lines > 10, "{edition}: only {lines} VANISHED lines");
        assert_eq!(untold, 0, "{edition}");
    }
    // Not vacuous: under `report` the same walks do name such UIDs.
    let model = model("rfc7162", ("vanished-unannounced", "report"));
    let (_, untold) = unannounced_vanished(&model, 4);
    assert!(untold > 0, "no walk under report named an untold UID");
}

#[test]
fn clients_cache_only_what_the_server_had_and_store_no_modseq_beyond_it() {
    for (seed, edition) in [(6, "rfc7162"), (7, "rfc5162")] {
        let model = model(edition, ("mailbox-highestmodseq", "counter"));
        let outcome = runner(seed).run(&choices(), |choices| {
            walk(&model, &choices, |_, action, _, after| {
                let mailbox = &after.server.mailbox;
                for (i, client) in after.clients.iter().enumerate() {
                    let id = ClientId(i as u8);
                    for uid in client.cache.keys() {
                        let known = mailbox.messages.contains_key(uid)
                            || mailbox.expunged.contains_key(uid);
                        prop_assert!(known, "{id} caches UID {} the server never had", uid.0);
                    }
                    prop_assert!(
                        client.resync_point <= mailbox.highest_modseq,
                        "{id} stores MODSEQ {} above the mailbox's {} after {action:?}",
                        client.resync_point.0,
                        mailbox.highest_modseq.0
                    );
                }
                Ok(())
            })
        });
        outcome.unwrap_or_else(|e| panic!("{edition}: {e}"));
    }
}
