//! Live fleets (issue 15): the heuristics' live contract (keep, place the rest, budgets) by hand and against an
//! independent restatement of it on random live fleets, `auto` within the budgets, and the checks of the live part.
//!
//! The checks here restate the contract from docs/design-live-rules-capacity.md without the core's rule code: the
//! rules come from `common` (the independent checker and reference), moves are recomputed from the current places.

mod common;

use common::*;
use fleetpack_core::heuristics::Method;
use fleetpack_core::model::Live;
use fleetpack_core::{solve, Form, MethodChoice, Objective, Options, Overheads, Problem, Solution, SortKey};

// ---- an independent restatement of the live contract ---------------------------------------------------------------

/// Whether workload `i` at `place` is a move.
fn moved(live: &Live, i: usize, place: Option<(u32, Form)>) -> bool {
    match (live.current_host[i], place) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(j), Some((k, f))) => j != k || live.current_form[i].is_some_and(|c| c != f),
    }
}

fn cost_of(p: &Problem, live: &Live, i: usize) -> u64 {
    live.move_cost.as_ref().map_or(p.demand(i)[1], |c| c[i])
}

/// (moves, summed cost) of a plan.
fn moves(p: &Problem, live: &Live, placement: &Placement) -> (u64, u64) {
    (0..placement.len())
        .filter(|&i| moved(live, i, placement[i]))
        .fold((0, 0), |(k, c), i| (k + 1, c + cost_of(p, live, i)))
}

/// Step 1: (hosts' states, placement, forced moves, pin conflicts).
fn ref_keep(p: &Problem, live: &Live) -> (Vec<RefHost>, Placement, Vec<usize>, Vec<usize>) {
    let n = p.workload_count();
    let mut states = vec![RefHost::empty(p.dims()); p.host_count()];
    let mut placement = vec![None; n];
    let (mut forced, mut conflicts) = (Vec::new(), Vec::new());
    let order: Vec<usize> =
        (0..n).filter(|&i| live.pinned[i]).chain((0..n).filter(|&i| !live.pinned[i] && live.current_host[i].is_some())).collect();
    for i in order {
        let j = live.current_host[i].unwrap() as usize;
        let form = if live.drain[j] {
            None
        } else {
            match live.current_form[i] {
                Some(f) => ref_fits(p, &states[j], i, j, f).then_some(f),
                None => ref_first_form(p, &states[j], i, j),
            }
        };
        match form {
            Some(f) => {
                ref_add(p, &mut states[j], i, j, f);
                placement[i] = Some((j as u32, f));
            }
            None if live.pinned[i] => conflicts.push(i),
            None => forced.push(i),
        }
    }
    forced.sort();
    conflicts.sort();
    (states, placement, forced, conflicts)
}

/// The live contract by scanning every host for every workload.
fn ref_live(p: &Problem, live: &Live, method: Method, key: SortKey, objective: Objective) -> Placement {
    let (mut states, mut placement, _, conflicts) = ref_keep(p, live);
    let opening: Vec<usize> = ref_opening_order(p, objective).into_iter().filter(|&j| !live.drain[j]).collect();
    let (mut spent, mut spent_cost) = (0u64, 0u64);
    for i in ref_workload_order(p, method, key) {
        if placement[i].is_some() || conflicts.contains(&i) {
            continue;
        }
        if live.current_host[i].is_some() {
            let c = cost_of(p, live, i);
            let within = live.max_moves.map_or(true, |k| spent < k) && live.max_move_cost.map_or(true, |k| spent_cost + c <= k);
            spent += 1;
            spent_cost += c;
            if !within {
                continue;
            }
        }
        let first = |states: &[RefHost], only_unused: bool| {
            opening.iter().copied().filter(|&j| !only_unused || states[j].count == 0).find_map(|j| ref_first_form(p, &states[j], i, j).map(|f| (j, f)))
        };
        let extreme = |states: &[RefHost], worst: bool| {
            let mut chosen: Option<(usize, Form, f64)> = None;
            for &j in &opening {
                if !worst && states[j].count == 0 {
                    continue;
                }
                let Some(f) = ref_first_form(p, &states[j], i, j) else { continue };
                let free = ref_free_after(p, &states[j], i, j, f);
                if chosen.map_or(true, |(_, _, b)| (worst && free > b) || (!worst && free < b)) {
                    chosen = Some((j, f, free));
                }
            }
            chosen.map(|(j, f, _)| (j, f))
        };
        let choice = match method {
            Method::FirstFit | Method::FirstFitDecreasing => first(&states, false),
            Method::BestFitDecreasing => extreme(&states, false).or_else(|| first(&states, true)),
            Method::WorstFitDecreasing => extreme(&states, true),
        };
        if let Some((j, f)) = choice {
            ref_add(p, &mut states[j], i, j, f);
            placement[i] = Some((j as u32, f));
        }
    }
    placement
}

