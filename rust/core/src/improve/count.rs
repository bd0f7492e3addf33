//! Placing the most workloads first: when not everything fits, `auto` maximises the number placed before the
//! objective (a multiple-knapsack question), whatever the objective.
//!
//! Largest-first packing is the wrong tool then: it spends scarce capacity on the largest workloads and leaves
//! many small ones out. So `auto` adds constructions that take workloads smallest first, by a size that weighs each
//! resource by how scarce it is ([`super::scarcity::sizes`]), and [`more_placed`] raises the count further by ejections: one
//! workload off a host, two or more left-out ones into its room (or one, when the ejected workload finds another
//! host).

use std::cmp::Ordering;

use super::budget::{Budget, Limits, Rng};
use super::scarcity::{sizes, Key};
use super::state::State;
use crate::error::Result;
use crate::fit::HostStates;
use crate::heuristics::index::{Need, OpeningTree, ScoreIndex};
use crate::heuristics::{self, opening_order, Method};
use crate::model::Placement;
use crate::model::{Objective, Problem, SortKey};

/// Workload indices, smallest first by `sizes`, ties in input order.
fn increasing(sizes: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..sizes.len()).collect();
    order.sort_by(|&a, &b| sizes[a].partial_cmp(&sizes[b]).unwrap_or(Ordering::Equal));
    order
}

/// The count phase, the same for every objective (so that no objective places fewer than another for want of
/// trying): every heuristic with every sort key under every objective's opening order, and the count-first
/// [`constructions`]; the first that places the most is raised by [`more_placed`] and by rounds of the objectives'
/// searches (emptying hosts frees whole ones, levelling frees room on the busiest), each followed by
/// [`super::fill::fill`]. `objective` only names the plans
/// made under another objective's opening order (`wfd/sum@spread`). Returns the plan and its strategy name, or
/// None when cancelled or at the deadline before any plan (the caller reports an interruption).
pub fn most_placed_plan(
    p: &Problem,
    objective: Objective,
    limits: &Limits,
    stop: &dyn Fn() -> bool,
) -> Result<Option<(Placement, String)>> {
    // no plan places a workload that fits no empty host, nor more members than the hard group rules let in: the
    // most there is to place
    let n = crate::bounds::most_placed(p);
    let late = || stop() || limits.deadline.is_some_and(|d| std::time::Instant::now() >= d);
    let mut best: Option<(usize, Placement, String)> = None;
    let offer = |placement: Placement, name: String, best: &mut Option<(usize, Placement, String)>| {
        let placed = placement.iter().flatten().count();
        if best.as_ref().map_or(true, |b| placed > b.0) {
            *best = Some((placed, placement, name));
        }
        placed == n
    };
    'runs: for under in [Objective::Hosts, Objective::Cost, Objective::Spread] {
        for method in Method::ALL {
            let keys: &[SortKey] = if method == Method::FirstFit { &[SortKey::Sum] } else { &SortKey::ALL };
            for &key in keys {
                if late() {
                    break 'runs;
                }
                let (_, placement) = heuristics::run(p, method, key, under, stop);
                let mut name = if method == Method::FirstFit { "ff".to_string() } else { format!("{}/{}", method.name(), key.name()) };
                if under != objective {
                    name = format!("{name}@{}", objective_name(under));
                }
                if offer(placement, name, &mut best) {
                    break 'runs;
                }
            }
        }
    }
    if best.as_ref().map_or(true, |b| b.0 < n) {
        for (_, placement, name) in constructions(p, stop) {
            if offer(placement, name, &mut best) {
                break;
            }
        }
    }
    let Some((placed, placement, name)) = best else { return Ok(None) };
    if stop() {
        return Ok(None);
    }
    if placed == n {
        return Ok(Some((placement, name)));
    }
    let mut state = State::new(p, &placement);
    let mut budget = Budget::new(limits.work, limits.deadline, limits.cancel);
    let mut rng = Rng::new(limits.seed);
    super::fill::fill(&mut state, Objective::Hosts, limits.cancel)?;
    // rounds of ejections, then of consolidation, which frees whole hosts that left-out workloads needing much room
    // (or a host of their own) may take, and of levelling; until two rounds gain nothing or the budget is spent
    let mut idle = 0;
    while state.placed() < n && !budget.spent() && idle < 2 {
        let before = state.placed();
        if more_placed(&mut state, &mut budget, &mut rng)? {
            super::fill::fill(&mut state, Objective::Hosts, limits.cancel)?;
        }
        // then the ways the objectives' searches reshape a plan: emptying hosts (the smallest, or the dearest) and
        // moving load off the busiest ones (a share of what is left each)
        for reshape in [Objective::Hosts, Objective::Cost, Objective::Spread] {
            if state.placed() == n || budget.spent() {
                break;
            }
            let share = limits.work.saturating_sub(budget.work()) / 4;
            let mut round = Budget::new(share.max(1), limits.deadline, limits.cancel);
            if reshape == Objective::Spread {
                super::spread::lower_peak(&mut state, 0.0, &mut round, &mut rng)?;
            } else {
                super::pack::empty_hosts(&mut state, reshape, 0.0, &mut round, &mut rng)?;
            }
            budget.charge(round.work())?;
            super::fill::fill(&mut state, Objective::Hosts, limits.cancel)?;
        }
        idle = if state.placed() > before { 0 } else { idle + 1 };
    }
    let name = if state.placed() > placed { format!("search({name})") } else { name };
    Ok(Some((super::rules::keep_hard_rules(p, state.placement()), name)))
}

