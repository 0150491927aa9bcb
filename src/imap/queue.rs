//! The lines a connection has queued and not read, each with its fingerprint kept.
//!
//! A line is read from the front and the rest stay: a replica with four lines queued was
//! hashed with all four, and again with the three left after the next read, and so on, each
//! line walked (its UID lists, its tagged text) once per state it waited in. Each queued line
//! keeps its fingerprint from the moment it is queued (hashed.rs), and the queue hashes as
//! its length and those numbers (issue 31).

use std::fmt;

use smallvec::SmallVec;

use super::response::Response;
use crate::hashed::Hashed;

/// The lines a connection has queued, oldest first. Most states queue a few lines or none,
/// so four are inline (see `imap/uids.rs` for why inline); a SELECT's answer spills to the
/// heap, which measured no slower than eight inline, whose every copy moves more bytes.
/// Here, beside the responses, since both the client (which reads it) and the server (which
/// interleaves pipelined answers into it) use it, and the server may not import the client.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Queue(SmallVec<[Hashed<Response>; 4]>);

impl Queue {
    pub fn new() -> Queue {
        Queue(SmallVec::new())
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Response> + ExactSizeIterator {
        self.0.iter().map(|line| &**line)
    }

    pub fn first(&self) -> Option<&Response> {
        self.0.first().map(|line| &**line)
    }

    pub fn last(&self) -> Option<&Response> {
        self.0.last().map(|line| &**line)
    }

    /// Queues `line` last.
    pub fn push(&mut self, line: Response) {
        self.0.push(Hashed::new(line));
    }

    /// Takes the last line off.
    pub fn pop(&mut self) -> Option<Response> {
        self.0.pop().map(Hashed::into_inner)
    }

    /// Takes line `index` off (0, the oldest, is the next read).
    pub fn remove(&mut self, index: usize) -> Response {
        self.0.remove(index).into_inner()
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }

    /// Changes every line with `change` (each line's fingerprint computed again).
    pub fn edit_each(&mut self, mut change: impl FnMut(&mut Response)) {
        for line in &mut self.0 {
            change(&mut line.edit());
        }
    }

    /// The lines with their fingerprints, for `copy.rs`.
    pub fn entries(&self) -> &SmallVec<[Hashed<Response>; 4]> {
        &self.0
    }

    /// A copy whose lines are copied byte for byte (`copy.rs`), inline if they fit.
    ///
    /// # Safety
    /// No line owns heap memory (each keeps its lists inline): a line's bitwise copy is
    /// then a value of its own.
    pub unsafe fn copy_lines(&self) -> Queue {
        let count = self.0.len();
        let mut lines = SmallVec::with_capacity(count);
        // SAFETY: `lines` has room for `count` lines and does not overlap `self`'s; the
        // caller's promise makes each copied line a value of its own.
        unsafe {
            std::ptr::copy_nonoverlapping(self.0.as_ptr(), lines.as_mut_ptr(), count);
            lines.set_len(count);
        }
        Queue(lines)
    }
}

impl Extend<Response> for Queue {
    fn extend<I: IntoIterator<Item = Response>>(&mut self, lines: I) {
        self.0.extend(lines.into_iter().map(Hashed::new));
    }
}

impl<'a> IntoIterator for &'a Queue {
    type Item = &'a Response;
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, Hashed<Response>>,
        fn(&'a Hashed<Response>) -> &'a Response,
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|line| &**line)
    }
}

/// As a list of lines, as before the fingerprints were kept.
impl fmt::Debug for Queue {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use std::hash::Hasher;

    use super::*;
    use crate::fingerprint;
    use crate::imap::types::Uid;

    /// Hashes as its length and each line's fingerprint, whichever way the lines came.
    #[test]
    fn hashes_as_its_lines_fingerprints() {
        let lines = [
            Response::Exists(3),
            Response::Vanished {
                earlier: false,
                uids: [Uid(1), Uid(2)].into_iter().collect(),
            },
        ];
        let mut queue = Queue::new();
        queue.push(Response::Exists(1));
        queue.extend(lines.clone());
        assert_eq!(queue.remove(0), Response::Exists(1));
        let mut expected = fingerprint::StableHasher::default();
        expected.write_usize(lines.len());
        for line in &lines {
            expected.write_u64(fingerprint::of(line));
        }
        assert_eq!(fingerprint::of(&queue), expected.finish());
        let mut other = Queue::new();
        other.push(Response::Exists(2));
        other.push(lines[1].clone());
        other.edit_each(|line| {
            if let Response::Exists(n) = line {
                *n = 3;
            }
        });
        assert_eq!(other, queue);
        assert_eq!(fingerprint::of(&other), fingerprint::of(&queue));
        assert_eq!(format!("{queue:?}"), format!("{:?}", lines));
    }
}
