"""``plan_capacity``: which hosts to buy so that every workload is placed, at least cost (issue 17).

It is ``place`` over the existing hosts plus candidate hosts expanded from the types (fleetpack.capacity.pool),
with the objective ``cost`` and the existing hosts at cost 0 (the core's cost objective then fills what is paid for
first and opens the cheapest room after); the candidates left unused are dropped and the bought ones renamed
``<type>-<k>``. ``max_types`` picks the types first (every set of that many types when there are few such sets,
else dropping the worst type one at a time, each judged by a quick first-fit); ``spare`` buys empty hosts after
the plan while the room condition fails (fleetpack.capacity.spare), each set of types judged with them, and then
places again with the hosts bought for the room already paid for (their room takes workloads, fewer others are
bought). A live fleet keeps its workloads where they run unless a move saves a purchase (within ``max_moves``).
The purchase the LP over host types and workload classes guides (fleetpack.capacity.classbuy) is tried first:
within 2% of the bound (and no spare room asked for), nothing else is placed. The column generation's patterns
bought in whole numbers (fleetpack.capacity.fromlp) are one more candidate: when they meet the bound, nothing else
is placed either. On large fleets of at most two dimensions under a ``time_limit`` the column generation runs first
and its LP guides a purchase the same way (``_pattern_route``). ``time_limit`` is kept overall
(fleetpack.capacity.budget).
"""

from __future__ import annotations

import itertools
import math
import numbers
import time
import warnings
from dataclasses import dataclass, replace
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from ..api import place
from ..errors import ErrorDetail, FleetpackWarning, InfeasibleError, ValidationError
from ..model.group_rules import Rule
from ..model.hosttypes import HostType, host_types as read_host_types
from ..model.inputs import build_problem
from ..model.objects import Host, Overheads, Workload
from ..plan.plan import Plan, build_plan
from ..solve.front import core_place, live_check
from ..solve.options import check_parameters
from .budget import budget as _budget, column_seconds as _column_seconds, left as _left
from .bounds import PurchaseBound, achievable_at_least, purchase_bound
from .classbuy import PACKINGS, class_lp, class_purchase, pattern_guide
from .colgen import wall_deadline
from .exact import exact_purchase
from .finish import finish
from .fromlp import lp_purchase
from .pool import TypeFit, candidate_hosts, few_dimensions, fit_types, names
from .checks import checked_problem, given_dims, type_ratio_problems
from .result import CapacityPlan
from .rulebound import Rating
from .spare import domain_of, spare_hosts
from .tighten import CLOSE_SIZE, TIGHTEN, close, exact_sizes, keep, tighten

__all__ = ["plan_capacity", "OBJECTIVES"]

#: What a purchase minimises: its cost, or the number of hosts bought.
OBJECTIVES = ("cost", "hosts")
_WHERE = "plan_capacity()"
_MAX_SUBSETS = 64  # sets of types tried whole for max_types; beyond, the greedy drop
_PAIRED = 5  # the single types (by the quick judge) whose pairs are judged too
#: Workloads x candidate hosts above which ``auto`` over the pool runs in the core alone (without the exact stage).
EXACT_STAGE_SIZE = 20_000
_SPARE_ROUNDS = 3  # placements with the spare hosts paid for, while each buys less
_FINISH_SHARE = 0.1  # of ``time_limit``, kept for the finish (the plan on the final fleet and its bound)
_CLASS_SHARE = 0.85  # of the time left, the class LP's purchase's: kept most of the time, the placements rarely run


