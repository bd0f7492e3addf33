//! One pass of a constructive heuristic over the workloads.
//!
//! [`run`] finds each workload's host through the indexes of [`super::index`] in about logarithmic time;
//! [`run_reference`] states the same contract as a plain scan over the hosts, and tests hold the two equal.

use super::index::{Need, OpeningTree, ScoreIndex};
use super::method::Method;
use super::order::{opening_order, workload_order};
use super::unit::{place_unit, unit_rule, Chooser};
use crate::fit::HostStates;
use crate::model::{Form, Objective, Placement, Problem, RuleKind, SortKey};

/// How many workloads a heuristic places between two looks at its `stop` callback.
pub(super) const STOP_EVERY: usize = 4096;
/// How many workloads ahead of the one being placed [`warm`] reads.
const AHEAD: usize = 8;

/// Read the fields of workload `i` that finding its host reads. The workloads come in order of size, scattered
/// over memory; reading them a few workloads early lets their cache misses overlap with the work on the earlier
/// ones instead of stalling it (docs/performance.md).
fn warm(problem: &Problem, i: usize) {
    let w = problem.workloads();
    let sizes = (problem.smallest(i)[0], problem.demand(i)[0]);
    std::hint::black_box((sizes, w.forms[i], w.os[i], w.tenant[i], w.isolation[i], w.group[i]));
}

/// Run `method` once; returns the fleet's final state and, per workload in input order, its host and form.
/// `stop` is asked every few thousand workloads; when it says so, the run ends early with what it has placed.
/// The general path: [`super::run`] sends plain one-dimensional bin packing to [`super::plain`] instead, which
/// gives the same plans.
pub fn run<'p>(
    problem: &'p Problem,
    method: Method,
    key: SortKey,
    objective: Objective,
    stop: &dyn Fn() -> bool,
) -> (HostStates<'p>, Placement) {
    let mut fleet = HostStates::new(problem);
    let mut placement = vec![None; problem.workload_count()];
    let order = workload_order(problem, method, key);
    place(&mut fleet, &mut placement, method, objective, &order, |_| true, |_| true, stop);
    (fleet, placement)
}

/// Place the workloads of `order` (in that order) onto `fleet` by `method`, on the hosts that `eligible` takes;
/// a workload for which `gate` says no is skipped (left out). Hosts that already hold workloads count as in use.
/// `stop` is asked every few thousand workloads; when it says so, the pass ends early.
#[allow(clippy::too_many_arguments)]
pub fn place(
    fleet: &mut HostStates,
    placement: &mut Placement,
    method: Method,
    objective: Objective,
    full_order: &[usize],
    eligible: impl Fn(usize) -> bool,
    mut gate: impl FnMut(usize) -> bool,
    stop: &dyn Fn() -> bool,
) {
    let problem = fleet.problem();
    let opening = opening_order(problem, objective);
    let mut position = vec![0u32; problem.host_count()];
    for (p, &j) in opening.iter().enumerate() {
        position[j] = p as u32;
    }
    let order = full_order.iter().copied().enumerate().take_while(|&(k, _)| k % STOP_EVERY != 0 || k == 0 || !stop());
    let order = order.map(|(k, i)| {
        if let Some(&ahead) = full_order.get(k + AHEAD) {
            warm(problem, ahead);
        }
        i
    });
    let order = order.filter(|&i| gate(i));
    // greenfield passes place a hard affinity group as one unit (super::unit); `in_pass` says what comes later
    let units = problem.live().is_none() && problem.rules().is_some_and(|r| r.rules.iter().any(|r| r.kind == RuleKind::Affinity && r.hard()));
    let mut in_pass = Vec::new();
    if units {
        in_pass = vec![u32::MAX; problem.workload_count()];
        for (k, &i) in full_order.iter().enumerate() {
            in_pass[i] = k as u32;
        }
    }
    let mut chooser = match method {
        Method::FirstFit | Method::FirstFitDecreasing => Indexed::First(OpeningTree::new(fleet, &opening, &eligible)),
        Method::BestFitDecreasing => Indexed::Best {
            // hosts in use, by score; hosts not yet in use, in opening order
            in_use: ScoreIndex::new(fleet, &position, false, |j| eligible(j) && fleet.count(j) > 0),
            unused: OpeningTree::new(fleet, &opening, |j| eligible(j) && fleet.count(j) == 0),
        },
        Method::WorstFitDecreasing => Indexed::Worst(ScoreIndex::new(fleet, &position, true, &eligible)),
    };
    for i in order {
        if units {
            if placement[i].is_some() {
                continue; // placed with its group
            }
            if let Some(r) = unit_rule(fleet, i) {
                place_unit(fleet, placement, &mut chooser, i, r, &in_pass);
                continue;
            }
        }
        if let Some((j, form)) = chooser.choose(fleet, i) {
            fleet.add(i, j, form);
            chooser.placed(fleet, j);
            placement[i] = Some((j as u32, form));
        }
    }
}