/// Every live rule of a solution: drained hosts empty, pinned workloads at their place (or reported and left out),
/// the moves and their cost as reported, the forced moves and pin conflicts as step 1 finds them, the budgets kept
/// whenever the forced moves alone keep them. Plus every rule of the model (common's checker).
fn check_live(p: &Problem, live: &Live, s: &Solution, objective: Objective) {
    // the bound (the budget's included) holds for plans within the pins and budgets: when none is (a pin conflict,
    // forced moves beyond a budget: `place` raises), only the rules are checked
    let (_, _, forced, conflicts) = ref_keep(p, live);
    let forced_cost: u64 = forced.iter().map(|&i| cost_of(p, live, i)).sum();
    let within = conflicts.is_empty()
        && live.max_moves.map_or(true, |most| forced.len() as u64 <= most)
        && live.max_move_cost.map_or(true, |most| forced_cost <= most);
    if within {
        check_solution(p, s, objective);
    } else {
        check_valid(p, s);
    }
    for (i, place) in s.placement.iter().enumerate() {
        if let Some((j, f)) = place {
            assert!(!live.drain[*j as usize], "workload {i} on drained host {j}");
            if live.pinned[i] {
                assert_eq!(Some(*j), live.current_host[i], "pinned workload {i} moved");
                assert!(live.current_form[i].map_or(true, |c| c == *f), "pinned workload {i} changed form");
            }
        } else if live.pinned[i] {
            assert!(s.pin_conflicts.contains(&i), "pinned workload {i} left out without a conflict");
        }
    }
    let (k, c) = moves(p, live, &s.placement);
    assert_eq!((s.moves, s.move_cost), (k, c), "moves as reported");
    let (_, _, forced, conflicts) = ref_keep(p, live);
    assert_eq!(s.forced_moves, forced);
    for i in &s.pin_conflicts {
        assert!(conflicts.contains(i), "pin conflict {i} that step 1 does not find");
    }
    let forced_cost: u64 = forced.iter().map(|&i| cost_of(p, live, i)).sum();
    let forced_fit = live.max_moves.map_or(true, |most| forced.len() as u64 <= most)
        && live.max_move_cost.map_or(true, |most| forced_cost <= most);
    if forced_fit && conflicts.is_empty() {
        assert!(live.max_moves.map_or(true, |most| k <= most), "{k} moves over the budget {:?}", live.max_moves);
        assert!(live.max_move_cost.map_or(true, |most| c <= most), "move cost {c} over {:?}", live.max_move_cost);
    }
}

/// No move for nothing: every moved workload whose current host is not drained either does not fit back home (in
/// its current form when given, else either form) or going back makes the plan worse (fewer placed, or a higher
/// objective value).
fn check_no_needless_move(p: &Problem, live: &Live, s: &Solution, objective: Objective) {
    let value = objective_of(p, &s.placement, objective);
    for i in 0..p.workload_count() {
        let Some(home) = live.current_host[i] else { continue };
        if !moved(live, i, s.placement[i]) || live.drain[home as usize] {
            continue;
        }
        let forms: Vec<Form> = match live.current_form[i] {
            Some(f) => vec![f],
            None => vec![Form::Container, Form::Vm],
        };
        for f in forms {
            let mut back = s.placement.clone();
            back[i] = Some((home, f));
            if violations(p, &back).is_empty() {
                let placed_more = s.placement[i].is_none();
                let back_value = objective_of(p, &back, objective);
                assert!(
                    !placed_more && back_value > value + 1e-9,
                    "workload {i} moved for nothing: back home as {f:?} the plan is {back_value} (now {value})"
                );
            }
        }
    }
}

