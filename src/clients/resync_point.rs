//! Which `client-resync-point` values a real client behaves like, read from the wire. At
//! each reconnect a QRESYNC client names its stored HIGHESTMODSEQ in `SELECT mailbox
//! (QRESYNC (uidvalidity modseq ...))` (RFC 7162 section 3.2.5); each value's rule
//! (`client/resync_point.rs`, the model's own client code) is applied to the lines the
//! real client was sent before it, and the values whose stored point equals the one it sent
//! are the ones it behaves like. Lines are parsed with the probe's imap-codec parsing. Free
//! of I/O: it reads a `serve` transcript.

use std::collections::BTreeSet;

use imap_codec::CommandCodec;
use imap_codec::decode::Decoder;
use imap_codec::imap_types::command::{CommandBody, SelectParameter};
use serde::Serialize;

use crate::client::resync_point as rule;
use crate::imap::types::ModSeq;
use crate::probe::parse;
use crate::spec::{ClientResyncPoint, clauses, edition};

/// Every `client-resync-point` value, by name, in catalogue order.
pub fn values() -> Vec<(&'static str, ClientResyncPoint)> {
    let catalogue = clauses();
    let clause = catalogue
        .iter()
        .find(|c| c.name == "client-resync-point")
        .expect("the clause exists");
    clause
        .values
        .iter()
        .map(|(name, _)| {
            let mut spec = edition("rfc7162").expect("the edition exists").spec;
            spec.set(clause.name, name).expect("a listed value");
            (*name, spec.client_resync_point)
        })
        .collect()
}

/// One reconnect: the resync point the client sent, and what each value would have stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reconnect {
    /// The real client's connection, counted from 1.
    pub connection: u32,
    pub sent: u64,
    /// Each value and the point it would have stored (0: none yet).
    pub stored: Vec<Stored>,
    pub like: Vec<&'static str>,
}

/// What one value would have stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Stored {
    pub value: &'static str,
    pub modseq: u64,
}

/// What one transcript shows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Classification {
    pub reconnects: Vec<Reconnect>,
    /// The values that match at every reconnect (empty: none does, or no reconnect).
    pub like: Vec<&'static str>,
    /// Lines sent to the client that did not parse (and so were not read here).
    pub unread: usize,
}

/// One value's reading: its stored point, and what it gathered since the last tagged line.
struct Reader {
    name: &'static str,
    rule: ClientResyncPoint,
    stored: ModSeq,
    code: Option<ModSeq>,
    modseq_max: Option<ModSeq>,
}

/// Classifies the real client (C1) of a `serve` transcript.
pub fn classify(transcript: &str) -> Classification {
    let mut readers: Vec<Reader> = values()
        .into_iter()
        .map(|(name, rule)| Reader {
            name,
            rule,
            stored: ModSeq(0),
            code: None,
            modseq_max: None,
        })
        .collect();
    let mut found = Classification::default();
    let mut connection = 0;
    // Tags of C1's commands not yet answered, and whether each is a SELECT.
    let mut pending: Vec<(String, bool)> = Vec::new();
    let mut uid_validity: Option<u32> = None;
    // A SELECT that reported a new UIDVALIDITY: its HIGHESTMODSEQ is not cached (RFC 7162
    // section 6, "unless the mailbox UIDVALIDITY value has changed").
    let mut new_uid_validity = false;
    for entry in entries(transcript) {
        match entry {
            Entry::Connects => connection += 1,
            Entry::Closed => {
                // What a connection gathered goes with it: no tagged line will adopt it.
                pending.clear();
                new_uid_validity = false;
                for r in &mut readers {
                    r.code = None;
                    r.modseq_max = None;
                }
            }
            Entry::Sent(bytes) => {
                let Ok(([], command)) = CommandCodec::default().decode(&bytes) else {
                    continue;
                };
                let tag = command.tag.inner().to_string();
                let select = matches!(command.body, CommandBody::Select { .. });
                if let CommandBody::Select { parameters, .. } = &command.body {
                    for parameter in parameters {
                        if let SelectParameter::QResync {
                            mod_sequence_value, ..
                        } = parameter
                        {
                            found.reconnects.push(reconnect(
                                connection,
                                mod_sequence_value.get(),
                                &readers,
                            ));
                        }
                    }
                }
                pending.push((tag, select));
            }
            Entry::Read(bytes) => {
                let Ok(line) = parse::line(&bytes) else {
                    found.unread += 1;
                    continue;
                };
                let selecting = pending.iter().any(|(_, s)| *s);
                if let Some((tag, _, _)) = line.tagged() {
                    let was = pending.iter().position(|(t, _)| t == tag);
                    let select = was.is_some_and(|i| pending.remove(i).1);
                    let code = if select && new_uid_validity {
                        new_uid_validity = false;
                        None
                    } else {
                        line.highest_modseq().map(ModSeq)
                    };
                    for r in &mut readers {
                        let code = code.or(r.code.take());
                        let max = r.modseq_max.take();
                        r.stored = rule::at_tagged(r.rule, r.stored, code, max);
                    }
                } else if let Some(m) = line.highest_modseq() {
                    if !new_uid_validity {
                        for r in &mut readers {
                            r.code = Some(ModSeq(m));
                            if selecting {
                                r.stored = rule::on_select_code(r.rule, r.stored, ModSeq(m));
                            }
                        }
                    }
                } else if let Some(v) = line.uid_validity() {
                    if uid_validity.is_some_and(|known| known != v) {
                        // RFC 7162 section 6 step 1a: "forget the cached HIGHESTMODSEQ".
                        new_uid_validity = true;
                        for r in &mut readers {
                            r.stored = ModSeq(0);
                            r.code = None;
                        }
                    }
                    uid_validity = Some(v);
                } else if let Some(m) = line.status_highest_modseq() {
                    for r in readers.iter_mut().filter(|r| rule::status_is_code(r.rule)) {
                        r.code = Some(ModSeq(m));
                    }
                } else if let Some(m) = line.fetch().and_then(|f| f.modseq) {
                    for r in &mut readers {
                        r.modseq_max = r.modseq_max.max(Some(ModSeq(m)));
                        r.stored = rule::on_fetch(r.rule, r.stored, ModSeq(m));
                    }
                }
            }
        }
    }
    if !found.reconnects.is_empty() {
        let mut like: BTreeSet<&str> = found.reconnects[0].like.iter().copied().collect();
        for r in &found.reconnects[1..] {
            like.retain(|v| r.like.contains(v));
        }
        // Catalogue order, not the set's.
        found.like = values()
            .into_iter()
            .map(|(name, _)| name)
            .filter(|n| like.contains(n))
            .collect();
    }
    found
}

