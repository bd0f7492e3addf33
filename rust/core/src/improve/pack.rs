//! Emptying hosts, for the objectives `hosts` and `cost`: a consistent neighbourhood search.
//!
//! After the idea of Buljubasic & Vasquez (2016): to go from a plan on `k` hosts to one on `k - 1`, take the
//! workloads off a few hosts `D` (three, or fewer on a small fleet), keep `r = |D| - 1` of them in reserve and put
//! the workloads into a *pool*. The search then only ever holds valid partial plans: it swaps a few workloads of a
//! host against a few pool workloads (at most two each way) so that the pool gets lighter, and it drops pool
//! workloads into any host that takes them. Whenever the pool fits the reserved hosts, the plan is whole again and
//! uses one host fewer (for `cost`: the dropped host is the dearest of `D`). A tabu rule stops a workload that was
//! just swapped out from going straight back (for 5-20 steps).
//!
//! A workload keeps every rule of the model wherever it goes: each step asks [`State::fits`], and a workload may
//! change form when it changes host (container first, as the heuristics try).

use crate::error::Result;
use crate::model::{Form, Objective, Problem};

use super::budget::{Budget, Rng};
use super::state::State;

/// At most this many workloads of a host take part in its swaps (a random choice among them otherwise).
const HOST_ITEMS: usize = 14;
/// At most this many pool workloads are tried per swap (the heaviest half, and a random rest).
const POOL_ITEMS: usize = 24;
/// At most this many hosts are scanned for the best swap of one step (a random choice among them otherwise).
const HOSTS_PER_STEP: usize = 24;
const EPS: f64 = 1e-12;
/// A workload swapped out of a host may not go back for `TABU_MIN` steps and up to `TABU_SPAN` more (at random).
const TABU_MIN: u64 = 5;
const TABU_SPAN: usize = 16;
/// Node limits of the depth-first searches that fill the reserved hosts and refill one host.
const FILL_NODES: u64 = 4_000;
const PACK_NODES: u64 = 2_000;
/// The largest free capacity for which one dimension's refill is solved exactly by subset sums.
const SUBSET_ROOM: usize = 1 << 16;
/// At most this many hosts try the refill per step.
const PACK_HOSTS: usize = 8;
/// An attempt gives up after this many steps (plus one per workload) without making its pool lighter.
const PATIENCE_STEPS: u64 = 300;

/// The plan's value under `objective` (`hosts` or `cost`), summed in host input order.
pub fn value(state: &State, objective: Objective) -> f64 {
    let p = state.problem();
    match objective {
        Objective::Cost => (0..p.host_count()).filter(|&j| state.count(j) > 0).fold(0.0, |t, j| t + p.hosts().cost[j]),
        _ => state.used_hosts() as f64,
    }
}

/// A move of one step: on `host`, workloads `out` go to the pool and pool workloads `into` come in.
#[derive(Clone, Copy)]
struct Swap {
    host: usize,
    out: [u32; 2],
    outs: usize,
    into: [u32; 2],
    intos: usize,
    /// By how much the pool gets lighter; then how many more workloads it holds (more, smaller ones pack better).
    gain: f64,
    count: isize,
}

struct Search<'s, 'p, 'b> {
    state: &'s mut State<'p>,
    objective: Objective,
    budget: &'s mut Budget<'b>,
    rng: &'s mut Rng,
    /// Per workload, how heavy it is in the pool: its smallest demand normalised by the largest capacity, summed
    /// over the dimensions.
    weight: Vec<f64>,
    /// Per workload, the host it may not go back to until step `tabu_until`.
    tabu_host: Vec<u32>,
    tabu_until: Vec<u64>,
    step: u64,
    /// The one dimension that any host or workload has (one-dimensional bin packing), if so.
    only_dim: Option<usize>,
    /// Whether the fleet has hosts of more than one capacity: `hosts` then also tries trading two used hosts for one
    /// unused host of another type.
    heterogeneous: bool,
}

