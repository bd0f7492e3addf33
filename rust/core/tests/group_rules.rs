//! The group rules' table, domains, excess and incremental counts (model/rules.rs).

use fleetpack_core::model::rules::{RuleCounts, NO_DOMAIN, HOST_SCOPE};
use fleetpack_core::model::{HostSpec, Overheads, Problem, Rule, RuleKind, RuleSet, WorkloadSpec};

/// Four hosts in zones a, a, b and none; four workloads.
fn problem(rules: Vec<Rule>, members: Vec<Vec<u32>>) -> Problem {
    let workloads: Vec<_> = (0..4).map(|_| WorkloadSpec::new(vec![1, 1])).collect();
    let hosts: Vec<_> = (0..4).map(|_| HostSpec::new(vec![10, 10])).collect();
    let p = Problem::from_rows(2, &workloads, &hosts, Overheads::none(2)).unwrap();
    let mut offsets = vec![0];
    let mut flat = Vec::new();
    for group in members {
        flat.extend(group);
        offsets.push(flat.len() as u32);
    }
    p.with_rules(RuleSet::new(1, vec![1, 1, 2, 0], rules, offsets, flat)).unwrap()
}

fn rule(kind: RuleKind, key: u32, cap: u32, weight: u64) -> Rule {
    Rule { kind, key, cap, min_domains: 0, weight }
}

#[test]
fn domains_and_excess() {
    let p = problem(
        vec![rule(RuleKind::AntiAffinity, 0, 1, 0), rule(RuleKind::Affinity, 0, 0, 3), rule(RuleKind::Spread, 0, 1, 0)],
        vec![vec![0, 1], vec![0, 1, 2], vec![0, 1, 2, 3]],
    );
    let rules = p.rules().unwrap();
    assert_eq!(rules.rules_of(0), &[0, 1, 2]);
    assert_eq!(rules.rules_of(3), &[2]);
    // zone a, zone b, and the unlabelled host: its own domain, or none under spread
    assert_eq!((0..4).map(|j| rules.domain(0, j)).collect::<Vec<_>>(), vec![0, 0, 1, 2 + 3]);
    assert_eq!(rules.domain(2, 3), NO_DOMAIN);
    assert_eq!(rules.spread_domains(2), &[true, true]);
    let plan = vec![Some((0u32, ())), Some((1, ())), Some((2, ())), Some((0, ()))];
    // two members of the anti-affinity group in zone a; one affinity member outside; spread 3 vs 1
    assert_eq!(rules.excesses(&plan), vec![1, 1, 1]);
    assert_eq!(rules.penalty(&plan), 3);
    assert!(!rules.hard_ok(&plan));
    let fine = vec![Some((0u32, ())), Some((2, ())), Some((1, ())), Some((2, ()))];
    assert_eq!(rules.excesses(&fine), vec![0, 1, 0]);
    assert!(rules.hard_ok(&fine));
}

#[test]
fn counts_check_one_more_member() {
    let p = problem(
        vec![rule(RuleKind::AntiAffinity, 0, 1, 0), rule(RuleKind::Affinity, HOST_SCOPE, 0, 0), rule(RuleKind::Spread, 0, 1, 0)],
        vec![vec![0, 1], vec![2, 3], vec![0, 1, 2, 3]],
    );
    let rules = p.rules().unwrap();
    let mut counts = RuleCounts::new(rules);
    assert!(counts.allows(rules, 0, 0));
    assert!(!counts.allows(rules, 0, 3), "spread: an unlabelled host takes no member");
    counts.add(rules, 0, 0);
    assert!(!counts.allows(rules, 1, 1), "anti-affinity: zone a is full");
    assert!(counts.allows(rules, 1, 2));
    counts.add(rules, 1, 2);
    counts.add(rules, 2, 1);
    assert!(!counts.allows(rules, 3, 2), "affinity: the first member fixed host 1");
    assert!(!counts.allows(rules, 3, 1), "spread: zone a 3 against zone b 1");
    // removals leave skew 2 (zone a 2, b 0): a member that lowers it is taken, one that keeps it is not
    counts.remove(rules, 1, 2);
    assert!(counts.allows(rules, 1, 2));
    let spread_only = RuleSet::new(1, vec![1, 1, 2, 0], vec![rule(RuleKind::Spread, 0, 1, 0)], vec![0, 4], vec![0, 1, 2, 3]);
    let q = p.without_live().with_rules(spread_only).unwrap();
    let rules = q.rules().unwrap();
    let mut counts = RuleCounts::new(rules);
    for (i, j) in [(0, 0), (1, 1), (2, 2)] {
        counts.add(rules, i, j);
    }
    counts.remove(rules, 2, 2);
    assert!(!counts.allows(rules, 2, 1), "skew 2 would become 3");
    assert!(counts.allows(rules, 2, 2));
    assert_eq!(counts.count(rules, 0, 0), 2);
}


/// A hard affinity group is placed as one unit (heuristics/unit.rs): zone a's one host (the largest, opened first)
/// holds four of the six members, zone b's three hosts hold all six; every method puts the group in zone b, and the
/// indexed pass equals the plain scan. With zone b cut to one host, no zone holds it: the try that placed the most
/// (zone a's four) is kept.
#[test]
fn an_affinity_group_goes_whole_to_a_domain_that_holds_it() {
    use fleetpack_core::heuristics::{run, run_reference, Method};
    use fleetpack_core::model::{Objective, SortKey};
    for (hosts_in_b, placed) in [(3usize, 6usize), (1, 4)] {
        let workloads: Vec<_> = (0..6).map(|_| WorkloadSpec::new(vec![2, 1])).collect();
        let mut hosts = vec![HostSpec::new(vec![8, 16])];
        hosts.extend((0..hosts_in_b).map(|_| HostSpec::new(vec![6, 16])));
        let m = hosts.len();
        let p = Problem::from_rows(2, &workloads, &hosts, Overheads::none(2)).unwrap();
        let domain = (0..m).map(|j| if j == 0 { 1 } else { 2 }).collect();
        let p = p.with_rules(RuleSet::new(1, domain, vec![rule(RuleKind::Affinity, 0, 0, 0)], vec![0, 6], (0..6).collect())).unwrap();
        for method in Method::ALL {
            let (_, plan) = run(&p, method, SortKey::Sum, Objective::Hosts, &|| false);
            let (_, scanned) = run_reference(&p, method, SortKey::Sum, Objective::Hosts);
            assert_eq!(plan, scanned, "{method:?}");
            let hosts: Vec<u32> = plan.iter().flatten().map(|&(j, _)| j).collect();
            assert_eq!(hosts.len(), placed, "{method:?}");
            assert!(p.rules().unwrap().hard_ok(&plan));
            if placed == 6 {
                assert!(hosts.iter().all(|&j| j > 0), "{method:?}: zone b");
            }
        }
    }
}
