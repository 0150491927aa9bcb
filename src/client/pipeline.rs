//! A `client-pipelining=on` client: which second command it may send while one is in flight
//! (RFC 3501 section 5.5, "Multiple Commands in Progress"; RFC 9051 section 5.5 keeps the
//! rule and clarifies it), at most two in flight. How it reads the answers needs nothing new:
//! at each tagged response it applies RFC 7162 section 6 to every line read since the
//! previous tagged response, whichever command caused it (untagged responses name none).
//!
//! The rule, from the text:
//!
//! - "if the client sends any command other than FETCH, STORE, or SEARCH, it MUST wait for the
//!   completion result response before sending a command with message sequence numbers",
//!   and "UID FETCH, UID STORE, and UID SEARCH are different commands from FETCH, STORE, and
//!   SEARCH": a sequence-number STORE follows only a sequence-number STORE (the one FETCH,
//!   STORE or SEARCH the model has); every other first command (UID STORE, EXPUNGE, UID
//!   EXPUNGE, NOOP, the UID FETCHes) admits only commands without sequence numbers.
//! - "The most obvious example of ambiguity is when a command would affect the results of
//!   another command, e.g., a FETCH of a message's flags and a STORE of that same message's
//!   flags": no second STORE on the message a STORE in flight names (its flags, which the
//!   client computes the second from, are not known until the first is answered).
//! - "any command continuation request responses and command continuations MUST be negotiated
//!   before any subsequent command is initiated": nothing after an IDLE before its DONE; and
//!   the model's client does not pipeline IDLE itself either (a choice: an IDLE queued behind
//!   another command is not modelled).
//! - Commands that change which mailbox is selected change the meaning of every command after
//!   them ("a command that would affect the results of other commands"): nothing is pipelined
//!   after CLOSE, or while INBOX is not selected (the ENABLE and SELECT of a resync are already
//!   a pipelined pair, which the model had before this clause). CLOSE may be the second
//!   command, as EXPUNGE may ("STORE + COPY + EXPUNGE" is among RFC 3501's valid examples).

use crate::imap::command::{StoreOp, Target};
use crate::imap::response::Response;
use crate::imap::types::{Flag, Uid};
use crate::server::FirstStore;
use crate::spec::Spec;

use super::{Awaiting, Client, Request};

impl Client {
    /// The second commands this client may send now: none unless `client-pipelining=on`,
    /// INBOX is selected and exactly one command is in flight, one after which RFC 3501
    /// section 5.5 lets it send without waiting.
    pub(super) fn pipelined_requests(&self, spec: &Spec) -> Vec<Request> {
        let Some(connection) = &self.connection else {
            return Vec::new();
        };
        if !spec.pipelines() || !connection.selected {
            return Vec::new();
        }
        let [(_, first)] = connection.awaiting.as_slice() else {
            return Vec::new();
        };
        // What the first command allows after it: sequence numbers only after a
        // sequence-number STORE; no STORE on the message a STORE in flight names.
        let (seq_allowed, named) = match *first {
            Awaiting::PipelinedStore { uid, seq, .. } => (seq, Some(uid)),
            Awaiting::Expunge | Awaiting::FetchNew | Awaiting::FetchVanished | Awaiting::Other => {
                (false, None)
            }
            Awaiting::Close
            | Awaiting::Select
            | Awaiting::Idle
            | Awaiting::Idling
            | Awaiting::Store { .. } => return Vec::new(),
            // A CONDSTORE-only client's resync sends each command after the one before it
            // has completed (`client/condstore.rs`): nothing is pipelined into it.
            Awaiting::ChangedSince | Awaiting::SearchAll => return Vec::new(),
        };
        let uid_of = |target: Target| match target {
            Target::Uid(uid) => Some(uid),
            Target::Seq(n) => self.cache.keys().nth(n as usize - 1).copied(),
        };
        self.selected_requests(spec)
            .into_iter()
            .filter(|request| match *request {
                Request::Store { target, .. } => {
                    let seq_ok = seq_allowed || matches!(target, Target::Uid(_));
                    seq_ok && (named.is_none() || uid_of(target) != named)
                }
                Request::Idle => false,
                _ => true,
            })
            .collect()
    }

    /// What a pipelining client records for a STORE it sends: the message it names, found
    /// in its cache as the server finds it in the session (the n-th message).
    pub(super) fn pipelined_store(&self, target: Target, op: StoreOp, flag: Flag) -> Awaiting {
        let (uid, seq) = match target {
            Target::Uid(uid) => (uid, false),
            Target::Seq(n) => {
                let uid = self.cache.keys().nth(n as usize - 1).copied();
                (uid.unwrap_or(Uid(0)), true)
            }
        };
        Awaiting::PipelinedStore { uid, seq, op, flag }
    }
}

impl Client {
    /// The STORE in flight whose answer the server may interleave with a second command's
    /// (`server/pipeline.rs`): the one command in flight of a pipelining client, a STORE,
    /// its tagged response the last line queued and unread.
    pub fn first_store_in_flight(&self, spec: &Spec) -> Option<FirstStore> {
        let connection = self.connection.as_ref()?;
        if !spec.pipelines() {
            return None;
        }
        let [(tag, Awaiting::PipelinedStore { uid, seq, .. })] = connection.awaiting.as_slice()
        else {
            return None;
        };
        let last_is_its_tagged = matches!(
            connection.queue.last(),
            Some(Response::Tagged { tag: t, .. }) if t == tag
        );
        last_is_its_tagged.then_some(FirstStore {
            tag: *tag,
            uid: *uid,
            seq: *seq,
        })
    }
}
