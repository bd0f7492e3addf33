"""A kind of host that can be bought (`HostType`), for capacity planning (issue 17).

A host type is a `Host` without an id plus ``available`` (how many can be had; None: unlimited). It is validated
as a host is (every problem at once, each naming the type and the field), and it makes the hosts of a purchase
(`HostType.host`), named ``<type>-<k>``.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from ..errors import ErrorDetail, ValidationError
from .objects import Host, Hypervisor, _key_name
from .units import MAX_QUANTITY

__all__ = ["HostType", "as_host_type", "host_types"]


@dataclass(frozen=True)
class HostType:
    """A kind of host that can be bought: the fields of a `Host` (``name`` in place of its id) and ``available``,
    how many can be had (None: unlimited). ``labels`` (str -> str) and ``taints`` (keys) go to the hosts of the
    type, where workloads' selectors and tolerations read them (issue 16); so does ``allocation_ratio``
    (dimension -> ratio >= 1, like ``{"cpu": 4}``; None: the call's), the overcommit of the hosts bought."""

    name: str
    cpu: Any = 0
    memory: Any = 0
    extra: Any = None
    os: str = "linux"
    hypervisor: Hypervisor | None = "hardware"
    containers: bool = True
    cost: float = 1.0
    max_workloads: int | None = None
    labels: Any = None
    available: int | None = None
    taints: Any = ()
    allocation_ratio: Any = None

    def __post_init__(self):
        where = f"host type {self.name!r}"
        problems: list[ErrorDetail] = []
        if isinstance(self.name, bool) or not isinstance(self.name, (str, numbers.Integral)) or self.name == "":
            problems.append(ErrorDetail(where, "name", f"must be a non-empty string, got {self.name!r}", self.name))
        else:
            object.__setattr__(self, "name", str(self.name))
        try:
            host = Host(str(self.name) or "-", self.cpu, self.memory, self.extra, self.os, self.hypervisor,
                        self.containers, self.cost, self.max_workloads, taints=self.taints,
                        allocation_ratio=self.allocation_ratio)
        except ValidationError as exc:  # the host's own checks, said of the type
            problems.extend(replace(e, where=where) for e in exc.errors if e.field != "id")
            host = None
        object.__setattr__(self, "labels", _labels(self.labels, where, problems))
        object.__setattr__(self, "available", _available(self.available, where, problems))
        if problems:
            raise ValidationError(problems)
        assert host is not None
        for name in ("os", "cost", "max_workloads", "cpu_millis", "memory_bytes", "extra_units", "taints",
                     "allocation_ratio", "ratio_ppm"):
            object.__setattr__(self, name, getattr(host, name))

    def host(self, ident: str) -> Host:
        """A host of this type, with its labels, taints and allocation ratio."""
        return Host(ident, self.cpu, self.memory, self.extra, self.os, self.hypervisor, self.containers, self.cost,
                    self.max_workloads, labels=dict(self.labels), taints=self.taints,
                    allocation_ratio=None if self.allocation_ratio is None else dict(self.allocation_ratio))

    def to_dict(self) -> dict:
        """A JSON-ready dict that rebuilds the type; fields at their defaults are left out."""
        out: dict[str, Any] = {"name": self.name}
        for f in fields(self)[1:]:
            value = getattr(self, f.name)
            if f.name in ("labels", "taints"):
                if value:
                    out[f.name] = dict(value) if f.name == "labels" else list(value)
            elif f.name == "allocation_ratio":
                if value is not None:
                    out[f.name] = dict(value)
            elif value != f.default:
                out[f.name] = value
        return out


def _labels(value, where: str, problems: list[ErrorDetail]) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        problems.append(ErrorDetail(where, "labels", "must be a mapping of label key to value (strings), got "
                                    f"{type(value).__name__}", value))
        return {}
    for key, text in value.items():
        if not isinstance(key, str) or not key:
            problems.append(ErrorDetail(where, "labels", f"keys must be non-empty strings, got {key!r}", key))
        elif not isinstance(text, str):
            problems.append(ErrorDetail(where, f"labels.{key}", f"must be a string, got {type(text).__name__}",
                                        text))
    return dict(value)


def _available(value, where: str, problems: list[ErrorDetail]) -> int | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer() and value >= 0:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0 or value > MAX_QUANTITY:
        problems.append(ErrorDetail(where, "available", "must be a whole number >= 0 (how many can be bought) or "
                                    f"None (unlimited), got {value!r}", value))
        return None
    return int(value)


def as_host_type(value, index: int = 0) -> HostType:
    """A `HostType` from a HostType or a dict with the same keys (all problems of a dict at once)."""
    if isinstance(value, HostType):
        return value
    if not isinstance(value, Mapping):
        raise ValidationError.single(f"host type #{index}", "(item)",
                                     f"expected a HostType or a dict, got {type(value).__name__}")
    names = {f.name for f in fields(HostType)}
    where = f"host type {value['name']!r}" if "name" in value else f"host type #{index}"
    problems = [ErrorDetail(where, _key_name(key), f"unknown field (known: {', '.join(sorted(names))})", value[key])
                for key in value if key not in names]
    if "name" not in value:
        problems.append(ErrorDetail(where, "name", "is required"))
    try:
        made = HostType(**{"name": "-", **{k: v for k, v in value.items() if k in names}})
    except ValidationError as exc:
        problems.extend(e if "name" in value else replace(e, where=where) for e in exc.errors)
    if problems:
        raise ValidationError(problems)
    return made


def host_types(values, where: str = "plan_capacity()") -> list[HostType]:
    """The host types of a call: each converted, all problems at once; names unique; at least one type."""
    if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Iterable):
        raise ValidationError.single(where, "host_types", "expected a sequence of HostType (or dicts), got "
                                     f"{type(values).__name__}", values)
    types, problems, seen = [], [], {}
    for index, value in enumerate(values):
        try:
            t = as_host_type(value, index)
        except ValidationError as exc:
            problems.extend(exc.errors)
            continue
        if t.name in seen:
            problems.append(ErrorDetail(f"host type {t.name!r}", "name", f"duplicate name (also host type "
                                        f"#{seen[t.name]})", t.name))
        seen.setdefault(t.name, index)
        types.append(t)
    if not types and not problems:
        problems.append(ErrorDetail(where, "host_types", "is empty: give at least one host type to buy from"))
    if problems:
        raise ValidationError(problems)
    return types
