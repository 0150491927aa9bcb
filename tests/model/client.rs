//! The client replica on its own: no stateright, no server. Lines are fed to its queue by
//! hand, as a real server's would be. Its resync point has a file of its own
//! (client_resync_point.rs), which takes these helpers.

use resync_check::client::{Client, Request};
use resync_check::imap::command::{Command, StoreOp, Target};
use resync_check::imap::response::{Code, Response, Status};
use resync_check::imap::types::{Flag, FlagSet, ModSeq, Tag, Uid};
use resync_check::spec::{Spec, edition};

pub(crate) fn spec(name: &str) -> Spec {
    edition(name).unwrap().spec
}

pub(crate) fn tagged(tag: u16, code: Option<Code>) -> Response {
    Response::Tagged {
        tag: Tag(tag),
        status: Status::Ok,
        code,
        text: "done",
    }
}

pub(crate) fn fetch(uid: u32, modseq: u64, flags: Option<FlagSet>) -> Response {
    Response::Fetch {
        seq: uid,
        uid: Uid(uid),
        modseq: ModSeq(modseq),
        flags,
    }
}

/// Issues `request`, queues `lines` as the server's answer, and reads them all.
pub(crate) fn exchange(client: &mut Client, spec: &Spec, request: Request, lines: Vec<Response>) {
    let commands = client.commands(request, spec);
    client.issue(&commands, spec);
    client.connection.as_mut().unwrap().queue.extend(lines);
    while client.read(spec).is_some() {}
}

/// A tagged OK with the RFC's own text.
pub(crate) fn tagged_text(tag: u16, code: Option<Code>, text: &'static str) -> Response {
    Response::Tagged {
        tag: Tag(tag),
        status: Status::Ok,
        code,
        text,
    }
}

pub(crate) fn fetch_seq(seq: u32, uid: u32, modseq: u64) -> Response {
    Response::Fetch {
        seq,
        uid: Uid(uid),
        modseq: ModSeq(modseq),
        flags: None,
    }
}

#[test]
fn a_silent_store_is_applied_when_its_own_fetch_is_read() {
    let spec = spec("rfc7162");
    let mut client = Client::new(2);
    let request = Request::Store {
        target: Target::Seq(2),
        op: StoreOp::Add,
        flag: Flag::Deleted,
    };
    exchange(
        &mut client,
        &spec,
        request,
        vec![fetch(2, 2, None), tagged(1, None)],
    );
    assert_eq!(client.cache[&Uid(2)], FlagSet::EMPTY.with(Flag::Deleted));
    assert_eq!(client.resync_point, ModSeq(2));
    // Answered NO, or OK with no FETCH, the STORE changes nothing.
    for answer in [Status::No, Status::Ok] {
        let mut client = Client::new(2);
        let lines = vec![Response::Tagged {
            tag: Tag(1),
            status: answer,
            code: None,
            text: "Some of the messages no longer exist",
        }];
        exchange(&mut client, &spec, request, lines);
        assert_eq!(client.cache[&Uid(2)], FlagSet::EMPTY, "{answer:?}");
    }
}

#[test]
fn uidnext_follows_only_a_completed_uid_fetch() {
    // Two arrivals, UIDs 2 and 3; an unsolicited FETCH of UID 3 must not make the client
    // skip UID 2 (RFC 7162 section 6, step 2).
    let spec = spec("rfc7162");
    let mut client = Client::new(1);
    let lines = vec![
        Response::Exists(3),
        fetch(3, 5, Some(FlagSet::EMPTY.with(Flag::Seen))),
        tagged(1, None),
    ];
    exchange(&mut client, &spec, Request::Noop, lines);
    assert_eq!(client.uid_next, Uid(2));
    assert!(client.requests(&spec).contains(&Request::FetchNew));
    let commands = client.commands(Request::FetchNew, &spec);
    assert_eq!(commands[0].1, Command::UidFetchNew { from: Uid(2) });
    let lines = vec![
        fetch(2, 4, Some(FlagSet::EMPTY)),
        fetch(3, 5, Some(FlagSet::EMPTY.with(Flag::Seen))),
        tagged(2, None),
    ];
    exchange(&mut client, &spec, Request::FetchNew, lines);
    assert_eq!(client.uid_next, Uid(4));
    assert!(!client.requests(&spec).contains(&Request::FetchNew));
}

#[test]
fn close_keeps_or_prunes_per_the_client_close_clause() {
    for (name, cached) in [("rfc7162", 2), ("rfc5162", 1)] {
        let spec = spec(name);
        let mut client = Client::new(2);
        client
            .cache
            .edit()
            .insert(Uid(1), FlagSet::EMPTY.with(Flag::Deleted));
        exchange(&mut client, &spec, Request::Close, vec![tagged(1, None)]);
        assert_eq!(client.cache.len(), cached, "{name}");
        assert!(!client.connection.as_ref().unwrap().selected);
        assert_eq!(client.requests(&spec), vec![Request::Resync]);
    }
}

