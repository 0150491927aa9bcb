//! Issue #12 items 3 and 4 as clauses: `*` in UID sets, lost expunge history, a restart that
//! loses the mod-sequences. Exact verdicts, state counts (line by line) and counterexamples.

use crate::common;

use common::clauses::{rfc7162_with, violated};
use common::options;
use common::steps::{C1, C2, deleted, issue, wire_lines};
use resync_check::check::{CheckOutcome, Completion, check};
use resync_check::client::{Client, Request};
use resync_check::imap::wire;
use resync_check::model_file::property_index;
use resync_check::properties::{PROPERTIES, property};
use resync_check::reduce::Reduction;
use resync_check::system::{Action, Config};
use resync_check::trace::blame::{avoiding_changes, sentence};
use resync_check::trace::text::transcript;

/// The whole line-by-line space (no reduction) of rfc7162 with `clauses`, at 2 clients, 2
/// messages, 2 commands.
fn run(clauses: &[(&str, &str)]) -> (Config, CheckOutcome) {
    let config = rfc7162_with(clauses, 2);
    let options = options(Reduction::NONE, true);
    let outcome = check(config, &[], (0..PROPERTIES.len()).collect(), options);
    assert_eq!(outcome.completion, Completion::Complete);
    (config, outcome)
}

/// The shortest counterexample `outcome` found for `name`.
fn path(outcome: &CheckOutcome, name: &str) -> Vec<Action> {
    let found = &outcome.properties[property_index(name).unwrap()];
    found.counterexample.clone().unwrap()
}

const READ_C1: Action = Action::Read { client: C1 };
const READ_C2: Action = Action::Read { client: C2 };

/// The SELECT answer C2 reads in both histories below, up to its VANISHED (EARLIER).
const SELECT_HEAD: [&str; 4] = [
    "S2: * 1 EXISTS",
    "S2: * OK [UIDVALIDITY 1] UIDs valid",
    "S2: * OK [UIDNEXT 3] Predicted next UID",
    "S2: * OK [HIGHESTMODSEQ 3] Highest",
];

#[test]
fn known_uids_one_to_star_lose_the_top_uid_where_star_is_the_last_uid_present() {
    // The edition reads `*` as RFC 3501 section 9 does (`uid-star=last-present`).
    let (config, outcome) = run(&[("client-known-uids", "star")]);
    assert_eq!(outcome.statistics.unique_states, 1_210_071);
    assert_eq!(violated(&outcome), ["views-converge", "resync-point-safe"]);
    // C1's \Deleted on the top UID is held back from C2, whose CLOSE expunges it unseen;
    // the SELECT's 1:* is 1:1 once UID 2 is gone, so nothing reports it.
    let actions = path(&outcome, "views-converge");
    let close = issue(C2, Request::Close);
    let resync = issue(C2, Request::Resync);
    let expected = [issue(C1, deleted(2)), close, READ_C2, resync];
    assert_eq!(actions[..4], expected[..]);
    assert_eq!(actions[4..], [READ_C2; 5]);
    assert_eq!(path(&outcome, "resync-point-safe"), actions);
    let mut lines = vec![
        "C1: a1 STORE 2 +FLAGS.SILENT (\\Deleted)",
        "C2: a1 CLOSE",
        "S2: a1 OK done",
        "C2: a2 SELECT INBOX (QRESYNC (1 1 1:*))",
    ];
    lines.extend(SELECT_HEAD);
    lines.push("S2: a2 OK [READ-WRITE] SELECT completed");
    assert_eq!(wire_lines(&config, "views-converge", &actions), lines);
    // The same steps where `*` is UIDNEXT-1: VANISHED (EARLIER) 2, and no violation.
    // (One line more to read.)
    let rfc3501 = rfc7162_with(
        &[
            ("client-known-uids", "star"),
            ("uid-star", "uidnext-minus-1"),
        ],
        2,
    );
    lines.insert(8, "S2: * VANISHED (EARLIER) 2");
    let read_all = [&actions[..], &[READ_C2]].concat();
    assert_eq!(wire_lines(&rfc3501, "views-converge", &read_all), lines);
    let blame = avoiding_changes(&config, property("views-converge").unwrap(), &actions);
    assert!(
        sentence("views-converge", &blame).ends_with(
            "with client-known-uids=cache, or with client-known-uids=omit, or with \
             uid-star=uidnext-minus-1 (breaks RFC 3501 section 9), or with client-sync=condstore, or \
             with client-sync=condstore-drop-top (breaks RFC 7162 section 6), or with \
             client-sync=fetch-vanished-cache, or with client-sync=fetch-vanished-maxuid, the \
             same commands, every line read, leave no violation of views-converge"
        ),
        "{}",
        sentence("views-converge", &blame)
    );
}

