//! Group rules (issue 16): anti-affinity, affinity and spread over the members of a group of workloads, counted per
//! *domain* (a host, or the hosts that share a label's value), hard or soft. Python compiles them into a rule table
//! (`fleetpack/model/group_rules.py` has the contract, docs/model.md "Group rules" the semantics); the core reads it
//! here.
//!
//! The API others build on:
//! - [`RuleSet::rules_of`]: the rules a workload is a member of;
//! - [`RuleSet::domain`]: the domain of a host under a rule ([`NO_DOMAIN`]: none, for a spread rule's unlabelled
//!   host). Under anti-affinity and affinity an unlabelled host is a domain of its own, `labelled + host`;
//! - [`RuleSet::spread_domains`]: a spread rule's eligible domains;
//! - [`RuleSet::excess`] / [`RuleSet::penalty`] / [`RuleSet::hard_ok`]: a final plan judged per rule;
//! - [`RuleCounts`]: per (rule, domain) member counts, kept incrementally as workloads come and go, and the hard
//!   rules' check of one more member, O(rules of the workload).

use std::collections::HashMap;

use super::form::FormSet;

/// `rule_key` of a host-scoped rule.
pub const HOST_SCOPE: u32 = u32::MAX;
/// [`RuleSet::domain`] of a host that is in no domain of the rule (a spread rule's host without the label).
pub const NO_DOMAIN: u32 = u32::MAX;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RuleKind {
    /// At most `cap` members in a domain.
    AntiAffinity = 0,
    /// Every placed member in one domain.
    Affinity = 1,
    /// The most members in an eligible domain minus the fewest at most `cap`.
    Spread = 2,
}

/// One rule of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    pub kind: RuleKind,
    /// A row of the domain table, or [`HOST_SCOPE`].
    pub key: u32,
    /// `max_per_domain` (anti-affinity), `max_skew` (spread); 0 for affinity.
    pub cap: u32,
    /// Spread's `min_domains` (0: none).
    pub min_domains: u32,
    /// 0: hard; else the penalty per unit of excess.
    pub weight: u64,
}

impl Rule {
    pub fn hard(&self) -> bool {
        self.weight == 0
    }
}

/// What decides where a workload may run statically: its eligibility class, forms and OS.
type Signature = (u32, FormSet, u32);

/// The group rules of a problem: the table as sent, and what is derived from it once.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleSet {
    /// How many topology keys (rows of `domain`).
    pub keys: usize,
    /// Topology keys × hosts, row-major: 1 + the index of the host's label value, 0 when it lacks the label.
    pub domain: Vec<u32>,
    pub rules: Vec<Rule>,
    /// Members in CSR form: rule `r`'s workload rows are `members[offsets[r]..offsets[r + 1]]`.
    pub offsets: Vec<u32>,
    pub members: Vec<u32>,
    // derived by `checked`:
    m: usize,
    /// Per key, the number of label values (labelled domains).
    values: Vec<u32>,
    /// Per workload, its rules in CSR form.
    of_offsets: Vec<u32>,
    of_rules: Vec<u32>,
    /// Per rule, for spread, whether each labelled domain is eligible (a host there statically takes a member).
    eligible: Vec<Vec<bool>>,
    /// Per host, the first host with the same label value under every key: hosts of one kind can swap contents.
    host_kind: Vec<u32>,
}

impl RuleSet {
    /// The table as sent, `keys` rows of `domain` (checked by [`RuleSet::checked`] when the problem takes it).
    pub fn new(keys: usize, domain: Vec<u32>, rules: Vec<Rule>, offsets: Vec<u32>, members: Vec<u32>) -> RuleSet {
        RuleSet {
            keys,
            domain,
            rules,
            offsets,
            members,
            m: 0,
            values: Vec::new(),
            of_offsets: Vec::new(),
            of_rules: Vec::new(),
            eligible: Vec::new(),
            host_kind: Vec::new(),
        }
    }

