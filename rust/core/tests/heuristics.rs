//! The heuristic contract: workload orders, host choice per method, form order on a host, opening orders per
//! objective, and the `auto` portfolio. Every solution is checked against every rule.

mod common;

use std::time::Duration;

use common::*;
use fleetpack_core::heuristics::{opening_order, workload_order, Method};
use fleetpack_core::solve::portfolio;
use fleetpack_core::{solve, Error, Form, FormSet, MethodChoice, Objective, Options, Overheads, SortKey};

use Method::{BestFitDecreasing as BFD, FirstFit as FF, FirstFitDecreasing as FFD, WorstFitDecreasing as WFD};

/// Workloads `[x, 0]` on hosts `[cap, 100]`: only CPU tells them apart.
fn one_d(sizes: &[u64], capacities: &[u64]) -> fleetpack_core::Problem {
    let workloads: Vec<_> = sizes.iter().map(|&x| w(x, 0)).collect();
    let hosts: Vec<_> = capacities.iter().map(|&c| h(c, 100)).collect();
    problem(&workloads, &hosts, Overheads::none(2))
}

#[test]
fn ff_takes_workloads_in_input_order_ffd_by_decreasing_size() {
    let p = one_d(&[5, 6, 5], &[10, 10]);
    assert_eq!(workload_order(&p, FF, SortKey::Sum), vec![0, 1, 2]);
    assert_eq!(workload_order(&p, FFD, SortKey::Sum), vec![1, 0, 2]);
    // FF: 5 -> h0, 6 -> h1, 5 -> h0. FFD: 6 -> h0, 5 -> h1, 5 -> h1.
    assert_eq!(hosts_of(&run(&p, FF, SortKey::Sum, Objective::Spread)), vec![Some(0), Some(1), Some(0)]);
    assert_eq!(hosts_of(&run(&p, FFD, SortKey::Sum, Objective::Spread)), vec![Some(1), Some(0), Some(1)]);
    // FF ignores the sort key
    for key in SortKey::ALL {
        assert_eq!(workload_order(&p, FF, key), vec![0, 1, 2]);
    }
}

#[test]
fn decreasing_order_keeps_ties_in_input_order() {
    let workloads: Vec<_> = [3, 5, 3, 5, 1, 5].iter().map(|&x| w(x, x)).collect();
    let p = problem(&workloads, &[h(10, 10)], Overheads::none(2));
    for method in [FFD, BFD, WFD] {
        for key in SortKey::ALL {
            assert_eq!(workload_order(&p, method, key), vec![1, 3, 5, 0, 2, 4], "{method:?} {key:?}");
        }
    }
    // Observable: of two equal workloads the first in input order gets the first host.
    let p = one_d(&[6, 6], &[10, 10]);
    for method in [FFD, BFD, WFD] {
        assert_eq!(hosts_of(&run(&p, method, SortKey::Sum, Objective::Spread)), vec![Some(0), Some(1)]);
    }
}

#[test]
fn sort_keys_measure_size_differently() {
    // normalised: A = [0.5, 0.5], B = [0.8, 0.0]
    let p = problem(&[w(5, 5), w(8, 0)], &[h(10, 10)], Overheads::none(2));
    let expect = [(SortKey::Sum, [0, 1]), (SortKey::Max, [1, 0]), (SortKey::L2, [1, 0]), (SortKey::Prod, [0, 1])];
    for (key, order) in expect {
        assert_eq!(workload_order(&p, FFD, key), order.to_vec(), "{key:?}");
        // only one of them fits the host: the first in that order
        let s = run(&p, FFD, key, Objective::Hosts);
        assert_eq!(s.placement[order[0]].map(|(j, _)| j), Some(0), "{key:?}");
        assert_eq!(s.placement[order[1]], None, "{key:?}");
    }
}

#[test]
fn size_is_of_the_smallest_form_normalised_by_the_largest_capacity() {
    let mut o = Overheads::none(2);
    o.container = vec![0, 4];
    o.vm_cpu_factor_ppm = [2_000_000, 1_500_000, 3_000_000];
    let p = problem(
        &[
            w(2, 2).forms(FormSet::CONTAINER), // [2, 6]
            w(2, 2),                           // min([2, 6], [3, 2]) = [2, 2]
            w(3, 3).forms(FormSet::VM),        // [ceil(4.5), 3] = [5, 3]
            w(1, 8).forms(FormSet::VM),        // [ceil(1.5), 8] = [2, 8]
        ],
        // the largest capacity is [10, 20]: memory counts half as much as CPU
        &[h(10, 5), h(4, 20)],
        o,
    );
    assert_eq!(fleetpack_core::fit::smallest_demand(&p, 2), vec![5, 3]);
    assert_eq!(ref_smallest(&p, 1), vec![2, 2]);
    // sum: 0.2+0.3=0.5, 0.2+0.1=0.3, 0.5+0.15=0.65, 0.2+0.4=0.6 -> [2, 3, 0, 1]
    assert_eq!(workload_order(&p, FFD, SortKey::Sum), vec![2, 3, 0, 1]);
    assert_eq!(workload_order(&p, FFD, SortKey::Max), vec![2, 3, 0, 1]); // 0.5, 0.4, 0.3, 0.2
}

