"""The parts of a plan: an `Assignment`, the reason a workload is `Unplaced`, and the lazy containers a plan
keeps them in (a columnar plan of a million workloads need not make a million objects)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Iterator, Mapping, Sequence

import numpy as np

from ..model.wire import PLACED_FORMS

__all__ = ["Assignment", "Unplaced", "Move", "Assignments", "LazyMapping", "LazyReasons"]


@dataclass(frozen=True)
class Assignment:
    """Workload ``workload`` runs on host ``host`` as ``form`` (``"vm"`` or ``"container"``)."""

    workload: str
    host: str
    form: str


@dataclass(frozen=True)
class Move:
    """Workload ``workload`` moves from host ``source`` (where it runs now, as ``source_form``: None when its current
    form was not given) to host ``target`` as ``target_form``; ``target`` and ``target_form`` are None for an
    eviction (the plan leaves it unplaced). ``cost`` is its ``move_cost``."""

    workload: str
    source: str
    target: str | None
    source_form: str | None
    target_form: str | None
    cost: int

    def to_dict(self) -> dict:
        return {"workload": self.workload, "source": self.source, "target": self.target,
                "source_form": self.source_form, "target_form": self.target_form, "cost": self.cost}


@dataclass(frozen=True)
class Unplaced:
    """Why a workload was left out. ``code`` is one of ``"no_eligible_host"`` (no host may run it in any allowed
    form), ``"too_large"`` (it fits no eligible host even empty), ``"no_room"`` (eligible hosts are full or barred
    by the rules at this point), ``"not_reached"`` (it would fit in the final plan; the search tried it earlier)."""

    code: str
    message: str


class Assignments(Sequence):
    """The placed workloads as `Assignment` objects, in input order, made on first look from the plan's arrays
    (a columnar plan of a million workloads need not make a million objects). Compares equal to any sequence of
    the same assignments."""

    def __init__(self, workload_ids, host_ids, host_index: np.ndarray, form_codes: np.ndarray):
        self._source = (workload_ids, host_ids, host_index, form_codes)
        self._placed = np.flatnonzero(host_index >= 0)
        self._items: tuple[Assignment, ...] | None = None

    def _all(self) -> tuple[Assignment, ...]:
        if self._items is None:
            workload_ids, host_ids, host_index, form_codes = self._source
            hosts, forms = host_index[self._placed].tolist(), form_codes[self._placed].tolist()
            self._items = tuple(
                Assignment(str(workload_ids[i]), str(host_ids[j]), PLACED_FORMS[f])
                for i, j, f in zip(self._placed.tolist(), hosts, forms)
            )
        return self._items

    def __len__(self) -> int:
        return len(self._placed)

    def __getitem__(self, k):
        return self._all()[k]

    def __iter__(self):
        return iter(self._all())

    def __eq__(self, other) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return len(self) == len(other) and tuple(self) == tuple(other)
        return NotImplemented

    def __repr__(self) -> str:
        return repr(self._all())


class LazyMapping(Mapping):
    """A mapping worked out on first look."""

    def __init__(self, compute: Callable[[], dict]):
        self._compute: Callable[[], dict] | None = compute
        self._data: dict | None = None

    def _all(self) -> dict:
        if self._data is None:
            self._data, self._compute = self._compute(), None
        return self._data

    def computed(self) -> dict | None:
        """The mapping if it has been worked out, else None."""
        return self._data

    def fill(self, data: dict) -> None:
        """Give the mapping its content (worked out elsewhere, e.g. before a pickle)."""
        self._data, self._compute = dict(data), None

    def __getitem__(self, key):
        return self._all()[key]

    def __iter__(self):
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def __repr__(self) -> str:
        return repr(self._all())


class LazyReasons(LazyMapping):
    """The unplaced workloads' reasons, worked out on first look: which workloads are unplaced is known at once
    (``len``, ``in``, iteration), the words only when a reason is read."""

    def __init__(self, ids: list[str], compute: Callable[[], dict]):
        super().__init__(compute)
        self._ids = ids

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, key) -> bool:
        return key in self._id_set

    @cached_property
    def _id_set(self) -> frozenset:
        return frozenset(self._ids)
