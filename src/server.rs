//! The server: one mailbox and one session per connected client. It executes a command in
//! one step and returns the response lines for that client's connection. Free of stateright.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::imap::command::{Command, StoreOp, Target};
use crate::imap::response::{Code, Response, Status};
use crate::imap::types::{ClientId, Flag, FlagSet, ModSeq, Tag, Uid};
use crate::spec::{
    CloseHighestModseq, ExpungeModseq, HeldBackHighestModseq, KnownUidsScope, MailboxHighestModseq,
    Spec, VanishedEarlier, VanishedUnannounced,
};

/// The UIDVALIDITY of the one mailbox. The model never changes it.
pub const UID_VALIDITY: u32 = 1;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
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
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Expunged {
    pub modseq: ModSeq,
    /// The client whose command expunged it; None for the other agent.
    pub by: Option<ClientId>,
    pub cause: ExpungeCause,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Mailbox {
    pub uid_next: Uid,
    /// The per-mailbox HIGHESTMODSEQ (RFC 7162 section 3.1.2.1): under
    /// `mailbox-highestmodseq=counter`, one counter for every session, so a change by one
    /// session always gets a higher value than anything another session was told before
    /// (resync-rules.md, C13); under `max-message`, the highest MODSEQ of the messages
    /// present. Every new mod-sequence is this plus one.
    pub highest_modseq: ModSeq,
    pub messages: BTreeMap<Uid, Message>,
    pub expunged: BTreeMap<Uid, Expunged>,
}

/// The server's side of one client's connection.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Session {
    pub qresync: bool,
    pub selected: bool,
    /// Flag changes made by other sessions that this session has not been told yet, with
    /// the mod-sequence of the earliest such change per message.
    pub pending_flags: BTreeMap<Uid, ModSeq>,
    /// Expunges made by other sessions that this session has not been told yet. Until they
    /// are reported, these messages keep their sequence numbers in this session.
    pub pending_expunges: BTreeSet<Uid>,
    /// Messages that arrived since this session was last told EXISTS. Until then they have
    /// no sequence number in this session.
    pub pending_arrivals: BTreeSet<Uid>,
    /// Messages that arrived and were expunged before this session was told of them, which
    /// a `vanished-unannounced=report` server names in its next VANISHED all the same.
    pub unannounced_expunges: BTreeSet<Uid>,
    /// The mod-sequence this session's QRESYNC SELECT resynchronized from (None for the
    /// sessions of the initial state).
    pub resynced_from: Option<ModSeq>,
}

impl Session {
    fn new() -> Session {
        Session {
            qresync: false,
            selected: false,
            pending_flags: BTreeMap::new(),
            pending_expunges: BTreeSet::new(),
            pending_arrivals: BTreeSet::new(),
            unannounced_expunges: BTreeSet::new(),
            resynced_from: None,
        }
    }

    pub fn holds_back_anything(&self) -> bool {
        !self.pending_flags.is_empty()
            || !self.pending_expunges.is_empty()
            || !self.pending_arrivals.is_empty()
            || !self.unannounced_expunges.is_empty()
    }

    fn forget_pending(&mut self) {
        self.pending_flags.clear();
        self.pending_expunges.clear();
        self.pending_arrivals.clear();
        self.unannounced_expunges.clear();
    }
}

/// What the server sends of a session's held-back changes at the end of a command. The spec
/// lets it send them at the end of any command or keep them for later (RFC 3501 section
/// 7.4.1 and section 5.2); the model explores every choice. Choices are coarse: all flag
/// changes and new messages (EXISTS) together, and expunges only together with those.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Flush {
    Nothing,
    FlagChanges,
    Everything,
}

impl Flush {
    /// The name traces use (`server_sends`).
    pub fn name(self) -> &'static str {
        match self {
            Flush::Nothing => "nothing",
            Flush::FlagChanges => "flag-changes",
            Flush::Everything => "everything",
        }
    }
}

/// Which expunged UIDs a QRESYNC SELECT reports in VANISHED (EARLIER).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Earlier {
    /// Those expunged after the client's mod-sequence (RFC 7162 section 3.2.6).
    #[default]
    Exact,
    /// Every expunged UID in scope (RFC 7162 section 5.1).
    Superset,
}

/// Which changed messages a QRESYNC SELECT reports in FETCH.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// Only the known UIDs the client sent (RFC 7162 section 3.2.5.1, "should").
    #[default]
    KnownUids,
    /// Every message changed since the client's mod-sequence.
    AllUids,
}

