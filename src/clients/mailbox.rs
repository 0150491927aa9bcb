//! The two sides a client check compares: the model's mailbox as `serve` logs it, and the
//! client's copy, both as Message-ID -> flags. `serve` names each message
//! `<UIDVALIDITY.UID@resync-check.invalid>` (serve/data.rs), so the client's copies are
//! matched to the model's messages by Message-ID.

use std::collections::BTreeMap;

/// Message-ID (`UIDVALIDITY.UID`) -> flags, each flag list sorted, `\Recent` left out (a
/// session flag, RFC 3501 section 2.3.2, not the mailbox's).
pub type Messages = BTreeMap<String, String>;

/// The model's mailbox from the last `-- the mailbox: UIDVALIDITY v: 1 (\Seen), 2 ()` line
/// of a `serve` transcript.
pub fn from_serve_log(log: &str) -> Result<Messages, String> {
    let line = log
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("-- the mailbox: UIDVALIDITY "))
        .ok_or("the serve transcript names no mailbox: the client never connected")?;
    let (uid_validity, messages) = line
        .split_once(": ")
        .ok_or_else(|| format!("unreadable mailbox line `{line}`"))?;
    let mut found = Messages::new();
    for message in messages.split(", ").filter(|m| !m.is_empty()) {
        let (uid, flags) = message
            .split_once(' ')
            .ok_or_else(|| format!("unreadable message `{message}`"))?;
        found.insert(format!("{uid_validity}.{uid}"), normal(flags));
    }
    Ok(found)
}

/// The client's copy from an IMAP session's output: each `* n FETCH (UID u FLAGS (...)
/// BODY[HEADER.FIELDS (MESSAGE-ID)] {k}` line and the `Message-ID: <v.u@...>` line of its
/// literal. A copy of something `serve` did not send has its own Message-ID, kept as is.
pub fn from_fetch_output(output: &str) -> Messages {
    let mut found = Messages::new();
    let mut flags: Option<String> = None;
    for line in output.lines() {
        if let Some(at) = line.find("FLAGS (") {
            let rest = &line[at + "FLAGS (".len()..];
            flags = rest
                .find(')')
                .map(|end| normal(&format!("({})", &rest[..end])));
        } else if let Some(id) = line.to_ascii_lowercase().strip_prefix("message-id:") {
            let id = id.trim().trim_start_matches('<');
            let id = id.split('@').next().unwrap_or(id).to_string();
            found.insert(id, flags.take().unwrap_or_default());
        }
    }
    found
}

/// A flag list, `(\Seen \Deleted)`, sorted and without `\Recent`.
fn normal(flags: &str) -> String {
    let inner = flags.trim().trim_start_matches('(').trim_end_matches(')');
    let mut flags: Vec<&str> = inner
        .split(' ')
        .filter(|f| !f.is_empty() && !f.eq_ignore_ascii_case("\\Recent"))
        .collect();
    flags.sort();
    format!("({})", flags.join(" "))
}

/// The two as one line each: `1.1 (\Seen), 1.2 ()`.
pub fn show(messages: &Messages) -> String {
    let shown: Vec<String> = messages.iter().map(|(id, f)| format!("{id} {f}")).collect();
    if shown.is_empty() {
        "(empty)".into()
    } else {
        shown.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_sides_read_the_same_messages() {
        let log = "-- the mailbox: UIDVALIDITY 1: 1 (), 2 (\\Deleted)\n\
                   C1: a1 NOOP\n\
                   -- the mailbox: UIDVALIDITY 1: 2 (\\Seen \\Deleted)\n";
        let model = from_serve_log(log).unwrap();
        assert_eq!(show(&model), "1.2 (\\Deleted \\Seen)");
        let output = "* 1 FETCH (UID 7 FLAGS (\\Seen \\Recent \\Deleted) BODY[HEADER.FIELDS \
                      (MESSAGE-ID)] {42}\r\nMessage-ID: <1.2@resync-check.invalid>\r\n\r\n)\r\n";
        assert_eq!(from_fetch_output(output), model);
        assert!(from_serve_log("C1: a1 NOOP\n").is_err());
    }
}