#[test]
fn a_mid_session_uid_fetch_of_one_to_star_loses_nothing_at_the_default_bounds() {
    // Mid-session, an expunge the session was not told of keeps its sequence number, and
    // the held-back VANISHED reports it: `*` read either way misses nothing.
    let mut counts = Vec::new();
    for clauses in [
        &[("client-fetch-vanished", "cache")][..],
        &[("client-fetch-vanished", "star")][..],
        &[
            ("client-fetch-vanished", "star"),
            ("uid-star", "uidnext-minus-1"),
        ][..],
    ] {
        let (_, outcome) = run(clauses);
        assert!(violated(&outcome).is_empty(), "{clauses:?}");
        counts.push(outcome.statistics.unique_states);
    }
    // `star` alone reads `*` as the edition does, `last-present`. (The server counts the
    // VANISHED FETCH as a resync from its mod-sequence, `resynced_from`, as a QRESYNC
    // SELECT's.)
    assert_eq!(counts, [1_480_225, 1_480_285, 1_480_345]);
}

#[test]
fn a_server_that_forgot_its_expunges_must_answer_with_a_superset() {
    let (config, outcome) = run(&[("expunge-history", "under-report")]);
    assert_eq!(outcome.statistics.unique_states, 1_587_053);
    assert_eq!(violated(&outcome), ["views-converge", "resync-point-safe"]);
    let actions = path(&outcome, "views-converge");
    let close = issue(C2, Request::Close);
    let resync = issue(C2, Request::Resync);
    let expected = [
        issue(C1, deleted(1)),
        close,
        READ_C2,
        Action::Forget,
        resync,
    ];
    assert_eq!(actions[..5], expected[..]);
    assert_eq!(actions[5..], [READ_C2; 5]);
    assert_eq!(path(&outcome, "resync-point-safe"), actions);
    let mut lines = vec![
        "C1: a1 STORE 1 +FLAGS.SILENT (\\Deleted)",
        "C2: a1 CLOSE",
        "S2: a1 OK done",
        "C2: a2 SELECT INBOX (QRESYNC (1 1 1:2))",
    ];
    lines.extend(SELECT_HEAD);
    lines.push("S2: a2 OK [READ-WRITE] SELECT completed");
    assert_eq!(wire_lines(&config, "views-converge", &actions), lines);
    let text = transcript(&config, property("views-converge").unwrap(), &actions).text;
    // Detectable: C2 was told 1 EXISTS and caches 2 UIDs (divergence-detectable holds).
    assert!(text.contains(
        "\n-- detectable: C2 counts 1 message (its last EXISTS, less each VANISHED since) but \
         caches 2 UIDs, so a client that compares the two (mutt's and Trojita's check) \
         notices the loss.\n"
    ));
    assert!(text.contains(
        "-- the server lets its expunge records expire and keeps only their highest \
         mod-sequence, 3 (RFC 7162 section 5.3)"
    ));
    // RFC 7162 section 3.2.6's note: below what it forgot, every UID of the set not present.
    let (truncated, holds) = run(&[("expunge-history", "truncated")]);
    assert!(violated(&holds).is_empty());
    assert_eq!(holds.statistics.unique_states, 1_532_469);
    lines.insert(8, "S2: * VANISHED (EARLIER) 1");
    let read_all = [&actions[..], &[READ_C2]].concat();
    assert_eq!(wire_lines(&truncated, "views-converge", &read_all), lines);
}

#[test]
fn seq_match_data_only_shortens_the_superset() {
    // Without known-uids the fallback names every missing UID below UIDNEXT, the ones the
    // client already dropped too; seq-match-data leaves out those up to the last matching
    // pair. The verdicts do not move, the VANISHED (EARLIER) lines do.
    let base = [
        ("expunge-history", "truncated"),
        ("client-known-uids", "omit"),
    ];
    let (_, without) = run(&base);
    let (_, with) = run(&[base[0], base[1], ("client-seq-match", "cache")]);
    assert!(violated(&without).is_empty() && violated(&with).is_empty());
    assert_eq!(without.statistics.unique_states, 1_537_269);
    assert_eq!(with.statistics.unique_states, 1_534_869);
}

