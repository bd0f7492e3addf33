//! `fleetpack._core`: the bindings of fleetpack-core. They convert Python inputs into owned Rust values, release
//! the GIL while the core works, and map the core's errors to Python exceptions in one place.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use fleetpack_core::model::{Hosts, Hypervisor, Isolation, Overheads, Problem, Workloads};
use fleetpack_core::{solve, Error, FormSet, MethodChoice, Objective, Options, Solution};
use numpy::{Element, IntoPyArray, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::exceptions::{PyKeyboardInterrupt, PyKeyError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

/// The extension's Rust allocations come from mimalloc (its version 2), which keeps freed memory for the next
/// solve. With the system allocator each solve took its large vectors from fresh pages, about 1,900 page faults
/// per 100k-item bin packing (`benches/peers_1d.py`, a third of its time); mimalloc's version 3 raised the peak
/// memory of a 1M-workload solve from 183 to 193 MB (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The one place where core errors become Python exceptions.
fn to_py_err(error: Error) -> PyErr {
    match error {
        Error::Interrupted => PyKeyboardInterrupt::new_err("fleetpack solve interrupted"),
        other => PyValueError::new_err(other.to_string()),
    }
}

fn field<'py>(arrays: &Bound<'py, PyDict>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    arrays.get_item(name)?.ok_or_else(|| PyKeyError::new_err(format!("problem arrays lack {name:?}")))
}

fn column<T: Element + Copy>(arrays: &Bound<'_, PyDict>, name: &str) -> PyResult<Vec<T>> {
    let array: PyReadonlyArray1<T> = field(arrays, name)?.extract().map_err(|e| {
        PyValueError::new_err(format!("problem array {name:?}: {e}"))
    })?;
    // one copy into memory the core owns (a memcpy when the array is contiguous)
    Ok(match array.as_slice() {
        Ok(slice) => slice.to_vec(),
        Err(_) => array.as_array().iter().copied().collect(),
    })
}

/// Sizes as a row-major vector, with their number of dimensions: a 2-D array (rows × dimensions), or a tuple of
/// 1-D columns, one per dimension (the columnar path's, interleaved here instead of stacked by numpy first).
fn matrix(arrays: &Bound<'_, PyDict>, name: &str) -> PyResult<(Vec<u64>, usize)> {
    let value = field(arrays, name)?;
    let bad = |e: &dyn std::fmt::Display| PyValueError::new_err(format!("problem array {name:?}: {e}"));
    if let Ok(columns) = value.cast::<PyTuple>() {
        let columns: Vec<PyReadonlyArray1<u64>> = columns.extract().map_err(|e| bad(&e))?;
        let dims = columns.len();
        let rows = columns.first().map_or(0, |c| c.len());
        if columns.iter().any(|c| c.len() != rows) {
            return Err(PyValueError::new_err(format!("problem array {name:?}: columns of different lengths")));
        }
        let mut out = vec![0u64; rows * dims];
        for (d, column) in columns.iter().enumerate() {
            let column = column.as_array();
            for (slot, &v) in out.iter_mut().skip(d).step_by(dims).zip(column.iter()) {
                *slot = v;
            }
        }
        return Ok((out, dims));
    }
    let array: PyReadonlyArray2<u64> = value.extract().map_err(|e| bad(&e))?;
    let columns = array.shape()[1];
    Ok(match array.as_slice() {
        Ok(slice) => (slice.to_vec(), columns),
        Err(_) => (array.as_array().iter().copied().collect(), columns),
    })
}

fn invalid(what: &str, index: usize, value: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(format!("{what} {index}: invalid code {value}"))
}

/// Convert the arrays of `Problem.encode()` into a core problem.
fn problem_from_arrays(arrays: &Bound<'_, PyDict>) -> PyResult<Problem> {
    let (demand, dims_w) = matrix(arrays, "demand")?;
    let (capacity, dims_h) = matrix(arrays, "capacity")?;
    let dims = dims_w.max(dims_h);
    let forms = column::<u8>(arrays, "allowed")?
        .into_iter()
        .enumerate()
        .map(|(i, bits)| FormSet::from_bits(bits).ok_or_else(|| invalid("workload form", i, bits)))
        .collect::<PyResult<Vec<_>>>()?;
    let isolation = column::<u8>(arrays, "isolation")?
        .into_iter()
        .enumerate()
        .map(|(i, code)| match code {
            0 => Ok(Isolation::None),
            1 => Ok(Isolation::Tenant),
            2 => Ok(Isolation::Dedicated),
            _ => Err(invalid("workload isolation", i, code)),
        })
        .collect::<PyResult<Vec<_>>>()?;
    let group = column::<u32>(arrays, "group")?.into_iter().map(|g| g.checked_sub(1)).collect();
    let hypervisor = column::<u8>(arrays, "hypervisor")?
        .into_iter()
        .enumerate()
        .map(|(j, code)| match code {
            0 => Ok(None),
            1 => Ok(Some(Hypervisor::Hardware)),
            2 => Ok(Some(Hypervisor::Paravirtual)),
            3 => Ok(Some(Hypervisor::Software)),
            _ => Err(invalid("host hypervisor", j, code)),
        })
        .collect::<PyResult<Vec<_>>>()?;
    let max_workloads = column::<u64>(arrays, "max_workloads")?
        .into_iter()
        .map(|cap| (cap != u64::MAX).then_some(cap))
        .collect();
    let factors = column::<u64>(arrays, "factor_ppm")?;
    let vm_cpu_factor_ppm: [u64; 3] =
        factors.try_into().map_err(|_| PyValueError::new_err("factor_ppm: expected 3 factors"))?;
    let workloads = Workloads {
        demand,
        forms,
        os: column(arrays, "w_os")?,
        tenant: column(arrays, "tenant")?,
        isolation,
        group,
    };
    let hosts = Hosts {
        capacity,
        os: column(arrays, "h_os")?,
        hypervisor,
        containers: column(arrays, "containers")?,
        cost: column(arrays, "cost")?,
        max_workloads,
    };
    let overheads = Overheads {
        vm: column(arrays, "vm")?,
        container: column(arrays, "container")?,
        hypervisor: column(arrays, "hypervisor_overhead")?,
        container_runtime: column(arrays, "runtime_overhead")?,
        vm_cpu_factor_ppm,
    };
    Problem::new(dims, workloads, hosts, overheads).map_err(to_py_err)
}

/// How long a piece of work is expected to take, which decides how the door runs it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Expected {
    /// Milliseconds at most (one heuristic on a problem of at most [`QUICK_WORKLOADS`] workloads): run on this
    /// thread, still without the GIL. Starting a worker thread and handing the result back cost more than such a
    /// solve (about 0.15 ms of 0.7 ms for plain bin packing of 10k items); Ctrl-C takes effect when it returns.
    Quick,
    /// Anything longer: on a worker thread, while this thread watches for Ctrl-C.
    Long,
}

