//! The bound under a move budget (live fleets): the hosts used now less the most that the budget can empty.

use crate::model::{Objective, Problem};

/// A live fleet's bound from where it runs now (`hosts` and `cost`; None for `spread`, or when the moves out of the
/// drained hosts alone exceed a budget, where no plan is within it): a host used now (not drained) ends empty only
/// when each of its current workloads moves (to another host, another form or out: every way counts as a move),
/// and a host running a pinned workload never does (a pin holds in every valid plan). So the hosts used now that a
/// plan empties cost it, together, at least their workloads' moves and move costs on top of the drained hosts' (also
/// moves in every plan); the most hosts that can be emptied within `max_moves` is at most the longest prefix of the
/// emptiable hosts by fewest workloads that fits it, the same by `max_move_cost` by cheapest moves, and the smaller
/// of the two bounds both. Every plan within the budgets, whatever it places, keeps at least the other hosts used:
/// U minus that many hosts, and for `cost` the pinned hosts plus the cheapest of the emptiable ones it must keep.
pub(super) fn budget_bound(problem: &Problem, live: &crate::model::Live, objective: Objective) -> Option<(f64, String)> {
    if objective == Objective::Spread {
        return None;
    }
    // what is left of a budget (None: no budget) after `need`; None out of the function when it runs out
    fn spend(budget: Option<u128>, need: u128) -> Option<Option<u128>> {
        match budget {
            None => Some(None),
            Some(b) => b.checked_sub(need).map(Some),
        }
    }
    let m = problem.host_count();
    // per host: (workloads running on it now, their summed move cost, whether one of them is pinned)
    let mut now = vec![(0u64, 0u128, false); m];
    let (mut left_moves, mut left_cost) = (live.max_moves.map(u128::from), live.max_move_cost.map(u128::from));
    for i in 0..problem.workload_count() {
        let Some(j) = live.current_host[i].map(|j| j as usize) else { continue };
        let cost = problem.move_cost(i) as u128;
        if live.drain[j] {
            // a move in every plan: it spends the budgets before any host is emptied
            left_moves = spend(left_moves, 1)?;
            left_cost = spend(left_cost, cost)?;
            continue;
        }
        now[j] = (now[j].0 + 1, now[j].1 + cost, now[j].2 || live.pinned[i]);
    }
    let used: Vec<usize> = (0..m).filter(|&j| now[j].0 > 0).collect();
    if used.is_empty() {
        return None;
    }
    let emptiable: Vec<usize> = used.iter().copied().filter(|&j| !now[j].2).collect();
    let most = |mut needs: Vec<u128>, budget: Option<u128>| -> usize {
        let Some(budget) = budget else { return needs.len() };
        needs.sort_unstable();
        let mut spent = 0u128;
        needs.into_iter().take_while(|&need| { spent += need; spent <= budget }).count()
    };
    let by_moves = most(emptiable.iter().map(|&j| now[j].0 as u128).collect(), left_moves);
    let by_cost = most(emptiable.iter().map(|&j| now[j].1).collect(), left_cost);
    let emptied = by_moves.min(by_cost);
    let kept = used.len() - emptied;
    let within = match (live.max_moves, live.max_move_cost) {
        (Some(moves), Some(cost)) => format!(" within {moves} moves and a move cost of {cost}"),
        (Some(moves), None) => format!(" within {moves} moves"),
        (None, Some(cost)) => format!(" within a move cost of {cost}"),
        (None, None) => " (the others run pinned workloads)".to_string(),
    };
    let reason = format!("{} hosts are used now and at most {emptied} can be emptied{within}", used.len());
    if objective == Objective::Hosts {
        return Some((kept as f64, reason));
    }
    // cost: the pinned hosts, and the cheapest of the emptiable hosts that stay used, added cheapest first
    let cost = &problem.hosts().cost;
    let mut free: Vec<f64> = emptiable.iter().map(|&j| cost[j]).collect();
    free.sort_unstable_by(f64::total_cmp);
    let mut kept_costs: Vec<f64> = used.iter().filter(|&&j| now[j].2).map(|&j| cost[j]).collect();
    kept_costs.extend_from_slice(&free[..free.len() - emptied]);
    kept_costs.sort_unstable_by(f64::total_cmp);
    let total = kept_costs.iter().sum::<f64>();
    Some((total, format!("{reason}; the {kept} hosts that stay used cost at least {total:.2}")))
}

