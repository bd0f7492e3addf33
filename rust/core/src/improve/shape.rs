//! A construction for heterogeneous fleets (issue 18): open hosts by how well their shape matches the demand left,
//! and fill each host with the workloads that match what it has left.
//!
//! The portfolio opens hosts in one fixed order (largest first for `hosts`, cheapest per unit for `cost`), by a
//! size that weighs every dimension alike. On a fleet of many host types whose CPU-to-memory ratios differ, it then
//! opens hosts whose shape does not match the demand, which end full in one dimension and idle in the other.
//! Here, after the vector-packing literature's bin-centric heuristics (Panigrahy et al. 2011, "Heuristics for
//! vector bin packing"):
//!
//! - **which host to open**: the host type that could hold the largest share of the demand still to place, the
//!   share being `min(1, min over dimensions of capacity / demand left)` (a norm-based fit along the demand's
//!   direction), per unit of cost for `cost`; ties go to the larger type, then to the earlier host;
//! - **how to fill it**: again and again the workload whose smallest demand has the largest dot product with the
//!   host's free room, both normalised by the host's capacity, among those that fit by every rule (workloads of one
//!   demand vector form one class, so a step looks at each class once);
//! - dedicated workloads first, each on the smallest (for `cost`: the cheapest) empty host that takes it.
//!
//! Every placement goes through [`State::fits`], so the plan keeps every rule. It runs only on fleets of more than
//! one host type: on one-type fleets `auto` is unchanged. Deterministic; its work units are counted like the
//! search's, and it gives up (None) when they run out.

use std::collections::HashMap;

use crate::error::Result;
use crate::model::{Form, FormSet, Isolation, Objective, Placement, Problem, RuleKind};

use super::budget::Budget;
use super::state::State;

/// A host's type: what decides which workloads it takes and what it costs.
type Kind<'p> = (&'p [u64], u32, u64, bool, Option<u64>, u64, u32);

fn kind_of(p: &Problem, j: usize) -> Kind<'_> {
    let h = p.hosts();
    let hypervisor = h.hypervisor[j].map_or(0, |x| x as u64 + 1);
    (p.capacity(j), h.os[j], hypervisor, h.containers[j], h.max_workloads[j], h.cost[j].to_bits(), p.eligibility_kind(j))
}

/// The hosts grouped by type: per type, its hosts in input order.
fn kinds(p: &Problem) -> Vec<Vec<usize>> {
    let mut index: HashMap<Kind, usize> = HashMap::new();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for j in 0..p.host_count() {
        let k = *index.entry(kind_of(p, j)).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[k].push(j);
    }
    groups
}

/// Whether the fleet has hosts of more than one capacity: the case this construction is for.
pub fn heterogeneous(p: &Problem) -> bool {
    (1..p.host_count()).any(|j| p.capacity(j) != p.capacity(0))
}

