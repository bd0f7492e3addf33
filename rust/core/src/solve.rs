//! The entry point: run a heuristic or the `auto` portfolio, and bound the result.

use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::bounds::{bound_of, lower_bound_explained};
use crate::error::{Error, Result};
use crate::fit::{objective_value, HostStates};
use crate::heuristics::live::{keep, moves_of};
use crate::heuristics::{self, Method};
use crate::improve;
use crate::model::{Form, Objective, Problem, SortKey};
use crate::plain::Plain;

/// Which method to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MethodChoice {
    /// One heuristic with one sort key.
    Heuristic(Method, SortKey),
    /// A portfolio of heuristics and sort keys; the best plan is kept.
    Auto,
}

impl MethodChoice {
    /// Parse a method name (`auto`, `ff`, `ffd`, `bfd`, `wfd`) and a sort key name.
    pub fn parse(method: &str, sort_key: &str) -> Result<MethodChoice> {
        let key = SortKey::from_str(sort_key)?;
        if method == "auto" {
            return Ok(MethodChoice::Auto);
        }
        Ok(MethodChoice::Heuristic(Method::from_str(method)?, key))
    }
}

#[derive(Clone, Debug)]
pub struct Options {
    pub method: MethodChoice,
    pub objective: Objective,
    /// `Auto` starts no new portfolio member once this much time has passed (one always runs).
    pub time_limit: Option<Duration>,
    /// Set by another thread to stop the solve: it then returns [`Error::Interrupted`] within a few thousand
    /// placements.
    pub cancel: Option<Arc<AtomicBool>>,
    /// Seeds `auto`'s improvement search.
    pub seed: u64,
    /// Work units of `auto`'s improvement search (see [`crate::improve`]); None: without a time limit
    /// [`improve::default_work`], with one as much as the time limit leaves. `Some(0)` turns the search off.
    pub search_work: Option<u64>,
}

impl Options {
    pub fn new(method: MethodChoice, objective: Objective) -> Options {
        Options { method, objective, time_limit: None, cancel: None, seed: 0, search_work: None }
    }

    /// Whether the caller has asked the solve to stop.
    pub fn cancelled(&self) -> bool {
        self.cancel.as_ref().is_some_and(|flag| flag.load(Ordering::Relaxed))
    }
}

/// A plan: per workload in input order, its host index and form, or None when it is left out.
#[derive(Clone, Debug, PartialEq)]
pub struct Solution {
    pub placement: Vec<Option<(u32, Form)>>,
    /// Per host (row-major, `dims` per host), what it uses in the end, per-host overheads included.
    pub used: Vec<u64>,
    /// Which heuristic produced it, e.g. `bfd/l2` (or `ff`).
    pub strategy: String,
    pub objective_value: f64,
    pub lower_bound: f64,
    /// Which rule makes the lower bound, in words ([`crate::bounds::lower_bound_explained`]).
    pub bound_reason: String,
    /// How many hosts the plan uses, and their total cost (summed in host input order, as the objective sums it).
    pub hosts_used: usize,
    pub cost: f64,
    /// In a live fleet: how many workloads the plan moves (to another host, into another form than their current
    /// form, or out of the plan), and their summed move cost; 0 for greenfield.
    pub moves: u64,
    pub move_cost: u64,
    /// Pinned workloads that do not fit their place (left out), in input order.
    pub pin_conflicts: Vec<usize>,
    /// Workloads with a current host that could not stay there (a drained host, or a rule their place breaks), in
    /// input order: moves whatever the plan.
    pub forced_moves: Vec<usize>,
}

impl Solution {
    pub fn placed(&self) -> usize {
        self.placement.iter().filter(|p| p.is_some()).count()
    }
}

