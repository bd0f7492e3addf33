"""``place()``: validate the inputs, run a solver, and describe its answer as a `Plan`."""

from __future__ import annotations

import functools
import math
import numbers
import time
from collections.abc import Iterable, Mapping
from typing import Callable, Sequence

from .errors import ErrorDetail, InfeasibleError, ValidationError
from .likely_mistakes import check_problem, collecting
from .plan import Plan, build_plan, make_plan
from .problem import METHODS, OBJECTIVES, SORT_KEYS, Problem, build_problem, check_choice

__all__ = ["place", "place_many", "Engine", "run_engine"]

# A solver: (problem, method, sort_key, objective, time_limit, seed) ->
#     (host index or None per workload, form or None per workload, strategy name, lower bound)
Engine = Callable[[Problem, str, str, str, "float | None", int], tuple[list, list, str, float]]


def _check_parameters(objective, method, sort_key, time_limit, seed, workers=None,
                      strict=False) -> list[ErrorDetail]:
    """The problems of the parameters, all of them (the caller reports them with those of the inputs)."""
    problems: list[ErrorDetail] = []
    if not isinstance(strict, bool):
        problems.append(ErrorDetail("place()", "strict", f"must be True or False, got {strict!r}", strict))
    for name, value, allowed in (("objective", objective, OBJECTIVES), ("method", method, METHODS),
                                 ("sort_key", sort_key, SORT_KEYS)):
        try:
            check_choice(name, value, allowed)
        except ValidationError as exc:
            problems.extend(exc.errors)
    if time_limit is not None:
        # (compared, not converted: an int too large for a float is an error, not an OverflowError)
        if isinstance(time_limit, bool) or not isinstance(time_limit, numbers.Real) or not 0 < time_limit < math.inf:
            problems.append(ErrorDetail("place()", "time_limit", f"must be a positive number of seconds or None, "
                                                                f"got {time_limit!r}", time_limit))
        elif time_limit > 1e9:  # (the core keeps durations in 64 bits)
            problems.append(ErrorDetail("place()", "time_limit", f"must be at most 1e9 seconds, got {time_limit!r}",
                                        time_limit))
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= seed < 2**63:
        problems.append(ErrorDetail("place()", "seed", f"must be a non-negative integer, got {seed!r}", seed))
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, numbers.Integral)
                                or not 1 <= workers <= 1024):
        problems.append(ErrorDetail("place()", "workers", f"must be a positive integer or None (all cores), "
                                                          f"got {workers!r}", workers))
    return problems


def run_engine(engine: Engine, workloads, hosts, *, objective, method, sort_key, overheads, time_limit, seed,
               strict, workers=None) -> Plan:
    """The shared front of every ``place``: checks, solving, the plan, and strict mode. ``workers`` is only
    checked here: an engine that uses it gets it bound in (``functools.partial``)."""
    problems = _check_parameters(objective, method, sort_key, time_limit, seed, workers, strict)
    with collecting():  # likely mistakes in valid input: one warning per kind for the whole call
        try:
            problem = build_problem(workloads, hosts, overheads)
        except ValidationError as exc:
            problems.extend(exc.errors)
        if problems:
            raise ValidationError(problems)
        check_problem(problem)
    start = time.perf_counter()
    answer = engine(problem, method, sort_key, objective, time_limit, int(seed))
    plan = _plan_of(problem, answer, objective, method, time.perf_counter() - start)
    if strict and plan.unplaced:
        raise InfeasibleError(plan)
    return plan


def _plan_of(problem, answer, objective: str, method: str, elapsed: float) -> Plan:
    """The plan of an engine's answer: the core's dict of arrays, or (hosts, forms, strategy, bound) lists."""
    if isinstance(answer, dict):
        return build_plan(problem, answer["host_index"], answer["form_codes"], objective=objective,
                          lower_bound=_bound(objective, answer["lower_bound"]), method=method,
                          strategy=answer["strategy"], elapsed=elapsed, objective_value_=answer["objective_value"],
                          used=answer["used"], hosts_used=answer.get("hosts_used"), cost=answer.get("cost"))
    host_index, forms, strategy, lower_bound = answer
    return make_plan(problem, host_index, forms, objective=objective, lower_bound=lower_bound, method=method,
                     strategy=strategy, elapsed=elapsed)


