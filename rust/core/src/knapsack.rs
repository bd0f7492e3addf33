//! The pricing problem of the capacity planner's column generation (python/fleetpack/capacity/colgen.py): the
//! bounded knapsack in one or two dimensions, solved exactly by dynamic programming over the room.
//!
//! Items have whole sizes (in units of the sizes' gcd: the caller divides), a value and a cap on their copies;
//! the table holds, per room `(r0, r1)` at most the given room, the best value of a set of copies that fits it
//! (the table starts at zero everywhere, so an entry is the best *within* its room, and the last entry is the
//! answer). Each item is one step: a pass that may take it again and again (when its cap is at least the copies
//! that fit the room, or when the caps are relaxed), or, under a smaller cap, steps of 1, 2, 4, ... copies each
//! taken at most once (the binary split). A bit per step and entry records where the step raised the entry, and
//! the walk back from the room through the steps in reverse reads off the copies.

use crate::error::{Error, Result};

/// Most entries of the table (rooms up to 2048 x 2048 units).
pub const MAX_CELLS: usize = 1 << 22;
/// Most recorded bits (steps x entries): 512 MiB.
pub const MAX_BITS: u64 = 1 << 32;

/// The best pattern: its value (the table's, an exact maximum up to rounding of sums of values) and the copies of
/// each item.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    pub value: f64,
    pub copies: Vec<u64>,
}

/// One step of the table: the item, how many copies it takes at once, and whether it may take them again.
struct Step {
    item: usize,
    chunk: u64,
    repeat: bool,
}

/// The steps and how many of them there will be, for items of `sizes` (two per item), `caps`, within `room`; with
/// `relaxed`, every item of some size is one repeated pass (the copies limited by the room alone).
fn steps(sizes: &[[u64; 2]], caps: &[u64], values: &[f64], room: [u64; 2], relaxed: bool) -> Vec<Step> {
    let mut out = Vec::new();
    for (item, (&w, &cap)) in sizes.iter().zip(caps).enumerate() {
        if values[item] <= 0.0 || cap == 0 {
            continue;
        }
        let fit = (0..2).filter(|&d| w[d] > 0).map(|d| room[d] / w[d]).min();
        let most = fit.map_or(cap, |f| f.min(cap));
        if most == 0 {
            continue;
        }
        if fit.is_some() && (relaxed || Some(most) == fit) {
            out.push(Step { item, chunk: 1, repeat: true });
            continue;
        }
        let (mut left, mut chunk) = (most, 1u64);
        while left > 0 {
            let take = chunk.min(left);
            out.push(Step { item, chunk: take, repeat: false });
            left -= take;
            chunk = chunk.saturating_mul(2);
        }
    }
    out
}

/// The entries and steps the table of this knapsack takes (what the caller weighs against its time).
pub fn work(sizes: &[[u64; 2]], caps: &[u64], values: &[f64], room: [u64; 2], relaxed: bool) -> (usize, usize) {
    let cells = (room[0] as usize).saturating_add(1).saturating_mul((room[1] as usize).saturating_add(1));
    (cells, steps(sizes, caps, values, room, relaxed).len())
}

