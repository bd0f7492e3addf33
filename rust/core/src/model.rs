//! The model: workloads and hosts in columns, overheads, and the names of objectives and sort keys.
//!
//! Sizes are integers: CPU in millicores, memory in bytes, extra dimensions in whole units. Dimension 0 is CPU and
//! dimension 1 memory; the VM CPU factor applies to dimension 0 only.

use std::str::FromStr;

use crate::error::{Error, Result};

mod eligibility;
mod form;
mod live;
pub mod rules;
mod overbook;
pub use eligibility::Eligibility;
pub use overbook::{Overbook, MAX_RATIO_PPM, PPM};
pub use form::{Form, FormSet, Placement};
pub use live::Live;
pub use rules::{Rule, RuleCounts, RuleKind, RuleSet};

/// The largest size the model accepts. Every size then converts to `f64` exactly, and a VM CPU factor of up to
/// [`MAX_FACTOR_PPM`] keeps effective demands within `u64`.
pub const MAX_QUANTITY: u64 = 1 << 53;
/// The largest VM CPU factor, in parts per million (a factor of 1000).
pub const MAX_FACTOR_PPM: u64 = 1_000_000_000;
/// The largest host cost: sums of costs over any fleet, and the cost bound's fractions of them, stay finite.
pub const MAX_COST: f64 = MAX_QUANTITY as f64;
/// Index of the CPU dimension, the one the VM CPU factor scales.
pub const CPU: usize = 0;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Isolation {
    None,
    /// As a container, it shares its host only with containers of its own tenant (VMs beside it are fine).
    Tenant,
    /// Alone on its host.
    Dedicated,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Hypervisor {
    /// VT-x / AMD-V: a VM costs 2-3% CPU.
    Hardware = 0,
    Paravirtual = 1,
    /// Binary translation: about 30%.
    Software = 2,
}

/// What running a workload as a VM or a container costs beyond the workload itself. Each fixed vector has one
/// entry per dimension (extra dimensions carry no overhead, so theirs are 0).
#[derive(Clone, Debug, PartialEq)]
pub struct Overheads {
    /// Per VM (a guest OS).
    pub vm: Vec<u64>,
    /// Per container.
    pub container: Vec<u64>,
    /// Per host that runs at least one VM.
    pub hypervisor: Vec<u64>,
    /// Per host that runs at least one container.
    pub container_runtime: Vec<u64>,
    /// A VM's CPU is multiplied by its host's factor, in parts per million, indexed by [`Hypervisor`].
    pub vm_cpu_factor_ppm: [u64; 3],
}

impl Overheads {
    /// No overhead: VMs and containers cost exactly their workload.
    pub fn none(dims: usize) -> Overheads {
        Overheads {
            vm: vec![0; dims],
            container: vec![0; dims],
            hypervisor: vec![0; dims],
            container_runtime: vec![0; dims],
            vm_cpu_factor_ppm: [1_000_000; 3],
        }
    }

    /// The documented defaults: VM memory 512Mi, container memory 16Mi, hypervisor memory 1Gi, container runtime
    /// 100m CPU and 256Mi memory, factors 1.03 / 1.05 / 1.30.
    pub fn defaults(dims: usize) -> Overheads {
        let mi = 1u64 << 20;
        let fixed = |cpu: u64, memory: u64| {
            let mut v = vec![0; dims];
            v[0] = cpu;
            v[1] = memory;
            v
        };
        Overheads {
            vm: fixed(0, 512 * mi),
            container: fixed(0, 16 * mi),
            hypervisor: fixed(0, 1024 * mi),
            container_runtime: fixed(100, 256 * mi),
            vm_cpu_factor_ppm: [1_030_000, 1_050_000, 1_300_000],
        }
    }
}

/// One workload, for building a [`Problem`] row by row.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkloadSpec {
    pub demand: Vec<u64>,
    pub forms: FormSet,
    pub os: u32,
    pub tenant: u32,
    pub isolation: Isolation,
    pub group: Option<u32>,
}

