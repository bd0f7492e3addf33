"""The heuristics in plain Python, as the core's rust/core/src/heuristics: the workload and host orders, first /
best / worst fit, the portfolio of ``auto``, and the reference `Solver` that runs them."""

from __future__ import annotations

import math
import time

import numpy as np

from ..model.objects import Workload
from ..model.problem import Problem
from ..model.rule_counts import empty_states, penalty
from ..model.rules import HostState, smallest_demand
from ..model.wire import PLACED_FORMS, UNPLACED, Answer
from ..plan.moves import keep_current, moved_rows
from ..plan.scoring import host_states, objective_value
from .bounds import lower_bound_explained
from .rules import largest_capacity, normalised
from .units import place_unit, unit_rule

__all__ = ["sort_value", "workload_order", "opening_order", "heuristic", "place_rest", "live_heuristic", "portfolio",
           "strategy_name", "solve"]


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
        free = states[j].free_after(w, form)
        if chosen is None or (free > chosen_free if worst else free < chosen_free):
            chosen, chosen_free = (j, form), free
    return chosen


def heuristic(problem: Problem, method: str, sort_key: str, objective: str):
    """Run one heuristic; return (host index or None, form or None) per workload, in input order."""
    states = empty_states(problem)
    hosts: list = [None] * len(problem.workloads)
    forms: list = [None] * len(problem.workloads)
    place_rest(problem, method, sort_key, objective, states, hosts, forms)
    return hosts, forms


def place_rest(problem: Problem, method: str, sort_key: str, objective: str, states: list[HostState], hosts: list,
               forms: list, skip: set[int] = frozenset(), barred: set[int] = frozenset()) -> None:
    """Place the workloads not yet placed (``hosts[i]`` None) and not in ``skip`` by the method, in its workload
    order, onto ``states`` (hosts in ``barred`` take nothing); ``hosts`` and ``forms`` are filled in. In a greenfield
    pass a hard affinity group is placed as one unit (`fleetpack.reference.units`)."""
    opening = [j for j in opening_order(problem, objective) if j not in barred]

    def choose(i: int):
        w = problem.workloads[i]
        smallest = smallest_demand(problem, w)  # a host without room for this cannot take it in any form
        if method in ("ff", "ffd"):
            return _first_fit(states, w, smallest, opening)
        if method == "bfd":
            in_use = [j for j in opening if states[j].count > 0]
            choice = _best_or_worst_fit(states, w, smallest, in_use, worst=False)
            if choice is None:
                choice = _first_fit(states, w, smallest, [j for j in opening if states[j].count == 0])
            return choice
        return _best_or_worst_fit(states, w, smallest, opening, worst=True)  # wfd

    order = workload_order(problem, method, sort_key)
    units = problem.live is None and problem.rules is not None
    position = {i: k for k, i in enumerate(order) if i not in skip}
    for i in order:
        if hosts[i] is not None or i in skip:
            continue
        r = unit_rule(states, i) if units else None
        if r is not None:
            place_unit(states, hosts, forms, choose, i, r, position)
            continue
        choice = choose(i)
        if choice is not None:
            j, form = choice
            states[j].add(problem.workloads[i], form)
            hosts[i], forms[i] = j, form


def live_heuristic(problem: Problem, method: str, sort_key: str, objective: str):
    """Run one heuristic on a live fleet by the contract (docs/design-live-rules-capacity.md): keep (pinned
    workloads, then the others with a current host, each where it runs when it fits), check the budgets against the
    forced moves, then place the rest by the method onto the hosts as kept, drained hosts excluded. Returns (hosts,
    forms, the pinned workloads that do not fit, the forced moves), rows in input order."""
    live = problem.live
    kept = keep_current(problem)
    pin_conflicts = [i for i, _ in kept.pin_conflicts]
    forced = [i for i, _ in kept.forced]
    if not pin_conflicts and not _over_budget(problem, forced):  # (else no plan within the budget exists: the front raises)
        barred = {j for j, drained in enumerate(live.drain.tolist()) if drained}
        # every workload with a current host that is not kept is a forced move, counted above whether it is placed
        # or evicted: placing it spends nothing more
        place_rest(problem, method, sort_key, objective, kept.states, kept.hosts, kept.forms, barred=barred)
    return kept.hosts, kept.forms, pin_conflicts, forced


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
        if problem.live is None:
            hosts, forms = heuristic(problem, run_method, run_key, objective)
            conflicts: tuple = ([], [])
        else:
            hosts, forms, pins, forced = live_heuristic(problem, run_method, run_key, objective)
            conflicts = (pins, forced)
            if pins or _over_budget(problem, forced):  # no plan within the budget: the front raises
                best = (None, hosts, forms, strategy_name(run_method, run_key), conflicts)
                break  # (the keep step's conflicts are the same for every run)
        placed = sum(j is not None for j in hosts)
        moved = _moved(problem, hosts, forms)
        # with soft group rules, the least penalty breaks ties of count and value, before move cost
        score = (-placed, objective_value(problem, objective, host_states(problem, hosts, forms)),
                 penalty(problem, hosts), sum(int(problem.live.move_cost[i]) for i in moved) if moved else 0)
        if best is None or score < best[0]:
            best = (score, hosts, forms, strategy_name(run_method, run_key), conflicts)
        if time_limit is not None and time.perf_counter() - start >= time_limit:
            break
    _, hosts, forms, strategy, (pin_conflicts, forced) = best
    placed = sum(j is not None for j in hosts)
    moved = _moved(problem, hosts, forms)
    bound, reason = lower_bound_explained(problem, objective, placed)
    return Answer.from_lists(hosts, forms, strategy, bound, reason, moves=len(moved),
                             penalty=None if problem.rules is None else penalty(problem, hosts),
                             move_cost=sum(int(problem.live.move_cost[i]) for i in moved) if moved else 0,
                             pin_conflicts=pin_conflicts, forced_moves=forced)


def _moved(problem: Problem, hosts: list, forms: list) -> list[int]:
    """The rows an assignment moves (`fleetpack.plan.moves` words the same rule for plans)."""
    if problem.live is None:
        return []
    codes = [-1 if f is None else PLACED_FORMS.index(f) for f in forms]
    rows = moved_rows(problem, np.array([-1 if j is None else j for j in hosts], dtype=np.int64),
                      np.array([UNPLACED if c < 0 else c for c in codes], dtype=np.uint8))
    return rows.tolist()


def _over_budget(problem: Problem, forced: list[int]) -> bool:
    live = problem.live
    cost = sum(int(live.move_cost[i]) for i in forced)
    return (live.max_moves is not None and len(forced) > live.max_moves
            or live.max_move_cost is not None and cost > live.max_move_cost)
