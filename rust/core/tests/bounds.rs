//! Lower bounds, and the validation of problems (`Problem::new` returns errors, never panics).

mod common;

use common::*;
use fleetpack_core::bounds::{lower_bound, placeable};
use fleetpack_core::heuristics::Method;
use fleetpack_core::model::{Hosts, Workloads, MAX_FACTOR_PPM, MAX_QUANTITY};
use fleetpack_core::{
    solve, Error, FormSet, HostSpec, Hypervisor, Isolation, MethodChoice, Objective, Options, Overheads, Problem,
    SortKey, WorkloadSpec,
};

fn one_d(sizes: &[u64], capacities: &[u64]) -> Problem {
    let workloads: Vec<_> = sizes.iter().map(|&x| w(x, 0)).collect();
    let hosts: Vec<_> = capacities.iter().map(|&c| h(c, 100)).collect();
    problem(&workloads, &hosts, Overheads::none(2))
}

#[test]
fn continuous_bound_on_a_1d_instance_with_known_optimum() {
    // 6+4 and 5+3+2 fill two hosts of 10 exactly: the optimum is 2 and the bound is tight.
    let p = one_d(&[6, 5, 4, 3, 2], &[10; 6]);
    assert_eq!(lower_bound(&p, Objective::Hosts, 5), 2.0);
    assert_eq!(lower_bound(&p, Objective::Cost, 5), 2.0);
    assert_eq!(lower_bound(&p, Objective::Spread, 5), 20.0 / 60.0);
    let s = run_auto(&p, Objective::Hosts);
    assert_eq!((s.placed(), s.objective_value, s.lower_bound), (5, 2.0, 2.0));
    // FFD alone finds it too
    let s = run(&p, Method::FirstFitDecreasing, SortKey::Sum, Objective::Hosts);
    assert_eq!(s.objective_value, 2.0);
    // Fewer placed: the smallest ones count (2+3+4 = 9 fits one host; 2+3+4+5 = 14 needs two).
    assert_eq!(lower_bound(&p, Objective::Hosts, 3), 1.0);
    assert_eq!(lower_bound(&p, Objective::Hosts, 4), 2.0);
    assert_eq!(lower_bound(&p, Objective::Hosts, 0), 0.0);

    // Three 6s on hosts of 10: the continuous bound is 2, the optimum 3 (no two share a host).
    let p = one_d(&[6, 6, 6], &[10; 4]);
    let s = run_auto(&p, Objective::Hosts);
    assert_eq!((s.objective_value, s.lower_bound), (3.0, 2.0));
}

#[test]
fn bound_counts_the_smaller_per_host_overhead() {
    let mut o = Overheads::none(2);
    o.hypervisor = vec![2, 0];
    o.container_runtime = vec![3, 0];
    let workloads: Vec<_> = [6, 6, 5].iter().map(|&x| w(x, 0)).collect();
    let hosts: Vec<_> = (0..4).map(|_| h(10, 100)).collect();
    // 17 of demand; each used host has room for 10 - 2: two hosts cover 16 only.
    let p = problem(&workloads, &hosts, o);
    assert_eq!(lower_bound(&p, Objective::Hosts, 3), 3.0);
    assert_eq!(lower_bound(&one_d(&[6, 6, 5], &[10; 4]), Objective::Hosts, 3), 2.0);
    let s = run_auto(&p, Objective::Hosts);
    assert_eq!(s.lower_bound, 3.0);
    assert!(s.objective_value >= 3.0);
}

