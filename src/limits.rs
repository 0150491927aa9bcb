//! What stops a check before its space is exhausted: generated states, seconds, memory.
//!
//! stateright 0.31 has no hook for memory, checks its own state limit only once per block of
//! 1500 states per thread (`--max-states 1000` used to stop at 4,644), and a thread that
//! leaves on a limit while another waits for work can leave that one waiting for good
//! (docs/stateright-0.31.md; `job_market.rs`). So the limits are enforced here, through the model:
//! once a [`Budget`] is spent, `actions` offers nothing and every property reads as
//! undecided, so stateright's threads drain what they hold and end the normal way. A watcher
//! thread polls the clock and the resident memory (`/proc/self/status`) every few
//! milliseconds.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Why a run stopped early.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    States,
    Time,
    Memory,
    /// Ctrl-C (SIGINT).
    Interrupt,
}

/// Set by the Ctrl-C handler; the watcher of the running check stops its budget.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Makes Ctrl-C stop the running check the way a limit does: what was decided is printed.
/// A second Ctrl-C, or one outside a check, ends the program at once with 130, the shell's
/// code for it.
pub fn install_interrupt_handler() {
    let _ = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::Relaxed) {
            std::process::exit(130);
        }
    });
}

/// The most walks a simulation run may have.
pub const MAX_RUNS: u64 = 1_000_000_000;
/// The most steps a simulation walk may take.
pub const MAX_STEPS: u64 = 1_000_000;

/// Whether Ctrl-C came (and was not yet taken by a run's watcher).
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::Relaxed)
}

/// A run's allowance of generated states, shared by the checker's threads and the watcher.
#[derive(Debug, Default)]
pub struct Budget {
    stopped: AtomicBool,
    reason: OnceLock<Stop>,
    /// Set after the run: stateright rebuilds its paths through `actions`, which must then
    /// offer everything again.
    released: AtomicBool,
    max_states: Option<usize>,
    /// Whether `admit` counts states without a state limit: for progress lines.
    counting: bool,
    /// States generated so far, the initial one included (stateright's count); counted
    /// under a state limit or for progress lines only (an atomic add per state costs a few
    /// per cent).
    generated: AtomicUsize,
    /// The depth the search is at, for progress lines: the breadth-first search's level, or
    /// the depth-first search's current path (`depth_first`).
    depth: AtomicUsize,
    depth_first: AtomicBool,
}

impl Budget {
    pub fn new(max_states: Option<usize>) -> Budget {
        Budget {
            max_states,
            generated: AtomicUsize::new(1),
            ..Budget::default()
        }
    }

    /// As [`Budget::new`], counting generated states for progress lines.
    pub fn counting(max_states: Option<usize>) -> Budget {
        Budget {
            counting: true,
            ..Budget::new(max_states)
        }
    }

    /// Counts `generated` states as generated already: a run resumed from a checkpoint
    /// (`check --resume`) goes on counting from where the stopped run was, so `--max-states`
    /// bounds both together.
    pub fn resume_at(&self, generated: usize) {
        self.generated.store(generated, Ordering::Relaxed);
    }

    pub fn set_depth(&self, depth: usize) {
        self.depth_first.store(false, Ordering::Relaxed);
        self.depth.store(depth, Ordering::Relaxed);
    }

    /// As [`Budget::set_depth`], for a depth-first search: the length of its current path.
    pub fn set_path_depth(&self, depth: usize) {
        self.depth_first.store(true, Ordering::Relaxed);
        self.depth.store(depth, Ordering::Relaxed);
    }

    /// Ends the run; the first reason given is the one reported.
    pub fn stop(&self, why: Stop) {
        let _ = self.reason.set(why);
        self.stopped.store(true, Ordering::Relaxed);
    }

