//! The improvement search: from a valid plan (the best of `auto`'s portfolio) to a better one, under every rule.
//!
//! - `hosts` and `cost`: [`pack`] empties hosts by a consistent neighbourhood search (moves, swaps, ejections and
//!   reinsertions through a pool of workloads); plain one-dimensional bin packing has its own, faster one in
//!   [`plain`];
//! - `spread`: [`spread`] moves and swaps workloads off the most utilised host;
//! - with soft group rules, then [`penalty`] lowers their summed penalty with moves and swaps that keep the count and
//!   the objective value (the objective order's third term), on a budget of its own (a share of the search's, plus
//!   what the objective's search left).
//!
//! First, the count: workloads the plan leaves out are placed where they now fit ([`fill`]), and [`count`]'s
//! ejections make room for more of them (placing more comes first). The search
//! never places fewer workloads and never returns a worse plan than its start; it stops at the lower bound of
//! [`crate::bounds::lower_bound`], when its budget of work units is spent (deterministic for a seed), at the
//! deadline, or with [`crate::Error::Interrupted`] when the cancel flag is set. docs/improve.md has the details
//! and the measurements behind the default budget.

mod budget;
pub mod count;
pub mod fill;
pub mod live;
mod pack;
pub mod penalty;
mod plain;
mod repack;
pub mod rules;
pub mod scarcity;
pub mod shape;
mod spread;
pub mod state;


pub use budget::{Budget, Limits, Rng};
use state::State;

use crate::bounds::lower_bound_of;
use crate::error::Result;
use crate::model::{Form, Objective, Problem};
use crate::plain::Plain;

/// Work units of the default budget per workload ...
pub const WORK_PER_WORKLOAD: u64 = 1_500;
/// ... but at least this many (small instances) ...
pub const MIN_WORK: u64 = 10_000;
/// ... and at most this many (about a second on the machine of docs/improve.md).
pub const MAX_WORK: u64 = 15_000_000;

/// With soft group rules, the penalty phase may spend this share of the search's work units beyond what the
/// objective's search leaves.
pub const PENALTY_SHARE: u64 = 4;

/// The default budget of work units for `n` workloads, when no time limit is given.
pub fn default_work(n: usize) -> u64 {
    (n as u64).saturating_mul(WORK_PER_WORKLOAD).clamp(MIN_WORK, MAX_WORK)
}

/// The outcome: the plan (per workload its host and form) and whether it is better than the start.
pub struct Improved {
    pub placement: Vec<Option<(u32, Form)>>,
    pub better: bool,
    /// Work units spent.
    pub work: u64,
    /// The lower bound the search aimed at, with the number placed it was worked out for: the caller reuses it
    /// when the plan places as many (it costs a sort of every dimension).
    pub bound: Option<(usize, f64)>,
}

/// Improve the valid plan `placement` for `objective` within `limits`.
pub fn improve(problem: &Problem, objective: Objective, placement: &[Option<(u32, Form)>], limits: &Limits) -> Result<Improved> {
    let mut budget = Budget::new(limits.work, limits.deadline, limits.cancel);
    if budget.spent() || problem.workload_count() == 0 {
        return Ok(Improved { placement: placement.to_vec(), better: false, work: 0, bound: None });
    }
    let mut rng = Rng::new(limits.seed);
    let mut state = State::new(problem, placement);
    budget.charge(problem.workload_count() as u64)?;
    let start_placed = state.placed();
    // the count first: left-out workloads where they fit now, then ejections that make room for more of them
    let mut better = fill::fill(&mut state, objective, limits.cancel)? > 0;
    if state.placed() < problem.workload_count() && count::more_placed(&mut state, &mut budget, &mut rng)? {
        fill::fill(&mut state, objective, limits.cancel)?;
        better = true;
    }
    // recognised once: the bound and the choice of search both read it
    let plain = Plain::detect(problem);
    let (bound_placed, bound) = (state.placed(), lower_bound_of(problem, plain.as_ref(), objective, state.placed()));
    let bound_found = Some((bound_placed, bound));
    if let Some((plain, floor)) = plain.and_then(|plain| plain_floor(problem, plain, objective, bound)) {
        let start = state.placement();
        let found = plain::fewer_bins(problem, &plain, &start, floor, &mut budget, &mut rng)?;
        better |= found.is_some();
        let placement = found.unwrap_or(start);
        return Ok(Improved { placement, better, work: budget.work(), bound: bound_found });
    }
    let searched = match objective {
        Objective::Spread => spread::lower_peak(&mut state, bound, &mut budget, &mut rng)?,
        _ => pack::empty_hosts(&mut state, objective, bound, &mut budget, &mut rng)?,
    };
    debug_assert!(state.placed() >= start_placed);
    better |= searched;
    if problem.rules().is_some_and(|r| r.any_soft()) {
        // the objective's search may spend its whole budget: the penalty gets a share of its own on top
        let work = limits.work.saturating_sub(budget.work()).saturating_add(limits.work / PENALTY_SHARE);
        let mut extra = Budget::new(work, limits.deadline, limits.cancel);
        better |= penalty::lower_penalty(&mut state, objective, &mut extra, &mut rng)?;
        budget.charge(extra.work())?;
    }
    let placement = rules::keep_hard_rules(problem, state.placement());
    Ok(Improved { placement, better, work: budget.work(), bound: bound_found })
}

