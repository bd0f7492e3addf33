//! Plain one-dimensional bin packing's own search for fewer hosts: consistent neighbourhood search on integer sizes.
//!
//! When [`Plain`] recognises the problem (one size per workload, hosts alike, no overheads or rules in play), a
//! host is its load and a list of item numbers, and every check is one integer comparison; the general search's
//! rule-checking state costs far more per step. The method follows Buljubasic & Vasquez (2016, CNS_BP), written
//! from its description:
//!
//! - from the best plan on `k` bins, aim at `k - 1`: empty three bins into a *pool* and keep a partial plan on
//!   `k - 3` bins, valid at every step; the attempt succeeds when the pool fits the two bins kept in reserve
//!   (subset sums decide it);
//! - pool items that fit a bin go in (best fit);
//! - **tabu search**: on one bin, at most two of its items out to the pool and one or two pool items in, keeping
//!   the bin within capacity, chosen so that the pool gets lighter (its total size), ties broken towards a pool of
//!   more, smaller items; an item taken out of a bin may not go back into it for 5-20 steps. First improvement
//!   over 24 bins drawn at random per step (the best swap of the sample when none improves);
//! - **descent** ("pack set") when no swap improves: a bin takes the fullest subset of its own and the pool's
//!   items (exact, by subset sums over bitsets: capacities up to [`EXACT_CAPACITY`]);
//! - **clash test** (ours, not the paper's): a pool that two bins could take never holds three items of which
//!   any two overfill a bin, or five of which any three do, and so on (see [`top_packable`]); once the pool passes
//!   the test, no move may make it fail, and the bins to empty are drawn so that it passes from the start. On
//!   Hard28 this is what lets the search finish: without it the pool settles on four items above half a bin,
//!   which no two bins take;
//! - an attempt that has not made its pool lighter for 1 000 steps (plus one per item) gives up; the next starts
//!   from the best plan with three other bins, drawn at random.
//!
//! It works on the workloads the start plan places and on the hosts it uses, so it never places fewer and never
//! uses a host the start did not; it returns a plan only when it uses fewer hosts. docs/improve.md has the
//! measurements.

use crate::error::Result;
use crate::model::{Form, Placement, Problem};
use crate::plain::Plain;

use super::budget::{Budget, Rng};

/// The largest capacity the search takes on: its subset sums keep bitsets of this many bits per item.
pub const EXACT_CAPACITY: u64 = 1 << 18;
/// An item taken out of a bin may not go back for `TABU_MIN` steps and up to `TABU_SPAN` more (at random).
const TABU_MIN: u64 = 5;
const TABU_SPAN: usize = 15;
/// An attempt gives up after this many steps (plus one per item) without making its pool lighter.
const PATIENCE_STEPS: u64 = 1_000;
/// Pool pairs are formed among at most this many pool items (the largest).
const POOL_PAIRS: usize = 40;
/// At most this many bins (a random sample) take part in one step's swaps, and this many in its refill.
const BINS_PER_STEP: usize = 24;
const REFILL_BINS: usize = 8;
/// How far below the largest fitting pool subset a swap looks for one that is not tabu, when the largest is.
const TABU_SCAN: usize = 16;

/// Work units, about as many per second as the general search's (docs/improve.md): four per bin a step scans and
/// one per two swaps evaluated on it (a subset of its items against the pool), one per four pool subsets sorted,
/// per eight bins a pool item is tried on, and per four 64-bit words of subset sums.
type Units = u64;