impl WorkloadSpec {
    /// A workload of this demand, any form, os 0, tenant 0, no isolation, no anti-affinity group.
    pub fn new(demand: Vec<u64>) -> WorkloadSpec {
        WorkloadSpec { demand, forms: FormSet::ANY, os: 0, tenant: 0, isolation: Isolation::None, group: None }
    }
    pub fn forms(mut self, forms: FormSet) -> Self {
        self.forms = forms;
        self
    }
    pub fn os(mut self, os: u32) -> Self {
        self.os = os;
        self
    }
    pub fn tenant(mut self, tenant: u32, isolation: Isolation) -> Self {
        self.tenant = tenant;
        self.isolation = isolation;
        self
    }
    pub fn isolation(mut self, isolation: Isolation) -> Self {
        self.isolation = isolation;
        self
    }
    pub fn group(mut self, group: u32) -> Self {
        self.group = Some(group);
        self
    }
}

/// One host, for building a [`Problem`] row by row.
#[derive(Clone, Debug, PartialEq)]
pub struct HostSpec {
    pub capacity: Vec<u64>,
    pub os: u32,
    pub hypervisor: Option<Hypervisor>,
    pub containers: bool,
    pub cost: f64,
    pub max_workloads: Option<u64>,
}

impl HostSpec {
    /// A host of this capacity: os 0, hardware hypervisor, runs containers, cost 1, no cap on workloads.
    pub fn new(capacity: Vec<u64>) -> HostSpec {
        HostSpec {
            capacity,
            os: 0,
            hypervisor: Some(Hypervisor::Hardware),
            containers: true,
            cost: 1.0,
            max_workloads: None,
        }
    }
    pub fn os(mut self, os: u32) -> Self {
        self.os = os;
        self
    }
    pub fn hypervisor(mut self, hypervisor: Option<Hypervisor>) -> Self {
        self.hypervisor = hypervisor;
        self
    }
    pub fn containers(mut self, containers: bool) -> Self {
        self.containers = containers;
        self
    }
    pub fn cost(mut self, cost: f64) -> Self {
        self.cost = cost;
        self
    }
    pub fn max_workloads(mut self, max: u64) -> Self {
        self.max_workloads = Some(max);
        self
    }
}

/// Workloads in columns: `demand` is row-major, `dims` entries per workload.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Workloads {
    pub demand: Vec<u64>,
    pub forms: Vec<FormSet>,
    pub os: Vec<u32>,
    pub tenant: Vec<u32>,
    pub isolation: Vec<Isolation>,
    pub group: Vec<Option<u32>>,
}

/// Hosts in columns: `capacity` is row-major, `dims` entries per host.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Hosts {
    pub capacity: Vec<u64>,
    pub os: Vec<u32>,
    pub hypervisor: Vec<Option<Hypervisor>>,
    pub containers: Vec<bool>,
    pub cost: Vec<f64>,
    pub max_workloads: Vec<Option<u64>>,
}

/// A validated placement problem.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    dims: usize,
    pub(crate) workloads: Workloads,
    pub(crate) hosts: Hosts,
    pub(crate) overheads: Overheads,
    /// Per workload, its smallest-form demand (see [`crate::fit::smallest_demand`]), row-major: read by every
    /// sort key and bound, so worked out once.
    smallest: Vec<u64>,
    /// Where the fleet runs now, pins, drains and budgets (None: greenfield, and nothing of it costs anything).
    live: Option<Live>,
    /// Which hosts each workload may run on at all (None: every host; nothing of it costs anything).
    eligibility: Option<Eligibility>,
    /// The group rules (None: none; nothing of them costs anything).
    rules: Option<RuleSet>,
    /// Allocation ratios, workloads that may not be overcommitted, headroom (None: ratio 1 and everything usable;
    /// nothing of it costs anything).
    overbook: Option<Overbook>,
    /// Per host, its eligibility kind with ratios: the first host alike in eligibility and ratios (None without
    /// ratios: [`Eligibility::host_kind`]). Read by [`Problem::eligibility_kind`]; Python's `eligibility_kinds`.
    eligibility_kinds: Option<Vec<u32>>,
}

/// A VM's CPU before its fixed overhead: the workload's CPU times the factor (parts per million), rounded up.
pub fn vm_cpu(cpu: u64, factor_ppm: u64) -> u64 {
    let scaled = (cpu as u128 * factor_ppm as u128).div_ceil(1_000_000);
    u64::try_from(scaled).unwrap_or(u64::MAX)
}

