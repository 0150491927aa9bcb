//! The editions (a named set of clause values, as a document was published) and the errata
//! RFC 7162 folded in.

use super::{
    ArrivalModseq, ClientClose, ClientFetchVanished, ClientIdle, ClientKnownUids, ClientOutOfBand,
    ClientPipelining, ClientResyncPoint, ClientSeqMatch, ClientSync, ClientUidvalidity,
    ClientUnchanged, ClientVanishedEarlier, CloseHighestModseq, ExistsUpdate, ExpungeFlush,
    ExpungeHistory, ExpungeModseq, FlagFlush, HeldBackHighestModseq, HeldBackNumbering,
    IdleHighestModseq, IdlePush, KnownUidsScope, MailboxHighestModseq, ModseqRestart,
    PipelinedHighestModseq, Spec, SpecError, UidStar, UidvalidityChange, VanishedEarlier,
    VanishedEarlierLines, VanishedUnannounced,
};

/// A named set of clause values: a document as published.
pub struct Edition {
    pub name: &'static str,
    pub summary: &'static str,
    pub spec: Spec,
}

/// The editions, oldest first. The first is the default.
pub const EDITIONS: [Edition; 3] = [
    Edition {
        name: "rfc5162",
        summary: "RFC 5162 as published (2008): CLOSE answers OK [HIGHESTMODSEQ n] (3.4), \
                  VANISHED may or may not name expunged messages never announced (3.6, a \
                  SHOULD), the client follows section 5 and prunes its \\Deleted messages at \
                  CLOSE",
        spec: RFC5162,
    },
    Edition {
        name: "rfc5162+1808",
        summary: "RFC 5162 with only erratum 1808 applied: CLOSE answers a plain OK, all else \
                  as published",
        spec: Spec {
            close_highestmodseq: CloseHighestModseq::Omit,
            ..RFC5162
        },
    },
    Edition {
        name: "rfc7162",
        summary: "RFC 7162 (2014), with errata 1808, 1809, 1810 and 3322 folded in: plain OK \
                  to CLOSE (3.2.8), client rule of section 6, no HIGHESTMODSEQ over held-back \
                  changes (3.2), VANISHED only for announced messages (3.2.10.2)",
        spec: Spec {
            close_highestmodseq: CloseHighestModseq::Omit,
            held_back_highestmodseq: HeldBackHighestModseq::Lower,
            client_resync_point: ClientResyncPoint::Rfc7162,
            client_close: ClientClose::Keep,
            vanished_unannounced: VanishedUnannounced::Omit,
            ..RFC5162
        },
    },
];

/// RFC 5162 as published. Where it leaves the server a choice (VANISHED (EARLIER)
/// precision, the scope of a QRESYNC SELECT's FETCHes, section 3.6's SHOULD on unannounced
/// expunges) the edition explores both.
const RFC5162: Spec = Spec {
    close_highestmodseq: CloseHighestModseq::Send,
    held_back_highestmodseq: HeldBackHighestModseq::None,
    expunge_modseq: ExpungeModseq::Bump,
    mailbox_highestmodseq: MailboxHighestModseq::Counter,
    vanished_earlier: VanishedEarlier::Any,
    vanished_unannounced: VanishedUnannounced::Any,
    exists_update: ExistsUpdate::Prompt,
    known_uids_scope: KnownUidsScope::Any,
    client_resync_point: ClientResyncPoint::Rfc5162,
    client_close: ClientClose::PruneDeleted,
    client_known_uids: ClientKnownUids::Cache,
    uidvalidity_change: UidvalidityChange::Never,
    client_uidvalidity: ClientUidvalidity::Wipe,
    client_out_of_band: ClientOutOfBand::Apply,
    uid_star: UidStar::LastPresent,
    client_fetch_vanished: ClientFetchVanished::Never,
    expunge_history: ExpungeHistory::Kept,
    client_seq_match: ClientSeqMatch::Omit,
    modseq_restart: ModseqRestart::Persistent,
    client_idle: ClientIdle::Never,
    idle_push: IdlePush::Push,
    idle_highestmodseq: IdleHighestModseq::SinceTagged,
    client_sync: ClientSync::Qresync,
    client_pipelining: ClientPipelining::Off,
    pipelined_highestmodseq: PipelinedHighestModseq::SinceTagged,
    flag_flush: FlagFlush::Any,
    expunge_flush: ExpungeFlush::Any,
    arrival_modseq: ArrivalModseq::Bump,
    client_unchanged: ClientUnchanged::Resync,
    vanished_earlier_lines: VanishedEarlierLines::One,
    client_vanished_earlier: ClientVanishedEarlier::All,
    held_back_numbering: HeldBackNumbering::Kept,
};

/// An erratum to the resync rules, and the clause whose text it changed.
pub struct Erratum {
    pub id: u32,
    pub title: &'static str,
    pub clause: &'static str,
}

/// The errata RFC 7162 folded in (its Appendix B), each one clause of the catalogue. The
/// value before is `rfc5162`'s, the value after `rfc7162`'s.
pub const ERRATA: [Erratum; 4] = [
    Erratum {
        id: 1808,
        title: "CLOSE must not send HIGHESTMODSEQ",
        clause: "close-highestmodseq",
    },
    Erratum {
        id: 1809,
        title: "the client uses a HIGHESTMODSEQ code even if it saw higher MODSEQs",
        clause: "client-resync-point",
    },
    Erratum {
        id: 1810,
        title: "no HIGHESTMODSEQ over changes held back from the session",
        clause: "held-back-highestmodseq",
    },
    Erratum {
        id: 3322,
        title: "VANISHED names only messages announced to the session; rejected for RFC 5162, \
                adopted by RFC 7162 section 3.2.10.2",
        clause: "vanished-unannounced",
    },
];

pub fn edition(name: &str) -> Result<&'static Edition, SpecError> {
    EDITIONS
        .iter()
        .find(|e| e.name == name)
        .ok_or_else(|| SpecError::UnknownEdition {
            edition: name.to_string(),
            valid: EDITIONS.iter().map(|e| e.name).collect(),
        })
}
