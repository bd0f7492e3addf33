//! Lower bounds, and the validation of problems (`Problem::new` returns errors, never panics).

mod common;

use common::*;
use fleetpack_core::bounds::{fekete_schepers, general_min_hosts, lower_bound, martello_toth_l2, min_hosts, placeable};
use fleetpack_core::plain::is_plain_bin_packing;
use fleetpack_core::heuristics::Method;
use fleetpack_core::model::{Hosts, Workloads, MAX_FACTOR_PPM, MAX_QUANTITY};
use fleetpack_core::{
    solve, Error, Form, FormSet, HostSpec, Hypervisor, Isolation, MethodChoice, Objective, Options, Overheads, Problem,
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

    // Three 6s on hosts of 10: the continuous bound is 2, but no two share a host: the optimum 3 is proven.
    let p = one_d(&[6, 6, 6], &[10; 4]);
    let s = run_auto(&p, Objective::Hosts);
    assert_eq!((s.objective_value, s.lower_bound), (3.0, 3.0));
}

#[test]
fn bound_counts_the_smaller_per_host_overhead() {
    let mut o = Overheads::none(2);
    o.hypervisor = vec![2, 0];
    o.container_runtime = vec![3, 0];
    let workloads: Vec<_> = [4, 4, 4, 4].iter().map(|&x| w(x, 0)).collect();
    let hosts: Vec<_> = (0..4).map(|_| h(10, 100)).collect();
    // 16 of demand; each used host has room for 10 - 2 = 8: two hosts cover it, but three 4s do not fit one
    // (the count bound): 2 of 4 hosts.
    let p = problem(&workloads, &hosts, o.clone());
    assert_eq!(lower_bound(&p, Objective::Hosts, 4), 2.0);
    assert_eq!(lower_bound(&p, Objective::Hosts, 3), 2.0);
    // three 3s share a host of 10 without the overhead, not with it
    assert_eq!(lower_bound(&one_d(&[3, 3, 3, 3], &[10; 4]), Objective::Hosts, 3), 1.0);
    let p3 = problem(&[w(3, 0), w(3, 0), w(3, 0)], &hosts, o.clone());
    assert_eq!(lower_bound(&p3, Objective::Hosts, 3), 2.0);
    // 5 + 5 fills a host of 10 only without the overhead
    let p = problem(&[w(5, 0), w(5, 0)], &hosts, o);
    assert_eq!(lower_bound(&p, Objective::Hosts, 2), 2.0);
    assert_eq!(lower_bound(&one_d(&[5, 5], &[10; 4]), Objective::Hosts, 2), 1.0);
    let s = run_auto(&p, Objective::Hosts);
    assert_eq!((s.lower_bound, s.objective_value), (2.0, 2.0));
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
    // Not every placeable workload placed: the 5 that pairwise cannot share lose one for each left out.
    assert_eq!(lower_bound(&p, Objective::Hosts, 7), 4.0);
    assert_eq!(lower_bound(&p, Objective::Hosts, 4), 1.0);

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
    // 15 of demand; host 1 (cost 1, 10) is the cheaper per unit: 1 + 4 * 5/10 = 3. But 8 and 7 cannot share a host
    // of 10, so any plan uses two hosts and pays both: 5.
    let p = problem(&[w(8, 0), w(7, 0)], &[h(10, 100).cost(4.0), h(10, 100).cost(1.0)], Overheads::none(2));
    assert_eq!(lower_bound(&p, Objective::Cost, 2), 5.0);
    let s = run_auto(&p, Objective::Cost);
    assert_eq!((s.objective_value, s.lower_bound), (5.0, 5.0));
    // 5 and 5 may share: the fractional cover, 1 + 4 * 0 = 1, and the cheapest host, 1.
    let p = problem(&[w(5, 0), w(5, 0), w(4, 0)], &[h(10, 100).cost(4.0), h(10, 100).cost(1.0)], Overheads::none(2));
    assert_eq!(lower_bound(&p, Objective::Cost, 2), 1.0);
    // 14 of demand: two hosts, 5; the fractional cover says 1 + 4 * 4/10 = 2.6
    assert_eq!(lower_bound(&p, Objective::Cost, 3), 5.0);
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

/// Plain bin packing takes its own bound, from the sizes alone: it must equal the general one (sizes that overflow a
/// host, zeros, workloads that no host runs, every count placed).
#[test]
fn plain_bin_packing_bound_equals_the_general_bound() {
    let mut rng = Rng::new(5);
    let mut plain = 0;
    for case in 0..600 {
        let capacity = rng.pick(&[1, 7, 10, 150, 1000, 100_000]);
        let m = rng.range(1, 30) as usize;
        let n = rng.range(1, 60) as usize;
        let spread = capacity + capacity / 4 + 1;
        let workloads: Vec<WorkloadSpec> = (0..n)
            .map(|_| {
                let size = if rng.chance(1, 10) { 0 } else { rng.range(0, spread) };
                // a container-only workload of another OS runs nowhere; a VM-only one as a VM
                let forms = rng.pick(&[FormSet::ANY, FormSet::ANY, FormSet::VM, FormSet::CONTAINER]);
                WorkloadSpec::new(vec![0, size]).forms(forms).os(rng.range(0, 4).min(1) as u32)
            })
            .collect();
        let hosts: Vec<HostSpec> = (0..m).map(|_| h(0, capacity).cost(rng.range(1, 4) as f64)).collect();
        let p = problem(&workloads, &hosts, Overheads::none(2));
        if !is_plain_bin_packing(&p) {
            continue;
        }
        plain += 1;
        for placed in 0..=n {
            assert_eq!(min_hosts(&p, placed), general_min_hosts(&p, placed), "case {case}, {placed} placed");
        }
    }
    assert!(plain > 500, "only {plain} plain problems");
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

// ---- the stronger bounds: L2, counts, conflicts -------------------------------------------------------------------

#[test]
fn martello_toth_l2_by_hand() {
    assert_eq!(martello_toth_l2(&[], 10), 0);
    assert_eq!(martello_toth_l2(&[0, 0], 0), 1);
    // K = 0: the 6 leaves 4 free; 2+3+4+5 = 14 needs one more bin: 2
    assert_eq!(martello_toth_l2(&[2, 3, 4, 5, 6], 10), 2);
    // K = 41: the two 60s are above 100 - 41 and alone; the 41 needs a third bin (the continuous bound says 2)
    assert_eq!(martello_toth_l2(&[41, 60, 60], 100), 3);
    // K = 45: two 60s alone, 135 of [45, 50] needs two more
    assert_eq!(martello_toth_l2(&[45, 45, 45, 60, 60], 100), 4);
    // every item above half a bin
    assert_eq!(martello_toth_l2(&[51, 51, 51], 100), 3);
    // K = 3: 99 and 98 are both above 97; the 3 needs a third bin
    assert_eq!(martello_toth_l2(&[2, 3, 98, 99], 100), 3);
    // zero sizes count nowhere
    assert_eq!(martello_toth_l2(&[0, 0, 0, 41, 60, 60], 100), 3);
    // L2 misses that at most two of 40 share a bin of 100 (the count bound sees it)
    assert_eq!(martello_toth_l2(&[40; 5], 100), 2);
}

#[test]
fn fekete_schepers_by_hand() {
    assert_eq!(fekete_schepers(&[], 100), 0);
    assert_eq!(fekete_schepers(&[0, 0], 0), 0);
    // k = 2: each 40 maps to floor(3 * 40 / 100) * 100 = 100 of 2 * 100: 500 / 200 → 3 (L2 says 2)
    assert_eq!(fekete_schepers(&[40; 5], 100), 3);
    // k = 1: sizes above half a bin count whole, below it nothing; exactly half counts half
    assert_eq!(fekete_schepers(&[10, 50, 50, 50, 60], 100), 3);
    // k = 3: 4 * 30 = 120: floor(1.2) * 100 = 100 of 300 for each 30; 7 of them: 700 / 300 → 3
    assert_eq!(fekete_schepers(&[30; 7], 100), 3);
    // eps = 41, k = 2: the 60s are above 100 - 41 and count 2 * 100 each, 41 maps to 100: 500 / 200 → 3
    assert_eq!(fekete_schepers(&[41, 60, 60], 100), 3);
    // eps = 34, k = 2: 70 is above 66 and counts 200; 66, 35 and 34 map to 100 each: 500 / 200 → 3
    assert_eq!(fekete_schepers(&[34, 35, 66, 70], 100), 3);
    // small items map to nothing under every u_k (11 * 3 < 100): 0, where the other bounds say 1
    assert_eq!(fekete_schepers(&[1, 2, 3], 100), 0);
}

#[test]
fn the_bounds_meet_known_optima() {
    // Martello-Toth L2 where the continuous bound is 2
    assert_eq!(lower_bound(&one_d(&[60, 60, 41], &[100; 3]), Objective::Hosts, 3), 3.0);
    // at most two of 40 on a host of 100: 5 need 3
    assert_eq!(lower_bound(&one_d(&[40; 5], &[100; 5]), Objective::Hosts, 5), 3.0);
    // caps 2, 3, 2 and 1: seven workloads need three hosts (3 + 2 + 2)
    let hosts: Vec<HostSpec> = [2, 3, 2, 1].iter().map(|&cap| h(100, 100).max_workloads(cap)).collect();
    let p = problem(&vec![w(1, 1); 7], &hosts, Overheads::none(2));
    assert_eq!(lower_bound(&p, Objective::Hosts, 7), 3.0);
    assert_eq!(run_auto(&p, Objective::Hosts).objective_value, 3.0);
    // triplets that fill their hosts exactly (Falkenauer-style): n / 3
    let sizes: Vec<u64> = (0..12).flat_map(|k| [380 + k, 330 - 2 * k, 290 + k]).collect();
    let p = one_d(&sizes, &[1000; 36]);
    assert_eq!(lower_bound(&p, Objective::Hosts, 36), 12.0);
    // a 2-D clique: every pair overflows in one dimension or the other, none in both
    let p = problem(&[w(60, 10), w(10, 60), w(45, 45), w(55, 50)], &vec![h(100, 100); 4], Overheads::none(2));
    assert_eq!(lower_bound(&p, Objective::Hosts, 4), 2.0);
    // containers of two OSes never share a host; nor do isolated containers of different tenants
    let c = || w(1, 1).forms(FormSet::CONTAINER);
    let p = problem(
        &[
            c(),
            c().os(1),
            c().tenant(1, Isolation::Tenant),
            c().tenant(2, Isolation::Tenant),
            c().tenant(3, Isolation::None),
        ],
        &[h(10, 10), h(10, 10), h(10, 10), h(10, 10).os(1)],
        Overheads::none(2),
    );
    // os 0: tenants 0, 1 (isolated), 2 (isolated), 3 pairwise apart from the isolated ones: {0, 1, 2} + os 1
    assert_eq!(lower_bound(&p, Objective::Hosts, 5), 4.0);
    // a VM-only and a container-only workload where no host runs both
    let apart = [h(10, 10).containers(false), h(10, 10).hypervisor(None)];
    let p = problem(&[w(1, 1).forms(FormSet::VM), c()], &apart, Overheads::none(2));
    assert_eq!(lower_bound(&p, Objective::Hosts, 2), 2.0);
    let p = problem(&[w(1, 1).forms(FormSet::VM), c()], &[h(10, 10), h(10, 10)], Overheads::none(2));
    assert_eq!(lower_bound(&p, Objective::Hosts, 2), 1.0);
}

#[test]
fn cost_bound_prices_the_fewest_hosts() {
    // three workloads of 60 on hosts of 100: three hosts, the three cheapest: 1 + 2 + 3
    let hosts = [h(100, 100).cost(5.0), h(100, 100).cost(2.0), h(100, 100).cost(1.0), h(100, 100).cost(3.0)];
    let p = problem(&[w(60, 0), w(60, 0), w(60, 0)], &hosts, Overheads::none(2));
    assert_eq!(min_hosts(&p, 3), 3);
    assert_eq!(lower_bound(&p, Objective::Cost, 3), 6.0);
    assert_eq!(run_auto(&p, Objective::Cost).objective_value, 6.0);
    assert_eq!(min_hosts(&p, 0), 0);
}

/// A tiny problem with every rule in play: forms, two OSes, tenants and isolation, dedicated workloads,
/// anti-affinity, overheads with factors, hosts without hypervisor or containers, caps and costs.
fn tiny_problem(rng: &mut Rng) -> Problem {
    let dims = if rng.chance(1, 2) { 2 } else { 3 };
    let mut o = Overheads::none(dims);
    if rng.chance(2, 3) {
        for d in 0..2 {
            o.vm[d] = rng.range(0, 8);
            o.container[d] = rng.range(0, 4);
            o.hypervisor[d] = rng.range(0, 15);
            o.container_runtime[d] = rng.range(0, 15);
        }
        for k in 0..3 {
            o.vm_cpu_factor_ppm[k] = rng.pick(&[1_000_000, 1_100_000, 1_500_000]);
        }
    }
    let n = rng.range(1, 6) as usize;
    let m = rng.range(1, 4) as usize;
    let workloads: Vec<WorkloadSpec> = (0..n)
        .map(|_| {
            let mut demand: Vec<u64> = (0..dims).map(|_| rng.range(0, 60)).collect();
            if dims == 3 && rng.chance(1, 2) {
                demand[2] = 0;
            }
            let isolation = rng.pick(&[Isolation::None, Isolation::None, Isolation::Tenant, Isolation::Dedicated]);
            let mut spec = WorkloadSpec::new(demand)
                .forms(rng.pick(&[FormSet::ANY, FormSet::VM, FormSet::CONTAINER, FormSet::CONTAINER]))
                .os(rng.range(0, 1) as u32)
                .tenant(rng.range(0, 2) as u32, isolation);
            if rng.chance(1, 3) {
                spec = spec.group(rng.range(0, 1) as u32);
            }
            spec
        })
        .collect();
    let hosts: Vec<HostSpec> = (0..m)
        .map(|_| {
            let capacity: Vec<u64> = (0..dims).map(|_| rng.range(30, 130)).collect();
            let mut spec = HostSpec::new(capacity)
                .os(rng.range(0, 1) as u32)
                .hypervisor(rng.pick(&[None, Some(Hypervisor::Hardware), Some(Hypervisor::Software)]))
                .containers(rng.chance(3, 4))
                .cost(rng.range(1, 9) as f64 / 2.0);
            if rng.chance(1, 3) {
                spec = spec.max_workloads(rng.range(1, 3));
            }
            spec
        })
        .collect();
    Problem::from_rows(dims, &workloads, &hosts, o).expect("a valid tiny problem")
}

/// Every valid placement of a tiny problem, by depth-first search (the rules are closed under removing a workload,
/// so a partial placement with a violation is cut); `visit` sees each complete one.
fn every_placement(p: &Problem, placement: &mut Placement, i: usize, visit: &mut dyn FnMut(&Placement)) {
    if i == p.workload_count() {
        visit(placement);
        return;
    }
    every_placement(p, placement, i + 1, visit);
    for j in 0..p.host_count() as u32 {
        for form in [Form::Container, Form::Vm] {
            placement[i] = Some((j, form));
            if violations(p, placement).is_empty() {
                every_placement(p, placement, i + 1, visit);
            }
        }
    }
    placement[i] = None;
}

#[test]
fn the_bound_never_exceeds_the_brute_force_optimum() {
    let mut rng = Rng::new(4242);
    let mut tight = 0;
    for case in 0..300 {
        let p = tiny_problem(&mut rng);
        let n = p.workload_count();
        // per objective and number placed, the best value of any valid plan
        let mut best = vec![[f64::INFINITY; 3]; n + 1];
        let mut placement: Placement = vec![None; n];
        every_placement(&p, &mut placement, 0, &mut |pl| {
            let q = pl.iter().filter(|x| x.is_some()).count();
            for (k, objective) in OBJECTIVES.into_iter().enumerate() {
                best[q][k] = best[q][k].min(objective_of(&p, pl, objective));
            }
        });
        for (k, objective) in OBJECTIVES.into_iter().enumerate() {
            // the bound for `q` holds for every plan that places at least `q`
            let mut at_least = f64::INFINITY;
            for q in (0..=n).rev() {
                at_least = at_least.min(best[q][k]);
                if at_least.is_finite() {
                    let bound = lower_bound(&p, objective, q);
                    assert!(
                        bound_ok(objective, at_least, bound),
                        "case {case}, {objective:?}, {q} placed: bound {bound} above the optimum {at_least}\n{p:?}"
                    );
                    if objective == Objective::Hosts && q == n && bound == at_least {
                        tight += 1;
                    }
                }
            }
        }
    }
    // not a vacuous check: on many of them the bound is the optimum
    assert!(tight > 50, "the bound met the optimum of {tight} of 300");
}

#[test]
fn a_move_budget_bounds_the_hosts_a_live_fleet_can_empty() {
    use fleetpack_core::bounds::lower_bound_explained;
    use fleetpack_core::model::Live;
    // six hosts of 10 each run one workload of 1 now (host 5 two, host 0 a pinned one): any plan fits one host
    let ws: Vec<_> = (0..7).map(|_| w(1, 1)).collect();
    let hs: Vec<_> = (0..6).map(|_| h(10, 10)).collect();
    let mut live = Live::new(7, 6);
    live.current_host = vec![Some(0), Some(1), Some(2), Some(3), Some(4), Some(5), Some(5)];
    live.pinned[0] = true;
    live.move_cost = Some(vec![1, 1, 1, 1, 1, 5, 5]);
    let greenfield = problem(&ws, &hs, Overheads::none(2));
    assert_eq!(lower_bound_explained(&greenfield, Objective::Hosts, 7).0, 1.0);
    let bound = |live: &Live, objective| {
        let p = greenfield.clone().with_live(live.clone()).expect("a valid live problem");
        lower_bound_explained(&p, objective, 7)
    };
    // two moves empty two of the hosts 1-4 (one workload each): 6 - 2 = 4
    live.max_moves = Some(2);
    assert_eq!(bound(&live, Objective::Hosts), (4.0, "6 hosts are used now and at most 2 can be emptied within 2 moves".into()));
    assert_eq!(bound(&live, Objective::Cost).0, 4.0);
    // by cost: 4 hosts of cost 1 within 4, host 5 (cost 10) not; host 0 is pinned
    live.max_moves = None;
    live.max_move_cost = Some(13);
    assert_eq!(bound(&live, Objective::Hosts).0, 2.0);
    // no budget: only the pinned host must stay used, and the greenfield bound is as high
    live.max_move_cost = None;
    assert_eq!(bound(&live, Objective::Hosts).0, 1.0);
    // a drained host's workloads move in every plan: they spend the budget first
    live.drain[5] = true;
    live.max_moves = Some(3);
    assert_eq!(bound(&live, Objective::Hosts), (4.0, "5 hosts are used now and at most 1 can be emptied within 3 moves".into()));
    // beyond the budget (no plan within it): the greenfield bound
    live.max_moves = Some(1);
    assert_eq!(bound(&live, Objective::Hosts).0, 1.0);
    // spread: none
    live.max_moves = Some(2);
    assert_eq!(bound(&live, Objective::Spread).0, lower_bound_explained(&greenfield, Objective::Spread, 7).0);
}
