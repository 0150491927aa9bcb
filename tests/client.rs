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
    client.issue(&commands);
    client.connection.as_mut().unwrap().queue.extend(lines);
    while client.read(spec).is_some() {}
}

#[test]
fn rfc7162_section_6_example_adopts_the_lower_highestmodseq_code() {
    // RFC 7162 section 6: FETCH MODSEQs 103 and 101, then HIGHESTMODSEQ 99: the code wins.
    let spec = spec("rfc7162");
    let mut client = Client::new(2);
    let lines = vec![
        fetch(1, 103, None),
        fetch(2, 101, None),
        Response::HighestModSeq(ModSeq(99)),
        tagged(1, None),
    ];
    exchange(&mut client, &spec, Request::Noop, lines);
    assert_eq!(client.resync_point, ModSeq(99));
    // Without a code, the largest MODSEQ seen, if above the stored value.
    exchange(
        &mut client,
        &spec,
        Request::Noop,
        vec![fetch(1, 104, None), tagged(2, None)],
    );
    assert_eq!(client.resync_point, ModSeq(104));
    exchange(
        &mut client,
        &spec,
        Request::Noop,
        vec![fetch(1, 100, None), tagged(3, None)],
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
    client.issue(&commands);
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
    client.drop_connection();
    assert_eq!(client.resync_point, ModSeq(1));
    assert_eq!(client.cache[&Uid(1)], FlagSet::EMPTY.with(Flag::Seen));
}

#[test]
fn a_silent_store_is_applied_when_its_ok_arrives() {
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
        assert_eq!(client.requests(), vec![Request::Resync]);
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
    };
    assert_eq!(
        commands,
        vec![(Tag(1), Command::EnableQresync), (Tag(2), select)]
    );
    client.issue(&commands);
    let lines = vec![
        Response::EnabledQresync,
        tagged(1, None),
        Response::Exists(1),
        Response::UidValidity(1),
        Response::HighestModSeq(ModSeq(9)),
        Response::Vanished {
            earlier: true,
            uids: vec![Uid(1)],
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
    let requests = client.requests();
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
    client.issue(&commands);
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
    client.issue(&commands);
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
    careful.issue(&commands);
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
        uids: vec![Uid(1), Uid(9)],
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
        uids: vec![Uid(2)],
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
