//! The one mailbox: its messages, its mod-sequence counter, its expunge log, and the changes
//! made to it, with whom each change must be told to.

use crate::imap::types::{ClientId, Flag, FlagSet, ModSeq, Uid};
use crate::imap::uids::{UidList, UidMap};
use crate::spec::{
    ArrivalModseq, ExpungeModseq, MailboxHighestModseq, Spec, UidvalidityChange,
    VanishedUnannounced,
};

use super::Server;
use super::monitor::Regression;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Message {
    pub flags: FlagSet,
    /// The message's MODSEQ: the mod-sequence of its last flag change (RFC 7162 section 3.1).
    pub modseq: ModSeq,
}

/// Which command removed a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExpungeCause {
    Expunge,
    UidExpunge,
    Close,
    /// Another agent moved a message it had appended to another mailbox (RFC 6851 section
    /// 4.4: an expunge in the source mailbox, with the mod-sequence bump of RFC 7162
    /// section 3.2).
    Move,
}

impl ExpungeCause {
    /// The command, as traces name it.
    pub fn command(self) -> &'static str {
        match self {
            ExpungeCause::Expunge => "EXPUNGE",
            ExpungeCause::UidExpunge => "UID EXPUNGE",
            ExpungeCause::Close => "CLOSE",
            ExpungeCause::Move => "UID MOVE",
        }
    }
}

/// An entry of the expunge log: the mod-sequence RFC 7162 section 3.2 makes the server
/// remember with each expunged UID, and, for the reader of a trace, who expunged it and how.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Expunged {
    pub modseq: ModSeq,
    /// The client whose command expunged it; None for the other agent.
    pub by: Option<ClientId>,
    pub cause: ExpungeCause,
}

