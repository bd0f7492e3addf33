//! A structured fuzz harness of fleetpack-core that runs on stable Rust (cargo-fuzz wants a nightly toolchain).
//!
//! Each case is a byte string decoded into an arbitrary problem -- extreme values (0, 1, u64 near its maximum, the
//! model's `MAX_QUANTITY` and one past it, NaN / infinite / negative costs, factors past the limit), huge counts,
//! empty sides, zero capacities, columns of wrong lengths -- in the spirit of libFuzzer's `fuzz_target!(|data|)`.
//! The oracle: `Problem::new` accepts exactly the inputs the model allows (restated here) and otherwise returns an
//! error with a message; on an accepted problem no method panics, each plan passes the independent checker of
//! rust/core/tests/common (rules, objective value, lower bound), heuristic plans equal the contract's reference on
//! small cases, and a second solve gives the same plan.
//!
//! `check_case` is the whole harness on one input; `src/main.rs` runs it on seeded random inputs (stable Rust),
//! `fuzz_targets/core.rs` under cargo-fuzz (libFuzzer, nightly or RUSTC_BOOTSTRAP=1). See README.md.

#[path = "../../core/tests/common/mod.rs"]
#[allow(unused_imports)]
mod common;

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use fleetpack_core::heuristics::Method;
use fleetpack_core::model::{Hosts, Workloads, MAX_COST, MAX_FACTOR_PPM, MAX_QUANTITY};
use fleetpack_core::{
    solve, Error, FormSet, Hypervisor, Isolation, MethodChoice, Objective, Options, Overheads, Problem, SortKey,
};

/// Reads values out of the case's bytes; past the end every read is 0 (as libFuzzer inputs run short).
struct Bytes<'a> {
    data: &'a [u8],
    at: usize,
}

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        let b = self.data.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        b
    }
    fn u64(&mut self) -> u64 {
        (0..8).fold(0u64, |v, _| v << 8 | u64::from(self.byte()))
    }
    /// 0..n (n > 0)
    fn below(&mut self, n: u64) -> u64 {
        let wide = u64::from(self.byte()) << 8 | u64::from(self.byte());
        wide % n
    }
    /// A size: mostly ordinary, now and then an edge of the model or of u64. `invalid` allows values past
    /// `MAX_QUANTITY`.
    fn quantity(&mut self, invalid: bool) -> u64 {
        match self.byte() {
            0..=39 => self.below(2000),
            40..=69 => self.below(200_000),
            70..=89 => 0,
            90..=99 => 1,
            100..=109 => MAX_QUANTITY,
            110..=114 => MAX_QUANTITY - 1,
            115..=124 => MAX_QUANTITY / 2 + self.below(1000),
            125..=134 => 1 << 52,
            135..=154 => self.u64() % (MAX_QUANTITY + 1),
            155..=164 => self.u64() >> 33,
            _ if invalid => match self.byte() % 4 {
                0 => MAX_QUANTITY + 1,
                1 => u64::MAX,
                2 => u64::MAX - 1,
                _ => self.u64(),
            },
            _ => self.below(5000),
        }
    }
    fn cost(&mut self, invalid: bool) -> f64 {
        match self.byte() {
            0..=79 => f64::from(self.byte()) / 4.0,
            80..=99 => 1.0,
            100..=119 => 0.0,
            120..=129 => MAX_COST,
            130..=134 => MAX_COST * (1.0 - f64::EPSILON),
            140..=144 => 5e-324,
            145..=149 => -0.0,
            150..=169 => (self.u64() >> 11) as f64 / 7919.0,
            _ if invalid => [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -1.0, -5e-324, f64::MAX, 1e300, MAX_COST * (1.0 + f64::EPSILON)]
                [self.byte() as usize % 8],
            _ => 2.5,
        }
    }
    fn factor(&mut self, invalid: bool) -> u64 {
        match self.byte() {
            0..=99 => [1_000_000, 1_030_000, 1_050_000, 1_300_000][self.byte() as usize % 4],
            100..=139 => self.below(3_000_000),
            140..=159 => 0,
            160..=189 => MAX_FACTOR_PPM,
            190..=209 => MAX_FACTOR_PPM - 1,
            _ if invalid => [MAX_FACTOR_PPM + 1, u64::MAX][self.byte() as usize % 2],
            _ => 999_999,
        }
    }
    fn small_id(&mut self) -> u32 {
        match self.byte() {
            0..=229 => u32::from(self.byte() % 3),
            _ => u32::MAX - u32::from(self.byte() % 2),
        }
    }
    fn count(&mut self, large: bool) -> usize {
        match self.byte() {
            0..=19 => 0,
            20..=219 => self.below(24) as usize,
            220..=249 => self.below(300) as usize,
            _ if large => self.below(4000) as usize,
            _ => self.below(40) as usize,
        }
    }
}

/// An arbitrary problem's columns. `invalid` (the first byte decides) lets values and lengths break the model's
/// preconditions.
struct Input {
    dims: usize,
    workloads: Workloads,
    hosts: Hosts,
    overheads: Overheads,
}

