//! The `retire` reduction: a client that can take no step again, and about which no
//! property can still fail, is replaced by one placeholder, so that states differing only in
//! what such clients cached are one state. Verdicts only, like `reads`: the printed
//! counterexamples come from a search without it (`Reduction::exact`), whose replay
//! (`Space::concrete`) orders clients by their full replicas.
//!
//! A client is *retired* when it is disconnected and has spent every command: it has no
//! connection, so no line to read and nothing pushed to it, no session on the server, and
//! `System::actions` offers a disconnected client only commands. It is *settled* when, in
//! addition, its resync point is at or below the mailbox's HIGHESTMODSEQ and
//! `resync-point-safe` holds for it. `retire(s)` replaces every settled retired client with
//! the placeholder: no cache, resync point 0, UIDNEXT 0 and UIDVALIDITY 0, a value no mailbox
//! has (RFC 3501 section 9: `uniqueid = nz-number`), which marks it.
//!
//! Soundness, for specs whose mod-sequences only grow (`Spec::modseqs_only_grow`: every
//! change gets HIGHESTMODSEQ + 1, and HIGHESTMODSEQ never falls; `Reduction::sound_for`
//! turns the reduction off elsewhere).
//!
//! 1. Nothing but the properties reads a retired client's replica: the moves of a state come
//!    from the live clients' replicas, the server and the other agent, a client's command
//!    reads its own replica and session, and what it does to the other sessions does not
//!    depend on them (symmetry.rs, point 1); a retired client has no session. So `s` and
//!    `retire(s)` have the same moves, and `retire(step(s, m)) = retire(step(retire(s), m))`:
//!    the states the reduced search reaches are the images of the others, at no greater
//!    depth (and the same moves lead to them).
//! 2. Settled stays settled. Every change after `s` gets a mod-sequence above HIGHESTMODSEQ
//!    in `s`, so above the client's resync point: the messages and expunges at or below the
//!    point in a later state are ones of `s`, unchanged (a flag change takes a new
//!    mod-sequence; `Forget` keeps the log's records; `Renumber` clears the log and changes
//!    the UIDVALIDITY, which puts every UID out of the point's reach). The client's cache,
//!    point and UIDNEXT do not change either, so `resync-point-safe` keeps holding for it.
//! 3. Every `always` property has the same value at `s` and `retire(s)`. `views-converge`,
//!    `divergence-detectable` and `message-count-agrees` judge connected clients only; the
//!    five monitors (`announced-highestmodseq-covered`, `computed-highestmodseq-covered`,
//!    `highestmodseq-monotonic`, `vanished-only-known-uids`, `sequence-numbers-as-told`)
//!    read the server, which `retire` leaves alone;
//!    `resync-point-safe` holds for a settled client (by 2, in every later state too) and
//!    for the placeholder, which covers nothing.
//! 4. `sometimes` properties. `resynced-after-foreign-expunge` and
//!    `modseq-read-above-held-back-expunge` read sessions and connections, which a retired
//!    client lacks. `close-expunged-unseen-deleted` reads the closing client's cache, so it
//!    may hold at `s` through a retired client and not at `retire(s)`; but then it held just
//!    before that client's last step, where it was still live. That step is a drop, after
//!    which the log gains no record of this client's and only loses some (`Renumber`), and
//!    which changes neither the cache nor the log: the state before it is a state of the
//!    search (the drop is a move of its own), or, for a drop after some of a response's
//!    lines, a state inside the whole-response move of the same command, where the search
//!    evaluates `sometimes` properties too (mod.rs, point 4 of `reads`).
//!
//! So a search with `retire` decides every property as the search without it does.
//! `tests/exhaustive/reduction_verdicts.rs` compares the verdicts with the line-by-line
//! model's on every clause value.

use crate::client::Client;
use crate::hashed::Hashed;
use crate::imap::types::{ClientId, ModSeq, Uid};
use crate::imap::uids::UidMap;
use crate::properties::client_resync_point_safe;
use crate::shared::Shared;
use crate::system::{Config, System};

/// `state` with every settled retired client replaced by the placeholder (see the module).
pub fn retire(state: &mut System, config: &Config) {
    for i in 0..state.clients.len() {
        let client = &state.clients[i];
        if is_retired(client, config) && !is_placeholder(client) && is_settled(state, client) {
            state.clients[i] = Shared::new(placeholder(config));
        }
    }
}

/// Whether `client`, connected in `state`, is a client `retire` replaces with the placeholder
/// once it drops: a drop changes neither what `is_settled` reads (the mailbox, and the cache,
/// resync point, UIDNEXT and UIDVALIDITY, `Client::disconnected`) nor the commands spent.
pub fn retires_on_drop(state: &System, client: ClientId, config: &Config) -> bool {
    let replica = &state.clients[client.index()];
    replica.commands_issued >= config.commands
        && !is_placeholder(replica)
        && is_settled(state, replica)
}

/// Disconnected, with every command spent: `System::actions` offers it nothing.
fn is_retired(client: &Client, config: &Config) -> bool {
    client.connection.is_none() && client.commands_issued >= config.commands
}

/// No later step can make `resync-point-safe` fail for it (point 2 of the module).
fn is_settled(state: &System, client: &Client) -> bool {
    client.resync_point <= state.server.mailbox.highest_modseq
        && client_resync_point_safe(state, client)
}

fn is_placeholder(client: &Client) -> bool {
    client.uid_validity == 0
}

/// What every settled retired client becomes.
fn placeholder(config: &Config) -> Client {
    Client {
        cache: Hashed::new(UidMap::new()),
        resync_point: ModSeq(0),
        uid_next: Uid(0),
        uid_validity: 0,
        connection: None,
        commands_issued: config.commands,
        next_tag: 0,
    }
}