#[test]
fn dedicated_and_anti_affinity_bound() {
    let small = || w(1, 1);
    let p = problem(
        &[
            small().isolation(Isolation::Dedicated),
            small().isolation(Isolation::Dedicated).group(7), // dedicated: counted once, not in its group
            small().group(7),
            small().group(7),
            small().group(7),
            small().group(8),
            small(),
            small(),
        ],
        &vec![h(100, 100); 8],
        Overheads::none(2),
    );
    // 2 dedicated + 3 others of group 7
    assert_eq!(lower_bound(&p, Objective::Hosts, 8), 5.0);
    let s = run_auto(&p, Objective::Hosts);
    assert_eq!((s.placed(), s.objective_value, s.lower_bound), (8, 5.0, 5.0));
    // Not every placeable workload placed: only the capacity bound.
    assert_eq!(lower_bound(&p, Objective::Hosts, 7), 1.0);

    // A workload that fits no host is not placeable and does not count.
    let mut rows = vec![small().isolation(Isolation::Dedicated), small().isolation(Isolation::Dedicated)];
    rows.push(w(1000, 1).isolation(Isolation::Dedicated));
    let p = problem(&rows, &vec![h(100, 100); 4], Overheads::none(2));
    assert_eq!(placeable(&p), vec![true, true, false]);
    assert_eq!(lower_bound(&p, Objective::Hosts, 2), 2.0);
    let s = run_auto(&p, Objective::Hosts);
    assert_eq!((s.placed(), s.objective_value, s.lower_bound), (2, 2.0, 2.0));
}

#[test]
fn placeable_checks_every_rule_on_an_empty_host() {
    let p = problem(
        &[
            w(1, 1).forms(FormSet::VM),        // no host with a hypervisor
            w(1, 1).forms(FormSet::CONTAINER), // fits the container host
            w(1, 1).forms(FormSet::CONTAINER).os(1),
            w(1, 1),
        ],
        &[h(10, 10).hypervisor(None), h(10, 10).hypervisor(None).max_workloads(0).os(1)],
        Overheads::none(2),
    );
    assert_eq!(placeable(&p), vec![false, true, false, true]);
}

#[test]
fn cost_and_spread_bounds() {
    // 15 of demand; host 0 (cost 1, 10) is the cheaper per unit: 1 + 4 * 5/10 = 3. Any plan needs both: 5.
    let p = problem(&[w(8, 0), w(7, 0)], &[h(10, 100).cost(4.0), h(10, 100).cost(1.0)], Overheads::none(2));
    assert_eq!(lower_bound(&p, Objective::Cost, 2), 3.0);
    let s = run_auto(&p, Objective::Cost);
    assert_eq!((s.objective_value, s.lower_bound), (5.0, 3.0));
    // A small demand: at least the cheapest host.
    assert_eq!(lower_bound(&p, Objective::Cost, 0), 0.0);
    let p = problem(&[w(1, 0)], &[h(10, 100).cost(4.0), h(10, 100).cost(2.5)], Overheads::none(2));
    assert_eq!(lower_bound(&p, Objective::Cost, 1), 2.5);
    assert_eq!(run_auto(&p, Objective::Cost).objective_value, 2.5);

    // Spread: demand over the whole fleet's capacity, per dimension.
    let p = one_d(&[5, 5, 5], &[10, 10]);
    assert_eq!(lower_bound(&p, Objective::Spread, 3), 0.75);
    let s = run_auto(&p, Objective::Spread);
    assert_eq!((s.objective_value, s.lower_bound), (1.0, 0.75));
}

#[test]
fn bound_is_at_most_the_heuristic_value_on_random_problems() {
    let mut rng = Rng::new(99);
    for case in 0..250 {
        let p = random_problem(&mut rng);
        for objective in OBJECTIVES {
            for choice in [
                MethodChoice::Auto,
                MethodChoice::Heuristic(Method::FirstFit, SortKey::Sum),
                MethodChoice::Heuristic(Method::WorstFitDecreasing, SortKey::Max),
            ] {
                let s = solve(&p, &Options::new(choice, objective)).unwrap();
                check_solution(&p, &s, objective); // includes bound <= value
                assert_eq!(s.lower_bound, lower_bound(&p, objective, s.placed()), "case {case}");
                // the bound grows with the number placed
                if s.placed() > 0 {
                    assert!(lower_bound(&p, objective, s.placed() - 1) <= s.lower_bound, "case {case}");
                }
            }
        }
    }
}

// ---- validation -------------------------------------------------------------------------------------------------------