/// The shape-matched plan of `p` for `objective` (`hosts` or `cost`), or None when the work runs out first.
pub fn shape_plan(p: &Problem, objective: Objective, budget: &mut Budget) -> Result<Option<Placement>> {
    let (n, dims) = (p.workload_count(), p.dims());
    let mut state = State::new(p, &vec![None; n]);
    let placeable = crate::bounds::placeable(p);
    budget.charge(n as u64)?;
    let cost = |j: usize| if objective == Objective::Cost { p.hosts().cost[j].max(1e-9) } else { 1.0 };
    let scale = p.largest_capacity();
    let size = |j: usize| -> f64 {
        p.capacity(j).iter().zip(&scale).filter(|(_, &s)| s > 0).map(|(&c, &s)| c as f64 / s as f64).sum()
    };
    // dedicated workloads first (largest first), each on the smallest or cheapest empty host that takes it
    let dedicated = |i: usize| p.workloads().isolation[i] == Isolation::Dedicated;
    let mut firsts: Vec<usize> = (0..n).filter(|&i| placeable[i] && dedicated(i)).collect();
    firsts.sort_by(|&a, &b| weight(p, b, &scale).total_cmp(&weight(p, a, &scale)).then(a.cmp(&b)));
    let mut by_size: Vec<usize> = (0..p.host_count()).collect();
    by_size.sort_by(|&a, &b| cost(a).total_cmp(&cost(b)).then(size(a).total_cmp(&size(b))).then(a.cmp(&b)));
    for i in firsts {
        for &j in &by_size {
            budget.charge(1)?;
            if state.count(j) == 0 {
                if let Some(form) = state.first_form(i, j) {
                    state.add(i, j, form);
                    break;
                }
            }
        }
        if budget.spent() {
            return Ok(None);
        }
    }
    // the others by class of demand vector, each class in input order, split into runs of workloads that the
    // rules treat alike but for their anti-affinity group (`Runs`): a class's first fitting workload is then found
    // by looking at the head of each run, not at every workload before it
    let mut class_of: HashMap<&[u64], usize> = HashMap::new();
    let mut classes: Vec<Runs> = Vec::new();
    let mut demand: Vec<&[u64]> = Vec::new();
    let mut left = vec![0f64; dims];
    for i in (0..n).filter(|&i| placeable[i] && state.host_of(i).is_none()) {
        let s = p.smallest(i);
        let c = *class_of.entry(s).or_insert_with(|| {
            classes.push(Runs::default());
            demand.push(s);
            classes.len() - 1
        });
        classes[c].push(p, i);
        for d in 0..dims {
            left[d] += s[d] as f64;
        }
    }
    let mut types: Vec<(Vec<usize>, usize)> =
        kinds(p).into_iter().map(|hosts| (hosts, 0)).collect::<Vec<_>>();
    let mut remaining: usize = classes.iter().map(|c| c.len).sum();
    let mut blocked = vec![false; classes.len()];
    while remaining > 0 {
        // the type whose next empty host could hold the largest share of the demand left
        let mut chosen: Option<(f64, f64, usize, usize)> = None;
        for (t, (hosts, next)) in types.iter_mut().enumerate() {
            while *next < hosts.len() && state.count(hosts[*next]) > 0 {
                *next += 1;
            }
            let Some(&j) = hosts.get(*next) else { continue };
            let cap = p.capacity(j);
            let share = (0..dims)
                .filter(|&d| left[d] > 0.0)
                .map(|d| cap[d] as f64 / left[d])
                .fold(1.0f64, f64::min)
                / cost(j);
            let better = match chosen {
                None => true,
                Some((s, z, first, _)) => share > s || (share == s && (size(j) > z || (size(j) == z && j < first))),
            };
            if better {
                chosen = Some((share, size(j), j, t));
            }
        }
        budget.charge(types.len() as u64)?;
        let Some((_, _, j, t)) = chosen else { break };
        let cap = p.capacity(j);
        blocked.iter_mut().for_each(|b| *b = false);
        let mut placed_here = 0usize;
        loop {
            let used = state.used(j);
            let room: Vec<f64> = (0..dims).map(|d| cap[d].saturating_sub(used[d]) as f64).collect();
            let mut best: Option<(f64, usize)> = None;
            for c in 0..classes.len() {
                if blocked[c] || classes[c].is_empty() {
                    continue;
                }
                let s = demand[c];
                if (0..dims).any(|d| s[d] as f64 > room[d]) {
                    blocked[c] = true;
                    continue;
                }
                let dot: f64 =
                    (0..dims).filter(|&d| cap[d] > 0).map(|d| s[d] as f64 * room[d] / (cap[d] as f64 * cap[d] as f64)).sum();
                if best.map_or(true, |(b, _)| dot > b) {
                    best = Some((dot, c));
                }
            }
            budget.charge(classes.len() as u64 / 4 + 1)?;
            let Some((_, c)) = best else { break };
            let (found, looked) = classes[c].first_fitting(&state, j);
            budget.charge(looked)?;
            match found {
                Some((r, k)) => {
                    let i = classes[c].take(r, k);
                    let form: Form = state.first_form(i, j).expect("it fits");
                    state.add(i, j, form);
                    for d in 0..dims {
                        left[d] -= demand[c][d] as f64;
                    }
                    remaining -= 1;
                    placed_here += 1;
                }
                None => blocked[c] = true,
            }
            if budget.spent() {
                return Ok(None);
            }
        }
        if placed_here == 0 {
            // an empty host of this type takes none of what is left: neither will the others of its type
            types[t].1 = types[t].0.len();
        }
    }
    regroup(&mut state, &placeable, budget)?;
    if budget.spent() {
        return Ok(None);
    }
    Ok(Some(state.placement()))
}