    /// Every problem of the table against `problem`, all in one message; or the set ready for use (None without
    /// rules: then nothing is kept and plans are as without).
    /// `signature(i)` is what decides where workload `i` may run statically (its eligibility class, forms, OS)
    /// and `statically(i, j)` whether it may run on host `j` by those rules (`fleetpack.model.rules.static_forms`).
    pub(super) fn checked(
        mut self,
        n: usize,
        m: usize,
        signature: &dyn Fn(usize) -> (u32, FormSet, u32),
        statically: &dyn Fn(usize, usize) -> bool,
    ) -> Result<Option<RuleSet>, String> {
        let mut problems = Vec::new();
        let keys = self.keys;
        if keys.checked_mul(m) != Some(self.domain.len()) {
            problems.push(format!("domain: {} entries, not {keys} rows of {m} hosts", self.domain.len()));
        }
        let r = self.rules.len();
        if self.offsets.len() != r + 1 || self.offsets.first().is_some_and(|&o| o != 0) {
            problems.push(format!("rule_offsets: {} entries starting at 0 expected, for {r} rules", r + 1));
        } else if self.offsets.windows(2).any(|w| w[0] > w[1]) || self.offsets[r] as usize != self.members.len() {
            problems.push(format!("rule_offsets: must rise to the {} members", self.members.len()));
        }
        if let Some(&i) = self.members.iter().find(|&&i| i as usize >= n) {
            problems.push(format!("rule_members: workload {i} is out of range ({n} workloads)"));
        }
        for (k, rule) in self.rules.iter().enumerate() {
            if rule.key != HOST_SCOPE && rule.key as usize >= keys {
                problems.push(format!("rule {k}: rule_key {} is out of range ({keys} keys)", rule.key));
            }
            if rule.kind != RuleKind::Affinity && rule.cap == 0 {
                problems.push(format!("rule {k}: rule_cap must be at least 1"));
            }
        }
        if !problems.is_empty() {
            return Err(problems.join("; "));
        }
        if r == 0 {
            return Ok(None);
        }
        self.m = m;
        self.values = (0..keys).map(|k| self.domain[k * m..(k + 1) * m].iter().copied().max().unwrap_or(0)).collect();
        // per workload, its rules (ascending)
        let mut count = vec![0u32; n + 1];
        for &i in &self.members {
            count[i as usize + 1] += 1;
        }
        for i in 0..n {
            count[i + 1] += count[i];
        }
        let mut fill = count.clone();
        let mut of_rules = vec![0u32; self.members.len()];
        for rule in 0..r {
            for &i in self.members_of(rule) {
                of_rules[fill[i as usize] as usize] = rule as u32;
                fill[i as usize] += 1;
            }
        }
        self.of_offsets = count;
        self.of_rules = of_rules;
        let mut alike = HashMap::new();
        self.eligible = (0..r).map(|rule| self.eligible_domains(rule, signature, statically, &mut alike)).collect();
        let mut first: HashMap<Vec<u32>, u32> = HashMap::new();
        self.host_kind = (0..m)
            .map(|j| *first.entry((0..keys).map(|k| self.domain[k * m + j]).collect()).or_insert(j as u32))
            .collect();
        Ok(Some(self))
    }

