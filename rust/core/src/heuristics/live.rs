//! The heuristics on a live fleet (docs/design-live-rules-capacity.md, "The live-fleet contract of the
//! heuristics"): keep every workload that can stay where it runs, then place the rest by the method, within the
//! move budgets.

use super::greedy::place;
use super::method::Method;
use super::order::workload_order;
use crate::fit::HostStates;
use crate::model::{Form, Live, Objective, Placement, Problem, SortKey};

/// What step 1 (keep) leaves: which workloads stay, and those that cannot.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Kept {
    pub kept: Vec<bool>,
    /// Workloads with a current host that could not stay (a drained host, or their place breaks a rule now), in
    /// input order.
    pub forced: Vec<usize>,
    /// Pinned workloads that do not fit their place, in input order; they stay unplaced.
    pub pin_conflicts: Vec<usize>,
}

/// Step 1: pinned workloads first, then the others with a current host, each group in input order; each stays on
/// its current host (in its current form when given, else the first form of the try order that fits) when it fits
/// the hosts' state so far. A drained host keeps nothing.
pub fn keep(fleet: &mut HostStates, placement: &mut Placement) -> Kept {
    let problem = fleet.problem();
    let n = problem.workload_count();
    let mut out = Kept { kept: vec![false; n], ..Kept::default() };
    let Some(live) = problem.live() else { return out };
    let pinned = (0..n).filter(|&i| live.pinned[i]);
    let others = (0..n).filter(|&i| !live.pinned[i] && live.current_host[i].is_some());
    for i in pinned.chain(others) {
        let Some((j, form)) = problem.current(i) else { continue };
        let stays = match form {
            _ if live.drain[j] => None,
            Some(form) => fleet.fits(i, j, form).then_some(form),
            None => fleet.first_form(i, j),
        };
        match stays {
            Some(form) => {
                fleet.add(i, j, form);
                placement[i] = Some((j as u32, form));
                out.kept[i] = true;
            }
            None if live.pinned[i] => out.pin_conflicts.push(i),
            None => out.forced.push(i),
        }
    }
    out.forced.sort_unstable();
    out.pin_conflicts.sort_unstable();
    out
}

/// The moves spent so far against the budgets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Spent {
    pub moves: u64,
    pub cost: u64,
}

impl Spent {
    /// Whether one more move of `cost` stays within `live`'s budgets.
    pub fn allows(self, live: &Live, cost: u64) -> bool {
        live.max_moves.map_or(true, |most| self.moves < most)
            && live.max_move_cost.map_or(true, |most| self.cost.saturating_add(cost) <= most)
    }
}

/// Whether workload `i` at `place` is a move: it has a current host and ends on another host, in another form
/// than its current form (when given), or unplaced.
pub fn is_move(problem: &Problem, i: usize, place: Option<(u32, Form)>) -> bool {
    match (problem.current(i), place) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some((j, form)), Some((k, f))) => j != k as usize || form.is_some_and(|form| form != f),
    }
}

/// The moves of a plan and their summed cost.
pub fn moves_of(problem: &Problem, placement: &[Option<(u32, Form)>]) -> Spent {
    let mut spent = Spent::default();
    for (i, &place) in placement.iter().enumerate() {
        if is_move(problem, i, place) {
            spent.moves += 1;
            spent.cost = spent.cost.saturating_add(problem.move_cost(i));
        }
    }
    spent
}

/// Run `method` on a live fleet: step 1 ([`keep`]), then the workloads not kept (new ones and forced moves; not the
/// pin conflicts) in the method's order onto the hosts' state, drained hosts excluded. A forced move is placed only
/// while the budgets allow one more move, and counts whether placed or left out.
pub fn run<'p>(
    problem: &'p Problem,
    method: Method,
    key: SortKey,
    objective: Objective,
    stop: &dyn Fn() -> bool,
) -> (HostStates<'p>, Placement) {
    let live = problem.live().expect("a live problem");
    let mut fleet = HostStates::new(problem);
    let mut placement = vec![None; problem.workload_count()];
    let kept = keep(&mut fleet, &mut placement);
    let mut rest = vec![true; problem.workload_count()];
    for &i in kept.pin_conflicts.iter() {
        rest[i] = false;
    }
    for (i, &k) in kept.kept.iter().enumerate() {
        rest[i] &= !k;
    }
    let order: Vec<usize> = workload_order(problem, method, key).into_iter().filter(|&i| rest[i]).collect();
    let mut spent = Spent::default();
    let gate = |i: usize| {
        if live.current_host[i].is_none() {
            return true;
        }
        let cost = problem.move_cost(i);
        let within = spent.allows(live, cost);
        spent.moves += 1;
        spent.cost = spent.cost.saturating_add(cost);
        within
    };
    place(&mut fleet, &mut placement, method, objective, &order, |j| !live.drain[j], gate, stop);
    (fleet, placement)
}
