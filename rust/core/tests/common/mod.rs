//! Shared helpers of the integration tests: an independent checker of the placement rules, an independent reference
//! implementation of the heuristic contract, a tiny deterministic PRNG and a random problem generator.
//!
//! Nothing here calls the core's rule code (`fit`, `heuristics`, `bounds`): the rules are restated from the model's
//! documentation so that a mistake in the core cannot also hide in the check of its answer.
#![allow(dead_code)]

use fleetpack_core::heuristics::Method;
use fleetpack_core::{
    solve, Form, FormSet, HostSpec, Hypervisor, Isolation, MethodChoice, Objective, Options, Overheads, Problem,
    Solution, SortKey, WorkloadSpec,
};

pub type Placement = Vec<Option<(u32, Form)>>;

pub const OBJECTIVES: [Objective; 3] = [Objective::Hosts, Objective::Cost, Objective::Spread];

// ---- small builders -----------------------------------------------------------------------------------------------

/// A 2-D workload `[cpu, memory]`.
pub fn w(cpu: u64, memory: u64) -> WorkloadSpec {
    WorkloadSpec::new(vec![cpu, memory])
}

/// A 2-D host `[cpu, memory]` (hardware hypervisor, containers, os 0, cost 1).
pub fn h(cpu: u64, memory: u64) -> HostSpec {
    HostSpec::new(vec![cpu, memory])
}

pub fn problem(workloads: &[WorkloadSpec], hosts: &[HostSpec], overheads: Overheads) -> Problem {
    let dims = overheads.vm.len();
    Problem::from_rows(dims, workloads, hosts, overheads).expect("a valid problem")
}

/// Solve with one heuristic and check the answer against every rule.
pub fn run(p: &Problem, method: Method, key: SortKey, objective: Objective) -> Solution {
    let s = solve(p, &Options::new(MethodChoice::Heuristic(method, key), objective)).expect("solve");
    check_solution(p, &s, objective);
    s
}

pub fn run_auto(p: &Problem, objective: Objective) -> Solution {
    let s = solve(p, &Options::new(MethodChoice::Auto, objective)).expect("solve");
    check_solution(p, &s, objective);
    s
}

/// `auto`'s heuristic portfolio alone, without its improvement search.
pub fn run_portfolio(p: &Problem, objective: Objective) -> Solution {
    let mut options = Options::new(MethodChoice::Auto, objective);
    options.search_work = Some(0);
    let s = solve(p, &options).expect("solve");
    check_solution(p, &s, objective);
    s
}

/// First fit in input order over hosts in input order (the `Spread` opening order).
pub fn ff(p: &Problem) -> Solution {
    run(p, Method::FirstFit, SortKey::Sum, Objective::Spread)
}

/// Per workload, its host (ignoring the form).
pub fn hosts_of(s: &Solution) -> Vec<Option<u32>> {
    s.placement.iter().map(|p| p.map(|(j, _)| j)).collect()
}

// ---- the independent checker ---------------------------------------------------------------------------------------

fn factor_ppm(overheads: &Overheads, hypervisor: Hypervisor) -> u128 {
    let k = match hypervisor {
        Hypervisor::Hardware => 0,
        Hypervisor::Paravirtual => 1,
        Hypervisor::Software => 2,
    };
    overheads.vm_cpu_factor_ppm[k] as u128
}

/// What workload `i` takes in dimension `d` as `form` on host `j` (before the per-host overheads).
pub fn effective_demand(p: &Problem, i: usize, j: usize, form: Form, d: usize) -> u128 {
    let raw = p.demand(i)[d] as u128;
    let o = p.overheads();
    match form {
        Form::Container => raw + o.container[d] as u128,
        Form::Vm => {
            let base = if d == 0 {
                let hypervisor = p.hosts().hypervisor[j].expect("a VM's host has a hypervisor");
                let scaled = raw * factor_ppm(o, hypervisor);
                scaled / 1_000_000 + u128::from(scaled % 1_000_000 != 0)
            } else {
                raw
            };
            base + o.vm[d] as u128
        }
    }
}