/// Hard affinity groups with members left out, moved whole to a domain that holds them all. Hosts are filled one
/// at a time here, so a group's first member fixes its domain (a rack) long before the others' hosts open, and by
/// then the domain may be full. Per such group (in rule order): its members come off, and the domains are tried,
/// its own first (where its placed members are), then the others by number: each placeable member (in input
/// order) on the domain's first host in use that takes it, else on its first empty one. Of the domains that take
/// them all, the one where they open the fewest empty hosts keeps them (the first of those); when none does, the
/// members go back where they were.
fn regroup(state: &mut State, placeable: &[bool], budget: &mut Budget) -> Result<()> {
    let p = state.problem();
    let Some(rules) = p.rules() else { return Ok(()) };
    let mut hosts_by_key: HashMap<u32, Vec<(u32, usize)>> = HashMap::new();
    for r in 0..rules.len() {
        let rule = &rules.rules[r];
        if rule.kind != RuleKind::Affinity || !rule.hard() {
            continue;
        }
        let members: Vec<usize> = rules.members_of(r).iter().map(|&m| m as usize).filter(|&m| placeable[m]).collect();
        let was: Vec<(usize, Option<(usize, Form)>)> =
            members.iter().map(|&m| (m, state.host_of(m).map(|j| (j, state.form_of(m))))).collect();
        if members.len() < 2 || was.iter().all(|(_, at)| at.is_some()) {
            continue;
        }
        let home = was.iter().find_map(|&(_, at)| at.map(|(j, _)| rules.domain(r, j)));
        // the hosts by domain, in host order (the same for every rule of a key)
        let by_domain = hosts_by_key.entry(rule.key).or_insert_with(|| {
            let mut all: Vec<(u32, usize)> = (0..p.host_count()).map(|j| (rules.domain(r, j), j)).collect();
            all.sort_unstable();
            all
        });
        let mut domains: Vec<u32> = by_domain.iter().map(|&(d, _)| d).collect();
        domains.dedup();
        if let Some(home) = home {
            domains.retain(|&d| d != home);
            domains.insert(0, home);
        }
        for &(m, at) in &was {
            if at.is_some() {
                state.remove(m);
            }
        }
        // the domain that takes them all opening the fewest empty hosts (the first of those)
        let mut best: Option<(usize, u32)> = None;
        for d in domains {
            let lo = by_domain.partition_point(|&(e, _)| e < d);
            let hi = by_domain.partition_point(|&(e, _)| e <= d);
            let hosts: Vec<usize> = by_domain[lo..hi].iter().map(|&(_, j)| j).collect();
            budget.charge((members.len() * hosts.len()) as u64 + 1)?;
            if let Some(opened) = try_domain(state, &members, &hosts, true) {
                if best.map_or(true, |(o, _)| opened < o) {
                    best = Some((opened, d));
                }
                if opened == 0 {
                    break;
                }
            }
        }
        let done = best.is_some();
        if let Some((_, d)) = best {
            let lo = by_domain.partition_point(|&(e, _)| e < d);
            let hi = by_domain.partition_point(|&(e, _)| e <= d);
            let hosts: Vec<usize> = by_domain[lo..hi].iter().map(|&(_, j)| j).collect();
            try_domain(state, &members, &hosts, false).expect("the same try again");
        }
        if !done {
            for &(m, at) in &was {
                if let Some((j, f)) = at {
                    state.add(m, j, f);
                }
            }
        }
    }
    Ok(())
}

