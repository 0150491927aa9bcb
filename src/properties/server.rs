//! The properties that judge what the server sent and how it keeps its counter: faults of
//! the server, whatever the client does. Each reads a monitor the server sets on the step
//! that broke it (`server/monitor.rs`), and says in the sentence that ends a trace of its
//! violation what the server sent that it must not.

use crate::server::{Misnumbered, Regression};
use crate::system::System;

use super::{Explanation, Kind, Needs, Property};

pub(super) const ANNOUNCED_HIGHESTMODSEQ_COVERED: Property = Property {
    name: "announced-highestmodseq-covered",
    kind: Kind::Always,
    needs: Needs::Nothing,
    section: "RFC 7162 section 3.2 (erratum 1810): the server \"MUST send untagged events \
              to a client in a way that the client doesn't lose any changes\"",
    summary: "no HIGHESTMODSEQ the server sends a session covers a change it is holding \
              back from that session (a fault of the server, whatever the client does)",
    condition: announced_highestmodseq_covered,
    explain: |state, _| {
        let u = state.server.uncovered.as_ref()?;
        let sentence = format!(
            "the server sent {} HIGHESTMODSEQ {} while it held back from that session a change \
             at MODSEQ {}: a client that stores the value can never learn of that change.",
            u.client, u.announced, u.held_back
        );
        Some(Explanation {
            client: Some(u.client),
            sentence,
        })
    },
    tells_detectability: false,
};

pub fn announced_highestmodseq_covered(system: &System) -> bool {
    system.server.uncovered.is_none()
}

pub(super) const COMPUTED_HIGHESTMODSEQ_COVERED: Property = Property {
    name: "computed-highestmodseq-covered",
    kind: Kind::Always,
    needs: Needs::Nothing,
    section: "RFC 7162 section 3.2 (erratum 1810): the server \"MUST send untagged events \
              to a client in a way that the client doesn't lose any changes\"; section 6: \
              at a tagged response without a HIGHESTMODSEQ code \"the client calculates \
              the highest value among all MODSEQ FETCH data items received since the last \
              tagged response\"",
    summary: "no tagged response the server sends a session, with no HIGHESTMODSEQ code \
              since the previous one, follows a MODSEQ above a change it is holding back \
              from that session (a fault of the server, whatever the client does: the \
              value a section 6 client computes there covers the change)",
    condition: computed_highestmodseq_covered,
    explain: |state, _| {
        let u = state.server.computed_uncovered.as_ref()?;
        let sentence = format!(
            "the server sent {} a tagged response with no HIGHESTMODSEQ code after a MODSEQ \
             {} while it held back from that session a change at MODSEQ {}: a client that \
             stores the highest MODSEQ it read there (RFC 7162 section 6) can never learn of \
             that change.",
            u.client, u.announced, u.held_back
        );
        Some(Explanation {
            client: Some(u.client),
            sentence,
        })
    },
    tells_detectability: false,
};

pub fn computed_highestmodseq_covered(system: &System) -> bool {
    system.server.computed_uncovered.is_none()
}

pub(super) const HIGHESTMODSEQ_MONOTONIC: Property = Property {
    name: "highestmodseq-monotonic",
    kind: Kind::Always,
    needs: Needs::Nothing,
    section: "RFC 7162 section 3.1 (each STORE gets \"a different mod-sequence value\", \
              a session's later STORE a greater one) and section 3.2 (an expunge MUST \
              \"increment the per-mailbox mod-sequence\")",
    summary: "the mailbox's HIGHESTMODSEQ never goes down, and no change gets a \
              mod-sequence at or below one an expunge was logged with (a fault of the \
              server)",
    condition: highestmodseq_monotonic,
    explain: |state, _| {
        let (client, sentence) = match state.server.regressed.as_ref()? {
            Regression::Restarted { from } => (
                None,
                format!(
                    "the server's restart lowered the mailbox's HIGHESTMODSEQ from {from} to 1 \
                     with the UIDVALIDITY unchanged: the next change gets MODSEQ 2, a value \
                     clients may already have stored."
                ),
            ),
            Regression::Decreased { by, from, to } => {
                let who = match by {
                    Some(client) => format!("{client}'s expunge"),
                    None => "the other agent's UID MOVE".to_string(),
                };
                let sentence = format!(
                    "{who} lowered the mailbox's HIGHESTMODSEQ from {from} to {to}: the next \
                     change gets MODSEQ {}, a value clients may already have stored.",
                    to.0 + 1
                );
                (*by, sentence)
            }
            Regression::Reused {
                modseq,
                uid,
                expunged_at,
            } => (
                None,
                format!(
                    "a change got MODSEQ {modseq}, though the expunge of UID {uid} was logged at \
                     MODSEQ {expunged_at}: a client that stores {modseq} can never learn of \
                     that expunge."
                ),
            ),
        };
        Some(Explanation { client, sentence })
    },
    tells_detectability: false,
};

