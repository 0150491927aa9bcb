//! Value canonicalization: one state per class of states equal up to the sizes of the gaps
//! between the mod-sequences in use.
//!
//! A mod-sequence stays in a state long after the change that made it is gone (a client's
//! resync point, a code it has not read yet); two runs that made different numbers of changes
//! before reaching the same situation hold values with different gaps between them. This
//! reduction renames the values so that the gaps no run can tell apart become one.
//!
//! Soundness. (A) The model does arithmetic on a mod-sequence in four places, every other use
//! being a comparison (`<`, `==`, `min`, `max`) or a copy:
//! 1. `Server::bump` (server/mailbox.rs): a new change gets HIGHESTMODSEQ + 1;
//! 2. `safe_highest_modseq` and `below_held_back_expunges` (server/monitor.rs): one below the
//!    lowest mod-sequence of a change held back from a session (a `pending_flags` or
//!    `lost_flags` value, or an expunge record's);
//! 3. `Server::close` (server/commands.rs): one below the mod-sequence CLOSE's own expunges
//!    were just given;
//! 4. the monitors' `held_back` (server/monitor.rs): the `safe` of point 2 plus one, which is
//!    the held-back value point 2 subtracted one from (or HIGHESTMODSEQ + 1, recorded only for
//!    a code above HIGHESTMODSEQ, which is never sent).
//!
//! Besides, the constants 0 (nothing forgotten; a retired client's placeholder) and 1 (the
//! first mod-sequence; a client's resync point after a UIDVALIDITY change) are compared with.
//! (B) The reduction applies only where mod-sequences only grow (`Spec::modseqs_only_grow`:
//! one counter for the mailbox, no restart, every expunge and arrival bumps it). There every
//! value in the state is at or below HIGHESTMODSEQ: each was HIGHESTMODSEQ or below when it
//! was made, and HIGHESTMODSEQ never falls.
//! (C) Call the values the server keeps for changes (HIGHESTMODSEQ, the messages', the
//! expunge records', what sessions hold back: `Role::Anchor`) anchors; each was made by point
//! 1, and only anchors are subtracted from (points 2, 3) or added to (1). Let s ≡ t when one
//! map from s's values to t's, with 0 and 1 fixed, keeps their order and, for each anchor v,
//! whether v - 1 is a value of the state or a constant ("v is adjacent"). Then each step
//! keeps ≡: point 1 makes a value above all others (by B), adjacent to the old maximum, in s
//! and t alike; point 2 or 3 gives, for an anchor v, either the value v - 1, which then
//! exists in both, or a new value strictly between v's predecessor and v, in both; point 4
//! gives back v. Every comparison between values, old or new, comes out the same in s and t,
//! and so does every choice the model makes from one: the same actions are enabled and have
//! the same effects, up to the map. A value made by point 2 or 3 is never subtracted from, so
//! whether it is adjacent to its own predecessor needs no keeping; a bump-made anchor stays
//! adjacent or not as it was, since no step makes a value between two existing ones except
//! points 2 and 3, each just below an anchor. Every property compares values (or reads a
//! monitor that is set or not), so it holds in s iff in t. A search that keeps one state per
//! class therefore decides every property as the full search does, with paths of the same
//! lengths (the renaming is per state, as symmetry's is); printed paths are concrete again
//! because `Space::concrete` replays actions, and no action names a mod-sequence (a command's
//! values come from the replica when it is sent).
//! (D) The canonical form maps 0 and 1 to themselves and each other value, in ascending
//! order, to one above the previous one's image, or two above for an anchor that is not
//! adjacent: a function of the class, as (C) needs. It commutes with client symmetry (a
//! renaming that keeps order keeps every comparison the canonical order makes) and is applied
//! before it.
//!
//! `tests/exhaustive/reduction_verdicts.rs` compares the verdicts with the line-by-line
//! model's on every clause value; this file's tests check that the two walks below see every
//! mod-sequence in a state.

use smallvec::SmallVec;

use crate::client::Client;
use crate::imap::response::{Code, Response};
use crate::imap::types::ModSeq;
use crate::server::{Regression, Server, Uncovered};
use crate::system::System;

/// What a value is to the argument above.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Role {
    /// A value the server keeps for a change: the model may add one to it or subtract one.
    Anchor,
    /// A copy, or a value one below an anchor: only ever compared.
    Compared,
}

