//! Lower bounds on the objective, so that a plan can say how far from optimal it may be.
//!
//! Every bound here is a relaxation of the model: it drops rules (never adds one), shrinks workloads to their
//! smallest form and grows hosts to the largest room, so that any valid plan is also a solution of the relaxed
//! problem and the relaxed optimum cannot exceed the true one. The hosts-count bounds are independent of the
//! objective; the cost bound prices them.

use std::collections::{HashMap, HashSet};

use crate::cone::Cone;
use crate::fit::HostStates;
use crate::plain::Plain;
use crate::model::{Form, FormSet, Isolation, Objective, Problem};

/// Whether workload `i` fits on some host when that host is empty, in some allowed form. Identical hosts are
/// checked once.
pub fn placeable(problem: &Problem) -> Vec<bool> {
    let hosts = problem.hosts();
    let key = |j: usize| {
        (problem.capacity(j), hosts.os[j], hosts.hypervisor[j], hosts.containers[j], hosts.max_workloads[j], problem.eligibility_kind(j))
    };
    let mut seen = HashSet::new();
    // fleets list hosts of one kind together: a host like the one before it needs no hashing
    let representatives: Vec<usize> =
        (0..problem.host_count()).filter(|&j| (j == 0 || key(j) != key(j - 1)) && seen.insert(key(j))).collect();
    let empty = HostStates::new(problem);
    (0..problem.workload_count())
        .map(|i| representatives.iter().any(|&j| Form::TRY_ORDER.iter().any(|&f| empty.fits(i, j, f))))
        .collect()
}

/// The hosts grouped by capacity and `max_workloads`: (first host of the kind, how many), in order of first
/// appearance. Hosts of one kind usually come together, so a host like the one before it is counted without hashing.
fn host_kinds(problem: &Problem, hosts: impl Iterator<Item = usize>) -> Vec<(usize, usize)> {
    let caps = &problem.hosts().max_workloads;
    let key = |j: usize| (problem.capacity(j), caps[j]);
    let mut index: HashMap<(&[u64], Option<u64>), usize> = HashMap::new();
    let mut kinds: Vec<(usize, usize)> = Vec::new();
    let mut last = usize::MAX;
    for j in hosts {
        if last != usize::MAX && key(kinds[last].0) == key(j) {
            kinds[last].1 += 1;
            continue;
        }
        last = *index.entry(key(j)).or_insert_with(|| {
            kinds.push((j, 0));
            kinds.len() - 1
        });
        kinds[last].1 += 1;
    }
    kinds
}

/// Which hosts each workload fits when they are empty: the hosts grouped by everything [`HostStates::fits`] reads
/// on an empty host (as [`placeable`] groups them), and per workload a bit per group it fits (every bit when there
/// are more than 128 groups, so that the bits then only say whether it fits somewhere).
struct FitKinds {
    /// The group of each host.
    of_host: Vec<usize>,
    /// Per workload, the groups it fits; 0 when it fits no host.
    masks: Vec<u128>,
}

impl FitKinds {
    fn new(problem: &Problem) -> FitKinds {
        let hosts = problem.hosts();
        let key = |j: usize| {
        (problem.capacity(j), hosts.os[j], hosts.hypervisor[j], hosts.containers[j], hosts.max_workloads[j], problem.eligibility_kind(j))
    };
        let mut index = HashMap::new();
        let mut representatives: Vec<usize> = Vec::new();
        let mut of_host = Vec::with_capacity(problem.host_count());
        for j in 0..problem.host_count() {
            let group = if j > 0 && key(j) == key(j - 1) {
                of_host[j - 1]
            } else {
                *index.entry(key(j)).or_insert_with(|| {
                    representatives.push(j);
                    representatives.len() - 1
                })
            };
            of_host.push(group);
        }
        let empty = HostStates::new(problem);
        let few = representatives.len() <= 128;
        let masks = (0..problem.workload_count())
            .map(|i| {
                let mut mask = 0u128;
                for (g, &j) in representatives.iter().enumerate() {
                    if Form::TRY_ORDER.iter().any(|&f| empty.fits(i, j, f)) {
                        if !few {
                            return u128::MAX;
                        }
                        mask |= 1 << g;
                    }
                }
                mask
            })
            .collect();
        FitKinds { of_host, masks }
    }

