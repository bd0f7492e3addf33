//! The soft rules' penalty phase (improve/penalty.rs): from a heuristic's plan on random fleets with zones, racks and
//! group rules, it never places fewer, never worsens the objective, never raises the penalty, keeps every hard rule
//! and every placement rule (the independent checker of tests/common); and on a small fleet it makes the swap that
//! takes the penalty to 0.

mod common;

use common::{check_placement, objective_of, OBJECTIVES};
use fleetpack_core::heuristics::{self, Method};
use fleetpack_core::improve::penalty::lower_penalty;
use fleetpack_core::improve::state::State;
use fleetpack_core::improve::{Budget, Rng};
use fleetpack_core::model::rules::HOST_SCOPE;
use fleetpack_core::model::{HostSpec, Objective, Overheads, Problem, Rule, RuleKind, RuleSet, WorkloadSpec};
use fleetpack_core::SortKey;

/// A problem of 2-D workloads and hosts with two topology keys (zone; rack, which some hosts lack) and `rules` over
/// the groups `members`.
fn with_rules(sizes: &[(u64, u64)], hosts: &[(u64, u64, f64)], zone: &[u32], rack: &[u32], rules: Vec<Rule>, members: Vec<Vec<u32>>) -> Problem {
    let workloads: Vec<_> = sizes.iter().map(|&(c, m)| WorkloadSpec::new(vec![c, m])).collect();
    let hosts: Vec<_> = hosts
        .iter()
        .map(|&(c, m, cost)| {
            let mut h = HostSpec::new(vec![c, m]);
            h.cost = cost;
            h
        })
        .collect();
    let p = Problem::from_rows(2, &workloads, &hosts, Overheads::none(2)).expect("a valid problem");
    let mut offsets = vec![0];
    let mut flat = Vec::new();
    for group in members {
        flat.extend(group);
        offsets.push(flat.len() as u32);
    }
    let domain = zone.iter().chain(rack).copied().collect();
    p.with_rules(RuleSet::new(2, domain, rules, offsets, flat)).expect("valid rules")
}

fn penalty_phase(p: &Problem, objective: Objective, start: &[Option<(u32, fleetpack_core::Form)>], seed: u64) -> (bool, Vec<Option<(u32, fleetpack_core::Form)>>) {
    let mut state = State::new(p, start);
    let mut budget = Budget::new(1_000_000, None, None);
    let lowered = lower_penalty(&mut state, objective, &mut budget, &mut Rng::new(seed)).expect("no cancel");
    (lowered, state.placement())
}

#[test]
fn a_swap_takes_the_penalty_to_zero() {
    // x, y (5 each) fill h0 by ffd, the members a and b (3 each) share h1 against a soft host anti-affinity:
    // a swap of a and x keeps two hosts and separates them
    let rules = vec![Rule { kind: RuleKind::AntiAffinity, key: HOST_SCOPE, cap: 1, min_domains: 0, weight: 4 }];
    let p = with_rules(&[(5, 5), (5, 5), (3, 3), (3, 3)], &[(10, 10, 1.0), (10, 10, 1.0)], &[1, 1], &[1, 1], rules, vec![vec![2, 3]]);
    let (_, start) = heuristics::run(&p, Method::FirstFitDecreasing, SortKey::Sum, Objective::Hosts, &|| false);
    let set = p.rules().unwrap();
    assert_eq!(set.penalty(&start), 4, "ffd puts both members on h1");
    let (lowered, found) = penalty_phase(&p, Objective::Hosts, &start, 0);
    assert!(lowered);
    assert_eq!(set.penalty(&found), 0);
    assert_eq!(objective_of(&p, &found, Objective::Hosts), 2.0);
    check_placement(&p, &found);
}

/// A tiny deterministic generator for the random fleets.
struct Gen(u64);
impl Gen {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

fn random_problem(seed: u64) -> Problem {
    let mut g = Gen(seed * 7919 + 17);
    let m = 4 + g.below(9) as usize;
    let n = 8 + g.below(40) as usize;
    let hosts: Vec<(u64, u64, f64)> =
        (0..m).map(|_| (8 + 8 * g.below(3), 16 + 16 * g.below(2), 1.0 + g.below(3) as f64)).collect();
    let sizes: Vec<(u64, u64)> = (0..n).map(|_| (1 + g.below(4), 1 + g.below(8))).collect();
    let zone: Vec<u32> = (0..m).map(|_| 1 + g.below(3) as u32).collect();
    let rack: Vec<u32> = (0..m).map(|j| if g.below(5) == 0 { 0 } else { 1 + j as u32 / 2 }).collect();
    let groups = 1 + g.below(4) as usize;
    let members: Vec<Vec<u32>> = (0..groups)
        .map(|_| (0..n as u32).filter(|_| g.below(3) == 0).collect())
        .collect();
    let rules = (0..groups)
        .map(|_| {
            let kind = [RuleKind::AntiAffinity, RuleKind::Affinity, RuleKind::Spread][g.below(3) as usize];
            let key = match g.below(3) {
                0 if kind != RuleKind::Spread => HOST_SCOPE,
                0 | 1 => 0,
                _ => 1,
            };
            let cap = if kind == RuleKind::Affinity { 0 } else { 1 + g.below(2) as u32 };
            let weight = [0, 1, 1, 5][g.below(4) as usize];
            Rule { kind, key, cap, min_domains: [0, 0, 2, 4][g.below(4) as usize] * (kind == RuleKind::Spread) as u32, weight }
        })
        .collect();
    with_rules(&sizes, &hosts, &zone, &rack, rules, members)
}

#[test]
fn the_phase_never_places_fewer_worsens_the_objective_or_raises_the_penalty() {
    let mut lowered_some = 0;
    for seed in 0..300u64 {
        let p = random_problem(seed);
        let set = p.rules().unwrap();
        for objective in OBJECTIVES {
            for method in [Method::FirstFitDecreasing, Method::BestFitDecreasing, Method::WorstFitDecreasing] {
                let (_, start) = heuristics::run(&p, method, SortKey::Sum, objective, &|| false);
                if !set.hard_ok(&start) {
                    continue; // (the phase starts from plans that keep the hard rules, as the search's do)
                }
                let (lowered, found) = penalty_phase(&p, objective, &start, seed);
                let count = |plan: &[Option<(u32, fleetpack_core::Form)>]| plan.iter().flatten().count();
                assert_eq!(count(&found), count(&start), "seed {seed}");
                assert!(objective_of(&p, &found, objective) <= objective_of(&p, &start, objective) + 1e-9, "seed {seed}");
                assert!(set.penalty(&found) <= set.penalty(&start), "seed {seed}");
                assert_eq!(lowered, set.penalty(&found) < set.penalty(&start), "seed {seed}");
                assert!(set.hard_ok(&found), "seed {seed} {objective:?}");
                check_placement(&p, &found);
                lowered_some += lowered as usize;
            }
        }
    }
    assert!(lowered_some > 50, "the phase lowered the penalty of only {lowered_some} plans");
}
