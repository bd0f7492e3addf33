//! The improvement search of `auto`: valid plans under every rule, never worse than the portfolio's, deterministic
//! for a seed, known optima on crafted instances, and it stops when cancelled.

mod common;

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use common::*;
use fleetpack_core::improve::{self, Limits};
use fleetpack_core::{
    solve, Error, FormSet, HostSpec, Hypervisor, Isolation, MethodChoice, Objective, Options, Overheads, Problem,
    Solution, WorkloadSpec,
};

fn auto_with(p: &Problem, objective: Objective, seed: u64, work: Option<u64>) -> Solution {
    let mut options = Options::new(MethodChoice::Auto, objective);
    options.seed = seed;
    options.search_work = work;
    let s = solve(p, &options).expect("solve");
    check_solution(p, &s, objective);
    s
}

/// (placed, value): the order in which plans are compared (more placed first, then a lower value).
fn never_worse(p: &Problem, objective: Objective, searched: &Solution, start: &Solution) {
    assert!(searched.placed() >= start.placed(), "{objective:?}: the search left out more workloads");
    if searched.placed() == start.placed() {
        assert!(
            searched.objective_value <= start.objective_value,
            "{objective:?}: {} is worse than the portfolio's {} ({})",
            searched.objective_value,
            start.objective_value,
            start.strategy
        );
    }
    if searched.strategy != start.strategy {
        // the search's own, or when the portfolio left workloads out, a plan of the count phase (improve/count.rs)
        // on a fleet of several host types, the shape-matched construction's plan, searched or not (improve/shape.rs)
        let shaped = ["shape", "search(shape)"].contains(&searched.strategy.as_str());
        if start.placed() == p.workload_count() && !shaped {
            assert_eq!(searched.strategy, format!("search({})", start.strategy));
        }
        assert!(searched.placed() > start.placed() || searched.objective_value < start.objective_value);
    }
}

/// Items of `capacity` split into triplets that fill a bin exactly (Falkenauer's construction): the optimum is
/// a third of the items, which first fit decreasing rarely finds.
fn triplets(rng: &mut Rng, bins: usize, capacity: u64) -> Problem {
    let mut sizes = Vec::new();
    for _ in 0..bins {
        let quarter = capacity / 4;
        let a = rng.range(capacity * 35 / 100, capacity * 48 / 100);
        let b = rng.range(quarter + 1, capacity - a - quarter - 1);
        sizes.extend([a, b, capacity - a - b]);
    }
    // shuffled, so that input order says nothing
    for k in (1..sizes.len()).rev() {
        sizes.swap(k, rng.range(0, k as u64) as usize);
    }
    let workloads: Vec<_> = sizes.iter().map(|&x| w(x, 0)).collect();
    let hosts: Vec<_> = (0..sizes.len()).map(|_| h(capacity, 0)).collect();
    problem(&workloads, &hosts, Overheads::none(2))
}

/// A fleet with every rule in play and enough workloads per host that the search moves many of them: forms,
/// OSes, tenants with isolation, dedicated workloads, anti-affinity groups, hosts without a hypervisor or
/// containers, caps on workloads, costs, the default overheads.
fn busy_fleet(rng: &mut Rng, n: usize, m: usize) -> Problem {
    let gi = 1u64 << 30;
    let workloads: Vec<WorkloadSpec> = (0..n)
        .map(|_| {
            let mut spec = WorkloadSpec::new(vec![rng.range(100, 4000), rng.range(1, 16) * gi / 2])
                .forms(rng.pick(&[FormSet::ANY, FormSet::ANY, FormSet::VM, FormSet::CONTAINER]))
                .os(rng.range(0, 1) as u32);
            let isolation = match rng.range(0, 19) {
                0..=14 => Isolation::None,
                15..=18 => Isolation::Tenant,
                _ => Isolation::Dedicated,
            };
            spec = spec.tenant(rng.range(0, 3) as u32, isolation);
            if rng.chance(1, 3) {
                spec = spec.group(rng.range(0, 7) as u32);
            }
            spec
        })
        .collect();
    let hosts: Vec<HostSpec> = (0..m)
        .map(|j| {
            let big = j % 3 == 0;
            let mut spec = HostSpec::new(vec![if big { 32_000 } else { 16_000 }, if big { 128 * gi } else { 64 * gi }])
                .os(rng.range(0, 1) as u32)
                .hypervisor(rng.pick(&[None, Some(Hypervisor::Hardware), Some(Hypervisor::Paravirtual)]))
                .containers(rng.chance(5, 6))
                .cost(if big { 3.0 } else { 1.0 + rng.range(0, 10) as f64 / 10.0 });
            if rng.chance(1, 5) {
                spec = spec.max_workloads(rng.range(4, 12));
            }
            spec
        })
        .collect();
    Problem::from_rows(2, &workloads, &hosts, Overheads::defaults(2)).expect("a valid fleet")
}

