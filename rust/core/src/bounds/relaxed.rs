//! The relaxed problem every bound reads, and its bounds on the fewest hosts.

use std::collections::{HashMap, HashSet};

use crate::cone::Cone;
use crate::model::{FormSet, Isolation, Problem};

use super::classic::{cover, fekete_schepers, martello_toth_l2};
use super::cost::{joint_weights_fit, JOINT_STEPS};
use super::kinds::{dim_name, host_kinds, FitKinds};

/// The relaxed problem every bound reads: the placeable workloads, each dimension's smallest-form demands sorted,
/// and each host's room once it pays the smaller of its two per-host overheads.
pub(super) struct Relaxed<'p> {
    pub(super) problem: &'p Problem,
    /// The workloads that fit some empty host; no plan places any other.
    pub(super) candidates: Vec<usize>,
    /// Per dimension, the candidates' smallest-form demands, ascending.
    pub(super) sorted: Vec<Vec<u64>>,
    /// Per dimension, the smaller of `hypervisor` and `container_runtime`: a used host runs a VM or a container, so
    /// it pays at least this.
    pub(super) per_host: Vec<u64>,
    /// Per dimension, the largest room of any host.
    pub(super) largest_room: Vec<u64>,
    /// The OSes of the hosts that run both VMs and containers.
    pub(super) mixed_os: HashSet<u32>,
    /// Hosts alike in what the count bounds read (capacity and `max_workloads`): a representative and how many.
    /// Fleets have few kinds of host, so the bounds sort kinds, not hosts.
    pub(super) kinds: Vec<(usize, usize)>,
    /// How many hosts the relaxed problem has.
    pub(super) host_count: usize,
    /// The ratios between dimensions that every candidate's demand keeps: rooms are clipped to them.
    pub(super) cone: Cone,
}

