//! The server on its own: no stateright, no client.

use resync_check::imap::command::{Command, StoreOp, Target};
use resync_check::imap::response::{Code, Response, Status};
use resync_check::imap::types::{ClientId, Flag, FlagSet, ModSeq, Tag, Uid};
use resync_check::server::{
    Earlier, ExpungeCause, Flush, Regression, Reply, Scope, SelectReply, Server,
};
use resync_check::spec::{Spec, edition};

pub(crate) const C1: ClientId = ClientId(0);
pub(crate) const C2: ClientId = ClientId(1);

pub(crate) fn rfc5162() -> Spec {
    edition("rfc5162").unwrap().spec
}

pub(crate) fn rfc7162() -> Spec {
    edition("rfc7162").unwrap().spec
}

pub(crate) fn store(target: Target, op: StoreOp, flag: Flag) -> Command {
    Command::Store { target, op, flag }
}

pub(crate) fn ok(tag: u16, code: Option<Code>) -> Response {
    Response::Tagged {
        tag: Tag(tag),
        status: Status::Ok,
        code,
        text: "done",
    }
}

pub(crate) fn hms(n: u64) -> Option<Code> {
    Some(Code::HighestModSeq(ModSeq(n)))
}

/// `SELECT INBOX (QRESYNC (1 modseq known))` under the first UIDVALIDITY.
pub(crate) fn qresync_select(modseq: u64, known: &[u32]) -> Command {
    Command::SelectQresync {
        uid_validity: 1,
        modseq: ModSeq(modseq),
        known_uids: known.iter().copied().map(Uid).collect(),
        star: false,
        seq_match: Vec::new(),
    }
}

#[test]
fn store_bumps_the_modseq_answers_with_a_fetch_and_holds_the_change_for_others() {
    let mut server = Server::new(2, 2);
    let lines = server.execute(
        C1,
        Tag(1),
        &store(Target::Seq(1), StoreOp::Add, Flag::Deleted),
        Reply::default(),
        &rfc5162(),
    );
    let fetch = Response::Fetch {
        seq: 1,
        uid: Uid(1),
        modseq: ModSeq(2),
        flags: None,
    };
    assert_eq!(lines.to_vec(), vec![fetch, ok(1, None)]);
    assert_eq!(server.mailbox.highest_modseq, ModSeq(2));
    let held = &server.session(C2).unwrap().pending_flags;
    assert_eq!(held.iter().collect::<Vec<_>>(), vec![(&Uid(1), &ModSeq(2))]);
    assert!(server.session(C1).unwrap().pending_flags.is_empty());
}

#[test]
fn a_store_that_changes_nothing_keeps_the_modseq_and_sends_no_fetch() {
    let mut server = Server::new(1, 1);
    let lines = server.execute(
        C1,
        Tag(1),
        &store(Target::Uid(Uid(1)), StoreOp::Remove, Flag::Seen),
        Reply::default(),
        &rfc7162(),
    );
    assert_eq!(lines.to_vec(), vec![ok(1, None)]);
    assert_eq!(server.mailbox.highest_modseq, ModSeq(1));
}

#[test]
fn expunge_bumps_once_logs_each_uid_and_reports_highestmodseq() {
    let mut server = Server::new(2, 2);
    for uid in [1, 2] {
        let command = store(Target::Uid(Uid(uid)), StoreOp::Add, Flag::Deleted);
        server.execute(C1, Tag(uid as u16), &command, Reply::default(), &rfc5162());
    }
    let lines = server.execute(C1, Tag(3), &Command::Expunge, Reply::default(), &rfc5162());
    let vanished = Response::Vanished {
        earlier: false,
        uids: smallvec::smallvec![Uid(1), Uid(2)],
    };
    assert_eq!(lines.to_vec(), vec![vanished, ok(3, hms(4))]);
    let log = &server.mailbox.expunged;
    assert_eq!(log[&Uid(1)].modseq, ModSeq(4));
    assert_eq!(log[&Uid(2)].cause, ExpungeCause::Expunge);
    // C2 was told nothing yet: both messages keep their sequence numbers in its session, and
    // the held-back flag changes are replaced by the expunges.
    let c2 = server.session(C2).unwrap();
    assert!(c2.pending_flags.is_empty());
    assert_eq!(server.view(C2).to_vec(), vec![Uid(1), Uid(2)]);
}

