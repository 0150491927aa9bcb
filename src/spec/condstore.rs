//! The clause of issue #12 item 7: how the client resynchronizes, with QRESYNC or with
//! CONDSTORE only (RFC 7162 section 3.1), which must find expunges another way than VANISHED.
//! Each value names its source.

use super::{Clause, ClauseValues};

/// Which extension the client resynchronizes with, and how a CONDSTORE-only client learns of
/// expunges.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClientSync {
    /// `ENABLE QRESYNC` and `SELECT INBOX (QRESYNC (...))` (RFC 7162 sections 3.2.3, 3.2.5
    /// and 6): the model's client before this clause.
    Qresync,
    /// CONDSTORE only: `SELECT INBOX (CONDSTORE)` (section 3.1.8), `UID FETCH 1:* (FLAGS)
    /// (CHANGEDSINCE m)` (section 3.1.4.1), then `UID SEARCH ALL` (RFC 3501 section 6.4.4,
    /// 6.4.8) to learn which cached UIDs still exist; the SELECT's HIGHESTMODSEQ is stored
    /// only once the three have completed (RFC 7162 section 6, "Once the synchronization is
    /// complete, it MUST cache the received value").
    Condstore,
    /// As `condstore`, without the `UID SEARCH`: the client concludes from an empty
    /// `CHANGEDSINCE` answer that nothing changed and stores the new HIGHESTMODSEQ, though
    /// the rise may be an expunge's (section 3.2.1).
    CondstoreNoSearch,
    /// As `condstore`, with the CHANGEDSINCE set `1:<highest cached UID - 1>`: the flag
    /// changes of its highest cached UID are never fetched (meli 0.9.0, as read in its code).
    CondstoreDropTop,
    /// QRESYNC enabled, but a plain `SELECT INBOX` and then `UID FETCH <cached UIDs> (FLAGS)
    /// (CHANGEDSINCE m VANISHED)` (section 3.2.6), m its stored resync point; the SELECT's
    /// HIGHESTMODSEQ stored once the FETCH completes. SOGo, mutt and Roundcube resync so
    /// (cyrus-imapd issue 6071).
    FetchVanishedCache,
    /// As `fetch-vanished-cache` with the set `1:*`, which the server's `uid-star` reads.
    FetchVanishedStar,
    /// As `fetch-vanished-cache` with the set `1:<maxuid>`, maxuid the SELECT's UIDNEXT
    /// minus 1 (the bound RFC 7162 section 3.2.5.1 gives absent known-uids).
    FetchVanishedMaxuid,
}

/// The UID set of a `client-sync=fetch-vanished-*` resync.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FetchSet {
    Cache,
    Star,
    Maxuid,
}

impl ClientSync {
    /// The clause's name, for the code outside `spec` that treats it apart.
    pub const CLAUSE_NAME: &'static str = "client-sync";

    /// A CONDSTORE-only client (no QRESYNC), whichever way it finds expunges.
    pub fn condstore_only(self) -> bool {
        matches!(
            self,
            ClientSync::Condstore | ClientSync::CondstoreNoSearch | ClientSync::CondstoreDropTop
        )
    }

    /// The set of a resync by plain SELECT and `UID FETCH <set> ... VANISHED`, if the client
    /// resyncs so.
    pub fn fetch_set(self) -> Option<FetchSet> {
        match self {
            ClientSync::FetchVanishedCache => Some(FetchSet::Cache),
            ClientSync::FetchVanishedStar => Some(FetchSet::Star),
            ClientSync::FetchVanishedMaxuid => Some(FetchSet::Maxuid),
            _ => None,
        }
    }

    /// Whether the client resyncs in several commands after its SELECT (`client/condstore.rs`)
    /// rather than by the QRESYNC SELECT alone.
    pub fn resyncs_in_steps(self) -> bool {
        self != ClientSync::Qresync
    }
}