impl<'p> Relaxed<'p> {
    /// Every placeable workload, on every host.
    pub(super) fn new(problem: &'p Problem, fits: &FitKinds) -> Relaxed<'p> {
        let candidates = (0..problem.workload_count()).filter(|&i| fits.masks[i] != 0).collect();
        Relaxed::of(problem, candidates, (0..problem.host_count()).collect())
    }

    /// The workloads `candidates` (placeable ones) on the hosts `hosts`.
    pub(super) fn of(problem: &'p Problem, candidates: Vec<usize>, hosts: Vec<usize>) -> Relaxed<'p> {
        let dims = problem.dims();
        let sorted = (0..dims)
            .map(|d| {
                let mut column: Vec<u64> = candidates.iter().map(|&i| problem.smallest(i)[d]).collect();
                column.sort_unstable();
                column
            })
            .collect();
        let over = problem.overheads();
        let per_host: Vec<u64> = (0..dims).map(|d| over.hypervisor[d].min(over.container_runtime[d])).collect();
        let all = problem.hosts();
        let mixed_os = hosts.iter().filter(|&&j| all.hypervisor[j].is_some() && all.containers[j]);
        let mixed_os = mixed_os.map(|&j| all.os[j]).collect();
        let kinds = host_kinds(problem, hosts.iter().copied());
        let cone = Cone::of(problem, &candidates);
        let mut relaxed = Relaxed {
            problem,
            candidates,
            sorted,
            per_host,
            largest_room: vec![0; dims],
            mixed_os,
            kinds,
            host_count: hosts.len(),
            cone,
        };
        relaxed.largest_room =
            (0..dims).map(|d| relaxed.kinds.iter().map(|&(j, _)| relaxed.room(j, d)).max().unwrap_or(0)).collect();
        relaxed
    }

    pub(super) fn room(&self, j: usize, d: usize) -> u64 {
        self.problem.capacity(j)[d].saturating_sub(self.per_host[d])
    }

    /// Host `j`'s room in dimension `d` that the candidates' shapes leave usable: [`Relaxed::room`] clipped to the
    /// demand cone ([`Cone::clip`]).
    pub(super) fn usable(&self, j: usize, d: usize) -> u64 {
        self.cone.clip(|e| self.room(j, e), d)
    }

    /// Per dimension, the sum of the `placed` smallest demands: no `placed` workloads demand less.
    pub(super) fn demand(&self, placed: usize) -> Vec<u128> {
        self.sorted.iter().map(|column| column.iter().take(placed).map(|&v| v as u128).sum()).collect()
    }

    /// The largest of: per dimension, the fewest hosts (largest first) whose rooms cover the demand, Martello and
    /// Toth's L2 and Fekete and Schepers' bound; per pair of dimensions, the joint cover ([`Relaxed::joint_cover`]);
    /// the fewest hosts whose workload counts cover `placed`; and the workloads that pairwise cannot share a host
    /// (with `clique`; else only the dedicated ones and the largest anti-affinity group). At least 1 (0 when there is
    /// no host). With which of them makes it, in words ("by memory").
    ///
    /// Fewer than all candidates placed: every bound is taken over the `placed` smallest demands, which is sound
    /// because the optimum of a packing only falls when items shrink (the k-th smallest of any `placed` workloads is
    /// at least the k-th smallest of all); the pairwise-conflict count loses one per candidate left out.
    pub(super) fn min_hosts(&self, placed: usize, clique: bool) -> (usize, String) {
        let m = self.host_count;
        let placed = placed.min(self.candidates.len());
        let (mut bound, mut reason) = (1usize, String::new());
        let mut raise = |value: usize, why: &dyn Fn() -> String| {
            if value > bound {
                (bound, reason) = (value, why());
            }
        };
        let demand = self.demand(placed);
        for (d, column) in self.sorted.iter().enumerate() {
            // the fewest hosts, largest rooms first, that cover the demand (all of them when none do)
            let rooms: Vec<(u128, usize)> = self.kinds.iter().map(|&(j, count)| (self.room(j, d) as u128, count)).collect();
            raise(cover(rooms, demand[d], m), &|| format!("by {}", dim_name(d)));
            let (l2, fs) = (&martello_toth_l2(&column[..placed], self.largest_room[d]), &fekete_schepers(&column[..placed], self.largest_room[d]));
            raise(*l2 as usize, &|| format!("by {} (bin-packing bound)", dim_name(d)));
            raise(*fs as usize, &|| format!("by {} (bin-packing bound)", dim_name(d)));
        }
        // the same covers with the rooms the candidates' shapes leave usable (after the plain ones, so that their
        // words stay when the shapes add nothing)
        for d in 0..self.sorted.len() {
            let rooms: Vec<(u128, usize)> = self.kinds.iter().map(|&(j, count)| (self.usable(j, d) as u128, count)).collect();
            raise(cover(rooms, demand[d], m), &|| format!("by the {} the workloads' shapes leave usable", dim_name(d)));
        }
        for d1 in 0..self.sorted.len() {
            for d2 in d1 + 1..self.sorted.len() {
                raise(self.joint_cover(d1, d2, &demand), &|| format!("by {} and {} together", dim_name(d1), dim_name(d2)));
            }
        }
        raise(self.count_bound(placed), &|| "by the workloads a host holds".to_string());
        let (conflicts, dedicated) = self.conflict_clique(clique);
        let conflicts = (conflicts + placed).saturating_sub(self.candidates.len());
        raise(conflicts, &|| match dedicated {
            0 => format!("as {conflicts} workloads pairwise cannot share a host"),
            _ => format!("as {conflicts} workloads pairwise cannot share a host ({dedicated} of them dedicated)"),
        });
        (bound, reason)
    }

    /// The joint cover of dimensions `d1` and `d2`: any plan's hosts cover the demand in both, so they cover every
    /// nonnegative weighted sum of the two (a + b of the constraints "rooms ≥ demand", the dual of the LP over host
    /// types); for each weighting the fewest hosts, largest weighted room first, that cover the weighted demand.
    /// Weights a = k·R2, b = (STEPS − k)·R1 for k = 1..STEPS−1 (R the largest rooms: the weights k/STEPS on rooms as
    /// shares of the largest), in whole numbers so that the core and the reference agree; skipped where those could
    /// overflow (rooms from 2^50, demands from 2^68). This beats each dimension's best hosts apart when no host type
    /// is the best in both.
    pub(super) fn joint_cover(&self, d1: usize, d2: usize, demand: &[u128]) -> usize {
        let (r1, r2) = (self.largest_room[d1] as u128, self.largest_room[d2] as u128);
        if !joint_weights_fit(r1, r2, demand[d1], demand[d2]) {
            return 0;
        }
        let mut best = 0;
        for k in 1..JOINT_STEPS {
            let (a, b) = (k * r2, (JOINT_STEPS - k) * r1);
            let rooms = self.kinds.iter().map(|&(j, count)| (a * self.usable(j, d1) as u128 + b * self.usable(j, d2) as u128, count));
            best = best.max(cover(rooms.collect(), a * demand[d1] + b * demand[d2], self.host_count));
        }
        best
    }

    /// The fewest hosts, most capacious first, whose workload counts add up to `placed`. A host holds at most its
    /// `max_workloads`, and in each dimension at most as many workloads as the smallest demands fill its room: any
    /// more workloads demand more than that many smallest ones.
    pub(super) fn count_bound(&self, placed: usize) -> usize {
        let kinds = &self.kinds;
        // per kind of host: (most workloads it holds, how many hosts)
        let mut counts: Vec<(u64, usize)> = kinds
            .iter()
            .map(|&(j, count)| (self.problem.hosts().max_workloads[j].unwrap_or(u64::MAX), count))
            .collect();
        for (d, column) in self.sorted.iter().enumerate() {
            // rooms ascending, then one walk along the sorted demands
            let mut order: Vec<usize> = (0..kinds.len()).collect();
            order.sort_unstable_by_key(|&k| self.usable(kinds[k].0, d));
            let (mut k, mut sum) = (0usize, 0u128);
            for kind in order {
                let room = self.usable(kinds[kind].0, d) as u128;
                while k < column.len() && sum + column[k] as u128 <= room {
                    sum += column[k] as u128;
                    k += 1;
                }
                // all of them fit: no limit from this dimension
                if k < column.len() {
                    counts[kind].0 = counts[kind].0.min(k as u64);
                }
            }
        }
        counts.sort_unstable_by(|a, b| b.0.cmp(&a.0));
        let (mut held, mut hosts) = (0u128, 0usize);
        for (c, count) in counts {
            if held >= placed as u128 {
                break;
            }
            // hosts of this kind until `placed` is held (all of them when it holds none)
            let wanted = if c == 0 { count } else { (placed as u128 - held).div_ceil(c as u128).min(count as u128) as usize };
            held += c as u128 * wanted as u128;
            hosts += wanted;
        }
        hosts
    }

    /// How many candidates pairwise cannot share a host (a clique in the conflict graph, found greedily): every
    /// dedicated workload, plus the best clique among the others of three kinds: per dimension, the largest demands
    /// of which any two overflow the largest room (exact for that dimension); the largest anti-affinity group; and a
    /// greedy clique over a bounded list of the largest workloads and one per group, OS and isolated tenant, with
    /// every conflict of [`Relaxed::conflict`].
    pub(super) fn conflict_clique(&self, greedy: bool) -> (usize, usize) {
        const LIST: usize = 512; // bounded work for large problems: the greedy list and its pairwise checks
        let w = self.problem.workloads();
        let dims = self.problem.dims();
        let is_dedicated = |i: usize| w.isolation[i] == Isolation::Dedicated;
        let dedicated = self.candidates.iter().filter(|&&i| is_dedicated(i)).count();
        if dedicated == self.candidates.len() {
            return (dedicated, dedicated);
        }
        let others = || self.candidates.iter().copied().filter(|&i| !is_dedicated(i));
        let mut best = 1usize;
        // per dimension: the k largest demands are a clique iff the two smallest of them overflow the room
        for d in 0..dims {
            let own;
            let column: &[u64] = if dedicated == 0 {
                &self.sorted[d]
            } else {
                own = {
                    let mut column: Vec<u64> = others().map(|i| self.problem.smallest(i)[d]).collect();
                    column.sort_unstable();
                    column
                };
                &own
            };
            // ascending: the k largest are column[len - k..]
            let (room, len) = (self.largest_room[d] as u128, column.len());
            let mut k = 1;
            while k < len && column[len - k] as u128 + column[len - k - 1] as u128 > room {
                k += 1;
            }
            best = best.max(k);
        }

        // the largest anti-affinity group, and the greedy list's representatives: the largest of each group, OS
        // (container-only) and tenant (isolated container-only)
        let share = |i: usize| {
            (0..dims)
                .filter(|&d| self.largest_room[d] > 0)
                .map(|d| self.problem.smallest(i)[d] as f64 / self.largest_room[d] as f64)
                .fold(0.0f64, f64::max)
        };
        let mut groups: HashMap<u32, usize> = HashMap::new();
        let mut representatives: HashMap<(u8, u32), (f64, usize)> = HashMap::new();
        for i in others() {
            let container_only = w.forms[i] == FormSet::CONTAINER;
            if w.group[i].is_none() && !container_only {
                continue;
            }
            if let Some(g) = w.group[i] {
                *groups.entry(g).or_default() += 1;
            }
            let kinds = [
                w.group[i].map(|g| (0u8, g)),
                container_only.then_some((1u8, w.os[i])),
                (container_only && w.isolation[i] == Isolation::Tenant).then_some((2u8, w.tenant[i])),
            ];
            let size = share(i);
            for kind in kinds.into_iter().flatten() {
                let entry = representatives.entry(kind).or_insert((size, i));
                if size > entry.0 {
                    *entry = (size, i);
                }
            }
        }
        best = best.max(groups.values().copied().max().unwrap_or(0));
        if !greedy {
            return (dedicated + best, dedicated);
        }

        // the greedy list: the largest in each dimension (at least the LIST-th largest demand there; ties cut at
        // LIST per dimension), then the representatives; by their largest share of a room, descending
        let threshold: Vec<u64> = self.sorted.iter().map(|c| c[c.len().saturating_sub(LIST)]).collect();
        let mut taken = vec![0usize; dims];
        let mut list: Vec<(f64, usize)> = Vec::new();
        for i in others() {
            if taken.iter().all(|&t| t >= LIST) {
                break; // every dimension has its share (ties at the threshold fill it early)
            }
            let s = self.problem.smallest(i);
            let mut picked = false;
            for d in 0..dims {
                if s[d] >= threshold[d] && taken[d] < LIST {
                    taken[d] += 1;
                    picked = true;
                }
            }
            if picked {
                list.push((share(i), i));
            }
        }
        let by_size = |a: &(f64, usize), b: &(f64, usize)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
        let mut extra: Vec<(f64, usize)> = representatives.into_values().collect();
        extra.sort_unstable_by(by_size);
        list.extend(extra.into_iter().take(LIST));
        list.sort_unstable_by(by_size);
        list.dedup_by_key(|e| e.1);
        let mut clique: Vec<usize> = Vec::new();
        for &(_, i) in &list {
            if clique.iter().all(|&k| self.conflict(i, k)) {
                clique.push(i);
            }
        }
        (dedicated + best.max(clique.len()), dedicated)
    }

    /// Whether two (not dedicated) workloads can never share a host: the same anti-affinity group; in some
    /// dimension their demands overflow the largest room; both must be containers and run different OSes (a host
    /// has one); both must be containers of different tenants and one of them is tenant-isolated; or one must be a
    /// VM and the other a container, and no host with a hypervisor runs the latter's containers.
    pub(super) fn conflict(&self, a: usize, b: usize) -> bool {
        let w = self.problem.workloads();
        if w.group[a].is_some() && w.group[a] == w.group[b] {
            return true;
        }
        let (sa, sb) = (self.problem.smallest(a), self.problem.smallest(b));
        if (0..self.problem.dims()).any(|d| sa[d] as u128 + sb[d] as u128 > self.largest_room[d] as u128) {
            return true;
        }
        if w.forms[a] == FormSet::CONTAINER && w.forms[b] == FormSet::CONTAINER {
            if w.os[a] != w.os[b] {
                return true;
            }
            let isolated = w.isolation[a] == Isolation::Tenant || w.isolation[b] == Isolation::Tenant;
            if isolated && w.tenant[a] != w.tenant[b] {
                return true;
            }
        }
        // a VM-only and a container-only workload share only a host with a hypervisor that runs containers of the
        // latter's OS
        let vm_and_container = |v: usize, c: usize| {
            w.forms[v] == FormSet::VM && w.forms[c] == FormSet::CONTAINER && !self.mixed_os.contains(&w.os[c])
        };
        vm_and_container(a, b) || vm_and_container(b, a)
    }
}