def plan_capacity(workloads: Any, host_types: Iterable[HostType | dict], existing: Any = (),
                  overheads: Overheads | dict | None = None, objective: str = "cost", spare: int = 0,
                  max_types: int | None = None, time_limit: float | None = None, seed: int = 0, *,
                  spare_domain: str | None = None, existing_cost: bool = False, method: str = "auto",
                  strict: bool = False, workers: int | None = None, max_moves: int | None = None,
                  max_move_cost: int | None = None, rules: Sequence[Rule] | None = (),
                  allocation_ratio: Mapping[str, float] | None = None,
                  max_utilization: Mapping[str, float] | None = None) -> CapacityPlan:
    """Buy hosts of the given types so that every workload is placed under every rule of the model.

    ``workloads`` and ``existing`` (hosts already there, paid for: cost 0 unless ``existing_cost=True``) are as
    ``place`` takes them; ``host_types`` are `HostType` (or dicts), each ``available`` at most (None: unlimited).
    ``objective``: ``"cost"`` (least total cost of the hosts bought) or ``"hosts"`` (fewest hosts bought).
    ``spare=k``: the fleet survives the loss of any k hosts in aggregate: in every dimension the capacity left
    after its k largest hosts are lost holds every workload (the vSphere HA percentage policy); with
    ``spare_domain`` (a label key, say ``"zone"``) of any k domains, the hosts sharing that label's value (a host
    without it is a domain of its own; a bought host has its type's labels). ``max_types``: buy at most that many
    distinct types. ``method``, ``seed`` and ``workers`` are those of the placement (``place``); ``time_limit``
    bounds the whole call (each stage takes a share of what is left; None: every stage on its own budget of work,
    the same purchase on any load).

    A live fleet (workloads with a ``current`` host, an existing one) keeps its workloads where they run unless a
    move saves a purchase or a rule forces it; ``max_moves`` and ``max_move_cost`` cap the moves (``place``).
    ``rules`` (group rules), ``allocation_ratio`` and ``max_utilization`` are ``place``'s: the placement keeps
    them, on the existing hosts and the bought ones alike (a type's own ``allocation_ratio`` over the call's).

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
    problems += _check_options(objective, spare, max_types, existing_cost, spare_domain)
    types: list[HostType] = []
    try:
        types = read_host_types(host_types, _WHERE)
    except ValidationError as exc:
        problems.extend(exc.errors)
    base = None
    call = {"rules": tuple(rules) if isinstance(rules, (list, tuple)) else rules,
            "allocation_ratio": allocation_ratio, "max_utilization": max_utilization}
    try:
        base = checked_problem(workloads, existing, overheads, max_moves, max_move_cost, call, types)
    except ValidationError as exc:
        problems.extend(replace(e, where=_WHERE) if e.field in ("max_moves", "max_move_cost") or
                        e.where == "place()" else e for e in exc.errors)
    problems += type_ratio_problems(types, base.dimensions if base is not None else given_dims(workloads, existing))
    if base is not None:
        clash = sorted({t.name for t in types} & {h.id for h in base.hosts})
        if clash:
            problems.append(ErrorDetail(_WHERE, "host_types", f"type name {clash[0]!r} is also an existing host's "
                                        "id (bought hosts are named <type>-<k>)", clash[0]))
        if isinstance(spare_domain, str) and spare_domain and types and not any(
                spare_domain in x.labels for x in (*types, *base.hosts)):
            problems.append(ErrorDetail(_WHERE, "spare_domain", f"no existing host and no host type has the label "
                                        f"{spare_domain!r} (the failure domains are the hosts sharing its value)",
                                        spare_domain))
    if problems:
        raise ValidationError(problems)
    assert base is not None
    ws, ex, over = list(base.workloads), list(base.hosts), base.overheads
    call = {"rules": base.rules.rules if base.rules is not None else None,
            "allocation_ratio": allocation_ratio, "max_utilization": max_utilization}
    fits = fit_types(_greenfield(ws), types, over, call)
    rated = bool(call["rules"] or allocation_ratio or max_utilization or any(h.allocation_ratio for h in ex)
                 or any(t.allocation_ratio for t in types))
    options = {"call": call, "rated": rated, "objective": objective, "existing_cost": existing_cost,
               "method": method, "time_limit": time_limit, "seed": int(seed), "workers": workers,
               "max_moves": max_moves, "max_move_cost": max_move_cost,
               "spare": int(spare), "spare_domain": spare_domain, "live": any(w.current is not None for w in ws),
               "deadline": None if time_limit is None else began + (1 - _FINISH_SHARE) * time_limit}
    notes: list[str] = []
    chosen, outcome = _best_purchase(ws, ex, over, types, fits, max_types, options, notes)
    if spare:
        outcome = _spare_rounds(ws, ex, over, types, chosen, outcome, max_types, options, notes)
    if (spare or max_types is not None) and method == "auto" and not options["live"] and not existing_cost:
        outcome = _exact_rounds(ws, ex, over, types, fits, outcome, max_types, _budget(options), notes)
    result = finish(ws, ex, over, types, fits, outcome, options, max_types, notes, began, _price(options),
                    _bound_rules(options))
    if strict and result.plan.unplaced:
        raise InfeasibleError(result.plan)
    return result


def _greenfield(ws: list[Workload]) -> list[Workload]:
    """The workloads without where they run (to try them on one type alone, where their hosts are not)."""
    if not any(w.current is not None for w in ws):
        return ws
    return [replace(w, current=None, current_form=None, pinned=False) if w.current is not None else w for w in ws]


def _check_options(objective, spare, max_types, existing_cost, spare_domain) -> list[ErrorDetail]:
    problems = []
    if objective not in OBJECTIVES:
        problems.append(ErrorDetail(_WHERE, "objective", "must be one of 'cost', 'hosts' (fewest hosts bought), "
                                    f"got {objective!r}", objective))
    if isinstance(spare, bool) or not isinstance(spare, numbers.Integral) or not 0 <= spare <= 10**6:
        problems.append(ErrorDetail(_WHERE, "spare", "must be a whole number of hosts >= 0 (the room of the k "
                                    f"largest used hosts kept free), got {spare!r}", spare))
    elif spare_domain is not None and spare == 0:
        problems.append(ErrorDetail(_WHERE, "spare_domain", f"{spare_domain!r} is given without spare: say how "
                                    "many domains may fail (spare=1)", spare_domain))
    if spare_domain is not None and (not isinstance(spare_domain, str) or not spare_domain):
        problems.append(ErrorDetail(_WHERE, "spare_domain", "must be a label key (a non-empty string) or None, "
                                    f"got {spare_domain!r}", spare_domain))
    if max_types is not None and (isinstance(max_types, bool) or not isinstance(max_types, numbers.Integral)
                                  or max_types < 1):
        problems.append(ErrorDetail(_WHERE, "max_types", "must be a whole number >= 1 (distinct types bought) or "
                                    f"None, got {max_types!r}", max_types))
    if not isinstance(existing_cost, bool):
        problems.append(ErrorDetail(_WHERE, "existing_cost", f"must be True or False, got {existing_cost!r}",
                                    existing_cost))
    return problems


def _call(options: dict) -> dict:
    """``place``'s keywords of the call: its group ``rules``, ``allocation_ratio`` and ``max_utilization``."""
    return options.get("call") or {}


