//! How a client reads each line it is sent and what it stores at a tagged response (RFC 7162
//! section 6), following the spec's client clauses.

use crate::imap::command::StoreOp;
use crate::imap::response::{Response, Status};
use crate::imap::types::{Flag, ModSeq, Uid};
use crate::spec::{
    ClientClose, ClientOutOfBand, ClientUidvalidity, ClientUnchanged, ClientVanishedEarlier, Spec,
};

use super::{Awaiting, Client, resync_point};

impl Client {
    /// Reads the next line and applies it. Returns the line read, or None if none is queued.
    pub fn read(&mut self, spec: &Spec) -> Option<Response> {
        let connection = self.connection.as_mut()?;
        if connection.queue.is_empty() {
            return None;
        }
        let line = connection.queue.remove(0);
        match &line {
            Response::Fetch {
                uid, modseq, flags, ..
            } => {
                // The client's UIDNEXT does not follow a FETCH: an unsolicited FETCH, or a
                // QRESYNC SELECT's for a UID outside its known-uids, says nothing of the UIDs
                // below it (RFC 7162 section 6, step 2: new messages are found by UID).
                let in_sync_loop = connection.awaiting.iter().any(|(_, a)| {
                    matches!(
                        a,
                        Awaiting::Select
                            | Awaiting::FetchNew
                            | Awaiting::FetchVanished
                            | Awaiting::ChangedSince
                    )
                });
                match flags {
                    // Against RFC 3501 section 2.2.2: dropped, though its MODSEQ still counts
                    // below.
                    Some(_)
                        if spec.client_out_of_band == ClientOutOfBand::IgnoreFetch
                            && !in_sync_loop => {}
                    // A resync's CHANGEDSINCE (a CONDSTORE one, or the VANISHED FETCH after
                    // a plain SELECT) names new messages too; they are left to `UID FETCH
                    // n:*` (RFC 7162 section 6, step 2), as caching one would leave uncached
                    // the UIDs below it that CHANGEDSINCE did not name (after a UIDVALIDITY
                    // wipe, every message still at MODSEQ 1), and the client maps sequence
                    // numbers through its cache (`condstore.rs`).
                    Some(_)
                        if *uid >= self.uid_next
                            && connection.awaiting.iter().any(|(_, a)| {
                                *a == Awaiting::ChangedSince
                                    || (*a == Awaiting::FetchVanished && connection.sync.is_some())
                            }) => {}
                    Some(flags) => {
                        self.cache.edit().insert(*uid, *flags);
                    }
                    // Without FLAGS: the FETCH a `.SILENT` STORE of this client's caused.
                    None => {
                        let store = connection.awaiting.iter().find_map(|(_, a)| match a {
                            Awaiting::Store { op, flag } => Some((*op, *flag)),
                            Awaiting::PipelinedStore {
                                uid: named,
                                op,
                                flag,
                                ..
                            } if named == uid => Some((*op, *flag)),
                            _ => None,
                        });
                        if let (Some((op, flag)), Some(&flags)) = (store, self.cache.get(uid)) {
                            let stored = match op {
                                StoreOp::Add => flags.with(flag),
                                StoreOp::Remove => flags.without(flag),
                            };
                            if stored != flags {
                                self.cache.edit().insert(*uid, stored);
                            }
                        }
                    }
                }
                connection.modseq_max = connection.modseq_max.max(Some(*modseq));
                // Against the RFC 7162 section 6 note: `eager` adopts it on receipt.
                self.resync_point =
                    resync_point::on_fetch(spec.client_resync_point, self.resync_point, *modseq);
            }
            // Against RFC 7162 section 3.2.10.2 ("MUST be recorded"): a VANISHED that answers
            // no expunge of the client's own is dropped, count and all; the HIGHESTMODSEQ
            // after it is adopted as usual.
            Response::Vanished { earlier: false, .. }
                if spec.client_out_of_band == ClientOutOfBand::IgnoreVanished
                    && !connection
                        .awaiting
                        .iter()
                        .any(|(_, a)| *a == Awaiting::Expunge) => {}
            // Against RFC 3501 section 2.2.2: each VANISHED (EARLIER) line overwrites the one
            // before (Roundcube's `$this->data['VANISHED'] = $v_data`); the last is applied
            // at the tagged response.
            Response::Vanished {
                earlier: true,
                uids,
            } if spec.client_vanished_earlier == ClientVanishedEarlier::KeepLast => {
                connection.earlier_kept = Some(uids.clone());
            }
            Response::Vanished { earlier, uids } => {
                // RFC 7162 section 3.2.10.2: "MUST be recorded". EARLIER or not, the UIDs
                // are gone. Without EARLIER, "each UID listed ... results in the client
                // decrementing the message count by one"; with it, the count stays (section
                // 3.2.10.1).
                let mut cache = self.cache.edit();
                for uid in uids {
                    cache.remove(uid);
                }
                if !earlier {
                    connection.exists -= uids.len() as i32;
                }
            }
            // The HIGHESTMODSEQ of a SELECT that reported a new UIDVALIDITY, after a wipe:
            // not cached (see `Connection::new_uidvalidity`).
            Response::HighestModSeq(_) if connection.new_uidvalidity => {}
            Response::HighestModSeq(m) => {
                connection.hms_code = Some(*m);
                let selecting = connection
                    .awaiting
                    .iter()
                    .any(|(_, a)| *a == Awaiting::Select);
                if selecting {
                    // Against RFC 7162 section 6: `select-on-receipt` stores it before the
                    // synchronization completes.
                    self.resync_point = resync_point::on_select_code(
                        spec.client_resync_point,
                        self.resync_point,
                        *m,
                    );
                }
            }
            Response::Exists(n) => {
                connection.exists = *n as i32;
                // Outside a SELECT, EXISTS announces arrivals: fetch them (RFC 7162 section
                // 6, step 2). A SELECT's EXISTS is judged by its UIDNEXT instead.
                let selecting = connection
                    .awaiting
                    .iter()
                    .any(|(_, a)| *a == Awaiting::Select);
                if !selecting {
                    connection.fetch_new = true;
                }
            }
            Response::UidNext(n) => connection.uid_next_seen = Some(*n),
            Response::Status(m) => {
                // Against RFC 7162 section 6, where the value comes from the mailbox opening
                // and the codes and MODSEQs sent while it is selected: a STATUS value read
                // as if it were a HIGHESTMODSEQ code, adopted at STATUS's tagged OK.
                if resync_point::status_is_code(spec.client_resync_point) {
                    connection.hms_code = Some(*m);
                }
            }
            Response::UidValidity(v) if *v != self.uid_validity => {
                // The server ignored the QRESYNC parameters (RFC 7162 section 3.2.5): its
                // UIDs are not the ones the cache has.
                if spec.client_uidvalidity == ClientUidvalidity::Wipe {
                    // RFC 7162 section 6 step 1a: "empty the local cache" and "forget the
                    // cached HIGHESTMODSEQ" (back to 1, below every change); UIDNEXT back to 1,
                    // so that the UID FETCH 1:* of step 2 finds every message. This SELECT's
                    // own HIGHESTMODSEQ is not cached either: section 6 caches "the received
                    // value (unless the mailbox UIDVALIDITY value has changed ...)", and
                    // section 3.1.2.1 says "the client MUST delete the cached value of
                    // HIGHESTMODSEQ". The resync point rises again by the usual rule from
                    // the MODSEQs and codes of the commands after it (the UID FETCH of step 2).
                    self.cache.edit().clear();
                    self.resync_point = ModSeq(1);
                    self.uid_next = Uid(1);
                    connection.hms_code = None;
                    connection.new_uidvalidity = true;
                }
                // `keep` takes the new UIDVALIDITY and keeps the rest.
                self.uid_validity = *v;
            }
            Response::UidValidity(_) | Response::EnabledQresync => {}
            // IDLE's continuation: the client may now send DONE.
            Response::Continue => {
                for (_, awaiting) in connection.awaiting.iter_mut() {
                    if *awaiting == Awaiting::Idle {
                        *awaiting = Awaiting::Idling;
                    }
                }
            }
            Response::Tagged { tag, status, .. } => {
                if let Some(kept) = connection.earlier_kept.take() {
                    let mut cache = self.cache.edit();
                    for uid in kept {
                        cache.remove(&uid);
                    }
                }
                let position = connection.awaiting.iter().position(|(t, _)| t == tag);
                let awaiting = position.map(|i| connection.awaiting.remove(i).1);
                if awaiting == Some(Awaiting::Select) && connection.new_uidvalidity {
                    // The end of the SELECT that reported the new UIDVALIDITY: its
                    // HIGHESTMODSEQ stays forgotten.
                    connection.new_uidvalidity = false;
                } else if let Some(m) = line.highest_modseq_code() {
                    connection.hms_code = Some(m);
                }
                let ok = *status == Status::Ok;
                if !(spec.client_sync.resyncs_in_steps() && self.sync_tagged(awaiting, ok, spec)) {
                    if ok {
                        self.complete(awaiting, spec);
                    }
                    self.adopt_resync_point(spec);
                }
            }
            Response::Expunge(n) => self.read_expunge(*n, spec),
            Response::Search(_) => self.read_search(&line),
        }
        Some(line)
    }