/// The most valuable set of copies that fits `room` (per dimension, the sum of copies x size at most the room):
/// `sizes[i]` the item's size in the two dimensions (a one-dimensional knapsack: the first size and room 0),
/// `values[i] >= 0`, `caps[i]` its copies at most. With `relaxed`, a cap binds only when it is 0 or the item's size
/// is zero (a relaxation: a pattern may take more copies than the cap, never more than fit). Errors: lengths that differ,
/// a value not finite or negative, a table or record beyond [`MAX_CELLS`] / [`MAX_BITS`].
pub fn best_pattern(sizes: &[[u64; 2]], values: &[f64], caps: &[u64], room: [u64; 2], relaxed: bool)
    -> Result<Pattern> {
    let n = sizes.len();
    if values.len() != n || caps.len() != n {
        return Err(Error::InvalidInput(format!(
            "knapsack: {n} sizes, {} values and {} caps (one of each per item)", values.len(), caps.len())));
    }
    if let Some(i) = values.iter().position(|v| !v.is_finite() || *v < 0.0) {
        return Err(Error::InvalidInput(format!("knapsack: item {i}'s value {} is not finite and >= 0", values[i])));
    }
    let (rows, cols) = (room[0].saturating_add(1), room[1].saturating_add(1));
    let cells = rows.checked_mul(cols).filter(|&c| c <= MAX_CELLS as u64).ok_or_else(|| {
        Error::InvalidInput(format!("knapsack: a room of {} x {} units is beyond {MAX_CELLS} cells", room[0], room[1]))
    })? as usize;
    let (rows, cols) = (rows as usize, cols as usize);
    let plan = steps(sizes, caps, values, room, relaxed);
    let words = cells.div_ceil(64);
    if (plan.len() as u64).saturating_mul(words as u64 * 64) > MAX_BITS {
        return Err(Error::InvalidInput(format!(
            "knapsack: {} steps over {cells} cells record more than {MAX_BITS} bits", plan.len())));
    }
    let mut table = vec![0.0f64; cells];
    let mut bits = vec![0u64; plan.len() * words];
    for (s, step) in plan.iter().enumerate() {
        let w = sizes[step.item];
        let (w0, w1) = (w[0].saturating_mul(step.chunk) as usize, w[1].saturating_mul(step.chunk) as usize);
        let gain = values[step.item] * step.chunk as f64;
        let record = &mut bits[s * words..(s + 1) * words];
        if w0 >= rows || w1 >= cols {
            continue;
        }
        if step.repeat {
            // ascending: the source entry may already hold copies of this step (the item taken again)
            for r in w0..rows {
                for c in w1..cols {
                    let (at, from) = (r * cols + c, (r - w0) * cols + (c - w1));
                    let candidate = table[from] + gain;
                    if candidate > table[at] {
                        table[at] = candidate;
                        record[at >> 6] |= 1u64 << (at & 63);
                    }
                }
            }
        } else {
            // descending: the source entry is still the one before this step (its copies taken at most once)
            for r in (w0..rows).rev() {
                for c in (w1..cols).rev() {
                    let (at, from) = (r * cols + c, (r - w0) * cols + (c - w1));
                    let candidate = table[from] + gain;
                    if candidate > table[at] {
                        table[at] = candidate;
                        record[at >> 6] |= 1u64 << (at & 63);
                    }
                }
            }
        }
    }
    let mut copies = vec![0u64; n];
    let (mut r, mut c) = (rows - 1, cols - 1);
    let mut s = plan.len();
    while s > 0 {
        let step = &plan[s - 1];
        let at = r * cols + c;
        if bits[(s - 1) * words + (at >> 6)] >> (at & 63) & 1 == 1 {
            let w = sizes[step.item];
            copies[step.item] += step.chunk;
            r -= (w[0] * step.chunk) as usize;
            c -= (w[1] * step.chunk) as usize;
            // a repeated step with a size of zero never sets a bit twice at one entry: it is not repeated
            if step.repeat && (w[0] > 0 || w[1] > 0) {
                continue;
            }
        }
        s -= 1;
    }
    Ok(Pattern { value: table[cells - 1], copies })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every choice of copies within the caps, the best value that fits.
    fn brute(sizes: &[[u64; 2]], values: &[f64], caps: &[u64], room: [u64; 2]) -> f64 {
        fn go(i: usize, sizes: &[[u64; 2]], values: &[f64], caps: &[u64], left: [u64; 2]) -> f64 {
            if i == sizes.len() {
                return 0.0;
            }
            let mut best = go(i + 1, sizes, values, caps, left);
            for k in 1..=caps[i] {
                let need = [sizes[i][0] * k, sizes[i][1] * k];
                if need[0] > left[0] || need[1] > left[1] {
                    break;
                }
                let rest = go(i + 1, sizes, values, caps, [left[0] - need[0], left[1] - need[1]]);
                best = best.max(rest + values[i] * k as f64);
            }
            best
        }
        go(0, sizes, values, caps, room)
    }

    fn check_pattern(sizes: &[[u64; 2]], values: &[f64], caps: &[u64], room: [u64; 2], found: &Pattern,
                     relaxed: bool) {
        let mut used = [0u64; 2];
        let mut value = 0.0;
        for (i, &k) in found.copies.iter().enumerate() {
            assert!(relaxed && (sizes[i][0] > 0 || sizes[i][1] > 0) || k <= caps[i], "item {i}: {k} > cap");
            used[0] += sizes[i][0] * k;
            used[1] += sizes[i][1] * k;
            value += values[i] * k as f64;
        }
        assert!(used[0] <= room[0] && used[1] <= room[1], "{used:?} beyond {room:?}");
        assert!((value - found.value).abs() <= 1e-9 * value.max(1.0), "pattern {value} vs table {}", found.value);
    }

    /// A small generator (no dependency): xorshift.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self, below: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % below
        }
    }

    #[test]
    fn the_table_is_the_brute_force_optimum_in_two_dimensions() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for case in 0..400 {
            let n = 1 + rng.next(6) as usize;
            let sizes: Vec<[u64; 2]> = (0..n).map(|_| [rng.next(7), rng.next(7)]).collect();
            let values: Vec<f64> = (0..n).map(|_| rng.next(100) as f64 / 7.0).collect();
            let caps: Vec<u64> = (0..n).map(|_| rng.next(5)).collect();
            let room = [rng.next(16), rng.next(16)];
            let found = best_pattern(&sizes, &values, &caps, room, false).unwrap();
            let want = brute(&sizes, &values, &caps, room);
            assert!((found.value - want).abs() < 1e-9, "case {case}: {} vs {want} ({sizes:?} {caps:?} {room:?})",
                    found.value);
            check_pattern(&sizes, &values, &caps, room, &found, false);
        }
    }

    #[test]
    fn one_dimension_is_room_zero_in_the_first() {
        let mut rng = Rng(12345);
        for _ in 0..300 {
            let n = 1 + rng.next(7) as usize;
            let sizes: Vec<[u64; 2]> = (0..n).map(|_| [0, 1 + rng.next(20)]).collect();
            let values: Vec<f64> = (0..n).map(|_| rng.next(50) as f64).collect();
            let caps: Vec<u64> = (0..n).map(|_| rng.next(6)).collect();
            let room = [0, rng.next(60)];
            let found = best_pattern(&sizes, &values, &caps, room, false).unwrap();
            assert!((found.value - brute(&sizes, &values, &caps, room)).abs() < 1e-9);
            check_pattern(&sizes, &values, &caps, room, &found, false);
        }
    }

    #[test]
    fn relaxed_caps_are_the_brute_force_with_caps_as_many_as_fit() {
        let mut rng = Rng(777);
        for _ in 0..300 {
            let n = 1 + rng.next(5) as usize;
            let sizes: Vec<[u64; 2]> = (0..n).map(|_| [rng.next(6), rng.next(6)]).collect();
            let values: Vec<f64> = (0..n).map(|_| rng.next(30) as f64 / 3.0).collect();
            let caps: Vec<u64> = (0..n).map(|_| rng.next(3)).collect();
            let room = [rng.next(14), rng.next(14)];
            let found = best_pattern(&sizes, &values, &caps, room, true).unwrap();
            let loose: Vec<u64> = sizes.iter().zip(&caps).map(|(w, &c)| if c > 0 && (w[0] > 0 || w[1] > 0) { 30 } else { c })
                .collect();
            let want = brute(&sizes, &values, &loose, room);
            assert!((found.value - want).abs() < 1e-9, "{} vs {want}", found.value);
            check_pattern(&sizes, &values, &caps, room, &found, true);
            // the relaxation is never below the knapsack with the caps
            assert!(found.value + 1e-9 >= brute(&sizes, &values, &caps, room));
        }
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        assert!(best_pattern(&[[1, 1]], &[1.0, 2.0], &[1], [3, 3], false).is_err());
        assert!(best_pattern(&[[1, 1]], &[f64::NAN], &[1], [3, 3], false).is_err());
        assert!(best_pattern(&[[1, 1]], &[-1.0], &[1], [3, 3], false).is_err());
        assert!(best_pattern(&[[1, 1]], &[1.0], &[1], [u64::MAX, 3], false).is_err());
        assert!(best_pattern(&[[1, 1]], &[1.0], &[1], [5000, 5000], false).is_err());
        let empty = best_pattern(&[], &[], &[], [0, 0], false).unwrap();
        assert_eq!(empty, Pattern { value: 0.0, copies: vec![] });
        // a huge cap on an item of size zero: 64 doubling steps at most, no overflow
        let free = best_pattern(&[[0, 0]], &[1.0], &[u64::MAX], [2, 2], false).unwrap();
        assert_eq!(free.copies, vec![u64::MAX]);
    }
}
