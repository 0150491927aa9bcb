//! IDLE (RFC 2177, in RFC 9051 section 6.3.13's words): the `+` continuation, the pushes of
//! an `idle-push=push` server while the IDLE is active, and DONE's answer. Where the bound of
//! RFC 7162 section 3.2 (erratum 1810) looks is `idle-highestmodseq`.
//!
//! A push is a server step apart from any command (`Action::Push`): it sends the parts of
//! what the session is held back from that a NOOP's end could send (RFC 9051 section 6.3.13:
//! "untagged EXISTS, EXPUNGE, FETCH, and other responses at any time"; no sequence-number
//! command is in progress, so expunges may go too, RFC 3501 section 7.4.1), never nothing.
//! Pushes outside IDLE, which RFC 3501 section 5.3 permits (untagged responses "except for
//! EXPUNGE" while no command is in progress), are not modelled: neither Dovecot nor Cyrus sent
//! any in 1.5 s waits.

use crate::imap::command::Command;
use crate::imap::response::{Lines, Response};
use crate::imap::types::{ClientId, ModSeq, Tag};
use crate::imap::uids::UidList;
use crate::spec::{ExpungeFlush, FlagFlush, IdleHighestModseq, Spec};

use super::commands::{Outcome, fetch_modseq_max};
use super::session::Idle;
use super::{Choices, Reply, Server};

impl Server {
    /// `IDLE`: `+ idling`, and the IDLE is active. Nothing is flushed with the continuation:
    /// a push right after it is the same lines.
    pub(super) fn idle(&mut self, client: ClientId) -> Lines {
        self.session_mut(client).idle = Some(Idle { shown: None });
        smallvec::smallvec![Response::Continue]
    }

    /// `DONE`: what `reply` flushes (RFC 9051 section 6.3.13: "the server MAY send any
    /// remaining queued untagged responses"), then IDLE's tagged OK, whose HIGHESTMODSEQ
    /// code obeys erratum 1810 as `idle-highestmodseq` reads it (`Server::finish`).
    pub(super) fn done(&mut self, client: ClientId, tag: Tag, reply: Reply, spec: &Spec) -> Lines {
        let lines = self.finish(client, tag, &Command::Done, Outcome::default(), reply, spec);
        self.session_mut(client).idle = None;
        lines
    }

    /// Whether `client`'s session has an active IDLE.
    pub fn is_idling(&self, client: ClientId) -> bool {
        self.session(client).is_some_and(|s| s.idle.is_some())
    }

    /// The pushes the spec allows the server now, toward `client` (`idle-push=push` and an
    /// active IDLE): every answer a NOOP's end could give that sends something.
    pub fn push_replies(&self, client: ClientId, spec: &Spec) -> Choices<Reply> {
        if !spec.pushes() || !self.is_idling(client) {
            return Choices::new();
        }
        // A push is no command's end: the flush clauses, which say what a command's end
        // sends, leave it free (`idle-push` alone says when a push may come).
        let free = Spec {
            flag_flush: FlagFlush::Any,
            expunge_flush: ExpungeFlush::Any,
            ..*spec
        };
        let mut replies = self.replies(client, &Command::Done, &free);
        replies.retain(|r| r.flush.parts() > 0);
        replies
    }

    /// One push to an idling session: the flushed lines, then, where erratum 1810 calls
    /// for one, an untagged `* OK [HIGHESTMODSEQ n]` (as Dovecot sends it in IDLE), or the
    /// optional code `reply.code` where nothing stays held back.
    pub fn push(&mut self, client: ClientId, reply: Reply, spec: &Spec) -> Lines {
        let numbered = self.view(client);
        let mut lines = self.flush_lines(
            client,
            &Command::Done,
            Lines::new(),
            UidList::new(),
            reply.flush,
        );
        let safe = self.safe_highest_modseq(client);
        let code = match (self.code_bound(client, spec), spec.idle_highestmodseq) {
            // RFC 7162 section 3.2 read for everything the client will use at IDLE's tagged
            // OK (section 6): every MODSEQ pushed since the last tagged response.
            (Some(bound), IdleHighestModseq::SinceTagged) => {
                let shown = fetch_modseq_max(&lines).max(self.pushed_modseq(client, spec));
                if let Some(idle) = self.session_mut(client).idle.as_mut() {
                    idle.shown = shown;
                }
                shown.filter(|m| *m > bound).map(|_| bound)
            }
            // Read per response: a push is no command's response, so no lowered code.
            (Some(_), IdleHighestModseq::PerResponse) | (None, _) => None,
        };
        let code = code.or(reply.code.then_some(safe));
        self.watch(client, code, safe);
        if let Some(code) = code {
            lines.push(Response::HighestModSeq(code));
        }
        self.watch_vanished(client, &numbered, &lines);
        self.watch_fetch_numbers(client, numbered.len() as u32, &numbered, &lines);
        lines
    }

    /// The largest MODSEQ pushed to `client` since its last tagged response, where the spec
    /// counts pushes for erratum 1810's bound (`since-tagged`); None elsewhere.
    pub(super) fn pushed_modseq(&self, client: ClientId, spec: &Spec) -> Option<ModSeq> {
        match spec.idle_highestmodseq {
            IdleHighestModseq::SinceTagged => self.session(client)?.idle?.shown,
            IdleHighestModseq::PerResponse => None,
        }
    }
}
