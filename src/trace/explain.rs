//! The one sentence that ends a transcript: which client diverged, on which UID or flag,
//! and which MODSEQ hid it; or, for a server fault, what the server sent that it must not.
//! Each property says it beside its definition (`Property::explain`, in `properties/`);
//! this only reads it.

use crate::imap::types::ClientId;
use crate::properties::{Explanation, PointSources, Property};
use crate::system::System;

/// One sentence naming what diverged: which client, UID, flag, and which MODSEQ hid it.
pub(super) fn explain(
    property: &Property,
    state: &System,
    point_sources: &PointSources,
) -> (Option<ClientId>, String) {
    match (property.explain)(state, point_sources) {
        Some(Explanation { client, sentence }) => (client, sentence),
        None => {
            let none = "no divergence found in the last state (a renderer bug: please report it).";
            (None, none.to_string())
        }
    }
}