fn columns(n: usize, m: usize, dims: usize) -> (Workloads, Hosts) {
    let workloads = Workloads {
        demand: vec![1; n * dims],
        forms: vec![FormSet::ANY; n],
        os: vec![0; n],
        tenant: vec![0; n],
        isolation: vec![Isolation::None; n],
        group: vec![None; n],
    };
    let hosts = Hosts {
        capacity: vec![10; m * dims],
        os: vec![0; m],
        hypervisor: vec![Some(Hypervisor::Hardware); m],
        containers: vec![true; m],
        cost: vec![1.0; m],
        max_workloads: vec![None; m],
    };
    (workloads, hosts)
}

fn invalid(result: Result<Problem, Error>, what: &str) {
    match result {
        Err(Error::InvalidInput(message)) => assert!(!message.is_empty()),
        other => panic!("{what}: expected InvalidInput, got {other:?}"),
    }
}

#[test]
fn problem_new_rejects_mismatched_columns() {
    let (wl, hs) = columns(3, 2, 2);
    assert!(Problem::new(2, wl.clone(), hs.clone(), Overheads::none(2)).is_ok());
    let mutations: Vec<(&str, Box<dyn Fn(&mut Workloads, &mut Hosts)>)> = vec![
        ("demand", Box::new(|w, _| { w.demand.pop(); })),
        ("demand longer", Box::new(|w, _| w.demand.push(1))),
        ("os", Box::new(|w, _| { w.os.pop(); })),
        ("tenant", Box::new(|w, _| w.tenant.push(0))),
        ("isolation", Box::new(|w, _| { w.isolation.pop(); })),
        ("group", Box::new(|w, _| w.group.push(None))),
        ("forms", Box::new(|w, _| w.forms.push(FormSet::VM))),
        ("capacity", Box::new(|_, h| { h.capacity.pop(); })),
        ("hypervisor", Box::new(|_, h| { h.hypervisor.pop(); })),
        ("containers", Box::new(|_, h| h.containers.push(true))),
        ("cost", Box::new(|_, h| { h.cost.pop(); })),
        ("max_workloads", Box::new(|_, h| h.max_workloads.push(None))),
        ("host os", Box::new(|_, h| h.os.push(0))),
    ];
    for (what, mutate) in mutations {
        let (mut w, mut h) = (wl.clone(), hs.clone());
        mutate(&mut w, &mut h);
        invalid(Problem::new(2, w, h, Overheads::none(2)), what);
    }
    // overheads of the wrong width, too few dimensions
    invalid(Problem::new(2, wl.clone(), hs.clone(), Overheads::none(3)), "overheads width");
    let (w1, h1) = columns(3, 2, 1);
    invalid(Problem::new(1, w1, h1, Overheads::none(1)), "one dimension");
    invalid(Problem::new(0, Workloads::default(), Hosts::default(), Overheads::none(0)), "no dimension");
    // rows of the wrong width
    invalid(Problem::from_rows(2, &[WorkloadSpec::new(vec![1, 1, 1])], &[h(1, 1)], Overheads::none(2)), "row");
    invalid(Problem::from_rows(3, &[WorkloadSpec::new(vec![1, 1, 1])], &[h(1, 1)], Overheads::none(3)), "host row");
    // a number of dimensions so large that rows x dims overflows: an error, not an overflow panic
    for dims in [usize::MAX, usize::MAX / 2 + 1, 1 << (usize::BITS - 1)] {
        let (w3, h2) = columns(3, 2, 2);
        invalid(Problem::new(dims, w3, h2, Overheads::none(2)), "huge dims");
        let (w0, h4) = columns(0, 4, 2);
        invalid(Problem::new(dims, w0, h4, Overheads::none(2)), "huge dims, hosts");
    }
    // empty problems are fine
    assert!(Problem::new(2, Workloads::default(), Hosts::default(), Overheads::none(2)).is_ok());
}

