//! Fewer moves for a live plan's hosts (issue 15): a plan made as if from nothing frees the most hosts but moves
//! nearly every workload, since its hosts hold other workloads than the hosts that run them now. Repacking keeps
//! its number of hosts of each kind and chooses which hosts they are: those where the most move cost runs now.
//! Their workloads stay; the others are packed around them by best fit, largest first; a workload that finds no
//! room makes it by sending workloads that stayed elsewhere (the fewest, cheapest first), each at most once.
//!
//! The result holds the plan's placed workloads on as many hosts of each kind (so the same number of hosts and the
//! same cost), or is None when it cannot: the caller then keeps the plan.

use std::collections::{BTreeSet, HashMap, VecDeque};

use super::budget::Budget;
use super::state::State;
use crate::error::Result;
use crate::model::{Form, Hypervisor, Placement, Problem};

/// What makes hosts interchangeable in a plan: capacity, OS, hypervisor, containers, cap and cost.
/// (and, with group rules, the same domains)
type Kind<'a> = (&'a [u64], u32, Option<Hypervisor>, bool, Option<u64>, u64, u32);

/// Host `j`'s kind: two hosts of one kind can swap their contents under every rule but the live ones.
pub fn kind(problem: &Problem, j: usize) -> Kind<'_> {
    let hosts = problem.hosts();
    let domains = problem.rules_kind(j);
    (problem.capacity(j), hosts.os[j], hosts.hypervisor[j], hosts.containers[j], hosts.max_workloads[j], hosts.cost[j].to_bits(), domains)
}

/// Sum over host `j`'s dimensions of free / capacity (dimensions of capacity 0 skipped).
pub(super) fn normalised_free(state: &State, j: usize) -> f64 {
    let p = state.problem();
    state.used(j).iter().zip(p.capacity(j)).filter(|(_, &c)| c > 0).map(|(&u, &c)| c.saturating_sub(u) as f64 / c as f64).sum()
}

/// The chosen hosts ordered by their normalised free room (non-negative, so its bits order as the number does),
/// then by index: best fit is the first that fits, and room is likeliest where the most is free.
pub(super) struct ByRoom(BTreeSet<(u64, usize)>);

impl ByRoom {
    pub(super) fn new(state: &State, hosts: &[usize]) -> ByRoom {
        ByRoom(hosts.iter().map(|&j| (normalised_free(state, j).to_bits(), j)).collect())
    }

    /// Change host `j`'s contents by `change`, keeping the order.
    pub(super) fn update(&mut self, state: &mut State, j: usize, change: impl FnOnce(&mut State)) {
        self.0.remove(&(normalised_free(state, j).to_bits(), j));
        change(state);
        self.0.insert((normalised_free(state, j).to_bits(), j));
    }

    /// Leave host `j` out (as it is now).
    pub(super) fn forget(&mut self, state: &State, j: usize) {
        self.0.remove(&(normalised_free(state, j).to_bits(), j));
    }

    /// The hosts, least free first, from the first with at least `weight` free: a host that takes a workload of
    /// that weight has as much free (capacities are at most the largest, by which weights are scaled).
    pub(super) fn from(&self, weight: f64) -> impl Iterator<Item = usize> + '_ {
        self.0.range(((weight - 1e-9).max(0.0).to_bits(), 0)..).map(|&(_, j)| j)
    }
}

/// How many of the roomiest hosts [`make_room`] looks at for a workload.
const ROOM_CANDIDATES: usize = 64;