    /// A spread rule's eligible labelled domains: those with a host that statically takes some member (selector,
    /// taints, form, OS, hypervisor; `fleetpack.model.rules.static_forms`). Members alike in those rules are
    /// looked at once, and once for all the rules over the same key: `alike` keeps, per (key, signature), the
    /// domains where such a member may run (a scan over every host; thousands of rules share a handful).
    fn eligible_domains(
        &self,
        r: usize,
        signature: &dyn Fn(usize) -> (u32, FormSet, u32),
        statically: &dyn Fn(usize, usize) -> bool,
        alike: &mut HashMap<(u32, Signature), Vec<bool>>,
    ) -> Vec<bool> {
        let rule = self.rules[r];
        if rule.kind != RuleKind::Spread {
            return Vec::new();
        }
        let m = self.m;
        // a host scope: each host a domain of its own (`domain`: the host's index)
        let host_scope = rule.key == HOST_SCOPE;
        let (row, values) = if host_scope {
            (&[][..], m)
        } else {
            (&self.domain[rule.key as usize * m..(rule.key as usize + 1) * m], self.values[rule.key as usize] as usize)
        };
        let domain_of = |j: usize| if host_scope { Some(j) } else { row[j].checked_sub(1).map(|v| v as usize) };
        let mut out = vec![false; values];
        let mut seen = std::collections::HashSet::new();
        for &i in self.members_of(r) {
            let i = i as usize;
            let sig = signature(i);
            if !seen.insert(sig) {
                continue;
            }
            let domains = alike.entry((rule.key, sig)).or_insert_with(|| {
                let mut domains = vec![false; values];
                for j in 0..m {
                    if let Some(d) = domain_of(j) {
                        if !domains[d] && statically(i, j) {
                            domains[d] = true;
                        }
                    }
                }
                domains
            });
            out.iter_mut().zip(domains.iter()).for_each(|(o, &d)| *o |= d);
        }
        out
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Whether some rule is soft (weight > 0).
    pub fn any_soft(&self) -> bool {
        self.rules.iter().any(|r| !r.hard())
    }

    /// Whether some rule is hard.
    pub fn any_hard(&self) -> bool {
        self.rules.iter().any(Rule::hard)
    }

    /// The workload rows of rule `r`'s group, ascending.
    pub fn members_of(&self, r: usize) -> &[u32] {
        &self.members[self.offsets[r] as usize..self.offsets[r + 1] as usize]
    }

    /// The rules workload `i` is a member of, ascending.
    #[inline]
    pub fn rules_of(&self, i: usize) -> &[u32] {
        &self.of_rules[self.of_offsets[i] as usize..self.of_offsets[i + 1] as usize]
    }

    /// How many domain ids rule `r` can name: its key's label values, then one per (unlabelled) host.
    pub fn domain_count(&self, r: usize) -> usize {
        match self.rules[r].key {
            HOST_SCOPE => self.m,
            key => self.values[key as usize] as usize + self.m,
        }
    }

    /// Host `j`'s domain under rule `r`: the host itself for a host scope; else the index of its label value, or
    /// for a host without the label its own domain (`values + j`) under (anti-)affinity and [`NO_DOMAIN`] under
    /// spread.
    #[inline]
    pub fn domain(&self, r: usize, j: usize) -> u32 {
        let rule = &self.rules[r];
        if rule.key == HOST_SCOPE {
            return j as u32;
        }
        let key = rule.key as usize;
        match self.domain[key * self.m + j] {
            0 if rule.kind == RuleKind::Spread => NO_DOMAIN,
            0 => self.values[key] + j as u32,
            v => v - 1,
        }
    }

    /// Host `j`'s kind: the first host with its label values under every key. Hosts of one kind are in the same
    /// domains (or each its own, without the label, or under a host scope), so swapping their whole contents keeps
    /// every rule's counts.
    pub fn host_kind(&self, j: usize) -> u32 {
        self.host_kind[j]
    }

    /// A spread rule's eligible domains (per labelled domain, whether eligible); empty for other kinds.
    pub fn spread_domains(&self, r: usize) -> &[bool] {
        &self.eligible[r]
    }

    /// Rule `r`'s excess in the plan where workload `i` is on `host_of(i)`: members over the cap summed over
    /// domains (anti-affinity), placed members outside the domain holding most (affinity), skew over the cap
    /// (spread, over its eligible domains). A hard rule holds when its excess is 0.
    /// O(members log members) (the domains of the placed members, sorted), not O(domains): a plan with
    /// thousands of rules over thousands of hosts is judged per rule at every solve.
    pub fn excess(&self, r: usize, host_of: &dyn Fn(usize) -> Option<usize>) -> u64 {
        let rule = self.rules[r];
        if rule.kind == RuleKind::Spread {
            let eligible = &self.eligible[r];
            let mut counts = vec![0u32; eligible.len()];
            for &i in self.members_of(r) {
                if let Some(j) = host_of(i as usize) {
                    let d = self.domain(r, j);
                    if d != NO_DOMAIN {
                        counts[d as usize] += 1;
                    }
                }
            }
            let within = counts.iter().zip(eligible).filter(|(_, &e)| e).map(|(&c, _)| c);
            let (mut low, mut high, mut domains) = (u32::MAX, 0u32, 0u32);
            for c in within {
                low = low.min(c);
                high = high.max(c);
                domains += 1;
            }
            if domains == 0 {
                return 0;
            }
            if domains < rule.min_domains {
                low = 0;
            }
            return u64::from((high - low).saturating_sub(rule.cap));
        }
        // (anti-)affinity: every host is in a domain; the members per domain are the runs of the sorted domains
        let mut domains: Vec<u32> =
            self.members_of(r).iter().filter_map(|&i| host_of(i as usize)).map(|j| self.domain(r, j)).collect();
        domains.sort_unstable();
        let runs = domains.chunk_by(|a, b| a == b).map(|run| run.len() as u64);
        match rule.kind {
            RuleKind::AntiAffinity => runs.map(|c| c.saturating_sub(u64::from(rule.cap))).sum(),
            _ => domains.len() as u64 - runs.max().unwrap_or(0),
        }
    }

    /// Every rule's excess in the plan `placement`.
    pub fn excesses<F: Copy>(&self, placement: &[Option<(u32, F)>]) -> Vec<u64> {
        let host_of = |i: usize| placement[i].map(|(j, _)| j as usize);
        (0..self.len()).map(|r| self.excess(r, &host_of)).collect()
    }

    /// The summed penalty of the soft rules (weight × excess, saturating) in the plan `placement`.
    pub fn penalty<F: Copy>(&self, placement: &[Option<(u32, F)>]) -> u64 {
        let host_of = |i: usize| placement[i].map(|(j, _)| j as usize);
        (0..self.len())
            .filter(|&r| !self.rules[r].hard())
            .fold(0u64, |total, r| total.saturating_add(self.excess(r, &host_of).saturating_mul(self.rules[r].weight)))
    }

    /// Whether the plan `placement` keeps every hard rule.
    pub fn hard_ok<F: Copy>(&self, placement: &[Option<(u32, F)>]) -> bool {
        let host_of = |i: usize| placement[i].map(|(j, _)| j as usize);
        (0..self.len()).all(|r| !self.rules[r].hard() || self.excess(r, &host_of) == 0)
    }
}

/// One spread rule's member counts over its eligible domains, with the fewest and the most and how many domains
/// hold each: one more member or one less is O(1) but when the last domain at the fewest (most) moves, O(domains).
#[derive(Clone, Debug, Default)]
struct SpreadCounts {
    count: Vec<u32>,
    low: u32,
    at_low: u32,
    high: u32,
    at_high: u32,
    /// Fewer eligible domains than `min_domains`: the fewest counts as 0.
    few: bool,
}

impl SpreadCounts {
    fn new(eligible: &[bool], min_domains: u32) -> SpreadCounts {
        let domains = eligible.iter().filter(|&&e| e).count() as u32;
        let count = eligible.iter().map(|&e| if e { 0 } else { u32::MAX }).collect();
        SpreadCounts { count, low: 0, at_low: domains, high: 0, at_high: domains, few: domains < min_domains }
    }

