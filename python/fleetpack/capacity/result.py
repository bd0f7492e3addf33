"""What `plan_capacity` returns: the purchase (`CapacityPlan`), the hosts it makes and the plan on them."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, Mapping

from ..model.hosttypes import HostType
from ..model.objects import Host
from ..plan.plan import Plan

__all__ = ["CapacityPlan"]


@dataclass(frozen=True, eq=False)
class CapacityPlan:
    """A purchase of hosts and a plan on the fleet it makes.

    ``buy`` maps each host type bought to how many (types in the order given, only those bought); ``hosts`` are the
    existing hosts then the bought ones, named ``<type>-<k>``; ``plan`` is an `fleetpack.Plan` on them (verify,
    explain, plot, frames). ``cost`` is what the purchase costs (plus the existing hosts used, with
    ``existing_cost``); ``objective_value`` is that cost (``objective="cost"``) or the number of hosts bought
    (``"hosts"``), ``lower_bound`` bounds it from below for any purchase that places as many workloads (the
    fractional cover: fleetpack.capacity.bounds), and ``gap`` / ``proven_optimal`` compare the two. ``spare`` is
    the room kept (for the loss of the k largest hosts, or domains of the label ``spare_domain``), ``max_types``
    the cap on types asked for, ``max_moves`` / ``max_move_cost`` the budgets of a live fleet's moves, ``rules``,
    ``allocation_ratio`` and ``max_utilization`` the call's (`fleetpack.place`'s keywords).
    """

    buy: Mapping[str, int]
    hosts: tuple[Host, ...]
    plan: Plan
    cost: float
    objective: str
    objective_value: float
    lower_bound: float
    host_types: tuple[HostType, ...]
    existing: tuple[str, ...]  # the ids of the existing hosts, first in ``hosts``
    bought: Mapping[str, str]  # bought host id -> its type's name
    spare: int = 0
    max_types: int | None = None
    existing_cost: bool = False
    bound_reason: str = ""
    elapsed: float = 0.0
    notes: tuple[str, ...] = field(default=())  # what the planner did beyond the solve (spare hosts, types dropped)
    spare_domain: str | None = None
    max_moves: int | None = None
    max_move_cost: int | None = None
    rules: tuple = ()  # the group rules the placement keeps (`place`'s ``rules``)
    allocation_ratio: Mapping[str, Any] | None = None  # the call's ratio of hosts without their own
    max_utilization: Mapping[str, Any] | None = None

    @property
    def gap(self) -> float:
        """How far above the lower bound the purchase may be, relative to the bound (0 when it meets it)."""
        if self.objective_value <= self.lower_bound + 1e-9 * max(1.0, abs(self.lower_bound)):
            return 0.0
        if self.lower_bound <= 0:
            return math.inf
        return (self.objective_value - self.lower_bound) / self.lower_bound

    @property
    def proven_optimal(self) -> bool:
        """The plan places every workload and the purchase meets the lower bound."""
        return not self.plan.unplaced and self.gap == 0.0

    @property
    def unplaced(self):
        """The workloads no purchase places (no type nor existing host takes them), with reasons."""
        return self.plan.unplaced

    @property
    def hosts_bought(self) -> int:
        return sum(self.buy.values())

    def type_utilization(self) -> dict[str, dict[str, float]]:
        """Per type bought, per dimension: the usage of its hosts (overheads included) over their capacity."""
        used = self.plan.answer.used if self.plan.answer is not None else None
        index = {h.id: j for j, h in enumerate(self.hosts)}
        dims = self.plan.dimensions
        sums: dict[str, list[list[float]]] = {}
        for ident, kind in self.bought.items():
            h = self.hosts[index[ident]]
            extra = h.extra_units  # type: ignore[attr-defined]
            caps = [h.cpu_millis, h.memory_bytes, *(extra.get(d, 0) for d in dims[2:])]  # type: ignore[attr-defined]
            row = [0.0] * len(dims) if used is None else [float(u) for u in used[index[ident]].tolist()]
            total = sums.setdefault(kind, [[0.0] * len(dims), [0.0] * len(dims)])
            for d in range(len(dims)):
                total[0][d] += row[d]
                total[1][d] += float(caps[d])
        return {kind: {d: (u / c if c > 0 else 0.0) for d, u, c in zip(dims, *pair)} for kind, pair in sums.items()}

    def to_pandas(self):
        """One row per host type: how many are bought (``count``), ``available``, the ``unit_cost`` and ``cost``,
        and the utilisation of the bought hosts per dimension (``util_cpu``, ``util_memory``, ...)."""
        import pandas as pd

        util = self.type_utilization()
        rows = []
        for t in self.host_types:
            count = self.buy.get(t.name, 0)
            row: dict[str, Any] = {"type": t.name, "count": count, "available": t.available, "unit_cost": t.cost,
                                   "cost": count * t.cost}
            for d in self.plan.dimensions:
                row[f"util_{d}"] = util.get(t.name, {}).get(d, math.nan)
            rows.append(row)
        return pd.DataFrame(rows).set_index("type")

    def to_dict(self) -> dict:
        """The purchase as JSON data: ``buy``, ``cost``, the bound, the bought hosts, the plan (``Plan.to_dict``)."""
        return {"buy": dict(self.buy), "cost": self.cost, "objective": self.objective,
                "objective_value": self.objective_value, "lower_bound": self.lower_bound,
                "gap": None if math.isinf(self.gap) else self.gap, "proven_optimal": self.proven_optimal,
                "bound_reason": self.bound_reason, "spare": self.spare, "spare_domain": self.spare_domain,
                "max_types": self.max_types, "max_moves": self.max_moves, "max_move_cost": self.max_move_cost,
                **({"rules": [{k: v for k, v in r.to_dict().items() if v is not None} for r in self.rules]}
                   if self.rules else {}),
                **{k: dict(v) for k in ("allocation_ratio", "max_utilization") for v in [getattr(self, k)] if v},
                "existing": list(self.existing), "bought": dict(self.bought),
                "hosts": [h.to_dict() for h in self.hosts if h.id in self.bought],
                "notes": list(self.notes), "plan": self.plan.to_dict()}

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    def __str__(self) -> str:
        bought = ", ".join(f"{count} x {kind}" for kind, count in self.buy.items()) or "nothing"
        return (f"buy {bought}: cost {self.cost:g} (bound {self.lower_bound:g}, gap {self.gap:.1%}); "
                f"{len(self.plan.assignments)} workloads placed, {len(self.plan.unplaced)} unplaced")