/// Improve `state` (a valid plan) for `objective` until its value reaches `bound` or the budget is spent; the
/// state ends as the best plan found, which is never worse than the start and places the same workloads.
pub fn empty_hosts(state: &mut State, objective: Objective, bound: f64, budget: &mut Budget, rng: &mut Rng) -> Result<bool> {
    let p = state.problem();
    let n = p.workload_count();
    let scale = p.largest_capacity();
    // a dimension weighs by how scarce it is: its total demand over the largest capacity
    let scarcity: Vec<f64> = (0..p.dims())
        .map(|d| if scale[d] > 0 { (0..n).map(|i| p.smallest(i)[d] as f64).sum::<f64>() / scale[d] as f64 } else { 0.0 })
        .collect();
    let most = scarcity.iter().copied().fold(0.0f64, f64::max).max(1e-300);
    let weight: Vec<f64> = (0..n)
        .map(|i| {
            let small = p.smallest(i);
            (0..p.dims()).filter(|&d| scale[d] > 0).map(|d| small[d] as f64 / scale[d] as f64 * scarcity[d] / most).sum()
        })
        .collect();
    let present: Vec<usize> =
        (0..p.dims()).filter(|&d| scale[d] > 0 || (0..n).any(|i| p.smallest(i)[d] > 0)).collect();
    let only_dim = (present.len() == 1).then(|| present[0]);
    let mut search = Search {
        state,
        objective,
        budget,
        rng,
        weight,
        tabu_host: vec![u32::MAX; n],
        tabu_until: vec![0; n],
        step: 0,
        only_dim,
        heterogeneous: super::shape::heterogeneous(p),
    };
    search.run(bound)
}

impl<'s, 'p, 'b> Search<'s, 'p, 'b> {
    fn run(&mut self, bound: f64) -> Result<bool> {
        let p = self.state.problem();
        let mut best = self.state.placement();
        let mut best_value = value(self.state, self.objective);
        let mut improved = false;
        let mut failures = 0usize;
        while best_value > bound + 1e-9 && !self.budget.spent() {
            let Some((deleted, reserved)) = self.choose_deleted(failures) else { break };
            let mut pool: Vec<u32> = Vec::new();
            for &j in &deleted {
                while let Some(&i) = self.state.members(j).last() {
                    self.state.remove(i as usize);
                    pool.push(i);
                }
            }
            self.budget.charge(pool.len() as u64)?;
            // the hosts still in use take part; the emptied and the unused ones stay out
            let open: Vec<usize> = (0..p.host_count()).filter(|&j| self.state.count(j) > 0).collect();
            let done = self.attempt(&mut pool, &open, &reserved)?;
            let now = value(self.state, self.objective);
            if done && now <= best_value {
                if now < best_value - 1e-9 {
                    improved = true;
                    failures = 0;
                } else {
                    failures += 1;
                }
                best = self.state.placement();
                best_value = now;
            } else {
                failures += 1;
                *self.state = State::new(p, &best);
                self.budget.charge(n_placed(&best))?;
            }
        }
        if value(self.state, self.objective) > best_value {
            *self.state = State::new(p, &best);
        }
        Ok(improved)
    }

    /// The hosts to empty (`D`) and those of them kept in reserve (`R`), or None when no host can be spared.
    /// The lightest hosts first (for `cost`: the lightest per unit of cost); after failures, a random choice among
    /// more and more of them.
    fn choose_deleted(&mut self, failures: usize) -> Option<(Vec<usize>, Vec<usize>)> {
        let p = self.state.problem();
        let cost = &p.hosts().cost;
        let mut candidates: Vec<(f64, usize)> = (0..p.host_count())
            .filter(|&j| self.state.count(j) > 0 && !self.state.has_dedicated(j))
            .map(|j| {
                let load = self.load(j);
                let score = if self.objective == Objective::Cost { load / cost[j].max(1e-300) } else { load };
                (score, j)
            })
            .collect();
        if candidates.len() < 2 {
            return None;
        }
        candidates.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let size = candidates.len().min(3);
        let window = (size + failures / 2).min(candidates.len());
        let mut picked: Vec<usize> = candidates[..window].iter().map(|&(_, j)| j).collect();
        self.rng.shuffle(&mut picked);
        picked.truncate(size);
        // the host dropped: the dearest (cost) or the smallest (hosts); the others are kept in reserve
        let scale = p.largest_capacity();
        let size_of = |j: usize| {
            p.capacity(j).iter().zip(&scale).filter(|(_, &s)| s > 0).map(|(&c, &s)| c as f64 / s as f64).sum::<f64>()
        };
        let dropped = *picked
            .iter()
            .max_by(|&&a, &&b| {
                let key = |j: usize| if self.objective == Objective::Cost { (cost[j], -size_of(j)) } else { (-size_of(j), 0.0) };
                key(a).partial_cmp(&key(b)).unwrap_or(std::cmp::Ordering::Equal).then(b.cmp(&a))
            })
            .expect("at least two hosts");
        if self.objective == Objective::Cost && cost[dropped] <= 0.0 {
            return None;
        }
        if self.objective == Objective::Hosts && self.heterogeneous && failures % 2 == 1 && picked.len() >= 3 {
            if let Some(trade) = self.trade_for_unused(&picked, &size_of) {
                return Some((picked, trade));
            }
        }
        let mut reserved: Vec<usize> = picked.iter().copied().filter(|&j| j != dropped).collect();
        if self.objective == Objective::Cost {
            // an unused host cheaper than the dropped one may take its place
            let cheapest = (0..p.host_count())
                .filter(|&j| self.state.count(j) == 0 && cost[j] < cost[dropped])
                .min_by(|&a, &b| cost[a].total_cmp(&cost[b]).then(size_of(b).total_cmp(&size_of(a))).then(a.cmp(&b)));
            reserved.extend(cheapest);
        }
        Some((picked, reserved))
    }