/// The values of a state and which are anchors: those below 64 as bits (the usual case, the
/// canonical values being small: no sort, no allocation), the others as a list.
#[derive(Default)]
struct Seen {
    present: u64,
    anchors: u64,
    large: Vec<(u64, bool)>,
}

impl Seen {
    fn note(&mut self, value: ModSeq, role: Role) {
        match value.0 {
            v @ 0..64 => {
                self.present |= 1 << v;
                if role == Role::Anchor {
                    self.anchors |= 1 << v;
                }
            }
            _ => self.large.push((value.0, role == Role::Anchor)),
        }
    }

    /// The values below 64, ascending, with whether each is an anchor anywhere.
    fn small(&self) -> impl Iterator<Item = (u64, bool)> + use<> {
        let (mut bits, anchors) = (self.present, self.anchors);
        std::iter::from_fn(move || {
            let value = bits.trailing_zeros();
            bits &= bits.wrapping_sub(1);
            (value < 64).then(|| (u64::from(value), anchors >> value & 1 == 1))
        })
    }

    /// Each value once, ascending, with whether it is an anchor anywhere.
    fn sorted(mut self) -> Vec<(u64, bool)> {
        let mut all: Vec<(u64, bool)> = self.small().collect();
        all.append(&mut self.large);
        // An anchor first among equal values, so the first of each says whether it is one.
        all.sort_unstable_by_key(|&(value, anchor)| (value, !anchor));
        all.dedup_by_key(|(value, _)| *value);
        all
    }
}

/// Renames the mod-sequences of `state` to its class's canonical values (see the module).
pub fn canonicalise(state: &mut System) {
    let mut seen = Seen::default();
    server_values(&state.server, &mut |m, role| seen.note(m, role));
    for client in &state.clients {
        client_values(client, &mut |m, role| seen.note(m, role));
    }
    let map = match seen.large.is_empty() {
        true => canonical_map(seen.small()),
        false => canonical_map(seen.sorted().into_iter()),
    };
    let Some(map) = map else {
        return;
    };
    let rename = |m: &mut ModSeq| m.0 = map.image(m.0);
    let changes = |value: ModSeq| map.image(value.0) != value.0;
    if server_any(&state.server, &changes) {
        rewrite_server(state.server_mut(), &rename);
    }
    for i in 0..state.clients.len() {
        if client_any(&state.clients[i], &changes) {
            rewrite_client(state.clients[i].make_mut(), &rename);
        }
    }
}

/// Old value -> new value, for the values that move.
struct Map {
    moves: SmallVec<[(u64, u64); 16]>,
}

impl Map {
    fn image(&self, value: u64) -> u64 {
        match self.moves.binary_search_by_key(&value, |(old, _)| *old) {
            Ok(i) => self.moves[i].1,
            Err(_) => value,
        }
    }
}

/// The canonical renaming (module, point D) of `values`, each value once, ascending, with
/// whether it is an anchor; None when it moves none.
fn canonical_map(values: impl Iterator<Item = (u64, bool)>) -> Option<Map> {
    let mut moves = SmallVec::new();
    // The previous value and its image; 0 and 1 are fixed.
    let (mut previous, mut image) = (1u64, 1u64);
    for (value, anchor) in values.filter(|&(value, _)| value > 1) {
        let gap = match anchor && value - previous >= 2 {
            true => 2,
            false => 1,
        };
        let new = image + gap;
        if new != value {
            moves.push((value, new));
        }
        (previous, image) = (value, new);
    }
    (!moves.is_empty()).then_some(Map { moves })
}

fn server_values(server: &Server, note: &mut impl FnMut(ModSeq, Role)) {
    let mailbox = &server.mailbox;
    note(mailbox.highest_modseq, Role::Anchor);
    for message in mailbox.messages.values() {
        note(message.modseq, Role::Anchor);
    }
    for expunged in mailbox.expunged.values() {
        note(expunged.modseq, Role::Anchor);
    }
    note(mailbox.forgotten, Role::Compared);
    for session in server.sessions.iter().flatten() {
        for m in session.pending_flags.values() {
            note(*m, Role::Anchor);
        }
        for m in session.lost_flags.values() {
            note(*m, Role::Anchor);
        }
        if let Some(m) = session.resynced_from {
            note(m, Role::Compared);
        }
        if let Some(m) = session.idle.and_then(|idle| idle.shown) {
            note(m, Role::Compared);
        }
    }
    for uncovered in [&server.uncovered, &server.computed_uncovered]
        .into_iter()
        .flatten()
    {
        note(uncovered.announced, Role::Compared);
        note(uncovered.held_back, Role::Compared);
    }
    match server.regressed {
        Some(Regression::Decreased { from, to, .. }) => {
            note(from, Role::Compared);
            note(to, Role::Compared);
        }
        Some(Regression::Reused {
            modseq,
            expunged_at,
            ..
        }) => {
            note(modseq, Role::Compared);
            note(expunged_at, Role::Compared);
        }
        Some(Regression::Restarted { from }) => note(from, Role::Compared),
        None => {}
    }
}

