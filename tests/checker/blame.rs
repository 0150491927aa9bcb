//! A trace's `responsible:` sentence: the clauses whose other values end the violation, and
//! a way out that breaks an RFC MUST named as such.

use crate::common;
use common::root;

use resync_check::trace::Trace;
use resync_check::trace::replay::replay;

/// The `responsible:` sentence of a committed trace, computed afresh.
fn responsible(name: &str) -> String {
    let path = root().join("traces").join(format!("{name}.json"));
    let trace = Trace::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
    let replayed = replay(&trace).unwrap();
    let blame = resync_check::trace::blame::avoiding_changes(
        &replayed.config,
        replayed.property,
        &replayed.actions,
    );
    resync_check::trace::blame::sentence(replayed.property.name, &blame)
}

#[test]
fn blame_tries_client_sync_and_names_a_way_out_that_breaks_a_must_as_such() {
    // A CONDSTORE-only client without the search: a client that searches (or uses QRESYNC)
    // holds on the same steps, which blame now tries.
    assert_eq!(
        responsible("clause-client-sync-condstore-no-search.resync-point-safe"),
        "client-sync=condstore-no-search [as condstore without the UID SEARCH: against RFC \
         7162 section 3.2.1, the client takes an empty CHANGEDSINCE answer for \"nothing \
         changed\" and stores the new HIGHESTMODSEQ, keeping the UIDs expunged while it was \
         away]; with client-sync=qresync, or with client-sync=condstore, or with \
         client-sync=condstore-drop-top (breaks RFC 7162 section 6), or with \
         client-sync=fetch-vanished-cache, or with client-sync=fetch-vanished-star, or with \
         client-sync=fetch-vanished-maxuid, the same commands, every line read, leave no \
         violation of resync-point-safe"
    );
    // A VANISHED naming a message never announced: the client that drops it breaks RFC 7162
    // section 3.2.10.2's MUST, so that way out is named as such, and the client that obeys
    // it (`client-out-of-band=apply`) is not blamed.
    assert_eq!(
        responsible("clause-vanished-unannounced-report.message-count-agrees"),
        "vanished-unannounced=report [RFC 5162 section 3.6 read as reporting every expunge \
         (\"SHOULD only contain UIDs for messages expunged since the last VANISHED/EXPUNGE \
         response\", with no exception for messages never announced)]; with \
         vanished-unannounced=omit, or with client-out-of-band=ignore-vanished (breaks RFC \
         7162 section 3.2.10.2's \"MUST be recorded\"), or with client-sync=condstore, or \
         with client-sync=condstore-no-search (breaks RFC 7162 section 3.2.1), or with \
         client-sync=condstore-drop-top (breaks RFC 7162 section 6), the same commands, every \
         line read, leave no violation of message-count-agrees"
    );
}

/// A single way out that breaks the text does not settle the blame: a server that names
/// present messages in VANISHED (EARLIER) empties the client's cache, which makes erratum
/// 1808's silent divergence "detectable"; blame then tries the pairs and names the clauses of
/// those that break nothing.
#[test]
fn a_way_out_that_breaks_the_text_alone_does_not_take_the_blame() {
    let sentence = responsible("errata-1808-rfc5162.divergence-detectable");
    assert!(
        sentence.starts_with(
            "no single clause avoids it without breaking the text, it rests on \
             held-back-highestmodseq=none [RFC 5162 as published (no such duty)] and \
             client-resync-point=rfc5162 [RFC 5162 section 5 as published]; with \
             vanished-earlier=includes-present (breaks RFC 7162 section 3.2.5.1), or with \
             held-back-highestmodseq=lower and client-resync-point=rfc7162, or with"
        ),
        "{sentence}"
    );
}

#[test]
fn what_a_way_out_breaks_is_read_from_the_value_descriptions() {
    use resync_check::trace::blame::breaks;
    // The value set says "against": what follows, with the MUST of the value replaced if
    // that quotes one of the same section.
    assert_eq!(
        breaks(
            "RFC 7162 section 3.2.10.2 (VANISHED \"MUST be recorded\"), RFC 3501",
            "against RFC 7162 section 3.2.10.2: drops a VANISHED"
        )
        .as_deref(),
        Some("RFC 7162 section 3.2.10.2's \"MUST be recorded\"")
    );
    assert_eq!(
        breaks(
            "RFC 3501 section 9 (\"the unique",
            "against RFC 3501 section 9 (* in"
        )
        .as_deref(),
        Some("RFC 3501 section 9")
    );
    // The value replaced is a MUST the value set does not start from.
    assert_eq!(
        breaks(
            "erratum 1808, RFC 7162 section 3.2.8 (\"MUST NOT send\")",
            "RFC 5162 section 3.4 capped as erratum 1810"
        )
        .as_deref(),
        Some("RFC 7162 section 3.2.8's \"MUST NOT send\"")
    );
    // Neither: another reading of the same section, or a value that quotes no MUST.
    assert_eq!(
        breaks(
            "RFC 7162 section 3.2 (\"MUST send untagged events",
            "RFC 7162 section 3.2 (\"if the server"
        ),
        None
    );
    assert_eq!(
        breaks(
            "RFC 7162 section 3.2.5.1 (the UIDs",
            "RFC 7162 section 3.2.5.1"
        ),
        None
    );
}

#[test]
fn an_erratum_that_amends_a_must_is_no_breach_of_it() {
    use resync_check::trace::blame::breaks;
    assert_eq!(
        breaks(
            "RFC 5162 section 3.4 (\"MUST send the updated per-mailbox modification sequence\")",
            "erratum 1808, RFC 7162 section 3.2.8 (\"MUST NOT send\")"
        ),
        None
    );
}
