//! Sound reductions of the state space, and the moves of the reduced system.
//!
//! - `symmetry` (symmetry.rs): one state per class of states equal up to renaming clients.
//!   Paths keep their lengths, so shortest counterexamples stay shortest.
//! - `read-order`: a client reads only right after its own last step, never after another
//!   agent has acted since. Path lengths stay too. Argument at the end.
//! - `reads`: a client reads a response right after its command, whole, or a prefix of it
//!   and then its connection drops. Argument below. Paths get longer (a client reads lines
//!   the shortest run leaves unread), so this reduction decides verdicts only: the printed
//!   counterexamples come from a search without it.
//! - `retire` (retire.rs): a client that can take no step again, and about which no property
//!   can still fail, becomes one placeholder. Verdicts only, as `reads`.
//! - `values` (values.rs): mod-sequences renamed to close the gaps between them that no run
//!   can tell apart. Path lengths stay. Opt-in (`--reduce all-values`): it saves states, not
//!   time (docs/scaling.md).
//!
//! Soundness of `reads`. (1) A client's read touches only its replica and its queue; its
//! queue is written only when it issues (the server answers in the same step and never sends
//! unsolicited lines); and it cannot issue while lines are unread (the tagged response is the
//! last line, and a client waits for it). So a read commutes with every action of another
//! client and of the other agent, and enables or disables none of them; a drop of client c
//! commutes with them too, because nothing the server does for one session reads another
//! (it only adds to what the others are told later, which a dropped session loses anyway);
//! the one action that reads every session, `uidvalidity-change=renumber`'s, needs only that
//! none has INBOX selected, which a drop moved earlier keeps true; `modseq-restart=lost`'s
//! restart likewise needs only that none is connected, and `expunge-history`'s forgetting
//! reads and writes the mailbox's log alone. IDLE (`client-idle=idle`) keeps (1) under
//! `idle-push=at-done`: IDLE's answer ends with its `+` continuation, the client sends DONE
//! only after reading it, and DONE's answer ends with the tagged OK. Under `idle-push=push`
//! it does not: a server step writes an idling client's queue, so a read no longer commutes
//! with it, and a pushed line is read after another agent acted, against `read-order`'s
//! premise. There [`Reduction::sound_for`] turns both off (symmetry stays: a push renames
//! with its client), and every `Space` applies only what it returns. Pipelining
//! (`client-pipelining=on`) breaks (1) too: the client sends a second command with the
//! first's answer unread, so its queue is written while lines are unread, and a read does not
//! commute with its own client's later issue, which the server may even interleave with the
//! unread tagged line (`server/pipeline.rs`); both read reductions are off there as well.
//! Symmetry stays: the clause applies to every client alike, and nothing in it names a
//! client.
//! (2) Take any run of the line-by-line model to a state s and move every read to right after
//! the client's previous action, and every drop that follows unread lines to right after the
//! client's last read: by (1) the run still ends in s, and each client's history is now made
//! of blocks "command, reads", each complete (every line read), or followed by a drop, or
//! incomplete at the end of the run. The reduced model has a move for each of the first two.
//! (3) If s has no incomplete block, the reduced model reaches s. Otherwise let ŝ be s with
//! each incomplete block completed, and s' the state with each such client dropped right
//! after its last read: both are reduced states (the server, and every other client, the same
//! as in s). An `always` property that fails in s fails in ŝ or s': the server's monitors and
//! every complete client are the same in ŝ; `views-converge`, `divergence-detectable` and
//! `message-count-agrees` never judge a client with unread lines (each is a function of the
//! state: the judged client's replica and connection, its session, the mailbox);
//! `resync-point-safe` judges a client by its cache, resync point, UIDNEXT and UIDVALIDITY
//! (a resync point of another UIDVALIDITY covers nothing), which survive the drop
//! (`Client::disconnected`), so it fails in s' as in s. A drop is offered once per distinct
//! survivor of those four (`survivor.rs`): two prefixes that leave them alike leave the same
//! s'. (4) A `sometimes` property can hold only at a partly
//! read state (`modseq-read-above-held-back-expunge` is about the MODSEQs read since the last
//! tagged line): the reduced search evaluates `sometimes` properties at every state inside a
//! move too. It holds at s with c partly read only if it held right after c's read: an expunge
//! held back from c after that got a mod-sequence above all c read, as HIGHESTMODSEQ, at or
//! above every MODSEQ sent, only grows while c is connected; `expunge-modseq=none` logs the
//! expunge at HIGHESTMODSEQ itself, still at or above what c read, and `modseq-restart=lost`
//! restarts only while no client is connected. Under `mailbox-highestmodseq=max-message`
//! HIGHESTMODSEQ falls when the newest change is expunged, and a later expunge can get a
//! mod-sequence below one c read: the property can then hold at s and at no state the reduced
//! search visits, and `highestmodseq-monotonic` failing there says nothing of this verdict.
//! So `reads` is off there ([`Reduction::sound_for`],
//! `Spec::highestmodseq_may_fall_while_connected`); read-order, which visits every state,
//! stays. `tests/exhaustive/reduction_verdicts.rs` compares the verdicts with the
//! line-by-line model's on every clause value.
//!
//! Soundness of `read-order`, which keeps path lengths. In the run of (2), reordered, a
//! client reads only right after its own command or read, and drops after unread lines only
//! right after its last read: the reordered run has the same length and end. So it is enough
//! to let a client read, or drop with lines unread, only while no other agent has acted
//! since its own last step; once one has, the client is frozen (`Connection::frozen`) and
//! takes no step again. A frozen client's later drop would give a state the run with the
//! drop moved forward reaches as fast, and its later reads a run (2) does not need. Every
//! state of the line-by-line model is reached, at the same depth, up to that flag.

