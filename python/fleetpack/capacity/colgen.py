"""The column-generation (Gilmore-Gomory) bound on a purchase: the LP over host patterns, with a Lagrangian bound
that holds at every iteration, so a stop on the work budget stays sound.

A *pattern* is what one host of a kind (a type, or a group of alike existing hosts) may hold: a count of each
workload class. The LP buys patterns, ``x_p >= 0``, at their kind's price, so that every class is covered
(``sum_p a_ip x_p >= d_i``) within each kind's limit (``available``, or the group's size). Patterns are a relaxation
of what a host may really hold, so the LP stays below every valid plan's cost:

- a workload counts in its smallest form (``bounds.smallest_demand``), a host's room is its capacity less the
  smaller fixed overhead, and ``max_workloads`` is one more dimension (``bounds.host_room``);
- a type holds only the classes it takes (``takes``: fits an empty host of it by every rule); an existing host any
  class that fits its room;
- a dedicated workload is alone on its host (a pattern of one);
- anti-affinity: workloads of one group never share a host. Groups alike (the same classes of members) are merged
  into a family; a host holds at most one member of each group, so at most as many of the family's members as it
  has groups. (With g members a group needs g hosts: the conflicts bound, inside the LP.)
- tenant isolation and per-host VM overheads beyond the smallest are left out (relaxations).

Pricing a kind asks for the pattern of most dual value: a bounded knapsack over the classes with those caps, solved
by dynamic programming when one dimension binds (integer sizes, exact), else by CP-SAT with a time limit, whose
*proven upper bound* on the value is what the bound uses (duals rounded up to integers, so the bound is never
below the true maximum). With ``v_k`` the upper bound of kind k under duals ``pi >= 0`` and ``theta`` the largest
``v_k / c_k`` over kinds without a limit (at least 1), the scaled duals ``pi / theta`` price every unlimited kind's
patterns at most at their cost, and Lagrangian duality gives, for any iteration,

    bound = d . pi / theta + sum over limited kinds k of  U_k * min(0, c_k - v_k / theta)

(Farley's bound when no kind has a limit). At convergence it is the LP's value.
"""

from __future__ import annotations

import math
import os
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from .pricing import exact_pricing, fractional_upper, table_work, units as _to_units

__all__ = ["Kind", "PatternLP", "ColumnBound", "column_bound", "build_classes", "wall_deadline", "seconds_left"]

_TOLERANCE = 1e-9
_DEBUG = bool(os.environ.get("FLEETPACK_COLGEN_DEBUG"))
_APART = 16  # more columns per kind and round, each without the classes of those before (`_apart`)
_DP_WORK = 3e7  # exact DP when its table's cells (room in units of the sizes' gcd) times its steps are at most this
_MIN_EXCHANGE = 200  # classes at least for the exchange columns
_MAX_EXCHANGE = 4000  # classes at most for the exchange columns (their search is quadratic)
_FAST_ROUNDS = 100  # iterations per second of budget when every round prices exactly with the core's table
_CHEAP_FIRST = 3e6  # a table of more work than this: the cheap bound first (it may spare the table)
_SMOOTH = 0.7  # the weight of the centre in the smoothed duals
_SCALE = 10**7  # duals to integers for CP-SAT: weights ceil(pi * scale), so its bound is above the true maximum
_DEADLINE: ContextVar[float | None] = ContextVar("fleetpack_colgen_deadline", default=None)


@contextmanager
def wall_deadline(deadline: float | None):
    """Within it, the column generation and the purchases read off it (fleetpack.capacity.master) stop by
    ``deadline`` (a ``time.perf_counter()`` value; None: their own budgets only): ``plan_capacity``'s
    ``time_limit`` kept overall. A stop keeps the bound sound (it holds at every iteration)."""
    token = _DEADLINE.set(deadline)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def seconds_left() -> float:
    """The seconds left before the `wall_deadline` (``math.inf`` without one)."""
    deadline = _DEADLINE.get()
    return math.inf if deadline is None else max(0.0, deadline - time.perf_counter())