/// The (method, sort key) pairs that `auto` runs, in order; the first best plan wins ties.
pub fn portfolio(objective: Objective) -> Vec<(Method, SortKey)> {
    use Method::*;
    let lead: &[Method] = match objective {
        Objective::Spread => &[WorstFitDecreasing, FirstFitDecreasing, BestFitDecreasing],
        _ => &[FirstFitDecreasing, BestFitDecreasing],
    };
    let mut runs: Vec<(Method, SortKey)> =
        lead.iter().flat_map(|&m| SortKey::ALL.into_iter().map(move |k| (m, k))).collect();
    runs.push((FirstFit, SortKey::Sum));
    runs
}

fn strategy_name(method: Method, key: SortKey) -> String {
    match method {
        Method::FirstFit => "ff".into(),
        _ => format!("{}/{}", method.name(), key.name()),
    }
}

/// Solve `problem` as `options` say. Never panics on a valid [`Problem`].
pub fn solve(problem: &Problem, options: &Options) -> Result<Solution> {
    if let MethodChoice::Heuristic(method, key) = options.method {
        if let Some(plain) = Plain::detect(problem) {
            return solve_plain(problem, &plain, method, key, options);
        }
    }
    let start = Instant::now();
    let live = problem.live().is_some();
    let runs = match options.method {
        MethodChoice::Heuristic(method, key) => vec![(method, key)],
        MethodChoice::Auto => portfolio(options.objective),
    };
    // (placed, objective value, placement, per-host usage, strategy) of the best run so far
    let mut best: Option<Candidate> = None;
    // in a live fleet, the least move cost breaks ties (0 otherwise: greenfield order unchanged)
    let move_cost = |placement: &[Option<(u32, Form)>]| if live { moves_of(problem, placement).cost } else { 0 };
    // with soft group rules, the least penalty breaks ties of count and value, before move cost
    let soft = problem.rules().is_some_and(|r| r.any_soft());
    let stop = || options.cancelled();
    for (method, key) in runs {
        let (fleet, placement) = heuristics::run(problem, method, key, options.objective, &stop);
        if options.cancelled() {
            return Err(Error::Interrupted);
        }
        let placed = placement.iter().filter(|p| p.is_some()).count();
        let value = fleet.objective_value(options.objective);
        let better = match &best {
            None => true,
            Some((best_placed, best_value, best_placement, ..)) => {
                let tied = placed == *best_placed && value == *best_value;
                let penalties = || (penalty(problem, &placement), penalty(problem, best_placement));
                placed > *best_placed
                    || (placed == *best_placed && value < *best_value)
                    || (soft && tied && penalties().0 < penalties().1)
                    || (live && tied && penalties().0 == penalties().1 && move_cost(&placement) < move_cost(best_placement))
            }
        };
        if better {
            let used = (0..problem.host_count()).flat_map(|j| fleet.used(j).to_vec()).collect();
            best = Some((placed, value, placement, used, strategy_name(method, key)));
        }
        if options.time_limit.is_some_and(|limit| start.elapsed() >= limit) {
            break;
        }
    }
    let best = best.ok_or_else(|| Error::InvalidInput("no method to run".into()))?;
    if options.method != MethodChoice::Auto {
        let (_, value, placement, used, strategy) = best;
        let bound = lower_bound_explained(problem, options.objective, placement.iter().flatten().count());
        return Ok(finish(problem, placement, used, strategy, value, bound));
    }
    if live {
        return live_phase(problem, best, options, start);
    }
    // with its search on, `auto` places the most first: when the portfolio leaves out workloads that fit an empty
    // host, the count phase runs (improve/count.rs)
    let searching = options.search_work != Some(0);
    let mut shaped: Option<Candidate> = None;
    if searching && options.objective != Objective::Spread && improve::shape::heterogeneous(problem) {
        // on a fleet of several host types, a plan that opens hosts by shape may start the search better
        let mut budget = improve::Budget::new(
            shape_work(problem, options),
            options.time_limit.map(|limit| start + limit),
            options.cancel.as_deref(),
        );
        shaped = improve::shape::shape_plan(problem, options.objective, &mut budget)?
            .map(|placement| as_best(problem, options.objective, placement, "shape".into()));
        if options.cancelled() {
            return Err(Error::Interrupted);
        }
    }
    let placeable = || crate::bounds::most_placed(problem);
    let mut counted: Option<(crate::model::Placement, String)> = None;
    if searching && best.0 < problem.workload_count() && best.0 < placeable() {
        let limits = improve::Limits {
            // the count comes first: its phase gets as much as the search; with a time limit, half of what is left
            work: search_work(problem, options),
            deadline: options.time_limit.map(|limit| Instant::now() + limit.saturating_sub(start.elapsed()) / 2),
            cancel: options.cancel.as_deref(),
            seed: options.seed,
        };
        counted = improve::count::most_placed_plan(problem, options.objective, &limits, &stop)?;
        if options.cancelled() {
            return Err(Error::Interrupted);
        }
    }
    let deadline = options.time_limit.map(|limit| start + limit);
    // with a shaped plan to search from too, the portfolio's search gets half of the time left
    let first_deadline = match (&shaped, options.time_limit) {
        (Some(_), Some(limit)) => Some(Instant::now() + limit.saturating_sub(start.elapsed()) / 2),
        _ => deadline,
    };
    let from_count = counted.is_some();
    let (mut chosen, mut known_bound) = match counted {
        // every objective's search runs from the count phase's plan, and from the plan that places the most of them
        // while one places more (a few rounds): the objectives then end on one count. A time limit cuts the rounds
        // (the asked objective's search first) and changes nothing when it is not reached.
        Some((placement, name)) => {
            let mut results = converge(problem, placement, name, options, first_deadline)?;
            let k = OBJECTIVES.iter().position(|&o| o == options.objective).expect("every objective");
            results.swap_remove(k)
        }
        None => objective_phase(problem, options.objective, best.clone(), options, first_deadline)?,
    };
    // the portfolio's plan, when it places as many, may still lead to a better value (and wins ties: its name
    // then says where the plan came from)
    if from_count && best.0 >= chosen.0 {
        let (other, other_bound) = objective_phase(problem, options.objective, best, options, deadline)?;
        // (at equal value, not at a higher penalty: 0 against 0 without soft rules)
        let no_worse = || penalty(problem, &other.2) <= penalty(problem, &chosen.2);
        if other.0 > chosen.0 || (other.0 == chosen.0 && (other.1 < chosen.1 || (other.1 == chosen.1 && no_worse()))) {
            (chosen, known_bound) = (other, other_bound);
        }
    }
    // on a fleet of several host types, the search from the shaped plan too; its plan is kept only when strictly
    // better, so that plans stay where it finds nothing better
    if let Some(shaped) = shaped.filter(|shaped| shaped.0 >= chosen.0) {
        let (other, other_bound) = objective_phase(problem, options.objective, shaped, options, deadline)?;
        // (better by more than rounding: costs summed over other hosts may differ in their last bits)
        let lower_penalty = || other.1 == chosen.1 && penalty(problem, &other.2) < penalty(problem, &chosen.2);
        if other.0 > chosen.0
            || (other.0 == chosen.0 && (other.1 < chosen.1 - 1e-9 * chosen.1.abs().max(1.0) || lower_penalty()))
        {
            (chosen, known_bound) = (other, other_bound);
        }
    }
    let (placed, objective_value, placement, used, strategy) = chosen;
    // the search's bound is the same function's value; the reason is worked out again
    let (bound, bound_reason) = lower_bound_explained(problem, options.objective, placed);
    let lower_bound = match known_bound {
        Some((for_placed, known)) if for_placed == placed => known,
        _ => bound,
    };
    Ok(finish(problem, placement, used, strategy, objective_value, (lower_bound, bound_reason)))
}