fn options(choice: MethodChoice, objective: Objective) -> Options {
    Options::new(choice, objective)
}

fn live_problem(workloads: &[fleetpack_core::WorkloadSpec], hosts: &[fleetpack_core::HostSpec], live: Live) -> Problem {
    problem(workloads, hosts, Overheads::none(2)).with_live(live).expect("a valid live problem")
}

fn currently(n: usize, m: usize, hosts: &[Option<u32>]) -> Live {
    let mut live = Live::new(n, m);
    live.current_host = hosts.to_vec();
    live
}

// ---- by hand ------------------------------------------------------------------------------------------------------

#[test]
fn a_valid_current_placement_is_kept_by_every_method() {
    let ws = [w(2, 2), w(3, 3), w(1, 1), w(4, 4)];
    let hs = [h(10, 10), h(10, 10), h(10, 10)];
    let live = currently(4, 3, &[Some(0), Some(1), Some(2), Some(0)]);
    let p = live_problem(&ws, &hs, live.clone());
    for (method, key) in every_heuristic() {
        for objective in OBJECTIVES {
            let s = solve(&p, &options(MethodChoice::Heuristic(method, key), objective)).unwrap();
            check_live(&p, &live, &s, objective);
            assert_eq!(hosts_of(&s), vec![Some(0), Some(1), Some(2), Some(0)], "{method:?} {key:?} {objective:?}");
            assert_eq!((s.moves, s.move_cost), (0, 0));
        }
    }
}

#[test]
fn a_workload_that_no_longer_fits_is_a_forced_move_and_the_first_in_input_order_stays() {
    // host 0 holds 6 + 6 > 10: workload 0 stays (first in input order), workload 1 must move
    let ws = [w(6, 1), w(6, 1), w(1, 1)];
    let hs = [h(10, 10), h(10, 10)];
    let live = currently(3, 2, &[Some(0), Some(0), None]);
    let p = live_problem(&ws, &hs, live.clone());
    let s = solve(&p, &options(MethodChoice::Heuristic(Method::FirstFitDecreasing, SortKey::Sum), Objective::Hosts)).unwrap();
    check_live(&p, &live, &s, Objective::Hosts);
    assert_eq!(s.forced_moves, vec![1]);
    assert_eq!(hosts_of(&s), vec![Some(0), Some(1), Some(0)]);
    assert_eq!((s.moves, s.move_cost), (1, 1), "the default move cost is the memory");
}

#[test]
fn pinned_workloads_are_kept_first_and_a_pin_that_does_not_fit_is_reported() {
    // both run on host 0, which takes one; the pinned one (input row 1) stays
    let ws = [w(6, 1), w(6, 1)];
    let hs = [h(10, 10), h(10, 10)];
    let mut live = currently(2, 2, &[Some(0), Some(0)]);
    live.pinned[1] = true;
    let p = live_problem(&ws, &hs, live.clone());
    let s = solve(&p, &options(MethodChoice::Heuristic(Method::FirstFit, SortKey::Sum), Objective::Spread)).unwrap();
    check_live(&p, &live, &s, Objective::Spread);
    assert_eq!(hosts_of(&s), vec![Some(1), Some(0)]);
    assert_eq!(s.forced_moves, vec![0]);
    // two pinned workloads that do not both fit: the second is a conflict, left out, and never goes elsewhere
    live.pinned[0] = true;
    let p = live_problem(&ws, &hs, live.clone());
    for choice in [MethodChoice::Heuristic(Method::BestFitDecreasing, SortKey::Max), MethodChoice::Auto] {
        let s = solve(&p, &options(choice, Objective::Hosts)).unwrap();
        check_live(&p, &live, &s, Objective::Hosts);
        assert_eq!(hosts_of(&s), vec![Some(0), None]);
        assert_eq!(s.pin_conflicts, vec![1]);
    }
}