fn allows(forms: FormSet, form: Form) -> bool {
    match form {
        Form::Container => forms == FormSet::CONTAINER || forms == FormSet::ANY,
        Form::Vm => forms == FormSet::VM || forms == FormSet::ANY,
    }
}

/// Per host, its usage per dimension under `placement` (per-host overheads included), for hosts whose workloads are
/// statically allowed there.
pub fn usage(p: &Problem, placement: &Placement) -> Vec<Vec<u128>> {
    let dims = p.dims();
    let o = p.overheads();
    let mut used = vec![vec![0u128; dims]; p.host_count()];
    let mut any_vm = vec![false; p.host_count()];
    let mut any_container = vec![false; p.host_count()];
    for (i, place) in placement.iter().enumerate() {
        let Some((j, form)) = *place else { continue };
        let j = j as usize;
        if j >= p.host_count() || (form == Form::Vm && p.hosts().hypervisor[j].is_none()) {
            continue; // reported by the static checks
        }
        for d in 0..dims {
            used[j][d] += effective_demand(p, i, j, form, d);
        }
        match form {
            Form::Vm => any_vm[j] = true,
            Form::Container => any_container[j] = true,
        }
    }
    for j in 0..p.host_count() {
        for d in 0..dims {
            if any_vm[j] {
                used[j][d] += o.hypervisor[d] as u128;
            }
            if any_container[j] {
                used[j][d] += o.container_runtime[d] as u128;
            }
        }
    }
    used
}

/// Every rule `placement` breaks, in words (empty when it is valid).
pub fn violations(p: &Problem, placement: &Placement) -> Vec<String> {
    let mut out = Vec::new();
    let (n, m) = (p.workload_count(), p.host_count());
    if placement.len() != n {
        out.push(format!("placement has {} entries for {n} workloads", placement.len()));
        return out;
    }
    let wl = p.workloads();
    let hs = p.hosts();
    let mut members: Vec<Vec<(usize, Form)>> = vec![Vec::new(); m];
    for (i, place) in placement.iter().enumerate() {
        let Some((j, form)) = *place else { continue };
        let j = j as usize;
        if j >= m {
            out.push(format!("workload {i}: host {j} does not exist"));
            continue;
        }
        if !allows(wl.forms[i], form) {
            out.push(format!("workload {i}: form {form:?} not allowed ({:?})", wl.forms[i]));
        }
        match form {
            Form::Vm => {
                if hs.hypervisor[j].is_none() {
                    out.push(format!("workload {i}: VM on host {j} without a hypervisor"));
                }
            }
            Form::Container => {
                if !hs.containers[j] {
                    out.push(format!("workload {i}: container on host {j} that runs no containers"));
                }
                if hs.os[j] != wl.os[i] {
                    out.push(format!("workload {i}: container of os {} on host {j} of os {}", wl.os[i], hs.os[j]));
                }
            }
        }
        members[j].push((i, form));
    }
    let used = usage(p, placement);
    for j in 0..m {
        let on = &members[j];
        if on.is_empty() {
            continue;
        }
        if let Some(cap) = hs.max_workloads[j] {
            if on.len() as u64 > cap {
                out.push(format!("host {j}: {} workloads, at most {cap}", on.len()));
            }
        }
        for (a, &(i, _)) in on.iter().enumerate() {
            if let Some(g) = wl.group[i] {
                if on[a + 1..].iter().any(|&(k, _)| wl.group[k] == Some(g)) {
                    out.push(format!("host {j}: two workloads of anti-affinity group {g}"));
                }
            }
            if wl.isolation[i] == Isolation::Dedicated && on.len() > 1 {
                out.push(format!("host {j}: dedicated workload {i} is not alone"));
            }
            if wl.isolation[i] == Isolation::Tenant && on[a].1 == Form::Container {
                for &(k, form) in on {
                    if form == Form::Container && wl.tenant[k] != wl.tenant[i] {
                        out.push(format!(
                            "host {j}: tenant-isolated container {i} (tenant {}) beside container {k} (tenant {})",
                            wl.tenant[i], wl.tenant[k]
                        ));
                    }
                }
            }
        }
        for d in 0..p.dims() {
            if used[j][d] > p.capacity(j)[d] as u128 {
                out.push(format!("host {j}: dimension {d} uses {} of {}", used[j][d], p.capacity(j)[d]));
            }
        }
    }
    out
}

