//! `explore`: stateright's Explorer (its web page and JSON state API) over the model, made to
//! speak IMAP. The Explorer prints a state with `{:#?}`, an action with
//! `Model::format_action` (which sees no state) and a step with `Model::format_step`, so this
//! module wraps the checked model's state and action in types whose `Debug` is the
//! transcript's text: a state carries what rendering it needs, an action its transcript line,
//! computed where the state is known (in `actions`). [`crate::model::ResyncModel`] and
//! [`System`]'s own `Debug` stay as the checker and the tests use them.

pub mod render;
pub mod serve;

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use stateright::{Model, Path, Property};

use crate::properties::{Kind, PROPERTIES};
use crate::system::{Action, Config, System};

/// What every state of one Explorer session shares: the model's name and settings, and the
/// properties whose verdict a state shows.
#[derive(Debug)]
pub struct Context {
    pub name: String,
    pub edition: String,
    pub config: Config,
    /// Indices into [`PROPERTIES`].
    pub properties: Vec<usize>,
}

/// A state of the Explorer: the system, and the context its text needs. Equality and hash
/// are the system's alone, so fingerprints are the checked model's.
#[derive(Clone)]
pub struct ExploreState {
    pub system: System,
    pub context: Arc<Context>,
}

impl PartialEq for ExploreState {
    fn eq(&self, other: &Self) -> bool {
        self.system == other.system
    }
}

impl Eq for ExploreState {}

impl Hash for ExploreState {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.system.hash(state);
    }
}

/// What the Explorer shows as "the state": the transcripts' state block and each property's
/// verdict here.
impl fmt::Debug for ExploreState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&render::state_text(&self.context, &self.system))
    }
}

/// An action, and the state it leaves, from which its transcript line is rendered when the
/// page asks: "Run to completion" generates far more actions than anyone reads, and
/// rendering each as it is generated made that run several times slower.
#[derive(Clone)]
pub struct ExploreAction {
    pub action: Action,
    pub from: Arc<System>,
    pub context: Arc<Context>,
}

impl ExploreAction {
    /// The transcript line.
    pub fn label(&self) -> String {
        let config = &self.context.config;
        let mut siblings = Vec::new();
        self.from.actions(config, &mut siblings);
        render::action_label(config, &self.from, &siblings, self.action)
    }
}

/// Siblings share the state they leave: the action alone tells them apart.
impl PartialEq for ExploreAction {
    fn eq(&self, other: &Self) -> bool {
        self.action == other.action
    }
}

impl fmt::Debug for ExploreAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

#[derive(Clone)]
pub struct ExploreModel {
    pub context: Arc<Context>,
    /// The initial state, or the state a model file's script leads to.
    pub start: System,
}

impl ExploreModel {
    pub fn new(context: Context, start: System) -> ExploreModel {
        ExploreModel {
            context: Arc::new(context),
            start,
        }
    }

    /// The action indices (as the Explorer's URLs and `/.states/0/...` address a path) of
    /// `actions` from the start; Err names the first step the model does not offer.
    pub fn path_of(&self, actions: &[Action]) -> Result<Vec<usize>, String> {
        let mut state = self.start.clone();
        let mut indices = vec![0];
        for (i, &action) in actions.iter().enumerate() {
            let mut offered = Vec::new();
            state.actions(&self.context.config, &mut offered);
            let index = offered
                .iter()
                .position(|a| *a == action)
                .ok_or_else(|| format!("step {} is not offered by the model there", i + 1))?;
            indices.push(index);
            state.apply(&self.context.config, action);
        }
        Ok(indices)
    }
}

/// `Property` conditions are plain `fn` pointers: one per catalogue entry, as in `model.rs`.
fn condition<const I: usize>(_: &ExploreModel, state: &ExploreState) -> bool {
    (PROPERTIES[I].condition)(&state.system)
}

type Condition = fn(&ExploreModel, &ExploreState) -> bool;

const CONDITIONS: [Condition; PROPERTIES.len()] = crate::per_property!(condition);

impl Model for ExploreModel {
    type State = ExploreState;
    type Action = ExploreAction;

    fn init_states(&self) -> Vec<ExploreState> {
        vec![ExploreState {
            system: self.start.clone(),
            context: Arc::clone(&self.context),
        }]
    }

    fn actions(&self, state: &ExploreState, actions: &mut Vec<ExploreAction>) {
        // The same actions in the same order as the checked model: a trace's steps map to
        // the same indices.
        let mut offered = Vec::new();
        state.system.actions(&self.context.config, &mut offered);
        let from = Arc::new(state.system.clone());
        actions.extend(offered.into_iter().map(|action| ExploreAction {
            action,
            from: Arc::clone(&from),
            context: Arc::clone(&self.context),
        }));
    }

    fn next_state(&self, state: &ExploreState, action: ExploreAction) -> Option<ExploreState> {
        let mut next = state.clone();
        next.system.apply(&self.context.config, action.action);
        Some(next)
    }

    fn format_action(&self, action: &ExploreAction) -> String {
        action.label()
    }

    fn format_step(&self, last: &ExploreState, action: ExploreAction) -> Option<String> {
        Some(render::step_text(
            &self.context,
            &last.system,
            action.action,
        ))
    }

    fn as_svg(&self, path: Path<ExploreState, ExploreAction>) -> Option<String> {
        let steps = path.into_vec();
        let start = steps.first()?.0.system.clone();
        let actions: Vec<Action> = steps
            .iter()
            .filter_map(|(_, a)| a.as_ref().map(|a| a.action))
            .collect();
        Some(render::chart(&self.context, start, &actions))
    }

    fn properties(&self) -> Vec<Property<Self>> {
        self.context
            .properties
            .iter()
            .map(|&i| match PROPERTIES[i].kind {
                Kind::Always => Property::always(PROPERTIES[i].name, CONDITIONS[i]),
                Kind::Sometimes => Property::sometimes(PROPERTIES[i].name, CONDITIONS[i]),
            })
            .collect()
    }
}
