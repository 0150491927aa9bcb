//! `explore`: serves stateright's Explorer over a model, or over a saved trace's model opened
//! at the trace's last state.

use std::net::SocketAddr;

use super::args::{ExploreArgs, ModelArgs};
use super::traces::load_trace;
use crate::explore::serve;
use crate::explore::{Context, ExploreModel};
use crate::output;
use crate::properties::PROPERTIES;
use crate::setup::{self, DEFAULT_COMMANDS};
use crate::system::{Action, System};
use crate::trace::replay::{ReplayError, replay};

/// What is explored: the model, and the path the page opens at.
struct Explored {
    model: ExploreModel,
    opens_at: Option<Vec<usize>>,
    what: String,
}

fn from_trace(path: &std::path::Path, args: &ModelArgs) -> Result<Explored, String> {
    let o = &args.model;
    let b = &args.bounds;
    let flags = o.is_some()
        || args.edition.is_some()
        || !args.clauses.is_empty()
        || [b.clients, b.messages, b.commands, b.arrivals, b.removals]
            .iter()
            .any(Option::is_some);
    if flags {
        return Err(
            "--trace takes the model from the trace: give no model file, --edition, --clause \
             or bounds with it (only --property)"
                .to_string(),
        );
    }
    let trace = load_trace(path)?;
    let shown = path.display();
    let replayed = replay(&trace).map_err(|e| match e {
        ReplayError::Invalid(why) | ReplayError::Claim(why) => format!("{shown}: {why}"),
        ReplayError::Diverged { step, why } => {
            format!("{shown}: does not replay (step {step}): {why}")
        }
    })?;
    let properties = if args.properties.is_empty() {
        (0..PROPERTIES.len()).collect()
    } else {
        crate::model_file::property_list(&args.properties, "--property")?
    };
    let context = Context {
        name: trace.model.name.clone(),
        edition: trace.model.edition.clone(),
        config: replayed.config,
        properties,
    };
    let model = ExploreModel::new(context, System::initial(&replayed.config));
    let opens_at = opens_at(&model, &replayed.actions, &shown.to_string())?;
    Ok(Explored {
        model,
        opens_at,
        what: format!(
            "trace {shown} ({} steps, violates {})",
            replayed.actions.len(),
            replayed.property.name
        ),
    })
}

fn opens_at(
    model: &ExploreModel,
    steps: &[Action],
    what: &str,
) -> Result<Option<Vec<usize>>, String> {
    if steps.is_empty() {
        return Ok(None);
    }
    model
        .path_of(steps)
        .map(Some)
        .map_err(|why| format!("{what}: {why}"))
}

fn from_model(args: &ModelArgs) -> Result<Explored, String> {
    let setup = setup::prepare(&args.overrides(), DEFAULT_COMMANDS.into())?;
    let context = Context {
        name: setup.name.clone(),
        edition: setup.edition.clone(),
        config: setup.config,
        properties: setup.properties.clone(),
    };
    // A model file's script is walked from the initial state: the page opens where it ends,
    // and the reader can step back through it.
    let model = ExploreModel::new(context, System::initial(&setup.config));
    let opens_at = opens_at(
        &model,
        &setup.script,
        &format!("the script of {}", setup.name),
    )?;
    Ok(Explored {
        model,
        opens_at,
        what: format!("model {}", setup.name),
    })
}

pub fn explore(args: &ExploreArgs) -> Result<u8, String> {
    let address: SocketAddr = serve::parse_address(&args.address)?;
    let explored = match &args.trace {
        Some(path) => from_trace(path, &args.model)?,
        None => from_model(&args.model)?,
    };
    let address = serve::reserve(address)?;
    if let Some(warning) = serve::warning(address) {
        output::eprintln(&warning);
    }
    let url = serve::url(address, explored.opens_at.as_deref());
    output::println(&format!("exploring {}", output::plain(&explored.what)));
    output::println(&format!("Explorer: {url}"));
    output::println("(it explores breadth-first and ignores symmetry; stop it with Ctrl-C)");
    if args.open {
        open(&url);
    }
    let why = serve::run(explored.model, address);
    Err(why)
}

/// Asks the desktop to open `url`; a machine without one gets a note, not an error.
fn open(url: &str) {
    match std::process::Command::new("xdg-open").arg(url).spawn() {
        Ok(_) => {}
        Err(e) => output::eprintln(&format!(
            "note: cannot open a browser (xdg-open: {e}); open {url}"
        )),
    }
}