impl Expunged {
    /// Who expunged it and by which command, as traces say it: "C1's CLOSE", "another
    /// agent's UID MOVE".
    pub fn cause_text(&self) -> String {
        match self.by {
            Some(client) => format!("{client}'s {}", self.cause.command()),
            None => format!("another agent's {}", self.cause.command()),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Mailbox {
    /// The UIDVALIDITY (RFC 3501 section 2.3.1.1): 1, and greater once the server has
    /// assigned the UIDs again (`uidvalidity-change=renumber`).
    pub uid_validity: u32,
    pub uid_next: Uid,
    /// The per-mailbox HIGHESTMODSEQ (RFC 7162 section 3.1.2.1): under
    /// `mailbox-highestmodseq=counter`, one counter for every session, so a change by one
    /// session always gets a higher value than anything another session was told before;
    /// under `max-message`, the highest MODSEQ of the messages present. Every new
    /// mod-sequence is this plus one.
    pub highest_modseq: ModSeq,
    pub messages: UidMap<Message>,
    /// Every expunge, as the properties judge them. What the server itself still remembers
    /// of it, for VANISHED (EARLIER), is the entries above `forgotten`.
    pub expunged: UidMap<Expunged>,
    /// The highest mod-sequence of the expunge records the server let expire (RFC 7162
    /// section 5.3: "a single mod-sequence"); 0 while it forgot none (only
    /// `expunge-history=truncated|under-report` forgets).
    pub forgotten: ModSeq,
    /// The server has restarted and lost its mod-sequences (`modseq-restart=lost`).
    pub restarted: bool,
}

/// What an expunging command removed.
#[derive(Default)]
pub(super) struct Removed {
    /// The mod-sequence the removed UIDs were logged with; None if it removed nothing.
    pub modseq: Option<ModSeq>,
    /// The removed UIDs the expunging session had been told of: the ones its VANISHED names
    /// (RFC 7162 section 3.2.10.2).
    pub told: UidList,
}

impl Server {
    /// Another agent appends a message (RFC 3501 section 6.3.11): the next UID, no flags, a
    /// mod-sequence above every other (RFC 7162 section 3.1). Selected sessions learn of it
    /// by EXISTS, later.
    pub fn append(&mut self, spec: &Spec) -> Uid {
        let uid = self.mailbox.uid_next;
        self.mailbox.uid_next = Uid(uid.0 + 1);
        let modseq = match spec.arrival_modseq {
            ArrivalModseq::Bump => self.bump(),
            // Against RFC 7162 section 3.1: the current value, not a new one. At an expunge's
            // value, that is a reuse `highestmodseq-monotonic` reports, as `bump` would.
            ArrivalModseq::None => {
                let current = self.mailbox.highest_modseq;
                self.watch_reuse(current);
                current
            }
        };
        let message = Message {
            flags: FlagSet::EMPTY,
            modseq,
        };
        self.mailbox.messages.insert(uid, message);
        for session in self.sessions.iter_mut().flatten() {
            if session.selected {
                session.pending_arrivals.insert(uid);
            }
        }
        uid
    }

    /// The messages the other agent appended and may move away again: those still present.
    pub fn removable(&self, initial_messages: u32) -> impl Iterator<Item = Uid> + '_ {
        self.mailbox
            .messages
            .keys()
            .copied()
            .filter(move |uid| uid.0 > initial_messages)
    }

    /// The other agent moves away a message it appended (RFC 6851 `UID MOVE`), as a spam
    /// filter does right after delivery: the race RFC 7162 section 3.2.10.2 names ("new
    /// arrivals for which the UID is not yet known by the client are immediately
    /// expunged"). The selected sessions it was announced to learn of it by VANISHED, later.
    pub fn remove(&mut self, uid: Uid, spec: &Spec) {
        self.expunge(None, ExpungeCause::Move, spec, smallvec::smallvec![uid]);
    }

    /// Whether the server may assign the UIDs again now: under `uidvalidity-change=renumber`,
    /// once (the UIDVALIDITY is still the first), and only while no session has INBOX
    /// selected (RFC 3501 section 2.3.1.1: a UID "MUST NOT change during the session").
    pub fn may_renumber(&self, spec: &Spec) -> bool {
        spec.uidvalidity_change == UidvalidityChange::Renumber
            && self.mailbox.uid_validity == super::UID_VALIDITY
            && self.sessions.iter().flatten().all(|s| !s.selected)
    }

    /// The server's UIDs failed to persist (an index rebuilt, a mailbox restored): it assigns
    /// them again under a greater UIDVALIDITY (RFC 3501 section 2.3.1.1). The messages
    /// present get the UIDs 1 to n in their order, keeping their flags and MODSEQs, so a
    /// UID an expunged message had may now name another; UIDNEXT is n + 1. The model's
    /// server keeps its HIGHESTMODSEQ (RFC 7162 section 3.1.2.1 lets it change it), so
    /// `highestmodseq-monotonic` still judges it, and deletes the expunge history, which
    /// names UIDs of the old UIDVALIDITY (RFC 7162 section 5.3: "SHOULD be deleted").
    /// The sessions hold nothing back: none has INBOX selected.
    pub fn renumber(&mut self) {
        let mailbox = &mut self.mailbox;
        mailbox.uid_validity += 1;
        let messages = std::mem::take(&mut mailbox.messages);
        mailbox.messages = messages
            .into_values()
            .enumerate()
            .map(|(i, message)| (Uid(i as u32 + 1), message))
            .collect();
        mailbox.uid_next = Uid(mailbox.messages.len() as u32 + 1);
        mailbox.expunged.clear();
    }

    /// The next mod-sequence: HIGHESTMODSEQ plus one.
    pub(super) fn bump(&mut self) -> ModSeq {
        let next = ModSeq(self.mailbox.highest_modseq.0 + 1);
        self.watch_reuse(next);
        self.mailbox.highest_modseq = next;
        next
    }

    /// Records the first change given `modseq` at or below the one an expunge was logged
    /// with (`highestmodseq-monotonic`).
    fn watch_reuse(&mut self, modseq: ModSeq) {
        let reused = self
            .mailbox
            .expunged
            .iter()
            .find(|(_, e)| e.modseq >= modseq);
        if let Some((uid, e)) = reused {
            let regression = Regression::Reused {
                modseq,
                uid: *uid,
                expunged_at: e.modseq,
            };
            self.regressed.get_or_insert(regression);
        }
    }

    /// Sets or clears `flag` on `uid` if that changes it: a new mod-sequence, and every other
    /// selected session that knows the message is to be told. None for a no-op, which RFC
    /// 7162 section 3.1 says SHOULD NOT change the mod-sequence.
    pub(super) fn change_flags(
        &mut self,
        client: ClientId,
        uid: Uid,
        flags: FlagSet,
    ) -> Option<ModSeq> {
        let message = self.mailbox.messages.get(&uid)?;
        if flags == message.flags {
            return None;
        }
        let modseq = self.bump();
        self.mailbox.messages.insert(uid, Message { flags, modseq });
        for (i, session) in self.sessions.iter_mut().enumerate() {
            match session {
                // A message the session has not been told of yet comes with its flags when
                // it is (RFC 7162 section 6, step 2).
                Some(s)
                    if i != client.index() && s.selected && !s.pending_arrivals.contains(&uid) =>
                {
                    s.pending_flags.get_or_insert_with(uid, || modseq);
                }
                _ => {}
            }
        }
        Some(modseq)
    }

    /// The `\Deleted` messages that `chosen` accepts.
    pub(super) fn deleted(&self, chosen: impl Fn(Uid) -> bool) -> UidList {
        self.mailbox
            .messages
            .iter()
            .filter(|(uid, m)| m.flags.contains(Flag::Deleted) && chosen(**uid))
            .map(|(uid, _)| *uid)
            .collect()
    }

    /// Removes `removed`. If that is any, bumps the mod-sequence once (unless
    /// `expunge-modseq=none`) and logs it with each UID (RFC 7162 sections 3.2, 3.2.7,
    /// 3.2.8, 3.2.9), and tells every other selected session later.
    pub(super) fn expunge(
        &mut self,
        client: Option<ClientId>,
        cause: ExpungeCause,
        spec: &Spec,
        removed: UidList,
    ) -> Removed {
        if removed.is_empty() {
            return Removed::default();
        }
        let mut told = UidList::new();
        let before = self.mailbox.highest_modseq;
        let modseq = match spec.expunge_modseq {
            ExpungeModseq::Bump => self.bump(),
            ExpungeModseq::None => self.mailbox.highest_modseq,
        };
        for uid in &removed {
            self.mailbox.messages.remove(uid);
            let entry = Expunged {
                modseq,
                by: client,
                cause,
            };
            self.mailbox.expunged.insert(*uid, entry);
            for (i, session) in self.sessions.iter_mut().enumerate() {
                let Some(s) = session else { continue };
                // A held-back flag change of a message now gone is moot: the expunge
                // replaces it. A message the session was never told of is never reported
                // gone either (RFC 7162 section 3.2.10.2), unless the clause says otherwise.
                s.told_flags(*uid);
                let announced = !s.pending_arrivals.remove(uid);
                let own = client.is_some_and(|c| c.index() == i);
                match spec.vanished_unannounced {
                    _ if own && announced => told.push(*uid),
                    VanishedUnannounced::Report if own => told.push(*uid),
                    _ if !s.selected => {}
                    _ if announced => {
                        s.pending_expunges.insert(*uid);
                    }
                    VanishedUnannounced::Omit => {}
                    // Under `any`, even the expunging session's own never-announced UIDs wait:
                    // the flush at the end of the command reports or drops them.
                    VanishedUnannounced::Report | VanishedUnannounced::Any => {
                        s.unannounced_expunges.insert(*uid);
                    }
                }
            }
        }
        if spec.mailbox_highestmodseq == MailboxHighestModseq::MaxMessage {
            // The highest MODSEQ of the messages left, or 1, the lowest valid mod-sequence
            // (RFC 7162 section 3.1), for an empty mailbox.
            let highest = self.mailbox.messages.values().map(|m| m.modseq).max();
            self.mailbox.highest_modseq = highest.unwrap_or(ModSeq(1));
            if self.mailbox.highest_modseq < before {
                self.regressed.get_or_insert(Regression::Decreased {
                    by: client,
                    from: before,
                    to: self.mailbox.highest_modseq,
                });
            }
        }
        Removed {
            modseq: Some(modseq),
            told,
        }
    }
}