@dataclass
class Kind:
    """A kind of host: a type to buy or a group of alike existing hosts."""

    room: np.ndarray  # int64 per dimension (the last: the count of workloads)
    price: float
    limit: float  # math.inf: unlimited
    eligible: np.ndarray  # bool per class


@dataclass
class PatternLP:
    """The classes (rows) and the kinds; ``family[i]``: the anti-affinity family of class i (-1: none), whose
    members a host holds at most ``family_cap[f]`` of; ``dedicated[i]``: a class alone on its host."""

    size: np.ndarray  # (classes, dims) int64
    demand: np.ndarray  # (classes,) int64
    dedicated: np.ndarray  # (classes,) bool
    family: np.ndarray  # (classes,) int64
    family_cap: list[int]
    kinds: list[Kind]
    columns: list[tuple[int, dict[int, int]]] = field(default_factory=list)


@dataclass(frozen=True)
class ColumnBound:
    value: float  # the Lagrangian bound (0.0 when none holds: e.g. the limits leave demand uncovered)
    lp_value: float  # the restricted master's last value (an upper estimate of the LP)
    converged: bool
    iterations: int
    columns: int
    mix: tuple[float, ...]  # per kind, the hosts the last LP solution buys
    solution: tuple[float, ...] = ()  # per column of ``lp.columns``, the last LP solution
    duals: tuple[np.ndarray, dict[int, float]] | None = None  # (pi, sigma) of the last LP, when it converged
    fast: bool = False  # every kind's last pricing by the core's table (or its cheap bound): no CP-SAT


def build_classes(keys: Sequence[tuple], groups: Sequence[str | None], dedicated: Sequence[bool]):
    """Classes of workloads from their keys (the smallest demand with the count, the eligibility): workloads alike
    in key and in the kind of their anti-affinity group share a class. Returns (class of each workload, families
    of the classes, caps of the families)."""
    members: dict[str, list[int]] = defaultdict(list)
    for w, g in enumerate(groups):
        if g is not None and not dedicated[w]:
            members[g].append(w)
    kind_of_group = {g: tuple(sorted(Counter(keys[w] for w in ws).items())) for g, ws in members.items()}
    family_ids: dict[tuple, int] = {}
    family_cap: list[int] = []
    for g in members:
        kind = kind_of_group[g]
        if kind not in family_ids:
            family_ids[kind] = len(family_cap)
            family_cap.append(0)
        family_cap[family_ids[kind]] += 1
    class_ids: dict[tuple, int] = {}
    of = np.zeros(len(keys), dtype=np.int64)
    family: list[int] = []
    for w, key in enumerate(keys):
        g = groups[w]
        fam = family_ids[kind_of_group[g]] if g is not None and not dedicated[w] else -1
        full = (key, fam, bool(dedicated[w]))
        if full not in class_ids:
            class_ids[full] = len(family)
            family.append(fam)
        of[w] = class_ids[full]
    return of, np.array(family, dtype=np.int64), family_cap


