//! Plain one-dimensional bin packing's own search for fewer hosts: consistent neighbourhood search on integer sizes.
//!
//! When [`Plain`] recognises the problem (one size per workload, hosts alike, no overheads or rules in play), a
//! host is its load and a list of item numbers, and every check is one integer comparison: the general search's
//! rule-checking state costs about a hundred times more per step. The method follows Buljubasic & Vasquez (2016,
//! CNS_BP), written from its description:
//!
//! - from the best plan on `k` bins, aim at `k - 1`: empty three bins into a *pool* and keep a partial plan on
//!   `k - 3` bins, valid at every step; the attempt succeeds when the pool fits two bins (subset sums decide it);
//! - pool items that fit a bin go in (best fit);
//! - **tabu search**: on one bin, at most two of its items out to the pool and one or two pool items in, keeping
//!   the bin within capacity, chosen so that the pool gets lighter (its total size), ties broken towards a pool of
//!   more, smaller items; an item taken out of a bin may not go back into it for a few steps;
//! - **descent** when no swap helps: a bin takes the heaviest subset of its own and the pool's items that fits
//!   (exact, by subset sums over bitsets: capacities up to [`EXACT_CAPACITY`]);
//! - an attempt that has not made its pool lighter for a while gives up; the next starts from the best plan with
//!   other bins emptied (the lightest first, then random ones among more and more of them).
//!
//! It works on the workloads the start plan places and on the hosts it uses, so it never places fewer and never
//! uses a host the start did not; it returns a plan only when it uses fewer hosts.

use crate::error::Result;
use crate::heuristics::plain::Plain;
use crate::model::{Form, Problem};

use super::budget::{Budget, Rng};

/// The largest capacity the search takes on: its subset sums keep bitsets of this many bits per item.
pub const EXACT_CAPACITY: u64 = 1 << 18;
/// An item taken out of a bin may not go back for `TABU_MIN` steps and up to `TABU_SPAN` more (at random).
fn envp(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}
#[allow(non_snake_case)]
fn TABU_MINF() -> u64 { envp("W8_TMIN", 5) }
#[allow(non_snake_case)]
fn TABU_SPANF() -> usize { envp("W8_TSPAN", 15) as usize }
/// An attempt gives up after this many steps (plus ten per item) without making its pool lighter.
const PATIENCE_STEPS: u64 = 300;
/// Pool pairs are formed among at most this many pool items (the largest).
const POOL_PAIRS: usize = 40;
/// At most this many bins (a random sample) take part in one step's swaps, and this many in its refill.
const BINS_PER_STEP: usize = 24;
const REFILL_BINS: usize = 8;
/// How far below the largest fitting pool subset a swap looks for one that is not tabu, when the heaviest is.
const TABU_SCAN: usize = 16;

/// Work units: one per swap evaluated (a bin and a subset of its items against the pool), per pool item placed or
/// sorted, and per 64 bits of subset sums.
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
) -> Result<Option<Vec<Option<(u32, Form)>>>> {
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
    for _ in 0..envp("W8_SEED", 0) {
        rng.next();
    }
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
    weight: u64,
    items: [u32; 2],
}

impl Sub {
    fn items(&self) -> &[u32] {
        if self.items[1] == u32::MAX { &self.items[..1] } else { &self.items }
    }

    /// Heavier first, then fewer items.
    fn key(&self) -> (u64, bool) {
        (self.weight, self.items[1] == u32::MAX)
    }
}

struct Search<'s, 'b> {
    size: Vec<u64>,
    /// What an item weighs in the pool (the search makes the pool lighter).
    weight: Vec<u64>,
    capacity: u64,
    budget: &'s mut Budget<'b>,
    rng: &'s mut Rng,
    /// The partial plan: bins (item numbers) and their loads, and the pool.
    bins: Vec<Vec<u32>>,
    load: Vec<u64>,
    pool: Vec<u32>,
    /// Per item, the bin it may not go back to before step `tabu_until`.
    tabu_bin: Vec<u32>,
    tabu_until: Vec<u64>,
    step: u64,
    /// Pool subsets of one or two items: (size, first, second or u32::MAX), by size, singles before pairs.
    subsets: Vec<Sub>,
    /// Per prefix of `subsets`, the position of its heaviest.
    heaviest: Vec<u32>,
    sums: SubsetSums,
    tmin: u64,
    tspan: usize,
    /// Per item, whether it takes more than half a bin: no bin holds two, so the pool may hold at most `reserve`.
    big: Vec<bool>,
    reserve: usize,
    /// First improvement over a random sample of bins per step (else the best swap over all bins).
    first: bool,
    scan: Vec<usize>,
    bigcap: bool,
    clash: bool,
    inc: u64,
    concentrate: bool,
    ffac: u64,
    minloss: u64,
    /// Per bin and item, how often the item left the bin in this attempt.
    freq: Vec<u32>,
}

