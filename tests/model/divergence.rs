//! `divergence-detectable`: where `views-converge` fails, would the client's own count show
//! it? The definition on hand-made states, and its verdicts and counterexamples under the
//! default reductions (the line-by-line ones are pinned in tests/model/pitfalls*.rs).

use crate::common;

use common::clauses::{rfc7162_with, violated};
use common::options;
use common::steps::{C1, C2};
use resync_check::check::{CheckOutcome, Completion, check};
use resync_check::client::Request;
use resync_check::imap::command::{StoreOp, Target};
use resync_check::imap::types::{Flag, FlagSet, Uid};
use resync_check::model_file::property_index;
use resync_check::properties::{PROPERTIES, divergence_detectable, views_converge};
use resync_check::reduce::Reduction;
use resync_check::server::{Flush, Reply};
use resync_check::system::{Action, System};

/// Every property over the whole space under the default reductions (fast), with the
/// shortest counterexample of each violated one.
fn run(clauses: &[(&str, &str)]) -> CheckOutcome {
    let options = options(Reduction::ALL, true);
    let outcome = check(
        rfc7162_with(clauses, 2),
        &[],
        (0..PROPERTIES.len()).collect(),
        options,
    );
    assert_eq!(outcome.completion, Completion::Complete);
    outcome
}

fn shortest(outcome: &CheckOutcome, name: &str) -> Option<usize> {
    let found = &outcome.properties[property_index(name).unwrap()];
    found.counterexample.as_ref().map(Vec::len)
}

#[test]
fn the_definition_on_hand_made_states() {
    let config = rfc7162_with(&[], 2);
    let start = System::initial(&config);
    // Synchronized and equal: nothing to detect.
    assert!(views_converge(&start) && divergence_detectable(&start));
    // A flag alone differs: the count (EXISTS 2) equals the cached UIDs (2): silent.
    let mut flag = start.clone();
    flag.client_mut(C2)
        .cache
        .edit()
        .insert(Uid(1), FlagSet::EMPTY.with(Flag::Seen));
    assert!(!views_converge(&flag));
    assert!(!divergence_detectable(&flag));
    // A UID missing from the cache: 2 counted, 1 cached: detectable.
    let mut missing = start.clone();
    missing.client_mut(C2).cache.edit().remove(&Uid(2));
    assert!(!views_converge(&missing));
    assert!(divergence_detectable(&missing));
    // A ghost and a missing UID cancel out: silent.
    let mut swapped = missing.clone();
    swapped
        .client_mut(C2)
        .cache
        .edit()
        .insert(Uid(3), FlagSet::EMPTY);
    assert!(!views_converge(&swapped));
    assert!(!divergence_detectable(&swapped));
    // A client with a line unread is not judged by either.
    let mut unread = flag.clone();
    let connection = unread.client_mut(C2).connection.as_mut().unwrap();
    connection
        .queue
        .push(resync_check::imap::response::Response::Exists(2));
    assert!(views_converge(&unread) && divergence_detectable(&unread));
}

#[test]
fn rfc7162_holds() {
    let outcome = run(&[]);
    assert!(violated(&outcome).is_empty());
    assert_eq!(outcome.statistics.unique_states, 14_055);
}

#[test]
fn a_divergence_the_count_shows_leaves_it_holding() {
    // Known-uids 1:* read as the last UID present (the edition's `uid-star=last-present`):
    // C2 keeps a ghost UID, told 1 EXISTS.
    let outcome = run(&[("client-known-uids", "star")]);
    assert_eq!(violated(&outcome), ["views-converge", "resync-point-safe"]);
    assert_eq!(shortest(&outcome, "views-converge"), Some(9));
    assert_eq!(outcome.statistics.unique_states, 14_416);
    // The server that under-reports VANISHED (EARLIER): the same kind.
    let outcome = run(&[("expunge-history", "under-report")]);
    assert_eq!(violated(&outcome), ["views-converge", "resync-point-safe"]);
    assert_eq!(shortest(&outcome, "views-converge"), Some(10));
}

#[test]
fn a_dropped_flag_change_is_silent_in_four_steps() {
    let outcome = run(&[("client-out-of-band", "ignore-fetch")]);
    assert_eq!(
        violated(&outcome),
        [
            "views-converge",
            "divergence-detectable",
            "resync-point-safe"
        ]
    );
    let deleted = Request::Store {
        target: Target::Seq(1),
        op: StoreOp::Add,
        flag: Flag::Deleted,
    };
    let flags = Flush {
        flags: true,
        ..Flush::NOTHING
    };
    let read = Action::Read { client: C2 };
    // C2's own STORE gets the \Deleted C1 set, as a FETCH FLAGS it drops.
    let expected = vec![
        Action::Issue {
            client: C1,
            request: deleted,
            reply: Reply::default(),
        },
        Action::Issue {
            client: C2,
            request: deleted,
            reply: Reply::flushing(flags),
        },
        read,
        read,
    ];
    let found = &outcome.properties[property_index("divergence-detectable").unwrap()];
    assert_eq!(found.counterexample.as_ref(), Some(&expected));
}

#[test]
fn silent_where_the_restart_loses_a_flag_and_detectable_where_close_hides_an_expunge() {
    // The restart (12 steps): EXISTS 2, two cached UIDs, a flag differs.
    let outcome = run(&[("modseq-restart", "lost")]);
    assert_eq!(shortest(&outcome, "views-converge"), Some(12));
    assert_eq!(shortest(&outcome, "divergence-detectable"), Some(12));
    // RFC 5162's CLOSE code: the shortest divergence (9 steps) is a ghost the count shows;
    // the shortest silent one, a flag change the code covers, takes 13.
    let outcome = run(&[("close-highestmodseq", "send")]);
    assert_eq!(shortest(&outcome, "views-converge"), Some(9));
    assert_eq!(shortest(&outcome, "divergence-detectable"), Some(13));
}
