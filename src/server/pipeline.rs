//! Two commands in flight (`client-pipelining=on`): RFC 3501 section 5.5 lets the server
//! "begin processing another command before processing the current command to completion,
//! subject to ambiguity rules", and "If the server detects a possible ambiguity, it MUST
//! execute commands to completion in the order given by the client".
//!
//! The model's server executes each command in one step, when it arrives. Where the first
//! command's tagged response is still unsent (unread, in the model: a line the client has
//! not read is one the server may still be writing), the server may instead have begun the
//! second before completing the first: the second command's untagged lines then go before
//! the first's tagged response, and the second's tagged response after it (`Reply::interleave`,
//! a server choice the checker explores). The model offers this for the one pair whose
//! independence the text makes plain: two STOREs naming different messages (its "most
//! obvious example of ambiguity" is a STORE and a FETCH of the same message's flags). Other
//! pairs are answered in order, which the text always permits; no VANISHED goes before the
//! tagged response of a sequence-number STORE (RFC 3501 section 7.4.1).
//!
//! Where the first command's tagged OK then stands after a FETCH whose MODSEQ is above a
//! held-back change, erratum 1810 (RFC 7162 section 3.2) is read as `pipelined-highestmodseq`
//! says: `since-tagged` gives that OK the lower HIGHESTMODSEQ code, since the client will use
//! every MODSEQ read since the previous tagged response (section 6); `per-command` leaves the
//! first OK's code as the first command's own lines called for.

use crate::imap::command::Command;
use crate::imap::queue::Queue;
use crate::imap::response::{Code, Lines, Response};
use crate::imap::types::{ClientId, Tag, Uid};
use crate::spec::{PipelinedHighestModseq, Spec};

use super::commands::fetch_modseq_max;
use super::{Reply, Server};

/// The first command in flight, as far as the server's choice to interleave depends on it:
/// a STORE, the message it names and whether it used a sequence number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FirstStore {
    pub tag: Tag,
    pub uid: Uid,
    pub seq: bool,
}

impl Server {
    /// Whether the server may begin `second` before completing `first`: a STORE naming
    /// another message, which sends no VANISHED while a sequence-number STORE is in progress.
    pub fn may_interleave(
        &self,
        client: ClientId,
        first: FirstStore,
        second: &Command,
        reply: Reply,
        spec: &Spec,
    ) -> bool {
        let Some(uid) = self.store_target(client, second, spec) else {
            return false;
        };
        uid != first.uid && !(first.seq && reply.flush.expunges)
    }

    /// Queues `lines`, the second command's answer, with its untagged lines before the first
    /// command's tagged response (the last line of `queue`) and its tagged response after.
    /// Under `since-tagged` (with `held-back-highestmodseq=lower`), the first tagged OK gets
    /// the lower code where the second's FETCH is above a held-back change and the OK carries
    /// no code (one it carries is at or below what was held back when it was written, and
    /// every change held back since has a greater mod-sequence).
    pub fn interleave(
        &mut self,
        client: ClientId,
        first: FirstStore,
        queue: &mut Queue,
        mut lines: Lines,
        spec: &Spec,
    ) {
        let second_tagged = lines
            .pop()
            .expect("a command's answer ends with its tagged line");
        let mut first_tagged = queue
            .pop()
            .expect("the first command's tagged line is unread");
        debug_assert!(matches!(first_tagged, Response::Tagged { tag, .. } if tag == first.tag));
        let bound = self
            .code_bound(client, spec)
            .filter(|_| spec.pipelined_highestmodseq == PipelinedHighestModseq::SinceTagged);
        if let Some(bound) = bound.filter(|_| first_tagged.highest_modseq_code().is_none()) {
            if fetch_modseq_max(&lines).is_some_and(|m| m > bound) {
                if let Response::Tagged { code, .. } = &mut first_tagged {
                    *code = Some(Code::HighestModSeq(bound));
                }
                self.watch(client, Some(bound), self.safe_highest_modseq(client));
            }
        }
        queue.extend(lines);
        queue.push(first_tagged);
        queue.push(second_tagged);
    }
}