#[test]
fn bfd_picks_the_tightest_used_host() {
    // 12 -> h0 (20); 9 does not fit h0 -> new h1 (10); 1 -> h1 (left with 0) rather than h0 (left with 7/20).
    let p = one_d(&[12, 9, 1], &[20, 10]);
    assert_eq!(hosts_of(&run(&p, BFD, SortKey::Sum, Objective::Spread)), vec![Some(0), Some(1), Some(1)]);
    assert_eq!(hosts_of(&run(&p, FFD, SortKey::Sum, Objective::Spread)), vec![Some(0), Some(1), Some(0)]);
    // Ties between used hosts go to the earliest in the opening order.
    let p = one_d(&[6, 6, 2], &[10, 10, 10]);
    assert_eq!(hosts_of(&run(&p, BFD, SortKey::Sum, Objective::Spread)), vec![Some(0), Some(1), Some(0)]);
    let p = one_d(&[6, 6, 2], &[5, 10, 10]);
    assert_eq!(hosts_of(&run(&p, BFD, SortKey::Sum, Objective::Hosts)), vec![Some(1), Some(2), Some(1)]);
    // A used host that takes it beats an empty one, however tight the empty one would be.
    let p = one_d(&[10, 5], &[20, 5]);
    assert_eq!(hosts_of(&run(&p, BFD, SortKey::Sum, Objective::Spread)), vec![Some(0), Some(0)]);
    // New hosts open in the opening order (largest first for `hosts`).
    let p = one_d(&[3], &[10, 30, 20]);
    assert_eq!(hosts_of(&run(&p, BFD, SortKey::Sum, Objective::Hosts)), vec![Some(1)]);
    assert_eq!(hosts_of(&run(&p, BFD, SortKey::Sum, Objective::Spread)), vec![Some(0)]);
}

#[test]
fn wfd_picks_the_emptiest_host() {
    let p = one_d(&[4, 3, 2], &[10, 10, 10]);
    assert_eq!(hosts_of(&run(&p, WFD, SortKey::Sum, Objective::Spread)), vec![Some(0), Some(1), Some(2)]);
    assert_eq!(hosts_of(&run(&p, FFD, SortKey::Sum, Objective::Spread)), vec![Some(0), Some(0), Some(0)]);
    assert_eq!(hosts_of(&run(&p, BFD, SortKey::Sum, Objective::Spread)), vec![Some(0), Some(0), Some(0)]);
    // emptiest after taking it, normalised: 5 leaves 5/10 of host 0 free but (40-35)/40 of host 1
    let p = one_d(&[30, 5], &[10, 40]);
    assert_eq!(hosts_of(&run(&p, WFD, SortKey::Sum, Objective::Spread)), vec![Some(1), Some(0)]);
}

#[test]
fn container_is_tried_before_vm_on_a_host() {
    let p = problem(&[w(1, 1), w(1, 1)], &[h(10, 10), h(10, 10)], Overheads::none(2));
    for objective in OBJECTIVES {
        for (method, key) in every_heuristic() {
            let s = run(&p, method, key, objective);
            assert!(s.placement.iter().all(|p| p.unwrap().1 == Form::Container), "{method:?} {objective:?}");
        }
    }
    // ... and per host: FF takes the first host in whichever form fits there, even if a later host would take a
    // container (a container of another OS does not fit host 0, a VM does).
    let p = problem(&[w(1, 1).os(1)], &[h(10, 10), h(10, 10).os(1)], Overheads::none(2));
    assert_eq!(ff(&p).placement, vec![Some((0, Form::Vm))]);
}

#[test]
fn opening_orders_follow_the_objective() {
    // Hosts: largest (sum of normalised capacity) first, ties in input order.
    let p = problem(&[w(1, 1)], &[h(10, 10), h(30, 30), h(20, 20), h(30, 30)], Overheads::none(2));
    assert_eq!(opening_order(&p, Objective::Hosts), vec![1, 3, 2, 0]);
    assert_eq!(opening_order(&p, Objective::Spread), vec![0, 1, 2, 3]);
    assert_eq!(hosts_of(&run(&p, FF, SortKey::Sum, Objective::Hosts)), vec![Some(1)]);
    assert_eq!(hosts_of(&run(&p, FF, SortKey::Sum, Objective::Spread)), vec![Some(0)]);

    // Cost: cheapest per unit of normalised capacity (the largest is [20, 20]), ties in input order; a host of no
    // capacity last.
    let p = problem(
        &[w(1, 1)],
        &[
            h(10, 10).cost(1.0), // size 1, price 1
            h(20, 20).cost(3.0), // size 2, price 1.5
            h(20, 20).cost(1.5), // price 0.75
            h(0, 0).cost(0.0),   // no capacity
            h(20, 20).cost(1.5), // price 0.75, after host 2
            h(20, 10).cost(0.0), // free
        ],
        Overheads::none(2),
    );
    assert_eq!(opening_order(&p, Objective::Cost), vec![5, 2, 4, 0, 1, 3]);
    for (method, key) in every_heuristic() {
        if method != WFD {
            assert_eq!(hosts_of(&run(&p, method, key, Objective::Cost)), vec![Some(5)]);
        }
    }
    // WFD tries every host, in opening order, and keeps the emptiest (the earliest on ties): host 2.
    assert_eq!(hosts_of(&run(&p, WFD, SortKey::Sum, Objective::Cost)), vec![Some(2)]);
}

