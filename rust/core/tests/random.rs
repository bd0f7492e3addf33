//! A deterministic random test: a few hundred random problems with every rule in play, solved by every method ×
//! sort key × objective and by `auto`. Every solution obeys every rule (checked independently), reports its own
//! objective value, has a lower bound no larger than that value, and is the same when solved again.

mod common;

use common::*;
use fleetpack_core::heuristics::Method;
use fleetpack_core::{solve, MethodChoice, Options, SortKey};

#[test]
fn every_method_sort_key_and_objective_on_random_problems() {
    let mut rng = Rng::new(0x5eed);
    let (mut placed, mut left_out, mut vms, mut containers) = (0usize, 0usize, 0usize, 0usize);
    for case in 0..300 {
        let p = random_problem(&mut rng);
        for objective in OBJECTIVES {
            let mut choices: Vec<MethodChoice> =
                every_heuristic().into_iter().map(|(m, k)| MethodChoice::Heuristic(m, k)).collect();
            choices.push(MethodChoice::Auto);
            let mut ff: Option<Placement> = None;
            for choice in choices {
                let options = Options::new(choice, objective);
                let s = solve(&p, &options).unwrap_or_else(|e| panic!("case {case}: {e}"));
                check_solution(&p, &s, objective);
                let again = solve(&p, &options).unwrap();
                assert_eq!(s, again, "case {case}: {choice:?} {objective:?} is not deterministic");
                let copy = p.clone();
                assert_eq!(solve(&copy, &options).unwrap(), s, "case {case}: a clone solves differently");
                // FF takes workloads in input order whatever the sort key
                if let MethodChoice::Heuristic(Method::FirstFit, key) = choice {
                    match &ff {
                        None => ff = Some(s.placement.clone()),
                        Some(first) => assert_eq!(&s.placement, first, "case {case}: ff with {key:?}"),
                    }
                }
                placed += s.placed();
                left_out += p.workload_count() - s.placed();
                vms += s.placement.iter().flatten().filter(|(_, f)| *f == fleetpack_core::Form::Vm).count();
                containers += s.placement.iter().flatten().filter(|(_, f)| *f == fleetpack_core::Form::Container).count();
            }
        }
    }
    // the instances exercise both outcomes and both forms
    assert!(placed > 0 && left_out > 0 && vms > 0 && containers > 0, "{placed} {left_out} {vms} {containers}");
    let _ = SortKey::ALL;
}
