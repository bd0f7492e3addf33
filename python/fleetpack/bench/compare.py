"""The research harness: run placement methods on benchmark instances, verify every plan, and compare them.

- `Instance` (`fleetpack.bench.instance`): one benchmark problem with its known optimum and lower bound;
- `compare(methods, instances)`: runs every method on every instance in parallel, checks each plan with
  `fleetpack.verify`, and returns one row per run as a pandas DataFrame;
- `summary(results)`: per set and method, how many runs were valid and optimal, the mean ratio and the time;
- `performance_ratios` / `performance_profile`: Dolan–Moré performance profiles (the fraction of instances on which a
  method is within a factor τ of the best method).

A method is a fleetpack method name (``"ffd"``, ``"auto"``, ...) or any callable ``f(instance)`` that returns a
mapping ``{workload_id: (host_id, form)}``; a callable's plan is verified exactly like fleetpack's own.

pandas (and matplotlib, for the plot) are imported only when used, so that ``import fleetpack`` stays fast.
"""

from __future__ import annotations

import inspect
import math
import numbers
import os
import pickle
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Mapping

from ..errors import ErrorDetail, ValidationError
from ..solve.options import METHODS
from .instance import Instance

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    import pandas

__all__ = ["compare", "summary", "format_summary", "performance_ratios", "performance_profile", "COLUMNS"]

# The columns of `compare`'s DataFrame: the documented ones first, then three that explain a row.
COLUMNS = ("instance", "method", "hosts_used", "lower_bound", "optimum", "ratio", "proven_optimal", "seconds",
           "valid", "set", "unplaced", "error")


# --- running one method on one instance -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Task:
    index: int
    label: str
    method: Any  # a fleetpack method name or a callable
    instance: Instance
    time_limit: float | None
    solver_workers: int | None = None


def _instance_bound(instance: Instance) -> int:
    """The better of the instance's known lower bound and fleetpack's own bound on the hosts any full plan uses: the
    core's bound as a first-fit-decreasing plan reports it (it holds for every plan that places at least as many,
    so for every full plan; the core computes it in O(n log n), the pure-Python baseline far slower)."""
    from ..api import place

    known = instance.lower_bound or 0
    if not instance.workloads:
        return known
    plan = place(instance.workloads, instance.hosts, method="ffd", overheads=instance.overheads)
    return max(known, int(plan.lower_bound))


def _accepts_time_limit(method: Callable) -> bool:
    try:
        parameters = inspect.signature(method).parameters
    except (TypeError, ValueError):  # some builtins have no signature
        return False
    return "time_limit" in parameters or any(p.kind is p.VAR_KEYWORD for p in parameters.values())


def _call(task: _Task):
    """Run the task's method; return the plan (a `Plan` or a mapping) and the seconds the method took."""
    inst = task.instance
    start = time.perf_counter()
    if isinstance(task.method, str):
        from ..api import place

        answer = place(inst.workloads, inst.hosts, method=task.method, overheads=inst.overheads,
                       time_limit=task.time_limit, workers=task.solver_workers)
    elif task.time_limit is not None and _accepts_time_limit(task.method):
        answer = task.method(inst, time_limit=task.time_limit)
    else:
        answer = task.method(inst)
    return answer, time.perf_counter() - start


