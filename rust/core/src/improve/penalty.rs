//! The soft rules' penalty phase (issue 16): once the count and the objective are settled, moves and swaps that keep
//! both no worse and lower the summed penalty of the soft group rules (weight × excess: anti-affinity members over
//! the cap, affinity members outside the domain holding most, spread skew over `max_skew`).
//!
//! - **Counts.** Every soft rule, and every hard spread rule (a member leaving a domain may break one, which
//!   `State::fits` does not see), keeps its member counts per domain with a histogram of them, so that a rule's
//!   excess after a move is O(1): a move is judged by applying it to the counts and taking it back.
//! - **Steps.** For a soft rule with excess, members where it is broken (a domain over the cap, outside the
//!   affinity's home, a spread domain at the most or in none) try hosts where the rule would be kept better (a
//!   domain under the cap, the home, a spread domain at least two below the most): first moves, then swaps with a
//!   workload of such a host. A step is taken when it lowers the penalty, or keeps it and lowers a potential (spread
//!   counts squared, minus affinity counts squared: evening out a spread over several steps, gathering an affinity
//!   group), every hard rule kept; so every step lowers (penalty, potential) and the phase ends. Last, a host
//!   holding such members may hand all its workloads to an empty host in a better domain (as many hosts used).
//! - **Objective.** Count: a step never leaves a workload out. `hosts`: no move onto an empty host unless it empties
//!   the source; `cost`: no move onto an empty host but a relocation to one that costs no more; `spread`: no host
//!   ends above the plan's largest utilisation. The plan's objective value is compared at the end, and the phase's
//!   plan dropped if it is worse (rounding).
//! - **Budget.** Work units as the search's (one per rule count touched, a `fits` or an add or remove each).

use std::collections::HashMap;

use crate::error::Result;
use crate::fit::HostStates;
use crate::model::rules::NO_DOMAIN;
use crate::model::{Objective, RuleKind, RuleSet};

use super::budget::{Budget, Rng};
use super::state::State;

/// At most this many hosts are tried as targets per step (a random choice of them otherwise) ...
const HOSTS_PER_STEP: usize = 64;
/// ... scanning at most this many hosts to find them ...
const SCAN_PER_STEP: usize = 2048;
/// ... for at most this many of the rule's members where it is broken ...
const ITEMS_PER_STEP: usize = 16;
/// ... and swaps with at most this many workloads of each target host.
const SWAPS_PER_HOST: usize = 8;
const NONE: u32 = u32::MAX;

/// One tracked rule's counts: per domain, its members; a histogram of the counts over the domains that matter (a
/// spread rule's eligible domains, every domain holding a member otherwise); the most and (spread) the fewest.
struct Counts {
    r: usize,
    kind: RuleKind,
    cap: u32,
    weight: u64,
    /// Spread: fewer eligible domains than `min_domains` (the fewest counts as 0).
    few: bool,
    /// Spread: how many eligible domains.
    domains: u32,
    count: HashMap<u32, u32>,
    hist: Vec<u32>,
    high: u32,
    low: u32,
    /// Anti-affinity: members over the cap, summed over domains.
    over: u64,
    placed: u32,
    /// The sum of the counts squared over the domains that matter.
    squares: i64,
}

impl Counts {
    fn new(rules: &RuleSet, r: usize) -> Counts {
        let rule = rules.rules[r];
        let members = rules.members_of(r).len();
        let domains = if rule.kind == RuleKind::Spread {
            rules.spread_domains(r).iter().filter(|&&e| e).count() as u32
        } else {
            0
        };
        let mut hist = vec![0u32; members + 2];
        hist[0] = domains;
        Counts {
            r,
            kind: rule.kind,
            cap: rule.cap,
            weight: rule.weight,
            few: domains < rule.min_domains,
            domains,
            count: HashMap::new(),
            hist,
            high: 0,
            low: 0,
            over: 0,
            placed: 0,
            squares: 0,
        }
    }

