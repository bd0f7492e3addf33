//! Workload sizes for placing the most: each resource weighted by how scarce it is in the fleet. The count phase
//! ([`super::count`]) orders its constructions by them and the final fill ([`super::fill`]) tries the smallest first.

use crate::model::{Isolation, Problem};

/// How the per-resource parts of a workload's size combine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    Sum,
    Max,
}

impl Key {
    pub fn name(self) -> &'static str {
        match self {
            Key::Sum => "sum",
            Key::Max => "max",
        }
    }
}

/// Per workload, the share of the fleet it takes, each resource weighted by how scarce it is: in dimension `d`,
/// its smallest-form demand over the mean host capacity, times the fleet's total demand over its total capacity
/// (resources nobody runs short of count little); a slot of `max_workloads` counts as one more resource. A
/// dedicated workload takes at least a whole (mean) host. Parts are summed or, for [`Key::Max`], the largest taken.
pub fn sizes(p: &Problem, key: Key) -> Vec<f64> {
    let (n, m, dims) = (p.workload_count(), p.host_count(), p.dims());
    if m == 0 {
        return vec![0.0; n];
    }
    let mut capacity = vec![0.0f64; dims];
    for j in 0..m {
        for (total, &c) in capacity.iter_mut().zip(p.capacity(j)) {
            *total += c as f64;
        }
    }
    let mut demand = vec![0.0f64; dims];
    for i in 0..n {
        for (total, &a) in demand.iter_mut().zip(p.smallest(i)) {
            *total += a as f64;
        }
    }
    // (mean capacity, weight) per dimension, then for slots
    let mut parts: Vec<(f64, f64)> = (0..dims)
        .map(|d| if capacity[d] > 0.0 { (capacity[d] / m as f64, demand[d] / capacity[d]) } else { (0.0, 0.0) })
        .collect();
    let caps = &p.hosts().max_workloads;
    if caps.iter().any(|c| c.is_some()) {
        let slots: f64 = caps.iter().map(|c| c.map_or(n as u64, |c| c.min(n as u64)) as f64).sum();
        parts.push(if slots > 0.0 { (slots / m as f64, n as f64 / slots) } else { (0.0, 0.0) });
    }
    let isolation = &p.workloads().isolation;
    (0..n)
        .map(|i| {
            let small = p.smallest(i);
            let dedicated = isolation[i] == Isolation::Dedicated;
            let terms = parts.iter().enumerate().filter(|(_, &(mean, _))| mean > 0.0).map(|(d, &(mean, weight))| {
                let amount = if d < dims { small[d] as f64 } else { 1.0 };
                weight * if dedicated { amount.max(mean) } else { amount } / mean
            });
            match key {
                Key::Sum => terms.sum(),
                Key::Max => terms.fold(0.0, f64::max),
            }
        })
        .collect()
}