    pub fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::Relaxed) && !self.released.load(Ordering::Relaxed)
    }

    pub fn reason(&self) -> Option<Stop> {
        self.reason.get().copied()
    }

    /// How many of `n` successors of a state may be generated: all of them until the state
    /// limit, then what is left of it, then none. Counting happens only under a state limit
    /// (an atomic add per state costs a few per cent).
    pub fn admit(&self, n: usize) -> usize {
        if self.released.load(Ordering::Relaxed) {
            return n;
        }
        if self.stopped.load(Ordering::Relaxed) {
            return 0;
        }
        if self.max_states.is_none() && !self.counting {
            return n;
        }
        let before = self.generated.fetch_add(n, Ordering::Relaxed);
        let Some(max) = self.max_states else {
            return n;
        };
        if before + n <= max {
            return n;
        }
        self.stop(Stop::States);
        max.saturating_sub(before)
    }

    /// After the run: everything is offered again (see `released`).
    pub fn release(&self) {
        self.released.store(true, Ordering::Relaxed);
    }
}

/// What a search may spend: how many of a state's successors it may generate, and whether
/// it must stop now.
pub trait Allowance {
    fn admit(&self, n: usize) -> usize;
    fn is_spent(&self) -> bool;
    /// The depth a breadth-first search has reached, for progress lines.
    fn show_depth(&self, _depth: usize) {}
    /// The length of a depth-first search's current path, for progress lines.
    fn show_path_depth(&self, _depth: usize) {}
}

impl Allowance for Budget {
    fn admit(&self, n: usize) -> usize {
        Budget::admit(self, n)
    }

    fn is_spent(&self) -> bool {
        self.is_stopped()
    }

    fn show_depth(&self, depth: usize) {
        self.set_depth(depth);
    }

    fn show_path_depth(&self, depth: usize) {
        self.set_path_depth(depth);
    }
}

/// A budget after its run: the search for shortest paths that follows stops as soon as any
/// limit is reached (the watcher keeps watching), but counts no states of its own.
pub struct AfterRun<'a>(&'a Budget);

impl Budget {
    pub fn after_run(&self) -> AfterRun<'_> {
        AfterRun(self)
    }
}

impl Allowance for AfterRun<'_> {
    fn admit(&self, n: usize) -> usize {
        if self.is_spent() { 0 } else { n }
    }

    fn is_spent(&self) -> bool {
        self.0.stopped.load(Ordering::Relaxed)
    }
}

/// How often a progress line is printed.
pub const PROGRESS_EVERY: Duration = Duration::from_secs(2);

/// One progress line, in the style of cargo's and TLC's: what is done so far, how fast, how
/// much memory.
fn progress_line(
    states: usize,
    per_second: f64,
    (depth, depth_first): (usize, bool),
    memory: Option<u64>,
    elapsed: Duration,
) -> String {
    let mut line = format!(
        "    Checking {states} states generated ({per_second:.0}/s), {:.0} s",
        elapsed.as_secs_f64()
    );
    if depth > 0 {
        let search = match depth_first {
            true => "depth-first",
            false => "breadth-first",
        };
        line.push_str(&format!(", {search} at depth {depth}"));
    }
    if let Some(bytes) = memory {
        line.push_str(&format!(", {} MiB resident", bytes >> 20));
    }
    line
}

/// How often the watcher looks at the clock and the memory.
const POLL: Duration = Duration::from_millis(5);

/// Watches a run: stops `budget` at `deadline` or when the resident memory reaches
/// `max_memory` bytes, and keeps [`Watcher::over_memory`] current for the searches that run
/// after it.
pub struct Watcher {
    over_memory: AtomicBool,
    done: AtomicBool,
}

impl Watcher {
    pub fn new() -> Watcher {
        Watcher {
            over_memory: AtomicBool::new(false),
            done: AtomicBool::new(false),
        }
    }

    /// Whether the resident memory was at or above the limit at the last look.
    pub fn over_memory(&self) -> bool {
        self.over_memory.load(Ordering::Relaxed)
    }

    /// Ends [`Watcher::watch`].
    pub fn finish(&self) {
        self.done.store(true, Ordering::Relaxed);
    }