impl ClauseValues for ClientSync {
    const CLAUSE: Clause = Clause {
        name: ClientSync::CLAUSE_NAME,
        summary: "how the client resynchronizes: QRESYNC (VANISHED tells it of expunges), \
                  CONDSTORE only (sequence-number EXPUNGE while selected; on reopening, FETCH \
                  CHANGEDSINCE for flags and UID SEARCH for expunges, or no search), or \
                  QRESYNC with a plain SELECT and a UID FETCH ... (CHANGEDSINCE m VANISHED) of \
                  the cached UIDs, 1:* or 1:<UIDNEXT-1>",
        arrivals_needed: 0,
        needs: &[],
        values: &[
            (
                "qresync",
                "RFC 7162 sections 3.2.3, 3.2.5 and 6: ENABLE QRESYNC, SELECT (QRESYNC (...)) \
                 with VANISHED (EARLIER), then VANISHED while selected",
            ),
            (
                "condstore",
                "RFC 7162 section 3.1 without QRESYNC: SELECT INBOX (CONDSTORE) (3.1.8), UID \
                 FETCH 1:* (FLAGS) (CHANGEDSINCE m) (3.1.4.1), UID SEARCH ALL (RFC 3501 \
                 sections 6.4.4 and 6.4.8; RFC 7162 section 3.2.1: expunges raise \
                 HIGHESTMODSEQ but CHANGEDSINCE returns nothing for them), the SELECT's \
                 HIGHESTMODSEQ stored once these complete (RFC 7162 section 6: \"Once the \
                 synchronization is complete, it MUST cache the received value\"); \
                 \"* n EXPUNGE\" while selected (RFC 3501 section 7.4.1)",
            ),
            (
                "condstore-no-search",
                "as condstore without the UID SEARCH: against RFC 7162 section 3.2.1, the \
                 client takes an empty CHANGEDSINCE answer for \"nothing changed\" and stores \
                 the new HIGHESTMODSEQ, keeping the UIDs expunged while it was away",
            ),
            (
                "condstore-drop-top",
                "as condstore with UID FETCH 1:<n-1> (FLAGS) (CHANGEDSINCE m), n the highest \
                 cached UID, against RFC 7162 section 6 (\"At this point, the client is \
                 synchronized\" needs the flag changes of every cached message; no MUST \
                 forbids the set: a client bug): meli 0.9.0 (melib/src/imap/sync: UID FETCH \
                 (ONE..lastseenuid), a Rust range that leaves out its end, as read in its code)",
            ),
            (
                "fetch-vanished-cache",
                "RFC 7162 sections 3.2.3 and 3.2.6: ENABLE QRESYNC, a plain SELECT INBOX, then \
                 UID FETCH <cached UIDs> (FLAGS) (CHANGEDSINCE m VANISHED) (section 3.2.6, \
                 Example 1: \"the lowest and highest UIDs from the client's cache\"), the \
                 SELECT's HIGHESTMODSEQ stored once it completes (section 6); the resync of \
                 SOGo, mutt and Roundcube (cyrus-imapd issue 6071)",
            ),
            (
                "fetch-vanished-star",
                "as fetch-vanished-cache with the set 1:*, which the server reads as uid-star \
                 says (SOGo before Alinto/sope PR 73 lost deletions against Cyrus's 1:*, \
                 cyrus-imapd issue 6071, fixed by PR 6087)",
            ),
            (
                "fetch-vanished-maxuid",
                "as fetch-vanished-cache with the set 1:<UIDNEXT-1> from the SELECT's UIDNEXT \
                 (RFC 7162 section 3.2.5.1's <maxuid>; Alinto/sope PR 73 sends \
                 1:4294967295)",
            ),
        ],
    };
    const ALL: &'static [Self] = &[
        Self::Qresync,
        Self::Condstore,
        Self::CondstoreNoSearch,
        Self::CondstoreDropTop,
        Self::FetchVanishedCache,
        Self::FetchVanishedStar,
        Self::FetchVanishedMaxuid,
    ];
}
