//! The answers the spec leaves to the server, on their own: CLOSE's code (`close-send`), a
//! STORE on a message whose expunge is held back, the optional HIGHESTMODSEQ code, the flush
//! parts chosen one by one, RFC 5162's unannounced expunges, STATUS, and renumbering.

use resync_check::imap::command::{Command, StoreOp, Target};
use resync_check::imap::response::{Code, Response, Status};
use resync_check::imap::types::{Flag, ModSeq, Tag, Uid};
use resync_check::server::{Flush, GoneStore, Reply, Server};
use resync_check::spec::Spec;

use super::server::{C1, C2, hms, ok, qresync_select, rfc5162, rfc7162, store};

fn with(spec: Spec, clause: &str, value: &str) -> Spec {
    let mut spec = spec;
    spec.set(clause, value).unwrap();
    spec
}

#[test]
fn close_send_sends_the_updated_value_and_send_safe_caps_it() {
    // C2 sets \Deleted on UID 2 (MODSEQ 2), held back from C1; C1's CLOSE expunges it at 3.
    // `send` is RFC 5162 section 3.4's updated value whatever erratum 1810 says, and the
    // monitor records that it covers what C1 was not told; `send-safe` stays below both the
    // held-back change and the CLOSE's own expunge.
    for (value, code, uncovered) in [("send", 3, true), ("send-safe", 1, false)] {
        let spec = with(rfc7162(), "close-highestmodseq", value);
        let mut server = Server::new(2, 2);
        let deleted = store(Target::Uid(Uid(2)), StoreOp::Add, Flag::Deleted);
        server.execute(C2, Tag(1), &deleted, Reply::default(), &spec);
        let lines = server.execute(C1, Tag(1), &Command::Close, Reply::default(), &spec);
        assert_eq!(lines.to_vec(), vec![ok(1, hms(code))], "{value}");
        assert_eq!(server.uncovered.is_some(), uncovered, "{value}");
    }
    // Nothing held back and a STORE of its own: `send-safe` still stays below the CLOSE's
    // expunge, which no untagged response reports.
    let spec = with(rfc7162(), "close-highestmodseq", "send-safe");
    let mut server = Server::new(1, 1);
    let deleted = store(Target::Uid(Uid(1)), StoreOp::Add, Flag::Deleted);
    server.execute(C1, Tag(1), &deleted, Reply::default(), &spec);
    let lines = server.execute(C1, Tag(2), &Command::Close, Reply::default(), &spec);
    assert_eq!(lines.to_vec(), vec![ok(2, hms(2))]);
}

/// C2 expunges UID 3, held back from C1: the start of RFC 7162 section 6's example.
fn expunged_elsewhere(spec: &Spec) -> Server {
    let mut server = Server::new(3, 2);
    let deleted = store(Target::Uid(Uid(3)), StoreOp::Add, Flag::Deleted);
    server.execute(C2, Tag(1), &deleted, Reply::default(), spec);
    server.execute(C2, Tag(2), &Command::Expunge, Reply::default(), spec);
    server
}

#[test]
fn a_store_on_a_held_back_expunge_gets_a_new_modseq_or_no() {
    let spec = rfc7162();
    let seen = store(Target::Seq(3), StoreOp::Add, Flag::Seen);
    let server = expunged_elsewhere(&spec);
    let answers: Vec<GoneStore> = server
        .replies(C1, &seen, &spec)
        .iter()
        .map(|r| r.gone)
        .collect();
    assert_eq!(answers, vec![GoneStore::NewModseq, GoneStore::No]);
    // RFC 7162 section 6, A151: a new MODSEQ, and a code capped below the expunge (3).
    let mut server = expunged_elsewhere(&spec);
    let lines = server.execute(C1, Tag(1), &seen, Reply::default(), &spec);
    let fetch = Response::Fetch {
        seq: 3,
        uid: Uid(3),
        modseq: ModSeq(4),
        flags: None,
    };
    assert_eq!(lines.to_vec(), vec![fetch, ok(1, hms(2))]);
    assert_eq!(server.mailbox.highest_modseq, ModSeq(4));
    // RFC 7162 section 3.1.3, Example 11: NO, and nothing changes.
    let mut server = expunged_elsewhere(&spec);
    let no = Reply {
        gone: GoneStore::No,
        ..Reply::default()
    };
    let lines = server.execute(C1, Tag(1), &seen, no, &spec);
    assert_eq!(
        lines.to_vec(),
        vec![Response::Tagged {
            tag: Tag(1),
            status: Status::No,
            code: None,
            text: "Some of the messages no longer exist",
        }]
    );
    assert_eq!(server.mailbox.highest_modseq, ModSeq(3));
}

#[test]
fn an_optional_code_is_offered_only_where_nothing_stays_held_back() {
    let spec = rfc7162();
    let mut server = expunged_elsewhere(&spec);
    // C1 holds back the expunge: a NOOP may carry the code only if it sends the VANISHED.
    let codes: Vec<(String, bool)> = server
        .replies(C1, &Command::Noop, &spec)
        .iter()
        .map(|r| (r.flush.name(), r.code))
        .collect();
    assert_eq!(
        codes,
        vec![
            ("nothing".to_string(), false),
            ("expunges".to_string(), false),
            ("expunges".to_string(), true),
        ]
    );
    let reply = Reply {
        flush: Flush::parse("expunges").unwrap(),
        code: true,
        ..Reply::default()
    };
    let lines = server.execute(C1, Tag(1), &Command::Noop, reply, &spec);
    let vanished = Response::Vanished {
        earlier: false,
        uids: smallvec::smallvec![Uid(3)],
    };
    assert_eq!(lines.to_vec(), vec![vanished, ok(1, hms(3))]);
    // No choice on CLOSE (MUST NOT, RFC 7162 section 3.2.8).
    assert!(
        server
            .replies(C1, &Command::Close, &spec)
            .iter()
            .all(|r| !r.code)
    );
}

