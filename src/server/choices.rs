//! The answers the spec leaves to the server, and which of them are open at a command: what
//! it sends of the changes it holds back, how it answers a QRESYNC SELECT and a STORE on a
//! message expunged elsewhere, and whether it adds a HIGHESTMODSEQ code. The checker
//! explores every answer offered; each is offered only where it makes a difference.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use smallvec::{SmallVec, smallvec};

use crate::imap::command::{Command, Target};
use crate::imap::types::{ClientId, Uid};
use crate::imap::uids::UidList;
use crate::spec::{
    ExistsUpdate, ExpungeFlush, FlagFlush, HeldBackNumbering, KnownUidsScope, Spec,
    VanishedEarlier, VanishedUnannounced,
};

use super::Server;

/// The answers open at one command: a handful, inline (every command the search tries
/// listed them on the heap).
pub type Choices<T> = SmallVec<[T; 8]>;

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

/// The commands at whose end a `flag-flush=lost-at-sync` server drops the flag changes it
/// holds back: those Stalwart's code runs `synchronize_messages` for (STORE, FETCH, SEARCH).
pub(super) fn loses_flags_at(command: &Command) -> bool {
    matches!(
        command,
        Command::Store { .. }
            | Command::UidFetchNew { .. }
            | Command::UidFetchVanished { .. }
            | Command::UidFetchChangedSince { .. }
            | Command::UidSearchAll
    )
}

impl Server {
    /// Every answer to `command` the spec allows this client's session, in a fixed order.
    pub fn replies(&self, client: ClientId, command: &Command, spec: &Spec) -> Choices<Reply> {
        let mut replies = Choices::new();
        let flushes = self.flush_choices(client, command, spec);
        for select in self.select_choices(command, spec) {
            for &gone in self.gone_choices(client, command, spec) {
                for &flush in &flushes {
                    replies.push(Reply {
                        flush,
                        select,
                        gone,
                        code: false,
                        interleave: false,
                    });
                    if gone == GoneStore::NewModseq
                        && self.may_add_code(client, command, flush, spec)
                    {
                        replies.push(Reply {
                            flush,
                            select,
                            gone,
                            code: true,
                            interleave: false,
                        });
                    }
                }
            }
        }
        replies
    }

    /// The distinct flush choices open at the end of `command` for this client.
    pub fn flush_choices(
        &self,
        client: ClientId,
        command: &Command,
        spec: &Spec,
    ) -> Choices<Flush> {
        let nothing = smallvec![Flush::NOTHING];
        let Some(session) = self.session(client).filter(|s| s.selected) else {
            return nothing;
        };
        let announces = self.announces_arrivals(client, command, spec);
        let flushes = matches!(
            command,
            Command::Store { .. }
                | Command::Expunge
                | Command::UidExpunge(_)
                | Command::Noop
                | Command::UidFetchNew { .. }
                | Command::UidFetchVanished { .. }
                | Command::Done
                | Command::UidFetchChangedSince { .. }
                | Command::UidSearchAll
        );
        if !flushes {
            return nothing;
        }
        // `flag-flush=every-command`: what is held back goes at the end of this command
        // (RFC 3501 section 5.2's SHOULD kept every time); `any` may keep it for later.
        let flags: &[bool] = match spec.flag_flush {
            _ if session.pending_flags.is_empty() => &[false],
            FlagFlush::Any => &[false, true],
            FlagFlush::EveryCommand => &[true],
            // Sent at NOOP (and DONE); dropped at the end of a STORE, FETCH or SEARCH
            // (`finish`); either at an EXPUNGE, where Stalwart's code was not read.
            FlagFlush::LostAtSync if loses_flags_at(command) => &[false],
            FlagFlush::LostAtSync if matches!(command, Command::Noop | Command::Done) => &[true],
            FlagFlush::LostAtSync => &[false, true],
        };
        // `UID FETCH n:*` announces the arrivals itself, before its FETCHes, and so does a
        // `UID FETCH ... VANISHED` whose set reaches one.
        let exists: &[bool] = match spec.exists_update {
            _ if session.pending_arrivals.is_empty() || announces => &[false],
            ExistsUpdate::Prompt | ExistsUpdate::FetchFirst => &[true],
            ExistsUpdate::Lazy => &[false, true],
        };
        let mut expunges: Choices<(bool, bool)> = smallvec![(false, false)];
        if command.allows_expunge_responses() && session.holds_back_expunges() {
            // `expunge-flush=every-command`: sent wherever RFC 3501 section 7.4.1 allows
            // it, so holding it back is no choice here; but UID SEARCH stays free, as Cyrus
            // 3.6.1 holds expunges back there as during SEARCH (`spec/flush.rs`).
            let free = matches!(command, Command::UidSearchAll);
            if spec.expunge_flush == ExpungeFlush::EveryCommand && !free {
                expunges.clear();
            }
            let unannounced = !session.unannounced_expunges.is_empty();
            match spec.vanished_unannounced {
                VanishedUnannounced::Omit => expunges.push((true, false)),
                VanishedUnannounced::Report => expunges.push((true, unannounced)),
                VanishedUnannounced::Any => {
                    expunges.push((true, false));
                    if unannounced {
                        expunges.push((true, true));
                    }
                }
            }
        }
        let mut choices = Choices::new();
        for &(expunges, unannounced) in &expunges {
            for &flags in flags {
                for &exists in exists {
                    choices.push(Flush {
                        flags,
                        expunges,
                        unannounced,
                        exists,
                    });
                }
            }
        }
        choices
    }

