//! A field with its fingerprint kept beside it, computed again after each write.
//!
//! A part's fingerprint (shared.rs) is computed once per copy of the part, and a step copies
//! the replica it writes; but most steps leave most of a replica as it was. A drop (47 % of
//! the line-by-line transitions) keeps the cache, and so does every read of a line that
//! changes no flag and names no UID; yet each hashed the whole cache again, entry by entry.
//! A cache that keeps its fingerprint is hashed as that one `u64`, and hashed in full only
//! where a step changed it (issue 31).
//!
//! Writing goes through [`Hashed::edit`] only, whose guard computes the fingerprint again when
//! it goes: nothing changes the value behind the kept number's back. Equality and order are
//! the value's (the number is a function of it), and so is `Debug`: traces and debug output
//! print the value alone.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::{Deref, DerefMut};

use crate::fingerprint;

/// `T` and `fingerprint::of` it.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hashed<T> {
    value: T,
    fingerprint: u64,
}

impl<T: Hash> Hashed<T> {
    pub fn new(value: T) -> Hashed<T> {
        let fingerprint = fingerprint::of(&value);
        Hashed { value, fingerprint }
    }

    /// The value, to change; its fingerprint is computed again when the guard goes.
    pub fn edit(&mut self) -> Edit<'_, T> {
        Edit(self)
    }

    /// The kept `fingerprint::of` the value.
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }
}

impl<T> Hashed<T> {
    pub fn into_inner(self) -> T {
        self.value
    }

    /// Both fields, for `copy.rs`'s checks (which take every struct apart field by field).
    pub fn parts(&self) -> (&T, &u64) {
        (&self.value, &self.fingerprint)
    }
}

impl<T> Deref for Hashed<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

/// Hashes as the value's fingerprint.
impl<T> Hash for Hashed<T> {
    fn hash<H: Hasher>(&self, hasher: &mut H) {
        hasher.write_u64(self.fingerprint);
    }
}

impl<T: fmt::Debug> fmt::Debug for Hashed<T> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        self.value.fmt(f)
    }
}

/// A write to a [`Hashed`] value, which computes its fingerprint again when it goes.
pub struct Edit<'a, T: Hash>(&'a mut Hashed<T>);

impl<T: Hash> Deref for Edit<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0.value
    }
}

impl<T: Hash> DerefMut for Edit<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0.value
    }
}

impl<T: Hash> Drop for Edit<'_, T> {
    fn drop(&mut self) {
        self.0.fingerprint = fingerprint::of(&self.0.value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_write_keeps_the_fingerprint_of_the_value() {
        let mut kept = Hashed::new(vec![1u32, 2]);
        assert_eq!(kept.fingerprint(), fingerprint::of(&vec![1u32, 2]));
        let copy = kept.clone();
        kept.edit().push(3);
        assert_eq!(kept.fingerprint(), fingerprint::of(&vec![1u32, 2, 3]));
        assert_eq!(fingerprint::of(&kept), fingerprint::of(&kept.fingerprint()));
        assert!(copy < kept && copy != kept);
        {
            let mut edit = kept.edit();
            edit.pop();
            edit.pop();
            edit.push(2);
        }
        assert_eq!(kept, copy);
        assert_eq!(kept.fingerprint(), copy.fingerprint());
        assert_eq!(format!("{kept:?}"), "[1, 2]");
    }
}
