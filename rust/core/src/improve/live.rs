//! The improvement search on a live fleet: from the portfolio's plan to a better one, with staying put as a
//! candidate and every step within the move budgets (issue 15).
//!
//! The passes, each never worse in the order most placed, then the objective, then least move cost:
//! - workloads left out are placed, on their current host first (no move), else where they fit; while some are
//!   still left out, ejections make room for them (within the budgets);
//! - for `hosts` and `cost`, hosts are emptied one at a time, their workloads by best fit onto the other hosts in
//!   use, as long as the budgets allow (all of a host's workloads go, or none), in two orders from the same plan:
//!   the host needing the fewest moves first, and the least used first; the better plan stays;
//! - a moved workload goes back to its current place whenever that does not make the plan worse: no move is made
//!   for nothing; and the left-out workloads that now fit are placed (the plan ends maximal).
//!
//! Without a budget, `auto` also plans from nothing, matched and repacked onto the hosts where the workloads run
//! ([`super::repack`]); the first and last passes then take back the moves it made for nothing.

use super::budget::{Budget, Rng};
use super::count::more_placed;
use super::pack::value as pack_value;
use super::repack::{normalised_free, ByRoom};
use super::scarcity::{sizes, Key};
use super::state::State;
use crate::error::Result;
use crate::heuristics::live::{is_move, Spent};
use crate::model::{Form, Live, Objective, Problem};

const EPS: f64 = 1e-9;

/// The plan's value under `objective`, as the solve reports it.
pub fn value(state: &State, objective: Objective) -> f64 {
    match objective {
        Objective::Spread => {
            let p = state.problem();
            (0..p.host_count()).filter(|&j| state.count(j) > 0).fold(0.0f64, |worst, j| worst.max(state.utilisation(j)))
        }
        _ => pack_value(state, objective),
    }
}

/// The moves the plan in `state` makes, kept up to date as workloads move, against the budgets.
struct Book<'p> {
    problem: &'p Problem,
    live: &'p Live,
    spent: Spent,
}

fn place_of(state: &State, i: usize) -> Option<(u32, Form)> {
    state.host_of(i).map(|j| (j as u32, state.form_of(i)))
}

