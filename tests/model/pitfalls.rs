//! Issue #12's pitfalls as clauses: exact verdicts, state counts and counterexamples.

use crate::common;

use common::clauses::{rfc7162_with, violated};
use common::steps::{C1, C2, issue, wire_lines_of};
use resync_check::check::{CheckOptions, Completion, Limits, Strategy, Verdict, check};
use resync_check::client::Request;
use resync_check::imap::command::{StoreOp, Target};
use resync_check::imap::types::Flag;
use resync_check::model_file::property_index;
use resync_check::properties::{PROPERTIES, property};
use resync_check::server::Reply;
use resync_check::setup::{Bounds, config};
use resync_check::system::Action;
use resync_check::trace::blame::avoiding_changes;
use resync_check::trace::text::transcript;

fn options() -> CheckOptions {
    CheckOptions {
        strategy: Strategy::Dfs,
        threads: 1,
        limits: Limits::NONE,
        keep_going: true,
        progress: false,
        reduction: resync_check::reduce::Reduction::NONE,
    }
}

fn all() -> Vec<usize> {
    (0..PROPERTIES.len()).collect()
}

const DELETED_1: Request = Request::Store {
    target: Target::Seq(1),
    op: StoreOp::Add,
    flag: Flag::Deleted,
};

#[test]
fn a_client_that_stores_what_status_reports_loses_changes_at_the_default_bounds() {
    let config = rfc7162_with(&[("client-resync-point", "status")], 2);
    let outcome = check(config, &[], all(), options());
    assert_eq!(outcome.completion, Completion::Complete);
    assert_eq!(outcome.statistics.unique_states, 1_609_584);
    assert_eq!(
        violated(&outcome),
        [
            "views-converge",
            "divergence-detectable",
            "resync-point-safe"
        ]
    );
    // The server conforms: STATUS is no response code of a selected mailbox.
    assert_eq!(
        outcome.verdict("announced-highestmodseq-covered"),
        Some(Verdict::Holds)
    );
    let read = Action::Read { client: C2 };

    // Without any CLOSE: C2's connection drops while C1's \Deleted is held back from it;
    // the new connection's STATUS reports 2, and the QRESYNC SELECT from 2 reports nothing.
    let converge = &outcome.properties[property_index("views-converge").unwrap()];
    let actions = converge.counterexample.as_ref().unwrap();
    assert_eq!(
        *actions,
        vec![
            issue(C1, DELETED_1),
            Action::Drop { client: C2 },
            issue(C2, Request::Status),
            read,
            read,
            read,
            read,
            issue(C2, Request::Resync),
            read,
            read,
            read,
            read,
            read,
        ]
    );
    let transcript = transcript(&config, property("views-converge").unwrap(), actions);
    assert_eq!(
        wire_lines_of(&transcript.text),
        vec![
            "C1: a1 STORE 1 +FLAGS.SILENT (\\Deleted)",
            "C2: a1 ENABLE QRESYNC",
            "C2: a2 STATUS INBOX (HIGHESTMODSEQ)",
            "S2: * ENABLED QRESYNC",
            "S2: a1 OK enabled",
            "S2: * STATUS INBOX (HIGHESTMODSEQ 2)",
            "S2: a2 OK STATUS completed",
            "C2: a3 SELECT INBOX (QRESYNC (1 2 1:2))",
            "S2: * 2 EXISTS",
            "S2: * OK [UIDVALIDITY 1] UIDs valid",
            "S2: * OK [UIDNEXT 3] Predicted next UID",
            "S2: * OK [HIGHESTMODSEQ 2] Highest",
            "S2: a3 OK [READ-WRITE] SELECT completed",
        ]
    );
    assert!(
        transcript.text.contains(
            "C2's resync point is 2 (stored when it read `a2 OK STATUS completed`, after \
             `* STATUS INBOX (HIGHESTMODSEQ 2)`)."
        ),
        "{}",
        transcript.text
    );
    // Another client rule, which sends no STATUS (blame leaves it out), avoids it.
    let blame = avoiding_changes(&config, property("views-converge").unwrap(), actions);
    let instead: Vec<(&str, &str)> = blame
        .sets
        .iter()
        .map(|set| (set[0].clause, set[0].instead))
        .collect();
    assert_eq!(
        instead,
        [
            ("client-resync-point", "rfc5162"),
            ("client-resync-point", "rfc7162"),
            ("client-resync-point", "eager"),
            ("client-resync-point", "select-on-receipt"),
        ]
    );

    // As Dovecot and Cyrus answer it: C2's CLOSE expunges UID 1 with a plain OK, and STATUS's value
    // covers that expunge.
    let safe = &outcome.properties[property_index("resync-point-safe").unwrap()];
    assert_eq!(
        *safe.counterexample.as_ref().unwrap(),
        vec![
            issue(C1, DELETED_1),
            issue(C2, Request::Close),
            read,
            issue(C2, Request::Status),
            read,
            read,
        ]
    );
}

