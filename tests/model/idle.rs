//! Issue #12 item 6 as clauses: a client that idles (IDLE, RFC 9051 section 6.3.13), a
//! server that pushes while it does, and where erratum 1810's bound (RFC 7162 section 3.2)
//! looks. Exact verdicts, state counts and counterexamples.

use crate::common;

use common::check_reduced as run;
use common::clauses::{rfc7162_with, violated};
use common::options;
use common::steps::{C1, C2, deleted, issue, wire_lines};
use resync_check::check::{CheckOptions, Completion, Strategy, check};
use resync_check::client::Request;
use resync_check::model_file::property_index;
use resync_check::properties::PROPERTIES;
use resync_check::reduce::Reduction;
use resync_check::server::{Flush, Reply};
use resync_check::step::Step;
use resync_check::system::{Action, System};

#[test]
fn idling_keeps_every_property_where_pushes_are_capped_since_the_last_tagged_response() {
    // `client-idle=idle` alone (590,355 states, every property kept) is
    // models/clause-client-idle.json, which `verify` checks (tests/checker/traces.rs).
    for (clauses, states) in [
        (
            &[("client-idle", "idle"), ("idle-push", "at-done")][..],
            15_722,
        ),
        (
            &[
                ("client-idle", "idle"),
                ("idle-push", "at-done"),
                ("idle-highestmodseq", "per-response"),
            ][..],
            15_722,
        ),
        // At two commands no client can change a flag after an expunge it holds back.
        (
            &[
                ("client-idle", "idle"),
                ("idle-highestmodseq", "per-response"),
            ][..],
            590_355,
        ),
    ] {
        let outcome = run(
            rfc7162_with(clauses, 2),
            (0..PROPERTIES.len()).collect(),
            true,
        );
        assert_eq!(outcome.completion, Completion::Complete, "{clauses:?}");
        assert!(violated(&outcome).is_empty(), "{clauses:?}");
        assert_eq!(outcome.statistics.unique_states, states, "{clauses:?}");
    }
}

#[test]
fn without_idle_the_reductions_and_the_state_space_are_as_before() {
    let config = rfc7162_with(&[], 2);
    assert_eq!(Reduction::ALL.sound_for(&config.spec), Reduction::ALL);
    let at_done = rfc7162_with(&[("client-idle", "idle"), ("idle-push", "at-done")], 2);
    assert_eq!(Reduction::ALL.sound_for(&at_done.spec), Reduction::ALL);
    let push = rfc7162_with(&[("client-idle", "idle")], 2);
    assert_eq!(
        Reduction::ALL.sound_for(&push.spec).name(),
        "symmetry+retire"
    );
}

/// Every run names the reduction it applied: under pushes, symmetry and retire, whichever search
/// explores the whole space and for the first-violation search too.
#[test]
fn a_run_under_pushes_reports_the_reduction_it_applied() {
    let push = rfc7162_with(&[("client-idle", "idle")], 1);
    for (strategy, keep_going) in [
        (Strategy::Bfs, true),
        (Strategy::Dfs, true),
        (Strategy::Stateright, true),
        (Strategy::Bfs, false),
    ] {
        let options = CheckOptions {
            strategy,
            ..options(Reduction::ALL, keep_going)
        };
        let outcome = check(push, &[], (0..PROPERTIES.len()).collect(), options);
        assert!(
            outcome.search.ends_with("reduction symmetry+retire"),
            "{strategy:?} {keep_going}: {}",
            outcome.search
        );
    }
}