/// The hosts of the repacked plan: the plan's hosts that hold a pinned workload, and per kind as many other hosts
/// as the plan uses, those where the most move cost runs now first (then in input order); drained hosts never.
fn chosen_hosts(problem: &Problem, plan: &[Option<(u32, Form)>]) -> Vec<bool> {
    let live = problem.live().expect("a live problem");
    let m = problem.host_count();
    let mut fixed: Vec<bool> = live.drain.clone();
    let mut chosen = vec![false; m];
    for (i, place) in plan.iter().enumerate() {
        if let (Some((j, _)), true) = (place, live.pinned[i]) {
            fixed[*j as usize] = true;
            chosen[*j as usize] = true;
        }
    }
    let mut ids: HashMap<Kind, usize> = HashMap::new();
    let kind_of: Vec<usize> = (0..m).map(|j| {
        let next = ids.len();
        *ids.entry(kind(problem, j)).or_insert(next)
    }).collect();
    let mut used = vec![false; m];
    for &(j, _) in plan.iter().flatten() {
        used[j as usize] = true;
    }
    let mut need = vec![0usize; ids.len()];
    for j in (0..m).filter(|&j| used[j] && !fixed[j]) {
        need[kind_of[j]] += 1;
    }
    let mut staying = vec![0u64; m];
    for i in (0..problem.workload_count()).filter(|&i| !live.pinned[i]) {
        if let Some((j, _)) = problem.current(i) {
            staying[j] = staying[j].saturating_add(problem.move_cost(i).max(1));
        }
    }
    let mut order: Vec<usize> = (0..m).filter(|&j| !fixed[j]).collect();
    order.sort_by(|&a, &b| staying[b].cmp(&staying[a]).then(a.cmp(&b)));
    for j in order {
        if need[kind_of[j]] > 0 {
            need[kind_of[j]] -= 1;
            chosen[j] = true;
        }
    }
    chosen
}

/// Repack the valid live plan `plan` onto hosts chosen where its workloads run now (see the module's text).
pub fn repack(problem: &Problem, plan: &[Option<(u32, Form)>], budget: &mut Budget) -> Result<Option<Placement>> {
    let Some(live) = problem.live() else { return Ok(None) };
    let (n, m) = (problem.workload_count(), problem.host_count());
    let chosen = chosen_hosts(problem, plan);
    let hosts: Vec<usize> = (0..m).filter(|&j| chosen[j]).collect();
    let mut state = State::new(problem, &vec![None; n]);
    // pinned workloads where the plan has them, then every workload whose host is chosen stays
    for (i, place) in plan.iter().enumerate() {
        if let (Some((j, form)), true) = (place, live.pinned[i]) {
            state.add(i, *j as usize, *form);
        }
    }
    let mut stayed = vec![false; n];
    for i in (0..n).filter(|&i| !live.pinned[i]) {
        let Some((j, form)) = problem.current(i) else { continue };
        if !chosen[j] {
            continue;
        }
        let form = match form {
            Some(form) => state.fits(i, j, form).then_some(form),
            None => state.first_form(i, j),
        };
        if let Some(form) = form {
            state.add(i, j, form);
            stayed[i] = true;
        }
    }
    budget.charge(n as u64)?;
    let scale = problem.largest_capacity();
    let weight: Vec<f64> = (0..n)
        .map(|i| problem.smallest(i).iter().zip(&scale).filter(|(_, &s)| s > 0).map(|(&v, &s)| v as f64 / s as f64).sum())
        .collect();
    let largest_first = |items: &mut Vec<usize>| items.sort_by(|&a, &b| weight[b].total_cmp(&weight[a]).then(a.cmp(&b)));
    let mut rooms = ByRoom::new(&state, &hosts);
    // the plan's placed workloads that did not stay, largest first
    let mut rest: Vec<usize> = (0..n).filter(|&i| plan[i].is_some() && state.host_of(i).is_none()).collect();
    largest_first(&mut rest);
    let mut queue: VecDeque<usize> = rest.into_iter().collect();
    let mut evicted = vec![false; n];
    while let Some(i) = queue.pop_front() {
        if budget.spent() {
            return Ok(None);
        }
        if let Some((j, form)) = best_fit(&state, i, &weight, &chosen, &rooms, budget)? {
            rooms.update(&mut state, j, |s| s.add(i, j, form));
        } else if let Some((j, form, out)) = make_room(&mut state, i, &rooms, &stayed, &evicted, budget)? {
            rooms.update(&mut state, j, |s| {
                for &k in &out {
                    s.remove(k);
                }
                s.add(i, j, form);
            });
            for k in out {
                evicted[k] = true;
                queue.push_back(k);
            }
        } else {
            return Ok(None);
        }
    }
    // the plan's left-out workloads, as a bonus
    let mut left_out: Vec<usize> = (0..n).filter(|&i| plan[i].is_none() && state.host_of(i).is_none()).collect();
    largest_first(&mut left_out);
    for i in left_out {
        if let Some((j, form)) = best_fit(&state, i, &weight, &chosen, &rooms, budget)? {
            rooms.update(&mut state, j, |s| s.add(i, j, form));
        }
    }
    Ok(Some(state.placement()))
}

