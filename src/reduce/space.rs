//! The system as a search sees it under the reductions (their soundness is argued in mod.rs):
//! its moves, the states they lead to, and the concrete runs they stand for.

use std::cell::RefCell;

use smallvec::SmallVec;

use crate::client::Client;
use crate::imap::types::ClientId;
use crate::system::{Action, Config, KeptDrop, System};

use super::survivor::Survivor;
use super::symmetry::{self, canonical_order, permute};
use super::{Reduction, retire, values};

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
            let thawed = |action: &Action| thawed(state, *action);
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
            // `moves` line by line, each stepped as it is found, the actions in a vector
            // each expansion reuses: no vector made and freed per expansion (issue 31).
            ACTIONS.with_borrow_mut(|actions| {
                actions.clear();
                state.actions(self.config, actions);
                for &action in actions.iter() {
                    if thawed(state, action) {
                        let mv = Move::One(action);
                        out.push((mv, self.step(state, mv, &mut |_| {})));
                    }
                }
            });
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
        // About one drop a response is offered (the others retire their client again).
        let mut drops: SmallVec<[(Move, System); 2]> = SmallVec::new();
        // Holding the walk's server here copies nothing: reads do not write it.
        let mut kept = None;
        let mut prefix = |read: u16, before: &System| {
            let reads = Reads::ThenDrop(read);
            let mv = Move::Response {
                client,
                issue,
                reads,
            };
            drops.push((mv, before.dropped(client, &mut kept)));
        };
        let mut inside = |s: &System| inner(whole, s);
        let mut next = self.walk_response(state, client, issue, &mut prefix, &mut inside);
        // In canonical order only once the kept servers are let go: putting the clients in
        // order writes the server, and a server that one state alone holds is written in
        // place, where one still kept would be copied first (2 per cent of the instructions
        // at 2 clients x 2 messages x 3 commands).
        drop(kept);
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
        for (mv, mut dropped) in drops {
            self.canonicalise(&mut dropped);
            out.push((mv, dropped));
        }
    }

    /// Applies `mv` to `state`; `inner` sees every state strictly inside a whole-response
    /// move (after the command, before the last line is read), where `sometimes` properties
    /// must be evaluated too (see the argument in mod.rs, point 4 of `reads`).
    pub fn step(&self, state: &System, mv: Move, inner: &mut dyn FnMut(&System)) -> System {
        let mut next = match mv {
            Move::One(Action::Drop { client }) => dropped(state, client),
            _ => state.clone(),
        };
        match mv {
            Move::One(action) => {
                // A drop is made by `dropped` above.
                if !matches!(action, Action::Drop { .. }) {
                    next.apply(self.config, action);
                }
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

thread_local! {
    /// Per client, this thread's last line-by-line drop: the server before and after it
    /// (`System::dropped`). A read leaves the server as it was, so the states below one
    /// along reads share its server, and a drop of the same client from any of them leaves
    /// the same server: copied and fingerprinted once, not at each (47 % of the line-by-line
    /// transitions are drops). Holding the server before keeps its address from being
    /// reused, so equal addresses mean one copy.
    static DROPS: RefCell<Vec<Option<KeptDrop>>> = const { RefCell::new(Vec::new()) };
    /// The actions of the state being expanded, in a vector each expansion reuses.
    static ACTIONS: RefCell<Vec<Action>> = const { RefCell::new(Vec::new()) };
}

/// `state` after `Action::Drop { client }`, its server reused from this thread's last drop
/// of `client` where that drop started from the same server.
fn dropped(state: &System, client: ClientId) -> System {
    DROPS.with_borrow_mut(|kept| {
        if kept.len() <= client.index() {
            kept.resize(client.index() + 1, None);
        }
        state.dropped(client, &mut kept[client.index()])
    })
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

/// Whether `action` is not a read or drop of a frozen client (`freeze_others`).
fn thawed(state: &System, action: Action) -> bool {
    match action {
        Action::Read { client } | Action::Drop { client } => !is_frozen(state, client),
        _ => true,
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
