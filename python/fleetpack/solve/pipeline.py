"""How ``place`` and ``place_many`` solve: the Rust core's portfolio and improvement search, then, for ``auto`` on
small instances and for ``exact``, CP-SAT (`fleetpack.exact`) with the time the core left. Both entry points run
this one pipeline; the time shares below are its policy.

It logs (at debug level, under the ``fleetpack`` logger) what it ran, and each stage's result and time, so that a
service can see why a call took its time; ``fleetpack place -v`` shows it."""

from __future__ import annotations

import logging
import os
import time
from dataclasses import replace
from typing import Any

from ..model.inputs import ProblemLike
from ..model.wire import Answer, bound_value
from .front import core_place, core_place_many
from .options import CORE_METHODS

log = logging.getLogger(__name__)

__all__ = ["AUTO_SEARCH_SHARE", "EXACT_STAGE_WORKLOADS", "EXACT_SEARCH_SHARE", "EXACT_SEARCH_WORK_FACTOR",
           "core_limits", "solve", "solve_many"]

#: With a time limit, the share of it that ``auto``'s core run (portfolio and improvement search) may use when the
#: exact stage may follow it (at most `EXACT_STAGE_WORKLOADS` workloads); the exact stage gets what is left (the
#: measurements behind the choice are in docs/improve.md). The stage still runs when the search stops early and,
#: without a time limit, on its own budget.
AUTO_SEARCH_SHARE = 1.0
EXACT_STAGE_WORKLOADS = 1000
#: ``method="exact"`` asks for CP-SAT: the search before it (a better first hint) takes this share of the time limit,
#: and at most this many times the work it does without a time limit (`default_search_work`): on rule-heavy fleets
#: of 20-50 workloads 16 times reached the optimum on 2 of 6 where 1 time reached none, in under 0.1 s each, and the
#: share alone ran 5 s of a 20 s limit on fleets that CP-SAT then proved in 0.1 s (docs/exact.md).
EXACT_SEARCH_SHARE = 0.25
EXACT_SEARCH_WORK_FACTOR = 16


# the improvement search's budget when no time limit is given, as the core computes it (improve::default_work:
# WORK_PER_WORKLOAD per workload, within MIN_WORK..MAX_WORK); tests/test_pipeline_limits.py checks they agree
_WORK_PER_WORKLOAD, _MIN_WORK, _MAX_WORK = 1_500, 10_000, 15_000_000


def default_search_work(workloads: int) -> int:
    """The core's default improvement-search budget, in work units, for ``workloads`` workloads."""
    return min(max(workloads * _WORK_PER_WORKLOAD, _MIN_WORK), _MAX_WORK)


def core_limits(problem: ProblemLike, method: str, time_limit: float | None) -> tuple[float | None, float | None]:
    """(the core's time limit, the improvement search's work units or None for its default) of one solve."""
    if method not in ("auto", "exact"):
        return time_limit, None
    from .. import exact

    if not exact.auto_stage_enabled():  # `heuristics_only()`: the portfolio alone, as the baseline runs it
        return time_limit, 0
    if time_limit is None:
        return None, None
    if method == "exact":
        # a multiple of the search's untimed budget, cut short by its share (EXACT_SEARCH_WORK_FACTOR)
        work = EXACT_SEARCH_WORK_FACTOR * default_search_work(len(problem.workload_ids))
        return time_limit * EXACT_SEARCH_SHARE, work
    if len(problem.workload_ids) <= EXACT_STAGE_WORKLOADS:
        return time_limit * AUTO_SEARCH_SHARE, None
    return time_limit, None


def _result(answer: Answer) -> str:
    """A stage's answer in a few words, for the log."""
    placed = int((answer.host_index >= 0).sum())
    value = "" if answer.objective_value is None else f", objective {answer.objective_value:g}"
    return (f"{answer.strategy}: placed {placed} of {len(answer.host_index)}{value}, "
            f"lower bound {answer.lower_bound:g}")


def _after_core(problem: ProblemLike, method: str, objective: str, answer: Answer, time_limit: float | None,
                seed: int, workers: int | None, spent: float, arrays: dict | None = None) -> Answer:
    """What follows the core's run: for ``auto``, the exact stage (small instances are improved, or proven optimal,
    by CP-SAT) with the time left after ``spent`` seconds, then the LP bound over host types and workload classes
    (``arrays``: the problem as the core took it)."""
    if method != "auto":
        return answer
    from .. import exact

    left = None if time_limit is None else time_limit - spent
    began = time.perf_counter()
    given = answer.to_core()
    out = exact.auto_stage(problem, objective, given, left, seed, workers)
    if out is not given:  # (else the stage logs why it did not run)
        answer = Answer.from_core(out, objective)
        log.debug("auto: exact stage (CP-SAT): %s, in %.3f s", _result(answer), time.perf_counter() - began)
    left = None if time_limit is None else time_limit - spent - (time.perf_counter() - began)
    return _class_bound(problem, objective, answer, arrays, left)