/// When plain one-dimensional bin packing is to use fewer hosts (`hosts`, or `cost` with one price for every
/// host), the fewest hosts the bound allows: [`plain`] (the search) takes over from the general search.
fn plain_floor(problem: &Problem, plain: Plain, objective: Objective, bound: f64) -> Option<(Plain, usize)> {
    let hosts = match objective {
        Objective::Hosts => bound,
        Objective::Cost => {
            let cost = &problem.hosts().cost;
            if cost.is_empty() || cost[0] <= 0.0 || cost.iter().any(|&c| c != cost[0]) {
                return None;
            }
            bound / cost[0] - 1e-9
        }
        Objective::Spread => return None,
    };
    (plain.capacity() <= plain::EXACT_CAPACITY).then(|| (plain, hosts.ceil().max(0.0) as usize))
}

/// Improve the valid plan `placement` of a live problem for `objective` within `limits` and the move budgets
/// ([`live`]): place what is left out, empty hosts within the budgets and take back needless moves. The caller keeps
/// the plan only when it is better in the order most placed, objective, least move cost.
pub fn improve_live(problem: &Problem, objective: Objective, placement: &[Option<(u32, Form)>], limits: &Limits) -> Result<Improved> {
    let mut budget = Budget::new(limits.work, limits.deadline, limits.cancel);
    if budget.spent() || problem.workload_count() == 0 {
        return Ok(Improved { placement: placement.to_vec(), better: false, work: 0, bound: None });
    }
    let mut state = State::new(problem, placement);
    budget.charge(problem.workload_count() as u64)?;
    live::improve_live(&mut state, objective, &mut budget, &mut Rng::new(limits.seed))?;
    let found = rules::keep_hard_rules(problem, state.placement());
    let better = found != placement;
    Ok(Improved { placement: found, better, work: budget.work(), bound: None })
}

/// A live plan with fewer moves on as many hosts of each kind ([`repack`]: the hosts where the most move cost runs
/// now, their workloads kept), then its needless moves taken back. `better` is false (and the plan the start) when
/// the repacking cannot hold the plan's workloads on those hosts.
pub fn repack_live(problem: &Problem, objective: Objective, placement: &[Option<(u32, Form)>], limits: &Limits) -> Result<Improved> {
    let mut budget = Budget::new(limits.work, limits.deadline, limits.cancel);
    let unchanged = |work| Ok(Improved { placement: placement.to_vec(), better: false, work, bound: None });
    if budget.spent() || problem.live().is_none() {
        return unchanged(0);
    }
    let Some(found) = repack::repack(problem, placement, &mut budget)? else { return unchanged(budget.work()) };
    let mut state = State::new(problem, &found);
    live::settle_live(&mut state, objective, &mut budget)?;
    let placement = rules::keep_hard_rules(problem, state.placement());
    Ok(Improved { placement, better: true, work: budget.work(), bound: None })
}