#[test]
fn a_sequence_number_store_never_sends_vanished() {
    let mut server = Server::new(2, 2);
    let deleted = store(Target::Uid(Uid(1)), StoreOp::Add, Flag::Deleted);
    server.execute(C2, Tag(1), &deleted, Reply::default(), &rfc5162());
    server.execute(C2, Tag(2), &Command::Expunge, Reply::default(), &rfc5162());
    let seen = store(Target::Seq(2), StoreOp::Add, Flag::Seen);
    // RFC 3501 section 7.4.1: no Flush::Everything offered for STORE by sequence number...
    assert_eq!(
        server.flush_choices(C1, &seen, &rfc5162()).to_vec(),
        vec![Flush::NOTHING]
    );
    // ...but offered for UID STORE and NOOP.
    assert_eq!(
        server
            .flush_choices(C1, &Command::Noop, &rfc5162())
            .to_vec(),
        vec![
            Flush::NOTHING,
            Flush {
                expunges: true,
                ..Flush::NOTHING
            }
        ]
    );
    // Sequence number 2 is still UID 2 in C1's session: the expunge of UID 1 is held back.
    let lines = server.execute(
        C1,
        Tag(1),
        &seen,
        Reply::flushing(Flush::EVERYTHING),
        &rfc5162(),
    );
    assert!(matches!(
        lines[0],
        Response::Fetch {
            seq: 2,
            uid: Uid(2),
            ..
        }
    ));
    assert_eq!(server.session(C1).unwrap().pending_expunges.len(), 1);
}

#[test]
fn erratum_1810_lowers_the_highestmodseq_below_a_held_back_expunge() {
    for (spec, code) in [(rfc7162(), hms(2)), (rfc5162(), None)] {
        let mut server = Server::new(2, 2);
        let deleted = store(Target::Uid(Uid(1)), StoreOp::Add, Flag::Deleted);
        server.execute(C2, Tag(1), &deleted, Reply::default(), &spec);
        server.execute(C2, Tag(2), &Command::Expunge, Reply::default(), &spec);
        // The expunge (MODSEQ 3) is held back from C1 while its STORE gets MODSEQ 4.
        let seen = store(Target::Seq(2), StoreOp::Add, Flag::Seen);
        let lines = server.execute(C1, Tag(1), &seen, Reply::default(), &spec);
        assert_eq!(*lines.last().unwrap(), ok(1, code));
    }
}

#[test]
fn close_answers_per_the_close_clause_and_forgets_what_it_held_back() {
    for (spec, code) in [(rfc5162(), hms(3)), (rfc7162(), None)] {
        let mut server = Server::new(2, 2);
        let deleted = store(Target::Uid(Uid(2)), StoreOp::Add, Flag::Deleted);
        server.execute(C2, Tag(1), &deleted, Reply::default(), &spec);
        let lines = server.execute(C1, Tag(1), &Command::Close, Reply::default(), &spec);
        assert_eq!(lines.to_vec(), vec![ok(1, code)]);
        assert_eq!(server.mailbox.expunged[&Uid(2)].cause, ExpungeCause::Close);
        let c1 = server.session(C1).unwrap();
        assert!(!c1.selected && !c1.holds_back_anything());
    }
}