    pub(super) fn complete(&mut self, awaiting: Option<Awaiting>, spec: &Spec) {
        match awaiting {
            Some(Awaiting::Close) => {
                if let Some(connection) = self.connection.as_mut() {
                    connection.selected = false;
                    connection.exists = 0;
                    // What it knew of arrivals goes with the mailbox: the next SELECT's
                    // UIDNEXT tells again.
                    connection.fetch_new = false;
                    connection.uid_next_seen = None;
                }
                if spec.client_close == ClientClose::PruneDeleted {
                    self.cache
                        .edit()
                        .retain(|_, flags| !flags.contains(Flag::Deleted));
                }
            }
            Some(Awaiting::Select) => {
                if let Some(connection) = self.connection.as_mut() {
                    connection.selected = true;
                    // A `client-unchanged=skip` client reads the HIGHESTMODSEQ it stored as
                    // "nothing changed", new messages included.
                    let unchanged = spec.client_unchanged == ClientUnchanged::Skip
                        && connection.hms_code == Some(self.resync_point);
                    // "This client can now fetch information about new messages" (RFC 7162
                    // section 6).
                    if !unchanged && connection.uid_next_seen.is_some_and(|n| n > self.uid_next) {
                        connection.fetch_new = true;
                    }
                }
            }
            Some(Awaiting::FetchNew) => {
                if let Some(connection) = self.connection.as_mut() {
                    connection.fetch_new = false;
                    // `UID FETCH n:*` answered every message from n on, so every UID below
                    // the highest it now caches is cached or gone, and so is every UID below
                    // the UIDNEXT of the SELECT before it: arrivals that went before the
                    // client fetched them are skipped.
                    let cached = self.cache.keys().next_back().map(|u| Uid(u.0 + 1));
                    let seen = connection.uid_next_seen;
                    self.uid_next = self
                        .uid_next
                        .max(cached.unwrap_or(Uid(1)))
                        .max(seen.unwrap_or(Uid(1)));
                }
            }
            Some(Awaiting::Store { .. })
            | Some(Awaiting::PipelinedStore { .. })
            | Some(Awaiting::FetchVanished)
            | Some(Awaiting::Expunge)
            | Some(Awaiting::Other)
            | Some(Awaiting::Idle)
            | Some(Awaiting::Idling)
            | Some(Awaiting::ChangedSince)
            | Some(Awaiting::SearchAll)
            | None => {}
        }
    }

    /// At a tagged response, the client's rule for its stored resync point.
    fn adopt_resync_point(&mut self, spec: &Spec) {
        let Some(connection) = self.connection.as_mut() else {
            return;
        };
        let code = connection.hms_code.take();
        let modseq_max = connection.modseq_max.take();
        self.resync_point = resync_point::at_tagged(
            spec.client_resync_point,
            self.resync_point,
            code,
            modseq_max,
        );
    }
}
