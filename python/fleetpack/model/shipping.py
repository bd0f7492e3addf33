"""A validated problem on its way to another process: compact columns, split into the workloads' side (with the
problem's options: dimensions, overheads) and the hosts' side, which many scenarios may share (sent to a cluster
once, `fleetpack.distributed.share`). Both sides are rebuilt into a `ColumnarProblem` there (`join`), which the core
reads exactly as it read the problem here (the same arrays), and which makes the same objects if the exact stage
asks for them. A problem of objects travels as its encoded arrays, not object by object; a column of one value as that value
(`fleetpack.model.packing`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

import numpy as np

from .columnar import ColumnarProblem
from .inputs import ProblemLike
from .packing import compact_arrays

__all__ = ["HOST_ARRAYS", "HostPart", "WorkloadPart", "host_part", "split", "join"]

#: The arrays of the core's wire format (`fleetpack.model.wire`) that describe hosts; the others go with the
#: workloads. A shared hosts' side is checked array by array against each problem's own (`split`).
HOST_ARRAYS = ("capacity", "h_os", "hypervisor", "containers", "cost", "max_workloads", "drain")
#: A workload's fields of a live fleet, sent with its values per row only when the problem has a live part (its
#: arrays, in the wire format, travel with the workloads: `fleetpack.model.live.decode_live` reads them back).
_LIVE_FIELDS = ("current", "current_form", "pinned", "move_cost")


@dataclass(frozen=True, eq=False)
class HostPart:
    """The hosts' side: their arrays, ids and the values per row that make `Host` objects."""

    arrays: dict[str, Any]
    host_ids: Any
    rows: dict[str, Any]

    token: str = field(default_factory=lambda: uuid4().hex, repr=False)

    def __reduce__(self):
        return HostPart, (compact_arrays(self.arrays), self.host_ids, self.rows)

    def __dask_tokenize__(self) -> str:
        # Dask names a task by hashing its arguments, which for an object it does not know means pickling it:
        # as costly as sending it. Each part is its own.
        return self.token


@dataclass(frozen=True, eq=False)
class WorkloadPart:
    """The workloads' side, with the problem's dimensions and overheads; ``arrays`` also holds any host array that
    differs from a shared hosts' side (an OS code numbered otherwise, a dimension only these workloads have)."""

    arrays: dict[str, Any]
    dimensions: tuple[str, ...]
    workload_ids: Any
    overheads: Any
    rows: dict[str, Any]

    token: str = field(default_factory=lambda: uuid4().hex, repr=False)

    def __reduce__(self):
        return WorkloadPart, (compact_arrays(self.arrays), self.dimensions, self.workload_ids, self.overheads,
                              self.rows)

    def __dask_tokenize__(self) -> str:
        return self.token  # (see HostPart)


def _columns(matrix: np.ndarray) -> tuple[np.ndarray, ...]:
    return tuple(np.ascontiguousarray(matrix[:, d]) for d in range(matrix.shape[1]))


def _parts(problem: ProblemLike) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(the arrays, with sizes as one column per dimension; the workloads' values per row; the hosts')."""
    if isinstance(problem, ColumnarProblem):
        w_rows, h_rows = problem._rows
        return dict(problem.arrays), w_rows, h_rows
    arrays = dict(problem.encode())
    arrays["demand"], arrays["capacity"] = _columns(arrays["demand"]), _columns(arrays["capacity"])
    # (selectors and labels too, when some entry has them: the objects made there must restate the eligibility)
    selects = any(w.selector_terms or w.tolerations for w in problem.workloads)
    labelled = any(h.labels or h.taints for h in problem.hosts)
    w_rows = {name: [getattr(w, name) for w in problem.workloads]
              for name in ("form", "os", "tenant", "isolation", "anti_affinity",
                           *(_LIVE_FIELDS if problem.live is not None else ()),
                           *(("selector", "tolerations") if selects else ()),
                           *(("overcommit",) if problem.overbook is not None else ()))}
    h_rows = {name: [getattr(h, name) for h in problem.hosts]
              for name in ("os", "hypervisor", "containers", "cost", "max_workloads",
                           *(("labels", "taints") if labelled else ()),
                           *(("allocation_ratio",) if problem.overbook is not None else ()))}
    return arrays, w_rows, h_rows


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, tuple) or isinstance(b, tuple):
        return isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b) and all(map(_same, a, b))
    return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape
            and bool(np.array_equal(a, b)))


def host_part(problem: ProblemLike) -> HostPart:
    """The hosts' side of a problem (of hosts alone, for sharing)."""
    arrays, _, h_rows = _parts(problem)
    return HostPart({k: arrays[k] for k in HOST_ARRAYS if k in arrays}, problem.host_ids, h_rows)


def split(problem: ProblemLike, shared: HostPart | None = None) -> tuple[WorkloadPart, HostPart | None]:
    """The two sides of a problem. With ``shared`` (the side of the very hosts this problem has), no hosts' side
    is made (None): the problem refers to the shared one, and only what differs from it travels."""
    arrays, w_rows, h_rows = _parts(problem)
    hosts = {k: arrays.pop(k) for k in HOST_ARRAYS if k in arrays}
    if shared is None:
        part: HostPart | None = HostPart(hosts, problem.host_ids, h_rows)
    else:
        part = None
        arrays.update({k: v for k, v in hosts.items() if not _same(v, shared.arrays.get(k))})
    return WorkloadPart(arrays, problem.dimensions, problem.workload_ids, problem.overheads,
                        w_rows), part


def join(workloads: WorkloadPart, hosts: HostPart) -> ColumnarProblem:
    """The problem again, from its two sides."""
    return ColumnarProblem({**hosts.arrays, **workloads.arrays}, workloads.dimensions, workloads.workload_ids,
                           hosts.host_ids, workloads.overheads, workloads.rows, hosts.rows)
