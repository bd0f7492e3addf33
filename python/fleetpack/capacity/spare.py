"""Spare room (``spare=k``, the vSphere HA percentage policy, and ``spare_domain``): the fleet survives the loss of
any k failure domains, in aggregate: in every dimension, the capacity left after the k largest domains are lost
holds the usage of every workload.

A domain is a set of hosts that fail together: with ``spare_domain=None`` each host alone; with a label key (say
``"zone"``), the hosts sharing that label's value, a host without the label being a domain of its own. A bought
host takes its type's value of the label (a type without it: each host bought is a domain of its own). A domain's
capacity is summed over all its hosts, used or empty: the room of an empty host in a failed domain fails with it.

Why the condition is exact: losing a set S of domains loses their workloads (usage U(S)) and their free room
(F(S)); the rest of the fleet holds U(S) iff F - F(S) >= U(S), i.e. F >= U(S) + F(S) = C(S), the capacity of S. The
worst S of k domains has the k largest capacities; and F >= C(top k) is capacity(outside the top k) >= usage. For
``spare_domain=None`` and k = 1 this is the older reading (free room at least the largest used host's capacity).

Buying an empty host never lowers the capacity outside the k largest domains (it raises one domain), so buying
until the condition holds ends; each purchase is the group of at most k + 1 hosts (of allowed types) that restores
most of the missing room per unit of price (a new domain may need company before it counts).
"""

from __future__ import annotations

import itertools
import math
from typing import Callable, Hashable, Sequence

import numpy as np

from ..errors import InfeasibleError
from ..model.hosttypes import HostType
from ..model.units import format_amount
from ..plan.plan import Plan
from .rulebound import PPM

__all__ = ["Room", "domain_of", "spare_purchase", "type_capacity", "placement_room", "spare_hosts", "kinds_bought"]

_MAX_GROUPS = 4000  # groups of types simulated per purchase step (k + 1 hosts of 10 types, k <= 3: 1,000)


def type_capacity(t: HostType, dims: Sequence[str]) -> np.ndarray:
    extra = t.extra_units  # type: ignore[attr-defined]
    return np.array([t.cpu_millis, t.memory_bytes, *(extra.get(d, 0) for d in dims[2:])],  # type: ignore[attr-defined]
                    dtype=object)


def domain_of(labels, key: str | None, ident: str) -> Hashable:
    """The failure domain of a host: its value of the label ``key``, else the host alone."""
    if key is not None and key in labels:
        return ("label", labels[key])
    return ("host", ident)


class Room:
    """The capacity of each domain and the fleet's usage, per dimension (exact integers)."""

    def __init__(self, k: int, dims: int):
        self.k = k
        self.dims = dims
        self.domains: dict[Hashable, list[int]] = {}
        self.usage = [0] * dims

    def add(self, domain: Hashable, capacity: Sequence[int], usage: Sequence[int] | None = None) -> None:
        cap = self.domains.setdefault(domain, [0] * self.dims)
        for d in range(self.dims):
            cap[d] += int(capacity[d])
            if usage is not None:
                self.usage[d] += int(usage[d])

    def copy(self) -> "Room":
        out = Room(self.k, self.dims)
        out.domains = {key: list(v) for key, v in self.domains.items()}
        out.usage = list(self.usage)
        return out

    def deficit(self) -> list[int]:
        """Per dimension, how much capacity outside the k largest domains is missing (<= 0: none)."""
        out = []
        for d in range(self.dims):
            column = sorted((v[d] for v in self.domains.values()), reverse=True)
            out.append(self.usage[d] - sum(column[self.k:]))
        return out

    def largest(self, d: int) -> list[Hashable]:
        """The k largest domains in dimension d (their keys)."""
        return sorted(self.domains, key=lambda key: -self.domains[key][d])[:self.k]


