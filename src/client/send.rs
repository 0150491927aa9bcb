//! What a client sends: the wire commands a request makes from the replica's state
//! (`commands`, pure), and what each tag then awaits once they are sent (`issue`).

use smallvec::{SmallVec, smallvec};

use super::{Awaiting, Client, Connection, Request};
use crate::imap::command::Command;
use crate::imap::types::{Tag, Uid};
use crate::spec::{
    ClientFetchVanished, ClientKnownUids, ClientOutOfBand, ClientSeqMatch, ClientSync, FetchSet,
    Spec,
};

/// The commands of one request with their tags: one, or two (ENABLE then SELECT), inline.
pub type Commands = SmallVec<[(Tag, Command); 2]>;

impl Client {
    /// The commands `request` sends, with their tags, in order. Pure: see [`Client::issue`].
    pub fn commands(&self, request: Request, spec: &Spec) -> Commands {
        let mut tag = self.next_tag;
        let mut next = || {
            tag += 1;
            Tag(tag - 1)
        };
        match request {
            Request::Store { target, op, flag } => {
                smallvec![(next(), Command::Store { target, op, flag })]
            }
            Request::Expunge => smallvec![(next(), Command::Expunge)],
            Request::UidExpunge => {
                smallvec![(next(), Command::UidExpunge(self.deleted_uids().collect()))]
            }
            Request::Close => smallvec![(next(), Command::Close)],
            Request::Noop => smallvec![(next(), Command::Noop)],
            Request::FetchNew => smallvec![(
                next(),
                Command::UidFetchNew {
                    from: self.uid_next,
                },
            )],
            // RFC 7162 section 3.1.8: no ENABLE, no QRESYNC parameter.
            Request::Resync if spec.client_sync.condstore_only() => {
                smallvec![(next(), Command::SelectCondstore)]
            }
            // RFC 7162 section 3.2.3: ENABLE QRESYNC on a new connection, then a plain SELECT;
            // the resync is the UID FETCH ... VANISHED that follows (`condstore.rs`).
            Request::Resync if spec.client_sync.fetch_set().is_some() => {
                if self.connection.is_some() {
                    smallvec![(next(), Command::Select)]
                } else {
                    smallvec![(next(), Command::EnableQresync), (next(), Command::Select)]
                }
            }
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
                    smallvec![(next(), select)]
                } else {
                    smallvec![(next(), Command::EnableQresync), (next(), select)]
                }
            }
            // ENABLE first on a new connection: the SELECT that follows needs QRESYNC.
            Request::Status if self.connection.is_some() || spec.client_sync.condstore_only() => {
                smallvec![(next(), Command::Status)]
            }
            Request::Status => {
                smallvec![(next(), Command::EnableQresync), (next(), Command::Status)]
            }
            Request::FetchVanished => {
                let set = match spec.client_sync.fetch_set() {
                    Some(set) if self.syncing() => set,
                    _ if spec.client_fetch_vanished == ClientFetchVanished::Star => FetchSet::Star,
                    _ => FetchSet::Cache,
                };
                let uids = match set {
                    FetchSet::Star => Vec::new(),
                    FetchSet::Cache => self.cache.keys().copied().collect(),
                    FetchSet::Maxuid => (1..self.maxuid_bound()).map(Uid).collect(),
                };
                let star = set == FetchSet::Star;
                let since = self.resync_point;
                smallvec![(next(), Command::UidFetchVanished { uids, star, since })]
            }
            Request::Idle => smallvec![(next(), Command::Idle)],
            Request::ChangedSince => smallvec![(
                next(),
                Command::UidFetchChangedSince {
                    since: self.resync_point,
                    // meli's `ONE..lastseenuid`, a Rust range that leaves out its end: `1:`
                    // the highest cached UID less one (`client-sync=condstore-drop-top`).
                    // (`condstore.rs` sends none where that set is empty.)
                    upto: (spec.client_sync == ClientSync::CondstoreDropTop).then(|| {
                        self.cache
                            .keys()
                            .next_back()
                            .map_or(Uid(0), |u| Uid(u.0 - 1))
                    }),
                },
            )],
            Request::SearchAll => smallvec![(next(), Command::UidSearchAll)],
            // DONE answers the IDLE's continuation: it takes no tag of its own; the IDLE's
            // tag is the one its tagged OK will carry.
            Request::Done => {
                let idle = self.connection.as_ref().and_then(|c| {
                    c.awaiting
                        .iter()
                        .find(|(_, a)| *a == Awaiting::Idling)
                        .map(|(t, _)| *t)
                });
                smallvec![(idle.expect("DONE only while idling"), Command::Done)]
            }
        }
    }

    /// Sends `commands` (from [`Client::commands`]): opens a connection if there is none and
    /// records what each tag awaits.
    pub fn issue(&mut self, commands: &[(Tag, Command)], spec: &Spec) {
        if let [(_, Command::Done)] = commands {
            // Ends the IDLE: now awaiting its tagged OK, like any command.
            let connection = self.connection.as_mut().expect("DONE only while idling");
            for (_, awaiting) in connection.awaiting.iter_mut() {
                if *awaiting == Awaiting::Idling {
                    *awaiting = Awaiting::Other;
                }
            }
            return;
        }
        // The commands of a resync after its SELECT count once, with the SELECT, as a QRESYNC
        // reconnect does.
        if !self.syncing() {
            self.commands_issued += 1;
        }
        self.next_tag += commands.len() as u16;
        let awaiting: SmallVec<[(Tag, Awaiting); 2]> = commands
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
            Command::Store { target, op, flag } if spec.pipelines() => {
                self.pipelined_store(*target, *op, *flag)
            }
            Command::Store { op, flag, .. } => Awaiting::Store {
                op: *op,
                flag: *flag,
            },
            Command::Close => Awaiting::Close,
            Command::SelectQresync { .. } | Command::SelectCondstore | Command::Select => {
                Awaiting::Select
            }
            Command::UidFetchChangedSince { .. } => Awaiting::ChangedSince,
            Command::UidSearchAll => Awaiting::SearchAll,
            Command::UidFetchNew { .. } => Awaiting::FetchNew,
            Command::UidFetchVanished { .. } => Awaiting::FetchVanished,
            Command::Idle => Awaiting::Idle,
            _ => Awaiting::Other,
        }
    }
}
