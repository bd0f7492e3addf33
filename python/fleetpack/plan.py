"""The result of a placement: which host runs each workload and in which form, and how good the plan is."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Callable, Iterator, Mapping

from .problem import Problem
from .rules import HostState

__all__ = ["Assignment", "Unplaced", "Plan", "make_plan", "objective_value"]


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
    by the rules at this point), ``"not_reached"`` (it would fit in the final plan; the heuristic tried it earlier)."""

    code: str
    message: str


class LazyReasons(Mapping):
    """The unplaced workloads' reasons, worked out on first look: which workloads are unplaced is known at once
    (``len``, ``in``, iteration), the words only when a reason is read."""

    def __init__(self, ids: list[str], compute: Callable[[], dict]):
        self._ids = ids
        self._compute: Callable[[], dict] | None = compute
        self._reasons: dict | None = None

    def _all(self) -> dict:
        if self._reasons is None:
            self._reasons, self._compute = self._compute(), None
        return self._reasons

    def __getitem__(self, key: str) -> "Unplaced":
        return self._all()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, key) -> bool:
        return key in self._all() if self._reasons is not None else key in set(self._ids)

    def __repr__(self) -> str:
        return repr(self._all())


@dataclass(frozen=True, eq=False)
class Plan:
    """An immutable placement plan.

    ``assignments`` lists the placed workloads in input order; ``unplaced`` maps each left-out workload's id to an
    `Unplaced` reason. ``objective_value`` is the objective's score (hosts used, total cost, or the largest
    utilisation of any host in any dimension); ``lower_bound`` bounds it from below and ``proven_optimal`` says the
    plan places everything and meets the bound. ``utilization`` maps each used host to its usage / capacity per
    dimension, overheads included.
    """

    assignments: tuple[Assignment, ...]
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
              strategy: str, elapsed: float) -> Plan:
    """A `Plan` from a solver's answer: ``host_index[i]`` (an index into the hosts, or None) and ``forms[i]``."""
    from .reasons import unplaced_reasons

    states = host_states(problem, host_index, forms)
    assignments = tuple(
        Assignment(w.id, problem.hosts[j].id, form)
        for w, j, form in zip(problem.workloads, host_index, forms)
        if j is not None
    )
    unplaced = LazyReasons(
        [w.id for w, j in zip(problem.workloads, host_index) if j is None],
        lambda: unplaced_reasons(problem, host_index, states),
    )
    value = objective_value(problem, objective, states)
    used = [s for s in states if s.count > 0]
    cost = 0.0
    for s in used:
        cost += s.host.cost
    return Plan(
        assignments=assignments,
        unplaced=unplaced,
        objective=objective,
        objective_value=value,
        hosts_used=len(used),
        cost=cost,
        lower_bound=lower_bound,
        proven_optimal=not unplaced and meets_bound(objective, value, lower_bound),
        method=method,
        strategy=strategy,
        elapsed=elapsed,
        utilization=MappingProxyType(
            {s.host.id: MappingProxyType(dict(zip(problem.dimensions, utilisation(s)))) for s in used}
        ),
        dimensions=problem.dimensions,
        problem=problem,
    )