/// The least that a workload of size `raw` in dimension `d` can take in any of its `forms`; a VM's CPU counts with
/// the smallest of the configured factors. [`Problem::new`] applies it to every workload, and
/// [`crate::fit::smallest_demand`] to one.
pub fn smallest_of(raw: u64, d: usize, forms: FormSet, over: &Overheads) -> u64 {
    let container = forms.allows(Form::Container).then(|| raw.saturating_add(over.container[d]));
    let vm = forms.allows(Form::Vm).then(|| {
        let min_ppm = *over.vm_cpu_factor_ppm.iter().min().expect("three factors");
        let base = if d == CPU { vm_cpu(raw, min_ppm) } else { raw };
        base.saturating_add(over.vm[d])
    });
    match (container, vm) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b).expect("a workload allows at least one form"),
    }
}

fn check_sizes(values: &[u64], what: &str, dims: usize, field: &str) -> Result<()> {
    match values.iter().position(|&v| v > MAX_QUANTITY) {
        Some(k) => Err(Error::InvalidInput(format!(
            "{what} {}: {field} in dimension {} is {} (at most 2**53)",
            k / dims.max(1),
            k % dims.max(1),
            values[k]
        ))),
        None => Ok(()),
    }
}

/// Every workload's [`crate::fit::smallest_demand_in`] at once, row-major: without overheads (plain bin packing,
/// most benchmarks) it is the demand itself.
fn smallest_demands(dims: usize, workloads: &Workloads, overheads: &Overheads) -> Vec<u64> {
    let no_overheads = [&overheads.vm, &overheads.container].iter().all(|fixed| fixed.iter().all(|&v| v == 0));
    // (a VM's CPU then counts with the least factor, 1: its demand too)
    if no_overheads && overheads.vm_cpu_factor_ppm.iter().min() == Some(&1_000_000) {
        return workloads.demand.clone();
    }
    let mut smallest = Vec::with_capacity(workloads.demand.len());
    for (row, &forms) in workloads.demand.chunks_exact(dims.max(1)).zip(&workloads.forms) {
        smallest.extend(row.iter().enumerate().map(|(d, &raw)| smallest_of(raw, d, forms, overheads)));
    }
    smallest
}

impl Problem {
    /// Check the columns against each other and the model's limits.
    pub fn new(dims: usize, workloads: Workloads, hosts: Hosts, overheads: Overheads) -> Result<Problem> {
        Problem::new_live(dims, workloads, hosts, overheads, None)
    }

    /// [`Problem::new`] with a live part, checked too (lengths, host rows in range, pinned only with a current host
    /// and never on a drained host). A live part with no current host and no drained host is greenfield: dropped.
    pub fn new_live(
        dims: usize,
        workloads: Workloads,
        hosts: Hosts,
        overheads: Overheads,
        live: Option<Live>,
    ) -> Result<Problem> {
        if dims < 2 {
            return Err(Error::InvalidInput(format!("dims: need cpu and memory (2 dimensions), got {dims}")));
        }
        let n = workloads.forms.len();
        let m = hosts.os.len();
        // checked: a huge `dims` is an error, not an overflow
        let lengths_ok = n.checked_mul(dims) == Some(workloads.demand.len())
            && [workloads.os.len(), workloads.tenant.len(), workloads.isolation.len(), workloads.group.len()]
                .iter()
                .all(|&len| len == n)
            && m.checked_mul(dims) == Some(hosts.capacity.len())
            && [hosts.hypervisor.len(), hosts.containers.len(), hosts.cost.len(), hosts.max_workloads.len()]
                .iter()
                .all(|&len| len == m);
        if !lengths_ok {
            return Err(Error::InvalidInput(format!(
                "columns of different lengths for {n} workloads, {m} hosts and {dims} dimensions"
            )));
        }
        check_sizes(&workloads.demand, "workload", dims, "demand")?;
        check_sizes(&hosts.capacity, "host", dims, "capacity")?;
        if let Some(j) = hosts.cost.iter().position(|c| !(0.0..=MAX_COST).contains(c)) {
            return Err(Error::InvalidInput(format!(
                "host {j}: cost must be a number from 0 to 2**53, got {}",
                hosts.cost[j]
            )));
        }
        for (name, fixed) in [
            ("vm", &overheads.vm),
            ("container", &overheads.container),
            ("hypervisor", &overheads.hypervisor),
            ("container_runtime", &overheads.container_runtime),
        ] {
            if fixed.len() != dims {
                return Err(Error::InvalidInput(format!("overheads {name}: expected {dims} entries")));
            }
            check_sizes(fixed, "overheads", dims, name)?;
        }
        if overheads.vm_cpu_factor_ppm.iter().any(|&f| f > MAX_FACTOR_PPM) {
            return Err(Error::InvalidInput("overheads vm_cpu_factor: at most 1000".into()));
        }
        if let Some(live) = &live {
            let problems = live.problems(n, m, MAX_QUANTITY);
            if !problems.is_empty() {
                return Err(Error::InvalidInput(problems.join("; ")));
            }
        }
        let live = live.filter(Live::is_live);
        let smallest = smallest_demands(dims, &workloads, &overheads);
        Ok(Problem { dims, workloads, hosts, overheads, smallest, live, eligibility: None, rules: None, overbook: None, eligibility_kinds: None })
    }

