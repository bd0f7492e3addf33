//! Property tests (proptest) over random valid problems with every rule in play: forms, OSes, hypervisor kinds,
//! hosts without containers or hypervisor, caps on workloads, dedicated and tenant-isolated workloads, anti-affinity,
//! heterogeneous hosts (a third dimension some hosts lack), costs, and default, zero or random overheads.
//!
//! For every heuristic method × sort key × objective, and `auto`: the plan passes the independent checker of
//! tests/common (rules, objective value, lower bound), equals the contract's independent reference (heuristics),
//! and is the same when solved again. The default is 64 cases, for CI; `PROPTEST_CASES=5000 cargo test --test
//! properties` runs more.

mod common;

use common::*;
use fleetpack_core::heuristics::Method;
use fleetpack_core::{
    solve, FormSet, HostSpec, Hypervisor, Isolation, MethodChoice, Objective, Options, Overheads, Problem, SortKey,
    WorkloadSpec,
};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64);
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

fn overheads(dims: usize) -> impl Strategy<Value = Overheads> {
    let random = (
        prop::collection::vec(0u64..150, 2),
        prop::collection::vec(0u64..60, 2),
        prop::collection::vec(0u64..400, 2),
        prop::collection::vec(0u64..300, 2),
        prop::array::uniform3(prop_oneof![
            Just(1_000_000u64),
            Just(1_030_000),
            Just(1_300_000),
            Just(999_999),
            500_000u64..3_000_000
        ]),
    )
        .prop_map(move |(vm, container, hypervisor, runtime, factors)| {
            let mut o = Overheads::none(dims);
            o.vm[..2].copy_from_slice(&vm);
            o.container[..2].copy_from_slice(&container);
            o.hypervisor[..2].copy_from_slice(&hypervisor);
            o.container_runtime[..2].copy_from_slice(&runtime);
            o.vm_cpu_factor_ppm = factors;
            o
        });
    prop_oneof![Just(Overheads::none(dims)), Just(Overheads::defaults(dims)), random]
}

fn workload(dims: usize, big: bool) -> impl Strategy<Value = WorkloadSpec> {
    let top = if big { 4000u64 } else { 1500 };
    (
        prop::collection::vec(0..=top, dims),
        prop_oneof![Just(FormSet::ANY), Just(FormSet::VM), Just(FormSet::CONTAINER)],
        0u32..2,
        0u32..3,
        prop_oneof![6 => Just(Isolation::None), 3 => Just(Isolation::Tenant), 1 => Just(Isolation::Dedicated)],
        prop::option::weighted(0.4, 0u32..3),
    )
        .prop_map(|(mut demand, forms, os, tenant, isolation, group)| {
            if demand.len() == 3 {
                demand[2] %= 4; // a few units of a scarce extra dimension
            }
            let spec = WorkloadSpec::new(demand).forms(forms).os(os).tenant(tenant, isolation);
            match group {
                Some(g) => spec.group(g),
                None => spec,
            }
        })
}

fn host(dims: usize) -> impl Strategy<Value = HostSpec> {
    (
        prop::collection::vec(0u64..10_000, dims),
        0u32..2,
        prop_oneof![
            Just(None),
            Just(Some(Hypervisor::Hardware)),
            Just(Some(Hypervisor::Paravirtual)),
            Just(Some(Hypervisor::Software))
        ],
        prop::bool::weighted(0.8),
        prop_oneof![(0u32..10).prop_map(f64::from), (1u32..1_000_000).prop_map(|c| f64::from(c) / 7919.0)],
        prop::option::weighted(0.25, 0u64..6),
    )
        .prop_map(|(mut capacity, os, hypervisor, containers, cost, cap)| {
            if capacity.len() == 3 {
                capacity[2] %= 7; // some hosts lack the extra dimension
            }
            let spec = HostSpec::new(capacity).os(os).hypervisor(hypervisor).containers(containers).cost(cost);
            match cap {
                Some(c) => spec.max_workloads(c),
                None => spec,
            }
        })
}

fn problems() -> impl Strategy<Value = Problem> {
    (2usize..=3, any::<bool>())
        .prop_flat_map(|(dims, big)| {
            (
                Just(dims),
                prop::collection::vec(workload(dims, big), 0..24),
                prop::collection::vec(host(dims), 0..9),
                overheads(dims),
                any::<bool>(),
            )
        })
        .prop_map(|(dims, workloads, mut hosts, overheads, twin)| {
            // in the default overheads memory is in bytes: scale the made-up units to MiB
            if overheads == Overheads::defaults(dims) {
                for w in &mut hosts {
                    w.capacity[1] <<= 20;
                }
            }
            if twin && hosts.len() >= 2 {
                hosts[1] = hosts[0].clone(); // identical hosts: ties in every order
            }
            let mut workloads = workloads;
            if overheads == Overheads::defaults(dims) {
                for w in &mut workloads {
                    w.demand[1] <<= 20;
                }
            }
            Problem::from_rows(dims, &workloads, &hosts, overheads).expect("a valid problem")
        })
}

