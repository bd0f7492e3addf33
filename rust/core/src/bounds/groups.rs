//! The group rules' share of the hosts bound (issue 16): `k` members of a hard anti-affinity group at most `m` per
//! domain need at least `ceil(k / m)` domains, and a domain has at least one host, so as many hosts (a host scope:
//! as many hosts directly). Sound: every plan keeps the hard rules, and distinct domains have distinct hosts.
//!
//! The core knows rules by their index, not their names: a reason names `<group r>`, `<domain r>` and `<domains r>`,
//! which Python words with the rule's group and scope (`fleetpack.plan.plan`).

use crate::model::rules::{RuleKind, HOST_SCOPE};
use crate::model::Problem;

/// The most hosts that the hard anti-affinity rules force on a plan placing at least `placed` of `candidates` (the
/// workloads that fit some empty host), with its reason; None when no rule forces more than one.
pub(super) fn group_bound(problem: &Problem, candidates: &[usize], placed: usize) -> Option<(usize, String)> {
    let rules = problem.rules()?;
    let m = problem.host_count();
    let total = candidates.len();
    let placed = placed.min(total);
    let mut candidate = vec![false; problem.workload_count()];
    for &i in candidates {
        candidate[i] = true;
    }
    let mut best: Option<(usize, String)> = None;
    for (r, rule) in rules.rules.iter().enumerate() {
        if rule.kind != RuleKind::AntiAffinity || !rule.hard() || rule.cap == 0 {
            continue;
        }
        let k = rules.members_of(r).iter().filter(|&&i| candidate[i as usize]).count();
        // of the `placed`, at most `total - k` are not members
        let at_least = placed.saturating_sub(total - k);
        let need = at_least.div_ceil(rule.cap as usize).min(m);
        if need > best.as_ref().map_or(1, |b| b.0) {
            let who = if at_least == k {
                format!("the {k} members of <group {r}>")
            } else {
                format!("{at_least} of the {k} members of <group {r}>")
            };
            let unit = if rule.key == HOST_SCOPE { "hosts".to_string() } else { format!("<domains {r}>") };
            best = Some((need, format!("{who} at most {} per <domain {r}> need {need} {unit}", rule.cap)));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    // (by full paths: `super::` would read as a dependency on `bounds`, a circle for tests/modules.rs)
    use crate::bounds::groups::group_bound;
    use crate::model::rules::{Rule, RuleKind, RuleSet, HOST_SCOPE};
    use crate::model::{HostSpec, Overheads, Problem, WorkloadSpec};

    /// Five small workloads, six hosts in zones a, a, b, b, c and none.
    fn problem(cap: u32, weight: u64, key: u32) -> Problem {
        let workloads: Vec<_> = (0..5).map(|_| WorkloadSpec::new(vec![1, 1])).collect();
        let hosts: Vec<_> = (0..6).map(|_| HostSpec::new(vec![10, 10])).collect();
        let p = Problem::from_rows(2, &workloads, &hosts, Overheads::none(2)).unwrap();
        let rule = Rule { kind: RuleKind::AntiAffinity, key, cap, min_domains: 0, weight };
        p.with_rules(RuleSet::new(1, vec![1, 1, 2, 2, 3, 0], vec![rule], vec![0, 4], vec![0, 1, 2, 3])).unwrap()
    }

    #[test]
    fn members_at_most_m_per_domain_need_that_many_domains() {
        let all: Vec<usize> = (0..5).collect();
        // 4 members at most 1 per zone: 4 zones (the unlabelled host is a zone of its own), so 4 hosts
        assert_eq!(group_bound(&problem(1, 0, 0), &all, 5).map(|b| b.0), Some(4));
        // 4 placed of 5: at least 3 members, 3 domains
        assert_eq!(group_bound(&problem(1, 0, 0), &all, 4).unwrap().1, "3 of the 4 members of <group 0> at most 1 per <domain 0> need 3 <domains 0>");
        // at most 2 per host: 2 hosts
        assert_eq!(group_bound(&problem(2, 0, HOST_SCOPE), &all, 5).unwrap().1, "the 4 members of <group 0> at most 2 per <domain 0> need 2 hosts");
        // a soft rule forces nothing; nor one that allows every member in one domain
        assert_eq!(group_bound(&problem(1, 5, 0), &all, 5), None);
        assert_eq!(group_bound(&problem(4, 0, 0), &all, 5), None);
    }
}
