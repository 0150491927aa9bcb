//! The answers the spec leaves to the server: what it sends of the changes it holds back
//! (`Flush`), how it answers a QRESYNC SELECT (`SelectReply`) and a STORE on a message
//! expunged elsewhere (`GoneStore`), and all of one command's together (`Reply`). Which are
//! open at a command is `choices.rs`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What the server sends, at the end of a command, of the changes it holds back from the
/// session. RFC 3501 sections 5.2 and 7.4.1 let it send them at the end of any command (no
/// expunge during a sequence-number STORE) or keep them for later; `flag-flush` and
/// `expunge-flush` (`spec/flush.rs`) may take the keeping away. Each part is chosen on its
/// own, all of it or none of it: a server that sends one of two held-back flag changes and
/// keeps the other is not modelled.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Flush {
    /// The held-back flag changes, as `FETCH (UID u MODSEQ (m) FLAGS (...))`.
    pub flags: bool,
    /// The held-back expunges of messages the session was told of, as `VANISHED`; under
    /// `vanished-unannounced=any`, also the moment the others are reported or dropped.
    pub expunges: bool,
    /// With `expunges`: the expunges of messages the session was never told of are named
    /// too (`vanished-unannounced=report`, or `any`'s reporting answer).
    pub unannounced: bool,
    /// The arrivals, as `EXISTS`.
    pub exists: bool,
}

/// The parts' names, in the order trace names list them.
const PART_NAMES: [&str; 4] = ["flag-changes", "expunges", "unannounced", "exists"];

impl Flush {
    pub const NOTHING: Flush = Flush {
        flags: false,
        expunges: false,
        unannounced: false,
        exists: false,
    };

    /// Every part: what the erratum's "the server sends everything it held back" means.
    pub const EVERYTHING: Flush = Flush {
        flags: true,
        expunges: true,
        unannounced: true,
        exists: true,
    };

    /// Whether each part is sent, in the order of `PART_NAMES`.
    fn parts_sent(self) -> [bool; 4] {
        [self.flags, self.expunges, self.unannounced, self.exists]
    }

    /// The name traces use (`server_sends`): `nothing`, or the parts joined by `+`, such
    /// as `flag-changes+expunges`.
    pub fn name(self) -> String {
        let parts: Vec<&str> = PART_NAMES
            .iter()
            .zip(self.parts_sent())
            .filter(|(_, sent)| *sent)
            .map(|(name, _)| *name)
            .collect();
        if parts.is_empty() {
            "nothing".to_string()
        } else {
            parts.join("+")
        }
    }

    pub fn parse(name: &str) -> Result<Flush, String> {
        let mut sent = [false; 4];
        if name == "nothing" {
            return Ok(Flush::NOTHING);
        }
        let order = PART_NAMES.join(", ");
        let mut last = None;
        for part in name.split('+') {
            let Some(i) = PART_NAMES.iter().position(|n| *n == part) else {
                return Err(format!(
                    "`{name}` is not a server choice: `nothing`, or parts joined by `+` in this \
                     order: {order}"
                ));
            };
            if last.is_some_and(|l| l >= i) {
                return Err(format!("`{name}`: each part once, in this order: {order}"));
            }
            last = Some(i);
            sent[i] = true;
        }
        let [flags, expunges, unannounced, exists] = sent;
        if unannounced && !expunges {
            return Err(format!("`{name}`: `unannounced` goes with `expunges`"));
        }
        Ok(Flush {
            flags,
            expunges,
            unannounced,
            exists,
        })
    }

    /// Whether every part of `self` is a part of `other`.
    pub fn is_within(self, other: Flush) -> bool {
        self.parts_sent()
            .iter()
            .zip(other.parts_sent())
            .all(|(mine, theirs)| !mine || theirs)
    }

    /// How many parts are sent.
    pub fn parts(self) -> usize {
        self.parts_sent().iter().filter(|sent| **sent).count()
    }
}

impl Serialize for Flush {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.name())
    }
}

impl<'de> Deserialize<'de> for Flush {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Flush::parse(&name).map_err(serde::de::Error::custom)
    }
}

/// Which expunged UIDs a QRESYNC SELECT reports in VANISHED (EARLIER).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Earlier {
    /// Those expunged after the client's mod-sequence (RFC 7162 section 3.2.6).
    #[default]
    Exact,
    /// Every expunged UID in scope (RFC 7162 section 5.1).
    Superset,
}

/// Which changed messages a QRESYNC SELECT reports in FETCH.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// Only the known UIDs the client sent (RFC 7162 section 3.2.5.1, "should").
    #[default]
    KnownUids,
    /// Every message changed since the client's mod-sequence.
    AllUids,
}

/// How the server answers a QRESYNC SELECT where the spec leaves it a choice.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(deny_unknown_fields)]
pub struct SelectReply {
    pub earlier: Earlier,
    pub scope: Scope,
}

/// How the server answers a STORE on a message that another session expunged and whose
/// expunge it still holds back from this session (the message keeps its sequence number
/// here until then).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum GoneStore {
    /// The STORE succeeds: a new mod-sequence and `FETCH (UID u MODSEQ (m))`, as RFC 7162
    /// section 6's `A151` does for UID 8 (a success MUST update the mod-sequence, section
    /// 3.1.3).
    #[default]
    NewModseq,
    /// `NO`: "Some of the messages no longer exist" (RFC 7162 section 3.1.3, Example 11,
    /// after RFC 2180 section 4.2.3).
    No,
}

impl GoneStore {
    pub fn name(self) -> &'static str {
        match self {
            GoneStore::NewModseq => "new-modseq",
            GoneStore::No => "no",
        }
    }
}

/// Every choice the server makes in answering one command. Each field other than `flush`
/// has a default for the commands where it is no choice.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Reply {
    pub flush: Flush,
    pub select: SelectReply,
    pub gone: GoneStore,
    /// Adds `[HIGHESTMODSEQ n]` to a tagged OK that would carry none, where nothing stays
    /// held back from the session (RFC 7162 section 6, `A153 OK [HIGHESTMODSEQ 104]`; the
    /// client MUST adopt every such code). `n` is the mailbox's HIGHESTMODSEQ, which then
    /// covers nothing held back, as RFC 7162 section 3.2 (erratum 1810) requires.
    pub code: bool,
    /// With two commands in flight: the server began this command before completing the
    /// first, so this command's untagged lines go before the first's tagged response (RFC
    /// 3501 section 5.5; `server/pipeline.rs`). Offered only where `may_interleave` says.
    pub interleave: bool,
}

impl Reply {
    /// The default answer, sending what `flush` says.
    pub fn flushing(flush: Flush) -> Reply {
        Reply {
            flush,
            ..Reply::default()
        }
    }
}