/// How the server answers a QRESYNC SELECT where the spec leaves it a choice.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(deny_unknown_fields)]
pub struct SelectReply {
    pub earlier: Earlier,
    pub scope: Scope,
}

/// A HIGHESTMODSEQ code the server sent over a change it was holding back from that session:
/// what RFC 7162 section 3.2 (erratum 1810) forbids.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Uncovered {
    pub client: ClientId,
    /// The value sent.
    pub announced: ModSeq,
    /// The lowest mod-sequence among the changes held back from that session then.
    pub held_back: ModSeq,
}

/// The first time the mailbox's mod-sequences went backwards: what `highestmodseq-monotonic`
/// forbids (RFC 7162 sections 3.1 and 3.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Regression {
    /// An expunge lowered HIGHESTMODSEQ.
    Decreased {
        by: Option<ClientId>,
        from: ModSeq,
        to: ModSeq,
    },
    /// A change got a mod-sequence no higher than the one an expunge was logged with, so a
    /// client that stored the change's value can no longer learn of the expunge.
    Reused {
        modseq: ModSeq,
        uid: Uid,
        expunged_at: ModSeq,
    },
}

/// A VANISHED (without EARLIER) that named a UID without a sequence number in that session:
/// what RFC 7162 section 3.2.10.2 forbids.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Unannounced {
    pub client: ClientId,
    pub uid: Uid,
}

/// What an expunging command removed.
#[derive(Default)]
struct Removed {
    /// Whether it removed any message.
    any: bool,
    /// The removed UIDs the expunging session had been told of: the ones its VANISHED names
    /// (RFC 7162 section 3.2.10.2).
    told: Vec<Uid>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Server {
    pub mailbox: Mailbox,
    /// Indexed by client; None while that client has no connection.
    pub sessions: Vec<Option<Session>>,
    /// Monitors, not protocol state, each set at the first fault it sees and never changed
    /// after: a HIGHESTMODSEQ sent over a held-back change (`announced-highestmodseq-covered`),
    /// mod-sequences going backwards (`highestmodseq-monotonic`), and a VANISHED naming a
    /// message the session had no sequence number for (`vanished-only-known-uids`).
    pub uncovered: Option<Uncovered>,
    pub regressed: Option<Regression>,
    pub unannounced: Option<Unannounced>,
}

impl Server {
    /// `messages` messages with UIDs 1..=messages, no flags, all at MODSEQ 1; every client
    /// connected, QRESYNC enabled and INBOX selected.
    pub fn new(messages: u32, clients: usize) -> Server {
        let messages: BTreeMap<Uid, Message> = (1..=messages)
            .map(|uid| {
                let message = Message {
                    flags: FlagSet::EMPTY,
                    modseq: ModSeq(1),
                };
                (Uid(uid), message)
            })
            .collect();
        let selected = Session {
            qresync: true,
            selected: true,
            ..Session::new()
        };
        Server {
            mailbox: Mailbox {
                uid_next: Uid(messages.len() as u32 + 1),
                highest_modseq: ModSeq(1),
                messages,
                expunged: BTreeMap::new(),
            },
            sessions: vec![Some(selected); clients],
            uncovered: None,
            regressed: None,
            unannounced: None,
        }
    }

    pub fn session(&self, client: ClientId) -> Option<&Session> {
        self.sessions[client.index()].as_ref()
    }

    pub fn connect(&mut self, client: ClientId) {
        self.sessions[client.index()] = Some(Session::new());
    }

    /// The connection is gone; so is everything the server held back for it.
    pub fn disconnect(&mut self, client: ClientId) {
        self.sessions[client.index()] = None;
    }

    /// The UIDs this session can name by sequence number, in order: the mailbox plus the
    /// expunges it has not been told about, less the arrivals it has not been told about.
    pub fn view(&self, client: ClientId) -> Vec<Uid> {
        let mut view: Vec<Uid> = self.mailbox.messages.keys().copied().collect();
        if let Some(session) = self.session(client) {
            view.retain(|uid| !session.pending_arrivals.contains(uid));
            view.extend(session.pending_expunges.iter().copied());
            view.sort();
        }
        view
    }

