//! The commands of the selected state and how each is answered: STORE, the expunges, NOOP,
//! `UID FETCH n:*`, CLOSE and the QRESYNC SELECT, each ending in the flush and the tagged
//! response the spec calls for.

use crate::imap::command::{Command, StoreOp, Target};
use crate::imap::response::{Code, Lines, Response, Status};
use crate::imap::types::{ClientId, ModSeq, Tag, Uid};
use crate::imap::uids::UidList;
use crate::spec::{
    CloseHighestModseq, ExistsUpdate, FlagFlush, HeldBackNumbering, Spec, VanishedEarlier,
};

use super::choices::loses_flags_at;
use super::history::{EarlierQuery, earlier_lines};
use super::mailbox::ExpungeCause;
use super::monitor::Misnumbered;
use super::reply::{Earlier, Flush, GoneStore, Reply, Scope};
use super::{Server, tagged_bad, tagged_ok};

/// What a command produced before the flush and the tagged response.
#[derive(Default)]
pub(super) struct Outcome {
    pub lines: Lines,
    /// The command's own expunges, reported in the same VANISHED as the flushed ones.
    pub vanished: UidList,
    /// The HIGHESTMODSEQ code the command itself calls for.
    pub code: Option<ModSeq>,
    /// The command failed: a tagged NO.
    pub failed: bool,
}

impl Server {
    pub(super) fn store(
        &mut self,
        client: ClientId,
        tag: Tag,
        command: &Command,
        reply: Reply,
        spec: &Spec,
    ) -> Lines {
        let Command::Store { op, flag, .. } = *command else {
            unreachable!("store answers a STORE");
        };
        let read = self.store_target(client, command, spec);
        // The monitor judges the number the client sent against its session's numbering.
        // Under `held-back-numbering=kept` the server reads with that numbering, so the two
        // agree by construction and the hot path builds no second view.
        if let Command::Store {
            target: Target::Seq(seq),
            ..
        } = *command
            && spec.held_back_numbering == HeldBackNumbering::Renumbered
        {
            let named = self
                .view(client)
                .get((seq as usize).wrapping_sub(1))
                .copied();
            if read != named {
                self.misnumbered.get_or_insert(Misnumbered::StoreMisread {
                    client,
                    seq,
                    named,
                    read,
                });
            }
        }
        let Some(uid) = read else {
            return smallvec::smallvec![tagged_bad(tag, "Invalid message sequence number")];
        };
        let mut outcome = Outcome::default();
        if let Some(message) = self.mailbox.messages.get(&uid) {
            let flags = match op {
                StoreOp::Add => message.flags.with(flag),
                StoreOp::Remove => message.flags.without(flag),
            };
            if let Some(modseq) = self.change_flags(client, uid, flags) {
                // RFC 7162 section 3.1.3: a FETCH with MODSEQ even for .SILENT; with UID
                // under QRESYNC (section 3.2.4); without FLAGS, as the command was .SILENT.
                outcome.lines.push(self.silent_fetch(client, uid, modseq));
            }
        } else if self.is_held_back_expunge(client, uid) {
            match reply.gone {
                GoneStore::NewModseq => {
                    let modseq = self.bump();
                    outcome.lines.push(self.silent_fetch(client, uid, modseq));
                }
                GoneStore::No => outcome.failed = true,
            }
        }
        // Otherwise a UID STORE named no message of the session's view: nothing to change,
        // and no error (RFC 3501 section 6.4.8: a UID set need not name existing messages).
        self.finish(client, tag, command, outcome, reply, spec)
    }

    fn silent_fetch(&self, client: ClientId, uid: Uid, modseq: ModSeq) -> Response {
        Response::Fetch {
            seq: self.seq_of(client, uid),
            uid,
            modseq,
            flags: None,
        }
    }

    /// EXPUNGE or `UID EXPUNGE uids` of the `\Deleted` messages `chosen` accepts.
    pub(super) fn expunge_command(
        &mut self,
        client: ClientId,
        tag: Tag,
        command: &Command,
        reply: Reply,
        spec: &Spec,
    ) -> Lines {
        let (cause, deleted) = match command {
            Command::UidExpunge(uids) => (
                ExpungeCause::UidExpunge,
                self.deleted(|uid| uids.contains(&uid)),
            ),
            _ => (ExpungeCause::Expunge, self.deleted(|_| true)),
        };
        let removed = self.expunge(Some(client), cause, spec, deleted);
        // RFC 5162 sections 3.3 and 3.5, RFC 7162 sections 3.2.7 and 3.2.9: with QRESYNC,
        // the tagged OK of an expunge that removed something carries the updated
        // HIGHESTMODSEQ.
        let outcome = Outcome {
            vanished: removed.told,
            code: removed.modseq.map(|_| self.mailbox.highest_modseq),
            ..Outcome::default()
        };
        self.finish(client, tag, command, outcome, reply, spec)
    }

