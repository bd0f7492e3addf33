//! `fleetpack._core`: the bindings of fleetpack-core. They convert Python inputs into owned Rust values, release
//! the GIL while the core works, and map the core's errors to Python exceptions in one place.

use std::time::Duration;

use fleetpack_core::model::{Hosts, Hypervisor, Isolation, Overheads, Problem, Workloads};
use fleetpack_core::{solve, Error, FormSet, MethodChoice, Objective, Options};
use numpy::{Element, IntoPyArray, PyArray1, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::{PyKeyError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The one place where core errors become Python exceptions.
fn to_py_err(error: Error) -> PyErr {
    PyValueError::new_err(error.to_string())
}

fn field<'py>(arrays: &Bound<'py, PyDict>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    arrays.get_item(name)?.ok_or_else(|| PyKeyError::new_err(format!("problem arrays lack {name:?}")))
}

fn column<T: Element + Copy>(arrays: &Bound<'_, PyDict>, name: &str) -> PyResult<Vec<T>> {
    let array: PyReadonlyArray1<T> = field(arrays, name)?.extract().map_err(|e| {
        PyValueError::new_err(format!("problem array {name:?}: {e}"))
    })?;
    Ok(array.as_array().iter().copied().collect())
}

/// A 2-D array as a row-major vector, with its number of columns.
fn matrix(arrays: &Bound<'_, PyDict>, name: &str) -> PyResult<(Vec<u64>, usize)> {
    let array: PyReadonlyArray2<u64> = field(arrays, name)?.extract().map_err(|e| {
        PyValueError::new_err(format!("problem array {name:?}: {e}"))
    })?;
    let view = array.as_array();
    Ok((view.iter().copied().collect(), view.ncols()))
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

/// place(arrays, method, sort_key, objective, time_limit) -> (host_index, form_codes, strategy, lower_bound)
///
/// `host_index[i]` is the host of workload i (-1 when unplaced); `form_codes[i]` is 0 for a container, 1 for a VM.
#[pyfunction]
#[pyo3(signature = (arrays, method, sort_key, objective, time_limit=None))]
fn place<'py>(
    py: Python<'py>,
    arrays: &Bound<'py, PyDict>,
    method: &str,
    sort_key: &str,
    objective: &str,
    time_limit: Option<f64>,
) -> PyResult<(Bound<'py, PyArray1<i64>>, Bound<'py, PyArray1<u8>>, String, f64)> {
    let problem = problem_from_arrays(arrays)?;
    let mut options = Options::new(
        MethodChoice::parse(method, sort_key).map_err(to_py_err)?,
        objective.parse::<Objective>().map_err(to_py_err)?,
    );
    options.time_limit = match time_limit {
        Some(seconds) => Some(
            Duration::try_from_secs_f64(seconds)
                .map_err(|_| PyValueError::new_err(format!("time_limit: invalid duration {seconds}")))?,
        ),
        None => None,
    };
    let solution = py.detach(|| solve(&problem, &options)).map_err(to_py_err)?;
    let mut hosts = Vec::with_capacity(solution.placement.len());
    let mut forms = Vec::with_capacity(solution.placement.len());
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
    Ok((hosts.into_pyarray(py), forms.into_pyarray(py), solution.strategy, solution.lower_bound))
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(place, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
