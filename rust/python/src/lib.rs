//! `fleetpack._core`: the bindings of fleetpack-core, the Python functions alone. [`convert`] turns Python inputs
//! into owned Rust values and solutions back into dicts; [`door`] runs the core without the GIL, with Ctrl-C,
//! panics and the core's errors mapped to Python exceptions in one place.

mod convert;
mod door;

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use fleetpack_core::Objective;

use convert::{problem_from_arrays, solution_dict, Arguments};
use door::{run_detached, to_py_err, Expected};

/// The extension's Rust allocations come from mimalloc (its version 2), which keeps freed memory for the next
/// solve instead of taking fresh pages each time; docs/performance.md has the measurements behind the choice.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// place(arrays, method, sort_key, objective, time_limit=None, seed=0, search_work=None) -> dict
///
/// `arrays` is `Problem.encode()`. `seed` and `search_work` steer `auto`'s improvement search: its seed, and its
/// budget in work units (None: the default without a time limit, else what the time limit leaves; 0: off). The
/// result holds `host_index` (int64, -1 when unplaced), `form_codes` (uint8: 0 container, 1 VM, 255 unplaced),
/// `used` (uint64, hosts × dimensions, overheads included), `strategy`, `objective_value`, `lower_bound`,
/// `hosts_used`, `cost` (of the hosts used), `moves` and `move_cost` (of a live fleet's plan; 0 otherwise),
/// `pin_conflicts` and `forced_moves` (int64 workload rows; empty otherwise) and `elapsed` (seconds the core took to
/// solve, conversions aside). The live keys of `arrays` are optional (absent: greenfield). python/fleetpack/_core.pyi
/// types them.
#[pyfunction]
#[pyo3(signature = (arrays, method, sort_key, objective, time_limit=None, seed=0, search_work=None))]
#[allow(clippy::too_many_arguments)]
fn place<'py>(
    py: Python<'py>,
    arrays: Bound<'py, PyDict>,
    method: String,
    sort_key: String,
    objective: String,
    time_limit: Option<f64>,
    seed: u64,
    search_work: Option<u64>,
) -> PyResult<Bound<'py, PyDict>> {
    let job = Arguments { arrays, method, sort_key, objective, time_limit, seed, search_work }.job()?;
    let (job, solution, elapsed) = door::solve_one(py, job)?;
    solution_dict(py, &job.problem, solution, elapsed)
}

/// lower_bound(arrays, objective, placed) -> float
///
/// The bound `place` reports, for any count: a lower bound on the objective of every plan of `arrays`
/// (`Problem.encode()`) that places at least `placed` workloads. The exact solver needs it when its plan places
/// more workloads than the heuristics' plan did.
#[pyfunction]
fn lower_bound(py: Python<'_>, arrays: &Bound<'_, PyDict>, objective: &str, placed: usize) -> PyResult<f64> {
    let problem = problem_from_arrays(arrays)?;
    let objective = objective.parse::<Objective>().map_err(to_py_err)?;
    let cancel = Arc::new(AtomicBool::new(false));
    run_detached(py, &cancel, Expected::Quick, || fleetpack_core::bounds::lower_bound(&problem, objective, placed))
}

/// knapsack(sizes, values, caps, room, relaxed=False) -> (float, numpy.ndarray)
///
/// The pricing of the capacity planner's column generation, exactly (fleetpack_core::knapsack): `sizes` (uint64,
/// items x 2, whole units; a one-dimensional knapsack has room 0 and sizes 0 in the first), `values` (float64,
/// >= 0), `caps` (uint64, copies at most), `room` (two whole numbers). The best value within the room and the
/// copies of each item (uint64) that reach it; with `relaxed`, a cap binds only when it is 0 or the size is zero.
#[pyfunction]
#[pyo3(signature = (sizes, values, caps, room, relaxed=false))]
fn knapsack<'py>(
    py: Python<'py>,
    sizes: PyReadonlyArray2<'py, u64>,
    values: PyReadonlyArray1<'py, f64>,
    caps: PyReadonlyArray1<'py, u64>,
    room: (u64, u64),
    relaxed: bool,
) -> PyResult<(f64, Bound<'py, PyArray1<u64>>)> {
    let shape = sizes.shape();
    if shape[1] != 2 {
        return Err(PyValueError::new_err(format!("knapsack: sizes must be items x 2, got {shape:?}")));
    }
    let flat = sizes.as_array();
    let sizes: Vec<[u64; 2]> = flat.rows().into_iter().map(|row| [row[0], row[1]]).collect();
    let values = values.as_array().to_vec();
    let caps = caps.as_array().to_vec();
    let cancel = Arc::new(AtomicBool::new(false));
    let found = run_detached(py, &cancel, Expected::Quick, || {
        fleetpack_core::knapsack::best_pattern(&sizes, &values, &caps, [room.0, room.1], relaxed)
    })?
    .map_err(to_py_err)?;
    Ok((found.value, found.copies.into_pyarray(py)))
}

/// place_many(jobs, workers) -> list of dicts
///
/// `jobs` is a list of `(arrays, method, sort_key, objective, time_limit, seed, search_work)` (see `place`); they
/// are solved on `workers` threads (all converted first, then solved without the GIL) and returned in order, as
/// `place` returns them.
#[pyfunction]
fn place_many<'py>(
    py: Python<'py>,
    jobs: Vec<Bound<'py, PyTuple>>,
    workers: usize,
) -> PyResult<Vec<Bound<'py, PyDict>>> {
    let jobs = jobs
        .iter()
        .map(|job| Arguments::from_tuple(job)?.job())
        .collect::<PyResult<Vec<_>>>()?;
    door::solve_many(py, jobs, workers)?
        .into_iter()
        .map(|(job, solution, elapsed)| solution_dict(py, &job.problem, solution, elapsed))
        .collect()
}

/// _panic_for_tests(message, quick=False): panics inside the door (on this thread when `quick`, as a quick solve
/// runs, else on a worker thread), to prove that a panic in the core comes back as RuntimeError and never aborts
/// the interpreter. Not part of the API.
#[pyfunction]
#[pyo3(signature = (message, quick=false))]
fn _panic_for_tests(py: Python<'_>, message: String, quick: bool) -> PyResult<()> {
    let cancel = Arc::new(AtomicBool::new(false));
    let expected = if quick { Expected::Quick } else { Expected::Long };
    run_detached(py, &cancel, expected, move || -> () { panic!("{message}") })
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(place, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_tests, m)?)?;
    m.add_function(wrap_pyfunction!(place_many, m)?)?;
    m.add_function(wrap_pyfunction!(lower_bound, m)?)?;
    m.add_function(wrap_pyfunction!(knapsack, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
