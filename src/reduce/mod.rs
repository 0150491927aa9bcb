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
mod survivor;
mod symmetry;
mod values;

use crate::client::Client;
use crate::imap::types::ClientId;
use crate::spec::Spec;
use crate::system::{Action, Config, System};

use survivor::Survivor;
pub use symmetry::{canonical_order, permute};

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

/// How many lines of its response a client reads in a [`Move::Response`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reads {
    All,
    /// This many, then the connection drops. (A response has at most a few hundred lines:
    /// one per message, with at most 99 messages and 9 arrivals.)
    ThenDrop(u16),
}

/// One step of the reduced system.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Move {
    /// One action of the line-by-line model.
    One(Action),
    /// A command (`issue`, an `Action::Issue`), or nothing when the lines were queued
    /// before the search began, and the client's reads of its response.
    Response {
        client: ClientId,
        issue: Option<Action>,
        reads: Reads,
    },
}

/// The system as a search sees it: its moves and their effects under `reduction`. States
/// are canonical when symmetry is on.
pub struct Space<'a> {
    pub config: &'a Config,
    pub reduction: Reduction,
}

impl Space<'_> {
    /// The state a search starts from.
    pub fn start(&self, concrete: &System) -> System {
        let mut state = concrete.clone();
        self.canonicalise(&mut state);
        state
    }

    /// Retires what `retire` retires, renames the mod-sequences (`values`), then puts the
    /// clients in canonical order (which the renaming keeps: values.rs, point D).
    fn canonicalise(&self, state: &mut System) {
        let applied = self.applied();
        if applied.retire {
            retire::retire(state, self.config);
        }
        if applied.values {
            values::canonicalise(state);
        }
        if self.reduction.symmetry && state.clients.len() > 1 {
            let order = canonical_order(state);
            permute(state, &order);
        }
    }

    /// The reductions applied: `reduction` less what `spec` makes unsound
    /// ([`Reduction::sound_for`]).
    pub fn applied(&self) -> Reduction {
        self.reduction.sound_for(&self.config.spec)
    }

    /// Whether the read-order bookkeeping is kept (moot under read macro-steps).
    fn freezes(&self) -> bool {
        let applied = self.applied();
        applied.read_order && !applied.reads
    }

    /// Every move enabled in `state`, in a fixed order: the line-by-line actions' order, a
    /// command's reads in the order whole, then each prefix with a drop.
    pub fn moves(&self, state: &System, moves: &mut Vec<Move>) {
        let mut actions = Vec::new();
        state.actions(self.config, &mut actions);
        if !self.applied().reads {
            let thawed = |action: &Action| match action {
                Action::Read { client } | Action::Drop { client } => !is_frozen(state, *client),
                _ => true,
            };
            moves.extend(actions.into_iter().filter(thawed).map(Move::One));
            return;
        }
        for action in actions {
            match action {
                Action::Read { client } => self.push_responses(state, client, None, moves),
                Action::Issue { client, .. } => {
                    self.push_responses(state, client, Some(action), moves)
                }
                // A drop with lines unread is a prefix read then a drop, offered above.
                Action::Drop { client } if has_unread(state, client) => {}
                _ => moves.push(Move::One(action)),
            }
        }
    }

    /// The response moves of `client` after `issue`: the whole response, then each prefix
    /// followed by a drop, one per distinct state a drop can leave (see
    /// [`Space::walk_response`]).
    fn push_responses(
        &self,
        state: &System,
        client: ClientId,
        issue: Option<Action>,
        moves: &mut Vec<Move>,
    ) {
        let reads = Reads::All;
        moves.push(Move::Response {
            client,
            issue,
            reads,
        });
        let mut prefix = |read: u16, _: &System| {
            let reads = Reads::ThenDrop(read);
            moves.push(Move::Response {
                client,
                issue,
                reads,
            });
        };
        self.walk_response(state, client, issue, &mut prefix, &mut |_| {});
    }

    /// One pass through `client`'s response to `issue`: `prefix(k, s)` at each prefix a drop
    /// is offered after, with `s` the state after `k` reads; `inside(s)` at each state
    /// strictly inside the whole read; returns the state after it (not canonical). A drop
    /// is offered once per distinct state it can leave: what survives a drop is the cache,
    /// the resync point, UIDNEXT and UIDVALIDITY, prefixes that leave them alike leave the
    /// same state, and the shortest stands for them. Under `retire`, a drop that retires the
    /// client leaves the placeholder whatever survived (`retire::retires_on_drop`), and a
    /// read writes only its client's replica (`System::apply`), so every such prefix of one
    /// response leaves one state: the shortest stands for them too. (At 2 clients x 2
    /// messages x 3 commands that was 3,721,359 of 12,539,187 successors.)
    fn walk_response(
        &self,
        state: &System,
        client: ClientId,
        issue: Option<Action>,
        prefix: &mut dyn FnMut(u16, &System),
        inside: &mut dyn FnMut(&System),
    ) -> System {
        let mut next = state.clone();
        if let Some(action) = issue {
            next.apply(self.config, action);
        }
        let mut read = 0u16;
        let mut last: Option<Survivor> = None;
        let retires = self.applied().retire;
        let mut retired_offered = false;
        while has_unread(&next, client) {
            let replica = &next.clients[client.index()];
            if !last.as_ref().is_some_and(|l| l.is_of(replica)) {
                last = Some(Survivor::of(replica));
                let retired = retires && retire::retires_on_drop(&next, client, self.config);
                if !(retired && retired_offered) {
                    prefix(read, &next);
                }
                retired_offered |= retired;
            }
            inside(&next);
            next.apply(self.config, Action::Read { client });
            read += 1;
        }
        next
    }

    /// Every move enabled in `state` with the state it leads to: what [`Space::moves`] then
    /// [`Space::step`] on each give, in the same order, at less cost under read macro-steps
    /// (a command runs once, and each drop branches off the one pass through its response,
    /// where `moves` and `step` run it once to list the moves and again per move).
    /// `inner(k, s)` sees each state `s` strictly inside the whole-response move `out[k]`,
    /// as `step` shows them.
    pub fn successors(
        &self,
        state: &System,
        out: &mut Vec<(Move, System)>,
        inner: &mut dyn FnMut(usize, &System),
    ) {
        out.clear();
        if !self.applied().reads {
            let mut moves = Vec::new();
            self.moves(state, &mut moves);
            out.extend(
                moves
                    .into_iter()
                    .map(|mv| (mv, self.step(state, mv, &mut |_| {}))),
            );
            return;
        }
        let mut actions = Vec::new();
        state.actions(self.config, &mut actions);
        for action in actions {
            match action {
                Action::Read { client } => {
                    self.push_response_states(state, client, None, out, inner)
                }
                Action::Issue { client, .. } => {
                    self.push_response_states(state, client, Some(action), out, inner)
                }
                Action::Drop { client } if has_unread(state, client) => {}
                _ => {
                    let mv = Move::One(action);
                    out.push((mv, self.step(state, mv, &mut |_| {})));
                }
            }
        }
    }

    /// [`Space::push_responses`]'s moves with their states, from one pass through the
    /// response.
    fn push_response_states(
        &self,
        state: &System,
        client: ClientId,
        issue: Option<Action>,
        out: &mut Vec<(Move, System)>,
        inner: &mut dyn FnMut(usize, &System),
    ) {
        let whole = out.len();
        let mut drops = Vec::new();
        // Holding the walk's server here copies nothing: reads do not write it.
        let mut kept = None;
        let mut prefix = |read: u16, before: &System| {
            let mut dropped = before.dropped(client, &mut kept);
            self.canonicalise(&mut dropped);
            let reads = Reads::ThenDrop(read);
            let mv = Move::Response {
                client,
                issue,
                reads,
            };
            drops.push((mv, dropped));
        };
        let mut inside = |s: &System| inner(whole, s);
        let mut next = self.walk_response(state, client, issue, &mut prefix, &mut inside);
        self.canonicalise(&mut next);
        let reads = Reads::All;
        out.push((
            Move::Response {
                client,
                issue,
                reads,
            },
            next,
        ));
        out.extend(drops);
    }

    /// Applies `mv` to `state`; `inner` sees every state strictly inside a whole-response
    /// move (after the command, before the last line is read), where `sometimes` properties
    /// must be evaluated too (see the module's argument, point 4).
    pub fn step(&self, state: &System, mv: Move, inner: &mut dyn FnMut(&System)) -> System {
        let mut next = state.clone();
        match mv {
            Move::One(action) => {
                next.apply(self.config, action);
                if self.freezes() {
                    freeze_others(&mut next, action);
                }
            }
            Move::Response {
                client,
                issue,
                reads,
            } => {
                if let Some(action) = issue {
                    next.apply(self.config, action);
                }
                let read = Action::Read { client };
                match reads {
                    Reads::All => {
                        while has_unread(&next, client) {
                            inner(&next);
                            next.apply(self.config, read);
                        }
                    }
                    Reads::ThenDrop(n) => {
                        for _ in 0..n {
                            next.apply(self.config, read);
                        }
                        next.apply(self.config, Action::Drop { client });
                    }
                }
            }
        }
        self.canonicalise(&mut next);
        next
    }

    /// The line-by-line actions of `path`, a path of this space's moves from
    /// `start(concrete)`, said of the concrete start: each move's clients renamed back, each
    /// response move spelled out line by line.
    pub fn concrete(&self, concrete: &System, path: &[Move]) -> Vec<Action> {
        let mut state = concrete.clone();
        let mut actions = Vec::new();
        // Applies one line-by-line action with the search's bookkeeping (or the canonical
        // order, which reads the frozen flags, would differ) and records it.
        let mut take = |state: &mut System, action: Action| {
            state.apply(self.config, action);
            if self.freezes() {
                freeze_others(state, action);
            }
            actions.push(action);
        };
        for &mv in path {
            let order = match self.reduction.symmetry {
                true => canonical_order(&state),
                false => (0..state.clients.len() as u8).collect(),
            };
            let back = |a: Action| symmetry::rename_back(a, &order);
            match mv {
                Move::One(action) => take(&mut state, back(action)),
                Move::Response {
                    client,
                    issue,
                    reads,
                } => {
                    let client = ClientId(order[client.index()]);
                    if let Some(action) = issue {
                        take(&mut state, back(action));
                    }
                    let read = Action::Read { client };
                    match reads {
                        Reads::All => {
                            while has_unread(&state, client) {
                                take(&mut state, read);
                            }
                        }
                        Reads::ThenDrop(n) => {
                            for _ in 0..n {
                                take(&mut state, read);
                            }
                            take(&mut state, Action::Drop { client });
                        }
                    }
                }
            }
        }
        actions
    }
}

