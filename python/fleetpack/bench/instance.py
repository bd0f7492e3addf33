"""A benchmark instance: workloads, hosts and overheads with the known optimum and lower bound (read by
`fleetpack.bench.datasets` and `traces`, made by `generators`, run by `compare`)."""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..errors import ErrorDetail, ValidationError
from ..model.group_rules import read_rules
from ..model.inputs import convert_items
from ..model.objects import Overheads, as_host, as_overheads, as_workload

__all__ = ["Instance"]


@dataclass(frozen=True, eq=False)
class Instance:
    """One benchmark problem: place ``workloads`` on ``hosts`` under ``overheads``, using as few hosts as possible.

    ``optimum`` is the optimal number of hosts when it is known (proven, or by construction), else None;
    ``lower_bound`` the best known lower bound on it, or None. ``set`` names the collection the instance belongs to
    (``"Falkenauer_U"``), for per-set summaries. ``witness``, when given, is a known optimal placement
    ``{workload_id: (host_id, form)}`` (generators with a known optimum attach the packing they built), and
    ``source`` says where the instance came from (a file path or a generator call), for reproducibility.

    Workloads and hosts may be given as model objects or dicts; they are stored as tuples of `Workload` and `Host`.
    The overheads default to `Overheads.none()`: benchmark instances are pure packing problems.
    """

    name: str
    workloads: tuple
    hosts: tuple
    overheads: Overheads = field(default_factory=Overheads.none)
    optimum: int | None = None
    lower_bound: int | None = None
    set: str = ""
    witness: Mapping | None = field(default=None, repr=False)
    source: str = ""
    rules: tuple = ()  # group rules over the workloads' groups (`fleetpack.AntiAffinity`, ...), for ``place(rules=)``

    def __post_init__(self):
        where = f"instance {self.name!r}"
        problems: list[ErrorDetail] = []
        if not isinstance(self.name, str) or not self.name:
            problems.append(ErrorDetail(where, "name", "must be a non-empty string", self.name))
        if not isinstance(self.set, str):
            problems.append(ErrorDetail(where, "set", "must be a string", self.set))
        object.__setattr__(self, "workloads", _convert_all(self.workloads, "workload", as_workload, where, problems))
        object.__setattr__(self, "hosts", _convert_all(self.hosts, "host", as_host, where, problems))
        try:
            object.__setattr__(self, "overheads", as_overheads(self.overheads))
        except ValidationError as exc:
            problems.extend(exc.errors)
        counts = {}
        for name in ("optimum", "lower_bound"):
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
                problems.append(ErrorDetail(where, name, f"must be a non-negative whole number or None, got {value!r}",
                                            value))
            else:
                counts[name] = int(value)
                object.__setattr__(self, name, int(value))
        if len(counts) == 2 and self.lower_bound > self.optimum:
            problems.append(ErrorDetail(where, "lower_bound", f"{self.lower_bound} exceeds the optimum {self.optimum}",
                                        self.lower_bound))
        object.__setattr__(self, "rules", read_rules(self.rules, problems))
        if self.witness is not None and not isinstance(self.witness, Mapping):
            problems.append(ErrorDetail(where, "witness", "must be a mapping {workload_id: (host_id, form)} or None",
                                        self.witness))
        if problems:
            raise ValidationError(problems)

    @property
    def reference(self) -> int | None:
        """What a plan is measured against: the optimum when known, else the lower bound (None if neither)."""
        return self.optimum if self.optimum is not None else self.lower_bound

    def __repr__(self) -> str:
        return (f"Instance(name={self.name!r}, set={self.set!r}, workloads={len(self.workloads)}, "
                f"hosts={len(self.hosts)}, optimum={self.optimum}, lower_bound={self.lower_bound})")


def _convert_all(values, kind: str, convert, where: str, problems: list[ErrorDetail]) -> tuple:
    if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Iterable):
        problems.append(ErrorDetail(where, f"{kind}s", f"must be a sequence of {kind}s, got {type(values).__name__}"))
        return ()
    items, errors = convert_items(values, kind, convert,
                                  lambda item, _: ErrorDetail(where, f"{kind} {item.id!r}", "duplicate id"))
    problems.extend(errors)
    return tuple(items)
