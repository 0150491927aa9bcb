//! Issue #12 item 8 as clauses: a client that pipelines (RFC 3501 section 5.5), a server that
//! may interleave two STOREs' answers, and where erratum 1810's bound (RFC 7162 section 3.2)
//! looks then. Exact verdicts, state counts and counterexamples.

use crate::common;

use common::clauses::{rfc7162_with, violated};
use common::steps::{C1, C2, deleted, issue, wire_lines};
use common::{options, reductions, scripted_summary};
use resync_check::check::{CheckOutcome, Completion, check};
use resync_check::client::Request;
use resync_check::imap::command::{StoreOp, Target};
use resync_check::imap::types::{Flag, Uid};
use resync_check::model_file::property_index;
use resync_check::properties::{PROPERTIES, resync_point_safe, views_converge};
use resync_check::reduce::Reduction;
use resync_check::server::Reply;
use resync_check::step::Step;
use resync_check::system::{Action, Config, System};

fn run(config: Config, script: &[Action], properties: Vec<usize>, keep: bool) -> CheckOutcome {
    check(config, script, properties, options(Reduction::ALL, keep))
}

fn store(target: Target, flag: Flag) -> Request {
    Request::Store {
        target,
        op: StoreOp::Add,
        flag,
    }
}

/// `client` sends `request`, which the server begins before completing the command in
/// flight (`Reply::interleave`).
fn interleaved(client: resync_check::imap::types::ClientId, request: Request) -> Action {
    Action::Issue {
        client,
        request,
        reply: Reply {
            interleave: true,
            ..Reply::default()
        },
    }
}

fn pipelining(reading: &str, commands: u64) -> Config {
    rfc7162_with(
        &[
            ("client-pipelining", "on"),
            ("pipelined-highestmodseq", reading),
        ],
        commands,
    )
}

fn apply(config: &Config, actions: &[Action]) -> System {
    let mut state = System::initial(config);
    for action in actions {
        state.apply(config, *action);
    }
    state
}

/// The models' script: C2 sends a1 STORE 2 (MODSEQ 2); C1 marks UID 1 `\Deleted` (3) and
/// expunges it (4), held back from C2; C2 pipelines a2 STORE 1 on the held-back message (a
/// new MODSEQ 5, RFC 7162 section 6's A151), which the server begins before completing a1.
fn above_a_held_back_expunge() -> Vec<Action> {
    let read = |client| Action::Read { client };
    vec![
        issue(C2, store(Target::Seq(2), Flag::Seen)),
        issue(C1, deleted(1)),
        read(C1),
        read(C1),
        issue(C1, Request::Expunge),
        interleaved(C2, store(Target::Seq(1), Flag::Seen)),
    ]
}

#[test]
fn at_their_defaults_the_clauses_change_nothing_and_are_not_listed() {
    let off = rfc7162_with(&[], 2);
    assert_eq!(Reduction::ALL.sound_for(&off.spec), Reduction::ALL);
    let shown: Vec<&str> = off.spec.shown_values().iter().map(|(c, _)| *c).collect();
    assert_eq!(shown.len(), 22);
    assert!(!shown.contains(&"client-pipelining"));
    let on = pipelining("since-tagged", 2);
    assert_eq!(Reduction::ALL.sound_for(&on.spec).name(), "symmetry+retire");
    assert_eq!(on.spec.shown_values().len(), 24);
    // Off, the reading alone is listed (with its clause), though it changes nothing.
    let reading = rfc7162_with(&[("pipelined-highestmodseq", "per-command")], 2);
    assert_eq!(reading.spec.shown_values().len(), 24);
}

#[test]
fn the_client_pipelines_only_what_rfc_3501_section_5_5_allows() {
    let config = pipelining("since-tagged", 2);
    let spec = &config.spec;
    let offered = |first: Request| {
        let state = apply(&config, &[issue(C1, first)]);
        state.clients[C1.index()].requests(spec)
    };
    // After a sequence-number STORE: another message, by number or UID; never the same.
    let after_seq = offered(store(Target::Seq(1), Flag::Seen));
    assert!(after_seq.contains(&store(Target::Seq(2), Flag::Seen)));
    assert!(after_seq.contains(&store(Target::Uid(Uid(2)), Flag::Seen)));
    assert!(!after_seq.contains(&store(Target::Seq(1), Flag::Deleted)));
    assert!(!after_seq.contains(&store(Target::Uid(Uid(1)), Flag::Deleted)));
    assert!(after_seq.contains(&Request::Noop) && after_seq.contains(&Request::Close));
    // After a UID STORE or a NOOP: no sequence numbers.
    let after_uid = offered(store(Target::Uid(Uid(1)), Flag::Seen));
    assert!(after_uid.contains(&store(Target::Uid(Uid(2)), Flag::Seen)));
    assert!(!after_uid.iter().any(|r| matches!(
        r,
        Request::Store {
            target: Target::Seq(_),
            ..
        }
    )));
    let after_noop = offered(Request::Noop);
    assert!(!after_noop.contains(&store(Target::Seq(1), Flag::Seen)));
    assert!(after_noop.contains(&store(Target::Uid(Uid(1)), Flag::Seen)));
    // Nothing after CLOSE, and at most two in flight.
    assert!(offered(Request::Close).is_empty());
    let two = apply(
        &config,
        &[issue(C1, Request::Noop), issue(C1, Request::Noop)],
    );
    assert!(two.clients[C1.index()].requests(spec).is_empty());
    // Off, nothing while a command is in flight.
    let off = rfc7162_with(&[], 2);
    let state = apply(&off, &[issue(C1, Request::Noop)]);
    assert!(state.clients[C1.index()].requests(&off.spec).is_empty());
}