#[test]
fn resync_sends_enable_and_a_qresync_select_with_the_cached_uids() {
    let spec = spec("rfc7162");
    let mut client = Client::new(2);
    client.drop_connection();
    client.resync_point = ModSeq(5);
    let commands = client.commands(Request::Resync, &spec);
    let select = Command::SelectQresync {
        uid_validity: 1,
        modseq: ModSeq(5),
        known_uids: vec![Uid(1), Uid(2)],
        star: false,
        seq_match: Vec::new(),
    };
    assert_eq!(
        commands[..],
        [(Tag(1), Command::EnableQresync), (Tag(2), select)]
    );
    client.issue(&commands, &spec);
    let lines = vec![
        Response::EnabledQresync,
        tagged(1, None),
        Response::Exists(1),
        Response::UidValidity(1),
        Response::HighestModSeq(ModSeq(9)),
        Response::Vanished {
            earlier: true,
            uids: smallvec::smallvec![Uid(1)],
        },
        fetch(2, 8, Some(FlagSet::EMPTY.with(Flag::Seen))),
        Response::Tagged {
            tag: Tag(2),
            status: Status::Ok,
            code: Some(Code::ReadWrite),
            text: "SELECT completed",
        },
    ];
    client.connection.as_mut().unwrap().queue.extend(lines);
    while client.read(&spec).is_some() {}
    assert!(client.is_idle_selected());
    assert_eq!(client.resync_point, ModSeq(9));
    let cache: Vec<_> = client.cache.iter().map(|(u, f)| (*u, *f)).collect();
    assert_eq!(cache, vec![(Uid(2), FlagSet::EMPTY.with(Flag::Seen))]);
}

#[test]
fn a_selected_idle_client_offers_stores_that_change_a_flag_then_the_rest() {
    let mut client = Client::new(1);
    client
        .cache
        .edit()
        .insert(Uid(1), FlagSet::EMPTY.with(Flag::Deleted));
    let requests = client.requests(&spec("rfc7162"));
    let store = |target, op, flag| Request::Store { target, op, flag };
    assert_eq!(
        requests,
        vec![
            store(Target::Seq(1), StoreOp::Remove, Flag::Deleted),
            store(Target::Uid(Uid(1)), StoreOp::Remove, Flag::Deleted),
            store(Target::Seq(1), StoreOp::Add, Flag::Seen),
            store(Target::Uid(Uid(1)), StoreOp::Add, Flag::Seen),
            Request::Expunge,
            Request::UidExpunge,
            Request::Close,
            Request::Noop,
        ]
    );
}

#[test]
fn a_client_that_omits_known_uids_sends_none() {
    let mut spec = spec("rfc7162");
    spec.set("client-known-uids", "omit").unwrap();
    let mut client = Client::new(2);
    client.drop_connection();
    let commands = client.commands(Request::Resync, &spec);
    assert_eq!(
        commands[1].1,
        Command::SelectQresync {
            uid_validity: 1,
            modseq: ModSeq(1),
            known_uids: vec![],
            star: false,
            seq_match: Vec::new(),
        }
    );
}

#[test]
fn the_message_count_follows_exists_and_vanished_without_earlier() {
    let spec = spec("rfc7162");
    let mut client = Client::new(2);
    let count = |c: &Client| c.connection.as_ref().unwrap().exists;
    assert_eq!(count(&client), 2);
    // EXISTS sets the count.
    let lines = vec![Response::Exists(3), tagged(1, None)];
    exchange(&mut client, &spec, Request::Noop, lines);
    assert_eq!(count(&client), 3);
    // Each UID of a VANISHED lowers it by one (RFC 7162 section 3.2.10.2), whether the
    // client knows the UID or not: it cannot tell.
    let vanished = Response::Vanished {
        earlier: false,
        uids: smallvec::smallvec![Uid(1), Uid(9)],
    };
    exchange(
        &mut client,
        &spec,
        Request::Noop,
        vec![vanished, tagged(2, None)],
    );
    assert_eq!(count(&client), 1);
    assert!(!client.cache.contains_key(&Uid(1)));
    // VANISHED (EARLIER) does not (section 3.2.10.1).
    let earlier = Response::Vanished {
        earlier: true,
        uids: smallvec::smallvec![Uid(2)],
    };
    exchange(
        &mut client,
        &spec,
        Request::Noop,
        vec![earlier, tagged(3, None)],
    );
    assert_eq!(count(&client), 1);
    // Nothing is selected after CLOSE.
    exchange(&mut client, &spec, Request::Close, vec![tagged(4, None)]);
    assert_eq!(count(&client), 0);
}