#[test]
fn problem_new_rejects_sizes_above_max_quantity_and_bad_numbers() {
    let big = MAX_QUANTITY + 1;
    let (wl, hs) = columns(2, 2, 3);
    let ok = |w: Workloads, h: Hosts, o: Overheads| Problem::new(3, w, h, o);
    assert!(ok(wl.clone(), hs.clone(), Overheads::none(3)).is_ok());
    for k in 0..6 {
        let mut w = wl.clone();
        w.demand[k] = big;
        invalid(ok(w.clone(), hs.clone(), Overheads::none(3)), "demand");
        w.demand[k] = MAX_QUANTITY;
        assert!(ok(w, hs.clone(), Overheads::none(3)).is_ok());
        let mut h = hs.clone();
        h.capacity[k] = big;
        invalid(ok(wl.clone(), h.clone(), Overheads::none(3)), "capacity");
        h.capacity[k] = u64::MAX;
        invalid(ok(wl.clone(), h, Overheads::none(3)), "capacity u64::MAX");
    }
    for field in 0..4 {
        for d in 0..3 {
            let mut o = Overheads::none(3);
            let v = match field {
                0 => &mut o.vm,
                1 => &mut o.container,
                2 => &mut o.hypervisor,
                _ => &mut o.container_runtime,
            };
            v[d] = big;
            invalid(ok(wl.clone(), hs.clone(), o), "overheads");
        }
    }
    let mut o = Overheads::none(3);
    o.vm_cpu_factor_ppm[2] = MAX_FACTOR_PPM + 1;
    invalid(ok(wl.clone(), hs.clone(), o), "factor");
    for cost in [-1.0, f64::NAN, f64::INFINITY] {
        let mut h = hs.clone();
        h.cost[1] = cost;
        invalid(ok(wl.clone(), h, Overheads::none(3)), "cost");
    }
    invalid(
        Problem::from_rows(2, &[w(big, 0)], &[h(1, 1)], Overheads::none(2)),
        "from_rows demand",
    );
}

/// The largest sizes and factor the model accepts: every method gives a valid plan, no overflow, no panic.
#[test]
fn extreme_valid_inputs_solve() {
    let max = MAX_QUANTITY;
    let mut o = Overheads::none(3);
    o.vm = vec![max; 3];
    o.container = vec![max, 0, max];
    o.hypervisor = vec![max; 3];
    o.container_runtime = vec![0, max, 0];
    o.vm_cpu_factor_ppm = [MAX_FACTOR_PPM, 0, MAX_FACTOR_PPM];
    let workloads = vec![
        WorkloadSpec::new(vec![max, max, max]),
        WorkloadSpec::new(vec![0, 0, 0]),
        WorkloadSpec::new(vec![max, 0, 0]).forms(FormSet::VM),
        WorkloadSpec::new(vec![1, 1, 1]).forms(FormSet::CONTAINER).isolation(Isolation::Dedicated),
    ];
    let hosts = vec![
        HostSpec::new(vec![max, max, max]),
        HostSpec::new(vec![max, max, max]).hypervisor(Some(Hypervisor::Paravirtual)).cost(fleetpack_core::model::MAX_COST),
        HostSpec::new(vec![0, 0, 0]).cost(0.0),
        HostSpec::new(vec![max, max, 0]).hypervisor(Some(Hypervisor::Software)).max_workloads(u64::MAX),
    ];
    let p = Problem::from_rows(3, &workloads, &hosts, o).unwrap();
    for objective in OBJECTIVES {
        run_auto(&p, objective);
        for (method, key) in every_heuristic() {
            run(&p, method, key, objective);
        }
        for placed in 0..=4 {
            let b = lower_bound(&p, objective, placed);
            assert!(b.is_finite() && b >= 0.0);
        }
    }
}

#[test]
fn empty_problems_solve() {
    for (n, m) in [(0, 0), (3, 0), (0, 3)] {
        let workloads = vec![w(1, 1); n];
        let hosts = vec![h(10, 10); m];
        let p = problem(&workloads, &hosts, Overheads::defaults(2));
        for objective in OBJECTIVES {
            let s = run_auto(&p, objective);
            assert_eq!((s.placed(), s.objective_value, s.lower_bound), (0, 0.0, 0.0));
            assert_eq!(s.placement.len(), n);
        }
    }
}
