//! The one line a `views-converge` or `divergence-detectable` transcript adds: whether the
//! client that diverged would notice by comparing its message count with the UIDs it caches
//! (`properties::divergence_detectable`), computed from the last state.

use crate::imap::types::ClientId;
use crate::properties::{Property, counts_differ, divergence_detectable};
use crate::system::System;

use super::words::count;

/// Whether the client that diverged would notice by comparing its message count with the
/// UIDs it caches: computed from the last state, as `divergence-detectable` judges it.
pub fn sentence(property: &Property, state: &System, client: Option<ClientId>) -> Option<String> {
    if !property.tells_detectability {
        return None;
    }
    let id = client?;
    let replica = &state.clients[id.index()];
    let exists = replica.connection.as_ref()?.exists;
    let cached = count(replica.cache.len(), "UID");
    // A server that names more UIDs than the client counted drives the count below zero.
    let counted = match u64::try_from(exists) {
        Ok(n) => count(n, "message"),
        Err(_) => format!("{exists} messages"),
    };
    let check = "a client that compares the two (mutt's and Trojita's check)";
    // A session without QRESYNC hears of expunges by EXPUNGE (RFC 3501 section 7.4.1).
    let less = match state.server.session(id).is_some_and(|s| !s.qresync) {
        true => "less one per EXPUNGE since",
        false => "less each VANISHED since",
    };
    let sentence = match counts_differ(state, id) {
        true if divergence_detectable(state) => format!(
            "detectable: {id} counts {counted} (its last EXISTS, {less}) but caches \
             {cached}, so {check} notices the loss."
        ),
        true => format!(
            "detectable for {id}, which counts {counted} but caches {cached}; but another \
             client's divergence here is silent (divergence-detectable fails here)."
        ),
        false => format!(
            "silent: {id} counts {counted} and caches {cached}, so {check} does not notice \
             (divergence-detectable fails here)."
        ),
    };
    Some(sentence)
}
