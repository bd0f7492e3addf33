"""``plan_capacity``: which hosts to buy so that every workload is placed, at least cost (issue 17).

It is ``place`` over the existing hosts plus candidate hosts expanded from the types (fleetpack.capacity.pool),
with the objective ``cost`` and the existing hosts at cost 0 (the core's cost objective then fills what is paid for
first and opens the cheapest room after); the candidates left unused are dropped and the bought ones renamed
``<type>-<k>``. ``max_types`` picks the types first (every set of that many types when there are few such sets,
else dropping the worst type one at a time, each judged by a quick first-fit); ``spare`` buys empty hosts after
the plan while the room condition fails (fleetpack.capacity.spare). The column generation's patterns bought in
whole numbers (fleetpack.capacity.fromlp) are one more candidate, tried first: when they meet the bound, nothing
else is placed.
"""

from __future__ import annotations

import itertools
import numbers
import time
import warnings
from dataclasses import replace
from typing import Any, Iterable, Sequence

import numpy as np

from .. import _core
from ..api import place
from ..errors import ErrorDetail, FleetpackWarning, InfeasibleError, ValidationError
from ..model.hosttypes import HostType, host_types as read_host_types
from ..model.inputs import build_problem
from ..model.objects import Host, Overheads, Workload
from ..model.wire import Answer
from ..plan.plan import Plan, build_plan
from ..solve.front import core_place
from ..solve.options import check_parameters
from .bounds import purchase_bound
from .fromlp import lp_purchase
from .pool import TypeFit, candidate_hosts, fit_types, names
from .result import CapacityPlan
from .spare import spare_deficit, spare_purchase

__all__ = ["plan_capacity", "OBJECTIVES"]

#: What a purchase minimises: its cost, or the number of hosts bought.
OBJECTIVES = ("cost", "hosts")
_WHERE = "plan_capacity()"
_MAX_SUBSETS = 64  # sets of types tried whole for max_types; beyond, the greedy drop
_PAIRED = 5  # the single types (by the quick judge) whose pairs are judged too
#: Workloads x candidate hosts above which ``auto`` over the pool runs in the core alone (without the exact stage).
EXACT_STAGE_SIZE = 20_000


def plan_capacity(workloads: Any, host_types: Iterable[HostType | dict], existing: Any = (),
                  overheads: Overheads | dict | None = None, objective: str = "cost", spare: int = 0,
                  max_types: int | None = None, time_limit: float | None = None, seed: int = 0, *,
                  existing_cost: bool = False, method: str = "auto", strict: bool = False,
                  workers: int | None = None) -> CapacityPlan:
    """Buy hosts of the given types so that every workload is placed under every rule of the model.

    ``workloads`` and ``existing`` (hosts already there, paid for: cost 0 unless ``existing_cost=True``) are as
    ``place`` takes them; ``host_types`` are `HostType` (or dicts), each ``available`` at most (None: unlimited).
    ``objective``: ``"cost"`` (least total cost of the hosts bought) or ``"hosts"`` (fewest hosts bought).
    ``spare=k``: the fleet keeps, in every dimension, free room at least the capacity of its k largest used hosts
    (the vSphere HA percentage policy). ``max_types``: buy at most that many distinct types. ``method``,
    ``time_limit``, ``seed`` and ``workers`` are those of the placement (``place``).

    Returns a `CapacityPlan`. A workload that no type and no existing host can take is left out and listed in
    ``plan.unplaced`` (with ``strict=True``: `InfeasibleError`). Bad input raises one `ValidationError` listing
    every problem.
    """
    began = time.perf_counter()
    problems = check_parameters("cost", method, "sum", time_limit, seed, workers, strict)
    problems = [replace(e, where=_WHERE) for e in problems]
    if method == "exact":
        problems.append(ErrorDetail(_WHERE, "method", "'exact' is not run over a pool of candidates (its model "
                                    "grows with the pool): use 'auto' or a heuristic", method))
    problems += _check_options(objective, spare, max_types, existing_cost)
    types: list[HostType] = []
    try:
        types = read_host_types(host_types, _WHERE)
    except ValidationError as exc:
        problems.extend(exc.errors)
    base = None
    try:
        base = build_problem(workloads, existing, overheads).materialize()
    except ValidationError as exc:
        problems.extend(exc.errors)
    if base is not None:
        live = [w.id for w in base.workloads if w.current is not None]
        if live:
            problems.append(ErrorDetail(f"workload {live[0]!r}", "current", "plan_capacity plans the fleet from "
                                        f"nothing: {len(live)} workload(s) have a current host (re-plan a live "
                                        "fleet with place(), then buy for what is left)", live[0]))
        clash = sorted({t.name for t in types} & {h.id for h in base.hosts})
        if clash:
            problems.append(ErrorDetail(_WHERE, "host_types", f"type name {clash[0]!r} is also an existing host's "
                                        "id (bought hosts are named <type>-<k>)", clash[0]))
    if problems:
        raise ValidationError(problems)
    assert base is not None
    ws, ex, over = list(base.workloads), list(base.hosts), base.overheads
    fits = fit_types(ws, types, over)
    options = {"objective": objective, "existing_cost": existing_cost, "method": method, "time_limit": time_limit,
               "seed": int(seed), "workers": workers}
    notes: list[str] = []
    chosen, inner, kinds = _best_purchase(ws, ex, over, types, fits, max_types, options, notes)
    result = _finish(ws, ex, over, types, fits, chosen, inner, kinds, options, spare, max_types, notes, began)
    if strict and result.plan.unplaced:
        raise InfeasibleError(result.plan)
    return result


