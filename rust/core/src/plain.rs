//! The check for plain one-dimensional bin packing: a problem that is bin packing in disguise.
//!
//! One dimension that any host has, every host alike, no overheads, no per-host cap and no rule that depends on a
//! host's other workloads: a host is then fully described by its free capacity in that dimension, and each
//! workload takes the same amount on any host. The heuristics ([`crate::heuristics`]'s plain module), the lower
//! bounds and the improvement search (its plain module) each have a faster path for such problems; they recognise
//! them here, once.

use crate::fit::statically_allowed;
use crate::model::{Form, Isolation, Problem, CPU};

/// Scores `free / capacity` are strictly increasing in `free` for capacities below this.
const EXACT_CAPACITY: u64 = 1 << 52;

/// A problem recognised as plain bin packing: the dimension that matters, the one capacity, and each workload's
/// form (None: no host may run it).
pub struct Plain {
    dim: usize,
    capacity: u64,
    forms: Vec<Option<Form>>,
}

impl Plain {
    /// The problem as plain bin packing, or None when any rule, overhead or difference between hosts is in play.
    pub fn detect(problem: &Problem) -> Option<Plain> {
        let (n, m, dims) = (problem.workload_count(), problem.host_count(), problem.dims());
        // a live fleet's hosts differ by what runs on them now
        // (and a fleet with eligibility or group rules, whose hosts differ by whom they may take, or with ratios)
        if m == 0
            || problem.live().is_some()
            || problem.eligibility().is_some()
            || problem.rules().is_some()
            || problem.overbook().is_some()
        {
            return None;
        }
        let largest = problem.largest_capacity();
        let mut present = (0..dims).filter(|&d| largest[d] > 0);
        let dim = present.next()?;
        if present.next().is_some() || largest[dim] >= EXACT_CAPACITY {
            return None;
        }
        let capacity = largest[dim];
        let hosts = problem.hosts();
        let alike = (0..m).all(|j| {
            problem.capacity(j)[dim] == capacity
                && hosts.os[j] == hosts.os[0]
                && hosts.hypervisor[j] == hosts.hypervisor[0]
                && hosts.containers[j] == hosts.containers[0]
                && hosts.max_workloads[j].is_none()
        });
        let over = problem.overheads();
        let no_overheads = [&over.vm, &over.container, &over.hypervisor, &over.container_runtime]
            .iter()
            .all(|fixed| fixed.iter().all(|&v| v == 0))
            && (dim != CPU || over.vm_cpu_factor_ppm.iter().all(|&f| f == 1_000_000));
        if !alike || !no_overheads {
            return None;
        }
        let w = problem.workloads();
        let no_rules = (0..n).all(|i| {
            w.isolation[i] == Isolation::None
                && w.group[i].is_none()
                && problem.demand(i).iter().enumerate().all(|(d, &v)| d == dim || v == 0)
        });
        if !no_rules {
            return None;
        }
        // every host is like host 0: the first form the static rules allow there is the form everywhere
        let first_form = |i| Form::TRY_ORDER.into_iter().find(|&f| statically_allowed(problem, i, 0, f));
        let forms = (0..n).map(first_form).collect();
        Some(Plain { dim, capacity, forms })
    }

    /// Workload `i`'s size: its demand in [`Plain::dim`].
    pub(crate) fn size(&self, problem: &Problem, i: usize) -> u64 {
        problem.demand(i)[self.dim]
    }

    /// Workload `i`'s form on every host (None: no host may run it).
    pub(crate) fn form(&self, i: usize) -> Option<Form> {
        self.forms[i]
    }

    /// The one dimension that has capacity.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Every host's capacity in [`Plain::dim`].
    pub fn capacity(&self) -> u64 {
        self.capacity
    }

    /// The sizes of the workloads that some host can run (a form allowed, at most the capacity), ascending.
    pub fn placeable_sizes_ascending(&self, problem: &Problem) -> Vec<u64> {
        let n = problem.workload_count();
        let placeable = |i: &usize| self.forms[*i].is_some() && self.size(problem, *i) <= self.capacity;
        let sizes = (0..n).filter(placeable).map(|i| self.size(problem, i));
        if self.capacity <= counting_limit(n) {
            let mut count = vec![0usize; self.capacity as usize + 1];
            for s in sizes {
                count[s as usize] += 1;
            }
            let mut out = Vec::with_capacity(n);
            for (s, &c) in count.iter().enumerate() {
                out.resize(out.len() + c, s as u64);
            }
            return out;
        }
        let mut out: Vec<u64> = sizes.collect();
        out.sort_unstable();
        out
    }
}

/// Sizes up to this are sorted by counting (a table of this many rows costs less than comparing `n` sizes).
pub(crate) fn counting_limit(n: usize) -> u64 {
    (4 * n as u64).max(1 << 16)
}


/// Whether `problem` is plain one-dimensional bin packing, which the heuristics, bounds and search solve with
/// structures made for it (same plans as the general ones).
pub fn is_plain_bin_packing(problem: &Problem) -> bool {
    Plain::detect(problem).is_some()
}