fn rewrite_server(server: &mut Server, rename: &impl Fn(&mut ModSeq)) {
    let mailbox = &mut server.mailbox;
    rename(&mut mailbox.highest_modseq);
    for message in mailbox.messages.values_mut() {
        rename(&mut message.modseq);
    }
    for expunged in mailbox.expunged.values_mut() {
        rename(&mut expunged.modseq);
    }
    rename(&mut mailbox.forgotten);
    for session in server.sessions.iter_mut().flatten() {
        session.pending_flags.values_mut().for_each(rename);
        session.lost_flags.values_mut().for_each(rename);
        session.resynced_from.iter_mut().for_each(rename);
        if let Some(idle) = &mut session.idle {
            idle.shown.iter_mut().for_each(rename);
        }
    }
    let uncovered = [&mut server.uncovered, &mut server.computed_uncovered];
    for Uncovered {
        announced,
        held_back,
        ..
    } in uncovered.into_iter().flatten()
    {
        rename(announced);
        rename(held_back);
    }
    match &mut server.regressed {
        Some(Regression::Decreased { from, to, .. }) => {
            rename(from);
            rename(to);
        }
        Some(Regression::Reused {
            modseq,
            expunged_at,
            ..
        }) => {
            rename(modseq);
            rename(expunged_at);
        }
        Some(Regression::Restarted { from }) => rename(from),
        None => {}
    }
}

fn client_values(client: &Client, note: &mut impl FnMut(ModSeq, Role)) {
    note(client.resync_point, Role::Compared);
    let Some(connection) = &client.connection else {
        return;
    };
    for line in &connection.queue {
        if let Some(m) = line_value(line) {
            note(m, Role::Compared);
        }
    }
    for m in [connection.hms_code, connection.modseq_max]
        .into_iter()
        .flatten()
    {
        note(m, Role::Compared);
    }
    if let Some(sync) = &connection.sync {
        note(sync.opening(), Role::Compared);
    }
}

fn rewrite_client(client: &mut Client, rename: &impl Fn(&mut ModSeq)) {
    rename(&mut client.resync_point);
    let Some(connection) = &mut client.connection else {
        return;
    };
    connection.queue.edit_each(|line| {
        if let Some(m) = line_value_mut(line) {
            rename(m);
        }
    });
    connection.hms_code.iter_mut().for_each(rename);
    connection.modseq_max.iter_mut().for_each(rename);
    if let Some(sync) = &mut connection.sync {
        rename(sync.opening_mut());
    }
}

/// The mod-sequence a queued line carries, if any.
fn line_value(line: &Response) -> Option<ModSeq> {
    match line {
        Response::Fetch { modseq, .. } => Some(*modseq),
        Response::HighestModSeq(m) | Response::Status(m) => Some(*m),
        Response::Tagged {
            code: Some(Code::HighestModSeq(m)),
            ..
        } => Some(*m),
        _ => None,
    }
}

fn line_value_mut(line: &mut Response) -> Option<&mut ModSeq> {
    match line {
        Response::Fetch { modseq, .. } => Some(modseq),
        Response::HighestModSeq(m) | Response::Status(m) => Some(m),
        Response::Tagged {
            code: Some(Code::HighestModSeq(m)),
            ..
        } => Some(m),
        _ => None,
    }
}

fn server_any(server: &Server, test: &impl Fn(ModSeq) -> bool) -> bool {
    let mut any = false;
    server_values(server, &mut |m, _| any |= test(m));
    any
}

