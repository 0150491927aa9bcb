//! What the server remembers of its expunges, and how it answers "what was expunged since
//! m" (VANISHED (EARLIER), RFC 7162 section 3.2.6) from it: the expunge log, the records it
//! let expire (`expunge-history`), seq-match-data (section 3.2.5.2), and what `*` stands for
//! in the UID set asked about (`uid-star`).

use crate::imap::response::{Lines, Response};
use crate::imap::types::{ModSeq, Uid};
use crate::imap::uids::UidList;
use crate::spec::{ExpungeHistory, ModseqRestart, Spec, UidStar, VanishedEarlierLines};

use super::Server;
use super::monitor::Regression;

/// The question a VANISHED (EARLIER) answers.
pub(super) struct EarlierQuery<'a> {
    /// The client's mod-sequence: report what was expunged after it.
    pub since: ModSeq,
    /// Report every expunged UID of the set, whenever expunged (RFC 7162 section 5.1; the
    /// `vanished-earlier=superset` answer).
    pub superset: bool,
    /// seq-match-data: the i-th UID is the one the client believes message i has.
    pub seq_match: &'a [Uid],
}

impl Server {
    /// What `*` stands for in a UID set the client sends. Under `uidnext-minus-1`, the largest
    /// UID assigned (UIDNEXT - 1, RFC 7162 section 3.2.5.1's bound absent known-uids); under
    /// `last-present`, the UID of the last message present, or UIDNEXT if there is none (RFC
    /// 3501 section 9). "Present" is the mailbox now: an
    /// expunge the server still holds back from the session is reported by its own
    /// VANISHED, not by this set.
    pub fn star(&self, spec: &Spec) -> Uid {
        let mailbox = &self.mailbox;
        match spec.uid_star {
            UidStar::UidnextMinus1 => Uid(mailbox.uid_next.0 - 1),
            UidStar::LastPresent => mailbox
                .messages
                .keys()
                .next_back()
                .copied()
                .unwrap_or(mailbox.uid_next),
        }
    }

    /// The UIDs a VANISHED (EARLIER) names for `query` among the UIDs `in_set` accepts.
    ///
    /// From the expunge log, those expunged after `since` (or all, for a superset). Once
    /// the server has let records expire (`forgotten`) and `since` is below the highest of
    /// them, it cannot tell which it would have to name: `truncated` names every UID of the
    /// set below UIDNEXT that is not present (RFC 7162 section 3.2.6 note, Dovecot's and
    /// Cyrus's fallback once their history is gone), `under-report` only what it still
    /// remembers. The model's server asks the note's question with section 5.3's "single
    /// mod-sequence" (the highest expired one) rather than the note's <minmodseq> (the
    /// smallest remembered one minus one): that is at or above it, so the note's server
    /// falls back in more cases, never in fewer; the model's is the one that names the
    /// fewest UIDs without missing one.
    pub(super) fn vanished_earlier(
        &self,
        in_set: impl Fn(Uid) -> bool,
        query: EarlierQuery,
        spec: &Spec,
    ) -> UidList {
        let mailbox = &self.mailbox;
        let forgets = spec.expunge_history != ExpungeHistory::Kept;
        let fallback =
            spec.expunge_history == ExpungeHistory::Truncated && query.since < mailbox.forgotten;
        let mut uids: UidList = if fallback {
            (1..mailbox.uid_next.0)
                .map(Uid)
                .filter(|uid| in_set(*uid) && !mailbox.messages.contains_key(uid))
                .collect()
        } else {
            mailbox
                .expunged
                .iter()
                .filter(|(uid, e)| {
                    let remembered = !forgets || e.modseq > mailbox.forgotten;
                    in_set(**uid) && remembered && (query.superset || e.modseq > query.since)
                })
                .map(|(uid, _)| *uid)
                .collect()
        };
        if let Some(bound) = self.seq_match_bound(query.seq_match) {
            uids.retain(|uid| *uid > bound);
        }
        uids
    }