def _bound_rules(options: dict) -> dict:
    """The purchase bounds' view of the call's rules and ratios (fleetpack.capacity.rulebound)."""
    call = _call(options)
    return {"rules": call.get("rules") or (),
            "rating": Rating.of(call.get("allocation_ratio"), call.get("max_utilization"))}


def _price(options: dict):
    """A candidate's price in the solve: its cost, or 1 when the fewest hosts are wanted."""
    return (lambda t: 1.0) if options["objective"] == "hosts" else (lambda t: t.cost)


def _existing_for_solve(ex: Sequence[Host], options: dict) -> list[Host]:
    keep = options["existing_cost"] and options["objective"] == "cost"
    return [h if keep else replace(h, cost=0.0) for h in ex]


@dataclass
class _Outcome:
    """A placement over the pool: its plan, the types of its host rows after the existing ones (the hosts bought
    first, ``paid``, then the candidates), the empty hosts the spare room adds, and what it all costs (priced as
    the objective: unplaced workloads, then cost)."""

    plan: Plan
    kinds: list[str]
    paid: list[HostType]
    spare: list[HostType]
    key: tuple[int, float]
    allowed: list[HostType]  # the types the spare room may be bought from


def _solve(ws, ex, over, fits: Sequence[TypeFit], options: dict, *, quick: bool = False,
           paid: Sequence[HostType] = ()):
    """``place`` over the existing hosts, the hosts already bought (``paid``: at cost 0) and the candidates: its
    plan, and the types of the rows after the existing hosts."""
    taken = {h.id for h in ex}
    first: list[Host] = []
    for t in paid:
        ident = names(t.name, 1, taken)[0]
        taken.add(ident)
        first.append(replace(t.host(ident), cost=0.0))
    candidates, kinds = candidate_hosts(fits, taken, cost_of=_price(options))
    hosts = [*_existing_for_solve(ex, options), *first, *candidates]
    kinds = [t.name for t in paid] + kinds
    budgets = {"max_moves": options.get("max_moves"), "max_move_cost": options.get("max_move_cost")}
    with warnings.catch_warnings():  # "no host has a 'gpu' dimension": the plan lists them as unplaced
        warnings.simplefilter("ignore", FleetpackWarning)
        if quick:
            plan = place(ws, hosts, objective="cost", method="ffd", overheads=over, **_call(options))
        elif options["method"] == "auto" and len(ws) * len(hosts) > EXACT_STAGE_SIZE:
            # the core's portfolio and improvement search; auto's exact stage (CP-SAT) is for small instances,
            # and preparing it for a large pool only to find it too large costs more than the whole solve
            began = time.perf_counter()
            problem = build_problem(ws, hosts, over, **budgets, **_call(options))
            answer = core_place(problem, "auto", "sum", "cost", options["time_limit"], options["seed"], None)
            live_check(problem, answer)
            plan = build_plan(problem, answer, objective="cost", method="auto", elapsed=time.perf_counter() - began)
        else:
            plan = place(ws, hosts, objective="cost", method=options["method"], overheads=over,
                         time_limit=options["time_limit"], seed=options["seed"], workers=options["workers"],
                         **budgets, **_call(options))
    return plan, kinds


