//! The properties checked over every reachable state, each with its RFC section. Free of
//! stateright: `model.rs` wraps them.

use crate::client::Client;
use crate::imap::types::{ClientId, Flag};
use crate::server::ExpungeCause;
use crate::system::{Config, System};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Must hold in every reachable state; a state where it fails is a counterexample.
    Always,
    /// Must hold in some reachable state; if none, the model is vacuous.
    Sometimes,
}

/// What a `sometimes` property's state needs besides the client it watches. Below that the
/// state cannot be reached, so an unreached verdict says nothing about the model: it is "not
/// applicable", not a vacuous model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Needs {
    Nothing,
    /// Another client (erratum 1808's race: another client's `\Deleted`).
    SecondClient,
    /// Another agent that changes the mailbox: a second client, or the other agent's
    /// removals (an expunge by no client).
    OtherAgent,
}

pub struct Property {
    pub name: &'static str,
    pub kind: Kind,
    pub needs: Needs,
    pub section: &'static str,
    pub summary: &'static str,
    pub condition: fn(&System) -> bool,
}

impl Needs {
    /// What is needed, as reports say it: "not applicable (needs ...)".
    pub fn text(self) -> &'static str {
        match self {
            Needs::Nothing => "nothing",
            Needs::SecondClient => "needs 2 clients",
            Needs::OtherAgent => "needs 2 clients, or a removal by the other agent",
        }
    }
}

impl Property {
    /// Whether this property's state cannot be reached under `config`.
    pub fn not_applicable(&self, config: &Config) -> bool {
        match self.needs {
            Needs::Nothing => false,
            Needs::SecondClient => config.clients < 2,
            Needs::OtherAgent => config.clients < 2 && config.removals == 0,
        }
    }
}

/// Every property, in the order reports print them.
pub const PROPERTIES: [Property; 12] = [
    Property {
        name: "views-converge",
        kind: Kind::Always,
        needs: Needs::Nothing,
        section: "RFC 7162 section 6, RFC 5162 section 5: \"At this point, the client is \
                  synchronized\"",
        summary: "a client that is selected, has nothing in flight, has read every line queued \
                  for it, and from which the server holds nothing back, caches exactly the \
                  mailbox (UIDs and flags)",
        condition: views_converge,
    },
    Property {
        name: "divergence-detectable",
        kind: Kind::Always,
        needs: Needs::Nothing,
        section: "RFC 3501 section 7.3.1 (EXISTS \"reports the number of messages in the \
                  mailbox\"), RFC 7162 section 3.2.10.2 (each VANISHED UID decrements it) and \
                  sections 3.2.5 and 6 (the QRESYNC SELECT's resync)",
        summary: "a synchronized client whose cache differs from the mailbox counts a \
                  different number of messages (its last EXISTS, less one per UID of each \
                  VANISHED since) than it caches UIDs, so comparing the two (mutt's and \
                  Trojita's check) notices the loss; where it fails, the divergence is silent",
        condition: divergence_detectable,
    },
    Property {
        name: "resync-point-safe",
        kind: Kind::Always,
        needs: Needs::Nothing,
        section: "RFC 7162 sections 3.2.5.1 and 6: a QRESYNC SELECT reports only the changes \
                  above the client's stored HIGHESTMODSEQ",
        summary: "every change at or below a client's stored resync point (flag change or \
                  expunge) is reflected in its cache (new messages, from its UIDNEXT on, are \
                  found by UID instead)",
        condition: resync_point_safe,
    },
    Property {
        name: "message-count-agrees",
        kind: Kind::Always,
        needs: Needs::Nothing,
        section: "RFC 7162 section 3.2.10.2: \"each UID listed in a VANISHED response results \
                  in the client decrementing the message count by one\"; RFC 3501 sections \
                  7.3.1 and 7.4.1",
        summary: "a selected client that has read every line queued for it counts as many \
                  messages as its session has sequence numbers, so both sides mean the same \
                  message by the same number",
        condition: message_count_agrees,
    },
    Property {
        name: "announced-highestmodseq-covered",
        kind: Kind::Always,
        needs: Needs::Nothing,
        section: "RFC 7162 section 3.2 (erratum 1810): the server \"MUST send untagged events \
                  to a client in a way that the client doesn't lose any changes\"",
        summary: "no HIGHESTMODSEQ the server sends a session covers a change it is holding \
                  back from that session (a fault of the server, whatever the client does)",
        condition: announced_highestmodseq_covered,
    },
    Property {
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
    },
    Property {
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
    },
    Property {
        name: "vanished-only-known-uids",
        kind: Kind::Always,
        needs: Needs::Nothing,
        section: "RFC 7162 section 3.2.10.2 (erratum 3322): a VANISHED without EARLIER \
                  \"MUST refer only to messages that are visible to the client\"",
        summary: "every UID of a VANISHED without EARLIER had a sequence number in that \
                  session when the command began: announced by SELECT or EXISTS, not yet \
                  reported gone (a fault of the server)",
        condition: vanished_only_known_uids,
    },
    Property {
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
    },
    Property {
        name: "close-expunged-unseen-deleted",
        kind: Kind::Sometimes,
        needs: Needs::SecondClient,
        section: "RFC 5162 section 3.4, erratum 1808",
        summary: "a CLOSE expunged a message that the closing client's cache does not show as \
                  \\Deleted",
        condition: close_expunged_unseen_deleted,
    },
    Property {
        name: "resynced-after-foreign-expunge",
        kind: Kind::Sometimes,
        needs: Needs::OtherAgent,
        section: "RFC 7162 section 3.2.5.1",
        summary: "a client is synchronized after a resync (a QRESYNC SELECT, or a UID FETCH \
                  ... CHANGEDSINCE) from a mod-sequence below another client's expunge",
        condition: resynced_after_foreign_expunge,
    },
    Property {
        name: "modseq-read-above-held-back-expunge",
        kind: Kind::Sometimes,
        needs: Needs::OtherAgent,
        section: "RFC 7162 section 3.2, erratum 1810",
        summary: "a client read a MODSEQ higher than an expunge the server still holds back \
                  from it",
        condition: modseq_read_above_held_back_expunge,
    },
];

