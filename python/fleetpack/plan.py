"""The result of a placement: which host runs each workload and in which form, and how good the plan is."""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Callable, Iterator, Mapping, Sequence

import numpy as np

from .problem import Problem
from .rules import HostState

__all__ = ["Assignment", "Unplaced", "Plan", "make_plan", "build_plan", "objective_value"]


@dataclass(frozen=True)
class Assignment:
    """Workload ``workload`` runs on host ``host`` as ``form`` (``"vm"`` or ``"container"``)."""

    workload: str
    host: str
    form: str


@dataclass(frozen=True)
class Unplaced:
    """Why a workload was left out. ``code`` is one of ``"no_eligible_host"`` (no host may run it in any allowed
    form), ``"too_large"`` (it fits no eligible host even empty), ``"no_room"`` (eligible hosts are full or barred
    by the rules at this point), ``"not_reached"`` (it would fit in the final plan; the search tried it earlier)."""

    code: str
    message: str


FORMS = ("container", "vm")  # form codes 0 and 1, as the core returns them; 255 means unplaced
UNPLACED = 255


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
                Assignment(str(workload_ids[i]), str(host_ids[j]), FORMS[f])
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


@dataclass(frozen=True, eq=False)
class Plan:
    """An immutable placement plan.

    ``assignments`` lists the placed workloads in input order; ``unplaced`` maps each left-out workload's id to an
    `Unplaced` reason. ``objective_value`` is the objective's score (hosts used, total cost, or the largest
    utilisation of any host in any dimension); ``lower_bound`` bounds it from below and ``proven_optimal`` says the
    plan places everything and meets the bound. ``utilization`` maps each used host to its usage / capacity per
    dimension, overheads included.
    """

    assignments: Sequence[Assignment]
    unplaced: Mapping[str, Unplaced]
    objective: str
    objective_value: float
    hosts_used: int
    cost: float
    lower_bound: float
    proven_optimal: bool
    method: str
    strategy: str
    elapsed: float
    utilization: Mapping[str, Mapping[str, float]]
    dimensions: tuple[str, ...] = field(default=("cpu", "memory"))
    # the validated problem this plan answers; None for a plan read back from JSON
    problem: Problem | None = field(default=None, repr=False, compare=False)
    # per workload in input order: its host's index (-1 when unplaced) and its form code (0 container, 1 VM,
    # 255 unplaced); None for a plan read back from JSON
    host_index: np.ndarray | None = field(default=None, repr=False, compare=False)
    form_codes: np.ndarray | None = field(default=None, repr=False, compare=False)

    @cached_property
    def _by_workload(self) -> dict[str, Assignment]:
        return {a.workload: a for a in self.assignments}

    def host_of(self, workload_id: str) -> str | None:
        """The host that runs the workload, or None when it is unplaced."""
        a = self._by_workload.get(workload_id)
        return None if a is None else a.host

    def form_of(self, workload_id: str) -> str | None:
        """``"vm"`` or ``"container"``, or None when the workload is unplaced."""
        a = self._by_workload.get(workload_id)
        return None if a is None else a.form

    @property
    def gap(self) -> float:
        """How far above the lower bound the plan may be, relative to the bound (0 when it meets it)."""
        if self.objective_value <= self.lower_bound:
            return 0.0
        if self.lower_bound <= 0:
            return math.inf
        return (self.objective_value - self.lower_bound) / self.lower_bound

    @property
    def placed(self) -> int:
        return len(self.assignments)

    @property
    def vms(self) -> int:
        return sum(a.form == "vm" for a in self.assignments)

    @property
    def containers(self) -> int:
        return sum(a.form == "container" for a in self.assignments)

    def to_dict(self) -> dict:
        return {
            "assignments": [{"workload": a.workload, "host": a.host, "form": a.form} for a in self.assignments],
            "unplaced": {wid: {"code": u.code, "message": u.message} for wid, u in self.unplaced.items()},
            "objective": self.objective,
            "objective_value": self.objective_value,
            "hosts_used": self.hosts_used,
            "cost": self.cost,
            "lower_bound": self.lower_bound,
            "proven_optimal": self.proven_optimal,
            "method": self.method,
            "strategy": self.strategy,
            "elapsed": self.elapsed,
            "utilization": {h: dict(u) for h, u in self.utilization.items()},
            "dimensions": list(self.dimensions),
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    def explain(self, workload_id: str):
        """Why the workload runs where it does, or why it is unplaced: an `fleetpack.explain.Explanation`
        (``print`` it for words, ``.to_dict()`` for data)."""
        from .explain import explain

        return explain(self, workload_id)

    def plot(self, path=None, **options):
        """Draw the used hosts' usage per dimension (needs matplotlib); see `fleetpack.plot.plot_plan`."""
        from .plot import plot_plan

        return plot_plan(self, path, **options)

    def to_pandas(self):
        """One row per workload: host, form, demand and effective demand (needs pandas)."""
        from .frames import workloads_frame

        return workloads_frame(self)

    def hosts_frame(self):
        """One row per host: workloads, capacity, usage and utilisation per dimension (needs pandas)."""
        from .frames import hosts_frame

        return hosts_frame(self)

    @classmethod
    def from_dict(cls, data: Mapping) -> "Plan":
        return cls(
            assignments=tuple(Assignment(a["workload"], a["host"], a["form"]) for a in data["assignments"]),
            unplaced=MappingProxyType(
                {wid: Unplaced(u["code"], u["message"]) for wid, u in data.get("unplaced", {}).items()}
            ),
            objective=data["objective"],
            objective_value=data["objective_value"],
            hosts_used=data["hosts_used"],
            cost=data["cost"],
            lower_bound=data["lower_bound"],
            proven_optimal=data["proven_optimal"],
            method=data["method"],
            strategy=data.get("strategy", data["method"]),
            elapsed=data.get("elapsed", 0.0),
            utilization=MappingProxyType({h: MappingProxyType(dict(u)) for h, u in data.get("utilization", {}).items()}),
            dimensions=tuple(data.get("dimensions", ("cpu", "memory"))),
        )

    @classmethod
    def from_json(cls, text: str) -> "Plan":
        return cls.from_dict(json.loads(text))

    def __repr__(self) -> str:
        return (
            f"Plan(placed={self.placed}, unplaced={len(self.unplaced)}, hosts_used={self.hosts_used}, "
            f"cost={self.cost:g}, objective={self.objective!r}, objective_value={self.objective_value:g}, "
            f"lower_bound={self.lower_bound:g}, proven_optimal={self.proven_optimal}, method={self.method!r}, "
            f"strategy={self.strategy!r})"
        )


def host_states(problem: Problem, host_index, forms) -> list[HostState]:
    """Each host's final state under an assignment (workload i on host ``host_index[i]`` as ``forms[i]``)."""
    states = [HostState(problem, h) for h in problem.hosts]
    for w, j, form in zip(problem.workloads, host_index, forms):
        if j is not None:
            states[j].add(w, form)
    return states


def utilisation(state: HostState) -> list[float]:
    return [float(u) / float(c) if c > 0 else 0.0 for u, c in zip(state.used, state.capacity)]


def objective_value(problem: Problem, objective: str, states: list[HostState]) -> float:
    """The objective's score of a plan: hosts used, total cost (summed in host input order), or the largest
    utilisation of any used host in any dimension it has."""
    used = [s for s in states if s.count > 0]
    if objective == "hosts":
        return len(used)
    if objective == "cost":
        total = 0.0
        for s in used:
            total += s.host.cost
        return total
    worst = 0.0
    for s in used:
        for u in utilisation(s):
            worst = max(worst, u)
    return worst


def meets_bound(objective: str, value: float, bound: float) -> bool:
    if objective == "hosts":
        return value <= bound
    return value <= bound + 1e-9 * max(1.0, abs(bound))


def make_plan(problem: Problem, host_index, forms, *, objective: str, lower_bound: float, method: str,
              strategy: str, elapsed: float, objective_value_: float | None = None, used=None) -> Plan:
    """A `Plan` from a solver's answer: ``host_index[i]`` (an index into the hosts, or None) and ``forms[i]``
    (``"vm"``, ``"container"`` or None). See `build_plan`."""
    codes = np.array([UNPLACED if f is None else FORMS.index(f) for f in forms], dtype=np.uint8)
    index = np.array([-1 if j is None else j for j in host_index], dtype=np.int64)
    return build_plan(problem, index, codes, objective=objective, lower_bound=lower_bound, method=method,
                      strategy=strategy, elapsed=elapsed, objective_value_=objective_value_, used=used)


def build_plan(problem, host_index: np.ndarray, form_codes: np.ndarray, *, objective: str, lower_bound: float,
               method: str, strategy: str, elapsed: float, objective_value_: float | None = None,
               used: np.ndarray | None = None, hosts_used: int | None = None, cost: float | None = None) -> Plan:
    """A `Plan` from arrays: ``host_index`` (int64, -1 when unplaced) and ``form_codes`` (0 container, 1 VM, 255).

    ``used`` (hosts × dimensions, per-host overheads included), the objective's value, the number of hosts used and
    their cost come from the solver when it has them (the Rust core does); otherwise they are worked out here with the reference rules. What is
    costly to describe (the assignments as objects, the reasons of unplaced workloads, utilisation per host) is
    worked out on first look.
    """
    from .reasons import unplaced_reasons

    @functools.cache
    def states() -> tuple[list[HostState], list]:
        """Each host's final state by the reference rules, and the host index per workload as a list."""
        index = [None if j < 0 else j for j in host_index.tolist()]
        forms = [None if c == UNPLACED else FORMS[c] for c in form_codes.tolist()]
        return host_states(problem.materialize(), index, forms), index

    if used is None or objective_value_ is None:
        final, _ = states()
        used = np.array([s.used for s in final], dtype=object).reshape(len(final), len(problem.dimensions))
        objective_value_ = objective_value(problem.materialize(), objective, final)
    host_ids, workload_ids = problem.host_ids, problem.workload_ids

    @functools.cache
    def used_rows() -> np.ndarray:
        in_use = np.zeros(len(host_ids), dtype=bool)
        in_use[host_index[host_index >= 0]] = True
        return np.flatnonzero(in_use)

    if hosts_used is None or cost is None:
        hosts_used = len(used_rows())
        # summed in host input order, one by one, as the objective is
        cost = float(np.cumsum(problem.host_costs[used_rows()])[-1]) if hosts_used else 0.0
    unplaced_rows = np.flatnonzero(host_index < 0)

    def utilization() -> dict:
        dims = problem.dimensions
        capacity = problem.capacities
        out = {}
        for j in used_rows().tolist():
            out[str(host_ids[j])] = MappingProxyType(
                {d: (float(u) / float(c) if c > 0 else 0.0) for d, u, c in zip(dims, used[j].tolist(), capacity[j].tolist())}
            )
        return out

    unplaced = LazyReasons(
        [str(workload_ids[i]) for i in unplaced_rows.tolist()],
        lambda: unplaced_reasons(problem.materialize(), states()[1], states()[0], method),
    )
    value = int(objective_value_) if objective == "hosts" else float(objective_value_)
    return Plan(
        assignments=Assignments(workload_ids, host_ids, host_index, form_codes),
        unplaced=unplaced,
        objective=objective,
        objective_value=value,
        hosts_used=int(hosts_used),
        cost=float(cost),
        lower_bound=lower_bound,
        proven_optimal=len(unplaced_rows) == 0 and meets_bound(objective, value, lower_bound),
        method=method,
        strategy=strategy,
        elapsed=elapsed,
        utilization=LazyMapping(utilization),
        dimensions=problem.dimensions,
        problem=problem,
        host_index=host_index,
        form_codes=form_codes,
    )