/// Improve a plan of plain bin packing for the number of hosts used. `placement` is the start (valid); `floor`
/// the fewest hosts any plan can use (the search stops there). Returns a plan on fewer hosts, if it finds one.
pub fn fewer_bins(
    problem: &Problem,
    plain: &Plain,
    placement: &[Option<(u32, Form)>],
    floor: usize,
    budget: &mut Budget,
    rng: &mut Rng,
) -> Result<Option<Placement>> {
    let capacity = plain.capacity();
    // the placed workloads, numbered 0.. as items, and the hosts they use, each a bin
    let mut hosts: Vec<u32> = placement.iter().flatten().map(|&(j, _)| j).collect();
    hosts.sort_unstable();
    hosts.dedup();
    if hosts.len() <= floor.max(1) || capacity > EXACT_CAPACITY {
        return Ok(None);
    }
    let mut items: Vec<usize> = Vec::new();
    let mut size: Vec<u64> = Vec::new();
    let mut bins: Vec<Vec<u32>> = vec![Vec::new(); hosts.len()];
    for (i, spot) in placement.iter().enumerate() {
        if let Some((j, _)) = spot {
            let b = hosts.binary_search(j).expect("a used host");
            bins[b].push(items.len() as u32);
            items.push(i);
            size.push(plain.size(problem, i));
        }
    }
    budget.charge(items.len() as u64)?;
    let mut search = Search::new(size, capacity, budget, rng);
    let Some(best) = search.run(bins, floor)? else { return Ok(None) };
    let mut out = placement.to_vec();
    for (b, bin) in best.iter().enumerate() {
        for &it in bin {
            let i = items[it as usize];
            let form = placement[i].expect("placed").1;
            out[i] = Some((hosts[b], form));
        }
    }
    Ok(Some(out))
}

/// A swap on one bin: items `out` (up to two) to the pool, pool items `into` (one or two) into the bin.
#[derive(Clone, Copy)]
struct Swap {
    bin: usize,
    out: [u32; 2],
    outs: usize,
    into: [u32; 2],
    intos: usize,
    /// How much lighter the pool gets; then how many more items it holds.
    gain: i64,
    count: i32,
}

impl Swap {
    fn key(&self) -> (i64, i32) {
        (self.gain, self.count)
    }
}

/// A pool subset of one or two items (the second u32::MAX when one).
#[derive(Clone, Copy)]
struct Sub {
    size: u64,
    items: [u32; 2],
}

impl Sub {
    fn items(&self) -> &[u32] {
        if self.items[1] == u32::MAX { &self.items[..1] } else { &self.items }
    }

    /// Larger first, then fewer items.
    fn key(&self) -> (u64, bool) {
        (self.size, self.items[1] == u32::MAX)
    }
}

struct Search<'s, 'b> {
    size: Vec<u64>,
    capacity: u64,
    budget: &'s mut Budget<'b>,
    rng: &'s mut Rng,
    /// The partial plan: bins (item numbers) and their loads, and the pool.
    bins: Vec<Vec<u32>>,
    load: Vec<u64>,
    pool: Vec<u32>,
    /// How many bins the pool must go into for the attempt to succeed (the emptied bins but one).
    reserve: usize,
    /// Per item, the bin it may not go back to before step `tabu_until`.
    tabu_bin: Vec<u32>,
    tabu_until: Vec<u64>,
    step: u64,
    /// Pool subsets of one or two items, by size (singles first among equal sizes), and per prefix of them the
    /// position of the largest.
    subsets: Vec<Sub>,
    largest: Vec<u32>,
    /// The bins of this step's swaps, in the order they are tried.
    scan: Vec<usize>,
    sums: SubsetSums,
}

impl<'s, 'b> Search<'s, 'b> {
    fn new(size: Vec<u64>, capacity: u64, budget: &'s mut Budget<'b>, rng: &'s mut Rng) -> Search<'s, 'b> {
        let n = size.len();
        Search {
            size,
            capacity,
            budget,
            rng,
            bins: Vec::new(),
            load: Vec::new(),
            pool: Vec::new(),
            reserve: 2,
            tabu_bin: vec![u32::MAX; n],
            tabu_until: vec![0; n],
            step: 0,
            subsets: Vec::new(),
            largest: Vec::new(),
            scan: Vec::new(),
            sums: SubsetSums::default(),
        }
    }

    fn sum(&self, items: &[u32]) -> u64 {
        items.iter().map(|&i| self.size[i as usize]).sum()
    }

    /// From `start` (a complete plan), fewer bins until `floor` or the budget; the best plan if better than start.
    fn run(&mut self, start: Vec<Vec<u32>>, floor: usize) -> Result<Option<Vec<Vec<u32>>>> {
        let mut best = start;
        let mut improved = false;
        while best.len() > floor && best.len() >= 2 && !self.budget.spent() {
            let deleted = self.choose_deleted(&best);
            self.reserve = deleted.len() - 1;
            self.bins.clear();
            self.pool.clear();
            for (b, bin) in best.iter().enumerate() {
                if deleted.contains(&b) {
                    self.pool.extend_from_slice(bin);
                } else {
                    self.bins.push(bin.clone());
                }
            }
            self.load = self.bins.iter().map(|bin| self.sum(bin)).collect();
            self.tabu_until.iter_mut().for_each(|t| *t = 0);
            self.budget.charge(self.size.len() as Units)?;
            if let Some(plan) = self.attempt()? {
                debug_assert!(plan.len() < best.len());
                best = plan;
                improved = true;
            }
        }
        Ok(improved.then_some(best))
    }