/// Workload `i`'s own current host when it is chosen and `i` fits there (in its current form when given), else
/// the chosen host that it fits and leaves least free.
fn best_fit(state: &State, i: usize, weight: &[f64], chosen: &[bool], rooms: &ByRoom, budget: &mut Budget) -> Result<Option<(usize, Form)>> {
    let p = state.problem();
    if let Some((j, form)) = p.current(i).filter(|&(j, _)| chosen[j]) {
        let home = match form {
            Some(form) => state.fits(i, j, form).then_some(form),
            None => state.first_form(i, j),
        };
        if let Some(form) = home {
            return Ok(Some((j, form)));
        }
    }
    // a host that takes `i` has at least its weight free (capacities are at most the largest): start there
    for j in rooms.from(weight[i]) {
        budget.charge(1)?;
        if let Some(form) = state.first_form(i, j) {
            return Ok(Some((j, form)));
        }
    }
    Ok(None)
}

/// The host among the [`ROOM_CANDIDATES`] roomiest where workload `i` fits after the fewest workloads that stayed
/// there (never evicted before) leave, cheapest moves first; ties to the least move cost, then the roomier host.
/// Returns the host, the form and the workloads to send away; the state is as before.
fn make_room(
    state: &mut State,
    i: usize,
    rooms: &ByRoom,
    stayed: &[bool],
    evicted: &[bool],
    budget: &mut Budget,
) -> Result<Option<(usize, Form, Vec<usize>)>> {
    let p = state.problem();
    let mut best: Option<(usize, u64, usize, Form, Vec<usize>)> = None;
    let allowed = |j: usize| Form::TRY_ORDER.into_iter().any(|f| crate::fit::statically_allowed(p, i, j, f));
    let candidates: Vec<usize> = rooms.0.iter().rev().map(|&(_, j)| j).filter(|&j| allowed(j)).take(ROOM_CANDIDATES).collect();
    for j in candidates {
        let mut movable: Vec<usize> =
            state.members(j).iter().map(|&k| k as usize).filter(|&k| stayed[k] && !evicted[k]).collect();
        movable.sort_by(|&a, &b| p.move_cost(a).cmp(&p.move_cost(b)).then(a.cmp(&b)));
        let mut out: Vec<(usize, Form)> = Vec::new();
        let mut cost = 0u64;
        let mut fit = None;
        for &k in &movable {
            if best.as_ref().is_some_and(|b| out.len() >= b.0) {
                break;
            }
            let form = state.form_of(k);
            state.remove(k);
            out.push((k, form));
            cost = cost.saturating_add(p.move_cost(k));
            fit = state.first_form(i, j);
            if fit.is_some() {
                break;
            }
        }
        budget.charge(2 * out.len() as u64 + 1)?;
        if let Some(form) = fit {
            let better = best.as_ref().map_or(true, |b| out.len() < b.0 || (out.len() == b.0 && cost < b.1));
            if better {
                best = Some((out.len(), cost, j, form, out.iter().map(|&(k, _)| k).collect()));
            }
        }
        for &(k, form) in out.iter().rev() {
            state.add(k, j, form);
        }
    }
    Ok(best.map(|(_, _, j, form, out)| (j, form, out)))
}