fn objective_name(objective: Objective) -> &'static str {
    match objective {
        Objective::Hosts => "hosts",
        Objective::Cost => "cost",
        Objective::Spread => "spread",
    }
}

/// The count-first constructions: for each [`Key`], first fit and best fit over the workloads smallest first, hosts
/// tried in the opening order of `hosts` (largest first, the same for every objective). Each is (final fleet, plan,
/// strategy name: `ffi/sum`, `bfi/max`, ...). `stop` is asked between them.
pub fn constructions<'p>(p: &'p Problem, stop: &dyn Fn() -> bool) -> Vec<(HostStates<'p>, Placement, String)> {
    let opening = opening_order(p, Objective::Hosts);
    let mut position = vec![0u32; p.host_count()];
    for (k, &j) in opening.iter().enumerate() {
        position[j] = k as u32;
    }
    let mut out = Vec::new();
    for key in [Key::Sum, Key::Max] {
        let order = increasing(&sizes(p, key));
        for fit in [Fit::First, Fit::Best, Fit::Worst] {
            if stop() {
                return out;
            }
            let (fleet, placement) = construct(p, &order, &opening, &position, fit);
            let name = format!("{}/{}", fit.name(), key.name());
            out.push((fleet, placement, name));
        }
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Fit {
    First,
    Best,
    Worst,
}

impl Fit {
    fn name(self) -> &'static str {
        match self {
            Fit::First => "ffi",
            Fit::Best => "bfi",
            Fit::Worst => "wfi",
        }
    }
}

/// One pass over `order`: each workload on the first host in opening order that takes it; or (best fit) on the
/// used host it leaves with the least normalised free capacity, else the first unused one; or (worst fit) on the
/// host, used or not, it leaves with the most.
fn construct<'p>(p: &'p Problem, order: &[usize], opening: &[usize], position: &[u32], fit: Fit) -> (HostStates<'p>, Placement) {
    let mut fleet = HostStates::new(p);
    let mut placement = vec![None; p.workload_count()];
    if fit == Fit::Worst {
        let mut all = ScoreIndex::new(&fleet, position, true, |_| true);
        for &i in order {
            if let Some(pick) = all.pick(&fleet, i, &Need::new(p, i)) {
                fleet.add(i, pick.host, pick.form);
                all.update(&fleet, pick.host);
                placement[i] = Some((pick.host as u32, pick.form));
            }
        }
        return (fleet, placement);
    }
    let mut unused = OpeningTree::new(&fleet, opening, |_| true);
    let mut in_use = ScoreIndex::new(&fleet, position, false, |_| false);
    for &i in order {
        let need = Need::new(p, i);
        if fit == Fit::First {
            if let Some((j, form)) = unused.first(&fleet, i, &need) {
                fleet.add(i, j, form);
                unused.update(&fleet, j, true);
                placement[i] = Some((j as u32, form));
            }
            continue;
        }
        let choice = match in_use.pick(&fleet, i, &need) {
            Some(pick) => Some((pick.host, pick.form, true)),
            None => unused.first(&fleet, i, &need).map(|(j, form)| (j, form, false)),
        };
        if let Some((j, form, was_in_use)) = choice {
            fleet.add(i, j, form);
            if was_in_use {
                in_use.update(&fleet, j);
            } else {
                unused.update(&fleet, j, false);
                in_use.add(&fleet, j);
            }
            placement[i] = Some((j as u32, form));
        }
    }
    (fleet, placement)
}

