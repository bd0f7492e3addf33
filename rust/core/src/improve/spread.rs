//! Lowering the largest utilisation, for the objective `spread`: moves and swaps off the most utilised host.
//!
//! Each step takes the host of the largest utilisation and makes the best move of one of its workloads to another
//! host (any host, used or not), or failing that the best swap with a workload of another host, such that both
//! hosts end strictly below that utilisation. No other host changes, so the plan's largest utilisation never goes
//! up, and it goes down once no host is left at the old maximum. The search stops when the most utilised host has
//! no such move (a local optimum), at the bound, or when the budget is spent.

use crate::error::Result;

use super::budget::{Budget, Rng};
use super::state::State;

/// At most this many other hosts are tried per step (a random choice among them otherwise).
const HOSTS_PER_STEP: usize = 256;
/// At most this many workloads of the most utilised host are tried per step.
const ITEMS_PER_STEP: usize = 32;
const EPS: f64 = 1e-12;

/// Improve `state` for `spread` until its value reaches `bound` or the budget is spent; returns whether it did.
pub fn lower_peak(state: &mut State, bound: f64, budget: &mut Budget, rng: &mut Rng) -> Result<bool> {
    let p = state.problem();
    let m = p.host_count();
    let mut improved = false;
    let mut others: Vec<usize> = (0..m).collect();
    while !budget.spent() {
        let Some((top, peak)) = (0..m)
            .filter(|&j| state.count(j) > 0)
            .map(|j| (j, state.utilisation(j)))
            .fold(None, |best: Option<(usize, f64)>, (j, u)| match best {
                Some((_, b)) if b >= u => best,
                _ => Some((j, u)),
            })
        else {
            break;
        };
        budget.charge(m as u64)?;
        if peak <= bound + 1e-9 {
            break;
        }
        let mut items: Vec<u32> = state.members(top).to_vec();
        rng.shuffle(&mut items);
        items.truncate(ITEMS_PER_STEP);
        rng.shuffle(&mut others);
        let scan: Vec<usize> = others.iter().copied().filter(|&j| j != top).take(HOSTS_PER_STEP).collect();
        // (new local peak, workload, its new host, the workload of that host that comes back, if a swap)
        let mut best: Option<(f64, usize, usize, Option<usize>)> = None;
        for &a in &items {
            let a = a as usize;
            let form_a = state.form_of(a);
            state.remove(a);
            let left = state.utilisation(top);
            for &h in &scan {
                if let Some(form) = state.first_form(a, h) {
                    state.add(a, h, form);
                    let after = left.max(state.utilisation(h));
                    state.remove(a);
                    if after < peak - EPS && best.map_or(true, |(b, ..)| after < b - EPS) {
                        best = Some((after, a, h, None));
                    }
                }
            }
            state.add(a, top, form_a);
            budget.charge(3 * scan.len() as u64 + 2)?;
        }
        if best.is_none() {
            // swaps: `a` off the top host, `c` from host `h` onto it
            for &a in &items {
                let a = a as usize;
                let form_a = state.form_of(a);
                state.remove(a);
                for &h in &scan {
                    let on_h: Vec<u32> = state.members(h).to_vec();
                    for &c in on_h.iter().take(ITEMS_PER_STEP) {
                        let c = c as usize;
                        let form_c = state.form_of(c);
                        state.remove(c);
                        if let Some(fa) = state.first_form(a, h) {
                            state.add(a, h, fa);
                            if let Some(fc) = state.first_form(c, top) {
                                state.add(c, top, fc);
                                let after = state.utilisation(top).max(state.utilisation(h));
                                if after < peak - EPS && best.map_or(true, |(b, ..)| after < b - EPS) {
                                    best = Some((after, a, h, Some(c)));
                                }
                                state.remove(c);
                            }
                            state.remove(a);
                        }
                        state.add(c, h, form_c);
                        budget.charge(6)?;
                    }
                    if budget.spent() {
                        break;
                    }
                }
                state.add(a, top, form_a);
            }
        }
        let Some((_, a, h, back)) = best else { break };
        state.remove(a);
        if let Some(c) = back {
            state.remove(c);
        }
        let form = state.first_form(a, h).expect("a move checked to fit");
        state.add(a, h, form);
        if let Some(c) = back {
            let form = state.first_form(c, top).expect("a swap checked to fit");
            state.add(c, top, form);
        }
        improved = true;
    }
    Ok(improved)
}