    fn rescan(&mut self) {
        let live = self.count.iter().copied().filter(|&c| c != u32::MAX);
        let (mut low, mut at_low, mut high, mut at_high) = (u32::MAX, 0, 0, 0);
        for c in live {
            match c.cmp(&low) {
                std::cmp::Ordering::Less => (low, at_low) = (c, 1),
                std::cmp::Ordering::Equal => at_low += 1,
                _ => {}
            }
            match c.cmp(&high) {
                std::cmp::Ordering::Greater => (high, at_high) = (c, 1),
                std::cmp::Ordering::Equal => at_high += 1,
                _ => {}
            }
        }
        (self.low, self.at_low, self.high, self.at_high) = (low.min(high), at_low, high, at_high);
    }

    fn skew(&self, low: u32, high: u32) -> u32 {
        high - if self.few { 0 } else { low }
    }

    /// The skew now and after one more member in domain `d`.
    fn skews_with(&self, d: usize) -> (u32, u32) {
        let c = self.count[d];
        let high = self.high.max(c + 1);
        let low = if c == self.low && self.at_low == 1 { self.low + 1 } else { self.low };
        (self.skew(self.low, self.high), self.skew(low.min(high), high))
    }

    fn add(&mut self, d: usize) {
        let c = self.count[d];
        self.count[d] = c + 1;
        if c + 1 > self.high {
            (self.high, self.at_high) = (c + 1, 1);
        } else if c + 1 == self.high {
            self.at_high += 1;
        }
        if c == self.low {
            self.at_low -= 1;
            if self.at_low == 0 {
                self.rescan();
            }
        }
    }