fn client_any(client: &Client, test: &impl Fn(ModSeq) -> bool) -> bool {
    let mut any = false;
    client_values(client, &mut |m, _| any |= test(m));
    any
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::reduce::{Reduction, Space};
    use crate::setup::{Bounds, config};
    use crate::spec::clauses;

    /// Every `ModSeq(n)` the state's `Debug` text shows: every mod-sequence it holds. (A
    /// piece that starts with no digit follows a `HighestModSeq(`.)
    fn shown(state: &System) -> Vec<u64> {
        let text = format!("{:?}", (&state.server, &state.clients));
        text.split("ModSeq(")
            .skip(1)
            .filter_map(|rest| {
                let digits = rest
                    .find(|c: char| !c.is_ascii_digit())
                    .unwrap_or(rest.len());
                rest[..digits].parse().ok()
            })
            .collect()
    }

    fn walked(state: &System) -> Vec<u64> {
        let mut values = Vec::new();
        server_values(&state.server, &mut |m, _| values.push(m.0));
        for client in &state.clients {
            client_values(client, &mut |m, _| values.push(m.0));
        }
        values
    }

    /// Checks both walks on every state reachable (up to `limit`) in `config`'s space.
    fn check_walks(name: &str, config: &crate::system::Config, limit: usize) -> usize {
        let space = Space {
            config,
            reduction: Reduction::ALL,
        };
        let start = space.start(&System::initial(config));
        let (mut seen, mut frontier) = (HashSet::new(), vec![start]);
        let mut out = Vec::new();
        while let Some(state) = frontier.pop() {
            if seen.len() >= limit || !seen.insert(state.fingerprint()) {
                continue;
            }
            let (mut shown, mut walked) = (shown(&state), walked(&state));
            shown.sort_unstable();
            walked.sort_unstable();
            assert_eq!(walked, shown, "{name}: the read walk misses a value");
            let mut moved = state.clone();
            rewrite_server(moved.server_mut(), &|m| m.0 += 1000);
            for client in &mut moved.clients {
                rewrite_client(client.make_mut(), &|m| m.0 += 1000);
            }
            assert!(
                self::shown(&moved).iter().all(|&m| m >= 1000),
                "{name}: the rewrite misses a value"
            );
            space.successors(&state, &mut out, &mut |_, _| {});
            frontier.extend(out.drain(..).map(|(_, next)| next));
        }
        seen.len()
    }

    #[test]
    fn the_walks_see_every_mod_sequence_under_every_clause_value() {
        let bounds = |arrivals: u8| Bounds {
            clients: Some(2),
            messages: Some(2),
            commands: Some(2),
            arrivals: Some(arrivals.into()),
            removals: Some(arrivals.min(1).into()),
        };
        let mut states = 0;
        for clause in clauses() {
            for (value, _) in clause.values {
                let mut set: Vec<(String, String)> = (clause.needs.iter())
                    .map(|(c, v)| (c.to_string(), v.to_string()))
                    .collect();
                set.push((clause.name.to_string(), value.to_string()));
                let config = config("rfc7162", &set, bounds(clause.arrivals_needed)).unwrap();
                states += check_walks(&format!("{}={value}", clause.name), &config, 3000);
            }
        }
        assert!(states > 100_000, "{states}");
    }

    #[test]
    fn the_canonical_map_closes_gaps_but_keeps_adjacent_anchors_apart() {
        let seen = |values: &[(u64, bool)]| {
            let mut seen = Seen::default();
            for &(value, anchor) in values {
                let role = if anchor { Role::Anchor } else { Role::Compared };
                seen.note(ModSeq(value), role);
            }
            seen.sorted().into_iter()
        };
        // 0 and 1 fixed; a compared 7 next to 1; an anchor 9 two above it (not adjacent);
        // the anchor 10 adjacent to 9.
        let map = canonical_map(seen(&[(10, true), (0, false), (7, false), (9, true)])).unwrap();
        let images: Vec<u64> = [0, 1, 7, 9, 10].map(|v| map.image(v)).to_vec();
        assert_eq!(images, [0, 1, 2, 4, 5]);
        // An anchor adjacent to a compared value stays adjacent to it; the same value held
        // as anchor and as copy is an anchor.
        let map = canonical_map(seen(&[(5, false), (6, true), (6, false), (9, true)])).unwrap();
        assert_eq!([5, 6, 9].map(|v| map.image(v)), [2, 3, 5]);
        // A canonical state moves nothing.
        assert!(canonical_map(seen(&[(1, true), (2, true), (4, true), (5, false)])).is_none());
        // Values of 64 and more take the list: the same renaming.
        let map = canonical_map(seen(&[(70, true), (3, false), (90, false), (91, true)])).unwrap();
        assert_eq!([3, 70, 90, 91].map(|v| map.image(v)), [2, 4, 5, 6]);
    }
}
