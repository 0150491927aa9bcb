//! The one place that renders commands and responses as IMAP text.

use std::fmt::Write;

use super::command::{Command, StoreOp, Target};
use super::response::{Code, Response, Status};
use super::types::{Tag, Uid};

/// A UID set in IMAP `sequence-set` syntax with ranges: `1:3,5`. Never contains `*`, which
/// RFC 7162 section 7 forbids in `known-uids` (a `client-known-uids=star` client writes
/// `1:*` itself). `uids` must be sorted and non-empty.
pub fn uid_set(uids: &[Uid]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < uids.len() {
        let start = uids[i].0;
        let mut end = start;
        while i + 1 < uids.len() && uids[i + 1].0 == end + 1 {
            i += 1;
            end = uids[i].0;
        }
        if !out.is_empty() {
            out.push(',');
        }
        if start == end {
            write!(out, "{start}").unwrap();
        } else {
            write!(out, "{start}:{end}").unwrap();
        }
        i += 1;
    }
    out
}

/// A command line as the client sends it, without CRLF.
pub fn command(tag: Tag, command: &Command) -> String {
    match command {
        Command::Store { target, op, flag } => {
            let sign = match op {
                StoreOp::Add => '+',
                StoreOp::Remove => '-',
            };
            match target {
                Target::Seq(n) => format!("{tag} STORE {n} {sign}FLAGS.SILENT ({flag})"),
                Target::Uid(u) => format!("{tag} UID STORE {u} {sign}FLAGS.SILENT ({flag})"),
            }
        }
        Command::Expunge => format!("{tag} EXPUNGE"),
        Command::UidExpunge(uids) => format!("{tag} UID EXPUNGE {}", uid_set(uids)),
        Command::Close => format!("{tag} CLOSE"),
        Command::Noop => format!("{tag} NOOP"),
        Command::UidFetchNew { from } => format!("{tag} UID FETCH {from}:* (FLAGS)"),
        Command::EnableQresync => format!("{tag} ENABLE QRESYNC"),
        Command::Status => format!("{tag} STATUS INBOX (HIGHESTMODSEQ)"),
        Command::SelectQresync {
            uid_validity,
            modseq,
            known_uids,
            star,
            seq_match,
        } => {
            let mut params = format!("{uid_validity} {modseq}");
            if *star {
                params.push_str(" 1:*");
            } else if !known_uids.is_empty() {
                write!(params, " {}", uid_set(known_uids)).unwrap();
            }
            if !seq_match.is_empty() {
                let seqs: Vec<Uid> = (1..=seq_match.len() as u32).map(Uid).collect();
                write!(params, " ({} {})", uid_set(&seqs), uid_set(seq_match)).unwrap();
            }
            format!("{tag} SELECT INBOX (QRESYNC ({params}))")
        }
        Command::UidFetchVanished { uids, star, since } => {
            let set = if *star {
                "1:*".to_string()
            } else {
                uid_set(uids)
            };
            format!("{tag} UID FETCH {set} (FLAGS) (CHANGEDSINCE {since} VANISHED)")
        }
        Command::Idle => format!("{tag} IDLE"),
        // A continuation, not a command: no tag (RFC 9051 section 6.3.13).
        Command::Done => "DONE".to_string(),
        Command::SelectCondstore => format!("{tag} SELECT INBOX (CONDSTORE)"),
        Command::UidFetchChangedSince { since, upto } => {
            let top = upto.map_or("*".to_string(), |uid| uid.0.to_string());
            format!("{tag} UID FETCH 1:{top} (FLAGS) (CHANGEDSINCE {since})")
        }
        Command::UidSearchAll => format!("{tag} UID SEARCH ALL"),
        Command::Select => format!("{tag} SELECT INBOX"),
    }
}