    fn remove(&mut self, d: usize) {
        let c = self.count[d];
        self.count[d] = c - 1;
        if c == self.low {
            (self.low, self.at_low) = (c - 1, 1);
        } else if c - 1 == self.low {
            self.at_low += 1;
        }
        if c == self.high {
            self.at_high -= 1;
            if self.at_high == 0 {
                self.rescan();
            }
        }
    }
}

/// Per (rule, domain) member counts of a plan being built or edited, and the hard rules' check of one more member.
#[derive(Clone, Debug, Default)]
pub struct RuleCounts {
    /// (rule, domain) -> members there, for anti-affinity and affinity.
    count: SlotMap,
    /// Per rule, its placed members (affinity: where they are is the domain of any of them).
    placed: Vec<u32>,
    /// Per affinity rule, the domain of its placed members (meaningful while `placed > 0`).
    home: Vec<u32>,
    /// Per spread rule, its counts (empty for the other kinds).
    spread: Vec<SpreadCounts>,
    /// (affinity rule, domain) slots that a first member may not open: the domains a heuristic's trial of the
    /// group as one unit found too small (`heuristics::unit`); empty otherwise.
    barred: Vec<u64>,
}

/// The hasher of [`RuleCounts`]' (rule, domain) slots: one multiply (Fibonacci hashing) where the default SipHash
/// costs more than the rest of a host's rule check. Deterministic; the keys are ours, not an attacker's.
#[derive(Clone, Copy, Debug, Default)]
pub struct SlotHasher(u64);

impl std::hash::Hasher for SlotHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    #[inline]
    fn write_u64(&mut self, x: u64) {
        // the high bits pick hashbrown's groups, the top 7 its tags: fold the product's high half down too
        let h = (self.0 ^ x).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.0 = h ^ (h >> 29);
    }
}

type SlotMap = HashMap<u64, u32, std::hash::BuildHasherDefault<SlotHasher>>;

#[inline]
fn slot(r: usize, d: u32) -> u64 {
    (r as u64) << 32 | u64::from(d)
}

impl RuleCounts {
    /// No member placed.
    pub fn new(rules: &RuleSet) -> RuleCounts {
        let spread = (0..rules.len())
            .map(|r| match rules.rules[r].kind {
                RuleKind::Spread => SpreadCounts::new(&rules.eligible[r], rules.rules[r].min_domains),
                _ => SpreadCounts::default(),
            })
            .collect();
        RuleCounts {
            count: SlotMap::default(),
            placed: vec![0; rules.len()],
            home: vec![0; rules.len()],
            spread,
            barred: Vec::new(),
        }
    }

    /// How many members of rule `r` are placed.
    pub fn placed(&self, r: usize) -> u32 {
        self.placed[r]
    }

