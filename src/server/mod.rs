//! The server: one mailbox and one session per connected client. It executes a command in
//! one step and returns the response lines for that client's connection. Free of stateright.
//!
//! - `mailbox`: the messages, the mod-sequence counter, the expunge log, and who must be
//!   told of each change;
//! - `session`: one connection's state and what the server holds back from it;
//! - `reply`: the answers the spec leaves to the server;
//! - `choices`: which of them are open when;
//! - `commands`: each command and its tagged response;
//! - `monitor`: the server's faults, recorded for the properties that blame it.

mod choices;
mod commands;
mod condstore;
mod fetch_vanished;
mod history;
mod idle;
mod mailbox;
mod monitor;
mod pipeline;
mod reply;
mod session;
mod uid_set;

pub use choices::Choices;
pub use mailbox::{ExpungeCause, Expunged, Mailbox, Message};
pub use monitor::{Misnumbered, Regression, Unannounced, Uncovered};
pub use pipeline::FirstStore;
pub use reply::{Earlier, Flush, GoneStore, Reply, Scope, SelectReply};
pub use session::{Idle, Session};
pub use uid_set::{MAX_UID, UidSet};

use std::hash::{Hash, Hasher};

use crate::imap::command::Command;
use crate::imap::response::{Code, Lines, Response, Status};
use crate::imap::types::{ClientId, FlagSet, ModSeq, Tag, Uid};
use crate::imap::uids::{UidList, UidMap};
use crate::spec::Spec;

/// The UIDVALIDITY the one mailbox starts with; only `uidvalidity-change=renumber` changes it.
pub const UID_VALIDITY: u32 = 1;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Server {
    pub mailbox: Mailbox,
    /// Indexed by client; None while that client has no connection.
    pub sessions: Vec<Option<Session>>,
    /// Monitors, not protocol state, each set at the first fault it sees and never changed
    /// after: a HIGHESTMODSEQ sent over a held-back change (`announced-highestmodseq-covered`),
    /// a tagged response without a code after a MODSEQ over a held-back change
    /// (`computed-highestmodseq-covered`, set by `System::apply`, which sees the queue),
    /// mod-sequences going backwards (`highestmodseq-monotonic`), and a VANISHED naming a
    /// message the session had no sequence number for (`vanished-only-known-uids`), and a
    /// sequence number used with another meaning than the session's
    /// (`sequence-numbers-as-told`).
    pub uncovered: Option<Uncovered>,
    pub computed_uncovered: Option<Uncovered>,
    pub regressed: Option<Regression>,
    pub unannounced: Option<Unannounced>,
    pub misnumbered: Option<Misnumbered>,
}

/// The derived hash, field by field, with `misnumbered` written only once set: a state
/// without that fault hashes (and fingerprints, `fingerprint.rs`) as before it existed.
impl Hash for Server {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.mailbox.hash(state);
        self.sessions.hash(state);
        self.uncovered.hash(state);
        self.computed_uncovered.hash(state);
        self.regressed.hash(state);
        self.unannounced.hash(state);
        if let Some(misnumbered) = &self.misnumbered {
            misnumbered.hash(state);
        }
    }
}