#[test]
fn qresync_select_reports_exactly_what_changed_after_the_given_modseq() {
    let spec = rfc7162();
    let mut server = Server::new(2, 2);
    server.disconnect(C1);
    let deleted = store(Target::Uid(Uid(1)), StoreOp::Add, Flag::Deleted);
    server.execute(C2, Tag(1), &deleted, Reply::default(), &spec);
    server.execute(C2, Tag(2), &Command::Expunge, Reply::default(), &spec);
    let seen = store(Target::Uid(Uid(2)), StoreOp::Add, Flag::Seen);
    server.execute(C2, Tag(3), &seen, Reply::default(), &spec);
    server.connect(C1);
    let lines = server.execute(C1, Tag(1), &Command::EnableQresync, Reply::default(), &spec);
    assert_eq!(lines[0], Response::EnabledQresync);
    let select = qresync_select(1, &[1, 2]);
    let lines = server.execute(C1, Tag(2), &select, Reply::default(), &spec);
    let expected = vec![
        Response::Exists(1),
        Response::UidValidity(1),
        Response::UidNext(Uid(3)),
        Response::HighestModSeq(ModSeq(4)),
        Response::Vanished {
            earlier: true,
            uids: smallvec::smallvec![Uid(1)],
        },
        Response::Fetch {
            seq: 1,
            uid: Uid(2),
            modseq: ModSeq(4),
            flags: Some(FlagSet::EMPTY.with(Flag::Seen)),
        },
        Response::Tagged {
            tag: Tag(2),
            status: Status::Ok,
            code: Some(Code::ReadWrite),
            text: "SELECT completed",
        },
    ];
    assert_eq!(lines.to_vec(), expected);
    // From the expunge's own MODSEQ, the expunge is not reported again.
    server.disconnect(C1);
    server.connect(C1);
    server.execute(C1, Tag(3), &Command::EnableQresync, Reply::default(), &spec);
    let from_expunge = Command::SelectQresync {
        uid_validity: 1,
        modseq: ModSeq(3),
        known_uids: vec![Uid(1), Uid(2)],
        star: false,
        seq_match: Vec::new(),
    };
    let lines = server.execute(C1, Tag(4), &from_expunge, Reply::default(), &spec);
    assert!(!lines.iter().any(|l| matches!(l, Response::Vanished { .. })));
}

#[test]
fn commands_without_a_selected_mailbox_get_bad() {
    let mut server = Server::new(1, 1);
    server.execute(C1, Tag(1), &Command::Close, Reply::default(), &rfc7162());
    let lines = server.execute(C1, Tag(2), &Command::Noop, Reply::default(), &rfc7162());
    assert!(matches!(
        lines[..],
        [Response::Tagged {
            status: Status::Bad,
            ..
        }]
    ));
    let select = Command::SelectQresync {
        uid_validity: 1,
        modseq: ModSeq(1),
        known_uids: vec![],
        star: false,
        seq_match: Vec::new(),
    };
    server.disconnect(C1);
    server.connect(C1);
    let lines = server.execute(C1, Tag(3), &select, Reply::default(), &rfc7162());
    assert!(
        matches!(
            lines[..],
            [Response::Tagged {
                status: Status::Bad,
                ..
            }]
        ),
        "QRESYNC SELECT without ENABLE QRESYNC is BAD (RFC 7162 section 3.2.5)"
    );
}

#[test]
fn expunge_modseq_none_logs_the_expunge_at_the_current_highestmodseq() {
    let mut spec = rfc7162();
    spec.set("expunge-modseq", "none").unwrap();
    let mut server = Server::new(1, 1);
    let deleted = store(Target::Uid(Uid(1)), StoreOp::Add, Flag::Deleted);
    let reply = Reply::default();
    server.execute(C1, Tag(1), &deleted, reply, &spec);
    let lines = server.execute(C1, Tag(2), &Command::Expunge, reply, &spec);
    assert_eq!(server.mailbox.highest_modseq, ModSeq(2));
    assert_eq!(server.mailbox.expunged[&Uid(1)].modseq, ModSeq(2));
    assert_eq!(*lines.last().unwrap(), ok(2, hms(2)));
}

