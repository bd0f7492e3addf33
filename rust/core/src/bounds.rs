//! Lower bounds on the objective, so that a plan can say how far from optimal it may be.

use std::collections::{HashMap, HashSet};

use crate::fit::Fleet;
use crate::model::{Form, Isolation, Objective, Problem};

/// Whether workload `i` fits on some host when that host is empty, in some allowed form. Identical hosts are
/// checked once.
pub fn placeable(problem: &Problem) -> Vec<bool> {
    let hosts = problem.hosts();
    let mut seen = HashSet::new();
    let representatives: Vec<usize> = (0..problem.host_count())
        .filter(|&j| {
            let key = (problem.capacity(j).to_vec(), hosts.os[j], hosts.hypervisor[j], hosts.containers[j], hosts.max_workloads[j]);
            seen.insert(key)
        })
        .collect();
    let empty = Fleet::new(problem);
    (0..problem.workload_count())
        .map(|i| representatives.iter().any(|&j| Form::TRY_ORDER.iter().any(|&f| empty.fits(i, j, f))))
        .collect()
}

/// A lower bound on the objective of any plan that places at least `placed` workloads.
///
/// Per dimension it counts the `placed` smallest demands (each in its smallest form) and, on every used host, the
/// smaller of the two per-host overheads. `Hosts`: the fewest hosts whose capacities, largest first, cover that in
/// every dimension; when every placeable workload is placed, also the dedicated workloads plus the largest
/// anti-affinity group of the others. `Cost`: the cheapest fractional cover per dimension, and at least the
/// cheapest host. `Spread`: demand over the whole fleet's capacity per dimension.
pub fn lower_bound(problem: &Problem, objective: Objective, placed: usize) -> f64 {
    let m = problem.host_count();
    if placed == 0 || m == 0 {
        return 0.0;
    }
    let dims = problem.dims();
    let fits = placeable(problem);
    let candidates: Vec<usize> = (0..problem.workload_count()).filter(|&i| fits[i]).collect();
    let demand: Vec<u128> = (0..dims)
        .map(|d| {
            let mut column: Vec<u64> = candidates.iter().map(|&i| problem.smallest(i)[d]).collect();
            column.sort_unstable();
            column.iter().take(placed).map(|&v| v as u128).sum()
        })
        .collect();
    let over = problem.overheads();
    let per_host: Vec<u64> = (0..dims).map(|d| over.hypervisor[d].min(over.container_runtime[d])).collect();
    let room = |j: usize, d: usize| problem.capacity(j)[d].saturating_sub(per_host[d]);
    let hosts = problem.hosts();
    match objective {
        Objective::Hosts => {
            let mut bound = 1usize;
            for d in 0..dims {
                let mut rooms: Vec<u64> = (0..m).map(|j| room(j, d)).collect();
                rooms.sort_unstable_by(|a, b| b.cmp(a));
                let (mut covered, mut k) = (0u128, 0usize);
                while covered < demand[d] && k < rooms.len() {
                    covered += rooms[k] as u128;
                    k += 1;
                }
                bound = bound.max(k);
            }
            if placed >= candidates.len() {
                let w = problem.workloads();
                let dedicated = candidates.iter().filter(|&&i| w.isolation[i] == Isolation::Dedicated).count();
                let mut groups: HashMap<u32, usize> = HashMap::new();
                for &i in &candidates {
                    if let (Some(g), false) = (w.group[i], w.isolation[i] == Isolation::Dedicated) {
                        *groups.entry(g).or_default() += 1;
                    }
                }
                bound = bound.max(dedicated + groups.values().copied().max().unwrap_or(0));
            }
            bound as f64
        }
        Objective::Cost => {
            let mut bound = hosts.cost.iter().copied().fold(f64::INFINITY, f64::min);
            for d in 0..dims {
                if demand[d] == 0 {
                    continue;
                }
                // (price per unit, cost, size); the stable sort keeps equal prices in host input order
                let mut rooms: Vec<(f64, f64, u64)> = (0..m)
                    .map(|j| (hosts.cost[j], room(j, d)))
                    .filter(|&(_, size)| size > 0)
                    .map(|(cost, size)| (cost / size as f64, cost, size))
                    .collect();
                rooms.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal));
                let (mut remaining, mut total) = (demand[d], 0.0f64);
                for (_, cost, size) in rooms {
                    let take = remaining.min(size as u128);
                    total += cost * take as f64 / size as f64;
                    remaining -= take;
                    if remaining == 0 {
                        break;
                    }
                }
                bound = bound.max(total);
            }
            bound
        }
        Objective::Spread => {
            let mut bound = 0.0f64;
            for d in 0..dims {
                let fleet: u128 = (0..m).map(|j| problem.capacity(j)[d] as u128).sum();
                if fleet > 0 {
                    bound = bound.max(demand[d] as f64 / fleet as f64);
                }
            }
            bound
        }
    }
}
