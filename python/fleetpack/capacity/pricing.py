"""Pricing for the column generation (fleetpack.capacity.colgen): a cheap upper bound on a kind's best pattern,
and the exact knapsack in at most two binding dimensions by the core's dynamic program (fleetpack_core::knapsack).

The cheap bound: every pattern fits the room in each dimension, so for any ``lam`` in [0, 1] it fits the one
constraint ``sum a_i (lam s_i0 / R_0 + (1 - lam) s_i1 / R_1) <= 1`` (and each dimension alone); the fractional
knapsack over that one constraint, with the caps, is at least the best pattern's value. The least over a few
``lam`` is the bound (the anti-affinity families and the count dimension left out: a relaxation). When it is at
most the kind's price the kind cannot price out, and its bound adds nothing to the Lagrangian bound (whose scale
``theta`` is at least 1), so the exact pricing of that kind is skipped.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["fractional_upper", "exact_pricing", "table_work", "units"]

_LAMBDAS = np.linspace(0.0, 1.0, 9)
_WORK = 4e8  # the core's table: cells times steps at most this (about 0.3 s); beyond, the caller's other routes
_BITS = 2**29  # steps x cells recorded for the walk back (64 MiB); beyond, the caps relaxed (one step per item)


def units(sizes: np.ndarray, room: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sizes and room per dimension in units of the sizes' gcd (exact: a sum of multiples of g fits iff it fits
    the room rounded down to a multiple of g)."""
    g = np.array([int(np.gcd.reduce(col[col > 0])) if np.any(col > 0) else 1 for col in sizes.T], dtype=np.int64)
    return sizes // g, room // g


def fractional_upper(sizes: np.ndarray, room: np.ndarray, caps: np.ndarray, values: np.ndarray) -> float:
    """An upper bound on the best pattern's value: ``sizes`` (items x dims) within ``room`` (dims), at most
    ``caps`` copies of each, worth ``values`` (> 0) each (see the module's docstring)."""
    if not len(values):
        return 0.0
    share = sizes.astype(float) / np.maximum(room.astype(float), 1e-300)[None, :]
    share[:, room <= 0] = np.where(sizes[:, room <= 0] > 0, np.inf, 0.0)
    caps = caps.astype(float)
    best = float(np.dot(values, caps)) * (1 + 1e-9)  # every copy of every item: a bound when nothing binds
    dims = share.shape[1]
    if dims == 2:
        weights = _LAMBDAS[:, None] * share[None, :, 0] + (1 - _LAMBDAS)[:, None] * share[None, :, 1]
    else:
        weights = np.vstack([share.T, share.mean(axis=1)[None, :]] if dims > 2 else [share.T])
    return min(best, _fractional(np.where(np.isnan(weights), np.inf, weights), caps, values))


def _fractional(weights: np.ndarray, caps: np.ndarray, values: np.ndarray) -> float:
    """The least over the rows of ``weights`` of the fractional knapsack of capacity 1 with those weights: items
    by value per weight, the last one in part (an item of weight 0 whole)."""
    with np.errstate(divide="ignore"):
        ratio = np.where(weights > 0, values[None, :] / np.where(weights > 0, weights, 1.0), np.inf)
    order = np.argsort(-ratio, axis=1, kind="stable")
    w = np.take_along_axis(weights, order, axis=1)
    c, v = caps[order], values[order]
    load = np.cumsum(w * c, axis=1)
    gain = np.cumsum(v * c, axis=1)
    best = math.inf
    for r in range(len(weights)):
        k = int(np.searchsorted(load[r], 1.0, side="right"))  # items 0..k-1 whole
        total = float(gain[r, k - 1]) if k else 0.0
        if k < w.shape[1]:
            left = 1.0 - (float(load[r, k - 1]) if k else 0.0)
            total += float(v[r, k]) * min(float(c[r, k]), max(0.0, left) / float(w[r, k]))
        best = min(best, total)
    return best * (1 + 1e-9)


def table_work(caps: np.ndarray, sizes: np.ndarray, room: np.ndarray) -> float:
    """The work of the core's table for this knapsack (cells times steps; ``math.inf`` when it is not taken)."""
    plan = _table(caps, sizes, room)
    if plan is None:
        return math.inf
    sized, room_units, relaxed = plan
    return float(room_units[0] + 1) * float(room_units[1] + 1) * float(_steps(sized, room_units, caps, relaxed))


def _steps(sized: np.ndarray, room_units: np.ndarray, caps: np.ndarray, relaxed: bool) -> float:
    if relaxed:
        return float(len(caps))
    with np.errstate(divide="ignore"):
        fit = np.where(sized > 0, room_units[None, :] // np.maximum(sized, 1), np.iinfo(np.int64).max).min(axis=1)
    most = np.minimum(caps, fit)
    chunked = (most < fit) | (np.all(sized == 0, axis=1))
    return float(np.sum(np.where(chunked, np.floor(np.log2(np.maximum(most, 1))) + 1, 1)))


def _table(caps: np.ndarray, sizes: np.ndarray, room: np.ndarray):
    """(sizes and room in units, as two dimensions; whether the caps are relaxed) for the core's table, or None
    when it is too large."""
    if sizes.shape[1] not in (1, 2) or not len(caps):
        return None
    sized, room_units = units(sizes, room)
    if sizes.shape[1] == 1:
        sized = np.column_stack([np.zeros(len(sized), dtype=np.int64), sized])
        room_units = np.array([0, int(room_units[0])], dtype=np.int64)
    cells = float(room_units[0] + 1) * float(room_units[1] + 1)
    steps = _steps(sized, room_units, caps, False)
    relaxed = steps * cells > _BITS
    if relaxed:
        steps = float(len(caps))
    if steps * cells > _WORK or cells > 2**22:
        return None
    return sized, room_units, relaxed


def exact_pricing(idx: np.ndarray, caps: np.ndarray, sizes: np.ndarray, room: np.ndarray, values: np.ndarray):
    """The knapsack over one or two binding dimensions by the core's table: (an upper bound on the best value,
    a pattern's value, the pattern {class: copies}), or None when the table is too large (the caller's other
    routes then). With too many steps to record, the caps are relaxed (copies as many as fit): still an upper
    bound, and the pattern is cut to the caps (a pattern still)."""
    from .. import _core

    plan = _table(caps, sizes, room)
    if plan is None:
        return None
    sized, room_units, relaxed = plan
    value, copies = _core.knapsack(np.ascontiguousarray(sized, dtype=np.uint64),
                                   np.ascontiguousarray(values, dtype=np.float64),
                                   np.ascontiguousarray(caps, dtype=np.uint64), (int(room_units[0]),
                                                                                 int(room_units[1])), relaxed)
    copies = np.minimum(copies.astype(np.int64), caps)
    pattern = {int(i): int(a) for i, a in zip(idx, copies) if a > 0}
    found = float(np.dot(values, copies))
    return float(value) * (1 + 1e-9), found, pattern