/// `[$condition::<0>, ..., $condition::<N-1>]`, one per entry of [`PROPERTIES`]: stateright's
/// conditions are plain `fn` pointers, so each wrapper (`model.rs`, `explore/mod.rs`) needs a
/// copy of its condition per index. The one list of indices for both; the wrappers' array
/// type, `[_; PROPERTIES.len()]`, makes a missing or extra index a compile error.
#[macro_export]
macro_rules! per_property {
    ($condition:ident) => {
        [
            $condition::<0>,
            $condition::<1>,
            $condition::<2>,
            $condition::<3>,
            $condition::<4>,
            $condition::<5>,
            $condition::<6>,
            $condition::<7>,
            $condition::<8>,
            $condition::<9>,
            $condition::<10>,
            $condition::<11>,
        ]
    };
}

pub fn property(name: &str) -> Option<&'static Property> {
    PROPERTIES.iter().find(|p| p.name == name)
}

/// The client is selected and idle, and the server holds nothing back from its session: the
/// moment RFC 7162 section 6 calls "synchronized".
pub fn is_synchronized(system: &System, client: ClientId) -> bool {
    let replica = &system.clients[client.index()];
    let session = system.server.session(client);
    replica.is_idle_selected() && session.is_some_and(|s| s.selected && !s.holds_back_anything())
}

fn clients(system: &System) -> impl Iterator<Item = ClientId> {
    (0..system.clients.len()).map(|i| ClientId(i as u8))
}

pub fn views_converge(system: &System) -> bool {
    clients(system)
        .filter(|c| is_synchronized(system, *c))
        .all(|c| cache_matches(system, c))
}

/// The client caches exactly the mailbox's UIDs, each with the mailbox's flags.
pub fn cache_matches(system: &System, client: ClientId) -> bool {
    let messages = &system.server.mailbox.messages;
    let cache = &system.clients[client.index()].cache;
    cache.len() == messages.len()
        && cache
            .iter()
            .zip(messages.iter())
            .all(|((u1, f), (u2, m))| u1 == u2 && *f == m.flags)
}

/// `divergence-detectable`. Judged where `views-converge` is, and failing only where it
/// fails too, for the same client: a synchronized client (RFC 7162 section 6's
/// "synchronized": selected, nothing in flight or unread, nothing held back), whose cache
/// differs from the mailbox. The divergence is detectable if the client's own two numbers
/// disagree: the messages it counts and the UIDs it caches. Three choices, and why:
///
/// - **Which clients.** Every synchronized one, not only those whose last step was a QRESYNC
///   SELECT: a client that stays selected keeps its count by the same EXISTS and VANISHED
///   (RFC 3501 section 7.3.1, RFC 7162 section 3.2.10.2) and can compare at any time, and the
///   property must hold wherever `views-converge` is judged, so that "violated" means the
///   same states for both. A client after its QRESYNC SELECT (RFC 7162 sections 3.2.5 and
///   6) is the case mutt and Trojita check.
/// - **Which count.** The client's message count as it stands (`Connection::exists`): the
///   last EXISTS it read, less one per UID of every VANISHED without EARLIER since (RFC 7162
///   section 3.2.10.2; VANISHED (EARLIER) leaves it, section 3.2.10.1). A later EXISTS
///   replaces the SELECT's ("reports the number of messages in the mailbox", RFC 3501
///   section 7.3.1), and a client that compared the SELECT's EXISTS after a VANISHED would
///   see a mismatch of its own making. Only what the client read counts, never the server's
///   state: the check is the client's.
/// - **What it can see.** Only the count: a divergence in flags alone, or one where a ghost
///   UID and a missing one cancel out, is silent. So is any divergence of a client whose
///   count is off by as much as its cache (a server that counts wrong, which
///   `message-count-agrees` reports).
pub fn divergence_detectable(system: &System) -> bool {
    clients(system)
        .filter(|c| is_synchronized(system, *c) && !cache_matches(system, *c))
        .all(|c| counts_differ(system, c))
}