/// Panic with every rule that `placement` breaks.
pub fn check_placement(p: &Problem, placement: &Placement) {
    let broken = violations(p, placement);
    assert!(broken.is_empty(), "invalid placement {placement:?}:\n  {}", broken.join("\n  "));
}

/// Check a solution against every placement rule.
pub fn check_valid(p: &Problem, s: &Solution) {
    check_placement(p, &s.placement);
}

/// The objective's score of a placement, computed from scratch.
pub fn objective_of(p: &Problem, placement: &Placement, objective: Objective) -> f64 {
    let mut is_used = vec![false; p.host_count()];
    for &(j, _) in placement.iter().flatten() {
        is_used[j as usize] = true;
    }
    match objective {
        Objective::Hosts => is_used.iter().filter(|&&u| u).count() as f64,
        Objective::Cost => (0..p.host_count()).filter(|&j| is_used[j]).fold(0.0, |t, j| t + p.hosts().cost[j]),
        Objective::Spread => {
            let used = usage(p, placement);
            let mut worst = 0.0f64;
            for j in (0..p.host_count()).filter(|&j| is_used[j]) {
                for (d, &c) in p.capacity(j).iter().enumerate() {
                    if c > 0 {
                        worst = worst.max(used[j][d] as f64 / c as f64);
                    }
                }
            }
            worst
        }
    }
}

/// Whether a lower bound is consistent with a value (costs and utilisations are floats).
pub fn bound_ok(objective: Objective, value: f64, bound: f64) -> bool {
    match objective {
        Objective::Hosts => bound <= value,
        _ => bound <= value + 1e-9 * value.abs().max(1.0),
    }
}

/// Every rule, the reported objective value, and the lower bound against that value.
pub fn check_solution(p: &Problem, s: &Solution, objective: Objective) {
    check_valid(p, s);
    let value = objective_of(p, &s.placement, objective);
    assert_eq!(s.objective_value, value, "objective value of {:?} ({objective:?})", s.placement);
    assert!(s.lower_bound.is_finite() && s.lower_bound >= 0.0, "lower bound {}", s.lower_bound);
    assert!(
        bound_ok(objective, s.objective_value, s.lower_bound),
        "{objective:?}: lower bound {} above the value {} of {}",
        s.lower_bound,
        s.objective_value,
        s.strategy
    );
}

// ---- an independent reference of the heuristic contract ------------------------------------------------------------

#[derive(Clone, Default)]
pub struct RefHost {
    pub used: Vec<u128>,
    pub count: u64,
    vms: u64,
    containers: u64,
    container_tenants: Vec<u32>,
    isolated_tenants: Vec<u32>,
    dedicated: bool,
    groups: Vec<u32>,
}

impl RefHost {
    /// An empty host of `dims` dimensions.
    pub fn empty(dims: usize) -> RefHost {
        RefHost { used: vec![0; dims], ..RefHost::default() }
    }
}

fn ref_usage_after(p: &Problem, st: &RefHost, i: usize, j: usize, form: Form) -> Vec<u128> {
    let o = p.overheads();
    (0..p.dims())
        .map(|d| {
            let activation = match form {
                Form::Vm if st.vms == 0 => o.hypervisor[d],
                Form::Container if st.containers == 0 => o.container_runtime[d],
                _ => 0,
            };
            st.used[d] + effective_demand(p, i, j, form, d) + activation as u128
        })
        .collect()
}

