//! The harness of src/lib.rs as a cargo-fuzz (libFuzzer) target: coverage-guided inputs instead of seeded random
//! ones. `RUSTC_BOOTSTRAP=1 cargo fuzz run core --features libfuzzer` (README.md).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut stats = fleetpack_fuzz::Stats::default();
    if let Err(what) = fleetpack_fuzz::check_case_within(data, &mut stats, 20_000) {
        panic!("{what}");
    }
});