/// A class's workloads (one demand vector) in runs: per key of what the rules read besides the anti-affinity group
/// (forms, OS, tenant, isolation, eligibility class, demand, group rules), its workloads in input order.
#[derive(Default)]
struct Runs {
    index: HashMap<(FormSet, u32, u32, Isolation, u32, Vec<u64>, Vec<u32>), usize>,
    runs: Vec<Vec<u32>>,
    len: usize,
}

impl Runs {
    fn push(&mut self, p: &Problem, i: usize) {
        let w = p.workloads();
        let class = p.eligibility().map_or(0, |e| e.class[i]);
        // (members of the same group rules are held to the same counts: one that fails by them, all of them do)
        let rules = p.rules().map_or(Vec::new(), |r| r.rules_of(i).to_vec());
        let key = (w.forms[i], w.os[i], w.tenant[i], w.isolation[i], class, p.demand(i).to_vec(), rules);
        let runs = &mut self.runs;
        let r = *self.index.entry(key).or_insert_with(|| {
            runs.push(Vec::new());
            runs.len() - 1
        });
        self.runs[r].push(i as u32);
        self.len += 1;
    }

    fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The first workload in input order that fits host `j` (its run and place there), and how many were looked
    /// at. Workloads of a run differ only in their group: one that fails while its group is not on the host fails
    /// for a reason its whole run shares, so the run is not looked at further.
    fn first_fitting(&self, state: &State, j: usize) -> (Option<(usize, usize)>, u64) {
        let groups = &state.problem().workloads().group;
        let (mut best, mut looked): (Option<(u32, usize, usize)>, u64) = (None, 0);
        for (r, run) in self.runs.iter().enumerate() {
            for (k, &i) in run.iter().enumerate() {
                if best.is_some_and(|(b, _, _)| i > b) {
                    break;
                }
                looked += 1;
                if state.first_form(i as usize, j).is_some() {
                    best = Some((i, r, k));
                    break;
                }
                if !groups[i as usize].is_some_and(|g| state.has_group(j, g)) {
                    break;
                }
            }
        }
        (best.map(|(_, r, k)| (r, k)), looked)
    }

    fn take(&mut self, r: usize, k: usize) -> usize {
        self.len -= 1;
        self.runs[r].remove(k) as usize
    }
}

/// Each of `members` (in order) on the first host of `hosts` in use that takes it, else on the first empty one:
/// when all go, how many empty hosts they opened (and, with `undo`, they come off again); else None, nothing changed.
fn try_domain(state: &mut State, members: &[usize], hosts: &[usize], undo: bool) -> Option<usize> {
    let mut added = Vec::new();
    let mut opened = 0;
    for &m in members {
        let used = hosts.iter().copied().filter(|&j| state.count(j) > 0);
        let empty = hosts.iter().copied().filter(|&j| state.count(j) == 0);
        let Some((j, f)) = used.chain(empty).find_map(|j| state.first_form(m, j).map(|f| (j, f))) else { break };
        opened += usize::from(state.count(j) == 0);
        state.add(m, j, f);
        added.push(m);
    }
    let all = added.len() == members.len();
    if undo || !all {
        for &m in added.iter().rev() {
            state.remove(m);
        }
    }
    all.then_some(opened)
}

/// A workload's smallest demand normalised by the largest capacity, summed over the dimensions.
fn weight(p: &Problem, i: usize, scale: &[u64]) -> f64 {
    p.smallest(i).iter().zip(scale).filter(|(_, &s)| s > 0).map(|(&x, &s)| x as f64 / s as f64).sum()
}
