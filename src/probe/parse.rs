//! A real server's lines, parsed with imap-codec (RFC 3501 section 9 and RFC 7162 section 7
//! grammar) and turned into the model's [`Response`] where the model has one, so that the
//! model's [`crate::client::Client`] reads what the server sent.

use imap_codec::decode::Decoder;
use imap_codec::imap_types::core::Vec1;
use imap_codec::imap_types::fetch::MessageDataItem;
use imap_codec::imap_types::flag::{Flag as WireFlag, FlagFetch};
use imap_codec::imap_types::response::{
    Code as WireCode, Data, Greeting, GreetingKind, Response as WireResponse, Status as WireStatus,
    StatusKind,
};
use imap_codec::imap_types::sequence::{SeqOrUid, Sequence, SequenceSet};
use imap_codec::imap_types::status::StatusDataItem;
use imap_codec::{GreetingCodec, ResponseCodec};

use super::conn::{shown, text};
use crate::imap::response::{Code, Response, Status};
use crate::imap::types::{Flag, FlagSet, ModSeq, Tag, Uid};

/// One server response: its text as sent (for the transcript) and its parse.
#[derive(Clone, Debug)]
pub struct Line {
    pub text: String,
    pub parsed: WireResponse<'static>,
}

/// Parses a greeting; only `* OK` lets the probe go on (RFC 3501 section 7.1.1; a PREAUTH
/// or BYE greeting is reported).
pub fn greeting(bytes: &[u8]) -> Result<String, String> {
    match GreetingCodec::default().decode_static(bytes) {
        Ok(([], greeting)) => check_greeting(&greeting, bytes),
        _ => Err(format!(
            "a greeting that does not parse: `{}`",
            shown(bytes)
        )),
    }
}

fn check_greeting(greeting: &Greeting<'static>, bytes: &[u8]) -> Result<String, String> {
    match greeting.kind {
        GreetingKind::Ok => Ok(text(bytes)),
        _ => Err(format!("a greeting that is not `* OK`: `{}`", shown(bytes))),
    }
}

/// Parses one whole response (a line with its literals).
pub fn line(bytes: &[u8]) -> Result<Line, String> {
    match ResponseCodec::default().decode_static(bytes) {
        Ok(([], parsed)) => Ok(Line {
            text: text(bytes),
            parsed,
        }),
        _ => Err(format!("a line that does not parse: `{}`", shown(bytes))),
    }
}

impl Line {
    /// A tagged status: its tag, kind and code.
    pub fn tagged(&self) -> Option<(&str, StatusKind, Option<&WireCode<'static>>)> {
        match &self.parsed {
            WireResponse::Status(WireStatus::Tagged(t)) => {
                Some((t.tag.inner(), t.body.kind, t.body.code.as_ref()))
            }
            _ => None,
        }
    }

    pub fn is_bye(&self) -> bool {
        matches!(&self.parsed, WireResponse::Status(WireStatus::Bye(_)))
    }

    pub fn is_continuation(&self) -> bool {
        matches!(&self.parsed, WireResponse::CommandContinuationRequest(_))
    }