    /// RFC 7162 section 3.2.5.2: "If a pair matches, then the client knows of any expunges
    /// up to, and including, the message". The model's server walks the pairs in order and
    /// stops at the first that does not match, as the section's example does (a match at 8,
    /// then a mismatch: "the lowest UID included in the VANISHED response would be 9"); the
    /// bound is the last matching pair's UID. Message numbers are the mailbox's as the
    /// SELECT reports it.
    fn seq_match_bound(&self, seq_match: &[Uid]) -> Option<Uid> {
        let present = self.mailbox.messages.keys();
        seq_match
            .iter()
            .zip(present)
            .take_while(|(believed, actual)| believed == actual)
            .map(|(uid, _)| *uid)
            .last()
    }

    /// Whether the server may let its expunge records expire now: under
    /// `expunge-history=truncated|under-report`, while it remembers any.
    pub fn may_forget(&self, spec: &Spec) -> bool {
        let mailbox = &self.mailbox;
        spec.expunge_history != ExpungeHistory::Kept
            && mailbox
                .expunged
                .values()
                .any(|e| e.modseq > mailbox.forgotten)
    }

    /// The server lets every expunge record expire and keeps only the highest mod-sequence
    /// among them (RFC 7162 section 5.3). Sessions lose nothing they are owed: what a
    /// session holds back is its own bookkeeping, not the log.
    pub fn forget(&mut self) {
        let mailbox = &mut self.mailbox;
        let highest = mailbox.expunged.values().map(|e| e.modseq).max();
        mailbox.forgotten = mailbox.forgotten.max(highest.unwrap_or(ModSeq(0)));
    }
}

impl Server {
    /// Whether the server may restart and lose its mod-sequences now: under
    /// `modseq-restart=lost`, once, while no client is connected (a restart ends every
    /// connection; the model lets it happen only where there is none to end).
    pub fn may_restart(&self, spec: &Spec) -> bool {
        spec.modseq_restart == ModseqRestart::Lost
            && !self.mailbox.restarted
            && self.sessions.iter().all(Option::is_none)
    }

    /// The server restarts with its mod-sequences rebuilt from nothing, as from an index
    /// that was lost while the UIDs were not: every message, and every expunge it still
    /// knows of, is at MODSEQ 1, the lowest valid value (RFC 7162 section 7), and so is
    /// HIGHESTMODSEQ; the UIDVALIDITY stays. The `highestmodseq-monotonic` monitor records
    /// the fall if HIGHESTMODSEQ was above 1.
    pub fn restart(&mut self) {
        let mailbox = &mut self.mailbox;
        mailbox.restarted = true;
        let from = mailbox.highest_modseq;
        for message in mailbox.messages.values_mut() {
            message.modseq = ModSeq(1);
        }
        for expunged in mailbox.expunged.values_mut() {
            expunged.modseq = ModSeq(1);
        }
        mailbox.highest_modseq = ModSeq(1);
        mailbox.forgotten = mailbox.forgotten.min(ModSeq(1));
        if from > ModSeq(1) {
            self.regressed.get_or_insert(Regression::Restarted { from });
        }
    }
}

/// The VANISHED (EARLIER) lines that report `uids`, none if it is empty: one line, or one per
/// UID (`vanished-earlier-lines`).
pub(super) fn earlier_lines(uids: UidList, spec: &Spec) -> Lines {
    match spec.vanished_earlier_lines {
        _ if uids.is_empty() => Lines::new(),
        VanishedEarlierLines::One => smallvec::smallvec![Response::Vanished {
            earlier: true,
            uids,
        }],
        VanishedEarlierLines::PerUid => uids
            .iter()
            .map(|uid| Response::Vanished {
                earlier: true,
                uids: std::iter::once(*uid).collect(),
            })
            .collect(),
    }
}
