//! Writes traces to a directory: `<model>.<property>.json`, `.txt` and `.svg` each.

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