    fn code(&self) -> Option<&WireCode<'static>> {
        match &self.parsed {
            WireResponse::Status(WireStatus::Tagged(t)) => t.body.code.as_ref(),
            WireResponse::Status(WireStatus::Untagged(b)) => b.code.as_ref(),
            _ => None,
        }
    }

    /// `[HIGHESTMODSEQ n]`, tagged or untagged (RFC 7162 section 3.1.2.1).
    pub fn highest_modseq(&self) -> Option<u64> {
        match self.code() {
            Some(WireCode::HighestModSeq(m)) => Some(m.get()),
            _ => None,
        }
    }

    /// `[UIDVALIDITY n]` (RFC 3501 section 7.1).
    pub fn uid_validity(&self) -> Option<u32> {
        match self.code() {
            Some(WireCode::UidValidity(v)) => Some(v.get()),
            _ => None,
        }
    }

    /// `* STATUS box (... HIGHESTMODSEQ n)` (RFC 7162 section 3.1.7).
    pub fn status_highest_modseq(&self) -> Option<u64> {
        match &self.parsed {
            WireResponse::Data(Data::Status { items, .. }) => items.iter().find_map(|i| match i {
                StatusDataItem::HighestModSeq(m) => Some(*m),
                _ => None,
            }),
            _ => None,
        }
    }

    pub fn exists(&self) -> Option<u32> {
        match &self.parsed {
            WireResponse::Data(Data::Exists(n)) => Some(*n),
            _ => None,
        }
    }

    /// `* n FETCH (...)`: its sequence number, UID, MODSEQ and flags, each if present.
    pub fn fetch(&self) -> Option<Fetched> {
        let WireResponse::Data(Data::Fetch { seq, items }) = &self.parsed else {
            return None;
        };
        let mut fetched = Fetched {
            seq: seq.get(),
            uid: None,
            modseq: None,
            flags: None,
        };
        for item in items.as_ref() {
            match item {
                MessageDataItem::Uid(u) => fetched.uid = Some(u.get()),
                MessageDataItem::ModSeq(m) => fetched.modseq = Some(m.get()),
                MessageDataItem::Flags(flags) => {
                    fetched.flags = Some(flags.iter().map(flag_name).collect())
                }
                _ => {}
            }
        }
        Some(fetched)
    }

    /// `* VANISHED [(EARLIER)] uids` (RFC 7162 section 3.2.10). A `*` in it is not valid
    /// there (the server names UIDs it expunged) and is refused.
    pub fn vanished(&self) -> Option<Result<(bool, Vec<u32>), String>> {
        let WireResponse::Data(Data::Vanished {
            earlier,
            known_uids,
        }) = &self.parsed
        else {
            return None;
        };
        Some(
            uids(known_uids)
                .map(|u| (*earlier, u))
                .map_err(|e| format!("{e} in `{}`", self.text)),
        )
    }

    /// The model's reading of this line, if the model has one. Lines it has none for
    /// (CAPABILITY, FLAGS, LIST, a FETCH without UID or MODSEQ, ...) return None.
    pub fn to_model(&self) -> Option<Response> {
        match &self.parsed {
            WireResponse::Status(WireStatus::Tagged(t)) => {
                let tag = t.tag.inner().strip_prefix('a')?.parse().ok()?;
                Some(Response::Tagged {
                    tag: Tag(tag),
                    status: match t.body.kind {
                        StatusKind::Ok => Status::Ok,
                        StatusKind::No => Status::No,
                        StatusKind::Bad => Status::Bad,
                    },
                    code: match &t.body.code {
                        Some(WireCode::HighestModSeq(m)) => {
                            Some(Code::HighestModSeq(ModSeq(m.get())))
                        }
                        Some(WireCode::ReadWrite) => Some(Code::ReadWrite),
                        _ => None,
                    },
                    text: "",
                })
            }
            WireResponse::Status(WireStatus::Untagged(body)) => match &body.code {
                Some(WireCode::HighestModSeq(m)) => Some(Response::HighestModSeq(ModSeq(m.get()))),
                Some(WireCode::UidValidity(v)) => Some(Response::UidValidity(v.get())),
                Some(WireCode::UidNext(n)) => Some(Response::UidNext(Uid(n.get()))),
                _ => None,
            },
            WireResponse::Data(Data::Exists(n)) => Some(Response::Exists(*n)),
            WireResponse::Data(Data::Status { .. }) => {
                Some(Response::Status(ModSeq(self.status_highest_modseq()?)))
            }
            WireResponse::Data(Data::Enabled { .. }) => Some(Response::EnabledQresync),
            WireResponse::Data(Data::Vanished { .. }) => {
                let (earlier, uids) = self.vanished()?.ok()?;
                Some(Response::Vanished {
                    earlier,
                    uids: uids.into_iter().map(Uid).collect(),
                })
            }
            WireResponse::Data(Data::Fetch { .. }) => {
                // A FETCH without MODSEQ (a solicited `UID FETCH n:* (FLAGS)`) reads as MODSEQ
                // 0, below every stored resync point, so the client's rule (RFC 7162 section
                // 6) never adopts it.
                let f = self.fetch()?;
                Some(Response::Fetch {
                    seq: f.seq,
                    uid: Uid(f.uid?),
                    modseq: ModSeq(f.modseq.unwrap_or(0)),
                    flags: f.flags.map(|names| model_flags(&names)),
                })
            }
            _ => None,
        }
    }
}

/// What a FETCH line carried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fetched {
    pub seq: u32,
    pub uid: Option<u32>,
    pub modseq: Option<u64>,
    pub flags: Option<Vec<String>>,
}

fn flag_name(flag: &FlagFetch<'_>) -> String {
    match flag {
        FlagFetch::Recent => "\\Recent".into(),
        FlagFetch::Flag(WireFlag::Deleted) => "\\Deleted".into(),
        FlagFetch::Flag(WireFlag::Seen) => "\\Seen".into(),
        FlagFetch::Flag(f) => f.to_string(),
    }
}

/// The flags the model tracks (`\Deleted`, `\Seen`); the others (`\Recent`, keywords) it
/// does not.
fn model_flags(names: &[String]) -> FlagSet {
    let mut set = FlagSet::EMPTY;
    for name in names {
        if name.eq_ignore_ascii_case("\\Deleted") {
            set = set.with(Flag::Deleted);
        } else if name.eq_ignore_ascii_case("\\Seen") {
            set = set.with(Flag::Seen);
        }
    }
    set
}

/// The UIDs of a sequence set without `*`, at most a million of them.
fn uids(set: &SequenceSet) -> Result<Vec<u32>, String> {
    let value = |s: &SeqOrUid| match s {
        SeqOrUid::Value(v) => Ok(v.get()),
        SeqOrUid::Asterisk => Err("a `*` in a UID set".to_string()),
    };
    let mut out = Vec::new();
    let sequences: &Vec1<Sequence> = &set.0;
    for sequence in sequences.as_ref() {
        let (a, b) = match sequence {
            Sequence::Single(s) => (value(s)?, value(s)?),
            Sequence::Range(a, b) => (value(a)?, value(b)?),
        };
        let (lo, hi) = (a.min(b), a.max(b));
        if (hi - lo) as usize + out.len() > 1_000_000 {
            return Err("a UID set of more than a million UIDs".into());
        }
        out.extend(lo..=hi);
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// Renders UIDs as a compact IMAP set, `1:3,5`.
pub fn uid_set(uids: &[u32]) -> String {
    let mut sorted = uids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut parts = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i;
        while j + 1 < sorted.len() && sorted[j + 1] == sorted[j] + 1 {
            j += 1;
        }
        parts.push(if i == j {
            sorted[i].to_string()
        } else {
            format!("{}:{}", sorted[i], sorted[j])
        });
        i = j + 1;
    }
    parts.join(",")
}