def _score(ws, ex, over, fits, options, types=(), max_types=None) -> tuple[int, float]:
    """A quick judge of a set of types: (workloads left out, purchase cost) of a first-fit over its pool, the
    empty hosts of the spare room included (``types``: those it may be bought from, all when none is given)."""
    plan, kinds = _solve(ws, ex, over, fits, options, quick=True)
    index = np.asarray(plan.host_index)
    price = _price(options)
    by_name = {f.host_type.name: f.host_type for f in fits}
    used = np.unique(index[index >= len(ex)]) - len(ex)
    cost = sum(price(by_name[kinds[j]]) for j in used.tolist())
    if options["existing_cost"] and options["objective"] == "cost":
        cost += sum(ex[j].cost for j in np.unique(index[(index >= 0) & (index < len(ex))]).tolist())
    if options["spare"] and types:
        try:
            cost += sum(price(t) for t in spare_hosts(ex, types, plan, kinds, 0, _allowed(types, fits, max_types),
                                                      options, price))
        except InfeasibleError:
            cost = math.inf
    return int(np.sum(index < 0)), float(cost)


def _given_outcome(ex, types, plan: Plan, kinds: list[str], allowed: Sequence[HostType], options: dict) -> _Outcome:
    """A placement found elsewhere (the LP's purchase), completed with the spare room as ``_outcome`` does."""
    price = _price(options)
    cost = plan.cost
    extra: list[HostType] = []
    if options["spare"]:
        try:
            extra = spare_hosts(ex, types, plan, kinds, 0, allowed, options, price)
        except InfeasibleError:
            return _Outcome(plan, kinds, [], [], (len(plan.unplaced), math.inf), list(allowed))
        cost += sum(price(t) for t in extra)
    return _Outcome(plan, kinds, [], extra, (len(plan.unplaced), float(cost)), list(allowed))


def _outcome(ws, ex, over, types, allowed: Sequence[HostType], fits, options: dict,
             paid: Sequence[HostType] = ()) -> _Outcome:
    """The full placement over a set of types (and the hosts already bought), completed with the spare room."""
    plan, kinds = _solve(ws, ex, over, fits, options, paid=paid)
    price = _price(options)
    cost = plan.cost + sum(price(t) for t in paid)
    extra: list[HostType] = []
    if options["spare"]:
        try:
            extra = spare_hosts(ex, types, plan, kinds, len(paid), allowed, options, price)
        except InfeasibleError:
            return _Outcome(plan, kinds, list(paid), [], (len(plan.unplaced), math.inf), list(allowed))
        cost += sum(price(t) for t in extra)
    return _Outcome(plan, kinds, list(paid), extra, (len(plan.unplaced), float(cost)), list(allowed))


