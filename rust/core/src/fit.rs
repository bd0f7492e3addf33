//! Effective demand and feasibility: what a workload takes on a host in a form, and whether the host can take it.

use std::collections::HashSet;

use crate::model::{smallest_of, vm_cpu, Form, Hypervisor, Isolation, Objective, Problem, RuleCounts, CPU};

/// What workload `i` takes in dimension `d` as `form` on a host with hypervisor `hypervisor` (before the per-host
/// overheads). A container ignores the hypervisor.
pub fn effective(problem: &Problem, i: usize, form: Form, hypervisor: Option<Hypervisor>, d: usize) -> u64 {
    let raw = problem.demand(i)[d];
    let over = problem.overheads();
    match form {
        Form::Container => raw.saturating_add(over.container[d]),
        Form::Vm => {
            let base = match (d, hypervisor) {
                (CPU, Some(h)) => vm_cpu(raw, over.vm_cpu_factor_ppm[h as usize]),
                _ => raw,
            };
            base.saturating_add(over.vm[d])
        }
    }
}

/// Per dimension, the least workload `i` can take in any form it may take; a VM's CPU counts with the smallest of
/// the configured factors. Used for sort keys and lower bounds.
pub fn smallest_demand(problem: &Problem, i: usize) -> Vec<u64> {
    (0..problem.dims()).map(|d| smallest_demand_in(problem, i, d)).collect()
}

/// [`smallest_demand`] in dimension `d` alone (no allocation).
pub fn smallest_demand_in(problem: &Problem, i: usize, d: usize) -> u64 {
    smallest_of(problem.demand(i)[d], d, problem.workloads().forms[i], problem.overheads())
}

/// Whether the static rules let workload `i` run on host `j` as `form`: those of the host's kind
/// ([`allowed_by_kind`]), its eligibility (selector and tolerations, issue 16), and in a live fleet no drained host
/// and, for a pinned workload, only its own place.
pub fn statically_allowed(problem: &Problem, i: usize, j: usize, form: Form) -> bool {
    if !problem.eligible(i, j) {
        return false;
    }
    if let Some(live) = problem.live() {
        if live.drain[j] {
            return false;
        }
        if live.pinned[i] && (live.current_host[i] != Some(j as u32) || live.current_form[i].is_some_and(|f| f != form)) {
            return false;
        }
    }
    allowed_by_kind(problem, i, j, form)
}

/// The static rules that hold alike on every host of a kind (capacity aside): the workload's form, a hypervisor
/// for a VM, containers enabled and the same OS for a container.
pub fn allowed_by_kind(problem: &Problem, i: usize, j: usize, form: Form) -> bool {
    let w = problem.workloads();
    let h = problem.hosts();
    if !w.forms[i].allows(form) {
        return false;
    }
    match form {
        Form::Vm => h.hypervisor[j].is_some(),
        Form::Container => h.containers[j] && h.os[j] == w.os[i],
    }
}

/// The tenants of the containers on a host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tenants {
    Empty,
    One(u32),
    Many,
}

/// One host's state as [`HostStates::save`] took it.
#[derive(Clone, Debug)]
pub struct SavedHost {
    j: usize,
    used: Vec<u64>,
    over: Vec<u64>,
    count: u64,
    vms: u64,
    containers: u64,
    tenants: Tenants,
    isolated: Option<u32>,
    dedicated: bool,
}

impl SavedHost {
    /// The host saved.
    pub fn host(&self) -> usize {
        self.j
    }
}

/// The state of every host while a plan is being built.
#[derive(Clone, Debug)]
pub struct HostStates<'p> {
    problem: &'p Problem,
    used: Vec<u64>,
    /// With ratios, per host and dimension the part of `used` that counts at ratio (empty without).
    over: Vec<u64>,
    count: Vec<u64>,
    vms: Vec<u64>,
    containers: Vec<u64>,
    tenants: Vec<Tenants>,
    /// The tenant of the host's tenant-isolated containers; at most one tenant can have them on a host.
    isolated: Vec<Option<u32>>,
    dedicated: Vec<bool>,
    /// (host, anti-affinity group) pairs present.
    groups: HashSet<(u32, u32)>,
    hosts_used: usize,
    /// Per (group rule, domain) member counts (issue 16), with group rules only.
    rules: Option<RuleCounts>,
}