fn decode(data: &[u8]) -> Input {
    let mut b = Bytes { data, at: 0 };
    let invalid = b.byte() < 40;
    let large = b.byte() > 230;
    let dims = match b.byte() {
        0..=159 => 2,
        160..=219 => 3,
        220..=239 => 4 + b.byte() as usize % 5,
        _ if invalid => b.byte() as usize % 2,
        _ => 2,
    };
    let n = b.count(large);
    let m = b.count(large);
    // many identical workloads or hosts: every entry after the first few copies an earlier one
    let copies = b.byte() > 200;
    let mut w = Workloads::default();
    for i in 0..n {
        if copies && i >= 3 {
            let k = i % 3;
            let demand = w.demand[k * dims..(k + 1) * dims].to_vec();
            w.demand.extend(demand);
            w.forms.push(w.forms[k]);
            w.os.push(w.os[k]);
            w.tenant.push(w.tenant[k]);
            w.isolation.push(w.isolation[k]);
            w.group.push(w.group[k]);
            continue;
        }
        for _ in 0..dims {
            let q = b.quantity(invalid);
            w.demand.push(q);
        }
        w.forms.push(FormSet::from_bits(1 + b.byte() % 3).expect("1..=3"));
        w.os.push(b.small_id());
        w.tenant.push(b.small_id());
        w.isolation.push([Isolation::None, Isolation::None, Isolation::Tenant, Isolation::Dedicated][b.byte() as usize % 4]);
        w.group.push(if b.byte() < 100 { Some(b.small_id()) } else { None });
    }
    let mut h = Hosts::default();
    for j in 0..m {
        if copies && j >= 2 {
            let k = j % 2;
            let capacity = h.capacity[k * dims..(k + 1) * dims].to_vec();
            h.capacity.extend(capacity);
            h.os.push(h.os[k]);
            h.hypervisor.push(h.hypervisor[k]);
            h.containers.push(h.containers[k]);
            h.cost.push(h.cost[k]);
            h.max_workloads.push(h.max_workloads[k]);
            continue;
        }
        for _ in 0..dims {
            // hosts mostly larger than workloads, so that plans hold more than a few of them
            let q = b.quantity(invalid);
            h.capacity.push(if q <= MAX_QUANTITY / 16 && b.byte() < 160 { q * 16 } else { q });
        }
        h.os.push(b.small_id());
        h.hypervisor.push(
            [None, Some(Hypervisor::Hardware), Some(Hypervisor::Paravirtual), Some(Hypervisor::Software)]
                [b.byte() as usize % 4],
        );
        h.containers.push(b.byte() < 200);
        h.cost.push(b.cost(invalid));
        h.max_workloads.push(match b.byte() {
            0..=179 => None,
            180..=199 => Some(0),
            200..=229 => Some(1 + b.below(5)),
            230..=244 => Some(u64::MAX),
            _ => Some(b.u64()),
        });
    }
    let mut overheads = match b.byte() {
        0..=79 => Overheads::none(dims.max(2)),
        80..=159 => Overheads::defaults(dims.max(2)),
        _ => {
            let mut o = Overheads::none(dims.max(2));
            for fixed in [&mut o.vm, &mut o.container, &mut o.hypervisor, &mut o.container_runtime] {
                for v in fixed.iter_mut() {
                    *v = if b.byte() < 128 { 0 } else { b.quantity(invalid) };
                }
            }
            o
        }
    };
    for f in overheads.vm_cpu_factor_ppm.iter_mut() {
        if b.byte() > 128 {
            *f = b.factor(invalid);
        }
    }
    if dims < 2 {
        for fixed in [&mut overheads.vm, &mut overheads.container, &mut overheads.hypervisor, &mut overheads.container_runtime] {
            fixed.truncate(dims);
        }
    }
    if invalid && b.byte() > 200 {
        // a column one entry short or long
        match b.byte() % 6 {
            0 => drop(w.demand.pop()),
            1 => w.group.push(None),
            2 => drop(h.cost.pop()),
            3 => h.containers.push(true),
            4 => overheads.vm.push(0),
            _ => drop(w.tenant.pop()),
        }
    }
    Input { dims, workloads: w, hosts: h, overheads }
}

/// Whether the model accepts these columns, restated from docs/model.md and the core's documentation (not from its
/// code): 2 dimensions or more, consistent lengths, sizes at most 2**53, costs finite, not negative and at most 2**53, factors at
/// most 1000.
fn model_accepts(x: &Input) -> bool {
    let (d, w, h, o) = (x.dims, &x.workloads, &x.hosts, &x.overheads);
    let n = w.forms.len();
    let m = h.os.len();
    d >= 2
        && w.demand.len() == n * d
        && [w.os.len(), w.tenant.len(), w.isolation.len(), w.group.len()].iter().all(|&l| l == n)
        && h.capacity.len() == m * d
        && [h.hypervisor.len(), h.containers.len(), h.cost.len(), h.max_workloads.len()].iter().all(|&l| l == m)
        && w.demand.iter().chain(&h.capacity).all(|&q| q <= MAX_QUANTITY)
        && h.cost.iter().all(|c| c.is_finite() && *c >= 0.0 && *c <= MAX_COST)
        && [&o.vm, &o.container, &o.hypervisor, &o.container_runtime].iter().all(|v| v.len() == d && v.iter().all(|&q| q <= MAX_QUANTITY))
        && o.vm_cpu_factor_ppm.iter().all(|&f| f <= MAX_FACTOR_PPM)
}

