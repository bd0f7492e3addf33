"""``place()`` and ``place_many()``: the entry points. Checks, the problem and the plan are the solve front's
(`fleetpack.solve.front`); how a problem is solved is the pipeline's (`fleetpack.solve.pipeline`)."""

from __future__ import annotations

import functools
import numbers
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Executor
from typing import TYPE_CHECKING, Any, Sequence, Union

from .errors import ErrorDetail, ValidationError
from .model.objects import Overheads
from .plan.plan import Plan, build_plan
from .solve.front import live_check, place_with, read_problems, strict_check
from .solve.options import Method, Objective, SortKey
from .solve.distributed import iter_answers, iter_local, unshare
from .solve.pipeline import solve, solve_many

if TYPE_CHECKING:
    import pandas as pd

    from .model.group_rules import Rule
    from .model.objects import Host, Workload

__all__ = ["place", "place_many", "plan_stream", "WorkloadsInput", "HostsInput"]

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
    rules: Sequence[Rule] | None = None,
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

    ``rules``: group rules over the workloads' ``groups`` (`AntiAffinity`, `Affinity`, `Spread`; hard, or soft
    with a ``weight``), per host or per domain of a host label (docs/model.md, "Group rules").
    """
    return place_with(functools.partial(solve, workers=workers), workloads, hosts, objective=objective,
                      method=method, sort_key=sort_key, overheads=overheads, time_limit=time_limit, seed=seed,
                      strict=strict, workers=workers, drain=drain, max_moves=max_moves, max_move_cost=max_move_cost,
                      rules=rules)


def place_many(problems: Sequence[Any], *, objective: Objective = "hosts", method: Method = "auto",
               sort_key: SortKey = "sum", overheads: Overheads | dict[str, Any] | None = None,
               time_limit: float | None = None, seed: int = 0, strict: bool = False,
               workers: int | None = None, executor: Executor | None = None,
               chunksize: int | None = None, max_moves: int | None = None, max_move_cost: int | None = None,
               drain: Iterable[str] = (), rules: Sequence[Rule] | None = None) -> list[Plan]:
    """Solve independent problems in parallel; returns their plans in order, each the plan `place` would return.

    Each problem is a pair ``(workloads, hosts)`` or a dict with ``workloads`` and ``hosts`` and, optionally, its own
    ``objective``, ``method``, ``sort_key``, ``overheads``, ``time_limit``, ``max_moves``, ``max_move_cost``,
    ``drain`` and ``rules`` (the keyword arguments are the defaults). All problems are validated first (an error names ``problems[k]``); the core then solves them on
    ``workers`` threads (None: all cores) without the GIL. A method the core does not run alone (``"exact"``) is
    solved problem by problem.

    ``executor``: any `concurrent.futures.Executor` (a ``ProcessPoolExecutor``, Dask's ``client.get_executor()``,
    `fleetpack.distributed.RayExecutor`) solves the problems instead, in chunks of ``chunksize`` problems (None:
    about 0.3 s of work each), each task on ``workers`` threads (None: 1); the plans are the same, built here
    (docs/scale-out.md). Hosts shared by many problems go to the cluster once: `fleetpack.distributed.share`.
    """
    if executor is not None or chunksize is not None:  # chunks, collected in input order
        found = dict(plan_stream(problems, objective=objective, method=method, sort_key=sort_key,
                                 overheads=overheads, time_limit=time_limit, seed=seed, strict=False,
                                 workers=workers, executor=executor, chunksize=chunksize, max_moves=max_moves,
                                 max_move_cost=max_move_cost, drain=drain, rules=rules))
        plans = [found[k] for k in range(len(found))]
        strict_check(plans, strict)
        return plans
    problems, _ = unshare(problems)  # (shared hosts, without an executor to share them on)
    defaults = {"objective": objective, "method": method, "sort_key": sort_key, "overheads": overheads,
                "time_limit": time_limit, "max_moves": max_moves, "max_move_cost": max_move_cost, "drain": drain,
                "rules": rules}
    jobs = read_problems(problems, defaults, seed, workers, strict)
    answers = solve_many(jobs, seed, workers)
    for k, ((problem, _), (answer, _)) in enumerate(zip(jobs, answers)):
        try:
            live_check(problem, answer)  # a live fleet with no plan within its budget
        except Exception as exc:
            exc.add_note(f"fleetpack: problems[{k}]")
            raise
    plans = [build_plan(problem, answer, objective=o["objective"], method=o["method"], elapsed=elapsed)
             for (problem, o), (answer, elapsed) in zip(jobs, answers)]
    strict_check(plans, strict)
    return plans


def plan_stream(problems: Sequence[Any], *, objective: Objective = "hosts", method: Method = "auto",
                sort_key: SortKey = "sum", overheads: Overheads | dict[str, Any] | None = None,
                time_limit: float | None = None, seed: int = 0, strict: bool = False,
                workers: int | None = None, executor: Executor | None = None,
                chunksize: int | None = None, max_moves: int | None = None, max_move_cost: int | None = None,
                drain: Iterable[str] = (), rules: Sequence[Rule] | None = None) -> Iterator[tuple[int, Plan]]:
    """``(index, plan)`` of each problem of `place_many`, as each finishes (``fleetpack.place_iter`` shows its
    progress). Every problem is checked here, before the first is sent (a `ValidationError` names ``problems[k]``);
    the plans come from the iterator returned. With ``strict``, the first plan that leaves a workload out raises
    `InfeasibleError` (with a note naming ``problems[k]``)."""
    problems, shared = unshare(problems)
    defaults = {"objective": objective, "method": method, "sort_key": sort_key, "overheads": overheads,
                "time_limit": time_limit, "max_moves": max_moves, "max_move_cost": max_move_cost, "drain": drain,
                "rules": rules}
    errors = _check_scale_out(executor, chunksize)
    try:
        jobs = read_problems(problems, defaults, seed, workers, strict)
    except ValidationError as exc:
        raise ValidationError([*errors, *exc.errors]) from None
    if errors:
        raise ValidationError(errors)
    answers = iter_local(jobs, seed, workers, chunksize) if executor is None else \
        iter_answers(jobs, seed, 1 if workers is None else workers, executor, chunksize, shared)
    return _plans(jobs, answers, strict)


def _plans(jobs, answers, strict: bool) -> Iterator[tuple[int, Plan]]:
    try:
        for k, answer, elapsed in answers:
            problem, o = jobs[k]
            try:
                live_check(problem, answer)  # a live fleet with no plan within its budget
            except Exception as exc:
                exc.add_note(f"fleetpack: problems[{k}]")
                raise
            plan = build_plan(problem, answer, objective=o["objective"], method=o["method"], elapsed=elapsed)
            try:
                strict_check([plan], strict)
            except Exception as exc:
                exc.add_note(f"fleetpack: the plan of problems[{k}]")
                raise
            yield k, plan
    finally:  # stopped early (an error, strict mode, the caller): what is still on the engine is cancelled
        answers.close()


def _check_scale_out(executor: Any, chunksize: Any) -> list[ErrorDetail]:
    errors = []
    if executor is not None and not callable(getattr(executor, "submit", None)):
        errors.append(ErrorDetail("place_many()", "executor", "must be a concurrent.futures.Executor (anything with "
                                  f"submit(fn, *args)) or None, got {type(executor).__name__}", executor))
    if chunksize is not None and (isinstance(chunksize, bool) or not isinstance(chunksize, numbers.Integral)
                                  or chunksize < 1):
        errors.append(ErrorDetail("place_many()", "chunksize", "must be a positive number of problems or None "
                                  f"(about 0.3 s of work each), got {chunksize!r}", chunksize))
    return errors