/// `auto` on a live fleet: the count first when the portfolio leaves out workloads that fit; the live search from
/// the portfolio's plan under the budgets; without a budget, also a plan made as if from nothing, matched and
/// repacked onto the hosts where the workloads run now (and the greenfield search from the live search's plan when
/// that plan does no better than it); the best of them by count, objective, then move cost (docs/design-live-rules-
/// capacity.md, "Readings of the contract").
fn live_phase(problem: &Problem, best: Candidate, options: &Options, start: Instant) -> Result<Solution> {
    let (mut placed, mut objective_value, mut placement, mut used, mut strategy) = best;
    if search_work(problem, options) == 0 {
        // no search work: `auto` is its portfolio alone; the plan from nothing and the live passes are the search's
        // (the contract's step 4), so none of them runs either
        let bound = lower_bound_explained(problem, options.objective, placed);
        return Ok(finish(problem, placement, used, strategy, objective_value, bound));
    }
    let move_cost = |placement: &[Option<(u32, Form)>]| moves_of(problem, placement).cost;
    let limits = improve::Limits {
        work: search_work(problem, options),
        deadline: options.time_limit.map(|limit| start + limit),
        cancel: options.cancel.as_deref(),
        seed: options.seed,
    };
    // the count first, as in greenfield `auto`, when the portfolio leaves out workloads that fit an empty host:
    // without a budget the count phase (any plan is within it; pins and drains are static rules), with one every
    // heuristic (each keeps the budgets) and then the live search's ejections within the budgets
    let placeable = || crate::bounds::most_placed(problem);
    if placed < problem.workload_count() && placed < placeable() {
        let budgeted = problem.live().is_some_and(|live| live.budgeted());
        let stop = || options.cancelled();
        let mut more: Option<(crate::model::Placement, String)> = None;
        if budgeted {
            for method in Method::ALL {
                let keys: &[SortKey] = if method == Method::FirstFit { &[SortKey::Sum] } else { &SortKey::ALL };
                for &key in keys {
                    let (_, plan) = heuristics::run(problem, method, key, options.objective, &stop);
                    let count = plan.iter().flatten().count();
                    if count > more.as_ref().map_or(placed, |m| m.0.iter().flatten().count()) {
                        more = Some((plan, strategy_name(method, key)));
                    }
                }
            }
        } else {
            more = improve::count::most_placed_plan(problem, options.objective, &limits, &stop)?;
        }
        if options.cancelled() {
            return Err(Error::Interrupted);
        }
        // a pinned workload that stays in the portfolio's plan (step 1 keeps it) stays in the count's too: the
        // count phase's own constructions know nothing of pins but the static rules
        let pinned = |i: usize| problem.live().is_some_and(|live| live.pinned[i]);
        let pins_kept = |plan: &crate::model::Placement| (0..plan.len()).all(|i| !pinned(i) || placement[i].is_none() || plan[i].is_some());
        if let Some((plan, name)) = more.filter(|m| m.0.iter().flatten().count() > placed && pins_kept(&m.0)) {
            (placed, objective_value, placement, used, strategy) = as_best(problem, options.objective, plan, name);
        }
    }
    let key = |plan: &[Option<(u32, Form)>]| {
        (plan.iter().flatten().count(), HostStates::from_placement(problem, plan).objective_value(options.objective))
    };
    // without a budget, plan as if from nothing first (pins and drains kept: `free` has no other current place,
    // so this does not recurse again), its hosts matched to where the workloads run now
    let mut replanned = None;
    if let Some(free) = problem.live().filter(|live| !live.budgeted()).and_then(|_| problem.released()) {
        let mut within = options.clone();
        within.time_limit = options.time_limit.map(|limit| limit.saturating_sub(start.elapsed()));
        let fresh = solve(&free, &within)?;
        let matched = improve::live::relabel(problem, &fresh.placement);
        let fresh_placed = matched.iter().flatten().count();
        // for `hosts` and `cost`, the same number of hosts of each kind chosen where the most move cost runs now,
        // their workloads kept; else (or when that cannot hold the plan) the live passes from the matched plan
        let repacked = match options.objective {
            Objective::Spread => None,
            _ => Some(improve::repack_live(problem, options.objective, &matched, &limits)?)
                .filter(|found| found.better && found.placement.iter().flatten().count() >= fresh_placed),
        };
        let found = match repacked {
            Some(found) => found,
            None => improve::improve_live(problem, options.objective, &matched, &limits)?,
        };
        replanned = Some((found.placement, format!("replan({})", fresh.strategy), (fresh_placed, fresh.objective_value)));
    }
    // the live search from the portfolio's plan
    let found = improve::improve_live(problem, options.objective, &placement, &limits)?;
    let mut candidates = vec![(found.better, found.placement, format!("search({strategy})"))];
    if let Some((plan, name, fresh_key)) = replanned {
        candidates.push((true, plan, name));
        // and, when planning from nothing did no better than the live search, the greenfield search from the live
        // search's plan, which has emptied hosts with few moves
        if let Some(live_key) = candidates.first().map(|c| key(&c.1)) {
            if fresh_key.0 < live_key.0 || (fresh_key.0 == live_key.0 && fresh_key.1 >= live_key.1) {
                let searched = improve::improve(problem, options.objective, &candidates[0].1, &limits)?;
                let found = improve::improve_live(problem, options.objective, &searched.placement, &limits)?;
                candidates.push((true, found.placement, format!("search(search({strategy}))")));
            }
        }
    }
    for (changed, candidate, name) in candidates {
        if !changed {
            continue;
        }
        let fleet = HostStates::from_placement(problem, &candidate);
        let (now_placed, value) = (candidate.iter().flatten().count(), fleet.objective_value(options.objective));
        // kept only when strictly better: more placed, or as many and a lower value, or as good and a lower move cost
        let cheaper = value <= objective_value && move_cost(&candidate) < move_cost(&placement);
        if now_placed > placed || (now_placed == placed && (value < objective_value || cheaper)) {
            used = (0..problem.host_count()).flat_map(|j| fleet.used(j).to_vec()).collect();
            (placed, objective_value, placement) = (now_placed, value, candidate);
            strategy = name;
        }
    }
    // the search's bound is the same function's value; the reason is worked out again
    let (bound, bound_reason) = lower_bound_explained(problem, options.objective, placed);
    Ok(finish(problem, placement, used, strategy, objective_value, (bound, bound_reason)))
}