#[test]
fn plans_keep_every_rule_and_are_never_worse_than_the_portfolio() {
    let mut rng = Rng::new(41);
    for _ in 0..150 {
        let p = random_problem(&mut rng);
        for objective in OBJECTIVES {
            let start = run_portfolio(&p, objective);
            let searched = auto_with(&p, objective, 3, None);
            never_worse(&p, objective, &searched, &start);
        }
    }
}

#[test]
fn rules_hold_after_many_moves_on_a_busy_fleet() {
    let mut improved = 0;
    for seed in 0..4 {
        let mut rng = Rng::new(100 + seed);
        let p = busy_fleet(&mut rng, 160, 60);
        for objective in OBJECTIVES {
            let start = run_portfolio(&p, objective);
            let searched = auto_with(&p, objective, seed, Some(300_000));
            never_worse(&p, objective, &searched, &start);
            improved += usize::from(searched.strategy != start.strategy);
        }
    }
    // the search is not idle on these fleets: it improves on the portfolio somewhere
    assert!(improved > 0);
}

#[test]
fn triplets_reach_their_optimum_where_ffd_does_not() {
    let mut ffd_short = 0;
    for seed in 0..4 {
        let mut rng = Rng::new(7 + seed);
        let p = triplets(&mut rng, 12, 1000);
        let start = run_portfolio(&p, Objective::Hosts);
        ffd_short += usize::from(start.objective_value > 12.0);
        let s = auto_with(&p, Objective::Hosts, seed, Some(1_000_000));
        assert_eq!(s.objective_value, 12.0, "seed {seed}: {} hosts, the optimum is 12", s.objective_value);
        assert_eq!(s.lower_bound, 12.0);
    }
    assert!(ffd_short >= 2, "the instances should be hard for the portfolio");
}

#[test]
fn one_dimensional_refills_keep_anti_affinity_and_caps() {
    // One dimension with small capacities: the refill of a host is solved by subset sums, which know sizes only;
    // anti-affinity groups and caps on workloads must still hold (the set is checked by the rules).
    let mut improved = 0;
    for seed in 0..6 {
        let mut rng = Rng::new(300 + seed);
        let base = triplets(&mut rng, 10, 1000);
        let workloads: Vec<WorkloadSpec> = (0..base.workload_count())
            .map(|i| {
                let spec = w(base.smallest(i)[0], 0);
                if rng.chance(1, 2) { spec.group(rng.range(0, 3) as u32) } else { spec }
            })
            .collect();
        let hosts: Vec<HostSpec> = (0..base.host_count())
            .map(|j| if j % 2 == 0 { h(1000, 0).max_workloads(3) } else { h(1000, 0) })
            .collect();
        let p = problem(&workloads, &hosts, Overheads::none(2));
        let start = run_portfolio(&p, Objective::Hosts);
        let searched = auto_with(&p, Objective::Hosts, seed, Some(500_000));
        never_worse(&p, Objective::Hosts, &searched, &start);
        improved += usize::from(searched.strategy != start.strategy);
    }
    assert!(improved > 0, "the search should improve some of these plans");
}

#[test]
fn cost_drops_the_dear_host() {
    // Two cheap hosts hold everything once the 6 moves; the portfolio opens the dear big one for it.
    let workloads = [w(6, 0), w(5, 0), w(4, 0), w(5, 0)];
    let hosts = [h(10, 0).cost(1.0), h(10, 0).cost(1.0), h(12, 0).cost(1.1)];
    let p = problem(&workloads, &hosts, Overheads::none(2));
    let start = run_portfolio(&p, Objective::Cost);
    let s = auto_with(&p, Objective::Cost, 0, None);
    never_worse(&p, Objective::Cost, &s, &start);
    assert_eq!(s.objective_value, 2.0);
}

#[test]
fn spread_moves_load_off_the_busiest_host() {
    let mut rng = Rng::new(5);
    let mut better = 0;
    for _ in 0..30 {
        let p = busy_fleet(&mut rng, 40, 12);
        let start = run_portfolio(&p, Objective::Spread);
        let s = auto_with(&p, Objective::Spread, 1, None);
        never_worse(&p, Objective::Spread, &s, &start);
        better += usize::from(s.objective_value < start.objective_value);
    }
    assert!(better > 0);
}

