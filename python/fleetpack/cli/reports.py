"""What ``verify`` and ``place --json`` print: a plan's verdict with its counts, and a machine-readable summary.

A verdict always says how much of the fleet the plan places ("placed 196 of 198 workloads"), and says so when none
of the plan's workloads are in the fleet: a plan made for another fleet would otherwise read as a list of unknown
workloads. A long list of broken rules is grouped by rule with counts and a few examples each, as the Kubernetes
scheduler says "0/60 nodes are available: 3 Insufficient cpu, 57 node(s) didn't match ...", not 200 lines.
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

__all__ = ["LISTED_IN_FULL", "EXAMPLES_PER_RULE", "plan_counts", "verify_report", "place_summary", "freed_hosts"]

LISTED_IN_FULL = 10  # violations up to this many are listed one per line; more are grouped by rule
EXAMPLES_PER_RULE = 3


def plan_counts(fleet, plan: Mapping) -> dict:
    """How much of ``fleet`` a plan file's object places: ``placed`` (distinct fleet workloads it assigns),
    ``hosts`` (distinct fleet hosts they use), ``listed`` (workloads the plan names at all, placed or unplaced) and
    ``known`` (of those, the ones in the fleet)."""
    w_ids = {w.id for w in fleet.workloads}
    h_ids = {h.id for h in fleet.hosts}
    assignments = plan.get("assignments")
    assignments = [a for a in assignments if isinstance(a, Mapping)] if isinstance(assignments, list) else []
    unplaced = plan.get("unplaced")
    named = {str(a.get("workload")) for a in assignments}
    named |= {str(k) for k in unplaced} if isinstance(unplaced, Mapping) else set()
    placed = {str(a.get("workload")) for a in assignments} & w_ids
    hosts = {str(a.get("host")) for a in assignments if str(a.get("workload")) in w_ids} & h_ids
    return {"placed": len(placed), "workloads": len(w_ids), "hosts": len(hosts), "listed": len(named),
            "known": len(named & w_ids)}


def verify_report(source: str, counts: dict, violations: Sequence, *, show_all: bool = False) -> str:
    """The verdict on a plan file, for people: valid or not, how much it places, and the broken rules (grouped by
    rule when there are more than `LISTED_IN_FULL`, unless ``show_all``)."""
    placed = (f"placed {counts['placed']} of {counts['workloads']} workload{'s' if counts['workloads'] != 1 else ''}"
              f" on {counts['hosts']} host{'s' if counts['hosts'] != 1 else ''}")
    lines = []
    if not violations:
        lines.append(f"{source}: plan is valid: {placed}.")
    else:
        n = len(violations)
        lines.append(f"{source}: plan breaks {n} rule{'s' if n != 1 else ''}; {placed}.")
    if counts["listed"] and not counts["known"]:
        lines.append(f"None of the workloads the plan names ({counts['listed']}) are in this fleet: is it a plan "
                     "for another fleet?")
    if violations and (show_all or len(violations) <= LISTED_IN_FULL):
        lines += [f"  {v.rule}: {v.message}" for v in violations]
    elif violations:
        by_rule: dict[str, list] = {}
        for v in violations:
            by_rule.setdefault(v.rule, []).append(v)
        ranked = sorted(by_rule.items(), key=lambda item: -len(item[1]))  # (stable: ties in order of first report)
        lines.append("  " + ", ".join(f"{len(vs)} {rule}" for rule, vs in ranked))
        for rule, vs in ranked:
            lines.append(f"  {rule} ({len(vs)}):")
            lines += [f"    {v.message}" for v in vs[:EXAMPLES_PER_RULE]]
            if len(vs) > EXAMPLES_PER_RULE:
                lines.append(f"    ... and {len(vs) - EXAMPLES_PER_RULE} more")
        lines.append("(--all lists every one)")
    return "\n".join(lines) + "\n"


def place_summary(fleet, plan, *, output: str | None, plot: str | None) -> dict:
    """``fleetpack place --json``: the plan's summary as data. Keys (README's command-line section describes each):
    ``workloads``, ``placed``, ``unplaced``, ``hosts``, ``hosts_used``, ``legacy_servers``, ``vms``,
    ``containers``, ``objective``, ``objective_value``, ``cost``, ``lower_bound``, ``gap``, ``proven_optimal``,
    ``method``, ``strategy``, ``elapsed``, ``utilization``, ``plan_file``, ``picture``; for a live fleet also
    ``moves``, ``move_cost`` and ``hosts_freed`` (hosts that run workloads now and none in the plan); with group
    rules, ``penalty`` and ``soft_violations`` (the soft rules with excess: rule, excess, penalty)."""
    gap = plan.gap
    return {
        "workloads": len(fleet.workloads),
        "placed": plan.placed,
        "unplaced": {wid: {"code": u.code, "message": u.message} for wid, u in plan.unplaced.items()},
        "hosts": len(fleet.hosts),
        "hosts_used": plan.hosts_used,
        "legacy_servers": fleet.legacy_servers,
        "vms": plan.vms,
        "containers": plan.containers,
        "objective": plan.objective,
        "objective_value": plan.objective_value,
        "cost": plan.cost,
        "lower_bound": plan.lower_bound,
        "gap": None if math.isinf(gap) else gap,
        "proven_optimal": plan.proven_optimal,
        "method": plan.method,
        "strategy": plan.strategy,
        "elapsed": plan.elapsed,
        "utilization": {h: dict(u) for h, u in plan.utilization.items()},
        "plan_file": output,
        "picture": plot,
        **({"moves": plan.move_count, "move_cost": plan.move_cost, "hosts_freed": freed_hosts(fleet, plan)}
           if getattr(plan, "live", False) else {}),
        **({"penalty": plan.penalty, "soft_violations": [v.to_dict() for v in plan.soft_violations]}
           if getattr(plan, "has_rules", False) else {}),
    }


def freed_hosts(fleet, plan) -> list[str]:
    """The hosts some workload of ``fleet`` runs on now (its ``current``) that ``plan`` leaves empty, in the
    fleet's order: what a re-plan frees."""
    running = {w.current for w in fleet.workloads if w.current is not None}
    used = {a.host for a in plan.assignments}
    return [h.id for h in fleet.hosts if h.id in running and h.id not in used]

