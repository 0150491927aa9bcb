//! The client's clauses: what it stores as its resync point, what it keeps at CLOSE, the
//! known-uids it sends, what it does at a new UIDVALIDITY and with lines outside its sync
//! loop. Each value names its source.

use super::{Clause, ClauseValues};

/// How the client computes its stored resync point at each tagged response.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClientResyncPoint {
    /// Adopt a HIGHESTMODSEQ code, then raise it to the largest MODSEQ seen if that is higher.
    Rfc5162,
    /// A HIGHESTMODSEQ code seen since the last tagged response wins, even if lower;
    /// otherwise the largest MODSEQ seen, if higher than the stored value.
    Rfc7162,
    /// As `Rfc7162`, but also adopts a FETCH's MODSEQ, if higher, as soon as it reads it.
    Eager,
    /// As `Rfc7162`, but stores SELECT's untagged HIGHESTMODSEQ as soon as it reads it,
    /// before the resynchronization completes.
    SelectOnReceipt,
    /// As `Rfc7162`, but the client also sends `STATUS INBOX (HIGHESTMODSEQ)` while INBOX
    /// is not selected (after CLOSE, or on a new connection before its SELECT) and stores
    /// the value it reports, at STATUS's tagged OK, as a code of the mailbox (KDE KIMAP's
    /// CloseJob; Dovecot 2.3.19.1 and Cyrus 3.6.1 both report nothing to a resync from
    /// it). Only this client sends STATUS: the others have no use for it.
    Status,
}

impl ClauseValues for ClientResyncPoint {
    const CLAUSE: Clause = Clause {
        name: "client-resync-point",
        summary: "what the client stores as its resync point at each tagged response",
        arrivals_needed: 0,
        needs: &[],
        values: &[
            ("rfc5162", "RFC 5162 section 5 as published"),
            ("rfc7162", "erratum 1809, RFC 7162 section 6"),
            (
                "eager",
                "against RFC 7162 section 6 note (adopts a MODSEQ as soon as it reads it, \
                 so a lower one sent after it is lost)",
            ),
            (
                "select-on-receipt",
                "against RFC 7162 section 6 (\"Once the synchronization is complete\"; stores \
                 SELECT's HIGHESTMODSEQ on receipt, before the changes that follow it)",
            ),
            (
                "status",
                "against RFC 7162 section 6 (the value comes from the mailbox opening and the \
                 codes and MODSEQs sent while it is selected): stores what STATUS (HIGHESTMODSEQ) \
                 reports (RFC 7162 section 3.1.7, RFC 4551 section 3.6), sent after CLOSE or on \
                 a new connection before SELECT (KDE KIMAP's CloseJob)",
            ),
        ],
    };
    const ALL: &'static [Self] = &[
        Self::Rfc5162,
        Self::Rfc7162,
        Self::Eager,
        Self::SelectOnReceipt,
        Self::Status,
    ];
}

/// What the client does with its cache when CLOSE completes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClientClose {
    /// Leaves the cache as it is: CLOSE reports nothing, so there is nothing to apply.
    Keep,
    /// Drops every message its cache shows as `\Deleted`, since CLOSE expunged them.
    PruneDeleted,
}

impl ClauseValues for ClientClose {
    const CLAUSE: Clause = Clause {
        name: "client-close",
        summary: "what the client does with its cache when CLOSE completes",
        arrivals_needed: 0,
        needs: &[],
        values: &[
            (
                "keep",
                "RFC 7162 section 3.2.8 (CLOSE reports nothing; the next QRESYNC SELECT does)",
            ),
            (
                "prune-deleted",
                "RFC 5162 section 3.4 (a client that trusts CLOSE's HIGHESTMODSEQ must apply \
                 the expunge itself; erratum 1808's rationale assumes it)",
            ),
        ],
    };
    const ALL: &'static [Self] = &[Self::Keep, Self::PruneDeleted];
}

/// Which UIDs the client sends as known-uids in its QRESYNC SELECT.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClientKnownUids {
    Cache,
    Omit,
    /// `1:*`, which RFC 7162 section 7 forbids ("\"*\" is not allowed"); `uid-star` says
    /// what the server makes of it.
    Star,
}

