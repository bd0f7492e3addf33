"""The live part of a problem (issue 15): where the workloads run now, which of them are pinned, what moving each
costs, the hosts to drain and the move budgets; checked against the fleet, all problems at once.

A problem has a live part when some workload has a ``current`` host or ``drain`` names a host; without one, nothing
here runs and a solve is today's, plan for plan. The contract the solvers follow with it is in
docs/design-live-rules-capacity.md ("The live-fleet contract of the heuristics").
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import ErrorDetail
from .units import MAX_QUANTITY

__all__ = ["LivePart", "build_live", "decode_live", "host_rows", "check_budgets", "read_drain"]

_WHERE = "place()"


@dataclass(frozen=True, eq=False)
class LivePart:
    """Per workload (n): its current host's row (int64, -1: none), its current form (int8: -1 either, 0 container,
    1 VM), whether it is pinned (bool) and its move cost (uint64); per host (m): whether it is drained (bool); and
    the budgets (None: no cap)."""

    current: np.ndarray
    current_form: np.ndarray
    pinned: np.ndarray
    move_cost: np.ndarray
    drain: np.ndarray
    max_moves: int | None = None
    max_move_cost: int | None = None


def check_budgets(max_moves, max_move_cost, where: str = _WHERE) -> list[ErrorDetail]:
    """The problems of the budgets: each None or a whole number >= 0."""
    problems = []
    for name, value in (("max_moves", max_moves), ("max_move_cost", max_move_cost)):
        if value is None:
            continue
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            problems.append(ErrorDetail(where, name, f"must be a whole number >= 0 or None, got {value!r}", value))
        elif value < 0:
            problems.append(ErrorDetail(where, name, f"must not be negative, got {value!r}", value))
        elif value > MAX_QUANTITY:
            problems.append(ErrorDetail(where, name, f"is too large ({value}; at most {MAX_QUANTITY})", value))
    return problems


def _budget(value) -> int | None:
    return None if value is None else int(value)


def read_drain(drain, host_ids: Sequence[str], problems: list[ErrorDetail], where: str = _WHERE) -> np.ndarray:
    """``drain`` (host ids) as a bool per host; an unknown id or a value that is no sequence of ids is reported."""
    out = np.zeros(len(host_ids), dtype=bool)
    if drain is None:
        return out
    if isinstance(drain, (str, bytes, Mapping)) or not isinstance(drain, Iterable):
        problems.append(ErrorDetail(where, "drain", f"expected a sequence of host ids, got {type(drain).__name__}",
                                    drain))
        return out
    index = {str(h): j for j, h in enumerate(host_ids)}
    for hid in drain:
        key = str(hid) if isinstance(hid, (str, numbers.Integral)) and not isinstance(hid, bool) else None
        if key is None or key not in index:
            problems.append(ErrorDetail(where, "drain", f"unknown host {hid!r} (no host has this id)", hid))
        else:
            out[index[key]] = True
    return out


def host_rows(labels: Sequence, host_ids: Sequence[str]) -> np.ndarray:
    """Per label (a host id or None), the host's row: -1 for None, -2 for an id no host has."""
    index = {str(h): j for j, h in enumerate(host_ids)}
    return np.fromiter((-1 if label is None else index.get(label, -2) for label in labels), dtype=np.int64,
                       count=len(labels))


def build_live(current: np.ndarray | None, current_id, current_form: np.ndarray, pinned: np.ndarray,
               move_cost: np.ndarray, workload_where, host_ids: Sequence[str], drain, max_moves, max_move_cost,
               problems: list[ErrorDetail]) -> LivePart | None:
    """The live part of a problem, or None when it has none. ``current`` is each workload's current host row
    (`host_rows`: -1 none, -2 an unknown id), or None when no workload has one; ``current_id(row)`` and
    ``workload_where(row)`` name a workload's current host and the workload in an error. Problems (unknown current
    hosts, pinned workloads on drained hosts, unknown drain hosts, bad budgets) are added to ``problems``."""
    problems.extend(check_budgets(max_moves, max_move_cost))
    drained = read_drain(drain, host_ids, problems)
    pinned = np.asarray(pinned, dtype=bool)
    rows = np.full(len(pinned), -1, dtype=np.int64) if current is None else current
    if current is not None:
        for row in _listed(problems, np.flatnonzero(rows == -2), "current"):
            problems.append(ErrorDetail(workload_where(row), "current", f"unknown host {current_id(row)!r} (no host "
                                                                        "has this id)", current_id(row)))
        on_drained = pinned & (rows >= 0) & drained[np.maximum(rows, 0)] if len(drained) else np.zeros_like(pinned)
        for row in _listed(problems, np.flatnonzero(on_drained), "pinned"):
            problems.append(ErrorDetail(workload_where(row), "pinned", f"its current host {current_id(row)!r} is in "
                                        "drain (a pinned workload must stay where it is)", True))
    if not (rows >= 0).any() and not drained.any():
        return None
    return LivePart(np.where(rows < 0, -1, rows), np.asarray(current_form, dtype=np.int8), pinned,
                    np.asarray(move_cost, dtype=np.uint64), drained, _budget(max_moves), _budget(max_move_cost))


def decode_live(arrays) -> LivePart | None:
    """The live part of a problem from its wire arrays (`fleetpack.model.wire.encode_live`'s keys), or None when
    they have none: what a problem rebuilt in another process knows of it."""
    if "current_host" not in arrays:
        return None
    budget = {key: _budget(arrays.get(key)) for key in ("max_moves", "max_move_cost")}
    return LivePart(np.asarray(arrays["current_host"], dtype=np.int64),
                    np.asarray(arrays["current_form"], dtype=np.int8), np.asarray(arrays["pinned"], dtype=bool),
                    np.asarray(arrays["move_cost"], dtype=np.uint64), np.asarray(arrays["drain"], dtype=bool),
                    **budget)


_LISTED = 20  # workloads named per kind of problem


def _listed(problems: list[ErrorDetail], rows: np.ndarray, field: str) -> list[int]:
    """The first rows to name one by one; the rest counted in one more problem."""
    if len(rows) > _LISTED:
        problems.append(ErrorDetail("workloads", field, f"... and {len(rows) - _LISTED} more rows like these"))
    return rows[:_LISTED].tolist()