impl<'p> HostStates<'p> {
    /// Every host empty.
    pub fn new(problem: &'p Problem) -> HostStates<'p> {
        let m = problem.host_count();
        HostStates {
            problem,
            used: vec![0; m * problem.dims()],
            over: if problem.overbook().is_some() { vec![0; m * problem.dims()] } else { Vec::new() },
            count: vec![0; m],
            vms: vec![0; m],
            containers: vec![0; m],
            tenants: vec![Tenants::Empty; m],
            isolated: vec![None; m],
            dedicated: vec![false; m],
            groups: HashSet::new(),
            hosts_used: 0,
            rules: problem.rules().map(RuleCounts::new),
        }
    }

    pub fn problem(&self) -> &'p Problem {
        self.problem
    }

    /// How much of each dimension host `j` uses, per-host overheads included.
    pub fn used(&self, j: usize) -> &[u64] {
        let d = self.problem.dims();
        &self.used[j * d..(j + 1) * d]
    }

    /// With ratios, how much of [`HostStates::used`] counts at host `j`'s ratio (None without ratios).
    pub fn over(&self, j: usize) -> Option<&[u64]> {
        let d = self.problem.dims();
        self.problem.overbook().map(|_| &self.over[j * d..(j + 1) * d])
    }

    /// The most a workload's effective demand could still take of host `j` in dimension `d` (its free capacity
    /// without ratios): what the indexes prune with.
    #[inline]
    pub fn room(&self, j: usize, d: usize) -> u64 {
        let dims = self.problem.dims();
        let used = self.used[j * dims + d];
        match self.problem.overbook() {
            None => self.problem.capacity(j)[d].saturating_sub(used),
            Some(ob) => ob.room(j, d, used, self.over[j * dims + d]),
        }
    }

    /// How many workloads host `j` holds.
    pub fn count(&self, j: usize) -> u64 {
        self.count[j]
    }

    pub fn hosts_used(&self) -> usize {
        self.hosts_used
    }

    /// Whether host `j` runs at least one VM and at least one container (which per-host overheads it pays).
    pub fn runs(&self, j: usize) -> (bool, bool) {
        (self.vms[j] > 0, self.containers[j] > 0)
    }

    /// Whether host `j` can take no workload at all any more: it holds a dedicated workload or is at its cap.
    pub fn closed(&self, j: usize) -> bool {
        self.dedicated[j] || self.problem.hosts().max_workloads[j].is_some_and(|cap| self.count[j] >= cap)
    }

    /// Sum over host `j`'s dimensions of free / capacity now (dimensions of capacity 0 are skipped).
    pub fn normalised_free(&self, j: usize) -> f64 {
        if let Some(over) = self.over(j) {
            return free_score(self.problem, j, self.used(j), over);
        }
        let mut total = 0.0;
        for (&u, &cap) in self.used(j).iter().zip(self.problem.capacity(j)) {
            if cap > 0 {
                total += cap.saturating_sub(u) as f64 / cap as f64;
            }
        }
        total
    }

    /// The per-host overhead that placing a first VM or a first container switches on, in dimension `d`.
    fn activation(&self, j: usize, form: Form, d: usize) -> u64 {
        let over = self.problem.overheads();
        match form {
            Form::Vm if self.vms[j] == 0 => over.hypervisor[d],
            Form::Container if self.containers[j] == 0 => over.container_runtime[d],
            _ => 0,
        }
    }

    /// Host `j`'s usage in dimension `d` if workload `i` were added as `form`.
    pub fn usage_after(&self, i: usize, j: usize, form: Form, d: usize) -> u64 {
        let hypervisor = self.problem.hosts().hypervisor[j];
        self.used(j)[d]
            .saturating_add(effective(self.problem, i, form, hypervisor, d))
            .saturating_add(self.activation(j, form, d))
    }

