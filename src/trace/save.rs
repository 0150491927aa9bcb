//! Writes traces to a directory: `<model>.<property>.json`, `.txt` and `.svg` each (the
//! second of a property `<model>.<property>.2.json` and so on), and a
//! scripted model's script as `<model>.script.txt`; each file atomically (see `output.rs`).

use std::path::Path;

use super::replay::Replayed;
use super::{Trace, svg, text};

pub fn save(dir: &Path, traces: &[(Trace, Replayed)]) -> Result<(), String> {
    crate::output::prepare_dir("--save", dir)?;
    for (k, (trace, replayed)) in traces.iter().enumerate() {
        // With `check --counterexamples N`, a property's second trace and after are
        // `<model>.<property>.2.json` and so on; its first keeps the plain name.
        let earlier = traces[..k]
            .iter()
            .filter(|(t, _)| t.property == trace.property)
            .count();
        let stem = match earlier {
            0 => format!("{}.{}", trace.model.name, trace.property),
            n => format!("{}.{}.{}", trace.model.name, trace.property, n + 1),
        };
        let files = [
            (dir.join(format!("{stem}.json")), trace.to_json()),
            (
                dir.join(format!("{stem}.txt")),
                text::render(trace, replayed),
            ),
            (
                dir.join(format!("{stem}.svg")),
                svg::render(trace, replayed),
            ),
        ];
        for (path, content) in files {
            crate::output::write_atomic(&path, &content)?;
        }
    }
    Ok(())
}

/// Writes the transcript of `model`'s script, if it has one, as `<model>.script.txt`.
pub fn save_script(dir: &Path, model: &crate::setup::ModelSetup) -> Result<(), String> {
    if model.script.is_empty() {
        return Ok(());
    }
    crate::output::prepare_dir("--save", dir)?;
    let path = dir.join(format!("{}.script.txt", model.name));
    let content = text::script(&model.name, &model.edition, &model.config, &model.script);
    crate::output::write_atomic(&path, &content)
}