    /// For `hosts` on a fleet of several host types: the reserve that trades the two smallest hosts of `picked` for
    /// the unused host that could hold the largest share of the load of all of `picked` (the least over the
    /// dimensions of capacity over load; ties to the larger, then the earlier host), when it is larger than each
    /// of the two. Success then uses one host fewer, of a type that fits the load better.
    fn trade_for_unused(&self, picked: &[usize], size_of: &dyn Fn(usize) -> f64) -> Option<Vec<usize>> {
        let p = self.state.problem();
        let dims = p.dims();
        let load: Vec<f64> = (0..dims).map(|d| picked.iter().map(|&j| self.state.used(j)[d] as f64).sum()).collect();
        let share = |j: usize| {
            let cap = p.capacity(j);
            (0..dims).filter(|&d| load[d] > 0.0).map(|d| cap[d] as f64 / load[d]).fold(f64::INFINITY, f64::min)
        };
        let mut by_size = picked.to_vec();
        by_size.sort_by(|&a, &b| size_of(a).total_cmp(&size_of(b)).then(a.cmp(&b)));
        let (small, kept) = by_size.split_at(2);
        let largest_dropped = size_of(small[0]).max(size_of(small[1]));
        let unused = (0..p.host_count())
            .filter(|&j| self.state.count(j) == 0 && size_of(j) > largest_dropped)
            .max_by(|&a, &b| share(a).total_cmp(&share(b)).then(size_of(a).total_cmp(&size_of(b))).then(b.cmp(&a)))?;
        let mut reserved = kept.to_vec();
        reserved.push(unused);
        Some(reserved)
    }

    /// Sum over host `j`'s dimensions of usage / capacity.
    fn load(&self, j: usize) -> f64 {
        let p = self.state.problem();
        self.state.used(j).iter().zip(p.capacity(j)).filter(|(_, &c)| c > 0).map(|(&u, &c)| u as f64 / c as f64).sum()
    }

    /// Search until the pool goes into the reserved hosts (true) or the attempt runs out of patience (false: the
    /// state is then a partial plan, which the caller throws away).
    fn attempt(&mut self, pool: &mut Vec<u32>, open: &[usize], reserved: &[usize]) -> Result<bool> {
        let patience = PATIENCE_STEPS + self.state.problem().workload_count() as u64;
        let mut best_f = f64::INFINITY;
        let mut last_gain = 0u64;
        let mut steps = 0u64;
        let mut hosts: Vec<usize> = open.to_vec();
        loop {
            self.insert_into_open(pool, open)?;
            if pool.is_empty() || self.fill_reserved(pool, reserved)? {
                return Ok(true);
            }
            let f: f64 = pool.iter().map(|&i| self.weight[i as usize]).sum();
            if f < best_f - EPS {
                best_f = f;
                last_gain = steps;
            }
            if self.budget.spent() || steps - last_gain > patience {
                return Ok(false);
            }
            self.step += 1;
            steps += 1;
            pool.sort_by(|&a, &b| self.weight[b as usize].total_cmp(&self.weight[a as usize]).then(a.cmp(&b)));
            // first improvement: hosts in a random order, the first host that has an improving swap makes its
            // best one; when none has, the best swap seen (which may make the pool heavier, as tabu search does)
            self.rng.shuffle(&mut hosts);
            let scan = &hosts[..hosts.len().min(HOSTS_PER_STEP)];
            let candidates = self.pool_candidates(pool);
            let mut chosen: Option<Swap> = None;
            let mut ties = 0u64;
            let mut improving = false;
            for &j in scan {
                let mut local: Option<Swap> = None;
                let mut local_ties = 0u64;
                self.best_swap_on(j, &candidates, &mut local, &mut local_ties)?;
                let Some(swap) = local else { continue };
                if swap.gain > EPS || (swap.gain > -EPS && swap.count > 0) {
                    chosen = Some(swap);
                    improving = true;
                    break;
                }
                self.offer(swap, &mut chosen, &mut ties);
            }
            if !improving {
                // no small swap helps: a larger refill of one host may
                let mut packed = false;
                for &j in scan.iter().take(PACK_HOSTS) {
                    if self.pack_set(j, &candidates, pool)? {
                        packed = true;
                        break;
                    }
                }
                if packed {
                    continue;
                }
            }
            let Some(swap) = chosen else { return Ok(false) };
            self.apply(swap, pool)?;
        }
    }