    /// This problem with a live part (checked as [`Problem::new_live`] checks it); its eligibility kept.
    pub fn with_live(self, live: Live) -> Result<Problem> {
        let (eligibility, rules, overbook, eligibility_kinds) = (self.eligibility, self.rules, self.overbook, self.eligibility_kinds);
        let problem = Problem::new_live(self.dims, self.workloads, self.hosts, self.overheads, Some(live))?;
        Ok(Problem { eligibility, rules, overbook, eligibility_kinds, ..problem })
    }

    /// This problem with static eligibility (issue 16), checked: a class per workload in range, a row per class
    /// of one entry per host. A table that allows every host everywhere is dropped: the problem is as without it.
    pub fn with_eligibility(self, eligibility: Eligibility) -> Result<Problem> {
        let eligibility =
            eligibility.checked(self.workload_count(), self.host_count()).map_err(Error::InvalidInput)?;
        let rules = self.rules.clone();
        let problem = Problem { eligibility, rules: None, ..self }.with_eligibility_kinds();
        // spread's eligible domains read the eligibility
        match rules {
            Some(rules) => problem.with_rules(rules),
            None => Ok(problem),
        }
    }

    /// This problem with group rules (issue 16), checked against it (lengths, rows and keys in range). Spread's
    /// eligible domains read the static eligibility: give that first. An empty table is dropped.
    pub fn with_rules(self, rules: RuleSet) -> Result<Problem> {
        let (w, h) = (&self.workloads, &self.hosts);
        let signature = |i: usize| (self.eligibility.as_ref().map_or(0, |e| e.class[i]), w.forms[i], w.os[i]);
        let statically = |i: usize, j: usize| {
            let container = w.forms[i].allows(Form::Container) && h.containers[j] && h.os[j] == w.os[i];
            let vm = w.forms[i].allows(Form::Vm) && h.hypervisor[j].is_some();
            self.eligible(i, j) && (container || vm)
        };
        let rules = rules
            .checked(self.workload_count(), self.host_count(), &signature, &statically)
            .map_err(Error::InvalidInput)?;
        Ok(Problem { rules, ..self })
    }

    /// Host `j`'s kind under the group rules (0 for every host without them): hosts of one kind can swap their
    /// whole contents under every group rule, so groupings of interchangeable hosts add it to their key.
    pub fn rules_kind(&self, j: usize) -> u32 {
        self.rules.as_ref().map_or(0, |r| r.host_kind(j))
    }

    /// The group rules, when there are any.
    #[inline]
    pub fn rules(&self) -> Option<&RuleSet> {
        self.rules.as_ref()
    }

    /// This problem with allocation ratios, overcommit flags and usable fractions (issue 16), checked. A part
    /// with every ratio and every usable fraction 1 is dropped: the problem is as without it.
    pub fn with_overbook(self, overbook: Overbook) -> Result<Problem> {
        let overbook = overbook
            .checked(self.workload_count(), &self.hosts.capacity, self.dims)
            .map_err(Error::InvalidInput)?;
        Ok(Problem { overbook, ..self }.with_eligibility_kinds())
    }

    /// The ratios part, when some host has a ratio other than 1 or some dimension a usable fraction below 1.
    pub fn overbook(&self) -> Option<&Overbook> {
        self.overbook.as_ref()
    }