    /// The hosts that some workload of `part` fits.
    fn hosts_of(&self, part: &[usize]) -> Vec<usize> {
        let mask = part.iter().fold(0u128, |m, &i| m | self.masks[i]);
        (0..self.of_host.len()).filter(|&j| mask == u128::MAX || mask >> self.of_host[j] & 1 == 1).collect()
    }
}

/// A dimension's name in a bound's reason: the core knows cpu and memory (the first two), the others by position.
fn dim_name(d: usize) -> String {
    match d {
        0 => "cpu".to_string(),
        1 => "memory".to_string(),
        _ => format!("dimension {d}"),
    }
}

/// A lower bound on the objective of any plan that places at least `placed` workloads.
///
/// `Hosts`: [`min_hosts`]. `Cost`: the larger of the cheapest fractional cover per dimension and the sum of the
/// [`min_hosts`] cheapest hosts. `Spread`: demand over the whole fleet's capacity per dimension.
pub fn lower_bound(problem: &Problem, objective: Objective, placed: usize) -> f64 {
    bound_of(problem, Plain::detect(problem).as_ref(), objective, placed).0
}

/// [`lower_bound`], and which rule makes it, in words (`"28 dedicated workloads need 28 hosts; the rest need at
/// least 37 more by memory"`; empty when nothing is placed).
pub fn lower_bound_explained(problem: &Problem, objective: Objective, placed: usize) -> (f64, String) {
    bound_of(problem, Plain::detect(problem).as_ref(), objective, placed)
}

/// [`lower_bound`] of a problem already recognised as plain bin packing (`plain`), or not (None).
/// A live fleet's bound is its greenfield problem's: pins, drains and budgets only take plans away.
pub(crate) fn lower_bound_of(problem: &Problem, plain: Option<&Plain>, objective: Objective, placed: usize) -> f64 {
    bound_of(problem, plain, objective, placed).0
}

/// [`lower_bound_explained`] of a problem already recognised as plain bin packing (`plain`), or not (None).
pub(crate) fn bound_of(problem: &Problem, plain: Option<&Plain>, objective: Objective, placed: usize) -> (f64, String) {
    if let Some(live) = problem.live() {
        let greenfield = problem.without_live();
        let (bound, reason) = bound_of(&greenfield, Plain::detect(&greenfield).as_ref(), objective, placed);
        return match budget_bound(problem, live, objective) {
            Some((kept, why)) if kept > bound => (kept, why),
            _ => (bound, reason),
        };
    }
    let m = problem.host_count();
    if placed == 0 || m == 0 {
        return (0.0, String::new());
    }
    let needs = match plain {
        Some(plain) => plain_needs(problem, plain, placed, objective),
        None => {
            let fits = FitKinds::new(problem);
            let relaxed = Relaxed::new(problem, &fits);
            let (min_hosts, reason, split) = if objective == Objective::Spread {
                (0, String::new(), None)
            } else {
                rule_bound(problem, &fits, &relaxed, placed)
            };
            let demand = relaxed.demand(placed);
            Needs { min_hosts, reason, split, demand, per_host: relaxed.per_host, cone: relaxed.cone }
        }
    };
    let hosts = problem.hosts();
    match objective {
        Objective::Hosts => (needs.min_hosts as f64, needs.reason),
        Objective::Cost => {
            let all: Vec<usize> = (0..m).collect();
            let (mut bound, won) = hosts_cost(problem, &all, needs.min_hosts, &needs.demand, &needs.per_host, &needs.cone);
            let mut reason = match won {
                None => format!("{}; the {} cheapest hosts cost {:.2}", needs.reason, needs.min_hosts.clamp(1, m), bound),
                Some(d) => format!("{} at least {:.2} at the cheapest price per unit", cost_words(d, problem.dims()), bound),
            };
            if let Some(split) = &needs.split {
                // the parts' hosts are disjoint, so their costs add up
                let mut own: Vec<f64> = split.dedicated_hosts.iter().map(|&j| hosts.cost[j]).collect();
                own.sort_unstable_by(f64::total_cmp);
                let own_cost = own[..split.own.min(own.len())].iter().sum::<f64>();
                let mut total = own_cost;
                for (part_hosts, min_hosts, demand) in &split.parts {
                    total += hosts_cost(problem, part_hosts, *min_hosts, demand, &needs.per_host, &needs.cone).0;
                }
                if total > bound {
                    bound = total;
                    reason = match split.own {
                        0 => format!("the sets that cannot share a host cost at least {total:.2} together"),
                        own => format!(
                            "{own} dedicated workloads need hosts of {own_cost:.2}; the rest at least {:.2} more",
                            total - own_cost
                        ),
                    };
                }
            }
            (bound, reason)
        }
        Objective::Spread => {
            let (mut bound, mut reason) = (0.0f64, String::new());
            for (d, &need) in needs.demand.iter().enumerate() {
                let fleet: u128 = (0..m).map(|j| problem.capacity(j)[d] as u128).sum();
                if fleet > 0 && need as f64 / fleet as f64 > bound {
                    bound = need as f64 / fleet as f64;
                    reason = format!("the {} demand over the whole fleet's {}", dim_name(d), dim_name(d));
                }
            }
            (bound, reason)
        }
    }
}