impl<'s, 'b> Search<'s, 'b> {
    fn new(size: Vec<u64>, capacity: u64, budget: &'s mut Budget<'b>, rng: &'s mut Rng) -> Search<'s, 'b> {
        let n = size.len();
        let big_items: Vec<bool> = size.iter().map(|&s| 2 * s > capacity).collect();
        let power = std::env::var("W8_POW").ok().and_then(|v| v.parse::<f64>().ok()).unwrap_or(1.0);
        let weight = if power == 1.0 { size.clone() } else { size.iter().map(|&s| ((s as f64 / capacity as f64).powf(power) * (1u64 << 24) as f64).round() as u64).collect() };
        Search {
            size,
            weight,
            capacity,
            budget,
            rng,
            bins: Vec::new(),
            load: Vec::new(),
            pool: Vec::new(),
            tabu_bin: vec![u32::MAX; n],
            tabu_until: vec![0; n],
            step: 0,
            subsets: Vec::new(),
            heaviest: Vec::new(),
            sums: SubsetSums::default(),
            big: big_items,
            reserve: 2,
            bigcap: envp("W8_BIG", 0) == 1,
            clash: envp("W8_CLASH", 0) == 1,
            first: envp("W8_FIRST", 1) == 1,
            scan: Vec::new(),
            inc: envp("W8_INC", 0),
            concentrate: envp("W8_CONC", 0) == 1,
            tmin: TABU_MINF(),
            tspan: TABU_SPANF(),
            ffac: envp("W8_FREQ", 0),
            freq: Vec::new(),
            minloss: envp("W8_MINLOSS", 1 << 40),
        }
    }

    fn sum(&self, items: &[u32]) -> u64 {
        items.iter().map(|&i| self.size[i as usize]).sum()
    }

    /// From `start` (a complete plan), fewer bins until `floor` or the budget; the best plan if better than start.
    fn run(&mut self, start: Vec<Vec<u32>>, floor: usize) -> Result<Option<Vec<Vec<u32>>>> {
        let mut best = start;
        let mut improved = false;
        let mut failures = 0usize;
        while best.len() > floor && best.len() >= 2 && !self.budget.spent() {
            let deleted = self.choose_deleted(&best, failures);
            let reserve = deleted.len() - 1;
            self.reserve = reserve;
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
            if self.inc > 0 {
                self.weight.clone_from(&self.size);
            }
            if self.ffac > 0 {
                self.freq.clear();
                self.freq.resize(self.bins.len() * self.size.len(), 0);
            }
            self.budget.charge(self.size.len() as Units)?;
            match self.attempt(reserve)? {
                Some(plan) => {
                    debug_assert!(plan.len() < best.len());
                    best = plan;
                    improved = true;
                    failures = 0;
                }
                None => failures += 1,
            }
        }
        if std::env::var("W8DEBUG").is_ok() {
            eprintln!("bins1d: steps {} work {} bins {} floor {} failures {}", self.step, self.budget.work(), best.len(), floor, failures);
        }
        Ok(improved.then_some(best))
    }

