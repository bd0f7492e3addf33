"""Where the exact solver enters a solve: ``method="exact"`` (`engine`), and the exact stage of ``method="auto"``
(`auto_stage`: when it runs, within what budget), which `heuristics_only` switches off.
"""

from __future__ import annotations

import contextvars
import logging
import time
from typing import Callable

from ..plan.scoring import meets_bound
from ..model.problem import Problem
from .arcflow import _AUTO_GRAPH_STATE_BUDGET, _ArcFlow
from .assignment import assignment_size
from .instance import _Instance, _value
from .grouprules import solve_rules
from .neighbourhood import improve
from .live import LiveInstance, live_answer, live_size, within_budgets
from .search import _answer, _arcflow_limit, as_start, solve
from .symmetry import graph_state_budget

_log = logging.getLogger(__name__)  # under "fleetpack": the exact stage's decisions, at debug level

# --- the exact stage of method="auto" (docs/exact.md, "Threshold", has the measurements behind these numbers) -------

#: Without a ``time_limit``, the exact stage of ``auto`` gives CP-SAT this much work (deterministic time, about
#: seconds on one current core: the same plan on every machine) ...
AUTO_WORK_LIMIT = 1.0
#: ... and stops after this many seconds of wall-clock time in any case.
AUTO_TIME_LIMIT = 10.0
#: When the stage is too large, the neighbourhood search (exact/neighbourhood.py) gets the same work and stops
#: after this many seconds of wall-clock time in any case.
AUTO_LNS_TIME_LIMIT = 30.0
#: ``auto`` tries CP-SAT when the assignment model has at most this many (workload type, host, form) variables ...
AUTO_MAX_CANDIDATES = {"hosts": 2000, "cost": 2000, "spread": 500}
#: ... or when the arc-flow graphs have at most this many arcs in all (objectives "hosts" and "cost").
AUTO_MAX_ARCS = 20000
#: ``auto`` never looks at instances with more workloads than this (preparing the exact stage is not free).
AUTO_MAX_WORKLOADS = 200_000
#: On a live fleet, ``auto`` tries CP-SAT when the live model has at most this many (workload type, host, form)
#: variables: hosts that run workloads now are not interchangeable, so the model has no symmetry to shed, and
#: 60 workloads that may run in either form on 25 hosts make 3000 (benches/live_exact.py --any).
AUTO_MAX_LIVE_CANDIDATES = {"hosts": 4000, "cost": 4000, "spread": 1000}
#: On a live fleet, without a ``time_limit``, CP-SAT's work for both stages together (count and objective, then
#: move cost), on one thread, and at most `AUTO_TIME_LIMIT` seconds as for a greenfield fleet: the same plan on every
#: machine (benches/live_exact.py has the measurements behind it).
AUTO_LIVE_WORK_LIMIT = 0.75


# --- the exact stage can be switched off, for code that wants the heuristic portfolio alone -------------------------

_AUTO_ENABLED: contextvars.ContextVar[bool] = contextvars.ContextVar("fleetpack_auto_exact", default=True)


def auto_stage_enabled() -> bool:
    """Whether ``auto`` goes beyond its heuristic portfolio here (false inside `heuristics_only`)."""
    return _AUTO_ENABLED.get()


class heuristics_only:
    """Context manager: inside it, ``method="auto"`` runs the heuristic portfolio alone, without the improvement
    search and the exact stage.

    >>> with heuristics_only():
    ...     pass  # fleetpack.place(...) here behaves as fleetpack.baseline.place for "auto"

    Thread- and task-local (a `contextvars.ContextVar`).
    """

    def __enter__(self):
        self._token = _AUTO_ENABLED.set(False)
        return self

    def __exit__(self, *exc):
        _AUTO_ENABLED.reset(self._token)
        return False


Heuristic = Callable[..., object]