    /// Whether host `j` can take workload `i` as `form` now, by every rule of the model.
    pub fn fits(&self, i: usize, j: usize, form: Form) -> bool {
        self.fits_but_rules(i, j, form) && self.rules_allow(i, j)
    }

    /// Whether the group rules let workload `i` join host `j` now (they do not depend on the form).
    #[inline]
    fn rules_allow(&self, i: usize, j: usize) -> bool {
        match (&self.rules, self.problem.rules()) {
            (Some(counts), Some(rules)) => counts.allows(rules, i, j),
            _ => true,
        }
    }

    /// [`HostStates::fits`] but for the group rules.
    fn fits_but_rules(&self, i: usize, j: usize, form: Form) -> bool {
        let p = self.problem;
        let w = p.workloads();
        if !statically_allowed(p, i, j, form) {
            return false;
        }
        if p.hosts().max_workloads[j].is_some_and(|cap| self.count[j] >= cap) {
            return false;
        }
        if self.dedicated[j] || (w.isolation[i] == Isolation::Dedicated && self.count[j] > 0) {
            return false;
        }
        if let Some(group) = w.group[i] {
            if self.groups.contains(&(j as u32, group)) {
                return false;
            }
        }
        if form == Form::Container {
            let tenant = w.tenant[i];
            if self.isolated[j].is_some_and(|t| t != tenant) {
                return false;
            }
            if w.isolation[i] == Isolation::Tenant
                && matches!(self.tenants[j], Tenants::Many)
                    | matches!(self.tenants[j], Tenants::One(t) if t != tenant)
            {
                return false;
            }
        }
        let capacity = p.capacity(j);
        match p.overbook() {
            None => (0..p.dims()).all(|d| self.usage_after(i, j, form, d) <= capacity[d]),
            Some(ob) => {
                let hypervisor = p.hosts().hypervisor[j];
                let dims = p.dims();
                let counts = p.overcommits(i);
                (0..dims).all(|d| {
                    let own = effective(p, i, form, hypervisor, d);
                    let over = self.over[j * dims + d].saturating_add(if counts { own } else { 0 });
                    own <= capacity[d] && ob.within(j, d, self.usage_after(i, j, form, d), over)
                })
            }
        }
    }

    /// The form in which workload `i` goes on host `j`: container if it fits, else VM if it fits.
    pub fn first_form(&self, i: usize, j: usize) -> Option<Form> {
        // the rules once for both forms, after the cheaper checks
        Form::TRY_ORDER.into_iter().find(|&form| self.fits_but_rules(i, j, form)).filter(|_| self.rules_allow(i, j))
    }

    /// Put workload `i` on host `j` as `form` (the caller has checked that it fits).
    pub fn add(&mut self, i: usize, j: usize, form: Form) {
        let dims = self.problem.dims();
        for d in 0..dims {
            self.used[j * dims + d] = self.usage_after(i, j, form, d);
        }
        self.add_over(i, j, form);
        self.record(i, j, form);
    }

