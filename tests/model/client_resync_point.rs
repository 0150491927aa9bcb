//! The client's resync point on its own (RFC 7162 section 6, RFC 5162 section 5): which
//! HIGHESTMODSEQ or MODSEQ it stores, and when, under each client clause that decides it.
//! Lines are fed to its queue by hand, as in client.rs.

use resync_check::client::{Client, Request};
use resync_check::imap::command::{Command, StoreOp, Target};
use resync_check::imap::response::{Code, Response};
use resync_check::imap::types::{Flag, FlagSet, ModSeq, Tag, Uid};

use super::client::{exchange, fetch, fetch_seq, spec, tagged, tagged_text};

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