def spare_purchase(room: Room, dims: Sequence[str], allowed: Sequence[HostType], left: dict[str, float],
                   price: Callable[[HostType], float], spare: int, domain_key: str | None,
                   fresh: Callable[[HostType], Hashable]) -> list[HostType]:
    """The empty hosts to buy (their types, in order) until no room is missing. ``left`` is how many of each type
    may still be bought (it is updated); ``fresh(t)`` names a new host's own domain (a type without the label).
    Raises `InfeasibleError` when no group of at most k + 1 allowed hosts restores any of it."""
    room = room.copy()
    bought: list[HostType] = []
    deficit = room.deficit()
    while any(x > 0 for x in deficit):
        best, best_score = None, None
        usable = [t for t in allowed if left.get(t.name, 0) >= 1]
        size = 0
        while best is None and size < spare + 1 and usable:
            size += 1
            groups = itertools.combinations_with_replacement(usable, size)
            for group in itertools.islice(groups, _MAX_GROUPS):
                names = [t.name for t in group]
                if any(names.count(name) > left[name] for name in set(names)):
                    continue
                trial = room.copy()
                for t in group:
                    trial.add(_domain(t, domain_key, fresh), type_capacity(t, dims))
                after = trial.deficit()
                cover = sum((x - max(y, 0)) / x for x, y in zip(deficit, after) if x > 0)
                if cover <= 0:
                    continue
                score = sum(price(t) for t in group) / cover
                if best_score is None or score < best_score:
                    best, best_score = group, score
        if best is None:
            missing = ", ".join(f"{d} {format_amount(d, int(x))}" for d, x in zip(dims, deficit) if x > 0)
            where = f"spare={spare}" + (f", spare_domain={domain_key!r}" if domain_key is not None else "")
            lost = "domains" if domain_key is not None else "hosts"
            raise InfeasibleError.live(
                f"{where}: the fleet misses free room of {missing} (the capacity left after losing its {spare} "
                f"largest {lost} is below the workloads' usage), and no host type that may still be bought "
                "(available, max_types) adds room there", (), {})
        for t in best:
            room.add(_domain(t, domain_key, fresh), type_capacity(t, dims))
            left[t.name] -= 1
            bought.append(t)
        deficit = room.deficit()
    return bought


def _domain(t: HostType, key: str | None, fresh: Callable[[HostType], Hashable]) -> Hashable:
    if key is not None and key in t.labels:
        return ("label", t.labels[key])
    return fresh(t)


def placement_room(ex, types, plan: Plan, kinds, n_paid: int, options: dict) -> Room:
    """The fleet of a placement over the pool, as failure domains: the existing hosts and the hosts already bought
    (used or not) and the candidates used, each with its capacity and usage."""
    n_ex = len(ex)
    dims = list(plan.dimensions)
    problem = plan.problem
    assert problem is not None and plan.answer is not None and plan.answer.used is not None
    capacity = np.array(problem.capacities, dtype=object).reshape(len(problem.host_ids), len(dims))
    index = np.asarray(plan.host_index)
    in_use = np.zeros(len(problem.host_ids), dtype=bool)
    in_use[index[index >= 0]] = True
    by_name = {t.name: t for t in types}
    key = options["spare_domain"]
    room = Room(options["spare"], len(dims))
    part = problem.overbook
    if part is not None:  # the room at ratio (docs/capacity.md, "Spare room and failure domains")
        for j in range(len(problem.host_ids)):
            for d in range(len(dims)):
                capacity[j, d] = part.usable(int(capacity[j, d]), d) * int(part.ratio_ppm[j, d]) // PPM
    for j in range(len(problem.host_ids)):
        if j >= n_ex + n_paid and not in_use[j]:
            continue
        if j < n_ex:
            domain = domain_of(ex[j].labels, key, ex[j].id)
        else:
            domain = domain_of(by_name[kinds[j - n_ex]].labels, key, f"#{j}")
        room.add(domain, capacity[j].tolist(), plan.answer.used[j].tolist())
    return room


def spare_hosts(ex, types, plan: Plan, kinds, n_paid: int, allowed, options: dict,
                price: Callable[[HostType], float]) -> list[HostType]:
    """The empty hosts (their types) that complete a placement's fleet with the spare room (``options``: the
    planner's, for ``spare`` and ``spare_domain``)."""
    room = placement_room(ex, types, plan, kinds, n_paid, options)
    fresh = itertools.count()
    left = {t.name: math.inf if t.available is None else t.available for t in types}
    for k in kinds_bought(plan, kinds, len(ex), n_paid):
        left[k] -= 1
    return spare_purchase(room, list(plan.dimensions), allowed, left, price, options["spare"],
                          options["spare_domain"], lambda t: ("new", next(fresh)))


def kinds_bought(plan: Plan, kinds, n_ex: int, n_paid: int) -> list[str]:
    """The types of the hosts a placement over the pool buys: the ones already paid for and the candidates used."""
    index = np.asarray(plan.host_index)
    used = sorted(set(index[index >= n_ex + n_paid].tolist()))
    return [kinds[j] for j in range(n_paid)] + [kinds[j - n_ex] for j in used]