def _bound(objective: str, value: float):
    # the hosts bound is a count, as the baseline reports it
    return int(value) if objective == "hosts" else value


#: With a time limit, the share of it that ``auto``'s core run (portfolio and improvement search) may use when the
#: exact stage may follow it (at most `EXACT_STAGE_WORKLOADS` workloads); the exact stage gets what is left. On the
#: BPPLIB sets at 1 s, all of it to the search placed as well or better than a half or three quarters, and the exact
#: stage overran the limit when it got a quarter or half of it (docs/improve.md); the stage still runs when the
#: search stops early and, without a time limit, on its own budget.
AUTO_SEARCH_SHARE = 1.0
EXACT_STAGE_WORKLOADS = 1000
#: ``method="exact"`` asks for CP-SAT: the search before it (a better first hint) takes this share of the time limit.
EXACT_SEARCH_SHARE = 0.25


def _core_limits(problem: Problem, method: str, time_limit) -> tuple:
    """(the core's time limit, the improvement search's work units or None for its default) of one solve."""
    if method not in ("auto", "exact"):
        return time_limit, None
    from . import exact

    if not exact.auto_stage_enabled():  # `heuristics_only()`: the portfolio alone, as the baseline runs it
        return time_limit, 0
    if time_limit is None:
        return None, None
    if method == "exact":
        return time_limit * EXACT_SEARCH_SHARE, None
    if len(problem.workload_ids) <= EXACT_STAGE_WORKLOADS:
        return time_limit * AUTO_SEARCH_SHARE, None
    return time_limit, None


