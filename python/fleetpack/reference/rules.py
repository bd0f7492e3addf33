"""What the reference solver reads of the rules beyond `fleetpack.model.rules`: the scale that normalises sizes and
which workloads fit some host when it is empty."""

from __future__ import annotations

from ..model.objects import Workload
from ..model.problem import Problem
from ..model.rules import HostState, eligibility_kinds, static_forms

__all__ = ["largest_capacity", "normalised", "placeable"]


def largest_capacity(problem: Problem) -> list[int]:
    """Per dimension, the largest capacity of any host: the scale that normalises sizes."""
    largest = [0] * len(problem.dimensions)
    for h in problem.hosts:
        largest = [max(a, b) for a, b in zip(largest, problem.capacity(h))]
    return largest


def normalised(values: list[int], scale: list[int]) -> list[float]:
    return [float(v) / float(s) for v, s in zip(values, scale) if s > 0]


def placeable(problem: Problem) -> list[Workload]:
    """Workloads that fit on some host when it is empty (in some allowed form)."""
    empty = {}
    for h, kind in zip(problem.hosts, eligibility_kinds(problem)):  # identical hosts are checked once
        key = (tuple(problem.capacity(h)), h.os, h.hypervisor, h.containers, h.max_workloads, kind)
        empty.setdefault(key, HostState(problem, h))
    return [
        w for w in problem.workloads
        if any(s.blocker(w, f) is None for s in empty.values() for f in static_forms(w, s.host))
    ]
