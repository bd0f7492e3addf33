//! Overcommit and headroom (issue 16): allocation ratios per host and dimension, workloads that may not be
//! overcommitted, a usable share per dimension. The rule is restated here from the problem's columns (with
//! `common::usage` for the physical usage) and every method, `auto` and the bounds are checked against it.

mod common;

use common::*;
use fleetpack_core::model::{Form, Overbook};
use fleetpack_core::{bounds, solve, MethodChoice, Objective, Options, Problem, SortKey};
use fleetpack_core::heuristics::Method;

const PPM: u128 = 1_000_000;

fn random_overbook(rng: &mut Rng, p: &Problem) -> Overbook {
    let (n, m, dims) = (p.workload_count(), p.host_count(), p.dims());
    let ratios = [1_000_000, 1_000_000, 1_500_000, 2_000_000, 4_000_000];
    let ratio = (0..m * dims).map(|_| ratios[rng.range(0, ratios.len() as u64 - 1) as usize]).collect();
    let overcommit = (0..n).map(|_| rng.chance(3, 4)).collect();
    let usable = (0..dims).map(|_| if rng.chance(1, 2) { 1_000_000 } else { 800_000 }).collect();
    Overbook::new(ratio, overcommit, usable)
}

/// The broken room rules of `placement` under `ob`, in words: per host and dimension, `O <= floor((U - Q) r)` with
/// `U = floor(capacity u)`, `Q` the usage of the per-host overheads and the workloads that may not be overcommitted,
/// and no workload above the capacity.
fn room_violations(p: &Problem, ob: &Overbook, placement: &Placement) -> Vec<String> {
    let used = usage(p, placement);
    let dims = p.dims();
    let mut over = vec![vec![0u128; dims]; p.host_count()];
    let mut out = Vec::new();
    for (i, place) in placement.iter().enumerate() {
        let Some((j, form)) = *place else { continue };
        let j = j as usize;
        for d in 0..dims {
            let e = effective_demand(p, i, j, form, d);
            if e > p.capacity(j)[d] as u128 {
                out.push(format!("workload {i} above host {j}'s capacity in {d}"));
            }
            if ob.overcommit[i] {
                over[j][d] += e;
            }
        }
    }
    for j in 0..p.host_count() {
        for d in 0..dims {
            let usable = p.capacity(j)[d] as u128 * ob.usable_ppm[d] as u128 / PPM;
            let physical = usable as i128 - (used[j][d] - over[j][d]) as i128;
            let r = ob.ratio_ppm[j * dims + d] as i128;
            let room = if physical < 0 { -1 } else { physical * r / PPM as i128 };
            if (over[j][d] as i128) > room {
                out.push(format!("host {j} dimension {d}: {} at ratio over room {room}", over[j][d]));
            }
        }
    }
    out
}

fn checked(p: &Problem, ob: &Overbook, choice: MethodChoice, objective: Objective) -> Vec<Option<(u32, Form)>> {
    let s = solve(p, &Options::new(choice, objective)).expect("solve");
    let broken = room_violations(p, ob, &s.placement);
    assert!(broken.is_empty(), "{choice:?} {objective:?}: {broken:?}");
    s.placement
}

#[test]
fn every_method_and_auto_keep_the_rooms_at_ratio() {
    let mut rng = Rng::new(44);
    for _ in 0..120 {
        let base = random_problem(&mut rng);
        if base.host_count() == 0 {
            continue;
        }
        let ob = random_overbook(&mut rng, &base);
        let p = base.clone().with_overbook(ob.clone()).expect("a valid part");
        for objective in OBJECTIVES {
            for method in Method::ALL {
                checked(&p, &ob, MethodChoice::Heuristic(method, SortKey::Sum), objective);
            }
            let placement = checked(&p, &ob, MethodChoice::Auto, objective);
            // the bound of the hosts grown by their ratios holds for the plan (hosts)
            if objective == Objective::Hosts {
                let used = placement.iter().flatten().map(|&(j, _)| j).collect::<std::collections::HashSet<_>>();
                let bound = bounds::lower_bound(&p, objective, placement.iter().flatten().count());
                assert!(bound <= used.len() as f64 + 1e-9, "bound {bound} above {} hosts", used.len());
            }
        }
    }
}

#[test]
fn ratio_one_everywhere_is_dropped_and_a_ratio_places_more() {
    let hosts = [h(4000, 8 << 30), h(4000, 8 << 30)];
    let workloads: Vec<_> = (0..8).map(|_| w(1000, 1 << 30)).collect();
    let p = problem(&workloads, &hosts, fleetpack_core::Overheads::none(2));
    let ones = Overbook::new(vec![1_000_000; 4], vec![false; 8], vec![1_000_000; 2]);
    assert!(p.clone().with_overbook(ones).expect("valid").overbook().is_none());
    let four = Overbook::new(vec![4_000_000, 1_000_000, 4_000_000, 1_000_000], vec![true; 8], vec![1_000_000; 2]);
    let q = p.clone().with_overbook(four.clone()).expect("valid");
    let s = checked(&q, &four, MethodChoice::Heuristic(Method::FirstFitDecreasing, SortKey::Sum), Objective::Hosts);
    // 8 cpu of demand on one host of 4 cpu at ratio 4:1 (16 cpu of room), memory 8 of 8
    assert!(s.iter().all(|x| x.is_some_and(|(j, _)| j == 0)), "{s:?}");
    // headroom of half the cpu: 8 of room at ratio 4 on each host; a workload that may not be overcommitted takes
    // 1 of the 2 physical, leaving 4 at ratio
    let mut half = four.clone();
    half.usable_ppm = vec![500_000, 1_000_000];
    half.overcommit[0] = false;
    let q = p.with_overbook(half.clone()).expect("valid");
    let s = checked(&q, &half, MethodChoice::Heuristic(Method::FirstFitDecreasing, SortKey::Sum), Objective::Hosts);
    assert_eq!(s.iter().flatten().count(), 8);
}

#[test]
fn bad_parts_are_refused() {
    let p = problem(&[w(1, 1)], &[h(4, 4)], fleetpack_core::Overheads::none(2));
    let low = Overbook::new(vec![999_999, 1_000_000], vec![true], vec![1_000_000; 2]);
    assert!(p.clone().with_overbook(low).is_err());
    let none = Overbook::new(vec![1_000_000; 2], vec![true], vec![0, 1_000_000]);
    assert!(p.clone().with_overbook(none).is_err());
    let short = Overbook::new(vec![1_000_000], vec![true], vec![1_000_000; 2]);
    assert!(p.with_overbook(short).is_err());
}
