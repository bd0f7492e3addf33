"""Overcommit and headroom (issue 16): allocation ratios, workloads that may not be overcommitted, a target
utilisation.

A host's ``allocation_ratio`` (``{"cpu": 4, "memory": 1}``, OpenStack Placement's) lets the demand of the workloads
that may be overcommitted add up to that many times the host's physical room; a workload with ``overcommit=False``
(dedicated cores) counts at its full physical value; ``max_utilization`` (``{"cpu": 0.8}``) of a call leaves that
share of every host's capacity free. On host h in dimension d, with ratio r and usable fraction u:

    physical room P = floor(capacity × u) - the per-host overheads switched on - demand of the workloads with
    overcommit=False;  demand of the others <= floor(P × r);  and no workload takes more than the capacity.

A workload's demand is its whole effective demand in its form (the VM or container overhead too); the per-host
overheads (hypervisor, container runtime) are never overcommitted. Ratios and fractions are held as exact integers
in parts per million. docs/design-live-rules-capacity.md ("Overcommit and headroom") has the readings.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from ..errors import ErrorDetail

__all__ = ["PPM", "MAX_RATIO", "OverbookPart", "read_ratio", "read_usable", "build_overbook", "encode_overbook",
           "decode_overbook", "ratio_text", "read_call_ratios"]

PPM = 10**6
#: The largest allocation ratio (the core's limit: its room arithmetic stays within 128-bit integers).
MAX_RATIO = 1000

_Add = Callable[..., None]  # add(field, message, value)


def _ppm(value: Any) -> int | None:
    """A real number in parts per million (rounded to the nearest), or None when it is no finite real number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    if not isinstance(value, numbers.Integral) and not math.isfinite(float(value)):
        return None
    return round(Fraction(value) * PPM) if not isinstance(value, numbers.Integral) else int(value) * PPM


def _read_dims(add: _Add, field: str, value: Any, check: Callable[[str, Any, int | None], str | None]) -> dict | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        add(field, f"must be a mapping of dimension to number (like {{'cpu': 4}}) or None, got "
                   f"{type(value).__name__}", value)
        return None
    out: dict[str, int] = {}
    for name, number in value.items():
        if not isinstance(name, str) or not name:
            add(field, f"dimension names must be non-empty strings, got {name!r}", name)
            continue
        ppm = _ppm(number)
        problem = check(name, number, ppm)
        if problem is not None:
            add(f"{field}.{name}", problem, number)
        elif ppm is not None:
            out[name] = ppm
    return out


def read_ratio(add: _Add, field: str, value: Any) -> dict[str, int] | None:
    """An ``allocation_ratio`` (dimension -> ratio >= 1, at most 1000) as parts per million; problems go to
    ``add``. Whether each dimension exists is checked with the problem (`build_overbook`)."""
    def check(name: str, number: Any, ppm: int | None) -> str | None:
        if ppm is None:
            return f"must be a number, got {number!r}"
        if ppm < PPM:
            return f"must be at least 1 (a ratio below 1 would take away physical room), got {number!r}"
        if ppm > MAX_RATIO * PPM:
            return f"must be at most {MAX_RATIO}, got {number!r}"
        return None
    return _read_dims(add, field, value, check)


def read_usable(add: _Add, field: str, value: Any) -> dict[str, int] | None:
    """A ``max_utilization`` (dimension -> share of capacity, 0 < u <= 1) as parts per million."""
    def check(name: str, number: Any, ppm: int | None) -> str | None:
        if ppm is None:
            return f"must be a number, got {number!r}"
        if not 0 < ppm <= PPM:
            return f"must be more than 0 and at most 1 (a share of the capacity), got {number!r}"
        return None
    return _read_dims(add, field, value, check)


def ratio_text(ppm: int) -> str:
    """A ratio for people: ``4:1``, ``1.5:1``."""
    return f"{ppm // PPM}:1" if ppm % PPM == 0 else f"{ppm / PPM:g}:1"


def read_call_ratios(allocation_ratio: Any, max_utilization: Any,
                     problems: list) -> tuple[dict[str, int] | None, dict[str, int] | None]:
    """A call's ``allocation_ratio`` and ``max_utilization`` in parts per million; problems added to ``problems``."""
    def add(field: str, message: str, value: Any = None) -> None:
        problems.append(ErrorDetail("place()", field, message, value))
    return read_ratio(add, "allocation_ratio", allocation_ratio), read_usable(add, "max_utilization", max_utilization)


