//! The properties checked over every reachable state, each with its RFC section, its
//! condition and, beside them, the sentence that ends a trace of its violation. Grouped by
//! whom they judge: a client's cache and count against the mailbox (`client.rs`), what the
//! server sent (`server.rs`), and the states the model must reach (`sometimes.rs`). Free of
//! stateright: `model.rs` wraps them; and of traces: `trace/` reads the sentences from here.

mod client;
mod server;
mod sometimes;

pub use client::{
    cache_matches, client_count_agrees, client_resync_point_safe, counts_differ,
    divergence_detectable, message_count_agrees, resync_point_safe, views_converge,
};
pub use server::{
    announced_highestmodseq_covered, computed_highestmodseq_covered, highestmodseq_monotonic,
    sequence_numbers_as_told, vanished_only_known_uids,
};
pub use sometimes::{
    close_expunged_unseen_deleted, modseq_read_above_held_back_expunge,
    resynced_after_foreign_expunge,
};

use crate::imap::types::ClientId;
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

/// What a violation broke, read off the violating state: the sentence that ends its trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    /// The client whose cache or count diverged, or to which the server sent what it must
    /// not, or whose expunge lowered HIGHESTMODSEQ; None where the sentence names no client
    /// (a restart, the other agent's move, a reused MODSEQ).
    pub client: Option<ClientId>,
    /// One sentence: which client, UID, flag, and which MODSEQ hid it; or what the server
    /// sent that it must not.
    pub sentence: String,
}

/// For each client, the line whose HIGHESTMODSEQ or MODSEQ it stored as its resync point,
/// or None for its initial value: what a trace's replay saw, which the state alone does not
/// keep.
pub type PointSources = [Option<String>];

pub struct Property {
    pub name: &'static str,
    pub kind: Kind,
    pub needs: Needs,
    pub section: &'static str,
    pub summary: &'static str,
    pub condition: fn(&System) -> bool,
    /// The sentence that ends a trace of a violation, for a state where `condition` fails;
    /// None where the state shows nothing that broke it (a `sometimes` property has no
    /// violation).
    pub explain: fn(&System, &PointSources) -> Option<Explanation>,
    /// Whether a trace of a violation also says if the client that diverged would notice by
    /// comparing its count with the UIDs it caches (`trace/detectability.rs`): for the
    /// properties that compare a synchronized client's whole cache.
    pub tells_detectability: bool,
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
    client::VIEWS_CONVERGE,
    client::DIVERGENCE_DETECTABLE,
    client::RESYNC_POINT_SAFE,
    client::MESSAGE_COUNT_AGREES,
    server::ANNOUNCED_HIGHESTMODSEQ_COVERED,
    server::COMPUTED_HIGHESTMODSEQ_COVERED,
    server::HIGHESTMODSEQ_MONOTONIC,
    server::VANISHED_ONLY_KNOWN_UIDS,
    server::SEQUENCE_NUMBERS_AS_TOLD,
    sometimes::CLOSE_EXPUNGED_UNSEEN_DELETED,
    sometimes::RESYNCED_AFTER_FOREIGN_EXPUNGE,
    sometimes::MODSEQ_READ_ABOVE_HELD_BACK_EXPUNGE,
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