const OBJECTIVES: [Objective; 3] = [Objective::Hosts, Objective::Cost, Objective::Spread];

/// Every check on one case; returns Err with what went wrong (panics are caught by the caller).
pub fn check_case(data: &[u8], stats: &mut Stats) -> Result<(), String> {
    check_case_within(data, stats, usize::MAX)
}

/// `check_case` on inputs whose workloads × hosts stay within `size` (others pass untested): under libFuzzer's
/// sanitizers a case of thousands of both takes minutes, and coverage comes from the small ones.
pub fn check_case_within(data: &[u8], stats: &mut Stats, size: usize) -> Result<(), String> {
    let input = decode(data);
    if input.workloads.forms.len().saturating_mul(input.hosts.os.len()) > size {
        return Ok(());
    }
    let accepts = model_accepts(&input);
    let built = Problem::new(input.dims, input.workloads, input.hosts, input.overheads);
    let p = match (built, accepts) {
        (Err(Error::InvalidInput(message)), false) if !message.is_empty() => {
            stats.rejected += 1;
            return Ok(());
        }
        (Err(e), _) => return Err(format!("Problem::new: {e:?} (the model accepts it: {accepts})")),
        (Ok(_), false) => return Err("Problem::new accepted columns the model rejects".into()),
        (Ok(p), true) => p,
    };
    stats.problems += 1;
    let small = p.workload_count() <= 40 && p.host_count() <= 40;
    let mut choices: Vec<MethodChoice> = if small {
        common::every_heuristic().into_iter().map(|(m, k)| MethodChoice::Heuristic(m, k)).collect()
    } else {
        // a large case: one heuristic per objective (picked by the bytes) and auto
        let k = data.len() % 16;
        vec![MethodChoice::Heuristic(Method::ALL[k % 4], SortKey::ALL[k / 4])]
    };
    choices.push(MethodChoice::Auto);
    for objective in OBJECTIVES {
        for &choice in &choices {
            let options = Options::new(choice, objective);
            let s = solve(&p, &options).map_err(|e| format!("{choice:?} {objective:?}: {e:?}"))?;
            let broken = common::violations(&p, &s.placement);
            if !broken.is_empty() {
                return Err(format!("{choice:?} {objective:?}: invalid plan: {}", broken.join("; ")));
            }
            let value = common::objective_of(&p, &s.placement, objective);
            if s.objective_value != value && !(s.objective_value.is_nan() && value.is_nan()) {
                return Err(format!("{choice:?} {objective:?}: objective value {} but the plan's is {value}", s.objective_value));
            }
            if !(s.lower_bound.is_finite() && s.lower_bound >= 0.0 && common::bound_ok(objective, s.objective_value, s.lower_bound)) {
                return Err(format!("{choice:?} {objective:?}: lower bound {} against value {}", s.lower_bound, s.objective_value));
            }
            let again = solve(&p, &options).map_err(|e| format!("again: {e:?}"))?;
            if again.placement != s.placement || again.strategy != s.strategy {
                return Err(format!("{choice:?} {objective:?}: not deterministic"));
            }
            if let (true, MethodChoice::Heuristic(method, key)) = (small, choice) {
                if s.placement != common::reference(&p, method, key, objective) {
                    return Err(format!("{choice:?} {objective:?}: differs from the contract's reference"));
                }
            }
            stats.solves += 1;
            stats.placed += s.placed();
            stats.left_out += p.workload_count() - s.placed();
        }
    }
    // a zero time limit still gives a plan; a cancelled solve returns Interrupted
    let mut options = Options::new(MethodChoice::Auto, Objective::Hosts);
    options.time_limit = Some(Duration::ZERO);
    let s = solve(&p, &options).map_err(|e| format!("time limit 0: {e:?}"))?;
    if !common::violations(&p, &s.placement).is_empty() {
        return Err("time limit 0: invalid plan".into());
    }
    options.cancel = Some(Arc::new(AtomicBool::new(true)));
    match solve(&p, &options) {
        Err(Error::Interrupted) => {}
        other => return Err(format!("cancelled before the start: {other:?}")),
    }
    Ok(())
}

/// What the cases did, for the summary line.
#[derive(Default)]
pub struct Stats {
    pub cases: u64,
    pub rejected: u64,
    pub problems: u64,
    pub solves: u64,
    pub placed: usize,
    pub left_out: usize,
    pub failures: u64,
}

