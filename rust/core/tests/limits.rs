//! The model's limits at their edges (found by the fuzz harness in fuzz/): a value past a limit is an error from
//! `Problem::new`, a value at the limit solves to a plan whose value and bound are finite.

mod common;

use common::*;
use fleetpack_core::model::{MAX_COST, MAX_QUANTITY};
use fleetpack_core::{Error, Objective, Overheads, Problem};

#[test]
fn a_cost_past_the_limit_is_an_error_naming_the_host() {
    for cost in [f64::MAX, 1e300, MAX_COST * (1.0 + f64::EPSILON), f64::NAN, f64::INFINITY, -1.0] {
        let hosts = [h(10, 10), h(10, 10).cost(cost)];
        match Problem::from_rows(2, &[w(1, 1)], &hosts, Overheads::none(2)) {
            Err(Error::InvalidInput(message)) => assert!(message.starts_with("host 1: cost"), "{message}"),
            other => panic!("cost {cost}: {other:?}"),
        }
    }
}

#[test]
fn costs_at_the_limit_give_a_finite_value_and_bound() {
    // two hosts of the largest cost, both needed: before the limit, costs near f64::MAX summed to infinity and
    // the cost bound (cost × demand / size) overflowed
    let hosts = [h(10, MAX_QUANTITY).cost(MAX_COST), h(10, MAX_QUANTITY).cost(MAX_COST)];
    let p = problem(&[w(8, MAX_QUANTITY / 2), w(8, 1)], &hosts, Overheads::none(2));
    for (method, key) in every_heuristic() {
        let s = run(&p, method, key, Objective::Cost);
        assert_eq!(s.placed(), 2);
        assert_eq!(s.objective_value, 2.0 * MAX_COST);
        assert!(s.lower_bound.is_finite() && s.lower_bound <= s.objective_value);
    }
    run_auto(&p, Objective::Cost);
}

#[test]
fn sizes_at_the_limit_are_accepted_and_past_it_rejected() {
    let at = problem(&[w(MAX_QUANTITY, MAX_QUANTITY)], &[h(MAX_QUANTITY, MAX_QUANTITY)], Overheads::defaults(2));
    for objective in OBJECTIVES {
        run_auto(&at, objective); // the container runtime's overhead leaves it out, and nothing overflows
    }
    let past = Problem::from_rows(2, &[w(MAX_QUANTITY + 1, 0)], &[h(1, 1)], Overheads::none(2));
    assert!(matches!(past, Err(Error::InvalidInput(m)) if m.contains("workload 0") && m.contains("dimension 0")));
}
