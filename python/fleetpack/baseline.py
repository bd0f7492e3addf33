"""The pure-Python baseline: the same heuristics and bounds as the Rust core, written for clarity.

For every heuristic method and sort key, on any valid input, ``fleetpack.baseline.place(...)`` gives the same
assignments as ``fleetpack.place(...)`` (without a ``time_limit``, which the two spend at different speeds). It is the
reference the core is tested against and the baseline it is timed against. The contract both follow is written out
in docs/model.md.
"""

from __future__ import annotations

import math
import time
from typing import Sequence

from .api import run_engine
from .model import Workload
from .plan import Plan, host_states, objective_value
from .problem import Problem
from .rules import HostState, smallest_demand, static_forms

__all__ = ["place", "heuristic", "lower_bound", "opening_order", "workload_order", "portfolio"]


def _largest_capacity(problem: Problem) -> list[int]:
    """Per dimension, the largest capacity of any host: the scale that normalises sizes."""
    largest = [0] * len(problem.dimensions)
    for h in problem.hosts:
        largest = [max(a, b) for a, b in zip(largest, problem.capacity(h))]
    return largest


def _normalised(values: list[int], scale: list[int]) -> list[float]:
    return [float(v) / float(s) for v, s in zip(values, scale) if s > 0]


def sort_value(normalised: list[float], sort_key: str) -> float:
    """The size of a workload for the decreasing methods. ``l2`` is the sum of squares (the same order as the
    Euclidean norm, without a square root)."""
    if sort_key == "sum":
        total = 0.0
        for x in normalised:
            total += x
        return total
    if sort_key == "max":
        largest = 0.0
        for x in normalised:
            largest = max(largest, x)
        return largest
    if sort_key == "l2":
        total = 0.0
        for x in normalised:
            total += x * x
        return total
    product = 1.0
    for x in normalised:
        product *= x
    return product


def workload_order(problem: Problem, method: str, sort_key: str) -> list[int]:
    """FF takes workloads in input order; the decreasing methods by decreasing size, ties in input order."""
    if method == "ff":
        return list(range(len(problem.workloads)))
    scale = _largest_capacity(problem)
    sizes = [sort_value(_normalised(smallest_demand(problem, w), scale), sort_key) for w in problem.workloads]
    return sorted(range(len(sizes)), key=lambda i: -sizes[i])


def opening_order(problem: Problem, objective: str) -> list[int]:
    """The order in which hosts are tried: largest first (by normalised capacity) for ``hosts``, cheapest per unit
    of normalised capacity first for ``cost``, input order for ``spread``; ties in input order."""
    m = len(problem.hosts)
    if objective == "spread":
        return list(range(m))
    scale = _largest_capacity(problem)
    sizes = [sort_value(_normalised(problem.capacity(h), scale), "sum") for h in problem.hosts]
    if objective == "hosts":
        return sorted(range(m), key=lambda j: -sizes[j])
    per_unit = [h.cost / s if s > 0 else math.inf for h, s in zip(problem.hosts, sizes)]
    return sorted(range(m), key=lambda j: per_unit[j])


def _first_fit(states: list[HostState], w: Workload, smallest: list[int], hosts: list[int]):
    for j in hosts:
        if not states[j].has_room_for(smallest):
            continue
        form = states[j].first_form(w)
        if form is not None:
            return j, form
    return None


def _best_or_worst_fit(states: list[HostState], w: Workload, smallest: list[int], hosts: list[int], worst: bool):
    """Among ``hosts``, the one left with the least (or most) normalised free capacity; ties to the earliest."""
    chosen, chosen_free = None, 0.0
    for j in hosts:
        if not states[j].has_room_for(smallest):
            continue
        form = states[j].first_form(w)
        if form is None:
            continue
        free = states[j].normalised_free(states[j].usage_after(w, form))
        if chosen is None or (free > chosen_free if worst else free < chosen_free):
            chosen, chosen_free = (j, form), free
    return chosen


def heuristic(problem: Problem, method: str, sort_key: str, objective: str):
    """Run one heuristic; return (host index or None, form or None) per workload, in input order."""
    states = [HostState(problem, h) for h in problem.hosts]
    opening = opening_order(problem, objective)
    hosts: list = [None] * len(problem.workloads)
    forms: list = [None] * len(problem.workloads)
    for i in workload_order(problem, method, sort_key):
        w = problem.workloads[i]
        smallest = smallest_demand(problem, w)  # a host without room for this cannot take it in any form
        if method in ("ff", "ffd"):
            choice = _first_fit(states, w, smallest, opening)
        elif method == "bfd":
            in_use = [j for j in opening if states[j].count > 0]
            choice = _best_or_worst_fit(states, w, smallest, in_use, worst=False)
            if choice is None:
                choice = _first_fit(states, w, smallest, [j for j in opening if states[j].count == 0])
        else:  # wfd
            choice = _best_or_worst_fit(states, w, smallest, opening, worst=True)
        if choice is not None:
            j, form = choice
            states[j].add(w, form)
            hosts[i], forms[i] = j, form
    return hosts, forms