#: With a time limit, the LP bound runs only when at least this much of it is left (building the LP in Python
#: takes 0.1-0.5 s on realistic fleets, and GLOP is given what is left then).
CLASS_BOUND_MIN_SECONDS = 0.5


def _class_bound(problem: ProblemLike, objective: str, answer: Answer, arrays: dict | None,
                 left: float | None) -> Answer:
    """``answer`` with the LP bound over host types and workload classes (`fleetpack.exact.classlp`) when it is
    higher than the bound the answer has (not inside `heuristics_only`, whose plans are the baseline's), within
    the ``left`` seconds of a time limit."""
    from .. import exact
    from ..exact.classlp import class_bound

    if objective not in ("hosts", "cost") or not exact.auto_stage_enabled():
        return answer
    if left is not None and left < CLASS_BOUND_MIN_SECONDS:
        log.debug("auto: no LP bound: %.3f s left of the time limit", left)
        return answer
    placed = int((answer.host_index >= 0).sum())
    value = answer.objective_value
    if value is not None and value <= answer.lower_bound:  # proven already
        return answer
    began = time.perf_counter()
    bound = class_bound(problem.encode() if arrays is None else arrays, objective, placed,
                        None if left is None else left - (time.perf_counter() - began), rounding=True)
    log.debug("auto: the LP over host types and workload classes: %s, in %.3f s",
              "none" if bound is None else f"{bound.value:g}", time.perf_counter() - began)
    if bound is None or bound.value <= answer.lower_bound:
        return answer
    if value is not None:  # (a bound never above the plan: GLOP's rounding must not claim more)
        bound.value = min(bound.value, value)
    return replace(answer, lower_bound=bound_value(objective, bound.value), bound_reason=bound.reason)


def solve(problem: ProblemLike, method: str, sort_key: str, objective: str, time_limit: float | None, seed: int,
          workers: int | None = None) -> Answer:
    """The `Solver` of `fleetpack.place`."""
    core_limit, search_work = core_limits(problem, method, time_limit)
    log.debug("%s: %d workloads, %d hosts, objective %s, time limit %s", method, len(problem.workload_ids),
              len(problem.host_ids), objective, "none" if time_limit is None else f"{time_limit:g} s")
    start = time.perf_counter()
    if method == "exact":  # the portfolio's plan, then CP-SAT (fleetpack.exact; OR-Tools is imported there)
        from .. import exact

        def portfolio(p, m, k, o, t, s) -> dict[str, Any]:
            began = time.perf_counter()
            answer = core_place(p, m, k, o, core_limit, s, search_work)
            log.debug("exact: the core's portfolio: %s, in %.3f s", _result(answer), time.perf_counter() - began)
            return answer.to_core()

        answer = Answer.from_core(exact.engine(problem, method, sort_key, objective, time_limit, seed,
                                               workers=workers, heuristic=portfolio), objective)
        log.debug("exact: CP-SAT: %s, in %.3f s in all", _result(answer), time.perf_counter() - start)
        return answer
    arrays = problem.encode()
    answer = core_place(problem, method, sort_key, objective, core_limit, seed, search_work, arrays)
    spent = time.perf_counter() - start
    log.debug("%s: the core: %s, in %.3f s", method, _result(answer), spent)
    return _after_core(problem, method, objective, answer, time_limit, seed, workers, spent, arrays)


def solve_many(jobs: list[tuple[ProblemLike, dict[str, Any]]], seed: int,
               workers: int | None) -> list[tuple[Answer, float]]:
    """``place_many``'s solves, each (problem, its options): the core's methods together on ``workers`` threads
    (None: all cores), then each through the rest of the pipeline; the others one at a time. Returns (answer,
    seconds spent on it) per job, in order."""
    threads = workers or os.cpu_count() or 1
    batch = [k for k, (_, o) in enumerate(jobs) if o["method"] in CORE_METHODS]
    core_jobs = []
    for k in batch:
        problem, o = jobs[k]
        core_limit, search_work = core_limits(problem, o["method"], o["time_limit"])
        core_jobs.append((problem, o["method"], o["sort_key"], o["objective"], core_limit, int(seed), search_work))
    out: list[tuple[Answer, float] | None] = [None] * len(jobs)
    encoded = [jobs[k][0].encode() for k in batch]
    for k, arrays, answer in zip(batch, encoded, core_place_many(core_jobs, threads, encoded)):
        problem, o = jobs[k]
        elapsed = answer.elapsed  # this problem's own solve in the core, on its thread
        begin = time.perf_counter()
        answer = _after_core(problem, o["method"], o["objective"], answer, o["time_limit"], seed, workers, elapsed,
                             arrays)
        out[k] = (answer, elapsed + (time.perf_counter() - begin if o["method"] == "auto" else 0.0))
    for k, (problem, o) in enumerate(jobs):
        if out[k] is None:  # methods the core does not run alone, one problem at a time
            begin = time.perf_counter()
            answer = solve(problem, o["method"], o["sort_key"], o["objective"], o["time_limit"], seed, workers)
            out[k] = (answer, time.perf_counter() - begin)
    return out  # type: ignore[return-value]
