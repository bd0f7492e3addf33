//! The classic constructive heuristics: first fit, first fit decreasing, best fit decreasing, worst fit decreasing.
//!
//! The contract (shared with the Python baseline, written out in docs/model.md): workloads are taken in input order
//! (FF) or by decreasing size under a sort key, ties in input order; hosts are tried in an opening order that
//! depends on the objective; on a host, the container form is tried before the VM form.
//!
//! The modules below import each other by their own paths (never through this one's re-exports), so that the
//! module graph has no circle (`rust/core/tests/modules.rs`).

mod greedy;
pub mod index;
pub mod live;
mod method;
mod order;
pub mod plain;
pub mod unit;

pub use greedy::run_reference;
pub use method::Method;
pub use order::{opening_order, sort_value, workload_order};

use crate::fit::HostStates;
use crate::model::{Objective, Placement, Problem, SortKey};
use crate::plain::Plain;

/// Run `method` once; returns the hosts' final state and, per workload in input order, its host and form.
/// `stop` is asked every few thousand workloads; when it says so, the run ends early with what it has placed.
/// Plain one-dimensional bin packing goes to [`plain::run`], the rest to [`greedy::run`]: the same plans.
pub fn run<'p>(
    problem: &'p Problem,
    method: Method,
    key: SortKey,
    objective: Objective,
    stop: &dyn Fn() -> bool,
) -> (HostStates<'p>, Placement) {
    if problem.live().is_some() {
        return live::run(problem, method, key, objective, stop);
    }
    match Plain::detect(problem) {
        Some(plain) => plain::run(problem, &plain, method, key, objective, stop),
        None => greedy::run(problem, method, key, objective, stop),
    }
}
