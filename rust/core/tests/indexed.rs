//! The indexed heuristics (`heuristics::run`) against the plain scan over all hosts (`heuristics::run_reference`)
//! on larger fleets than `random.rs`: many hosts of few shapes (many ties in scores and groups), with every rule
//! in play. They must agree placement for placement.

mod common;

use common::*;
use fleetpack_core::heuristics::{run, run_reference};
use fleetpack_core::model::{FormSet, HostSpec, Hypervisor, Isolation, Overheads, Problem, WorkloadSpec};

/// A random fleet with every rule in play; without `tenant_isolation`, no workload is tenant-isolated (the indexes
/// then skip the VM form where the container form is smaller and allowed).
fn fleet_problem(rng: &mut Rng, tenant_isolation: bool) -> Problem {
    let dims = if rng.chance(1, 2) { 2 } else { 3 };
    let n = rng.range(50, 400) as usize;
    let m = rng.range(5, 60) as usize;
    let shapes: Vec<Vec<u64>> = (0..rng.range(1, 4))
        .map(|_| {
            let mut c = vec![rng.range(8, 64) * 1000, rng.range(16, 256) << 30];
            if dims == 3 {
                c.push(rng.range(0, 4));
            }
            c
        })
        .collect();
    let hosts: Vec<HostSpec> = (0..m)
        .map(|_| {
            let mut h = HostSpec::new(rng.pick(&shapes.iter().collect::<Vec<_>>()).clone())
                .hypervisor(rng.pick(&[None, Some(Hypervisor::Hardware), Some(Hypervisor::Hardware), Some(Hypervisor::Software)]))
                .containers(rng.chance(5, 6))
                .os(rng.range(0, 1) as u32)
                .cost(rng.pick(&[1.0, 1.0, 0.6, 1.4]));
            if rng.chance(1, 5) {
                h = h.max_workloads(rng.range(1, 12));
            }
            h
        })
        .collect();
    let workloads: Vec<WorkloadSpec> = (0..n)
        .map(|_| {
            // few workload shapes, as in real fleets: many exact ties
            let mut d = vec![rng.range(1, 16) * 500, rng.range(1, 32) << 29];
            if dims == 3 {
                d.push(if rng.chance(1, 6) { 1 } else { 0 });
            }
            let mut w = WorkloadSpec::new(d)
                .forms(rng.pick(&[FormSet::ANY, FormSet::ANY, FormSet::VM, FormSet::CONTAINER]))
                .os(rng.range(0, 1) as u32);
            let isolation = match rng.range(0, 19) {
                0..=15 => Isolation::None,
                16..=18 if tenant_isolation => Isolation::Tenant,
                16..=18 => Isolation::None,
                _ => Isolation::Dedicated,
            };
            w = w.tenant(rng.range(0, 2) as u32, isolation);
            if rng.chance(1, 4) {
                w = w.group(rng.range(0, 5) as u32);
            }
            w
        })
        .collect();
    let overheads = if rng.chance(1, 2) { Overheads::defaults(dims) } else { Overheads::none(dims) };
    Problem::from_rows(dims, &workloads, &hosts, overheads).expect("valid")
}

#[test]
fn indexed_heuristics_equal_the_plain_scan() {
    let mut rng = Rng::new(0xF1EE7);
    for case in 0..60 {
        let p = fleet_problem(&mut rng, case % 2 == 0);
        for objective in OBJECTIVES {
            for (method, key) in every_heuristic() {
                let (_, indexed) = run(&p, method, key, objective, &|| false);
                let (_, scanned) = run_reference(&p, method, key, objective);
                assert_eq!(indexed, scanned, "case {case}: {method:?} {key:?} {objective:?}");
                check_placement(&p, &indexed);
            }
        }
    }
}

#[test]
fn a_cancelled_solve_returns_interrupted() {
    use fleetpack_core::{solve, Error, MethodChoice, Objective, Options};
    use std::sync::{atomic::AtomicBool, Arc};
    let mut rng = Rng::new(7);
    let p = fleet_problem(&mut rng, true);
    let mut options = Options::new(MethodChoice::Auto, Objective::Hosts);
    options.cancel = Some(Arc::new(AtomicBool::new(true)));
    assert_eq!(solve(&p, &options), Err(Error::Interrupted));
    options.cancel = Some(Arc::new(AtomicBool::new(false)));
    assert!(solve(&p, &options).is_ok());
}

/// Enough hosts that the indexes' skylines overflow high in the trees (more than 16 points), with all rules.
#[test]
fn indexed_heuristics_equal_the_plain_scan_on_a_larger_fleet() {
    let mut rng = Rng::new(0xB16);
    let hosts: Vec<HostSpec> = (0..160)
        .map(|j| {
            let mut h = HostSpec::new(vec![[32_000, 64_000][j % 2], [128u64 << 30, 256 << 30][j % 2]]);
            if j % 7 == 0 {
                h = h.hypervisor(None);
            }
            h
        })
        .collect();
    let workloads: Vec<WorkloadSpec> = (0..900)
        .map(|_| {
            let mut w = WorkloadSpec::new(vec![rng.range(1, 40) * 250, rng.range(1, 96) << 28])
                .forms(rng.pick(&[FormSet::ANY, FormSet::ANY, FormSet::VM, FormSet::CONTAINER]));
            if rng.chance(1, 10) {
                w = w.group(rng.range(0, 20) as u32);
            }
            w
        })
        .collect();
    let p = Problem::from_rows(2, &workloads, &hosts, Overheads::defaults(2)).expect("valid");
    for objective in OBJECTIVES {
        for (method, key) in every_heuristic().into_iter().filter(|(_, k)| *k == fleetpack_core::SortKey::Sum) {
            let (_, indexed) = run(&p, method, key, objective, &|| false);
            let (_, scanned) = run_reference(&p, method, key, objective);
            assert_eq!(indexed, scanned, "{method:?} {objective:?}");
        }
    }
}