#[test]
fn a_renumbering_server_is_survived_by_a_client_that_wipes_and_not_by_one_that_keeps() {
    // RFC 7162 section 6 step 1a: the conforming client empties its cache and forgets its
    // HIGHESTMODSEQ.
    let config = rfc7162_with(&[("uidvalidity-change", "renumber")], 2);
    let outcome = check(config, &[], all(), options());
    assert_eq!(outcome.completion, Completion::Complete);
    assert_eq!(outcome.statistics.unique_states, 1_349_197);
    assert!(violated(&outcome).is_empty());
    for name in [
        "close-expunged-unseen-deleted",
        "resynced-after-foreign-expunge",
        "modseq-read-above-held-back-expunge",
    ] {
        assert_eq!(outcome.verdict(name), Some(Verdict::Reached), "{name}");
    }

    let config = rfc7162_with(
        &[
            ("uidvalidity-change", "renumber"),
            ("client-uidvalidity", "keep"),
        ],
        2,
    );
    let outcome = check(config, &[], all(), options());
    assert_eq!(outcome.statistics.unique_states, 1_412_305);
    assert_eq!(
        violated(&outcome),
        [
            "views-converge",
            "divergence-detectable",
            "resync-point-safe"
        ]
    );
    let converge = &outcome.properties[property_index("views-converge").unwrap()];
    let actions = converge.counterexample.as_ref().unwrap();
    let read = Action::Read { client: C2 };
    assert_eq!(
        *actions,
        vec![
            issue(C1, DELETED_1),
            Action::Drop { client: C1 },
            issue(C2, Request::Close),
            read,
            Action::Renumber,
            issue(C2, Request::Resync),
            read,
            read,
            read,
            read,
            read,
        ]
    );
    let transcript = transcript(&config, property("views-converge").unwrap(), actions);
    assert_eq!(
        wire_lines_of(&transcript.text),
        vec![
            "C1: a1 STORE 1 +FLAGS.SILENT (\\Deleted)",
            "C2: a1 CLOSE",
            "S2: a1 OK done",
            "C2: a2 SELECT INBOX (QRESYNC (1 1 1:2))",
            "S2: * 1 EXISTS",
            "S2: * OK [UIDVALIDITY 2] UIDs valid",
            "S2: * OK [UIDNEXT 2] Predicted next UID",
            "S2: * OK [HIGHESTMODSEQ 3] Highest",
            "S2: a2 OK [READ-WRITE] SELECT completed",
        ]
    );
    assert!(transcript.text.contains(
        "-- the server assigns the UIDs again (they did not persist, RFC 3501 section \
         2.3.1.1): UIDVALIDITY 2, UID 2 is now UID 1, UIDNEXT 2; the expunge history is \
         deleted (RFC 7162 section 5.3)\n"
    ));
    assert!(transcript.text.contains(
        "-- views-converge: C2 still caches UID 2, which the mailbox does not have under \
         UIDVALIDITY 2;"
    ));
    let blame = avoiding_changes(&config, property("views-converge").unwrap(), actions);
    let instead: Vec<(&str, &str)> = blame
        .sets
        .iter()
        .map(|set| (set[0].clause, set[0].instead))
        .collect();
    // Without the renumbering the trace no longer runs, so only the client is to blame; a
    // CONDSTORE-only client, whose `UID SEARCH ALL` finds which cached UIDs the mailbox has,
    // also keeps no ghost (meli's too: its narrower CHANGEDSINCE set does not matter here).
    assert_eq!(
        instead,
        [
            ("client-uidvalidity", "wipe"),
            ("client-sync", "condstore"),
            ("client-sync", "condstore-drop-top")
        ]
    );
    let safe = &outcome.properties[property_index("resync-point-safe").unwrap()];
    assert_eq!(safe.counterexample.as_ref().unwrap().len(), 10);
}

#[test]
fn the_renumbering_exists_only_where_its_clause_is_set() {
    // At every edition's defaults the server never renumbers, so the state counts of the
    // editions stay what they were before the clause existed. rfc5162's 1,614,709 and
    // rfc7162's 1,211,425 are pinned in tests/model/erratum_1808.rs, which explores them
    // already; rfc5162+1808 is pinned here.
    let bounds = Bounds {
        clients: Some(2),
        messages: Some(2),
        commands: Some(2),
        arrivals: None,
        removals: None,
    };
    let config = config("rfc5162+1808", &[], bounds).unwrap();
    let outcome = check(config, &[], all(), options());
    assert_eq!(outcome.statistics.unique_states, 1_582_713);
}

