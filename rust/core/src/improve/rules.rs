//! The group rules' final-state repair (issue 16). Adding a member never breaks a hard rule (the rule check of
//! `State::fits` and `HostStates::fits`), and removing one never breaks anti-affinity or affinity; but taking members
//! off a spread group can lower its fewest below what its most allow, and the search's steps (ejections into a
//! pool, the count phase trading one workload for two) may end there. So every plan the search returns goes through
//! [`keep_hard_rules`]: while a hard spread rule's skew is over its cap, a member of a domain holding the most moves
//! to the first host (in input order) of a domain holding the fewest that takes it; when none does, it is left
//! out. The count comes first, so moving is tried before leaving out; plans that keep every hard rule come back
//! unchanged.

use super::state::State;
use crate::model::{Placement, Problem, RuleKind};

/// `placement` with every hard spread rule kept: unchanged when it keeps them (see the module's docs).
pub fn keep_hard_rules(problem: &Problem, placement: Placement) -> Placement {
    let Some(rules) = problem.rules() else { return placement };
    let spread: Vec<usize> =
        (0..rules.len()).filter(|&r| rules.rules[r].hard() && rules.rules[r].kind == RuleKind::Spread).collect();
    if spread.is_empty() || rules.hard_ok(&placement) {
        return placement;
    }
    let mut state = State::new(problem, &placement);
    // moves are bounded (each rule's members once each); then only leaving out, which ends
    let mut moves_left: usize = spread.iter().map(|&r| rules.members_of(r).len()).sum();
    loop {
        let mut repaired = false;
        for &r in &spread {
            while let Some((high, low)) = over(&state, r) {
                repaired = true;
                let host_of = |i: u32| state.host_of(i as usize);
                let member = rules
                    .members_of(r)
                    .iter()
                    .rev()
                    .copied()
                    .find(|&i| host_of(i).is_some_and(|j| rules.domain(r, j) == high))
                    .expect("a member in the domain holding the most") as usize;
                let (from, _) = state.remove(member);
                let target = (moves_left > 0)
                    .then(|| {
                        (0..problem.host_count())
                            .filter(|&j| j != from && rules.domain(r, j) == low)
                            .find_map(|j| state.first_form(member, j).map(|f| (j, f)))
                    })
                    .flatten();
                if let Some((j, f)) = target {
                    state.add(member, j, f);
                    moves_left -= 1;
                }
            }
        }
        if !repaired {
            break;
        }
    }
    state.placement()
}

/// When hard spread rule `r`'s skew is over its cap in `state`: a domain holding the most and one holding the
/// fewest (the first of each).
fn over(state: &State, r: usize) -> Option<(u32, u32)> {
    let rules = state.problem().rules()?;
    let counts = state.rule_counts()?;
    let rule = &rules.rules[r];
    let eligible = rules.spread_domains(r);
    let (mut high, mut low) = (None::<(u32, u32)>, None::<(u32, u32)>);
    for (d, _) in eligible.iter().enumerate().filter(|(_, &e)| e) {
        let c = counts.count(rules, r, d as u32);
        if high.is_none_or(|(_, h)| c > h) {
            high = Some((d as u32, c));
        }
        if low.is_none_or(|(_, l)| c < l) {
            low = Some((d as u32, c));
        }
    }
    let ((dh, h), (dl, l)) = (high?, low?);
    let domains = eligible.iter().filter(|&&e| e).count() as u32;
    let least = if domains < rule.min_domains { 0 } else { l };
    (h - least > rule.cap).then_some((dh, dl))
}
