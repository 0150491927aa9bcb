//! Maps keyed by UID, and lists of UIDs, sorted, with their first few entries stored inline.
//! (What a server session holds back is a bit set: `server/uid_set.rs`.)
//!
//! The checker clones, hashes, compares and drops every state it generates, and a state's
//! collections hold a handful of UIDs: the mailbox's messages, a cache, what a session holds
//! back (issue #11, item 4). `BTreeMap` puts each of those on the heap, so a clone was ten or
//! so allocations. These keep up to [`INLINE`] entries in the value itself (a clone is a
//! copy; a map may ask for another number, `UidMap<V, N>`) and spill to the heap beyond that,
//! so they take any UID a real server sends (the probe runs the same client code on real
//! mailboxes).
//!
//! They iterate, compare (`Ord`) and hash as their sorted entries, in the order `BTreeMap`
//! does: a state's canonical form under client symmetry (`reduce/symmetry.rs`) and so every
//! search's order, path and trace are what they were with the B-trees.

use std::fmt;

use smallvec::SmallVec;

use super::types::Uid;

/// Entries stored inline: the default bounds' two messages and two arrivals.
pub const INLINE: usize = 4;

/// UIDs in the order a line lists them (a VANISHED), inline up to [`INLINE`].
pub type UidList = SmallVec<[Uid; INLINE]>;

/// A map from UID to `V`, sorted by UID, its first `N` entries inline.
#[derive(PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UidMap<V, const N: usize = INLINE> {
    entries: SmallVec<[(Uid, V); N]>,
}

/// A copy of the entries in one go: `SmallVec`'s own `Clone` clones entry by entry, and every
/// state the checker generates clones several of these.
impl<V: Copy, const N: usize> Clone for UidMap<V, N> {
    fn clone(&self) -> UidMap<V, N> {
        UidMap {
            entries: SmallVec::from_slice(&self.entries),
        }
    }
}

impl<V, const N: usize> UidMap<V, N> {
    pub fn new() -> UidMap<V, N> {
        UidMap {
            entries: SmallVec::new(),
        }
    }

    fn find(&self, uid: Uid) -> Result<usize, usize> {
        self.entries.binary_search_by_key(&uid, |(u, _)| *u)
    }

    /// Whether the entries have moved to the heap (more than `N`).
    pub fn spilled(&self) -> bool {
        self.entries.spilled()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn contains_key(&self, uid: &Uid) -> bool {
        self.find(*uid).is_ok()
    }

    pub fn get(&self, uid: &Uid) -> Option<&V> {
        self.find(*uid).ok().map(|i| &self.entries[i].1)
    }

    pub fn get_mut(&mut self, uid: &Uid) -> Option<&mut V> {
        self.find(*uid).ok().map(|i| &mut self.entries[i].1)
    }

    /// Sets `uid`'s value; returns the one it replaced.
    pub fn insert(&mut self, uid: Uid, value: V) -> Option<V> {
        match self.find(uid) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (uid, value));
                None
            }
        }
    }

    pub fn remove(&mut self, uid: &Uid) -> Option<V> {
        self.find(*uid).ok().map(|i| self.entries.remove(i).1)
    }

    /// `uid`'s value, inserted by `default` when absent.
    pub fn get_or_insert_with(&mut self, uid: Uid, default: impl FnOnce() -> V) -> &mut V {
        let i = match self.find(uid) {
            Ok(i) => i,
            Err(i) => {
                self.entries.insert(i, (uid, default()));
                i
            }
        };
        &mut self.entries[i].1
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&Uid, &mut V) -> bool) {
        self.entries.retain(|(uid, value)| keep(uid, value));
    }

    /// In UID order, as `BTreeMap::iter`.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&Uid, &V)> + Clone {
        self.entries.iter().map(|(uid, value)| (uid, value))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &Uid> + Clone {
        self.entries.iter().map(|(uid, _)| uid)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + Clone {
        self.entries.iter().map(|(_, value)| value)
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.entries.iter_mut().map(|(_, value)| value)
    }

    pub fn into_keys(self) -> impl DoubleEndedIterator<Item = Uid> {
        self.entries.into_iter().map(|(uid, _)| uid)
    }

    pub fn into_values(self) -> impl DoubleEndedIterator<Item = V> {
        self.entries.into_iter().map(|(_, value)| value)
    }
}

impl<V, const N: usize> Default for UidMap<V, N> {
    fn default() -> UidMap<V, N> {
        UidMap::new()
    }
}

/// As `BTreeMap`'s: panics where `uid` is absent, which callers rule out first.
impl<V, const N: usize> std::ops::Index<&Uid> for UidMap<V, N> {
    type Output = V;

    fn index(&self, uid: &Uid) -> &V {
        self.get(uid).expect("the UID is in the map")
    }
}

impl<V, const N: usize> FromIterator<(Uid, V)> for UidMap<V, N> {
    /// Later entries win, as `BTreeMap` collects.
    fn from_iter<I: IntoIterator<Item = (Uid, V)>>(iter: I) -> UidMap<V, N> {
        let mut map = UidMap::new();
        for (uid, value) in iter {
            map.insert(uid, value);
        }
        map
    }
}

impl<V, const N: usize> IntoIterator for UidMap<V, N> {
    type Item = (Uid, V);
    type IntoIter = smallvec::IntoIter<[(Uid, V); N]>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<'a, V, const N: usize> IntoIterator for &'a UidMap<V, N> {
    type Item = (&'a Uid, &'a V);
    type IntoIter =
        std::iter::Map<std::slice::Iter<'a, (Uid, V)>, fn(&'a (Uid, V)) -> (&'a Uid, &'a V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(uid, value)| (uid, value))
    }
}

/// As `BTreeMap` shows itself: `{1: .., 2: ..}`.
impl<V: fmt::Debug, const N: usize> fmt::Debug for UidMap<V, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// A few operation sequences, against the B-tree it replaces: same contents, same
    /// order, same comparison.
    #[test]
    fn behaves_as_the_b_tree() {
        let ops: [(u32, Option<u8>); 12] = [
            (5, Some(1)),
            (2, Some(2)),
            (9, Some(3)),
            (2, None),
            (7, Some(4)),
            (1, Some(5)),
            (5, Some(6)),
            (3, Some(7)),
            (9, None),
            (4, Some(8)),
            (6, Some(9)),
            (8, Some(10)),
        ];
        let mut ours: UidMap<u8> = UidMap::new();
        let mut theirs: BTreeMap<Uid, u8> = BTreeMap::new();
        let mut snapshots = Vec::new();
        for (uid, op) in ops {
            let uid = Uid(uid);
            match op {
                Some(v) => {
                    assert_eq!(ours.insert(uid, v), theirs.insert(uid, v));
                }
                None => {
                    assert_eq!(ours.remove(&uid), theirs.remove(&uid));
                }
            }
            let pairs: Vec<(Uid, u8)> = ours.iter().map(|(u, v)| (*u, *v)).collect();
            let their_pairs: Vec<(Uid, u8)> = theirs.iter().map(|(u, v)| (*u, *v)).collect();
            assert_eq!(pairs, their_pairs);
            assert_eq!(format!("{ours:?}"), format!("{theirs:?}"));
            snapshots.push((ours.clone(), theirs.clone()));
        }
        // Past INLINE entries the map has spilled to the heap; it compares the same.
        assert!(ours.len() > INLINE);
        for (a, ta) in &snapshots {
            for (b, tb) in &snapshots {
                assert_eq!(a.cmp(b), ta.cmp(tb));
            }
        }
    }
}