    /// A first member of affinity rule `r` may not open domain `d` (until [`RuleCounts::unbar`]).
    pub fn bar(&mut self, r: usize, d: u32) {
        self.barred.push(slot(r, d));
    }

    /// Every domain open again to first members.
    pub fn unbar(&mut self) {
        self.barred.clear();
    }

    /// Members of rule `r` in domain `d` (of [`RuleSet::domain`]).
    pub fn count(&self, rules: &RuleSet, r: usize, d: u32) -> u32 {
        match rules.rules[r].kind {
            RuleKind::Spread => self.spread[r].count.get(d as usize).copied().filter(|&c| c != u32::MAX).unwrap_or(0),
            _ => self.count.get(&slot(r, d)).copied().unwrap_or(0),
        }
    }

    /// Whether one more member, workload `i` on host `j`, keeps every hard rule of `i`: anti-affinity, count + 1
    /// at most the cap; affinity, no member placed yet (and `j`'s domain not barred) or they are in `j`'s domain;
    /// spread, `j` in an eligible domain and the skew after at most the cap, or (in a plan where removals left it
    /// over) lower than before.
    #[inline]
    pub fn allows(&self, rules: &RuleSet, i: usize, j: usize) -> bool {
        rules.rules_of(i).iter().all(|&r| {
            let r = r as usize;
            let rule = &rules.rules[r];
            if !rule.hard() {
                return true;
            }
            let d = rules.domain(r, j);
            match rule.kind {
                RuleKind::AntiAffinity => self.count.get(&slot(r, d)).map_or(0, |&c| c) < rule.cap,
                RuleKind::Affinity if self.placed[r] == 0 => self.barred.is_empty() || !self.barred.contains(&slot(r, d)),
                RuleKind::Affinity => self.home[r] == d,
                RuleKind::Spread => {
                    let spread = &self.spread[r];
                    if d == NO_DOMAIN || spread.count.get(d as usize).is_none_or(|&c| c == u32::MAX) {
                        return false;
                    }
                    let (before, after) = spread.skews_with(d as usize);
                    after <= rule.cap || after < before
                }
            }
        })
    }

    /// Workload `i` is now on host `j`.
    pub fn add(&mut self, rules: &RuleSet, i: usize, j: usize) {
        for &r in rules.rules_of(i) {
            let r = r as usize;
            let d = rules.domain(r, j);
            self.placed[r] += 1;
            match rules.rules[r].kind {
                RuleKind::Spread => {
                    if self.spread[r].count.get(d as usize).is_some_and(|&c| c != u32::MAX) {
                        self.spread[r].add(d as usize);
                    }
                }
                kind => {
                    *self.count.entry(slot(r, d)).or_insert(0) += 1;
                    if kind == RuleKind::Affinity && self.placed[r] == 1 {
                        self.home[r] = d;
                    }
                }
            }
        }
    }

    /// Workload `i` has left host `j`.
    pub fn remove(&mut self, rules: &RuleSet, i: usize, j: usize) {
        for &r in rules.rules_of(i) {
            let r = r as usize;
            let d = rules.domain(r, j);
            self.placed[r] -= 1;
            match rules.rules[r].kind {
                RuleKind::Spread => {
                    if self.spread[r].count.get(d as usize).is_some_and(|&c| c != u32::MAX) {
                        self.spread[r].remove(d as usize);
                    }
                }
                kind => {
                    let key = slot(r, d);
                    let left = self.count.get(&key).map_or(0, |&c| c) - 1;
                    if left == 0 {
                        self.count.remove(&key);
                    } else {
                        self.count.insert(key, left);
                    }
                    if kind == RuleKind::Affinity && self.placed[r] > 0 && left == 0 {
                        // the members left are elsewhere (a plan that broke the rule): any of theirs is home
                        // (the least such domain: hash order would make plans differ from run to run)
                        if let Some(k) = self.count.keys().filter(|&&k| k >> 32 == r as u64).min() {
                            self.home[r] = *k as u32;
                        }
                    }
                }
            }
        }
    }
}
