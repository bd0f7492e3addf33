//! The final fill: every plan `auto` returns is *maximal*, no workload it leaves out fits it as it stands.
//!
//! Placing more workloads comes first in the model, but a heuristic tries each workload once, before its hosts
//! reach their final state, and the searches change hosts after that (emptying one, moving workloads off another).
//! So the last step of `auto` tries every left-out workload on every host once more, under every rule.
//!
//! One pass suffices: adding a workload to a host only takes room, slots, groups and tenants away from it (a per-host
//! overhead, once switched on, stays on), so a workload that fits no host now fits none after later additions. The
//! same monotony lets workloads alike in everything the rules read share one failure: when one of them fits no host,
//! the others are not tried again.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};

use super::scarcity::{self, Key};
use super::state::State;
use crate::error::{Error, Result};
use crate::heuristics::opening_order;
use crate::model::{Form, Isolation, Objective, Problem};

/// How many workloads are tried between two looks at the cancel flag.
const LOOK_EVERY: usize = 256;

/// What the rules read of a workload: two workloads with the same signature fit the same hosts (its eligibility
/// class and group rules too).
type Signature = (Vec<u64>, u8, u32, u32, Isolation, Option<u32>, u32, Vec<u32>);

fn signature(p: &Problem, i: usize) -> Signature {
    let w = p.workloads();
    let forms = Form::TRY_ORDER.iter().fold(0u8, |bits, &f| bits | (u8::from(w.forms[i].allows(f)) << f as u8));
    let class = p.eligibility().map_or(0, |e| e.class[i]);
    let rules = p.rules().map_or(Vec::new(), |r| r.rules_of(i).to_vec());
    (p.demand(i).to_vec(), forms, w.os[i], w.tenant[i], w.isolation[i], w.group[i], class, rules)
}

/// Whether a workload that fits no host now may fit one after more workloads are placed: a member of a hard spread
/// rule (the fewest members in a domain may rise), for which no failure is remembered.
fn may_fit_later(p: &Problem, i: usize) -> bool {
    p.rules().is_some_and(|rules| {
        rules.rules_of(i).iter().any(|&r| {
            let rule = &rules.rules[r as usize];
            rule.hard() && rule.kind == crate::model::RuleKind::Spread
        })
    })
}

/// Place every left-out workload of `state` that fits somewhere, smallest first by [`scarcity::sizes`] (the order
/// that leaves room for the most): on the used host it fills most tightly (for `spread`: the host, used or not,
/// left least utilised), else on the first unused host in the objective's opening order. Returns how many it
/// placed; afterwards no left-out workload fits any host. Err(Interrupted) when `cancel` is set.
pub fn fill(state: &mut State, objective: Objective, cancel: Option<&AtomicBool>) -> Result<usize> {
    let p: &Problem = state.problem();
    let mut left: Vec<usize> = (0..p.workload_count()).filter(|&i| state.host_of(i).is_none()).collect();
    if left.is_empty() || p.host_count() == 0 {
        return Ok(0);
    }
    let sizes = scarcity::sizes(p, Key::Sum);
    left.sort_by(|&a, &b| sizes[a].total_cmp(&sizes[b]).then(a.cmp(&b)));
    let opening = opening_order(p, objective);
    let mut failed: HashSet<Signature> = HashSet::new();
    let mut placed = 0;
    for (k, &i) in left.iter().enumerate() {
        if k % LOOK_EVERY == 0 && cancel.is_some_and(|flag| flag.load(Ordering::Relaxed)) {
            return Err(Error::Interrupted);
        }
        let sig = signature(p, i);
        if failed.contains(&sig) {
            continue;
        }
        match spot(state, i, objective, &opening) {
            Some((j, form)) => {
                state.add(i, j, form);
                placed += 1;
            }
            None if !may_fit_later(p, i) => {
                failed.insert(sig);
            }
            None => {}
        }
    }
    Ok(placed)
}

/// Where [`fill`] puts workload `i`, if anywhere.
fn spot(state: &State, i: usize, objective: Objective, opening: &[usize]) -> Option<(usize, Form)> {
    if objective == Objective::Spread {
        let mut best: Option<(f64, usize, Form)> = None;
        for &j in opening {
            if let Some(form) = state.first_form(i, j) {
                let after = utilisation_after(state, i, j, form);
                if best.map_or(true, |(u, ..)| after < u) {
                    best = Some((after, j, form));
                }
            }
        }
        return best.map(|(_, j, form)| (j, form));
    }
    let mut best: Option<(f64, usize, Form)> = None;
    for &j in opening.iter().filter(|&&j| state.count(j) > 0) {
        if let Some(form) = state.first_form(i, j) {
            let free = free_after(state, i, j, form);
            if best.map_or(true, |(f, ..)| free < f) {
                best = Some((free, j, form));
            }
        }
    }
    if let Some((_, j, form)) = best {
        return Some((j, form));
    }
    opening.iter().filter(|&&j| state.count(j) == 0).find_map(|&j| state.first_form(i, j).map(|form| (j, form)))
}

fn free_after(state: &State, i: usize, j: usize, form: Form) -> f64 {
    let p = state.problem();
    state.usage_after(i, j, form)
        .iter()
        .zip(p.capacity(j))
        .filter(|(_, &c)| c > 0)
        .map(|(&u, &c)| c.saturating_sub(u) as f64 / c as f64)
        .sum()
}

fn utilisation_after(state: &State, i: usize, j: usize, form: Form) -> f64 {
    let p = state.problem();
    crate::fit::utilisation(&state.usage_after(i, j, form), p.capacity(j))
}