@dataclass(frozen=True, eq=False)
class OverbookPart:
    """A problem's ratios: per host and dimension (``ratio_ppm``, hosts × dimensions), per workload whether it
    counts at ratio (``overcommit``), per dimension the usable fraction (``usable_ppm``); and the call's own
    ``allocation_ratio`` and ``max_utilization`` (parts per million, as read), which the verifier restates."""

    ratio_ppm: np.ndarray
    overcommit: np.ndarray
    usable_ppm: np.ndarray
    default_ratio: dict[str, int] | None = None
    max_utilization: dict[str, int] | None = None
    host_ids: Sequence[str] = ()  # (the rows' ids: the reference finds a host's ratios by its id)

    def ratios_of(self, host_id: str) -> list[int]:
        """The ratios of the host with this id, per dimension, in parts per million."""
        rows = self.__dict__.get("_rows")
        if rows is None:
            rows = {str(h): j for j, h in enumerate(self.host_ids)}
            object.__setattr__(self, "_rows", rows)
        return [int(r) for r in self.ratio_ppm[rows[host_id]]]

    def usable(self, capacity: int, d: int) -> int:
        """``floor(capacity × usable)`` in dimension ``d``."""
        return capacity * int(self.usable_ppm[d]) // PPM

    def room(self, ratio_ppm: int, d: int, capacity: int, used: int, over: int) -> int:
        """What an overcommittable demand may still add in dimension ``d`` of a host of this ratio and capacity
        that uses ``used`` of which ``over`` counts at ratio (negative: over): ``floor((U - Q) × r) - O``."""
        return (self.usable(capacity, d) - (used - over)) * ratio_ppm // PPM - over


def build_overbook(host_ratios: Sequence[dict[str, int] | None], overcommit: np.ndarray,
                   call_ratio: dict[str, int] | None, call_usable: dict[str, int] | None, dims: Sequence[str],
                   host_where: Callable[[int], str], problems: list, host_ids: Sequence[str] = ()
                   ) -> OverbookPart | None:
    """The ratios part of a problem: each host's ratios over the call's (``call_ratio``) over 1, the usable
    fractions; a dimension no workload or host has is an error (added to ``problems``). None when every ratio and
    fraction is 1: nothing changes then, and nothing is sent."""
    index = {d: k for k, d in enumerate(dims)}
    known = ", ".join(dims)

    def unknown(where: str, field: str, given: dict | None) -> None:
        for name in given or {}:
            if name not in index:
                problems.append(ErrorDetail(where, f"{field}.{name}", f"unknown dimension (known: {known})"))

    unknown("place()", "allocation_ratio", call_ratio)
    unknown("place()", "max_utilization", call_usable)
    base = np.full(len(dims), PPM, dtype=np.uint64)
    for name, ppm in (call_ratio or {}).items():
        if name in index:
            base[index[name]] = ppm
    ratio = np.tile(base, (len(host_ratios), 1))
    for j, own in enumerate(host_ratios):
        if own:
            unknown(host_where(j), "allocation_ratio", own)
            for name, ppm in own.items():
                if name in index:
                    ratio[j, index[name]] = ppm
    usable = np.full(len(dims), PPM, dtype=np.uint64)
    for name, ppm in (call_usable or {}).items():
        if name in index:
            usable[index[name]] = ppm
    if (ratio == PPM).all() and (usable == PPM).all():
        return None
    return OverbookPart(ratio, np.asarray(overcommit, dtype=bool), usable, call_ratio, call_usable, host_ids)


def encode_overbook(part: OverbookPart | None) -> dict[str, Any]:
    """The part as the core reads it (``ratio_ppm``, ``overcommit``, ``usable_ppm``); no key without one."""
    if part is None:
        return {}
    return {"ratio_ppm": part.ratio_ppm, "overcommit": part.overcommit, "usable_ppm": part.usable_ppm}


def decode_overbook(arrays: Mapping[str, Any], host_ids: Sequence[str] = ()) -> OverbookPart | None:
    """The part back from a problem's arrays and its hosts' ids (the call's own keywords are not in them)."""
    if "ratio_ppm" not in arrays:
        return None
    return OverbookPart(np.asarray(arrays["ratio_ppm"], dtype=np.uint64), np.asarray(arrays["overcommit"], bool),
                        np.asarray(arrays["usable_ppm"], dtype=np.uint64), host_ids=host_ids)
