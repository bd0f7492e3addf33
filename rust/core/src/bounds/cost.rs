//! What a set of hosts costs at least when it covers a demand: the cheapest hosts, fractional covers per
//! dimension and jointly over pairs of dimensions.

use crate::cone::Cone;
use crate::model::Problem;

use super::kinds::dim_name;

/// The least that the hosts `hosts` (indices) holding a set of workloads cost, when they are at least `min_hosts`
/// of them and cover `demand` in each dimension (their rooms after the per-host overhead `per_host`): the larger of
/// the `min_hosts` cheapest (at least 1) and, per dimension, the cheapest fractional cover (hosts by price per unit
/// of room, the last in part). With the dimension whose cover makes it (None: the cheapest hosts).
#[allow(clippy::too_many_arguments)]
pub(super) fn hosts_cost(
    problem: &Problem,
    hosts: &[usize],
    min_hosts: usize,
    demand: &[u128],
    per_host: &[u64],
    cone: &Cone,
) -> (f64, Option<usize>) {
    let raw = |j: usize, d: usize| problem.capacity(j)[d].saturating_sub(per_host[d]);
    let usable = |j: usize, d: usize| cone.clip(|e| raw(j, e), d);
    let all = problem.hosts();
    if hosts.is_empty() {
        return (0.0, None);
    }
    let mut costs: Vec<f64> = hosts.iter().map(|&j| all.cost[j]).collect();
    costs.sort_unstable_by(f64::total_cmp);
    let mut bound = costs[..min_hosts.clamp(1, hosts.len())].iter().sum::<f64>();
    let mut won = None;
    // each dimension's cover with the plain rooms, then with the usable ones (the words stay when they add nothing)
    for (clipped, (d, &need)) in [false, true].into_iter().flat_map(|c| demand.iter().enumerate().map(move |x| (c, x))) {
        if need == 0 {
            continue;
        }
        let room = |j: usize| if clipped { usable(j, d) } else { raw(j, d) };
        // (price per unit, cost, size); the stable sort keeps equal prices in host input order
        let mut rooms: Vec<(f64, f64, u64)> = hosts
            .iter()
            .map(|&j| (all.cost[j], room(j)))
            .filter(|&(_, size)| size > 0)
            .map(|(cost, size)| (cost / size as f64, cost, size))
            .collect();
        rooms.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (mut remaining, mut total) = (need, 0.0f64);
        for (_, cost, size) in rooms {
            let take = remaining.min(size as u128);
            total += cost * take as f64 / size as f64;
            remaining -= take;
            if remaining == 0 {
                break;
            }
        }
        if total > bound {
            (bound, won) = (total, Some(d));
        }
    }
    // the joint cover's weights (see [`Relaxed::joint_cover`]): the hosts cover every weighted sum of two
    // dimensions' demands, so they cost at least its cheapest fractional cover
    let rooms = |j: usize, d: usize| usable(j, d) as u128;
    for d1 in 0..demand.len() {
        for d2 in d1 + 1..demand.len() {
            let largest = |d: usize| hosts.iter().map(|&j| rooms(j, d)).max().unwrap_or(0);
            let (r1, r2) = (largest(d1), largest(d2));
            if !joint_weights_fit(r1, r2, demand[d1], demand[d2]) {
                continue;
            }
            for k in 1..JOINT_STEPS {
                let (a, b) = (k * r2, (JOINT_STEPS - k) * r1);
                let mut weighted: Vec<(f64, f64, u128)> = hosts
                    .iter()
                    .map(|&j| (all.cost[j], a * rooms(j, d1) + b * rooms(j, d2)))
                    .filter(|&(_, size)| size > 0)
                    .map(|(cost, size)| (cost / size as f64, cost, size))
                    .collect();
                weighted.sort_by(|x, y| x.0.total_cmp(&y.0));
                let (mut remaining, mut total) = (a * demand[d1] + b * demand[d2], 0.0f64);
                for (_, cost, size) in weighted {
                    let take = remaining.min(size);
                    total += cost * take as f64 / size as f64;
                    remaining -= take;
                    if remaining == 0 {
                        break;
                    }
                }
                if total > bound {
                    (bound, won) = (total, Some(JOINT + d1 * demand.len() + d2));
                }
            }
        }
    }
    (bound, won)
}

/// The weights of the joint cover: a = k·R2, b = (JOINT_STEPS − k)·R1 for k = 1..JOINT_STEPS − 1.
pub(super) const JOINT_STEPS: u128 = 32;
/// `hosts_cost`'s winner codes from here on are the joint cover of a pair of dimensions (JOINT + d1·dims + d2).
pub(super) const JOINT: usize = 1 << 20;

/// Whether the joint cover's whole numbers stay far from overflow: positive largest rooms below 2^50, positive
/// demands below 2^68.
pub(super) fn joint_weights_fit(r1: u128, r2: u128, demand1: u128, demand2: u128) -> bool {
    let below = |v: u128, bits: u32| v > 0 && v < 1u128 << bits;
    below(r1, 50) && below(r2, 50) && below(demand1, 68) && below(demand2, 68)
}

/// A cost bound's winner (from `hosts_cost`) in words.
pub(super) fn cost_words(won: usize, dims: usize) -> String {
    if won >= JOINT {
        let pair = won - JOINT;
        format!("the {} and {} demands together cost", dim_name(pair / dims), dim_name(pair % dims))
    } else {
        format!("the {} demand costs", dim_name(won))
    }
}

