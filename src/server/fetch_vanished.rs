//! `UID FETCH <set> (FLAGS) (CHANGEDSINCE m VANISHED)` (RFC 7162 sections 3.1.4.1 and 3.2.6):
//! a client's resynchronization without a new SELECT.

use crate::imap::command::Command;
use crate::imap::response::{Lines, Response};
use crate::imap::types::{ClientId, Tag, Uid};
use crate::spec::Spec;

use super::Server;
use super::commands::Outcome;
use super::history::{EarlierQuery, earlier_lines};
use super::reply::Reply;

impl Server {
    /// Whether `uid` is in the set this command names: its UIDs, or `1:*` as `uid-star`
    /// reads `*`. False for every other command.
    pub(super) fn in_fetch_set(&self, command: &Command, uid: Uid, spec: &Spec) -> bool {
        match command {
            Command::UidFetchVanished { star: true, .. } => uid <= self.star(spec),
            Command::UidFetchVanished { uids, .. } => uids.contains(&uid),
            _ => false,
        }
    }

    /// Whether this command's FETCHes name `uid`: in the set and changed after the
    /// CHANGEDSINCE mod-sequence.
    pub(super) fn fetch_vanished_reports(&self, command: &Command, uid: Uid, spec: &Spec) -> bool {
        let Command::UidFetchVanished { since, .. } = command else {
            return false;
        };
        let changed = self
            .mailbox
            .messages
            .get(&uid)
            .is_some_and(|m| m.modseq > *since);
        changed && self.in_fetch_set(command, uid, spec)
    }

    /// Whether answering `command` tells the session of the arrivals it holds back: a
    /// `UID FETCH` whose set reaches one must first say that it exists.
    pub(super) fn announces_arrivals(
        &self,
        client: ClientId,
        command: &Command,
        spec: &Spec,
    ) -> bool {
        let Some(session) = self.session(client) else {
            return false;
        };
        match command {
            Command::UidFetchNew { .. } => true,
            Command::UidFetchVanished { .. } => session
                .pending_arrivals
                .iter()
                .any(|uid| self.in_fetch_set(command, uid, spec)),
            _ => false,
        }
    }

    /// The answer: EXISTS first if the set reaches an arrival the session was not told of
    /// (a FETCH names only messages the client knows exist); then VANISHED (EARLIER) for
    /// the set's UIDs expunged after m, before any FETCH (section 3.2.6); then a FETCH for
    /// each message of the set changed after m. An expunge the server still holds back from
    /// this session is not in the VANISHED (EARLIER): the message still has its sequence
    /// number here, and the held-back VANISHED reports it, at the end of this command or
    /// later, as for any command (RFC 7162 section 3.2.10.2: a UID is reported once, and a
    /// VANISHED (EARLIER) names messages the client no longer numbers). Then the flush and
    /// the tagged response, as every command of the selected state ends.
    pub(super) fn uid_fetch_vanished(
        &mut self,
        client: ClientId,
        tag: Tag,
        command: &Command,
        reply: Reply,
        spec: &Spec,
    ) -> Lines {
        let Command::UidFetchVanished { since, .. } = *command else {
            unreachable!("uid_fetch_vanished answers UID FETCH ... (CHANGEDSINCE m VANISHED)");
        };
        let mut lines = Lines::new();
        if self.announces_arrivals(client, command, spec) {
            self.session_mut(client).pending_arrivals.clear();
            lines.push(Response::Exists(self.view(client).len() as u32));
        }
        let session = self.session(client).expect("a selected session");
        let held_back = &session.pending_expunges;
        let query = EarlierQuery {
            since,
            superset: false,
            seq_match: &[],
        };
        let in_set = |uid: Uid| self.in_fetch_set(command, uid, spec) && !held_back.contains(&uid);
        let vanished = self.vanished_earlier(in_set, query, spec);
        lines.extend(earlier_lines(vanished, spec));
        let view = self.view(client);
        let mut fetched = Vec::new();
        for (seq, uid) in view.iter().enumerate() {
            if !self.fetch_vanished_reports(command, *uid, spec) {
                continue;
            }
            let message = &self.mailbox.messages[uid];
            lines.push(Response::Fetch {
                seq: seq as u32 + 1,
                uid: *uid,
                modseq: message.modseq,
                flags: Some(message.flags),
            });
            fetched.push(*uid);
        }
        // The FETCH carries the message's flags now: a held-back change of it is told.
        let session = self.session_mut(client);
        for uid in fetched {
            session.told_flags(uid);
        }
        // A resync from `since`, as a QRESYNC SELECT's is: after a plain SELECT
        // (`client-sync=fetch-vanished-*`) the only one, and mid-session one more.
        session.resynced_from = Some(since);
        let outcome = Outcome {
            lines,
            ..Outcome::default()
        };
        self.finish(client, tag, command, outcome, reply, spec)
    }
}
