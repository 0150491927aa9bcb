//! A session without QRESYNC (a CONDSTORE-only client, `client-sync=condstore*`): its SELECT
//! (CONDSTORE), `UID FETCH 1:* (FLAGS) (CHANGEDSINCE m)`, `UID SEARCH ALL`, and its expunges
//! reported as `* n EXPUNGE` by sequence number instead of VANISHED.

use crate::imap::command::Command;
use crate::imap::response::{Lines, Response};
use crate::imap::types::{ClientId, Tag, Uid};
use crate::imap::uids::UidList;
use crate::spec::Spec;

use super::Server;
use super::commands::{Outcome, select_completed};
use super::reply::Reply;

impl Server {
    /// `SELECT INBOX (CONDSTORE)`: the SELECT answer with `* OK [HIGHESTMODSEQ n]`, which a
    /// CONDSTORE enabling command calls for (RFC 7162 sections 3.1.2.1 and 3.1.8), and
    /// nothing of what changed: without QRESYNC there is no VANISHED (EARLIER) and no FETCH
    /// (section 3.2.5 is QRESYNC's).
    pub(super) fn select_condstore(&mut self, client: ClientId, tag: Tag) -> Lines {
        let mut lines = self.open_mailbox(client);
        lines.push(select_completed(tag));
        lines
    }

    /// `UID FETCH 1:* (FLAGS) (CHANGEDSINCE since)`: UID, MODSEQ and FLAGS of every message
    /// of the session's view whose mod-sequence is above `since` (RFC 7162 section 3.1.4.1;
    /// a UID FETCH always carries UID, RFC 3501 section 6.4.8). A FETCH names only messages
    /// the session was told of, so held-back arrivals come only with an EXISTS of the flush.
    /// A UID command: the flush may send EXPUNGE (RFC 3501 section 7.4.1, the Note).
    pub(super) fn uid_fetch_changed_since(
        &mut self,
        client: ClientId,
        tag: Tag,
        command: &Command,
        reply: Reply,
        spec: &Spec,
    ) -> Lines {
        let Command::UidFetchChangedSince { since, upto } = *command else {
            unreachable!("uid_fetch_changed_since answers UID FETCH ... (CHANGEDSINCE m)");
        };
        let mut lines = Lines::new();
        for (seq, uid) in self.view(client).iter().enumerate() {
            let Some(message) = self.mailbox.messages.get(uid) else {
                continue;
            };
            if message.modseq > since && upto.is_none_or(|top| *uid <= top) {
                lines.push(Response::Fetch {
                    seq: seq as u32 + 1,
                    uid: *uid,
                    modseq: message.modseq,
                    flags: Some(message.flags),
                });
            }
        }
        let session = self.session_mut(client);
        // The CONDSTORE resync's starting point, as a QRESYNC SELECT's is (the server learns
        // it only here).
        session.resynced_from = Some(since);
        for line in &lines {
            if let Response::Fetch { uid, .. } = line {
                session.told_flags(*uid);
            }
        }
        let outcome = Outcome {
            lines,
            ..Outcome::default()
        };
        self.finish(client, tag, command, outcome, reply, spec)
    }

    /// `UID SEARCH ALL`: what the flush sends, then `* SEARCH` with the UIDs of every message
    /// of the session's view after it (RFC 3501 section 6.4.4). A message whose expunge the
    /// server still holds back keeps its sequence number until the EXPUNGE is sent (RFC 3501
    /// section 7.4.1), so it still matches ALL: the model's reading, the one that leaves the
    /// client a message to find gone later.
    pub(super) fn uid_search_all(
        &mut self,
        client: ClientId,
        tag: Tag,
        command: &Command,
        reply: Reply,
        spec: &Spec,
    ) -> Lines {
        let mut lines = self.finish(client, tag, command, Outcome::default(), reply, spec);
        let tagged = lines.pop().expect("finish appends the tagged response");
        lines.push(Response::Search(self.view(client)));
        lines.push(tagged);
        lines
    }

    /// `* n EXPUNGE` for each UID of `gone` (sorted) that has a sequence number in `numbered`
    /// (the session's view before the flush, with the command's own expunges), lowest first:
    /// each EXPUNGE lowers the numbers after it by one (RFC 3501 section 7.4.1, the "lower to
    /// higher" server of its example). A UID with no number (an arrival never announced) is
    /// not reported: EXPUNGE can only name a sequence number.
    pub(super) fn expunge_lines(numbered: &[Uid], gone: &[Uid]) -> Lines {
        let mut numbered: UidList = numbered.iter().copied().collect();
        let mut lines = Lines::new();
        for uid in gone {
            if let Some(i) = numbered.iter().position(|u| u == uid) {
                numbered.remove(i);
                lines.push(Response::Expunge(i as u32 + 1));
            }
        }
        lines
    }
}