    /// The pool workloads that swaps try: all when few, else the heaviest half and a random rest.
    fn pool_candidates(&mut self, pool: &[u32]) -> Vec<u32> {
        if pool.len() <= POOL_ITEMS {
            return pool.to_vec();
        }
        let mut out: Vec<u32> = pool[..POOL_ITEMS / 2].to_vec();
        let mut rest: Vec<u32> = pool[POOL_ITEMS / 2..].to_vec();
        for k in 0..POOL_ITEMS / 2 {
            let pick = k + self.rng.below(rest.len() - k);
            rest.swap(k, pick);
        }
        out.extend_from_slice(&rest[..POOL_ITEMS / 2]);
        out.sort_by(|&a, &b| self.weight[b as usize].total_cmp(&self.weight[a as usize]).then(a.cmp(&b)));
        out
    }

    fn tabu(&self, i: u32, j: usize) -> bool {
        self.tabu_host[i as usize] == j as u32 && self.step < self.tabu_until[i as usize]
    }

    /// Put pool workloads (heaviest first) on the open host that they leave least free, when one takes them.
    fn insert_into_open(&mut self, pool: &mut Vec<u32>, open: &[usize]) -> Result<()> {
        pool.sort_by(|&a, &b| self.weight[b as usize].total_cmp(&self.weight[a as usize]).then(a.cmp(&b)));
        let mut k = 0;
        while k < pool.len() {
            let i = pool[k] as usize;
            let mut chosen: Option<(f64, usize, Form)> = None;
            for &j in open {
                if let Some(form) = self.state.first_form(i, j) {
                    let left = self.slack_after(j, self.weight[i]);
                    if chosen.map_or(true, |(best, ..)| left < best) {
                        chosen = Some((left, j, form));
                    }
                }
            }
            self.budget.charge(open.len() as u64)?;
            match chosen {
                Some((_, j, form)) => {
                    self.state.add(i, j, form);
                    pool.remove(k);
                }
                None => k += 1,
            }
        }
        Ok(())
    }

    /// How much room host `j` would have left after taking a workload of weight `w` (a best-fit score).
    fn slack_after(&self, j: usize, w: f64) -> f64 {
        let p = self.state.problem();
        let free: f64 = self
            .state
            .used(j)
            .iter()
            .zip(p.capacity(j))
            .filter(|(_, &c)| c > 0)
            .map(|(&u, &c)| c.saturating_sub(u) as f64 / c as f64)
            .sum();
        free - w
    }

    /// Whether the whole pool goes into the reserved hosts; if so it is placed there. A depth-first search over
    /// the pool's workloads, heaviest first, each on every reserved host in turn (empty reserved hosts alike are
    /// tried once), within [`FILL_NODES`] nodes.
    fn fill_reserved(&mut self, pool: &mut Vec<u32>, reserved: &[usize]) -> Result<bool> {
        let p = self.state.problem();
        // necessary: the pool's smallest demand fits the reserved capacity in every dimension
        for d in 0..p.dims() {
            let need: u128 = pool.iter().map(|&i| p.smallest(i as usize)[d] as u128).sum();
            let room: u128 = reserved.iter().map(|&j| p.capacity(j)[d] as u128).sum();
            if need > room {
                return Ok(false);
            }
        }
        let mut nodes = FILL_NODES;
        let ok = self.fill_from(pool, 0, reserved, &mut nodes);
        self.budget.charge((FILL_NODES - nodes) * reserved.len() as u64 + 1)?;
        if ok {
            pool.clear();
        }
        Ok(ok)
    }