impl ClauseValues for ClientKnownUids {
    const CLAUSE: Clause = Clause {
        name: "client-known-uids",
        summary: "the known-uids a client sends in SELECT (QRESYNC ...)",
        arrivals_needed: 0,
        needs: &[],
        values: &[
            ("cache", "RFC 7162 section 3.2.5.1 (the UIDs in its cache)"),
            (
                "omit",
                "RFC 7162 section 3.2.5.1 (none: the server uses 1:<UIDNEXT-1>)",
            ),
            (
                "star",
                "against RFC 7162 section 7 (known-uids: \"*\" is not allowed): 1:*, which \
                 Cyrus 3.6.1 accepts and Dovecot 2.3.19.1 refuses with BAD (the \
                 model's server accepts it)",
            ),
        ],
    };
    const ALL: &'static [Self] = &[Self::Cache, Self::Omit, Self::Star];
}

/// What the client does when a SELECT reports a UIDVALIDITY other than the one it cached.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClientUidvalidity {
    /// Empties its cache, forgets its stored HIGHESTMODSEQ and its UIDNEXT, and fetches
    /// the mailbox again by UID.
    Wipe,
    /// Takes the new UIDVALIDITY and keeps its cache, resync point and UIDNEXT.
    Keep,
}

impl ClauseValues for ClientUidvalidity {
    const CLAUSE: Clause = Clause {
        name: "client-uidvalidity",
        summary: "what the client does when SELECT reports a new UIDVALIDITY",
        arrivals_needed: 0,
        needs: &[("uidvalidity-change", "renumber")],
        values: &[
            (
                "wipe",
                "RFC 7162 section 6 step 1a, RFC 5162 section 5 step 1a (\"empty the local cache\", \
                 \"forget the cached HIGHESTMODSEQ\"; RFC 7162 section 3.1.2.1: \"MUST delete \
                 the cached value of HIGHESTMODSEQ\"), the SELECT's own not cached either \
                 (section 6: \"MUST cache the received value (unless the mailbox UIDVALIDITY \
                 value has changed\")",
            ),
            (
                "keep",
                "against RFC 7162 section 6 step 1a: takes the new UIDVALIDITY and keeps its \
                 cache, its stored HIGHESTMODSEQ and its UIDNEXT",
            ),
        ],
    };
    const ALL: &'static [Self] = &[Self::Wipe, Self::Keep];
}

/// What the client does with the untagged lines that come outside its sync loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClientOutOfBand {
    /// Applies every line it reads.
    Apply,
    /// Drops a VANISHED (without EARLIER) that answers no expunge of its own.
    IgnoreVanished,
    /// Drops a FETCH with FLAGS outside its QRESYNC SELECT and `UID FETCH n:*`.
    IgnoreFetch,
}

impl ClauseValues for ClientOutOfBand {
    const CLAUSE: Clause = Clause {
        name: "client-out-of-band",
        summary: "whether the client applies the VANISHED and FETCH FLAGS that come at the end \
                  of commands outside its sync loop, where it still moves its resync point",
        arrivals_needed: 0,
        needs: &[],
        values: &[
            (
                "apply",
                "RFC 7162 section 3.2.10.2 (VANISHED \"MUST be recorded\"), RFC 3501 section 2.2.2 \
                 (\"A client MUST be prepared to accept any server response at all times\"; \
                 some data \"MUST be recorded\")",
            ),
            (
                "ignore-vanished",
                "against RFC 7162 section 3.2.10.2: drops a VANISHED at the end of STORE, NOOP \
                 or UID FETCH (applies only its own EXPUNGE's and SELECT's), yet adopts the \
                 HIGHESTMODSEQ that follows (Mailspring-Sync PR #141, nextcloud/mail PR \
                 #10036)",
            ),
            (
                "ignore-fetch",
                "against RFC 3501 section 2.2.2: drops a FETCH with FLAGS outside its QRESYNC \
                 SELECT and UID FETCH n:*, yet counts its MODSEQ for its resync point \
                 (Mailspring-Sync PR #141)",
            ),
        ],
    };
    const ALL: &'static [Self] = &[Self::Apply, Self::IgnoreVanished, Self::IgnoreFetch];
}