def portfolio(objective: str) -> list[tuple[str, str]]:
    """The (method, sort key) pairs that ``auto`` runs, in order; the first best plan wins ties."""
    keys = ("sum", "max", "l2", "prod")
    lead = ["wfd", "ffd", "bfd"] if objective == "spread" else ["ffd", "bfd"]
    return [(m, k) for m in lead for k in keys] + [("ff", "sum")]


def strategy_name(method: str, sort_key: str) -> str:
    return method if method == "ff" else f"{method}/{sort_key}"


# ---- lower bounds -------------------------------------------------------------------------------------------------


def _placeable(problem: Problem) -> list[Workload]:
    """Workloads that fit on some host when it is empty (in some allowed form)."""
    empty = {}
    for h in problem.hosts:  # identical hosts are checked once
        key = (tuple(problem.capacity(h)), h.os, h.hypervisor, h.containers, h.max_workloads)
        empty.setdefault(key, HostState(problem, h))
    return [
        w for w in problem.workloads
        if any(s.blocker(w, f) is None for s in empty.values() for f in static_forms(w, s.host))
    ]


def lower_bound(problem: Problem, objective: str, placed: int) -> float:
    """A lower bound on the objective of any plan that places at least ``placed`` workloads.

    Per dimension it counts the ``placed`` smallest demands (each in its smallest form) and, on every used host, the
    smaller of the two per-host overheads. ``hosts``: the fewest hosts whose capacities, largest first, cover that in
    every dimension; when every placeable workload is placed, also the dedicated workloads plus the largest
    anti-affinity group of the others. ``cost``: the cheapest fractional cover per dimension, and at least the
    cheapest host. ``spread``: demand over the whole fleet's capacity per dimension.
    """
    if placed == 0 or not problem.hosts:
        return 0
    placeable = _placeable(problem)
    dims = range(len(problem.dimensions))
    smallest = [smallest_demand(problem, w) for w in placeable]
    demand = [sum(sorted(s[d] for s in smallest)[:placed]) for d in dims]
    per_host = [min(a, b) for a, b in zip(problem.fixed("hypervisor"), problem.fixed("container_runtime"))]
    capacities = [problem.capacity(h) for h in problem.hosts]
    if objective == "hosts":
        bound = 1
        for d in dims:
            room = sorted((max(c[d] - per_host[d], 0) for c in capacities), reverse=True)
            covered, k = 0, 0
            while covered < demand[d] and k < len(room):
                covered += room[k]
                k += 1
            bound = max(bound, k)
        if placed >= len(placeable):
            dedicated = sum(w.isolation == "dedicated" for w in placeable)
            groups: dict[str, int] = {}
            for w in placeable:
                if w.isolation != "dedicated" and w.anti_affinity is not None:
                    groups[w.anti_affinity] = groups.get(w.anti_affinity, 0) + 1
            bound = max(bound, dedicated + max(groups.values(), default=0))
        return bound
    if objective == "cost":
        bound = min(h.cost for h in problem.hosts)
        for d in dims:
            if demand[d] == 0:
                continue
            room = [(h.cost, max(c[d] - per_host[d], 0)) for h, c in zip(problem.hosts, capacities)]
            room = sorted((r for r in room if r[1] > 0), key=lambda r: r[0] / float(r[1]))
            remaining, total = demand[d], 0.0
            for cost, size in room:
                take = min(remaining, size)
                total += cost * float(take) / float(size)
                remaining -= take
                if remaining == 0:
                    break
            bound = max(bound, total)
        return bound
    bound = 0.0
    for d in dims:
        fleet = sum(c[d] for c in capacities)
        if fleet > 0:
            bound = max(bound, float(demand[d]) / float(fleet))
    return bound


# ---- the engine ---------------------------------------------------------------------------------------------------


def _engine(problem: Problem, method: str, sort_key: str, objective: str, time_limit, seed: int):
    if method == "exact":  # not a heuristic: CP-SAT (fleetpack.exact), from this portfolio's plan
        from . import exact

        return exact.engine(problem, method, sort_key, objective, time_limit, seed, heuristic=_engine)
    start = time.perf_counter()
    runs = portfolio(objective) if method == "auto" else [(method, sort_key)]
    best = None
    for run_method, run_key in runs:
        hosts, forms = heuristic(problem, run_method, run_key, objective)
        placed = sum(j is not None for j in hosts)
        score = (-placed, objective_value(problem, objective, host_states(problem, hosts, forms)))
        if best is None or score < best[0]:
            best = (score, hosts, forms, strategy_name(run_method, run_key))
        if time_limit is not None and time.perf_counter() - start >= time_limit:
            break
    _, hosts, forms, strategy = best
    placed = sum(j is not None for j in hosts)
    return hosts, forms, strategy, lower_bound(problem, objective, placed)


def place(
    workloads: Sequence,
    hosts: Sequence,
    objective: str = "hosts",
    method: str = "auto",
    sort_key: str = "sum",
    overheads=None,
    time_limit: float | None = None,
    seed: int = 0,
    strict: bool = False,
) -> Plan:
    """`fleetpack.place` in plain Python (heuristic methods and ``auto``)."""
    return run_engine(_engine, workloads, hosts, objective=objective, method=method, sort_key=sort_key,
                      overheads=overheads, time_limit=time_limit, seed=seed, strict=strict)