/// A live fleet's bound from where it runs now (`hosts` and `cost`; None for `spread`, or when the moves out of the
/// drained hosts alone exceed a budget, where no plan is within it): a host used now (not drained) ends empty only
/// when each of its current workloads moves (to another host, another form or out: every way counts as a move),
/// and a host running a pinned workload never does (a pin holds in every valid plan). So the hosts used now that a
/// plan empties cost it, together, at least their workloads' moves and move costs on top of the drained hosts' (also
/// moves in every plan); the most hosts that can be emptied within `max_moves` is at most the longest prefix of the
/// emptiable hosts by fewest workloads that fits it, the same by `max_move_cost` by cheapest moves, and the smaller
/// of the two bounds both. Every plan within the budgets, whatever it places, keeps at least the other hosts used:
/// U minus that many hosts, and for `cost` the pinned hosts plus the cheapest of the emptiable ones it must keep.
fn budget_bound(problem: &Problem, live: &crate::model::Live, objective: Objective) -> Option<(f64, String)> {
    if objective == Objective::Spread {
        return None;
    }
    // what is left of a budget (None: no budget) after `need`; None out of the function when it runs out
    fn spend(budget: Option<u128>, need: u128) -> Option<Option<u128>> {
        match budget {
            None => Some(None),
            Some(b) => b.checked_sub(need).map(Some),
        }
    }
    let m = problem.host_count();
    // per host: (workloads running on it now, their summed move cost, whether one of them is pinned)
    let mut now = vec![(0u64, 0u128, false); m];
    let (mut left_moves, mut left_cost) = (live.max_moves.map(u128::from), live.max_move_cost.map(u128::from));
    for i in 0..problem.workload_count() {
        let Some(j) = live.current_host[i].map(|j| j as usize) else { continue };
        let cost = problem.move_cost(i) as u128;
        if live.drain[j] {
            // a move in every plan: it spends the budgets before any host is emptied
            left_moves = spend(left_moves, 1)?;
            left_cost = spend(left_cost, cost)?;
            continue;
        }
        now[j] = (now[j].0 + 1, now[j].1 + cost, now[j].2 || live.pinned[i]);
    }
    let used: Vec<usize> = (0..m).filter(|&j| now[j].0 > 0).collect();
    if used.is_empty() {
        return None;
    }
    let emptiable: Vec<usize> = used.iter().copied().filter(|&j| !now[j].2).collect();
    let most = |mut needs: Vec<u128>, budget: Option<u128>| -> usize {
        let Some(budget) = budget else { return needs.len() };
        needs.sort_unstable();
        let mut spent = 0u128;
        needs.into_iter().take_while(|&need| { spent += need; spent <= budget }).count()
    };
    let by_moves = most(emptiable.iter().map(|&j| now[j].0 as u128).collect(), left_moves);
    let by_cost = most(emptiable.iter().map(|&j| now[j].1).collect(), left_cost);
    let emptied = by_moves.min(by_cost);
    let kept = used.len() - emptied;
    let within = match (live.max_moves, live.max_move_cost) {
        (Some(moves), Some(cost)) => format!(" within {moves} moves and a move cost of {cost}"),
        (Some(moves), None) => format!(" within {moves} moves"),
        (None, Some(cost)) => format!(" within a move cost of {cost}"),
        (None, None) => " (the others run pinned workloads)".to_string(),
    };
    let reason = format!("{} hosts are used now and at most {emptied} can be emptied{within}", used.len());
    if objective == Objective::Hosts {
        return Some((kept as f64, reason));
    }
    // cost: the pinned hosts, and the cheapest of the emptiable hosts that stay used, added cheapest first
    let cost = &problem.hosts().cost;
    let mut free: Vec<f64> = emptiable.iter().map(|&j| cost[j]).collect();
    free.sort_unstable_by(f64::total_cmp);
    let mut kept_costs: Vec<f64> = used.iter().filter(|&&j| now[j].2).map(|&j| cost[j]).collect();
    kept_costs.extend_from_slice(&free[..free.len() - emptied]);
    kept_costs.sort_unstable_by(f64::total_cmp);
    let total = kept_costs.iter().sum::<f64>();
    Some((total, format!("{reason}; the {kept} hosts that stay used cost at least {total:.2}")))
}

