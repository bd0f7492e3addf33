//! The classic constructive heuristics: first fit, first fit decreasing, best fit decreasing, worst fit decreasing.
//!
//! The contract (shared with the Python baseline, written out in docs/model.md): workloads are taken in input order
//! (FF) or by decreasing size under a sort key, ties in input order; hosts are tried in an opening order that
//! depends on the objective; on a host, the container form is tried before the VM form.

mod greedy;
pub mod index;
mod order;
pub(crate) mod plain;

use std::str::FromStr;

pub use greedy::{run, run_reference, Placement};
pub use order::{opening_order, sort_value, workload_order};
pub use plain::{pack as pack_plain, usage as plain_usage, Plain};

use crate::error::Error;
use crate::model::Problem;

/// Whether `problem` is plain one-dimensional bin packing, which the heuristics solve with structures made for it
/// (same plans as the general indexes).
pub fn is_plain_bin_packing(problem: &Problem) -> bool {
    plain::Plain::detect(problem).is_some()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// First fit, in input order.
    FirstFit,
    /// First fit decreasing.
    FirstFitDecreasing,
    /// Best fit decreasing: the used host left with the least normalised free capacity, else a new host.
    BestFitDecreasing,
    /// Worst fit decreasing: the host left with the most normalised free capacity (spreads the load).
    WorstFitDecreasing,
}

impl Method {
    pub const ALL: [Method; 4] =
        [Method::FirstFit, Method::FirstFitDecreasing, Method::BestFitDecreasing, Method::WorstFitDecreasing];

    pub fn name(self) -> &'static str {
        match self {
            Method::FirstFit => "ff",
            Method::FirstFitDecreasing => "ffd",
            Method::BestFitDecreasing => "bfd",
            Method::WorstFitDecreasing => "wfd",
        }
    }
}

impl FromStr for Method {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Method::ALL
            .into_iter()
            .find(|m| m.name() == s)
            .ok_or_else(|| Error::UnknownName { what: "method", name: s.into() })
    }
}
