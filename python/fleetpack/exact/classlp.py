"""A lower bound from an LP over host types and workload classes (issue 18), solved with GLOP.

The core's bounds price each dimension (and pairs of them) apart, so on a fleet of several host types they let
every workload use the cheapest room of any host: containers the room of VM-only hosts, isolated tenants the
room of hosts shared with others. This LP keeps the rules that tell the classes apart:

- **hosts by type** (capacity, OS, hypervisor, containers, cost, ``max_workloads``), each type's hosts split by
  **pool** (the hosts that hold a dedicated workload; those that hold a tenant-isolated container of tenant T, one
  pool per such tenant; the rest) and by **mode** (VMs only, containers only, both: which fixes the per-host
  ``hypervisor`` and ``container_runtime`` overheads). ``y[type, pool, mode]`` counts such hosts, at most the
  type's hosts in all;
- **workloads by class** (demand vector, forms allowed, OS, tenant, isolation): ``x[class, type, pool, mode,
  form]`` counts the class's workloads run there in that form, where the rules allow it (a VM on a host with a
  hypervisor, in the host's CPU factor; a container on a host of its OS running containers; a tenant-isolated
  container only in its tenant's pool, where other containers are of that tenant; a dedicated workload only in
  the dedicated pool, one per host) and where one fits the empty host in that mode;
- per (type, pool, mode) and dimension, the effective demand fits the hosts' room (capacity less that mode's fixed
  overheads); the workload count fits ``max_workloads``; at least ``placed`` workloads are placed, at most a
  class's size of each class.

Every valid plan gives a feasible point of the same value (each used host is in exactly one pool and one mode), so
the LP's optimum is at most the optimum. Anti-affinity is left out (dropping rows keeps it a relaxation). Plans
with eligibility (selectors, taints) or a live part are not bounded here. The LP's value is reduced by GLOP's
relative tolerance, and for ``"hosts"`` rounded up. With ``rounding`` and every workload placed, the value is the
LP's with rows that hold for whole numbers of hosts (`_rounding_cuts`: still a relaxation of every plan), solved
again after the plain LP, whose solution is the one given.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

__all__ = ["ClassBound", "class_bound", "MAX_VARIABLES"]

#: Above this many (class, type, pool, mode, form) variables the LP is not built (its cost would grow past the
#: heuristics'): the bound is then the core's.
MAX_VARIABLES = 200_000
_CUT_SIZES = 4  # the rounding rows of a set of types and a dimension: its hosts' largest rooms there, at most this many
_SLACK = 1e-6  # relative, above GLOP's tolerances: taken off so that the bound stays below the LP's optimum

_GENERAL, _DEDICATED = -1, -2  # pool codes besides the isolated tenants' codes
_VM, _CT, _BOTH = 0, 1, 2


class ClassBound:
    """The LP's bound (``value``, in the objective's unit) and its reason in words."""

    __slots__ = ("value", "reason")

    def __init__(self, value: float, reason: str):
        self.value = value
        self.reason = reason


def _matrix(sizes) -> np.ndarray:
    """Rows × dimensions sizes from a `Problem`'s matrix or a `ColumnarProblem`'s columns (one per dimension)."""
    if isinstance(sizes, np.ndarray) and sizes.ndim == 2:
        return sizes.astype(np.uint64, copy=False)
    columns = [np.asarray(c, dtype=np.uint64) for c in sizes]
    return np.stack(columns, axis=1) if len(columns[0]) else np.zeros((0, len(columns)), np.uint64)


def _column(values, n: int) -> np.ndarray:
    """A column of ``n`` rows (a column given as one value stands for all its rows)."""
    return np.broadcast_to(np.asarray(values), (n,))


def _unique_rows(columns: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(one row per distinct key, the count of each key) of the items' key columns: each column coded by its
    distinct values, the codes joined in mixed radix (a 1-D unique is much faster than one over rows)."""
    key = np.zeros(len(columns[0]), dtype=np.int64)
    radix = 1
    for column in columns:
        values, codes = np.unique(np.asarray(column), return_inverse=True)
        if radix * len(values) >= 2**62:  # (never with the fleets' few distinct sizes): fall back on rows
            rows = np.stack([np.asarray(c).astype(np.uint64, copy=False) for c in columns], axis=1)
            unique, counts = np.unique(rows, axis=0, return_counts=True)
            return unique, counts
        key += codes.reshape(-1).astype(np.int64) * radix
        radix *= len(values)
    _, first, counts = np.unique(key, return_index=True, return_counts=True)
    rows = np.stack([np.asarray(c)[first].astype(np.uint64, copy=False) for c in columns], axis=1)
    return rows, counts


