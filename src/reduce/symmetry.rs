//! Client symmetry: every client starts alike and runs the same code, so renaming clients
//! maps runs to runs. The canonical form of a state lists its clients in a fixed order and
//! renames the client ids the state holds to match.
//!
//! Soundness. Let π be a renaming of clients and π(s) the state with client i's replica and
//! session moved to π(i) and every client id in the state renamed by π. (1) The actions of
//! π(s) are those of s renamed, and applying π(a) to π(s) gives π(apply(s, a)): a client's
//! commands depend only on its replica, the server's answers only on the mailbox and that
//! client's session, and what one session's command does to the others is the same for every
//! other (mailbox.rs loops over all sessions alike). (2) Every property quantifies over all
//! clients, or reads a monitor that names the client it blames, so it holds in s iff in π(s)
//! (`divergence-detectable` reads, per client, only its replica, its session and the mailbox,
//! which π moves together). By (1) the states reachable from π(start) are the renamed states
//! reachable from start, and by (2) a search that keeps one state per class (its canonical
//! form) decides every property as the full search does, with paths of the same lengths;
//! `concrete` (mod.rs) renames each step back. Client ids live in the replicas' and sessions'
//! positions and in four fields: `Expunged.by`, `Uncovered.client`, `Regression::Decreased.by`
//! and `Unannounced.client`; a new field holding a `ClientId` must be renamed here too, or the
//! reduction would merge states that differ.

use std::cmp::Ordering;

use smallvec::{SmallVec, smallvec};

use crate::imap::types::ClientId;
use crate::server::Regression;
use crate::system::{Action, System};

/// The clients of `state` in canonical order: `order[i]` is the index in `state` of the
/// client that the canonical form puts at `i`.
///
/// Clients are sorted by everything that belongs to them, compared field by field: replica,
/// session, the UIDs they expunged, and the monitors that name them. Two clients that compare
/// equal hold the same data, so either order gives the same canonical state: the form is a
/// function of the class, which `concrete` relies on. (A comparison, not a hash: it stops at
/// the first difference, usually in the cache, and allocates nothing.)
pub fn canonical_order(state: &System) -> Order {
    let mut order: Order = (0..state.clients.len() as u8).collect();
    order.sort_by(|&a, &b| compare(state, ClientId(a), ClientId(b)));
    order
}

/// An order of the clients, inline up to four: the search computes one for every successor
/// it makes under symmetry.
pub type Order = SmallVec<[u8; 4]>;

fn compare(state: &System, a: ClientId, b: ClientId) -> Ordering {
    let server = &state.server;
    let expunged_by = |c: ClientId| {
        let log = server.mailbox.expunged.iter();
        log.filter(move |(_, e)| e.by == Some(c))
            .map(|(uid, _)| *uid)
    };
    let named = |c: ClientId| {
        let decreased =
            matches!(server.regressed, Some(Regression::Decreased { by, .. }) if by == Some(c));
        (
            server.uncovered.is_some_and(|u| u.client == c),
            server.computed_uncovered.is_some_and(|u| u.client == c),
            decreased,
            server.unannounced.is_some_and(|u| u.client == c),
            server.misnumbered.is_some_and(|m| m.client() == c),
        )
    };
    state.clients[a.index()]
        .cmp(&state.clients[b.index()])
        .then_with(|| server.sessions[a.index()].cmp(&server.sessions[b.index()]))
        .then_with(|| expunged_by(a).cmp(expunged_by(b)))
        .then_with(|| named(a).cmp(&named(b)))
}

/// Whether `order` leaves every client where it is.
pub fn is_identity(order: &[u8]) -> bool {
    order.iter().enumerate().all(|(i, &o)| i == o as usize)
}

/// `state` with its clients in `order` (see [`canonical_order`]) and every client id renamed
/// to match.
pub fn permute(state: &mut System, order: &[u8]) {
    if is_identity(order) {
        return;
    }
    // new_id[old] = the new index of the client that was at `old`.
    let mut new_id: Order = smallvec![0; order.len()];
    for (new, &old) in order.iter().enumerate() {
        new_id[old as usize] = new as u8;
    }
    let rename = |c: ClientId| ClientId(new_id[c.index()]);
    // The replicas are shared (`System::clients`): reordering them copies none.
    state.clients = order
        .iter()
        .map(|&o| state.clients[o as usize].clone())
        .collect();
    let server = state.server_mut();
    let mut sessions: Vec<_> = order
        .iter()
        .map(|&o| server.sessions[o as usize].take())
        .collect();
    std::mem::swap(&mut server.sessions, &mut sessions);
    for expunged in server.mailbox.expunged.values_mut() {
        expunged.by = expunged.by.map(rename);
    }
    if let Some(u) = server.uncovered.as_mut() {
        u.client = rename(u.client);
    }
    if let Some(u) = server.computed_uncovered.as_mut() {
        u.client = rename(u.client);
    }
    if let Some(Regression::Decreased { by, .. }) = server.regressed.as_mut() {
        *by = by.map(rename);
    }
    if let Some(u) = server.unannounced.as_mut() {
        u.client = rename(u.client);
    }
    if let Some(m) = server.misnumbered.as_mut() {
        let client = m.client_mut();
        *client = rename(*client);
    }
}

/// `action` of the canonical state, said of the state whose canonical order is `order`.
pub fn rename_back(action: Action, order: &[u8]) -> Action {
    let back = |c: ClientId| ClientId(order[c.index()]);
    match action {
        Action::Issue {
            client,
            request,
            reply,
        } => Action::Issue {
            client: back(client),
            request,
            reply,
        },
        Action::Read { client } => Action::Read {
            client: back(client),
        },
        Action::Drop { client } => Action::Drop {
            client: back(client),
        },
        Action::Push { client, reply } => Action::Push {
            client: back(client),
            reply,
        },
        Action::Arrive
        | Action::Remove { .. }
        | Action::Renumber
        | Action::Forget
        | Action::Restart => action,
    }
}
