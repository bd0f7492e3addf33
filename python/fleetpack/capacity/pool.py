"""The candidate hosts of a purchase: each host type expanded into as many copies as could ever be worth buying.

A type needs at most as many copies as first-fit decreasing uses to place, on that type alone, every workload the
type can take: a plan that bought more of it could pack the workloads on them onto that many (a packing of a subset
is never larger than one of the whole set by the same rules, and every rule is a rule of one host), at no more
cost. So the pool of candidates holds an optimal purchase (before ``spare`` adds hosts, which the planner does on
its own), and capped by ``available`` it holds every purchase the caller allows.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..api import place
from ..errors import FleetpackWarning
from ..model.hosttypes import HostType
from ..model.objects import Host, Overheads, Workload

__all__ = ["TypeFit", "fit_types", "candidate_hosts", "host_columns", "few_dimensions"]


@dataclass(frozen=True)
class TypeFit:
    """What a host type can do for the workloads: which it takes (each fits an empty host of the type) and how
    many hosts of it first-fit decreasing uses for all of them, alone."""

    host_type: HostType
    takes: np.ndarray  # bool per workload, in input order
    copies: int  # the count bound: hosts of the type that place all it takes


def host_columns(t: HostType, ids: Sequence[str], cost: float | None = None) -> dict:
    """Hosts of one type as columns (no object per host): fast for the thousands of copies of a pool."""
    n = len(ids)
    cpu, memory = t.cpu_millis, t.memory_bytes  # type: ignore[attr-defined]
    columns: dict = {"id": list(ids), "cpu_millis": np.full(n, cpu, dtype=np.uint64),
                     "memory_bytes": np.full(n, memory, dtype=np.uint64),
                     "os": np.full(n, t.os, dtype=object), "hypervisor": np.full(n, t.hypervisor, dtype=object),
                     "containers": np.full(n, t.containers, dtype=bool),
                     "cost": np.full(n, t.cost if cost is None else cost, dtype=np.float64)}
    for dim, units in t.extra_units.items():  # type: ignore[attr-defined]
        columns[f"extra.{dim}"] = np.full(n, units, dtype=np.uint64)
    if t.max_workloads is not None:
        columns["max_workloads"] = np.full(n, t.max_workloads, dtype=np.uint64)
    for key, value in t.labels.items():  # (workloads' selectors read them)
        columns[f"labels.{key}"] = np.full(n, value, dtype=object)
    for dim, ratio in (t.allocation_ratio or {}).items():
        columns[f"allocation_ratio.{dim}"] = np.full(n, ratio, dtype=np.float64)
    if t.taints:  # (a cell of keys separated by spaces: fit_types takes hosts when a key holds a space or comma)
        columns["taints"] = np.full(n, " ".join(t.taints), dtype=object)
    return columns


def _in_one_cell(t: HostType) -> bool:
    """The type's taints survive a text cell of keys separated by spaces (docs/model.md)."""
    return all(not any(c.isspace() or c == "," for c in key) for key in t.taints)


def fit_types(workloads: Sequence[Workload], types: Sequence[HostType], overheads: Overheads,
              call: dict | None = None) -> list[TypeFit]:
    """Each type's `TypeFit`, by first-fit decreasing of all workloads on as many copies of it as workloads
    (enough: every workload that fits an empty copy gets one). ``call``: ``place``'s ``rules``,
    ``allocation_ratio`` and ``max_utilization``. What a type takes is read under the ratios and without the group
    rules (a workload that fits an empty host); with rules, the count is that of a first-fit under them too, plus
    a host for each workload it takes that the rules left out there (at most one host per workload)."""
    n = len(workloads)
    call = call or {}
    ratios = {k: call[k] for k in ("allocation_ratio", "max_utilization") if call.get(k) is not None}
    fits = []
    for t in types:
        if n == 0:
            fits.append(TypeFit(t, np.zeros(0, dtype=bool), 0))
            continue
        with warnings.catch_warnings():  # "no host has a 'gpu' dimension": expected of one type alone
            warnings.simplefilter("ignore", FleetpackWarning)
            ids = [f"c{k}" for k in range(n)]
            hosts = host_columns(t, ids) if _in_one_cell(t) else [t.host(i) for i in ids]
            plan = place(workloads, hosts, method="ffd", overheads=overheads, **ratios)
            takes = np.asarray(plan.host_index) >= 0
            copies = int(plan.hosts_used)
            if call.get("rules"):
                ruled = place(workloads, hosts, method="ffd", overheads=overheads, rules=call["rules"], **ratios)
                left = int(np.sum(takes & (np.asarray(ruled.host_index) < 0)))
                copies = min(int(takes.sum()), max(copies, int(ruled.hosts_used) + left))
        fits.append(TypeFit(t, takes, copies))
    return fits


def candidate_hosts(fits: Sequence[TypeFit], taken: set[str], counts: dict[str, int] | None = None,
                    cost_of=None) -> tuple[list[Host], list[str]]:
    """The candidates of every type, as hosts named ``<type>-<k>`` (k from 1, skipping ids in ``taken``), and the
    type of each. ``counts`` caps each type's copies (default: its count bound, capped by ``available``);
    ``cost_of(type)`` prices a copy (default: the type's cost)."""
    hosts: list[Host] = []
    kinds: list[str] = []
    for fit in fits:
        t = fit.host_type
        count = fit.copies if counts is None else counts.get(t.name, 0)
        if t.available is not None:
            count = min(count, t.available)
        cost = t.cost if cost_of is None else cost_of(t)
        for ident in names(t.name, count, taken):
            hosts.append(Host(ident, t.cpu, t.memory, t.extra, t.os, t.hypervisor, t.containers, cost,
                              t.max_workloads, labels=dict(t.labels), taints=t.taints,
                              allocation_ratio=t.allocation_ratio))
            kinds.append(t.name)
    return hosts, kinds


def names(type_name: str, count: int, taken: set[str]) -> list[str]:
    """``count`` host names ``<type>-<k>``, k = 1, 2, ..., skipping the names in ``taken``."""
    out, k = [], 0
    while len(out) < count:
        k += 1
        ident = f"{type_name}-{k}"
        if ident not in taken:
            out.append(ident)
    return out


def few_dimensions(ws: Sequence[Workload], hosts: Sequence) -> bool:
    """Whether at most two dimensions have demand and no host (or type) caps its workloads below their number:
    the column generation's pricing is then the core's table, fast."""
    extra = {d for w in ws for d in w.extra_units if w.extra_units[d]}
    used = int(any(w.cpu_millis for w in ws)) + int(any(w.memory_bytes for w in ws)) + len(extra)
    return used <= 2 and all(h.max_workloads is None or h.max_workloads >= len(ws) for h in hosts)
