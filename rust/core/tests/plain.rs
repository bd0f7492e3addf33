//! Plain one-dimensional bin packing (`heuristics::plain`) against the plain scan over all hosts
//! (`heuristics::run_reference`): random bin-packing problems in the many disguises the detection accepts (the
//! dimension in CPU or memory or an extra one, small and large capacities, sizes of 0 and sizes too large, hosts
//! without hypervisor or without containers, costs), every method, sort key and objective. They must agree
//! placement for placement; and a rule in play sends the problem back to the general indexes.

mod common;

use common::*;
use fleetpack_core::heuristics::{run, run_reference};
use fleetpack_core::plain::is_plain_bin_packing;
use fleetpack_core::model::{FormSet, HostSpec, Hypervisor, Overheads, Problem, WorkloadSpec};
use fleetpack_core::bounds::general_min_hosts;
use fleetpack_core::{solve, MethodChoice, Objective, Options};

fn bin_packing(rng: &mut Rng) -> Problem {
    let dims = rng.range(2, 3) as usize;
    let dim = rng.range(0, dims as u64 - 1) as usize;
    // small capacities (a table of rows per free capacity) and large ones (a search tree)
    let capacity = if rng.chance(1, 2) { rng.range(1, 300) } else { rng.range(20_000, 1 << 40) };
    let n = rng.range(0, 300) as usize;
    let m = rng.range(1, 80) as usize;
    let few_sizes = rng.chance(1, 2);
    let hypervisor = rng.pick(&[None, Some(Hypervisor::Hardware), Some(Hypervisor::Software)]);
    let containers = hypervisor.is_none() || rng.chance(2, 3);
    let hosts: Vec<HostSpec> = (0..m)
        .map(|_| {
            let mut c = vec![0; dims];
            c[dim] = capacity;
            HostSpec::new(c).hypervisor(hypervisor).containers(containers).cost(rng.pick(&[1.0, 0.5, 2.0]))
        })
        .collect();
    let workloads: Vec<WorkloadSpec> = (0..n)
        .map(|_| {
            let mut d = vec![0; dims];
            d[dim] = match rng.range(0, 19) {
                0 => 0,
                1 => capacity + rng.range(1, 3),
                _ if few_sizes => capacity / rng.range(2, 7),
                _ => rng.range(1, capacity),
            };
            WorkloadSpec::new(d)
                .forms(rng.pick(&[FormSet::ANY, FormSet::ANY, FormSet::VM, FormSet::CONTAINER]))
                .os(rng.range(0, 1) as u32)
                .tenant(rng.range(0, 2) as u32, fleetpack_core::Isolation::None)
        })
        .collect();
    Problem::from_rows(dims, &workloads, &hosts, Overheads::none(dims)).expect("valid")
}

#[test]
fn plain_bin_packing_equals_the_plain_scan() {
    let mut rng = Rng::new(0xB1B);
    for case in 0..60 {
        let p = bin_packing(&mut rng);
        assert!(is_plain_bin_packing(&p), "case {case}: not recognised");
        for objective in OBJECTIVES {
            for (method, key) in every_heuristic() {
                let (fleet, fast) = run(&p, method, key, objective, &|| false);
                let (reference, scanned) = run_reference(&p, method, key, objective);
                assert_eq!(fast, scanned, "case {case}: {method:?} {key:?} {objective:?}");
                assert_eq!(fleet.hosts_used(), reference.hosts_used());
                check_placement(&p, &fast);
            }
        }
    }
}

/// `solve` takes a shortcut for one heuristic on plain bin packing (no fleet state): its solution must be what the
/// general path gives, field for field: the reference plan, the fleet's usage and score, the bound, hosts and cost.
#[test]
fn solve_on_plain_bin_packing_equals_the_general_path() {
    let mut rng = Rng::new(0x501E);
    for case in 0..60 {
        let p = bin_packing(&mut rng);
        for objective in OBJECTIVES {
            for (method, key) in every_heuristic() {
                let s = solve(&p, &Options::new(MethodChoice::Heuristic(method, key), objective)).unwrap();
                let (reference, scanned) = run_reference(&p, method, key, objective);
                assert_eq!(s.placement, scanned, "case {case}: {method:?} {key:?} {objective:?}");
                let used: Vec<u64> = (0..p.host_count()).flat_map(|j| reference.used(j).to_vec()).collect();
                assert_eq!(s.used, used, "case {case}");
                assert_eq!(s.objective_value, reference.objective_value(objective), "case {case}");
                if objective == Objective::Hosts {
                    assert_eq!(s.lower_bound, general_min_hosts(&p, s.placed()) as f64, "case {case}");
                }
                assert_eq!(s.hosts_used, reference.hosts_used(), "case {case}");
                let cost = (0..p.host_count()).filter(|&j| reference.count(j) > 0).map(|j| p.hosts().cost[j]);
                assert_eq!(s.cost, cost.fold(0.0, |total, c| total + c), "case {case}");
                check_solution(&p, &s, objective);
            }
        }
    }
}

#[test]
fn a_rule_or_an_overhead_in_play_is_not_plain_bin_packing() {
    let hosts = [h(0, 100), h(0, 100)];
    let plain = [w(0, 30), w(0, 70)];
    assert!(is_plain_bin_packing(&problem(&plain, &hosts, Overheads::none(2))));
    // overheads, a second dimension, hosts unlike, a cap, isolation, anti-affinity
    assert!(!is_plain_bin_packing(&problem(&plain, &hosts, Overheads::defaults(2))));
    assert!(!is_plain_bin_packing(&problem(&[w(1, 30)], &[h(4, 100)], Overheads::none(2))));
    assert!(!is_plain_bin_packing(&problem(&plain, &[h(0, 100), h(0, 90)], Overheads::none(2))));
    assert!(!is_plain_bin_packing(&problem(&plain, &[h(0, 100), h(0, 100).max_workloads(3)], Overheads::none(2))));
    let dedicated = [w(0, 30).isolation(fleetpack_core::Isolation::Dedicated)];
    assert!(!is_plain_bin_packing(&problem(&dedicated, &hosts, Overheads::none(2))));
    assert!(!is_plain_bin_packing(&problem(&[w(0, 30).group(1)], &hosts, Overheads::none(2))));
    // the CPU dimension with a VM CPU factor: a VM takes more than the workload
    let mut factor = Overheads::none(2);
    factor.vm_cpu_factor_ppm = [1_030_000; 3];
    assert!(!is_plain_bin_packing(&problem(&[w(30, 0)], &[h(100, 0)], factor)));
}

#[test]
fn a_cancelled_run_stops_early() {
    let hosts: Vec<HostSpec> = (0..5000).map(|_| h(0, 100)).collect();
    let workloads: Vec<WorkloadSpec> = (0..20_000).map(|i| w(0, 20 + i % 50)).collect();
    let p = problem(&workloads, &hosts, Overheads::none(2));
    assert!(is_plain_bin_packing(&p));
    let bfd = fleetpack_core::heuristics::Method::BestFitDecreasing;
    let (_, placement) = run(&p, bfd, fleetpack_core::SortKey::Sum, fleetpack_core::Objective::Hosts, &|| true);
    let placed = placement.iter().filter(|p| p.is_some()).count();
    assert!(placed > 0 && placed < 20_000, "{placed} placed");
}