    /// Whether domain `d` counts: for spread an eligible labelled domain, else any.
    fn matters(&self, rules: &RuleSet, d: u32) -> bool {
        match self.kind {
            RuleKind::Spread => d != NO_DOMAIN && rules.spread_domains(self.r).get(d as usize).copied().unwrap_or(false),
            _ => true,
        }
    }

    fn at(&self, d: u32) -> u32 {
        self.count.get(&d).copied().unwrap_or(0)
    }

    fn add(&mut self, rules: &RuleSet, d: u32) {
        self.placed += 1;
        if !self.matters(rules, d) {
            return;
        }
        let c = self.at(d);
        self.count.insert(d, c + 1);
        self.squares += 2 * i64::from(c) + 1;
        if c + 1 > self.cap {
            self.over += 1;
        }
        if c > 0 || self.kind == RuleKind::Spread {
            self.hist[c as usize] -= 1;
        }
        self.hist[c as usize + 1] += 1;
        self.high = self.high.max(c + 1);
        if self.kind == RuleKind::Spread && c == self.low && self.hist[c as usize] == 0 {
            self.low = c + 1;
        }
    }

    fn remove(&mut self, rules: &RuleSet, d: u32) {
        self.placed -= 1;
        if !self.matters(rules, d) {
            return;
        }
        let c = self.at(d);
        if c == 1 {
            self.count.remove(&d);
        } else {
            self.count.insert(d, c - 1);
        }
        self.squares -= 2 * i64::from(c) - 1;
        if c > self.cap {
            self.over -= 1;
        }
        self.hist[c as usize] -= 1;
        if c > 1 || self.kind == RuleKind::Spread {
            self.hist[c as usize - 1] += 1;
        }
        if c == self.high && self.hist[c as usize] == 0 {
            self.high = c - 1;
        }
        if self.kind == RuleKind::Spread && c - 1 < self.low {
            self.low = c - 1;
        }
    }

    /// The excess, as [`RuleSet::excess`] states it.
    fn excess(&self) -> u64 {
        match self.kind {
            RuleKind::AntiAffinity => self.over,
            RuleKind::Affinity => u64::from(self.placed - self.high),
            RuleKind::Spread if self.domains == 0 => 0,
            RuleKind::Spread => u64::from((self.high - if self.few { 0 } else { self.low }).saturating_sub(self.cap)),
        }
    }

    /// The tie-breaking potential: spread counts squared (lower is more even), minus affinity counts squared (lower
    /// is more gathered); weighted as the penalty.
    fn potential(&self) -> i128 {
        let w = i128::from(self.weight);
        match self.kind {
            RuleKind::Spread => w * i128::from(self.squares),
            RuleKind::Affinity => -w * i128::from(self.squares),
            RuleKind::AntiAffinity => 0,
        }
    }

    /// The affinity's home: the domain holding most (the least such id), when a member is placed.
    fn home(&self) -> Option<u32> {
        self.count.iter().filter(|&(_, &c)| c == self.high).map(|(&d, _)| d).min()
    }
}

/// The tracked rules of a plan being edited, and the rows of each workload's tracked rules.
struct Tracked {
    rules: Vec<Counts>,
    /// Per rule of the problem, its row in `rules` ([`NONE`]: not tracked).
    row: Vec<u32>,
}

/// What a step changes: per tracked rule touched, its (penalty, potential) change, and whether a hard one got worse.
struct Delta {
    penalty: i128,
    potential: i128,
    hard_worse: bool,
}

impl Delta {
    fn better(&self) -> bool {
        !self.hard_worse && (self.penalty < 0 || (self.penalty == 0 && self.potential < 0))
    }
}

