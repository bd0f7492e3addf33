"""``place()``: validate the inputs, run a solver, and describe its answer as a `Plan`."""

from __future__ import annotations

import math
import numbers
import time
from typing import Callable, Sequence

from .errors import ErrorDetail, InfeasibleError, ValidationError
from .plan import Plan, build_plan, make_plan
from .problem import METHODS, OBJECTIVES, SORT_KEYS, Problem, build_problem, check_choice

__all__ = ["place", "Engine", "run_engine"]

# A solver: (problem, method, sort_key, objective, time_limit, seed) ->
#     (host index or None per workload, form or None per workload, strategy name, lower bound)
Engine = Callable[[Problem, str, str, str, "float | None", int], tuple[list, list, str, float]]


def _check_parameters(objective, method, sort_key, time_limit, seed) -> list[ErrorDetail]:
    """The problems of the parameters, all of them (the caller reports them with those of the inputs)."""
    problems: list[ErrorDetail] = []
    for name, value, allowed in (("objective", objective, OBJECTIVES), ("method", method, METHODS),
                                 ("sort_key", sort_key, SORT_KEYS)):
        try:
            check_choice(name, value, allowed)
        except ValidationError as exc:
            problems.extend(exc.errors)
    if time_limit is not None:
        if isinstance(time_limit, bool) or not isinstance(time_limit, numbers.Real) or not (
            math.isfinite(time_limit) and time_limit > 0
        ):
            problems.append(ErrorDetail("place()", "time_limit", f"must be a positive number of seconds or None, "
                                                                f"got {time_limit!r}", time_limit))
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= seed < 2**63:
        problems.append(ErrorDetail("place()", "seed", f"must be a non-negative integer, got {seed!r}", seed))
    return problems


def run_engine(engine: Engine, workloads, hosts, *, objective, method, sort_key, overheads, time_limit, seed,
               strict) -> Plan:
    """The shared front of every ``place``: checks, solving, the plan, and strict mode."""
    problems = _check_parameters(objective, method, sort_key, time_limit, seed)
    try:
        problem = build_problem(workloads, hosts, overheads)
    except ValidationError as exc:
        problems.extend(exc.errors)
    if problems:
        raise ValidationError(problems)
    start = time.perf_counter()
    answer = engine(problem, method, sort_key, objective, time_limit, int(seed))
    elapsed = time.perf_counter() - start
    if isinstance(answer, dict):  # the core's arrays
        plan = build_plan(problem, answer["host_index"], answer["form_codes"], objective=objective,
                          lower_bound=_bound(objective, answer["lower_bound"]), method=method,
                          strategy=answer["strategy"], elapsed=elapsed, objective_value_=answer["objective_value"],
                          used=answer["used"])
    else:
        host_index, forms, strategy, lower_bound = answer
        plan = make_plan(problem, host_index, forms, objective=objective, lower_bound=lower_bound, method=method,
                         strategy=strategy, elapsed=elapsed)
    if strict and plan.unplaced:
        raise InfeasibleError(plan)
    return plan


def _bound(objective: str, value: float):
    # the hosts bound is a count, as the baseline reports it
    return int(value) if objective == "hosts" else value


def _core_engine(problem: Problem, method, sort_key, objective, time_limit, seed) -> dict:
    from . import _core

    return _core.place(problem.encode(), method, sort_key, objective, time_limit)


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
    """Place each workload on a host, as a VM or a container, honouring every rule of the model.

    ``workloads`` and ``hosts`` are sequences of `Workload` / `Host` or of dicts with the same keys; ``overheads`` an
    `Overheads`, a dict, or None for the defaults. ``objective``: ``"hosts"`` (fewest hosts), ``"cost"`` (lowest total
    host cost) or ``"spread"`` (lowest largest utilisation); placing more workloads always comes first.
    ``method``: ``"ff"``, ``"ffd"``, ``"bfd"``, ``"wfd"`` or ``"auto"`` (a portfolio of them, best plan kept);
    ``sort_key`` (``"sum"``, ``"max"``, ``"l2"``, ``"prod"``) orders the decreasing methods. ``time_limit`` bounds
    ``"auto"`` in seconds. Workloads that cannot be placed are reported in ``plan.unplaced``, with a reason; with
    ``strict=True`` they raise `InfeasibleError` instead. Bad input raises `ValidationError`.
    """
    return run_engine(_core_engine, workloads, hosts, objective=objective, method=method, sort_key=sort_key,
                      overheads=overheads, time_limit=time_limit, seed=seed, strict=strict)
