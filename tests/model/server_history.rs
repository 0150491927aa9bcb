//! The server's expunge history and `*` on their own (issue #12 items 3 and 4): VANISHED
//! (EARLIER) after forgetting, seq-match-data, `1:*`, the mid-session UID FETCH ...
//! VANISHED, and the restart that loses the mod-sequences.

use resync_check::imap::command::{Command, StoreOp, Target};
use resync_check::imap::response::{Response, Status};
use resync_check::imap::types::{ClientId, Flag, FlagSet, ModSeq, Tag, Uid};
use resync_check::server::{Flush, Regression, Reply, Server};
use resync_check::spec::{Spec, edition};

const C1: ClientId = ClientId(0);
const C2: ClientId = ClientId(1);

fn rfc7162_with(clauses: &[(&str, &str)]) -> Spec {
    let mut spec = edition("rfc7162").unwrap().spec;
    for (clause, value) in clauses {
        spec.set(clause, value).unwrap();
    }
    spec
}

fn uids(list: &[u32]) -> Vec<Uid> {
    list.iter().copied().map(Uid).collect()
}

/// Three messages; C2 expunges UIDs 1 and 3 (each \Deleted, then UID EXPUNGE: MODSEQ 3 and
/// 5) while C1 is disconnected.
fn expunged_1_and_3(spec: &Spec) -> Server {
    let mut server = Server::new(3, 2);
    server.disconnect(C1);
    let mut tag = 0;
    for uid in [1, 3] {
        for command in [
            Command::Store {
                target: Target::Uid(Uid(uid)),
                op: StoreOp::Add,
                flag: Flag::Deleted,
            },
            Command::UidExpunge(vec![Uid(uid)]),
        ] {
            tag += 1;
            server.execute(C2, Tag(tag), &command, Reply::default(), spec);
        }
    }
    assert_eq!(server.mailbox.highest_modseq, ModSeq(5));
    server
}

/// C1's QRESYNC SELECT from `since` on a new connection; its VANISHED (EARLIER) UIDs.
fn select_vanished(
    server: &mut Server,
    spec: &Spec,
    since: u64,
    known: &[u32],
    seq_match: &[u32],
) -> Vec<Uid> {
    server.connect(C1);
    server.execute(C1, Tag(1), &Command::EnableQresync, Reply::default(), spec);
    let select = Command::SelectQresync {
        uid_validity: 1,
        modseq: ModSeq(since),
        known_uids: uids(known),
        star: false,
        seq_match: uids(seq_match),
    };
    let lines = server.execute(C1, Tag(2), &select, Reply::default(), spec);
    server.disconnect(C1);
    lines
        .into_iter()
        .find_map(|line| match line {
            Response::Vanished {
                earlier: true,
                uids,
            } => Some(uids.to_vec()),
            _ => None,
        })
        .unwrap_or_default()
}

#[test]
fn after_forgetting_the_server_names_every_missing_uid_or_only_what_it_remembers() {
    let truncated = rfc7162_with(&[("expunge-history", "truncated")]);
    let mut server = expunged_1_and_3(&truncated);
    assert!(server.may_forget(&truncated));
    assert!(!server.may_forget(&rfc7162_with(&[])));
    // Exact while the history is there: from 3, only UID 3 (expunged at 5).
    assert_eq!(
        select_vanished(&mut server, &truncated, 3, &[1, 2, 3], &[]),
        uids(&[3])
    );
    server.forget();
    assert_eq!(server.mailbox.forgotten, ModSeq(5));
    assert!(!server.may_forget(&truncated));
    // Below what it forgot (RFC 7162 section 3.2.6 note): every UID of the set not present,
    // UID 1 too, though it went before 3.
    assert_eq!(
        select_vanished(&mut server, &truncated, 3, &[1, 2, 3], &[]),
        uids(&[1, 3])
    );
    // From the forgotten point on, nothing it forgot can be later: the exact answer, none.
    assert!(select_vanished(&mut server, &truncated, 5, &[1, 2, 3], &[]).is_empty());
    // seq-match-data: the client believes message 1 is UID 2 (it knew of UID 1's
    // expunge); that matches, so nothing up to 2 is named (RFC 7162 section 3.2.5.2).
    assert_eq!(
        select_vanished(&mut server, &truncated, 3, &[1, 2, 3], &[2, 3]),
        uids(&[3])
    );
    // A pair that does not match (message 1 is not UID 1 any more) narrows nothing.
    assert_eq!(
        select_vanished(&mut server, &truncated, 3, &[1, 2, 3], &[1, 2, 3]),
        uids(&[1, 3])
    );
    // The under-reporting server answers from what it remembers: nothing.
    let under = rfc7162_with(&[("expunge-history", "under-report")]);
    let mut server = expunged_1_and_3(&under);
    server.forget();
    assert!(select_vanished(&mut server, &under, 3, &[1, 2, 3], &[]).is_empty());
}

