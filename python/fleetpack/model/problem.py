"""A validated problem: workloads, hosts and overheads checked together, with the dimensions they use.

Everything a solver needs is checked here once, and every problem found is reported in one `ValidationError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from operator import attrgetter
from typing import Iterable, Sequence

import numpy as np

from .errors import ErrorDetail, ValidationError
from .model import HYPERVISORS, Host, Overheads, Workload, as_host, as_workload, gather_overheads

__all__ = ["Problem", "build_problem", "OBJECTIVES", "METHODS", "SORT_KEYS"]

OBJECTIVES = ("hosts", "cost", "spread")
_ID, _CPU, _MEMORY, _EXTRA = (attrgetter(name) for name in ("id", "cpu_millis", "memory_bytes", "extra_units"))
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
        return list(map(_ID, self.workloads))

    @cached_property
    def host_ids(self) -> list[str]:
        return list(map(_ID, self.hosts))

    @cached_property
    def host_costs(self) -> np.ndarray:
        return np.array([h.cost for h in self.hosts], dtype=np.float64)

    @cached_property
    def capacities(self) -> np.ndarray:
        """Hosts × dimensions capacities (uint64)."""
        return self._sizes(self.hosts)

    def _sizes(self, items) -> np.ndarray:
        """Items × dimensions sizes in units (uint64), one pass over the objects per dimension."""
        out = np.empty((len(items), len(self.dimensions)), dtype=np.uint64)
        out[:, 0] = np.fromiter(map(_CPU, items), dtype=np.uint64, count=len(items))
        out[:, 1] = np.fromiter(map(_MEMORY, items), dtype=np.uint64, count=len(items))
        for k, d in enumerate(self.dimensions[2:]):
            out[:, 2 + k] = np.fromiter((x.extra_units.get(d, 0) for x in items), dtype=np.uint64, count=len(items))
        return out

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
        """The problem as flat arrays and codes, the form in which the Rust core takes it (built column by column:
        one pass over the objects per field, no numpy call per object)."""
        workloads, hosts = self.workloads, self.hosts

        def codes(*sides: list) -> list[np.ndarray]:
            # codes by first appearance, over all sides together
            lookup: dict = {}
            for side in sides:
                lookup.update(dict.fromkeys(side))
            if len(lookup) == 1:  # the common case: one OS, one tenant
                return [np.zeros(len(side), dtype=np.uint32) for side in sides]
            lookup = {label: code for code, label in enumerate(lookup)}
            return [np.fromiter(map(lookup.__getitem__, side), dtype=np.uint32, count=len(side)) for side in sides]

        def mapped(items, field: str, mapping: dict, dtype) -> np.ndarray:
            return np.fromiter(map(mapping.__getitem__, map(attrgetter(field), items)), dtype=dtype,
                               count=len(items))

        w_os, h_os = codes(list(map(attrgetter("os"), workloads)), list(map(attrgetter("os"), hosts)))
        (tenant,) = codes(list(map(attrgetter("tenant"), workloads)))
        groups: dict[str, int] = {}
        unlimited = np.iinfo(np.uint64).max
        return {
            "demand": self._sizes(workloads),
            "allowed": mapped(workloads, "form", {"any": 3, "container": 1, "vm": 2}, np.uint8),
            "w_os": w_os,
            "tenant": tenant,
            "isolation": mapped(workloads, "isolation", {"none": 0, "tenant": 1, "dedicated": 2}, np.uint8),
            "group": np.array(
                [0 if w.anti_affinity is None else 1 + groups.setdefault(w.anti_affinity, len(groups))
                 for w in workloads],
                dtype=np.uint32,
            ),
            "capacity": self.capacities,
            "h_os": h_os,
            "hypervisor": np.array(
                [0 if h.hypervisor is None else 1 + HYPERVISORS.index(h.hypervisor) for h in hosts],
                dtype=np.uint8,
            ),
            "containers": np.array([h.containers for h in hosts], dtype=np.bool_),
            "cost": np.array([h.cost for h in hosts], dtype=np.float64),
            "max_workloads": np.array(
                [unlimited if h.max_workloads is None else h.max_workloads for h in hosts], dtype=np.uint64),
            "vm": np.array(self.fixed("vm"), dtype=np.uint64),
            "container": np.array(self.fixed("container"), dtype=np.uint64),
            "hypervisor_overhead": np.array(self.fixed("hypervisor"), dtype=np.uint64),
            "runtime_overhead": np.array(self.fixed("container_runtime"), dtype=np.uint64),
            "factor_ppm": np.array([self.overheads.factor_ppm(k) for k in HYPERVISORS], dtype=np.uint64),
        }


def convert_items(values, kind: str, convert) -> tuple[list, list[ErrorDetail]]:
    """Convert every entry with ``convert(value, index)``, collecting the errors of all of them, and check that the
    ids are unique (a duplicate names the input index of the first entry with that id)."""
    entries = values if isinstance(values, (list, tuple)) else list(values)
    target = {"workload": Workload, "host": Host}.get(kind)
    # the common case in one sweep: objects already made (`convert` returns them as they are), ids unique
    if target is not None and set(map(type, entries)) <= {target}:
        if len(set(map(_ID, entries))) == len(entries):
            return list(entries), []
    items, problems = [], []
    first: dict[str, int] = {}
    for index, value in enumerate(entries):
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
    over = gather_overheads(overheads, problems)
    if problems:
        raise ValidationError(problems)
    extra = sorted(set().union(*map(_EXTRA, w_items), *map(_EXTRA, h_items)))
    return Problem(tuple(w_items), tuple(h_items), over, ("cpu", "memory", *extra))


def check_choice(name: str, value, allowed: tuple[str, ...]) -> None:
    """Raise a `ValidationError` naming the parameter unless ``value`` is one of ``allowed``."""
    if not isinstance(value, str) or value not in allowed:
        raise ValidationError.single(
            "place()", name, f"must be one of {', '.join(map(repr, allowed))}, got {value!r}", value
        )