    /// Another agent appends a message (RFC 3501 section 6.3.11): the next UID, no flags, a
    /// mod-sequence above every other (RFC 7162 section 3.1). Selected sessions learn of it
    /// by EXISTS, later.
    pub fn append(&mut self) -> Uid {
        let uid = self.mailbox.uid_next;
        self.mailbox.uid_next = Uid(uid.0 + 1);
        let modseq = self.bump();
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
        self.expunge(None, ExpungeCause::Move, spec, vec![uid]);
    }

    fn seq_of(&self, client: ClientId, uid: Uid) -> u32 {
        let view = self.view(client);
        view.iter()
            .position(|u| *u == uid)
            .map_or(0, |i| i as u32 + 1)
    }

    /// The distinct flush choices open at the end of `command` for this client.
    pub fn flush_choices(&self, client: ClientId, command: &Command) -> Vec<Flush> {
        let mut choices = vec![Flush::Nothing];
        let flushes = matches!(
            command,
            Command::Store { .. }
                | Command::Expunge
                | Command::UidExpunge(_)
                | Command::Noop
                | Command::UidFetchNew { .. }
        );
        let Some(session) = self.session(client) else {
            return choices;
        };
        if flushes && session.selected {
            if !session.pending_flags.is_empty() || !session.pending_arrivals.is_empty() {
                choices.push(Flush::FlagChanges);
            }
            let expunges =
                !session.pending_expunges.is_empty() || !session.unannounced_expunges.is_empty();
            if expunges && command.allows_expunge_responses() {
                choices.push(Flush::Everything);
            }
        }
        choices
    }

