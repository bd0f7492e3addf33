"""The front of every solve: the parameters and inputs checked together, the problem built, a `Solver` run, its
answer made a `Plan`, and strict mode; and the calls into the Rust core (`core_place`, `core_place_many`).
`fleetpack.place`, `place_many` and the pure-Python baseline all come in here."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping
from typing import Any, Callable, Sequence

from ..errors import ErrorDetail, InfeasibleError, ValidationError
from ..model.inputs import ProblemLike, build_problem
from ..model.likely_mistakes import check_problem, collecting
from ..model.wire import Answer
from ..plan.moves import live_infeasibility
from ..plan.plan import Plan, build_plan
from .options import check_parameters

log = logging.getLogger(__name__)  # under "fleetpack", at debug level (see `fleetpack.solve.pipeline`)

__all__ = ["Solver", "place_with", "read_problems", "strict_check", "live_check", "core_place",
           "core_place_many"]

#: A solver: (problem, method, sort_key, objective, time_limit, seed) -> its `Answer`.
Solver = Callable[[ProblemLike, str, str, str, "float | None", int], Answer]


def place_with(solver: Solver, workloads, hosts, *, objective, method, sort_key, overheads, time_limit, seed,
               strict, workers=None, drain=(), max_moves=None, max_move_cost=None, rules=None) -> Plan:
    """The shared front of every ``place``: checks, solving, the plan, strict mode, and a live fleet that no plan
    within its budget serves. ``workers`` is only checked here: a solver that uses it gets it bound in
    (``functools.partial``)."""
    problems = check_parameters(objective, method, sort_key, time_limit, seed, workers, strict)
    began = time.perf_counter()
    with collecting():  # likely mistakes in valid input: one warning per kind for the whole call
        try:
            problem = build_problem(workloads, hosts, overheads, drain=drain, max_moves=max_moves,
                                    max_move_cost=max_move_cost, rules=rules)
        except ValidationError as exc:
            problems.extend(exc.errors)
        if problems:
            raise ValidationError(problems)
        check_problem(problem)
    start = time.perf_counter()
    log.debug("input checked (%s) in %.3f s", type(problem).__name__, start - began)
    answer = solver(problem, method, sort_key, objective, time_limit, int(seed))
    live_check(problem, answer)
    plan = build_plan(problem, answer, objective=objective, method=method, elapsed=time.perf_counter() - start)
    strict_check([plan], strict)
    return plan


def live_check(problem: ProblemLike, answer: Answer) -> None:
    """Raise `InfeasibleError` when a live fleet has no plan within its budget (whatever ``strict`` says)."""
    error = live_infeasibility(problem, answer)
    if error is not None:
        raise error


def strict_check(plans: Sequence[Plan], strict: bool) -> None:
    """Strict mode: the first plan that leaves a workload out raises `InfeasibleError`."""
    if strict:
        for plan in plans:
            if plan.unplaced:
                raise InfeasibleError(plan)


def read_problems(problems: Any, defaults: dict[str, Any], seed: Any, workers: Any,
                  strict: Any) -> list[tuple[ProblemLike, dict[str, Any]]]:
    """``place_many``'s problems, each a validated problem and its options (``defaults`` overridden by the
    problem's own); every error of every problem raised at once, each naming ``problems[k]``. Likely mistakes in
    valid input warn once per kind for all the problems together."""
    with collecting():
        return _read_problems(problems, defaults, seed, workers, strict)


def _read_problems(problems: Any, defaults: dict[str, Any], seed: Any, workers: Any,
                   strict: Any) -> list[tuple[ProblemLike, dict[str, Any]]]:
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
        problem_errors = check_parameters(options["objective"], options["method"], options["sort_key"],
                                          options["time_limit"], seed, workers)
        try:
            problem = build_problem(pair[0], pair[1], options["overheads"], drain=options.get("drain", ()),
                                    max_moves=options.get("max_moves"), max_move_cost=options.get("max_move_cost"),
                                    rules=options.get("rules"))
            check_problem(problem)
        except ValidationError as exc:
            problem_errors.extend(exc.errors)
            problem = None
        errors.extend(ErrorDetail(f"problems[{k}]: {e.where}", e.field, e.message, e.value) for e in problem_errors)
        jobs.append((problem, options))
    if errors:
        raise ValidationError(errors)
    return jobs


def core_place(problem: ProblemLike, method: str, sort_key: str, objective: str, time_limit: float | None,
               seed: int, search_work: float | None) -> Answer:
    """One solve in the Rust core (the GIL released while it runs)."""
    from .. import _core

    answer = _core.place(problem.encode(), method, sort_key, objective, time_limit, seed, search_work)
    return Answer.from_core(answer, objective)


def core_place_many(jobs: Sequence[tuple[ProblemLike, str, str, str, float | None, int, float | None]],
                    threads: int) -> list[Answer]:
    """Solves in the Rust core on ``threads`` threads, each job (problem, method, sort_key, objective, time_limit,
    seed, search_work); the answers in order, each with its own ``elapsed``."""
    from .. import _core

    answers = _core.place_many([(problem.encode(), *rest) for problem, *rest in jobs], threads)
    return [Answer.from_core(answer, job[3]) for job, answer in zip(jobs, answers)]

