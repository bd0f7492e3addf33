//! Time one heuristic on a seeded fleet like `benches/columns.py` (2-D, three host shapes, 25% spare hosts), in
//! the core alone: `cargo run --release --example scale -- N METHOD [reference]`. For profiling (perf, callgrind)
//! without Python; `reference` also runs the plain scan and checks that the plans agree.

use std::time::Instant;

use fleetpack_core::heuristics::{run, run_reference, Method};
use fleetpack_core::{solve, HostSpec, MethodChoice, Objective, Options, Overheads, Problem, SortKey, WorkloadSpec};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("1d") {
        return one_dimension(args.get(2).and_then(|a| a.parse().ok()).unwrap_or(100_000));
    }
    let n: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let method = match args.get(2).map(String::as_str).unwrap_or("bfd") {
        "ff" => Method::FirstFit,
        "ffd" => Method::FirstFitDecreasing,
        "wfd" => Method::WorstFitDecreasing,
        _ => Method::BestFitDecreasing,
    };
    let mut state = 0x5EED_u64;
    let mut next = move |k: u64| {
        // splitmix64
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % k
    };
    let workloads: Vec<WorkloadSpec> =
        (0..n).map(|_| WorkloadSpec::new(vec![(1 + next(32)) * 250, (1 + next(64)) << 29])).collect();
    let shapes = [[64_000u64, 256 << 30], [32_000, 128 << 30], [96_000, 768 << 30]];
    let m = (n as f64 / 15.0 * 1.25) as usize;
    let hosts: Vec<HostSpec> = (0..m.max(3)).map(|j| HostSpec::new(shapes[j % 3].to_vec())).collect();
    let problem = Problem::from_rows(2, &workloads, &hosts, Overheads::defaults(2)).expect("valid");
    let start = Instant::now();
    let (fleet, placement) = run(&problem, method, SortKey::Sum, Objective::Hosts, &|| false);
    println!("{n} {method:?}: {:.3} s, {} hosts", start.elapsed().as_secs_f64(), fleet.hosts_used());
    let start = Instant::now();
    let solution = solve(&problem, &Options::new(MethodChoice::Heuristic(method, SortKey::Sum), Objective::Hosts));
    let bound = solution.expect("solves").lower_bound;
    println!("whole solve (with the bound {bound}): {:.3} s", start.elapsed().as_secs_f64());
    if args.get(3).map(String::as_str) == Some("reference") {
        let start = Instant::now();
        let (_, scanned) = run_reference(&problem, method, SortKey::Sum, Objective::Hosts);
        println!("reference: {:.3} s, same plan: {}", start.elapsed().as_secs_f64(), scanned == placement);
    }
}

/// `scale 1d N`: N items of sizes 20-100 into bins of 150 (plain bin packing), each method alone and the whole
/// solve (with its lower bound).
fn one_dimension(n: usize) {
    let workloads: Vec<WorkloadSpec> =
        (0..n).map(|i| WorkloadSpec::new(vec![0, 20 + (i as u64 * 7919) % 81])).collect();
    let total: u64 = workloads.iter().map(|w| w.demand[1]).sum();
    let hosts: Vec<HostSpec> = (0..total / 150 * 6 / 5 + 10).map(|_| HostSpec::new(vec![0, 150])).collect();
    let least = |f: &mut dyn FnMut()| {
        (0..10)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min)
    };
    let problem = Problem::from_rows(2, &workloads, &hosts, Overheads::none(2)).expect("valid");
    let building = least(&mut || {
        Problem::from_rows(2, &workloads, &hosts, Overheads::none(2)).expect("valid");
    });
    println!("problem from rows: {building:.4} s (least of 10)");
    let (w, h) = (problem.workloads().clone(), problem.hosts().clone());
    let from_columns = least(&mut || {
        Problem::new(2, w.clone(), h.clone(), Overheads::none(2)).expect("valid");
    });
    let cloning = least(&mut || {
        std::hint::black_box((w.clone(), h.clone()));
    });
    println!("problem from columns (with cloning them): {from_columns:.4} s, of which cloning {cloning:.4} s");
    let bound = least(&mut || {
        std::hint::black_box(fleetpack_core::bounds::lower_bound(&problem, Objective::Hosts, n));
    });
    println!("lower bound: {bound:.4} s");
    let detect = least(&mut || {
        std::hint::black_box(fleetpack_core::plain::Plain::detect(&problem));
    });
    println!("recognising plain bin packing: {detect:.5} s");
    for method in [Method::FirstFitDecreasing, Method::BestFitDecreasing] {
        let (fleet, _) = run(&problem, method, SortKey::Sum, Objective::Hosts, &|| false);
        let alone = least(&mut || {
            run(&problem, method, SortKey::Sum, Objective::Hosts, &|| false);
        });
        let options = Options::new(MethodChoice::Heuristic(method, SortKey::Sum), Objective::Hosts);
        let whole = least(&mut || {
            solve(&problem, &options).expect("solves");
        });
        println!("{method:?}: run {alone:.4} s, solve (with the bound) {whole:.4} s, {} bins", fleet.hosts_used());
    }
}
