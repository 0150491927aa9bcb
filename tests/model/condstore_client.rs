//! Issue #12 item 7: a CONDSTORE-only client (`client-sync`, RFC 7162 section 3.1), and a
//! server that tells a session without QRESYNC of expunges by `* n EXPUNGE` (RFC 3501 section
//! 7.4.1). Exact verdicts, state counts and counterexamples.

use crate::common;

use common::check_reduced as run;
use common::clauses::{rfc7162_with, violated};
use common::steps::{C1, C2, deleted, issue, wire_lines};
use resync_check::check::Completion;
use resync_check::client::Request;
use resync_check::imap::types::ClientId;
use resync_check::model_file::property_index;
use resync_check::properties::PROPERTIES;
use resync_check::reduce::Reduction;
use resync_check::server::{Flush, Reply};
use resync_check::system::{Action, Config, System};

fn read(client: ClientId) -> Action {
    Action::Read { client }
}

fn end_state(config: &Config, actions: &[Action]) -> System {
    let mut state = System::initial(config);
    for action in actions {
        state.apply(config, *action);
    }
    state
}

fn cached(state: &System, client: ClientId) -> Vec<u32> {
    state.clients[client.index()]
        .cache
        .keys()
        .map(|u| u.0)
        .collect()
}

/// Every command of C2's CONDSTORE reopening: `SELECT INBOX (CONDSTORE)` and its five lines
/// read, then `UID FETCH 1:* (FLAGS) (CHANGEDSINCE m)`.
fn reopen(client: ClientId) -> Vec<Action> {
    let mut path = vec![issue(client, Request::Resync)];
    path.extend([read(client); 5]);
    path.push(issue(client, Request::ChangedSince));
    path
}

/// C1 marks UID 1 `\Deleted`; C2 closes, which expunges it (MODSEQ 3) and tells no one (RFC
/// 7162 section 3.2.8); C2 reopens INBOX and asks for the flags changed since 1: none.
fn closed_and_reopened() -> Vec<Action> {
    let mut path = vec![
        issue(C1, deleted(1)),
        read(C1),
        read(C1),
        issue(C2, Request::Close),
        read(C2),
    ];
    path.extend(reopen(C2));
    path.push(read(C2));
    path
}

const CLOSED_AND_REOPENED: [&str; 13] = [
    "C1: a1 STORE 1 +FLAGS.SILENT (\\Deleted)",
    "S1: * 1 FETCH (UID 1 MODSEQ (2))",
    "S1: a1 OK done",
    "C2: a1 CLOSE",
    "S2: a1 OK done",
    "C2: a2 SELECT INBOX (CONDSTORE)",
    "S2: * 1 EXISTS",
    "S2: * OK [UIDVALIDITY 1] UIDs valid",
    "S2: * OK [UIDNEXT 3] Predicted next UID",
    "S2: * OK [HIGHESTMODSEQ 3] Highest",
    "S2: a2 OK [READ-WRITE] SELECT completed",
    "C2: a3 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1)",
    "S2: a3 OK done",
];

/// The shortest counterexample: `closed_and_reopened` with C1's lines left unread (the read
/// reductions find a path without them).
fn closed_and_reopened_unread() -> Vec<Action> {
    let mut path = closed_and_reopened();
    path.drain(1..3);
    path
}

#[test]
fn at_its_default_the_clause_changes_nothing() {
    let config = rfc7162_with(&[], 2);
    assert_eq!(config.spec.value("client-sync"), Some("qresync"));
    // Left out of every trace's clause list at its default, so old traces stay as they were.
    assert!(
        !config
            .spec
            .shown_values()
            .iter()
            .any(|(c, _)| *c == "client-sync")
    );
    let condstore = rfc7162_with(&[("client-sync", "condstore")], 2);
    assert!(
        condstore
            .spec
            .shown_values()
            .contains(&("client-sync", "condstore"))
    );
    // The reductions' premises hold: no client issues with lines unread, no new client ids.
    assert_eq!(Reduction::ALL.sound_for(&condstore.spec), Reduction::ALL);
    let initial = System::initial(&condstore);
    assert!(initial.server.sessions.iter().flatten().all(|s| !s.qresync));
    assert!(
        System::initial(&config)
            .server
            .sessions
            .iter()
            .flatten()
            .all(|s| s.qresync)
    );
}

