//! A part of a state shared between states until one writes it, with its fingerprint kept.
//!
//! A step changes one client's replica, or the server, or both, and leaves the rest as they
//! were; a successor shares what it did not change with its parent (`System`), so a clone
//! copies only what is written. The fingerprint of a part is computed once per copy and kept
//! beside it, so a state's fingerprint hashes only the parts its last step wrote, where every
//! successor's fingerprint hashed every replica: 16 per cent of a profile at 3 clients x 2
//! commands, 10 of them the replicas (issue #11 item 4).
//!
//! Writing goes through [`Shared::make_mut`] only, which forgets the kept fingerprint: the value
//! is private, so nothing can change it behind the cache's back.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering as Atomic};

use crate::copy::CopyTo;
use crate::fingerprint;

/// `T` behind an `Arc`, copied on write, with its fingerprint computed once.
pub struct Shared<T>(Arc<Kept<T>>);

struct Kept<T> {
    value: T,
    /// `fingerprint::of(&value)`, or [`UNKNOWN`] until first asked for. Two threads may both
    /// compute it; they store the same number.
    fingerprint: AtomicU64,
}

/// No fingerprint kept yet (a value whose fingerprint is this is rehashed when asked: rare
/// and harmless).
const UNKNOWN: u64 = 0;

impl<T: Hash + CopyTo> Shared<T> {
    pub fn new(value: T) -> Shared<T> {
        Shared(Arc::new(Kept {
            value,
            fingerprint: AtomicU64::new(UNKNOWN),
        }))
    }

    /// The value, to change: copied first if another state shares it, straight into the
    /// copy's place (`CopyTo`, copy.rs: `Arc::make_mut` clones into a temporary and moves
    /// it); its fingerprint is forgotten, as the caller is about to change it.
    pub fn make_mut(&mut self) -> &mut T {
        if Arc::get_mut(&mut self.0).is_none() {
            let mut fresh = Arc::<Kept<T>>::new_uninit();
            let slot = Arc::get_mut(&mut fresh)
                .expect("a new Arc is unique")
                .as_mut_ptr();
            // SAFETY: `slot` is the new Arc's place, unique and uninitialized; both fields
            // are written before `assume_init`.
            unsafe {
                self.0.value.copy_to(&raw mut (*slot).value);
                (&raw mut (*slot).fingerprint).write(AtomicU64::new(UNKNOWN));
                self.0 = fresh.assume_init();
            }
        }
        let kept = Arc::get_mut(&mut self.0).expect("unique after the copy");
        *kept.fingerprint.get_mut() = UNKNOWN;
        &mut kept.value
    }

    /// Whether `self` and `other` are one copy (so equal, whatever either holds).
    pub fn same_copy(&self, other: &Shared<T>) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// `fingerprint::of` the value, computed at most once per copy.
    pub fn fingerprint(&self) -> u64 {
        match self.0.fingerprint.load(Atomic::Relaxed) {
            UNKNOWN => {
                let computed = fingerprint::of(&self.0.value);
                self.0.fingerprint.store(computed, Atomic::Relaxed);
                computed
            }
            kept => kept,
        }
    }
}

impl<T> std::ops::Deref for Shared<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0.value
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Shared<T> {
        Shared(Arc::clone(&self.0))
    }
}

/// Hashes as the value's fingerprint: a state hashes one `u64` per part.
impl<T: Hash + CopyTo> Hash for Shared<T> {
    fn hash<H: Hasher>(&self, hasher: &mut H) {
        hasher.write_u64(self.fingerprint());
    }
}

/// Compares by value (one copy is equal to itself without a look inside).
impl<T: PartialEq> PartialEq for Shared<T> {
    fn eq(&self, other: &Shared<T>) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0.value == other.0.value
    }
}

impl<T: Eq> Eq for Shared<T> {}

impl<T: PartialOrd> PartialOrd for Shared<T> {
    fn partial_cmp(&self, other: &Shared<T>) -> Option<Ordering> {
        match Arc::ptr_eq(&self.0, &other.0) {
            true => Some(Ordering::Equal),
            false => self.0.value.partial_cmp(&other.0.value),
        }
    }
}

impl<T: Ord> Ord for Shared<T> {
    fn cmp(&self, other: &Shared<T>) -> Ordering {
        match Arc::ptr_eq(&self.0, &other.0) {
            true => Ordering::Equal,
            false => self.0.value.cmp(&other.0.value),
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        self.0.value.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_forgets_the_kept_fingerprint_and_leaves_other_copies_alone() {
        let mut one = Shared::new(vec![1u32, 2]);
        let before = one.fingerprint();
        assert_eq!(before, fingerprint::of(&vec![1u32, 2]));
        let other = one.clone();
        one.make_mut().push(3);
        assert_eq!(one.fingerprint(), fingerprint::of(&vec![1u32, 2, 3]));
        assert_eq!(other.fingerprint(), before);
        assert_eq!(*other, vec![1, 2]);
        assert!(one != other && other < one);
        // Written again while not shared: still forgotten.
        one.make_mut().pop();
        assert_eq!(one.fingerprint(), before);
        assert!(one == other);
    }
}
