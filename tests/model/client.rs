//! The client replica on its own: no stateright, no server. Lines are fed to its queue by
//! hand, as a real server's would be.

use resync_check::client::{Client, Request};
use resync_check::imap::command::{Command, StoreOp, Target};
use resync_check::imap::response::{Code, Response, Status};
use resync_check::imap::types::{Flag, FlagSet, ModSeq, Tag, Uid};
use resync_check::spec::{Spec, edition};

fn spec(name: &str) -> Spec {
    edition(name).unwrap().spec
}

fn tagged(tag: u16, code: Option<Code>) -> Response {
    Response::Tagged {
        tag: Tag(tag),
        status: Status::Ok,
        code,
        text: "done",
    }
}

fn fetch(uid: u32, modseq: u64, flags: Option<FlagSet>) -> Response {
    Response::Fetch {
        seq: uid,
        uid: Uid(uid),
        modseq: ModSeq(modseq),
        flags,
    }
}

/// Issues `request`, queues `lines` as the server's answer, and reads them all.
fn exchange(client: &mut Client, spec: &Spec, request: Request, lines: Vec<Response>) {
    let commands = client.commands(request, spec);
    client.issue(&commands, spec);
    client.connection.as_mut().unwrap().queue.extend(lines);
    while client.read(spec).is_some() {}
}

/// A tagged OK with the RFC's own text.
fn tagged_text(tag: u16, code: Option<Code>, text: &'static str) -> Response {
    Response::Tagged {
        tag: Tag(tag),
        status: Status::Ok,
        code,
        text,
    }
}

fn fetch_seq(seq: u32, uid: u32, modseq: u64) -> Response {
    Response::Fetch {
        seq,
        uid: Uid(uid),
        modseq: ModSeq(modseq),
        flags: None,
    }
}

#[test]
fn rfc7162_section_6_example_keeps_the_resync_point_at_the_lower_code() {
    // RFC 7162 section 6, A150 to A153, line for line but for the untagged OK's text (the
    // model's is "Highest") and the tags, which are the client's own (a1 to
    // a3 for A150 to A152); A150's `[MODIFIED 3]` is a code the model does not have, and
    // its UNCHANGEDSINCE STORE of 1:2 is sent as a NOOP, since only the lines matter here.
    let spec = spec("rfc7162");
    let mut client = Client::new(8);
    let a150 = vec![
        fetch_seq(1, 6, 103),
        fetch_seq(2, 7, 101),
        Response::HighestModSeq(ModSeq(99)),
        tagged_text(1, None, "done"),
    ];
    let shown: Vec<String> = a150
        .iter()
        .map(resync_check::imap::wire::response)
        .collect();
    assert_eq!(
        shown,
        [
            "* 1 FETCH (UID 6 MODSEQ (103))",
            "* 2 FETCH (UID 7 MODSEQ (101))",
            "* OK [HIGHESTMODSEQ 99] Highest",
            "a1 OK done",
        ]
    );
    exchange(&mut client, &spec, Request::Noop, a150);
    // "If the HIGHESTMODSEQ response code is received, the client MUST use it even if it has
    // seen higher mod-sequences."
    assert_eq!(client.resync_point, ModSeq(99));
    // A151 STORE 3 +FLAGS.SILENT \Seen: message 3 is UID 8, whose expunge (MODSEQ 100) the
    // server still delays; the STORE succeeds with MODSEQ 104 and the code stays 99.
    let a151 = Request::Store {
        target: Target::Seq(3),
        op: StoreOp::Add,
        flag: Flag::Seen,
    };
    let lines = vec![
        fetch_seq(3, 8, 104),
        tagged_text(
            2,
            Some(Code::HighestModSeq(ModSeq(99))),
            "Still delaying VANISHED",
        ),
    ];
    assert_eq!(
        resync_check::imap::wire::response(&lines[1]),
        "a2 OK [HIGHESTMODSEQ 99] Still delaying VANISHED"
    );
    exchange(&mut client, &spec, a151, lines);
    assert_eq!(client.resync_point, ModSeq(99));
    // The client applied its own .SILENT STORE when it read its FETCH.
    assert_eq!(client.cache[&Uid(8)], FlagSet::EMPTY.with(Flag::Seen));
    // A152 NOOP: the delayed VANISHED, and the code that may now cover MODSEQ 104.
    let lines = vec![
        Response::Vanished {
            earlier: false,
            uids: smallvec::smallvec![Uid(8)],
        },
        tagged_text(3, Some(Code::HighestModSeq(ModSeq(104))), "done"),
    ];
    exchange(&mut client, &spec, Request::Noop, lines);
    assert_eq!(client.resync_point, ModSeq(104));
    assert!(!client.cache.contains_key(&Uid(8)));
}

#[test]
fn rfc7162_client_takes_the_largest_modseq_only_without_a_code() {
    let spec = spec("rfc7162");
    let mut client = Client::new(2);
    exchange(
        &mut client,
        &spec,
        Request::Noop,
        vec![fetch(1, 104, None), tagged(1, None)],
    );
    assert_eq!(client.resync_point, ModSeq(104));
    exchange(
        &mut client,
        &spec,
        Request::Noop,
        vec![fetch(1, 100, None), tagged(2, None)],
    );
    assert_eq!(client.resync_point, ModSeq(104));
}