/// A plan of `auto` on its way: (placed, objective value, placement, per-host usage, strategy).
type Candidate = (usize, f64, Vec<Option<(u32, Form)>>, Vec<u64>, String);
/// A plan after its objective's search, with the bound the search worked out (for the number placed it names).
type Phase = (Candidate, Option<(usize, f64)>);

const OBJECTIVES: [Objective; 3] = [Objective::Hosts, Objective::Cost, Objective::Spread];
/// The shape-matched construction may spend at most this share (1 / SHAPE_SHARE) of the search's work units ...
const SHAPE_SHARE: u64 = 8;
/// ... or this many per workload when that is more: its pass looks at every class of demand vector for each
/// workload it places, so its work grows faster than the search's capped budget (on `realistic_fleet(100_000)`
/// it needs about 9.2 M units, 0.2 s, where an eighth of the budget is 1.9 M).
const SHAPE_WORK_PER_WORKLOAD: u64 = 200;

/// The work units of the shape-matched construction.
fn shape_work(problem: &Problem, options: &Options) -> u64 {
    let n = problem.workload_count() as u64;
    (search_work(problem, options) / SHAPE_SHARE).max(n.saturating_mul(SHAPE_WORK_PER_WORKLOAD))
}
/// At most this many rounds of [`converge`].
const CONVERGE_ROUNDS: usize = 8;