    /// The bins to empty: three (two of two), the lightest first; after failures, a random choice among more and
    /// more of the lightest.
    fn choose_deleted(&mut self, best: &[Vec<u32>], failures: usize) -> Vec<usize> {
        let mut by_load: Vec<(u64, usize)> = best.iter().enumerate().map(|(b, bin)| (self.sum(bin), b)).collect();
        by_load.sort_unstable();
        let count = best.len().min(envp("W8_DELN", 3) as usize);
        let window = if envp("W8_DEL", 0) == 1 { best.len() } else { (count + failures / 2).min(best.len()) };
        let mut picked: Vec<usize> = by_load[..window].iter().map(|&(_, b)| b).collect();
        self.rng.shuffle(&mut picked);
        if self.clash && envp("W8_CDEL", 1) == 1 {
            // the pool must pass the reserved bins' clash test from the start
            let mut rest: Vec<usize> = by_load[window..].iter().map(|&(_, b)| b).collect();
            picked.append(&mut rest);
            let mut chosen: Vec<usize> = Vec::new();
            let mut sizes: Vec<u64> = Vec::new();
            for &b in &picked {
                if chosen.len() == count {
                    break;
                }
                let mut trial = sizes.clone();
                trial.extend(best[b].iter().map(|&i| self.size[i as usize]));
                trial.sort_unstable_by(|a, b| b.cmp(a));
                if top_packable(&trial, self.capacity, count - 1) {
                    sizes = trial;
                    chosen.push(b);
                }
            }
            if chosen.len() == count {
                return chosen;
            }
            picked.truncate(window);
        }
        if self.bigcap {
            // the pool must go into count - 1 bins, which hold at most one big item each
            let mut rest: Vec<usize> = by_load[window..].iter().map(|&(_, b)| b).collect();
            picked.append(&mut rest);
            let bigs = |b: usize| best[b].iter().filter(|&&i| self.big[i as usize]).count();
            let mut chosen = Vec::new();
            let mut total = 0;
            for &b in &picked {
                if chosen.len() < count && total + bigs(b) < count {
                    total += bigs(b);
                    chosen.push(b);
                }
            }
            if chosen.len() == count {
                return chosen;
            }
        }
        picked.truncate(count);
        picked
    }

