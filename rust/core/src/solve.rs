//! The entry point: run a heuristic or the `auto` portfolio, and bound the result.

use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::bounds::{bound_of, lower_bound_explained};
use crate::error::{Error, Result};
use crate::fit::{objective_value, HostStates};
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
    let runs = match options.method {
        MethodChoice::Heuristic(method, key) => vec![(method, key)],
        MethodChoice::Auto => portfolio(options.objective),
    };
    // (placed, objective value, placement, per-host usage, strategy) of the best run so far
    let mut best: Option<(usize, f64, Vec<Option<(u32, Form)>>, Vec<u64>, String)> = None;
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
            Some((best_placed, best_value, ..)) => placed > *best_placed || (placed == *best_placed && value < *best_value),
        };
        if better {
            let used = (0..problem.host_count()).flat_map(|j| fleet.used(j).to_vec()).collect();
            best = Some((placed, value, placement, used, strategy_name(method, key)));
        }
        if options.time_limit.is_some_and(|limit| start.elapsed() >= limit) {
            break;
        }
    }
    let (mut placed, mut objective_value, mut placement, mut used, mut strategy) =
        best.ok_or_else(|| Error::InvalidInput("no method to run".into()))?;
    let mut known_bound = None;
    if options.method == MethodChoice::Auto {
        let work = match (options.search_work, options.time_limit) {
            (Some(work), _) => work,
            (None, Some(_)) => u64::MAX,
            (None, None) => improve::default_work(problem.workload_count()),
        };
        let limits = improve::Limits {
            work,
            deadline: options.time_limit.map(|limit| start + limit),
            cancel: options.cancel.as_deref(),
            seed: options.seed,
        };
        let found = improve::improve(problem, options.objective, &placement, &limits)?;
        known_bound = found.bound;
        if found.better {
            let fleet = HostStates::from_placement(problem, &found.placement);
            let (now_placed, value) = (found.placement.iter().flatten().count(), fleet.objective_value(options.objective));
            // kept only when strictly better: more placed, or as many and a lower value
            if now_placed > placed || (now_placed == placed && value < objective_value) {
                used = (0..problem.host_count()).flat_map(|j| fleet.used(j).to_vec()).collect();
                (placed, objective_value, placement) = (now_placed, value, found.placement);
                strategy = format!("search({strategy})");
            }
        }
    }
    // the search's bound is the same function's value; the reason is worked out again
    let (bound, bound_reason) = lower_bound_explained(problem, options.objective, placed);
    let lower_bound = match known_bound {
        Some((for_placed, known)) if for_placed == placed => known,
        _ => bound,
    };
    Ok(finish(problem, placement, used, strategy, objective_value, (lower_bound, bound_reason)))
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
    let (lower_bound, bound_reason) = bound_of(problem, Some(plain), options.objective, placement.iter().flatten().count());
    let (hosts_used, cost) = count_and_cost(problem, &in_use);
    let strategy = strategy_name(method, key);
    Ok(Solution { placement, used, strategy, objective_value, lower_bound, bound_reason, hosts_used, cost })
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
    (lower_bound, bound_reason): (f64, String),
) -> Solution {
    let (hosts_used, cost) = count_and_cost(problem, &hosts_in_use(problem, &placement));
    Solution { placement, used, strategy, objective_value, lower_bound, bound_reason, hosts_used, cost }
}