#[test]
fn per_command_lets_a_pipelining_client_store_a_modseq_above_a_held_back_change() {
    let config = pipelining("per-command", 2);
    let name = "resync-point-safe";
    let outcome = run(config, &[], vec![property_index(name).unwrap()], false);
    let path = outcome.properties[0].counterexample.clone().unwrap();
    let read = Action::Read { client: C2 };
    assert_eq!(
        path,
        [
            issue(C1, deleted(1)),
            issue(C2, deleted(1)),
            interleaved(C2, deleted(2)),
            read,
            read,
        ]
    );
    assert_eq!(
        wire_lines(&config, name, &path),
        [
            "C1: a1 STORE 1 +FLAGS.SILENT (\\Deleted)",
            "C2: a1 STORE 1 +FLAGS.SILENT (\\Deleted)",
            "C2: a2 STORE 2 +FLAGS.SILENT (\\Deleted)",
            "S2: * 2 FETCH (UID 2 MODSEQ (3))",
            "S2: a1 OK done",
        ]
    );
    assert_eq!(apply(&config, &path).clients[C2.index()].resync_point.0, 3);
    // Under since-tagged the same steps give a1's OK the lower code.
    let since = pipelining("since-tagged", 2);
    assert_eq!(
        wire_lines(&since, name, &path)[4],
        "S2: a1 OK [HIGHESTMODSEQ 1] done"
    );
    assert_eq!(apply(&since, &path).clients[C2.index()].resync_point.0, 1);
}

#[test]
fn per_command_loses_an_expunge_at_three_commands_and_since_tagged_does_not() {
    let script = above_a_held_back_expunge();
    let every: Vec<usize> = (0..PROPERTIES.len()).collect();
    let config = pipelining("per-command", 3);
    let outcome = run(config, &script, every.clone(), true);
    assert_eq!(outcome.completion, Completion::Complete);
    // The server is at fault: a1's plain OK follows a2's MODSEQ 5 over the held-back expunge.
    assert_eq!(
        violated(&outcome),
        [
            "views-converge",
            "resync-point-safe",
            "computed-highestmodseq-covered"
        ]
    );
    assert_eq!(outcome.statistics.unique_states, 25_636);
    let since = pipelining("since-tagged", 3);
    let outcome = run(since, &script, every, true);
    assert!(violated(&outcome).is_empty());
    assert_eq!(outcome.statistics.unique_states, 22_288);

    // C2 reads both FETCHes and a1's OK, drops before a2's, and resyncs from what it stored.
    let read = Action::Read { client: C2 };
    let mut path = script.clone();
    path.extend([read, read, read]);
    assert_eq!(
        wire_lines(&config, "resync-point-safe", &path)[5..],
        [
            "C2: a2 STORE 1 +FLAGS.SILENT (\\Seen)",
            "S2: * 2 FETCH (UID 2 MODSEQ (2))",
            "S2: * 1 FETCH (UID 1 MODSEQ (5))",
            "S2: a1 OK done",
        ]
    );
    let state = apply(&config, &path);
    assert_eq!(state.clients[C2.index()].resync_point.0, 5);
    assert!(!resync_point_safe(&state));
    assert_eq!(
        wire_lines(&since, "resync-point-safe", &path)[8],
        "S2: a1 OK [HIGHESTMODSEQ 3] done"
    );
    assert!(resync_point_safe(&apply(&since, &path)));
    path.extend([Action::Drop { client: C2 }, issue(C2, Request::Resync)]);
    path.extend([read; 7]);
    let state = apply(&config, &path);
    assert!(state.clients[C2.index()].cache.contains_key(&Uid(1)));
    assert!(!views_converge(&state));
}

#[test]
fn an_interleaved_send_names_the_choice_and_replays() {
    let action = interleaved(C2, deleted(2));
    let step = Step::bare(action);
    assert!(step.interleaves);
    assert_eq!(step.action(), Ok(action));
    let json = serde_json::to_value(&step).unwrap();
    assert_eq!(json["interleaves"], true);
    let plain = serde_json::to_value(Step::bare(issue(C2, deleted(2)))).unwrap();
    assert!(plain.get("interleaves").is_none());
    // Only a send may interleave.
    let mut read = Step::bare(Action::Read { client: C2 });
    read.interleaves = true;
    assert!(read.action().is_err());
}

/// tests/exhaustive/reduction_verdicts.rs compares every reduction on every clause value at
/// one message, where no two STOREs name different messages and so nothing is interleaved.
/// Here the same comparison from the scripted interleaving, at 2 messages and 3 commands:
/// every reduction `--reduce` offers gives the unreduced verdicts and counterexample lengths
/// (under pipelining all but symmetry and retire are off, `Reduction::sound_for`).
#[test]
fn every_reduction_gives_the_unreduced_verdicts_from_the_interleaving() {
    let script = above_a_held_back_expunge();
    for reading in ["per-command", "since-tagged"] {
        let config = pipelining(reading, 3);
        let summary = |reduction| scripted_summary(config, &script, options(reduction, true));
        let (unreduced, states) = summary(Reduction::NONE);
        for reduction in reductions() {
            let (reduced, reduced_states) = summary(reduction);
            assert_eq!(reduced, unreduced, "{reading}: {}", reduction.name());
            let applied = reduction.sound_for(&config.spec);
            assert!(!applied.reads && !applied.read_order);
            // From the scripted start the two clients are far apart: symmetry and retire may
            // find no two states to merge, never more states.
            if applied.symmetry || applied.retire {
                assert!(reduced_states <= states, "{reading}: {}", reduction.name());
            } else {
                assert_eq!(reduced_states, states, "{reading}: {}", reduction.name());
            }
        }
    }
}
