//! Lower bounds on the objective, so that a plan can say how far from optimal it may be.
//!
//! Every bound here is a relaxation of the model: it drops rules (never adds one), shrinks workloads to their
//! smallest form and grows hosts to the largest room, so that any valid plan is also a solution of the relaxed
//! problem and the relaxed optimum cannot exceed the true one. The hosts-count bounds are independent of the
//! objective; the cost bound prices them.

use std::collections::{HashMap, HashSet};

use crate::cone::Cone;
use crate::fit::HostStates;
use crate::plain::Plain;
use crate::model::{Form, FormSet, Isolation, Objective, Problem};

mod budget;
mod classic;
mod cost;
mod groups;
mod kinds;
mod relaxed;

use budget::budget_bound;
pub use classic::{fekete_schepers, martello_toth_l2};
use cost::{cost_words, hosts_cost};
use kinds::{dim_name, FitKinds};
use relaxed::Relaxed;

/// Whether workload `i` fits on some host when that host is empty, in some allowed form. Identical hosts are
/// checked once.
pub fn placeable(problem: &Problem) -> Vec<bool> {
    let hosts = problem.hosts();
    let key = |j: usize| {
        (problem.capacity(j), hosts.os[j], hosts.hypervisor[j], hosts.containers[j], hosts.max_workloads[j], problem.eligibility_kind(j))
    };
    let mut seen = HashSet::new();
    // fleets list hosts of one kind together: a host like the one before it needs no hashing
    let representatives: Vec<usize> =
        (0..problem.host_count()).filter(|&j| (j == 0 || key(j) != key(j - 1)) && seen.insert(key(j))).collect();
    let empty = HostStates::new(problem);
    (0..problem.workload_count())
        .map(|i| representatives.iter().any(|&j| Form::TRY_ORDER.iter().any(|&f| empty.fits(i, j, f))))
        .collect()
}

/// The most workloads any plan places (a bound on the count, which comes first): those that fit some empty host,
/// less the members that hard group rules keep out (anti-affinity short of domains, affinity that no domain holds,
/// spread short of `min_domains`).
pub fn most_placed(problem: &Problem) -> usize {
    groups::most_placed(problem, &placeable(problem))
}

/// A lower bound on the objective of any plan that places at least `placed` workloads.
///
/// `Hosts`: [`min_hosts`]. `Cost`: the larger of the cheapest fractional cover per dimension and the sum of the
/// [`min_hosts`] cheapest hosts. `Spread`: demand over the whole fleet's capacity per dimension.
pub fn lower_bound(problem: &Problem, objective: Objective, placed: usize) -> f64 {
    bound_of(problem, Plain::detect(problem).as_ref(), objective, placed).0
}

/// [`lower_bound`], and which rule makes it, in words (`"28 dedicated workloads need 28 hosts; the rest need at
/// least 37 more by memory"`; empty when nothing is placed).
pub fn lower_bound_explained(problem: &Problem, objective: Objective, placed: usize) -> (f64, String) {
    bound_of(problem, Plain::detect(problem).as_ref(), objective, placed)
}

/// [`lower_bound`] of a problem already recognised as plain bin packing (`plain`), or not (None).
/// A live fleet's bound is its greenfield problem's: pins, drains and budgets only take plans away.
pub(crate) fn lower_bound_of(problem: &Problem, plain: Option<&Plain>, objective: Objective, placed: usize) -> f64 {
    bound_of(problem, plain, objective, placed).0
}

