//! Which of the answers the spec leaves to the server (`reply.rs`) are open at a command:
//! what it sends of the changes it holds back, how it answers a QRESYNC SELECT and a STORE
//! on a message expunged elsewhere, and whether it adds a HIGHESTMODSEQ code. The checker
//! explores every answer offered; each is offered only where it makes a difference.

use smallvec::{SmallVec, smallvec};

use crate::imap::command::{Command, Target};
use crate::imap::types::{ClientId, Uid};
use crate::imap::uids::UidList;
use crate::spec::{
    ExistsUpdate, ExpungeFlush, FlagFlush, HeldBackNumbering, KnownUidsScope, Spec,
    VanishedEarlier, VanishedUnannounced,
};

use super::Server;
use super::reply::{Earlier, Flush, GoneStore, Reply, Scope, SelectReply};

/// The answers open at one command: a handful, inline (every command the search tries
/// listed them on the heap).
pub type Choices<T> = SmallVec<[T; 8]>;

/// The commands at whose end a `flag-flush=lost-at-sync` server drops the flag changes it
/// holds back: those Stalwart's code runs `synchronize_messages` for (STORE, FETCH, SEARCH).
pub(super) fn loses_flags_at(command: &Command) -> bool {
    matches!(
        command,
        Command::Store { .. }
            | Command::UidFetchNew { .. }
            | Command::UidFetchVanished { .. }
            | Command::UidFetchChangedSince { .. }
            | Command::UidSearchAll
    )
}

impl Server {
    /// Every answer to `command` the spec allows this client's session, in a fixed order.
    pub fn replies(&self, client: ClientId, command: &Command, spec: &Spec) -> Choices<Reply> {
        let mut replies = Choices::new();
        let flushes = self.flush_choices(client, command, spec);
        for select in self.select_choices(command, spec) {
            for &gone in self.gone_choices(client, command, spec) {
                for &flush in &flushes {
                    replies.push(Reply {
                        flush,
                        select,
                        gone,
                        code: false,
                        interleave: false,
                    });
                    if gone == GoneStore::NewModseq
                        && self.may_add_code(client, command, flush, spec)
                    {
                        replies.push(Reply {
                            flush,
                            select,
                            gone,
                            code: true,
                            interleave: false,
                        });
                    }
                }
            }
        }
        replies
    }

    /// The distinct flush choices open at the end of `command` for this client.
    pub fn flush_choices(
        &self,
        client: ClientId,
        command: &Command,
        spec: &Spec,
    ) -> Choices<Flush> {
        let nothing = smallvec![Flush::NOTHING];
        let Some(session) = self.session(client).filter(|s| s.selected) else {
            return nothing;
        };
        let announces = self.announces_arrivals(client, command, spec);
        let flushes = matches!(
            command,
            Command::Store { .. }
                | Command::Expunge
                | Command::UidExpunge(_)
                | Command::Noop
                | Command::UidFetchNew { .. }
                | Command::UidFetchVanished { .. }
                | Command::Done
                | Command::UidFetchChangedSince { .. }
                | Command::UidSearchAll
        );
        if !flushes {
            return nothing;
        }
        // `flag-flush=every-command`: what is held back goes at the end of this command
        // (RFC 3501 section 5.2's SHOULD kept every time); `any` may keep it for later.
        let flags: &[bool] = match spec.flag_flush {
            _ if session.pending_flags.is_empty() => &[false],
            FlagFlush::Any => &[false, true],
            FlagFlush::EveryCommand => &[true],
            // Sent at NOOP (and DONE); dropped at the end of a STORE, FETCH or SEARCH
            // (`finish`); either at an EXPUNGE, where Stalwart's code was not read.
            FlagFlush::LostAtSync if loses_flags_at(command) => &[false],
            FlagFlush::LostAtSync if matches!(command, Command::Noop | Command::Done) => &[true],
            FlagFlush::LostAtSync => &[false, true],
        };
        // `UID FETCH n:*` announces the arrivals itself, before its FETCHes, and so does a
        // `UID FETCH ... VANISHED` whose set reaches one.
        let exists: &[bool] = match spec.exists_update {
            _ if session.pending_arrivals.is_empty() || announces => &[false],
            ExistsUpdate::Prompt | ExistsUpdate::FetchFirst => &[true],
            ExistsUpdate::Lazy => &[false, true],
        };
        let mut expunges: Choices<(bool, bool)> = smallvec![(false, false)];
        if command.allows_expunge_responses() && session.holds_back_expunges() {
            // `expunge-flush=every-command`: sent wherever RFC 3501 section 7.4.1 allows
            // it, so holding it back is no choice here; but UID SEARCH stays free, as Cyrus
            // 3.6.1 holds expunges back there as during SEARCH (`spec/flush.rs`).
            let free = matches!(command, Command::UidSearchAll);
            if spec.expunge_flush == ExpungeFlush::EveryCommand && !free {
                expunges.clear();
            }
            let unannounced = !session.unannounced_expunges.is_empty();
            match spec.vanished_unannounced {
                VanishedUnannounced::Omit => expunges.push((true, false)),
                VanishedUnannounced::Report => expunges.push((true, unannounced)),
                VanishedUnannounced::Any => {
                    expunges.push((true, false));
                    if unannounced {
                        expunges.push((true, true));
                    }
                }
            }
        }
        let mut choices = Choices::new();
        for &(expunges, unannounced) in &expunges {
            for &flags in flags {
                for &exists in exists {
                    choices.push(Flush {
                        flags,
                        expunges,
                        unannounced,
                        exists,
                    });
                }
            }
        }
        choices
    }

