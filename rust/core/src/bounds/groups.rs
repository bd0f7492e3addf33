//! The group rules' share of the hosts bound (issue 16): `k` members of a hard anti-affinity group at most `m` per
//! domain need at least `ceil(k / m)` domains, and a domain has at least one host, so as many hosts (a host scope:
//! as many hosts directly). Sound: every plan keeps the hard rules, and distinct domains have distinct hosts.
//!
//! Hard affinity (issue 16): the placed members of a host-scoped group share one host, so for the bin-packing
//! bounds they are one workload whose demand is their sum ([`affinity_bound`]); those of a label-scoped group share
//! one domain, whose hosts must cover their demand.
//!
//! The core knows rules by their index, not their names: a reason names `<group r>`, `<domain r>` and `<domains r>`,
//! which Python words with the rule's group and scope (`fleetpack.plan.plan`).

use std::collections::HashMap;

use crate::model::rules::{RuleKind, HOST_SCOPE};
use crate::model::Problem;

use super::classic::{fekete_schepers, martello_toth_l2};
use super::kinds::dim_name;
use super::relaxed::Relaxed;

/// The host-scoped affinity rules the merged bound reads (those forcing the most members together first): each
/// sorts the other workloads' demands, so their number is bounded for large fleets.
const MERGED_RULES: usize = 8;
/// The most counts of placed members the merged bound tries per rule (it takes the least bound over them).
const MERGED_TRIES: usize = 16;

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