#[test]
fn deterministic_for_a_seed() {
    for seed in 0..3 {
        let mut rng = Rng::new(11 + seed);
        let p = busy_fleet(&mut rng, 120, 40);
        for objective in OBJECTIVES {
            let a = auto_with(&p, objective, seed, Some(200_000));
            let b = auto_with(&p, objective, seed, Some(200_000));
            assert_eq!(a, b, "{objective:?}, seed {seed}");
        }
        let p = triplets(&mut rng, 30, 1000);
        assert_eq!(auto_with(&p, Objective::Hosts, seed, None), auto_with(&p, Objective::Hosts, seed, None));
    }
}

#[test]
fn a_time_limit_not_reached_changes_nothing() {
    // an over-subscribed fleet: the portfolio leaves workloads out, so the count phase and its rounds run, which
    // a time limit only cuts
    for seed in 0..3 {
        let mut rng = Rng::new(40 + seed);
        let p = busy_fleet(&mut rng, 120, 12);
        for objective in OBJECTIVES {
            assert!(run_portfolio(&p, objective).placed() < p.workload_count());
            let free = auto_with(&p, objective, seed, Some(100_000));
            let mut options = Options::new(MethodChoice::Auto, objective);
            options.seed = seed;
            options.search_work = Some(100_000);
            options.time_limit = Some(std::time::Duration::from_secs(3600));
            let limited = solve(&p, &options).expect("solve");
            assert_eq!(limited, free, "{objective:?}, seed {seed}");
        }
    }
}

#[test]
fn the_cancel_flag_stops_the_search() {
    let mut rng = Rng::new(3);
    let p = triplets(&mut rng, 200, 1000);
    // plain bin packing: the search of improve/bins1d.rs is the one stopped
    assert!(fleetpack_core::plain::is_plain_bin_packing(&p));
    let start = run_portfolio(&p, Objective::Hosts);
    assert!(start.objective_value > 200.0, "the portfolio should leave the search work to do");
    let cancel = AtomicBool::new(true);
    let limits = Limits { work: u64::MAX, deadline: None, cancel: Some(&cancel), seed: 0 };
    let result = improve::improve(&p, Objective::Hosts, &start.placement, &limits);
    assert!(matches!(result, Err(Error::Interrupted)));
    // through solve, too
    let mut options = Options::new(MethodChoice::Auto, Objective::Hosts);
    options.cancel = Some(Arc::new(AtomicBool::new(true)));
    assert_eq!(solve(&p, &options), Err(Error::Interrupted));
}

#[test]
fn no_budget_means_the_portfolio_plan() {
    let mut rng = Rng::new(9);
    let p = triplets(&mut rng, 20, 1000);
    let start = run_portfolio(&p, Objective::Hosts);
    let limits = Limits { work: 0, deadline: None, cancel: None, seed: 0 };
    let out = improve::improve(&p, Objective::Hosts, &start.placement, &limits).unwrap();
    assert!(!out.better);
    assert_eq!(out.placement, start.placement);
}

#[test]
fn left_out_workloads_are_placed_when_they_fit() {
    // FF places the 4s first: the 6s no longer fit. The search starts from that plan and places what now fits
    // after emptying; at least it never places fewer.
    let p = problem(&[w(4, 0), w(4, 0), w(6, 0), w(6, 0)], &[h(10, 0), h(10, 0)], Overheads::none(2));
    let ff_plan = ff(&p);
    assert_eq!(ff_plan.placed(), 3);
    let limits = Limits { work: 100_000, deadline: None, cancel: None, seed: 0 };
    let out = improve::improve(&p, Objective::Hosts, &ff_plan.placement, &limits).unwrap();
    check_placement(&p, &out.placement);
    assert!(out.placement.iter().flatten().count() >= 3);
}

// ---- plain one-dimensional bin packing: the search of improve/bins1d.rs ------------------------------------------

/// `bins` full bins of `capacity`, each cut at random into 2 to 5 pieces, shuffled: the optimum is `bins` (the
/// sizes add up to exactly `bins` capacities), with twice as many hosts as needed. A second dimension with
/// nothing in it keeps the problem plain bin packing.
fn cut_bins(rng: &mut Rng, bins: usize, capacity: u64) -> Problem {
    let mut sizes = Vec::new();
    for _ in 0..bins {
        let pieces = rng.range(2, 5) as usize;
        let mut cuts: Vec<u64> = (1..pieces).map(|_| rng.range(1, capacity - 1)).collect();
        cuts.push(0);
        cuts.push(capacity);
        cuts.sort_unstable();
        cuts.dedup();
        sizes.extend(cuts.windows(2).map(|c| c[1] - c[0]));
    }
    for k in (1..sizes.len()).rev() {
        sizes.swap(k, rng.range(0, k as u64) as usize);
    }
    let workloads: Vec<_> = sizes.iter().map(|&x| w(x, 0)).collect();
    let hosts: Vec<_> = (0..2 * bins).map(|_| h(capacity, 0)).collect();
    problem(&workloads, &hosts, Overheads::none(2))
}