def _best_purchase(ws, ex, over, types, fits: list[TypeFit], max_types, options: dict, notes: list[str]):
    """The placement over the pool of the best of a few sets of types: every type (or, under ``max_types``, the
    best set by the quick judge), the types the fractional purchase (the LP bound) buys, and the best single type,
    or pair of the best few single types, by the quick judge; each solved in full (and completed with the spare
    room), the cheapest kept. (The core's cost order prices a host per unit of capacity, blind to the shape of
    the demand; the LP sees the shape.)"""
    useful = [f for f in fits if f.copies > 0 and (f.host_type.available is None or f.host_type.available > 0)]
    takes = np.array([f.takes for f in fits]).reshape(len(fits), len(ws))
    cover = purchase_bound(ws, takes.any(axis=0), takes, types, ex, over, _dims(ws, types), options["objective"],
                           options["existing_cost"], column_seconds=0, **_bound_rules(options))
    columns, first = None, None  # (the core's table prices the column generation fast: then it, and these, first)
    if options["deadline"] is not None and few_dimensions(ws, [*types, *ex]):
        with wall_deadline(options["deadline"]):
            columns = purchase_bound(ws, takes.any(axis=0), takes, types, ex, over, _dims(ws, types),
                                     options["objective"], options["existing_cost"],
                                     column_seconds=_column_seconds(options), **_bound_rules(options))
        cover = columns if columns.value > cover.value else cover
    options["bound"] = cover  # (the final bound reuses it when it counts the same workloads)
    first_how = ""
    if columns is not None and not options["spare"]:  # (the class LP's packings may be slow there, and worse)
        first = _at_hand(ws, ex, over, types, fits, useful, takes, cover, max_types, options)
        first_how = f"a first-fit over {', '.join(t.host_type.name for t in first[0])}" if first else ""
        routed = _pattern_route(ws, ex, over, types, fits, takes, columns, max_types, options)
        if routed is not None and (first is None or routed[1].key < first[1].key):
            first, first_how = routed, "what the column generation's LP guides"
        if first is not None and close(ws, first[1], options["bound"].value, options):
            return keep(ws, ex, over, types, takes, first, first_how, options, _dims(ws, types),
                        _bound_rules(options), notes)
    lp, class_best = _class_route(ws, ex, over, types, fits, takes, options["bound"], max_types, options)
    guided = class_best is not None  # (without the class LP's purchase, the placements run in what is left)
    how = "what the LP over host types and workload classes guides"
    if first is None and options["deadline"] is not None and not options["spare"] and (not guided or (
            not close(ws, class_best[1], lp.value, options) and _left(options) > 0.1 * options["time_limit"])):
        first = _at_hand(ws, ex, over, types, fits, useful, takes, cover, max_types, options)
    if first is not None and (class_best is None or first[1].key < class_best[1].key):
        class_best, how = first, first_how or f"a first-fit over {', '.join(t.host_type.name for t in first[0])}"
    if class_best is not None:
        if close(ws, class_best[1], lp.value, options):
            return keep(ws, ex, over, types, takes, class_best, how, options, _dims(ws, types), _bound_rules(options),
                        notes)
        if guided and options["deadline"] is not None and _left(options) < 0.25 * options["time_limit"]:
            notes.append(f"bought {how} (too little of the time limit was left to place other sets of types)")
            tighten(ws, ex, over, types, takes, class_best[1], options, _dims(ws, types), _bound_rules(options))
            return class_best
    with wall_deadline(options["deadline"]):  # (the column generation and its purchases keep the time limit)
        columns = columns or purchase_bound(ws, takes.any(axis=0), takes, types, ex, over, _dims(ws, types),
                                            options["objective"], options["existing_cost"],
                                            column_seconds=_column_seconds(options), **_bound_rules(options))
        lp = columns if columns.value > lp.value else replace(lp, support=columns.support, patterns=columns.patterns)
        options["bound"] = lp
        # (the patterns' hosts are filled by the reference rules one host at a time, without the group rules across
        # hosts and without ratios: with either, the placements alone)
        from_lp = None if options["live"] or options["rated"] else lp_purchase(
            ws, _existing_for_solve(ex, options), over, fits, lp.patterns, _price(options), _column_seconds(options),
            lp.value)
    if from_lp is not None and from_lp[3] is not None and from_lp[3] > lp.value:
        # the optimum over every pattern a cheaper purchase could use, proven by the integer master
        lp = replace(lp, value=float(from_lp[3]), reason="the least cost of a purchase of whole "
                     "hosts' loads, proven over every pattern that could beat the purchase found (column "
                     "generation, then the integer master)")
        options["bound"] = lp
    if from_lp is not None and max_types is not None and len(from_lp[0]) > max_types:
        from_lp = None
    lp_best = None
    if from_lp is not None:
        lp_types, lp_plan, lp_kinds = from_lp[:3]
        lp_best = (lp_types, _given_outcome(ex, types, lp_plan, lp_kinds, _allowed(types, lp_types, max_types),
                                            options))
        if not options["spare"] and not lp_plan.unplaced and lp_plan.cost <= lp.value * (1 + 1e-9):
            notes.append("bought the column generation's patterns in whole numbers: as cheap as the bound, so no "
                         "placement was tried")
            return lp_best
    support = _covering([fits[k] for k in lp.support], useful)
    sets: list[list[TypeFit]] = []
    quick = options["deadline"] is None or _left(options) > 0.5 * options["time_limit"]
    if max_types is None:
        sets.append(useful)
    if max_types is None and quick:  # (each judge is a first-fit over the pool: skipped when time is short)
        # the single types, then the pairs of the best few of them (all pairs cost a first-fit each, 45 for 10)
        scores: dict[tuple[str, ...], tuple[int, float]] = {}

        def judged(s: list[TypeFit]) -> tuple[int, float]:
            key = tuple(f.host_type.name for f in s)
            if key not in scores:
                scores[key] = _score(ws, ex, over, s, options, types)
            return scores[key]

        top = sorted(useful, key=lambda f: judged(_covering([f], useful)))[:_PAIRED]
        small = [_covering(list(s), useful) for r in (1, 2) for s in itertools.combinations(top, r)]
        if small:
            sets.append(min(small, key=judged))
    if max_types is not None:
        sets.append(_choose_types(ws, ex, over, types, fits, max_types, options, notes))
    if len(support) <= (max_types or len(useful)):
        sets.append(support)
    distinct = list({tuple(f.host_type.name for f in s): s for s in sets if s}.values()) or [useful]
    share = _budget(options, 1.0 / len(distinct))
    best: tuple[list[TypeFit], _Outcome] | None = None
    for s in distinct:
        outcome = _outcome(ws, ex, over, types, _allowed(types, s, max_types), s, share)
        if best is None or outcome.key < best[1].key:
            best = (s, outcome)
    assert best is not None
    if lp_best is not None and lp_best[1].key < best[1].key:
        best = lp_best
        notes.append("bought the column generation's patterns in whole numbers (cheaper than the placements)")
        distinct = [best[0]]
    if class_best is not None and class_best[1].key < best[1].key:
        best = class_best
        notes.append(f"bought {how} (cheaper than the placements)")
        distinct = [best[0]]
    if len(distinct) > 1:
        notes.append(f"bought from {', '.join(f.host_type.name for f in best[0]) or 'no type'}: the best of "
                     f"{len(distinct)} sets of types solved in full" + (" (with the spare room)" if
                                                                          options["spare"] else ""))
    return best


