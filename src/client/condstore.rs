//! A CONDSTORE-only client (`client-sync=condstore|condstore-no-search`, RFC 7162 section
//! 3.1): how it resynchronizes without QRESYNC, and how it reads `* n EXPUNGE` and `* SEARCH`.
//!
//! Its resync, after `SELECT INBOX (CONDSTORE)`: `UID FETCH 1:* (FLAGS) (CHANGEDSINCE m)` from
//! its stored resync point m for the flags (section 3.1.4.1), then `UID SEARCH ALL` for the
//! UIDs still present (RFC 3501 section 6.4.4; RFC 7162 section 3.2.1: an expunge raises
//! HIGHESTMODSEQ, but CHANGEDSINCE returns nothing for it). Each is its own command, sent
//! after the previous one's tagged response, so other sessions may act in between; the three
//! count once against the command bound, as a QRESYNC reconnect does. The HIGHESTMODSEQ the
//! SELECT reported is stored only once the last of them completes (RFC 7162 section 6: "The
//! client uses the value from the HIGHESTMODSEQ OK response code received on the mailbox
//! opening to determine if it needs to resynchronize. Once the synchronization is complete,
//! it MUST cache the received value"); the rule of section 6's second paragraph ("After
//! completing a full synchronization ...") applies from then on.
//!
//! Its map from sequence numbers to UIDs is its cache in UID order (UIDs ascend with sequence
//! numbers, RFC 3501 section 2.3.1.1), as for the model's STORE by number: the n-th cached UID
//! is message n. That holds for a client whose cache is the session's view, messages it has
//! not fetched yet (arrivals, at the top) aside. Before its `UID SEARCH` answer the
//! conforming client's cache may still hold UIDs expunged while it was away, so an EXPUNGE
//! read then only lowers its count: the SEARCH, answered after it, lists the survivors. The
//! `condstore-no-search` client never learns of those UIDs, so its map stays shifted by them:
//! its EXPUNGEs and its STOREs by number name other messages than the server's. For the map
//! to hold, the CHANGEDSINCE answer's new messages (UIDs from the client's UIDNEXT on) are
//! left to `UID FETCH n:*` (`read.rs`): after a UIDVALIDITY wipe CHANGEDSINCE 1 names only
//! the messages above MODSEQ 1, and caching those would leave holes below them.

use crate::imap::response::Response;
use crate::imap::types::ModSeq;
use crate::spec::{ClientSync, ClientUnchanged, FetchSet, Spec};

use super::{Awaiting, Client, Request};

/// Where a CONDSTORE-only client is in its resync, from its SELECT's tagged OK on. Each
/// carries the HIGHESTMODSEQ the SELECT reported (`opening`), stored at the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Sync {
    /// Next: `UID FETCH 1:* (FLAGS) (CHANGEDSINCE m)`.
    Fetch { opening: ModSeq },
    /// Next: `UID SEARCH ALL` (sent, or to send; its `* SEARCH` not read yet).
    Search { opening: ModSeq },
    /// `* SEARCH` read; its tagged OK not yet.
    Searched { opening: ModSeq },
}

impl Sync {
    /// The HIGHESTMODSEQ the resync started from, in every step of it.
    pub fn opening(&self) -> ModSeq {
        match self {
            Sync::Fetch { opening } | Sync::Search { opening } | Sync::Searched { opening } => {
                *opening
            }
        }
    }

    pub fn opening_mut(&mut self) -> &mut ModSeq {
        match self {
            Sync::Fetch { opening } | Sync::Search { opening } | Sync::Searched { opening } => {
                opening
            }
        }
    }
}

impl Client {
    /// Whether the client is in the middle of a CONDSTORE resync: it sends only the next
    /// command of it, which the command bound does not count (the reconnect counted).
    pub fn syncing(&self) -> bool {
        self.connection.as_ref().is_some_and(|c| c.sync.is_some())
    }

    /// The next command of the resync, once nothing is in flight.
    pub(super) fn sync_request(&self, spec: &Spec) -> Option<Request> {
        let connection = self.connection.as_ref()?;
        match connection.sync? {
            _ if !connection.awaiting.is_empty() => None,
            Sync::Fetch { .. } if spec.client_sync.fetch_set().is_some() => {
                Some(Request::FetchVanished)
            }
            Sync::Fetch { .. } => Some(Request::ChangedSince),
            Sync::Search { .. } | Sync::Searched { .. } => Some(Request::SearchAll),
        }
    }

    /// One past the largest UID of `1:<maxuid>`: the UIDNEXT the SELECT reported.
    pub(super) fn maxuid_bound(&self) -> u32 {
        let seen = self.connection.as_ref().and_then(|c| c.uid_next_seen);
        seen.map_or(1, |uid| uid.0)
    }