impl Tracked {
    fn new(state: &State, rules: &RuleSet) -> Tracked {
        let mut row = vec![NONE; rules.len()];
        let mut tracked = Vec::new();
        for (r, rule) in rules.rules.iter().enumerate() {
            if !rule.hard() || rule.kind == RuleKind::Spread {
                row[r] = tracked.len() as u32;
                tracked.push(Counts::new(rules, r));
            }
        }
        let mut out = Tracked { rules: tracked, row };
        for t in 0..out.rules.len() {
            let r = out.rules[t].r;
            for &i in rules.members_of(r) {
                if let Some(j) = state.host_of(i as usize) {
                    out.rules[t].add(rules, rules.domain(r, j));
                }
            }
        }
        out
    }

    fn penalty(&self) -> u64 {
        self.rules.iter().fold(0u64, |sum, c| sum.saturating_add(c.excess().saturating_mul(c.weight)))
    }

    /// Workload `i` moves from host `from` to host `to` in the counts.
    fn apply(&mut self, rules: &RuleSet, i: usize, from: usize, to: usize) {
        for &r in rules.rules_of(i) {
            let t = self.row[r as usize];
            if t != NONE {
                let counts = &mut self.rules[t as usize];
                counts.remove(rules, rules.domain(r as usize, from));
                counts.add(rules, rules.domain(r as usize, to));
            }
        }
    }

    /// The change the moves `steps` (workload, from, to), made in order, would bring; the counts are left as found.
    fn delta(&mut self, rules: &RuleSet, steps: &[(usize, usize, usize)], touched: &mut Vec<u32>) -> Delta {
        touched.clear();
        for &(i, ..) in steps {
            for &r in rules.rules_of(i) {
                let t = self.row[r as usize];
                if t != NONE && !touched.contains(&t) {
                    touched.push(t);
                }
            }
        }
        let before: Vec<(u64, i128)> =
            touched.iter().map(|&t| (self.rules[t as usize].excess(), self.rules[t as usize].potential())).collect();
        for &(i, from, to) in steps {
            self.apply(rules, i, from, to);
        }
        let mut delta = Delta { penalty: 0, potential: 0, hard_worse: false };
        for (&t, &(excess, potential)) in touched.iter().zip(&before) {
            let c = &self.rules[t as usize];
            let after = c.excess();
            if c.weight == 0 {
                delta.hard_worse |= after > excess;
            } else {
                delta.penalty += i128::from(c.weight) * (i128::from(after) - i128::from(excess));
                delta.potential += c.potential() - potential;
            }
        }
        for &(i, from, to) in steps.iter().rev() {
            self.apply(rules, i, to, from);
        }
        delta
    }
}

/// Lower the soft rules' penalty of `state` without placing fewer or a worse `objective` value (see the module's
/// docs); returns whether it did.
pub fn lower_penalty(state: &mut State, objective: Objective, budget: &mut Budget, rng: &mut Rng) -> Result<bool> {
    let p = state.problem();
    let Some(rules) = p.rules().filter(|r| r.any_soft()) else { return Ok(false) };
    let start = state.placement();
    let mut tracked = Tracked::new(state, rules);
    let start_penalty = tracked.penalty();
    if start_penalty == 0 {
        return Ok(false);
    }
    let m = p.host_count();
    let peak = (0..m).filter(|&j| state.count(j) > 0).map(|j| state.utilisation(j)).fold(0.0f64, f64::max);
    let mut order: Vec<usize> = (0..m).collect();
    rng.shuffle(&mut order);
    let soft: Vec<usize> = (0..tracked.rules.len()).filter(|&t| tracked.rules[t].weight > 0).collect();
    let mut touched = Vec::new();
    let mut changed = false;
    loop {
        let mut stepped = false;
        for &t in &soft {
            while !budget.spent() && tracked.rules[t].excess() > 0 {
                budget.charge(1)?;
                if !step(state, &mut tracked, t, objective, peak, &order, budget, rng, &mut touched)? {
                    break;
                }
                stepped = true;
            }
        }
        changed |= stepped;
        if !stepped || budget.spent() {
            break;
        }
    }
    if !changed {
        return Ok(false);
    }
    // the objective value as the solver states it; a rounding that makes it worse drops the phase's plan
    let value = |placement: &[Option<(u32, crate::model::Form)>]| {
        HostStates::from_placement(p, placement).objective_value(objective)
    };
    let found = state.placement();
    if value(&found) > value(&start) || rules.penalty(&found) >= rules.penalty(&start) {
        *state = State::new(p, &start);
        return Ok(false);
    }
    Ok(true)
}

