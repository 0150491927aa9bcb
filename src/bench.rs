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

/// How each row is checked: `check --reduce`, `--strategy` and `--threads`, as named there.
#[derive(Clone, Copy, Debug)]
pub struct Search<'a> {
    pub reduce: &'a str,
    pub strategy: &'a str,
    pub threads: u64,
}

/// One row: what the check of one configuration measured.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    pub edition: String,
    /// The reductions applied, as `check --reduce` names them.
    pub reduction: String,
    /// The search and its threads, as `check --strategy` and `--threads` name them.
    pub strategy: String,
    pub threads: u64,
    pub clients: u8,
    pub messages: u32,
    pub commands: u8,
    pub unique_states: u64,
    /// Every state generated, the initial one and repeats included: the transitions taken,
    /// plus one.
    pub generated_states: u64,
    pub seconds: f64,
    pub states_per_second: f64,
    /// The check process's CPU time, every thread's, set-up and report included (Linux;
    /// None where it could not be read).
    pub cpu_seconds: Option<f64>,
    /// Transitions (generated states but the initial one) over `cpu_seconds`: the cost of a
    /// transition, whatever the thread count.
    pub transitions_per_cpu_second: Option<f64>,
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
    search: Search,
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
        .args(["--reduce", search.reduce])
        .args(["--strategy", search.strategy])
        .args(["--threads", &search.threads.to_string()])
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
    let generated_states = number("generated_states") as u64;
    let peak = stats["peak_resident_bytes"].as_f64();
    let cpu_seconds = stats["cpu_seconds"].as_f64();
    let transitions = generated_states.saturating_sub(1) as f64;
    Ok(Row {
        edition: edition.to_string(),
        reduction: search.reduce.to_string(),
        strategy: search.strategy.to_string(),
        threads: search.threads,
        clients,
        messages,
        commands,
        unique_states,
        generated_states,
        seconds: number("seconds"),
        states_per_second: number("states_per_second"),
        cpu_seconds,
        transitions_per_cpu_second: cpu_seconds.filter(|&s| s > 0.0).map(|s| transitions / s),
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
        "| edition | reduction | search | clients x messages x commands | unique states | \
         generated | seconds | states/s | CPU s | transitions/CPU s | bytes/state | depth max \
         | run |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    let or_unknown =
        |x: Option<f64>, digits: usize| x.map_or("?".to_string(), |x| format!("{x:.digits$}"));
    for r in rows {
        out.push_str(&format!(
            "| {} | {} | {}, {} thread(s) | {}x{}x{} | {} | {} | {:.1} | {:.0} | {} | {} | {} | {} | {} |\n",
            r.edition,
            r.reduction,
            r.strategy,
            r.threads,
            r.clients,
            r.messages,
            r.commands,
            r.unique_states,
            r.generated_states,
            r.seconds,
            r.states_per_second,
            or_unknown(r.cpu_seconds, 2),
            or_unknown(r.transitions_per_cpu_second, 0),
            or_unknown(r.bytes_per_state, 0),
            r.depth_max,
            r.completion
        ));
    }
    out
}