/// [`lower_bound_explained`] of a problem already recognised as plain bin packing (`plain`), or not (None).
pub(crate) fn bound_of(problem: &Problem, plain: Option<&Plain>, objective: Objective, placed: usize) -> (f64, String) {
    if let Some(live) = problem.live() {
        let greenfield = problem.without_live();
        let (bound, reason) = bound_of(&greenfield, Plain::detect(&greenfield).as_ref(), objective, placed);
        return match budget_bound(problem, live, objective) {
            Some((kept, why)) if kept > bound => (kept, why),
            _ => (bound, reason),
        };
    }
    if let Some(relaxed) = problem.overbook_relaxed() {
        // ratios and headroom: the bound of the hosts grown to their room at ratio (a relaxation)
        return bound_of(&relaxed, Plain::detect(&relaxed).as_ref(), objective, placed);
    }
    let m = problem.host_count();
    if placed == 0 || m == 0 {
        return (0.0, String::new());
    }
    // (group rules are no plain bin packing: their bound reads the general one's candidates)
    let plain = if problem.rules().is_some() { None } else { plain };
    let needs = match plain {
        Some(plain) => plain_needs(problem, plain, placed, objective),
        None => {
            let fits = FitKinds::new(problem);
            let relaxed = Relaxed::new(problem, &fits);
            let (mut min_hosts, mut reason, split) = if objective == Objective::Spread {
                (0, String::new(), None)
            } else {
                rule_bound(problem, &fits, &relaxed, placed)
            };
            if objective != Objective::Spread {
                let anti = groups::group_bound(problem, &relaxed.candidates, placed);
                for (need, why) in anti.into_iter().chain(groups::affinity_bound(&relaxed, placed)) {
                    if need > min_hosts {
                        (min_hosts, reason) = (need, why);
                    }
                }
            }
            let demand = relaxed.demand(placed);
            Needs { min_hosts, reason, split, demand, per_host: relaxed.per_host, cone: relaxed.cone }
        }
    };
    let hosts = problem.hosts();
    match objective {
        Objective::Hosts => (needs.min_hosts as f64, needs.reason),
        Objective::Cost => {
            let all: Vec<usize> = (0..m).collect();
            let (mut bound, won) = hosts_cost(problem, &all, needs.min_hosts, &needs.demand, &needs.per_host, &needs.cone);
            let mut reason = match won {
                None => format!("{}; the {} cheapest hosts cost {:.2}", needs.reason, needs.min_hosts.clamp(1, m), bound),
                Some(d) => format!("{} at least {:.2} at the cheapest price per unit", cost_words(d, problem.dims()), bound),
            };
            if let Some(split) = &needs.split {
                // the parts' hosts are disjoint, so their costs add up
                let mut own: Vec<f64> = split.dedicated_hosts.iter().map(|&j| hosts.cost[j]).collect();
                own.sort_unstable_by(f64::total_cmp);
                let own_cost = own[..split.own.min(own.len())].iter().sum::<f64>();
                let mut total = own_cost;
                for (part_hosts, min_hosts, demand) in &split.parts {
                    total += hosts_cost(problem, part_hosts, *min_hosts, demand, &needs.per_host, &needs.cone).0;
                }
                if total > bound {
                    bound = total;
                    reason = match split.own {
                        0 => format!("the sets that cannot share a host cost at least {total:.2} together"),
                        own => format!(
                            "{own} dedicated workloads need hosts of {own_cost:.2}; the rest at least {:.2} more",
                            total - own_cost
                        ),
                    };
                }
            }
            (bound, reason)
        }
        Objective::Spread => {
            let (mut bound, mut reason) = (0.0f64, String::new());
            for (d, &need) in needs.demand.iter().enumerate() {
                let fleet: u128 = (0..m).map(|j| problem.capacity(j)[d] as u128).sum();
                if fleet > 0 && need as f64 / fleet as f64 > bound {
                    bound = need as f64 / fleet as f64;
                    reason = format!("the {} demand over the whole fleet's {}", dim_name(d), dim_name(d));
                }
            }
            (bound, reason)
        }
    }
}