#[test]
fn a_pinned_workload_keeps_its_form_and_the_others_take_any_form_on_their_host() {
    let ws = [w(1, 1), w(1, 1)];
    let hs = [h(10, 10)];
    let mut live = currently(2, 1, &[Some(0), Some(0)]);
    live.current_form = vec![Some(Form::Vm), None];
    live.pinned[0] = true;
    let p = live_problem(&ws, &hs, live.clone());
    let s = solve(&p, &options(MethodChoice::Heuristic(Method::FirstFitDecreasing, SortKey::L2), Objective::Hosts)).unwrap();
    check_live(&p, &live, &s, Objective::Hosts);
    assert_eq!(s.placement, vec![Some((0, Form::Vm)), Some((0, Form::Container))]);
}

#[test]
fn a_drained_host_ends_empty_and_its_workloads_move() {
    let ws = [w(2, 2), w(2, 2), w(2, 2)];
    let hs = [h(10, 10), h(10, 10), h(10, 10)];
    let mut live = currently(3, 3, &[Some(0), Some(0), Some(1)]);
    live.drain[0] = true;
    let p = live_problem(&ws, &hs, live.clone());
    for (method, key) in every_heuristic() {
        let s = solve(&p, &options(MethodChoice::Heuristic(method, key), Objective::Hosts)).unwrap();
        check_live(&p, &live, &s, Objective::Hosts);
        assert!(hosts_of(&s).iter().all(|&j| j.is_some() && j != Some(0)), "{method:?}: {:?}", s.placement);
        assert_eq!(s.forced_moves, vec![0, 1]);
        assert_eq!(s.moves, 2);
    }
    // a drain alone (nothing runs anywhere) is live too: host 0 takes nothing
    let mut live = Live::new(3, 3);
    live.drain[0] = true;
    let p = live_problem(&ws, &hs, live.clone());
    let s = solve(&p, &options(MethodChoice::Heuristic(Method::FirstFit, SortKey::Sum), Objective::Spread)).unwrap();
    check_live(&p, &live, &s, Objective::Spread);
    assert_eq!(hosts_of(&s), vec![Some(1), Some(1), Some(1)]);
}

#[test]
fn forced_moves_beyond_the_budget_are_left_out_and_still_count() {
    // three workloads on a drained host, a budget of two moves: the third (in FFD order: the smallest) stays out
    let ws = [w(3, 3), w(1, 1), w(2, 2)];
    let hs = [h(10, 10), h(10, 10)];
    let mut live = currently(3, 2, &[Some(0), Some(0), Some(0)]);
    live.drain[0] = true;
    live.max_moves = Some(2);
    let p = live_problem(&ws, &hs, live.clone());
    let s = solve(&p, &options(MethodChoice::Heuristic(Method::FirstFitDecreasing, SortKey::Sum), Objective::Hosts)).unwrap();
    check_live(&p, &live, &s, Objective::Hosts);
    assert_eq!(hosts_of(&s), vec![Some(1), None, Some(1)]);
    assert_eq!(s.moves, 3, "the eviction counts too");
    assert_eq!(s.forced_moves, vec![0, 1, 2]);
    // a cost budget the same way: costs 5, 1, 2 and at most 6 to spend: 5 and then 1 fit, 2 does not
    let mut live = live.clone();
    live.max_moves = None;
    live.max_move_cost = Some(6);
    live.move_cost = Some(vec![5, 1, 2]);
    let p = live_problem(&ws, &hs, live.clone());
    let s = solve(&p, &options(MethodChoice::Heuristic(Method::FirstFitDecreasing, SortKey::Sum), Objective::Hosts)).unwrap();
    assert_eq!(hosts_of(&s), vec![Some(1), None, None], "5 placed, then 2 (order of size) over, then 1 within");
    let _ = s;
}