impl<'p> Book<'p> {
    fn new(state: &State<'p>) -> Book<'p> {
        let problem = state.problem();
        let mut spent = Spent::default();
        for i in 0..problem.workload_count() {
            if is_move(problem, i, place_of(state, i)) {
                spent.moves += 1;
                spent.cost = spent.cost.saturating_add(problem.move_cost(i));
            }
        }
        Book { problem, live: problem.live().expect("a live problem"), spent }
    }

    /// The spending after workload `i` goes from `from` to `to`.
    fn after(&self, i: usize, from: Option<(u32, Form)>, to: Option<(u32, Form)>) -> Spent {
        let (was, will) = (is_move(self.problem, i, from), is_move(self.problem, i, to));
        let cost = self.problem.move_cost(i);
        let mut spent = self.spent;
        if was && !will {
            spent.moves -= 1;
            spent.cost = spent.cost.saturating_sub(cost);
        } else if will && !was {
            spent.moves += 1;
            spent.cost = spent.cost.saturating_add(cost);
        }
        spent
    }

    /// Whether `spent` keeps the budgets, or at least spends no more than now (a start over budget only shrinks).
    fn within(&self, spent: Spent) -> bool {
        let moves_ok = self.live.max_moves.map_or(true, |most| spent.moves <= most) || spent.moves <= self.spent.moves;
        let cost_ok = self.live.max_move_cost.map_or(true, |most| spent.cost <= most) || spent.cost <= self.spent.cost;
        moves_ok && cost_ok
    }

    /// Move workload `i` (off its host, if any) to `to` (None: nowhere); the caller has checked that it fits.
    fn relocate(&mut self, state: &mut State, i: usize, to: Option<(usize, Form)>) {
        let from = place_of(state, i);
        let to_place = to.map(|(j, f)| (j as u32, f));
        self.spent = self.after(i, from, to_place);
        if from.is_some() {
            state.remove(i);
        }
        if let Some((j, form)) = to {
            state.add(i, j, form);
        }
    }
}

/// The form in which workload `i` would stay on its current host now (its current form when given), if it fits.
fn home(state: &State, i: usize) -> Option<(usize, Form)> {
    let (j, form) = state.problem().current(i)?;
    let form = match form {
        Some(form) => state.fits(i, j, form).then_some(form),
        None => state.first_form(i, j),
    };
    form.map(|f| (j, f))
}

/// Improve the valid live plan `placement` for `objective` within the budgets; the state ends never worse than it
/// started (most placed, then the objective, then least move cost). Returns whether it got better.
pub fn improve_live(state: &mut State, objective: Objective, budget: &mut Budget, rng: &mut Rng) -> Result<bool> {
    let start = (state.placed(), value(state, objective), Book::new(state).spent.cost);
    let mut book = Book::new(state);
    place_left_out(state, &mut book, budget)?;
    if state.placed() < state.problem().workload_count() {
        more_placed_live(state, &mut book, budget, rng)?;
    }
    if objective != Objective::Spread {
        // two orders of the hosts to empty, each from the same plan: the fewest moves first, and the least used
        // first (the descheduler's); the better plan stays
        let mut by_load = state.clone();
        let mut book_by_load = Book { problem: book.problem, live: book.live, spent: book.spent };
        empty_hosts(state, &mut book, objective, budget, false)?;
        undo_needless(state, &mut book, objective, budget)?;
        empty_hosts(&mut by_load, &mut book_by_load, objective, budget, true)?;
        undo_needless(&mut by_load, &mut book_by_load, objective, budget)?;
        let key = |s: &State, b: &Book| (std::cmp::Reverse(s.placed()), value(s, objective), b.spent.cost);
        let (a, b) = (key(state, &book), key(&by_load, &book_by_load));
        if b.0 < a.0 || (b.0 == a.0 && (b.1 < a.1 - EPS || (b.1 <= a.1 + EPS && b.2 < a.2))) {
            *state = by_load;
            book = book_by_load;
        }
    }
    undo_needless(state, &mut book, objective, budget)?;
    // a move taken back may have made room for a left-out workload: the plan ends maximal
    place_left_out(state, &mut book, budget)?;
    let now = (state.placed(), value(state, objective), book.spent.cost);
    Ok(now.0 > start.0 || (now.0 == start.0 && (now.1 < start.1 - EPS || (now.1 <= start.1 + EPS && now.2 < start.2))))
}

/// The first and last passes of [`improve_live`] alone: left-out workloads placed, needless moves taken back (for a
/// plan whose hosts are already few, where emptying more of them would only spend work).
pub fn settle_live(state: &mut State, objective: Objective, budget: &mut Budget) -> Result<()> {
    let mut book = Book::new(state);
    place_left_out(state, &mut book, budget)?;
    undo_needless(state, &mut book, objective, budget)?;
    place_left_out(state, &mut book, budget)
}

/// At most this many left-out workloads (the smallest) are offered room per round of [`more_placed_live`] ...
const CANDIDATES: usize = 48;
/// ... on at most this many workloads of each host ...
const HOST_ITEMS: usize = 16;
/// ... whose workload goes home or to one of at most this many other hosts.
const MOVE_HOSTS: usize = 128;

/// Raise the number placed when workloads are left out. Without a budget, the greenfield ejections
/// ([`more_placed`]; pinned workloads stay, drained hosts take nothing by the static rules). With one, a workload
/// off a host makes room for a left-out one (the smallest first) and goes home or onto another host, when the
/// budgets allow its move; rounds until one gains nothing. The count never goes down.
fn more_placed_live<'p>(state: &mut State<'p>, book: &mut Book<'p>, budget: &mut Budget, rng: &mut Rng) -> Result<()> {
    if !book.live.budgeted() {
        if more_placed(state, budget, rng)? {
            *book = Book::new(state);
        }
        return place_left_out(state, book, budget);
    }
    let p = state.problem();
    let n = p.workload_count();
    let sizes = sizes(p, Key::Sum);
    let placeable = crate::bounds::placeable(p);
    budget.charge(n as u64)?;
    loop {
        let mut left: Vec<usize> = (0..n).filter(|&i| placeable[i] && state.host_of(i).is_none()).collect();
        left.sort_by(|&a, &b| sizes[a].total_cmp(&sizes[b]).then(a.cmp(&b)));
        left.truncate(CANDIDATES);
        let mut gained = false;
        for u in left {
            if budget.spent() {
                return Ok(());
            }
            gained |= eject_for(state, book, u, &sizes, budget)?;
        }
        if !gained {
            return Ok(());
        }
    }
}