def _with_reason(out: dict, heuristics, bound, optimal: bool) -> dict:
    """The exact solver's answer ``out`` with its bound's reason: the heuristics' when the bound is theirs, else the
    exact solver's proof or bound."""
    reason = heuristics.get("bound_reason", "") if isinstance(heuristics, dict) else ""
    if optimal:
        reason = "proven optimal by the exact solver"
    elif out["lower_bound"] != bound or not reason:
        reason = "the exact solver's bound"
    return out | {"bound_reason": reason}


def _proven_by_bound(objective: str, answer) -> bool:
    """The heuristics' plan places everything and meets the foundation's bound (nothing left to prove)."""
    if isinstance(answer, dict):
        if (answer["host_index"] < 0).any():
            return False
        value = answer.get("objective_value")
        if value is None:
            return False
        return meets_bound(objective, value, answer["lower_bound"])
    return False


def engine(problem: Problem, method: str, sort_key: str, objective: str, time_limit, seed: int, *,
           workers: int | None = None, heuristic: Heuristic):
    """``method="exact"``: the heuristic portfolio (``heuristic``, an engine run with method ``"auto"``), then the
    exact solver within what is left of ``time_limit``. Returns what an `Engine` returns."""
    t0 = time.perf_counter()
    problem = problem.materialize()
    first = heuristic(problem, "auto", sort_key, objective, time_limit, seed)
    if problem.rules is not None:
        left = None if time_limit is None else max(time_limit - (time.perf_counter() - t0), 0.0)
        return _rules_stage(problem, objective, first, None, left, None, seed, workers, False)
    if problem.live is not None:
        left = None if time_limit is None else max(time_limit - (time.perf_counter() - t0), 0.0)
        return _live_stage(problem, objective, first, None, left, None, seed, workers, False)
    start = as_start(first)
    inst = _Instance(problem, objective)
    left = None if time_limit is None else max(time_limit - (time.perf_counter() - t0), 0.0)
    r = solve(problem, objective, start, time_limit=left, seed=seed, workers=workers, _prepared=(inst, None))
    return _with_reason(_answer(inst, r.hosts, r.forms, r.strategy, r.lower_bound), first, start[3], r.optimal)


def auto_eligible(problem: Problem, objective: str, start: tuple, deadline: float | None = None):
    """Whether the exact stage of ``auto`` runs after the heuristics found ``start`` (lists, see `as_start`): it is
    on (see `heuristics_only`), the plan is not already proven optimal by the bound, and the instance is small enough
    (`AUTO_MAX_CANDIDATES`, `AUTO_MAX_ARCS`). Building the arc-flow graphs stops at ``deadline`` (a
    ``time.perf_counter()`` value) when one is given. Returns the prepared instance, or None."""
    return _prepare(problem, objective, start, deadline)[1]


def _prepare(problem: Problem, objective: str, start: tuple, deadline: float | None = None):
    """(the `_Instance`, or None when there is nothing to solve; what `auto_eligible` returns)."""
    hosts, forms, _strategy, bound = start
    if not problem.workloads or not problem.hosts:
        return None, None
    inst = _Instance(problem, objective)
    if inst.placeable == 0:
        return None, None
    if sum(j is not None for j in hosts) == inst.placeable:
        if meets_bound(objective, _value(inst, hosts, forms), bound):
            return None, None
    # the assignment model as CP-SAT gets it: with a complete plan, only the hosts of each class that a plan as good
    # can use (`fleetpack.exact.symmetry`)
    complete = sum(j is not None for j in hosts) == inst.placeable and objective != "spread"
    small = assignment_size(inst, int(inst.value_int(hosts, forms)) if complete else None) <= \
        AUTO_MAX_CANDIDATES[objective]
    af = None
    if objective != "spread":
        # graphs that are used only if they beat a small assignment model get a budget to match
        states = graph_state_budget(_arcflow_limit(inst), _AUTO_GRAPH_STATE_BUDGET) if small \
            else _AUTO_GRAPH_STATE_BUDGET
        af = _ArcFlow(inst, states=states, deadline=deadline, max_arcs=AUTO_MAX_ARCS)
    if af is not None and af.ok and af.arcs <= AUTO_MAX_ARCS:
        return inst, (inst, af)
    if small:
        return inst, (inst, af)
    return inst, None


