//! Python's arrays and arguments into core values, and a core solution back into a dict of numpy arrays: the
//! wire format of `Problem.encode()` decoded in one place.

use std::time::Duration;

use fleetpack_core::model::{
    Eligibility, Hosts, Hypervisor, Isolation, Live, Overbook, Overheads, Problem, Rule, RuleKind, RuleSet, Workloads, PPM,
};
use fleetpack_core::Form;
use fleetpack_core::{FormSet, MethodChoice, Objective, Options, Solution};
use numpy::{Element, IntoPyArray, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::exceptions::{PyKeyError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::door::{to_py_err, Job};

/// The arguments of one solve, as `place` takes them and each of `place_many`'s jobs holds them.
pub struct Arguments<'py> {
    pub arrays: Bound<'py, PyDict>,
    pub method: String,
    pub sort_key: String,
    pub objective: String,
    pub time_limit: Option<f64>,
    pub seed: u64,
    pub search_work: Option<u64>,
}

/// The tuple of one `place_many` job: `(arrays, method, sort_key, objective, time_limit, seed, search_work)`.
type JobTuple<'py> = (Bound<'py, PyDict>, String, String, String, Option<f64>, u64, Option<u64>);

impl<'py> Arguments<'py> {
    /// A `place_many` job's arguments, from its tuple.
    pub fn from_tuple(job: &Bound<'py, PyTuple>) -> PyResult<Self> {
        let (arrays, method, sort_key, objective, time_limit, seed, search_work): JobTuple<'py> = job.extract()?;
        Ok(Arguments { arrays, method, sort_key, objective, time_limit, seed, search_work })
    }