def _check_options(objective, spare, max_types, existing_cost) -> list[ErrorDetail]:
    problems = []
    if objective not in OBJECTIVES:
        problems.append(ErrorDetail(_WHERE, "objective", "must be one of 'cost', 'hosts' (fewest hosts bought), "
                                    f"got {objective!r}", objective))
    if isinstance(spare, bool) or not isinstance(spare, numbers.Integral) or not 0 <= spare <= 10**6:
        problems.append(ErrorDetail(_WHERE, "spare", "must be a whole number of hosts >= 0 (the room of the k "
                                    f"largest used hosts kept free), got {spare!r}", spare))
    if max_types is not None and (isinstance(max_types, bool) or not isinstance(max_types, numbers.Integral)
                                  or max_types < 1):
        problems.append(ErrorDetail(_WHERE, "max_types", "must be a whole number >= 1 (distinct types bought) or "
                                    f"None, got {max_types!r}", max_types))
    if not isinstance(existing_cost, bool):
        problems.append(ErrorDetail(_WHERE, "existing_cost", f"must be True or False, got {existing_cost!r}",
                                    existing_cost))
    return problems


def _price(options: dict):
    """A candidate's price in the solve: its cost, or 1 when the fewest hosts are wanted."""
    return (lambda t: 1.0) if options["objective"] == "hosts" else (lambda t: t.cost)


def _existing_for_solve(ex: Sequence[Host], options: dict) -> list[Host]:
    keep = options["existing_cost"] and options["objective"] == "cost"
    return [h if keep else replace(h, cost=0.0) for h in ex]


def _solve(ws, ex, over, fits: Sequence[TypeFit], options: dict, *, quick: bool = False):
    """``place`` over the existing hosts and the candidates: its plan, and the candidates' types."""
    candidates, kinds = candidate_hosts(fits, {h.id for h in ex}, cost_of=_price(options))
    hosts = [*_existing_for_solve(ex, options), *candidates]
    with warnings.catch_warnings():  # "no host has a 'gpu' dimension": the plan lists them as unplaced
        warnings.simplefilter("ignore", FleetpackWarning)
        if quick:
            plan = place(ws, hosts, objective="cost", method="ffd", overheads=over)
        elif options["method"] == "auto" and len(ws) * len(hosts) > EXACT_STAGE_SIZE:
            # the core's portfolio and improvement search; auto's exact stage (CP-SAT) is for small instances,
            # and preparing it for a large pool only to find it too large costs more than the whole solve
            began = time.perf_counter()
            problem = build_problem(ws, hosts, over)
            answer = core_place(problem, "auto", "sum", "cost", options["time_limit"], options["seed"], None)
            plan = build_plan(problem, answer, objective="cost", method="auto", elapsed=time.perf_counter() - began)
        else:
            plan = place(ws, hosts, objective="cost", method=options["method"], overheads=over,
                         time_limit=options["time_limit"], seed=options["seed"], workers=options["workers"])
    return plan, kinds