pub fn ref_fits(p: &Problem, st: &RefHost, i: usize, j: usize, form: Form) -> bool {
    let wl = p.workloads();
    let hs = p.hosts();
    if !allows(wl.forms[i], form) {
        return false;
    }
    let static_ok = match form {
        Form::Vm => hs.hypervisor[j].is_some(),
        Form::Container => hs.containers[j] && hs.os[j] == wl.os[i],
    };
    if !static_ok
        || hs.max_workloads[j].is_some_and(|cap| st.count >= cap)
        || st.dedicated
        || (wl.isolation[i] == Isolation::Dedicated && st.count > 0)
        || wl.group[i].is_some_and(|g| st.groups.contains(&g))
    {
        return false;
    }
    if form == Form::Container {
        let t = wl.tenant[i];
        if st.isolated_tenants.iter().any(|&x| x != t) {
            return false;
        }
        if wl.isolation[i] == Isolation::Tenant && st.container_tenants.iter().any(|&x| x != t) {
            return false;
        }
    }
    let after = ref_usage_after(p, st, i, j, form);
    after.iter().zip(p.capacity(j)).all(|(&u, &c)| u <= c as u128)
}

pub fn ref_first_form(p: &Problem, st: &RefHost, i: usize, j: usize) -> Option<Form> {
    [Form::Container, Form::Vm].into_iter().find(|&f| ref_fits(p, st, i, j, f))
}

pub fn ref_add(p: &Problem, st: &mut RefHost, i: usize, j: usize, form: Form) {
    let wl = p.workloads();
    st.used = ref_usage_after(p, st, i, j, form);
    st.count += 1;
    match form {
        Form::Vm => st.vms += 1,
        Form::Container => {
            st.containers += 1;
            st.container_tenants.push(wl.tenant[i]);
            if wl.isolation[i] == Isolation::Tenant {
                st.isolated_tenants.push(wl.tenant[i]);
            }
        }
    }
    if wl.isolation[i] == Isolation::Dedicated {
        st.dedicated = true;
    }
    if let Some(g) = wl.group[i] {
        st.groups.push(g);
    }
}

pub fn ref_free_after(p: &Problem, st: &RefHost, i: usize, j: usize, form: Form) -> f64 {
    let after = ref_usage_after(p, st, i, j, form);
    let mut total = 0.0;
    for (d, &c) in p.capacity(j).iter().enumerate() {
        if c > 0 {
            total += (c as u128 - after[d]) as f64 / c as f64;
        }
    }
    total
}

fn largest_capacity(p: &Problem) -> Vec<u64> {
    (0..p.dims()).map(|d| (0..p.host_count()).map(|j| p.capacity(j)[d]).max().unwrap_or(0)).collect()
}

/// Per dimension, the least a workload takes in any form it may take (a VM's CPU with the smallest factor).
pub fn ref_smallest(p: &Problem, i: usize) -> Vec<u64> {
    let o = p.overheads();
    let forms = p.workloads().forms[i];
    let min_ppm = *o.vm_cpu_factor_ppm.iter().min().unwrap() as u128;
    (0..p.dims())
        .map(|d| {
            let raw = p.demand(i)[d] as u128;
            let mut best = u128::MAX;
            if allows(forms, Form::Container) {
                best = best.min(raw + o.container[d] as u128);
            }
            if allows(forms, Form::Vm) {
                let base = if d == 0 { (raw * min_ppm).div_ceil(1_000_000) } else { raw };
                best = best.min(base + o.vm[d] as u128);
            }
            best as u64
        })
        .collect()
}

fn size(values: &[u64], scale: &[u64], key: SortKey) -> f64 {
    let xs: Vec<f64> = values.iter().zip(scale).filter(|(_, &s)| s > 0).map(|(&v, &s)| v as f64 / s as f64).collect();
    match key {
        SortKey::Sum => xs.iter().fold(0.0, |t, &x| t + x),
        SortKey::Max => xs.iter().fold(0.0, |t: f64, &x| t.max(x)),
        SortKey::L2 => xs.iter().fold(0.0, |t, &x| t + x * x),
        SortKey::Prod => xs.iter().fold(1.0, |t, &x| t * x),
    }
}