def column_bound(lp: PatternLP, time_budget: float = 2.0, price_limit: float = 0.25) -> ColumnBound:
    """Column generation on ``lp`` for a budget of work worth about ``time_budget`` seconds on an idle box (a cap on
    iterations, and on the slow pricings' work: CP-SAT's deterministic time, ``price_limit`` a kind, which may
    not pass the budget in all; so the bound does not depend on the load); the best Lagrangian bound met. A wall
    clock of ten times the budget is a last resort."""
    from ortools.linear_solver import pywraplp

    began = time.perf_counter()
    n, kinds = len(lp.demand), lp.kinds
    solver = pywraplp.Solver.CreateSolver("GLOP")
    top = max([k.price for k in kinds] + [1.0])
    rows = [solver.Constraint(float(lp.demand[i]), solver.infinity()) for i in range(n)]
    objective = solver.Objective()
    artificial = []
    for i in range(n):  # keeps every restricted master feasible; its cost caps the duals
        a = solver.NumVar(0, solver.infinity(), "")
        rows[i].SetCoefficient(a, 1.0)
        objective.SetCoefficient(a, 4 * top * (1 + float(lp.size[i, -1])))
        artificial.append(a)
    limits = {k: solver.Constraint(0.0, kind.limit) for k, kind in enumerate(kinds) if math.isfinite(kind.limit)}
    for i, j in _exchanges(lp):  # a copy of class j's room holds one of class i instead: pi_i <= pi_j
        e = solver.NumVar(0, solver.infinity(), "")
        rows[i].SetCoefficient(e, 1.0)
        rows[j].SetCoefficient(e, -1.0)
    variables: list = []
    kind_of: list[int] = []

    def add(k: int, pattern: dict[int, int]) -> None:
        var = solver.NumVar(0, solver.infinity(), "")
        for i, a in pattern.items():
            rows[i].SetCoefficient(var, float(a))
        objective.SetCoefficient(var, kinds[k].price)
        if k in limits:
            limits[k].SetCoefficient(var, 1.0)
        variables.append(var)
        kind_of.append(k)
        lp.columns.append((k, pattern))

    start = list(lp.columns)  # columns given (a dive's earlier ones), then one per class
    lp.columns.clear()
    for k, pattern in [*start, *_first_columns(lp)]:
        add(k, pattern)
    objective.SetMinimization()
    best, converged, iterations, lp_value = 0.0, False, 0, math.inf
    used_artificial, solution = True, []
    pi, sigma = np.zeros(n), {}
    center: np.ndarray | None = None  # the duals of the best Lagrangian bound (the smoothing's centre)
    fast = False  # every kind priced exactly by the core's table (or its cheap bound): an exact round each time
    smooth = _SMOOTH
    most = max(20, int(60 * time_budget))  # iterations (an exact round every 25, and at the last)
    priced = 0.0  # the slow pricings' work so far (CP-SAT's deterministic time, or the numpy table's share)
    while True:
        iterations += 1
        if solver.Solve() != pywraplp.Solver.OPTIMAL:
            break
        lp_value = objective.Value()
        used_artificial = any(a.solution_value() > 1e-7 for a in artificial)
        solution = [v.solution_value() for v in variables]
        pi = np.maximum(np.array([r.dual_value() for r in rows]), 0.0)
        sigma = {k: min(0.0, c.dual_value()) for k, c in limits.items()}
        added = 0
        if not fast and iterations % 25 and iterations < most and seconds_left() > 0:
            # cheap columns first; the exact pricing (and the bound) when they run out, or at the end
            for k, kind in enumerate(kinds):
                seen = set()
                for value, pattern in _greedy(lp, k, pi):
                    key = tuple(sorted(pattern.items()))
                    if pattern and key not in seen and kind.price - sigma.get(k, 0.0) - value < -1e-9 * max(
                            1.0, kind.price):
                        seen.add(key)
                        add(k, pattern)
                        added += 1
            if added:
                continue
        # with exact rounds each time, the duals priced are smoothed towards the centre (Wentges): any duals >= 0
        # give a sound bound, and the columns they find are added when they price out at the LP's own duals
        at = pi if center is None or not fast or smooth <= 0 else smooth * center + (1 - smooth) * pi
        uppers, columns, slow = [], [], []
        for k in range(len(kinds)):
            upper, value, pattern = _price(lp, k, at, price_limit, kinds[k].price, slow)
            uppers.append(upper)
            columns.append((value, pattern))
        bound = _lagrangian(lp, at, uppers)
        if bound > best or center is None:
            center = at
        best = max(best, bound)
        if not fast and not slow:  # exact rounds each time from now on: as many rounds as the greedy ones
            most = max(most, int(_FAST_ROUNDS * time_budget))
        fast = not slow
        if _DEBUG and iterations % 20 == 0:
            print(f"  colgen {iterations}: LP {lp_value:.2f} bound {best:.2f} {time.perf_counter() - began:.2f} s")
        if at is pi and all(kinds[k].price - sigma.get(k, 0.0) - uppers[k] >= -1e-7 * max(1.0, kinds[k].price)
                            for k in range(len(kinds))):
            converged = True
            break
        priced += price_limit * len(slow)
        if (iterations >= most or priced >= time_budget or time.perf_counter() - began > 10 * time_budget
                or seconds_left() <= 0):
            break
        for k, (value, pattern) in enumerate(columns):
            if at is not pi:
                value = float(sum(pi[i] * a for i, a in pattern.items()))
            if pattern and kinds[k].price - sigma.get(k, 0.0) - value < -1e-9 * max(1.0, kinds[k].price):
                add(k, pattern)
                added += 1
                if k not in slow and n >= _MIN_EXCHANGE:
                    added += _apart(lp, k, pattern, pi, kinds[k].price - sigma.get(k, 0.0), add)
        if at is not pi:
            # nothing found at the smoothed duals (a mispricing), or the bound meets the LP: the LP's own next
            smooth = 0.0 if not added or best >= lp_value * (1 - 1e-9) else _SMOOTH
            if not added:
                iterations -= 1  # (the same LP again: priced at its own duals)
                continue
        elif not added:
            break
    solution += [0.0] * (len(variables) - len(solution))  # columns added after the last solve: at zero
    if used_artificial:  # the limits may leave demand uncovered: the purchase then places less; no bound here
        best = 0.0
    mix = [0.0] * len(kinds)
    for value, k in zip(solution, kind_of):
        mix[k] += value
    if _DEBUG:
        print(f"colgen: {iterations} iterations, {len(variables)} columns, LP {lp_value:.4f}, bound {best:.4f}, "
              f"converged {converged}, {time.perf_counter() - began:.2f} s")
    duals = (pi, sigma) if converged and not used_artificial else None
    return ColumnBound(best, lp_value, converged, iterations, len(variables), tuple(mix), tuple(solution), duals,
                       fast)