    /// The same problem with every host's capacity grown to `floor(floor(capacity × usable) × ratio)` (at most
    /// 2**53) and no ratios: every plan of this problem is a plan of that one (a host's total demand is at most
    /// that), so its lower bounds are this problem's too. None without ratios.
    pub fn overbook_relaxed(&self) -> Option<Problem> {
        let ob = self.overbook.as_ref()?;
        let mut hosts = self.hosts.clone();
        for j in 0..self.host_count() {
            for d in 0..self.dims {
                let grown = ob.usable(j, d) as u128 * ob.ratio(j, d) as u128 / PPM as u128;
                hosts.capacity[j * self.dims + d] = grown.min(MAX_QUANTITY as u128) as u64;
            }
        }
        Some(Problem { hosts, overbook: None, ..self.clone() }.with_eligibility_kinds())
    }

    /// Whether workload `i`'s demand counts at its host's ratio (always, without ratios).
    #[inline]
    pub fn overcommits(&self, i: usize) -> bool {
        self.overbook.as_ref().is_none_or(|ob| ob.overcommit[i])
    }

    fn with_eligibility_kinds(mut self) -> Problem {
        self.eligibility_kinds = self.overbook.as_ref().map(|ob| {
            let mut first: std::collections::HashMap<(u32, &[u64]), u32> = std::collections::HashMap::new();
            (0..self.host_count())
                .map(|j| {
                    let kind = self.eligibility.as_ref().map_or(0, |e| e.host_kind(j));
                    *first.entry((kind, ob.ratios(j))).or_insert(j as u32)
                })
                .collect()
        });
        self
    }

    /// The static eligibility, when some workload may not run on some host by its selector or tolerations.
    pub fn eligibility(&self) -> Option<&Eligibility> {
        self.eligibility.as_ref()
    }

    /// Whether workload `i` may run on host `j` by its selector and tolerations (always, without eligibility).
    #[inline]
    pub fn eligible(&self, i: usize, j: usize) -> bool {
        match &self.eligibility {
            Some(e) => e.allows(i, j),
            None => true,
        }
    }

    /// Host `j`'s eligibility column: the first host that every workload's selector and tolerations see as they see
    /// `j` (0 for every host without eligibility).
    pub fn eligibility_column(&self, j: usize) -> u32 {
        self.eligibility.as_ref().map_or(0, |e| e.host_kind(j))
    }

    /// Host `j`'s eligibility kind (0 for every host without eligibility): hosts of one kind are alike for every
    /// workload's selector and tolerations, so groupings of alike hosts add it to their key.
    /// With ratios, hosts of one kind have the same ratios too (the first host alike in both).
    pub fn eligibility_kind(&self, j: usize) -> u32 {
        if let Some(kinds) = &self.eligibility_kinds {
            return kinds[j];
        }
        self.eligibility.as_ref().map_or(0, |e| e.host_kind(j))
    }

    /// The same problem without its group rules (what a workload fits on an empty host by every other rule).
    pub fn without_rules(&self) -> Problem {
        Problem { rules: None, ..self.clone() }
    }

    /// The same problem without its live part (greenfield).
    pub fn without_live(&self) -> Problem {
        Problem { live: None, ..self.clone() }
    }

    /// The same problem with every workload free to go anywhere but the pinned ones (drains kept): the plans of a
    /// live fleet without a budget, planned as if from nothing. None when nothing but pinned workloads runs now.
    pub fn released(&self) -> Option<Problem> {
        let live = self.live.as_ref()?;
        let n = self.workload_count();
        if (0..n).all(|i| live.current_host[i].is_none() || live.pinned[i]) {
            return None;
        }
        let mut free = live.clone();
        for i in 0..n {
            if !free.pinned[i] {
                free.current_host[i] = None;
                free.current_form[i] = None;
            }
        }
        let live = Some(free).filter(Live::is_live);
        Some(Problem { live, ..self.clone() })
    }

    /// The live part, when the fleet runs somewhere now or some host is drained.
    pub fn live(&self) -> Option<&Live> {
        self.live.as_ref()
    }

    /// Whether host `j` must end empty.
    pub fn drained(&self, j: usize) -> bool {
        self.live.as_ref().is_some_and(|live| live.drain[j])
    }

    /// Where workload `i` runs now: its host and, when given, its form.
    pub fn current(&self, i: usize) -> Option<(usize, Option<Form>)> {
        let live = self.live.as_ref()?;
        live.current_host[i].map(|j| (j as usize, live.current_form[i]))
    }