    /// The bins to empty: three (two of two), at random, such that the pool passes the clash test of
    /// [`top_packable`] for the bins kept in reserve (when no such choice turns up, any three).
    fn choose_deleted(&mut self, best: &[Vec<u32>]) -> Vec<usize> {
        let count = best.len().min(3);
        let mut order: Vec<usize> = (0..best.len()).collect();
        self.rng.shuffle(&mut order);
        let mut chosen: Vec<usize> = Vec::new();
        let mut sizes: Vec<u64> = Vec::new();
        for &b in &order {
            if chosen.len() == count {
                break;
            }
            let mut trial = sizes.clone();
            trial.extend(best[b].iter().map(|&i| self.size[i as usize]));
            trial.sort_unstable_by(|x, y| y.cmp(x));
            if top_packable(&trial, self.capacity, count - 1) {
                sizes = trial;
                chosen.push(b);
            }
        }
        if chosen.len() < count {
            chosen = order[..count].to_vec();
        }
        chosen
    }

    /// Search until the pool fits the reserved bins (the plan, whole again, on fewer bins) or patience runs out.
    fn attempt(&mut self) -> Result<Option<Vec<Vec<u32>>>> {
        let patience = PATIENCE_STEPS + self.size.len() as u64;
        let mut best_key = (u64::MAX, 0i64);
        let mut since = 0u64;
        loop {
            self.insert_fitting()?;
            if let Some(plan) = self.whole()? {
                return Ok(Some(plan));
            }
            // lighter, then more items (more, smaller items pack better)
            let key = (self.sum(&self.pool), -(self.pool.len() as i64));
            if key < best_key {
                best_key = key;
                since = 0;
            } else {
                since += 1;
            }
            if self.budget.spent() || since > patience {
                return Ok(None);
            }
            self.step += 1;
            let swap = self.best_swap()?;
            let improving = swap.is_some_and(|s| s.key() > (0, 0));
            if !improving && self.descend()? {
                continue;
            }
            let Some(swap) = swap else { return Ok(None) };
            self.apply(swap);
        }
    }

    /// Pool items that fit a bin go in, the largest first, each where it leaves the least room.
    fn insert_fitting(&mut self) -> Result<()> {
        let most_free = self.load.iter().map(|&l| self.capacity - l).max().unwrap_or(0);
        if self.pool.iter().all(|&i| self.size[i as usize] > most_free) {
            self.budget.charge(self.pool.len() as Units)?;
            return Ok(());
        }
        let size = &self.size;
        self.pool.sort_unstable_by(|&a, &b| size[b as usize].cmp(&size[a as usize]).then(a.cmp(&b)));
        let mut k = 0;
        while k < self.pool.len() {
            let i = self.pool[k];
            let s = self.size[i as usize];
            let mut chosen: Option<(u64, usize)> = None;
            for (b, &l) in self.load.iter().enumerate() {
                let free = self.capacity - l;
                if free >= s && chosen.map_or(true, |(f, _)| free < f) {
                    chosen = Some((free, b));
                }
            }
            self.budget.charge(self.load.len() as Units / 8 + 1)?;
            match chosen {
                Some((_, b)) => {
                    self.bins[b].push(i);
                    self.load[b] += s;
                    self.pool.remove(k);
                }
                None => k += 1,
            }
        }
        Ok(())
    }

    /// The whole plan when the pool fits the reserved bins (one or two).
    fn whole(&mut self) -> Result<Option<Vec<Vec<u32>>>> {
        let reserve = self.reserve;
        let total = self.sum(&self.pool);
        if total > reserve as u64 * self.capacity {
            return Ok(None);
        }
        let mut plan = self.bins.clone();
        if self.pool.is_empty() {
            return Ok(Some(plan));
        }
        if reserve == 1 || total <= self.capacity {
            plan.push(self.pool.clone());
            return Ok(Some(plan));
        }
        // two bins: a subset of at most a capacity whose rest fits too
        let sizes: Vec<u64> = self.pool.iter().map(|&i| self.size[i as usize]).collect();
        let (best, chosen) = self.sums.best(&sizes, self.capacity);
        self.budget.charge(self.sums.units())?;
        if total - best > self.capacity {
            return Ok(None);
        }
        let (first, second): (Vec<u32>, Vec<u32>) = {
            let mut first = Vec::new();
            let mut second = Vec::new();
            for (k, &i) in self.pool.iter().enumerate() {
                if chosen[k] { first.push(i) } else { second.push(i) }
            }
            (first, second)
        };
        plan.push(first);
        plan.push(second);
        Ok(Some(plan))
    }

