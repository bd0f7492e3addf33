"""A plan as pandas DataFrames: one row per workload, and one row per host.

Units are the base units of Kubernetes quantities, so that numbers add up and convert plainly: CPU in cores (a
float: 0.5 is 500m), memory in bytes, an extra dimension in its own whole units. Integer columns use pandas'
nullable ``Int64``, so an unplaced workload's missing values are ``<NA>`` without turning the column into floats.
pandas is imported only when a frame is made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model.rules import effective_demand
from .view import PlanView

if TYPE_CHECKING:
    from .plan import Plan

__all__ = ["workloads_frame", "hosts_frame"]


def _pandas():
    try:
        import pandas
    except ImportError:
        raise ImportError("plan.to_pandas() and plan.hosts_frame() need pandas, an optional extra of "
                          "fleetpack: pip install 'fleetpack[pandas]'") from None
    return pandas


def _column(pd, dim: str, values: list):
    """A dimension's values in its unit: CPU millicores as float cores, anything else as nullable integers."""
    if dim == "cpu":
        return pd.array([None if v is None else v / 1000 for v in values], dtype="Float64")
    return pd.array(values, dtype="Int64")


def workloads_frame(plan: Plan):
    """One row per workload, in input order, indexed by workload id.

    Columns: ``host`` and ``form`` (``<NA>`` when unplaced); per dimension the workload's own demand (``cpu``,
    ``memory``, ...) and what it takes on its host with its per-workload overheads (``cpu_effective``, ...: a VM's
    guest OS and CPU factor, a container's overhead; per-host overheads are in `hosts_frame`); ``unplaced``, the
    reason code of an unplaced workload; in a live fleet's plan, ``moved`` (whether the plan moves it).
    """
    pd = _pandas()
    view = PlanView(plan)
    problem = view.problem
    dims = problem.dimensions
    own = [problem.demand(w) for w in problem.workloads]
    effective = [
        [None] * len(dims) if j is None else effective_demand(problem, w, form, problem.hosts[j])
        for w, j, form in zip(problem.workloads, view.host_index, view.forms)
    ]
    data = {
        "host": pd.array([None if j is None else problem.hosts[j].id for j in view.host_index], dtype="string"),
        "form": pd.array(view.forms, dtype="string"),
    }
    for k, dim in enumerate(dims):
        data[dim] = _column(pd, dim, [row[k] for row in own])
    for k, dim in enumerate(dims):
        data[f"{dim}_effective"] = _column(pd, dim, [row[k] for row in effective])
    unplaced = plan.unplaced
    data["unplaced"] = pd.array([unplaced[w.id].code if j is None else None
                                 for w, j in zip(problem.workloads, view.host_index)], dtype="string")
    if plan.live:
        moved = {m.workload for m in plan.moves}
        data["moved"] = pd.array([w.id in moved for w in problem.workloads], dtype="boolean")
    index = pd.Index([w.id for w in problem.workloads], name="workload")
    return pd.DataFrame(data, index=index)


def hosts_frame(plan: Plan):
    """One row per host, in input order (unused hosts too), indexed by host id.

    Columns: ``used``, ``workloads``, ``vms``, ``containers``, ``cost``; then per dimension ``<dim>_capacity``,
    ``<dim>_used`` (overheads included), ``<dim>_overhead`` (the part of the usage that is overhead: guest OSes,
    VM CPU factors, container, hypervisor and runtime overheads), ``<dim>_free`` and ``<dim>_util`` (used /
    capacity; ``<NA>`` where the host has none of the dimension).
    """
    pd = _pandas()
    view = PlanView(plan)
    problem = view.problem
    dims = problem.dimensions
    states = view.states
    own_use = [[0] * len(dims) for _ in problem.hosts]
    for i, j in enumerate(view.host_index):
        if j is not None:
            for k, amount in enumerate(problem.demand(problem.workloads[i])):
                own_use[j][k] += amount
    data = {
        "used": pd.array([s.count > 0 for s in states], dtype="boolean"),
        "workloads": pd.array([s.count for s in states], dtype="Int64"),
        "vms": pd.array([s.vms for s in states], dtype="Int64"),
        "containers": pd.array([s.containers for s in states], dtype="Int64"),
        "cost": pd.array([s.host.cost for s in states], dtype="Float64"),
    }
    for k, dim in enumerate(dims):
        capacity = [s.capacity[k] for s in states]
        used = [s.used[k] for s in states]
        data[f"{dim}_capacity"] = _column(pd, dim, capacity)
        data[f"{dim}_used"] = _column(pd, dim, used)
        data[f"{dim}_overhead"] = _column(pd, dim, [u - o[k] for u, o in zip(used, own_use)])
        data[f"{dim}_free"] = _column(pd, dim, [c - u for c, u in zip(capacity, used)])
        data[f"{dim}_util"] = pd.array([u / c if c > 0 else None for u, c in zip(used, capacity)], dtype="Float64")
    index = pd.Index([h.id for h in problem.hosts], name="host")
    return pd.DataFrame(data, index=index)
