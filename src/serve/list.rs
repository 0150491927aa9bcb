//! LIST (RFC 3501 section 6.3.8), with the RETURN options of LIST-EXTENDED (RFC 5258) that
//! interimap sends: `SUBSCRIBED`, `CHILDREN`, and `STATUS (...)` of LIST-STATUS (RFC 5819).
//! imap-codec 2.0.0-alpha.10 does not parse RETURN options (its `ext_list_extended` is
//! unfinished), so the options are cut off here and the rest is parsed by imap-codec as a
//! plain LIST; the STATUS items are parsed by imap-codec as a STATUS command's.

use imap_codec::CommandCodec;
use imap_codec::decode::Decoder;
use imap_codec::imap_types::command::CommandBody;
use imap_codec::imap_types::mailbox::{ListMailbox, Mailbox as WireMailbox};

use super::data;
use super::served::Front;

/// What a LIST asks beyond the plain command.
#[derive(Default)]
pub struct Return {
    pub subscribed: bool,
    /// The STATUS items, as they were written.
    pub status: Option<String>,
    /// Why the options are refused, if they are.
    pub bad: Option<String>,
}

impl Return {
    pub fn bad(why: String) -> Return {
        Return {
            bad: Some(why),
            ..Return::default()
        }
    }
}

/// A LIST command line with RETURN options: the plain LIST line (with CRLF) and the
/// options; None if `line` is no such command. Err: a RETURN option that is not served.
pub fn split_return(line: &str) -> Option<Result<(String, Return), String>> {
    let upper = line.to_ascii_uppercase();
    let mut words = upper.split(' ');
    let (_, command) = (words.next()?, words.next()?);
    if command != "LIST" {
        return None;
    }
    let at = upper.rfind(" RETURN (")?;
    let options = upper[at + " RETURN (".len()..].trim_end_matches(['\r', '\n']);
    let options = options.strip_suffix(')')?;
    let mut found = Return::default();
    let mut rest = options.trim();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("SUBSCRIBED") {
            found.subscribed = true;
            rest = after.trim_start();
        } else if let Some(after) = rest.strip_prefix("CHILDREN") {
            // INBOX has no children here, and says so (RFC 5258 section 4, \HasNoChildren).
            rest = after.trim_start();
        } else if let Some(after) = rest.strip_prefix("STATUS (") {
            let Some(end) = after.find(')') else {
                return Some(Err("an unclosed STATUS return option".into()));
            };
            found.status = Some(after[..end].to_string());
            rest = after[end + 1..].trim_start();
        } else {
            return Some(Err(format!("LIST RETURN option `{rest}` is not served")));
        }
    }
    Some(Ok((format!("{}\r\n", &line[..at]), found)))
}

/// The answer to LIST with `pattern` and the RETURN options `options`: INBOX where the
/// pattern matches it, the hierarchy delimiter for an empty pattern; then INBOX's STATUS
/// where asked (RFC 5819 section 2: after the LIST response).
pub fn list(front: &Front, tag: &str, pattern: &ListMailbox, options: &Return) -> Vec<String> {
    let pattern = match pattern {
        ListMailbox::Token(t) => String::from_utf8_lossy(t.as_ref()).into_owned(),
        ListMailbox::String(s) => String::from_utf8_lossy(s.as_ref()).into_owned(),
    };
    let mut lines = Vec::new();
    if pattern.is_empty() {
        lines.push("* LIST (\\Noselect) \"/\" \"\"".to_string());
    } else if ["*", "%", "inbox"].contains(&pattern.to_ascii_lowercase().as_str()) {
        let attributes = match options.subscribed {
            true => "\\HasNoChildren \\Subscribed",
            false => "\\HasNoChildren",
        };
        lines.push(format!("* LIST ({attributes}) \"/\" INBOX"));
        if let Some(items) = &options.status {
            let status = format!("x STATUS INBOX ({items})\r\n");
            match CommandCodec::default().decode(status.as_bytes()) {
                Ok((
                    [],
                    imap_codec::imap_types::command::Command {
                        body: CommandBody::Status { item_names, .. },
                        ..
                    },
                )) => {
                    let answer = data::status(front, "x", &WireMailbox::Inbox, &item_names);
                    if let [line, _] = &answer[..] {
                        lines.push(line.clone());
                    } else {
                        return vec![format!("{tag} BAD {}", &answer[0]["x BAD ".len()..])];
                    }
                }
                _ => return vec![format!("{tag} BAD unreadable STATUS return option")],
            }
        }
    }
    lines.push(format!("{tag} OK LIST completed"));
    lines
}