    pub(super) fn noop(
        &mut self,
        client: ClientId,
        tag: Tag,
        command: &Command,
        reply: Reply,
        spec: &Spec,
    ) -> Lines {
        self.finish(client, tag, command, Outcome::default(), reply, spec)
    }

    /// Ends a command: flushes what the reply says, then appends the tagged response with
    /// the HIGHESTMODSEQ code the spec calls for.
    pub(super) fn finish(
        &mut self,
        client: ClientId,
        tag: Tag,
        command: &Command,
        outcome: Outcome,
        reply: Reply,
        spec: &Spec,
    ) -> Lines {
        let Outcome {
            lines,
            vanished,
            code,
            failed,
        } = outcome;
        let mut lines = self.flush_lines(client, command, lines, vanished, reply.flush);
        if spec.flag_flush == FlagFlush::LostAtSync && loses_flags_at(command) {
            self.session_mut(client).lose_pending_flags();
        }
        let safe = self.safe_highest_modseq(client);
        let code = match self.code_bound(client, spec) {
            None => code,
            Some(bound) => {
                // RFC 7162 section 3.2 (erratum 1810): the value the client will adopt at
                // this tagged response, a code or else the largest MODSEQ it read, must not
                // cover a change still held back (`lower`; `expunges-only`: an expunge); if
                // it would, send a lower code. After an IDLE, what it read includes the
                // pushes, where `idle-highestmodseq` says the server counts them (`idle.rs`).
                let modseq_max = fetch_modseq_max(&lines).max(self.pushed_modseq(client, spec));
                match code {
                    Some(code) => Some(code.min(bound)),
                    None if modseq_max.is_some_and(|m| m > bound) => Some(bound),
                    None => None,
                }
            }
        };
        // The optional code is offered only where nothing stays held back, so `safe` is
        // the mailbox's HIGHESTMODSEQ here.
        let code = code.or(reply.code.then_some(safe));
        self.watch(client, code, safe);
        let code = code.map(Code::HighestModSeq);
        lines.push(match failed {
            false => tagged_ok(tag, code, "done"),
            true => Response::Tagged {
                tag,
                status: Status::No,
                code,
                text: "Some of the messages no longer exist",
            },
        });
        lines
    }

    /// Appends to `lines` what `flush` sends of the changes held back from the session
    /// (with the command's own expunges in `vanished`): VANISHED, EXISTS, then FETCHes.
    pub(super) fn flush_lines(
        &mut self,
        client: ClientId,
        command: &Command,
        mut lines: Lines,
        mut vanished: UidList,
        flush: Flush,
    ) -> Lines {
        // A session without QRESYNC hears of expunges by sequence number (`condstore.rs`):
        // the numbers are those of its view before this flush, own expunges included.
        let numbered = match self.session(client).is_some_and(|s| !s.qresync) {
            true => {
                let mut numbered = self.view(client);
                numbered.extend(vanished.iter().copied());
                numbered.sort();
                Some(numbered)
            }
            false => None,
        };
        let session = self.session_mut(client);
        let flagged: UidList = match flush.flags {
            false => UidList::new(),
            true => std::mem::take(&mut session.pending_flags)
                .into_keys()
                .collect(),
        };
        // Each FETCH below carries the message's flags now: a lost change of it is told too.
        for uid in &flagged {
            session.lost_flags.remove(uid);
        }
        if flush.expunges && command.allows_expunge_responses() {
            vanished.extend(std::mem::take(&mut session.pending_expunges));
            // Reported, or (`vanished-unannounced=any`'s other answer) dropped for good.
            let unannounced = std::mem::take(&mut session.unannounced_expunges);
            if flush.unannounced {
                vanished.extend(unannounced);
            }
            vanished.sort();
        }
        // VANISHED first, so that each FETCH's sequence number is the one the client has
        // after applying it (RFC 7162 section 3.2.10.2).
        match &numbered {
            // RFC 7162 section 3.2.10: VANISHED only once QRESYNC is enabled; before, RFC
            // 3501 section 7.4.1's EXPUNGE, one per message.
            Some(numbered) => lines.extend(Server::expunge_lines(numbered, &vanished)),
            None if !vanished.is_empty() => lines.push(Response::Vanished {
                earlier: false,
                uids: vanished,
            }),
            None => {}
        }
        let session = self.session_mut(client);
        if flush.exists && !session.pending_arrivals.is_empty() {
            session.pending_arrivals.clear();
            lines.push(Response::Exists(self.view(client).len() as u32));
        }
        for uid in flagged {
            let message = &self.mailbox.messages[&uid];
            lines.push(Response::Fetch {
                seq: self.seq_of(client, uid),
                uid,
                modseq: message.modseq,
                flags: Some(message.flags),
            });
        }
        lines
    }