/// The fewest hosts any plan placing `placed` uses, with the rules added up: the workloads fall into parts no two
/// of which can share a host (each dedicated workload alone; container-only workloads of one OS apart from those
/// of another; a tenant-isolated tenant's containers apart from other tenants' containers; VM-only workloads apart
/// from containers that no host with a hypervisor runs), so the hosts of a plan fall into as many disjoint sets and
/// the plan uses at least the sum of each part's bound ([`Relaxed::min_hosts`] over the part's workloads and the
/// hosts that some of them fit). A part of `n_i` of the `N` candidates places at least `placed - (N - n_i)` of
/// them, and a plan's workloads of a part, alone, are a valid plan for it (no rule makes workloads go together).
/// The larger of that sum and the bound over all workloads together.
///
/// Sound because every relation used is a rule of the model: two workloads of different parts never share a host
/// ([`Relaxed::conflict`] holds for every such pair), whatever their sizes.
fn rule_bound(problem: &Problem, fits: &FitKinds, whole: &Relaxed, placed: usize) -> (usize, String, Option<Split>) {
    const PARTS: usize = 64; // the largest parts on their own, the rest together (a union of parts is a part)
    let (best, why) = whole.min_hosts(placed, true);
    let total = whole.candidates.len();
    let placed = placed.min(total);
    let mut reason = if best <= 1 { "at least one host".to_string() } else { format!("at least {best} hosts {why}") };
    let w = problem.workloads();
    let dedicated = whole.candidates.iter().filter(|&&i| w.isolation[i] == Isolation::Dedicated).count();
    let mut parts = share_parts(problem, &whole.candidates, &whole.mixed_os);
    if dedicated == 0 && parts.len() <= 1 {
        return (best, reason, None);
    }
    parts.sort_by_key(|p| std::cmp::Reverse(p.len()));
    if parts.len() > PARTS {
        let rest: Vec<usize> = parts.drain(PARTS - 1..).flatten().collect();
        parts.push(rest);
    }
    let own = placed.saturating_sub(total - dedicated);
    let dedicated_workloads: Vec<usize> =
        whole.candidates.iter().copied().filter(|&i| w.isolation[i] == Isolation::Dedicated).collect();
    let mut split = Split { own, dedicated_hosts: fits.hosts_of(&dedicated_workloads), parts: Vec::new() };
    let mut sum = own;
    let mut first: Option<(usize, String)> = None;
    let mut counted = 0usize;
    for (k, part) in parts.iter().enumerate() {
        let at_least = placed.saturating_sub(total - part.len());
        if at_least == 0 {
            continue;
        }
        let part_hosts = fits.hosts_of(part);
        let relaxed = Relaxed::of(problem, part.clone(), part_hosts.clone());
        // the greedy clique for the largest parts only: its list makes it the dearest bound
        let (b, why) = relaxed.min_hosts(at_least, k < 8);
        split.parts.push((part_hosts, b, relaxed.demand(at_least)));
        sum += b;
        counted += 1;
        if first.is_none() {
            first = Some((b, why));
        }
    }
    if sum <= best {
        return (best, reason, Some(split));
    }
    let rest = sum - own;
    let mut words = Vec::new();
    if dedicated > 0 {
        words.push(format!("{own} dedicated workloads need {own} hosts"));
    }
    let more = if dedicated > 0 { " more" } else { "" };
    match (counted, first) {
        (0, _) | (_, None) => {}
        (1, Some((_, why))) => {
            words.push(format!("the rest need at least {rest}{more}{}", spaced(&why)));
        }
        (_, Some((b, why))) => words.push(format!(
            "the rest, in {counted} sets that cannot share a host (by OS and tenant isolation), need at least \
             {rest}{more}: {b}{} for the largest",
            spaced(&why)
        )),
    }
    reason = words.join("; ");
    (sum, reason, Some(split))
}

