"""The pure-Python baseline: the same heuristics and bounds as the Rust core, written for clarity.

For every heuristic method and sort key, on any valid input, ``fleetpack.baseline.place(...)`` gives the same
assignments as ``fleetpack.place(...)`` (without a ``time_limit``, which the two spend at different speeds). It is the
reference the core is tested against and the baseline it is timed against. The contract both follow is written out
in docs/model.md.
"""

from __future__ import annotations

from typing import Any, Sequence

from .model.objects import Overheads
from .model.problem import Problem
from .model.wire import Answer
from .plan.plan import Plan
from .reference.bounds import fekete_schepers, lower_bound, martello_toth_l2
from .reference.heuristics import (heuristic, opening_order, portfolio, solve, sort_value, strategy_name,
                                   workload_order)
from .solve.front import place_with
from .solve.options import Method, Objective, SortKey

__all__ = ["place", "heuristic", "lower_bound", "opening_order", "workload_order", "portfolio", "sort_value",
           "strategy_name", "martello_toth_l2", "fekete_schepers"]


def _solve(problem: Problem, method: str, sort_key: str, objective: str, time_limit: float | None,
           seed: int) -> Answer:
    if method == "exact":  # not a heuristic: CP-SAT (fleetpack.exact), from this portfolio's plan
        from . import exact

        def portfolio_answer(p, m, k, o, t, s) -> dict[str, Any]:
            return solve(p, m, k, o, t, s).to_core()

        return Answer.from_core(exact.engine(problem.materialize(), method, sort_key, objective, time_limit, seed,
                                             heuristic=portfolio_answer), objective)
    return solve(problem.materialize(), method, sort_key, objective, time_limit, seed)


def place(
    workloads: Sequence[Any],
    hosts: Sequence[Any],
    objective: Objective = "hosts",
    method: Method = "auto",
    sort_key: SortKey = "sum",
    overheads: Overheads | dict[str, Any] | None = None,
    time_limit: float | None = None,
    seed: int = 0,
    strict: bool = False,
    max_moves: int | None = None,
    max_move_cost: int | None = None,
    drain: Sequence[str] = (),
    rules: Sequence[Any] | None = None,
) -> Plan:
    """`fleetpack.place` in plain Python (heuristic methods and ``auto``), live fleets and group rules too."""
    return place_with(_solve, workloads, hosts, objective=objective, method=method, sort_key=sort_key,
                      overheads=overheads, time_limit=time_limit, seed=seed, strict=strict, drain=drain,
                      max_moves=max_moves, max_move_cost=max_move_cost, rules=rules)
