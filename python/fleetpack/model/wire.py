"""The wire format between Python and the Rust core, written once: the codes of forms, isolation and hypervisors, the
arrays a problem is encoded into, and the one shape of a solver's answer (`Answer`).

Every solver answers with an `Answer`: the core (converted from its dict by `Answer.from_core`), the pure-Python
reference (`Answer.from_lists`) and CP-SAT. The decoding side is rust/python/src/lib.rs (`problem_from_arrays`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np

from .eligibility import encode_eligibility
from .group_rules import encode_rules
from .objects import HYPERVISORS, PLACED_FORMS
from .packing import compact

if TYPE_CHECKING:
    from .live import LivePart
    from .problem import Problem

__all__ = ["PLACED_FORMS", "UNPLACED", "FORM_BITS", "ISOLATION_CODES", "HYPERVISOR_CODES", "NO_HYPERVISOR",
           "UNLIMITED", "CURRENT_FORM_CODES", "Answer", "encode_rows", "encode_live", "bound_value"]

#: The forms a placed workload takes are coded by their index in `PLACED_FORMS` (0 container, 1 VM), as the core
#: returns them; and the form code of an unplaced workload.
UNPLACED = 255
#: The forms a workload allows, as bits (1 container, 2 VM).
FORM_BITS = {"any": 3, "container": 1, "vm": 2}
ISOLATION_CODES = {"none": 0, "tenant": 1, "dedicated": 2}
#: A host's hypervisor code: 0 for none, then 1 + its index in `HYPERVISORS`.
NO_HYPERVISOR = 0
HYPERVISOR_CODES = {kind: 1 + n for n, kind in enumerate(HYPERVISORS)}
#: A workload's ``current_form`` as the core reads it: -1 either (None), else its `PLACED_FORMS` code.
CURRENT_FORM_CODES = {None: -1, "container": 0, "vm": 1}
#: ``max_workloads`` of a host without a cap.
UNLIMITED = np.iinfo(np.uint64).max


def bound_value(objective: str, value: float) -> float:
    """A lower bound as plans report it: a count of hosts is an int."""
    return int(value) if objective == "hosts" else value


_NO_ROWS = np.zeros(0, dtype=np.int64)


@dataclass(frozen=True)
class Answer:
    """What a solver answers, in input order: each workload's host index (int64, -1 when unplaced) and form code
    (uint8: `PLACED_FORMS` or `UNPLACED`), the strategy that found it and a lower bound on the objective. What the
    solver measured besides (``objective_value``, ``used`` hosts × dimensions with the per-host overheads,
    ``hosts_used``, ``cost``, ``elapsed``) is None when it did not, and the plan builder works it out.

    In a live fleet, ``moves`` and ``move_cost`` count the plan's moves; ``pin_conflicts`` are the rows of the pinned
    workloads that do not fit their place, ``forced_moves`` those of the workloads with a current host that could
    not stay (int64 rows; the front raises `InfeasibleError` when pins conflict or forced moves exceed a budget)."""

    host_index: np.ndarray
    form_codes: np.ndarray
    strategy: str
    lower_bound: float
    objective_value: float | None = None
    used: np.ndarray | None = None
    hosts_used: int | None = None
    cost: float | None = None
    elapsed: float | None = None
    moves: int = 0
    move_cost: int = 0
    pin_conflicts: np.ndarray = field(default_factory=lambda: _NO_ROWS)
    forced_moves: np.ndarray = field(default_factory=lambda: _NO_ROWS)
    bound_reason: str = ""  # which rule makes the lower bound, in words; "" when the solver did not say

    def __reduce__(self):
        # (from a worker back to the driver: the host rows narrowed, 2 bytes a workload for up to 65,535 hosts)
        return Answer, tuple(compact(getattr(self, f.name)) for f in fields(self))

    @classmethod
    def from_core(cls, answer: Mapping[str, Any], objective: str) -> "Answer":
        """The core's dict of arrays (and CP-SAT's, which has the same keys)."""
        return cls(answer["host_index"], answer["form_codes"], answer["strategy"],
                   bound_value(objective, answer["lower_bound"]), answer.get("objective_value"), answer.get("used"),
                   answer.get("hosts_used"), answer.get("cost"), answer.get("elapsed"), int(answer.get("moves", 0)),
                   int(answer.get("move_cost", 0)), _rows(answer.get("pin_conflicts")),
                   _rows(answer.get("forced_moves")), answer.get("bound_reason", ""))

    @classmethod
    def from_lists(cls, hosts: Sequence[int | None], forms: Sequence[str | None], strategy: str,
                   lower_bound: float, bound_reason: str = "", *, moves: int = 0, move_cost: int = 0,
                   pin_conflicts: Sequence[int] = (), forced_moves: Sequence[int] = ()) -> "Answer":
        """Lists in plain Python: ``hosts[i]`` a host index or None, ``forms[i]`` ``"vm"``, ``"container"`` or None;
        the live part's counts and rows, when there is one."""
        return cls(np.array([-1 if j is None else j for j in hosts], dtype=np.int64),
                   np.array([UNPLACED if f is None else PLACED_FORMS.index(f) for f in forms], dtype=np.uint8),
                   strategy, lower_bound, bound_reason=bound_reason, moves=moves, move_cost=move_cost,
                   pin_conflicts=_rows(pin_conflicts), forced_moves=_rows(forced_moves))

    def to_lists(self) -> tuple[list[int | None], list[str | None]]:
        """(host index or None, form or None) per workload."""
        hosts = [None if j < 0 else int(j) for j in self.host_index.tolist()]
        forms = [None if c == UNPLACED else PLACED_FORMS[c] for c in self.form_codes.tolist()]
        return hosts, forms

    def to_core(self) -> dict[str, Any]:
        """The dict of arrays in the core's form (what `fleetpack.exact` reads and returns)."""
        out: dict[str, Any] = {"host_index": self.host_index, "form_codes": self.form_codes,
                               "strategy": self.strategy, "lower_bound": self.lower_bound,
                               "bound_reason": self.bound_reason}
        for name in ("objective_value", "used", "hosts_used", "cost", "elapsed"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        out.update(moves=self.moves, move_cost=self.move_cost, pin_conflicts=self.pin_conflicts,
                   forced_moves=self.forced_moves)  # as the core sends them, live or not
        return out


def _rows(values) -> np.ndarray:
    return _NO_ROWS if values is None or len(values) == 0 else np.asarray(values, dtype=np.int64)


def _first_appearance_codes(*sides: list) -> list[np.ndarray]:
    """Codes of labels by first appearance, over all sides together."""
    lookup: dict = {}
    for side in sides:
        lookup.update(dict.fromkeys(side))
    if len(lookup) == 1:  # the common case: one OS, one tenant
        return [np.zeros(len(side), dtype=np.uint32) for side in sides]
    lookup = {label: code for code, label in enumerate(lookup)}
    return [np.fromiter(map(lookup.__getitem__, side), dtype=np.uint32, count=len(side)) for side in sides]


def _mapped(items, field: str, mapping: dict, dtype) -> np.ndarray:
    return np.fromiter(map(mapping.__getitem__, map(attrgetter(field), items)), dtype=dtype, count=len(items))


def encode_rows(problem: "Problem") -> dict[str, Any]:
    """A problem of objects as flat arrays and codes, the form in which the Rust core takes it (built column by
    column: one pass over the objects per field, no numpy call per object)."""
    workloads, hosts = problem.workloads, problem.hosts
    w_os, h_os = _first_appearance_codes(list(map(attrgetter("os"), workloads)), list(map(attrgetter("os"), hosts)))
    (tenant,) = _first_appearance_codes(list(map(attrgetter("tenant"), workloads)))
    groups: dict[str, int] = {}
    return {
        "demand": problem.demands,
        "allowed": _mapped(workloads, "form", FORM_BITS, np.uint8),
        "w_os": w_os,
        "tenant": tenant,
        "isolation": _mapped(workloads, "isolation", ISOLATION_CODES, np.uint8),
        "group": np.array(
            [0 if w.anti_affinity is None else 1 + groups.setdefault(w.anti_affinity, len(groups))
             for w in workloads],
            dtype=np.uint32,
        ),
        "capacity": problem.capacities,
        "h_os": h_os,
        "hypervisor": np.array(
            [NO_HYPERVISOR if h.hypervisor is None else HYPERVISOR_CODES[h.hypervisor] for h in hosts],
            dtype=np.uint8,
        ),
        "containers": np.array([h.containers for h in hosts], dtype=np.bool_),
        "cost": np.array([h.cost for h in hosts], dtype=np.float64),
        "max_workloads": np.array(
            [UNLIMITED if h.max_workloads is None else h.max_workloads for h in hosts], dtype=np.uint64),
        **fixed_overheads(problem.overheads, len(problem.dimensions)),
        **encode_live(problem.live),
        **encode_eligibility(problem.eligibility),
        **encode_rules(problem.rules),
    }


def fixed_overheads(overheads, dims: int) -> dict[str, np.ndarray]:
    """The overheads' arrays: the fixed ones per dimension (CPU and memory; 0 in the extra dimensions) and the VM
    CPU factor per hypervisor kind."""
    def fixed(name: str) -> np.ndarray:
        r = getattr(overheads, name)
        return np.array([r.cpu_millis, r.memory_bytes] + [0] * (dims - 2), dtype=np.uint64)

    return {
        "vm": fixed("vm"),
        "container": fixed("container"),
        "hypervisor_overhead": fixed("hypervisor"),
        "runtime_overhead": fixed("container_runtime"),
        "factor_ppm": np.array([overheads.factor_ppm(k) for k in HYPERVISORS], dtype=np.uint64),
    }


def encode_live(live: "LivePart | None") -> dict[str, Any]:
    """The live part of a problem as the core reads it: no key at all without one (a greenfield problem is sent
    exactly as before); the budgets only when given."""
    if live is None:
        return {}
    out: dict[str, Any] = {"current_host": live.current, "current_form": live.current_form, "pinned": live.pinned,
                           "move_cost": live.move_cost, "drain": live.drain}
    if live.max_moves is not None:
        out["max_moves"] = live.max_moves
    if live.max_move_cost is not None:
        out["max_move_cost"] = live.max_move_cost
    return out