    /// `UID FETCH <from>:* (FLAGS)`: every message of the session's view from `from` on,
    /// after an EXISTS for the arrivals it has not been told of (a FETCH may only name a
    /// message the client knows exists, RFC 3501 section 2.3.1.2), or after them under
    /// `exists-update=fetch-first`. The model's server reads `from:*` as the UIDs from
    /// `from` up, even when none is that high (RFC 3501 would include the highest UID then;
    /// cyrus-imapd #6071).
    pub(super) fn uid_fetch_new(
        &mut self,
        client: ClientId,
        tag: Tag,
        command: &Command,
        reply: Reply,
        spec: &Spec,
    ) -> Lines {
        let Command::UidFetchNew { from } = *command else {
            unreachable!("uid_fetch_new answers UID FETCH n:*");
        };
        let mut lines = Lines::new();
        let session = self.session_mut(client);
        let mut exists = None;
        if !session.pending_arrivals.is_empty() {
            session.pending_arrivals.clear();
            exists = Some(Response::Exists(self.view(client).len() as u32));
        }
        if spec.exists_update != ExistsUpdate::FetchFirst {
            lines.extend(exists.take());
        }
        let view = self.view(client);
        for (seq, uid) in view.iter().enumerate() {
            let Some(message) = self.mailbox.messages.get(uid).filter(|_| *uid >= from) else {
                continue;
            };
            lines.push(Response::Fetch {
                seq: seq as u32 + 1,
                uid: *uid,
                modseq: message.modseq,
                flags: Some(message.flags),
            });
        }
        lines.extend(exists);
        let session = self.session_mut(client);
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

    pub(super) fn close(&mut self, client: ClientId, tag: Tag, spec: &Spec) -> Lines {
        // What the session was never told stays untold after CLOSE: compute the safe value
        // before the session forgets it.
        let safe_before = self.safe_highest_modseq(client);
        let deleted = self.deleted(|_| true);
        let removed = self.expunge(Some(client), ExpungeCause::Close, spec, deleted);
        let session = self.session_mut(client);
        session.selected = false;
        session.forget_pending();
        // CLOSE tells no session of its own expunges, the closing one included (RFC 5162
        // section 3.4, RFC 7162 section 3.2.8: no untagged EXPUNGE or VANISHED), so a code
        // that covers them covers changes the session was not told of.
        let safe = match removed.modseq {
            Some(modseq) => safe_before.min(ModSeq(modseq.0 - 1)),
            None => safe_before,
        };
        // Whether the OK carries HIGHESTMODSEQ is the clause under test.
        let code = match (spec.close_highestmodseq, removed.modseq) {
            (CloseHighestModseq::Omit, _) | (_, None) => None,
            // RFC 5162 section 3.4: "the updated per-mailbox modification sequence", whatever
            // `held-back-highestmodseq` says. With erratum 1810 it cannot be obeyed: the
            // updated value covers the CLOSE's own expunges, and the monitor says so.
            (CloseHighestModseq::Send, Some(_)) => Some(self.mailbox.highest_modseq),
            (CloseHighestModseq::SendSafe, Some(_)) => Some(safe),
        };
        self.watch(client, code, safe);
        smallvec::smallvec![tagged_ok(tag, code.map(Code::HighestModSeq), "done")]
    }

    /// `STATUS INBOX (HIGHESTMODSEQ)`: the mailbox's HIGHESTMODSEQ, "the same value that is
    /// returned by the server in the HIGHESTMODSEQ response code" (RFC 7162 section 3.1.7).
    /// The model's client sends it only while INBOX is not selected, when the server holds
    /// nothing back from the session: erratum 1810's duty (RFC 7162 section 3.2) is about
    /// the events of a selected mailbox, so the `announced-highestmodseq-covered` monitor
    /// does not judge it. A client that stores it is at fault (`client-resync-point=status`).
    pub(super) fn status(&self, tag: Tag) -> Lines {
        smallvec::smallvec![
            Response::Status(self.mailbox.highest_modseq),
            tagged_ok(tag, None, "STATUS completed"),
        ]
    }

    pub(super) fn select_qresync(
        &mut self,
        client: ClientId,
        tag: Tag,
        command: &Command,
        reply: Reply,
        spec: &Spec,
    ) -> Lines {
        let Command::SelectQresync {
            uid_validity,
            modseq: since,
            known_uids,
            star,
            seq_match,
        } = command
        else {
            unreachable!("select_qresync answers SELECT (QRESYNC ...)");
        };
        let since = *since;
        let top = self.star(spec);
        let mut lines = self.open_mailbox(client);
        self.session_mut(client).resynced_from = Some(since);
        let mailbox = &self.mailbox;
        // RFC 7162 section 3.2.5: on another UIDVALIDITY the server "MUST ignore the
        // remaining parameters and behave as if no dynamic message data changed".
        if *uid_validity == mailbox.uid_validity {
            // RFC 7162 section 3.2.5.1: report changes after `since` for the known UIDs, or
            // for 1:<UIDNEXT-1> when the client sent none. Whether the FETCHes honour the
            // known-uids ("should only report") is the `known-uids-scope` clause.
            // `1:*` is what `uid-star` says.
            let in_scope = |uid: &Uid| {
                if *star {
                    *uid <= top
                } else if known_uids.is_empty() {
                    uid.0 < mailbox.uid_next.0
                } else {
                    known_uids.contains(uid)
                }
            };
            // VANISHED (EARLIER): the UIDs expunged after `since` (section 3.2.6), or, from a
            // server that reports a superset, every expunged UID in scope (section 5.1), as
            // far as its history and the seq-match-data say (`history.rs`).
            let query = EarlierQuery {
                since,
                superset: reply.select.earlier == Earlier::Superset,
                seq_match,
            };
            let mut vanished = self.vanished_earlier(|uid| in_scope(&uid), query, spec);
            if spec.vanished_earlier == VanishedEarlier::IncludesPresent {
                // JAMES-3642: every UID of the set not changed since `since`, present or not.
                vanished.extend(
                    mailbox
                        .messages
                        .iter()
                        .filter(|(uid, m)| in_scope(uid) && m.modseq <= since)
                        .map(|(uid, _)| *uid),
                );
                vanished.sort_unstable();
                vanished.dedup();
            }
            lines.extend(earlier_lines(vanished, spec));
            for (seq, (uid, message)) in mailbox.messages.iter().enumerate() {
                let reported = reply.select.scope == Scope::AllUids || in_scope(uid);
                if reported && message.modseq > since {
                    lines.push(Response::Fetch {
                        seq: seq as u32 + 1,
                        uid: *uid,
                        modseq: message.modseq,
                        flags: Some(message.flags),
                    });
                }
            }
        }
        lines.push(select_completed(tag));
        lines
    }

    /// What every SELECT of the model begins with: the session is selected, with nothing held
    /// back, and told the mailbox's size, UIDVALIDITY, UIDNEXT and HIGHESTMODSEQ (RFC 3501
    /// section 6.3.1; RFC 7162 section 3.1.2.1 for the HIGHESTMODSEQ of a CONDSTORE enabling
    /// command).
    pub(super) fn open_mailbox(&mut self, client: ClientId) -> Lines {
        let session = self.session_mut(client);
        session.selected = true;
        session.forget_pending();
        let mailbox = &self.mailbox;
        smallvec::smallvec![
            Response::Exists(mailbox.messages.len() as u32),
            Response::UidValidity(mailbox.uid_validity),
            Response::UidNext(mailbox.uid_next),
            Response::HighestModSeq(mailbox.highest_modseq),
        ]
    }
}

/// A SELECT's tagged OK.
pub(super) fn select_completed(tag: Tag) -> Response {
    Response::Tagged {
        tag,
        status: Status::Ok,
        code: Some(Code::ReadWrite),
        text: "SELECT completed",
    }
}

/// The largest MODSEQ of the FETCHes in `lines`.
pub(super) fn fetch_modseq_max(lines: &[Response]) -> Option<ModSeq> {
    lines
        .iter()
        .filter_map(|line| match line {
            Response::Fetch { modseq, .. } => Some(*modseq),
            _ => None,
        })
        .max()
}
