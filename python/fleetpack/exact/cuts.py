"""Redundant constraints of the assignment model (issue 18): they cut no plan off, and they tell CP-SAT's linear
relaxation and propagation what the per-host rows leave implicit.

- **a dedicated host holds nothing else**, in capacity form: per host and dimension, the load of the non-dedicated
  workloads is at most ``cap × (used − dedicated there)``. The row "at most one workload beside a dedicated one"
  lets the relaxation count a dedicated workload's host as free room for the others; this one does not.
- **the hosts used cover the demand**: per dimension, the capacity of the hosts used, less the hosts that dedicated
  workloads take, is at least the smallest demand of the other workloads (each in its cheapest form anywhere), when
  every placeable workload is placed.

`fleetpack.exact.symmetry.pruning` switches them off with the rest of what issue 18 added.
"""

from __future__ import annotations

from collections import defaultdict

from .instance import _Instance
from .symmetry import pruning_on


def add_capacity_cuts(m, inst: _Instance, per_host: dict, used: dict, fixed: bool) -> None:
    """Add the cuts above to the assignment model ``m``: ``per_host`` maps a host to its (type, form, variable,
    most) items, ``used`` a host to its Boolean; ``fixed``: every placeable workload is placed."""
    if not pruning_on() or inst.problem.overbook is not None:  # (rows with ratios weigh units unevenly)
        return
    from ortools.sat.python.cp_model import LinearExpr

    dedicated_on: dict[int, list] = defaultdict(list)
    for j, items in per_host.items():
        cap = inst.classes[inst.class_of[j]].cap
        ded = [v for t, _, v, _ in items if inst.types[t].dedicated]
        dedicated_on[j] = ded
        rest = [(t, f, v) for t, f, v, _ in items if not inst.types[t].dedicated]
        if not ded or not rest:
            continue
        k = inst.class_of[j]
        for d in range(inst.D):
            terms = [(v, inst.types[t].options[k][f][d]) for t, f, v in rest if inst.types[t].options[k][f][d]]
            if terms:
                m.add(LinearExpr.weighted_sum([v for v, _ in terms], [e for _, e in terms])
                      <= cap[d] * used[j] - cap[d] * LinearExpr.sum(ded))
    if not fixed:
        return
    for d in range(inst.D):
        demand = 0
        for t in inst.placeable_types:
            typ = inst.types[t]
            if not typ.dedicated:
                demand += len(typ.members) * min(e[d] for o in typ.options.values() for e in o.values())
        if demand <= 0:
            continue
        hs = [j for j in used if inst.classes[inst.class_of[j]].cap[d] > 0]
        caps = [inst.classes[inst.class_of[j]].cap[d] for j in hs]
        room = LinearExpr.weighted_sum([used[j] for j in hs], caps)
        taken = [(v, c) for j, c in zip(hs, caps) for v in dedicated_on[j]]
        if taken:
            room = room - LinearExpr.weighted_sum([v for v, _ in taken], [c for _, c in taken])
        m.add(room >= demand)
