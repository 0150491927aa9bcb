//! Counts in words, for every text the tool writes: `1 step`, `2 steps`.

/// `1 step`, `2 steps`: a count with its noun, singular for one.
pub fn count(n: impl TryInto<u64>, noun: &str) -> String {
    let n: u64 = n.try_into().unwrap_or(u64::MAX);
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