#[test]
fn auto_with_no_budget_left_keeps_a_valid_placement_and_places_the_new_workloads() {
    let ws: Vec<_> = (0..12).map(|k| w(1 + k % 3, 1 + k % 2)).collect();
    let hs: Vec<_> = (0..6).map(|_| h(10, 10)).collect();
    // spread over all six hosts; the last two workloads are new
    let current: Vec<Option<u32>> = (0..12).map(|k| (k < 10).then_some(k as u32 % 6)).collect();
    let mut live = currently(12, 6, &current);
    live.max_moves = Some(0);
    let p = live_problem(&ws, &hs, live.clone());
    for objective in OBJECTIVES {
        let s = solve(&p, &options(MethodChoice::Auto, objective)).unwrap();
        check_live(&p, &live, &s, objective);
        assert_eq!(&hosts_of(&s)[..10], &current[..10], "{objective:?}");
        assert!(s.placement[10].is_some() && s.placement[11].is_some());
        assert_eq!(s.moves, 0);
    }
    // with budget, auto frees hosts; without, it packs as tight as greenfield
    live.max_moves = Some(4);
    let p = live_problem(&ws, &hs, live.clone());
    let budgeted = solve(&p, &options(MethodChoice::Auto, Objective::Hosts)).unwrap();
    check_live(&p, &live, &budgeted, Objective::Hosts);
    check_no_needless_move(&p, &live, &budgeted, Objective::Hosts);
    assert!(budgeted.hosts_used < 6 && budgeted.moves <= 4, "{budgeted:?}");
    live.max_moves = None;
    let p = live_problem(&ws, &hs, live.clone());
    let free = solve(&p, &options(MethodChoice::Auto, Objective::Hosts)).unwrap();
    check_live(&p, &live, &free, Objective::Hosts);
    check_no_needless_move(&p, &live, &free, Objective::Hosts);
    let greenfield = solve(&problem(&ws, &hs, Overheads::none(2)), &options(MethodChoice::Auto, Objective::Hosts)).unwrap();
    assert_eq!(free.hosts_used, greenfield.hosts_used);
    assert!(free.hosts_used <= budgeted.hosts_used);
}

#[test]
fn nothing_live_is_greenfield_plan_for_plan() {
    let mut rng = Rng::new(0x11fe);
    for _ in 0..60 {
        let p = random_problem(&mut rng);
        let live = Live::new(p.workload_count(), p.host_count());
        let q = p.clone().with_live(live).unwrap();
        assert!(q.live().is_none());
        for objective in OBJECTIVES {
            for choice in [MethodChoice::Heuristic(Method::BestFitDecreasing, SortKey::Sum), MethodChoice::Auto] {
                let a = solve(&p, &options(choice, objective)).unwrap();
                assert_eq!(a, solve(&q, &options(choice, objective)).unwrap());
                assert_eq!((a.moves, a.move_cost, a.pin_conflicts.len(), a.forced_moves.len()), (0, 0, 0, 0));
            }
        }
    }
}

#[test]
fn bad_live_parts_are_errors_naming_the_row_and_the_field() {
    let ws = [w(1, 1), w(1, 1)];
    let hs = [h(10, 10)];
    let base = problem(&ws, &hs, Overheads::none(2));
    let error = |live: Live| base.clone().with_live(live).unwrap_err().to_string();
    let mut live = currently(2, 1, &[Some(3), None]);
    assert!(error(live.clone()).contains("workload 0: current host 3 is out of range"));
    live.current_host = vec![Some(0), None];
    live.pinned = vec![false, true];
    assert!(error(live.clone()).contains("workload 1: pinned without a current host"));
    live.pinned = vec![true, false];
    live.drain = vec![true];
    assert!(error(live.clone()).contains("workload 0: pinned to host 0, which is drained"));
    live.drain = vec![true, false];
    assert!(error(live.clone()).contains("live drain: 2 entries, expected 1"));
    let mut live = currently(2, 1, &[Some(0), Some(0)]);
    live.move_cost = Some(vec![0, u64::MAX]);
    assert!(error(live).contains("workload 1: move_cost"));
    // all at once
    let mut live = currently(2, 1, &[Some(5), None]);
    live.pinned = vec![false, true];
    let message = error(live);
    assert!(message.contains("workload 0") && message.contains("workload 1"), "{message}");
}

