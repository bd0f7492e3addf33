//! fleetpack-core: place workloads onto hosts, each as a VM or as a container, and pack the fleet tight.
//!
//! This crate is pure Rust (no Python): the model and its rules ([`model`]), the arithmetic of effective demand and
//! feasibility ([`fit`]), the check for plain one-dimensional bin packing ([`plain`]), the classic heuristics
//! ([`heuristics`]), an improvement search ([`improve`]), lower bounds ([`bounds`], with the demand cone of [`cone`]) and the entry point [`solve`].
//! The Python package `fleetpack` drives it through a thin bindings crate, and its pure-Python baseline implements
//! the very same contract (see docs/model.md), assignment for assignment. No module depends on itself through
//! others (`tests/modules.rs`).

pub mod bounds;
pub mod cone;
pub mod error;
pub mod fit;
pub mod heuristics;
pub mod knapsack;
pub mod improve;
pub mod model;
pub mod plain;
pub mod solve;

pub use error::Error;
pub use model::{
    Form, FormSet, HostSpec, Hypervisor, Isolation, Objective, Overheads, Problem, SortKey, WorkloadSpec,
};
pub use solve::{solve, MethodChoice, Options, Solution};