def _core_engine(problem: Problem, method, sort_key, objective, time_limit, seed, workers=None):
    from . import _core

    core_limit, search_work = _core_limits(problem, method, time_limit)
    if method == "exact":  # the portfolio's plan, then CP-SAT (fleetpack.exact; OR-Tools is imported there)
        from . import exact

        return exact.engine(problem, method, sort_key, objective, time_limit, seed, workers=workers,
                            heuristic=lambda p, m, k, o, t, s: _core.place(p.encode(), m, k, o, core_limit, s,
                                                                           search_work))
    start = time.perf_counter()
    answer = _core.place(problem.encode(), method, sort_key, objective, core_limit, seed, search_work)
    if method == "auto":  # on small instances the plan is improved, or proven optimal, by CP-SAT
        from . import exact

        left = None if time_limit is None else time_limit - (time.perf_counter() - start)
        return exact.auto_stage(problem, objective, answer, left, seed, workers)
    return answer


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
    workers: int | None = None,
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
    """
    return run_engine(functools.partial(_core_engine, workers=workers), workloads, hosts, objective=objective,
                      method=method, sort_key=sort_key, overheads=overheads, time_limit=time_limit, seed=seed,
                      strict=strict, workers=workers)


_CORE_METHODS = ("ff", "ffd", "bfd", "wfd", "auto")


@collecting()  # likely mistakes in valid input: one warning per kind for the whole call
def place_many(problems, *, objective: str = "hosts", method: str = "auto", sort_key: str = "sum", overheads=None,
               time_limit: float | None = None, seed: int = 0, strict: bool = False,
               workers: int | None = None) -> list[Plan]:
    """Solve independent problems in parallel; returns their plans in order, each the plan `place` would return.

    Each problem is a pair ``(workloads, hosts)`` or a dict with ``workloads`` and ``hosts`` and, optionally, its own
    ``objective``, ``method``, ``sort_key``, ``overheads`` and ``time_limit`` (the keyword arguments are the
    defaults). All problems are validated first (an error names ``problems[k]``); the core then solves them on
    ``workers`` threads (None: all cores) without the GIL. A method the core does not run alone (``"exact"``) is
    solved problem by problem.
    """
    import os

    from . import _core

    defaults = {"objective": objective, "method": method, "sort_key": sort_key, "overheads": overheads,
                "time_limit": time_limit}
    if isinstance(problems, (str, bytes, Mapping)) or not isinstance(problems, Iterable):
        raise ValidationError.single("place_many()", "problems", "expected a sequence of (workloads, hosts) pairs or "
                                     f"dicts, got {type(problems).__name__}", problems)
    jobs, errors = [], []
    if not isinstance(strict, bool):
        errors.append(ErrorDetail("place_many()", "strict", f"must be True or False, got {strict!r}", strict))
    for k, item in enumerate(problems):
        if isinstance(item, Mapping):
            unknown = set(item) - {"workloads", "hosts", *defaults}
            if unknown or not {"workloads", "hosts"} <= set(item):
                errors.append(ErrorDetail(f"problems[{k}]", "(keys)", "a problem is a dict with 'workloads' and "
                                          f"'hosts' and optionally {', '.join(defaults)}; got {sorted(item)}"))
                continue
            options = {**defaults, **{key: item[key] for key in defaults if key in item}}
            pair = (item["workloads"], item["hosts"])
        else:
            try:
                pair = tuple(item)
            except TypeError:
                pair = ()
            if len(pair) != 2:
                errors.append(ErrorDetail(f"problems[{k}]", "(item)", "expected (workloads, hosts) or a dict"))
                continue
            options = dict(defaults)
        problem_errors = _check_parameters(options["objective"], options["method"], options["sort_key"],
                                           options["time_limit"], seed, workers)
        try:
            problem = build_problem(pair[0], pair[1], options["overheads"])
            check_problem(problem)
        except ValidationError as exc:
            problem_errors.extend(exc.errors)
            problem = None
        errors.extend(ErrorDetail(f"problems[{k}]: {e.where}", e.field, e.message, e.value) for e in problem_errors)
        jobs.append((problem, options))
    if errors:
        raise ValidationError(errors)
    threads = workers or os.cpu_count() or 1
    batch = [k for k, (_, o) in enumerate(jobs) if o["method"] in _CORE_METHODS]
    limits = {k: _core_limits(jobs[k][0], jobs[k][1]["method"], jobs[k][1]["time_limit"]) for k in batch}
    answers = _core.place_many(
        [(jobs[k][0].encode(), jobs[k][1]["method"], jobs[k][1]["sort_key"], jobs[k][1]["objective"],
          limits[k][0], int(seed), limits[k][1]) for k in batch],
        threads,
    )
    plans: list[Plan | None] = [None] * len(jobs)
    for k, answer in zip(batch, answers):
        problem, o = jobs[k]
        elapsed = answer["elapsed"]  # this problem's own solve in the core, on its thread
        if o["method"] == "auto":  # as `place` does: small instances go on to the exact stage, with the time left
            from . import exact

            begin = time.perf_counter()
            left = None if o["time_limit"] is None else o["time_limit"] - elapsed
            answer = exact.auto_stage(problem, o["objective"], answer, left, seed, workers)
            elapsed += time.perf_counter() - begin
        plans[k] = _plan_of(problem, answer, o["objective"], o["method"], elapsed)
    for k, (problem, o) in enumerate(jobs):
        if plans[k] is None:  # methods the core does not run alone, one problem at a time
            begin = time.perf_counter()
            answer = _core_engine(problem, o["method"], o["sort_key"], o["objective"], o["time_limit"], seed,
                                  workers=workers)
            plans[k] = _plan_of(problem, answer, o["objective"], o["method"], time.perf_counter() - begin)
    if strict:
        for plan in plans:
            if plan.unplaced:
                raise InfeasibleError(plan)
    return plans
