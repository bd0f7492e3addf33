"""A validated problem: workloads, hosts and overheads checked together, with the dimensions they use.

Everything a solver needs is checked here once, and every problem found is reported in one `ValidationError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Iterable, Sequence

import numpy as np

from .errors import ErrorDetail, ValidationError
from .model import HYPERVISORS, Host, Overheads, Workload, as_host, as_overheads, as_workload

__all__ = ["Problem", "build_problem", "OBJECTIVES", "METHODS", "SORT_KEYS"]

OBJECTIVES = ("hosts", "cost", "spread")
METHODS = ("auto", "ff", "ffd", "bfd", "wfd", "exact")
SORT_KEYS = ("sum", "max", "l2", "prod")


@dataclass(frozen=True, eq=False)
class Problem:
    """Workloads and hosts in input order, the overheads, and the dimensions (``cpu``, ``memory``, then the extra
    dimensions in sorted order)."""

    workloads: tuple[Workload, ...]
    hosts: tuple[Host, ...]
    overheads: Overheads
    dimensions: tuple[str, ...]

    def materialize(self) -> "Problem":
        """This problem with a Python object per workload and host (it already has them)."""
        return self

    @cached_property
    def workload_ids(self) -> list[str]:
        return [w.id for w in self.workloads]

    @cached_property
    def host_ids(self) -> list[str]:
        return [h.id for h in self.hosts]

    @cached_property
    def host_costs(self) -> np.ndarray:
        return np.array([h.cost for h in self.hosts], dtype=np.float64)

    @cached_property
    def capacities(self) -> np.ndarray:
        """Hosts × dimensions capacities (uint64)."""
        return np.array([self.capacity(h) for h in self.hosts], dtype=np.uint64).reshape(
            len(self.hosts), len(self.dimensions))

    def demand(self, w: Workload) -> list[int]:
        """A workload's own demand per dimension (before any overhead)."""
        return [w.cpu_millis, w.memory_bytes] + [w.extra_units.get(d, 0) for d in self.dimensions[2:]]

    def capacity(self, h: Host) -> list[int]:
        """A host's capacity per dimension (0 where the host does not list the dimension)."""
        return [h.cpu_millis, h.memory_bytes] + [h.extra_units.get(d, 0) for d in self.dimensions[2:]]

    def fixed(self, name: str) -> list[int]:
        """A fixed overhead (``vm``, ``container``, ``hypervisor``, ``container_runtime``) per dimension."""
        r = getattr(self.overheads, name)
        return [r.cpu_millis, r.memory_bytes] + [0] * (len(self.dimensions) - 2)

    def encode(self) -> dict:
        """The problem as flat arrays and codes, the form in which the Rust core takes it."""
        d = len(self.dimensions)
        n, m = len(self.workloads), len(self.hosts)
        names: dict[str, int] = {}

        def code(text: str) -> int:
            return names.setdefault(text, len(names))

        allowed = {"any": 3, "container": 1, "vm": 2}
        isolation = {"none": 0, "tenant": 1, "dedicated": 2}
        groups: dict[str, int] = {}
        demand = np.zeros((n, d), dtype=np.uint64)
        capacity = np.zeros((m, d), dtype=np.uint64)
        for i, w in enumerate(self.workloads):
            demand[i] = self.demand(w)
        for j, h in enumerate(self.hosts):
            capacity[j] = self.capacity(h)
        tenants: dict[str, int] = {}
        return {
            "demand": demand,
            "allowed": np.array([allowed[w.form] for w in self.workloads], dtype=np.uint8),
            "w_os": np.array([code(w.os) for w in self.workloads], dtype=np.uint32),
            "tenant": np.array([tenants.setdefault(w.tenant, len(tenants)) for w in self.workloads], dtype=np.uint32),
            "isolation": np.array([isolation[w.isolation] for w in self.workloads], dtype=np.uint8),
            "group": np.array(
                [0 if w.anti_affinity is None else 1 + groups.setdefault(w.anti_affinity, len(groups))
                 for w in self.workloads],
                dtype=np.uint32,
            ),
            "capacity": capacity,
            "h_os": np.array([code(h.os) for h in self.hosts], dtype=np.uint32),
            "hypervisor": np.array(
                [0 if h.hypervisor is None else 1 + HYPERVISORS.index(h.hypervisor) for h in self.hosts],
                dtype=np.uint8,
            ),
            "containers": np.array([h.containers for h in self.hosts], dtype=np.bool_),
            "cost": np.array([h.cost for h in self.hosts], dtype=np.float64),
            "max_workloads": np.array(
                [np.iinfo(np.uint64).max if h.max_workloads is None else h.max_workloads for h in self.hosts],
                dtype=np.uint64,
            ),
            "vm": np.array(self.fixed("vm"), dtype=np.uint64),
            "container": np.array(self.fixed("container"), dtype=np.uint64),
            "hypervisor_overhead": np.array(self.fixed("hypervisor"), dtype=np.uint64),
            "runtime_overhead": np.array(self.fixed("container_runtime"), dtype=np.uint64),
            "factor_ppm": np.array([self.overheads.factor_ppm(k) for k in HYPERVISORS], dtype=np.uint64),
        }


def convert_items(values, kind: str, convert) -> tuple[list, list[ErrorDetail]]:
    """Convert every entry with ``convert(value, index)``, collecting the errors of all of them, and check that the
    ids are unique (a duplicate names the input index of the first entry with that id)."""
    items, problems = [], []
    first: dict[str, int] = {}
    for index, value in enumerate(values):
        try:
            item = convert(value, index)
        except ValidationError as exc:
            problems.extend(exc.errors)
            continue
        items.append(item)
        if item.id in first:
            problems.append(ErrorDetail(f"{kind} {item.id!r}", "id", f"duplicate id (also {kind} #{first[item.id]})"))
        else:
            first[item.id] = index
    return items, problems


def _items(values, kind: str, convert) -> tuple[list, list[ErrorDetail]]:
    if values is None:
        return [], []
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        return [], [ErrorDetail(f"{kind}s", "(argument)", f"expected a sequence of {kind}s, got {type(values).__name__}")]
    return convert_items(values, kind, convert)


def build_problem(workloads: Sequence, hosts: Sequence, overheads=None) -> Problem:
    """Validate and normalise the inputs of a call; raise one `ValidationError` listing every problem. Tables
    (pandas DataFrames, dicts of arrays) take the columnar path (`fleetpack.columnar`)."""
    from .columnar import build_columnar_problem, is_columnar

    if is_columnar(workloads) or is_columnar(hosts):
        return build_columnar_problem(workloads, hosts, overheads)
    w_items, problems = _items(workloads, "workload", as_workload)
    h_items, h_problems = _items(hosts, "host", as_host)
    problems.extend(h_problems)
    try:
        over = as_overheads(overheads)
    except ValidationError as exc:
        problems.extend(exc.errors)
        over = None
    if problems:
        raise ValidationError(problems)
    extra = sorted({name for item in (*w_items, *h_items) for name in item.extra_units})
    return Problem(tuple(w_items), tuple(h_items), over, ("cpu", "memory", *extra))


def check_choice(name: str, value, allowed: tuple[str, ...]) -> None:
    """Raise a `ValidationError` naming the parameter unless ``value`` is one of ``allowed``."""
    if not isinstance(value, str) or value not in allowed:
        raise ValidationError.single(
            "place()", name, f"must be one of {', '.join(map(repr, allowed))}, got {value!r}", value
        )