#[test]
fn the_conforming_condstore_client_keeps_every_property() {
    for (commands, states) in [(1, 220), (2, 30_900)] {
        let config = rfc7162_with(&[("client-sync", "condstore")], commands);
        let outcome = run(config, (0..PROPERTIES.len()).collect(), true);
        assert_eq!(outcome.completion, Completion::Complete);
        assert!(violated(&outcome).is_empty(), "{:?}", violated(&outcome));
        assert_eq!(outcome.statistics.unique_states, states, "{commands}");
    }
}

#[test]
fn the_conforming_client_holds_under_renumbering_and_with_another_agent() {
    let renumber = rfc7162_with(
        &[
            ("client-sync", "condstore"),
            ("uidvalidity-change", "renumber"),
        ],
        2,
    );
    let mut race = rfc7162_with(&[("client-sync", "condstore")], 2);
    race.messages = 1;
    race.arrivals = 1;
    race.removals = 1;
    for (config, states) in [(renumber, 34_729), (race, 166_612)] {
        let outcome = run(config, (0..PROPERTIES.len()).collect(), true);
        assert_eq!(outcome.completion, Completion::Complete);
        assert!(violated(&outcome).is_empty(), "{:?}", violated(&outcome));
        assert_eq!(outcome.statistics.unique_states, states);
    }
}

#[test]
fn without_the_search_the_client_keeps_a_message_its_own_close_expunged() {
    let config = rfc7162_with(&[("client-sync", "condstore-no-search")], 2);
    let outcome = run(config, (0..PROPERTIES.len()).collect(), true);
    assert_eq!(outcome.completion, Completion::Complete);
    assert_eq!(violated(&outcome), ["views-converge", "resync-point-safe"]);
    assert_eq!(outcome.statistics.unique_states, 23_075);
    for name in ["views-converge", "resync-point-safe"] {
        let outcome = run(config, vec![property_index(name).unwrap()], false);
        let path = outcome.properties[0].counterexample.clone().unwrap();
        assert_eq!(path, closed_and_reopened_unread(), "{name}");
        let mut lines = CLOSED_AND_REOPENED.to_vec();
        lines.drain(1..3);
        assert_eq!(wire_lines(&config, name, &path), lines, "{name}");
        let state = end_state(&config, &path);
        assert_eq!(cached(&state, C2), [1, 2]);
        assert_eq!(state.clients[C2.index()].resync_point.0, 3);
        // The count shows it: EXISTS said 1.
        assert_eq!(
            state.clients[C2.index()]
                .connection
                .as_ref()
                .unwrap()
                .exists,
            1
        );
    }
}

#[test]
fn the_search_finds_the_expunge_and_the_point_is_stored_after_it() {
    let config = rfc7162_with(&[("client-sync", "condstore")], 2);
    let mut path = closed_and_reopened();
    // Before the search nothing is stored and the client is not synchronized.
    let state = end_state(&config, &path);
    assert_eq!(state.clients[C2.index()].resync_point.0, 1);
    assert!(!state.clients[C2.index()].is_idle_selected());
    path.extend([issue(C2, Request::SearchAll), read(C2), read(C2)]);
    let lines = wire_lines(&config, "views-converge", &path);
    assert_eq!(lines[..13], CLOSED_AND_REOPENED);
    assert_eq!(
        lines[13..],
        ["C2: a4 UID SEARCH ALL", "S2: * SEARCH 2", "S2: a4 OK done"]
    );
    let state = end_state(&config, &path);
    assert_eq!(cached(&state, C2), [2]);
    assert_eq!(state.clients[C2.index()].resync_point.0, 3);
    assert!(state.clients[C2.index()].is_idle_selected());
}

/// After `closed_and_reopened`, C1 marks UID 2 `\Deleted` and expunges it, and C2 sends
/// NOOP; the server sends every held-back change.
fn expunged_after(mut path: Vec<Action>) -> Vec<Action> {
    let everything = Reply::flushing(Flush::EVERYTHING);
    path.extend([
        issue(C1, deleted(2)),
        read(C1),
        read(C1),
        Action::Issue {
            client: C1,
            request: Request::Expunge,
            reply: everything,
        },
        read(C1),
        read(C1),
        read(C1),
        Action::Issue {
            client: C2,
            request: Request::Noop,
            reply: everything,
        },
        read(C2),
        read(C2),
    ]);
    path
}

