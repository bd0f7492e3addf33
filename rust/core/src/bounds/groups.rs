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

use crate::fit::HostStates;
use crate::model::rules::{RuleKind, HOST_SCOPE, NO_DOMAIN};
use crate::model::{Form, Problem};

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
        // the domains in order of their first host (as the reference: ties keep the first one's words)
        let mut index: HashMap<u32, usize> = HashMap::new();
        let mut by_domain: Vec<Vec<usize>> = Vec::new();
        for j in 0..problem.host_count() {
            let k = *index.entry(rules.domain(r, j)).or_insert_with(|| {
                by_domain.push(Vec::new());
                by_domain.len() - 1
            });
            by_domain[k].push(j);
        }
        let mut fewest: Option<(usize, usize)> = None; // (hosts, dimension)
        for hosts in &by_domain {
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

/// The most workloads any plan places: those that fit some empty host, less, for the hard group rules that cap
/// their members below their number (taken greedily, the largest shortfall first, among rules whose members no rule
/// taken before shares, so that no workload is counted out twice), the members each cannot place. A rule caps:
///
/// - anti-affinity at most `m` per domain: the domains with a host that some member fits take `m` each at most;
/// - affinity: its placed members share a domain, so at most the most members, smallest demands first, that the
///   summed rooms of one domain's hosts hold in every dimension (and their `max_workloads`), among the members that
///   fit a host there (rooms as the bounds take them: grown by ratios, less the smaller per-host overhead);
/// - spread with `min_domains` above its eligible domains `d`: the fewest counts as 0, so `d × max_skew`.
///
/// The count phase of `auto` stops once a plan places this many (Python words the same caps: plan/group_counts.py).
/// `placeable`: per workload, whether it fits some empty host ([`crate::bounds::placeable`]).
pub(super) fn most_placed(problem: &Problem, placeable: &[bool]) -> usize {
    let mut most = placeable.iter().filter(|&&b| b).count();
    let Some(rules) = problem.rules() else { return most };
    // what a member fits on an empty host by the other rules (the group rules could only say no more often), asked
    // once per kind of host alike in everything that reads
    let free = problem.without_rules();
    let empty = HostStates::new(&free);
    let hosts = problem.hosts();
    let key = |j: usize| {
        (problem.capacity(j), hosts.os[j], hosts.hypervisor[j], hosts.containers[j], hosts.max_workloads[j],
         problem.eligibility_kind(j))
    };
    let mut index: HashMap<_, usize> = HashMap::new();
    let mut representatives: Vec<usize> = Vec::new();
    let kind_of: Vec<usize> = (0..problem.host_count())
        .map(|j| {
            *index.entry(key(j)).or_insert_with(|| {
                representatives.push(j);
                representatives.len() - 1
            })
        })
        .collect();
    // per member, the kinds of host it fits (worked out on first need)
    let mut kinds_of: HashMap<usize, Vec<bool>> = HashMap::new();
    let mut member_kinds = |i: usize| -> Vec<bool> {
        kinds_of
            .entry(i)
            .or_insert_with(|| representatives.iter().map(|&j| Form::TRY_ORDER.iter().any(|&f| empty.fits(i, j, f))).collect())
            .clone()
    };
    let m = problem.host_count();
    // a member counts as placeable when it fits some host (added to `placeable`'s count when that missed it)
    let mut member_fits: HashMap<usize, bool> = HashMap::new();
    for r in 0..rules.len() {
        for &i in rules.members_of(r) {
            let i = i as usize;
            if !member_fits.contains_key(&i) {
                let fit = member_kinds(i).iter().any(|&b| b);
                if fit && !placeable[i] {
                    most += 1;
                }
                member_fits.insert(i, fit);
            }
        }
    }
    let grown = problem.overbook_relaxed();
    let sized = grown.as_ref().unwrap_or(problem);
    let over = problem.overheads();
    let room = |j: usize, d: usize| sized.capacity(j)[d].saturating_sub(over.hypervisor[d].min(over.container_runtime[d]));
    let mut short: Vec<(usize, usize)> = Vec::new(); // (members left out at least, rule)
    for (r, rule) in rules.rules.iter().enumerate() {
        if !rule.hard() {
            continue;
        }
        let members: Vec<usize> = rules.members_of(r).iter().map(|&i| i as usize).filter(|&i| member_fits[&i]).collect();
        let cap = rule.cap as usize;
        let held = match rule.kind {
            RuleKind::AntiAffinity => {
                // the kinds of host some member fits
                let mut takes = vec![false; representatives.len()];
                for &i in &members {
                    for (t, fit) in takes.iter_mut().zip(member_kinds(i)) {
                        *t |= fit;
                    }
                }
                let mut taking: Vec<u32> = (0..m).filter(|&j| takes[kind_of[j]]).map(|j| rules.domain(r, j)).collect();
                taking.sort_unstable();
                taking.dedup();
                taking.len().saturating_mul(cap)
            }
            RuleKind::Spread => {
                let eligible = rules.spread_domains(r).iter().filter(|&&e| e).count();
                if (rule.min_domains as usize) <= eligible {
                    continue;
                }
                eligible * cap
            }
            RuleKind::Affinity => {
                let fitting: HashMap<usize, Vec<bool>> = members.iter().map(|&i| (i, member_kinds(i))).collect();
                let mut by_domain: HashMap<u32, Vec<usize>> = HashMap::new();
                for j in 0..m {
                    by_domain.entry(rules.domain(r, j)).or_default().push(j);
                }
                let mut best = 0usize;
                for (&d, hosts_there) in &by_domain {
                    if d == NO_DOMAIN {
                        continue;
                    }
                    let mut kinds: Vec<usize> = hosts_there.iter().map(|&j| kind_of[j]).collect();
                    kinds.sort_unstable();
                    kinds.dedup();
                    let there: Vec<usize> =
                        members.iter().copied().filter(|&i| kinds.iter().any(|&k| fitting[&i][k])).collect();
                    let mut held = there.len();
                    let limits: Option<u64> = hosts_there.iter().map(|&j| hosts.max_workloads[j]).sum();
                    if let Some(limit) = limits {
                        held = held.min(limit.min(usize::MAX as u64) as usize);
                    }
                    for dim in 0..problem.dims() {
                        let total: u128 = hosts_there.iter().map(|&j| room(j, dim) as u128).sum();
                        let mut column: Vec<u64> = there.iter().map(|&i| problem.smallest(i)[dim]).collect();
                        column.sort_unstable();
                        let (mut sum, mut n) = (0u128, 0usize);
                        while n < column.len() && sum + column[n] as u128 <= total {
                            sum += column[n] as u128;
                            n += 1;
                        }
                        held = held.min(n);
                    }
                    best = best.max(held);
                }
                best
            }
        };
        if held < members.len() {
            short.push((members.len() - held, r));
        }
    }
    short.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut counted = vec![false; problem.workload_count()];
    for (out, r) in short {
        let members = rules.members_of(r);
        if members.iter().any(|&i| counted[i as usize]) {
            continue;
        }
        for &i in members {
            counted[i as usize] = true;
        }
        most -= out;
    }
    most
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
    use crate::bounds::groups::{affinity_bound, group_bound, most_placed};
    use crate::bounds::kinds::FitKinds;
    use crate::bounds::relaxed::Relaxed;
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

    /// `members` of sizes `size` (cpu, memory) in one group under `rule`, and `others`; hosts of 16 cpu and 64
    /// memory in zones a, a, b, b, c and none.
    fn grouped(members: usize, size: u64, others: &[u64], kind: RuleKind, key: u32, cap: u32, min_domains: u32) -> Problem {
        let mut workloads: Vec<_> = (0..members).map(|_| WorkloadSpec::new(vec![size, size])).collect();
        workloads.extend(others.iter().map(|&s| WorkloadSpec::new(vec![s, 1])));
        let hosts: Vec<_> = (0..6).map(|_| HostSpec::new(vec![16, 64])).collect();
        let p = Problem::from_rows(2, &workloads, &hosts, Overheads::none(2)).unwrap();
        let rule = Rule { kind, key, cap, min_domains, weight: 0 };
        let all: Vec<u32> = (0..members as u32).collect();
        p.with_rules(RuleSet::new(1, vec![1, 1, 2, 2, 3, 0], vec![rule], vec![0, members as u32], all)).unwrap()
    }

    fn affinity(problem: &Problem, placed: usize) -> Option<(usize, String)> {
        let fits = FitKinds::new(problem);
        affinity_bound(&Relaxed::new(problem, &fits), placed)
    }

    #[test]
    fn members_that_share_a_host_are_one_workload() {
        // 4 members of 4 (16 together, a whole host) and 4 others of 10, each alone: 5 hosts, not L2's 4
        let p = grouped(4, 4, &[10, 10, 10, 10], RuleKind::Affinity, HOST_SCOPE, 0, 0);
        assert_eq!(
            affinity(&p, 8),
            Some((5, "the 4 members of <group 0> must share a host: at least 5 hosts by cpu with them as one workload".into()))
        );
        // 7 placed: 3 members at least (12 with 4 others, or 16 with 3), 4 hosts either way
        assert_eq!(affinity(&p, 7).map(|b| b.0), Some(4));
        // members of 5 (20 together) fit no host: no plan places all 4, and 3 (15) with the 4 others need 5 hosts
        let big = grouped(4, 5, &[10, 10, 10, 10], RuleKind::Affinity, HOST_SCOPE, 0, 0);
        assert_eq!(affinity(&big, 7).map(|b| b.0), Some(5));
    }

    #[test]
    fn members_that_share_a_zone_need_its_hosts() {
        // 5 members of 12: 60, more than a zone of two hosts (32) holds; zone a or b: none; no domain holds them
        let p = grouped(5, 12, &[], RuleKind::Affinity, 0, 0, 0);
        assert_eq!(affinity(&p, 5), None);
        // 2 members of 12: 24 in one zone of two hosts of 16: 2 hosts there
        let two = grouped(2, 12, &[], RuleKind::Affinity, 0, 0, 0);
        assert_eq!(affinity(&two, 2).unwrap().1, "the 2 members of <group 0> must share a <domain 0>: at least 2 hosts there by cpu");
    }

    /// (every workload of these fits an empty host)
    fn most(problem: &Problem) -> usize {
        most_placed(problem, &vec![true; problem.workload_count()])
    }

    #[test]
    fn the_most_placed_counts_out_the_members_a_rule_keeps_out() {
        // 4 domains (a, b, c, and the unlabelled host) at most 1 each: 4 of 5 members, and the 2 others
        assert_eq!(most(&grouped(5, 1, &[1, 1], RuleKind::AntiAffinity, 0, 1, 0)), 6);
        assert_eq!(most(&grouped(5, 1, &[1, 1], RuleKind::AntiAffinity, 0, 2, 0)), 7);
        // spread over 3 zones (the unlabelled host takes none) with min_domains 4: at most 1 per zone
        assert_eq!(most(&grouped(5, 1, &[], RuleKind::Spread, 0, 1, 4)), 3);
        assert_eq!(most(&grouped(5, 1, &[], RuleKind::Spread, 0, 1, 3)), 5);
        // affinity in one host: members of 6 and 6 in 16, 2 of them
        assert_eq!(most(&grouped(4, 6, &[3], RuleKind::Affinity, HOST_SCOPE, 0, 0)), 3);
        // in one zone of two hosts (32): 5 of them
        assert_eq!(most(&grouped(6, 6, &[3], RuleKind::Affinity, 0, 0, 0)), 6);
    }
}
