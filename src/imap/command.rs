//! The commands a client in the model can send.

use serde::{Deserialize, Serialize};

use super::types::{Flag, ModSeq, Uid};

/// `+FLAGS.SILENT` or `-FLAGS.SILENT` (RFC 3501 section 6.4.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StoreOp {
    Add,
    Remove,
}

/// How a STORE names its message: by sequence number (`STORE`, as in the erratum's story) or
/// by UID (`UID STORE`). The difference matters: during a sequence-number STORE the server
/// must not send EXPUNGE or VANISHED (RFC 3501 section 7.4.1, RFC 7162 section 3.2.10.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Target {
    Seq(u32),
    Uid(Uid),
}

/// One IMAP command as it goes on the wire.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Command {
    Store {
        target: Target,
        op: StoreOp,
        flag: Flag,
    },
    /// EXPUNGE (RFC 5162 section 3.3, RFC 7162 section 3.2.7).
    Expunge,
    /// UID EXPUNGE set (RFC 4315 section 2.1, RFC 5162 section 3.5, RFC 7162 section 3.2.9).
    UidExpunge(Vec<Uid>),
    /// CLOSE (RFC 5162 section 3.4, RFC 7162 section 3.2.8).
    Close,
    Noop,
    /// `UID FETCH <from>:* (FLAGS)`: the client's discovery of new messages (RFC 7162
    /// section 6, step 2, "Discover new messages").
    UidFetchNew {
        from: Uid,
    },
    /// `ENABLE QRESYNC` (RFC 5161, RFC 7162 section 3.2.3).
    EnableQresync,
    /// `STATUS INBOX (HIGHESTMODSEQ)` (RFC 3501 section 6.3.10, RFC 7162 section 3.1.7):
    /// the mailbox's HIGHESTMODSEQ without selecting it.
    Status,
    /// `SELECT INBOX (QRESYNC (uidvalidity modseq [known-uids] [seq-match-data]))` (RFC
    /// 7162 section 3.2.5). An empty `known_uids` is left off the wire (the server then uses
    /// `1:<UIDNEXT-1>`), unless `star`: then the known-uids are `1:*`.
    SelectQresync {
        uid_validity: u32,
        modseq: ModSeq,
        known_uids: Vec<Uid>,
        /// The known-uids are `1:*` (`client-known-uids=star`), which RFC 7162 section 7
        /// forbids.
        star: bool,
        /// seq-match-data (RFC 7162 section 3.2.5.2): the i-th UID is the one the client
        /// believes message number i has. Empty: none sent.
        seq_match: Vec<Uid>,
    },
    /// `UID FETCH <set> (FLAGS) (CHANGEDSINCE since VANISHED)` (RFC 7162 sections 3.1.4.1
    /// and 3.2.6): the set is `uids`, or `1:*` if `star`.
    UidFetchVanished {
        uids: Vec<Uid>,
        star: bool,
        since: ModSeq,
    },
    /// `IDLE` (RFC 2177; RFC 9051 section 6.3.13): the server answers `+ idling` and may
    /// push untagged responses until the client sends `DONE`.
    Idle,
    /// `DONE`, the continuation that ends an IDLE: untagged, it carries the IDLE's tag only
    /// so that the server answers that tag (RFC 9051 section 6.3.13).
    Done,
    /// `SELECT INBOX (CONDSTORE)` (RFC 7162 section 3.1.8): a CONDSTORE enabling command, so
    /// the answer carries HIGHESTMODSEQ (section 3.1.2.1), and no QRESYNC parameter.
    SelectCondstore,
    /// `UID FETCH 1:* (FLAGS) (CHANGEDSINCE since)` (RFC 7162 section 3.1.4.1, Example 12):
    /// the flags of every message whose mod-sequence is above `since`.
    UidFetchChangedSince {
        since: ModSeq,
        /// The highest UID of the set: `1:<upto>` instead of `1:*`
        /// (`client-sync=condstore-drop-top`, meli's set).
        upto: Option<Uid>,
    },
    /// `UID SEARCH ALL` (RFC 3501 sections 6.4.4 and 6.4.8): the UIDs of every message of
    /// the session, which is also its sequence-number map (UIDs ascend with sequence
    /// numbers, RFC 3501 section 2.3.1.1).
    UidSearchAll,
    /// `SELECT INBOX` with no parameter, after `ENABLE QRESYNC`, a CONDSTORE enabling
    /// command (RFC 7162 section 3.2.3): the answer carries HIGHESTMODSEQ (section 3.1.2.1)
    /// and the session gets VANISHED, but nothing is resynchronized until the client's `UID
    /// FETCH <set> (FLAGS) (CHANGEDSINCE m VANISHED)` (`client-sync=fetch-vanished-*`). Last,
    /// so that the other commands order and hash as before.
    Select,
}

impl Command {
    /// Whether the server may send EXPUNGE/VANISHED while answering this command. RFC 3501
    /// section 7.4.1 forbids it during FETCH, STORE and SEARCH by sequence number, because the
    /// client could no longer map sequence numbers to messages.
    pub fn allows_expunge_responses(&self) -> bool {
        !matches!(
            self,
            Command::Store {
                target: Target::Seq(_),
                ..
            }
        )
    }
}