fn reconnect(connection: u32, sent: u64, readers: &[Reader]) -> Reconnect {
    let stored: Vec<Stored> = readers
        .iter()
        .map(|r| Stored {
            value: r.name,
            modseq: r.stored.0,
        })
        .collect();
    let like = stored
        .iter()
        .filter(|s| s.modseq == sent)
        .map(|s| s.value)
        .collect();
    Reconnect {
        connection,
        sent,
        stored,
        like,
    }
}

impl Classification {
    /// One line: each reconnect, then the values matched at every one.
    pub fn text(&self) -> String {
        if self.reconnects.is_empty() {
            return "resync point: not exercised (no QRESYNC SELECT after a first sync)".into();
        }
        let each: Vec<String> = self
            .reconnects
            .iter()
            .map(|r| {
                let stored: Vec<String> = r
                    .stored
                    .iter()
                    .map(|s| format!("{} {}", s.value, s.modseq))
                    .collect();
                format!(
                    "connection {} sent {} ({})",
                    r.connection,
                    r.sent,
                    stored.join(", ")
                )
            })
            .collect();
        let unread = match self.unread {
            0 => String::new(),
            n => format!(" ({n} line(s) sent to it did not parse and were not read)"),
        };
        format!(
            "resync point: {}; behaves like: {}{unread}",
            each.join("; "),
            names(&self.like)
        )
    }
}

/// Value names, or `none`.
pub fn names(like: &[&str]) -> String {
    if like.is_empty() {
        "none".into()
    } else {
        like.join(", ")
    }
}

/// A transcript entry the classification reads.
#[derive(Debug, PartialEq, Eq)]
enum Entry {
    Connects,
    Closed,
    /// A C1 line, as sent (CRLF included).
    Sent(Vec<u8>),
    /// An S1 line, as sent, literals included.
    Read(Vec<u8>),
}

/// The transcript's C1 and S1 entries and connection events. An S1 line with a literal
/// (`{n}` before its CRLF) spans lines: the literal's n bytes are taken as they are.
fn entries(transcript: &str) -> Vec<Entry> {
    let bytes = transcript.as_bytes();
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let end = line_end(bytes, at);
        let line = &bytes[at..end];
        let mut next = (end + 1).min(bytes.len());
        if line == b"-- C1 connects" {
            out.push(Entry::Connects);
        } else if line == b"-- C1's connection is closed"
            || line.starts_with(b"-- the server drops C1's connection")
        {
            out.push(Entry::Closed);
        } else if let Some(rest) = line.strip_prefix(b"C1: ") {
            let mut sent = rest.to_vec();
            sent.extend_from_slice(b"\r\n");
            out.push(Entry::Sent(sent));
        } else if let Some(rest) = line.strip_prefix(b"S1: ") {
            let mut read = rest.to_vec();
            // Each literal: its bytes after the CRLF that ends `{n}`, then the rest of the line.
            while let Some(n) = literal(&read) {
                read.push(b'\n');
                let body_end = (next + n).min(bytes.len());
                read.extend_from_slice(&bytes[next..body_end]);
                let end = line_end(bytes, body_end);
                read.extend_from_slice(&bytes[body_end..end]);
                next = (end + 1).min(bytes.len());
            }
            if !read.ends_with(b"\r") {
                read.push(b'\r');
            }
            read.push(b'\n');
            out.push(Entry::Read(read));
        }
        at = next;
    }
    out
}