/// The fewest hosts any plan placing `placed` uses, with the rules added up: the workloads fall into parts no two
/// of which can share a host (each dedicated workload alone; container-only workloads of one OS apart from those
/// of another; a tenant-isolated tenant's containers apart from other tenants' containers; VM-only workloads apart
/// from containers that no host with a hypervisor runs), so the hosts of a plan fall into as many disjoint sets and
/// the plan uses at least the sum of each part's bound ([`Relaxed::min_hosts`] over the part's workloads and the
/// hosts that some of them fit). A part of `n_i` of the `N` candidates places at least `placed - (N - n_i)` of
/// them, and a plan's workloads of a part, alone, are a valid plan for it (no rule makes workloads go together).
/// The larger of that sum and the bound over all workloads together.
///
/// Sound because every relation used is a rule of the model: two workloads of different parts never share a host
/// ([`Relaxed::conflict`] holds for every such pair), whatever their sizes.
fn rule_bound(problem: &Problem, fits: &FitKinds, whole: &Relaxed, placed: usize) -> (usize, String, Option<Split>) {
    const PARTS: usize = 64; // the largest parts on their own, the rest together (a union of parts is a part)
    let (best, why) = whole.min_hosts(placed, true);
    let total = whole.candidates.len();
    let placed = placed.min(total);
    let mut reason = if best <= 1 { "at least one host".to_string() } else { format!("at least {best} hosts {why}") };
    let w = problem.workloads();
    let dedicated = whole.candidates.iter().filter(|&&i| w.isolation[i] == Isolation::Dedicated).count();
    let mut parts = share_parts(problem, &whole.candidates, &whole.mixed_os);
    if dedicated == 0 && parts.len() <= 1 {
        return (best, reason, None);
    }
    parts.sort_by_key(|p| std::cmp::Reverse(p.len()));
    if parts.len() > PARTS {
        let rest: Vec<usize> = parts.drain(PARTS - 1..).flatten().collect();
        parts.push(rest);
    }
    let own = placed.saturating_sub(total - dedicated);
    let dedicated_workloads: Vec<usize> =
        whole.candidates.iter().copied().filter(|&i| w.isolation[i] == Isolation::Dedicated).collect();
    let mut split = Split { own, dedicated_hosts: fits.hosts_of(&dedicated_workloads), parts: Vec::new() };
    let mut sum = own;
    let mut first: Option<(usize, String)> = None;
    let mut counted = 0usize;
    for (k, part) in parts.iter().enumerate() {
        let at_least = placed.saturating_sub(total - part.len());
        if at_least == 0 {
            continue;
        }
        let part_hosts = fits.hosts_of(part);
        let relaxed = Relaxed::of(problem, part.clone(), part_hosts.clone());
        // the greedy clique for the largest parts only: its list makes it the dearest bound
        let (b, why) = relaxed.min_hosts(at_least, k < 8);
        split.parts.push((part_hosts, b, relaxed.demand(at_least)));
        sum += b;
        counted += 1;
        if first.is_none() {
            first = Some((b, why));
        }
    }
    if sum <= best {
        return (best, reason, Some(split));
    }
    let rest = sum - own;
    let mut words = Vec::new();
    if dedicated > 0 {
        words.push(format!("{own} dedicated workloads need {own} hosts"));
    }
    let more = if dedicated > 0 { " more" } else { "" };
    match (counted, first) {
        (0, _) | (_, None) => {}
        (1, Some((_, why))) => {
            words.push(format!("the rest need at least {rest}{more}{}", spaced(&why)));
        }
        (_, Some((b, why))) => words.push(format!(
            "the rest, in {counted} sets that cannot share a host (by OS and tenant isolation), need at least \
             {rest}{more}: {b}{} for the largest",
            spaced(&why)
        )),
    }
    reason = words.join("; ");
    (sum, reason, Some(split))
}

/// A reason's words after a space, or nothing.
fn spaced(why: &str) -> String {
    if why.is_empty() { String::new() } else { format!(" {why}") }
}

