//! A plan that workloads can leave as well as join: the state the improvement search edits.
//!
//! [`crate::fit::HostStates`] only grows (the heuristics never move a workload), so it keeps summaries that cannot be
//! undone. Here every rule keeps counts instead, so that adding and removing a workload are both O(dims) plus a
//! look at the few tenants and anti-affinity groups on the host. The rules are those of `HostStates::fits`, checked
//! the same way.

use crate::fit::{effective, statically_allowed};
use crate::model::{Form, Isolation, Problem, RuleCounts};

/// The host of a workload that is on no host (left out, or waiting in the search's pool).
pub const NOWHERE: u32 = u32::MAX;

#[derive(Clone)]
pub struct State<'p> {
    p: &'p Problem,
    dims: usize,
    host_of: Vec<u32>,
    form_of: Vec<Form>,
    /// Per host, its workloads (in no particular order) and, per workload, its index in that list.
    members: Vec<Vec<u32>>,
    slot: Vec<u32>,
    /// Per host and dimension, what it uses, per-host overheads included.
    used: Vec<u64>,
    /// With ratios, per host and dimension the part of `used` that counts at ratio (empty without).
    over: Vec<u64>,
    vms: Vec<u32>,
    containers: Vec<u32>,
    dedicated: Vec<u32>,
    /// Per host, (tenant, number of its containers there).
    tenants: Vec<Vec<(u32, u32)>>,
    /// Per host, how many of its containers are tenant-isolated (they then all share one tenant).
    isolated: Vec<u32>,
    /// Per host, the anti-affinity groups of its workloads (each at most once, by the rule).
    groups: Vec<Vec<u32>>,
    used_hosts: usize,
    /// Per (group rule, domain) member counts (issue 16), with group rules only.
    rules: Option<RuleCounts>,
}

impl<'p> State<'p> {
    /// The plan `placement` (per workload its host and form, or None), which the caller guarantees is valid.
    pub fn new(p: &'p Problem, placement: &[Option<(u32, Form)>]) -> State<'p> {
        let (n, m, dims) = (p.workload_count(), p.host_count(), p.dims());
        let mut state = State {
            p,
            dims,
            host_of: vec![NOWHERE; n],
            form_of: vec![Form::Container; n],
            members: vec![Vec::new(); m],
            slot: vec![0; n],
            used: vec![0; m * dims],
            over: if p.overbook().is_some() { vec![0; m * dims] } else { Vec::new() },
            vms: vec![0; m],
            containers: vec![0; m],
            dedicated: vec![0; m],
            tenants: vec![Vec::new(); m],
            isolated: vec![0; m],
            groups: vec![Vec::new(); m],
            used_hosts: 0,
            rules: p.rules().map(RuleCounts::new),
        };
        for (i, place) in placement.iter().enumerate() {
            if let Some((j, form)) = *place {
                state.add(i, j as usize, form);
            }
        }
        state
    }

    pub fn problem(&self) -> &'p Problem {
        self.p
    }
    pub fn host_of(&self, i: usize) -> Option<usize> {
        (self.host_of[i] != NOWHERE).then_some(self.host_of[i] as usize)
    }
    pub fn form_of(&self, i: usize) -> Form {
        self.form_of[i]
    }
    pub fn members(&self, j: usize) -> &[u32] {
        &self.members[j]
    }
    pub fn count(&self, j: usize) -> usize {
        self.members[j].len()
    }
    pub fn used(&self, j: usize) -> &[u64] {
        &self.used[j * self.dims..(j + 1) * self.dims]
    }
    pub fn used_hosts(&self) -> usize {
        self.used_hosts
    }
    /// The group rules' member counts, with group rules.
    pub fn rule_counts(&self) -> Option<&RuleCounts> {
        self.rules.as_ref()
    }
    pub fn has_dedicated(&self, j: usize) -> bool {
        self.dedicated[j] > 0
    }

    /// The plan, per workload in input order.
    pub fn placement(&self) -> Vec<Option<(u32, Form)>> {
        (0..self.host_of.len()).map(|i| self.host_of(i).map(|j| (j as u32, self.form_of[i]))).collect()
    }

    pub fn placed(&self) -> usize {
        self.host_of.iter().filter(|&&j| j != NOWHERE).count()
    }

