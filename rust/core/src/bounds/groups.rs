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