def class_bound(arrays: dict[str, Any], objective: str, placed: int,
                seconds: float | None = None, copies: np.ndarray | None = None,
                solution: dict[str, np.ndarray] | None = None, spare: int = 0,
                rounding: bool = False) -> ClassBound | None:
    """The LP bound for plans placing ``placed`` workloads of the encoded problem ``arrays`` (`Problem.encode`), or
    None when it does not apply (objective, live part, eligibility, too large) or GLOP finds no optimum (within
    ``seconds``, when given). ``copies[h]``: how many hosts like host row h there may be (``math.inf``: any
    number; a purchase's host types); absent, one each. ``solution``, when given, receives the LP's solution:
    ``"hosts"`` per host row the hosts like it used (on the first row of each distinct kind), ``"class_of"`` per
    workload its class, ``"assign"`` per class and slot (a kind of host in a pool and a mode: ``"slot_row"`` its
    first host row, ``"slot_pool"`` its pool, ``"slot_hosts"`` its hosts) the class's workloads placed there. ``spare=k``:
    only plans whose fleet (every host it has, used or not: pass no host it would not pay for) keeps, per
    dimension, free room of at least its k largest hosts' (or failure domains') capacity (`plan_capacity`)."""
    deadline = None if seconds is None else time.perf_counter() + seconds
    if objective not in ("hosts", "cost") or placed <= 0:
        return None
    if "current_host" in arrays or any(k.startswith("elig") or k.startswith("w_class") for k in arrays):
        return None
    demand, capacity = _matrix(arrays["demand"]), _matrix(arrays["capacity"])
    n, dims = demand.shape
    m = len(capacity)
    if n == 0 or m == 0:
        return None
    allowed, w_os, tenant, isolation = (_column(arrays[k], n) for k in ("allowed", "w_os", "tenant", "isolation"))
    # a tenant tells classes apart only for containers that are isolated or of an isolated tenant
    can_contain = (np.asarray(allowed) & 1) == 1
    isolated = np.unique(np.asarray(tenant)[can_contain & (np.asarray(isolation) == 1)])
    keeps = can_contain & np.isin(tenant, isolated)
    tenant_key = np.where(keeps, np.asarray(tenant, dtype=np.int64), -1)
    w_cols = [demand[:, d] for d in range(dims)] + [allowed, w_os, tenant_key, isolation]
    classes, class_size = _unique_rows(w_cols)
    cost = _column(arrays["cost"], m).astype(np.float64)
    max_w = _column(arrays["max_workloads"], m).astype(np.uint64)
    h_cols = [capacity[:, d] for d in range(dims)] + [_column(arrays["h_os"], m), _column(arrays["hypervisor"], m),
                                                      _column(arrays["containers"], m).astype(np.uint64),
                                                      cost.view(np.uint64), max_w]
    types, type_size = _unique_rows(h_cols)
    if copies is not None:  # the hosts of each distinct row, counted with their copies
        per_host = np.stack([np.asarray(c).astype(np.uint64, copy=False) for c in h_cols], axis=1)
        same = np.all(per_host[None, :, :] == types[:, None, :], axis=2)
        type_size = np.where(same, np.asarray(copies, dtype=np.float64)[None, :], 0.0).sum(axis=1)
    vm_over = np.asarray(arrays["vm"], dtype=np.int64)
    ct_over = np.asarray(arrays["container"], dtype=np.int64)
    hyp_over = np.asarray(arrays["hypervisor_overhead"], dtype=np.int64)
    run_over = np.asarray(arrays["runtime_overhead"], dtype=np.int64)
    ppm = np.asarray(arrays["factor_ppm"], dtype=np.int64)

    iso_tenants = [int(t) for t in isolated]
    pools = [_GENERAL, _DEDICATED, *iso_tenants]
    # (type, pool, mode) -> room per dimension; the type's cap
    slots: list[tuple[int, int, int, np.ndarray]] = []
    for t, row in enumerate(types):
        cap = row[:dims].astype(np.int64)
        hyp, runs = int(row[dims + 1]), bool(row[dims + 2])
        for pool in pools:
            for mode in (_VM, _CT, _BOTH):
                if mode != _CT and hyp == 0 or mode != _VM and not runs:
                    continue
                if pool >= 0 and mode == _VM:  # such a host holds an isolated container
                    continue
                room = cap - (hyp_over if mode != _CT else 0) - (run_over if mode != _VM else 0)
                if (room < 0).any():
                    continue
                slots.append((t, pool, mode, room))
    # the variables: (class, slot, form) where the rules allow it and one fits the empty host
    entries: list[tuple[int, int, np.ndarray]] = []
    for c, row in enumerate(classes):
        size = row[:dims].astype(np.int64)
        bits, os_, ten, iso = int(row[dims]), int(row[dims + 1]), int(row[dims + 2]), int(row[dims + 3])
        for s, (t, pool, mode, room) in enumerate(slots):
            if (iso == 2) != (pool == _DEDICATED):
                continue
            trow = types[t]
            for form in (0, 1):  # 0 container, 1 VM (as `PLACED_FORMS`)
                if not bits & (1 << form):
                    continue
                if form == 1:
                    if mode == _CT:
                        continue
                    eff = size.copy()
                    eff[0] = -(-int(size[0]) * int(ppm[int(trow[dims + 1]) - 1]) // 10**6)
                    eff = eff + vm_over
                else:
                    if mode == _VM or int(trow[dims]) != os_:
                        continue
                    if pool >= 0 and ten != pool or pool == _GENERAL and iso == 1:
                        continue
                    eff = size + ct_over
                if (eff > room).any():
                    continue
                entries.append((c, s, eff))
                if len(entries) > MAX_VARIABLES:
                    return None
    used: list[float] = []
    cuts = _rounding_cuts(class_size, slots, entries, dims) if rounding and placed >= int(class_size.sum()) else []
    found = _solve(objective, placed, class_size, types, type_size, slots, entries, dims, types[:, dims + 3],
                   deadline, used, spare, cuts)
    if found is not None and solution is not None:
        per_host = np.stack([np.asarray(c).astype(np.uint64, copy=False) for c in h_cols], axis=1)
        first = [int(np.flatnonzero(np.all(per_host == row[None, :], axis=1))[0]) for row in types]
        hosts = np.zeros(m)
        hosts[first] = used[:len(types)]
        assign = np.zeros((len(classes), len(slots)))
        for (c, s, _), x in zip(entries, used[len(types) + len(slots):]):
            assign[c, s] += x
        of_key = {tuple(row.tolist()): c for c, row in enumerate(classes)}
        per_workload = np.stack([np.asarray(c).astype(np.uint64, copy=False) for c in w_cols], axis=1)
        solution.update(hosts=hosts, assign=assign, slot_hosts=np.array(used[len(types):len(types) + len(slots)]),
                        slot_row=np.array([first[t] for t, _, _, _ in slots], dtype=np.int64),
                        slot_pool=np.array([pool for _, pool, _, _ in slots], dtype=np.int64),
                        class_of=np.array([of_key[tuple(r)] for r in per_workload.tolist()], dtype=np.int64))
    return found


def _rounding_cuts(class_size: np.ndarray, slots: list, entries: list, dims: int) -> list[tuple[dict[int, int], int]]:
    """Rows that hold for whole numbers of hosts, when every workload is placed: ``sum_s a_s y_s >= b`` as
    (``{slot: a_s}``, b).

    The workloads that only a set S of host types takes need, in each dimension d, at least their least
    effective demand D there (summed over the classes), on S's hosts: ``sum_s room_s y_s >= D`` over S's slots.
    With whole ``y`` and any g > 0, ``sum_s ceil(room_s / g) y_s >= ceil(D / g)`` (Chvatal-Gomory: the left side
    is a whole number at least D / g). With g a room of S's hosts this counts whole hosts: 417 GPUs on hosts of 4
    need 105 of them, where the LP buys 104.25."""
    kinds_of: dict[int, set[int]] = {}
    least: dict[int, np.ndarray] = {}
    for c, s, eff in entries:
        kinds_of.setdefault(c, set()).add(int(slots[s][0]))
        least[c] = np.minimum(least[c], eff) if c in least else np.asarray(eff, dtype=np.int64)
    cuts: list[tuple[dict[int, int], int]] = []
    for family in {frozenset(k) for k in kinds_of.values()}:
        members = [c for c, k in kinds_of.items() if k <= family]
        mine = [s for s, slot in enumerate(slots) if int(slot[0]) in family]
        for d in range(dims):
            need = sum(int(class_size[c]) * int(least[c][d]) for c in members)
            rooms = {int(slots[s][3][d]) for s in mine}
            if need <= 0 or not mine or 0 in rooms:
                continue
            for g in sorted(rooms)[-_CUT_SIZES:]:
                if need % g:  # (a multiple of g rounds nothing)
                    cuts.append(({s: -(-int(slots[s][3][d]) // g) for s in mine}, -(-need // g)))
    return cuts


def _solve(objective: str, placed: int, class_size: np.ndarray, types: np.ndarray, type_size: np.ndarray,
           slots: list, entries: list, dims: int, cost_of: np.ndarray, deadline: float | None,
           used: list[float], spare: int = 0, cuts: list | None = None) -> ClassBound | None:
    from ortools.linear_solver import pywraplp  # (a dependency; imported when the bound is computed)

    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None:
        return None
    inf = solver.infinity()
    prices = [1.0 if objective == "hosts" else float(v) for v in cost_of.view(np.float64)]
    y = [solver.NumVar(0, float(type_size[t]) if math.isfinite(type_size[t]) else inf, "") for t, _, _, _ in slots]
    per_type: dict[int, list] = {}
    for s, (t, _, _, _) in enumerate(slots):
        per_type.setdefault(t, []).append(y[s])
    for t, ys in per_type.items():
        if len(ys) > 1 and math.isfinite(type_size[t]):
            solver.Add(solver.Sum(ys) <= float(type_size[t]))
    scale = np.maximum(types[:, :dims].astype(np.float64).max(axis=0), 1.0)
    # the rows: per slot and dimension (room), per slot (count), per class (size), and the count placed
    room_rows = [[solver.Constraint(-inf, 0.0) for _ in range(dims)] for _ in slots]
    count_rows: list[Any] = []
    for s, (t, pool, _, room) in enumerate(slots):
        for d in range(dims):
            room_rows[s][d].SetCoefficient(y[s], -float(room[d]) / scale[d])
        cap = 1 if pool == _DEDICATED else int(types[t][dims + 4])
        if cap < 2**53:
            row = solver.Constraint(-inf, 0.0)
            row.SetCoefficient(y[s], -float(cap))
            count_rows.append(row)
        else:
            count_rows.append(None)
    class_rows = [solver.Constraint(0.0, float(k)) for k in class_size]
    total = solver.Constraint(float(placed), inf)
    xs = []
    for c, s, eff in entries:
        x = solver.NumVar(0.0, inf, "")
        xs.append(x)
        for d in range(dims):
            if eff[d]:
                room_rows[s][d].SetCoefficient(x, float(eff[d]) / scale[d])
        if count_rows[s] is not None:
            count_rows[s].SetCoefficient(x, 1.0)
        class_rows[c].SetCoefficient(x, 1.0)
        total.SetCoefficient(x, 1.0)
    objective_row = solver.Objective()
    for s, (t, _, _, _) in enumerate(slots):
        objective_row.SetCoefficient(y[s], prices[t])
    if spare > 0:
        # The spare room. Each failure domain holds at least one host, of at least c_min[d] (the least capacity of
        # any kind of host) in dimension d, so the k largest domains hold at least k c_min[d] (with fewer than k
        # domains nothing is left after their loss, and any demand fails: no plan, so any row holds). The free
        # room, the fleet's capacity less the usage, must be that much; the usage is at least the effective demand
        # of the placed workloads (the fixed overheads only add). So sum over hosts of capacity - sum x eff >=
        # k c_min, a row every such plan meets. An empty host (bought for the room) counts its full capacity: a
        # variable per kind of host, at its price, within the kind's number.
        c_min = types[:, :dims].astype(np.float64).min(axis=0)
        rows = [solver.Constraint(spare * float(c_min[d]) / scale[d], inf) if c_min[d] > 0 else None
                for d in range(dims)]
        for s, (t, _, _, _) in enumerate(slots):
            for d, row in enumerate(rows):
                if row is not None:
                    row.SetCoefficient(y[s], float(types[t][d]) / scale[d])
        for t in range(len(types)):
            empty = solver.NumVar(0, float(type_size[t]) if math.isfinite(type_size[t]) else inf, "")
            objective_row.SetCoefficient(empty, prices[t])
            per_type.setdefault(t, []).append(empty)
            for d, row in enumerate(rows):
                if row is not None:
                    row.SetCoefficient(empty, float(types[t][d]) / scale[d])
        for t, ys in per_type.items():
            if math.isfinite(type_size[t]):
                solver.Add(solver.Sum(ys) <= float(type_size[t]))
        for x, (_, _, eff) in zip(xs, entries):
            for d, row in enumerate(rows):
                if row is not None and eff[d]:
                    row.SetCoefficient(x, -float(eff[d]) / scale[d])
    objective_row.SetMinimization()
    if deadline is not None:
        left = deadline - time.perf_counter()
        if left <= 0:
            return None
        solver.SetTimeLimit(max(1, int(left * 1000)))
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    value = max(0.0, objective_row.Value()) * (1 - _SLACK)
    used.extend([0.0] * len(types))
    for s, (t, _, _, _) in enumerate(slots):
        used[t] += y[s].solution_value()
    used.extend(v.solution_value() for v in y)  # (then per slot its hosts, per entry its workloads)
    used.extend(x.solution_value() for x in xs)
    if cuts:  # the rounding rows added and the LP solved again (warm): its value the bound, the solution kept
        for coefficients, rhs in cuts:
            row = solver.Constraint(float(rhs), inf)
            for s, a in coefficients.items():
                row.SetCoefficient(y[s], float(a))
        if deadline is not None:
            solver.SetTimeLimit(max(1, int(max(0.0, deadline - time.perf_counter()) * 1000)))
        if solver.Solve() == pywraplp.Solver.OPTIMAL:
            value = max(value, max(0.0, objective_row.Value()) * (1 - _SLACK))
    if objective == "hosts":
        hosts = math.ceil(value - 1e-9)
        return ClassBound(float(hosts), f"at least {hosts} hosts by an LP over host types and workload classes")
    return ClassBound(value, f"an LP over host types and workload classes costs at least {value:.2f}")