#[test]
fn a_qresync_select_offers_superset_and_all_uids_only_where_they_differ() {
    let spec = rfc7162(); // vanished-earlier=any, known-uids-scope=any
    let mut server = Server::new(3, 2);
    let reply = Reply::default();
    let deleted = store(Target::Uid(Uid(1)), StoreOp::Add, Flag::Deleted);
    server.execute(C2, Tag(1), &deleted, reply, &spec);
    server.execute(C2, Tag(2), &Command::Expunge, reply, &spec); // UID 1 at MODSEQ 3
    let seen = store(Target::Uid(Uid(3)), StoreOp::Add, Flag::Seen);
    server.execute(C2, Tag(3), &seen, reply, &spec); // UID 3 at MODSEQ 4
    // From MODSEQ 1, known 1:2: the expunge is above 1 (superset adds nothing), UID 3 is
    // unknown and changed (the scope matters).
    let choices = server.select_choices(&qresync_select(1, &[1, 2]), &spec);
    assert_eq!(choices.len(), 2);
    // From MODSEQ 3 with UID 1 still known: only a superset reports it.
    let choices = server.select_choices(&qresync_select(3, &[1, 2, 3]), &spec);
    assert_eq!(
        choices.to_vec(),
        vec![
            SelectReply::default(),
            SelectReply {
                earlier: Earlier::Superset,
                scope: Scope::KnownUids
            }
        ]
    );
    server.disconnect(C1);
    server.connect(C1);
    server.execute(C1, Tag(1), &Command::EnableQresync, reply, &spec);
    let superset = Reply {
        select: choices[1],
        ..Reply::default()
    };
    let lines = server.execute(C1, Tag(2), &qresync_select(3, &[1, 2, 3]), superset, &spec);
    assert!(lines.contains(&Response::Vanished {
        earlier: true,
        uids: smallvec::smallvec![Uid(1)]
    }));
    // The scope: every changed UID, or only the known ones.
    server.disconnect(C1);
    server.connect(C1);
    server.execute(C1, Tag(3), &Command::EnableQresync, reply, &spec);
    let all = SelectReply {
        earlier: Earlier::Exact,
        scope: Scope::AllUids,
    };
    let lines = server.execute(
        C1,
        Tag(4),
        &qresync_select(1, &[1, 2]),
        Reply {
            select: all,
            ..Reply::default()
        },
        &spec,
    );
    assert!(
        lines
            .iter()
            .any(|l| matches!(l, Response::Fetch { uid: Uid(3), .. }))
    );
}

#[test]
fn an_expunge_never_names_to_a_session_a_message_it_was_not_told_of() {
    // RFC 7162 section 3.2.10.2: VANISHED refers only to messages the client has been told of.
    let spec = rfc7162();
    let reply = Reply::default();
    let mut server = Server::new(1, 2);
    let arrived = server.append(&spec);
    assert_eq!(arrived, Uid(2));
    // C2 hears of UID 2 and sets \Deleted on it; C1 has not been told UID 2 exists.
    server.execute(
        C2,
        Tag(1),
        &Command::Noop,
        Reply::flushing(Flush {
            flags: true,
            exists: true,
            ..Flush::NOTHING
        }),
        &spec,
    );
    let deleted = store(Target::Uid(Uid(2)), StoreOp::Add, Flag::Deleted);
    server.execute(C2, Tag(2), &deleted, reply, &spec);
    assert_eq!(server.view(C1).to_vec(), vec![Uid(1)]);
    // C1's EXPUNGE removes UID 2, but tells C1 nothing of it.
    let lines = server.execute(C1, Tag(1), &Command::Expunge, reply, &spec);
    assert!(
        !lines.iter().any(|l| matches!(l, Response::Vanished { .. })),
        "{lines:?}"
    );
    assert!(server.mailbox.expunged.contains_key(&Uid(2)));
    assert!(server.session(C1).unwrap().pending_arrivals.is_empty());
}

/// The other agent appends UID 2 and moves it away before either session hears of it; C1
/// then sends NOOP and the server sends everything it holds back.
fn arrive_remove_noop(spec: &Spec) -> (Server, Vec<Response>) {
    let mut server = Server::new(1, 2);
    let arrived = server.append(spec);
    server.remove(arrived, spec);
    assert_eq!(
        server.mailbox.expunged[&arrived].cause,
        ExpungeCause::Move,
        "a move is logged as an expunge"
    );
    let reply = Reply::flushing(Flush::EVERYTHING);
    let lines = server.execute(C1, Tag(1), &Command::Noop, reply, spec);
    (server, lines.to_vec())
}

