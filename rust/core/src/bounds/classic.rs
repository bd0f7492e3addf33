//! Classic bounds of one-dimensional bin packing (Martello and Toth's L2, Fekete and Schepers' dual feasible
//! functions) and the cover of a demand by the largest rooms.

/// The fewest hosts, largest `rooms` (room, how many hosts) first, whose rooms add up to `demand`; all of them
/// (at most `m`) when they do not.
pub(super) fn cover(mut rooms: Vec<(u128, usize)>, demand: u128, m: usize) -> usize {
    rooms.sort_unstable_by(|a, b| b.0.cmp(&a.0));
    let (mut covered, mut k) = (0u128, 0usize);
    for (room, count) in rooms {
        if covered >= demand {
            break;
        }
        let wanted = if room == 0 { count } else { (demand - covered).div_ceil(room).min(count as u128) as usize };
        covered += room * wanted as u128;
        k += wanted;
    }
    k.min(m)
}

/// Martello and Toth's bound L2 for one-dimensional bin packing of `sizes` (ascending, each at most `capacity`)
/// into bins of `capacity`: for each threshold K in 0 and the sizes up to capacity/2, the items above capacity − K
/// each need their own bin, the items in (capacity/2, capacity − K] each need another, and the items in
/// [K, capacity/2] fill what the latter leave free before they open more. 0 for no items; `capacity` 0 with
/// positive sizes gives the item count (no two share).
///
/// Heterogeneous hosts: called with the largest room, which is sound because every host's room is at most that,
/// so any valid plan is a packing into bins of the largest room.
pub fn martello_toth_l2(sizes: &[u64], capacity: u64) -> u64 {
    let n = sizes.len();
    if n == 0 {
        return 0;
    }
    if capacity == 0 {
        // only empty workloads fit a room of 0 (the precondition); one bin holds them all
        return if sizes[n - 1] == 0 { 1 } else { n as u64 };
    }
    let c = capacity as u128;
    // split points on the ascending sizes: [0, half) are at most capacity/2, [half, n) above
    let half = sizes.partition_point(|&s| 2 * s as u128 <= c);
    let mut best = 0u128;
    // J3 = [lo, half), J2 = [half, up), J1 = [up, n); K rises through 0 and the distinct sizes up to capacity/2
    let (mut lo, mut up) = (0usize, n);
    let mut s3: u128 = sizes[..half].iter().map(|&s| s as u128).sum();
    let mut s2: u128 = sizes[half..].iter().map(|&s| s as u128).sum();
    let mut k: u128 = 0;
    loop {
        while lo < half && (sizes[lo] as u128) < k {
            s3 -= sizes[lo] as u128;
            lo += 1;
        }
        while up > half && sizes[up - 1] as u128 > c - k {
            up -= 1;
            s2 -= sizes[up] as u128;
        }
        let n2 = (up - half) as u128;
        let n1 = (n - up) as u128;
        let free = n2 * c - s2;
        let more = if s3 > free { (s3 - free).div_ceil(c) } else { 0 };
        best = best.max(n1 + n2 + more);
        // the next distinct size up to capacity/2
        let next = lo + sizes[lo..half].partition_point(|&s| s as u128 <= k);
        if next >= half {
            break;
        }
        k = sizes[next] as u128;
    }
    best as u64
}

/// Fekete and Schepers' bound for one-dimensional bin packing of `sizes` (ascending, each at most `capacity`): a
/// dual feasible function maps sizes so that whatever fits a bin still fits it, so the mapped total over the
/// capacity bounds the bins. The functions are u_k (k = 1..10: a size x becomes x when (k+1)x/C is whole, else
/// floor((k+1)x/C) C/k) after the cut at eps (0, and up to 15 sizes up to C/2: sizes above C - eps count C, below
/// eps 0). Both are dual feasible and so is their composition. The work is bounded: with many distinct sizes only
/// eps = 0 and fewer k. 0 for no items or a capacity of 0 (L2 covers that case).
///
/// Heterogeneous hosts: called with the largest room, as [`martello_toth_l2`].
pub fn fekete_schepers(sizes: &[u64], capacity: u64) -> u64 {
    const THRESHOLDS: usize = 16;
    const K: usize = 10;
    const WORK: usize = 1 << 22;
    if sizes.is_empty() || capacity == 0 {
        return 0;
    }
    let c = capacity as u128;
    let mut distinct: Vec<(u128, u128)> = Vec::new();
    for &s in sizes {
        match distinct.last_mut() {
            Some((v, n)) if *v == s as u128 => *n += 1,
            _ => distinct.push((s as u128, 1)),
        }
    }
    let full = distinct.len() * THRESHOLDS * K <= WORK;
    let mut thresholds = vec![0u128];
    let halves: Vec<u128> = distinct.iter().map(|&(v, _)| v).filter(|&v| v > 0 && 2 * v <= c).collect();
    if full && !halves.is_empty() {
        thresholds.extend(halves.iter().step_by(halves.len().div_ceil(THRESHOLDS - 1)).copied());
    }
    let ks = if full { K } else { (WORK / distinct.len()).clamp(1, K) } as u128;
    let mut best = 0u128;
    for &eps in &thresholds {
        for k in 1..=ks {
            // sizes scaled by k, so that u_k stays whole: a bin holds at most k C
            let total: u128 = distinct
                .iter()
                .map(|&(v, n)| {
                    let mapped = if v > c - eps {
                        k * c
                    } else if v < eps {
                        0
                    } else if (k + 1) * v % c == 0 {
                        k * v
                    } else {
                        (k + 1) * v / c * c
                    };
                    mapped * n
                })
                .sum();
            best = best.max(total.div_ceil(k * c));
        }
    }
    best as u64
}