    /// Place `pool[k..]` on the reserved hosts (true, placed) or find that it does not go within `nodes` (false,
    /// nothing placed).
    fn fill_from(&mut self, pool: &[u32], k: usize, reserved: &[usize], nodes: &mut u64) -> bool {
        let Some(&i) = pool.get(k) else { return true };
        let p = self.state.problem();
        for (r, &j) in reserved.iter().enumerate() {
            if *nodes == 0 {
                return false;
            }
            *nodes -= 1;
            // an empty host the same as an earlier empty one would repeat its subtree
            if self.state.count(j) == 0
                && reserved[..r].iter().any(|&e| self.state.count(e) == 0 && same_host(p, e, j))
            {
                continue;
            }
            let Some(form) = self.state.first_form(i as usize, j) else { continue };
            self.state.add(i as usize, j, form);
            if self.fill_from(pool, k + 1, reserved, nodes) {
                return true;
            }
            self.state.remove(i as usize);
        }
        false
    }

    /// Descent by a larger move ("pack set"): refill host `j` with the heaviest set of its own workloads and pool
    /// workloads that it takes (a depth-first search within [`PACK_NODES`] nodes); the rest go to the pool. Done
    /// when that set is heavier than what the host holds now; returns whether it was.
    fn pack_set(&mut self, j: usize, candidates: &[u32], pool: &mut Vec<u32>) -> Result<bool> {
        let mut own: Vec<u32> = self.state.members(j).to_vec();
        if own.len() > HOST_ITEMS {
            return Ok(false);
        }
        let before: f64 = own.iter().map(|&i| self.weight[i as usize]).sum();
        let forms: Vec<Form> = own.iter().map(|&i| self.state.form_of(i as usize)).collect();
        let mut list: Vec<u32> = candidates.iter().copied().filter(|&b| !self.tabu(b, j)).collect();
        list.extend_from_slice(&own);
        list.sort_by(|&a, &b| self.weight[b as usize].total_cmp(&self.weight[a as usize]).then(a.cmp(&b)));
        // suffix sums of weight: the most the rest of the list can add
        let mut rest = vec![0.0; list.len() + 1];
        for k in (0..list.len()).rev() {
            rest[k] = rest[k + 1] + self.weight[list[k] as usize];
        }
        for &a in &own {
            self.state.remove(a as usize);
        }
        let mut best: (f64, Vec<u32>) = (before + EPS, Vec::new());
        match self.fullest_subset(j, &list) {
            Some((set, units)) => {
                let w: f64 = set.iter().map(|&i| self.weight[i as usize]).sum();
                if w > best.0 {
                    best = (w, set);
                }
                self.budget.charge(units + 2 * own.len() as u64)?;
            }
            None => {
                let mut current = Vec::new();
                let mut nodes = PACK_NODES;
                self.pack_from(j, &list, &rest, 0, 0.0, &mut current, &mut best, &mut nodes);
                self.budget.charge(PACK_NODES - nodes + 2 * own.len() as u64)?;
            }
        }
        if best.1.is_empty() {
            for (k, &a) in own.iter().enumerate() {
                self.state.add(a as usize, j, forms[k]);
            }
            return Ok(false);
        }
        // the host takes the best set, in the order the search added it (so the same forms); the rest is pooled
        for &b in &best.1 {
            let form = self.state.first_form(b as usize, j).expect("a set checked to fit");
            self.state.add(b as usize, j, form);
            if let Some(k) = pool.iter().position(|&x| x == b) {
                pool.swap_remove(k);
            }
        }
        own.retain(|a| !best.1.contains(a));
        for &a in &own {
            pool.push(a);
            self.tabu_host[a as usize] = j as u32;
            self.tabu_until[a as usize] = self.step + TABU_MIN + self.rng.below(TABU_SPAN) as u64;
        }
        Ok(true)
    }

