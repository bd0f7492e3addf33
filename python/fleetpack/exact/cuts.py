"""Redundant constraints of the assignment model (issue 18): they cut no plan off, and they tell CP-SAT's linear
relaxation and propagation what the per-host rows leave implicit.

- **a dedicated host holds nothing else**, in capacity form: per host and dimension, the load of the non-dedicated
  workloads is at most ``cap × (used − dedicated there)``. The row "at most one workload beside a dedicated one"
  lets the relaxation count a dedicated workload's host as free room for the others; this one does not.
- **the hosts used cover the demand**: per dimension, the capacity of the hosts used, less the hosts that dedicated
  workloads take, is at least the smallest demand of the other workloads (each in its cheapest form anywhere), when
  every placeable workload is placed.

- **the rules add up** (`add_rule_cuts`): a host holds at most one of: a dedicated workload, an isolated tenant's
  containers (one tenant's), a member of a given anti-affinity group (as a container, beside no other tenant's
  isolated containers). Per host, ``dedicated + Σ isolated-tenant flags <= used`` and, for the largest group of
  each tenant, ``its members there (as containers) + dedicated + Σ the other tenants' isolated flags <= used``;
  each isolated tenant whose isolated workloads run only as containers needs hosts of its own (flags at least 1,
  and their room covers those workloads). Summed over the hosts, the relaxation then sees that 4 dedicated
  workloads, 3 isolated tenants and a group of 4 replicas of a fourth tenant need 11 hosts (the capacity rows
  alone gave 8). Valid for every plan whose flags are on only where the workloads need them (the hint's).

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


def add_rule_cuts(m, inst: _Instance, per_host: dict, used: dict, iso_flags: dict, fixed: bool) -> list:
    """Add the rule cuts above to the assignment model ``m`` (``per_host`` and ``used`` as in `add_capacity_cuts`;
    ``iso_flags``: (host, tenant) -> the flag "runs this isolated tenant's containers" where the model has one).
    Flags are made where a host may run an isolated tenant's containers and has none yet; returns them as (flag,
    host, tenant), for the hint."""
    if not pruning_on():
        return []
    from ortools.sat.python.cp_model import LinearExpr

    made = []
    # per tenant, the anti-affinity group with the most members; a group counts for its tenant only when all its
    # members share it
    members: dict[str, set] = defaultdict(set)
    tenants_of: dict[str, set] = defaultdict(set)
    for t in inst.placeable_types:
        typ = inst.types[t]
        if typ.group is not None:
            members[typ.group].update(typ.members)
            tenants_of[typ.group].add(typ.tenant)
    largest: dict[str | None, str] = {}  # tenant (None: a group of several tenants) -> group
    for g in sorted(members, key=lambda g: (-len(members[g]), g)):
        owner = next(iter(tenants_of[g])) if len(tenants_of[g]) == 1 else None
        largest.setdefault(owner, g)
    chosen = {g: owner for owner, g in largest.items()}
    cover: dict[str, list] = defaultdict(list)  # isolated tenant -> (flag, room per dimension)
    for j, items in per_host.items():
        k = inst.class_of[j]
        cap = inst.classes[k].cap
        iso_vars: dict[str, list] = defaultdict(list)
        for t, f, v, most in items:
            typ = inst.types[t]
            if f == "container" and typ.isolation == "tenant":
                iso_vars[typ.tenant].append((v, most))
        flags = {}
        for tenant, vs in sorted(iso_vars.items()):
            flag = iso_flags.get((j, tenant))
            if flag is None:
                flag = m.new_bool_var(f"iso{j}_{tenant}_r")
                made.append((flag, j, tenant))
                for v, most in vs:
                    m.add(v <= most * flag)
            flags[tenant] = flag
            cover[tenant].append((flag, [max(c - r, 0) for c, r in zip(cap, inst.rt)]))
        ded = [v for t, _, v, _ in items if inst.types[t].dedicated]
        if flags:  # (a dedicated workload alone is within `used` already)
            m.add(LinearExpr.sum(list(flags.values()) + ded) <= used[j])
        in_group: dict[str, list] = defaultdict(list)
        for t, f, v, _ in items:
            g = inst.types[t].group
            # (a dedicated member is counted by ``ded`` already)
            if g in chosen and not inst.types[t].dedicated and (f == "container" or chosen[g] is None):
                in_group[g].append(v)
        for g, vs in in_group.items():
            owner = chosen[g]
            others = [b for tenant, b in flags.items() if owner is not None and tenant != owner]
            if ded or others:
                m.add(LinearExpr.sum(vs + ded + others) <= used[j])
    if not fixed:
        return made
    # an isolated tenant whose isolated workloads run only as containers needs hosts of its own that hold them
    need: dict[str, list[int]] = {}
    for t in inst.placeable_types:
        typ = inst.types[t]
        if typ.isolation != "tenant" or any(set(o) != {"container"} for o in typ.options.values()):
            continue
        demand = [len(typ.members) * min(o["container"][d] for o in typ.options.values()) for d in range(inst.D)]
        need[typ.tenant] = [a + b for a, b in zip(need.get(typ.tenant, [0] * inst.D), demand)]
    for tenant, demand in need.items():
        flags_rooms = cover.get(tenant, [])
        if not flags_rooms:
            continue
        m.add(LinearExpr.sum([b for b, _ in flags_rooms]) >= 1)
        for d in range(inst.D):
            if demand[d] > 0:
                m.add(LinearExpr.weighted_sum([b for b, _ in flags_rooms], [r[d] for _, r in flags_rooms])
                      >= demand[d])
    return made
