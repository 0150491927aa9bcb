//! The stateright `Model`: wires [`System`] and the properties to the checker. Nothing else
//! in the crate depends on stateright.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use stateright::{Model, Property};

use crate::limits::Budget;

use crate::properties::{self, Kind, PROPERTIES};
use crate::reduce::{Move, Reduction, Space};
use crate::system::{Config, System};

pub struct ResyncModel {
    pub config: Config,
    /// Where exploration starts: the initial state, or the state a model file's script
    /// leads to (concrete: `init_states` gives its canonical form under symmetry).
    pub start: System,
    /// The properties checked, by index into [`PROPERTIES`].
    pub properties: Vec<usize>,
    /// The run's limits (see `limits.rs`): once spent, nothing more is explored.
    pub budget: Arc<Budget>,
    pub reduction: Reduction,
    /// Per catalogue entry: a `sometimes` property held at a state inside a move (with the
    /// read reduction, reduce/mod.rs point 4), where stateright does not look.
    pub reached_inside: Vec<AtomicBool>,
}

impl ResyncModel {
    pub fn new(
        config: Config,
        start: System,
        properties: Vec<usize>,
        budget: Arc<Budget>,
        reduction: Reduction,
    ) -> ResyncModel {
        ResyncModel {
            config,
            start,
            properties,
            budget,
            reduction,
            reached_inside: PROPERTIES.iter().map(|_| AtomicBool::new(false)).collect(),
        }
    }

    pub fn space(&self) -> Space<'_> {
        Space {
            config: &self.config,
            reduction: self.reduction,
        }
    }

    /// Whether property `i` held at a state inside a move.
    pub fn reached_inside(&self, i: usize) -> bool {
        self.reached_inside[i].load(Ordering::Relaxed)
    }
}

/// `Property` conditions are plain `fn` pointers; one instance per catalogue entry. Once the
/// budget is spent, the states stateright still holds are drained unexamined: an `always`
/// property reads as holding there and a `sometimes` one as not reached, so nothing is
/// decided on them.
fn condition<const I: usize>(model: &ResyncModel, state: &System) -> bool {
    if model.budget.is_stopped() {
        return PROPERTIES[I].kind == Kind::Always;
    }
    (PROPERTIES[I].condition)(state)
}

type Condition = fn(&ResyncModel, &System) -> bool;

/// The name of the property that keeps every state expanded; never reported.
pub const EXPAND_EVERY_STATE: &str = "(expand every state)";

const CONDITIONS: [Condition; PROPERTIES.len()] = crate::per_property!(condition);

impl Model for ResyncModel {
    type State = System;
    type Action = Move;

    fn init_states(&self) -> Vec<System> {
        vec![self.space().start(&self.start)]
    }

    fn actions(&self, state: &System, actions: &mut Vec<Move>) {
        self.space().moves(state, actions);
        let admitted = self.budget.admit(actions.len());
        actions.truncate(admitted);
    }

    fn next_state(&self, state: &System, action: Move) -> Option<System> {
        // Never None: `actions` offers only applicable moves (docs/stateright-0.31.md, pitfall 3).
        if !self.space().applied().reads || self.budget.is_stopped() {
            return Some(self.space().step(state, action, &mut |_| {}));
        }
        // `sometimes` properties at the states inside a read macro-step (reduce/mod.rs,
        // point 4): stateright sees only the move's end.
        let mut inside = |inner: &System| {
            for &i in &self.properties {
                let p = &PROPERTIES[i];
                if p.kind == Kind::Sometimes && !self.reached_inside(i) && (p.condition)(inner) {
                    self.reached_inside[i].store(true, Ordering::Relaxed);
                }
            }
        };
        Some(self.space().step(state, action, &mut inside))
    }

    fn properties(&self) -> Vec<Property<Self>> {
        let mut properties: Vec<Property<Self>> = self
            .properties
            .iter()
            .map(|&i| {
                let p: &properties::Property = &PROPERTIES[i];
                match p.kind {
                    Kind::Always => Property::always(p.name, CONDITIONS[i]),
                    Kind::Sometimes => Property::sometimes(p.name, CONDITIONS[i]),
                }
            })
            .collect();
        // stateright does not expand a state at which every property is decided (each
        // `always` one fails there, each `sometimes` one holds), so the states reached would
        // depend on which properties are checked. One property that always holds and is
        // never decided makes it expand every state: state counts are those of the whole
        // bounded space, whatever the property list.
        properties.push(Property::always(EXPAND_EVERY_STATE, |_, _| true));
        properties
    }
}