#[test]
fn auto_beats_or_matches_every_member() {
    // FF leaves a 6 out (4 + 4 on host 0); a decreasing method places all four (6 + 4 twice).
    let p = one_d(&[4, 4, 6, 6], &[10, 10]);
    assert_eq!(run(&p, FF, SortKey::Sum, Objective::Hosts).placed(), 3);
    let auto = run_auto(&p, Objective::Hosts);
    assert_eq!(auto.placed(), 4);
    assert_eq!(auto.strategy, "ffd/sum");

    let mut rng = Rng::new(7);
    for _ in 0..120 {
        let p = random_problem(&mut rng);
        for objective in OBJECTIVES {
            let auto = run_portfolio(&p, objective);
            let members = portfolio(objective);
            let mut first_best: Option<(usize, f64, String, Placement)> = None;
            for &(method, key) in &members {
                let s = run(&p, method, key, objective);
                assert!(auto.placed() >= s.placed(), "{objective:?}: auto places fewer than {}", s.strategy);
                if auto.placed() == s.placed() {
                    assert!(auto.objective_value <= s.objective_value, "{objective:?}: auto worse than {}", s.strategy);
                }
                let better = match &first_best {
                    None => true,
                    Some((n, v, ..)) => s.placed() > *n || (s.placed() == *n && s.objective_value < *v),
                };
                if better {
                    first_best = Some((s.placed(), s.objective_value, s.strategy.clone(), s.placement.clone()));
                }
            }
            // the first best member, exactly
            let (_, _, strategy, placement) = first_best.unwrap();
            assert_eq!(auto.strategy, strategy);
            assert_eq!(auto.placement, placement);
        }
    }
}

#[test]
fn portfolio_and_time_limit() {
    let spread = portfolio(Objective::Spread);
    assert_eq!(spread.len(), 13);
    assert_eq!(spread[0], (WFD, SortKey::Sum));
    assert_eq!(*spread.last().unwrap(), (FF, SortKey::Sum));
    let hosts = portfolio(Objective::Hosts);
    assert_eq!(hosts.len(), 9);
    assert_eq!(hosts[0], (FFD, SortKey::Sum));
    assert_eq!(portfolio(Objective::Cost), hosts);

    // A time limit already spent: one member still runs (the first).
    let p = one_d(&[4, 4, 6, 6], &[10, 10]);
    for objective in OBJECTIVES {
        let mut options = Options::new(MethodChoice::Auto, objective);
        options.time_limit = Some(Duration::ZERO);
        let s = solve(&p, &options).unwrap();
        check_solution(&p, &s, objective);
        let (method, key) = portfolio(objective)[0];
        assert_eq!(s.placement, run(&p, method, key, objective).placement);
        assert_eq!(s.strategy, format!("{}/{}", method.name(), key.name()));
    }
}

#[test]
fn method_names_parse() {
    assert_eq!(MethodChoice::parse("auto", "sum").unwrap(), MethodChoice::Auto);
    assert_eq!(MethodChoice::parse("bfd", "l2").unwrap(), MethodChoice::Heuristic(BFD, SortKey::L2));
    assert_eq!(MethodChoice::parse("ff", "prod").unwrap(), MethodChoice::Heuristic(FF, SortKey::Prod));
    assert!(matches!(MethodChoice::parse("xfd", "sum"), Err(Error::UnknownName { what: "method", .. })));
    assert!(matches!(MethodChoice::parse("ffd", "norm"), Err(Error::UnknownName { what: "sort key", .. })));
    assert!(matches!("cheap".parse::<Objective>(), Err(Error::UnknownName { what: "objective", .. })));
    let s = run(&one_d(&[1], &[1]), FF, SortKey::Max, Objective::Hosts);
    assert_eq!(s.strategy, "ff");
    let s = run(&one_d(&[1], &[1]), WFD, SortKey::Prod, Objective::Hosts);
    assert_eq!(s.strategy, "wfd/prod");
}

/// The core's placements equal those of the independent restatement of the contract, on random problems with every
/// rule in play, for every method, sort key and objective.
#[test]
fn matches_the_reference_on_random_problems() {
    let mut rng = Rng::new(2024);
    for case in 0..150 {
        let p = random_problem(&mut rng);
        for objective in OBJECTIVES {
            assert_eq!(opening_order(&p, objective), ref_opening_order(&p, objective), "case {case}");
            for (method, key) in every_heuristic() {
                assert_eq!(workload_order(&p, method, key), ref_workload_order(&p, method, key), "case {case}");
                let s = run(&p, method, key, objective);
                let expected = reference(&p, method, key, objective);
                assert_eq!(s.placement, expected, "case {case}: {method:?} {key:?} {objective:?}\n{p:?}");
            }
        }
    }
}
