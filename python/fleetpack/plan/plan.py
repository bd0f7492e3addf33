"""The result of a placement: which host runs each workload and in which form, and how good the plan is; and the
one plan builder (`build_plan`) that describes any solver's `Answer` as a `Plan`."""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass, field, replace
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING, Mapping, Sequence

import numpy as np

from ..model.rules import HostState
from ..model.wire import Answer, PLACED_FORMS, UNPLACED
from .moves import plan_moves
from .penalty import SoftViolation, soft_violations
from .reasons import unplaced_reasons
from .scoring import host_states, meets_bound, objective_value
from .types import Assignment, Assignments, LazyMapping, LazyReasons, Move, Unplaced

if TYPE_CHECKING:
    from ..model.inputs import ProblemLike
    from .schedule import Schedule

__all__ = ["Plan", "build_plan"]


@dataclass(frozen=True, eq=False)
class Plan:
    """An immutable placement plan.

    ``assignments`` lists the placed workloads in input order; ``unplaced`` maps each left-out workload's id to an
    `Unplaced` reason. ``objective_value`` is the objective's score (hosts used, total cost, or the largest
    utilisation of any host in any dimension); ``lower_bound`` bounds it from below and ``proven_optimal`` says the
    plan places everything and meets the bound. ``utilization`` maps each used host to its usage / capacity per
    dimension, overheads included.

    In a live fleet (``live``: some workload has a current host, or hosts are drained) ``moves`` lists the
    workloads the plan moves, in input order (`Move`; an eviction has no target), ``move_count`` and ``move_cost``
    sum them up.
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
    # which rule makes `lower_bound`, in words ("28 dedicated workloads need 28 hosts; the rest need at least 37 more
    # by memory"); "" when the solver did not say
    bound_reason: str = ""
    # the validated problem this plan answers; None for a plan read back from JSON
    problem: ProblemLike | None = field(default=None, repr=False, compare=False)
    # per workload in input order: its host's index (-1 when unplaced) and its form code (0 container, 1 VM,
    # 255 unplaced); None for a plan read back from JSON
    host_index: np.ndarray | None = field(default=None, repr=False, compare=False)
    form_codes: np.ndarray | None = field(default=None, repr=False, compare=False)
    moves: tuple[Move, ...] = ()
    live: bool = False
    # the solver's answer, with what the builder worked out: a pickled plan is rebuilt from it and the problem
    answer: Answer | None = field(default=None, repr=False, compare=False)
    # the soft group rules' cost (weight x excess, summed) and the soft rules with excess; `has_rules`: the problem
    # had group rules (its plan's dict then states them)
    penalty: int = 0
    soft_violations: tuple[SoftViolation, ...] = ()
    has_rules: bool = False

    def __reduce__(self):
        # small and fast: the problem and the answer's arrays, not an object per workload; reasons already worked
        # out travel with it (working them out again takes the reference rules)
        if self.problem is None or self.answer is None:  # a plan read back from JSON
            return Plan.from_dict, (self.to_dict(),)
        reasons = self.unplaced.computed() if isinstance(self.unplaced, LazyMapping) else dict(self.unplaced)
        return _rebuilt_plan, (self.problem, self.answer, self.objective, self.method, self.elapsed, reasons)

    @property
    def move_count(self) -> int:
        """How many workloads the plan moves (0 in a greenfield plan)."""
        return len(self.moves)

    @property
    def move_cost(self) -> int:
        """The summed ``move_cost`` of the moves."""
        return sum(m.cost for m in self.moves)

    @cached_property
    def _by_workload(self) -> dict[str, Assignment]:
        return {a.workload: a for a in self.assignments}

    def host_of(self, workload_id: str) -> str | None:
        """The host that runs the workload, or None when it is unplaced. Raises `KeyError` for an unknown id."""
        a = self._assignment(workload_id)
        return None if a is None else a.host

    def form_of(self, workload_id: str) -> str | None:
        """``"vm"`` or ``"container"``, or None when the workload is unplaced. Raises `KeyError` for an unknown
        id."""
        a = self._assignment(workload_id)
        return None if a is None else a.form

    def _assignment(self, workload_id: str) -> Assignment | None:
        a = self._by_workload.get(workload_id)
        if a is None and workload_id not in self.unplaced:
            # a typo must not read as "unplaced": every workload of the plan is placed or listed as unplaced
            raise KeyError(f"no workload {workload_id!r} in this plan")
        return a

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
        return self._count_form("vm")

    @property
    def containers(self) -> int:
        return self._count_form("container")

    def _count_form(self, form: str) -> int:
        if self.form_codes is not None:  # from the arrays: no object per assignment
            return int(np.count_nonzero(self.form_codes == PLACED_FORMS.index(form)))
        return sum(a.form == form for a in self.assignments)

    def to_dict(self) -> dict:
        return {
            "assignments": [{"workload": a.workload, "host": a.host, "form": a.form} for a in self.assignments],
            "unplaced": {wid: {"code": u.code, "message": u.message} for wid, u in self.unplaced.items()},
            "objective": self.objective,
            "objective_value": self.objective_value,
            "hosts_used": self.hosts_used,
            "cost": self.cost,
            "lower_bound": self.lower_bound,
            "bound_reason": self.bound_reason,
            "proven_optimal": self.proven_optimal,
            "method": self.method,
            "strategy": self.strategy,
            "elapsed": self.elapsed,
            "utilization": {h: dict(u) for h, u in self.utilization.items()},
            "dimensions": list(self.dimensions),
            # a live plan says what it moves; a greenfield one has exactly the keys it always had
            **({"moves": [m.to_dict() for m in self.moves], "move_count": self.move_count,
                "move_cost": self.move_cost} if self.live else {}),
            **({"penalty": self.penalty, "soft_violations": [v.to_dict() for v in self.soft_violations]}
               if self.has_rules else {}),
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    def explain(self, workload_id: str):
        """Why the workload runs where it does, or why it is unplaced: an `fleetpack.plan.explain.Explanation`
        (``print`` it for words, ``.to_dict()`` for data)."""
        from .explain import explain

        return explain(self, workload_id)

    def schedule(self, max_parallel: int | None = None) -> Schedule:
        """The moves of a live plan in waves that keep every rule at every step, a migration holding both its
        source and its target: a `fleetpack.plan.schedule.Schedule` (``print`` it for words)."""
        from .schedule import schedule_plan

        return schedule_plan(self, max_parallel)

    def plot(self, path=None, **options):
        """Draw the used hosts' usage per dimension (needs matplotlib); see `fleetpack.plan.plot.plot_plan`."""
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
            moves=tuple(Move(m["workload"], m["source"], m.get("target"), m.get("source_form"),
                             m.get("target_form"), int(m.get("cost", 0))) for m in data.get("moves", ())),
            live="moves" in data,
            bound_reason=data.get("bound_reason", ""),
            penalty=int(data.get("penalty", 0)),
            soft_violations=tuple(SoftViolation(v["rule"], int(v["excess"]), int(v["penalty"]))
                                  for v in data.get("soft_violations", ())),
            has_rules="penalty" in data,
        )

    @classmethod
    def from_json(cls, text: str) -> "Plan":
        return cls.from_dict(json.loads(text))

    def __repr__(self) -> str:
        return (
            f"Plan(placed={self.placed}, unplaced={len(self.unplaced)}, hosts_used={self.hosts_used}, "
            f"cost={self.cost:g}, objective={self.objective!r}, objective_value={self.objective_value:g}, "
            f"lower_bound={self.lower_bound:g}, proven_optimal={self.proven_optimal}, method={self.method!r}, "
            f"strategy={self.strategy!r}" + (f", moves={self.move_count}" if self.live else "")
            + (f", penalty={self.penalty}" if self.penalty else "") + ")"
        )


