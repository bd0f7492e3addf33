"""Exact solving with OR-Tools: CP-SAT on an assignment model or on an arc-flow model, whichever suits the instance.

``method="exact"`` (and the exact stage of ``method="auto"``) runs here. The whole model of docs/model.md is encoded:
forms chosen per workload, effective demands (VM CPU factor, fixed per-VM and per-container overheads), the per-host
``hypervisor`` and ``container_runtime`` overheads switched on by the first VM / container, OS / hypervisor /
containers eligibility, tenant isolation, dedicated hosts, anti-affinity, ``max_workloads`` and extra dimensions.
Placing as many workloads as possible ranks above the objective.

Two formulations (docs/exact.md has the full statement and the measurements):

- **assignment** (every objective): for each type of identical workloads, host and form that the rules allow and
  that fits the empty host, how many of the type's workloads the host runs in that form; per-host Booleans for
  "used", "runs a VM", "runs a container", and the container tenants when tenant isolation is in play. Identical
  hosts (same shape, cost and attributes) form classes whose members are used in order, and the host of rank r in a
  class may only run types whose last workload ranks at least r among the workloads eligible there.
- **arc-flow** (``"hosts"`` and ``"cost"``): workloads of the same shape are one item type; for each class of
  identical hosts and each *variant* (VMs only, containers only, or both -- which fixes the per-host overheads -- and
  which tenant's containers may be there) a compressed arc-flow graph whose paths are exactly the feasible host
  contents (plus redundant ones); flow is integer and the number of paths out of a class is at most its size. The
  graph is built by a memoised depth-first search over (free space, next item type) with the free space lifted to
  the largest achievable values, and nodes merged by the largest load still to come (the "main compression" of
  Brandão & Pedroso, 2016). Its LP relaxation (solved with GLOP) is the Gilmore-Gomory bound, which is usually tight;
  a dive on that LP gives CP-SAT a near-optimal hint.

Both models are integer-only: CPU in millicores, memory in bytes, extra dimensions in units, each dimension divided
by the greatest common divisor of every demand and overhead in it (exact; capacities are then rounded down, which is
exact as every load is a multiple of the divisor). Host costs are scaled to integers by the least common multiple of
their decimal denominators.

The modules, bottom to top: `instance` (the problem in solver form), `cpsat` (running CP-SAT), `assignment` and
`arcflow` (the two formulations), `dive` (the arc-flow LP), `search` (`solve`: the solving rounds), `stage` (where
``exact`` and ``auto`` call in). OR-Tools is imported only when a model is solved, so ``import fleetpack`` stays fast.
"""

from .arcflow import _AUTO_GRAPH_STATE_BUDGET, _ArcFlow
from .assignment import assignment_size
from .instance import _cost_integers, _Instance
from .search import ExactResult, _float_value, as_start, solve
from .stage import (
    AUTO_MAX_ARCS,
    AUTO_MAX_CANDIDATES,
    AUTO_MAX_WORKLOADS,
    AUTO_TIME_LIMIT,
    AUTO_WORK_LIMIT,
    auto_eligible,
    auto_stage,
    auto_stage_enabled,
    engine,
    heuristics_only,
)

__all__ = [
    "ExactResult",
    "solve",
    "engine",
    "auto_stage",
    "auto_eligible",
    "auto_stage_enabled",
    "AUTO_TIME_LIMIT",
    "AUTO_WORK_LIMIT",
    "AUTO_MAX_CANDIDATES",
    "AUTO_MAX_ARCS",
    "AUTO_MAX_WORKLOADS",
    "heuristics_only",
    "as_start",
    "assignment_size",
]