    /// The per-host overhead that a first VM or a first container on host `j` switches on, in dimension `d`.
    fn activation(&self, j: usize, form: Form, d: usize) -> u64 {
        let over = self.p.overheads();
        match form {
            Form::Vm if self.vms[j] == 0 => over.hypervisor[d],
            Form::Container if self.containers[j] == 0 => over.container_runtime[d],
            _ => 0,
        }
    }

    /// Whether host `j` can take workload `i` as `form` now, by every rule of the model (as `HostStates::fits`).
    pub fn fits(&self, i: usize, j: usize, form: Form) -> bool {
        self.fits_but_rules(i, j, form) && self.rules_allow(i, j)
    }

    /// Whether the group rules let workload `i` join host `j` now (they do not depend on the form).
    #[inline]
    fn rules_allow(&self, i: usize, j: usize) -> bool {
        match (&self.rules, self.p.rules()) {
            (Some(counts), Some(rules)) => counts.allows(rules, i, j),
            _ => true,
        }
    }

    /// [`State::fits`] but for the group rules.
    fn fits_but_rules(&self, i: usize, j: usize, form: Form) -> bool {
        let p = self.p;
        let w = p.workloads();
        if !statically_allowed(p, i, j, form) {
            return false;
        }
        let count = self.members[j].len() as u64;
        if p.hosts().max_workloads[j].is_some_and(|cap| count >= cap) {
            return false;
        }
        if self.dedicated[j] > 0 || (w.isolation[i] == Isolation::Dedicated && count > 0) {
            return false;
        }
        if let Some(group) = w.group[i] {
            if self.groups[j].contains(&group) {
                return false;
            }
        }
        if form == Form::Container {
            let tenant = w.tenant[i];
            let on = &self.tenants[j];
            // isolated containers on the host: every container there is of their one tenant
            if self.isolated[j] > 0 && on.first().is_some_and(|&(t, _)| t != tenant) {
                return false;
            }
            if w.isolation[i] == Isolation::Tenant && on.iter().any(|&(t, _)| t != tenant) {
                return false;
            }
        }
        let hypervisor = p.hosts().hypervisor[j];
        let capacity = p.capacity(j);
        let used = self.used(j);
        match p.overbook() {
            None => (0..self.dims).all(|d| {
                used[d]
                    .saturating_add(effective(p, i, form, hypervisor, d))
                    .saturating_add(self.activation(j, form, d))
                    <= capacity[d]
            }),
            Some(ob) => {
                let counts = p.overcommits(i);
                (0..self.dims).all(|d| {
                    let own = effective(p, i, form, hypervisor, d);
                    let after = used[d].saturating_add(own).saturating_add(self.activation(j, form, d));
                    let over = self.over[j * self.dims + d].saturating_add(if counts { own } else { 0 });
                    own <= capacity[d] && ob.within(j, d, after, over)
                })
            }
        }
    }

    /// With ratios, how much of [`State::used`] counts at host `j`'s ratio (None without ratios).
    pub fn over(&self, j: usize) -> Option<&[u64]> {
        self.p.overbook().map(|_| &self.over[j * self.dims..(j + 1) * self.dims])
    }

    /// Host `j`'s usage per dimension if workload `i` joined it as `form` (per-host overheads included).
    pub fn usage_after(&self, i: usize, j: usize, form: Form) -> Vec<u64> {
        let hypervisor = self.p.hosts().hypervisor[j];
        (0..self.dims)
            .map(|d| {
                self.used(j)[d]
                    .saturating_add(effective(self.p, i, form, hypervisor, d))
                    .saturating_add(self.activation(j, form, d))
            })
            .collect()
    }

    /// The form in which workload `i` goes on host `j` now: container if it fits, else VM if it fits.
    /// Whether host `j` runs a workload of anti-affinity group `group`.
    pub fn has_group(&self, j: usize, group: u32) -> bool {
        self.groups[j].contains(&group)
    }

    pub fn first_form(&self, i: usize, j: usize) -> Option<Form> {
        // the rules once for both forms, after the cheaper checks
        Form::TRY_ORDER.into_iter().find(|&form| self.fits_but_rules(i, j, form)).filter(|_| self.rules_allow(i, j))
    }