impl Server {
    /// `messages` messages with UIDs 1..=messages, no flags, all at MODSEQ 1; every client
    /// connected, QRESYNC enabled and INBOX selected.
    pub fn new(messages: u32, clients: usize) -> Server {
        let messages: UidMap<Message> = (1..=messages)
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
                uid_validity: UID_VALIDITY,
                uid_next: Uid(messages.len() as u32 + 1),
                highest_modseq: ModSeq(1),
                messages,
                expunged: UidMap::new(),
                forgotten: ModSeq(0),
                restarted: false,
            },
            sessions: vec![Some(selected); clients],
            uncovered: None,
            computed_uncovered: None,
            regressed: None,
            unannounced: None,
            misnumbered: None,
        }
    }

    pub fn session(&self, client: ClientId) -> Option<&Session> {
        self.sessions[client.index()].as_ref()
    }

    fn session_mut(&mut self, client: ClientId) -> &mut Session {
        self.sessions[client.index()]
            .as_mut()
            .expect("only a connected client sends commands")
    }

    pub fn connect(&mut self, client: ClientId) {
        self.sessions[client.index()] = Some(Session::new());
    }

    /// The connection is gone; so is everything the server held back for it.
    pub fn disconnect(&mut self, client: ClientId) {
        self.sessions[client.index()] = None;
    }

    /// This server after `disconnect(client)`, made without copying the session it ends (see
    /// `Client::disconnected`). A struct literal, so a new field must be named here.
    pub fn disconnected(&self, client: ClientId) -> Server {
        let sessions = self.sessions.iter().enumerate();
        Server {
            mailbox: self.mailbox.clone(),
            sessions: sessions
                .map(|(i, s)| s.as_ref().filter(|_| i != client.index()).cloned())
                .collect(),
            uncovered: self.uncovered,
            computed_uncovered: self.computed_uncovered,
            regressed: self.regressed,
            unannounced: self.unannounced,
            misnumbered: self.misnumbered,
        }
    }

    /// The UIDs this session can name by sequence number, in order: the mailbox plus the
    /// expunges it has not been told about, less the arrivals it has not been told about.
    pub fn view(&self, client: ClientId) -> UidList {
        let mut view: UidList = self.mailbox.messages.keys().copied().collect();
        // The mailbox's UIDs, sorted, are the view itself for a session told of every
        // arrival and expunge: the filter, merge and sort below are for the others.
        let untold =
            |s: &&Session| !s.pending_arrivals.is_empty() || !s.pending_expunges.is_empty();
        if let Some(session) = self.session(client).filter(untold) {
            view.retain(|uid| !session.pending_arrivals.contains(uid));
            view.extend(session.pending_expunges.iter());
            view.sort();
        }
        view
    }

    fn seq_of(&self, client: ClientId, uid: Uid) -> u32 {
        let view = self.view(client);
        view.iter()
            .position(|u| *u == uid)
            .map_or(0, |i| i as u32 + 1)
    }

    /// Executes one command for `client`, answering as `reply` says, and returns the lines
    /// for its connection.
    pub fn execute(
        &mut self,
        client: ClientId,
        tag: Tag,
        command: &Command,
        reply: Reply,
        spec: &Spec,
    ) -> Lines {
        // The monitor judges VANISHED by the lines sent, not by the bookkeeping that built
        // them: every UID must have had a sequence number in this session when the command
        // began (RFC 7162 section 3.2.10.2).
        let numbered = self.view(client);
        // Outside the selected state the session numbers nothing until SELECT's EXISTS.
        let count = match self.session(client).is_some_and(|s| s.selected) {
            true => numbered.len() as u32,
            false => 0,
        };
        let lines = self.dispatch(client, tag, command, reply, spec);
        self.watch_vanished(client, &numbered, &lines);
        self.watch_fetch_numbers(client, count, &numbered, &lines);
        lines
    }

    fn dispatch(
        &mut self,
        client: ClientId,
        tag: Tag,
        command: &Command,
        reply: Reply,
        spec: &Spec,
    ) -> Lines {
        let Some(session) = self.session(client) else {
            // No connection, no response: the model never sends on a dropped connection.
            return Lines::new();
        };
        let selected = session.selected;
        let qresync = session.qresync;
        match command {
            Command::EnableQresync => {
                self.session_mut(client).qresync = true;
                smallvec::smallvec![Response::EnabledQresync, tagged_ok(tag, None, "enabled")]
            }
            Command::SelectQresync { .. } if !qresync => {
                smallvec::smallvec![tagged_bad(tag, "QRESYNC not enabled")]
            }
            Command::SelectQresync { .. } | Command::SelectCondstore | Command::Select
                if selected =>
            {
                smallvec::smallvec![tagged_bad(tag, "SELECT while selected is not modelled")]
            }
            Command::SelectQresync { .. } => self.select_qresync(client, tag, command, reply, spec),
            // A plain SELECT opens the mailbox as SELECT (CONDSTORE) does; after ENABLE
            // QRESYNC the session keeps VANISHED (RFC 7162 section 3.2.3).
            Command::SelectCondstore | Command::Select => self.select_condstore(client, tag),
            // STATUS is a command of the authenticated state too (RFC 3501 section 6.3.10).
            Command::Status => self.status(tag),
            _ if !selected => smallvec::smallvec![tagged_bad(tag, "No mailbox selected")],
            Command::Store { .. } => self.store(client, tag, command, reply, spec),
            Command::Expunge | Command::UidExpunge(_) => {
                self.expunge_command(client, tag, command, reply, spec)
            }
            Command::Noop => self.noop(client, tag, command, reply, spec),
            Command::UidFetchNew { .. } => self.uid_fetch_new(client, tag, command, reply, spec),
            Command::UidFetchVanished { .. } => {
                self.uid_fetch_vanished(client, tag, command, reply, spec)
            }
            Command::UidFetchChangedSince { .. } => {
                self.uid_fetch_changed_since(client, tag, command, reply, spec)
            }
            Command::UidSearchAll => self.uid_search_all(client, tag, command, reply, spec),
            Command::Close => self.close(client, tag, spec),
            Command::Idle => self.idle(client),
            Command::Done => self.done(client, tag, reply, spec),
        }
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
