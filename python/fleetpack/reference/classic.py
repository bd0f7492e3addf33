"""The classic bin-packing bounds in plain Python, as the core's rust/core/src/bounds/classic.rs: Martello and Toth's
L2 and Fekete and Schepers' dual feasible functions; and the dimensions' names in the bounds' words."""

from __future__ import annotations

import collections
from typing import Sequence

__all__ = ["martello_toth_l2", "fekete_schepers"]


def martello_toth_l2(sizes: Sequence[int], capacity: int) -> int:
    """Martello and Toth's bound L2 on the bins of ``capacity`` that ``sizes`` (ascending, each at most
    ``capacity``) need: for each threshold K (0, and every positive size up to capacity/2), the items above
    capacity − K each need a bin of their own, the items in (capacity/2, capacity − K] each another, and the items
    in
    [K, capacity/2] need what those leave free, and more bins for the rest."""
    if not sizes:
        return 0
    if capacity == 0:
        return 1 if sizes[-1] == 0 else len(sizes)
    best = 0
    for k in [0] + sorted({s for s in sizes if s > 0 and 2 * s <= capacity}):
        j1 = [s for s in sizes if s > capacity - k]
        j2 = [s for s in sizes if 2 * s > capacity and s <= capacity - k]
        j3 = [s for s in sizes if k <= s and 2 * s <= capacity]
        free = len(j2) * capacity - sum(j2)
        more = -(-(sum(j3) - free) // capacity) if sum(j3) > free else 0
        best = max(best, len(j1) + len(j2) + more)
    return best


def fekete_schepers(sizes: Sequence[int], capacity: int) -> int:
    """Fekete and Schepers' bound on the bins of ``capacity`` that ``sizes`` (ascending) need: the dual feasible
    functions u_k (k = 1..10), each after the cut at eps (0, and up to 15 of the distinct sizes up to capacity/2,
    every ceil(count/15)-th): sizes above capacity − eps count a whole bin, below eps nothing. With many distinct
    sizes (more than 2**22 / 160) only eps = 0 and k up to 2**22 / distinct."""
    if not sizes or capacity == 0:
        return 0
    distinct = sorted(collections.Counter(sizes).items())
    full = len(distinct) * 16 * 10 <= 1 << 22
    halves = [v for v, _ in distinct if 0 < v and 2 * v <= capacity]
    thresholds = [0] + (halves[::-(-len(halves) // 15)] if full and halves else [])
    ks = 10 if full else max(1, min(10, (1 << 22) // len(distinct)))
    best = 0
    for eps in thresholds:
        for k in range(1, ks + 1):
            total = 0
            for v, n in distinct:
                if v > capacity - eps:
                    mapped = k * capacity
                elif v < eps:
                    mapped = 0
                elif (k + 1) * v % capacity == 0:
                    mapped = k * v
                else:
                    mapped = (k + 1) * v // capacity * capacity
                total += mapped * n
            best = max(best, -(-total // (k * capacity)))
    return best


def _dim_name(d: int) -> str:
    return ("cpu", "memory")[d] if d < 2 else f"dimension {d}"
