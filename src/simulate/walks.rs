//! Which walks a run covers: those of its shard, or the one `--walk` names.

use super::Options;

/// The walks this run covers, in order, computed one at a time: a run of a billion walks
/// must not hold a billion indices.
#[derive(Clone, Copy, Debug)]
pub struct Walks {
    first: u64,
    step: u64,
    runs: u64,
    /// Only this one, if set.
    only: Option<u64>,
}

impl Walks {
    pub fn of(options: &Options) -> Walks {
        Walks {
            first: options.shard.index,
            step: options.shard.count.max(1),
            runs: options.runs,
            only: options.walk,
        }
    }

    /// How many walks there are.
    pub fn len(&self) -> u64 {
        match self.only {
            Some(w) => u64::from(self.covers(w)),
            None if self.first >= self.runs => 0,
            None => (self.runs - self.first - 1) / self.step + 1,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `k`-th walk (0-based), if there is one.
    pub fn get(&self, k: u64) -> Option<u64> {
        match self.only {
            Some(w) => (k == 0 && self.covers(w)).then_some(w),
            None => {
                let index = k.checked_mul(self.step)?.checked_add(self.first)?;
                (index < self.runs).then_some(index)
            }
        }
    }

    /// Whether walk `walk` is one of this run's.
    pub fn covers(&self, walk: u64) -> bool {
        walk < self.runs && walk >= self.first && (walk - self.first) % self.step == 0
    }
}