/// Whether host `j` is a target for rule row `t`: a domain where one more member keeps the rule better.
fn target(tracked: &Tracked, rules: &RuleSet, t: usize, home: Option<u32>, j: usize) -> bool {
    let c = &tracked.rules[t];
    let d = rules.domain(c.r, j);
    match c.kind {
        RuleKind::AntiAffinity => c.at(d) < c.cap,
        RuleKind::Affinity => home == Some(d),
        RuleKind::Spread => c.matters(rules, d) && c.at(d) + 1 < c.high,
    }
}

/// Whether member `i`, on host `j`, is where rule row `t` is broken.
fn source(tracked: &Tracked, rules: &RuleSet, t: usize, home: Option<u32>, j: usize) -> bool {
    let c = &tracked.rules[t];
    let d = rules.domain(c.r, j);
    match c.kind {
        RuleKind::AntiAffinity => c.at(d) > c.cap,
        RuleKind::Affinity => home != Some(d),
        RuleKind::Spread => !c.matters(rules, d) || c.at(d) == c.high,
    }
}

/// Whether the objective allows workload `i` to move from host `a` to host `b` (before the move; `spread`: after).
fn objective_allows(state: &State, objective: Objective, a: usize, b: usize) -> bool {
    match objective {
        Objective::Hosts => state.count(b) > 0 || state.count(a) == 1,
        Objective::Cost => state.count(b) > 0,
        Objective::Spread => true,
    }
}