/// Place the left-out workload `u` on a host in use by sending one of its workloads (larger than `u`, not pinned)
/// home or elsewhere within the budgets; whether it went.
fn eject_for<'p>(state: &mut State<'p>, book: &mut Book<'p>, u: usize, sizes: &[f64], budget: &mut Budget) -> Result<bool> {
    let p = state.problem();
    let m = p.host_count();
    let live = book.live;
    for j in 0..m {
        if state.count(j) == 0 {
            continue;
        }
        let mut members: Vec<usize> = state.members(j).iter().map(|&a| a as usize).collect();
        members.retain(|&a| !live.pinned[a] && sizes[a] >= sizes[u]);
        members.sort_by(|&a, &b| sizes[a].total_cmp(&sizes[b]).then(a.cmp(&b)));
        members.truncate(HOST_ITEMS);
        for a in members {
            let form_a = state.form_of(a);
            state.remove(a);
            budget.charge(2)?;
            let Some(form_u) = state.first_form(u, j) else {
                state.add(a, j, form_a);
                continue;
            };
            state.add(u, j, form_u);
            // `a` home first (no move), else the first host in use that takes it, else an empty one
            let home_spot = home(state, a).filter(|&(h, _)| h != j);
            let spot = home_spot.or_else(|| {
                let used = (0..m).filter(|&k| k != j && state.count(k) > 0);
                let unused = (0..m).filter(|&k| k != j && state.count(k) == 0);
                used.chain(unused).take(MOVE_HOSTS).find_map(|k| state.first_form(a, k).map(|f| (k, f)))
            });
            budget.charge(MOVE_HOSTS as u64)?;
            state.remove(u);
            if let Some((k, form)) = spot {
                // the spending after both: `u` from nowhere onto `j`, `a` from `j` onto `k`
                let mut trial = Book { problem: book.problem, live, spent: book.after(u, None, Some((j as u32, form_u))) };
                trial.spent = trial.after(a, Some((j as u32, form_a)), Some((k as u32, form)));
                if book.within(trial.spent) {
                    state.add(a, j, form_a);
                    book.relocate(state, a, Some((k, form)));
                    book.relocate(state, u, Some((j, form_u)));
                    return Ok(true);
                }
            }
            state.add(a, j, form_a);
        }
    }
    Ok(false)
}

/// Place the workloads left out where they now fit: their current place first, else the hosts in use, else the
/// others (in input order), each within the budgets.
fn place_left_out(state: &mut State, book: &mut Book, budget: &mut Budget) -> Result<()> {
    let p = state.problem();
    let (n, m) = (p.workload_count(), p.host_count());
    for i in 0..n {
        if state.host_of(i).is_some() {
            continue;
        }
        let mut spot = home(state, i);
        if spot.is_none() {
            let used = (0..m).filter(|&j| state.count(j) > 0);
            let unused = (0..m).filter(|&j| state.count(j) == 0);
            spot = used
                .chain(unused)
                .filter_map(|j| state.first_form(i, j).map(|f| (j, f)))
                .find(|&(j, f)| book.within(book.after(i, None, Some((j as u32, f)))));
            budget.charge(m as u64)?;
        }
        if let Some(to) = spot {
            book.relocate(state, i, Some(to));
        }
    }
    Ok(())
}