/// The most hosts that the hard affinity rules force on a plan placing at least `placed` of the candidates, with its
/// reason; None when they force no more than one.
///
/// A plan may drop workloads without using more hosts or breaking a rule, so take one placing exactly `placed`; of a
/// group of `k` candidates it places some `a` members, at least `placed - (total - k)`. Host scope: the `a` share
/// one host, so the plan packs one workload of at least the `a` smallest member demands summed (per dimension) and
/// `placed - a` others of at least the smallest other demands: L2 and Fekete–Schepers of that list, with bins of the
/// largest room, bound it; a count `a` whose sum no host's room holds (or whose `max_workloads` is below `a`) is no
/// plan's. The least over the counts tried (all of them, or the rule is skipped) is the bound. Label scope: the `a`
/// share one domain, so the hosts of one domain cover their demand: the least, over the domains, of the fewest hosts
/// there, largest rooms first, covering the `a` smallest demands (`a` at its least: more only need more).
pub(super) fn affinity_bound(relaxed: &Relaxed, placed: usize) -> Option<(usize, String)> {
    let problem = relaxed.problem;
    let rules = problem.rules()?;
    let dims = problem.dims();
    let total = relaxed.candidates.len();
    let placed = placed.min(total);
    let mut candidate = vec![false; problem.workload_count()];
    for &i in &relaxed.candidates {
        candidate[i] = true;
    }
    let mut best: Option<(usize, String)> = None;
    let raise = |need: usize, why: String, best: &mut Option<(usize, String)>| {
        if need > best.as_ref().map_or(1, |b| b.0) {
            *best = Some((need, why));
        }
    };
    let mut merged_rules: Vec<(usize, usize, usize)> = Vec::new(); // (at least, rule, members)
    for (r, rule) in rules.rules.iter().enumerate() {
        if rule.kind != RuleKind::Affinity || !rule.hard() {
            continue;
        }
        let members: Vec<usize> =
            rules.members_of(r).iter().map(|&i| i as usize).filter(|&i| candidate[i]).collect();
        let k = members.len();
        let at_least = placed.saturating_sub(total - k);
        if at_least < 2 {
            continue;
        }
        let who = if at_least == k {
            format!("the {k} members of <group {r}>")
        } else {
            format!("{at_least} of the {k} members of <group {r}>")
        };
        if rule.key == HOST_SCOPE {
            merged_rules.push((at_least, r, k));
            continue;
        }
        // label scope: the fewest hosts of one domain that cover the members' demand
        let least = smallest_sums(problem, &members, at_least);
        let mut by_domain: HashMap<u32, Vec<usize>> = HashMap::new();
        for j in 0..problem.host_count() {
            by_domain.entry(rules.domain(r, j)).or_default().push(j);
        }
        let mut fewest: Option<(usize, usize)> = None; // (hosts, dimension)
        for hosts in by_domain.values() {
            let mut need = (0usize, 0usize);
            for (d, &demand) in least.iter().enumerate() {
                let mut rooms: Vec<u64> = hosts.iter().map(|&j| relaxed.room(j, d)).collect();
                rooms.sort_unstable_by(|a, b| b.cmp(a));
                let (mut covered, mut n) = (0u128, 0usize);
                for room in rooms {
                    if covered >= demand {
                        break;
                    }
                    covered += room as u128;
                    n += 1;
                }
                if covered < demand {
                    need = (usize::MAX, d); // this domain cannot hold them
                    break;
                }
                if n > need.0 {
                    need = (n, d);
                }
            }
            if fewest.is_none_or(|f| need.0 < f.0) {
                fewest = Some(need);
            }
        }
        if let Some((need, d)) = fewest.filter(|f| f.0 != usize::MAX) {
            let why = format!("{who} must share a <domain {r}>: at least {need} hosts there by {}", dim_name(d));
            raise(need, why, &mut best);
        }
    }
    merged_rules.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(at_least, r, k) in merged_rules.iter().take(MERGED_RULES) {
        let most = k.min(placed);
        if most - at_least + 1 > MERGED_TRIES {
            continue;
        }
        let members = rules.members_of(r);
        let mut member = vec![false; problem.workload_count()];
        for &i in members {
            member[i as usize] = true;
        }
        let member_list: Vec<usize> = members.iter().map(|&i| i as usize).filter(|&i| candidate[i]).collect();
        let others: Vec<Vec<u64>> = (0..dims)
            .map(|d| {
                let mut column: Vec<u64> =
                    relaxed.candidates.iter().filter(|&&i| !member[i]).map(|&i| problem.smallest(i)[d]).collect();
                column.sort_unstable();
                column
            })
            .collect();
        let mut least: Option<(usize, usize, usize)> = None; // (hosts, dimension, members)
        for a in at_least..=most {
            let sums = smallest_sums(problem, &member_list, a);
            let fits = relaxed.kinds.iter().any(|&(j, _)| {
                problem.hosts().max_workloads[j].is_none_or(|c| c >= a as u64)
                    && (0..dims).all(|d| sums[d] <= relaxed.room(j, d) as u128)
            });
            if !fits {
                continue;
            }
            let mut need = (1usize, 0usize);
            for d in 0..dims {
                let mut column: Vec<u64> = others[d][..placed - a].to_vec();
                // (fits a room, so below 2^64)
                column.push(sums[d] as u64);
                column.sort_unstable();
                let room = relaxed.largest_room[d];
                let value = martello_toth_l2(&column, room).max(fekete_schepers(&column, room)) as usize;
                if value > need.0 {
                    need = (value, d);
                }
            }
            if least.is_none_or(|l| need.0 < l.0) {
                least = Some((need.0, need.1, a));
            }
        }
        if let Some((need, d, a)) = least {
            let need = need.min(relaxed.host_count);
            let who = if a == k { format!("the {k} members") } else { format!("{a} of the {k} members") };
            let why = format!("{who} of <group {r}> must share a host: at least {need} hosts by {} with them as one workload", dim_name(d));
            raise(need, why, &mut best);
        }
    }
    best
}

/// Per dimension, the sum of the `a` smallest demands of `members` there.
fn smallest_sums(problem: &Problem, members: &[usize], a: usize) -> Vec<u128> {
    (0..problem.dims())
        .map(|d| {
            let mut column: Vec<u64> = members.iter().map(|&i| problem.smallest(i)[d]).collect();
            column.sort_unstable();
            column[..a].iter().map(|&v| v as u128).sum()
        })
        .collect()
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