def _at_hand(ws, ex, over, types, fits, useful, takes, cover, max_types, options):
    """The better of the first-fits over the types the cover buys and over the type that alone holds all cheapest
    by its first-fit count, each completed to take every workload: a purchase at hand (None: neither applies)."""
    first = None
    alone = [f for f in useful if f.takes.sum() == takes.any(axis=0).sum()]
    for chosen in ([fits[k] for k in cover.support if any(fits[k] is f for f in useful)],
                   [min(alone, key=lambda f: f.copies * _price(options)(f.host_type))] if alone else []):
        s_ = _covering(chosen, useful)
        if s_ and (max_types is None or len(s_) <= max_types):
            plan, kinds = _solve(ws, ex, over, s_, options, quick=True)
            trial = (s_, _given_outcome(ex, types, plan, kinds, _allowed(types, s_, max_types), options))
            if first is None or trial[1].key < first[1].key:
                first = trial
    return first


def _class_route(ws, ex, over, types, fits: list[TypeFit], takes: np.ndarray, lp: PurchaseBound, max_types,
                 options: dict) -> tuple[PurchaseBound, tuple[list[TypeFit], _Outcome] | None]:
    """The LP over host types and workload classes (fleetpack.capacity.classbuy): the bound raised to its value
    when higher, and the purchase it guides (None when it does not apply, with spare room, or when, under
    ``max_types``, it buys more types)."""
    if options["live"] or options["rated"] or not types:
        # (its rooms know no ratios, and its packings no group rules)
        return lp, None
    price = _price(options)
    priced = options["existing_cost"] and options["objective"] == "cost"
    # the spare room's rows count every existing host's capacity, which is free only when existing hosts are
    spare = options["spare"] if not (priced and ex) else 0
    left = _left(options)
    classes = class_lp(ws, takes.any(axis=0), types, ex, over, price, priced,
                       None if options["deadline"] is None else 0.6 * left, spare=spare)
    if classes is None:
        return lp, None
    value = achievable_at_least(classes.value, [price(t) for t in types], [t.available for t in types],
                                [float(h.cost) for h in ex] if priced else [])
    if value > lp.value:
        what = "hosts bought" if options["objective"] == "hosts" else "cost"
        lp = replace(lp, value=float(value), reason=f"the {what} of the cheapest fractional purchase by an LP over "
                     "host types and workload classes (pools of tenants and dedicated workloads, VM and container "
                     "overheads" + (f", the spare room of {spare}" if spare else "") + ")")
        options["bound"] = lp
    if options["spare"]:  # (the placements' purchases improve with their spare hosts paid for: this one does not)
        return lp, None
    if options["deadline"] is not None and _left(options) < 0.2 * options["time_limit"]:
        return lp, None  # (no time for its packings: the purchase at hand stands)
    found = class_purchase(ws, _existing_for_solve(ex, options), over, fits, classes, price,
                           None if options["deadline"] is None else _CLASS_SHARE * _left(options), options["seed"])
    if found is None:
        return lp, None
    return lp, _bought(ex, types, fits, found, max_types, options)