/// Under the read-order reduction: every client with lines unread, other than the one that
/// took `action`, reads no more of them.
fn freeze_others(state: &mut System, action: Action) {
    let actor = match action {
        Action::Issue { client, .. } | Action::Read { client } | Action::Drop { client } => {
            Some(client)
        }
        Action::Arrive
        | Action::Remove { .. }
        | Action::Renumber
        | Action::Forget
        | Action::Restart
        | Action::Push { .. } => None,
    };
    for (i, client) in state.clients.iter_mut().enumerate() {
        // Written only where it changes: a write copies a shared replica (`System::clients`).
        let freezes = |c: &Client| {
            c.connection
                .as_ref()
                .is_some_and(|c| !c.queue.is_empty() && !c.frozen)
        };
        if actor != Some(ClientId(i as u8)) && freezes(client) {
            let connection = client.make_mut().connection.as_mut();
            connection.expect("a connection with lines queued").frozen = true;
        }
    }
}

fn is_frozen(state: &System, client: ClientId) -> bool {
    state.clients[client.index()]
        .connection
        .as_ref()
        .is_some_and(|c| c.frozen)
}

fn has_unread(state: &System, client: ClientId) -> bool {
    state.clients[client.index()]
        .connection
        .as_ref()
        .is_some_and(|c| !c.queue.is_empty())
}
