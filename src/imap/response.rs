//! The responses the server can send, untagged and tagged.

use super::types::{FlagSet, ModSeq, Tag, Uid};
use super::uids::UidList;

/// The result of a tagged response (RFC 3501 section 7.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Ok,
    /// A command that failed: here a STORE on a message another session expunged and this
    /// session was not told of yet (RFC 7162 section 3.1.3, Example 11).
    No,
    Bad,
}

/// A response code carried in brackets (RFC 3501 section 7.1, RFC 7162 section 3.1.2.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    HighestModSeq(ModSeq),
    ReadWrite,
}

/// The lines one command is answered with, inline up to a QRESYNC SELECT's answer at the
/// default bounds (see `imap/uids.rs` for why inline).
pub type Lines = smallvec::SmallVec<[Response; 8]>;

/// One response line. Each travels on its own through the connection's queue, so a
/// connection can drop between any two of them.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Response {
    /// `* n FETCH (UID u MODSEQ (m) [FLAGS (...)])`. Under QRESYNC every FETCH carries UID
    /// (RFC 7162 section 3.2.4) and, after a CONDSTORE-enabling command, MODSEQ (section 3.1).
    /// A `.SILENT` STORE's own FETCH carries no FLAGS (RFC 7162 section 3.1.3).
    Fetch {
        seq: u32,
        uid: Uid,
        modseq: ModSeq,
        flags: Option<FlagSet>,
    },
    /// `* VANISHED [(EARLIER)] uids` (RFC 7162 section 3.2.10).
    Vanished { earlier: bool, uids: UidList },
    /// `* n EXISTS` (RFC 3501 section 7.3.1).
    Exists(u32),
    /// `* OK [UIDVALIDITY n]` (RFC 3501 section 7.1).
    UidValidity(u32),
    /// `* OK [UIDNEXT n]` (RFC 3501 section 7.1).
    UidNext(Uid),
    /// `* OK [HIGHESTMODSEQ n]` (RFC 7162 section 3.1.2.1).
    HighestModSeq(ModSeq),
    /// `* ENABLED QRESYNC` (RFC 5161 section 3.2).
    EnabledQresync,
    /// `* STATUS INBOX (HIGHESTMODSEQ n)` (RFC 3501 section 7.2.4, RFC 7162 section 3.1.7:
    /// "the same value that is returned by the server in the HIGHESTMODSEQ response code").
    /// Not a response code: [`Response::highest_modseq_code`] does not read it.
    Status(ModSeq),
    Tagged {
        tag: Tag,
        status: Status,
        code: Option<Code>,
        text: &'static str,
    },
    /// `+ idling`, the continuation request that answers IDLE (RFC 9051 section 6.3.13,
    /// RFC 3501 section 7.5). Last in the enum, so that the other lines hash as before.
    Continue,
    /// `* n EXPUNGE` (RFC 3501 section 7.4.1): message n is gone, and every later sequence
    /// number drops by one. A session without QRESYNC gets these instead of VANISHED (RFC
    /// 7162 section 3.2.10). After `Continue`, so that the other lines hash as before.
    Expunge(u32),
    /// `* SEARCH uids` (RFC 3501 section 7.2.5), answering `UID SEARCH`: UIDs, ascending.
    Search(UidList),
}

impl Response {
    /// The HIGHESTMODSEQ value this line carries, untagged or as a tagged response code.
    pub fn highest_modseq_code(&self) -> Option<ModSeq> {
        match self {
            Response::HighestModSeq(m)
            | Response::Tagged {
                code: Some(Code::HighestModSeq(m)),
                ..
            } => Some(*m),
            _ => None,
        }
    }
}
