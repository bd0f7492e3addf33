"""The lower bounds in plain Python, as the core's rust/core/src/bounds.rs: Martello and Toth's L2, Fekete and
Schepers' dual feasible functions, the count and conflict bounds, per objective (docs/model.md, "Lower bounds")."""

from __future__ import annotations

import collections
import math
from typing import Sequence

from ..model.problem import Problem
from ..model.rules import smallest_demand
from .rules import placeable

__all__ = ["martello_toth_l2", "fekete_schepers", "lower_bound"]


_CLIQUE_LIST = 512  # the greedy clique's list: the largest in each dimension, and as many representatives


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


class _Relaxed:
    """The relaxed problem the bounds read: the placeable workloads (by index), their smallest-form demands per
    dimension, and each host's room once it pays the smaller of its two per-host overheads."""

    def __init__(self, problem: Problem):
        self.problem = problem
        fits = {id(w) for w in placeable(problem)}
        self.candidates = [i for i, w in enumerate(problem.workloads) if id(w) in fits]
        self.smallest = {i: smallest_demand(problem, problem.workloads[i]) for i in self.candidates}
        self.dims = range(len(problem.dimensions))
        self.sorted = [sorted(self.smallest[i][d] for i in self.candidates) for d in self.dims]
        self.per_host = [min(a, b) for a, b in zip(problem.fixed("hypervisor"), problem.fixed("container_runtime"))]
        capacities = [problem.capacity(h) for h in problem.hosts]
        self.rooms = [[self.room(c, d) for c in capacities] for d in self.dims]
        self.largest_room = [max(r, default=0) for r in self.rooms]
        self.mixed_os = {h.os for h in problem.hosts if h.hypervisor is not None and h.containers}

    def room(self, capacity: list[int], d: int) -> int:
        return max(capacity[d] - self.per_host[d], 0)

    def demand(self, placed: int) -> list[int]:
        return [sum(column[:placed]) for column in self.sorted]

    def min_hosts(self, placed: int) -> int:
        """The fewest hosts any plan placing ``placed`` uses: the largest of the room cover, L2 and Fekete–Schepers
        per dimension,
        the count bound and the pairwise conflicts (less one for each candidate left out); at least 1."""
        placed = min(placed, len(self.candidates))
        bound = 1
        demand = self.demand(placed)
        for d in self.dims:
            room = sorted(self.rooms[d], reverse=True)
            covered, k = 0, 0
            while covered < demand[d] and k < len(room):
                covered += room[k]
                k += 1
            bound = max(bound, k, martello_toth_l2(self.sorted[d][:placed], self.largest_room[d]),
                        fekete_schepers(self.sorted[d][:placed], self.largest_room[d]))
        bound = max(bound, self._count_bound(placed))
        return max(bound, self._conflict_clique() + placed - len(self.candidates))

    def _count_bound(self, placed: int) -> int:
        """The fewest hosts, most capacious first, whose counts reach ``placed``: a host holds at most its
        ``max_workloads`` and, per dimension, as many workloads as the smallest demands fill its room."""
        counts = []
        for j, h in enumerate(self.problem.hosts):
            count = math.inf if h.max_workloads is None else h.max_workloads
            for d in self.dims:
                column, total, k = self.sorted[d], 0, 0
                while k < len(column) and total + column[k] <= self.rooms[d][j]:
                    total += column[k]
                    k += 1
                if k < len(column):
                    count = min(count, k)
            counts.append(count)
        held, hosts = 0, 0
        for c in sorted(counts, reverse=True):
            if held >= placed:
                break
            held += c
            hosts += 1
        return hosts

    def _share(self, i: int) -> float:
        return max((float(self.smallest[i][d]) / float(self.largest_room[d]) for d in self.dims
                    if self.largest_room[d] > 0), default=0.0)

    def _conflict_clique(self) -> int:
        """Candidates that pairwise cannot share a host: the dedicated ones, plus the best of: per dimension the
        largest demands of which any two overflow the largest room; the largest anti-affinity group; a greedy clique
        over the largest workloads of each dimension and the largest of each group, OS (container-only) and tenant
        (isolated container-only), by their largest share of a room."""
        w = self.problem.workloads
        others = [i for i in self.candidates if w[i].isolation != "dedicated"]
        dedicated = len(self.candidates) - len(others)
        if not others:
            return dedicated
        best = 1
        for d in self.dims:
            column = sorted(self.smallest[i][d] for i in others)
            k = 1
            while k < len(column) and column[-k] + column[-k - 1] > self.largest_room[d]:
                k += 1
            best = max(best, k)
        groups: dict[str, int] = {}
        representatives: dict[tuple, tuple[float, int]] = {}
        for i in others:
            container_only = w[i].form == "container"
            kinds = []
            if w[i].anti_affinity is not None:
                groups[w[i].anti_affinity] = groups.get(w[i].anti_affinity, 0) + 1
                kinds.append(("group", w[i].anti_affinity))
            if container_only:
                kinds.append(("os", w[i].os))
                if w[i].isolation == "tenant":
                    kinds.append(("tenant", w[i].tenant))
            for kind in kinds:
                if kind not in representatives or self._share(i) > representatives[kind][0]:
                    representatives[kind] = (self._share(i), i)
        best = max(best, max(groups.values(), default=0))
        threshold = [column[max(len(column) - _CLIQUE_LIST, 0)] for column in self.sorted]
        taken = [0 for _ in self.dims]
        listed = []
        for i in others:
            picked = False
            for d in self.dims:
                if self.smallest[i][d] >= threshold[d] and taken[d] < _CLIQUE_LIST:
                    taken[d] += 1
                    picked = True
            if picked:
                listed.append((self._share(i), i))
        order = lambda e: (-e[0], e[1])  # noqa: E731
        listed += sorted(representatives.values(), key=order)[:_CLIQUE_LIST]
        clique: list[int] = []
        for _, i in sorted(set(listed), key=order):
            if all(self._conflict(i, k) for k in clique):
                clique.append(i)
        return dedicated + max(best, len(clique))

    def _conflict(self, a: int, b: int) -> bool:
        """Whether two workloads (not dedicated) can never share a host."""
        wa, wb = self.problem.workloads[a], self.problem.workloads[b]
        if wa.anti_affinity is not None and wa.anti_affinity == wb.anti_affinity:
            return True
        if any(self.smallest[a][d] + self.smallest[b][d] > self.largest_room[d] for d in self.dims):
            return True
        if wa.form == "container" and wb.form == "container":
            if wa.os != wb.os:
                return True
            if "tenant" in (wa.isolation, wb.isolation) and wa.tenant != wb.tenant:
                return True
        return any(v.form == "vm" and c.form == "container" and c.os not in self.mixed_os
                   for v, c in ((wa, wb), (wb, wa)))