    /// First improvement over a random sample of bins: the first bin with a swap that makes the pool lighter (or
    /// as light with more items) gives its best; when none has one, the best swap of the sample (which may make the
    /// pool heavier, as tabu search does), random among equals. None when no bin of the sample has a swap.
    fn best_swap(&mut self) -> Result<Option<Swap>> {
        let size = &self.size;
        self.pool.sort_unstable_by(|&a, &b| size[b as usize].cmp(&size[a as usize]).then(a.cmp(&b)));
        self.subsets.clear();
        for (k, &a) in self.pool.iter().enumerate() {
            self.subsets.push(Sub { size: size[a as usize], items: [a, u32::MAX] });
            if k < POOL_PAIRS {
                for &b in &self.pool[k + 1..self.pool.len().min(POOL_PAIRS)] {
                    self.subsets.push(Sub { size: size[a as usize] + size[b as usize], items: [a, b] });
                }
            }
        }
        self.subsets.sort_unstable_by_key(|sub| (sub.size, sub.items[1] != u32::MAX, sub.items));
        self.largest.clear();
        let mut top = 0usize;
        for (k, sub) in self.subsets.iter().enumerate() {
            if sub.key() > self.subsets[top].key() {
                top = k;
            }
            self.largest.push(top as u32);
        }
        self.budget.charge(self.subsets.len() as Units / 4 + 1)?;
        // once the pool passes the clash test, no swap may make it fail (a pool that starts failing is free)
        let guard = {
            let sizes: Vec<u64> = self.pool.iter().take(TOP).map(|&i| self.size[i as usize]).collect();
            top_packable(&sizes, self.capacity, self.reserve)
        };
        self.scan.clear();
        self.scan.extend(0..self.bins.len());
        self.rng.shuffle(&mut self.scan);
        self.scan.truncate(BINS_PER_STEP);
        let mut chosen: Option<Swap> = None;
        let mut ties = 0u64;
        let mut evaluated: Units = 0;
        for &b in &self.scan {
            let mut local: Option<Swap> = None;
            let mut local_ties = 0u64;
            let free = self.capacity - self.load[b];
            let bin = &self.bins[b];
            // `check`: the pool with `out` in fails the clash test, so the items in must make it pass again
            let barred = |sub: &Sub, out: &[u32], check: bool| {
                sub.items().iter().any(|&i| self.tabu_bin[i as usize] == b as u32 && self.step < self.tabu_until[i as usize])
                    || (check && !packable_after(&self.pool, &self.size, self.capacity, self.reserve, out, sub.items()))
            };
            // the items out: none, one or two of the bin's; the items in: the largest pool subset that fits
            let mut outs = |out: [u32; 2], outs: usize| {
                let freed: u64 = out[..outs].iter().map(|&i| self.size[i as usize]).sum();
                let room = free + freed;
                let at = self.subsets.partition_point(|sub| sub.size <= room);
                evaluated += 1;
                if at == 0 {
                    return;
                }
                let check = guard && !packable_after(&self.pool, &self.size, self.capacity, self.reserve, &out[..outs], &[]);
                let mut pick = self.largest[at - 1] as usize;
                if barred(&self.subsets[pick], &out[..outs], check) {
                    // the largest that is allowed: among the last few that fit for tabu, among all for the test
                    let from = if check { 0 } else { at.saturating_sub(TABU_SCAN) };
                    let mut found: Option<usize> = None;
                    for q in (from..at).rev() {
                        let sub = &self.subsets[q];
                        if found.map_or(true, |f| sub.key() > self.subsets[f].key()) && !barred(sub, &out[..outs], check) {
                            found = Some(q);
                        }
                    }
                    evaluated += (at - from) as Units / 4;
                    let Some(f) = found else { return };
                    pick = f;
                }
                let sub = self.subsets[pick];
                let swap = Swap {
                    bin: b,
                    out,
                    outs,
                    into: sub.items,
                    intos: sub.items().len(),
                    gain: sub.size as i64 - freed as i64,
                    count: outs as i32 - sub.items().len() as i32,
                };
                offer(&mut local, &mut local_ties, swap, self.rng);
            };
            outs([u32::MAX; 2], 0);
            for x in 0..bin.len() {
                outs([bin[x], u32::MAX], 1);
                for y in x + 1..bin.len() {
                    outs([bin[x], bin[y]], 2);
                }
            }
            let Some(swap) = local else { continue };
            if swap.key() > (0, 0) {
                chosen = Some(swap);
                break;
            }
            offer(&mut chosen, &mut ties, swap, self.rng);
        }
        self.budget.charge(evaluated / 2 + 4 * self.scan.len() as Units)?;
        Ok(chosen)
    }