// ---- random live fleets --------------------------------------------------------------------------------------------

/// A random live part for `p`: most workloads running somewhere (some in a given form), some pinned, some hosts
/// drained, move costs given or not, budgets or none.
fn random_live(p: &Problem, rng: &mut Rng) -> Live {
    let (n, m) = (p.workload_count(), p.host_count());
    let mut live = Live::new(n, m);
    if m == 0 {
        return live;
    }
    for j in 0..m {
        live.drain[j] = rng.chance(1, 6);
    }
    for i in 0..n {
        if rng.chance(2, 3) {
            let j = rng.range(0, m as u64 - 1) as u32;
            live.current_host[i] = Some(j);
            live.current_form[i] = rng.pick(&[None, None, Some(Form::Container), Some(Form::Vm)]);
            live.pinned[i] = !live.drain[j as usize] && rng.chance(1, 8);
        }
    }
    if rng.chance(1, 2) {
        live.move_cost = Some((0..n).map(|_| rng.range(0, 20)).collect());
    }
    if rng.chance(2, 3) {
        live.max_moves = Some(rng.range(0, n as u64 / 2 + 1));
    }
    if rng.chance(1, 3) {
        live.max_move_cost = Some(rng.range(0, 60) * if live.move_cost.is_some() { 1 } else { 1 << 20 });
    }
    live
}

#[test]
fn every_method_keeps_the_live_contract_on_random_live_fleets() {
    let mut rng = Rng::new(0x11fe_f1ee7);
    let (mut kept, mut forced, mut conflicts, mut evicted) = (0usize, 0usize, 0usize, 0usize);
    for case in 0..300 {
        let p0 = random_problem(&mut rng);
        let live = random_live(&p0, &mut rng);
        let Ok(p) = p0.with_live(live.clone()) else { panic!("case {case}: a valid live part") };
        if p.live().is_none() {
            continue;
        }
        for objective in OBJECTIVES {
            for (method, key) in every_heuristic() {
                let s = solve(&p, &options(MethodChoice::Heuristic(method, key), objective)).unwrap();
                check_live(&p, &live, &s, objective);
                let expected = ref_live(&p, &live, method, key, objective);
                assert_eq!(s.placement, expected, "case {case}: {method:?} {key:?} {objective:?}");
            }
            let s = solve(&p, &options(MethodChoice::Auto, objective)).unwrap();
            check_live(&p, &live, &s, objective);
            check_no_needless_move(&p, &live, &s, objective);
            assert_eq!(s, solve(&p, &options(MethodChoice::Auto, objective)).unwrap(), "case {case}: deterministic");
            let (_, _, f, c) = ref_keep(&p, &live);
            forced += f.len();
            conflicts += c.len();
            kept += (0..p.workload_count()).filter(|&i| live.current_host[i].is_some() && !moved(&live, i, s.placement[i])).count();
            evicted += (0..p.workload_count()).filter(|&i| live.current_host[i].is_some() && s.placement[i].is_none()).count();
        }
    }
    // the instances exercise every outcome
    assert!(kept > 0 && forced > 0 && conflicts > 0 && evicted > 0, "{kept} {forced} {conflicts} {evicted}");
}

#[test]
fn auto_never_loses_to_the_portfolio_on_random_live_fleets() {
    let mut rng = Rng::new(0xa070);
    for case in 0..150 {
        let p0 = random_problem(&mut rng);
        let live = random_live(&p0, &mut rng);
        let p = p0.with_live(live.clone()).unwrap();
        for objective in OBJECTIVES {
            let mut portfolio_only = options(MethodChoice::Auto, objective);
            portfolio_only.search_work = Some(0);
            let start = solve(&p, &portfolio_only).unwrap();
            let s = solve(&p, &options(MethodChoice::Auto, objective)).unwrap();
            let order = |x: &Solution| (std::cmp::Reverse(x.placed()), x.objective_value, x.move_cost);
            let (a, b) = (order(&s), order(&start));
            assert!(a.0 < b.0 || (a.0 == b.0 && (a.1 < b.1 - 1e-9 || (a.1 <= b.1 + 1e-9 && a.2 <= b.2))) || a == b,
                "case {case} {objective:?}: auto {a:?} worse than its start {b:?}");
        }
    }
}