def _apart(lp: PatternLP, k: int, pattern: dict[int, int], pi: np.ndarray, price: float, add) -> int:
    """Up to `_APART` more columns of kind k after ``pattern``, each priced by the core's table with the classes
    of the columns before it at zero value, so that each holds other classes; added (``add``) while they price out
    at ``pi`` (``price``: the kind's price less its limit's dual). A round then brings columns for many classes, not
    one per kind, and the LP over thousands of classes converges in tens of rounds, not hundreds. (Only on LPs of
    many classes, as the exchanges: small ones converge quickly anyway, and the integer master buys from their
    columns.) Returns how many were added."""
    alt = pi.copy()
    added = 0
    for _ in range(_APART):
        for i in pattern:
            alt[i] = 0.0
        pattern = _price(lp, k, alt, 0.0)[2]
        if not pattern or price - float(sum(pi[i] * a for i, a in pattern.items())) >= -1e-9 * max(1.0, price):
            break
        add(k, pattern)
        added += 1
    return added


def _exchanges(lp: PatternLP) -> list[tuple[int, int]]:
    """Pairs (i, j): class i no larger than class j in any dimension, of j's family and dedication, and taken by
    every kind that takes j, so that any pattern holding j holds i in its place. The LP gets a free column per
    pair (+1 in row i, -1 in row j): in the dual, ``pi_i <= pi_j``, which some optimal dual meets (dual-optimal
    inequalities: the duals of the bin packing LP are monotone in the sizes), so the LP's value stays and the
    column generation converges in far fewer rounds. The Lagrangian bound holds for any duals >= 0: sound either
    way. Per class j, the dominated classes nearest to it (per dimension, and overall), not all pairs: the rest
    follow along the chains. Only for LPs of many classes: on small ones the LP converges quickly anyway, and its
    columns, without the exchanges' help, are what the integer master buys from (fleetpack.capacity.master)."""
    n = len(lp.demand)
    if n < max(2, _MIN_EXCHANGE) or n > _MAX_EXCHANGE:
        return []
    size = lp.size.astype(float)
    eligible = np.array([kind.eligible for kind in lp.kinds], dtype=bool).reshape(len(lp.kinds), n)
    scale = np.maximum(size.max(axis=0), 1.0)
    norm = (size / scale).sum(axis=1)
    pairs: set[tuple[int, int]] = set()
    for j in range(n):
        below = np.all(lp.size <= lp.size[j], axis=1) & (lp.family == lp.family[j]) & (lp.dedicated == lp.dedicated[j])
        below &= np.all(eligible[:, j][:, None] <= eligible, axis=0)
        below[j] = False
        found = np.flatnonzero(below)
        if not len(found):
            continue
        pairs.add((int(found[np.argmax(norm[found])]), j))
        for d in range(size.shape[1]):
            if np.ptp(size[:, d]) > 0:
                pairs.add((int(found[np.lexsort((norm[found], size[found, d]))[-1]]), j))
    return sorted(pairs)