/// At most this many workloads of a host are tried for ejection per round (a random choice among them otherwise).
const HOST_ITEMS: usize = 16;
/// At most this many left-out workloads (the smallest) are offered the room an ejection makes.
const CANDIDATES: usize = 48;
/// At most this many other hosts are tried for an ejected workload (a random choice among them otherwise).
const MOVE_HOSTS: usize = 128;

/// Raise the number placed by ejections, until a round gains nothing or the budget is spent: on each used host
/// (random order), one workload at a time is taken off and the smallest left-out workloads are put into its room;
/// kept when two or more go in, or when one goes in and the ejected workload goes onto another host. The count
/// never goes down; returns whether it went up.
pub fn more_placed(state: &mut State, budget: &mut Budget, rng: &mut Rng) -> Result<bool> {
    let p = state.problem();
    let (n, m) = (p.workload_count(), p.host_count());
    let sizes = sizes(p, Key::Sum);
    let placeable = crate::bounds::placeable(p);
    budget.charge(n as u64)?;
    let mut gained_any = false;
    let mut others: Vec<usize> = (0..m).collect();
    loop {
        let mut left: Vec<usize> = (0..n).filter(|&i| placeable[i] && state.host_of(i).is_none()).collect();
        if left.is_empty() || budget.spent() {
            break;
        }
        left.sort_by(|&a, &b| sizes[a].total_cmp(&sizes[b]).then(a.cmp(&b)));
        left.truncate(CANDIDATES);
        let smallest = sizes[left[0]];
        let mut hosts: Vec<usize> = (0..m).filter(|&j| state.count(j) > 0).collect();
        rng.shuffle(&mut hosts);
        let mut gained = false;
        for j in hosts {
            if budget.spent() {
                break;
            }
            let mut members: Vec<u32> = state.members(j).to_vec();
            rng.shuffle(&mut members);
            members.truncate(HOST_ITEMS);
            for a in members {
                let a = a as usize;
                // ejecting a workload no larger than every candidate cannot make room for two of them; a pinned
                // workload stays where it runs (a live fleet's hard rule)
                if state.host_of(a) != Some(j) || sizes[a] <= smallest || p.live().is_some_and(|l| l.pinned[a]) {
                    continue;
                }
                let form_a = state.form_of(a);
                state.remove(a);
                let mut added = Vec::new();
                for &u in &left {
                    if u != a && state.host_of(u).is_none() {
                        if let Some(form) = state.first_form(u, j) {
                            state.add(u, j, form);
                            added.push(u);
                        }
                    }
                }
                budget.charge(left.len() as u64 + 2)?;
                let moved = match added.len() {
                    0 => false,
                    1 => move_elsewhere(state, a, j, &mut others, budget, rng)?,
                    _ => {
                        // one more placed already; the ejected workload may still find a host
                        move_elsewhere(state, a, j, &mut others, budget, rng)?;
                        true
                    }
                };
                if moved {
                    gained = true;
                    left.retain(|&u| state.host_of(u).is_none());
                    if state.host_of(a).is_none() {
                        left.push(a);
                        left.sort_by(|&x, &y| sizes[x].total_cmp(&sizes[y]).then(x.cmp(&y)));
                    }
                    if left.is_empty() {
                        return Ok(true);
                    }
                    break;
                }
                for &u in &added {
                    state.remove(u);
                }
                state.add(a, j, form_a);
            }
        }
        gained_any |= gained;
        if !gained {
            break;
        }
    }
    Ok(gained_any)
}

/// Put workload `a` (on no host) on another host than `from` that takes it (a random sample of hosts); whether it
/// went.
fn move_elsewhere(state: &mut State, a: usize, from: usize, others: &mut [usize], budget: &mut Budget, rng: &mut Rng) -> Result<bool> {
    // a partial shuffle: the first `MOVE_HOSTS` places get a random sample
    let tries = others.len().min(MOVE_HOSTS);
    for k in 0..tries {
        let pick = k + rng.below(others.len() - k);
        others.swap(k, pick);
    }
    let spot = others[..tries]
        .iter()
        .copied()
        .filter(|&k| k != from)
        .find_map(|k| state.first_form(a, k).map(|form| (k, form)));
    budget.charge(tries as u64)?;
    match spot {
        Some((k, form)) => {
            state.add(a, k, form);
            Ok(true)
        }
        None => Ok(false),
    }
}