fn as_best(problem: &Problem, objective: Objective, placement: Vec<Option<(u32, Form)>>, strategy: String) -> Candidate {
    let fleet = HostStates::from_placement(problem, &placement);
    let used = (0..problem.host_count()).flat_map(|j| fleet.used(j).to_vec()).collect();
    (placement.iter().flatten().count(), fleet.objective_value(objective), placement, used, strategy)
}

/// Every objective's [`objective_phase`] from the count phase's plan; while one of them places more than its start
/// (its search made room the count phase missed), again from the first that places the most. Returns the last
/// round's (plan, bound) per objective, in [`OBJECTIVES`] order: the same for every asked objective, so that all
/// of them place as many whenever the rounds settle. Each search stops by `deadline` too; the asked objective's
/// runs first in each round, so that a deadline leaves it the time.
fn converge(
    problem: &Problem,
    placement: Vec<Option<(u32, Form)>>,
    name: String,
    options: &Options,
    deadline: Option<Instant>,
) -> Result<Vec<Phase>> {
    let (mut placement, mut name) = (placement, name);
    let mut results = Vec::new();
    let mut order: Vec<usize> = (0..OBJECTIVES.len()).collect();
    order.sort_by_key(|&k| OBJECTIVES[k] != options.objective);
    for _ in 0..CONVERGE_ROUNDS {
        let count = placement.iter().flatten().count();
        let mut round = Vec::with_capacity(order.len());
        for &k in &order {
            let o = OBJECTIVES[k];
            round.push((k, objective_phase(problem, o, as_best(problem, o, placement.clone(), name.clone()), options, deadline)?));
        }
        round.sort_by_key(|&(k, _)| k);
        results = round.into_iter().map(|(_, phase)| phase).collect();
        let most = results.iter().map(|r| r.0 .0).max().unwrap_or(count);
        if most <= count || deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        let k = results.iter().position(|r| r.0 .0 == most).expect("the most");
        (placement, name) = (results[k].0 .2.clone(), results[k].0 .4.clone());
    }
    Ok(results)
}