def _score(ws, ex, over, fits, options) -> tuple[int, float]:
    """A quick judge of a set of types: (workloads left out, purchase cost) of a first-fit over its pool."""
    plan, kinds = _solve(ws, ex, over, fits, options, quick=True)
    index = np.asarray(plan.host_index)
    price = _price(options)
    by_name = {f.host_type.name: f.host_type for f in fits}
    used = np.unique(index[index >= len(ex)]) - len(ex)
    cost = sum(price(by_name[kinds[j]]) for j in used.tolist())
    if options["existing_cost"] and options["objective"] == "cost":
        cost += sum(ex[j].cost for j in np.unique(index[(index >= 0) & (index < len(ex))]).tolist())
    return int(np.sum(index < 0)), float(cost)


def _best_purchase(ws, ex, over, types, fits: list[TypeFit], max_types, options: dict, notes: list[str]):
    """The placement over the pool of the best of a few sets of types: every type (or, under ``max_types``, the
    best set by the quick judge), the types the fractional purchase (the LP bound) buys, and the best single type,
    or pair of the best few single types, by the quick judge; each solved in full, the cheapest kept. (The core's
    cost order prices a host per unit of capacity, blind to the shape of the demand; the LP sees the shape.)"""
    useful = [f for f in fits if f.copies > 0 and (f.host_type.available is None or f.host_type.available > 0)]
    takes = np.array([f.takes for f in fits]).reshape(len(fits), len(ws))
    lp = purchase_bound(ws, takes.any(axis=0), takes, types, ex, over, _dims(ws, types), options["objective"],
                        options["existing_cost"], column_seconds=_column_seconds(options))
    options["bound"] = lp  # (the final bound reuses it when it counts the same workloads)
    from_lp = lp_purchase(ws, _existing_for_solve(ex, options), over, fits, lp.patterns, _price(options),
                          _column_seconds(options))
    if from_lp is not None and from_lp[3] is not None and from_lp[3] > lp.value:
        # the optimum over every pattern a cheaper purchase could use, proven by the integer master
        lp = replace(lp, value=float(from_lp[3]), reason="the least cost of a purchase of whole "
                     "hosts' loads, proven over every pattern that could beat the purchase found (column "
                     "generation, then the integer master)")
        options["bound"] = lp
    if from_lp is not None and max_types is not None and len(from_lp[0]) > max_types:
        from_lp = None
    from_lp = from_lp[:3] if from_lp is not None else None
    if from_lp is not None and not from_lp[1].unplaced and from_lp[1].cost <= lp.value * (1 + 1e-9):
        notes.append("bought the column generation's patterns in whole numbers: as cheap as the bound, so no "
                     "placement was tried")
        return from_lp
    support = _covering([fits[k] for k in lp.support], useful)
    sets: list[list[TypeFit]] = []
    if max_types is None:
        sets.append(useful)
        # the single types, then the pairs of the best few of them (all pairs cost a first-fit each, 45 for 10)
        scores: dict[tuple[str, ...], tuple[int, float]] = {}

        def judged(s: list[TypeFit]) -> tuple[int, float]:
            key = tuple(f.host_type.name for f in s)
            if key not in scores:
                scores[key] = _score(ws, ex, over, s, options)
            return scores[key]

        top = sorted(useful, key=lambda f: judged(_covering([f], useful)))[:_PAIRED]
        small = [_covering(list(s), useful) for r in (1, 2) for s in itertools.combinations(top, r)]
        if small:
            sets.append(min(small, key=judged))
    else:
        sets.append(_choose_types(ws, ex, over, fits, max_types, options, notes))
    if len(support) <= (max_types or len(useful)):
        sets.append(support)
    distinct = list({tuple(f.host_type.name for f in s): s for s in sets if s}.values()) or [useful]
    limit = options["time_limit"]
    share = dict(options, time_limit=None if limit is None else limit / len(distinct))
    best = None
    for s in distinct:
        plan, kinds = _solve(ws, ex, over, s, share)
        key = (len(plan.unplaced), plan.cost)
        if best is None or key < best[0]:
            best = (key, s, plan, kinds)
    assert best is not None
    if from_lp is not None:
        key = (len(from_lp[1].unplaced), from_lp[1].cost)
        if key < best[0]:
            best = (key, *from_lp)
            notes.append("bought the column generation's patterns in whole numbers (cheaper than the placements)")
            distinct = [best[1]]
    if len(distinct) > 1:
        notes.append(f"bought from {', '.join(f.host_type.name for f in best[1]) or 'no type'}: the best of "
                     f"{len(distinct)} sets of types solved in full")
    return best[1], best[2], best[3]