    /// Put workload `i` (on no host now) on host `j` as `form`; the caller has checked that it fits.
    pub fn add(&mut self, i: usize, j: usize, form: Form) {
        debug_assert_eq!(self.host_of[i], NOWHERE);
        let p = self.p;
        let w = p.workloads();
        let hypervisor = p.hosts().hypervisor[j];
        for d in 0..self.dims {
            let own = effective(p, i, form, hypervisor, d);
            let grow = own.saturating_add(self.activation(j, form, d));
            self.used[j * self.dims + d] = self.used[j * self.dims + d].saturating_add(grow);
            if !self.over.is_empty() && p.overcommits(i) {
                self.over[j * self.dims + d] += own;
            }
        }
        if self.members[j].is_empty() {
            self.used_hosts += 1;
        }
        self.slot[i] = self.members[j].len() as u32;
        self.members[j].push(i as u32);
        self.host_of[i] = j as u32;
        self.form_of[i] = form;
        match form {
            Form::Vm => self.vms[j] += 1,
            Form::Container => {
                self.containers[j] += 1;
                let tenant = w.tenant[i];
                match self.tenants[j].iter_mut().find(|(t, _)| *t == tenant) {
                    Some(entry) => entry.1 += 1,
                    None => self.tenants[j].push((tenant, 1)),
                }
                if w.isolation[i] == Isolation::Tenant {
                    self.isolated[j] += 1;
                }
            }
        }
        if w.isolation[i] == Isolation::Dedicated {
            self.dedicated[j] += 1;
        }
        if let Some(group) = w.group[i] {
            self.groups[j].push(group);
        }
        if let (Some(counts), Some(rules)) = (&mut self.rules, p.rules()) {
            counts.add(rules, i, j);
        }
    }

    /// Take workload `i` off its host; returns that host and the form it had.
    pub fn remove(&mut self, i: usize) -> (usize, Form) {
        let j = self.host_of[i] as usize;
        let form = self.form_of[i];
        let p = self.p;
        let w = p.workloads();
        match form {
            Form::Vm => self.vms[j] -= 1,
            Form::Container => {
                self.containers[j] -= 1;
                let tenant = w.tenant[i];
                let on = &mut self.tenants[j];
                let k = on.iter().position(|(t, _)| *t == tenant).expect("the tenant of a container on the host");
                on[k].1 -= 1;
                if on[k].1 == 0 {
                    on.swap_remove(k);
                }
                if w.isolation[i] == Isolation::Tenant {
                    self.isolated[j] -= 1;
                }
            }
        }
        // after the counts: the per-host overhead goes with the last VM or container
        let hypervisor = p.hosts().hypervisor[j];
        for d in 0..self.dims {
            let own = effective(p, i, form, hypervisor, d);
            self.used[j * self.dims + d] -= own.saturating_add(self.activation(j, form, d));
            if !self.over.is_empty() && p.overcommits(i) {
                self.over[j * self.dims + d] -= own;
            }
        }
        if w.isolation[i] == Isolation::Dedicated {
            self.dedicated[j] -= 1;
        }
        if let Some(group) = w.group[i] {
            let g = &mut self.groups[j];
            let k = g.iter().position(|&x| x == group).expect("the group of a workload on the host");
            g.swap_remove(k);
        }
        if let (Some(counts), Some(rules)) = (&mut self.rules, p.rules()) {
            counts.remove(rules, i, j);
        }
        let k = self.slot[i] as usize;
        let list = &mut self.members[j];
        list.swap_remove(k);
        if k < list.len() {
            self.slot[list[k] as usize] = k as u32;
        }
        if list.is_empty() {
            self.used_hosts -= 1;
        }
        self.host_of[i] = NOWHERE;
        (j, form)
    }

    /// Host `j`'s largest utilisation (usage / capacity) over the dimensions it has.
    pub fn utilisation(&self, j: usize) -> f64 {
        let mut worst = 0.0f64;
        for (&u, &c) in self.used(j).iter().zip(self.p.capacity(j)) {
            if c > 0 {
                worst = worst.max(u as f64 / c as f64);
            }
        }
        worst
    }
}
