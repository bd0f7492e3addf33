"""A lower bound on a purchase's cost (or count of hosts): the fractional cover, a linear program solved by GLOP.

Variables: how many hosts of each type are bought (``y``, fractional, at most ``available``) and how much of each
group of alike existing hosts is used (``z``, at most the group's size; priced 0 unless ``existing_cost``). Each is
split in two: the hosts that run a dedicated workload, and the rest. The rows relax the model, so any valid plan
gives a feasible point of the same cost and the LP's optimum is at most the best purchase's:

- **cover**, per dimension and per set of types: the workloads (not dedicated) that only those types take (and the
  existing hosts) fit in the rooms of those types' hosts and of the existing hosts. A workload counts in its
  smallest form (per dimension the least it takes in any form, a VM's CPU at the smallest factor); a used host's
  room is its capacity less the smaller of the ``hypervisor`` and ``container_runtime`` overheads, which it pays
  at least; ``max_workloads`` caps the count as one more dimension;
- **dedicated**: a dedicated workload is alone on its host, so the hosts holding one give the others no room, and
  per set of types there are at least as many as the dedicated workloads only those types (and existing hosts) take;
- **anti-affinity**: a group of k workloads at most m per domain (the shorthand: m = 1 per host; a hard
  `AntiAffinity` of any scope) needs ceil(k/m) hosts among those that take its members.

With ratios a host's room is priced at its ratio and a workload that may not be overcommitted counts more, and
the members of a hard host-scoped affinity are one item (fleetpack.capacity.rulebound); the other group rules are
left out, which keeps the bound sound (rules only remove plans).

For ``objective="hosts"`` (fewest bought hosts) every type costs 1 and the bound is rounded up to a whole count; so
is it when every type has one price (and the existing hosts cost nothing): a purchase is then a whole number of
hosts at that price.
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Sequence

import numpy as np

from ..model.hosttypes import HostType
from ..model.objects import Host, Overheads, Workload
from .colgen import ColumnBound, Kind, PatternLP, build_classes, column_bound, seconds_left
from .rulebound import Rating, bound_items, conflicts, spread_takes

__all__ = ["PurchaseBound", "purchase_bound", "smallest_demand", "host_room", "achievable_at_least"]

_MAX_SETS = 64  # rows per kind: the type sets of most demand (a subset of the rows is still a relaxation)
_MAX_CLASSES = 400  # rows of the column generation's LP (more: sizes are rounded down into fewer classes)
_MAX_FINE = 2500  # exact classes at most for the seeded LP (two binding dimensions at most)
_SLACK = 1e-7  # relative: GLOP's tolerances, taken off so that the bound stays below the true optimum


@dataclass(frozen=True)
class PurchaseBound:
    value: float
    reason: str
    support: tuple[int, ...] = ()  # the types the fractional purchase buys: the efficient ones for this demand
    patterns: "Patterns | None" = field(default=None, compare=False, repr=False)  # the column generation's LP


@dataclass(frozen=True)
class Patterns:
    """The column generation's LP and what maps it back to the fleet: the class of each counted workload
    (``rows[r]`` in class ``class_of[r]``), and per existing kind (kinds after the types) its hosts' indices."""

    lp: PatternLP
    result: ColumnBound
    rows: np.ndarray
    class_of: np.ndarray
    existing_groups: tuple[tuple[int, ...], ...]
    coarse: bool = False  # sizes rounded down into fewer classes: the patterns may not fit the real sizes
    merged: bool = False  # an item is a merged affinity group: the rows do not map the classes to workloads