/// Indices by decreasing value, ties in input order (insertion sort: obviously stable).
fn by_decreasing(values: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = Vec::new();
    for i in 0..values.len() {
        let at = order.iter().position(|&k| values[k] < values[i]).unwrap_or(order.len());
        order.insert(at, i);
    }
    order
}

pub fn ref_workload_order(p: &Problem, method: Method, key: SortKey) -> Vec<usize> {
    if method == Method::FirstFit {
        return (0..p.workload_count()).collect();
    }
    let scale = largest_capacity(p);
    let sizes: Vec<f64> = (0..p.workload_count()).map(|i| size(&ref_smallest(p, i), &scale, key)).collect();
    by_decreasing(&sizes)
}

pub fn ref_opening_order(p: &Problem, objective: Objective) -> Vec<usize> {
    let m = p.host_count();
    let scale = largest_capacity(p);
    let sizes: Vec<f64> = (0..m).map(|j| size(p.capacity(j), &scale, SortKey::Sum)).collect();
    match objective {
        Objective::Spread => (0..m).collect(),
        Objective::Hosts => by_decreasing(&sizes),
        Objective::Cost => {
            // increasing price per unit = decreasing of its negation
            let price: Vec<f64> =
                (0..m).map(|j| if sizes[j] > 0.0 { -(p.hosts().cost[j] / sizes[j]) } else { f64::NEG_INFINITY }).collect();
            by_decreasing(&price)
        }
    }
}

/// The heuristic contract, restated: workloads in the method's order; FF/FFD the first host in the opening order
/// that takes it; BFD the used host left with the least normalised free capacity, else the first new host; WFD
/// the host left with the most; on a host, container before VM.
pub fn reference(p: &Problem, method: Method, key: SortKey, objective: Objective) -> Placement {
    let dims = p.dims();
    let mut states = vec![RefHost { used: vec![0; dims], ..RefHost::default() }; p.host_count()];
    let opening = ref_opening_order(p, objective);
    let mut placement = vec![None; p.workload_count()];
    for i in ref_workload_order(p, method, key) {
        let first = |states: &[RefHost], only_unused: bool| {
            opening.iter().copied().filter(|&j| !only_unused || states[j].count == 0).find_map(|j| {
                ref_first_form(p, &states[j], i, j).map(|f| (j, f))
            })
        };
        let extreme = |states: &[RefHost], worst: bool| {
            let mut chosen: Option<(usize, Form, f64)> = None;
            for &j in &opening {
                if !worst && states[j].count == 0 {
                    continue;
                }
                let Some(f) = ref_first_form(p, &states[j], i, j) else { continue };
                let free = ref_free_after(p, &states[j], i, j, f);
                let better = match chosen {
                    None => true,
                    Some((_, _, b)) => (worst && free > b) || (!worst && free < b),
                };
                if better {
                    chosen = Some((j, f, free));
                }
            }
            chosen.map(|(j, f, _)| (j, f))
        };
        let choice = match method {
            Method::FirstFit | Method::FirstFitDecreasing => first(&states, false),
            Method::BestFitDecreasing => extreme(&states, false).or_else(|| first(&states, true)),
            Method::WorstFitDecreasing => extreme(&states, true),
        };
        if let Some((j, f)) = choice {
            ref_add(p, &mut states[j], i, j, f);
            placement[i] = Some((j as u32, f));
        }
    }
    placement
}

// ---- a tiny deterministic PRNG and random problems -----------------------------------------------------------------

/// xorshift64*.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03 | 1)
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + (self.next() >> 11) % (hi - lo + 1)
    }
    /// True with probability `num / den`.
    pub fn chance(&mut self, num: u64, den: u64) -> bool {
        self.range(1, den) <= num
    }
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.range(0, items.len() as u64 - 1) as usize]
    }
}