/// The candidates in parts no two of which can share a host by the rules of OS, forms and tenant isolation (the
/// connected parts of the relation "may share a host" between classes of workloads), dedicated workloads left
/// out. Classes: workloads that may run both ways (they may share with anything, so one part holds everything when
/// there is one), VM-only ones, and container-only ones per OS, tenant and isolation.
fn share_parts(problem: &Problem, candidates: &[usize], mixed_os: &HashSet<u32>) -> Vec<Vec<usize>> {
    #[derive(Clone, Copy, PartialEq, Eq, Hash)]
    enum Class {
        Both,
        Vm,
        Container { os: u32, tenant: u32, isolated: bool },
    }
    let w = problem.workloads();
    let class_of = |i: usize| {
        if w.forms[i] == FormSet::CONTAINER {
            Class::Container { os: w.os[i], tenant: w.tenant[i], isolated: w.isolation[i] == Isolation::Tenant }
        } else if w.forms[i] == FormSet::VM {
            Class::Vm
        } else {
            Class::Both
        }
    };
    let mut index: HashMap<Class, usize> = HashMap::new();
    let mut classes: Vec<Class> = Vec::new();
    let mut members: Vec<Vec<usize>> = Vec::new();
    for &i in candidates.iter().filter(|&&i| w.isolation[i] != Isolation::Dedicated) {
        let c = class_of(i);
        let k = *index.entry(c).or_insert_with(|| {
            classes.push(c);
            members.push(Vec::new());
            classes.len() - 1
        });
        members[k].push(i);
    }
    // union-find over the classes
    let mut parent: Vec<usize> = (0..classes.len()).collect();
    fn root(parent: &mut [usize], mut k: usize) -> usize {
        while parent[k] != k {
            parent[k] = parent[parent[k]];
            k = parent[k];
        }
        k
    }
    let join = |parent: &mut Vec<usize>, a: usize, b: usize| {
        let (ra, rb) = (root(parent, a), root(parent, b));
        parent[ra.max(rb)] = ra.min(rb);
    };
    let both = index.get(&Class::Both).copied();
    let vm = index.get(&Class::Vm).copied();
    let mut shared_of_os: HashMap<u32, usize> = HashMap::new();
    for (k, &c) in classes.iter().enumerate() {
        if let Some(b) = both {
            join(&mut parent, b, k);
        }
        if let Class::Container { os, isolated, .. } = c {
            if let Some(v) = vm.filter(|_| mixed_os.contains(&os)) {
                join(&mut parent, v, k);
            }
            if !isolated {
                // the containers of one OS that are not isolated may all share
                let first = *shared_of_os.entry(os).or_insert(k);
                join(&mut parent, first, k);
            }
        }
    }
    for (k, &c) in classes.iter().enumerate() {
        if let Class::Container { os, tenant, isolated: true } = c {
            // an isolated tenant's containers may share with its own tenant's other containers
            if let Some(&o) = index.get(&Class::Container { os, tenant, isolated: false }) {
                join(&mut parent, o, k);
            }
        }
    }
    let mut parts: Vec<Vec<usize>> = Vec::new();
    let mut part_of: HashMap<usize, usize> = HashMap::new();
    for k in 0..classes.len() {
        let r = root(&mut parent, k);
        let p = *part_of.entry(r).or_insert_with(|| {
            parts.push(Vec::new());
            parts.len() - 1
        });
        parts[p].extend_from_slice(&members[k]);
    }
    for part in &mut parts {
        part.sort_unstable();
    }
    parts
}

/// How the rules split the workloads, for the cost bound: `own` dedicated workloads placed at least (on hosts among
/// `dedicated_hosts`, one each), and per part that cannot share a host with the others, the hosts it fits, the
/// fewest of them it needs and its least demand.
struct Split {
    own: usize,
    dedicated_hosts: Vec<usize>,
    parts: Vec<(Vec<usize>, usize, Vec<u128>)>,
}