/// A reason's words after a space, or nothing.
fn spaced(why: &str) -> String {
    if why.is_empty() { String::new() } else { format!(" {why}") }
}

/// The candidates in parts no two of which can share a host by the rules of OS, forms and tenant isolation (the
/// connected parts of the relation "may share a host" between classes of workloads), dedicated workloads left
/// out. Classes: workloads that may run both ways (they may share with anything, so one part holds everything when
/// there is one), VM-only ones, and container-only ones per OS, tenant and isolation.
fn share_parts(problem: &Problem, candidates: &[usize], mixed_os: &HashSet<u32>) -> Vec<Vec<usize>> {
    #[derive(Clone, Copy, PartialEq, Eq, Hash)]
    enum Class {
        Both,
        Vm,
        Container { os: u32, tenant: u32, isolated: bool },
    }
    let w = problem.workloads();
    let class_of = |i: usize| {
        if w.forms[i] == FormSet::CONTAINER {
            Class::Container { os: w.os[i], tenant: w.tenant[i], isolated: w.isolation[i] == Isolation::Tenant }
        } else if w.forms[i] == FormSet::VM {
            Class::Vm
        } else {
            Class::Both
        }
    };
    let mut index: HashMap<Class, usize> = HashMap::new();
    let mut classes: Vec<Class> = Vec::new();
    let mut members: Vec<Vec<usize>> = Vec::new();
    for &i in candidates.iter().filter(|&&i| w.isolation[i] != Isolation::Dedicated) {
        let c = class_of(i);
        let k = *index.entry(c).or_insert_with(|| {
            classes.push(c);
            members.push(Vec::new());
            classes.len() - 1
        });
        members[k].push(i);
    }
    // union-find over the classes
    let mut parent: Vec<usize> = (0..classes.len()).collect();
    fn root(parent: &mut [usize], mut k: usize) -> usize {
        while parent[k] != k {
            parent[k] = parent[parent[k]];
            k = parent[k];
        }
        k
    }
    let join = |parent: &mut Vec<usize>, a: usize, b: usize| {
        let (ra, rb) = (root(parent, a), root(parent, b));
        parent[ra.max(rb)] = ra.min(rb);
    };
    let both = index.get(&Class::Both).copied();
    let vm = index.get(&Class::Vm).copied();
    let mut shared_of_os: HashMap<u32, usize> = HashMap::new();
    for (k, &c) in classes.iter().enumerate() {
        if let Some(b) = both {
            join(&mut parent, b, k);
        }
        if let Class::Container { os, isolated, .. } = c {
            if let Some(v) = vm.filter(|_| mixed_os.contains(&os)) {
                join(&mut parent, v, k);
            }
            if !isolated {
                // the containers of one OS that are not isolated may all share
                let first = *shared_of_os.entry(os).or_insert(k);
                join(&mut parent, first, k);
            }
        }
    }
    for (k, &c) in classes.iter().enumerate() {
        if let Class::Container { os, tenant, isolated: true } = c {
            // an isolated tenant's containers may share with its own tenant's other containers
            if let Some(&o) = index.get(&Class::Container { os, tenant, isolated: false }) {
                join(&mut parent, o, k);
            }
        }
    }
    let mut parts: Vec<Vec<usize>> = Vec::new();
    let mut part_of: HashMap<usize, usize> = HashMap::new();
    for k in 0..classes.len() {
        let r = root(&mut parent, k);
        let p = *part_of.entry(r).or_insert_with(|| {
            parts.push(Vec::new());
            parts.len() - 1
        });
        parts[p].extend_from_slice(&members[k]);
    }
    for part in &mut parts {
        part.sort_unstable();
    }
    parts
}

