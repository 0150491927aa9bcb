//! The stateright `Model`: wires [`System`] and the properties to the checker. Nothing else
//! in the crate depends on stateright.

use std::sync::Arc;

use stateright::{Model, Property};

use crate::limits::Budget;

use crate::properties::{self, Kind, PROPERTIES};
use crate::system::{Action, Config, System};

pub struct ResyncModel {
    pub config: Config,
    /// Where exploration starts: the initial state, or the state a model file's script
    /// leads to.
    pub start: System,
    /// The properties checked, by index into [`PROPERTIES`].
    pub properties: Vec<usize>,
    /// The run's limits (see `limits.rs`): once spent, nothing more is explored.
    pub budget: Arc<Budget>,
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

const CONDITIONS: [Condition; PROPERTIES.len()] = [
    condition::<0>,
    condition::<1>,
    condition::<2>,
    condition::<3>,
    condition::<4>,
    condition::<5>,
    condition::<6>,
    condition::<7>,
    condition::<8>,
];

impl Model for ResyncModel {
    type State = System;
    type Action = Action;

    fn init_states(&self) -> Vec<System> {
        vec![self.start.clone()]
    }

    fn actions(&self, state: &System, actions: &mut Vec<Action>) {
        state.actions(&self.config, actions);
        let admitted = self.budget.admit(actions.len());
        actions.truncate(admitted);
    }

    fn next_state(&self, state: &System, action: Action) -> Option<System> {
        // Never None: `actions` offers only applicable actions (stateright-0.31.md, pitfall 3).
        let mut next = state.clone();
        next.apply(&self.config, action);
        Some(next)
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
