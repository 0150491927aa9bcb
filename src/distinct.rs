//! An approximate count of distinct states in constant memory: HyperLogLog with 2^12
//! registers (4 KiB, standard error about 1.6%), over a 64-bit FNV-1a hash of the state.
//! Merging takes the register-wise maximum, so the estimate does not depend on the order in
//! which walks or shards are added. FNV-1a (not std's hasher, whose algorithm may change
//! between Rust releases) keeps the estimate the same on every 64-bit build.

use std::hash::{Hash, Hasher};

const BITS: u32 = 12;
const REGISTERS: usize = 1 << BITS;
/// The highest rank a register can hold: the hash's 52 bits past the index, all zero, plus
/// one (see `insert`).
const MAX_RANK: u8 = (64 - BITS + 1) as u8;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Distinct {
    registers: Vec<u8>,
}

struct Fnv1a(u64);

impl Hasher for Fnv1a {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x100_0000_01b3);
        }
    }
}

/// FNV-1a spreads poorly into the high bits HyperLogLog reads; a final mix (splitmix64's)
/// fixes that.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Default for Distinct {
    fn default() -> Self {
        Distinct {
            registers: vec![0; REGISTERS],
        }
    }
}

impl Distinct {
    pub fn insert<T: Hash>(&mut self, value: &T) {
        let mut hasher = Fnv1a(0xcbf2_9ce4_8422_2325);
        value.hash(&mut hasher);
        let hash = mix(hasher.finish());
        let index = (hash >> (64 - BITS)) as usize;
        let rank = ((hash << BITS) | (1 << (BITS - 1))).leading_zeros() as u8 + 1;
        if rank > self.registers[index] {
            self.registers[index] = rank;
        }
    }

    pub fn merge(&mut self, other: &Distinct) {
        for (a, b) in self.registers.iter_mut().zip(&other.registers) {
            *a = (*a).max(*b);
        }
    }

    /// The estimated number of distinct values inserted.
    pub fn estimate(&self) -> u64 {
        let m = REGISTERS as f64;
        let alpha = 0.7213 / (1.0 + 1.079 / m);
        let sum: f64 = self
            .registers
            .iter()
            .map(|r| 2f64.powi(-i32::from(*r)))
            .sum();
        let raw = alpha * m * m / sum;
        let zeros = self.registers.iter().filter(|r| **r == 0).count();
        let estimate = if raw <= 2.5 * m && zeros > 0 {
            // Small range: linear counting.
            m * (m / zeros as f64).ln()
        } else {
            raw
        };
        estimate.round() as u64
    }

    /// The registers as hex, for JSON summaries.
    pub fn to_hex(&self) -> String {
        self.registers.iter().map(|r| format!("{r:02x}")).collect()
    }

    /// Registers as [`Distinct::to_hex`] writes them: 4096 lower-case hex bytes, each a rank
    /// a register can hold. Anything else is an error naming the problem.
    pub fn from_hex(hex: &str) -> Result<Distinct, String> {
        if hex.len() != 2 * REGISTERS {
            return Err(format!(
                "is {} characters long, not {} (4096 hex bytes)",
                hex.len(),
                2 * REGISTERS
            ));
        }
        if let Some(c) = hex.chars().find(|c| !matches!(c, '0'..='9' | 'a'..='f')) {
            return Err(format!(
                "holds `{}`, not a lower-case hex digit",
                c.escape_debug()
            ));
        }
        let mut registers = Vec::with_capacity(REGISTERS);
        for i in 0..REGISTERS {
            let rank = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|e| e.to_string())?;
            if rank > MAX_RANK {
                return Err(format!(
                    "register {i} holds {rank}, above the highest rank a register can hold \
                     ({MAX_RANK})"
                ));
            }
            registers.push(rank);
        }
        Ok(Distinct { registers })
    }

    /// How many registers are set: at most the number of values inserted.
    pub fn occupied(&self) -> u64 {
        self.registers.iter().filter(|r| **r > 0).count() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_within_a_few_percent_and_merges_in_any_order() {
        let mut all = Distinct::default();
        let mut odd = Distinct::default();
        let mut even = Distinct::default();
        for i in 0..100_000u64 {
            all.insert(&i);
            all.insert(&i); // repeats do not count
            if i % 2 == 0 { &mut even } else { &mut odd }.insert(&i);
        }
        let estimate = all.estimate() as f64;
        assert!(
            (estimate - 100_000.0).abs() / 100_000.0 < 0.05,
            "{estimate}"
        );
        let mut merged = odd.clone();
        merged.merge(&even);
        assert_eq!(merged, all);
        assert_eq!(Distinct::from_hex(&all.to_hex()), Ok(all));
        assert!(
            Distinct::from_hex(&"ff".repeat(REGISTERS))
                .unwrap_err()
                .contains("register 0 holds 255, above the highest rank")
        );
        assert!(Distinct::from_hex(&"+f".repeat(REGISTERS)).is_err());
        let mut small = Distinct::default();
        for i in 0..10u64 {
            small.insert(&i);
        }
        assert_eq!(small.estimate(), 10);
    }
}