    /// Runs until [`Watcher::finish`]: the body of the watcher thread. With `progress`, a
    /// line on stderr every [`PROGRESS_EVERY`].
    pub fn watch(
        &self,
        budget: &Budget,
        deadline: Option<Instant>,
        max_memory: Option<u64>,
        progress: bool,
    ) {
        let started = Instant::now();
        let mut shown = started;
        let mut shown_states = 0;
        while !self.done.load(Ordering::Relaxed) {
            if INTERRUPTED.swap(false, Ordering::Relaxed) {
                budget.stop(Stop::Interrupt);
            }
            if progress && shown.elapsed() >= PROGRESS_EVERY {
                let states = budget.generated.load(Ordering::Relaxed);
                let per_second = (states - shown_states) as f64 / shown.elapsed().as_secs_f64();
                let depth = budget.depth.load(Ordering::Relaxed);
                let depth_first = budget.depth_first.load(Ordering::Relaxed);
                crate::output::eprintln(&progress_line(
                    states,
                    per_second,
                    (depth, depth_first),
                    resident_bytes(),
                    started.elapsed(),
                ));
                (shown, shown_states) = (Instant::now(), states);
            }
            if let Some(limit) = max_memory {
                let over = resident_bytes().is_some_and(|rss| rss >= limit);
                self.over_memory.store(over, Ordering::Relaxed);
                if over {
                    budget.stop(Stop::Memory);
                }
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                budget.stop(Stop::Time);
            }
            std::thread::sleep(POLL);
        }
    }
}

impl Default for Watcher {
    fn default() -> Self {
        Watcher::new()
    }
}

/// The resident memory of this process, from `/proc/self/status` (Linux); None elsewhere.
pub fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    kilobytes(&status, "VmRSS:")
}

/// The peak resident memory of this process, from `/proc/self/status` (Linux).
pub fn peak_resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    kilobytes(&status, "VmHWM:")
}

/// The CPU time this process has used so far, user and system, every thread's, those ended
/// included: `utime` and `stime` of `/proc/self/stat` (Linux), in clock ticks of 1/100 s
/// (`USER_HZ`, 100 on the architectures Linux reports it for to user space); None elsewhere.
pub fn cpu_seconds() -> Option<f64> {
    cpu_seconds_of(&std::fs::read_to_string("/proc/self/stat").ok()?)
}

/// [`cpu_seconds`] of the text of a `/proc/PID/stat`.
fn cpu_seconds_of(stat: &str) -> Option<f64> {
    // The command name, in parentheses, may hold spaces and parentheses: fields are counted
    // after the last `)`, from the state (field 3); utime and stime are fields 14 and 15.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<u64>().ok();
    Some((ticks(11)? + ticks(12)?) as f64 / 100.0)
}

/// The `KEY  N kB` value of a `/proc` file, in bytes.
fn kilobytes(text: &str, key: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with(key))?;
    let number = line[key.len()..].trim().strip_suffix("kB")?.trim();
    number.parse::<u64>().ok()?.checked_mul(1024)
}

/// The share of the machine's memory a check may use by default: three quarters, leaving
/// room for the rest of the machine and for the memory stateright allocates between two
/// looks of the watcher.
const DEFAULT_SHARE: (u64, u64) = (3, 4);

/// The default `--max-memory`: three quarters of the machine's memory (`MemTotal` in
/// `/proc/meminfo`), or of the cgroup's `memory.max` where that is lower; None where
/// neither can be read (the run then has no memory limit).
pub fn default_max_memory() -> Option<u64> {
    let total = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| kilobytes(&m, "MemTotal:"));
    let cgroup = std::fs::read_to_string("/sys/fs/cgroup/memory.max")
        .ok()
        .and_then(|m| m.trim().parse::<u64>().ok());
    let memory = match (total, cgroup) {
        (Some(t), Some(c)) => t.min(c),
        (t, c) => t.or(c)?,
    };
    Some(memory / DEFAULT_SHARE.1 * DEFAULT_SHARE.0)
}

const UNITS: [(char, u32); 4] = [('K', 10), ('M', 20), ('G', 30), ('T', 40)];