def _column_seconds(options: dict) -> float:
    """The column generation's share of the time (and again the purchase read off it): a quarter of the limit,
    else up to 4 s (it stops when it converges, the bound holding at every step)."""
    limit = options["time_limit"]
    return 4.0 if limit is None else max(0.2, min(4.0, 0.25 * limit))


def _covering(chosen: list[TypeFit], useful: list[TypeFit]) -> list[TypeFit]:
    """``chosen`` and, while some workload a useful type takes is taken by none of them, the type taking most."""
    chosen = list(chosen)
    want = np.any([f.takes for f in useful], axis=0) if useful else np.zeros(0, dtype=bool)
    while useful:
        have = np.any([f.takes for f in chosen], axis=0) if chosen else np.zeros_like(want)
        missing = want & ~have
        if not missing.any():
            break
        chosen.append(max(useful, key=lambda f: int(np.sum(f.takes & missing))))
    return [f for f in useful if any(f is c for c in chosen)]


def _dims(ws, types) -> tuple[str, ...]:
    return ("cpu", "memory", *sorted({d for x in (*ws, *types) for d in x.extra_units}))


def _choose_types(ws, ex, over, fits: list[TypeFit], max_types: int, options: dict,
                  notes: list[str]) -> list[TypeFit]:
    """The types to buy from under ``max_types``: the best set by the quick judge (fewest left out, then cost)."""
    useful = [f for f in fits if f.copies > 0 and (f.host_type.available is None or f.host_type.available > 0)]
    if len(useful) <= max_types:
        return useful
    subsets = list(itertools.combinations(range(len(useful)), max_types))
    if len(subsets) <= _MAX_SUBSETS:
        best = min(subsets, key=lambda s: _score(ws, ex, over, [useful[k] for k in s], options))
        kept = [useful[k] for k in best]
        how = f"the best of the {len(subsets)} sets of {max_types} types"
    else:  # drop the type whose loss costs least, until max_types are left
        kept = list(useful)
        while len(kept) > max_types:
            drop = min(range(len(kept)), key=lambda k: _score(ws, ex, over, kept[:k] + kept[k + 1:], options))
            kept.pop(drop)
        how = "types dropped one at a time"
    notes.append(f"max_types={max_types}: buying from {', '.join(f.host_type.name for f in kept)} ({how}, "
                 "by a quick first-fit)")
    return kept