def _named(reason: str, dimensions: Sequence[str]) -> str:
    """A bound's reason with the dimensions the core knows by position ("dimension 2") by their names."""
    for d in range(len(dimensions) - 1, 1, -1):
        reason = reason.replace(f"dimension {d}", dimensions[d])
    return reason


def _rule_words(reason: str, problem: ProblemLike) -> str:
    """A bound's reason with the group rules the core knows by index ("<group 2>", "<domain 2>", "<domains 2>")
    by their group and scope ("'db'", "zone", "zones")."""
    part = getattr(problem, "rules", None)
    if part is None or "<" not in reason:
        return reason
    for r, rule in enumerate(part.rules):
        scope = "host" if rule.scope == "host" else rule.scope
        reason = reason.replace(f"<group {r}>", repr(rule.group)).replace(f"<domains {r}>", scope + "s")
        reason = reason.replace(f"<domain {r}>", scope)
    return reason


def build_plan(problem: ProblemLike, answer: Answer, *, objective: str, method: str, elapsed: float) -> Plan:
    """The `Plan` of a solver's `Answer` to ``problem``.

    ``used`` (hosts × dimensions, per-host overheads included), the objective's value, the number of hosts used and
    their cost come from the solver when it has them (the Rust core does); otherwise they are worked out here with
    the reference rules. What is costly to describe (the assignments as objects, the reasons of unplaced workloads,
    utilisation per host) is worked out on first look.
    """
    host_index, form_codes, lower_bound = answer.host_index, answer.form_codes, answer.lower_bound
    used, objective_value_ = answer.used, answer.objective_value
    hosts_used, cost = answer.hosts_used, answer.cost

    @functools.cache
    def states() -> tuple[list[HostState], list]:
        """Each host's final state by the reference rules, and the host index per workload as a list."""
        index = [None if j < 0 else j for j in host_index.tolist()]
        forms = [None if c == UNPLACED else PLACED_FORMS[c] for c in form_codes.tolist()]
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
    penalty, soft = soft_violations(problem, host_index)
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
        strategy=answer.strategy,
        elapsed=elapsed,
        utilization=LazyMapping(utilization),
        dimensions=problem.dimensions,
        bound_reason=_rule_words(_named(answer.bound_reason, problem.dimensions), problem),
        problem=problem,
        host_index=host_index,
        form_codes=form_codes,
        answer=replace(answer, used=used, objective_value=objective_value_, hosts_used=hosts_used, cost=cost),
        moves=plan_moves(problem, host_index, form_codes),
        live=problem.live is not None,
        penalty=penalty,
        soft_violations=soft,
        has_rules=getattr(problem, "rules", None) is not None,
    )


def _rebuilt_plan(problem: ProblemLike, answer: Answer, objective: str, method: str, elapsed: float,
                  reasons: dict | None) -> Plan:
    """A pickled plan, loaded: built again from its problem and answer, with the reasons it had worked out."""
    plan = build_plan(problem, answer, objective=objective, method=method, elapsed=elapsed)
    if reasons is not None:
        plan.unplaced.fill(reasons)  # type: ignore[attr-defined]
    return plan
