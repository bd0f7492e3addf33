//! The stable driver of the harness (src/lib.rs): seeded random byte strings as cases, for a number of cases or a
//! time budget. Usage (see README.md): `cargo run --release -- [--seconds S] [--cases N] [--seed K]`. A failing case
//! prints its seed and case number; `--seed K --only C` replays it, `--file PATH` replays an input file.

use std::panic::{self, AssertUnwindSafe};
use std::time::Instant;

use fleetpack_fuzz::{check_case, Stats};

/// xorshift64*: the case bytes from (seed, case number).
fn case_bytes(seed: u64, case: u64) -> Vec<u8> {
    let mut x = (seed ^ case.wrapping_mul(0x9E37_79B9_7F4A_7C15)).wrapping_mul(0xD1B5_4A32_D192_ED03) | 1;
    let mut next = || {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    let len = match next() % 8 {
        0 => next() % 16,
        1..=5 => next() % 512,
        _ => next() % 8192,
    } as usize;
    (0..len).map(|_| (next() >> 56) as u8).collect()
}

fn main() {
    let mut seconds: Option<f64> = None;
    let mut cases: Option<u64> = None;
    let mut seed = 1u64;
    let mut only: Option<u64> = None;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--seconds" => seconds = Some(value.parse().expect("--seconds S")),
            "--cases" => cases = Some(value.parse().expect("--cases N")),
            "--seed" => seed = value.parse().expect("--seed K"),
            "--only" => only = Some(value.parse().expect("--only C")),
            "--file" => {
                // replay one input, e.g. a libFuzzer artifact
                let data = std::fs::read(value).expect("--file PATH: a readable file");
                let mut stats = Stats::default();
                let start = Instant::now();
                let outcome = check_case(&data, &mut stats);
                println!("{} bytes in {:.2} s: {outcome:?}", data.len(), start.elapsed().as_secs_f64());
                std::process::exit(i32::from(outcome.is_err()));
            }
            _ => panic!("unknown flag {flag}; use --seconds S, --cases N, --seed K, --only C, --file PATH"),
        }
    }
    if seconds.is_none() && cases.is_none() && only.is_none() {
        cases = Some(10_000);
    }
    // quiet panics: the harness reports them itself
    panic::set_hook(Box::new(|_| {}));
    let start = Instant::now();
    let mut stats = Stats::default();
    let range: Box<dyn Iterator<Item = u64>> = match only {
        Some(c) => Box::new(c..=c),
        None => Box::new(0..),
    };
    for case in range {
        if cases.is_some_and(|n| case >= n) || seconds.is_some_and(|s| start.elapsed().as_secs_f64() >= s) {
            break;
        }
        let data = case_bytes(seed, case);
        stats.cases += 1;
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| check_case(&data, &mut stats)));
        let failure = match outcome {
            Ok(Ok(())) => None,
            Ok(Err(what)) => Some(what),
            Err(panic) => Some(format!(
                "panic: {}",
                panic.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| panic.downcast_ref::<String>().cloned()).unwrap_or_default()
            )),
        };
        if let Some(what) = failure {
            stats.failures += 1;
            println!("FAIL seed {seed} case {case} ({} bytes): {what}", data.len());
            if stats.failures >= 20 {
                break;
            }
        }
    }
    println!(
        "{} cases in {:.1} s: {} problems rejected by Problem::new, {} accepted, {} solves checked \
         ({} workloads placed, {} left out); {} failures",
        stats.cases,
        start.elapsed().as_secs_f64(),
        stats.rejected,
        stats.problems,
        stats.solves,
        stats.placed,
        stats.left_out,
        stats.failures
    );
    std::process::exit(i32::from(stats.failures > 0));
}