/// `auto`'s improvement search for `objective` from `start`, then the final fill: no left-out workload fits the
/// plan (improve/fill.rs), whatever stopped the search. Returns the plan and the bound the search worked out (for
/// the number placed it names).
fn objective_phase(
    problem: &Problem,
    objective: Objective,
    start: Candidate,
    options: &Options,
    deadline: Option<Instant>,
) -> Result<Phase> {
    let (mut placed, mut objective_value, mut placement, mut used, mut strategy) = start;
    let limits = improve::Limits {
        work: search_work(problem, options),
        deadline,
        cancel: options.cancel.as_deref(),
        seed: options.seed,
    };
    let found = improve::improve(problem, objective, &placement, &limits)?;
    let known_bound = found.bound;
    if found.better {
        let fleet = HostStates::from_placement(problem, &found.placement);
        let (now_placed, value) = (found.placement.iter().flatten().count(), fleet.objective_value(objective));
        // kept only when strictly better: more placed, or as many and a lower value (or penalty)
        let lower_penalty = || value == objective_value && penalty(problem, &found.placement) < penalty(problem, &placement);
        if now_placed > placed || (now_placed == placed && (value < objective_value || lower_penalty())) {
            used = (0..problem.host_count()).flat_map(|j| fleet.used(j).to_vec()).collect();
            (placed, objective_value, placement) = (now_placed, value, found.placement);
            if !strategy.starts_with("search(") {
                strategy = format!("search({strategy})");
            }
        }
    }
    if options.search_work != Some(0) && placed < problem.workload_count() {
        let mut state = improve::state::State::new(problem, &placement);
        if improve::fill::fill(&mut state, objective, options.cancel.as_deref())? > 0 {
            (placed, objective_value, placement, used, _) = as_best(problem, objective, state.placement(), String::new());
            if !strategy.starts_with("search(") {
                strategy = format!("search({strategy})");
            }
        }
    }
    Ok(((placed, objective_value, placement, used, strategy), known_bound))
}

