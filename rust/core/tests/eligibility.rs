//! Static eligibility (issue 16): a classes × hosts table that every method, the search and the bounds read through
//! the static fit. Checked here without the core's rule code: each placed workload's class row is read directly.

mod common;

use common::*;
use fleetpack_core::heuristics::Method;
use fleetpack_core::model::Eligibility;
use fleetpack_core::{bounds, Isolation, Objective, Overheads, Problem, SortKey};

/// A random eligibility table over `p`: 1 to 4 classes, each host eligible with probability 2/3 (so some classes
/// may have no host at all).
fn random_eligibility(rng: &mut Rng, p: &Problem) -> Eligibility {
    let (n, m) = (p.workload_count(), p.host_count());
    let classes = rng.range(1, 4) as usize;
    let class = (0..n).map(|_| rng.range(0, classes as u64 - 1) as u32).collect();
    let eligible = (0..classes * m).map(|_| rng.chance(2, 3)).collect();
    Eligibility::new(class, eligible)
}

fn assert_eligible(p: &Problem, table: &Eligibility, placement: &Placement) {
    let m = p.host_count();
    for (i, place) in placement.iter().enumerate() {
        if let Some((j, _)) = place {
            assert!(table.eligible[table.class[i] as usize * m + *j as usize], "workload {i} on ineligible host {j}");
        }
    }
}

#[test]
fn every_method_and_auto_keep_workloads_on_eligible_hosts() {
    let mut rng = Rng::new(16);
    for _ in 0..100 {
        let base = random_problem(&mut rng);
        if base.host_count() == 0 {
            continue;
        }
        let table = random_eligibility(&mut rng, &base);
        let p = base.clone().with_eligibility(table.clone()).expect("a valid table");
        for objective in OBJECTIVES {
            for method in Method::ALL {
                for key in SortKey::ALL {
                    assert_eligible(&p, &table, &run(&p, method, key, objective).placement);
                }
            }
            assert_eligible(&p, &table, &run_auto(&p, objective).placement); // (its bound checked by run_auto)
        }
    }
}

#[test]
fn a_table_that_allows_everything_is_dropped_and_changes_nothing() {
    let mut rng = Rng::new(7);
    for _ in 0..50 {
        let p = random_problem(&mut rng);
        let (n, m) = (p.workload_count(), p.host_count());
        let all = Eligibility::new(vec![0; n], vec![true; m]);
        let q = p.clone().with_eligibility(all).expect("a valid table");
        assert!(q.eligibility().is_none());
        for objective in OBJECTIVES {
            assert_eq!(run_auto(&p, objective).placement, run_auto(&q, objective).placement);
        }
    }
}

#[test]
fn a_workload_with_no_eligible_host_is_left_out_and_the_bound_prices_its_hosts() {
    // two cheap hosts a dedicated workload may not use, two dear ones it may
    let hosts = [h(8, 8).cost(1.0), h(8, 8).cost(1.0), h(8, 8).cost(5.0), h(8, 8).cost(5.0)];
    let workloads = [w(1, 1).isolation(Isolation::Dedicated), w(1, 1), w(1, 1)];
    let p = problem(&workloads, &hosts, Overheads::none(2));
    // class 0: hosts 2 and 3 only; class 1: no host
    let table = Eligibility::new(vec![0, 0, 1], vec![false, false, true, true, false, false, false, false]);
    let p = p.with_eligibility(table).expect("a valid table");
    let s = run_auto(&p, Objective::Cost);
    assert_eq!(s.placement[2], None);
    assert_eq!(s.placement[0].map(|(j, _)| j >= 2), Some(true));
    assert_eq!(bounds::placeable(&p), vec![true, true, false]);
    // the dedicated workload's host is one of the dear ones, and the other workload needs a host too
    assert!(bounds::lower_bound(&p, Objective::Cost, 2) >= 5.0, "{}", bounds::lower_bound(&p, Objective::Cost, 2));
    assert_eq!(s.cost, 10.0);
}

#[test]
fn bad_tables_are_refused_naming_the_field() {
    let p = problem(&[w(1, 1), w(1, 1)], &[h(4, 4), h(4, 4)], Overheads::none(2));
    let cases = [
        (Eligibility::new(vec![0], vec![true, false]), "eligibility_class: 1 entries"),
        (Eligibility::new(vec![0, 2], vec![true, false, false, true]), "workload 1: eligibility_class 2"),
        (Eligibility::new(vec![0, 0], vec![true, false, true]), "eligible: 3 entries"),
    ];
    for (table, words) in cases {
        let error = p.clone().with_eligibility(table).expect_err("refused").to_string();
        assert!(error.contains(words), "{error}");
    }
}

/// The indexed heuristics split their opening tree by the hosts' eligibility columns (a tree per column); they find
/// the host the plain scan over all hosts finds.
#[test]
fn indexed_heuristics_with_eligibility_equal_the_plain_scan() {
    use fleetpack_core::heuristics::{run as run_indexed, run_reference};
    let mut rng = Rng::new(1616);
    for round in 0..120 {
        let base = random_problem(&mut rng);
        if base.host_count() == 0 {
            continue;
        }
        // few classes in most rounds; in every fourth six, so that most hosts are a column of their own
        let table = if round % 4 == 3 {
            let (n, m) = (base.workload_count(), base.host_count());
            let classes = 6;
            let class = (0..n).map(|_| rng.range(0, classes - 1) as u32).collect();
            Eligibility::new(class, (0..classes as usize * m).map(|_| rng.chance(4, 5)).collect())
        } else {
            random_eligibility(&mut rng, &base)
        };
        let p = base.clone().with_eligibility(table).expect("a valid table");
        for objective in OBJECTIVES {
            for method in Method::ALL {
                for key in SortKey::ALL {
                    let (_, indexed) = run_indexed(&p, method, key, objective, &|| false);
                    let (_, scanned) = run_reference(&p, method, key, objective);
                    assert_eq!(indexed, scanned, "round {round}: {method:?} {key:?} {objective:?}");
                }
            }
        }
    }
}