/// Parses a memory size: a whole number and a binary unit, `K`, `M`, `G` or `T` (`512M`,
/// `4G`; `MiB`, `GB` and lower case read the same). A bare number is refused: bytes or
/// megabytes would both be plausible.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    let (number, unit) = text.split_at(digits);
    let unit_name = unit.to_ascii_uppercase();
    let unit_name = unit_name
        .strip_suffix("IB")
        .or_else(|| unit_name.strip_suffix('B'))
        .unwrap_or(&unit_name);
    let shift = match unit_name.chars().collect::<Vec<_>>()[..] {
        [c] => UNITS.iter().find(|(u, _)| *u == c).map(|(_, s)| *s),
        _ => None,
    };
    let (Ok(number), Some(shift)) = (number.parse::<u64>(), shift) else {
        return Err(format!(
            "`{text}` is not a memory size: give a whole number and a unit, K, M, G or T, \
             as in 512M or 4G"
        ));
    };
    match number.checked_mul(1 << shift) {
        Some(0) => Err("the memory limit must be above 0".to_string()),
        Some(bytes) => Ok(bytes),
        None => Err(format!("`{text}` is more memory than can be counted")),
    }
}

/// A size as `--max-memory` takes it: the largest unit that divides it.
pub fn show_size(bytes: u64) -> String {
    for (unit, shift) in UNITS.iter().rev() {
        if bytes >= 1 << shift && bytes % (1 << shift) == 0 {
            return format!("{}{unit}", bytes >> shift);
        }
    }
    format!("{bytes} bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_progress_line_names_the_search_whose_depth_it_shows() {
        let second = Duration::from_secs(4);
        let line = |depth| progress_line(9000, 4500.0, depth, Some(64 << 20), second);
        assert_eq!(
            line((7, false)),
            "    Checking 9000 states generated (4500/s), 4 s, breadth-first at depth 7, 64 MiB \
             resident"
        );
        assert_eq!(
            line((31, true)),
            "    Checking 9000 states generated (4500/s), 4 s, depth-first at depth 31, 64 MiB \
             resident"
        );
        let budget = Budget::counting(None);
        budget.set_path_depth(12);
        assert!(budget.depth_first.load(Ordering::Relaxed));
        budget.set_depth(3);
        assert!(!budget.depth_first.load(Ordering::Relaxed));
    }

    #[test]
    fn cpu_time_is_read_after_the_command_name_whatever_it_holds() {
        let stat = "4242 (a) b (c) R 1 4242 4242 0 -1 4194560 100 0 0 0 250 31 0 0 20 0 3 0";
        assert_eq!(cpu_seconds_of(stat), Some(2.81));
        assert_eq!(cpu_seconds_of("4242 (cut) R 1 2"), None);
        assert_eq!(cpu_seconds_of("no name"), None);
    }

    #[test]
    fn sizes_need_a_unit_and_show_in_the_largest_that_divides_them() {
        assert_eq!(parse_size("512M"), Ok(512 << 20));
        assert_eq!(parse_size("4GiB"), Ok(4 << 30));
        assert_eq!(parse_size("2g"), Ok(2 << 30));
        assert!(
            parse_size("512")
                .unwrap_err()
                .contains("give a whole number and a unit")
        );
        assert!(parse_size("-1G").is_err());
        assert!(parse_size("0M").unwrap_err().contains("above 0"));
        assert!(
            parse_size("99999999999T")
                .unwrap_err()
                .contains("more memory")
        );
        assert_eq!(show_size(18 << 30), "18G");
        assert_eq!(show_size(1536 << 20), "1536M");
        assert_eq!(show_size(1000), "1000 bytes");
    }

    #[test]
    fn a_budget_admits_exactly_up_to_its_state_limit() {
        let budget = Budget::new(Some(10));
        assert_eq!(budget.admit(4), 4); // 5 generated
        assert_eq!(budget.admit(4), 4); // 9
        assert_eq!(budget.admit(4), 1); // 10: the limit
        assert_eq!(budget.reason(), Some(Stop::States));
        assert_eq!(budget.admit(4), 0);
        budget.release();
        assert!(!budget.is_stopped());
        assert_eq!(budget.admit(4), 4);
        assert!(resident_bytes().is_some_and(|b| b > 0));
        assert!(default_max_memory().is_some_and(|b| b > 0));
    }
}