def _lagrangian(lp: PatternLP, pi: np.ndarray, uppers: list[float]) -> float:
    theta = 1.0
    for kind, v in zip(lp.kinds, uppers):
        if not math.isfinite(kind.limit) and v > 0:
            if kind.price <= 0:
                return 0.0  # a free kind without limit: nothing is bounded
            theta = max(theta, v / kind.price)
    value = float(np.dot(lp.demand.astype(float), pi)) / theta
    for kind, v in zip(lp.kinds, uppers):
        if math.isfinite(kind.limit):
            value += kind.limit * min(0.0, kind.price - v / theta)
    return max(0.0, value)


def _first_columns(lp: PatternLP):
    """Per class, as many of it as fit one host of the cheapest kind that takes it."""
    for i in range(len(lp.demand)):
        options = [k for k, kind in enumerate(lp.kinds) if kind.eligible[i] and _fits(lp.size[i], kind.room)]
        if not options:
            continue
        k = min(options, key=lambda k: (lp.kinds[k].price, -math.isinf(lp.kinds[k].limit)))
        yield k, {i: 1 if lp.dedicated[i] else max(1, int(_caps(lp, np.array([i]), lp.kinds[k].room)[0]))}


def _fits(size: np.ndarray, room: np.ndarray) -> bool:
    return bool(np.all(size <= room))