    /// Item `i`, just out of bin `b`, may not go back for a while.
    fn make_tabu(&mut self, i: u32, b: usize) {
        self.tabu_bin[i as usize] = b as u32;
        self.tabu_until[i as usize] = self.step + TABU_MIN + self.rng.below(TABU_SPAN + 1) as u64;
    }

    fn apply(&mut self, swap: Swap) {
        let b = swap.bin;
        for &i in &swap.out[..swap.outs] {
            let at = self.bins[b].iter().position(|&x| x == i).expect("in the bin");
            self.bins[b].swap_remove(at);
            self.load[b] -= self.size[i as usize];
            self.pool.push(i);
            self.make_tabu(i, b);
        }
        for &i in &swap.into[..swap.intos] {
            let at = self.pool.iter().position(|&x| x == i).expect("in the pool");
            self.pool.swap_remove(at);
            self.bins[b].push(i);
            self.load[b] += self.size[i as usize];
        }
        debug_assert!(self.load[b] <= self.capacity);
    }

    /// Descent ("pack set"): of the first bins of this step's sample, the first that a subset of its own and the
    /// pool's items fills fuller takes the fullest such subset (and the pool still passes the clash test if it
    /// did). Whether one did.
    fn descend(&mut self) -> Result<bool> {
        let guard = {
            let mut now: Vec<u64> = self.pool.iter().map(|&i| self.size[i as usize]).collect();
            now.sort_unstable_by(|a, b| b.cmp(a));
            top_packable(&now, self.capacity, self.reserve)
        };
        let mut sizes = Vec::new();
        let mut members = Vec::new();
        for k in 0..self.scan.len().min(REFILL_BINS) {
            let b = self.scan[k];
            members.clear();
            members.extend_from_slice(&self.bins[b]);
            members.extend_from_slice(&self.pool);
            sizes.clear();
            sizes.extend(members.iter().map(|&i| self.size[i as usize]));
            let (best, chosen) = self.sums.best(&sizes, self.capacity);
            self.budget.charge(self.sums.units())?;
            if best <= self.load[b] {
                continue;
            }
            if guard {
                let mut outside: Vec<u64> =
                    sizes.iter().zip(&chosen).filter(|(_, &c)| !c).map(|(&s, _)| s).collect();
                outside.sort_unstable_by(|a, b| b.cmp(a));
                if !top_packable(&outside, self.capacity, self.reserve) {
                    continue;
                }
            }
            let own = self.bins[b].len();
            let (mut inside, mut outside) = (Vec::new(), Vec::new());
            for (k, &i) in members.iter().enumerate() {
                if chosen[k] {
                    inside.push(i);
                } else {
                    if k < own {
                        self.make_tabu(i, b);
                    }
                    outside.push(i);
                }
            }
            self.bins[b] = inside;
            self.load[b] = best;
            self.pool = outside;
            return Ok(true);
        }
        Ok(false)
    }
}

/// Keep the better of `chosen` and `swap` by (gain, count), equals uniformly at random (`ties` counts them).
fn offer(chosen: &mut Option<Swap>, ties: &mut u64, swap: Swap, rng: &mut Rng) {
    match chosen {
        Some(c) if c.key() > swap.key() => {}
        Some(c) if c.key() == swap.key() => {
            *ties += 1;
            if rng.below(*ties as usize + 1) == 0 {
                *chosen = Some(swap);
            }
        }
        _ => {
            *chosen = Some(swap);
            *ties = 0;
        }
    }
}