pub fn highestmodseq_monotonic(system: &System) -> bool {
    system.server.regressed.is_none()
}

pub(super) const VANISHED_ONLY_KNOWN_UIDS: Property = Property {
    name: "vanished-only-known-uids",
    kind: Kind::Always,
    needs: Needs::Nothing,
    section: "RFC 7162 section 3.2.10.2 (erratum 3322): a VANISHED without EARLIER \
              \"MUST refer only to messages that are visible to the client\"",
    summary: "every UID of a VANISHED without EARLIER had a sequence number in that \
              session when the command began: announced by SELECT or EXISTS, not yet \
              reported gone (a fault of the server)",
    condition: vanished_only_known_uids,
    explain: |state, _| {
        let u = state.server.unannounced.as_ref()?;
        let sentence = format!(
            "the server named UID {} in a VANISHED to {}, which had never been told of it by \
             EXISTS: the client lowers its message count for a message it never counted.",
            u.uid, u.client
        );
        Some(Explanation {
            client: Some(u.client),
            sentence,
        })
    },
    tells_detectability: false,
};

pub fn vanished_only_known_uids(system: &System) -> bool {
    system.server.unannounced.is_none()
}

pub(super) const SEQUENCE_NUMBERS_AS_TOLD: Property = Property {
    name: "sequence-numbers-as-told",
    kind: Kind::Always,
    needs: Needs::Nothing,
    section: "RFC 3501 section 2.3.1.2: a message sequence number is \"a relative position \
              from 1 to the number of messages in the mailbox\", the number the client \
              records from EXISTS (section 7.3.1) and lowers at each EXPUNGE (section \
              7.4.1) or VANISHED UID (RFC 7162 section 3.2.10.2)",
    summary: "every FETCH the server sends a session names a sequence number that session \
              has been told of by then: at most its count, from SELECT's or the latest \
              EXISTS, less one per message reported gone since; and the server reads each \
              sequence number a STORE sends as the session numbers it (a fault of the \
              server)",
    condition: sequence_numbers_as_told,
    explain: |state, _| {
        let (client, sentence) = match state.server.misnumbered.as_ref()? {
            Misnumbered::FetchBeyondCount { client, seq, count } => (
                client,
                format!(
                    "the server sent {client} a FETCH for message {seq} while it had told \
                     {client} of {count} message(s): a client that numbers messages as it was \
                     told (RFC 3501 section 2.3.1.2) cannot place the line (Trojita: \
                     \"UnknownMessageIndex: Got FETCH that is out of bounds\")."
                ),
            ),
            Misnumbered::StoreMisread {
                client,
                seq,
                named,
                read,
            } => {
                let uid = |u: &Option<_>| match u {
                    Some(u) => format!("UID {u}"),
                    None => "no message".to_string(),
                };
                let sentence = format!(
                    "{client} sent STORE {seq}, which names {} in its session, and the server \
                     read it as {}, numbering as if an expunge it had not told {client} of \
                     were reported (RFC 3501 section 7.4.1): the client's flag change goes to \
                     another message.",
                    uid(named),
                    uid(read)
                );
                (client, sentence)
            }
        };
        Some(Explanation {
            client: Some(*client),
            sentence,
        })
    },
    tells_detectability: false,
};

pub fn sequence_numbers_as_told(system: &System) -> bool {
    system.server.misnumbered.is_none()
}