#[test]
fn star_is_the_largest_uid_assigned_or_the_last_one_present() {
    for (value, expected) in [("uidnext-minus-1", vec![Uid(3)]), ("last-present", vec![])] {
        let spec = rfc7162_with(&[("client-known-uids", "star"), ("uid-star", value)]);
        let mut server = expunged_1_and_3(&spec);
        server.connect(C1);
        server.execute(C1, Tag(1), &Command::EnableQresync, Reply::default(), &spec);
        let select = Command::SelectQresync {
            uid_validity: 1,
            modseq: ModSeq(3),
            known_uids: Vec::new(),
            star: true,
            seq_match: Vec::new(),
        };
        let lines = server.execute(C1, Tag(2), &select, Reply::default(), &spec);
        // UID 2 is the last present: under last-present 1:* is 1:2, and UID 3 drops out.
        let vanished = lines.iter().find_map(|line| match line {
            Response::Vanished {
                earlier: true,
                uids,
            } => Some(uids.to_vec()),
            _ => None,
        });
        assert_eq!(vanished.unwrap_or_default(), expected, "uid-star={value}");
    }
}

#[test]
fn uid_fetch_vanished_leaves_a_held_back_expunge_to_its_own_vanished() {
    let spec = rfc7162_with(&[("client-fetch-vanished", "star")]);
    let mut server = Server::new(2, 2);
    // C2 expunges UID 2 (MODSEQ 3); C1's session holds it back, and C2 sets \Seen on 1.
    let deleted = Command::Store {
        target: Target::Uid(Uid(2)),
        op: StoreOp::Add,
        flag: Flag::Deleted,
    };
    server.execute(C2, Tag(1), &deleted, Reply::default(), &spec);
    server.execute(
        C2,
        Tag(2),
        &Command::UidExpunge(uids(&[2])),
        Reply::default(),
        &spec,
    );
    let seen = Command::Store {
        target: Target::Uid(Uid(1)),
        op: StoreOp::Add,
        flag: Flag::Seen,
    };
    server.execute(C2, Tag(3), &seen, Reply::default(), &spec);
    let fetch = Command::UidFetchVanished {
        uids: Vec::new(),
        star: true,
        since: ModSeq(1),
    };
    // Without flushing: no VANISHED (EARLIER) 2 (UID 2 still has its number here), the
    // FETCH of UID 1 at MODSEQ 4, and a HIGHESTMODSEQ below the held-back expunge.
    let lines = server.execute(C1, Tag(1), &fetch, Reply::default(), &spec);
    let seen_1 = Response::Fetch {
        seq: 1,
        uid: Uid(1),
        modseq: ModSeq(4),
        flags: Some(FlagSet::EMPTY.with(Flag::Seen)),
    };
    assert_eq!(lines[0], seen_1);
    assert!(matches!(
        lines[1],
        Response::Tagged {
            status: Status::Ok,
            code: Some(resync_check::imap::response::Code::HighestModSeq(ModSeq(2))),
            ..
        }
    ));
    assert_eq!(lines.len(), 2);
    // Flushing the expunges: the held-back VANISHED 2, after the FETCH.
    let flushing = Reply::flushing(Flush {
        expunges: true,
        ..Flush::NOTHING
    });
    let lines = server.execute(C1, Tag(2), &fetch, flushing, &spec);
    let vanished = Response::Vanished {
        earlier: false,
        uids: uids(&[2]).into(),
    };
    assert_eq!(lines[..2], [seen_1, vanished]);
}

#[test]
fn a_restart_puts_every_mod_sequence_at_one_and_is_recorded() {
    let spec = rfc7162_with(&[("modseq-restart", "lost")]);
    let mut server = expunged_1_and_3(&spec);
    assert!(!server.may_restart(&spec), "C2 is still connected");
    server.disconnect(C2);
    assert!(server.may_restart(&spec));
    server.restart();
    assert!(!server.may_restart(&spec), "once");
    assert_eq!(server.mailbox.highest_modseq, ModSeq(1));
    assert!(
        server
            .mailbox
            .messages
            .values()
            .all(|m| m.modseq == ModSeq(1))
    );
    assert!(
        server
            .mailbox
            .expunged
            .values()
            .all(|e| e.modseq == ModSeq(1))
    );
    assert_eq!(server.mailbox.uid_validity, 1);
    assert_eq!(
        server.regressed,
        Some(Regression::Restarted { from: ModSeq(5) })
    );
}
