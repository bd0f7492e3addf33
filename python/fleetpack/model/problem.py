"""A validated problem of objects: workloads, hosts and overheads, with the dimensions they use (built by
`fleetpack.model.inputs.build_problem`, which checks everything a solver needs once)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from operator import attrgetter

import numpy as np

from .eligibility import EligibilityPart, compile_eligibility
from .group_rules import RulePart
from .live import LivePart
from .objects import Host, Overheads, Workload
from .wire import encode_rows

__all__ = ["Problem"]

_ID, _CPU, _MEMORY, _TAINTS = (attrgetter(name) for name in ("id", "cpu_millis", "memory_bytes", "taints"))
_RESTRICTED = attrgetter("selector_terms")  # (tolerations alone restrict nothing: only taints do)


@dataclass(frozen=True, eq=False)
class Problem:
    """Workloads and hosts in input order, the overheads, and the dimensions (``cpu``, ``memory``, then the extra
    dimensions in sorted order); ``live``, the live part (`fleetpack.model.live`), or None for a greenfield
    problem; ``rules``, the group rules (`fleetpack.model.group_rules`), or None without them."""

    workloads: tuple[Workload, ...]
    hosts: tuple[Host, ...]
    overheads: Overheads
    dimensions: tuple[str, ...]
    live: LivePart | None = None
    rules: RulePart | None = None

    def __getstate__(self) -> dict:
        # the problem itself, not the columns cached from it (they are made again when read)
        return {name: self.__dict__[name] for name in ("workloads", "hosts", "overheads", "dimensions", "live", "rules")}

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
    def eligibility(self) -> EligibilityPart | None:
        """The workloads' classes and the hosts each may use (`fleetpack.model.eligibility`), or None when every
        workload may use every host."""
        if not any(map(_RESTRICTED, self.workloads)) and not any(map(_TAINTS, self.hosts)):
            return None
        return compile_eligibility([w.selector_terms for w in self.workloads], [w.tolerations for w in self.workloads],
                                   [h.labels for h in self.hosts], [h.taints for h in self.hosts])

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

    @cached_property
    def demands(self) -> np.ndarray:
        """Workloads × dimensions demands (uint64)."""
        return self._sizes(self.workloads)

    def encode(self) -> dict:
        """The problem as flat arrays and codes, the form in which the Rust core takes it."""
        return encode_rows(self)