def auto_stage(problem: Problem, objective: str, answer, time_limit: float | None, seed: int,
               workers: int | None = None):
    """The exact stage of ``method="auto"``, after the heuristics answered ``answer``: when `auto_eligible`,
    CP-SAT within ``time_limit`` seconds (None: `AUTO_TIME_LIMIT`) from the heuristics' plan; otherwise ``answer``
    unchanged."""
    live = problem.live is not None  # (a plan that meets the bound may still move more than it needs)
    # (nor may it keep the soft rules as well as it could)
    soft = getattr(problem, "rules", None) is not None and problem.rules.soft
    if not _AUTO_ENABLED.get() or (not live and not soft and _proven_by_bound(objective, answer)):
        _log.debug("auto: no exact stage: %s", "proven optimal by the bound" if _AUTO_ENABLED.get()
                   else "heuristics only")
        return answer
    if time_limit is not None and time_limit <= 0:
        _log.debug("auto: no exact stage: no time left")
        return answer
    if len(problem.workload_ids) > AUTO_MAX_WORKLOADS:  # (no objects made for a columnar problem)
        _log.debug("auto: no exact stage: more than %d workloads", AUTO_MAX_WORKLOADS)
        return answer
    began = time.perf_counter()
    problem = problem.materialize()
    if problem.rules is not None:
        sizes = AUTO_MAX_LIVE_CANDIDATES if problem.live is not None else AUTO_MAX_CANDIDATES
        if time_limit is None:  # reproducible, as below
            return _rules_stage(problem, objective, answer, sizes[objective], AUTO_TIME_LIMIT, AUTO_WORK_LIMIT, seed,
                                workers, True)
        return _rules_stage(problem, objective, answer, sizes[objective], time_limit, None, seed, workers, False)
    if problem.live is not None:
        if time_limit is None:  # reproducible, as below; on one thread, as the interleaved search on several
            # waits for its slowest worker at each step (10 s against 0.8 s on a 36-workload fleet, 2 busy cores)
            return _live_stage(problem, objective, answer, AUTO_MAX_LIVE_CANDIDATES[objective], AUTO_TIME_LIMIT,
                               AUTO_LIVE_WORK_LIMIT, seed, 1 if workers is None else workers, True)
        return _live_stage(problem, objective, answer, AUTO_MAX_LIVE_CANDIDATES[objective], time_limit, None, seed,
                           workers, False)
    start = as_start(answer)
    # with a time limit, preparing the models may take a quarter of it (as in `solve`); without one the graphs'
    # state budget alone bounds it, so that the plan does not depend on the machine's speed
    deadline = None if time_limit is None else began + 0.25 * time_limit
    inst, prepared = _prepare(problem, objective, start, deadline)
    if time_limit is not None:
        time_limit -= time.perf_counter() - began
        if time_limit <= 0.01:
            _log.debug("auto: no exact stage: preparing the model used the time left (%.3f s)",
                       time.perf_counter() - began)
            return answer
    if prepared is None:
        _log.debug("auto: no exact stage: the instance is too large for CP-SAT (checked in %.3f s)",
                   time.perf_counter() - began)
        if inst is None:
            return answer
        # CP-SAT on a few hosts at a time instead (exact/neighbourhood.py)
        if time_limit is None:  # reproducible, as below; the clock checked between neighbourhoods only, and with
            # more room than the stage's (1 deterministic second took up to 9 s on 2 cores shared by 8 jobs)
            return improve(problem, objective, answer, inst, AUTO_LNS_TIME_LIMIT, seed)
        return improve(problem, objective, answer, inst, time_limit, seed, deterministic=False)
    _log.debug("auto: exact stage: model prepared in %.3f s, CP-SAT runs %s", time.perf_counter() - began,
               "deterministically, bounded by work" if time_limit is None else f"for at most {time_limit:.3f} s")
    if time_limit is None:  # reproducible: CP-SAT's deterministic search, bounded by work, not by the clock
        r = solve(problem, objective, start, time_limit=AUTO_TIME_LIMIT, work_limit=AUTO_WORK_LIMIT,
                  deterministic=True, seed=seed, workers=workers, _prepared=prepared)
    else:
        r = solve(problem, objective, start, time_limit=time_limit, seed=seed, workers=workers, _prepared=prepared)
    return _with_reason(_answer(prepared[0], r.hosts, r.forms, r.strategy, r.lower_bound), answer, start[3],
                        r.optimal)


