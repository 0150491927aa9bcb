//! SELECT, served as the model's QRESYNC SELECT or `SELECT (CONDSTORE)`.

use imap_codec::imap_types::command::SelectParameter;
use imap_codec::imap_types::mailbox::Mailbox as WireMailbox;

use super::data;
use super::served::{Front, REAL};
use super::transcript::render;
use crate::imap::command::Command;
use crate::imap::types::{ModSeq, Uid};

impl Front {
    /// SELECT INBOX, with `(QRESYNC (...))` run as the model's QRESYNC SELECT and otherwise
    /// as its `SELECT (CONDSTORE)`, after a CONDSTORE enabling command (the model's FETCH
    /// carries MODSEQ, which RFC 7162 section 3.1 allows only then). Selecting again first
    /// closes the session's selection, as RFC 3501 section 6.3.1 says, without expunging,
    /// and says so with `* OK [CLOSED]` (RFC 7162 section 3.2.11, read as: any implicit
    /// close, INBOX selected again included, since the responses before it are the closed
    /// selection's).
    pub(super) fn select(
        &mut self,
        tag: &str,
        mailbox: &WireMailbox,
        parameters: &[SelectParameter],
    ) -> Result<Vec<String>, String> {
        let qresync = self.system.server.session(REAL).is_some_and(|s| s.qresync);
        let mut lines = Vec::new();
        if self.system.server.session(REAL).is_some_and(|s| s.selected) {
            self.system.server_mut().disconnect(REAL);
            self.system.server_mut().connect(REAL);
            if let Some(session) = self.system.server_mut().sessions[REAL.index()].as_mut() {
                session.qresync = qresync;
            }
            lines.push("* OK [CLOSED] Previous mailbox closed".to_string());
        }
        lines.extend(self.open(tag, mailbox, parameters)?);
        Ok(lines)
    }

    /// SELECT INBOX once nothing is selected.
    fn open(
        &mut self,
        tag: &str,
        mailbox: &WireMailbox,
        parameters: &[SelectParameter],
    ) -> Result<Vec<String>, String> {
        if *mailbox != WireMailbox::Inbox {
            return Ok(vec![format!("{tag} NO only INBOX is served")]);
        }
        let command = match parameters {
            [] if !self.connection().condstore => {
                return Ok(vec![format!(
                    "{tag} BAD enable CONDSTORE or QRESYNC first: the served FETCH carries \
                     MODSEQ (RFC 7162 section 3.1)"
                )]);
            }
            [] | [SelectParameter::CondStore] => Command::SelectCondstore,
            [
                SelectParameter::QResync {
                    uid_validity,
                    mod_sequence_value,
                    known_uids,
                    seq_match_data,
                },
            ] => {
                let mut star = false;
                let mut known = Vec::new();
                if let Some(set) = known_uids {
                    if data::is_one_to_star(set) {
                        star = true;
                    } else if data::has_star(set) {
                        return Ok(vec![format!(
                            "{tag} BAD known-uids may not contain * (RFC 7162 section 7)"
                        )]);
                    } else {
                        // Only the UIDs the mailbox assigned can name a message or an
                        // expunge; if none is left, one never assigned keeps the set "sent"
                        // (the model reads an empty set as none sent, section 3.2.5.1).
                        let next = self.system.server.mailbox.uid_next;
                        known = data::members(set, 1, next.0 - 1)
                            .into_iter()
                            .map(Uid)
                            .collect();
                        if known.is_empty() {
                            known.push(next);
                        }
                    }
                }
                let mut seq_match = Vec::new();
                if let Some((seqs, uids)) = seq_match_data {
                    // The client's own numbers: bounded before they are walked.
                    let limit = 100_000;
                    if data::highest(seqs, 1) > limit || data::highest(uids, 1) > limit {
                        return Ok(vec![format!(
                            "{tag} BAD seq-match-data beyond {limit} is not served"
                        )]);
                    }
                    let seqs = data::members(seqs, 1, data::highest(seqs, 1));
                    let uids = data::members(uids, 1, data::highest(uids, 1));
                    let uids: Vec<Uid> = uids.into_iter().map(Uid).collect();
                    if seqs != (1..=seqs.len() as u32).collect::<Vec<_>>()
                        || seqs.len() != uids.len()
                    {
                        return Ok(vec![format!(
                            "{tag} BAD seq-match-data other than 1:n and n UIDs is not served"
                        )]);
                    }
                    seq_match = uids;
                }
                Command::SelectQresync {
                    uid_validity: uid_validity.get(),
                    modseq: ModSeq(mod_sequence_value.get()),
                    known_uids: known,
                    star,
                    seq_match,
                }
            }
            _ => return Ok(vec![format!("{tag} BAD one SELECT parameter at most")]),
        };
        self.connection().condstore = true;
        let answer = self.run(&command)?;
        // RFC 3501 section 6.3.1: FLAGS, EXISTS, RECENT and PERMANENTFLAGS are required; the
        // model sends EXISTS and the rest it tracks.
        let mut lines = vec![
            "* FLAGS (\\Deleted \\Seen)".to_string(),
            "* OK [PERMANENTFLAGS (\\Deleted \\Seen)] the flags the model tracks".to_string(),
            "* 0 RECENT".to_string(),
        ];
        lines.extend(render(&answer, tag));
        Ok(lines)
    }
}
