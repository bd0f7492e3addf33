//! What the search may spend: deterministic work units, and optionally wall-clock time and a cancel flag.
//!
//! A work unit is one rule check of a workload against a host (one `State::fits`) or one add or remove: each is
//! O(dims) and costs about the same. Counting them, not time, makes the search's answer depend on the seed alone.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use crate::error::{Error, Result};

/// How often (in work units) the clock and the cancel flag are read: about every 20-100 µs.
const LOOK_EVERY: u64 = 2048;

pub struct Budget<'a> {
    work: u64,
    limit: u64,
    next_look: u64,
    deadline: Option<Instant>,
    cancel: Option<&'a AtomicBool>,
    /// Set once the deadline passed or the work ran out: the search then winds down with its best plan.
    spent: bool,
}

impl<'a> Budget<'a> {
    pub fn new(limit: u64, deadline: Option<Instant>, cancel: Option<&'a AtomicBool>) -> Budget<'a> {
        let late = deadline.is_some_and(|d| Instant::now() >= d);
        Budget { work: 0, limit, next_look: LOOK_EVERY, deadline, cancel, spent: limit == 0 || late }
    }

    /// Count `units` of work. Err(Interrupted) when the cancel flag is set.
    #[inline]
    pub fn charge(&mut self, units: u64) -> Result<()> {
        self.work += units;
        if self.work >= self.next_look {
            self.next_look = self.work + LOOK_EVERY;
            if self.cancel.is_some_and(|flag| flag.load(Ordering::Relaxed)) {
                return Err(Error::Interrupted);
            }
            if self.deadline.is_some_and(|d| Instant::now() >= d) {
                self.spent = true;
            }
        }
        if self.work >= self.limit {
            self.spent = true;
        }
        Ok(())
    }

    /// Whether the search must stop now (work or time used up).
    pub fn spent(&self) -> bool {
        self.spent
    }

    pub fn work(&self) -> u64 {
        self.work
    }
}

/// A small deterministic generator (SplitMix64): the search's only source of randomness.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next() >> 11) as u128 * n as u128) >> 53) as usize
    }

    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for k in (1..items.len()).rev() {
            items.swap(k, self.below(k + 1));
        }
    }
}

/// What the search may spend.
pub struct Limits<'a> {
    /// Work units (see [`Budget`]); 0 turns the search off.
    pub work: u64,
    pub deadline: Option<Instant>,
    pub cancel: Option<&'a AtomicBool>,
    pub seed: u64,
}