def _bought(ex, types, fits, found: tuple[Plan, list[str]], max_types, options: dict):
    """A purchase found elsewhere (a plan over the existing hosts and bought candidates, and the candidates'
    types) as (the types it buys, its `_Outcome`); None when, under ``max_types``, it buys more types."""
    plan, kinds = found
    index = np.asarray(plan.host_index)
    bought = {kinds[j - len(ex)] for j in set(index[index >= len(ex)].tolist())}
    if max_types is not None and len(bought) > max_types:
        return None
    chosen = [f for f in fits if f.host_type.name in bought]
    return chosen, _given_outcome(ex, types, plan, kinds, _allowed(types, chosen, max_types), options)


def _pattern_route(ws, ex, over, types, fits: list[TypeFit], takes: np.ndarray, columns: PurchaseBound, max_types,
                   options: dict) -> tuple[list[TypeFit], _Outcome] | None:
    """The purchases the column generation's LP guides (``classbuy.pattern_guide``), on fleets of more than
    ``CLOSE_SIZE`` workloads whose column generation ran first: from the LP solved (classes coarse at this size,
    one packing per type), then, unless that purchase is within ``TIGHTEN`` of the bound, from the LP over the
    exact sizes seeded with its hosts (fleetpack.capacity.tighten), in the time left but what the first purchase
    took, its bound kept when higher. The cheaper purchase, or None."""
    if options["live"] or options["rated"] or len(ws) <= CLOSE_SIZE or columns.patterns is None:
        return None
    best, patterns, packings = None, columns.patterns, PACKINGS[:1]
    while True:
        guide = pattern_guide(patterns, len(types))
        if guide is None or _left(options) <= 0:
            return best
        began = time.perf_counter()
        found = class_purchase(ws, _existing_for_solve(ex, options), over, fits, guide, _price(options),
                               None if options["deadline"] is None else _CLASS_SHARE * _left(options),
                               options["seed"], packings=packings, joint=None)
        took = time.perf_counter() - began
        trial = None if found is None else _bought(ex, types, fits, found, max_types, options)
        if trial is not None and (best is None or trial[1].key < best[1].key):
            best = trial
        if (packings is PACKINGS or best is None or best[1].plan.unplaced
                or best[1].key[1] <= options["bound"].value * (1 + TIGHTEN) or _left(options) < 2 * took):
            return best
        exact = exact_sizes(ws, ex, over, types, takes, best[1], options, _dims(ws, types), _bound_rules(options),
                            reserve=took)
        if exact is None:
            return best
        patterns, packings = exact, PACKINGS