fn choices() -> Vec<MethodChoice> {
    let mut out: Vec<MethodChoice> =
        every_heuristic().into_iter().map(|(m, k)| MethodChoice::Heuristic(m, k)).collect();
    out.push(MethodChoice::Auto);
    out
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn every_plan_is_valid_deterministic_and_follows_the_contract(p in problems()) {
        for objective in OBJECTIVES {
            for choice in choices() {
                let options = Options::new(choice, objective);
                let s = solve(&p, &options).map_err(|e| TestCaseError::fail(format!("{choice:?}: {e}")))?;
                check_solution(&p, &s, objective);
                prop_assert_eq!(&solve(&p, &options).unwrap(), &s, "{:?} {:?} is not deterministic", choice, objective);
                if let MethodChoice::Heuristic(method, key) = choice {
                    prop_assert_eq!(&s.placement, &reference(&p, method, key, objective),
                        "{:?}/{:?} {:?} differs from the reference", method, key, objective);
                }
            }
        }
    }

    /// The state of a whole plan built in one pass is the state of adding its workloads one by one: usage, counts,
    /// per-host overheads, and what every workload may still join.
    #[test]
    fn a_fleet_from_a_plan_equals_adding_its_workloads(p in problems()) {
        use fleetpack_core::fit::HostStates;
        use fleetpack_core::Form;
        let s = solve(&p, &Options::new(MethodChoice::Auto, Objective::Hosts)).unwrap();
        let mut one_by_one = HostStates::new(&p);
        for (i, place) in s.placement.iter().enumerate() {
            if let Some((j, form)) = *place {
                one_by_one.add(i, j as usize, form);
            }
        }
        let at_once = HostStates::from_placement(&p, &s.placement);
        prop_assert_eq!(at_once.hosts_used(), one_by_one.hosts_used());
        for j in 0..p.host_count() {
            prop_assert_eq!(at_once.used(j), one_by_one.used(j));
            prop_assert_eq!((at_once.count(j), at_once.runs(j)), (one_by_one.count(j), one_by_one.runs(j)));
            for i in 0..p.workload_count() {
                for form in [Form::Vm, Form::Container] {
                    prop_assert_eq!(at_once.fits(i, j, form), one_by_one.fits(i, j, form));
                }
            }
        }
    }

    /// `auto` keeps the best plan of its portfolio: no member places more, or as many with a better value.
    #[test]
    fn auto_is_at_least_as_good_as_every_member(p in problems()) {
        for objective in OBJECTIVES {
            let auto = solve(&p, &Options::new(MethodChoice::Auto, objective)).unwrap();
            for (method, key) in fleetpack_core::solve::portfolio(objective) {
                let single = solve(&p, &Options::new(MethodChoice::Heuristic(method, key), objective)).unwrap();
                prop_assert!(
                    (auto.placed(), -auto.objective_value) >= (single.placed(), -single.objective_value),
                    "{:?}: auto {} placed, {} worse than {:?}/{:?} {} placed, {}",
                    objective, auto.placed(), auto.objective_value, method, key, single.placed(), single.objective_value
                );
            }
        }
    }
}

/// The generator reaches every rule: otherwise the properties above would hold vacuously.
#[test]
fn the_generator_exercises_every_rule() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = problems();
    let (mut vms, mut containers, mut left_out, mut dedicated, mut tenant, mut grouped, mut capped) = (0, 0, 0, 0, 0, 0, 0);
    for _ in 0..200 {
        let p = strategy.new_tree(&mut runner).unwrap().current();
        let s = solve(&p, &Options::new(MethodChoice::Heuristic(Method::FirstFitDecreasing, SortKey::Sum), Objective::Hosts))
            .unwrap();
        for (i, place) in s.placement.iter().enumerate() {
            match place {
                None => left_out += 1,
                Some((_, fleetpack_core::Form::Vm)) => vms += 1,
                Some((_, fleetpack_core::Form::Container)) => containers += 1,
            }
            if place.is_some() {
                dedicated += usize::from(p.workloads().isolation[i] == Isolation::Dedicated);
                tenant += usize::from(p.workloads().isolation[i] == Isolation::Tenant);
                grouped += usize::from(p.workloads().group[i].is_some());
            }
        }
        capped += p.hosts().max_workloads.iter().filter(|c| c.is_some()).count();
    }
    for (what, count) in [
        ("VMs", vms),
        ("containers", containers),
        ("left out", left_out),
        ("dedicated placed", dedicated),
        ("tenant-isolated placed", tenant),
        ("anti-affinity placed", grouped),
        ("capped hosts", capped),
    ] {
        assert!(count > 0, "the generator never produced {what}");
    }
}
