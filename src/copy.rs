//! Copies of a state's parts, made straight into the place of the copy and, where nothing
//! in the part is on the heap, bitwise.
//!
//! A step copies the replica or the server it writes (`Shared::make_mut`). The derived
//! `Clone` copies field by field, list element by list element, into a temporary that is
//! then moved into the new copy's place: line by line, a replica's copy was 17 % of the time
//! (issue 31). But the model's lists are inline lists that spill to the heap only beyond the
//! default bounds (`imap/uids.rs`), and an inline list holds its elements in itself, no
//! pointer: while no list in a part has spilled, the part owns no heap memory, and a bitwise
//! copy of it is a value of its own, equal to its clone (smallvec 1's inline layout: the
//! array and a length, no pointer). So such a part is copied as one block of bytes into its
//! place (the server's vector of sessions, and a replica's vector of queued lines, aside:
//! each gets a copy of its own); any other is cloned.
//!
//! Each check below takes its struct apart field by field, with no `..`, and every field that
//! is not a list must be `Copy` (`plain`), as must every list's elements: a field added later,
//! or one whose type comes to own heap memory, does not compile until this file says how to
//! copy it.

use std::ptr;

use smallvec::SmallVec;

use crate::client::{Client, Connection};
use crate::hashed::Hashed;
use crate::imap::queue::Queue;
use crate::imap::response::Response;
use crate::imap::uids::UidMap;
use crate::server::{Mailbox, Server, Session};

/// A part `Shared` copies on write.
pub trait CopyTo: Clone {
    /// Writes a copy of `self` to `place`.
    ///
    /// # Safety
    /// `place` is valid for a write of `Self`, does not overlap `self`, and holds no value
    /// that needs dropping.
    unsafe fn copy_to(&self, place: *mut Self) {
        // SAFETY: the caller's promise.
        unsafe { place.write(self.clone()) }
    }
}

impl<T: Clone> CopyTo for Vec<T> {}

impl CopyTo for Client {
    unsafe fn copy_to(&self, place: *mut Client) {
        // SAFETY: the caller's promise for `place`; an inline replica owns no heap memory,
        // so its bitwise copy is a value of its own (module doc). Where the queue's vector
        // of lines is all it has on the heap (a SELECT's answer, more than four lines), the
        // bitwise copy gets a queue of its own, its lines copied bitwise (each owns no heap
        // memory), written over the copied queue without dropping it (it is `self`'s).
        unsafe {
            if !client_inline_but_queue(self) {
                return place.write(self.clone());
            }
            ptr::copy_nonoverlapping(self, place, 1);
            if let Some(connection) = &self.connection
                && connection.queue.entries().spilled()
            {
                let copy = (*place).connection.as_mut().expect("copied connected");
                (&raw mut copy.queue).write(connection.queue.copy_lines());
            }
        }
    }
}

impl CopyTo for Server {
    unsafe fn copy_to(&self, place: *mut Server) {
        // SAFETY: the caller's promise for `place`. Where the sessions' vector is all the
        // server has on the heap, the bitwise copy gets a vector of its own, the sessions
        // copied bitwise into it (each owns no heap memory), written over the copied vector
        // without dropping it (it is `self`'s).
        unsafe {
            if !server_inline_but_sessions(self) {
                return place.write(self.clone());
            }
            let count = self.sessions.len();
            let mut sessions = Vec::with_capacity(count);
            ptr::copy_nonoverlapping(self.sessions.as_ptr(), sessions.as_mut_ptr(), count);
            sessions.set_len(count);
            ptr::copy_nonoverlapping(self, place, 1);
            (&raw mut (*place).sessions).write(sessions);
        }
    }
}

/// Says nothing, but compiles only for a `Copy` field: a `Copy` type has no drop glue, so it
/// owns no heap memory. Every field below that is not a list goes through it, and every
/// list but the queue through `list_inline` or `map_inline`, which ask the same of their
/// elements.
fn plain<T: Copy>(_: &T) -> bool {
    true
}

/// Whether the replica owns no heap memory.
#[cfg(test)]
fn client_inline(client: &Client) -> bool {
    client_inline_but_queue(client)
        && (client.connection.as_ref()).is_none_or(|c| !c.queue.entries().spilled())
}