def _allowed(types, chosen: Sequence[TypeFit], max_types) -> list[HostType]:
    """The types the spare room may be bought from: every type, or under ``max_types`` the chosen ones."""
    return [f.host_type for f in chosen] if max_types is not None else list(types)


def _spare_rounds(ws, ex, over, types, chosen, outcome: _Outcome, max_types, options, notes) -> _Outcome:
    """Place again with the hosts bought for the spare room already paid for: their room takes workloads, so the
    placement may buy fewer others (the room missing then is bought again); kept while the purchase costs less."""
    if not outcome.spare:
        return outcome
    share = _budget(options, 1.0 / _SPARE_ROUNDS)
    allowed = _allowed(types, chosen, max_types)
    first, rounds = outcome, 0
    while outcome.spare and rounds < _SPARE_ROUNDS:
        rounds += 1
        trial = _outcome(ws, ex, over, types, allowed, chosen, share, paid=[*outcome.paid, *outcome.spare])
        if not trial.key < outcome.key:
            break
        outcome = trial
    if outcome is not first:
        notes.append(f"spare={options['spare']}: placed again with the hosts bought for the room paid for, "
                     f"{first.key[1]:g} -> {outcome.key[1]:g}")
    return outcome


def _exact_rounds(ws, ex, over, types, fits, outcome: _Outcome, max_types, options, notes) -> _Outcome:
    """On a small pool, CP-SAT with the spare room and ``max_types`` as rows (fleetpack.capacity.exact): kept when
    it buys for less than the heuristics."""
    if outcome.key[1] == math.inf or outcome.key[0] > 0:
        return outcome
    key = options["spare_domain"]

    def domain(h: Host, t: HostType | None, row: int):
        return domain_of(h.labels if t is None else t.labels, key, h.id if t is None else f"#{row}")

    found = exact_purchase(ws, ex, over, fits, options, max_types, _price(options), domain, outcome.key[1])
    if found is None:
        return outcome
    plan, kinds, empty, optimal = found
    if plan is None:
        notes.append(f"CP-SAT over the pool with the side constraints as rows: no purchase below {outcome.key[1]:g} "
                     "(this one is optimal over the pool)")
        return outcome
    cost = plan.cost + sum(_price(options)(t) for t in empty)
    if plan.unplaced or not cost < outcome.key[1]:
        return outcome
    notes.append(f"CP-SAT over the pool with the side constraints as rows: {outcome.key[1]:g} -> {cost:g}"
                 + (" (optimal over the pool)" if optimal else ""))
    return _Outcome(plan, kinds, [], empty, (0, float(cost)), outcome.allowed)


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


def _choose_types(ws, ex, over, types, fits: list[TypeFit], max_types: int, options: dict,
                  notes: list[str]) -> list[TypeFit]:
    """The types to buy from under ``max_types``: the best set by the quick judge (fewest left out, then cost)."""
    useful = [f for f in fits if f.copies > 0 and (f.host_type.available is None or f.host_type.available > 0)]
    if len(useful) <= max_types:
        return useful
    subsets = list(itertools.combinations(range(len(useful)), max_types))
    if len(subsets) <= _MAX_SUBSETS:
        best = min(subsets, key=lambda s: _score(ws, ex, over, [useful[k] for k in s], options, types, max_types))
        kept = [useful[k] for k in best]
        how = f"the best of the {len(subsets)} sets of {max_types} types"
    else:  # drop the type whose loss costs least, until max_types are left
        kept = list(useful)
        while len(kept) > max_types:
            drop = min(range(len(kept)), key=lambda k: _score(ws, ex, over, kept[:k] + kept[k + 1:], options, types,
                                                              max_types))
            kept.pop(drop)
        how = "types dropped one at a time"
    notes.append(f"max_types={max_types}: buying from {', '.join(f.host_type.name for f in kept)} ({how}, "
                 "by a quick first-fit)")
    return kept