#[test]
fn a_restart_that_loses_the_mod_sequences_loses_changes_below_every_resync_point() {
    let (config, outcome) = run(&[("modseq-restart", "lost")]);
    assert_eq!(outcome.statistics.unique_states, 1_366_567);
    assert_eq!(
        violated(&outcome),
        [
            "views-converge",
            "divergence-detectable",
            "resync-point-safe",
            "highestmodseq-monotonic"
        ]
    );
    // C1's STORE lands at MODSEQ 2; both connections drop before anyone reads it; the
    // restart puts it at MODSEQ 1, the resync point of both.
    let drops = [Action::Drop { client: C1 }, Action::Drop { client: C2 }];
    let restart = vec![issue(C1, deleted(1)), drops[0], drops[1], Action::Restart];
    assert_eq!(path(&outcome, "highestmodseq-monotonic"), restart);
    assert_eq!(path(&outcome, "resync-point-safe"), restart);
    let text = transcript(
        &config,
        property("highestmodseq-monotonic").unwrap(),
        &restart,
    )
    .text;
    assert!(text.contains(
        "-- highestmodseq-monotonic: the server's restart lowered the mailbox's HIGHESTMODSEQ \
         from 2 to 1 with the UIDVALIDITY unchanged"
    ));
    // Then C1's QRESYNC SELECT from 1 hears of no change: its own \Deleted is lost to it.
    let actions = path(&outcome, "views-converge");
    assert_eq!(actions[..4], restart[..]);
    assert_eq!(actions[4], issue(C1, Request::Resync));
    assert_eq!(actions[5..], [READ_C1; 7]);
    assert_eq!(
        wire_lines(&config, "views-converge", &actions),
        [
            "C1: a1 STORE 1 +FLAGS.SILENT (\\Deleted)",
            "C1: a2 ENABLE QRESYNC",
            "C1: a3 SELECT INBOX (QRESYNC (1 1 1:2))",
            "S1: * ENABLED QRESYNC",
            "S1: a2 OK enabled",
            "S1: * 2 EXISTS",
            "S1: * OK [UIDVALIDITY 1] UIDs valid",
            "S1: * OK [UIDNEXT 3] Predicted next UID",
            "S1: * OK [HIGHESTMODSEQ 1] Highest",
            "S1: a3 OK [READ-WRITE] SELECT completed",
        ]
    );
    // Silent: EXISTS 2 and two cached UIDs, only a flag differs; the same 12 steps are
    // divergence-detectable's shortest counterexample.
    let text = transcript(&config, property("views-converge").unwrap(), &actions).text;
    assert!(text.contains(
        "\n-- silent: C1 counts 2 messages and caches 2 UIDs, so a client that compares the \
         two (mutt's and Trojita's check) does not notice (divergence-detectable fails \
         here).\n"
    ));
    assert_eq!(actions.len(), 12);
    assert_eq!(path(&outcome, "divergence-detectable"), actions);
    let blame = avoiding_changes(&config, property("views-converge").unwrap(), &actions);
    assert!(
        sentence("views-converge", &blame).contains("with modseq-restart=persistent"),
        "{}",
        sentence("views-converge", &blame)
    );
}

#[test]
fn the_clients_of_these_clauses_send_what_their_values_say() {
    let wire_of = |clauses: &[(&str, &str)], request: Request, connected: bool| {
        let spec = rfc7162_with(clauses, 2).spec;
        let mut client = Client::new(2);
        if !connected {
            client.drop_connection();
        }
        assert!(!connected || client.requests(&spec).contains(&request));
        let commands = client.commands(request, &spec);
        let (tag, command) = commands.last().unwrap();
        wire::command(*tag, command)
    };
    assert_eq!(
        wire_of(&[("client-known-uids", "star")], Request::Resync, false),
        "a2 SELECT INBOX (QRESYNC (1 1 1:*))"
    );
    let matching = [("client-seq-match", "cache")];
    assert_eq!(
        wire_of(&matching, Request::Resync, false),
        "a2 SELECT INBOX (QRESYNC (1 1 1:2 (1:2 1:2)))"
    );
    let star = [("client-fetch-vanished", "star")];
    assert_eq!(
        wire_of(&star, Request::FetchVanished, true),
        "a1 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)"
    );
    let cache = [("client-fetch-vanished", "cache")];
    assert_eq!(
        wire_of(&cache, Request::FetchVanished, true),
        "a1 UID FETCH 1:2 (FLAGS) (CHANGEDSINCE 1 VANISHED)"
    );
    // At the defaults the client never sends it.
    let spec = rfc7162_with(&[], 2).spec;
    assert!(
        !Client::new(2)
            .requests(&spec)
            .contains(&Request::FetchVanished)
    );
}
