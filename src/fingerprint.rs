//! A state's 64-bit fingerprint: rapidhash over the fields `Hash` writes. A state is hashed in
//! two levels: each part (the server, each replica) to its own fingerprint, kept with it
//! (shared.rs), then the state as those part fingerprints. Two different parts sharing a
//! fingerprint would merge states too; there are fewer distinct parts than states, so that
//! at most doubles the odds below.
//!
//! Every search keeps fingerprints, not states, in its visited set, so two states with one
//! fingerprint silently merge; the odds are about n²/2⁶⁵ for n states (one in ten thousand at
//! 60 million), the odds stateright's own verdicts rest on. rapidhash passes SMHasher3 with
//! near-ideal collision rates, and it mixes integers by value, so the fingerprint is the same
//! on every run and platform: the version is pinned (its in-memory hash may change between
//! minor versions), and lengths, which `Hash` writes as `usize`, go in as 64 bits whatever
//! the pointer width. (Only on wasm does rapidhash hash byte strings another way.)
//!
//! Both checkers see it: `System`'s `Hash` writes only this, so stateright hashes one `u64`
//! where it hashed every field, and our BFS no longer pays SipHash (a fifth of its time,
//! issue #11 item 4).

use std::hash::{Hash, Hasher};

/// Bumped whenever a state's fingerprint changes value (its parts hash other fields, or the
/// same fields otherwise): a checkpoint's visited set is of one version's fingerprints
/// (checkpoint/mod.rs refuses another's). 2: a session's UID sets hash as one 128-bit word
/// (`server/uid_set.rs`). 3: a replica's cache and each of its queued lines hash as their
/// kept fingerprints (`hashed.rs`, `imap/queue.rs`).
pub const STATES_VERSION: u32 = 3;

/// rapidhash's high-quality flavour, with pointer-width integers widened to 64 bits.
#[derive(Default)]
pub struct StableHasher(rapidhash::quality::RapidHasher<'static>);

impl Hasher for StableHasher {
    fn finish(&self) -> u64 {
        self.0.finish()
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0.write(bytes);
    }

    fn write_u8(&mut self, n: u8) {
        self.0.write_u8(n);
    }

    fn write_u16(&mut self, n: u16) {
        self.0.write_u16(n);
    }

    fn write_u32(&mut self, n: u32) {
        self.0.write_u32(n);
    }

    fn write_u64(&mut self, n: u64) {
        self.0.write_u64(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.0.write_u64(n as u64);
    }

    fn write_isize(&mut self, n: isize) {
        self.0.write_u64(n as i64 as u64);
    }
}

/// The fingerprint of `value` (a state, or a part of one).
pub fn of<T: Hash>(value: &T) -> u64 {
    let mut hasher = StableHasher::default();
    value.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pinned: a change of hash function or of what it is fed shows here, not as state
    /// counts that differ by one on some machine.
    #[test]
    fn is_pinned() {
        assert_eq!(of(&(1u8, 2u32, [3u64, 4], "five")), 3677854717362222732);
        assert_eq!(of(&vec![7usize; 100]), 11298048108900003785);
    }
}
