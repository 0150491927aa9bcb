//! The visited set: the fingerprints of the states met, in a bare open-addressing table of
//! `u64` (linear probing, at most three quarters full). A lookup is one cache miss, where a
//! `HashSet<u64>` takes two (its control bytes, then its slot), and nothing is stored but
//! the fingerprint. Fingerprints are rapidhash outputs, so their low bits index the table.

/// A set of 64-bit fingerprints.
pub(super) struct Visited {
    /// Power-of-two sized; [`EMPTY`] marks a free slot.
    slots: Vec<u64>,
    /// Members other than [`EMPTY`]'s value.
    len: usize,
    /// Whether the fingerprint 0, which cannot sit in a slot, is a member.
    zero: bool,
}

const EMPTY: u64 = 0;

impl Default for Visited {
    fn default() -> Visited {
        Visited {
            slots: vec![EMPTY; 1 << 16],
            len: 0,
            zero: false,
        }
    }
}

impl Visited {
    pub fn len(&self) -> usize {
        self.len + self.zero as usize
    }

    /// An empty set sized for `members` without growing.
    pub fn with_capacity(members: usize) -> Visited {
        let mut slots = 1usize << 16;
        while 4 * members > 3 * slots {
            slots *= 2;
        }
        Visited {
            slots: vec![EMPTY; slots],
            len: 0,
            zero: false,
        }
    }

    /// The members, in slot order (a checkpoint streams them: persist.rs).
    pub fn iter(&self) -> impl Iterator<Item = u64> + '_ {
        let zero = self.zero.then_some(EMPTY);
        zero.into_iter()
            .chain(self.slots.iter().copied().filter(|&f| f != EMPTY))
    }

    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    /// The slot holding `fingerprint`, or the free slot where it would go.
    fn slot(&self, fingerprint: u64) -> usize {
        let mask = self.mask();
        let mut at = fingerprint as usize & mask;
        loop {
            let here = self.slots[at];
            if here == fingerprint || here == EMPTY {
                return at;
            }
            at = (at + 1) & mask;
        }
    }

    /// Asks the processor to fetch `fingerprint`'s slot into its cache, so that lookups of
    /// several fingerprints wait for their cache misses together, not one after another.
    pub fn prefetch(&self, fingerprint: u64) {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            let slot = &self.slots[fingerprint as usize & self.mask()];
            // SAFETY: SSE, which `_mm_prefetch` needs, is part of every x86_64 processor;
            // a prefetch only hints the cache, it neither reads nor writes memory.
            unsafe { _mm_prefetch::<_MM_HINT_T0>((slot as *const u64).cast()) };
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = fingerprint;
    }

    pub fn contains(&self, fingerprint: u64) -> bool {
        match fingerprint {
            EMPTY => self.zero,
            _ => self.slots[self.slot(fingerprint)] == fingerprint,
        }
    }

    /// Adds `fingerprint`; true if it was not a member.
    pub fn insert(&mut self, fingerprint: u64) -> bool {
        if fingerprint == EMPTY {
            return !std::mem::replace(&mut self.zero, true);
        }
        let at = self.slot(fingerprint);
        if self.slots[at] == fingerprint {
            return false;
        }
        self.slots[at] = fingerprint;
        self.len += 1;
        if 4 * self.len > 3 * self.slots.len() {
            self.grow();
        }
        true
    }

    fn grow(&mut self) {
        let doubled = vec![EMPTY; 2 * self.slots.len()];
        let old = std::mem::replace(&mut self.slots, doubled);
        for fingerprint in old.into_iter().filter(|&f| f != EMPTY) {
            let at = self.slot(fingerprint);
            self.slots[at] = fingerprint;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_what_was_inserted_and_nothing_else() {
        let mut set = Visited::default();
        let members: Vec<u64> = (0..200_000u64)
            .map(|i| crate::fingerprint::of(&i))
            .chain([0, 1, 1 << 16, 2 << 16])
            .collect();
        for &m in &members {
            assert!(set.insert(m));
        }
        for &m in &members {
            assert!(!set.insert(m) && set.contains(m));
        }
        assert_eq!(set.len(), members.len());
        let others = (200_000..300_000u64).map(|i| crate::fingerprint::of(&i));
        assert!(others.filter(|&f| set.contains(f)).count() == 0);
    }
}