#[test]
fn rfc5162_section_5_client_takes_the_larger_of_code_and_modseq() {
    let spec = spec("rfc5162");
    let mut client = Client::new(2);
    let lines = vec![
        fetch(1, 103, None),
        Response::HighestModSeq(ModSeq(99)),
        tagged(1, None),
    ];
    exchange(&mut client, &spec, Request::Noop, lines);
    assert_eq!(client.resync_point, ModSeq(103));
}

#[test]
fn the_resync_point_moves_only_at_the_tagged_response() {
    let spec = spec("rfc7162");
    let mut client = Client::new(1);
    let commands = client.commands(Request::Noop, &spec);
    client.issue(&commands, &spec);
    let queue = &mut client.connection.as_mut().unwrap().queue;
    queue.extend([
        fetch(1, 7, Some(FlagSet::EMPTY.with(Flag::Seen))),
        tagged(1, None),
    ]);
    client.read(&spec);
    // The FETCH is applied to the cache at once, the MODSEQ is not adopted yet.
    assert_eq!(client.cache[&Uid(1)], FlagSet::EMPTY.with(Flag::Seen));
    assert_eq!(client.resync_point, ModSeq(1));
    // A drop loses the tagged response and with it the MODSEQ; the cache stays.
    let disconnected = client.disconnected();
    client.drop_connection();
    // The copy the search makes for a drop (`System::dropped`) is the same replica.
    assert_eq!(client, disconnected);
    assert_eq!(client.resync_point, ModSeq(1));
    assert_eq!(client.cache[&Uid(1)], FlagSet::EMPTY.with(Flag::Seen));
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
    let cache: Vec<_> = client.cache.into_iter().collect();
    assert_eq!(cache, vec![(Uid(2), FlagSet::EMPTY.with(Flag::Seen))]);
}

#[test]
fn a_selected_idle_client_offers_stores_that_change_a_flag_then_the_rest() {
    let mut client = Client::new(1);
    client
        .cache
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
fn an_eager_client_adopts_a_modseq_when_it_reads_it() {
    let mut spec = spec("rfc7162");
    spec.set("client-resync-point", "eager").unwrap();
    let mut client = Client::new(1);
    let commands = client.commands(Request::Noop, &spec);
    client.issue(&commands, &spec);
    let queue = &mut client.connection.as_mut().unwrap().queue;
    queue.extend([fetch(1, 7, None), tagged(1, None)]);
    client.read(&spec);
    assert_eq!(client.resync_point, ModSeq(7));
}

#[test]
fn a_select_on_receipt_client_stores_the_highestmodseq_before_the_ok() {
    let mut spec = spec("rfc7162");
    spec.set("client-resync-point", "select-on-receipt")
        .unwrap();
    let mut client = Client::new(1);
    client.drop_connection();
    let commands = client.commands(Request::Resync, &spec);
    client.issue(&commands, &spec);
    let queue = &mut client.connection.as_mut().unwrap().queue;
    queue.extend([
        Response::EnabledQresync,
        tagged(1, None),
        Response::HighestModSeq(ModSeq(9)),
    ]);
    while client.read(&spec).is_some() {}
    assert_eq!(client.resync_point, ModSeq(9));
    // The rfc7162 client would still be at 1.
    let mut careful = Client::new(1);
    careful.drop_connection();
    let rfc7162 = self::spec("rfc7162");
    let commands = careful.commands(Request::Resync, &rfc7162);
    careful.issue(&commands, &rfc7162);
    let queue = &mut careful.connection.as_mut().unwrap().queue;
    queue.extend([Response::HighestModSeq(ModSeq(9))]);
    careful.read(&rfc7162);
    assert_eq!(careful.resync_point, ModSeq(1));
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
fn only_a_status_client_sends_status_and_it_stores_the_value_at_the_ok() {
    let rfc7162 = spec("rfc7162");
    let mut status = rfc7162;
    status.set("client-resync-point", "status").unwrap();
    // While INBOX is not selected: after CLOSE, or with no connection at all.
    let mut client = Client::new(2);
    exchange(&mut client, &status, Request::Close, vec![tagged(1, None)]);
    assert_eq!(client.requests(&rfc7162), vec![Request::Resync]);
    assert_eq!(
        client.requests(&status),
        vec![Request::Resync, Request::Status]
    );
    let commands = client.commands(Request::Status, &status);
    assert_eq!(commands[..], [(Tag(2), Command::Status)]);
    client.issue(&commands, &status);
    let queue = &mut client.connection.as_mut().unwrap().queue;
    queue.extend([Response::Status(ModSeq(7))]);
    client.read(&status);
    // Adopted at the tagged OK, as every value the client stores.
    assert_eq!(client.resync_point, ModSeq(1));
    let queue = &mut client.connection.as_mut().unwrap().queue;
    queue.extend([tagged_text(2, None, "STATUS completed")]);
    client.read(&status);
    assert_eq!(client.resync_point, ModSeq(7));
    // On a new connection, after ENABLE QRESYNC, pipelined.
    let mut client = Client::new(2);
    client.drop_connection();
    assert_eq!(
        client.requests(&status),
        vec![Request::Resync, Request::Status]
    );
    assert_eq!(
        client.commands(Request::Status, &status)[..],
        [(Tag(1), Command::EnableQresync), (Tag(2), Command::Status)]
    );
    // An RFC 7162 client reading a STATUS line (from elsewhere) stores nothing.
    let mut careful = Client::new(2);
    let lines = vec![Response::Status(ModSeq(7)), tagged(1, None)];
    exchange(&mut careful, &rfc7162, Request::Noop, lines);
    assert_eq!(careful.resync_point, ModSeq(1));
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