    /// The distinct answers to `command` the spec allows where it is a QRESYNC SELECT: the
    /// VANISHED (EARLIER) precision and the FETCH scope, each only where it makes a
    /// difference. A single default answer for every other command.
    pub fn select_choices(&self, command: &Command, spec: &Spec) -> Vec<SelectReply> {
        let Command::SelectQresync {
            modseq, known_uids, ..
        } = command
        else {
            return vec![SelectReply::default()];
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
            VanishedEarlier::Exact => &[Earlier::Exact],
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

    /// The highest value this session may be told without covering a change the server is
    /// holding back from it (RFC 7162 section 3.2, erratum 1810).
    pub fn safe_highest_modseq(&self, client: ClientId) -> ModSeq {
        let Some(session) = self.session(client) else {
            return self.mailbox.highest_modseq;
        };
        let held_back = session.pending_flags.values().copied().chain(
            session
                .pending_expunges
                .iter()
                .map(|uid| self.mailbox.expunged[uid].modseq),
        );
        match held_back.min() {
            Some(lowest) => ModSeq(lowest.0 - 1),
            None => self.mailbox.highest_modseq,
        }
    }

    /// Executes one command for `client` and returns the lines for its connection.
    pub fn execute(
        &mut self,
        client: ClientId,
        tag: Tag,
        command: &Command,
        reply: (Flush, SelectReply),
        spec: &Spec,
    ) -> Vec<Response> {
        // The monitor judges VANISHED by the lines sent, not by the bookkeeping that built
        // them: every UID must have had a sequence number in this session when the command
        // began (RFC 7162 section 3.2.10.2).
        let numbered = self.view(client);
        let lines = self.dispatch(client, tag, command, reply, spec);
        for line in &lines {
            let Response::Vanished {
                earlier: false,
                uids,
            } = line
            else {
                continue;
            };
            if let Some(uid) = uids.iter().find(|uid| !numbered.contains(uid)) {
                self.unannounced
                    .get_or_insert(Unannounced { client, uid: *uid });
            }
        }
        lines
    }

    fn dispatch(
        &mut self,
        client: ClientId,
        tag: Tag,
        command: &Command,
        reply: (Flush, SelectReply),
        spec: &Spec,
    ) -> Vec<Response> {
        let (flush, select) = reply;
        let Some(session) = self.session(client) else {
            // No connection, no response: the model never sends on a dropped connection.
            return Vec::new();
        };
        let selected = session.selected;
        let qresync = session.qresync;
        match command {
            Command::EnableQresync => {
                self.session_mut(client).qresync = true;
                vec![Response::EnabledQresync, tagged_ok(tag, None, "enabled")]
            }
            Command::SelectQresync { .. } if !qresync => {
                vec![tagged_bad(tag, "QRESYNC not enabled")]
            }
            Command::SelectQresync { .. } if selected => {
                vec![tagged_bad(tag, "SELECT while selected is not modelled")]
            }
            Command::SelectQresync {
                uid_validity,
                modseq,
                known_uids,
            } => self.select_qresync(client, tag, *uid_validity, *modseq, known_uids, select),
            _ if !selected => vec![tagged_bad(tag, "No mailbox selected")],
            Command::Store { target, op, flag } => {
                self.store(client, tag, *target, *op, *flag, flush, spec)
            }
            Command::Expunge => {
                let deleted = self.deleted(|_| true);
                let removed = self.expunge(Some(client), ExpungeCause::Expunge, spec, deleted);
                self.expunge_response(client, tag, removed, flush, spec)
            }
            Command::UidExpunge(uids) => {
                let deleted = self.deleted(|uid| uids.contains(&uid));
                let removed = self.expunge(Some(client), ExpungeCause::UidExpunge, spec, deleted);
                self.expunge_response(client, tag, removed, flush, spec)
            }
            Command::Noop => {
                self.finish(client, tag, Vec::new(), Vec::new(), None, flush, spec, true)
            }
            Command::UidFetchNew { from } => self.uid_fetch_new(client, tag, *from, flush, spec),
            Command::Close => self.close(client, tag, spec),
        }
    }

    fn session_mut(&mut self, client: ClientId) -> &mut Session {
        self.sessions[client.index()]
            .as_mut()
            .expect("only a connected client sends commands")
    }

    #[allow(clippy::too_many_arguments)]
    fn store(
        &mut self,
        client: ClientId,
        tag: Tag,
        target: Target,
        op: StoreOp,
        flag: Flag,
        flush: Flush,
        spec: &Spec,
    ) -> Vec<Response> {
        let uid = match target {
            Target::Uid(uid) => uid,
            Target::Seq(n) => match self.view(client).get((n as usize).wrapping_sub(1)) {
                Some(uid) => *uid,
                None => return vec![tagged_bad(tag, "Invalid message sequence number")],
            },
        };
        let mut lines = Vec::new();
        // A message already expunged by another session (still in this session's view) or
        // a STORE that changes nothing: OK, no new MODSEQ (RFC 7162 section 3.1: a no-op
        // SHOULD NOT change it) and no FETCH.
        if let Some(message) = self.mailbox.messages.get(&uid) {
            let flags = match op {
                StoreOp::Add => message.flags.with(flag),
                StoreOp::Remove => message.flags.without(flag),
            };
            if flags != message.flags {
                let modseq = self.bump();
                self.mailbox.messages.insert(uid, Message { flags, modseq });
                for (i, session) in self.sessions.iter_mut().enumerate() {
                    match session {
                        // A message the session has not been told of yet comes with its
                        // flags when it is (RFC 7162 section 6, step 2).
                        Some(s)
                            if i != client.index()
                                && s.selected
                                && !s.pending_arrivals.contains(&uid) =>
                        {
                            s.pending_flags.entry(uid).or_insert(modseq);
                        }
                        _ => {}
                    }
                }
                // RFC 7162 section 3.1.3: a FETCH with MODSEQ even for .SILENT; with UID under
                // QRESYNC (section 3.2.4); without FLAGS, as the command was .SILENT.
                lines.push(Response::Fetch {
                    seq: self.seq_of(client, uid),
                    uid,
                    modseq,
                    flags: None,
                });
            }
        }
        let allows_expunges = !matches!(target, Target::Seq(_));
        self.finish(
            client,
            tag,
            lines,
            Vec::new(),
            None,
            flush,
            spec,
            allows_expunges,
        )
    }

    /// The next mod-sequence: HIGHESTMODSEQ plus one.
    fn bump(&mut self) -> ModSeq {
        let next = ModSeq(self.mailbox.highest_modseq.0 + 1);
        let reused = self.mailbox.expunged.iter().find(|(_, e)| e.modseq >= next);
        if let Some((uid, e)) = reused {
            let regression = Regression::Reused {
                modseq: next,
                uid: *uid,
                expunged_at: e.modseq,
            };
            self.regressed.get_or_insert(regression);
        }
        self.mailbox.highest_modseq = next;
        next
    }

    /// The `\Deleted` messages that `chosen` accepts.
    fn deleted(&self, chosen: impl Fn(Uid) -> bool) -> Vec<Uid> {
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
    fn expunge(
        &mut self,
        client: Option<ClientId>,
        cause: ExpungeCause,
        spec: &Spec,
        removed: Vec<Uid>,
    ) -> Removed {
        if removed.is_empty() {
            return Removed::default();
        }
        let mut told = Vec::new();
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
                s.pending_flags.remove(uid);
                let announced = !s.pending_arrivals.remove(uid);
                let reported =
                    announced || spec.vanished_unannounced == VanishedUnannounced::Report;
                if client.is_some_and(|c| c.index() == i) {
                    if reported {
                        told.push(*uid);
                    }
                } else if s.selected && announced {
                    s.pending_expunges.insert(*uid);
                } else if s.selected && reported {
                    s.unannounced_expunges.insert(*uid);
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
        Removed { any: true, told }
    }

    fn expunge_response(
        &mut self,
        client: ClientId,
        tag: Tag,
        removed: Removed,
        flush: Flush,
        spec: &Spec,
    ) -> Vec<Response> {
        // RFC 5162 section 3.3/3.5, RFC 7162 sections 3.2.7/3.2.9: with QRESYNC, the tagged
        // OK of an expunge that removed something carries HIGHESTMODSEQ.
        let code = removed.any.then_some(self.mailbox.highest_modseq);
        self.finish(
            client,
            tag,
            Vec::new(),
            removed.told,
            code,
            flush,
            spec,
            true,
        )
    }

    /// Ends a command: flushes what `flush` asks for, then appends the tagged OK with the
    /// HIGHESTMODSEQ code the spec calls for.
    #[allow(clippy::too_many_arguments)]
    fn finish(
        &mut self,
        client: ClientId,
        tag: Tag,
        mut lines: Vec<Response>,
        mut vanished: Vec<Uid>,
        code: Option<ModSeq>,
        flush: Flush,
        spec: &Spec,
        allows_expunges: bool,
    ) -> Vec<Response> {
        let session = self.session_mut(client);
        let flagged: Vec<Uid> = match flush {
            Flush::Nothing => Vec::new(),
            Flush::FlagChanges | Flush::Everything => std::mem::take(&mut session.pending_flags)
                .into_keys()
                .collect(),
        };
        if flush == Flush::Everything && allows_expunges {
            vanished.extend(std::mem::take(&mut session.pending_expunges));
            vanished.extend(std::mem::take(&mut session.unannounced_expunges));
            vanished.sort();
        }
        // VANISHED first, so that each FETCH's sequence number is the one the client has
        // after applying it (RFC 7162 section 3.2.10.2).
        if !vanished.is_empty() {
            lines.push(Response::Vanished {
                earlier: false,
                uids: vanished,
            });
        }
        let session = self.session_mut(client);
        if flush != Flush::Nothing && !session.pending_arrivals.is_empty() {
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
        let safe = self.safe_highest_modseq(client);
        let code = match spec.held_back_highestmodseq {
            HeldBackHighestModseq::None => code,
            HeldBackHighestModseq::Lower => {
                // RFC 7162 section 3.2 (erratum 1810): the value the client will adopt at
                // this tagged response, a code or else the largest MODSEQ it read, must not
                // cover a change still held back; if it would, send a lower code.
                let modseq_max = lines
                    .iter()
                    .filter_map(|line| match line {
                        Response::Fetch { modseq, .. } => Some(*modseq),
                        _ => None,
                    })
                    .max();
                match code {
                    Some(code) => Some(code.min(safe)),
                    None if modseq_max.is_some_and(|m| m > safe) => Some(safe),
                    None => None,
                }
            }
        };
        self.watch(client, code, safe);
        lines.push(tagged_ok(tag, code.map(Code::HighestModSeq), "done"));
        lines
    }

    /// Records the first HIGHESTMODSEQ code sent above `safe`, the highest value that
    /// covers no change held back from the session.
    fn watch(&mut self, client: ClientId, code: Option<ModSeq>, safe: ModSeq) {
        if let Some(announced) = code.filter(|c| *c > safe) {
            self.uncovered.get_or_insert(Uncovered {
                client,
                announced,
                held_back: ModSeq(safe.0 + 1),
            });
        }
    }

    /// `UID FETCH <from>:* (FLAGS)`: every message of the session's view from `from` on,
    /// after an EXISTS for the arrivals it has not been told of (a FETCH may only name a
    /// message the client knows exists). The model's server reads `from:*` as the UIDs from
    /// `from` up, even when none is that high (RFC 3501 would include the highest UID then;
    /// resync-rules.md C6).
    fn uid_fetch_new(
        &mut self,
        client: ClientId,
        tag: Tag,
        from: Uid,
        flush: Flush,
        spec: &Spec,
    ) -> Vec<Response> {
        let mut lines = Vec::new();
        let session = self.session_mut(client);
        if !session.pending_arrivals.is_empty() {
            session.pending_arrivals.clear();
            lines.push(Response::Exists(self.view(client).len() as u32));
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
        let session = self.session_mut(client);
        for line in &lines {
            if let Response::Fetch { uid, .. } = line {
                session.pending_flags.remove(uid);
            }
        }
        self.finish(client, tag, lines, Vec::new(), None, flush, spec, true)
    }

    fn close(&mut self, client: ClientId, tag: Tag, spec: &Spec) -> Vec<Response> {
        // What the session was never told stays untold after CLOSE: compute the safe value
        // before the session forgets it.
        let safe = self.safe_highest_modseq(client);
        let deleted = self.deleted(|_| true);
        let removed = self.expunge(Some(client), ExpungeCause::Close, spec, deleted);
        let session = self.session_mut(client);
        session.selected = false;
        session.forget_pending();
        // CLOSE sends no untagged EXPUNGE or VANISHED (RFC 5162 section 3.4, RFC 7162
        // section 3.2.8); whether its OK carries HIGHESTMODSEQ is the clause under test.
        let code = match spec.close_highestmodseq {
            CloseHighestModseq::Send if removed.any => {
                let hms = self.mailbox.highest_modseq;
                Some(match spec.held_back_highestmodseq {
                    HeldBackHighestModseq::None => hms,
                    HeldBackHighestModseq::Lower => hms.min(safe),
                })
            }
            _ => None,
        };
        self.watch(client, code, safe);
        vec![tagged_ok(tag, code.map(Code::HighestModSeq), "done")]
    }

    fn select_qresync(
        &mut self,
        client: ClientId,
        tag: Tag,
        uid_validity: u32,
        since: ModSeq,
        known_uids: &[Uid],
        reply: SelectReply,
    ) -> Vec<Response> {
        let session = self.session_mut(client);
        session.selected = true;
        session.forget_pending();
        session.resynced_from = Some(since);
        let mailbox = &self.mailbox;
        let mut lines = vec![
            Response::Exists(mailbox.messages.len() as u32),
            Response::UidValidity(UID_VALIDITY),
            Response::UidNext(mailbox.uid_next),
            Response::HighestModSeq(mailbox.highest_modseq),
        ];
        if uid_validity == UID_VALIDITY {
            // RFC 7162 section 3.2.5.1: report changes after `since` for the known UIDs, or
            // for 1:<UIDNEXT-1> when the client sent none. Whether the FETCHes honour the
            // known-uids ("should only report") is the `known-uids-scope` clause.
            let in_scope = |uid: &Uid| {
                if known_uids.is_empty() {
                    uid.0 < mailbox.uid_next.0
                } else {
                    known_uids.contains(uid)
                }
            };
            // VANISHED (EARLIER): the UIDs expunged after `since` (section 3.2.6), or, from a
            // server that reports a superset, every expunged UID in scope (section 5.1).
            let vanished: Vec<Uid> = mailbox
                .expunged
                .iter()
                .filter(|(uid, e)| {
                    in_scope(uid) && (reply.earlier == Earlier::Superset || e.modseq > since)
                })
                .map(|(uid, _)| *uid)
                .collect();
            if !vanished.is_empty() {
                lines.push(Response::Vanished {
                    earlier: true,
                    uids: vanished,
                });
            }
            for (seq, (uid, message)) in mailbox.messages.iter().enumerate() {
                let reported = reply.scope == Scope::AllUids || in_scope(uid);
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
        lines.push(Response::Tagged {
            tag,
            status: Status::Ok,
            code: Some(Code::ReadWrite),
            text: "SELECT completed",
        });
        lines
    }
}

fn tagged_ok(tag: Tag, code: Option<Code>, text: &'static str) -> Response {
    Response::Tagged {
        tag,
        status: Status::Ok,
        code,
        text,
    }
}

fn tagged_bad(tag: Tag, text: &'static str) -> Response {
    Response::Tagged {
        tag,
        status: Status::Bad,
        code: None,
        text,
    }
}