def _finish(ws, ex, over, types, fits, chosen, inner: Plan, kinds, options, spare, max_types, notes,
            began) -> CapacityPlan:
    """Drop the unused candidates, name the bought hosts ``<type>-<k>``, keep the spare room, bound the purchase."""
    by_name = {t.name: t for t in types}
    index = np.asarray(inner.host_index)
    n_ex = len(ex)
    used_rows = sorted(set(index[index >= n_ex].tolist()))
    counts: dict[str, int] = {}
    for j in used_rows:
        counts[kinds[j - n_ex]] = counts.get(kinds[j - n_ex], 0) + 1
    taken = {h.id for h in ex}
    next_of = {name: iter(names(name, count, taken)) for name, count in counts.items()}
    kept = list(range(n_ex)) + used_rows
    bought: list[Host] = []
    kind_of: dict[str, str] = {}
    for j in used_rows:  # in the pool's order: by type, then copy
        h = by_name[kinds[j - n_ex]].host(next(next_of[kinds[j - n_ex]]))
        bought.append(h)
        kind_of[h.id] = kinds[j - n_ex]
    row_of = np.full(len(inner.problem.host_ids), -1, dtype=np.int64)  # type: ignore[union-attr]
    row_of[kept] = np.arange(len(kept))
    final_index = np.where(index >= 0, row_of[np.maximum(index, 0)], -1)
    problem = build_problem(ws, [*ex, *bought], over)
    dims = problem.dimensions
    pool_dims = list(inner.dimensions)
    assert inner.answer is not None and inner.answer.used is not None
    used = np.zeros((len(kept), len(dims)), dtype=object)
    for d, name in enumerate(dims):
        used[:, d] = inner.answer.used[kept, pool_dims.index(name)]
    capacity = np.array(problem.capacities, dtype=object).reshape(len(kept), len(dims))
    in_use = np.zeros(len(kept), dtype=bool)
    in_use[final_index[final_index >= 0]] = True
    deficit = spare_deficit(capacity, used, in_use, int(spare))
    allowed = [f.host_type for f in chosen] if max_types is not None else list(types)
    left = {t.name: (float("inf") if t.available is None else t.available - counts.get(t.name, 0)) for t in types}
    extra_types = spare_purchase(deficit, dims, allowed, left, _price(options), int(spare))
    if extra_types:
        for name in dict.fromkeys(t.name for t in extra_types):
            more = sum(1 for t in extra_types if t.name == name)
            for ident in names(name, counts.get(name, 0) + more, taken)[counts.get(name, 0):]:
                h = by_name[name].host(ident)
                bought.append(h)
                kind_of[h.id] = name
        notes.append(f"spare={spare}: {len(extra_types)} empty host(s) bought for the spare room")
        problem = build_problem(ws, [*ex, *bought], over)
        used = np.vstack([used, np.zeros((len(extra_types), len(dims)), dtype=object)])
    hosts = [*ex, *bought]
    plan = _plan_on(problem, final_index, np.asarray(inner.form_codes), used, inner.strategy, options["method"],
                    time.perf_counter() - began)
    buy = {t.name: n for t in types for n in [sum(1 for k in kind_of.values() if k == t.name)] if n}
    cost = sum(h.cost for h in bought)
    placed_on = set(final_index[(final_index >= 0) & (final_index < n_ex)].tolist())
    if options["existing_cost"]:
        cost += sum(ex[j].cost for j in sorted(placed_on))
    value = float(len(bought)) if options["objective"] == "hosts" else float(cost)
    takes = np.array([f.takes for f in fits]).reshape(len(fits), len(ws))
    counted = (final_index >= 0) | takes.any(axis=0)
    bound = options.get("bound")
    if bound is None or not np.array_equal(counted, takes.any(axis=0)):
        bound = purchase_bound(ws, counted, takes, types, ex, over, dims, options["objective"],
                               options["existing_cost"], column_seconds=_column_seconds(options))
    return CapacityPlan(buy=buy, hosts=tuple(hosts), plan=plan, cost=float(cost), objective=options["objective"],
                        objective_value=value, lower_bound=bound.value, host_types=tuple(types),
                        existing=tuple(h.id for h in ex), bought=kind_of, spare=int(spare), max_types=max_types,
                        existing_cost=options["existing_cost"], bound_reason=bound.reason,
                        elapsed=time.perf_counter() - began, notes=tuple(notes))


def _plan_on(problem, index: np.ndarray, forms: np.ndarray, used: np.ndarray, strategy: str, method: str,
             elapsed: float) -> Plan:
    """The `Plan` of a fixed assignment on the final fleet (its bound: the core's, for that fleet)."""
    placed = int(np.sum(index >= 0))
    bound = _core.lower_bound(problem.encode(), "cost", placed)  # type: ignore[arg-type]
    in_use = np.zeros(len(problem.host_ids), dtype=bool)
    in_use[index[index >= 0]] = True
    costs = np.asarray(problem.host_costs)[in_use]
    cost = float(np.cumsum(costs)[-1]) if len(costs) else 0.0
    answer = Answer(index.astype(np.int64), forms.astype(np.uint8), strategy, float(bound), objective_value=cost,
                    used=used, hosts_used=int(in_use.sum()), cost=cost)
    return build_plan(problem, answer, objective="cost", method=method, elapsed=elapsed)