/// A response line as the server sends it, without CRLF.
pub fn response(response: &Response) -> String {
    match response {
        Response::Fetch {
            seq,
            uid,
            modseq,
            flags,
        } => match flags {
            Some(flags) => format!("* {seq} FETCH (UID {uid} MODSEQ ({modseq}) FLAGS {flags})"),
            None => format!("* {seq} FETCH (UID {uid} MODSEQ ({modseq}))"),
        },
        Response::Vanished { earlier, uids } => {
            let earlier = if *earlier { "(EARLIER) " } else { "" };
            format!("* VANISHED {earlier}{}", uid_set(uids))
        }
        Response::Exists(n) => format!("* {n} EXISTS"),
        Response::UidValidity(v) => format!("* OK [UIDVALIDITY {v}] UIDs valid"),
        Response::UidNext(u) => format!("* OK [UIDNEXT {u}] Predicted next UID"),
        Response::HighestModSeq(m) => format!("* OK [HIGHESTMODSEQ {m}] Highest"),
        Response::EnabledQresync => "* ENABLED QRESYNC".to_string(),
        Response::Status(m) => format!("* STATUS INBOX (HIGHESTMODSEQ {m})"),
        Response::Continue => "+ idling".to_string(),
        Response::Expunge(n) => format!("* {n} EXPUNGE"),
        // RFC 3501 section 9: `"SEARCH" *(SP nz-number)`, each UID on its own.
        Response::Search(uids) => {
            let mut line = "* SEARCH".to_string();
            for uid in uids {
                write!(line, " {uid}").unwrap();
            }
            line
        }
        Response::Tagged {
            tag,
            status,
            code,
            text,
        } => {
            let status = match status {
                Status::Ok => "OK",
                Status::No => "NO",
                Status::Bad => "BAD",
            };
            match code {
                Some(Code::HighestModSeq(m)) => {
                    format!("{tag} {status} [HIGHESTMODSEQ {m}] {text}")
                }
                Some(Code::ReadWrite) => format!("{tag} {status} [READ-WRITE] {text}"),
                None => format!("{tag} {status} {text}"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imap::types::{Flag, FlagSet, ModSeq};

    #[test]
    fn uid_sets_use_ranges() {
        let uids: Vec<Uid> = [1, 2, 3, 5, 7, 8].into_iter().map(Uid).collect();
        assert_eq!(uid_set(&uids), "1:3,5,7:8");
        assert_eq!(uid_set(&[Uid(4)]), "4");
    }

    #[test]
    fn commands_render_as_in_the_rfc_examples() {
        let store = Command::Store {
            target: Target::Seq(1),
            op: StoreOp::Add,
            flag: Flag::Deleted,
        };
        assert_eq!(
            command(Tag(2), &store),
            "a2 STORE 1 +FLAGS.SILENT (\\Deleted)"
        );
        let select = Command::SelectQresync {
            uid_validity: 1,
            modseq: ModSeq(4),
            known_uids: vec![Uid(1), Uid(2)],
            star: false,
            seq_match: Vec::new(),
        };
        assert_eq!(
            command(Tag(3), &select),
            "a3 SELECT INBOX (QRESYNC (1 4 1:2))"
        );
        let matched = Command::SelectQresync {
            uid_validity: 1,
            modseq: ModSeq(4),
            known_uids: vec![Uid(1), Uid(3)],
            star: false,
            seq_match: vec![Uid(1), Uid(3)],
        };
        assert_eq!(
            command(Tag(3), &matched),
            "a3 SELECT INBOX (QRESYNC (1 4 1,3 (1:2 1,3)))"
        );
        let star = Command::SelectQresync {
            uid_validity: 1,
            modseq: ModSeq(4),
            known_uids: Vec::new(),
            star: true,
            seq_match: Vec::new(),
        };
        assert_eq!(
            command(Tag(3), &star),
            "a3 SELECT INBOX (QRESYNC (1 4 1:*))"
        );
        let fetch = Command::UidFetchVanished {
            uids: Vec::new(),
            star: true,
            since: ModSeq(4),
        };
        assert_eq!(
            command(Tag(4), &fetch),
            "a4 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 4 VANISHED)"
        );
    }

    #[test]
    fn responses_render_as_in_the_rfc_examples() {
        let fetch = Response::Fetch {
            seq: 2,
            uid: Uid(2),
            modseq: ModSeq(3),
            flags: Some(FlagSet::EMPTY.with(Flag::Deleted)),
        };
        assert_eq!(
            response(&fetch),
            "* 2 FETCH (UID 2 MODSEQ (3) FLAGS (\\Deleted))"
        );
        let ok = Response::Tagged {
            tag: Tag(3),
            status: Status::Ok,
            code: Some(Code::HighestModSeq(ModSeq(4))),
            text: "done",
        };
        assert_eq!(response(&ok), "a3 OK [HIGHESTMODSEQ 4] done");
        let vanished = Response::Vanished {
            earlier: true,
            uids: smallvec::smallvec![Uid(1), Uid(2)],
        };
        assert_eq!(response(&vanished), "* VANISHED (EARLIER) 1:2");
        assert_eq!(
            response(&Response::Status(ModSeq(7))),
            "* STATUS INBOX (HIGHESTMODSEQ 7)"
        );
        assert_eq!(
            command(Tag(3), &Command::Status),
            "a3 STATUS INBOX (HIGHESTMODSEQ)"
        );
        assert_eq!(command(Tag(4), &Command::Idle), "a4 IDLE");
        assert_eq!(command(Tag(4), &Command::Done), "DONE");
        assert_eq!(response(&Response::Continue), "+ idling");
    }
}