    /// One dimension (the others all zero), small capacity: the subset of `list` with the largest total size that
    /// fits host `j` (emptied), found exactly by subset sums over bitsets, and the work units it took. Sizes are
    /// the smallest demands, which is what the pool weight measures in one dimension; the set is checked by
    /// `State::fits` (in list order) and None is returned (the depth-first refill then runs) when the rules or
    /// overheads refuse it, or when there is more than one dimension or the capacity is too large for the table.
    fn fullest_subset(&mut self, j: usize, list: &[u32]) -> Option<(Vec<u32>, u64)> {
        let p = self.state.problem();
        let d = self.only_dim?;
        if self.state.count(j) != 0 || list.is_empty() {
            return None;
        }
        let room = p.capacity(j)[d].checked_sub(self.state.used(j)[d])? as usize;
        if room > SUBSET_ROOM {
            return None;
        }
        let words = room / 64 + 1;
        let sizes: Vec<usize> = list.iter().map(|&i| p.smallest(i as usize)[d] as usize).collect();
        // reach[k]: the sums (<= room) that the first k items of the list can make
        let mut reach = vec![0u64; (list.len() + 1) * words];
        reach[0] = 1;
        for (k, &size) in sizes.iter().enumerate() {
            let (done, next) = reach.split_at_mut((k + 1) * words);
            let prev = &done[k * words..];
            let next = &mut next[..words];
            next.copy_from_slice(prev);
            if size <= room {
                let (shift_words, shift_bits) = (size / 64, size % 64);
                for w in (shift_words..words).rev() {
                    let low = prev[w - shift_words];
                    let mut moved = low << shift_bits;
                    if shift_bits > 0 && w > shift_words {
                        moved |= prev[w - shift_words - 1] >> (64 - shift_bits);
                    }
                    next[w] |= moved;
                }
            }
        }
        let units = (list.len() * words) as u64 / 4 + 1;
        let last = &reach[list.len() * words..];
        let mut total = (0..=room).rev().find(|&t| last[t / 64] >> (t % 64) & 1 == 1)?;
        let mut set = Vec::new();
        for k in (0..list.len()).rev() {
            let row = &reach[k * words..(k + 1) * words];
            if row[total / 64] >> (total % 64) & 1 == 0 {
                set.push(list[k]);
                total -= sizes[k];
            }
        }
        set.reverse();
        // the rules decide: every item must go on, in order
        let mut added = Vec::new();
        let mut ok = true;
        for &i in &set {
            match self.state.first_form(i as usize, j) {
                Some(form) => {
                    self.state.add(i as usize, j, form);
                    added.push(i);
                }
                None => {
                    ok = false;
                    break;
                }
            }
        }
        for &i in &added {
            self.state.remove(i as usize);
        }
        ok.then_some((set, units + 2 * added.len() as u64))
    }

    #[allow(clippy::too_many_arguments)]
    fn pack_from(
        &mut self,
        j: usize,
        list: &[u32],
        rest: &[f64],
        k: usize,
        weight: f64,
        current: &mut Vec<u32>,
        best: &mut (f64, Vec<u32>),
        nodes: &mut u64,
    ) {
        if weight > best.0 {
            *best = (weight, current.clone());
        }
        if k == list.len() || weight + rest[k] <= best.0 || *nodes == 0 {
            return;
        }
        *nodes -= 1;
        let i = list[k] as usize;
        if let Some(form) = self.state.first_form(i, j) {
            self.state.add(i, j, form);
            current.push(list[k]);
            self.pack_from(j, list, rest, k + 1, weight + self.weight[i], current, best, nodes);
            current.pop();
            self.state.remove(i);
        }
        self.pack_from(j, list, rest, k + 1, weight, current, best, nodes);
    }