/// A random problem with every rule in play: 2 or 3 dimensions (a third one that some hosts lack), forms, OSes,
/// tenants and isolation, dedicated workloads, anti-affinity groups, hosts without hypervisor or containers, caps on
/// workloads, costs, and random or default overheads.
pub fn random_problem(rng: &mut Rng) -> Problem {
    let dims = if rng.chance(1, 2) { 2 } else { 3 };
    let defaults = rng.chance(1, 4);
    // With the default overheads memory is in bytes and sizes are realistic; otherwise small made-up units.
    let (cpu_unit, mem_unit) = if defaults { (1u64, 1u64 << 20) } else { (1, 1) };
    let overheads = if defaults {
        Overheads::defaults(dims)
    } else if rng.chance(1, 5) {
        Overheads::none(dims)
    } else {
        let mut o = Overheads::none(dims);
        for d in 0..2 {
            o.vm[d] = rng.range(0, 150);
            o.container[d] = rng.range(0, 60);
            o.hypervisor[d] = rng.range(0, 400);
            o.container_runtime[d] = rng.range(0, 300);
        }
        for k in 0..3 {
            let odd = rng.range(500_000, 2_000_000);
            o.vm_cpu_factor_ppm[k] = rng.pick(&[1_000_000, 1_030_000, 1_050_000, 1_300_000, 999_999, odd]);
        }
        o
    };
    let n = rng.range(0, 24) as usize;
    let m = rng.range(0, 9) as usize;
    let oses = rng.range(1, 2) as u32;
    let tenants = rng.range(1, 3) as u32;
    let groups = rng.range(1, 3) as u32;
    let big = rng.chance(1, 3); // larger workloads: more of them left out
    let mut workloads = Vec::with_capacity(n);
    for _ in 0..n {
        let top = if big { 3000 } else { 1500 };
        let mut demand = vec![rng.range(0, top) * cpu_unit, rng.range(0, top) * mem_unit];
        if dims == 3 {
            demand.push(if rng.chance(1, 2) { 0 } else { rng.range(1, 3) });
        }
        let mut spec = WorkloadSpec::new(demand)
            .forms(rng.pick(&[FormSet::ANY, FormSet::ANY, FormSet::VM, FormSet::CONTAINER]))
            .os(rng.range(0, oses as u64 - 1) as u32);
        let isolation = match rng.range(0, 9) {
            0..=5 => Isolation::None,
            6..=8 => Isolation::Tenant,
            _ => Isolation::Dedicated,
        };
        spec = spec.tenant(rng.range(0, tenants as u64 - 1) as u32, isolation);
        if rng.chance(2, 5) {
            spec = spec.group(rng.range(0, groups as u64 - 1) as u32);
        }
        workloads.push(spec);
    }
    let mut hosts = Vec::with_capacity(m);
    for _ in 0..m {
        let mut capacity = vec![rng.range(0, 10_000) * cpu_unit, rng.range(0, 10_000) * mem_unit];
        if rng.chance(1, 12) {
            capacity[rng.range(0, 1) as usize] = 0;
        }
        if dims == 3 {
            capacity.push(if rng.chance(1, 2) { 0 } else { rng.range(1, 6) });
        }
        let mut spec = HostSpec::new(capacity)
            .os(rng.range(0, oses as u64 - 1) as u32)
            .hypervisor(rng.pick(&[
                None,
                Some(Hypervisor::Hardware),
                Some(Hypervisor::Hardware),
                Some(Hypervisor::Paravirtual),
                Some(Hypervisor::Software),
            ]))
            .containers(rng.chance(4, 5))
            .cost(if rng.chance(1, 2) { rng.range(0, 10) as f64 } else { rng.range(1, 1_000_000) as f64 / 7919.0 });
        if rng.chance(1, 4) {
            spec = spec.max_workloads(rng.range(0, 5));
        }
        hosts.push(spec);
    }
    // now and then, two identical hosts (ties in every order)
    if m >= 2 && rng.chance(1, 3) {
        hosts[1] = hosts[0].clone();
    }
    Problem::from_rows(dims, &workloads, &hosts, overheads).expect("a valid random problem")
}

/// Every heuristic method with every sort key.
pub fn every_heuristic() -> Vec<(Method, SortKey)> {
    Method::ALL.into_iter().flat_map(|m| SortKey::ALL.into_iter().map(move |k| (m, k))).collect()
}