/// Whether the replica owns no heap memory but, perhaps, its queue's vector of lines.
fn client_inline_but_queue(client: &Client) -> bool {
    let Client {
        cache,
        resync_point,
        uid_next,
        uid_validity,
        connection,
        commands_issued,
        next_tag,
    } = client;
    plain(resync_point)
        && plain(uid_next)
        && plain(uid_validity)
        && plain(commands_issued)
        && plain(next_tag)
        && hashed_map_inline(cache)
        && connection.as_ref().is_none_or(connection_inline_but_queue)
}

fn connection_inline_but_queue(connection: &Connection) -> bool {
    let Connection {
        selected,
        queue,
        awaiting,
        hms_code,
        modseq_max,
        fetch_new,
        uid_next_seen,
        exists,
        frozen,
        sync,
        new_uidvalidity,
        earlier_kept,
    } = connection;
    plain(selected)
        && plain(hms_code)
        && plain(modseq_max)
        && plain(fetch_new)
        && plain(uid_next_seen)
        && plain(exists)
        && plain(frozen)
        && plain(sync)
        && plain(new_uidvalidity)
        && list_inline(awaiting)
        && lines_inline(queue)
        && earlier_kept.as_ref().is_none_or(list_inline)
}

fn response_inline(response: &Response) -> bool {
    match response {
        Response::Vanished { earlier, uids } => plain(earlier) && list_inline(uids),
        Response::Search(uids) => list_inline(uids),
        Response::Fetch {
            seq,
            uid,
            modseq,
            flags,
        } => plain(seq) && plain(uid) && plain(modseq) && plain(flags),
        Response::Tagged {
            tag,
            status,
            code,
            text,
        } => plain(tag) && plain(status) && plain(code) && plain(text),
        Response::Exists(n) | Response::Expunge(n) | Response::UidValidity(n) => plain(n),
        Response::UidNext(uid) => plain(uid),
        Response::HighestModSeq(modseq) | Response::Status(modseq) => plain(modseq),
        Response::EnabledQresync | Response::Continue => true,
    }
}

/// Whether each of the queue's lines keeps its lists inline (the queue's own vector may
/// have spilled: `CopyTo for Client` copies it).
fn lines_inline(queue: &Queue) -> bool {
    queue.entries().iter().all(|line| {
        let (response, fingerprint) = line.parts();
        plain(fingerprint) && response_inline(response)
    })
}

/// Whether a list keeps its elements inline; compiles only for `Copy` elements.
fn list_inline<T: Copy, const N: usize>(list: &SmallVec<[T; N]>) -> bool {
    !list.spilled()
}

/// Whether a map keeps its entries inline; compiles only for `Copy` values.
fn map_inline<V: Copy, const N: usize>(map: &UidMap<V, N>) -> bool {
    !map.spilled()
}

/// Whether a map with its fingerprint kept (hashed.rs) keeps its entries inline.
fn hashed_map_inline<V: Copy, const N: usize>(map: &Hashed<UidMap<V, N>>) -> bool {
    let (entries, fingerprint) = map.parts();
    plain(fingerprint) && map_inline(entries)
}

/// Whether the server owns no heap memory but its vector of sessions.
fn server_inline_but_sessions(server: &Server) -> bool {
    let Server {
        mailbox,
        sessions,
        uncovered,
        computed_uncovered,
        regressed,
        unannounced,
        misnumbered,
    } = server;
    plain(uncovered)
        && plain(computed_uncovered)
        && plain(regressed)
        && plain(unannounced)
        && plain(misnumbered)
        && mailbox_inline(mailbox)
        && sessions.iter().flatten().all(session_inline)
}

fn mailbox_inline(mailbox: &Mailbox) -> bool {
    let Mailbox {
        uid_validity,
        uid_next,
        highest_modseq,
        messages,
        expunged,
        forgotten,
        restarted,
    } = mailbox;
    plain(uid_validity)
        && plain(uid_next)
        && plain(highest_modseq)
        && plain(forgotten)
        && plain(restarted)
        && map_inline(messages)
        && map_inline(expunged)
}

