//! The orders in which the heuristics take workloads and try hosts.

use std::cmp::Ordering;

use super::method::Method;
use crate::model::{Objective, Problem, SortKey};

/// `values[d] / scale[d]` for the dimensions that some host has (scale > 0), in dimension order.
fn normalised<'a>(values: &'a [u64], scale: &'a [u64]) -> impl Iterator<Item = f64> + 'a {
    values.iter().zip(scale).filter(|(_, &s)| s > 0).map(|(&v, &s)| v as f64 / s as f64)
}

/// The size of normalised values under a sort key, summed in dimension order (the baseline does the same, so the
/// floating-point results are identical).
pub fn sort_value(normalised: impl Iterator<Item = f64>, key: SortKey) -> f64 {
    match key {
        SortKey::Sum => normalised.fold(0.0, |total, x| total + x),
        SortKey::Max => normalised.fold(0.0, f64::max),
        SortKey::L2 => normalised.fold(0.0, |total, x| total + x * x),
        SortKey::Prod => normalised.fold(1.0, |product, x| product * x),
    }
}

/// Indices sorted by decreasing value; a stable sort keeps ties in input order.
fn decreasing(values: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[b].partial_cmp(&values[a]).unwrap_or(Ordering::Equal));
    order
}

/// FF takes workloads in input order; the decreasing methods by decreasing size of their smallest-form demand
/// normalised by the largest capacity per dimension, ties in input order.
pub fn workload_order(problem: &Problem, method: Method, key: SortKey) -> Vec<usize> {
    let n = problem.workload_count();
    if method == Method::FirstFit {
        return (0..n).collect();
    }
    let scale = problem.largest_capacity();
    let sizes: Vec<f64> =
        (0..n).map(|i| sort_value(normalised(problem.smallest(i), &scale), key)).collect();
    decreasing(&sizes)
}

/// The order in which hosts are tried: largest first (sum of normalised capacity) for `Hosts`, cheapest per unit
/// of normalised capacity first for `Cost`, input order for `Spread`; ties in input order.
pub fn opening_order(problem: &Problem, objective: Objective) -> Vec<usize> {
    let m = problem.host_count();
    if objective == Objective::Spread {
        return (0..m).collect();
    }
    let scale = problem.largest_capacity();
    let sizes: Vec<f64> = (0..m).map(|j| sort_value(normalised(problem.capacity(j), &scale), SortKey::Sum)).collect();
    if objective == Objective::Hosts {
        return decreasing(&sizes);
    }
    let per_unit: Vec<f64> = (0..m)
        .map(|j| if sizes[j] > 0.0 { problem.hosts().cost[j] / sizes[j] } else { f64::INFINITY })
        .collect();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| per_unit[a].partial_cmp(&per_unit[b]).unwrap_or(Ordering::Equal));
    order
}