/// The client counts a different number of messages than it caches UIDs: the check of
/// `divergence-detectable` would notice. Only meaningful for a connected client.
pub fn counts_differ(system: &System, client: ClientId) -> bool {
    let replica = &system.clients[client.index()];
    replica
        .connection
        .as_ref()
        .is_some_and(|c| c.exists != replica.cache.len() as i32)
}

pub fn resync_point_safe(system: &System) -> bool {
    system
        .clients
        .iter()
        .all(|client| client_resync_point_safe(system, client))
}

/// `resync-point-safe` for one replica, `client`, of `system`.
pub fn client_resync_point_safe(system: &System, client: &Client) -> bool {
    let mailbox = &system.server.mailbox;
    // A resync point of another UIDVALIDITY covers none of the mailbox's UIDs: the
    // server ignores it (RFC 7162 section 3.2.5), and the SELECT that says so is where
    // `client-uidvalidity` decides what the client keeps.
    if client.uid_validity != mailbox.uid_validity {
        return true;
    }
    let point = client.resync_point;
    // Messages from the client's UIDNEXT on are new to it: found by UID, not covered by
    // the resync point (RFC 7162 section 6, step 2).
    let flags_reflected = mailbox
        .messages
        .iter()
        .filter(|(uid, m)| m.modseq <= point && **uid < client.uid_next)
        .all(|(uid, m)| client.cache.get(uid) == Some(&m.flags));
    let expunges_reflected = mailbox
        .expunged
        .iter()
        .filter(|(_, e)| e.modseq <= point)
        .all(|(uid, _)| !client.cache.contains_key(uid));
    flags_reflected && expunges_reflected
}

pub fn close_expunged_unseen_deleted(system: &System) -> bool {
    system.server.mailbox.expunged.iter().any(|(uid, e)| {
        e.cause == ExpungeCause::Close
            && e.by.is_some_and(|by| {
                system.clients[by.index()]
                    .cache
                    .get(uid)
                    .is_some_and(|flags| !flags.contains(Flag::Deleted))
            })
    })
}

pub fn resynced_after_foreign_expunge(system: &System) -> bool {
    clients(system).any(|c| {
        let Some(since) = system.server.session(c).and_then(|s| s.resynced_from) else {
            return false;
        };
        is_synchronized(system, c)
            && system
                .server
                .mailbox
                .expunged
                .values()
                .any(|e| e.by != Some(c) && e.modseq > since)
    })
}

pub fn modseq_read_above_held_back_expunge(system: &System) -> bool {
    clients(system).any(|c| {
        let read = system.clients[c.index()]
            .connection
            .as_ref()
            .and_then(|conn| conn.modseq_max);
        let Some(read) = read else { return false };
        system.server.session(c).is_some_and(|s| {
            s.pending_expunges
                .iter()
                .any(|uid| system.server.mailbox.expunged[uid].modseq < read)
        })
    })
}

pub fn announced_highestmodseq_covered(system: &System) -> bool {
    system.server.uncovered.is_none()
}

pub fn computed_highestmodseq_covered(system: &System) -> bool {
    system.server.computed_uncovered.is_none()
}

pub fn highestmodseq_monotonic(system: &System) -> bool {
    system.server.regressed.is_none()
}

pub fn vanished_only_known_uids(system: &System) -> bool {
    system.server.unannounced.is_none()
}

pub fn sequence_numbers_as_told(system: &System) -> bool {
    system.server.misnumbered.is_none()
}

pub fn message_count_agrees(system: &System) -> bool {
    clients(system).all(|c| client_count_agrees(system, c))
}

/// Checked once the client has read everything: while lines are queued, it is behind by
/// design.
pub fn client_count_agrees(system: &System, client: ClientId) -> bool {
    let Some(connection) = &system.clients[client.index()].connection else {
        return true;
    };
    let selected = system.server.session(client).is_some_and(|s| s.selected);
    if !connection.selected || !connection.queue.is_empty() || !selected {
        return true;
    }
    connection.exists == system.server.view(client).len() as i32
}
