//! The rule each `client-resync-point` value follows for the resync point a client stores,
//! as pure functions of what it read: the model's client (`read.rs`) applies them to the
//! lines it reads, and `clients/resync_point.rs` to the lines a real client read, to say
//! which value the real client behaves like. Free of I/O.

use crate::imap::types::ModSeq;
use crate::spec::ClientResyncPoint;

/// The stored resync point after a tagged response, given the HIGHESTMODSEQ code read since
/// the last tagged response (the tagged response's own included) and the highest MODSEQ
/// read since then.
pub fn at_tagged(
    rule: ClientResyncPoint,
    stored: ModSeq,
    code: Option<ModSeq>,
    modseq_max: Option<ModSeq>,
) -> ModSeq {
    match rule {
        // RFC 7162 section 6: "If the HIGHESTMODSEQ response code is received, the client
        // MUST use it even if it has seen higher mod-sequences. Otherwise" the highest
        // MODSEQ, if bigger than the stored value.
        ClientResyncPoint::Rfc7162
        | ClientResyncPoint::Eager
        | ClientResyncPoint::SelectOnReceipt
        | ClientResyncPoint::Status => match code {
            Some(code) => code,
            None => modseq_max.filter(|m| *m > stored).unwrap_or(stored),
        },
        // RFC 5162 section 5: update the copy "whenever the server sends" a HIGHESTMODSEQ
        // code; at each tagged response take the highest MODSEQ seen "if this value is
        // bigger than the client's copy".
        ClientResyncPoint::Rfc5162 => {
            let stored = code.unwrap_or(stored);
            modseq_max.filter(|m| *m > stored).unwrap_or(stored)
        }
    }
}

/// The stored resync point as soon as a FETCH's MODSEQ is read: only `eager` adopts it then,
/// against the RFC 5162 section 5 note RFC 7162 section 6 keeps ("It is not safe to update
/// the client's copy of the HIGHESTMODSEQ value with a MODSEQ FETCH data item value as soon
/// as it is received").
pub fn on_fetch(rule: ClientResyncPoint, stored: ModSeq, modseq: ModSeq) -> ModSeq {
    match rule {
        ClientResyncPoint::Eager => stored.max(modseq),
        _ => stored,
    }
}

/// The stored resync point as soon as an untagged HIGHESTMODSEQ code is read while a SELECT
/// is answered: only `select-on-receipt` stores it then, against RFC 7162 section 6 ("Once
/// the synchronization is complete, it MUST cache the received value").
pub fn on_select_code(rule: ClientResyncPoint, stored: ModSeq, code: ModSeq) -> ModSeq {
    match rule {
        ClientResyncPoint::SelectOnReceipt => code,
        _ => stored,
    }
}

/// Whether a STATUS HIGHESTMODSEQ read while the mailbox is not selected counts as a
/// HIGHESTMODSEQ code at the next tagged response: only under `status` (KDE KIMAP's
/// CloseJob), against RFC 7162 section 6.
pub fn status_is_code(rule: ClientResyncPoint) -> bool {
    rule == ClientResyncPoint::Status
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lower_code_wins_only_after_erratum_1809() {
        let (stored, code, max) = (ModSeq(3), Some(ModSeq(4)), Some(ModSeq(6)));
        assert_eq!(
            at_tagged(ClientResyncPoint::Rfc7162, stored, code, max),
            ModSeq(4)
        );
        assert_eq!(
            at_tagged(ClientResyncPoint::Rfc5162, stored, code, max),
            ModSeq(6)
        );
        assert_eq!(
            at_tagged(ClientResyncPoint::Rfc7162, stored, None, Some(ModSeq(2))),
            ModSeq(3)
        );
        assert_eq!(
            on_fetch(ClientResyncPoint::Eager, stored, ModSeq(5)),
            ModSeq(5)
        );
        assert_eq!(
            on_fetch(ClientResyncPoint::Rfc7162, stored, ModSeq(5)),
            stored
        );
        assert_eq!(
            on_select_code(ClientResyncPoint::SelectOnReceipt, stored, ModSeq(9)),
            ModSeq(9)
        );
        assert!(status_is_code(ClientResyncPoint::Status));
        assert!(!status_is_code(ClientResyncPoint::Rfc5162));
    }
}