/// The least that the hosts `hosts` (indices) holding a set of workloads cost, when they are at least `min_hosts`
/// of them and cover `demand` in each dimension (their rooms after the per-host overhead `per_host`): the larger of
/// the `min_hosts` cheapest (at least 1) and, per dimension, the cheapest fractional cover (hosts by price per unit
/// of room, the last in part). With the dimension whose cover makes it (None: the cheapest hosts).
#[allow(clippy::too_many_arguments)]
fn hosts_cost(
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
const JOINT_STEPS: u128 = 32;
/// `hosts_cost`'s winner codes from here on are the joint cover of a pair of dimensions (JOINT + d1·dims + d2).
const JOINT: usize = 1 << 20;

/// Whether the joint cover's whole numbers stay far from overflow: positive largest rooms below 2^50, positive
/// demands below 2^68.
fn joint_weights_fit(r1: u128, r2: u128, demand1: u128, demand2: u128) -> bool {
    let below = |v: u128, bits: u32| v > 0 && v < 1u128 << bits;
    below(r1, 50) && below(r2, 50) && below(demand1, 68) && below(demand2, 68)
}

/// A cost bound's winner (from `hosts_cost`) in words.
fn cost_words(won: usize, dims: usize) -> String {
    if won >= JOINT {
        let pair = won - JOINT;
        format!("the {} and {} demands together cost", dim_name(pair / dims), dim_name(pair % dims))
    } else {
        format!("the {} demand costs", dim_name(won))
    }
}

/// How the rules split the workloads, for the cost bound: `own` dedicated workloads placed at least (on hosts among
/// `dedicated_hosts`, one each), and per part that cannot share a host with the others, the hosts it fits, the
/// fewest of them it needs and its least demand.
struct Split {
    own: usize,
    dedicated_hosts: Vec<usize>,
    parts: Vec<(Vec<usize>, usize, Vec<u128>)>,
}

/// What the objectives' bounds read: the fewest hosts (not worked out for `spread`, which does not read it), per
/// dimension the least total demand of `placed` workloads, and the per-host overhead that every used host pays.
struct Needs {
    min_hosts: usize,
    /// Which rule makes `min_hosts`, in words.
    reason: String,
    /// How the rules split the workloads (None: in one part, or plain bin packing).
    split: Option<Split>,
    demand: Vec<u128>,
    per_host: Vec<u64>,
    /// The demand cone the rooms are clipped to ([`Cone`]; none for plain bin packing, of one dimension).
    cone: Cone,
}

/// [`Needs`] of plain bin packing ([`Plain`]: identical hosts, one size per workload, no overhead, no rule), from
/// the sizes alone, sorted by counting when the capacity is small. The same values as the general bounds: with no
/// rule, two workloads conflict only when their sizes overflow a host, and a set of workloads that pairwise
/// overflow is never larger than L2 (at most one of them is at most half a host, and L2's threshold at its size
/// counts it beside the others), so the conflict clique adds nothing; nor does a dedicated or grouped workload
/// exist. Checked against the general bounds in tests/bounds.rs.
fn plain_needs(problem: &Problem, plain: &Plain, placed: usize, objective: Objective) -> Needs {
    let dims = problem.dims();
    let (dim, capacity) = (plain.dim(), plain.capacity());
    let sizes = plain.placeable_sizes_ascending(problem);
    let placed = placed.min(sizes.len());
    let mut demand = vec![0u128; dims];
    demand[dim] = sizes[..placed].iter().map(|&s| s as u128).sum();
    let (mut min_hosts, mut reason) = (1usize, String::new());
    if objective != Objective::Spread && placed > 0 {
        let m = problem.host_count();
        let covering = demand[dim].div_ceil(capacity as u128).min(m as u128) as usize;
        // the most workloads a host holds: as many of the smallest as fill it (no limit when all of them do)
        let mut sum = 0u128;
        let most = sizes.iter().take_while(|&&s| {
            sum += s as u128;
            sum <= capacity as u128
        });
        let most = most.count();
        let counted = if most < sizes.len() { placed.div_ceil(most).min(m) } else { 1 };
        let column = &sizes[..placed];
        // in the order of the general bounds, so that the reasons agree too
        let name = dim_name(dim);
        for (value, why) in [
            (covering, format!("by {name}")),
            (martello_toth_l2(column, capacity) as usize, format!("by {name} (bin-packing bound)")),
            (fekete_schepers(column, capacity) as usize, format!("by {name} (bin-packing bound)")),
            (counted, "by the workloads a host holds".to_string()),
        ] {
            if value > min_hosts {
                (min_hosts, reason) = (value, why);
            }
        }
        reason = format!("at least {min_hosts} hosts {reason}");
    }
    if min_hosts == 1 {
        reason = "at least one host".to_string();
    }
    Needs { min_hosts, reason, split: None, demand, per_host: vec![0; dims], cone: Cone::default() }
}

/// The fewest hosts that any plan placing at least `placed` workloads uses (0 when `placed` is 0 or there is no
/// host): the largest of the bounds in [`Relaxed::min_hosts`].
pub fn min_hosts(problem: &Problem, placed: usize) -> usize {
    if placed == 0 || problem.host_count() == 0 {
        return 0;
    }
    match Plain::detect(problem) {
        Some(plain) => plain_needs(problem, &plain, placed, Objective::Hosts).min_hosts,
        None => {
            let fits = FitKinds::new(problem);
            rule_bound(problem, &fits, &Relaxed::new(problem, &fits), placed).0
        }
    }
}

/// [`min_hosts`] by the general bounds alone, for plain bin packing too: the tests hold the two equal.
#[doc(hidden)]
pub fn general_min_hosts(problem: &Problem, placed: usize) -> usize {
    if placed == 0 || problem.host_count() == 0 {
        return 0;
    }
    let fits = FitKinds::new(problem);
    rule_bound(problem, &fits, &Relaxed::new(problem, &fits), placed).0
}

/// The relaxed problem every bound reads: the placeable workloads, each dimension's smallest-form demands sorted,
/// and each host's room once it pays the smaller of its two per-host overheads.
struct Relaxed<'p> {
    problem: &'p Problem,
    /// The workloads that fit some empty host; no plan places any other.
    candidates: Vec<usize>,
    /// Per dimension, the candidates' smallest-form demands, ascending.
    sorted: Vec<Vec<u64>>,
    /// Per dimension, the smaller of `hypervisor` and `container_runtime`: a used host runs a VM or a container, so
    /// it pays at least this.
    per_host: Vec<u64>,
    /// Per dimension, the largest room of any host.
    largest_room: Vec<u64>,
    /// The OSes of the hosts that run both VMs and containers.
    mixed_os: HashSet<u32>,
    /// Hosts alike in what the count bounds read (capacity and `max_workloads`): a representative and how many.
    /// Fleets have few kinds of host, so the bounds sort kinds, not hosts.
    kinds: Vec<(usize, usize)>,
    /// How many hosts the relaxed problem has.
    host_count: usize,
    /// The ratios between dimensions that every candidate's demand keeps: rooms are clipped to them.
    cone: Cone,
}

