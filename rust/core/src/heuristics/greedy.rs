//! One pass of a constructive heuristic over the workloads.

use super::{opening_order, workload_order, Method};
use crate::fit::Fleet;
use crate::model::{Form, Objective, Problem, SortKey};

/// The first host in `hosts` that takes workload `i`, with its form.
fn first_fit(fleet: &Fleet, i: usize, hosts: impl Iterator<Item = usize>) -> Option<(usize, Form)> {
    hosts.into_iter().find_map(|j| fleet.first_form(i, j).map(|form| (j, form)))
}

/// Among `hosts`, the one left with the least (or, for `worst`, the most) normalised free capacity after taking
/// workload `i`; ties go to the earliest.
fn best_or_worst_fit(fleet: &Fleet, i: usize, hosts: impl Iterator<Item = usize>, worst: bool) -> Option<(usize, Form)> {
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

/// Run `method` once; returns the fleet's final state and, per workload in input order, its host and form.
pub fn run<'p>(
    problem: &'p Problem,
    method: Method,
    key: SortKey,
    objective: Objective,
) -> (Fleet<'p>, Vec<Option<(u32, Form)>>) {
    let mut fleet = Fleet::new(problem);
    let opening = opening_order(problem, objective);
    let mut placement = vec![None; problem.workload_count()];
    for i in workload_order(problem, method, key) {
        let choice = match method {
            Method::FirstFit | Method::FirstFitDecreasing => first_fit(&fleet, i, opening.iter().copied()),
            Method::BestFitDecreasing => {
                let in_use = opening.iter().copied().filter(|&j| fleet.count(j) > 0);
                best_or_worst_fit(&fleet, i, in_use, false)
                    .or_else(|| first_fit(&fleet, i, opening.iter().copied().filter(|&j| fleet.count(j) == 0)))
            }
            Method::WorstFitDecreasing => best_or_worst_fit(&fleet, i, opening.iter().copied(), true),
        };
        if let Some((j, form)) = choice {
            fleet.add(i, j, form);
            placement[i] = Some((j as u32, form));
        }
    }
    (fleet, placement)
}