    /// Whether the `UID FETCH <set> ... VANISHED` of a `fetch-vanished-*` resync would name
    /// no UID (no cached UID, or a mailbox that never had a message): the resync then ends at
    /// the SELECT, which the server would otherwise answer with a set it cannot parse.
    fn fetch_set_empty(&self, set: FetchSet) -> bool {
        match set {
            FetchSet::Cache => self.cache.is_empty(),
            FetchSet::Star => false,
            FetchSet::Maxuid => self.maxuid_bound() <= 1,
        }
    }

    /// Reads `* n EXPUNGE` (RFC 3501 section 7.4.1): the count drops by one, and the n-th
    /// cached UID goes, unless the conforming client has not read its SEARCH yet (see the
    /// module comment). An n above the cache names an arrival not fetched yet.
    pub(super) fn read_expunge(&mut self, n: u32, spec: &Spec) {
        let Some(connection) = self.connection.as_mut() else {
            return;
        };
        connection.exists -= 1;
        let searches = matches!(
            spec.client_sync,
            ClientSync::Condstore | ClientSync::CondstoreDropTop
        );
        let unmapped = searches
            && matches!(
                connection.sync,
                Some(Sync::Fetch { .. } | Sync::Search { .. })
            );
        if unmapped {
            return;
        }
        let uid = self.cache.keys().nth((n as usize).wrapping_sub(1)).copied();
        if let Some(uid) = uid {
            self.cache.edit().remove(&uid);
        }
    }

    /// Reads `* SEARCH uids`, the answer to its `UID SEARCH ALL`: every cached UID it does
    /// not list is gone.
    pub(super) fn read_search(&mut self, line: &Response) {
        let Response::Search(uids) = line else {
            return;
        };
        let Some(connection) = self.connection.as_mut() else {
            return;
        };
        if let Some(Sync::Search { opening }) = connection.sync {
            self.cache.edit().retain(|uid, _| uids.contains(uid));
            connection.sync = Some(Sync::Searched { opening });
        }
    }

    /// At a tagged response of a client that resyncs in steps: the SELECT's starts the
    /// resync, the CHANGEDSINCE FETCH's moves it on (or, without the search, ends it), the
    /// SEARCH's or the VANISHED FETCH's ends it and stores the SELECT's HIGHESTMODSEQ.
    /// Returns false for any other command's tagged response, which the usual rule (RFC 7162
    /// section 6) answers.
    pub(super) fn sync_tagged(
        &mut self,
        awaiting: Option<Awaiting>,
        ok: bool,
        spec: &Spec,
    ) -> bool {
        let resync_point = self.resync_point;
        let empty = spec
            .client_sync
            .fetch_set()
            .map(|set| self.fetch_set_empty(set));
        let drop_top_empty = spec.client_sync == ClientSync::CondstoreDropTop
            && self.cache.keys().next_back().is_none_or(|top| top.0 <= 1);
        let Some(connection) = self.connection.as_mut() else {
            return false;
        };
        let opening = match connection.sync {
            Some(sync) => sync.opening(),
            None => connection.hms_code.unwrap_or(resync_point),
        };
        // A `client-unchanged=skip` client ends its resync at a SELECT that reports the value
        // it stored, and fetches no new message either.
        let skip = ok
            && awaiting == Some(Awaiting::Select)
            && spec.client_unchanged == ClientUnchanged::Skip
            && opening == resync_point;
        let next = match awaiting {
            Some(Awaiting::Select) if ok && (empty == Some(true) || skip) => {
                self.resync_point = opening;
                None
            }
            // meli's `1:<n-1>` is empty where its highest cached UID is 1 (or it caches
            // none): no CHANGEDSINCE FETCH, straight to the search.
            Some(Awaiting::Select) if ok && drop_top_empty => Some(Sync::Search { opening }),
            Some(Awaiting::Select) if ok => Some(Sync::Fetch { opening }),
            Some(Awaiting::Select) => None,
            Some(Awaiting::ChangedSince) => match spec.client_sync {
                ClientSync::Condstore | ClientSync::CondstoreDropTop => {
                    Some(Sync::Search { opening })
                }
                // Against RFC 7162 section 3.2.1: no search; the rise of HIGHESTMODSEQ is
                // taken as covered by the (maybe empty) CHANGEDSINCE answer.
                _ => {
                    self.resync_point = opening;
                    None
                }
            },
            // The end of a `fetch-vanished-*` resync; the same command sent later, while
            // selected (`client-fetch-vanished`), is no part of a resync.
            Some(Awaiting::SearchAll) | Some(Awaiting::FetchVanished)
                if connection.sync.is_some() =>
            {
                self.resync_point = opening;
                None
            }
            _ => return false,
        };
        // The codes and MODSEQs read during the resync are not adopted: section 6 takes
        // note of them "after completing a full synchronization".
        connection.hms_code = None;
        connection.modseq_max = None;
        connection.sync = next;
        if ok && awaiting == Some(Awaiting::Select) {
            self.complete(awaiting, spec);
            if let Some(connection) = self.connection.as_mut().filter(|_| skip) {
                connection.fetch_new = false;
            }
        }
        true
    }
}