impl<'p> Relaxed<'p> {
    /// Every placeable workload, on every host.
    fn new(problem: &'p Problem, fits: &FitKinds) -> Relaxed<'p> {
        let candidates = (0..problem.workload_count()).filter(|&i| fits.masks[i] != 0).collect();
        Relaxed::of(problem, candidates, (0..problem.host_count()).collect())
    }

    /// The workloads `candidates` (placeable ones) on the hosts `hosts`.
    fn of(problem: &'p Problem, candidates: Vec<usize>, hosts: Vec<usize>) -> Relaxed<'p> {
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

    fn room(&self, j: usize, d: usize) -> u64 {
        self.problem.capacity(j)[d].saturating_sub(self.per_host[d])
    }

    /// Host `j`'s room in dimension `d` that the candidates' shapes leave usable: [`Relaxed::room`] clipped to the
    /// demand cone ([`Cone::clip`]).
    fn usable(&self, j: usize, d: usize) -> u64 {
        self.cone.clip(|e| self.room(j, e), d)
    }

    /// Per dimension, the sum of the `placed` smallest demands: no `placed` workloads demand less.
    fn demand(&self, placed: usize) -> Vec<u128> {
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
    fn min_hosts(&self, placed: usize, clique: bool) -> (usize, String) {
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
    fn joint_cover(&self, d1: usize, d2: usize, demand: &[u128]) -> usize {
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
    fn count_bound(&self, placed: usize) -> usize {
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
    fn conflict_clique(&self, greedy: bool) -> (usize, usize) {
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
    fn conflict(&self, a: usize, b: usize) -> bool {
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

/// The fewest hosts, largest `rooms` (room, how many hosts) first, whose rooms add up to `demand`; all of them
/// (at most `m`) when they do not.
fn cover(mut rooms: Vec<(u128, usize)>, demand: u128, m: usize) -> usize {
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