    /// The one parsing of a solve's arguments, for `place` and `place_many` alike.
    pub fn job(&self) -> PyResult<Job> {
        let problem = problem_from_arrays(&self.arrays)?;
        let mut options = Options::new(
            MethodChoice::parse(&self.method, &self.sort_key).map_err(to_py_err)?,
            self.objective.parse::<Objective>().map_err(to_py_err)?,
        );
        options.seed = self.seed;
        options.search_work = self.search_work;
        if let Some(seconds) = self.time_limit {
            options.time_limit = Some(
                Duration::try_from_secs_f64(seconds)
                    .map_err(|_| PyValueError::new_err(format!("time_limit: invalid duration {seconds}")))?,
            );
        }
        Ok(Job { problem, options })
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
pub fn problem_from_arrays(arrays: &Bound<'_, PyDict>) -> PyResult<Problem> {
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
    let live = live_from_arrays(arrays, workloads.forms.len(), hosts.os.len())?;
    let problem = Problem::new_live(dims, workloads, hosts, overheads, live).map_err(to_py_err)?;
    let problem = match eligibility_from_arrays(arrays, problem.host_count())? {
        Some(eligibility) => problem.with_eligibility(eligibility).map_err(to_py_err)?,
        None => problem,
    };
    let problem = match rules_from_arrays(arrays)? {
        Some(rules) => problem.with_rules(rules).map_err(to_py_err)?,
        None => problem,
    };
    match overbook_from_arrays(arrays, problem.workload_count(), problem.host_count(), dims)? {
        Some(overbook) => problem.with_overbook(overbook).map_err(to_py_err),
        None => Ok(problem),
    }
}

/// The group rules (issue 16) from their optional keys (`fleetpack/model/group_rules.py`): `domain` (uint32, keys ×
/// hosts), `rule_kind` (uint8), `rule_key`, `rule_cap`, `rule_min_domains` (uint32), `rule_weight` (uint64),
/// `rule_offsets` and `rule_members` (uint32). None when `rule_kind` is not there: no rules.
fn rules_from_arrays(arrays: &Bound<'_, PyDict>) -> PyResult<Option<RuleSet>> {
    if arrays.get_item("rule_kind")?.is_none() {
        return Ok(None);
    }
    let table: PyReadonlyArray2<u32> = field(arrays, "domain")?
        .extract()
        .map_err(|e| PyValueError::new_err(format!("problem array \"domain\": {e}")))?;
    let keys = table.shape()[0];
    let domain = match table.as_slice() {
        Ok(slice) => slice.to_vec(),
        Err(_) => table.as_array().iter().copied().collect(),
    };
    let kind = column::<u8>(arrays, "rule_kind")?;
    let key = column::<u32>(arrays, "rule_key")?;
    let cap = column::<u32>(arrays, "rule_cap")?;
    let min_domains = column::<u32>(arrays, "rule_min_domains")?;
    let weight = column::<u64>(arrays, "rule_weight")?;
    let r = kind.len();
    if [key.len(), cap.len(), min_domains.len(), weight.len()].iter().any(|&len| len != r) {
        return Err(PyValueError::new_err(format!("problem arrays \"rule_*\": columns of different lengths for {r} rules")));
    }
    let rules = (0..r)
        .map(|k| {
            let kind = match kind[k] {
                0 => RuleKind::AntiAffinity,
                1 => RuleKind::Affinity,
                2 => RuleKind::Spread,
                code => return Err(invalid("rule kind", k, code)),
            };
            Ok(Rule { kind, key: key[k], cap: cap[k], min_domains: min_domains[k], weight: weight[k] })
        })
        .collect::<PyResult<Vec<_>>>()?;
    Ok(Some(RuleSet::new(keys, domain, rules, column(arrays, "rule_offsets")?, column(arrays, "rule_members")?)))
}

/// Allocation ratios and headroom (issue 16) from their optional keys: `ratio_ppm` (uint64, hosts × dimensions),
/// `overcommit` (bool per workload) and `usable_ppm` (uint64 per dimension); each absent key is its default (ratio
/// 1, every workload at ratio, every dimension usable). None when all three are absent.
fn overbook_from_arrays(arrays: &Bound<'_, PyDict>, n: usize, m: usize, dims: usize) -> PyResult<Option<Overbook>> {
    let keys = ["ratio_ppm", "overcommit", "usable_ppm"];
    if keys.iter().map(|k| arrays.get_item(k)).collect::<PyResult<Vec<_>>>()?.iter().all(Option::is_none) {
        return Ok(None);
    }
    let ratio_ppm = match arrays.get_item("ratio_ppm")? {
        Some(_) => matrix(arrays, "ratio_ppm")?.0,
        None => vec![PPM; m * dims],
    };
    let overcommit = optional_column::<bool>(arrays, "overcommit")?.unwrap_or_else(|| vec![true; n]);
    let usable_ppm = optional_column::<u64>(arrays, "usable_ppm")?.unwrap_or_else(|| vec![PPM; dims]);
    Ok(Some(Overbook::new(ratio_ppm, overcommit, usable_ppm)))
}

/// Static eligibility (issue 16) from its optional keys: `eligibility_class` (uint32 per workload) and `eligible`
/// (bool, classes × hosts). None when neither is there: every host is eligible.
fn eligibility_from_arrays(arrays: &Bound<'_, PyDict>, m: usize) -> PyResult<Option<Eligibility>> {
    let (Some(_), Some(table)) = (arrays.get_item("eligibility_class")?, arrays.get_item("eligible")?) else {
        if arrays.get_item("eligibility_class")?.is_some() || arrays.get_item("eligible")?.is_some() {
            return Err(PyValueError::new_err("problem keys \"eligibility_class\" and \"eligible\" go together"));
        }
        return Ok(None);
    };
    let class = column::<u32>(arrays, "eligibility_class")?;
    let table: PyReadonlyArray2<bool> =
        table.extract().map_err(|e| PyValueError::new_err(format!("problem array \"eligible\": {e}")))?;
    if table.shape()[1] != m {
        return Err(PyValueError::new_err(format!("problem array \"eligible\": {} columns for {m} hosts", table.shape()[1])));
    }
    let eligible = match table.as_slice() {
        Ok(slice) => slice.to_vec(),
        Err(_) => table.as_array().iter().copied().collect(),
    };
    Ok(Some(Eligibility::new(class, eligible)))
}

/// A column that may be absent (None).
fn optional_column<T: Element + Copy>(arrays: &Bound<'_, PyDict>, name: &str) -> PyResult<Option<Vec<T>>> {
    match arrays.get_item(name)? {
        Some(_) => column(arrays, name).map(Some),
        None => Ok(None),
    }
}

/// A budget that may be absent (None): a Python int, 0 to 2**64 - 1.
fn optional_budget(arrays: &Bound<'_, PyDict>, name: &str) -> PyResult<Option<u64>> {
    match arrays.get_item(name)? {
        Some(value) if value.is_none() => Ok(None),
        Some(value) => value
            .extract::<u64>()
            .map(Some)
            .map_err(|e| PyValueError::new_err(format!("problem key {name:?}: a whole number >= 0 expected ({e})"))),
        None => Ok(None),
    }
}

/// The live part (issue 15) from its optional keys: `current_host` (int64, -1: none), `current_form` (int8: 0
/// container, 1 VM, -1 either), `pinned` (bool), `move_cost` (uint64), `drain` (bool per host), `max_moves` and
/// `max_move_cost` (ints). None when no key is there: greenfield.
fn live_from_arrays(arrays: &Bound<'_, PyDict>, n: usize, m: usize) -> PyResult<Option<Live>> {
    const KEYS: [&str; 7] = ["current_host", "current_form", "pinned", "move_cost", "drain", "max_moves", "max_move_cost"];
    let mut any = false;
    for key in KEYS {
        any |= arrays.get_item(key)?.is_some();
    }
    if !any {
        return Ok(None);
    }
    let mut live = Live::new(n, m);
    if let Some(hosts) = optional_column::<i64>(arrays, "current_host")? {
        live.current_host = hosts
            .into_iter()
            .enumerate()
            .map(|(i, j)| match j {
                -1 => Ok(None),
                j if j >= 0 && j <= i64::from(u32::MAX - 1) => Ok(Some(j as u32)),
                j => Err(invalid("workload current_host", i, j)),
            })
            .collect::<PyResult<Vec<_>>>()?;
    }
    if let Some(codes) = optional_column::<i8>(arrays, "current_form")? {
        live.current_form = codes
            .into_iter()
            .enumerate()
            .map(|(i, code)| match code {
                -1 => Ok(None),
                0 => Ok(Some(Form::Container)),
                1 => Ok(Some(Form::Vm)),
                _ => Err(invalid("workload current_form", i, code)),
            })
            .collect::<PyResult<Vec<_>>>()?;
    }
    if let Some(pinned) = optional_column::<bool>(arrays, "pinned")? {
        live.pinned = pinned;
    }
    live.move_cost = optional_column::<u64>(arrays, "move_cost")?;
    if let Some(drain) = optional_column::<bool>(arrays, "drain")? {
        live.drain = drain;
    }
    live.max_moves = optional_budget(arrays, "max_moves")?;
    live.max_move_cost = optional_budget(arrays, "max_move_cost")?;
    Ok(Some(live))
}

/// A solution as a dict of numpy arrays and numbers.
pub fn solution_dict<'py>(
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
    out.set_item("bound_reason", solution.bound_reason)?;
    out.set_item("hosts_used", solution.hosts_used)?;
    out.set_item("cost", solution.cost)?;
    out.set_item("moves", solution.moves)?;
    out.set_item("move_cost", solution.move_cost)?;
    if let Some(rules) = problem.rules() {
        out.set_item("penalty", rules.penalty(&solution.placement))?;
    }
    let rows = |list: Vec<usize>| list.into_iter().map(|i| i as i64).collect::<Vec<i64>>().into_pyarray(py);
    out.set_item("pin_conflicts", rows(solution.pin_conflicts))?;
    out.set_item("forced_moves", rows(solution.forced_moves))?;
    out.set_item("elapsed", elapsed.as_secs_f64())?;
    Ok(out)
}
