//! The scaling benchmark: the standard bounds (clients x messages x commands) per edition,
//! each checked over its whole space in a fresh process (`check --keep-going --format json`),
//! so each row's peak memory is its own. Timings are this machine's and noisy: compare the
//! ratios of one run, never assert them in a test.

use std::path::Path;
use std::process::Command;

use serde::Serialize;

/// The standard set, smallest first: (clients, messages, commands).
pub const STANDARD: [(u8, u32, u8); 7] = [
    (2, 2, 2),
    (2, 2, 3),
    (3, 2, 1),
    (3, 2, 2),
    (2, 3, 2),
    (2, 2, 4),
    (3, 3, 2),
];

/// One row: what the check of one configuration measured.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    pub edition: String,
    /// The reductions applied, as `check --reduce` names them.
    pub reduction: String,
    pub clients: u8,
    pub messages: u32,
    pub commands: u8,
    pub unique_states: u64,
    pub seconds: f64,
    pub states_per_second: f64,
    /// Peak resident memory over unique states; None where it could not be read.
    pub bytes_per_state: Option<f64>,
    pub depth_max: u64,
    /// `complete`, or why the run stopped (the per-row time limit, the memory limit).
    pub completion: String,
}

/// Runs one row with `exe` (this binary), stopped after `max_seconds`.
pub fn row(
    exe: &Path,
    edition: &str,
    reduce: &str,
    (clients, messages, commands): (u8, u32, u8),
    max_seconds: u64,
) -> Result<Row, String> {
    let output = Command::new(exe)
        .args([
            "check",
            "--edition",
            edition,
            "--keep-going",
            "--format",
            "json",
        ])
        .args(["--clients", &clients.to_string()])
        .args(["--messages", &messages.to_string()])
        .args(["--commands", &commands.to_string()])
        .args(["--reduce", reduce])
        .args(["--max-seconds", &max_seconds.to_string()])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).map_err(|e| {
        format!(
            "{edition} {clients}x{messages}x{commands}: no report ({e}): {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )
    })?;
    let stats = &report["statistics"];
    let number = |key: &str| stats[key].as_f64().unwrap_or_default();
    let unique_states = number("unique_states") as u64;
    let peak = stats["peak_resident_bytes"].as_f64();
    Ok(Row {
        edition: edition.to_string(),
        reduction: reduce.to_string(),
        clients,
        messages,
        commands,
        unique_states,
        seconds: number("seconds"),
        states_per_second: number("states_per_second"),
        bytes_per_state: peak
            .filter(|_| unique_states > 0)
            .map(|b| b / unique_states as f64),
        depth_max: number("depth_max") as u64,
        completion: report["completion"].as_str().unwrap_or("?").to_string(),
    })
}

/// The rows as a markdown table.
pub fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| edition | reduction | clients x messages x commands | unique states | seconds | \
         states/s | bytes/state | depth max | run |\n|---|---|---|---|---|---|---|---|---|\n",
    );
    for r in rows {
        let bytes = r
            .bytes_per_state
            .map_or("?".to_string(), |b| format!("{b:.0}"));
        out.push_str(&format!(
            "| {} | {} | {}x{}x{} | {} | {:.1} | {:.0} | {bytes} | {} | {} |\n",
            r.edition,
            r.reduction,
            r.clients,
            r.messages,
            r.commands,
            r.unique_states,
            r.seconds,
            r.states_per_second,
            r.depth_max,
            r.completion
        ));
    }
    out
}