/// What the objectives' bounds read: the fewest hosts (not worked out for `spread`, which does not read it), per
/// dimension the least total demand of `placed` workloads, and the per-host overhead that every used host pays.
struct Needs {
    min_hosts: usize,
    /// Which rule makes `min_hosts`, in words.
    reason: String,
    /// How the rules split the workloads (None: in one part, or plain bin packing).
    split: Option<Split>,
    demand: Vec<u128>,
    per_host: Vec<u64>,
    /// The demand cone the rooms are clipped to ([`Cone`]; none for plain bin packing, of one dimension).
    cone: Cone,
}

/// [`Needs`] of plain bin packing ([`Plain`]: identical hosts, one size per workload, no overhead, no rule), from
/// the sizes alone, sorted by counting when the capacity is small. The same values as the general bounds: with no
/// rule, two workloads conflict only when their sizes overflow a host, and a set of workloads that pairwise
/// overflow is never larger than L2 (at most one of them is at most half a host, and L2's threshold at its size
/// counts it beside the others), so the conflict clique adds nothing; nor does a dedicated or grouped workload
/// exist. Checked against the general bounds in tests/bounds.rs.
fn plain_needs(problem: &Problem, plain: &Plain, placed: usize, objective: Objective) -> Needs {
    let dims = problem.dims();
    let (dim, capacity) = (plain.dim(), plain.capacity());
    let sizes = plain.placeable_sizes_ascending(problem);
    let placed = placed.min(sizes.len());
    let mut demand = vec![0u128; dims];
    demand[dim] = sizes[..placed].iter().map(|&s| s as u128).sum();
    let (mut min_hosts, mut reason) = (1usize, String::new());
    if objective != Objective::Spread && placed > 0 {
        let m = problem.host_count();
        let covering = demand[dim].div_ceil(capacity as u128).min(m as u128) as usize;
        // the most workloads a host holds: as many of the smallest as fill it (no limit when all of them do)
        let mut sum = 0u128;
        let most = sizes.iter().take_while(|&&s| {
            sum += s as u128;
            sum <= capacity as u128
        });
        let most = most.count();
        let counted = if most < sizes.len() { placed.div_ceil(most).min(m) } else { 1 };
        let column = &sizes[..placed];
        // in the order of the general bounds, so that the reasons agree too
        let name = dim_name(dim);
        for (value, why) in [
            (covering, format!("by {name}")),
            (martello_toth_l2(column, capacity) as usize, format!("by {name} (bin-packing bound)")),
            (fekete_schepers(column, capacity) as usize, format!("by {name} (bin-packing bound)")),
            (counted, "by the workloads a host holds".to_string()),
        ] {
            if value > min_hosts {
                (min_hosts, reason) = (value, why);
            }
        }
        reason = format!("at least {min_hosts} hosts {reason}");
    }
    if min_hosts == 1 {
        reason = "at least one host".to_string();
    }
    Needs { min_hosts, reason, split: None, demand, per_host: vec![0; dims], cone: Cone::default() }
}

/// The fewest hosts that any plan placing at least `placed` workloads uses (0 when `placed` is 0 or there is no
/// host): the largest of the bounds in [`Relaxed::min_hosts`].
pub fn min_hosts(problem: &Problem, placed: usize) -> usize {
    if placed == 0 || problem.host_count() == 0 {
        return 0;
    }
    match Plain::detect(problem) {
        Some(plain) => plain_needs(problem, &plain, placed, Objective::Hosts).min_hosts,
        None => {
            let fits = FitKinds::new(problem);
            rule_bound(problem, &fits, &Relaxed::new(problem, &fits), placed).0
        }
    }
}

/// [`min_hosts`] by the general bounds alone, for plain bin packing too: the tests hold the two equal.
#[doc(hidden)]
pub fn general_min_hosts(problem: &Problem, placed: usize) -> usize {
    if placed == 0 || problem.host_count() == 0 {
        return 0;
    }
    let fits = FitKinds::new(problem);
    rule_bound(problem, &fits, &Relaxed::new(problem, &fits), placed).0
}