fn line_end(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|b| *b == b'\n')
        .map_or(bytes.len(), |i| from + i)
}

/// The length of the literal a line ends with (`{n}` and its CR, RFC 3501 section 4.3).
fn literal(line: &[u8]) -> Option<usize> {
    let line = line.strip_suffix(b"}\r")?;
    let open = line.iter().rposition(|b| *b == b'{')?;
    std::str::from_utf8(&line[open + 1..]).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two syncs of interimap as `serve` logs them: the first reads HIGHESTMODSEQ 1 at its
    /// SELECT, a FETCH at MODSEQ 3 (with a literal), and a lower code, 2, at its tagged OK;
    /// the second connection's QRESYNC SELECT sends 2.
    fn transcript(sent: u64) -> String {
        let body = "Message-ID: <1.1@x>\r\n\r\nbody\r\n";
        [
            "-- C1 connects".to_string(),
            "S1: * OK [CAPABILITY IMAP4rev1] ready".into(),
            "C1: 000001 LIST \"\" INBOX RETURN (STATUS (HIGHESTMODSEQ))".into(),
            "S1: * STATUS INBOX (HIGHESTMODSEQ 1)".into(),
            "S1: 000001 OK LIST completed".into(),
            "C1: 000002 SELECT INBOX".into(),
            "S1: * OK [UIDVALIDITY 1] UIDs valid".into(),
            "S1: * OK [HIGHESTMODSEQ 1] Highest".into(),
            "S1: 000002 OK [READ-WRITE] SELECT completed".into(),
            "C1: 000003 UID FETCH 1:* (MODSEQ FLAGS BODY.PEEK[])".into(),
            format!(
                "S1: * 1 FETCH (UID 1 MODSEQ (3) FLAGS () BODY[] {{{}}}\r\n{body})",
                body.len()
            ),
            "S1: 000003 OK [HIGHESTMODSEQ 2] FETCH completed".into(),
            "C1: 000004 NOOP".into(),
            "S1: * 1 FETCH (UID 1 MODSEQ (4) FLAGS (\\Seen))".into(),
            "-- the server drops C1's connection after 1 line(s)".into(),
            "-- C1's connection is closed".into(),
            "-- the mailbox: UIDVALIDITY 1: 1 (\\Seen)".into(),
            "-- C1 connects".into(),
            format!("C1: 000002 SELECT INBOX (QRESYNC (1 {sent} 1))"),
            "S1: 000002 OK [READ-WRITE] SELECT completed".into(),
        ]
        .join("\n")
            + "\n"
    }

    #[test]
    fn the_values_that_would_have_stored_what_the_client_sent_are_named() {
        let found = classify(&transcript(2));
        assert_eq!(found.unread, 0);
        assert_eq!(found.reconnects.len(), 1);
        let r = &found.reconnects[0];
        assert_eq!((r.connection, r.sent), (2, 2));
        // rfc5162 raises the lower code to the MODSEQ 3 it read; eager stored 4 on receipt
        // of the NOOP's FETCH, which the drop kept from a tagged line; the others take the
        // code, erratum 1809's rule.
        let stored: Vec<(&str, u64)> = r.stored.iter().map(|s| (s.value, s.modseq)).collect();
        assert_eq!(
            stored,
            [
                ("rfc5162", 3),
                ("rfc7162", 2),
                ("eager", 4),
                ("select-on-receipt", 2),
                ("status", 2)
            ]
        );
        assert_eq!(found.like, ["rfc7162", "select-on-receipt", "status"]);
        assert_eq!(
            found.text(),
            "resync point: connection 2 sent 2 (rfc5162 3, rfc7162 2, eager 4, \
             select-on-receipt 2, status 2); behaves like: rfc7162, select-on-receipt, status"
        );
        let found = classify(&transcript(4));
        assert_eq!(found.like, ["eager"]);
        let found = classify(&transcript(7));
        assert!(found.like.is_empty());
        assert!(
            found.text().ends_with("behaves like: none"),
            "{}",
            found.text()
        );
        assert!(
            classify("-- C1 connects\n")
                .text()
                .contains("not exercised")
        );
    }
}
