"""What the purchase bounds (fleetpack.capacity.bounds, colgen) know of the group rules and the ratios (issue 16).

Each reading is a relaxation of every valid plan, so a bound of the relaxed problem stays below the best purchase;
what a reading cannot account for is left out, which is sound because rules only remove plans.

- **Ratios.** A host's room in dimension d is ``floor((floor(capacity x u) - fixed) x r)`` (u: the call's
  ``max_utilization``, fixed: the smaller per-host overhead, r: its ratio, its own or the call's). On a host,
  the core keeps ``O <= floor((U - fixed - Q) x r)`` (O: the demand that counts at ratio, Q: the demand of the
  workloads with ``overcommit=False``), so ``O + Q x r <= (U - fixed) x r``: a workload that may be overcommitted
  counts at its demand, one that may not at ``floor(demand x r_min)``, r_min the least ratio in d over the host
  kinds that take it (summed floors stay below ``Q x r``). No workload exceeds a host's physical capacity: the
  types' first-fit (``TypeFit.takes``) runs under the ratios, so it already says so.
- **Hard anti-affinity** (the shorthand and `AntiAffinity` with ``weight=None``, any scope): k counted members at
  most m per domain need ceil(k/m) domains, so as many hosts among those that take a member (the conflicts rows);
  with m = 1 a host holds at most one member, which the column generation's families keep (one group per item:
  the shorthand's, else the first such rule's; the others are left out).
- **Hard affinity at host scope** merges its counted members into one item: their demands summed, taken only by
  the types that take every member (members of several such groups merge transitively).
- **Hard spread**: its members take no host without the key's label, so no type without it takes them.
- Affinity at a label's scope, the skew of a spread and every soft rule are left out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

from ..model.group_rules import HOST, Affinity, AntiAffinity, Spread
from ..model.hosttypes import HostType
from ..model.objects import Host, Overheads, Workload
from ..model.overbook import read_ratio, read_usable

__all__ = ["Rating", "Item", "bound_items", "conflicts", "spread_takes"]

PPM = 10**6


@dataclass(frozen=True)
class Rating:
    """The call's ratios (``allocation_ratio``, ``max_utilization``) in parts per million; none: every ratio 1."""

    ratio: Mapping[str, int] | None = None
    usable: Mapping[str, int] | None = None

    @staticmethod
    def of(allocation_ratio: Any = None, max_utilization: Any = None) -> "Rating":
        """From a call's keywords (already validated)."""
        def ignore(*_: Any) -> None:
            return None
        return Rating(read_ratio(ignore, "allocation_ratio", allocation_ratio) or None,
                      read_usable(ignore, "max_utilization", max_utilization) or None)

    def ratios(self, h: Host | HostType, dims: Sequence[str]) -> list[int]:
        """The host's ratio per dimension (its own over the call's over 1), in parts per million."""
        own = getattr(h, "ratio_ppm", None) or {}
        call = self.ratio or {}
        return [int(own.get(d, call.get(d, PPM))) for d in dims]

    def room(self, h: Host | HostType, over: Overheads, dims: Sequence[str], n: int) -> list[float]:
        """A used host's room per dimension, at its ratio and within the usable share, then its count cap."""
        hyp, run = over.hypervisor, over.container_runtime
        fixed = [min(hyp.cpu_millis, run.cpu_millis), min(hyp.memory_bytes, run.memory_bytes)]  # type: ignore
        caps = [h.cpu_millis, h.memory_bytes, *(h.extra_units.get(d, 0) for d in dims[2:])]  # type: ignore
        usable = self.usable or {}
        room = []
        for k, (d, r) in enumerate(zip(dims, self.ratios(h, dims))):
            u = int(caps[k]) * int(usable.get(d, PPM)) // PPM
            room.append(float(max(0, u - (fixed[k] if k < 2 else 0)) * r // PPM))
        return room + [float(n if h.max_workloads is None else min(h.max_workloads, n))]

    @property
    def rated(self) -> bool:
        return bool(self.ratio) or bool(self.usable)


@dataclass(frozen=True)
class Item:
    """What the bounds pack: one workload, or the members of a host-scoped affinity group merged."""

    rows: tuple[int, ...]  # workload rows
    size: tuple[int, ...]  # per dimension, then the count
    eligible: tuple[int, ...]  # the types that take it
    dedicated: bool
    group: str | None  # at most one per host (an anti-affinity family of the column generation)


def _members(w: Workload) -> set[str]:
    return set(w.groups) | ({w.anti_affinity} if w.anti_affinity is not None else set())


def bound_items(workloads: Sequence[Workload], rows: Sequence[int], takes: np.ndarray, demand, rules: Sequence,
                rating: Rating, types: Sequence[HostType], existing: Sequence[Host], dims: Sequence[str]
                ) -> list[Item]:
    """The counted workloads as the bounds' items. ``demand(w)`` is a workload's smallest demand per dimension;
    ``takes[t, w]``: type t takes workload w."""
    rows = list(rows)
    hard = [r for r in rules if getattr(r, "weight", None) is None]
    together = [r.group for r in hard if isinstance(r, Affinity) and r.scope == HOST]
    apart = [r.group for r in hard if isinstance(r, AntiAffinity) and r.max_per_domain == 1]
    type_ratio = [rating.ratios(t, dims) for t in types]
    ex_ratio = [rating.ratios(h, dims) for h in existing]
    parent = {w: w for w in rows}

    def root(w: int) -> int:
        while parent[w] != w:
            parent[w] = parent[parent[w]]
            w = parent[w]
        return w

    if together:
        first: dict[str, int] = {}
        for w in rows:
            for g in _members(workloads[w]) & set(together):
                if g in first:
                    parent[root(w)] = root(first[g])
                else:
                    first[g] = w
    parts: dict[int, list[int]] = {}
    for w in rows:
        parts.setdefault(root(w), []).append(w)
    items = []
    for members in parts.values():
        total = np.zeros(len(dims) + 1, dtype=np.int64)
        eligible = np.ones(takes.shape[0], dtype=bool)
        for w in members:
            wl = workloads[w]
            size = list(demand(wl))
            if not wl.overcommit:  # counts at the least ratio of the kinds that take it
                kinds = [type_ratio[t] for t in np.flatnonzero(takes[:, w]).tolist()] + ex_ratio
                for d in range(len(dims)):
                    low = min((r[d] for r in kinds), default=PPM)
                    size[d] = size[d] * low // PPM
            total[:len(dims)] += np.array(size, dtype=np.int64)
            total[len(dims)] += 1
            eligible &= takes[:, w]
        group = next((workloads[w].anti_affinity for w in members if workloads[w].anti_affinity is not None), None)
        if group is None:
            group = next((g for w in members for g in apart if g in workloads[w].groups), None)
        items.append(Item(tuple(members), tuple(int(x) for x in total.tolist()),
                          tuple(np.flatnonzero(eligible).tolist()),
                          any(workloads[w].isolation == "dedicated" for w in members), group))
    return items


def spread_takes(workloads: Sequence[Workload], takes: np.ndarray, types: Sequence[HostType],
                 rules: Sequence) -> np.ndarray:
    """``takes`` less the types without the key of a hard spread a workload is a member of."""
    spreads = [r for r in rules if isinstance(r, Spread) and r.weight is None]
    if not spreads:
        return takes
    takes = takes.copy()
    for r in spreads:
        lacking = [k for k, t in enumerate(types) if r.key not in t.labels]
        if not lacking:
            continue
        for w, wl in enumerate(workloads):
            if r.group in _members(wl):
                takes[lacking, w] = False
    return takes


def conflicts(workloads: Sequence[Workload], rows: Sequence[int], rules: Sequence) -> list[tuple[list[int], int]]:
    """Per hard anti-affinity (the shorthand's groups, and each `AntiAffinity` with ``weight=None``): its counted
    members and how many hosts they need, ceil(k / max_per_domain)."""
    members: dict[str, list[int]] = {}
    for w in rows:
        for g in _members(workloads[w]):
            members.setdefault(g, []).append(w)
    out = []
    for w_group in {workloads[w].anti_affinity for w in rows} - {None}:
        shorthand = [w for w in members.get(w_group, []) if workloads[w].anti_affinity == w_group]  # type: ignore
        out.append((shorthand, len(shorthand)))
    for r in rules:
        if isinstance(r, AntiAffinity) and r.weight is None and members.get(r.group):
            k = len(members[r.group])
            out.append((members[r.group], math.ceil(k / r.max_per_domain)))
    return [(m, need) for m, need in out if need > 1]