mod retire;
mod space;
mod survivor;
mod symmetry;
mod values;

use crate::spec::Spec;

pub use space::{Move, Reads, Space};
pub use symmetry::{canonical_order, permute};

/// The `--reduce` values other than the default `all`, as the command line spells them
/// (`ReduceArg` in cli/args; a test there keeps the two alike). A counterexample's path
/// depends on the reduction (symmetry picks one client order of several), so the command
/// that reproduces it names the run's reduction when it is not the default.
pub const OTHER_REDUCE_NAMES: [&str; 8] = [
    "exact",
    "symmetry",
    "read-order",
    "reads",
    "retire",
    "all-values",
    "values",
    "none",
];

/// Which reductions a search applies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Reduction {
    pub symmetry: bool,
    /// Reads only right after the client's own last step (exact; see the module's end).
    pub read_order: bool,
    /// Read macro-steps (verdicts only); `read_order` is moot under it.
    pub reads: bool,
    /// Retired clients become one placeholder (verdicts only; retire.rs).
    pub retire: bool,
    /// Mod-sequences renamed to close the gaps no run can tell apart (values.rs).
    pub values: bool,
}

impl Reduction {
    pub const NONE: Reduction = Reduction {
        symmetry: false,
        read_order: false,
        reads: false,
        retire: false,
        values: false,
    };
    pub const ALL: Reduction = Reduction {
        symmetry: true,
        read_order: true,
        reads: true,
        retire: true,
        values: false,
    };

    /// The reductions that keep paths shortest, and whose paths `Space::concrete` can
    /// replay: what counterexample searches use. (`retire` keeps path lengths too, but the
    /// replay orders clients by their full replicas, which it would have to retire alike.)
    pub fn exact(self) -> Reduction {
        Reduction {
            reads: false,
            retire: false,
            ..self
        }
    }

    /// The reductions whose argument (the module's) holds for `spec`: under pushes to an
    /// idling client (`Spec::pushes`) a server step writes a client's queue, which breaks
    /// point 1 of `reads` and the premise of `read-order` (a pushed line is read after
    /// another agent acted), so both are off there; symmetry stays. The same holds under
    /// pipelining (`Spec::pipelines`), where a client issues with lines unread. `reads`
    /// needs a HIGHESTMODSEQ that does not fall while a client is connected
    /// (`Spec::highestmodseq_may_fall_while_connected`, point 4 of the argument). `retire`
    /// needs mod-sequences that only grow (`Spec::modseqs_only_grow`, retire.rs).
    pub fn sound_for(self, spec: &Spec) -> Reduction {
        let reads = match spec.pushes() || spec.pipelines() {
            true => Reduction {
                reads: false,
                read_order: false,
                ..self
            },
            false => self,
        };
        Reduction {
            // Point 4 of the `reads` argument: a HIGHESTMODSEQ that falls while a client
            // is connected can make a `sometimes` property hold only at states it skips.
            reads: reads.reads && !spec.highestmodseq_may_fall_while_connected(),
            retire: reads.retire && spec.modseqs_only_grow(),
            // Point B of values.rs: every value at or below a HIGHESTMODSEQ that never falls.
            values: reads.values && spec.modseqs_only_grow(),
            ..reads
        }
    }

    /// The reductions applied, joined by `+`, or `none`.
    pub fn name(self) -> String {
        let names = [
            (self.symmetry, "symmetry"),
            (self.read_order && !self.reads, "read-order"),
            (self.reads, "reads"),
            (self.retire, "retire"),
            (self.values, "values"),
        ];
        let on: Vec<&str> = names
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, n)| *n)
            .collect();
        match on.is_empty() {
            true => "none".to_string(),
            false => on.join("+"),
        }
    }
}