#[test]
fn a_new_uidvalidity_empties_the_cache_of_a_wiping_client_only() {
    let rfc7162 = spec("rfc7162");
    let mut keep = rfc7162;
    keep.set("client-uidvalidity", "keep").unwrap();
    let select_lines = || {
        vec![
            Response::EnabledQresync,
            tagged(1, None),
            Response::Exists(1),
            Response::UidValidity(2),
            Response::UidNext(Uid(2)),
            Response::HighestModSeq(ModSeq(5)),
            tagged_text(2, Some(Code::ReadWrite), "SELECT completed"),
        ]
    };
    // The wiping client forgets its HIGHESTMODSEQ and does not cache the SELECT's either
    // (RFC 7162 section 6: it caches "the received value (unless the mailbox UIDVALIDITY
    // value has changed ...)"; section 3.1.2.1: "the client MUST delete the cached value of
    // HIGHESTMODSEQ"): 1. The keeping client stores the SELECT's, 5.
    for (spec, cached, uid_next, fetch_new, resync_point) in [
        (rfc7162, 0, Uid(1), true, ModSeq(1)),
        (keep, 2, Uid(3), false, ModSeq(5)),
    ] {
        let mut client = Client::new(2);
        client.resync_point = ModSeq(4);
        client.drop_connection();
        exchange(&mut client, &spec, Request::Resync, select_lines());
        assert_eq!(client.uid_validity, 2);
        assert_eq!(client.cache.len(), cached);
        assert_eq!(client.uid_next, uid_next);
        assert_eq!(client.resync_point, resync_point);
        // The wiping client fetches every message again by UID (RFC 7162 section 6 step 2).
        assert_eq!(
            client.requests(&spec).contains(&Request::FetchNew),
            fetch_new
        );
        if fetch_new {
            let commands = client.commands(Request::FetchNew, &spec);
            assert_eq!(commands[0].1, Command::UidFetchNew { from: Uid(1) });
            // The resync point rises by the usual rule once step 2 has fetched every message
            // (RFC 7162 section 6: the largest MODSEQ since the last tagged response).
            let fetched = vec![fetch(1, 5, Some(FlagSet::default())), tagged(3, None)];
            exchange(&mut client, &spec, Request::FetchNew, fetched);
            assert_eq!(client.resync_point, ModSeq(5));
            assert_eq!(client.cache.len(), 1);
        }
        // The next QRESYNC SELECT carries the new UIDVALIDITY.
        client.drop_connection();
        let commands = client.commands(Request::Resync, &spec);
        assert!(matches!(
            commands[1].1,
            Command::SelectQresync {
                uid_validity: 2,
                ..
            }
        ));
    }
}

#[test]
fn an_out_of_band_client_drops_vanished_and_fetch_outside_its_sync_loop_only() {
    let vanished = |uid| Response::Vanished {
        earlier: false,
        uids: smallvec::smallvec![Uid(uid)],
    };
    let mut ignore_vanished = spec("rfc7162");
    ignore_vanished
        .set("client-out-of-band", "ignore-vanished")
        .unwrap();
    let mut client = Client::new(2);
    // At the end of a NOOP: dropped, count and all, but the code is adopted.
    let lines = vec![vanished(2), tagged(1, Some(Code::HighestModSeq(ModSeq(3))))];
    exchange(&mut client, &ignore_vanished, Request::Noop, lines);
    assert!(client.cache.contains_key(&Uid(2)));
    assert_eq!(client.connection.as_ref().unwrap().exists, 2);
    assert_eq!(client.resync_point, ModSeq(3));
    // Its own EXPUNGE's VANISHED is applied.
    client
        .cache
        .edit()
        .insert(Uid(1), FlagSet::EMPTY.with(Flag::Deleted));
    let lines = vec![vanished(1), tagged(2, Some(Code::HighestModSeq(ModSeq(4))))];
    exchange(&mut client, &ignore_vanished, Request::Expunge, lines);
    assert!(!client.cache.contains_key(&Uid(1)));

    let mut ignore_fetch = spec("rfc7162");
    ignore_fetch
        .set("client-out-of-band", "ignore-fetch")
        .unwrap();
    let mut client = Client::new(2);
    let seen = FlagSet::EMPTY.with(Flag::Seen);
    let lines = vec![fetch(1, 5, Some(seen)), tagged(1, None)];
    exchange(&mut client, &ignore_fetch, Request::Noop, lines);
    // Dropped, but its MODSEQ still moved the resync point.
    assert_eq!(client.cache[&Uid(1)], FlagSet::EMPTY);
    assert_eq!(client.resync_point, ModSeq(5));
    // Its UID FETCH n:* is its sync loop: applied.
    let lines = vec![fetch(2, 6, Some(seen)), tagged(2, None)];
    exchange(&mut client, &ignore_fetch, Request::FetchNew, lines);
    assert_eq!(client.cache[&Uid(2)], seen);
}