/// A pass's indexes by method: first fit's opening tree; best fit's hosts in use by score and the others in
/// opening order; worst fit's hosts by score.
#[allow(clippy::large_enum_variant)] // one per pass
enum Indexed {
    First(OpeningTree),
    Best { in_use: ScoreIndex, unused: OpeningTree },
    Worst(ScoreIndex),
}

impl Chooser for Indexed {
    fn choose(&self, fleet: &HostStates, i: usize) -> Option<(usize, Form)> {
        let need = Need::new(fleet.problem(), i);
        match self {
            Indexed::First(tree) => tree.first(fleet, i, &need),
            Indexed::Best { in_use, unused } => match in_use.pick(fleet, i, &need) {
                Some(pick) => Some((pick.host, pick.form)),
                None => unused.first(fleet, i, &need),
            },
            Indexed::Worst(all) => all.pick(fleet, i, &need).map(|pick| (pick.host, pick.form)),
        }
    }

    fn placed(&mut self, fleet: &HostStates, j: usize) {
        match self {
            Indexed::First(tree) => tree.update(fleet, j, true),
            // (a host that held nothing before came from the unused ones)
            Indexed::Best { in_use, unused } if fleet.count(j) == 1 => {
                unused.update(fleet, j, false);
                in_use.add(fleet, j);
            }
            Indexed::Best { in_use, .. } => in_use.update(fleet, j),
            Indexed::Worst(all) => all.update(fleet, j),
        }
    }

    fn restored(&mut self, fleet: &HostStates, j: usize) {
        match self {
            Indexed::First(tree) => tree.update(fleet, j, true),
            Indexed::Best { in_use, unused } if fleet.count(j) == 0 => {
                in_use.remove(j);
                unused.update(fleet, j, true);
            }
            Indexed::Best { in_use, .. } => in_use.update(fleet, j),
            Indexed::Worst(all) => all.update(fleet, j),
        }
    }
}

/// The first host in `hosts` that takes workload `i`, with its form.
fn scan_first(fleet: &HostStates, i: usize, hosts: impl Iterator<Item = usize>) -> Option<(usize, Form)> {
    hosts.into_iter().find_map(|j| fleet.first_form(i, j).map(|form| (j, form)))
}

/// Among `hosts`, the one left with the least (or, for `worst`, the most) normalised free capacity after taking
/// workload `i`; ties go to the earliest.
fn scan_best(fleet: &HostStates, i: usize, hosts: impl Iterator<Item = usize>, worst: bool) -> Option<(usize, Form)> {
    let mut chosen: Option<(usize, Form, f64)> = None;
    for j in hosts {
        let Some(form) = fleet.first_form(i, j) else { continue };
        let free = fleet.normalised_free_after(i, j, form);
        let better = match chosen {
            None => true,
            Some((_, _, best)) => {
                if worst {
                    free > best
                } else {
                    free < best
                }
            }
        };
        if better {
            chosen = Some((j, form, free));
        }
    }
    chosen.map(|(j, form, _)| (j, form))
}

/// The contract stated as a plain scan over all hosts for every workload (cost: workloads × hosts). The reference
/// the indexed [`run`] is tested against.
pub fn run_reference(problem: &Problem, method: Method, key: SortKey, objective: Objective) -> (HostStates<'_>, Placement) {
    let mut fleet = HostStates::new(problem);
    let opening = opening_order(problem, objective);
    let mut placement = vec![None; problem.workload_count()];
    let order = workload_order(problem, method, key);
    let mut in_pass = vec![u32::MAX; problem.workload_count()];
    for (k, &i) in order.iter().enumerate() {
        in_pass[i] = k as u32;
    }
    let mut scan = Scan { method, opening };
    for i in order {
        if placement[i].is_some() {
            continue; // placed with its group
        }
        if let Some(r) = unit_rule(&fleet, i) {
            place_unit(&mut fleet, &mut placement, &mut scan, i, r, &in_pass);
            continue;
        }
        if let Some((j, form)) = scan.choose(&fleet, i) {
            fleet.add(i, j, form);
            placement[i] = Some((j as u32, form));
        }
    }
    (fleet, placement)
}

/// The contract's host choice as a scan over the hosts in opening order.
struct Scan {
    method: Method,
    opening: Vec<usize>,
}

impl Chooser for Scan {
    fn choose(&self, fleet: &HostStates, i: usize) -> Option<(usize, Form)> {
        let opening = self.opening.iter().copied();
        match self.method {
            Method::FirstFit | Method::FirstFitDecreasing => scan_first(fleet, i, opening),
            Method::BestFitDecreasing => scan_best(fleet, i, opening.clone().filter(|&j| fleet.count(j) > 0), false)
                .or_else(|| scan_first(fleet, i, opening.filter(|&j| fleet.count(j) == 0))),
            Method::WorstFitDecreasing => scan_best(fleet, i, opening, true),
        }
    }
    fn placed(&mut self, _: &HostStates, _: usize) {}
    fn restored(&mut self, _: &HostStates, _: usize) {}
}