def _caps(lp: PatternLP, idx: np.ndarray, room: np.ndarray) -> np.ndarray:
    """Copies of each class in ``idx`` one host of this room may hold (its size, its demand, its family's cap)."""
    size = lp.size[idx]
    with np.errstate(divide="ignore"):
        per = np.where(size > 0, room[None, :] // np.maximum(size, 1), np.iinfo(np.int64).max)
    most = np.minimum(per.min(axis=1), lp.demand[idx])
    fam = lp.family[idx]
    caps = np.array(lp.family_cap + [0], dtype=np.int64)[fam]  # (-1 picks the sentinel, unused)
    return np.maximum(np.where(fam >= 0, np.minimum(most, caps), most), 0)


def _items(lp: PatternLP, k: int, pi: np.ndarray):
    """The classes worth packing on kind k: (indices, caps), and the best dedicated class (value, index)."""
    kind = lp.kinds[k]
    eligible = kind.eligible & (pi > _TOLERANCE) & np.all(lp.size <= kind.room, axis=1)
    ded = np.flatnonzero(eligible & lp.dedicated)
    best_ded = (float(pi[ded].max()), int(ded[np.argmax(pi[ded])])) if len(ded) else (0.0, -1)
    idx = np.flatnonzero(eligible & ~lp.dedicated)
    caps = _caps(lp, idx, kind.room)
    keep = caps > 0
    return idx[keep], caps[keep], best_ded


def _greedy(lp: PatternLP, k: int, pi: np.ndarray) -> list[tuple[float, dict[int, int]]]:
    """Good patterns (not always the best): classes by value per unit of their largest, and of their summed,
    share of the room, packed in that order."""
    kind = lp.kinds[k]
    idx, caps, (ded_value, ded) = _items(lp, k, pi)
    out: list[tuple[float, dict[int, int]]] = [(ded_value, {ded: 1})] if ded >= 0 else []
    if not len(idx):
        return out
    room = np.maximum(kind.room.astype(float), 1.0)
    share = lp.size[idx] / room
    sizes = lp.size[idx].tolist()
    values = pi[idx].tolist()
    fams = lp.family[idx].tolist()
    caps_list = caps.tolist()
    dims = range(len(room))
    weights = [share.max(axis=1), share.sum(axis=1)]
    weights += [share[:, d] for d in range(share.shape[1]) if len(weights) < 6 and np.ptp(share[:, d]) > 0]
    for weight in weights:
        order = np.argsort(-pi[idx] / np.maximum(weight, 1e-12), kind="stable").tolist()
        left = kind.room.tolist()
        fam_left = list(lp.family_cap)
        pattern: dict[int, int] = {}
        value = 0.0
        for j in order:
            size = sizes[j]
            take = caps_list[j]
            for d in dims:
                if size[d] and left[d] // size[d] < take:
                    take = left[d] // size[d]
            f = fams[j]
            if f >= 0 and fam_left[f] < take:
                take = fam_left[f]
            if take <= 0:
                continue
            pattern[int(idx[j])] = take
            for d in dims:
                left[d] -= take * size[d]
            if f >= 0:
                fam_left[f] -= take
            value += take * values[j]
        out.append((value, pattern))
    return out


def _price(lp: PatternLP, k: int, pi: np.ndarray, seconds: float, floor: float | None = None,
           slow: list | None = None) -> tuple[float, float, dict[int, int]]:
    """(an upper bound on the best pattern's value, a pattern's value, that pattern) for kind k. With ``floor``
    (the kind's price): when the cheap bound (fleetpack.capacity.pricing) is at most it, that bound alone and no
    pattern (the kind cannot price out, and the Lagrangian bound gains nothing from pricing it exactly). ``slow``
    gets k when the pricing took the numpy table or CP-SAT (not the core's table)."""
    kind = lp.kinds[k]
    idx, caps, (ded_value, ded) = _items(lp, k, pi)
    ded_pattern = {ded: 1} if ded >= 0 else {}
    if not len(idx):
        return ded_value, ded_value, ded_pattern
    sizes = lp.size[idx]
    binding = [d for d in range(sizes.shape[1]) if int(np.dot(sizes[:, d], caps)) > int(kind.room[d])]
    families = lp.family[idx]
    fam_binds = any(int(caps[families == f].sum()) > lp.family_cap[f] for f in set(families.tolist()) if f >= 0)
    cheap = math.inf
    exactly = bool(binding) and not fam_binds and len(binding) <= 2
    if binding and floor is not None and (not exactly or table_work(caps, sizes[:, binding], kind.room[binding])
                                          > _CHEAP_FIRST):
        cheap = max(ded_value, fractional_upper(sizes[:, binding], kind.room[binding], caps, pi[idx]))
        if cheap <= floor:
            return cheap, 0.0, {}
    exact = None
    if exactly:
        exact = exact_pricing(idx, caps, sizes[:, binding], kind.room[binding], pi[idx])
    if exact is not None:
        upper, value, pattern = exact
        upper = min(upper, cheap)
    elif not binding and not fam_binds:
        pattern = {int(i): int(c) for i, c in zip(idx, caps)}
        value = float(np.dot(pi[idx], caps))
        upper = value * (1 + 1e-9)
    elif not binding:  # families only: the most valuable members up to each family's cap
        pattern, value = {}, 0.0
        fam_left = dict(enumerate(lp.family_cap))
        for j in np.argsort(-pi[idx], kind="stable").tolist():
            i, f = int(idx[j]), int(families[j])
            take = int(caps[j]) if f < 0 else min(int(caps[j]), fam_left[f])
            if take > 0:
                pattern[i] = take
                value += take * float(pi[i])
                if f >= 0:
                    fam_left[f] -= take
        upper = value * (1 + 1e-9)
    elif not fam_binds and _dp_cells(sizes[:, binding], kind.room[binding], caps) <= _DP_WORK:
        if slow is not None:
            slow.append(k)
        value, pattern = _knapsack_dp(idx, caps, sizes[:, binding], kind.room[binding], pi)
        upper = value * (1 + 1e-9)
    else:
        if slow is not None:
            slow.append(k)
        upper, value, pattern = _knapsack_cpsat(lp, idx, caps, sizes, binding, kind.room, pi, seconds)
        upper = min(upper, cheap)
    if value >= ded_value:
        return max(upper, ded_value * (1 + 1e-9)), value, pattern
    return max(upper, ded_value * (1 + 1e-9)), ded_value, ded_pattern


def _dp_cells(sizes: np.ndarray, room: np.ndarray, caps: np.ndarray) -> float:
    """The work of the DP: cells of the table times the (item, power-of-two chunk) steps."""
    _, units = _to_units(sizes, room)
    steps = float(np.sum(np.floor(np.log2(np.maximum(caps, 1))) + 1))
    return float(np.prod((units + 1).astype(float))) * steps


def _knapsack_dp(idx, caps, sizes, room, pi) -> tuple[float, dict[int, int]]:
    """The bounded knapsack over the binding dimensions, exactly: a table over the room (entry: the best value
    within that much room), each class's copies split in powers of two, then a walk back through the steps."""
    sizes, units = _to_units(sizes, room)
    table = np.zeros(tuple((units + 1).tolist()))
    steps: list[tuple[int, int, np.ndarray]] = []  # (item, copies, where taking them helped, packed)
    for j in range(len(idx)):
        c, v = int(caps[j]), float(pi[idx[j]])
        chunk = 1
        while c > 0:
            take = min(chunk, c)
            c -= take
            w = take * sizes[j]
            if np.all(w <= units):
                dst = tuple(slice(int(a), None) for a in w)
                src = tuple(slice(0, int(u) + 1 - int(a)) for a, u in zip(w, units))
                shifted = table[src] + take * v
                better = shifted > table[dst] + 1e-12
                steps.append((j, take, np.packbits(better)))
                table[dst] = np.where(better, shifted, table[dst])
            chunk *= 2
    value = float(table.max())
    at = np.array(np.unravel_index(int(np.argmax(table)), table.shape), dtype=np.int64)
    pattern: dict[int, int] = {}
    for j, take, better in reversed(steps):  # the steps that set the entry at the current room
        w = take * sizes[j]
        if np.all(at >= w):
            shape = tuple((units + 1 - w).tolist())
            flat = int(np.ravel_multi_index(tuple((at - w).tolist()), shape))
            if (better[flat >> 3] >> (7 - (flat & 7))) & 1:
                pattern[int(idx[j])] = pattern.get(int(idx[j]), 0) + take
                at = at - w
    return value, pattern


def _knapsack_cpsat(lp: PatternLP, idx, caps, sizes, binding, room, pi, seconds):
    """The knapsack by CP-SAT within ``seconds`` of deterministic time: (its proven upper bound, the value of its
    pattern, pattern)."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    x = [model.NewIntVar(0, int(c), "") for c in caps]
    for d in binding:
        model.Add(sum(int(sizes[j, d]) * x[j] for j in range(len(x)) if sizes[j, d]) <= int(room[d]))
    for f in set(lp.family[idx].tolist()):
        if f >= 0:
            members = [x[j] for j in range(len(x)) if lp.family[idx[j]] == f]
            if sum(int(caps[j]) for j in range(len(x)) if lp.family[idx[j]] == f) > lp.family_cap[f]:
                model.Add(sum(members) <= lp.family_cap[f])
    top = float(pi[idx].max())
    scale = _SCALE / top
    weights = [int(math.ceil(float(pi[i]) * scale)) for i in idx]
    model.Maximize(sum(w * v for w, v in zip(weights, x)))
    solver = cp_model.CpSolver()
    solver.parameters.max_deterministic_time = seconds
    # (a last resort: the result then depends on the load)
    solver.parameters.max_time_in_seconds = max(0.01, min(10 * seconds, seconds_left()))
    solver.parameters.num_workers = 1
    status = solver.Solve(model)
    upper_scaled = solver.BestObjectiveBound()
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return float(np.dot(pi[idx], caps)), 0.0, {}
    upper = (upper_scaled + 1) / scale  # weights are rounded up: the true maximum is at most this
    pattern = {int(i): int(solver.Value(v)) for i, v in zip(idx, x) if solver.Value(v)}
    value = float(sum(pi[i] * a for i, a in pattern.items()))
    return max(upper, value), value, pattern