#[test]
fn plain_bin_packing_reaches_the_optimum_of_bins_cut_from_full_ones() {
    for seed in 0..6 {
        let mut rng = Rng::new(500 + seed);
        let p = cut_bins(&mut rng, 16, 1000 + 37 * seed);
        assert!(fleetpack_core::plain::is_plain_bin_packing(&p));
        let start = run_portfolio(&p, Objective::Hosts);
        let s = auto_with(&p, Objective::Hosts, seed, Some(3_000_000));
        never_worse(&p, Objective::Hosts, &s, &start);
        assert_eq!(s.objective_value, 16.0, "seed {seed}: {} hosts, the optimum is 16", s.objective_value);
        assert_eq!(s.lower_bound, 16.0);
    }
}

#[test]
fn plain_bin_packing_is_never_worse_and_deterministic_for_a_seed() {
    let mut rng = Rng::new(77);
    for round in 0..12 {
        let n = rng.range(20, 150) as usize;
        let capacity = rng.pick(&[100, 1000, 150_000]);
        let workloads: Vec<_> = (0..n).map(|_| w(rng.range(capacity / 20, capacity * 7 / 10), 0)).collect();
        let hosts: Vec<_> = (0..n).map(|_| h(capacity, 0).cost(2.5)).collect();
        let p = problem(&workloads, &hosts, Overheads::none(2));
        for objective in [Objective::Hosts, Objective::Cost] {
            let start = run_portfolio(&p, objective);
            let a = auto_with(&p, objective, round, Some(400_000));
            never_worse(&p, objective, &a, &start);
            assert_eq!(a, auto_with(&p, objective, round, Some(400_000)), "round {round}, {objective:?}");
        }
    }
}

#[test]
fn plain_bin_packing_never_places_fewer_on_a_short_fleet() {
    // Too few hosts for everything: the search keeps the workloads the portfolio placed, uses no other host and
    // leaves the rest out.
    let mut rng = Rng::new(12);
    let p = {
        let base = cut_bins(&mut rng, 12, 1000);
        let workloads: Vec<_> = (0..base.workload_count()).map(|i| w(base.smallest(i)[0], 0)).collect();
        let hosts: Vec<_> = (0..9).map(|_| h(1000, 0)).collect();
        problem(&workloads, &hosts, Overheads::none(2))
    };
    let start = run_portfolio(&p, Objective::Hosts);
    assert!(start.placed() < p.workload_count());
    let s = auto_with(&p, Objective::Hosts, 1, Some(500_000));
    never_worse(&p, Objective::Hosts, &s, &start);
    assert!(s.placed() >= start.placed());
}

#[test]
fn the_shaped_plan_opens_the_hosts_whose_shape_matches_the_demand() {
    // four square hosts first, then two of 4 GiB per core; eight workloads of 4 GiB per core fill the two exactly,
    // where the portfolio's opening order (largest first, ties in input order) opens the square ones
    let gi = 1u64 << 30;
    let mut hosts = vec![h(16_000, 16 * gi); 4];
    hosts.extend(vec![h(8_000, 32 * gi); 2]);
    let workloads = vec![w(2_000, 8 * gi); 8];
    let p = problem(&workloads, &hosts, Overheads::none(2));
    assert!(improve::shape::heterogeneous(&p));
    let mut budget = improve::Budget::new(1_000_000, None, None);
    let plan = improve::shape::shape_plan(&p, Objective::Hosts, &mut budget).expect("no error").expect("in budget");
    let mut used: Vec<u32> = plan.iter().map(|place| place.expect("placed").0).collect();
    used.sort_unstable();
    used.dedup();
    assert_eq!(used, vec![4, 5]);
    let ffd = run(&p, fleetpack_core::heuristics::Method::FirstFitDecreasing, fleetpack_core::SortKey::Sum, Objective::Hosts);
    assert_eq!(ffd.hosts_used, 4);
    // a budget too small to finish gives no plan
    let mut tiny = improve::Budget::new(5, None, None);
    assert!(improve::shape::shape_plan(&p, Objective::Hosts, &mut tiny).expect("no error").is_none());
}
