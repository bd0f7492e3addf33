"""``place()`` and ``place_many()``: the entry points. Checks, the problem and the plan are the solve front's
(`fleetpack.solve.front`); how a problem is solved is the pipeline's (`fleetpack.solve.pipeline`)."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Sequence, Union

from .model.objects import Overheads
from .plan.plan import Plan, build_plan
from .solve.front import live_check, place_with, read_problems, strict_check
from .solve.options import Method, Objective, SortKey
from .solve.pipeline import solve, solve_many

if TYPE_CHECKING:
    import pandas as pd

    from .model.objects import Host, Workload

__all__ = ["place", "place_many", "WorkloadsInput", "HostsInput"]

# One side of a problem as place and place_many take it: rows (objects or dicts) or a table (a dict of columns,
# a pandas DataFrame).
WorkloadsInput = Union[Iterable[Union["Workload", Mapping[str, Any]]], Mapping[str, Any], "pd.DataFrame"]
HostsInput = Union[Iterable[Union["Host", Mapping[str, Any]]], Mapping[str, Any], "pd.DataFrame"]


def place(
    workloads: WorkloadsInput,
    hosts: HostsInput,
    objective: Objective = "hosts",
    method: Method = "auto",
    sort_key: SortKey = "sum",
    overheads: Overheads | dict[str, Any] | None = None,
    time_limit: float | None = None,
    seed: int = 0,
    strict: bool = False,
    workers: int | None = None,
    max_moves: int | None = None,
    max_move_cost: int | None = None,
    drain: Iterable[str] = (),
) -> Plan:
    """Place each workload on a host, as a VM or a container, honouring every rule of the model.

    ``workloads`` and ``hosts`` are sequences of `Workload` / `Host` or of dicts with the same keys; ``overheads`` an
    `Overheads`, a dict, or None for the defaults. ``objective``: ``"hosts"`` (fewest hosts), ``"cost"`` (lowest total
    host cost) or ``"spread"`` (lowest largest utilisation); placing more workloads always comes first.
    ``method``: ``"ff"``, ``"ffd"``, ``"bfd"``, ``"wfd"``, ``"auto"`` (a portfolio of them, the best plan improved
    by a local search that empties hosts, then on small instances improved or proven optimal by CP-SAT) or ``"exact"`` (the portfolio, then OR-Tools CP-SAT until
    proven optimal or ``time_limit``; docs/exact.md); ``sort_key`` (``"sum"``, ``"max"``, ``"l2"``, ``"prod"``)
    orders the decreasing methods. ``time_limit`` bounds ``"auto"`` and ``"exact"`` in seconds; ``seed`` seeds
    the local search and CP-SAT, ``workers`` is its number of threads (None: all cores). Workloads that cannot be placed are reported in
    ``plan.unplaced``, with a reason; with ``strict=True`` they raise `InfeasibleError` instead. Bad input raises
    `ValidationError`.

    A live fleet (workloads with a ``current`` host, or hosts to ``drain``) is re-planned from where it runs:
    ``max_moves`` caps the number of moves, ``max_move_cost`` their summed ``move_cost``, and every host in
    ``drain`` ends empty (docs/design-live-rules-capacity.md). When no plan within the budget exists (a pinned
    workload that does not fit, forced moves beyond a budget) it raises `InfeasibleError`, strict or not.
    """
    return place_with(functools.partial(solve, workers=workers), workloads, hosts, objective=objective,
                      method=method, sort_key=sort_key, overheads=overheads, time_limit=time_limit, seed=seed,
                      strict=strict, workers=workers, drain=drain, max_moves=max_moves, max_move_cost=max_move_cost)


def place_many(problems: Sequence[Any], *, objective: Objective = "hosts", method: Method = "auto",
               sort_key: SortKey = "sum", overheads: Overheads | dict[str, Any] | None = None,
               time_limit: float | None = None, seed: int = 0, strict: bool = False,
               workers: int | None = None, max_moves: int | None = None, max_move_cost: int | None = None,
               drain: Iterable[str] = ()) -> list[Plan]:
    """Solve independent problems in parallel; returns their plans in order, each the plan `place` would return.

    Each problem is a pair ``(workloads, hosts)`` or a dict with ``workloads`` and ``hosts`` and, optionally, its own
    ``objective``, ``method``, ``sort_key``, ``overheads``, ``time_limit``, ``max_moves``, ``max_move_cost`` and
    ``drain`` (the keyword arguments are the defaults). All problems are validated first (an error names ``problems[k]``); the core then solves them on
    ``workers`` threads (None: all cores) without the GIL. A method the core does not run alone (``"exact"``) is
    solved problem by problem.
    """
    defaults = {"objective": objective, "method": method, "sort_key": sort_key, "overheads": overheads,
                "time_limit": time_limit, "max_moves": max_moves, "max_move_cost": max_move_cost, "drain": drain}
    jobs = read_problems(problems, defaults, seed, workers, strict)
    answers = solve_many(jobs, seed, workers)
    for (problem, _), (answer, _) in zip(jobs, answers):
        live_check(problem, answer)
    plans = [build_plan(problem, answer, objective=o["objective"], method=o["method"], elapsed=elapsed)
             for (problem, o), (answer, elapsed) in zip(jobs, answers)]
    strict_check(plans, strict)
    return plans
