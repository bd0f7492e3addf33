//! The one door through which the bindings run the core: without the GIL, Ctrl-C noticed and turned into
//! KeyboardInterrupt, a panic turned into RuntimeError (never an abort of the interpreter), and the core's errors
//! mapped to Python exceptions in one place.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use fleetpack_core::model::Problem;
use fleetpack_core::{solve, Error, MethodChoice, Options, Solution};
use pyo3::exceptions::{PyKeyboardInterrupt, PyRuntimeError, PyValueError};
use pyo3::prelude::*;

/// One solve's input: the problem and its options, converted from Python before the GIL is released.
pub struct Job {
    pub problem: Problem,
    pub options: Options,
}

/// The one place where core errors become Python exceptions.
pub fn to_py_err(error: Error) -> PyErr {
    match error {
        Error::Interrupted => PyKeyboardInterrupt::new_err("fleetpack solve interrupted"),
        other => PyValueError::new_err(other.to_string()),
    }
}

/// How long a piece of work is expected to take, which decides how the door runs it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// Milliseconds at most (one heuristic on a problem of at most [`QUICK_WORKLOADS`] workloads): run on this
    /// thread, still without the GIL, since starting a worker thread and handing the result back costs a fair share
    /// of such a solve (docs/performance.md). Ctrl-C takes effect when it returns.
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
pub fn run_detached<T: Send>(
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

/// Solve one job through the door; the solution and the time the core took.
pub fn solve_one(py: Python<'_>, mut job: Job) -> PyResult<(Job, Solution, Duration)> {
    let cancel = Arc::new(AtomicBool::new(false));
    job.options.cancel = Some(cancel.clone());
    let quick = matches!(job.options.method, MethodChoice::Heuristic(..))
        && job.problem.workload_count() <= QUICK_WORKLOADS;
    let expected = if quick { Expected::Quick } else { Expected::Long };
    let (solution, elapsed) = run_detached(py, &cancel, expected, || {
        let start = Instant::now();
        (solve(&job.problem, &job.options), start.elapsed())
    })?;
    Ok((job, solution.map_err(to_py_err)?, elapsed))
}

/// Solve `jobs` through the door on `workers` threads, each job's solution and time in the order of `jobs`.
pub fn solve_many(py: Python<'_>, mut jobs: Vec<Job>, workers: usize) -> PyResult<Vec<(Job, Solution, Duration)>> {
    let cancel = Arc::new(AtomicBool::new(false));
    for job in jobs.iter_mut() {
        job.options.cancel = Some(cancel.clone());
    }
    let next = AtomicUsize::new(0);
    #[allow(clippy::type_complexity)]
    let results: Vec<Mutex<Option<(fleetpack_core::error::Result<Solution>, Duration)>>> =
        (0..jobs.len()).map(|_| Mutex::new(None)).collect();
    run_detached(py, &cancel, Expected::Long, || {
        std::thread::scope(|scope| {
            for _ in 0..workers.clamp(1, jobs.len().max(1)) {
                scope.spawn(|| loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(k) else { break };
                    let start = Instant::now();
                    let result = solve(&job.problem, &job.options);
                    *results[k].lock().expect("no poisoned result") = Some((result, start.elapsed()));
                });
            }
        })
    })?;
    let mut out = Vec::with_capacity(jobs.len());
    for (job, slot) in jobs.into_iter().zip(results) {
        let (result, elapsed) = slot.into_inner().expect("no poisoned result").expect("every job ran");
        out.push((job, result.map_err(to_py_err)?, elapsed));
    }
    Ok(out)
}