#[test]
fn flush_parts_are_chosen_one_by_one_and_exists_is_prompt_by_default() {
    let mut server = Server::new(1, 2);
    let seen = store(Target::Uid(Uid(1)), StoreOp::Add, Flag::Seen);
    server.execute(C2, Tag(1), &seen, Reply::default(), &rfc7162());
    server.append(&rfc7162());
    let names = |server: &Server, spec: &Spec| -> Vec<String> {
        server
            .flush_choices(C1, &Command::Noop, spec)
            .iter()
            .map(|f| f.name())
            .collect()
    };
    // RFC 3501 section 5.2: the arrival's EXISTS at the end of this command.
    assert_eq!(
        names(&server, &rfc7162()),
        vec!["exists", "flag-changes+exists"]
    );
    let lazy = with(rfc7162(), "exists-update", "lazy");
    assert_eq!(
        names(&server, &lazy),
        vec!["nothing", "exists", "flag-changes", "flag-changes+exists"]
    );
    assert!(Flush::parse("exists+flag-changes").is_err());
    assert!(Flush::parse("unannounced").is_err());
}

#[test]
fn rfc5162_may_name_or_drop_an_unannounced_expunge() {
    // RFC 5162 section 3.6 is a SHOULD: `any` offers both answers.
    let spec = rfc5162();
    let mut server = Server::new(1, 2);
    let arrived = server.append(&spec);
    server.remove(arrived, &spec);
    let names: Vec<String> = server
        .flush_choices(C1, &Command::Noop, &spec)
        .iter()
        .map(|f| f.name())
        .collect();
    assert_eq!(names, vec!["nothing", "expunges", "expunges+unannounced"]);
    let drop = Reply::flushing(Flush::parse("expunges").unwrap());
    let lines = server.execute(C1, Tag(1), &Command::Noop, drop, &spec);
    assert_eq!(lines.to_vec(), vec![ok(1, None)]);
    assert!(!server.session(C1).unwrap().holds_back_anything());
}

#[test]
fn status_reports_the_mailbox_highestmodseq_whatever_it_held_back_and_blames_no_one() {
    // RFC 7162 section 3.1.7: the same value as the HIGHESTMODSEQ response code. C1's
    // \Deleted is held back from C2; C2's CLOSE expunges it; STATUS reports the updated 3.
    let spec = rfc7162();
    let mut server = Server::new(2, 2);
    let deleted = store(Target::Seq(1), StoreOp::Add, Flag::Deleted);
    server.execute(C1, Tag(1), &deleted, Reply::default(), &spec);
    let close = server.execute(C2, Tag(1), &Command::Close, Reply::default(), &spec);
    assert_eq!(close.to_vec(), vec![ok(1, None)]);
    assert_eq!(
        server.replies(C2, &Command::Status, &spec).to_vec(),
        vec![Reply::default()]
    );
    let lines = server.execute(C2, Tag(2), &Command::Status, Reply::default(), &spec);
    let status_ok = Response::Tagged {
        tag: Tag(2),
        status: Status::Ok,
        code: None,
        text: "STATUS completed",
    };
    assert_eq!(lines.to_vec(), vec![Response::Status(ModSeq(3)), status_ok]);
    // Not a code of a selected mailbox: erratum 1810's duty does not reach it.
    assert_eq!(server.uncovered, None);
}

#[test]
fn renumbering_assigns_uids_one_to_n_only_while_nothing_is_selected_and_select_ignores_old_ones() {
    let mut spec = rfc7162();
    let mut server = Server::new(2, 2);
    assert!(!server.may_renumber(&spec));
    spec.set("uidvalidity-change", "renumber").unwrap();
    // Both sessions have INBOX selected: a UID "MUST NOT change during the session".
    assert!(!server.may_renumber(&spec));
    let deleted = store(Target::Seq(1), StoreOp::Add, Flag::Deleted);
    server.execute(C1, Tag(1), &deleted, Reply::default(), &spec);
    server.execute(C1, Tag(2), &Command::Close, Reply::default(), &spec);
    assert!(!server.may_renumber(&spec));
    let disconnected = server.disconnected(C2);
    server.disconnect(C2);
    // The copy the search makes for a drop (`System::dropped`) is the same server.
    assert_eq!(server, disconnected);
    assert!(server.may_renumber(&spec));
    server.renumber();
    assert!(!server.may_renumber(&spec), "once");
    let mailbox = &server.mailbox;
    assert_eq!(mailbox.uid_validity, 2);
    assert_eq!(mailbox.uid_next, Uid(2));
    assert_eq!(mailbox.highest_modseq, ModSeq(3));
    assert!(mailbox.expunged.is_empty());
    let uids: Vec<Uid> = mailbox.messages.keys().copied().collect();
    assert_eq!(uids, vec![Uid(1)]);
    // A QRESYNC SELECT with the old UIDVALIDITY: the parameters are ignored (RFC 7162
    // section 3.2.5), no VANISHED and no FETCH.
    let select = qresync_select(1, &[1, 2]);
    let lines = server.execute(C1, Tag(3), &select, Reply::default(), &spec);
    assert_eq!(
        lines.to_vec(),
        vec![
            Response::Exists(1),
            Response::UidValidity(2),
            Response::UidNext(Uid(2)),
            Response::HighestModSeq(ModSeq(3)),
            Response::Tagged {
                tag: Tag(3),
                status: Status::Ok,
                code: Some(Code::ReadWrite),
                text: "SELECT completed",
            },
        ]
    );
}
