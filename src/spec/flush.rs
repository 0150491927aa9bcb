//! When the server sends a session the changes it holds back from it (issue 27 item 3): the
//! flag changes and the expunges other sessions made, each per kind of command. RFC 3501
//! sections 5.2 and 7.4.1 let a server send them at the end of any command that may carry
//! them, or keep them for later; a real server picks one policy, and `probe` observes it,
//! so that the model's shortest counterexample is one the server can follow. Each value
//! names its source.
//!
//! At their defaults (`any`, which every edition keeps) both clauses change nothing, and
//! traces and reports leave them out (`Spec::shown_values`), so that every model written
//! before them reads and renders as before.

use super::{Clause, ClauseValues};

/// When another session's flag change is sent to a session that holds it back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FlagFlush {
    /// At the end of any command that may carry it, or later: the checker explores both.
    Any,
    /// At the end of the next command that may carry it: STORE, UID STORE, EXPUNGE, UID
    /// EXPUNGE, NOOP, `UID FETCH`, `UID SEARCH`, DONE (`Server::flush_choices`).
    EveryCommand,
    /// At the end of a NOOP or DONE (and in IDLE); a STORE, `UID FETCH` or `UID SEARCH`
    /// before that drops it for the rest of the session (`Session::lost_flags`).
    LostAtSync,
}

impl ClauseValues for FlagFlush {
    const CLAUSE: Clause = Clause {
        name: "flag-flush",
        summary: "when a session is told of another session's flag change: at the end of any \
                  command, or of every command, that may carry it",
        arrivals_needed: 0,
        // Under erratum 1810's lower HIGHESTMODSEQ (rfc7162) a held-back change is never
        // lost, so a server that flushes more often changes no verdict there; without it
        // the value shows which loss is left.
        needs: &[("held-back-highestmodseq", "none")],
        values: &[
            (
                "any",
                "RFC 3501 section 5.2 (\"A server SHOULD send message flag updates \
                 automatically\", naming no moment): at the end of any command, or kept for a \
                 later one",
            ),
            (
                "every-command",
                "RFC 3501 section 5.2 (\"SHOULD send message flag updates automatically\") \
                 kept at every command: sent at the end of the next command that may carry it (Cyrus 3.6.1 and Dovecot 2.3.19.1: told at \
                 the end of UID SEARCH, STORE and NOOP, the probe's exists-update row)",
            ),
            (
                "lost-at-sync",
                "against RFC 7162 section 3.2 (\"MUST send untagged events to a client in a \
                 way that the client doesn't lose any changes\") and RFC 3501 section 5.2's \
                 SHOULD: another session's flag change is sent only at the end of a NOOP or \
                 in IDLE, and a STORE, FETCH or SEARCH that comes first drops it for the rest \
                 of the session (Stalwart as read in its code, not run here: \
                 synchronize_messages moves the session's mod-sequence to the newest change, \
                 and NOOP and IDLE write only the changes after it)",
            ),
        ],
    };
    const ALL: &'static [Self] = &[Self::Any, Self::EveryCommand, Self::LostAtSync];
}

/// When another session's expunge is sent (VANISHED, or `* n EXPUNGE` without QRESYNC) to a
/// session that holds it back. Never during a STORE by sequence number either way (RFC 3501
/// section 7.4.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExpungeFlush {
    /// At the end of any command that may carry it, or later: the checker explores both.
    Any,
    /// At the end of the next command that may carry it: every one the model's client
    /// sends except a STORE by sequence number, and except `UID SEARCH`, where it may
    /// still be kept (Cyrus 3.6.1 keeps it there, as during SEARCH).
    EveryCommand,
}

impl ClauseValues for ExpungeFlush {
    const CLAUSE: Clause = Clause {
        name: "expunge-flush",
        summary: "when a session is told of another session's expunge: at the end of any \
                  command, or of every command, that may carry it (never a sequence-number \
                  STORE)",
        arrivals_needed: 0,
        needs: &[("held-back-highestmodseq", "none")],
        values: &[
            (
                "any",
                "RFC 3501 section 7.4.1 (\"MUST NOT be sent when no command is in progress, \
                 nor while responding to a FETCH, STORE, or SEARCH command\"; \"MAY be sent \
                 during a UID command\"), RFC 7162 section 3.2.10.2: at the end of any other \
                 command, or kept for a later one",
            ),
            (
                "every-command",
                "RFC 3501 section 7.4.1 (\"MAY be sent during a UID command\") taken at the \
                 end of every command but a sequence-number FETCH, STORE or SEARCH, and \
                 UID SEARCH, where it stays free (Cyrus 3.6.1: VANISHED at the end of UID \
                 STORE, UID FETCH and NOOP, none at the end of STORE, FETCH or UID SEARCH)",
            ),
        ],
    };
    const ALL: &'static [Self] = &[Self::Any, Self::EveryCommand];
}
