"""Spare room (``spare=k``, the vSphere HA percentage policy): in every dimension, the fleet's free room is at least
the capacity of its k largest used hosts, so that their workloads could restart elsewhere after k hosts fail.

Free room is summed over every host of the fleet (existing and bought, used or not): capacity less usage, the
per-host overheads counted in the usage. The k largest are taken per dimension among the hosts that hold a
workload. An empty host bought for the room adds its whole capacity to the free room and changes no used host, so
buying empty hosts until the condition holds always ends; each one is of the type that restores most of the
missing room per unit of price.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from ..errors import InfeasibleError
from ..model.hosttypes import HostType
from ..model.units import format_amount

__all__ = ["spare_deficit", "spare_purchase", "type_capacity"]


def type_capacity(t: HostType, dims: Sequence[str]) -> np.ndarray:
    extra = t.extra_units  # type: ignore[attr-defined]
    return np.array([t.cpu_millis, t.memory_bytes, *(extra.get(d, 0) for d in dims[2:])],  # type: ignore[attr-defined]
                    dtype=object)


def spare_deficit(capacity: np.ndarray, used: np.ndarray, in_use: np.ndarray, k: int) -> np.ndarray:
    """Per dimension how much free room is missing (<= 0: none): the k largest capacities among the hosts in use,
    less the fleet's free room. Exact integers (object arrays)."""
    dims = capacity.shape[1]
    if k == 0 or dims == 0:
        return np.zeros(dims, dtype=object)
    free = (capacity - used).sum(axis=0) if len(capacity) else np.zeros(dims, dtype=object)
    need = []
    for d in range(dims):
        column = sorted(capacity[in_use, d].tolist(), reverse=True)
        need.append(sum(column[:k]))
    return np.array(need, dtype=object) - free


def spare_purchase(deficit: np.ndarray, dims: Sequence[str], allowed: Sequence[HostType], left: dict[str, float],
                   price: Callable[[HostType], float], spare: int) -> list[HostType]:
    """The empty hosts to buy (their types, in order) until no room is missing. ``left`` is how many of each type
    may still be bought (it is updated). Raises `InfeasibleError` when the allowed types cannot restore it."""
    bought: list[HostType] = []
    deficit = deficit.copy()
    while any(x > 0 for x in deficit.tolist()):
        best, best_score = None, None
        for t in allowed:
            if left.get(t.name, 0) < 1:
                continue
            cap = type_capacity(t, dims)
            cover = sum(min(c, x) / x for c, x in zip(cap.tolist(), deficit.tolist()) if x > 0)
            if cover <= 0:
                continue
            score = price(t) / cover
            if best_score is None or score < best_score:
                best, best_score = t, score
        if best is None:
            missing = ", ".join(f"{d} {format_amount(d, int(x))}" for d, x in zip(dims, deficit.tolist()) if x > 0)
            raise InfeasibleError.live(
                f"spare={spare}: the fleet misses free room of {missing}, and no host type that may still be "
                "bought (available, max_types) has room in that dimension", (), {})
        bought.append(best)
        left[best.name] -= 1
        deficit = deficit - type_capacity(best, dims)
    return bought