    /// Offer every swap on host `j` between at most two of its workloads and at most two pool workloads (at least
    /// one of them) to `chosen`, which keeps the best by (gain, count), ties broken at random.
    fn best_swap_on(&mut self, j: usize, candidates: &[u32], chosen: &mut Option<Swap>, ties: &mut u64) -> Result<()> {
        let mut members: Vec<u32> = self.state.members(j).to_vec();
        if members.len() > HOST_ITEMS {
            for k in 0..HOST_ITEMS {
                let pick = k + self.rng.below(members.len() - k);
                members.swap(k, pick);
            }
            members.truncate(HOST_ITEMS);
        }
        let heaviest_pair: f64 = candidates.iter().take(2).map(|&i| self.weight[i as usize]).sum();
        let mut work = 0u64;
        // the sets taken out: each single workload, then each pair
        let mut outs: Vec<([u32; 2], usize)> = members.iter().map(|&a| ([a, 0], 1)).collect();
        for x in 0..members.len() {
            for y in x + 1..members.len() {
                outs.push(([members[x], members[y]], 2));
            }
        }
        for (out, outs_n) in outs {
            let out_w: f64 = out[..outs_n].iter().map(|&a| self.weight[a as usize]).sum();
            // prune: even the two heaviest pool workloads would not make this swap the best
            if let Some(best) = chosen {
                if heaviest_pair - out_w < best.gain - EPS {
                    continue;
                }
            }
            let forms: Vec<Form> = out[..outs_n].iter().map(|&a| self.state.form_of(a as usize)).collect();
            for &a in &out[..outs_n] {
                self.state.remove(a as usize);
            }
            work += 2 * outs_n as u64;
            for (x, &b) in candidates.iter().enumerate() {
                if self.tabu(b, j) {
                    continue;
                }
                let wb = self.weight[b as usize];
                if let Some(best) = chosen {
                    if wb + self.weight[candidates[0] as usize] - out_w < best.gain - EPS {
                        break; // sorted by weight: no later b does better
                    }
                }
                work += 1;
                let Some(form_b) = self.state.first_form(b as usize, j) else { continue };
                self.offer(Swap { host: j, out, outs: outs_n, into: [b, 0], intos: 1, gain: wb - out_w, count: outs_n as isize - 1 }, chosen, ties);
                self.state.add(b as usize, j, form_b);
                for &c in &candidates[x + 1..] {
                    if self.tabu(c, j) {
                        continue;
                    }
                    let gain = wb + self.weight[c as usize] - out_w;
                    if let Some(best) = chosen {
                        if gain < best.gain - EPS {
                            break;
                        }
                    }
                    work += 1;
                    if self.state.first_form(c as usize, j).is_some() {
                        self.offer(Swap { host: j, out, outs: outs_n, into: [b, c], intos: 2, gain, count: outs_n as isize - 2 }, chosen, ties);
                    }
                }
                self.state.remove(b as usize);
                work += 2;
            }
            for (k, &a) in out[..outs_n].iter().enumerate() {
                self.state.add(a as usize, j, forms[k]);
            }
        }
        self.budget.charge(work.max(1))
    }

    fn offer(&mut self, swap: Swap, chosen: &mut Option<Swap>, ties: &mut u64) {
        let take = match chosen {
            None => true,
            Some(best) if swap.gain > best.gain + EPS || (swap.gain >= best.gain - EPS && swap.count > best.count) => true,
            Some(best) if swap.gain < best.gain - EPS || swap.count < best.count => false,
            Some(_) => {
                // as good: keep one of the equals uniformly at random
                *ties += 1;
                self.rng.below(*ties as usize) == 0
            }
        };
        if take {
            if chosen.map_or(true, |best| swap.gain > best.gain + EPS || swap.count != best.count) {
                *ties = 1;
            }
            *chosen = Some(swap);
        }
    }

    /// Carry out a swap: its workloads out to the pool (tabu on this host for a while), the others in.
    fn apply(&mut self, swap: Swap, pool: &mut Vec<u32>) -> Result<()> {
        let j = swap.host;
        for &a in &swap.out[..swap.outs] {
            self.state.remove(a as usize);
            pool.push(a);
            self.tabu_host[a as usize] = j as u32;
            self.tabu_until[a as usize] = self.step + TABU_MIN + self.rng.below(TABU_SPAN) as u64;
        }
        for &b in &swap.into[..swap.intos] {
            let form = self.state.first_form(b as usize, j).expect("a swap checked to fit");
            self.state.add(b as usize, j, form);
            let k = pool.iter().position(|&x| x == b).expect("a pool workload");
            pool.swap_remove(k);
        }
        self.budget.charge(2 * (swap.outs + swap.intos) as u64)
    }
}

/// Whether hosts `a` and `b` are the same in everything the rules read.
fn same_host(p: &Problem, a: usize, b: usize) -> bool {
    let h = p.hosts();
    p.capacity(a) == p.capacity(b)
        && h.os[a] == h.os[b]
        && h.hypervisor[a] == h.hypervisor[b]
        && h.containers[a] == h.containers[b]
        && h.max_workloads[a] == h.max_workloads[b]
        && p.eligibility_kind(a) == p.eligibility_kind(b)
        && p.rules_kind(a) == p.rules_kind(b)
}

fn n_placed(placement: &[Option<(u32, Form)>]) -> u64 {
    placement.iter().filter(|p| p.is_some()).count() as u64
}
