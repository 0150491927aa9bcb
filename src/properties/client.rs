//! The properties that judge a client's cache and message count against the mailbox and its
//! session, each with the sentence that ends a trace of its violation.

use crate::client::Client;
use crate::imap::types::{ClientId, Flag};
use crate::imap::wire;
use crate::system::System;

use super::{Explanation, Kind, Needs, PointSources, Property, clients, is_synchronized};

pub(super) const VIEWS_CONVERGE: Property = Property {
    name: "views-converge",
    kind: Kind::Always,
    needs: Needs::Nothing,
    section: "RFC 7162 section 6, RFC 5162 section 5: \"At this point, the client is \
              synchronized\"",
    summary: "a client that is selected, has nothing in flight, has read every line queued \
              for it, and from which the server holds nothing back, caches exactly the \
              mailbox (UIDs and flags)",
    condition: views_converge,
    explain: |state, point_sources| {
        // The whole cache of a synchronized client.
        cache_divergence(state, point_sources, |id| {
            is_synchronized(state, id).then_some(true)
        })
    },
    tells_detectability: true,
};

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

pub(super) const DIVERGENCE_DETECTABLE: Property = Property {
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
    explain: |state, point_sources| {
        // The whole cache of a synchronized client, but only a client whose own count would
        // not show it.
        cache_divergence(state, point_sources, |id| {
            (is_synchronized(state, id) && !counts_differ(state, id)).then_some(true)
        })
    },
    tells_detectability: true,
};

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

pub(super) const RESYNC_POINT_SAFE: Property = Property {
    name: "resync-point-safe",
    kind: Kind::Always,
    needs: Needs::Nothing,
    section: "RFC 7162 sections 3.2.5.1 and 6: a QRESYNC SELECT reports only the changes \
              above the client's stored HIGHESTMODSEQ",
    summary: "every change at or below a client's stored resync point (flag change or \
              expunge) is reflected in its cache (new messages, from its UIDNEXT on, are \
              found by UID instead)",
    condition: resync_point_safe,
    // Every client, but only what its resync point covers.
    explain: |state, point_sources| cache_divergence(state, point_sources, |_| Some(false)),
    tells_detectability: false,
};

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

/// The first client whose cache differs from the mailbox, in one sentence with each UID that
/// differs and the client's resync point. `compares` says, for each client, whether the
/// property compares its whole cache (true) or only what its resync point covers (false),
/// or does not judge it (None).
fn cache_divergence(
    state: &System,
    point_sources: &PointSources,
    compares: impl Fn(ClientId) -> Option<bool>,
) -> Option<Explanation> {
    let mailbox = &state.server.mailbox;
    for (i, client) in state.clients.iter().enumerate() {
        let id = ClientId(i as u8);
        let point = client.resync_point;
        let Some(whole) = compares(id) else {
            continue;
        };
        // Only a QRESYNC SELECT's starting point explains a missing VANISHED.
        let resynced = state
            .server
            .session(id)
            .filter(|s| s.qresync)
            .and_then(|s| s.resynced_from);
        let mut found: Vec<String> = Vec::new();
        // Expunged messages the client still caches.
        for uid in client.cache.keys() {
            let Some(e) = mailbox.expunged.get(uid) else {
                // Under a new UIDVALIDITY the expunge history of the old UIDs is gone.
                if whole && !mailbox.messages.contains_key(uid) {
                    found.push(format!(
                        "{id} still caches UID {uid}, which the mailbox does not have under \
                         UIDVALIDITY {}",
                        mailbox.uid_validity
                    ));
                }
                continue;
            };
            if whole || e.modseq <= point {
                let hidden = match resynced {
                    Some(since) if whole && since >= e.modseq => format!(
                        ", and its QRESYNC SELECT from MODSEQ {since} sent no VANISHED for it, as the expunge's MODSEQ {} is not above {since}",
                        e.modseq
                    ),
                    _ => String::new(),
                };
                found.push(format!(
                    "{id} still caches UID {uid}, which {} expunged at MODSEQ {}{hidden}",
                    e.cause_text(),
                    e.modseq,
                ));
            }
        }
        for (uid, message) in &mailbox.messages {
            if !whole && (message.modseq > point || *uid >= client.uid_next) {
                continue;
            }
            match client.cache.get(uid) {
                None => found.push(format!(
                    "{id} does not cache UID {uid}, which is in the mailbox with flags {} at MODSEQ {}",
                    message.flags, message.modseq,
                )),
                Some(flags) if *flags != message.flags => {
                    let flag = Flag::ALL
                        .into_iter()
                        .find(|f| flags.contains(*f) != message.flags.contains(*f))
                        .expect("flag sets differ");
                    let (cached, actual) = if flags.contains(flag) {
                        ("with", "without")
                    } else {
                        ("without", "with")
                    };
                    found.push(format!(
                        "{id} caches UID {uid} {cached} {flag}, but the mailbox has it {actual} {flag}, last changed at MODSEQ {}",
                        message.modseq,
                    ));
                }
                Some(_) => {}
            }
        }
        if !found.is_empty() {
            let source = match &point_sources[id.index()] {
                Some(line) => format!("stored when it read `{line}`"),
                None => "its initial value".to_string(),
            };
            let sentence = format!(
                "{}; {id}'s resync point is {point} ({source}).",
                found.join("; ")
            );
            return Some(Explanation {
                client: Some(id),
                sentence,
            });
        }
    }
    None
}

pub(super) const MESSAGE_COUNT_AGREES: Property = Property {
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
    explain: |state, _| {
        let id = clients(state).find(|id| !client_count_agrees(state, *id))?;
        let connection = state.clients[id.index()].connection.as_ref()?;
        let numbered = state.server.view(id);
        let sentence = format!(
            "{id} counts {} messages, but its session numbers {} ({}): from here on the two \
             sides mean different messages by the same sequence number.",
            connection.exists,
            numbered.len(),
            if numbered.is_empty() {
                "none".to_string()
            } else {
                format!("UID {}", wire::uid_set(&numbered))
            }
        );
        Some(Explanation {
            client: Some(id),
            sentence,
        })
    },
    tells_detectability: false,
};

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