/// Empty hosts one at a time within the budgets (for `hosts` and `cost`): the host needing the fewest moves first
/// (then the least cost of moves, then the lightest), or with `by_load` the lightest first; each of its workloads,
/// largest first, to the other host in use that it leaves least free, or back home. A host whose workloads do not
/// all go is restored and not tried again.
fn empty_hosts(state: &mut State, book: &mut Book, objective: Objective, budget: &mut Budget, by_load: bool) -> Result<()> {
    let p = state.problem();
    let m = p.host_count();
    let costs = &p.hosts().cost;
    let mut failed = vec![false; m];
    let used: Vec<usize> = (0..m).filter(|&j| state.count(j) > 0).collect();
    let mut rooms = ByRoom::new(state, &used);
    let scale = p.largest_capacity();
    let weight = |i: usize| -> f64 {
        p.smallest(i).iter().zip(&scale).filter(|(_, &s)| s > 0).map(|(&v, &s)| v as f64 / s as f64).sum()
    };
    while !budget.spent() {
        // (moves, move cost, load, host) of the hosts that may be emptied
        let mut candidates: Vec<(u64, u64, f64, usize)> = (0..m)
            .filter(|&j| state.count(j) > 0 && !failed[j] && !(objective == Objective::Cost && costs[j] <= 0.0))
            .map(|j| {
                let members = state.members(j);
                let movers = members.iter().filter(|&&i| !is_move(p, i as usize, place_of(state, i as usize)));
                let (moves, cost) = movers.fold((0u64, 0u64), |(k, c), &i| (k + 1, c.saturating_add(p.move_cost(i as usize))));
                (moves, cost, 1.0 - normalised_free(state, j) / p.dims() as f64, j)
            })
            .collect();
        budget.charge(m as u64)?;
        if by_load {
            candidates.sort_by(|a, b| a.2.total_cmp(&b.2).then(a.3.cmp(&b.3)));
        } else if book.live.max_moves.is_none() && book.live.max_move_cost.is_some() {
            candidates.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)).then(a.2.total_cmp(&b.2)).then(a.3.cmp(&b.3)));
        } else {
            candidates.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.total_cmp(&b.2)).then(a.3.cmp(&b.3)));
        }
        let mut emptied = false;
        for &(moves, cost, _, j) in &candidates {
            if budget.spent() {
                break;
            }
            let over = |spent: Spent| {
                book.live.max_moves.is_some_and(|most| spent.moves.saturating_add(moves) > most)
                    || book.live.max_move_cost.is_some_and(|most| spent.cost.saturating_add(cost) > most)
            };
            if over(book.spent) {
                continue; // not within the budget left, whatever the targets
            }
            if try_empty(state, book, j, &weight, &mut rooms, budget)? {
                emptied = true;
                break;
            }
            failed[j] = true;
        }
        if !emptied {
            break;
        }
    }
    Ok(())
}

/// Move every workload of host `j` elsewhere (best fit among the other hosts in use, or home), within the budgets;
/// all or nothing. Returns whether the host is empty now.
fn try_empty(
    state: &mut State,
    book: &mut Book,
    j: usize,
    weight: &dyn Fn(usize) -> f64,
    rooms: &mut ByRoom,
    budget: &mut Budget,
) -> Result<bool> {
    let mut members: Vec<usize> = state.members(j).iter().map(|&i| i as usize).collect();
    members.sort_by(|&a, &b| weight(b).total_cmp(&weight(a)).then(a.cmp(&b)));
    let start = book.spent;
    // `j` is no target while it empties (and its room changes as it does)
    rooms.forget(state, j);
    let mut moved: Vec<(usize, usize, Form)> = Vec::new();
    let mut ok = true;
    for &i in &members {
        let form_now = state.form_of(i);
        let mut choice = home(state, i).filter(|&(h, _)| h != j && state.count(h) > 0);
        if choice.is_none() {
            // best fit: the host in use that it leaves least free, the first of the least free that takes it
            let mut looked = 0u64;
            choice = rooms.from(weight(i)).find_map(|h| {
                looked += 1;
                state.first_form(i, h).map(|f| (h, f))
            });
            budget.charge(looked.max(1))?;
        }
        let Some((h, f)) = choice else {
            ok = false;
            break;
        };
        if !book.within(book.after(i, Some((j as u32, form_now)), Some((h as u32, f)))) {
            ok = false;
            break;
        }
        rooms.update(state, h, |s| {
            s.remove(i);
            s.add(i, h, f);
        });
        let to = Some((h as u32, f));
        book.spent = book.after(i, Some((j as u32, form_now)), to);
        moved.push((i, h, form_now));
    }
    if !ok {
        for &(i, h, form) in moved.iter().rev() {
            rooms.update(state, h, |s| {
                s.remove(i);
            });
            state.add(i, j, form);
        }
        rooms.update(state, j, |_| ());
        book.spent = start;
    }
    Ok(ok)
}