#[test]
fn a_packed_fleet_is_not_moved_without_a_budget() {
    // four workloads packed two by two on hosts 2 and 3 of four alike hosts: as few hosts as greenfield, no move
    let ws = [w(5, 5), w(5, 5), w(5, 5), w(5, 5)];
    let hs: Vec<_> = (0..4).map(|_| h(10, 10)).collect();
    let live = currently(4, 4, &[Some(2), Some(3), Some(2), Some(3)]);
    let p = live_problem(&ws, &hs, live.clone());
    for objective in [Objective::Hosts, Objective::Cost] {
        let s = solve(&p, &options(MethodChoice::Auto, objective)).unwrap();
        check_live(&p, &live, &s, objective);
        assert_eq!(s.moves, 0, "{objective:?}: {:?}", s.placement);
    }
    // spread is better on all four hosts: two moves buy it
    let s = solve(&p, &options(MethodChoice::Auto, Objective::Spread)).unwrap();
    check_live(&p, &live, &s, Objective::Spread);
    check_no_needless_move(&p, &live, &s, Objective::Spread);
    assert_eq!((s.moves, s.hosts_used), (2, 4));
}

#[test]
fn a_plan_on_alike_hosts_is_matched_to_where_its_workloads_run() {
    let ws = [w(5, 5), w(5, 5), w(5, 5), w(5, 5), w(1, 1)];
    let hs = [h(10, 10), h(10, 10), h(10, 10), h(20, 20)];
    let live = currently(5, 4, &[Some(0), Some(0), Some(1), Some(1), Some(3)]);
    let p = live_problem(&ws, &hs, live);
    // the same groups on other hosts alike: matched back; host 3 is of another kind and keeps its contents
    let plan = vec![Some((2, Form::Container)), Some((2, Form::Container)), Some((0, Form::Container)), Some((0, Form::Container)), Some((3, Form::Container))];
    let matched = fleetpack_core::improve::live::relabel(&p, &plan);
    assert_eq!(matched.iter().map(|x| x.map(|(j, _)| j)).collect::<Vec<_>>(), vec![Some(0), Some(0), Some(1), Some(1), Some(3)]);
}

#[test]
fn auto_without_search_work_is_its_portfolio_on_a_live_fleet_without_a_budget() {
    // four alike hosts, one workload on each: every heuristic keeps them (4 hosts); planning from nothing would
    // pack them on 2. That plan is the search's (the contract's step 4), so with no search work `auto` is the
    // portfolio's best plan, as the Python reference runs it (tests/reference/test_agreement_live.py found this).
    let ws = [w(5, 5), w(5, 5), w(5, 5), w(5, 5)];
    let hs: Vec<_> = (0..4).map(|_| h(10, 10)).collect();
    let live = currently(4, 4, &[Some(0), Some(1), Some(2), Some(3)]);
    let p = live_problem(&ws, &hs, live.clone());
    for objective in OBJECTIVES {
        let mut portfolio_only = options(MethodChoice::Auto, objective);
        portfolio_only.search_work = Some(0);
        let s = solve(&p, &portfolio_only).unwrap();
        check_live(&p, &live, &s, objective);
        assert_eq!((s.moves, s.hosts_used), (0, 4), "{objective:?}: {} {:?}", s.strategy, s.placement);
        assert!(!s.strategy.contains('('), "{objective:?}: {}", s.strategy);
        // and with its search, the plan from nothing frees two hosts
        if objective != Objective::Spread {
            let s = solve(&p, &options(MethodChoice::Auto, objective)).unwrap();
            check_live(&p, &live, &s, objective);
            assert_eq!((s.moves, s.hosts_used), (2, 2), "{objective:?}: {} {:?}", s.strategy, s.placement);
        }
    }
}