/// One heuristic on at most this many workloads is [`Expected::Quick`] (tens of milliseconds at most).
const QUICK_WORKLOADS: usize = 50_000;

/// A panic caught in the core, as the exception Python sees.
fn panic_error(panic: Box<dyn std::any::Any + Send>) -> PyErr {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    PyRuntimeError::new_err(format!("fleetpack internal error (please report it): {what}"))
}

/// The one door through which the bindings run the core: without the GIL, and for work not [`Expected::Quick`] on
/// a worker thread, while this thread looks at Python's signals every 50 ms. Ctrl-C sets `cancel`, which the core
/// notices within a few thousand placements, and comes back as KeyboardInterrupt; a panic in the core comes back as
/// RuntimeError, never as an abort of the interpreter.
fn run_detached<T: Send>(
    py: Python<'_>,
    cancel: &Arc<AtomicBool>,
    expected: Expected,
    work: impl FnOnce() -> T + Send,
) -> PyResult<T> {
    if expected == Expected::Quick {
        return py.detach(|| std::panic::catch_unwind(std::panic::AssertUnwindSafe(work))).map_err(panic_error);
    }
    // set (and notified) when the worker is done, even when it panics
    let done = (Mutex::new(false), Condvar::new());
    struct Signal<'a>(&'a (Mutex<bool>, Condvar));
    impl Drop for Signal<'_> {
        fn drop(&mut self) {
            *self.0 .0.lock().unwrap_or_else(|e| e.into_inner()) = true;
            self.0 .1.notify_all();
        }
    }
    std::thread::scope(|scope| {
        let worker = scope.spawn(|| {
            let _signal = Signal(&done);
            work()
        });
        loop {
            let ended = py.detach(|| {
                let (flag, condvar) = &done;
                let guard = flag.lock().unwrap_or_else(|e| e.into_inner());
                let (guard, _) = condvar
                    .wait_timeout_while(guard, Duration::from_millis(50), |finished| !*finished)
                    .unwrap_or_else(|e| e.into_inner());
                *guard
            });
            if ended {
                return worker.join().map_err(panic_error);
            }
            if let Err(signal) = py.check_signals() {
                cancel.store(true, Ordering::Relaxed);
                let _ = worker.join();
                return Err(signal);
            }
        }
    })
}

/// Options for one solve, from Python's arguments.
fn options(
    method: &str,
    sort_key: &str,
    objective: &str,
    time_limit: Option<f64>,
    seed: u64,
    search_work: Option<u64>,
) -> PyResult<Options> {
    let mut options = Options::new(
        MethodChoice::parse(method, sort_key).map_err(to_py_err)?,
        objective.parse::<Objective>().map_err(to_py_err)?,
    );
    options.seed = seed;
    options.search_work = search_work;
    if let Some(seconds) = time_limit {
        options.time_limit = Some(
            Duration::try_from_secs_f64(seconds)
                .map_err(|_| PyValueError::new_err(format!("time_limit: invalid duration {seconds}")))?,
        );
    }
    Ok(options)
}