/// The soft group rules' summed penalty of a plan (0 without soft rules): ties of count and objective go to the
/// lower.
fn penalty(problem: &Problem, placement: &[Option<(u32, Form)>]) -> u64 {
    problem.rules().filter(|r| r.any_soft()).map_or(0, |r| r.penalty(placement))
}

/// The work units of `auto`'s improvement search: as asked, all the time limit leaves, or the default budget.
fn search_work(problem: &Problem, options: &Options) -> u64 {
    match (options.search_work, options.time_limit) {
        (Some(work), _) => work,
        (None, Some(_)) => u64::MAX,
        (None, None) => improve::default_work(problem.workload_count()),
    }
}

/// One heuristic on plain bin packing: its plan, and the usage worked out from the sizes, without the fleet's
/// state that the rules need (most of the time of a 100k-workload solve went to building it).
fn solve_plain(problem: &Problem, plain: &Plain, method: Method, key: SortKey, options: &Options) -> Result<Solution> {
    let placement = heuristics::plain::pack(problem, plain, method, key, options.objective, &|| options.cancelled());
    if options.cancelled() {
        return Err(Error::Interrupted);
    }
    let used = heuristics::plain::usage(problem, plain, &placement);
    let in_use = hosts_in_use(problem, &placement);
    let objective_value = objective_value(problem, options.objective, &used, |j| in_use[j]);
    let bound = bound_of(problem, Some(plain), options.objective, placement.iter().flatten().count());
    // (plain problems have no live part: no moves to count)
    Ok(assemble(problem, placement, used, strategy_name(method, key), objective_value, bound, &in_use))
}

fn hosts_in_use(problem: &Problem, placement: &[Option<(u32, Form)>]) -> Vec<bool> {
    let mut in_use = vec![false; problem.host_count()];
    for &(j, _) in placement.iter().flatten() {
        in_use[j as usize] = true;
    }
    in_use
}

/// How many hosts are in use, and their total cost summed in host input order (as the objective sums it).
fn count_and_cost(problem: &Problem, in_use: &[bool]) -> (usize, f64) {
    let costs = &problem.hosts().cost;
    in_use.iter().zip(costs).filter(|(&u, _)| u).fold((0, 0.0), |(k, total), (_, &c)| (k + 1, total + c))
}

/// The solution, with the hosts it uses and their cost.
fn finish(
    problem: &Problem,
    placement: Vec<Option<(u32, Form)>>,
    used: Vec<u64>,
    strategy: String,
    objective_value: f64,
    bound: (f64, String),
) -> Solution {
    let in_use = hosts_in_use(problem, &placement);
    assemble(problem, placement, used, strategy, objective_value, bound, &in_use)
}

/// [`finish`] with the hosts in use already known, and the live part's moves and conflicts when there is one.
fn assemble(
    problem: &Problem,
    placement: Vec<Option<(u32, Form)>>,
    used: Vec<u64>,
    strategy: String,
    objective_value: f64,
    (lower_bound, bound_reason): (f64, String),
    in_use: &[bool],
) -> Solution {
    let (hosts_used, cost) = count_and_cost(problem, in_use);
    let (mut moves, mut move_cost, mut pin_conflicts, mut forced_moves) = (0, 0, Vec::new(), Vec::new());
    if let Some(live) = problem.live() {
        let spent = moves_of(problem, &placement);
        (moves, move_cost) = (spent.moves, spent.cost);
        pin_conflicts = (0..placement.len()).filter(|&i| live.pinned[i] && placement[i].is_none()).collect();
        // step 1 of the contract alone decides them, whatever the method
        let mut placed = vec![None; placement.len()];
        forced_moves = keep(&mut HostStates::new(problem), &mut placed).forced;
    }
    Solution {
        placement,
        used,
        strategy,
        objective_value,
        lower_bound,
        bound_reason,
        hosts_used,
        cost,
        moves,
        move_cost,
        pin_conflicts,
        forced_moves,
    }
}
