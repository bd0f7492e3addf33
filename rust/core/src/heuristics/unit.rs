//! A hard affinity group placed as one unit (greenfield heuristics; docs/model.md, "Group rules").
//!
//! Taken one by one, a group's first member fixes its domain (a rack, a zone) while the other members wait for
//! their turn, and by then the domain may be full: they are left out though another domain held them all (on the
//! Huawei case, first fit left out 43 VMs this way, every one an affinity member). So when a pass comes to the first
//! member of a hard affinity group with none placed, it places the group's members that are still to come, in the
//! pass's order, each by the method as usual (the rule keeps them in the first one's domain). When one is left out,
//! the unit is undone and tried again with that domain barred to the first member, up to [`TRIES`] domains; if no
//! try places them all, the try that placed the most (the first of those) is placed again and kept.

use crate::fit::{HostStates, SavedHost};
use crate::model::{Form, Placement, RuleKind};

/// At most this many domains are tried for one unit.
pub const TRIES: usize = 8;

/// What a pass needs to place one workload by its method: the host (and form) the method picks, and its indexes
/// kept up to date.
pub trait Chooser {
    /// Where the method puts workload `i` now; None when no host takes it.
    fn choose(&self, fleet: &HostStates, i: usize) -> Option<(usize, Form)>;
    /// Host `j` has just taken a workload.
    fn placed(&mut self, fleet: &HostStates, j: usize);
    /// Host `j` is back in its state from before a trial.
    fn restored(&mut self, fleet: &HostStates, j: usize);
}

/// The hard affinity rule whose group workload `i` leads as a unit: the first of its rules that is a hard affinity
/// of more than one member with none placed yet. None without such a rule.
#[inline]
pub fn unit_rule(fleet: &HostStates, i: usize) -> Option<usize> {
    let rules = fleet.problem().rules()?;
    let of = rules.rules_of(i);
    if of.is_empty() {
        return None;
    }
    let counts = fleet.rule_counts()?;
    of.iter().map(|&r| r as usize).find(|&r| {
        let rule = &rules.rules[r];
        rule.kind == RuleKind::Affinity && rule.hard() && rules.members_of(r).len() > 1 && counts.placed(r) == 0
    })
}

/// Place workload `lead` and the members of rule `r` that are not placed and come after it in the pass
/// (`position[i]`: workload `i`'s place in the pass, `u32::MAX` when it is not in it) as one unit (the module's
/// text says how).
pub fn place_unit(
    fleet: &mut HostStates,
    placement: &mut Placement,
    chooser: &mut impl Chooser,
    lead: usize,
    r: usize,
    position: &[u32],
) {
    let rules = fleet.problem().rules().expect("a unit has a rule");
    let after = |m: usize| m != lead && placement[m].is_none() && position[m] != u32::MAX && position[m] > position[lead];
    let mut members: Vec<usize> = rules.members_of(r).iter().map(|&m| m as usize).filter(|&m| after(m)).collect();
    members.sort_by_key(|&m| position[m]);
    members.insert(0, lead);
    // the domains barred so far, and (how many it placed, how many domains were barred) of the try that placed the
    // most
    let mut domains: Vec<u32> = Vec::new();
    let mut best: Option<(usize, usize)> = None;
    loop {
        let (saved, added) = try_unit(fleet, placement, chooser, &members);
        if added.len() == members.len() {
            unbar(fleet);
            return;
        }
        let better = best.map_or(true, |b| added.len() > b.0);
        if better {
            best = Some((added.len(), domains.len()));
        }
        // (a try places its lead first, or nothing: then no other domain takes it either)
        let Some(&(_, j)) = added.first() else { break };
        if domains.len() + 1 == TRIES && better {
            // the last try is the best: kept as it is
            unbar(fleet);
            return;
        }
        undo(fleet, placement, chooser, &saved, &added);
        if domains.len() + 1 == TRIES {
            break;
        }
        let d = rules.domain(r, j);
        domains.push(d);
        if let Some(counts) = fleet.rule_counts_mut() {
            counts.bar(r, d);
        }
    }
    unbar(fleet);
    if let Some((_, k)) = best.filter(|b| b.0 > 0) {
        // the try that placed the most, again: the same domains barred, from the same state
        for &d in &domains[..k] {
            if let Some(counts) = fleet.rule_counts_mut() {
                counts.bar(r, d);
            }
        }
        try_unit(fleet, placement, chooser, &members);
        unbar(fleet);
    }
}

fn unbar(fleet: &mut HostStates) {
    if let Some(counts) = fleet.rule_counts_mut() {
        counts.unbar();
    }
}

/// Place `members` in order by the method; returns the hosts saved before their first change and the (workload,
/// host) pairs placed. A try whose first member finds no host places nothing.
fn try_unit(
    fleet: &mut HostStates,
    placement: &mut Placement,
    chooser: &mut impl Chooser,
    members: &[usize],
) -> (Vec<SavedHost>, Vec<(usize, usize)>) {
    let (mut saved, mut added): (Vec<SavedHost>, Vec<(usize, usize)>) = (Vec::new(), Vec::new());
    for (k, &i) in members.iter().enumerate() {
        let Some((j, form)) = chooser.choose(fleet, i) else {
            if k == 0 {
                break;
            }
            continue;
        };
        if !saved.iter().any(|s| s.host() == j) {
            saved.push(fleet.save(j));
        }
        fleet.add(i, j, form);
        chooser.placed(fleet, j);
        placement[i] = Some((j as u32, form));
        added.push((i, j));
    }
    (saved, added)
}

/// Undo a try of [`try_unit`].
fn undo(fleet: &mut HostStates, placement: &mut Placement, chooser: &mut impl Chooser, saved: &[SavedHost], added: &[(usize, usize)]) {
    fleet.restore(saved, added);
    for &(i, _) in added {
        placement[i] = None;
    }
    for s in saved {
        chooser.restored(fleet, s.host());
    }
}