/// Subset sums over bitsets, one layer per item, so that the subset reaching a sum can be read back.
#[derive(Default)]
struct SubsetSums {
    layers: Vec<u64>,
    words: usize,
    last_units: u64,
}

impl SubsetSums {
    /// The largest subset sum of `sizes` at most `cap`, and which sizes make it (the later sizes left out when
    /// they can be).
    fn best(&mut self, sizes: &[u64], cap: u64) -> (u64, Vec<bool>) {
        let words = cap as usize / 64 + 1;
        self.words = words;
        let n = sizes.len();
        self.layers.clear();
        self.layers.resize((n + 1) * words, 0);
        self.layers[0] = 1;
        for (k, &s) in sizes.iter().enumerate() {
            let (done, rest) = self.layers.split_at_mut((k + 1) * words);
            let from = &done[k * words..];
            let to = &mut rest[..words];
            to.copy_from_slice(from);
            if s <= cap {
                let (shift_words, shift_bits) = ((s / 64) as usize, (s % 64) as u32);
                for w in (shift_words..words).rev() {
                    let src = w - shift_words;
                    let mut v = from[src] << shift_bits;
                    if shift_bits > 0 && src > 0 {
                        v |= from[src - 1] >> (64 - shift_bits);
                    }
                    to[w] |= v;
                }
            }
        }
        self.last_units = ((n + 1) * words) as u64 / 4 + 1;
        // the highest reachable sum at most cap
        let top = &self.layers[n * words..];
        let mut best = 0u64;
        for w in (0..words).rev() {
            let mut v = top[w];
            if w == words - 1 {
                let bits = cap as usize % 64 + 1;
                if bits < 64 {
                    v &= (1u64 << bits) - 1;
                }
            }
            if v != 0 {
                best = w as u64 * 64 + 63 - v.leading_zeros() as u64;
                break;
            }
        }
        let mut chosen = vec![false; n];
        let mut at = best;
        for k in (0..n).rev() {
            let layer = &self.layers[k * words..(k + 1) * words];
            let reachable = |x: u64| layer[x as usize / 64] >> (x % 64) & 1 == 1;
            if !reachable(at) {
                chosen[k] = true;
                at -= sizes[k];
            }
        }
        debug_assert_eq!(at, 0);
        (best, chosen)
    }

    /// Work units of the last call.
    fn units(&self) -> u64 {
        self.last_units
    }
}

/// Whether the largest items of `sizes` (descending) could go into `reserve` bins, by a necessary condition: of
/// the `reserve * (k - 1) + 1` largest, some bin takes `k`, so the `k` smallest of them must fit one bin.
fn top_packable(sizes: &[u64], capacity: u64, reserve: usize) -> bool {
    if reserve == 0 {
        return sizes.is_empty();
    }
    let mut k = 2;
    while reserve * (k - 1) < sizes.len() && k <= LOOK_K {
        let last = reserve * (k - 1); // index of the (reserve (k - 1) + 1)-th largest
        if sizes[last + 1 - k..=last].iter().sum::<u64>() > capacity {
            return false;
        }
        k += 1;
    }
    true
}

/// [`top_packable`] for the pool (sorted, descending) after `out` joins it and `into` leaves it. Taking items out
/// of a pool never makes it fail, so a swap that adds none passes at once.
fn packable_after(pool: &[u32], size: &[u64], capacity: u64, reserve: usize, out: &[u32], into: &[u32]) -> bool {
    if out.is_empty() {
        return true;
    }
    // the largest TOP of the pool without `into`, then `out` inserted in order
    let mut top: [u64; TOP + 2] = [0; TOP + 2];
    let mut k = 0;
    for &i in pool {
        if k == TOP {
            break;
        }
        if !into.contains(&i) {
            top[k] = size[i as usize];
            k += 1;
        }
    }
    for &o in out {
        let s = size[o as usize];
        let mut at = k;
        while at > 0 && top[at - 1] < s {
            top[at] = top[at - 1];
            at -= 1;
        }
        top[at] = s;
        k += 1;
    }
    top_packable(&top[..k], capacity, reserve)
}

/// The pool's largest items that [`top_packable`] reads, and the most a bin is checked to take of them.
const LOOK_K: usize = 3;
const TOP: usize = 2 * (LOOK_K - 1) + 1;