const EXPUNGED_AFTER: [&str; 10] = [
    "C1: a2 STORE 2 +FLAGS.SILENT (\\Deleted)",
    "S1: * 2 FETCH (UID 2 MODSEQ (4))",
    // Erratum 1810: UID 1's expunge (MODSEQ 3) is still held back from C1.
    "S1: a2 OK [HIGHESTMODSEQ 2] done",
    "C1: a3 EXPUNGE",
    // RFC 3501 section 7.4.1: UID 1 (held back) is message 1, then UID 2 is.
    "S1: * 1 EXPUNGE",
    "S1: * 1 EXPUNGE",
    "S1: a3 OK [HIGHESTMODSEQ 5] done",
    "C2: a4 NOOP",
    "S2: * 1 EXPUNGE",
    "S2: a4 OK done",
];

#[test]
fn a_ghost_shifts_the_sequence_map_so_an_expunge_removes_the_wrong_message() {
    let config = rfc7162_with(&[("client-sync", "condstore-no-search")], 3);
    let path = expunged_after(closed_and_reopened());
    let lines = wire_lines(&config, "views-converge", &path);
    assert_eq!(lines[..13], CLOSED_AND_REOPENED);
    assert_eq!(lines[13..], EXPUNGED_AFTER);
    let state = end_state(&config, &path);
    assert_eq!(cached(&state, C1), Vec::<u32>::new());
    // C2 took `* 1 EXPUNGE` for its first cached UID, 1 (long gone), and keeps UID 2, which
    // the EXPUNGE named: the mailbox is empty.
    assert_eq!(cached(&state, C2), [2]);
    assert!(state.server.mailbox.messages.is_empty());
}

#[test]
fn after_the_search_the_same_expunge_removes_the_right_message() {
    let config = rfc7162_with(&[("client-sync", "condstore")], 3);
    let mut path = closed_and_reopened();
    path.extend([issue(C2, Request::SearchAll), read(C2), read(C2)]);
    let path = expunged_after(path);
    let lines = wire_lines(&config, "views-converge", &path);
    assert_eq!(lines[16..18], EXPUNGED_AFTER[..2]);
    assert_eq!(
        lines[lines.len() - 3..],
        ["C2: a5 NOOP", "S2: * 1 EXPUNGE", "S2: a5 OK done"]
    );
    let state = end_state(&config, &path);
    assert_eq!(cached(&state, C2), Vec::<u32>::new());
}

#[test]
fn an_expunge_read_before_the_search_only_lowers_the_count() {
    // C1 marks UID 2 `\Deleted` and expunges it while C2 is between its SELECT and its
    // FETCH; the FETCH's answer carries the EXPUNGE.
    let everything = Reply::flushing(Flush::EVERYTHING);
    let mut path = closed_and_reopened();
    path.truncate(path.len() - 2);
    path.extend([
        issue(C1, deleted(2)),
        read(C1),
        read(C1),
        issue(C1, Request::Expunge),
        read(C1),
        read(C1),
        read(C1),
        Action::Issue {
            client: C2,
            request: Request::ChangedSince,
            reply: everything,
        },
    ]);
    path.extend([read(C2); 2]);
    // UID 2 is gone before the FETCH runs: only its EXPUNGE (message 1 of C2's session,
    // whose view lost UID 1 before its SELECT).
    let tail = [
        "C2: a3 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1)",
        "S2: * 1 EXPUNGE",
        "S2: a3 OK done",
    ];
    for (value, cache) in [("condstore", vec![1, 2]), ("condstore-no-search", vec![2])] {
        let config = rfc7162_with(&[("client-sync", value)], 3);
        let lines = wire_lines(&config, "views-converge", &path);
        assert_eq!(lines[lines.len() - 3..], tail, "{value}");
        let state = end_state(&config, &path);
        assert_eq!(cached(&state, C2), cache, "{value}");
        let exists = state.clients[C2.index()]
            .connection
            .as_ref()
            .unwrap()
            .exists;
        assert_eq!(exists, 0, "{value}");
    }
    // The conforming client's search then lists no survivor.
    let config = rfc7162_with(&[("client-sync", "condstore")], 3);
    path.extend([issue(C2, Request::SearchAll), read(C2), read(C2)]);
    let lines = wire_lines(&config, "views-converge", &path);
    assert_eq!(
        lines[lines.len() - 3..],
        ["C2: a4 UID SEARCH ALL", "S2: * SEARCH", "S2: a4 OK done"]
    );
    assert_eq!(cached(&end_state(&config, &path), C2), Vec::<u32>::new());
}