    /// What moving workload `i` costs: as given, else its memory in bytes.
    pub fn move_cost(&self, i: usize) -> u64 {
        match self.live.as_ref().and_then(|live| live.move_cost.as_ref()) {
            Some(costs) => costs[i],
            None => self.demand(i)[1],
        }
    }

    /// Build a problem from rows.
    pub fn from_rows(dims: usize, workloads: &[WorkloadSpec], hosts: &[HostSpec], overheads: Overheads) -> Result<Problem> {
        let mut w = Workloads::default();
        for (i, spec) in workloads.iter().enumerate() {
            if spec.demand.len() != dims {
                return Err(Error::InvalidInput(format!("workload {i}: demand has {} entries, not {dims}", spec.demand.len())));
            }
            w.demand.extend_from_slice(&spec.demand);
            w.forms.push(spec.forms);
            w.os.push(spec.os);
            w.tenant.push(spec.tenant);
            w.isolation.push(spec.isolation);
            w.group.push(spec.group);
        }
        let mut h = Hosts::default();
        for (j, spec) in hosts.iter().enumerate() {
            if spec.capacity.len() != dims {
                return Err(Error::InvalidInput(format!("host {j}: capacity has {} entries, not {dims}", spec.capacity.len())));
            }
            h.capacity.extend_from_slice(&spec.capacity);
            h.os.push(spec.os);
            h.hypervisor.push(spec.hypervisor);
            h.containers.push(spec.containers);
            h.cost.push(spec.cost);
            h.max_workloads.push(spec.max_workloads);
        }
        Problem::new(dims, w, h, overheads)
    }

    pub fn dims(&self) -> usize {
        self.dims
    }
    pub fn workload_count(&self) -> usize {
        self.workloads.forms.len()
    }
    pub fn host_count(&self) -> usize {
        self.hosts.os.len()
    }
    pub fn demand(&self, i: usize) -> &[u64] {
        &self.workloads.demand[i * self.dims..(i + 1) * self.dims]
    }
    /// Workload `i`'s smallest-form demand per dimension.
    pub fn smallest(&self, i: usize) -> &[u64] {
        &self.smallest[i * self.dims..(i + 1) * self.dims]
    }
    pub fn capacity(&self, j: usize) -> &[u64] {
        &self.hosts.capacity[j * self.dims..(j + 1) * self.dims]
    }
    pub fn workloads(&self) -> &Workloads {
        &self.workloads
    }
    pub fn hosts(&self) -> &Hosts {
        &self.hosts
    }
    pub fn overheads(&self) -> &Overheads {
        &self.overheads
    }

    /// Per dimension, the largest capacity of any host: the scale that normalises sizes.
    pub fn largest_capacity(&self) -> Vec<u64> {
        let mut largest = vec![0; self.dims];
        for j in 0..self.host_count() {
            for (l, &c) in largest.iter_mut().zip(self.capacity(j)) {
                *l = (*l).max(c);
            }
        }
        largest
    }
}

/// What the plan minimises once it places as many workloads as it can.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Objective {
    /// Fewest hosts used.
    Hosts,
    /// Lowest total cost of the hosts used.
    Cost,
    /// Lowest largest utilisation of any host in any dimension.
    Spread,
}

/// How the decreasing heuristics measure a workload's size (of its demand normalised by the largest capacity).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SortKey {
    Sum,
    Max,
    /// The sum of squares: the same order as the Euclidean norm.
    L2,
    Prod,
}

impl SortKey {
    pub const ALL: [SortKey; 4] = [SortKey::Sum, SortKey::Max, SortKey::L2, SortKey::Prod];

    pub fn name(self) -> &'static str {
        match self {
            SortKey::Sum => "sum",
            SortKey::Max => "max",
            SortKey::L2 => "l2",
            SortKey::Prod => "prod",
        }
    }
}

impl FromStr for Objective {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "hosts" => Ok(Objective::Hosts),
            "cost" => Ok(Objective::Cost),
            "spread" => Ok(Objective::Spread),
            _ => Err(Error::UnknownName { what: "objective", name: s.into() }),
        }
    }
}

impl FromStr for SortKey {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        SortKey::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| Error::UnknownName { what: "sort key", name: s.into() })
    }
}