fn session_inline(session: &Session) -> bool {
    let Session {
        qresync,
        selected,
        pending_flags,
        lost_flags,
        pending_expunges,
        pending_arrivals,
        unannounced_expunges,
        resynced_from,
        idle,
    } = session;
    plain(qresync)
        && plain(selected)
        && plain(pending_expunges)
        && plain(pending_arrivals)
        && plain(unannounced_expunges)
        && plain(resynced_from)
        && plain(idle)
        && map_inline(pending_flags)
        && map_inline(lost_flags)
}

#[cfg(test)]
mod tests {
    use std::mem::MaybeUninit;

    use super::*;
    use crate::imap::types::{ModSeq, Uid};

    fn copied<T: CopyTo>(value: &T) -> T {
        let mut place = MaybeUninit::uninit();
        // SAFETY: a fresh place of `T`'s layout, apart from `value`.
        unsafe {
            value.copy_to(place.as_mut_ptr());
            place.assume_init()
        }
    }

    fn vanished(count: u32) -> Response {
        Response::Vanished {
            earlier: false,
            uids: (1..=count).map(Uid).collect(),
        }
    }

    /// A replica with `lines` lines queued, the first a VANISHED of `uids` UIDs.
    fn replica(messages: u32, lines: usize, uids: u32) -> Client {
        let mut client = Client::new(messages);
        let queue = &mut client.connection.as_mut().expect("connected").queue;
        queue.push(vanished(uids));
        queue.extend((1..lines).map(|n| Response::Exists(n as u32)));
        client
    }

    /// Each list inline, and each list spilled in turn: the copy equals the value, and
    /// changing one leaves the other as it was (a bitwise copy of a spilled list would share
    /// its heap memory, and dropping both would free it twice).
    #[test]
    fn a_replica_copies_equal_to_its_clone_whatever_has_spilled() {
        // A queue that spilled, then was read down to fewer lines than fit inline.
        let mut read_down = replica(2, 6, 2);
        let queue = &mut read_down.connection.as_mut().expect("connected").queue;
        (0..3).for_each(|_| drop(queue.remove(0)));
        let cases = [
            (replica(2, 2, 2), true),
            (replica(5, 2, 2), false),
            (replica(2, 6, 2), false),
            (read_down, false),
            (replica(2, 2, 9), false),
        ];
        for (client, inline) in cases {
            assert_eq!(client_inline(&client), inline, "{client:?}");
            let mut copy = copied(&client);
            assert_eq!(copy, client);
            let kept = copied(&client);
            copy.connection.as_mut().expect("connected").queue.clear();
            copy.cache.edit().insert(Uid(40), Default::default());
            assert_ne!(copy, client);
            assert_eq!(client, client.clone());
            // The original grown past any vector it might share, then dropped: the copy
            // is whole (a shared vector would be reallocated, then freed, under it).
            let original = client.clone();
            let mut grown = client;
            let queue = &mut grown.connection.as_mut().expect("connected").queue;
            queue.extend((0..40).map(Response::Exists));
            drop(grown);
            assert_eq!(kept, original);
        }
        let mut disconnected = Client::new(2);
        disconnected.drop_connection();
        assert!(client_inline(&disconnected));
        assert_eq!(copied(&disconnected), disconnected);
    }

    #[test]
    fn a_server_copies_equal_to_its_clone_whatever_has_spilled() {
        let mut held_back = Server::new(2, 3);
        let session = held_back.sessions[1].as_mut().expect("a session");
        for uid in 1..=3 {
            session.pending_flags.insert(Uid(uid), ModSeq(uid as u64));
        }
        let cases = [
            (Server::new(2, 3), true),
            (Server::new(5, 2), false),
            (held_back, false),
        ];
        for (server, inline) in cases {
            assert_eq!(server_inline_but_sessions(&server), inline, "{server:?}");
            let mut copy = copied(&server);
            assert_eq!(copy, server);
            copy.sessions[0] = None;
            copy.mailbox.highest_modseq = ModSeq(99);
            assert_ne!(copy, server);
            assert!(server.sessions[0].is_some());
        }
    }
}