def _describe_error(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _run_task(task: _Task) -> dict:
    """One row of the results: run, verify, count hosts, compare with the bound. Never raises for the method's
    faults: a method that fails or returns a broken plan gives an invalid row that says why."""
    from ..plan.plan import Plan
    from ..verify import verify

    inst = task.instance
    bound = _instance_bound(inst)
    row = {"instance": inst.name, "method": task.label, "hosts_used": math.nan, "lower_bound": bound,
           "optimum": math.nan if inst.optimum is None else inst.optimum, "ratio": math.nan,
           "proven_optimal": False, "seconds": math.nan, "valid": False, "set": inst.set,
           "unplaced": len(inst.workloads), "error": ""}
    try:
        answer, seconds = _call(task)
    except Exception as exc:  # the method's own failure is a result to report, not a crash of the benchmark
        row["error"] = f"the method raised {_describe_error(exc)}"
        return row
    row["seconds"] = seconds
    if not isinstance(answer, (Plan, Mapping)):
        row["error"] = f"the method returned {type(answer).__name__}, expected a mapping {{workload: (host, form)}}"
        return row
    try:
        violations = verify(inst.workloads, inst.hosts, answer, inst.overheads)
    except ValidationError as exc:
        row["error"] = f"unreadable plan: {exc.errors[0]}"
        return row

    if isinstance(answer, Plan):
        placed = {a.workload: a.host for a in answer.assignments}
    else:
        placed = {str(w): str(v[0]) for w, v in answer.items() if v is not None}
    known = {w.id for w in inst.workloads}
    hosts = {h.id for h in inst.hosts}
    placed = {w: h for w, h in placed.items() if w in known and h in hosts}  # on an unknown host is not placed
    row["hosts_used"] = len(set(placed.values()))
    row["unplaced"] = len(known) - len(placed)
    if violations:
        more = f" (and {len(violations) - 1} more)" if len(violations) > 1 else ""
        row["error"] = f"{violations[0].rule}: {violations[0].message}{more}"
    elif row["unplaced"]:
        row["error"] = f"{row['unplaced']} of {len(known)} workloads left unplaced"
    row["valid"] = not violations and row["unplaced"] == 0
    if row["valid"]:
        used = row["hosts_used"]
        reference = inst.optimum if inst.optimum is not None else bound
        row["ratio"] = used / reference if reference > 0 else (1.0 if used == 0 else math.inf)
        row["proven_optimal"] = used <= bound or used == inst.optimum
    return row


# --- compare --------------------------------------------------------------------------------------------------------


def _methods(methods) -> list[tuple[str, Any]]:
    """(label, method) pairs from a name, a callable, a sequence of them, or a mapping of label to method."""
    if isinstance(methods, Mapping):
        pairs = [(label, m) for label, m in methods.items()]
    elif isinstance(methods, str) or callable(methods):
        pairs = [(None, methods)]
    else:
        pairs = [(None, m) for m in methods]
    problems, result, seen = [], [], set()
    for label, method in pairs:
        if isinstance(method, str):
            if method not in METHODS:
                problems.append(ErrorDetail("compare()", "methods",
                                            f"unknown method {method!r} (fleetpack's: {', '.join(METHODS)}; "
                                            "or pass a callable)", method))
                continue
            label = method if label is None else label
        elif callable(method):
            label = getattr(method, "__name__", type(method).__name__) if label is None else label
        else:
            problems.append(ErrorDetail("compare()", "methods", f"expected a method name or a callable, got "
                                                                f"{type(method).__name__}", method))
            continue
        label = str(label)
        if label in seen:
            problems.append(ErrorDetail("compare()", "methods", f"two methods are labelled {label!r}; pass a dict "
                                                                "{label: method} to name them apart", label))
        seen.add(label)
        result.append((label, method))
    if not result and not problems:
        problems.append(ErrorDetail("compare()", "methods", "no method given"))
    if problems:
        raise ValidationError(problems)
    return result


def _instances(instances) -> list[Instance]:
    items = [instances] if isinstance(instances, Instance) else list(instances)
    problems, seen = [], set()
    for k, inst in enumerate(items):
        if not isinstance(inst, Instance):
            problems.append(ErrorDetail("compare()", f"instances[{k}]", f"expected a fleetpack.bench.Instance, got "
                                                                        f"{type(inst).__name__}"))
        elif (inst.set, inst.name) in seen:  # rows are keyed by set and name
            problems.append(ErrorDetail("compare()", f"instances[{k}]", f"two instances are named {inst.name!r} in "
                                                                        f"set {inst.set!r}"))
        else:
            seen.add((inst.set, inst.name))
    if problems:
        raise ValidationError(problems)
    return items


def _pandas():
    try:
        import pandas
    except ImportError:
        raise ImportError("fleetpack.bench needs pandas, an optional extra of fleetpack: "
                          "pip install 'fleetpack[pandas]'") from None
    return pandas


def _picklable(value) -> bool:
    try:
        pickle.dumps(value)
    except Exception:  # lambdas, closures, local functions
        return False
    return True


def _progress_printer(stream=None) -> Callable[[int, int, dict], None]:
    """A progress report on stderr: one updating line on a terminal, else a line at every tenth of the work."""
    stream = stream or sys.stderr
    tty = stream.isatty()
    state = {"last": -1}

    def report(done: int, total: int, row: dict) -> None:
        text = f"[{done}/{total}] {row['set'] + '/' if row['set'] else ''}{row['instance']} {row['method']}"
        if tty:
            stream.write("\r\x1b[K" + text + ("\n" if done == total else ""))
        elif done * 10 // total > state["last"] or done == total:
            state["last"] = done * 10 // total
            stream.write(text + "\n")
        stream.flush()

    return report


def compare(methods, instances, time_limit: float | None = None, workers: int | None = None,
            progress: bool | Callable[[int, int, dict], None] | None = None,
            solver_workers: int | None = None) -> "pandas.DataFrame":
    """Run each method on each instance, verify every plan, and return the results as a pandas DataFrame.

    ``methods``: a method name of `fleetpack.place` (``"ff"``, ``"ffd"``, ``"bfd"``, ``"wfd"``, ``"auto"``, ...), a
    callable ``f(instance) -> {workload_id: (host_id, form)}``, a list of these, or a dict ``{label: method}``. A
    callable that takes a ``time_limit`` keyword is given ``time_limit``; fleetpack's methods are given it too (it
    bounds ``"auto"``). No run is interrupted: ``seconds`` says how long each took.

    ``instances``: `Instance` objects (from `fleetpack.datasets` or `fleetpack.generators`). Runs go to a pool of
    ``workers`` processes (default: one per CPU); a callable that cannot be pickled (a lambda, a closure) runs in
    this process. For timings free of interference, use ``workers=1``. ``progress``: True prints progress on stderr;
    a callable is called as ``progress(done, total, row)`` after each run. ``solver_workers``: the threads each of
    fleetpack's methods may use (`place`'s ``workers``; None: all cores), e.g. 1 so that parallel runs of
    ``"auto"`` or ``"exact"`` do not compete for the cores.

    One row per (instance, method), in input order, with the columns of `COLUMNS`:

    - ``hosts_used``: hosts the plan uses (NaN if the method failed);
    - ``lower_bound``: the better of the instance's known bound and fleetpack's bound; ``optimum``: NaN if unknown;
    - ``ratio``: ``hosts_used`` over the optimum, or over the bound when the optimum is unknown (NaN when invalid);
    - ``proven_optimal``: the plan is valid and meets the bound or the known optimum;
    - ``seconds``: the method's wall time (verification excluded);
    - ``valid``: the plan keeps every rule (checked by `fleetpack.verify`) and places every workload;
    - ``set``, ``unplaced`` (workloads the plan leaves out) and ``error`` (why a row is invalid: the first broken
      rule, the method's exception, ...; empty when valid).
    """
    pd = _pandas()
    labelled = _methods(methods)
    items = _instances(instances)
    if time_limit is not None and (isinstance(time_limit, bool) or not isinstance(time_limit, numbers.Real)
                                   or not (math.isfinite(time_limit) and time_limit > 0)):
        raise ValidationError.single("compare()", "time_limit", f"must be a positive number of seconds or None, got "
                                                                f"{time_limit!r}", time_limit)
    if workers is None:
        workers = os.cpu_count() or 1
    if isinstance(workers, bool) or not isinstance(workers, numbers.Integral) or workers < 1:
        raise ValidationError.single("compare()", "workers", f"must be a positive whole number or None, got "
                                                             f"{workers!r}", workers)
    if solver_workers is not None and (isinstance(solver_workers, bool) or solver_workers < 1
                                       or not isinstance(solver_workers, numbers.Integral)):
        raise ValidationError.single("compare()", "solver_workers", f"must be a positive whole number or None, got "
                                                                    f"{solver_workers!r}", solver_workers)
    report = _progress_printer() if progress is True else (progress or None)

    tasks = [_Task(k * len(labelled) + j, label, method, inst, time_limit, solver_workers)
             for k, inst in enumerate(items) for j, (label, method) in enumerate(labelled)]
    rows: list[dict | None] = [None] * len(tasks)
    done = 0

    def finish(task: _Task, row: dict) -> None:
        nonlocal done
        rows[task.index] = row
        done += 1
        if report is not None:
            report(done, len(tasks), row)

    picklable = {label: _picklable(method) for label, method in labelled}
    remote = [t for t in tasks if picklable[t.label]] if workers > 1 and len(tasks) > 1 else []
    local = [t for t in tasks if t not in remote] if remote else tasks
    if remote:
        with ProcessPoolExecutor(max_workers=min(workers, len(remote))) as pool:
            futures = {pool.submit(_run_task, t): t for t in remote}
            for t in local:  # the unpicklable ones, while the pool works
                finish(t, _run_task(t))
            for future in as_completed(futures):
                task = futures[future]
                try:
                    row = future.result()
                except Exception:
                    # the task could not reach a worker (e.g. a function defined in a notebook, under the spawn
                    # start method): run it here instead
                    row = _run_task(task)
                finish(task, row)
    else:
        for t in local:
            finish(t, _run_task(t))

    for row in rows:
        if row["valid"] and row["hosts_used"] < row["optimum"]:  # NaN (unknown optimum) compares False
            warnings.warn(f"{row['method']} uses {row['hosts_used']} hosts on {row['instance']}, fewer than its "
                          f"stated optimum {row['optimum']}: is the optimum right?", stacklevel=2)
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    return frame.astype({"hosts_used": "float64", "lower_bound": "int64", "optimum": "float64", "ratio": "float64",
                         "proven_optimal": "bool", "seconds": "float64", "valid": "bool", "unplaced": "int64"})


# --- summaries and performance profiles -----------------------------------------------------------------------------


def summary(results: "pandas.DataFrame") -> "pandas.DataFrame":
    """Per set and method (in order of first appearance): ``instances`` run, how many plans were ``valid``, how many
    ``optimal`` (proven optimal), total ``hosts`` used, ``excess`` hosts over the optima (or bounds, where the optimum
    is unknown), the ``mean_ratio`` and ``max_ratio`` to them, and the ``mean_seconds`` and ``total_seconds``.
    Ratios, hosts and excess count valid plans only."""
    frame = results.copy()
    reference = frame["optimum"].where(frame["optimum"].notna(), frame["lower_bound"])
    frame["excess"] = (frame["hosts_used"] - reference).where(frame["valid"])
    frame["hosts"] = frame["hosts_used"].where(frame["valid"])
    grouped = frame.groupby(["set", "method"], sort=False)
    table = grouped.agg(
        instances=("instance", "size"),
        valid=("valid", "sum"),
        optimal=("proven_optimal", "sum"),
        hosts=("hosts", "sum"),
        excess=("excess", "sum"),
        mean_ratio=("ratio", "mean"),
        max_ratio=("ratio", "max"),
        mean_seconds=("seconds", "mean"),
        total_seconds=("seconds", "sum"),
    )
    return table.astype({"instances": "int64", "valid": "int64", "optimal": "int64", "hosts": "int64",
                         "excess": "int64"})


_AGAINST = ("best", "optimum")


def performance_ratios(results: "pandas.DataFrame", metric: str = "hosts_used",
                       against: str = "best") -> "pandas.DataFrame":
    """Performance ratios: one row per instance (indexed by set and instance), one column per method.

    ``against="best"`` (Dolan–Moré): each value is the method's ``metric`` (``"hosts_used"`` or ``"seconds"``)
    over the best value any method reached on that instance. ``against="optimum"``: hosts used over the instance's
    optimum, or its lower bound where the optimum is unknown (the ``ratio`` column), which still tells methods apart
    when they tie with each other. A run that is not valid has ratio infinity.
    """
    where = "performance_ratios()"
    if metric not in ("hosts_used", "seconds"):
        raise ValidationError.single(where, "metric", f"must be 'hosts_used' or 'seconds', got {metric!r}", metric)
    if against not in _AGAINST:
        raise ValidationError.single(where, "against", f"must be 'best' or 'optimum', got {against!r}", against)
    if against == "optimum" and metric != "hosts_used":
        raise ValidationError.single(where, "against", "'optimum' measures hosts_used, not seconds", against)
    methods = list(dict.fromkeys(results["method"]))
    if against == "optimum":
        values = results["ratio"].where(results["valid"], math.inf)
    else:
        values = results[metric].where(results["valid"], math.inf)
        if metric == "seconds":
            values = values.clip(lower=1e-6)  # a run too fast to time still compares as a finite ratio
    table = (results.assign(_value=values)
             .pivot_table(index=["set", "instance"], columns="method", values="_value", aggfunc="first", sort=False))
    table = table[methods]
    table.columns.name = None
    if against == "optimum":
        return table
    best = table.min(axis=1)
    ratios = table.div(best, axis=0)
    # equal values give 1, even when both are 0 hosts (an empty instance) or both infinite (no valid plan)
    ratios = ratios.mask(table.eq(best, axis=0), 1.0)
    return ratios.where(~table.eq(math.inf), math.inf)


def performance_profile(results: "pandas.DataFrame", metric: str = "hosts_used", against: str = "best", ax=None,
                        path=None, max_ratio: float | None = None, title: str | None = None):
    """Plot performance profiles (Dolan and Moré, 2002): for each method, the fraction of instances whose
    `performance_ratios` is at most τ, as τ grows from 1. A curve that is higher and reaches 1 sooner is better.
    Against the ``"best"`` method, its value at τ = 1 is the fraction of instances on which the method was (one of)
    the best; against the ``"optimum"``, the fraction it solved to proven optimality (or to the bound).

    Draws on ``ax`` (a new figure if None), saves to ``path`` if given, and returns the matplotlib Axes. Needs
    matplotlib (``pip install 'fleetpack[plot]'``).
    """
    ratios = performance_ratios(results, metric, against)
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("performance_profile needs matplotlib: pip install 'fleetpack[plot]'") from None
    grid = ratios.to_numpy(dtype=float)
    finite = grid[grid < math.inf]
    top = max_ratio if max_ratio is not None else max(1.01, float(finite.max()) if finite.size else 1.0)
    top *= 1.01  # room to see the last step
    if ax is None and path is not None:
        ax = Figure(figsize=(6.4, 4.2)).subplots()  # no pyplot: saving needs no display, and leaves its state alone
    elif ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(6.4, 4.2))
    count = len(ratios)
    # methods often tie (curves on top of each other): thinner, broken lines drawn over thicker ones stay visible
    styles = [("-", 3.0), ("--", 2.2), (":", 2.0), ("-.", 1.4)]
    for k, method in enumerate(ratios.columns):
        taus = sorted(r for r in ratios[method] if r < math.inf)
        xs = [1.0] + taus + [top]
        ys = [0.0] + [(j + 1) / count for j in range(len(taus))] + [len(taus) / count]
        style, width = styles[k % len(styles)]
        ax.step(xs, ys, where="post", label=method, linestyle=style, linewidth=width)
    ax.set_xlim(1.0, top)
    ax.set_ylim(0.0, 1.02)
    quantity = "host count" if metric == "hosts_used" else "time"
    reference = "the best method's" if against == "best" else "the optimum (or lower bound)"
    ax.set_xlabel(f"τ: {quantity} within this factor of {reference}")
    ax.set_ylabel("fraction of instances")
    ax.set_title(title or f"Performance profile, {count} instances")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower right")
    if path is not None:
        ax.figure.savefig(path, dpi=120, bbox_inches="tight")
    return ax


def format_summary(table: "pandas.DataFrame") -> str:
    """The summary table as text, with ratios to four decimals and times in seconds."""
    shown = table.reset_index()
    return shown.to_string(index=False, formatters={
        "mean_ratio": "{:.4f}".format, "max_ratio": "{:.4f}".format,
        "mean_seconds": "{:.4f}".format, "total_seconds": "{:.2f}".format,
    }) + "\n"