    /// The distinct answers to `command` the spec allows where it is a QRESYNC SELECT: the
    /// VANISHED (EARLIER) precision and the FETCH scope, each only where it makes a
    /// difference. A single default answer for every other command.
    pub fn select_choices(&self, command: &Command, spec: &Spec) -> Choices<SelectReply> {
        let Command::SelectQresync {
            modseq, known_uids, ..
        } = command
        else {
            return smallvec![SelectReply::default()];
        };
        let mailbox = &self.mailbox;
        let known = |uid: &Uid| known_uids.is_empty() || known_uids.contains(uid);
        let superset_differs = mailbox
            .expunged
            .iter()
            .any(|(uid, e)| known(uid) && e.modseq <= *modseq);
        let scope_differs = mailbox
            .messages
            .iter()
            .any(|(uid, m)| !known(uid) && m.modseq > *modseq);
        let earlier: &[Earlier] = match spec.vanished_earlier {
            VanishedEarlier::Exact | VanishedEarlier::IncludesPresent => &[Earlier::Exact],
            VanishedEarlier::Superset => &[Earlier::Superset],
            VanishedEarlier::Any if superset_differs => &[Earlier::Exact, Earlier::Superset],
            VanishedEarlier::Any => &[Earlier::Exact],
        };
        let scope: &[Scope] = match spec.known_uids_scope {
            KnownUidsScope::Restrict => &[Scope::KnownUids],
            KnownUidsScope::All => &[Scope::AllUids],
            KnownUidsScope::Any if scope_differs => &[Scope::KnownUids, Scope::AllUids],
            KnownUidsScope::Any => &[Scope::KnownUids],
        };
        earlier
            .iter()
            .flat_map(|e| {
                scope.iter().map(|s| SelectReply {
                    earlier: *e,
                    scope: *s,
                })
            })
            .collect()
    }

    /// Both answers for a STORE on a message whose expunge is held back from this session;
    /// the default for every other command.
    fn gone_choices(
        &self,
        client: ClientId,
        command: &Command,
        spec: &Spec,
    ) -> &'static [GoneStore] {
        match self.store_target(client, command, spec) {
            Some(uid) if self.is_held_back_expunge(client, uid) => {
                &[GoneStore::NewModseq, GoneStore::No]
            }
            _ => &[GoneStore::NewModseq],
        }
    }

    /// The UID a STORE names in this session, if it names one.
    pub(super) fn store_target(
        &self,
        client: ClientId,
        command: &Command,
        spec: &Spec,
    ) -> Option<Uid> {
        match command {
            Command::Store {
                target: Target::Uid(uid),
                ..
            } => Some(*uid),
            Command::Store {
                target: Target::Seq(n),
                ..
            } => self
                .numbering(client, spec)
                .get((*n as usize).wrapping_sub(1))
                .copied(),
            _ => None,
        }
    }

    /// The UIDs in the order the server reads this session's sequence numbers: the
    /// session's own (`held-back-numbering=kept`, RFC 3501 section 7.4.1), or the mailbox's
    /// after the expunges held back from it (`renumbered`).
    pub(super) fn numbering(&self, client: ClientId, spec: &Spec) -> UidList {
        let mut numbering = self.view(client);
        if let Some(session) = self.session(client)
            && spec.held_back_numbering == HeldBackNumbering::Renumbered
        {
            numbering.retain(|uid| !session.pending_expunges.contains(uid));
        }
        numbering
    }

    pub(super) fn is_held_back_expunge(&self, client: ClientId, uid: Uid) -> bool {
        self.session(client)
            .is_some_and(|s| s.pending_expunges.contains(&uid))
    }

    /// Whether the tagged OK of `command`, answered with `flush`, may carry an optional
    /// HIGHESTMODSEQ code: a command whose OK could carry one and would carry none, after
    /// which nothing stays held back from the session.
    fn may_add_code(&self, client: ClientId, command: &Command, flush: Flush, spec: &Spec) -> bool {
        let Some(session) = self.session(client).filter(|s| s.selected) else {
            return false;
        };
        let eligible = match command {
            Command::Noop
            | Command::UidFetchNew { .. }
            | Command::UidFetchVanished { .. }
            | Command::Done
            | Command::UidFetchChangedSince { .. }
            | Command::UidSearchAll => true,
            Command::Store { .. } => self.store_target(client, command, spec).is_some(),
            // An expunge that removes something sends the code anyway (RFC 7162 sections
            // 3.2.7, 3.2.9).
            Command::Expunge => self.deleted(|_| true).is_empty(),
            Command::UidExpunge(uids) => self.deleted(|uid| uids.contains(&uid)).is_empty(),
            _ => false,
        };
        // `UID FETCH n:*` sends the flags of every message from n on, held back or not, and
        // announces the arrivals first; `UID FETCH ... VANISHED` those of its set changed
        // since its mod-sequence.
        let fetched = |uid: Uid| match command {
            Command::UidFetchNew { from } => uid >= *from,
            Command::UidFetchChangedSince { since, upto } => {
                upto.is_none_or(|top| uid <= top)
                    && self
                        .mailbox
                        .messages
                        .get(&uid)
                        .is_some_and(|m| m.modseq > *since)
            }
            _ => self.fetch_vanished_reports(command, uid, spec),
        };
        let announces = self.announces_arrivals(client, command, spec);
        let flags_left = !flush.flags && session.pending_flags.keys().any(|u| !fetched(*u));
        let expunges_left = session.holds_back_expunges() && !flush.expunges;
        let arrivals_left = !session.pending_arrivals.is_empty() && !flush.exists && !announces;
        eligible && !flags_left && !expunges_left && !arrivals_left
    }
}
