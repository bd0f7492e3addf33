//! The count comes first (issue 18): the final fill makes plans maximal (no left-out workload fits), and `auto`
//! places at least as many workloads as any heuristic, under every objective. Maximality is checked by the
//! independent rule checker of `common`: a plan is maximal when adding any one left-out workload to any host, in
//! any form, breaks a rule.

mod common;

use std::time::Duration;

use common::*;
use fleetpack_core::heuristics::Method;
use fleetpack_core::improve::fill::fill;
use fleetpack_core::improve::state::State;
use fleetpack_core::{solve, Form, Isolation, MethodChoice, Objective, Options, Overheads, Problem, SortKey};

/// The first (workload, host, form) that could join `placement` without breaking a rule, if any.
fn fitting_left_out(p: &Problem, placement: &Placement) -> Option<(usize, usize, Form)> {
    for i in (0..p.workload_count()).filter(|&i| placement[i].is_none()) {
        for j in 0..p.host_count() {
            for form in [Form::Container, Form::Vm] {
                let mut with = placement.clone();
                with[i] = Some((j as u32, form));
                if violations(p, &with).is_empty() {
                    return Some((i, j, form));
                }
            }
        }
    }
    None
}

fn assert_maximal(p: &Problem, placement: &Placement, what: &str) {
    if let Some((i, j, form)) = fitting_left_out(p, placement) {
        panic!("{what}: left-out workload {i} fits host {j} as {form:?} in the final plan");
    }
}

#[test]
fn fill_makes_any_valid_plan_maximal_and_keeps_what_it_placed() {
    let mut rng = Rng::new(18);
    let mut gained = 0;
    for round in 0..400 {
        let p = random_problem(&mut rng);
        for objective in OBJECTIVES {
            // a first-fit plan with every third placed workload taken out: valid, and not maximal
            let mut start = ff(&p).placement;
            for (k, place) in start.iter_mut().filter(|x| x.is_some()).enumerate() {
                if k % 3 == 0 {
                    *place = None;
                }
            }
            let mut state = State::new(&p, &start);
            let added = fill(&mut state, objective, None).expect("no cancel flag");
            let filled = state.placement();
            check_placement(&p, &filled);
            assert_maximal(&p, &filled, &format!("round {round}, {objective:?}"));
            assert_eq!(filled.iter().flatten().count(), start.iter().flatten().count() + added);
            gained += added;
            for (before, after) in start.iter().zip(&filled) {
                if before.is_some() {
                    assert_eq!(before, after, "round {round}: the fill moved a placed workload");
                }
            }
        }
    }
    assert!(gained > 100, "the fill should have had workloads to place");
}

#[test]
fn auto_plans_are_maximal_under_every_rule() {
    let mut rng = Rng::new(1818);
    for round in 0..300 {
        let p = random_problem(&mut rng);
        for objective in OBJECTIVES {
            // the default budget, almost no search, and a time limit that ends it at once
            for (work, limit) in [(None, None), (Some(1), None), (None, Some(Duration::from_micros(1)))] {
                let mut options = Options::new(MethodChoice::Auto, objective);
                options.search_work = work;
                options.time_limit = limit;
                options.seed = round;
                let s = solve(&p, &options).expect("solve");
                check_solution(&p, &s, objective);
                assert_maximal(&p, &s.placement, &format!("round {round}, {objective:?}, {work:?}, {limit:?}"));
            }
        }
    }
}

#[test]
fn auto_places_at_least_as_many_as_every_heuristic_under_every_opening_order() {
    let mut rng = Rng::new(77);
    let mut short = 0;
    for _ in 0..150 {
        let p = random_problem(&mut rng);
        let most = every_heuristic()
            .into_iter()
            .flat_map(|(m, k)| OBJECTIVES.map(|o| run(&p, m, k, o).placed()))
            .max()
            .unwrap_or(0);
        for objective in OBJECTIVES {
            let auto = run_auto(&p, objective);
            assert!(auto.placed() >= most, "{objective:?}: auto placed {}, a heuristic {most}", auto.placed());
        }
        short += usize::from(most < p.workload_count());
    }
    assert!(short > 20, "the random problems should leave workloads out often");
}

#[test]
fn smaller_workloads_first_when_not_everything_fits() {
    // One host of 10: largest first places the 10 alone, the count comes first and places the three 3s.
    let workloads = [w(10, 1), w(3, 1), w(3, 1), w(3, 1)];
    let p = problem(&workloads, &[h(10, 10)], Overheads::none(2));
    assert_eq!(run(&p, Method::FirstFitDecreasing, SortKey::Sum, Objective::Hosts).placed(), 1);
    for objective in OBJECTIVES {
        let s = run_auto(&p, objective);
        assert_eq!(s.placed(), 3, "{objective:?}");
        assert!(s.placement[0].is_none());
    }
}

#[test]
fn a_dedicated_workload_counts_as_a_whole_host() {
    // Two hosts; the dedicated workload is small but takes a host of its own: placing it costs four others.
    let mut workloads = vec![w(1, 1).isolation(Isolation::Dedicated)];
    workloads.extend((0..8).map(|_| w(5, 5)));
    let p = problem(&workloads, &[h(20, 20), h(20, 20)], Overheads::none(2));
    for objective in OBJECTIVES {
        let s = run_auto(&p, objective);
        assert_eq!(s.placed(), 8, "{objective:?}");
        assert_maximal(&p, &s.placement, &format!("{objective:?}"));
    }
}

#[test]
fn ejections_make_room_for_two() {
    // Host A (10) holds a 6 and host B (10) a 6 and a 4 in the start; the two 5s are left out. Moving the 4 does
    // not help; swapping one 6 out for the two 5s does (one more placed).
    let workloads = [w(6, 0), w(6, 0), w(4, 0), w(5, 0), w(5, 0)];
    let p = problem(&workloads, &[h(10, 10), h(10, 10)], Overheads::none(2));
    for objective in OBJECTIVES {
        let s = run_auto(&p, objective);
        assert_eq!(s.placed(), 4, "{objective:?}");
    }
}