#[test]
fn a_message_that_arrived_and_went_unannounced_is_not_named_under_rfc7162() {
    // RFC 7162 section 3.2.10.2: the race it names, answered by silence.
    let spec = rfc7162();
    let (server, lines) = arrive_remove_noop(&spec);
    assert_eq!(lines.to_vec(), vec![ok(1, None)]);
    assert_eq!(server.view(C1).to_vec(), vec![Uid(1)]);
    assert_eq!(server.unannounced, None);
    assert!(!server.session(C2).unwrap().holds_back_anything());
}

#[test]
fn under_rfc5162_the_unannounced_expunge_is_named_and_the_monitor_sees_it() {
    // RFC 5162 section 3.6: "expunged since the last VANISHED", no exception.
    let spec = rfc5162();
    let (server, lines) = arrive_remove_noop(&spec);
    let vanished = Response::Vanished {
        earlier: false,
        uids: smallvec::smallvec![Uid(2)],
    };
    assert_eq!(lines.to_vec(), vec![vanished, ok(1, None)]);
    // The server's own numbering never included UID 2: the VANISHED is the fault.
    assert_eq!(server.view(C1).to_vec(), vec![Uid(1)]);
    let seen = server.unannounced.unwrap();
    assert_eq!((seen.client, seen.uid), (C1, Uid(2)));
    // C2 has not been sent it yet.
    let held = &server.session(C2).unwrap().unannounced_expunges;
    assert_eq!(held.iter().collect::<Vec<_>>(), vec![Uid(2)]);
}

#[test]
fn a_max_message_server_lowers_highestmodseq_and_reuses_an_expunge_modseq() {
    let mut spec = rfc7162();
    spec.set("mailbox-highestmodseq", "max-message").unwrap();
    let reply = Reply::default();
    let mut server = Server::new(2, 2);
    let deleted = store(Target::Uid(Uid(2)), StoreOp::Add, Flag::Deleted);
    server.execute(C1, Tag(1), &deleted, reply, &spec);
    assert_eq!(server.mailbox.highest_modseq, ModSeq(2));
    // The expunge is logged at the increment (RFC 7162 section 3.2), 3, but HIGHESTMODSEQ is
    // then the highest MODSEQ left, UID 1's 1, and the tagged OK says so.
    let lines = server.execute(C1, Tag(2), &Command::Expunge, reply, &spec);
    assert_eq!(lines.last(), Some(&ok(2, hms(1))));
    assert_eq!(server.mailbox.expunged[&Uid(2)].modseq, ModSeq(3));
    assert_eq!(server.mailbox.highest_modseq, ModSeq(1));
    assert_eq!(
        server.regressed,
        Some(Regression::Decreased {
            by: Some(C1),
            from: ModSeq(2),
            to: ModSeq(1)
        })
    );
    // The next change gets MODSEQ 2, which C1 already read for its own STORE.
    let seen = store(Target::Uid(Uid(1)), StoreOp::Add, Flag::Seen);
    server.execute(C2, Tag(1), &seen, reply, &spec);
    assert_eq!(server.mailbox.messages[&Uid(1)].modseq, ModSeq(2));
}

#[test]
fn a_counter_server_never_regresses() {
    let spec = rfc7162();
    let reply = Reply::default();
    let mut server = Server::new(2, 2);
    let deleted = store(Target::Uid(Uid(2)), StoreOp::Add, Flag::Deleted);
    server.execute(C1, Tag(1), &deleted, reply, &spec);
    let lines = server.execute(C1, Tag(2), &Command::Expunge, reply, &spec);
    assert_eq!(lines.last(), Some(&ok(2, hms(3))));
    let seen = store(Target::Uid(Uid(1)), StoreOp::Add, Flag::Seen);
    server.execute(C2, Tag(1), &seen, reply, &spec);
    assert_eq!(server.mailbox.messages[&Uid(1)].modseq, ModSeq(4));
    assert_eq!(server.regressed, None);
}