def smallest_demand(w: Workload, over: Overheads, dims: Sequence[str], min_ppm: int) -> list[int]:
    """Per dimension the least the workload takes in any form it may run in (a VM at the smallest CPU factor)."""
    forms = ("container", "vm") if w.form == "any" else (w.form,)
    best: list[int] | None = None
    for form in forms:
        if form == "container":
            cpu = w.cpu_millis + over.container.cpu_millis  # type: ignore[attr-defined]
            memory = w.memory_bytes + over.container.memory_bytes  # type: ignore[attr-defined]
        else:
            cpu = -(-w.cpu_millis * min_ppm // 10**6) + over.vm.cpu_millis  # type: ignore[attr-defined]
            memory = w.memory_bytes + over.vm.memory_bytes  # type: ignore[attr-defined]
        row = [cpu, memory, *(w.extra_units.get(d, 0) for d in dims[2:])]  # type: ignore[attr-defined]
        best = row if best is None else [min(a, b) for a, b in zip(best, row)]
    assert best is not None
    return best


def host_room(h: Host | HostType, over: Overheads, dims: Sequence[str], n: int) -> list[float]:
    """A used host's room per dimension (capacity less the smaller fixed overhead), then its count cap (without
    ratios: `Rating.room` prices them)."""
    return Rating().room(h, over, dims, n)


def purchase_bound(workloads: Sequence[Workload], counted: np.ndarray, takes: np.ndarray,
                   types: Sequence[HostType], existing: Sequence[Host], over: Overheads, dims: Sequence[str],
                   objective: str, existing_cost: bool, column_seconds: float = 2.0, *, rules: Sequence = (),
                   rating: Rating | None = None, seeds: Sequence[tuple[int, Sequence[int]]] = ()) -> PurchaseBound:
    """The bound for plans that place the ``counted`` workloads; ``takes[t, w]``: type t takes workload w.
    ``rules`` (group rules) and ``rating`` (the call's ratios) as fleetpack.capacity.rulebound reads them.
    ``seeds``: the hosts of a purchase at hand, each (type index, the workloads on it): the column generation
    then tries the LP over the exact sizes first, from those hosts' loads as its first columns."""
    from ortools.linear_solver import pywraplp  # (a dependency; imported when a purchase is bounded)

    rows = np.flatnonzero(counted)
    if len(rows) == 0:
        return PurchaseBound(0.0, "nothing to place")
    n = len(rows)
    rating = Rating() if rating is None else rating
    takes = spread_takes(workloads, takes, types, rules)
    ppms = [over.factor_ppm(h.hypervisor) for h in (*types, *existing) if h.hypervisor is not None]
    min_ppm = min(ppms, default=10**6)
    price = [1.0 if objective == "hosts" else t.cost for t in types]
    groups = Counter((tuple(rating.room(h, over, dims, n)),
                      float(h.cost) if existing_cost and objective == "cost" else 0.0) for h in existing)
    solver = pywraplp.Solver.CreateSolver("GLOP")
    inf = solver.infinity()
    y = [solver.NumVar(0, inf, f"y{k}") for k in range(len(types))]
    yd = [solver.NumVar(0, inf, f"yd{k}") for k in range(len(types))]
    for k, t in enumerate(types):
        if t.available is not None:
            solver.Add(y[k] + yd[k] <= t.available)
    group_list = list(groups.items())
    z = [solver.NumVar(0, count, f"z{g}") for g, (_, count) in enumerate(group_list)]
    zd = [solver.NumVar(0, count, f"zd{g}") for g, (_, count) in enumerate(group_list)]
    for g, (_, count) in enumerate(group_list):
        solver.Add(z[g] + zd[g] <= count)
    type_rooms = [rating.room(t, over, dims, n) for t in types]
    demand_sets: dict[tuple[int, ...], np.ndarray] = defaultdict(lambda: np.zeros(len(dims) + 1))
    dedicated_sets: Counter = Counter()
    items = bound_items(workloads, rows.tolist(), takes, lambda wl: smallest_demand(wl, over, dims, min_ppm),
                        rules, rating, types, existing, dims)
    for item in items:
        if item.dedicated:
            dedicated_sets[item.eligible] += 1
            continue
        demand_sets[item.eligible] += np.array(item.size, dtype=float)
    # a row per set S of types: what only S (and the existing hosts) takes must fit S and the existing hosts
    for eligible, demand in _closed(demand_sets):
        for d, need in enumerate(demand.tolist()):
            if need <= 0:
                continue
            scale = 1.0 / need
            solver.Add(sum(type_rooms[k][d] * scale * y[k] for k in eligible)
                       + sum(room[d] * scale * z[g] for g, ((room, _), _) in enumerate(group_list)) >= 1.0)
    for eligible, count in _closed({k: np.array([v]) for k, v in dedicated_sets.items()}):
        solver.Add(sum(yd[k] for k in eligible) + sum(zd) >= float(count[0]))
    # a hard anti-affinity of k members at most m per domain needs ceil(k/m) hosts among those taking a member
    largest = sorted(conflicts(workloads, rows.tolist(), rules), key=lambda c: c[1], reverse=True)[:_MAX_SETS]
    for members, need in largest:
        eligible = sorted(set(np.flatnonzero(takes[:, members].any(axis=1)).tolist()))
        solver.Add(sum(y[k] for k in eligible) + sum(z) >= float(need))
    solver.Minimize(sum(p * (y[k] + yd[k]) for k, p in enumerate(price))
                    + sum(cost * (z[g] + zd[g]) for g, ((_, cost), _) in enumerate(group_list)))
    status = solver.Solve()
    if status != pywraplp.Solver.OPTIMAL:  # infeasible: `available` too small for the demand (the plan says)
        return PurchaseBound(0.0, "")
    value = max(0.0, solver.Objective().Value()) * (1 - _SLACK)
    support = tuple(k for k in range(len(types)) if y[k].solution_value() + yd[k].solution_value() > 1e-9)
    ded = sum(dedicated_sets.values())
    what = "hosts bought" if objective == "hosts" else "cost"
    reason = f"the {what} of the cheapest fractional purchase that covers the demand in every dimension"
    patterns = None
    if column_seconds > 0:
        patterns = _column_bound(items, types, existing, over, dims, price, n, objective, existing_cost,
                                 column_seconds, rating, seeds)
        columns = patterns.result
        if columns.value > 0:
            support = tuple(k for k in range(len(types)) if columns.mix[k] > 1e-9) or support
            if columns.value * (1 - _SLACK) > value:
                value = columns.value * (1 - _SLACK)
                reason = (f"the {what} of the best fractional purchase of whole hosts' loads (column generation"
                          f"{'' if columns.converged else ', stopped early'})")
    existing_prices = [float(h.cost) for h in existing] if existing_cost and objective == "cost" else []
    value = achievable_at_least(value, price, [t.available for t in types], existing_prices)
    if ded:
        reason += f", {ded} dedicated workload{'s' if ded != 1 else ''} on hosts of their own"
    return PurchaseBound(float(value), reason, support, patterns)


def _column_bound(items, types, existing, over, dims, price, n, objective, existing_cost, seconds,
                  rating, seeds: Sequence[tuple[int, Sequence[int]]] = ()) -> Patterns:
    """The column-generation bound (fleetpack.capacity.colgen) of the same relaxation, over the items (a merged
    affinity group is one; ``Patterns.rows`` then names its first member). With ``seeds`` and at most
    ``_MAX_FINE`` exact sizes, none merged, at most two dimensions binding (the core's table prices them), the LP
    over the exact sizes first, its first columns the seeds' loads (a near-optimal purchase's hosts: the LP then
    converges in a few dozen rounds); unless it converges, the LP over coarser classes in the time left."""
    real = np.array([item.size for item in items], dtype=np.int64).reshape(len(items), len(dims) + 1)
    eligible = [tuple(k in item.eligible for k in range(len(types))) for item in items]
    rows = np.array([item.rows[0] for item in items], dtype=np.int64)
    merged = any(len(item.rows) > 1 for item in items)
    args = (items, real, eligible, types, existing, over, dims, price, n, objective, existing_cost, rating)
    fine = None
    if seeds and not merged and _fine_classes(real, eligible, types, existing, rating, over, dims, n) <= _MAX_FINE:
        began = time.perf_counter()
        lp, of, groups = _pattern_lp(real, *args)
        lp.columns.extend(_seeded(lp, of, rows, seeds))
        result = column_bound(lp, time_budget=seconds)
        fine = Patterns(lp, result, rows, of, groups, False, merged=False)
        seconds -= time.perf_counter() - began
        if result.converged or seconds <= 0.05 or seconds_left() <= 0:
            return fine
    rooms = [rating.room(h, over, dims, n) for h in (*types, *existing)]
    coarse = _coarse_sizes(real, eligible, rooms)
    lp, of, groups = _pattern_lp(coarse, *args)
    result = column_bound(lp, time_budget=seconds)
    patterns = Patterns(lp, result, rows, of, groups, coarse is not real, merged=merged)
    return fine if fine is not None and fine.result.value >= result.value else patterns


def _pattern_lp(sizes, items, real, eligible, types, existing, over, dims, price, n, objective, existing_cost,
                rating):
    """The LP over the classes ``sizes`` key (a class's size: the least of its members' real sizes): (the LP, the
    class of each item, the existing kinds' hosts)."""
    groups = [item.group for item in items]
    dedicated = [item.dedicated for item in items]
    keys = [(tuple(c), e) for c, e in zip(sizes.tolist(), eligible)]
    of, family, family_cap = build_classes(keys, groups, dedicated)
    k = len(family)
    size = np.full((k, real.shape[1]), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(size, of, real)  # a class's size: the least of its members' (sound when classes are coarse)
    first = np.zeros(k, dtype=np.int64)
    first[of[::-1]] = np.arange(len(of))[::-1]
    eligible_by_type = np.array([eligible[j] for j in first.tolist()], dtype=bool).reshape(k, len(types)).T
    ded = np.array([dedicated[j] for j in first.tolist()], dtype=bool)
    kinds = [Kind(np.array(rating.room(t, over, dims, n), dtype=np.int64), float(price[j]),
                  math.inf if t.available is None else float(t.available), eligible_by_type[j])
             for j, t in enumerate(types)]
    alike: dict[tuple, list[int]] = defaultdict(list)
    for j, h in enumerate(existing):
        alike[(tuple(rating.room(h, over, dims, n)), float(h.cost) if existing_cost and objective == "cost" else 0.0)
              ].append(j)
    kinds += [Kind(np.array(room, dtype=np.int64), cost, float(len(members)), np.ones(k, dtype=bool))
              for (room, cost), members in alike.items()]
    lp = PatternLP(size, np.bincount(of, minlength=k).astype(np.int64), ded, family, family_cap, kinds)
    return lp, of, tuple(tuple(m) for m in alike.values())


def _fine_classes(real, eligible, types, existing, rating, over, dims, n) -> int:
    """The classes of the exact sizes when at most two dimensions may bind on any host (the core's table prices
    them), else a count above ``_MAX_FINE``."""
    rooms = [rating.room(h, over, dims, n) for h in (*types, *existing)]
    binds = [d for d in range(real.shape[1]) if any(float(real[:, d].sum()) > float(room[d]) for room in rooms)]
    if len(binds) > 2:
        return _MAX_FINE + 1
    return len(set(zip(map(tuple, real.tolist()), eligible)))


def _seeded(lp: PatternLP, of: np.ndarray, rows: np.ndarray, seeds) -> list[tuple[int, dict[int, int]]]:
    """The seeds' hosts as patterns of ``lp`` (distinct; a load that is no pattern of its type is left out)."""
    class_of_row = dict(zip(rows.tolist(), of.tolist()))
    caps = np.array(lp.family_cap + [0], dtype=np.int64)
    out: dict[tuple, tuple[int, dict[int, int]]] = {}
    for k, held in seeds:
        if not 0 <= k < len(lp.kinds):
            continue
        pattern: dict[int, int] = {}
        for w in held:
            if w in class_of_row:
                pattern[class_of_row[w]] = pattern.get(class_of_row[w], 0) + 1
        if not pattern:
            continue
        idx = np.array(list(pattern), dtype=np.int64)
        count = np.array(list(pattern.values()), dtype=np.int64)
        kind = lp.kinds[k]
        fams = lp.family[idx]
        ok = (np.all(count @ lp.size[idx] <= kind.room) and bool(np.all(kind.eligible[idx]))
              and np.all(count <= lp.demand[idx]) and (not lp.dedicated[idx].any() or count.sum() == 1)
              and all(count[fams == f].sum() <= caps[f] for f in set(fams.tolist()) if f >= 0))
        if ok:
            out[(k, tuple(sorted(pattern.items())))] = (k, pattern)
    return list(out.values())


def _coarse_sizes(real: np.ndarray, eligible: list[tuple], rooms: Sequence[Sequence[float]] = ()) -> np.ndarray:
    """The sizes as they key the classes: themselves when they make at most ``_MAX_CLASSES`` classes, else each
    dimension rounded down to fewer levels (quantiles of the sizes, and the least sizes of which k copies no
    longer fit a room, k = 2 to 4: so that what never shares a host stays apart), as many as keep the classes
    within it. A class then takes the least size of its members: a relaxation, so the bound stays sound, a little
    weaker."""
    def count(sizes: np.ndarray) -> int:
        return len(set(zip(map(tuple, sizes.tolist()), eligible)))

    if count(real) <= _MAX_CLASSES:
        return real
    coarse = real
    for levels in (64, 48, 40, 32, 28, 24, 20, 18, 16, 14, 12, 10, 8, 6, 4, 3, 2, 1):
        coarse = real.copy()
        for d in range(real.shape[1]):
            values = np.unique(real[:, d])
            if len(values) <= levels:
                continue
            cuts = np.quantile(real[:, d], np.linspace(0, 1, levels, endpoint=False), method="lower")
            edges = [int(room[d]) // k + 1 for room in rooms for k in (2, 3, 4) if math.isfinite(room[d])]
            cuts = np.unique(np.concatenate([cuts, [e for e in edges if values[0] < e <= values[-1]]]))
            cuts = cuts.astype(real.dtype)
            cuts[0] = min(cuts[0], values[0])
            coarse[:, d] = cuts[np.searchsorted(cuts, real[:, d], side="right") - 1]
        if count(coarse) <= _MAX_CLASSES:
            break
    return coarse


def achievable_at_least(value: float, prices: Sequence[float], limits: Sequence[int | None],
                        existing: Sequence[float] = ()) -> float:
    """The least cost a purchase can have that is at least ``value``: sums of ``prices`` (each type at most its
    limit times) and of ``existing`` (each host at most once). When the prices are not multiples of a common unit
    (or the sums too many to list), ``value`` itself."""
    if value <= 0:
        return max(0.0, value)
    items = [(p, None if lim is None else int(lim)) for p, lim in zip(prices, limits) if p > 0]
    items += [(p, 1) for p in existing if p > 0]
    if not items:
        return value
    fractions = [Fraction(p).limit_denominator(10**4) for p, _ in items]
    if any(abs(float(f) - p) > 1e-12 * p for f, (p, _) in zip(fractions, items)):
        return value
    denominator = math.lcm(*(f.denominator for f in fractions))
    units = [int(f * denominator) for f in fractions]
    step = math.gcd(*units)
    units = [u // step for u in units]
    target = value * denominator / step
    top = math.ceil(target - 1e-6) + max(units)
    if top > 4_000_000:
        return value
    reach = np.zeros(top + 1, dtype=bool)
    reach[0] = True
    for u, (_, limit) in zip(units, items):
        copies = top // u if limit is None else min(limit, top // u)
        chunk = 1
        while copies > 0:
            take = min(chunk, copies)
            copies -= take
            shift = take * u
            if shift <= top:
                reach[shift:] |= reach[:-shift].copy()
            chunk *= 2
    at = math.ceil(target - 1e-6)
    hits = np.flatnonzero(reach[at:])
    if not len(hits):
        return value
    return float(Fraction(int(hits[0] + at) * step, denominator))


def _closed(sets: dict) -> list[tuple[tuple[int, ...], np.ndarray]]:
    """Per set of types S (each workload's own set, and their union), the summed values of the sets within S."""
    keys = list(sets)
    if not keys:
        return []
    union = tuple(sorted(set().union(*map(set, keys)))) if keys else ()
    candidates = sorted(set(keys) | {union}, key=lambda s: -float(np.sum(sets.get(s, 0))))[:_MAX_SETS]
    if union not in candidates:
        candidates.append(union)
    out = []
    for s in candidates:
        members = set(s)
        total = sum((v for k, v in sets.items() if set(k) <= members), start=np.zeros_like(next(iter(sets.values()))))
        out.append((s, total))
    return out