    /// The distinct answers to `command` the spec allows where it is a QRESYNC SELECT: the
    /// VANISHED (EARLIER) precision and the FETCH scope, each only where it makes a
    /// difference. A single default answer for every other command.
    pub fn select_choices(&self, command: &Command, spec: &Spec) -> Choices<SelectReply> {
        let Command::SelectQresync {
            modseq, known_uids, ..
        } = command
        else {
            return smallvec![SelectReply::default()];
        };
        let mailbox = &self.mailbox;
        let known = |uid: &Uid| known_uids.is_empty() || known_uids.contains(uid);
        let superset_differs = mailbox
            .expunged
            .iter()
            .any(|(uid, e)| known(uid) && e.modseq <= *modseq);
        let scope_differs = mailbox
            .messages
            .iter()
            .any(|(uid, m)| !known(uid) && m.modseq > *modseq);
        let earlier: &[Earlier] = match spec.vanished_earlier {
            VanishedEarlier::Exact | VanishedEarlier::IncludesPresent => &[Earlier::Exact],
            VanishedEarlier::Superset => &[Earlier::Superset],
            VanishedEarlier::Any if superset_differs => &[Earlier::Exact, Earlier::Superset],
            VanishedEarlier::Any => &[Earlier::Exact],
        };
        let scope: &[Scope] = match spec.known_uids_scope {
            KnownUidsScope::Restrict => &[Scope::KnownUids],
            KnownUidsScope::All => &[Scope::AllUids],
            KnownUidsScope::Any if scope_differs => &[Scope::KnownUids, Scope::AllUids],
            KnownUidsScope::Any => &[Scope::KnownUids],
        };
        earlier
            .iter()
            .flat_map(|e| {
                scope.iter().map(|s| SelectReply {
                    earlier: *e,
                    scope: *s,
                })
            })
            .collect()
    }

    /// Both answers for a STORE on a message whose expunge is held back from this session;
    /// the default for every other command.
    fn gone_choices(
        &self,
        client: ClientId,
        command: &Command,
        spec: &Spec,
    ) -> &'static [GoneStore] {
        match self.store_target(client, command, spec) {
            Some(uid) if self.is_held_back_expunge(client, uid) => {
                &[GoneStore::NewModseq, GoneStore::No]
            }
            _ => &[GoneStore::NewModseq],
        }
    }

    /// The UID a STORE names in this session, if it names one.
    pub(super) fn store_target(
        &self,
        client: ClientId,
        command: &Command,
        spec: &Spec,
    ) -> Option<Uid> {
        match command {
            Command::Store {
                target: Target::Uid(uid),
                ..
            } => Some(*uid),
            Command::Store {
                target: Target::Seq(n),
                ..
            } => self
                .numbering(client, spec)
                .get((*n as usize).wrapping_sub(1))
                .copied(),
            _ => None,
        }
    }

    /// The UIDs in the order the server reads this session's sequence numbers: the
    /// session's own (`held-back-numbering=kept`, RFC 3501 section 7.4.1), or the mailbox's
    /// after the expunges held back from it (`renumbered`).
    pub(super) fn numbering(&self, client: ClientId, spec: &Spec) -> UidList {
        let mut numbering = self.view(client);
        if let Some(session) = self.session(client)
            && spec.held_back_numbering == HeldBackNumbering::Renumbered
        {
            numbering.retain(|uid| !session.pending_expunges.contains(uid));
        }
        numbering
    }

    pub(super) fn is_held_back_expunge(&self, client: ClientId, uid: Uid) -> bool {
        self.session(client)
            .is_some_and(|s| s.pending_expunges.contains(&uid))
    }

    /// Whether the tagged OK of `command`, answered with `flush`, may carry an optional
    /// HIGHESTMODSEQ code: a command whose OK could carry one and would carry none, after
    /// which nothing stays held back from the session.
    fn may_add_code(&self, client: ClientId, command: &Command, flush: Flush, spec: &Spec) -> bool {
        let Some(session) = self.session(client).filter(|s| s.selected) else {
            return false;
        };
        let eligible = match command {
            Command::Noop
            | Command::UidFetchNew { .. }
            | Command::UidFetchVanished { .. }
            | Command::Done
            | Command::UidFetchChangedSince { .. }
            | Command::UidSearchAll => true,
            Command::Store { .. } => self.store_target(client, command, spec).is_some(),
            // An expunge that removes something sends the code anyway (RFC 7162 sections
            // 3.2.7, 3.2.9).
            Command::Expunge => self.deleted(|_| true).is_empty(),
            Command::UidExpunge(uids) => self.deleted(|uid| uids.contains(&uid)).is_empty(),
            _ => false,
        };
        // `UID FETCH n:*` sends the flags of every message from n on, held back or not, and
        // announces the arrivals first; `UID FETCH ... VANISHED` those of its set changed
        // since its mod-sequence.
        let fetched = |uid: Uid| match command {
            Command::UidFetchNew { from } => uid >= *from,
            Command::UidFetchChangedSince { since, upto } => {
                upto.is_none_or(|top| uid <= top)
                    && self
                        .mailbox
                        .messages
                        .get(&uid)
                        .is_some_and(|m| m.modseq > *since)
            }
            _ => self.fetch_vanished_reports(command, uid, spec),
        };
        let announces = self.announces_arrivals(client, command, spec);
        let flags_left = !flush.flags && session.pending_flags.keys().any(|u| !fetched(*u));
        let expunges_left = session.holds_back_expunges() && !flush.expunges;
        let arrivals_left = !session.pending_arrivals.is_empty() && !flush.exists && !announces;
        eligible && !flags_left && !expunges_left && !arrivals_left
    }
}