    /// Search until the pool fits `reserve` bins (the plan, whole again, on fewer bins) or patience runs out.
    fn attempt(&mut self, reserve: usize) -> Result<Option<Vec<Vec<u32>>>> {
        let patience = envp("W8_PAT", PATIENCE_STEPS) + envp("W8_PATN", 1) * self.size.len() as u64;
        let mut best_key = (u64::MAX, 0i64);
        let mut since = 0u64;
        loop {
            self.insert_fitting()?;
            if let Some(plan) = self.whole(reserve)? {
                return Ok(Some(plan));
            }
            let key = (self.sum(&self.pool), -(self.pool.len() as i64));
            if self.inc > 0 {
                // items that stay in the pool get heavier, so that the search moves them out in the end
                for &i in &self.pool {
                    self.weight[i as usize] += self.inc;
                }
            }
            if key < best_key {
                best_key = key;
                since = 0;
            } else {
                since += 1;
            }
            if self.budget.spent() || since > patience {
                if std::env::var("W8DUMP").is_ok() {
                    let mut frees: Vec<u64> = self.load.iter().map(|&l| self.capacity - l).collect();
                    frees.sort_unstable();
                    let pool: Vec<u64> = self.pool.iter().map(|&i| self.size[i as usize]).collect();
                    eprintln!("  free {:?}\n  pool {:?}", frees, pool);
                    for b in 0..self.bins.len() { let v: Vec<u64> = self.bins[b].iter().map(|&i| self.size[i as usize]).collect(); eprint!("{:?} ", v); }
                    eprintln!();
                }
                if std::env::var("W8DEBUG").is_ok() {
                    eprintln!("  attempt: best pool w {} size {} items {} bins {} slack {}", best_key.0, self.sum(&self.pool), -best_key.1, self.bins.len(), (self.bins.len() as u64 + 2) * self.capacity - self.size.iter().sum::<u64>());
                }
                return Ok(None);
            }
            self.step += 1;
            if std::env::var("W8TRACE").is_ok() && self.step % 50 == 0 {
                eprintln!("    step {} pool {} items {}", self.step, key.0, self.pool.len());
            }
            let swap = self.best_swap()?;
            let improving = swap.is_some_and(|s| s.key() > (0, 0));
            if !improving && self.descend()? {
                continue;
            }
            if !improving && self.concentrate && self.concentrate_free()? {
                continue;
            }
            let Some(swap) = swap else { return Ok(None) };
            if swap.gain < -(self.minloss as i64) {
                if std::env::var("W8DEBUG").is_ok() {
                    eprintln!("  stuck: best pool {} over 2C by {} items {}", best_key.0, best_key.0 as i64 - 2 * self.capacity as i64, -best_key.1);
                }
                return Ok(None);
            }
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
                if free >= s && chosen.is_none_or(|(f, _)| free < f) {
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

    /// The whole plan when the pool fits `reserve` bins (one or two).
    fn whole(&mut self, reserve: usize) -> Result<Option<Vec<Vec<u32>>>> {
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

    /// The best swap over all bins that is not tabu (random among equals), or None when no bin has one.
    fn best_swap(&mut self) -> Result<Option<Swap>> {
        // pool subsets of one and two items, by size; per prefix, the heaviest (singles first among equals)
        let (size, weight) = (&self.size, &self.weight);
        self.pool.sort_unstable_by(|&a, &b| size[b as usize].cmp(&size[a as usize]).then(a.cmp(&b)));
        self.subsets.clear();
        for (k, &a) in self.pool.iter().enumerate() {
            self.subsets.push(Sub { size: size[a as usize], weight: weight[a as usize], items: [a, u32::MAX] });
            if k < POOL_PAIRS {
                for &b in &self.pool[k + 1..self.pool.len().min(POOL_PAIRS)] {
                    let (s, w) = (size[a as usize] + size[b as usize], weight[a as usize] + weight[b as usize]);
                    self.subsets.push(Sub { size: s, weight: w, items: [a, b] });
                }
            }
        }
        self.subsets.sort_unstable_by_key(|sub| (sub.size, sub.items[1] != u32::MAX, sub.items));
        self.heaviest.clear();
        let mut top = 0usize;
        for (k, sub) in self.subsets.iter().enumerate() {
            if sub.key() > self.subsets[top].key() {
                top = k;
            }
            self.heaviest.push(top as u32);
        }
        self.budget.charge(self.subsets.len() as Units / 4 + 1)?;
        let mut chosen: Option<Swap> = None;
        let mut ties = 0u64;
        let mut evaluated: Units = 0;
        // the clash test holds the pool to its reserved bins once it passes (a pool that starts heavier is free)
        let guard = self.clash && {
            let sizes: Vec<u64> = self.pool.iter().take(TOP).map(|&i| self.size[i as usize]).collect();
            top_packable(&sizes, self.capacity, self.reserve)
        };
        let pool_bigs = if self.bigcap { self.pool.iter().filter(|&&i| self.big[i as usize]).count() } else { 0 };
        self.scan.clear();
        self.scan.extend(0..self.bins.len());
        if self.first {
            self.rng.shuffle(&mut self.scan);
            self.scan.truncate(envp("W8_BPS", BINS_PER_STEP as u64) as usize);
        }
        let mut improving = false;
        for &b in &self.scan {
            let mut local: Option<Swap> = None;
            let mut local_ties = 0u64;
            let free = self.capacity - self.load[b];
            let bin = &self.bins[b];
            let k = bin.len();
            let tabu = |sub: &Sub, need: usize, out: &[u32]| {
                sub.items().iter().any(|&i| self.tabu_bin[i as usize] == b as u32 && self.step < self.tabu_until[i as usize])
                    || (need > 0 && sub.items().iter().filter(|&&i| self.big[i as usize]).count() < need)
                    || (guard && !packable_after(&self.pool, &self.size, self.capacity, self.reserve, out, sub.items()))
            };
            // the items out: none, one or two of the bin's
            let mut outs = |out: [u32; 2], outs: usize| {
                let freed: u64 = out[..outs].iter().map(|&i| self.size[i as usize]).sum();
                let lost: u64 = out[..outs].iter().map(|&i| self.weight[i as usize]).sum();
                let room = free + freed;
                let at = self.subsets.partition_point(|sub| sub.size <= room);
                evaluated += 1;
                if at == 0 {
                    return;
                }
                let need = if self.bigcap {
                    (pool_bigs + out[..outs].iter().filter(|&&i| self.big[i as usize]).count()).saturating_sub(self.reserve)
                } else {
                    0
                };
                let mut pick = self.heaviest[at - 1] as usize;
                if tabu(&self.subsets[pick], need, &out[..outs]) {
                    // the heaviest that is not tabu, among the last few that fit
                    let mut found: Option<usize> = None;
                    let from = if need > 0 || guard { 0 } else { at.saturating_sub(TABU_SCAN) };
                    for q in (from..at).rev() {
                        let sub = &self.subsets[q];
                        if !tabu(sub, need, &out[..outs]) && found.is_none_or(|f| sub.key() > self.subsets[f].key()) {
                            found = Some(q);
                        }
                    }
                    evaluated += TABU_SCAN as Units / 8;
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
                    gain: sub.weight as i64 - lost as i64,
                    count: (outs as i32 - sub.items().len() as i32) * if envp("W8_FEW", 0) == 1 { -1 } else { 1 },
                };
                match local {
                    Some(c) if c.key() > swap.key() => {}
                    Some(c) if c.key() == swap.key() => {
                        local_ties += 1;
                        if self.rng.below(local_ties as usize + 1) == 0 {
                            local = Some(swap);
                        }
                    }
                    _ => {
                        local = Some(swap);
                        local_ties = 0;
                    }
                }
            };
            outs([u32::MAX; 2], 0);
            for x in 0..k {
                outs([bin[x], u32::MAX], 1);
                for y in x + 1..k {
                    outs([bin[x], bin[y]], 2);
                }
            }
            let Some(swap) = local else { continue };
            if self.first && swap.key() > (0, 0) {
                // first improvement: the first bin (in random order) that has an improving swap makes its best
                chosen = Some(swap);
                improving = true;
                break;
            }
            match chosen {
                Some(c) if c.key() > swap.key() => {}
                Some(c) if c.key() == swap.key() => {
                    ties += 1;
                    if self.rng.below(ties as usize + 1) == 0 {
                        chosen = Some(swap);
                    }
                }
                _ => {
                    chosen = Some(swap);
                    ties = 0;
                }
            }
        }
        let _ = improving;
        self.budget.charge(evaluated)?;
        Ok(chosen)
    }

    /// A move between two bins that gathers their free room into the emptier one (the sum of squared loads goes
    /// up; the pool does not change): an item of `from` moves to `to`, or swaps with a smaller one of `to`. The
    /// best such move, if any; whether one was made.
    fn concentrate_free(&mut self) -> Result<bool> {
        let mut best: Option<(u64, usize, usize, u32, u32)> = None; // (gain, from, to, item, item back or MAX)
        let mut ties = 0u64;
        let mut evaluated: Units = 0;
        for to in 0..self.bins.len() {
            let free = self.capacity - self.load[to];
            if free == 0 {
                continue;
            }
            for from in 0..self.bins.len() {
                if from == to || self.load[from] > self.load[to] + free {
                    continue;
                }
                for &i in &self.bins[from] {
                    let si = self.size[i as usize];
                    let mut offer = |d: u64, back: u32, best: &mut Option<(u64, usize, usize, u32, u32)>| {
                        // gain of the sum of squares: 2d(L_to - L_from + d), positive when L_to + d > L_from
                        if self.load[to] + d <= self.load[from] {
                            return;
                        }
                        let gain = d * (self.load[to] + d - self.load[from]);
                        match best {
                            Some(b) if b.0 > gain => {}
                            Some(b) if b.0 == gain => {
                                ties += 1;
                                if self.rng.below(ties as usize + 1) == 0 {
                                    *best = Some((gain, from, to, i, back));
                                }
                            }
                            _ => {
                                *best = Some((gain, from, to, i, back));
                                ties = 0;
                            }
                        }
                    };
                    evaluated += 1;
                    if si <= free {
                        offer(si, u32::MAX, &mut best);
                    }
                    for &j in &self.bins[to] {
                        let sj = self.size[j as usize];
                        if sj < si && si - sj <= free {
                            offer(si - sj, j, &mut best);
                        }
                    }
                }
            }
        }
        self.budget.charge(evaluated / 4 + 1)?;
        let Some((_, from, to, i, back)) = best else { return Ok(false) };
        let at = self.bins[from].iter().position(|&x| x == i).expect("in the bin");
        self.bins[from].swap_remove(at);
        self.bins[to].push(i);
        let si = self.size[i as usize];
        self.load[from] -= si;
        self.load[to] += si;
        if back != u32::MAX {
            let at = self.bins[to].iter().position(|&x| x == back).expect("in the bin");
            self.bins[to].swap_remove(at);
            self.bins[from].push(back);
            let sb = self.size[back as usize];
            self.load[to] -= sb;
            self.load[from] += sb;
        }
        debug_assert!(self.load[to] <= self.capacity && self.load[from] <= self.capacity);
        Ok(true)
    }

    /// Item `i`, just out of bin `b`, may not go back for a while: longer the more often it left `b`.
    fn make_tabu(&mut self, i: u32, b: usize) {
        let mut tenure = self.tmin + self.rng.below(self.tspan + 1) as u64;
        if !self.freq.is_empty() {
            let f = &mut self.freq[b * self.size.len() + i as usize];
            *f += 1;
            tenure += *f as u64 * self.ffac / 2;
        }
        self.tabu_bin[i as usize] = b as u32;
        self.tabu_until[i as usize] = self.step + tenure;
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

    /// Descent: bins in random order, the first that a subset of its own and the pool's items fills fuller takes
    /// the fullest such subset. Whether one did.
    fn descend(&mut self) -> Result<bool> {
        let mut order: Vec<usize> = if self.first {
            self.scan.iter().copied().take(envp("W8_RB", REFILL_BINS as u64) as usize).collect()
        } else {
            (0..self.bins.len()).collect()
        };
        if !self.first {
            self.rng.shuffle(&mut order);
        }
        let mut sizes = Vec::new();
        let mut members = Vec::new();
        for b in order {
            members.clear();
            members.extend_from_slice(&self.bins[b]);
            members.extend_from_slice(&self.pool);
            sizes.clear();
            sizes.extend(members.iter().map(|&i| self.size[i as usize]));
            let (best, chosen) = self.sums.best(&sizes, self.capacity);
            self.budget.charge(self.sums.units())?;
            let gained: u64 = members.iter().zip(&chosen).filter(|(_, &c)| c).map(|(&i, _)| self.weight[i as usize]).sum();
            let had: u64 = self.bins[b].iter().map(|&i| self.weight[i as usize]).sum();
            if best <= self.load[b] || gained <= had {
                continue;
            }
            if self.clash && {
                let mut now: Vec<u64> = self.pool.iter().map(|&i| self.size[i as usize]).collect();
                now.sort_unstable_by(|a, b| b.cmp(a));
                top_packable(&now, self.capacity, self.reserve)
            } {
                let mut outside: Vec<u64> =
                    members.iter().zip(&chosen).filter(|(_, &c)| !c).map(|(&i, _)| self.size[i as usize]).collect();
                outside.sort_unstable_by(|a, b| b.cmp(a));
                if !top_packable(&outside, self.capacity, self.reserve) {
                    continue;
                }
            }
            if self.bigcap {
                let out_bigs = members.iter().zip(&chosen).filter(|(&i, &c)| !c && self.big[i as usize]).count();
                if out_bigs > self.reserve {
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

/// [`top_packable`] for the pool (sorted, descending) after `out` joins it and `into` leaves it.
fn packable_after(pool: &[u32], size: &[u64], capacity: u64, reserve: usize, out: &[u32], into: &[u32]) -> bool {
    let mut top: [u64; TOP + 2] = [0; TOP + 2];
    let mut k = 0;
    for &i in pool {
        if k >= TOP {
            break;
        }
        if !into.contains(&i) {
            top[k] = size[i as usize];
            k += 1;
        }
    }
    for &o in out {
        top[k] = size[o as usize];
        k += 1;
    }
    let top = &mut top[..k];
    top.sort_unstable_by(|a, b| b.cmp(a));
    top_packable(top, capacity, reserve)
}

/// The pool's largest items that [`top_packable`] reads, and the most a bin is checked to take of them.
const TOP: usize = 9;
const LOOK_K: usize = 5;