def lower_bound(problem: Problem, objective: str, placed: int) -> float:
    """A lower bound on the objective of any plan that places at least ``placed`` workloads.

    ``hosts``: `min_hosts`. ``cost``: the larger of the cheapest fractional cover per dimension (hosts by price per
    unit of room, the last in part) and the sum of the `min_hosts` cheapest hosts. ``spread``: demand over the whole
    fleet's capacity per dimension. See docs/model.md, "Lower bounds".
    """
    if placed == 0 or not problem.hosts:
        return 0
    relaxed = _Relaxed(problem)
    dims = range(len(problem.dimensions))
    demand = relaxed.demand(placed)
    capacities = [problem.capacity(h) for h in problem.hosts]
    if objective == "hosts":
        return relaxed.min_hosts(placed)
    if objective == "cost":
        k = min(relaxed.min_hosts(placed), len(problem.hosts))
        bound = sum(sorted(h.cost for h in problem.hosts)[:max(k, 1)])
        for d in dims:
            if demand[d] == 0:
                continue
            room = [(h.cost, relaxed.room(c, d)) for h, c in zip(problem.hosts, capacities)]
            room = sorted((r for r in room if r[1] > 0), key=lambda r: r[0] / float(r[1]))
            remaining, total = demand[d], 0.0
            for cost, size in room:
                take = min(remaining, size)
                total += cost * float(take) / float(size)
                remaining -= take
                if remaining == 0:
                    break
            bound = max(bound, total)
        return bound
    bound = 0.0
    for d in dims:
        fleet = sum(c[d] for c in capacities)
        if fleet > 0:
            bound = max(bound, float(demand[d]) / float(fleet))
    return bound
