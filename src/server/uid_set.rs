//! A set of the model mailbox's UIDs as one 128-bit word: what a session holds back
//! (`session.rs`). Copied, compared and hashed as a single value (issue #31, item 1: a state
//! cloned by copying, hashed in a pass over few bytes).
//!
//! Only the model's server keeps these, and its UIDs are small: the mailbox starts with UIDs
//! 1..=messages, an arrival takes the next one, and a renumbering restarts at 1
//! (`Mailbox::renumber`), so no UID exceeds messages + arrivals, which `setup.rs` bounds by
//! [`MAX_UID`]. The probe's real UIDs never come here: they live in the client's growable
//! `UidMap` (`imap/uids.rs`).
//!
//! The set iterates and compares (`Ord`) as its sorted list of UIDs, as the sorted
//! `SmallVec` it replaces did: the canonical client order under symmetry
//! (`reduce/symmetry.rs`) compares sessions, so every search's order, path and trace stays
//! what it was.

use std::cmp::Ordering;
use std::fmt;

use crate::imap::types::Uid;

/// The greatest UID a set holds: bit `n` is UID `n`, bit 0 unused (UIDs are non-zero).
pub const MAX_UID: u32 = 127;

/// A set of UIDs up to [`MAX_UID`], sorted.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct UidSet {
    bits: u128,
}

impl UidSet {
    pub fn new() -> UidSet {
        UidSet { bits: 0 }
    }

    fn bit(uid: Uid) -> u128 {
        assert!(
            uid.0 <= MAX_UID,
            "the model's UIDs are at most {MAX_UID} (setup.rs bounds messages + arrivals), not {}",
            uid.0
        );
        1 << uid.0
    }

    pub fn len(&self) -> usize {
        self.bits.count_ones() as usize
    }

    pub fn is_empty(&self) -> bool {
        self.bits == 0
    }

    pub fn contains(&self, uid: &Uid) -> bool {
        uid.0 <= MAX_UID && self.bits & (1 << uid.0) != 0
    }

    /// Whether `uid` was not in the set.
    pub fn insert(&mut self, uid: Uid) -> bool {
        let bit = UidSet::bit(uid);
        let absent = self.bits & bit == 0;
        self.bits |= bit;
        absent
    }

    /// Whether `uid` was in the set.
    pub fn remove(&mut self, uid: &Uid) -> bool {
        let present = self.contains(uid);
        if present {
            self.bits &= !(1 << uid.0);
        }
        present
    }

    pub fn clear(&mut self) {
        self.bits = 0;
    }

    /// In UID order, as `BTreeSet::iter`.
    pub fn iter(&self) -> Iter {
        Iter { bits: self.bits }
    }
}

/// The UIDs of a set, lowest first.
#[derive(Clone)]
pub struct Iter {
    bits: u128,
}

impl Iterator for Iter {
    type Item = Uid;

    fn next(&mut self) -> Option<Uid> {
        if self.bits == 0 {
            return None;
        }
        let uid = self.bits.trailing_zeros();
        self.bits &= self.bits - 1;
        Some(Uid(uid))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.bits.count_ones() as usize;
        (n, Some(n))
    }
}

impl ExactSizeIterator for Iter {}

/// The sorted lists' lexicographic order, computed on the bits. Where the sets first differ,
/// at the lowest UID `d` one holds and the other not, the lists agree up to `d`; the one
/// holding `d` has `d` next, the other its next UID above `d`, or nothing (then it is a
/// prefix of the first, so the smaller).
impl Ord for UidSet {
    fn cmp(&self, other: &UidSet) -> Ordering {
        let differ = self.bits ^ other.bits;
        if differ == 0 {
            return Ordering::Equal;
        }
        let d = differ.trailing_zeros();
        let above = match d {
            127 => 0,
            _ => !0u128 << (d + 1),
        };
        let (holder_smaller, other_bits) = match self.bits & (1 << d) != 0 {
            true => (Ordering::Less, other.bits),
            false => (Ordering::Greater, self.bits),
        };
        match other_bits & above {
            0 => holder_smaller.reverse(),
            _ => holder_smaller,
        }
    }
}

impl PartialOrd for UidSet {
    fn partial_cmp(&self, other: &UidSet) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl FromIterator<Uid> for UidSet {
    fn from_iter<I: IntoIterator<Item = Uid>>(iter: I) -> UidSet {
        let mut set = UidSet::new();
        set.extend(iter);
        set
    }
}

impl Extend<Uid> for UidSet {
    fn extend<I: IntoIterator<Item = Uid>>(&mut self, iter: I) {
        for uid in iter {
            self.insert(uid);
        }
    }
}

impl IntoIterator for UidSet {
    type Item = Uid;
    type IntoIter = Iter;

    fn into_iter(self) -> Iter {
        self.iter()
    }
}

impl IntoIterator for &UidSet {
    type Item = Uid;
    type IntoIter = Iter;

    fn into_iter(self) -> Iter {
        self.iter()
    }
}

/// As `BTreeSet` shows itself: `{1, 2}`.
impl fmt::Debug for UidSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// Every pair of subsets of a few UIDs, the lowest and highest among them, against the
    /// B-tree set: same contents, same order, same comparison.
    #[test]
    fn behaves_as_the_b_tree_set() {
        let uids = [1, 2, 3, 5, 64, 100, MAX_UID];
        let subsets: Vec<(UidSet, BTreeSet<Uid>)> = (0..1u32 << uids.len())
            .map(|mask| {
                let chosen = uids
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| mask & (1 << i) != 0)
                    .map(|(_, &u)| Uid(u));
                (chosen.clone().collect(), chosen.collect())
            })
            .collect();
        for (ours, theirs) in &subsets {
            assert_eq!(
                ours.iter().collect::<Vec<_>>(),
                Vec::from_iter(theirs.iter().copied())
            );
            assert_eq!(ours.len(), theirs.len());
            assert_eq!(format!("{ours:?}"), format!("{theirs:?}"));
            for (other, other_theirs) in &subsets {
                assert_eq!(
                    ours.cmp(other),
                    theirs.cmp(other_theirs),
                    "{ours:?} {other:?}"
                );
            }
        }
    }

    #[test]
    fn insert_and_remove_say_what_changed() {
        let mut set = UidSet::new();
        assert!(set.insert(Uid(7)));
        assert!(!set.insert(Uid(7)));
        assert!(set.contains(&Uid(7)));
        assert!(!set.contains(&Uid(MAX_UID + 1)));
        assert!(!set.remove(&Uid(MAX_UID + 8)));
        assert!(set.contains(&Uid(7)));
        assert!(set.remove(&Uid(7)));
        assert!(!set.remove(&Uid(7)));
        assert!(set.is_empty());
    }
}