/// One step for rule row `t` (a move, else a swap) that lowers (penalty, potential); returns whether one was made.
#[allow(clippy::too_many_arguments)]
fn step(
    state: &mut State,
    tracked: &mut Tracked,
    t: usize,
    objective: Objective,
    peak: f64,
    order: &[usize],
    budget: &mut Budget,
    rng: &mut Rng,
    touched: &mut Vec<u32>,
) -> Result<bool> {
    let p = state.problem();
    let rules = p.rules().expect("a penalty phase has rules");
    let r = tracked.rules[t].r;
    let home = (tracked.rules[t].kind == RuleKind::Affinity).then(|| tracked.rules[t].home()).flatten();
    let mut items: Vec<usize> = rules
        .members_of(r)
        .iter()
        .map(|&i| i as usize)
        .filter(|&i| state.host_of(i).is_some_and(|j| source(tracked, rules, t, home, j)))
        .collect();
    budget.charge(items.len() as u64 / 8 + 1)?;
    rng.shuffle(&mut items);
    items.truncate(ITEMS_PER_STEP);
    // targets: hosts in the rule's good domains, from a random point of a fixed random order
    let m = order.len();
    let offset = rng.below(m.max(1));
    let (mut hosts, mut empty) = (Vec::new(), Vec::new());
    for k in 0..m.min(SCAN_PER_STEP) {
        let j = order[(offset + k) % m];
        if target(tracked, rules, t, home, j) {
            if state.count(j) == 0 && empty.len() < HOSTS_PER_STEP {
                empty.push(j);
            }
            if hosts.len() < HOSTS_PER_STEP {
                hosts.push(j);
            }
            if hosts.len() == HOSTS_PER_STEP && empty.len() == HOSTS_PER_STEP {
                break;
            }
        }
    }
    budget.charge(k_scanned(m) + 1)?;
    let within_peak = |state: &State, j: usize| objective != Objective::Spread || state.utilisation(j) <= peak;
    for &i in &items {
        let a = state.host_of(i).expect("a placed member");
        for &b in &hosts {
            if b == a || !objective_allows(state, objective, a, b) {
                continue;
            }
            budget.charge(2)?;
            if !tracked.delta(rules, &[(i, a, b)], touched).better() {
                continue;
            }
            let (_, form_a) = state.remove(i);
            budget.charge(3)?;
            if let Some(form) = state.first_form(i, b) {
                state.add(i, b, form);
                if within_peak(state, b) {
                    tracked.apply(rules, i, a, b);
                    return Ok(true);
                }
                state.remove(i);
            }
            state.add(i, a, form_a);
        }
        if budget.spent() {
            return Ok(false);
        }
    }
    // swaps: `i` onto a target host `b`, a workload `k` of `b` onto `i`'s host
    for &i in &items {
        let a = state.host_of(i).expect("a placed member");
        for &b in &hosts {
            if b == a || state.count(b) == 0 {
                continue;
            }
            let on_b: Vec<u32> = state.members(b).iter().copied().take(SWAPS_PER_HOST).collect();
            for k in on_b.into_iter().map(|k| k as usize) {
                budget.charge(2)?;
                if !tracked.delta(rules, &[(i, a, b), (k, b, a)], touched).better() {
                    continue;
                }
                let (_, form_i) = state.remove(i);
                let (_, form_k) = state.remove(k);
                budget.charge(6)?;
                if let Some(fi) = state.first_form(i, b) {
                    state.add(i, b, fi);
                    if let Some(fk) = state.first_form(k, a) {
                        state.add(k, a, fk);
                        if within_peak(state, a) && within_peak(state, b) {
                            tracked.apply(rules, i, a, b);
                            tracked.apply(rules, k, b, a);
                            return Ok(true);
                        }
                        state.remove(k);
                    }
                    state.remove(i);
                }
                state.add(k, b, form_k);
                state.add(i, a, form_i);
            }
            if budget.spent() {
                return Ok(false);
            }
        }
    }
    // relocations: every workload of a member's host onto an empty target host (as many hosts used)
    let mut from: Vec<usize> = items.iter().filter_map(|&i| state.host_of(i)).collect();
    from.sort_unstable();
    from.dedup();
    for &a in &from {
        let on_a: Vec<usize> = state.members(a).iter().map(|&k| k as usize).collect();
        for &b in &empty {
            if objective == Objective::Cost && p.hosts().cost[b] > p.hosts().cost[a] {
                continue;
            }
            let steps: Vec<(usize, usize, usize)> = on_a.iter().map(|&k| (k, a, b)).collect();
            budget.charge(2 * steps.len() as u64)?;
            if !tracked.delta(rules, &steps, touched).better() {
                continue;
            }
            budget.charge(4 * steps.len() as u64)?;
            if let Some(forms) = relocate(state, &on_a, a, b) {
                if within_peak(state, b) {
                    for &(k, ..) in &steps {
                        tracked.apply(rules, k, a, b);
                    }
                    return Ok(true);
                }
                for (&k, &form) in on_a.iter().zip(&forms) {
                    state.remove(k);
                    state.add(k, a, form);
                }
            }
        }
        if budget.spent() {
            return Ok(false);
        }
    }
    Ok(false)
}

/// How many hosts a step's scan looks at, as work units.
fn k_scanned(m: usize) -> u64 {
    m.min(SCAN_PER_STEP) as u64 / 8
}

/// Move the workloads `on` from host `a` to host `b` (each in the first form that fits) and answer their forms on
/// `a`; when one does not fit, everything goes back as it was and the answer is None.
fn relocate(state: &mut State, on: &[usize], a: usize, b: usize) -> Option<Vec<crate::model::Form>> {
    let forms: Vec<_> = on.iter().map(|&k| state.remove(k).1).collect();
    for (n, &k) in on.iter().enumerate() {
        match state.first_form(k, b) {
            Some(form) => state.add(k, b, form),
            None => {
                for &back in &on[..n] {
                    state.remove(back);
                }
                for (&k, &form) in on.iter().zip(&forms) {
                    state.add(k, a, form);
                }
                return None;
            }
        }
    }
    Some(forms)
}
