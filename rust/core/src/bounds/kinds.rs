//! Hosts alike in what the bounds read, which kinds of host each workload fits, and dimensions' names.

use std::collections::HashMap;

use crate::fit::HostStates;
use crate::model::{Form, Problem};

/// The hosts grouped by capacity and `max_workloads`: (first host of the kind, how many), in order of first
/// appearance. Hosts of one kind usually come together, so a host like the one before it is counted without hashing.
pub(super) fn host_kinds(problem: &Problem, hosts: impl Iterator<Item = usize>) -> Vec<(usize, usize)> {
    let caps = &problem.hosts().max_workloads;
    let key = |j: usize| (problem.capacity(j), caps[j]);
    let mut index: HashMap<(&[u64], Option<u64>), usize> = HashMap::new();
    let mut kinds: Vec<(usize, usize)> = Vec::new();
    let mut last = usize::MAX;
    for j in hosts {
        if last != usize::MAX && key(kinds[last].0) == key(j) {
            kinds[last].1 += 1;
            continue;
        }
        last = *index.entry(key(j)).or_insert_with(|| {
            kinds.push((j, 0));
            kinds.len() - 1
        });
        kinds[last].1 += 1;
    }
    kinds
}

/// Which hosts each workload fits when they are empty: the hosts grouped by everything [`HostStates::fits`] reads
/// on an empty host (as [`placeable`] groups them), and per workload a bit per group it fits (every bit when there
/// are more than 128 groups, so that the bits then only say whether it fits somewhere).
pub(super) struct FitKinds {
    /// The group of each host.
    pub(super) of_host: Vec<usize>,
    /// Per workload, the groups it fits; 0 when it fits no host.
    pub(super) masks: Vec<u128>,
}

impl FitKinds {
    pub(super) fn new(problem: &Problem) -> FitKinds {
        let hosts = problem.hosts();
        let key = |j: usize| {
        (problem.capacity(j), hosts.os[j], hosts.hypervisor[j], hosts.containers[j], hosts.max_workloads[j], problem.eligibility_kind(j))
    };
        let mut index = HashMap::new();
        let mut representatives: Vec<usize> = Vec::new();
        let mut of_host = Vec::with_capacity(problem.host_count());
        for j in 0..problem.host_count() {
            let group = if j > 0 && key(j) == key(j - 1) {
                of_host[j - 1]
            } else {
                *index.entry(key(j)).or_insert_with(|| {
                    representatives.push(j);
                    representatives.len() - 1
                })
            };
            of_host.push(group);
        }
        let empty = HostStates::new(problem);
        let few = representatives.len() <= 128;
        let masks = (0..problem.workload_count())
            .map(|i| {
                let mut mask = 0u128;
                for (g, &j) in representatives.iter().enumerate() {
                    if Form::TRY_ORDER.iter().any(|&f| empty.fits(i, j, f)) {
                        if !few {
                            return u128::MAX;
                        }
                        mask |= 1 << g;
                    }
                }
                mask
            })
            .collect();
        FitKinds { of_host, masks }
    }

    /// The hosts that some workload of `part` fits.
    pub(super) fn hosts_of(&self, part: &[usize]) -> Vec<usize> {
        let mask = part.iter().fold(0u128, |m, &i| m | self.masks[i]);
        (0..self.of_host.len()).filter(|&j| mask == u128::MAX || mask >> self.of_host[j] & 1 == 1).collect()
    }
}

/// A dimension's name in a bound's reason: the core knows cpu and memory (the first two), the others by position.
pub(super) fn dim_name(d: usize) -> String {
    match d {
        0 => "cpu".to_string(),
        1 => "memory".to_string(),
        _ => format!("dimension {d}"),
    }
}