/// The history both readings of erratum 1810 are judged on: C1 marks UID 1 `\Deleted`, C2
/// idles, C1 expunges UID 1 (MODSEQ 3) and marks UID 2 (MODSEQ 4); the server pushes UID 2's
/// flags to C2 and holds the expunge back; C2 sends DONE and the server ends the IDLE.
fn pushed_above_a_held_back_expunge() -> Vec<Action> {
    let read = |client| Action::Read { client };
    let flags_only = Reply::flushing(Flush {
        flags: true,
        ..Flush::NOTHING
    });
    vec![
        issue(C1, deleted(1)),
        issue(C2, Request::Idle),
        read(C1),
        read(C2),
        read(C1),
        issue(C1, Request::Expunge),
        read(C1),
        read(C1),
        issue(C1, deleted(1)),
        Action::Push {
            client: C2,
            reply: flags_only,
        },
        read(C2),
        issue(C2, Request::Done),
        read(C2),
    ]
}

#[test]
fn per_response_lets_an_idling_client_store_a_pushed_modseq_above_a_held_back_expunge() {
    let config = rfc7162_with(
        &[
            ("client-idle", "idle"),
            ("idle-highestmodseq", "per-response"),
        ],
        3,
    );
    let name = "resync-point-safe";
    let outcome = run(config, vec![property_index(name).unwrap()], false);
    let found = &outcome.properties[0];
    let path = found.counterexample.clone().unwrap();
    assert_eq!(path, pushed_above_a_held_back_expunge());
    assert_eq!(
        wire_lines(&config, name, &path),
        [
            "C1: a1 STORE 1 +FLAGS.SILENT (\\Deleted)",
            "C2: a1 IDLE",
            "S1: * 1 FETCH (UID 1 MODSEQ (2))",
            "S2: + idling",
            "S1: a1 OK done",
            "C1: a2 EXPUNGE",
            "S1: * VANISHED 1",
            "S1: a2 OK [HIGHESTMODSEQ 3] done",
            "C1: a3 STORE 1 +FLAGS.SILENT (\\Deleted)",
            "S2: * 2 FETCH (UID 2 MODSEQ (4) FLAGS (\\Deleted))",
            "C2: DONE",
            "S2: a1 OK done",
        ]
    );
    let mut state = System::initial(&config);
    for action in &path {
        state.apply(&config, *action);
    }
    assert_eq!(state.clients[C2.index()].resync_point.0, 4);
}

#[test]
fn since_tagged_lowers_the_code_in_the_push_and_at_idles_tagged_ok() {
    let config = rfc7162_with(&[("client-idle", "idle")], 3);
    // The same history, where C2 also reads the lowered code the push now carries.
    let mut path = pushed_above_a_held_back_expunge();
    path.truncate(11);
    let read = Action::Read { client: C2 };
    path.extend([read, issue(C2, Request::Done), read]);
    let lines = wire_lines(&config, "resync-point-safe", &path);
    assert_eq!(
        lines[9..],
        [
            "S2: * 2 FETCH (UID 2 MODSEQ (4) FLAGS (\\Deleted))",
            "S2: * OK [HIGHESTMODSEQ 2] Highest",
            "C2: DONE",
            "S2: a1 OK [HIGHESTMODSEQ 2] done",
        ]
    );
    let mut state = System::initial(&config);
    for action in &path {
        state.apply(&config, *action);
    }
    assert_eq!(state.clients[C2.index()].resync_point.0, 2);
}

#[test]
fn a_push_step_names_its_client_and_what_the_server_sends() {
    let push = Action::Push {
        client: C2,
        reply: Reply {
            code: true,
            ..Reply::flushing(Flush::EVERYTHING)
        },
    };
    let step = Step::bare(push);
    let json = serde_json::to_string(&step).unwrap();
    assert_eq!(
        json,
        r#"{"do":"push","client":"C2","server_sends":"flag-changes+expunges+unannounced+exists","adds_highestmodseq":true}"#
    );
    let back: Step = serde_json::from_str(&json).unwrap();
    assert_eq!(back.action().unwrap(), push);
    let bad: Step = serde_json::from_str(
        r#"{"do":"push","client":"C2","request":"noop","server_sends":"nothing"}"#,
    )
    .unwrap();
    assert!(bad.action().is_err());
}
