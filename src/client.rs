//! A client replica: what survives a disconnect (its cache and its stored resync point) and
//! what does not (its connection). It learns only from the lines it reads, and follows the
//! spec's client clauses. Free of stateright.

use serde::{Deserialize, Serialize};
use smallvec::SmallVec;

use crate::imap::command::{Command, StoreOp, Target};
use crate::imap::response::{Response, Status};
use crate::imap::types::{Flag, FlagSet, ModSeq, Tag, Uid};
use crate::imap::uids::UidMap;
use crate::server::UID_VALIDITY;
use crate::spec::{
    ClientClose, ClientFetchVanished, ClientKnownUids, ClientOutOfBand, ClientResyncPoint,
    ClientSeqMatch, ClientUidvalidity, Spec,
};

/// What a client chooses to do next. The wire commands follow from this and the client's
/// state (`Client::commands`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum Request {
    Store {
        target: Target,
        op: StoreOp,
        flag: Flag,
    },
    Expunge,
    /// `UID EXPUNGE` of every UID the cache shows as `\Deleted` (RFC 7162 section 3.2.9:
    /// the disconnected client's way to expunge only what it knows of).
    UidExpunge,
    Close,
    Noop,
    /// `UID FETCH <uidnext>:* (FLAGS)`, after the client learned that messages arrived (an
    /// EXISTS, or a SELECT's UIDNEXT above its own).
    FetchNew,
    /// Open INBOX again: `ENABLE QRESYNC` and `SELECT INBOX (QRESYNC ...)` on a new
    /// connection (pipelined), or only the SELECT on a live connection after CLOSE.
    Resync,
    /// `STATUS INBOX (HIGHESTMODSEQ)` while INBOX is not selected: after CLOSE on the same
    /// connection, or on a new connection after `ENABLE QRESYNC` (pipelined), before the
    /// SELECT. Only a `client-resync-point=status` client sends it.
    Status,
    /// `UID FETCH <set> (FLAGS) (CHANGEDSINCE m VANISHED)` from the stored resync point,
    /// while selected. Only a `client-fetch-vanished=cache|star` client sends it.
    FetchVanished,
}

/// The per-command bookkeeping the client keeps until the tagged response.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Awaiting {
    /// A `.SILENT` STORE: the client applies the change to the message its own
    /// `FETCH (UID u MODSEQ (m))` names, when it reads that line (RFC 7162 section 3.1.3:
    /// the server sends it for every message the STORE changed).
    Store {
        op: StoreOp,
        flag: Flag,
    },
    Close,
    Select,
    FetchNew,
    FetchVanished,
    /// EXPUNGE or UID EXPUNGE, told apart from `Other` only for a
    /// `client-out-of-band=ignore-vanished` client, which applies the VANISHED of its own
    /// expunges (elsewhere the two would be states of their own for nothing).
    Expunge,
    Other,
}

/// The lines a connection has queued, oldest first. Most states queue a few lines or none,
/// so four are inline (see `imap/uids.rs` for why inline); a SELECT's answer spills to the
/// heap, which measured no slower than eight inline, whose every copy moves more bytes.
pub type Queue = SmallVec<[Response; 4]>;

/// What does not survive a disconnect.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Connection {
    /// Whether the client believes INBOX is selected (from its last SELECT's OK until
    /// CLOSE's OK).
    pub selected: bool,
    /// Lines the server sent that the client has not read yet.
    pub queue: Queue,
    /// Commands sent and not yet answered by their tagged response.
    pub awaiting: SmallVec<[(Tag, Awaiting); 2]>,
    /// The last HIGHESTMODSEQ code read since the last tagged response (RFC 7162 section 6).
    pub hms_code: Option<ModSeq>,
    /// The largest MODSEQ read in a FETCH since the last tagged response (RFC 7162 section 6).
    pub modseq_max: Option<ModSeq>,
    /// The client knows messages arrived that it has not fetched.
    pub fetch_new: bool,
    /// The UIDNEXT the last SELECT reported.
    pub uid_next_seen: Option<Uid>,
    /// The number of messages in the selected mailbox, as the client counts it: set by
    /// EXISTS, lowered by one for each UID of a VANISHED without EARLIER (RFC 7162 section
    /// 3.2.10.2), 0 while nothing is selected. Sequence numbers run from 1 to this. Signed:
    /// a server that names more UIDs than the client counted drives it below zero.
    pub exists: i32,
    /// Search bookkeeping, not protocol: under the read-order reduction (`reduce/mod.rs`)
    /// the client reads no more of its queued lines, because another agent acted since its
    /// last step. Always false in the line-by-line model.
    pub frozen: bool,
}