/// A solution as a dict of numpy arrays and numbers.
fn solution_dict<'py>(
    py: Python<'py>,
    problem: &Problem,
    solution: Solution,
    elapsed: Duration,
) -> PyResult<Bound<'py, PyDict>> {
    let n = solution.placement.len();
    let mut hosts = Vec::with_capacity(n);
    let mut forms = Vec::with_capacity(n);
    for slot in &solution.placement {
        match slot {
            Some((j, form)) => {
                hosts.push(i64::from(*j));
                forms.push(*form as u8);
            }
            None => {
                hosts.push(-1);
                forms.push(u8::MAX);
            }
        }
    }
    let out = PyDict::new(py);
    out.set_item("host_index", hosts.into_pyarray(py))?;
    out.set_item("form_codes", forms.into_pyarray(py))?;
    let used = solution.used.into_pyarray(py).reshape([problem.host_count(), problem.dims()])?;
    out.set_item("used", used)?;
    out.set_item("strategy", solution.strategy)?;
    out.set_item("objective_value", solution.objective_value)?;
    out.set_item("lower_bound", solution.lower_bound)?;
    out.set_item("hosts_used", solution.hosts_used)?;
    out.set_item("cost", solution.cost)?;
    out.set_item("elapsed", elapsed.as_secs_f64())?;
    Ok(out)
}

/// place(arrays, method, sort_key, objective, time_limit=None, seed=0, search_work=None) -> dict
///
/// `arrays` is `Problem.encode()`. `seed` and `search_work` steer `auto`'s improvement search: its seed, and its
/// budget in work units (None: the default without a time limit, else what the time limit leaves; 0: off). The result holds `host_index` (int64, -1 when unplaced), `form_codes` (uint8:
/// 0 container, 1 VM, 255 unplaced), `used` (uint64, hosts × dimensions, overheads included), `strategy`,
/// `objective_value`, `lower_bound`, `hosts_used`, `cost` (of the hosts used) and `elapsed` (seconds the core took to solve, conversions aside).
#[pyfunction]
#[pyo3(signature = (arrays, method, sort_key, objective, time_limit=None, seed=0, search_work=None))]
#[allow(clippy::too_many_arguments)]
fn place<'py>(
    py: Python<'py>,
    arrays: &Bound<'py, PyDict>,
    method: &str,
    sort_key: &str,
    objective: &str,
    time_limit: Option<f64>,
    seed: u64,
    search_work: Option<u64>,
) -> PyResult<Bound<'py, PyDict>> {
    let problem = problem_from_arrays(arrays)?;
    let mut options = options(method, sort_key, objective, time_limit, seed, search_work)?;
    let cancel = Arc::new(AtomicBool::new(false));
    options.cancel = Some(cancel.clone());
    let quick = matches!(options.method, MethodChoice::Heuristic(..)) && problem.workload_count() <= QUICK_WORKLOADS;
    let expected = if quick { Expected::Quick } else { Expected::Long };
    let (solution, elapsed) = run_detached(py, &cancel, expected, || {
        let start = Instant::now();
        (solve(&problem, &options), start.elapsed())
    })?;
    solution_dict(py, &problem, solution.map_err(to_py_err)?, elapsed)
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

/// place_many(jobs, workers) -> list of dicts
///
/// `jobs` is a list of `(arrays, method, sort_key, objective, time_limit, seed, search_work)` (see `place`); they are solved on `workers` threads
/// (all converted first, then solved without the GIL) and returned in order, as `place` returns them.
#[pyfunction]
fn place_many<'py>(py: Python<'py>, jobs: Vec<Bound<'py, PyTuple>>, workers: usize) -> PyResult<Vec<Bound<'py, PyDict>>> {
    let mut prepared = Vec::with_capacity(jobs.len());
    for job in &jobs {
        #[allow(clippy::type_complexity)]
        let (arrays, method, sort_key, objective, time_limit, seed, search_work): (
            Bound<'py, PyDict>,
            String,
            String,
            String,
            Option<f64>,
            u64,
            Option<u64>,
        ) = job.extract()?;
        prepared.push((
            problem_from_arrays(&arrays)?,
            options(&method, &sort_key, &objective, time_limit, seed, search_work)?,
        ));
    }
    let cancel = Arc::new(AtomicBool::new(false));
    for (_, options) in prepared.iter_mut() {
        options.cancel = Some(cancel.clone());
    }
    let next = AtomicUsize::new(0);
    #[allow(clippy::type_complexity)]
    let results: Vec<Mutex<Option<(fleetpack_core::error::Result<Solution>, Duration)>>> =
        (0..prepared.len()).map(|_| Mutex::new(None)).collect();
    run_detached(py, &cancel, Expected::Long, || {
        std::thread::scope(|scope| {
            for _ in 0..workers.clamp(1, prepared.len().max(1)) {
                scope.spawn(|| loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some((problem, options)) = prepared.get(k) else { break };
                    let start = Instant::now();
                    let result = solve(problem, options);
                    *results[k].lock().expect("no poisoned result") = Some((result, start.elapsed()));
                });
            }
        })
    })?;
    let mut out = Vec::with_capacity(prepared.len());
    for ((problem, _), slot) in prepared.iter().zip(results) {
        let (result, elapsed) = slot.into_inner().expect("no poisoned result").expect("every job ran");
        out.push(solution_dict(py, problem, result.map_err(to_py_err)?, elapsed)?);
    }
    Ok(out)
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
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
