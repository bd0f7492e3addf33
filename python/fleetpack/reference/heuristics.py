"""The heuristics in plain Python, as the core's rust/core/src/heuristics: the workload and host orders, first /
best / worst fit, the portfolio of ``auto``, and the reference `Solver` that runs them."""

from __future__ import annotations

import math
import time

from ..model.objects import Workload
from ..model.problem import Problem
from ..model.rules import HostState, smallest_demand
from ..model.wire import Answer
from ..plan.scoring import host_states, objective_value
from .bounds import lower_bound_explained
from .rules import largest_capacity, normalised

__all__ = ["sort_value", "workload_order", "opening_order", "heuristic", "portfolio", "strategy_name", "solve"]


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
    scale = largest_capacity(problem)
    sizes = [sort_value(normalised(smallest_demand(problem, w), scale), sort_key) for w in problem.workloads]
    return sorted(range(len(sizes)), key=lambda i: -sizes[i])


def opening_order(problem: Problem, objective: str) -> list[int]:
    """The order in which hosts are tried: largest first (by normalised capacity) for ``hosts``, cheapest per unit
    of normalised capacity first for ``cost``, input order for ``spread``; ties in input order."""
    m = len(problem.hosts)
    if objective == "spread":
        return list(range(m))
    scale = largest_capacity(problem)
    sizes = [sort_value(normalised(problem.capacity(h), scale), "sum") for h in problem.hosts]
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


def solve(problem: Problem, method: str, sort_key: str, objective: str, time_limit: float | None,
          seed: int) -> Answer:
    """The reference `Solver` of the heuristic methods and ``auto`` (its portfolio alone; ``seed`` is unused)."""
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
    bound, reason = lower_bound_explained(problem, objective, placed)
    return Answer.from_lists(hosts, forms, strategy, bound, reason)
