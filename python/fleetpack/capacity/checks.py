"""Checks of `plan_capacity`'s inputs beside `place`'s (the group rules and ratios of a purchase), and which
workloads a hard group rule names (fleetpack.capacity.planner)."""

from __future__ import annotations

import warnings
from typing import Sequence

import numpy as np

from ..errors import ErrorDetail, FleetpackWarning
from ..model.hosttypes import HostType
from ..model.inputs import build_problem
from ..model.objects import Workload

__all__ = ["checked_problem", "given_dims", "type_ratio_problems", "in_hard_groups"]


def checked_problem(workloads, existing, overheads, max_moves, max_move_cost, call: dict, types: Sequence[HostType]):
    """The problem of the existing hosts, validated with the call's keywords. A rule's scope key that no existing
    host has is warned of only when no type has it either (the hosts bought carry their type's labels)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FleetpackWarning)
        base = build_problem(workloads, existing, overheads, max_moves=max_moves, max_move_cost=max_move_cost,
                             **call).materialize()
    typed = {key for t in types for key in t.labels}
    for w in caught:
        text = str(w.message)
        if issubclass(w.category, FleetpackWarning) and text.startswith("no host has label ") and any(
                text.startswith(f"no host has label {key!r}") for key in typed):
            continue
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return base


def given_dims(workloads, existing) -> tuple[str, ...]:
    """The dimensions of the inputs that are model objects (when the problem could not be built)."""
    extra = {d for x in (*_as_list(workloads), *_as_list(existing)) for d in getattr(x, "extra_units", None) or {}}
    return ("cpu", "memory", *sorted(extra))


def _as_list(items) -> list:
    return list(items) if isinstance(items, (list, tuple)) else []


def type_ratio_problems(types: Sequence[HostType], dims: Sequence[str]) -> list[ErrorDetail]:
    """A type's ``allocation_ratio`` names dimensions of the problem (its workloads', hosts' and types')."""
    known = set(dims) | {d for t in types for d in t.extra_units}  # type: ignore[attr-defined]
    names = ", ".join(sorted(known, key=lambda d: (d not in ("cpu", "memory"), d)))
    return [ErrorDetail(f"host type {t.name!r}", f"allocation_ratio.{d}", f"unknown dimension (known: {names})", d)
            for t in types for d in (t.allocation_ratio or {}) if d not in known]


def in_hard_groups(ws: Sequence[Workload], rules) -> np.ndarray:
    """Per workload, whether a hard group rule (or the ``anti_affinity`` shorthand) names a group it is in."""
    hard = {r.group for r in rules if r.weight is None}
    return np.array([w.anti_affinity is not None or bool(hard & set(w.groups)) for w in ws], dtype=bool)