def _live_stage(problem: Problem, objective: str, given, max_size: int | None, time_limit: float | None,
                work_limit: float | None, seed: int, workers: int | None, deterministic: bool):
    """CP-SAT on a live fleet (exact/live.py's model, exact/grouprules.py's staged solve) from the heuristics' answer ``given``, within ``time_limit`` seconds
    and ``work_limit``; ``given`` unchanged when it has pin conflicts or is over a budget (no plan is within it:
    `place` raises), when it moves nothing and meets the bound (nothing left to prove), or when the model has more
    than ``max_size`` variables (None: any size)."""
    hosts, forms, _strategy, bound = as_start(given)
    if not problem.workloads or not problem.hosts or len(given.get("pin_conflicts", ())):
        return given
    inst = LiveInstance(problem, objective)
    if not within_budgets(inst, hosts, forms):
        _log.debug("exact: no live stage: the heuristics' plan is over a budget")
        return given
    if sum(j is not None for j in hosts) == inst.placeable and inst.moves(hosts, forms)[0] == 0 \
            and meets_bound(objective, _value(inst, hosts, forms), bound):
        _log.debug("exact: no live stage: the plan moves nothing and meets the bound")
        return given
    if max_size is not None and live_size(inst) > max_size:
        _log.debug("exact: no live stage: the model is too large for CP-SAT")
        return given
    h, f, strategy, lower, optimal = solve_rules(problem, objective, (hosts, forms, _strategy), bound0=bound,
                                                 time_limit=time_limit, work_limit=work_limit, seed=seed,
                                                 workers=workers, deterministic=deterministic, inst=inst,
                                                 label="exact/live")
    out = live_answer(inst, _answer(inst, h, f, strategy, lower), given)
    return _with_reason(out, given, bound, optimal)


def _rules_stage(problem: Problem, objective: str, given, max_size: int | None, time_limit: float | None,
                 work_limit: float | None, seed: int, workers: int | None, deterministic: bool):
    """CP-SAT with group rules (exact/grouprules.py; a live fleet too) from the heuristics' answer ``given``, within
    ``time_limit`` seconds and ``work_limit``; ``given`` unchanged when it has pin conflicts (no plan keeps the pins:
    `place` raises) or when the model has more than ``max_size`` variables (None: any size)."""
    hosts, forms, strategy, bound = as_start(given)
    if not problem.workloads or not problem.hosts or (isinstance(given, dict) and len(given.get("pin_conflicts", ()))):
        return given
    live = problem.live is not None
    inst = LiveInstance(problem, objective) if live else _Instance(problem, objective)
    if max_size is not None and (live_size(inst) if live else assignment_size(inst)) > max_size:
        _log.debug("exact: no rules stage: the model is too large for CP-SAT")
        return given
    h, f, strategy, lower, optimal = solve_rules(problem, objective, (hosts, forms, strategy), bound0=bound,
                                                 time_limit=time_limit, work_limit=work_limit, seed=seed,
                                                 workers=workers, deterministic=deterministic, inst=inst)
    out = _answer(inst, h, f, strategy, lower)
    return _with_reason(live_answer(inst, out, given) if live else out, given, bound, optimal)