impl Connection {
    fn new(selected: bool, exists: i32) -> Connection {
        Connection {
            selected,
            queue: Queue::new(),
            awaiting: SmallVec::new(),
            hms_code: None,
            modseq_max: None,
            fetch_new: false,
            uid_next_seen: None,
            exists,
            frozen: false,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Client {
    /// The cached mailbox: UID -> flags. Survives disconnects.
    pub cache: UidMap<FlagSet>,
    /// The stored HIGHESTMODSEQ the next QRESYNC SELECT starts from. Survives disconnects.
    pub resync_point: ModSeq,
    /// The lowest UID the client has not fetched: new messages are found by UID, not by
    /// mod-sequence (RFC 7162 section 6, step 2). Survives disconnects.
    pub uid_next: Uid,
    /// The UIDVALIDITY its cache is of, the one the last SELECT reported. Survives
    /// disconnects.
    pub uid_validity: u32,
    pub connection: Option<Connection>,
    /// Commands issued so far (a reconnect counts once); the model bounds it.
    pub commands_issued: u8,
    pub next_tag: u16,
}

impl Client {
    /// Selected and synchronized with a mailbox of `messages` fresh messages at MODSEQ 1.
    pub fn new(messages: u32) -> Client {
        Client {
            cache: (1..=messages)
                .map(|uid| (Uid(uid), FlagSet::EMPTY))
                .collect(),
            resync_point: ModSeq(1),
            uid_next: Uid(messages + 1),
            uid_validity: UID_VALIDITY,
            connection: Some(Connection::new(true, messages as i32)),
            commands_issued: 0,
            next_tag: 1,
        }
    }

    /// Connected, selected, nothing in flight, nothing unread, and no arrival it knows of
    /// left to fetch.
    pub fn is_idle_selected(&self) -> bool {
        self.connection.as_ref().is_some_and(|c| {
            c.selected && c.awaiting.is_empty() && c.queue.is_empty() && !c.fetch_new
        })
    }

    /// What the client may do next, in a fixed order. A client sends one command at a time
    /// and only commands that make sense for the mailbox as its cache shows it: a STORE
    /// that changes a flag, an expunge when something is `\Deleted`. While INBOX is not
    /// selected it opens it again, and a `client-resync-point=status` client may first ask
    /// STATUS (RFC 3501 section 6.3.10 asks not to use STATUS on the selected mailbox).
    pub fn requests(&self, spec: &Spec) -> Vec<Request> {
        let unselected = || {
            let mut requests = vec![Request::Resync];
            if spec.client_resync_point == ClientResyncPoint::Status {
                requests.push(Request::Status);
            }
            requests
        };
        let Some(connection) = &self.connection else {
            return unselected();
        };
        if !connection.awaiting.is_empty() {
            return Vec::new();
        }
        if !connection.selected {
            return unselected();
        }
        let mut requests = Vec::new();
        for (i, (uid, flags)) in self.cache.iter().enumerate() {
            for flag in Flag::ALL {
                let op = if flags.contains(flag) {
                    StoreOp::Remove
                } else {
                    StoreOp::Add
                };
                for target in [Target::Seq(i as u32 + 1), Target::Uid(*uid)] {
                    requests.push(Request::Store { target, op, flag });
                }
            }
        }
        if self.deleted_uids().next().is_some() {
            requests.push(Request::Expunge);
            requests.push(Request::UidExpunge);
        }
        if connection.fetch_new {
            requests.push(Request::FetchNew);
        }
        requests.push(Request::Close);
        requests.push(Request::Noop);
        let fetch_vanished = match spec.client_fetch_vanished {
            ClientFetchVanished::Never => false,
            ClientFetchVanished::Cache => !self.cache.is_empty(),
            ClientFetchVanished::Star => true,
        };
        if fetch_vanished {
            requests.push(Request::FetchVanished);
        }
        requests
    }

    fn deleted_uids(&self) -> impl Iterator<Item = Uid> + '_ {
        self.cache
            .iter()
            .filter(|(_, flags)| flags.contains(Flag::Deleted))
            .map(|(uid, _)| *uid)
    }

    /// The commands `request` sends, with their tags, in order. Pure: see [`Client::issue`].
    pub fn commands(&self, request: Request, spec: &Spec) -> Vec<(Tag, Command)> {
        let mut tag = self.next_tag;
        let mut next = || {
            tag += 1;
            Tag(tag - 1)
        };
        match request {
            Request::Store { target, op, flag } => {
                vec![(next(), Command::Store { target, op, flag })]
            }
            Request::Expunge => vec![(next(), Command::Expunge)],
            Request::UidExpunge => {
                vec![(next(), Command::UidExpunge(self.deleted_uids().collect()))]
            }
            Request::Close => vec![(next(), Command::Close)],
            Request::Noop => vec![(next(), Command::Noop)],
            Request::FetchNew => vec![(
                next(),
                Command::UidFetchNew {
                    from: self.uid_next,
                },
            )],
            Request::Resync => {
                let known_uids = match spec.client_known_uids {
                    ClientKnownUids::Cache => self.cache.keys().copied().collect(),
                    ClientKnownUids::Omit | ClientKnownUids::Star => Vec::new(),
                };
                let seq_match = match spec.client_seq_match {
                    ClientSeqMatch::Omit => Vec::new(),
                    ClientSeqMatch::Cache => self.cache.keys().copied().collect(),
                };
                let select = Command::SelectQresync {
                    uid_validity: self.uid_validity,
                    modseq: self.resync_point,
                    known_uids,
                    star: spec.client_known_uids == ClientKnownUids::Star,
                    seq_match,
                };
                if self.connection.is_some() {
                    vec![(next(), select)]
                } else {
                    vec![(next(), Command::EnableQresync), (next(), select)]
                }
            }
            // ENABLE first on a new connection: the SELECT that follows needs QRESYNC.
            Request::Status if self.connection.is_some() => vec![(next(), Command::Status)],
            Request::Status => vec![(next(), Command::EnableQresync), (next(), Command::Status)],
            Request::FetchVanished => {
                let star = spec.client_fetch_vanished == ClientFetchVanished::Star;
                let uids = match star {
                    true => Vec::new(),
                    false => self.cache.keys().copied().collect(),
                };
                let since = self.resync_point;
                vec![(next(), Command::UidFetchVanished { uids, star, since })]
            }
        }
    }

    /// Sends `commands` (from [`Client::commands`]): opens a connection if there is none and
    /// records what each tag awaits.
    pub fn issue(&mut self, commands: &[(Tag, Command)], spec: &Spec) {
        self.commands_issued += 1;
        self.next_tag += commands.len() as u16;
        let awaiting: Vec<(Tag, Awaiting)> = commands
            .iter()
            .map(|(tag, command)| (*tag, self.awaiting(command, spec)))
            .collect();
        let connection = self
            .connection
            .get_or_insert_with(|| Connection::new(false, 0));
        connection.awaiting.extend(awaiting);
    }

    fn awaiting(&self, command: &Command, spec: &Spec) -> Awaiting {
        match command {
            Command::Expunge | Command::UidExpunge(_)
                if spec.client_out_of_band == ClientOutOfBand::IgnoreVanished =>
            {
                Awaiting::Expunge
            }
            Command::Store { op, flag, .. } => Awaiting::Store {
                op: *op,
                flag: *flag,
            },
            Command::Close => Awaiting::Close,
            Command::SelectQresync { .. } => Awaiting::Select,
            Command::UidFetchNew { .. } => Awaiting::FetchNew,
            Command::UidFetchVanished { .. } => Awaiting::FetchVanished,
            _ => Awaiting::Other,
        }
    }

    /// The connection is lost: unread lines, commands in flight and the per-command
    /// bookkeeping go with it. The cache and the resync point stay.
    pub fn drop_connection(&mut self) {
        self.connection = None;
    }

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
                        Awaiting::Select | Awaiting::FetchNew | Awaiting::FetchVanished
                    )
                });
                match flags {
                    // Against RFC 3501 section 2.2.2: dropped, though its MODSEQ still counts
                    // below (Mailspring-Sync PR #141).
                    Some(_)
                        if spec.client_out_of_band == ClientOutOfBand::IgnoreFetch
                            && !in_sync_loop => {}
                    Some(flags) => {
                        self.cache.insert(*uid, *flags);
                    }
                    // Without FLAGS: the FETCH a `.SILENT` STORE of this client's caused.
                    None => {
                        let store = connection.awaiting.iter().find_map(|(_, a)| match a {
                            Awaiting::Store { op, flag } => Some((*op, *flag)),
                            _ => None,
                        });
                        if let (Some((op, flag)), Some(flags)) = (store, self.cache.get_mut(uid)) {
                            *flags = match op {
                                StoreOp::Add => flags.with(flag),
                                StoreOp::Remove => flags.without(flag),
                            };
                        }
                    }
                }
                connection.modseq_max = connection.modseq_max.max(Some(*modseq));
                if spec.client_resync_point == ClientResyncPoint::Eager {
                    // Against the RFC 7162 section 6 note: adopted on receipt.
                    self.resync_point = self.resync_point.max(*modseq);
                }
            }
            // Against RFC 7162 section 3.2.10.2 ("MUST be recorded"): a VANISHED that answers
            // no expunge of the client's own is dropped, count and all; the HIGHESTMODSEQ
            // after it is adopted as usual (Mailspring-Sync PR #141).
            Response::Vanished { earlier: false, .. }
                if spec.client_out_of_band == ClientOutOfBand::IgnoreVanished
                    && !connection
                        .awaiting
                        .iter()
                        .any(|(_, a)| *a == Awaiting::Expunge) => {}
            Response::Vanished { earlier, uids } => {
                // RFC 7162 section 3.2.10.2: "MUST be recorded". EARLIER or not, the UIDs
                // are gone. Without EARLIER, "each UID listed ... results in the client
                // decrementing the message count by one"; with it, the count stays (section
                // 3.2.10.1).
                for uid in uids {
                    self.cache.remove(uid);
                }
                if !earlier {
                    connection.exists -= uids.len() as i32;
                }
            }
            Response::HighestModSeq(m) => {
                connection.hms_code = Some(*m);
                let selecting = connection
                    .awaiting
                    .iter()
                    .any(|(_, a)| *a == Awaiting::Select);
                if selecting && spec.client_resync_point == ClientResyncPoint::SelectOnReceipt {
                    // Against RFC 7162 section 6: stored before the synchronization completes.
                    self.resync_point = *m;
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
                if spec.client_resync_point == ClientResyncPoint::Status {
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
                    // own HIGHESTMODSEQ is then stored at its OK, as at every SELECT: it
                    // covers nothing the empty cache lacks, as every message is above the
                    // client's UIDNEXT and the expunge history was deleted with the old UIDs.
                    self.cache.clear();
                    self.resync_point = ModSeq(1);
                    self.uid_next = Uid(1);
                }
                // `keep` takes the new UIDVALIDITY and keeps the rest, against RFC 7162 section 6 step 1a.
                self.uid_validity = *v;
            }
            Response::UidValidity(_) | Response::EnabledQresync => {}
            Response::Tagged { tag, status, .. } => {
                if let Some(m) = line.highest_modseq_code() {
                    connection.hms_code = Some(m);
                }
                let position = connection.awaiting.iter().position(|(t, _)| t == tag);
                let awaiting = position.map(|i| connection.awaiting.remove(i).1);
                if *status == Status::Ok {
                    self.complete(awaiting, spec);
                }
                self.adopt_resync_point(spec);
            }
        }
        Some(line)
    }

    fn complete(&mut self, awaiting: Option<Awaiting>, spec: &Spec) {
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
                    self.cache.retain(|_, flags| !flags.contains(Flag::Deleted));
                }
            }
            Some(Awaiting::Select) => {
                if let Some(connection) = self.connection.as_mut() {
                    connection.selected = true;
                    // "This client can now fetch information about new messages" (RFC 7162
                    // section 6).
                    if connection.uid_next_seen.is_some_and(|n| n > self.uid_next) {
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
            | Some(Awaiting::FetchVanished)
            | Some(Awaiting::Expunge)
            | Some(Awaiting::Other)
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
        match spec.client_resync_point {
            // RFC 7162 section 6: "If the HIGHESTMODSEQ response code is received, the
            // client MUST use it even if it has seen higher mod-sequences. Otherwise" the
            // highest MODSEQ, if bigger than the stored value.
            ClientResyncPoint::Rfc7162
            | ClientResyncPoint::Eager
            | ClientResyncPoint::SelectOnReceipt
            | ClientResyncPoint::Status => match code {
                Some(code) => self.resync_point = code,
                None => {
                    if let Some(m) = modseq_max.filter(|m| *m > self.resync_point) {
                        self.resync_point = m;
                    }
                }
            },
            // RFC 5162 section 5: update the copy "whenever the server sends" a
            // HIGHESTMODSEQ code; at each tagged response take the highest MODSEQ seen "if
            // this value is bigger than the client's copy".
            ClientResyncPoint::Rfc5162 => {
                if let Some(code) = code {
                    self.resync_point = code;
                }
                if let Some(m) = modseq_max.filter(|m| *m > self.resync_point) {
                    self.resync_point = m;
                }
            }
        }
    }
}
