//! A readable copy of the system state, saved after each step when asked for
//! (`check --save DIR --snapshots`). Replay compares it when present.

use serde::{Deserialize, Serialize};

use crate::imap::types::{ClientId, Flag, FlagSet, ModSeq, Uid};
use crate::server::UID_VALIDITY;
use crate::system::System;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// Absent while it is the first (only `uidvalidity-change=renumber` changes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid_validity: Option<u32>,
    pub highest_modseq: u64,
    pub messages: Vec<MessageSnapshot>,
    pub expunged: Vec<ExpungedSnapshot>,
    pub clients: Vec<ClientSnapshot>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageSnapshot {
    pub uid: Uid,
    pub flags: Vec<Flag>,
    pub modseq: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpungedSnapshot {
    pub uid: Uid,
    pub modseq: u64,
    /// Null for the other agent, which is not a modelled client.
    pub by: Option<ClientId>,
    pub command: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientSnapshot {
    pub client: ClientId,
    /// The UIDVALIDITY its cache is of; absent while it is the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid_validity: Option<u32>,
    pub cache: Vec<CachedSnapshot>,
    pub resync_point: u64,
    /// `disconnected`, `selected` or `not selected`.
    pub connection: String,
    pub unread_lines: usize,
    pub commands_in_flight: usize,
    /// UIDs whose flag changes the server holds back from this client's session.
    pub held_back_flags: Vec<Uid>,
    /// UIDs whose expunge the server holds back from this client's session.
    pub held_back_expunges: Vec<Uid>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CachedSnapshot {
    pub uid: Uid,
    pub flags: Vec<Flag>,
}

fn flags(set: FlagSet) -> Vec<Flag> {
    set.iter().collect()
}

fn value(m: ModSeq) -> u64 {
    m.0
}

impl Snapshot {
    pub fn of(system: &System) -> Snapshot {
        let mailbox = &system.server.mailbox;
        let validity = |v: u32| (v != UID_VALIDITY).then_some(v);
        Snapshot {
            uid_validity: validity(mailbox.uid_validity),
            highest_modseq: value(mailbox.highest_modseq),
            messages: mailbox
                .messages
                .iter()
                .map(|(uid, m)| MessageSnapshot {
                    uid: *uid,
                    flags: flags(m.flags),
                    modseq: value(m.modseq),
                })
                .collect(),
            expunged: mailbox
                .expunged
                .iter()
                .map(|(uid, e)| ExpungedSnapshot {
                    uid: *uid,
                    modseq: value(e.modseq),
                    by: e.by,
                    command: e.cause.command().to_string(),
                })
                .collect(),
            clients: system
                .clients
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let id = ClientId(i as u8);
                    let session = system.server.session(id);
                    ClientSnapshot {
                        client: id,
                        uid_validity: validity(c.uid_validity),
                        cache: c
                            .cache
                            .iter()
                            .map(|(uid, f)| CachedSnapshot {
                                uid: *uid,
                                flags: flags(*f),
                            })
                            .collect(),
                        resync_point: value(c.resync_point),
                        connection: match &c.connection {
                            None => "disconnected",
                            Some(conn) if conn.selected => "selected",
                            Some(_) => "not selected",
                        }
                        .to_string(),
                        unread_lines: c.connection.as_ref().map_or(0, |conn| conn.queue.len()),
                        commands_in_flight: c
                            .connection
                            .as_ref()
                            .map_or(0, |conn| conn.awaiting.len()),
                        held_back_flags: session
                            .map(|s| s.pending_flags.keys().copied().collect())
                            .unwrap_or_default(),
                        held_back_expunges: session
                            .map(|s| s.pending_expunges.iter().collect())
                            .unwrap_or_default(),
                    }
                })
                .collect(),
        }
    }
}