/// Send every moved workload back to its current place when that fits and leaves the plan no worse (as many placed,
/// the objective no higher): a move that buys nothing is undone. Repeated until nothing changes.
fn undo_needless(state: &mut State, book: &mut Book, objective: Objective, budget: &mut Budget) -> Result<()> {
    let p = state.problem();
    let n = p.workload_count();
    loop {
        let mut changed = false;
        for i in 0..n {
            let from = place_of(state, i);
            if !is_move(p, i, from) || p.drained(p.current(i).map_or(0, |(j, _)| j)) {
                continue;
            }
            let before = (state.placed(), value(state, objective));
            if from.is_some() {
                state.remove(i);
            }
            budget.charge(2)?;
            let (j, current_form) = p.current(i).expect("a moved workload has a current host");
            let forms = Form::TRY_ORDER.into_iter().filter(|&f| current_form.map_or(true, |c| c == f));
            let mut back = None;
            for f in forms {
                if !state.fits(i, j, f) {
                    continue;
                }
                state.add(i, j, f);
                let after = (state.placed(), value(state, objective));
                state.remove(i);
                if after.0 >= before.0 && after.1 <= before.1 + EPS {
                    back = Some(f);
                    break;
                }
            }
            if let Some((k, f)) = from {
                state.add(i, k as usize, f);
            }
            if let Some(f) = back {
                book.relocate(state, i, Some((j, f)));
                changed = true;
            }
        }
        if !changed || budget.spent() {
            return Ok(());
        }
    }
}

/// A plan with its hosts' contents swapped among hosts alike in every rule (capacity, OS, hypervisor, containers,
/// cap, cost; none drained, none holding a pinned workload), so that as much move cost as possible stays where it
/// runs now: alike hosts matched greedily by the move cost their contents share. The plan is as good as before by
/// every objective; only its moves change.
pub fn relabel(problem: &Problem, placement: &[Option<(u32, Form)>]) -> Vec<Option<(u32, Form)>> {
    let Some(live) = problem.live() else { return placement.to_vec() };
    let m = problem.host_count();
    let hosts = problem.hosts();
    let kind = |j: usize| {
        let eligibility = problem.eligibility_kind(j); // alike for every selector and toleration too
        let domains = problem.rules_kind(j); // and in the same domains of every group rule
        (problem.capacity(j), hosts.os[j], hosts.hypervisor[j], hosts.containers[j], hosts.max_workloads[j], hosts.cost[j].to_bits(), eligibility, domains)
    };
    // hosts that keep their contents: drained, or holding a pinned workload
    let mut fixed: Vec<bool> = (0..m).map(|j| live.drain[j]).collect();
    for (i, place) in placement.iter().enumerate() {
        if let (Some((j, _)), true) = (place, live.pinned[i]) {
            fixed[*j as usize] = true;
        }
    }
    let mut shared: std::collections::HashMap<(usize, usize), u64> = std::collections::HashMap::new();
    for (i, place) in placement.iter().enumerate() {
        let (Some((b, form)), Some((h, current_form))) = (*place, problem.current(i)) else { continue };
        let b = b as usize;
        if fixed[b] || fixed[h] || current_form.is_some_and(|c| c != form) || kind(b) != kind(h) {
            continue;
        }
        *shared.entry((b, h)).or_insert(0) += problem.move_cost(i).max(1);
    }
    let mut pairs: Vec<((usize, usize), u64)> = shared.into_iter().collect();
    pairs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut target: Vec<Option<usize>> = vec![None; m];
    let mut taken = fixed.clone();
    let mut used = vec![false; m];
    for place in placement.iter().flatten() {
        used[place.0 as usize] = true;
    }
    for ((b, h), _) in pairs {
        if target[b].is_none() && !taken[h] {
            target[b] = Some(h);
            taken[h] = true;
        }
    }
    // the other used hosts: their own place when free, else the first free host alike
    let rest: Vec<usize> = (0..m).filter(|&b| used[b] && !fixed[b] && target[b].is_none()).collect();
    for &b in &rest {
        if !taken[b] {
            target[b] = Some(b);
            taken[b] = true;
        }
    }
    for &b in &rest {
        if target[b].is_some() {
            continue;
        }
        let h = (0..m).find(|&h| !taken[h] && kind(h) == kind(b)).expect("as many alike hosts as there were");
        target[b] = Some(h);
        taken[h] = true;
    }
    placement.iter().map(|place| place.map(|(b, f)| (target[b as usize].unwrap_or(b as usize) as u32, f))).collect()
}
