//! Writes traces to a directory: `<model>.<property>.json`, `.txt` and `.svg` each, and a
//! scripted model's script as `<model>.script.txt`.

use std::path::Path;

use super::replay::Replayed;
use super::{Trace, svg, text};

pub fn save(dir: &Path, traces: &[(Trace, Replayed)]) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for (trace, replayed) in traces {
        let stem = format!("{}.{}", trace.model.name, trace.property);
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
            std::fs::write(&path, content).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(())
}

/// Writes the transcript of `model`'s script, if it has one, as `<model>.script.txt`.
pub fn save_script(dir: &Path, model: &crate::setup::ModelSetup) -> Result<(), String> {
    if model.script.is_empty() {
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.join(format!("{}.script.txt", model.name));
    let content = text::script(&model.name, &model.edition, &model.config, &model.script);
    std::fs::write(&path, content).map_err(|e| format!("{}: {e}", path.display()))
}
