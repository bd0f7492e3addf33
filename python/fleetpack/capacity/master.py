"""Whole purchases from the column generation's patterns (capacity/colgen.py): the integer master (CP-SAT over the
patterns), the dive (residual rounding), and the enumeration of every pattern a cheaper purchase could use (by
reduced cost), over which the integer master's proven optimum is a lower bound.

A purchase here is a list of (kind, pattern, copies); fleetpack.capacity.fromlp turns it into hosts and a plan.
"""

from __future__ import annotations

import math
import time
from typing import Sequence

import numpy as np

from .colgen import Kind, PatternLP, _caps, column_bound, seconds_left

__all__ = ["integer_master", "dive", "enumerate_patterns"]


def integer_master(lp: PatternLP, solution: Sequence[float], seconds: float,
                   hint: Sequence[tuple[int, dict[int, int], int]] = (),
                   proof: list[float] | None = None) -> list[tuple[int, dict[int, int], int]]:
    """Whole numbers of the generated patterns that cover the demand within the limits, at least cost (CP-SAT over
    the columns, from ``hint`` (a purchase found before) or else the LP solution rounded up): (kind, pattern,
    copies) for each pattern bought; [] if none found in time."""
    from ortools.sat.python import cp_model

    if not lp.columns:
        return []
    prices = [lp.kinds[k].price for k, _ in lp.columns]
    scale = _integer_scale(prices)
    if not scale:  # prices not in whole hundredths of a hundredth: the master's optimum would not be exact
        scale, proof = 10_000.0, None
    model = cp_model.CpModel()
    x = []
    start = list(solution) + [0.0] * (len(lp.columns) - len(solution))
    if hint:
        given = {(k, tuple(sorted(p.items()))): c for k, p, c in hint}
        start = [float(given.get((k, tuple(sorted(p.items()))), 0)) for k, p in lp.columns]
    for (k, pattern), lp_x in zip(lp.columns, start):
        most = max((-(-int(lp.demand[i]) // a) for i, a in pattern.items() if a > 0), default=0)
        if math.isfinite(lp.kinds[k].limit):
            most = min(most, int(lp.kinds[k].limit))
        var = model.NewIntVar(0, max(most, 0), "")
        model.AddHint(var, min(most, int(math.ceil(lp_x - 1e-9))))
        x.append(var)
    cover: list[list] = [[] for _ in range(len(lp.demand))]
    for var, (k, pattern) in zip(x, lp.columns):
        for i, a in pattern.items():
            cover[i].append((a, var))
    for i, terms in enumerate(cover):
        if not terms:
            return []
        model.Add(sum(a * v for a, v in terms) >= int(lp.demand[i]))
    for k, kind in enumerate(lp.kinds):
        if math.isfinite(kind.limit):
            mine = [v for v, (kk, _) in zip(x, lp.columns) if kk == k]
            if mine:
                model.Add(sum(mine) <= int(kind.limit))
    model.Minimize(sum(int(round(p * scale)) * v for p, v in zip(prices, x)))
    solver = cp_model.CpSolver()
    solver.parameters.max_deterministic_time = max(0.05, seconds)  # (work, not wall clock: reproducible)
    solver.parameters.max_time_in_seconds = max(0.01, min(10 * max(0.05, seconds) + 1, seconds_left()))
    solver.parameters.num_workers = 1
    solver.parameters.linearization_level = 2  # the LP relaxation inside the search: what closes a covering gap
    status = solver.Solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return []
    if proof is not None:  # the optimum over these columns, when proven: (its value, in price units)
        proof.append(solver.ObjectiveValue() / scale if status == cp_model.OPTIMAL else -math.inf)
    return [(k, pattern, int(solver.Value(v))) for v, (k, pattern) in zip(x, lp.columns) if solver.Value(v)]


def _integer_scale(prices: Sequence[float]) -> float:
    """A factor that makes the prices whole numbers (to 1e-4 of a unit when they are not multiples of one)."""
    for scale in (1, 10, 100, 1000, 10_000):
        if all(abs(p * scale - round(p * scale)) < 1e-9 * max(1.0, p * scale) for p in prices):
            return float(scale)
    return 0.0


def dive(lp: PatternLP, solution: Sequence[float], seconds: float) -> list[tuple[int, dict[int, int], int]]:
    """Residual rounding: buy the whole part of every pattern of the LP solution, then re-solve the LP for the
    demand left (column generation again, from the columns so far) and buy its largest pattern once, until no
    demand is left. (kind, pattern, copies) as ``integer_master``; [] when the time runs out first."""
    began = time.perf_counter()
    demand = lp.demand.copy()
    limits = [kind.limit for kind in lp.kinds]
    columns = list(lp.columns)
    x = list(solution)
    bought: dict[tuple[int, tuple], int] = {}
    steps = 0
    while demand.any():
        steps += 1
        if (len(x) != len(columns) or steps > 200 or time.perf_counter() - began > 10 * seconds
                or seconds_left() <= 0):
            return []
        before = int(demand.sum())
        whole = [int(math.floor(v + 1e-9)) for v in x]
        if not any(whole):  # nothing whole: the largest fraction, once
            whole = [0] * len(x)
            whole[int(np.argmax(x))] = 1
        for (k, pattern), copies in zip(columns, whole):
            copies = min(copies, int(limits[k]) if math.isfinite(limits[k]) else copies)
            if copies <= 0 or not any(demand[i] > 0 for i in pattern):
                continue
            key = (k, tuple(sorted(pattern.items())))
            bought[key] = bought.get(key, 0) + copies
            limits[k] -= copies
            for i, a in pattern.items():
                demand[i] = max(0, demand[i] - a * copies)
        if not demand.any():
            break
        if int(demand.sum()) == before:  # the LP covers the rest only by its artificial columns
            return []
        kinds = [Kind(kind.room, kind.price, limit, kind.eligible) for kind, limit in zip(lp.kinds, limits)]
        rest = PatternLP(lp.size, demand.copy(), lp.dedicated, lp.family, lp.family_cap, kinds,
                         [(k, {i: min(a, int(demand[i])) for i, a in p.items() if demand[i] > 0})
                          for k, p in columns if any(demand[i] > 0 for i in p)])
        result = column_bound(rest, time_budget=0.5)
        if not result.solution:
            return []
        columns, x = rest.columns, list(result.solution)
        known = {(k, tuple(sorted(p.items()))) for k, p in lp.columns}
        lp.columns.extend(c for c in columns if (c[0], tuple(sorted(c[1].items()))) not in known)
    return [(k, dict(pattern), copies) for (k, pattern), copies in bought.items()]


def enumerate_patterns(lp: PatternLP, duals: tuple[np.ndarray, dict[int, float]], upper: float,
                       most: int = 20_000) -> float | None:
    """Add to ``lp.columns`` every maximal pattern whose reduced cost (under the converged LP's ``duals``) is
    below ``upper`` less the LP's value: any purchase cheaper than ``upper`` uses only such patterns (its cost is
    at least the LP's value plus the reduced costs of its patterns, each >= 0). Returns the LP's value, or None
    when there are more than ``most`` (nothing is added then)."""
    pi, sigma = duals
    value = float(np.dot(pi, lp.demand)) + sum(s * lp.kinds[k].limit for k, s in sigma.items())
    gap = upper - value + 1e-5 * max(1.0, abs(upper))  # (margin: the duals priced every pattern at -1e-7 or more)
    found: list[tuple[int, dict[int, int]]] = []
    for k, kind in enumerate(lp.kinds):
        threshold = kind.price - sigma.get(k, 0.0) - gap  # a pattern is wanted when its dual value exceeds it
        eligible = kind.eligible & np.all(lp.size <= kind.room, axis=1)
        for i in np.flatnonzero(eligible & lp.dedicated).tolist():
            if pi[i] > threshold:
                found.append((k, {i: 1}))
        idx = np.flatnonzero(eligible & ~lp.dedicated)
        caps = _caps(lp, idx, kind.room)
        idx, caps = idx[caps > 0], caps[caps > 0]
        order = np.argsort(-pi[idx], kind="stable")
        idx, caps = idx[order], caps[order]
        sizes = lp.size[idx]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(sizes > 0, pi[idx][:, None] / np.maximum(sizes, 1), np.inf)
        best_ratio = np.maximum.accumulate(ratio[::-1], axis=0)[::-1]  # per suffix and dimension
        suffix = np.cumsum((pi[idx] * caps)[::-1])[::-1]
        if not _search(lp, k, idx.tolist(), caps.tolist(), sizes.tolist(), pi, best_ratio, suffix, threshold,
                       found, most):
            return None
    lp.columns.extend(found)
    return value


def _search(lp, k, idx, caps, sizes, pi, best_ratio, suffix, threshold, found, most) -> bool:
    """Depth first over the classes (by dual value), counts from the most down; False when over ``most``."""
    room = lp.kinds[k].room.tolist()
    dims = range(len(room))
    counts = [0] * len(idx)
    fam_left = list(lp.family_cap)
    nodes = [0]

    def fits_more(left) -> bool:
        for j, i in enumerate(idx):
            if counts[j] < caps[j] and all(sizes[j][d] <= left[d] for d in dims):
                f = int(lp.family[i])
                if f < 0 or fam_left[f] > 0:
                    return True
        return False

    def walk(j: int, left: list[int], value: float) -> bool:
        nodes[0] += 1
        if nodes[0] > 10 * most or (nodes[0] & 1023 == 0 and seconds_left() <= 0):  # give up: no columns, no proof
            return False
        if j == len(idx):
            if value > threshold and value > 0 and not fits_more(left):
                found.append((k, {idx[t]: c for t, c in enumerate(counts) if c}))
                return len(found) <= most
            return True
        reach = min([float(suffix[j])] + [float(best_ratio[j][d]) * left[d] for d in dims
                                          if np.isfinite(best_ratio[j][d])])
        if value + reach <= threshold:
            return True
        size, f = sizes[j], int(lp.family[idx[j]])
        most_here = caps[j]
        for d in dims:
            if size[d]:
                most_here = min(most_here, left[d] // size[d])
        if f >= 0:
            most_here = min(most_here, fam_left[f])
        for c in range(most_here, -1, -1):
            counts[j] = c
            if f >= 0:
                fam_left[f] -= c
            ok = walk(j + 1, [left[d] - c * size[d] for d in dims], value + c * float(pi[idx[j]]))
            if f >= 0:
                fam_left[f] += c
            counts[j] = 0
            if not ok:
                return False
        return True

    return walk(0, room, 0.0)