#[test]
fn a_client_that_drops_out_of_band_lines_but_moves_its_resync_point_loses_them() {
    let deleted_uid_1 = Request::Store {
        target: Target::Uid(resync_check::imap::types::Uid(1)),
        op: StoreOp::Add,
        flag: Flag::Deleted,
    };
    let read1 = Action::Read { client: C1 };
    let expunges = resync_check::server::Flush {
        expunges: true,
        ..resync_check::server::Flush::NOTHING
    };
    let read2 = Action::Read { client: C2 };

    // ignore-vanished: C2's NOOP gets C1's expunge and the HIGHESTMODSEQ over it.
    let config = rfc7162_with(&[("client-out-of-band", "ignore-vanished")], 2);
    let outcome = check(config, &[], all(), options());
    assert_eq!(outcome.statistics.unique_states, 1_229_677);
    assert_eq!(
        violated(&outcome),
        [
            "views-converge",
            "divergence-detectable",
            "resync-point-safe",
            "message-count-agrees"
        ]
    );
    let safe = &outcome.properties[property_index("resync-point-safe").unwrap()];
    let actions = safe.counterexample.as_ref().unwrap();
    let prefix = [
        issue(C1, DELETED_1),
        read1,
        read1,
        issue(C1, Request::Expunge),
    ];
    let expected: Vec<Action> = prefix
        .iter()
        .copied()
        .chain([
            Action::Issue {
                client: C2,
                request: Request::Noop,
                // VANISHED 1, and the optional code, now that nothing stays held back.
                reply: Reply {
                    flush: expunges,
                    code: true,
                    ..Reply::default()
                },
            },
            read2,
            read2,
        ])
        .collect();
    assert_eq!(*actions, expected);
    let text = transcript(&config, property("resync-point-safe").unwrap(), actions).text;
    assert_eq!(
        wire_lines_of(&text)[4..],
        [
            "C2: a1 NOOP",
            "S2: * VANISHED 1",
            "S2: a1 OK [HIGHESTMODSEQ 3] done"
        ]
    );
    // views-converge: a UID STORE on the expunged UID 1, answered VANISHED 1 and NO.
    let converge = &outcome.properties[property_index("views-converge").unwrap()];
    let expected: Vec<Action> = prefix
        .iter()
        .copied()
        .chain([
            Action::Issue {
                client: C2,
                request: deleted_uid_1,
                reply: Reply {
                    flush: expunges,
                    gone: resync_check::server::GoneStore::No,
                    ..Reply::default()
                },
            },
            read2,
            read2,
        ])
        .collect();
    assert_eq!(*converge.counterexample.as_ref().unwrap(), expected);

    // ignore-fetch: the held-back FETCH FLAGS at the end of C2's own STORE is dropped.
    let config = rfc7162_with(&[("client-out-of-band", "ignore-fetch")], 2);
    let outcome = check(config, &[], all(), options());
    assert_eq!(outcome.statistics.unique_states, 1_124_801);
    assert_eq!(
        violated(&outcome),
        [
            "views-converge",
            "divergence-detectable",
            "resync-point-safe"
        ]
    );
    let converge = &outcome.properties[property_index("views-converge").unwrap()];
    let actions = converge.counterexample.as_ref().unwrap();
    let flags = resync_check::server::Flush {
        flags: true,
        ..resync_check::server::Flush::NOTHING
    };
    assert_eq!(
        *actions,
        vec![
            issue(C1, DELETED_1),
            Action::Issue {
                client: C2,
                request: DELETED_1,
                reply: Reply::flushing(flags),
            },
            read2,
            read2,
        ]
    );
    let transcript = transcript(&config, property("views-converge").unwrap(), actions);
    assert_eq!(
        wire_lines_of(&transcript.text),
        [
            "C1: a1 STORE 1 +FLAGS.SILENT (\\Deleted)",
            "C2: a1 STORE 1 +FLAGS.SILENT (\\Deleted)",
            "S2: * 1 FETCH (UID 1 MODSEQ (2) FLAGS (\\Deleted))",
            "S2: a1 OK done",
        ]
    );
    // Silent: a flag alone differs, so C2's count (2) equals its cached UIDs (2); the same
    // four steps are divergence-detectable's shortest counterexample.
    assert!(transcript.text.contains(
        "\n-- silent: C2 counts 2 messages and caches 2 UIDs, so a client that compares the \
         two (mutt's and Trojita's check) does not notice (divergence-detectable fails \
         here).\n"
    ));
    let silent = &outcome.properties[property_index("divergence-detectable").unwrap()];
    assert_eq!(silent.counterexample.as_ref(), Some(actions));
}