    /// The state of a whole plan (valid by the rules): the same as adding its workloads one by one, in one pass
    /// that switches each host's per-host overheads on once at the end instead of checking them per workload.
    pub fn from_placement(problem: &'p Problem, placement: &[Option<(u32, Form)>]) -> HostStates<'p> {
        let mut fleet = HostStates::new(problem);
        let dims = problem.dims();
        let hypervisors = &problem.hosts().hypervisor;
        for (i, place) in placement.iter().enumerate() {
            if let Some((j, form)) = *place {
                let j = j as usize;
                for d in 0..dims {
                    let slot = &mut fleet.used[j * dims + d];
                    *slot = slot.saturating_add(effective(problem, i, form, hypervisors[j], d));
                }
                fleet.add_over(i, j, form);
                fleet.record(i, j, form);
            }
        }
        let over = problem.overheads();
        for j in 0..problem.host_count() {
            for (runs, fixed) in [(fleet.vms[j] > 0, &over.hypervisor), (fleet.containers[j] > 0, &over.container_runtime)] {
                if runs {
                    for d in 0..dims {
                        let slot = &mut fleet.used[j * dims + d];
                        *slot = slot.saturating_add(fixed[d]);
                    }
                }
            }
        }
        fleet
    }

    /// With ratios, count workload `i`'s effective demand at host `j`'s ratio when it may be overcommitted.
    fn add_over(&mut self, i: usize, j: usize, form: Form) {
        if self.over.is_empty() || !self.problem.overcommits(i) {
            return;
        }
        let dims = self.problem.dims();
        let hypervisor = self.problem.hosts().hypervisor[j];
        for d in 0..dims {
            let slot = &mut self.over[j * dims + d];
            *slot = slot.saturating_add(effective(self.problem, i, form, hypervisor, d));
        }
    }

    /// Everything but the usage that putting workload `i` on host `j` as `form` changes.
    fn record(&mut self, i: usize, j: usize, form: Form) {
        let w = self.problem.workloads();
        if self.count[j] == 0 {
            self.hosts_used += 1;
        }
        self.count[j] += 1;
        match form {
            Form::Vm => self.vms[j] += 1,
            Form::Container => {
                self.containers[j] += 1;
                let tenant = w.tenant[i];
                self.tenants[j] = match self.tenants[j] {
                    Tenants::Empty => Tenants::One(tenant),
                    Tenants::One(t) if t == tenant => Tenants::One(t),
                    _ => Tenants::Many,
                };
                if w.isolation[i] == Isolation::Tenant {
                    self.isolated[j] = Some(tenant);
                }
            }
        }
        if w.isolation[i] == Isolation::Dedicated {
            self.dedicated[j] = true;
        }
        if let Some(group) = w.group[i] {
            self.groups.insert((j as u32, group));
        }
        if let (Some(counts), Some(rules)) = (&mut self.rules, self.problem.rules()) {
            counts.add(rules, i, j);
        }
    }

    /// The group rules' member counts, with group rules.
    pub fn rule_counts(&self) -> Option<&RuleCounts> {
        self.rules.as_ref()
    }

    /// The group rules' member counts, to bar or open domains (`heuristics::unit`), with group rules.
    pub fn rule_counts_mut(&mut self) -> Option<&mut RuleCounts> {
        self.rules.as_mut()
    }

    /// Host `j`'s state, to put back with [`HostStates::restore`].
    pub fn save(&self, j: usize) -> SavedHost {
        let dims = self.problem.dims();
        SavedHost {
            j,
            used: self.used[j * dims..(j + 1) * dims].to_vec(),
            over: if self.over.is_empty() { Vec::new() } else { self.over[j * dims..(j + 1) * dims].to_vec() },
            count: self.count[j],
            vms: self.vms[j],
            containers: self.containers[j],
            tenants: self.tenants[j],
            isolated: self.isolated[j],
            dedicated: self.dedicated[j],
        }
    }

    /// Undo a trial: the workloads of `added` ((workload, host), in the order added, every host saved by `saved`
    /// before its first) come off again, and their hosts are as saved.
    pub fn restore(&mut self, saved: &[SavedHost], added: &[(usize, usize)]) {
        let w = self.problem.workloads();
        for &(i, j) in added.iter().rev() {
            if let Some(group) = w.group[i] {
                // (an anti-affinity group is on a host at most once: the trial added this pair)
                self.groups.remove(&(j as u32, group));
            }
            if let (Some(counts), Some(rules)) = (&mut self.rules, self.problem.rules()) {
                counts.remove(rules, i, j);
            }
        }
        let dims = self.problem.dims();
        for s in saved {
            let j = s.j;
            if self.count[j] > 0 && s.count == 0 {
                self.hosts_used -= 1;
            }
            self.used[j * dims..(j + 1) * dims].copy_from_slice(&s.used);
            if !self.over.is_empty() {
                self.over[j * dims..(j + 1) * dims].copy_from_slice(&s.over);
            }
            (self.count[j], self.vms[j], self.containers[j]) = (s.count, s.vms, s.containers);
            (self.tenants[j], self.isolated[j], self.dedicated[j]) = (s.tenants, s.isolated, s.dedicated);
        }
    }

    /// Sum over host `j`'s dimensions of free / capacity if workload `i` were added as `form` (dimensions of
    /// capacity 0 are skipped). Best fit minimises it, worst fit maximises it.
    pub fn normalised_free_after(&self, i: usize, j: usize, form: Form) -> f64 {
        if let Some(over) = self.over(j) {
            let p = self.problem;
            let hypervisor = p.hosts().hypervisor[j];
            let counts = p.overcommits(i);
            let used: Vec<u64> = (0..p.dims()).map(|d| self.usage_after(i, j, form, d)).collect();
            let over: Vec<u64> = (0..p.dims())
                .map(|d| over[d].saturating_add(if counts { effective(p, i, form, hypervisor, d) } else { 0 }))
                .collect();
            return free_score(p, j, &used, &over);
        }
        let capacity = self.problem.capacity(j);
        let mut total = 0.0;
        for (d, &cap) in capacity.iter().enumerate() {
            if cap > 0 {
                total += cap.saturating_sub(self.usage_after(i, j, form, d)) as f64 / cap as f64;
            }
        }
        total
    }

    /// Host `j`'s largest utilisation (usage / capacity) over the dimensions it has.
    pub fn utilisation(&self, j: usize) -> f64 {
        utilisation(self.used(j), self.problem.capacity(j))
    }

    /// The objective's score of the plan so far: hosts used, total cost (summed in host input order), or the
    /// largest utilisation of any used host.
    pub fn objective_value(&self, objective: Objective) -> f64 {
        match objective {
            Objective::Hosts => self.hosts_used as f64,
            _ => objective_value(self.problem, objective, &self.used, |j| self.count[j] > 0),
        }
    }
}

/// With ratios, the best-fit score of host `j` using `used` of which `over` counts at ratio: per dimension with
/// usable room, the slack `U × r - Q × r - O × 10^6` over `U × r` (without ratios, free / capacity).
pub fn free_score(problem: &Problem, j: usize, used: &[u64], over: &[u64]) -> f64 {
    let ob = problem.overbook().expect("free_score is for ratios");
    (0..problem.dims()).filter_map(|d| ob.free_share(j, d, used[d], over[d])).sum()
}

/// Whether host `j` takes, in every dimension, the physical usage `used` of which `over` counts at ratio, and no
/// single workload more than its capacity (checked by the caller); without ratios, `used <= capacity`.
pub fn within(problem: &Problem, j: usize, used: &[u64], over: &[u64]) -> bool {
    let capacity = problem.capacity(j);
    match problem.overbook() {
        None => used.iter().zip(capacity).all(|(u, c)| u <= c),
        Some(ob) => (0..problem.dims()).all(|d| ob.within(j, d, used[d], over[d])),
    }
}

/// The largest utilisation (usage / capacity) over the dimensions a host has.
pub fn utilisation(used: &[u64], capacity: &[u64]) -> f64 {
    let mut worst = 0.0f64;
    for (&u, &c) in used.iter().zip(capacity) {
        if c > 0 {
            worst = worst.max(u as f64 / c as f64);
        }
    }
    worst
}

/// A plan's score from what each host uses (row-major, per-host overheads included) and which hosts it uses: hosts
/// used, total cost (summed in host input order), or the largest utilisation of any used host.
pub fn objective_value(problem: &Problem, objective: Objective, used: &[u64], in_use: impl Fn(usize) -> bool) -> f64 {
    let dims = problem.dims();
    let hosts = (0..problem.host_count()).filter(|&j| in_use(j));
    match objective {
        Objective::Hosts => hosts.count() as f64,
        Objective::Cost => hosts.fold(0.0, |total, j| total + problem.hosts().cost[j]),
        Objective::Spread => {
            hosts.fold(0.0f64, |worst, j| worst.max(utilisation(&used[j * dims..(j + 1) * dims], problem.capacity(j))))
        }
    }
}
