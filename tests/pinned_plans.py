"""The plans fleetpack makes for a fixed set of fleets, as data: pinned before the restructuring (issue 13) so that
moving code cannot change a plan unnoticed.

``python tests/pinned_plans.py`` rewrites ``tests/data/pinned_plans.json``; do that only when a plan is meant to
change, and say why in the commit. ``test_pinned_plans.py`` compares.
"""

from __future__ import annotations

import json
import pathlib
import sys

import fleetpack as fp
from fleetpack import generators

ROOT = pathlib.Path(__file__).resolve().parent.parent
PINNED = pathlib.Path(__file__).resolve().parent / "data" / "pinned_plans.json"

HEURISTICS = ("ff", "ffd", "bfd", "wfd")
SORT_KEYS = ("sum", "max", "l2", "prod")
OBJECTIVES = ("hosts", "cost", "spread")


def fleets() -> dict[str, tuple]:
    """name -> (workloads, hosts, overheads): the shipped examples and generated fleets of every kind."""
    out = {}
    demo = fp.load_fleet(ROOT / "examples" / "consolidation.json")
    out["consolidation"] = (demo.workloads, demo.hosts, demo.overheads)
    kube = fp.from_kubernetes(ROOT / "examples" / "kube-pods.json", ROOT / "examples" / "kube-nodes.json",
                              current=False)  # the greenfield import, as pinned before live fleets
    out["kube"] = (kube.workloads, kube.hosts, kube.overheads)
    instances = [generators.realistic_fleet(n, seed) for n, seed in ((60, 1), (300, 2))]
    instances += [generators.realistic_fleet(400, 3, slack=1.0)]  # over-subscribed: not everything fits
    instances += [generators.falkenauer_uniform(120, 1), generators.scholl2(50, 2), generators.vector_class(4, 80, 3, 5),
                  generators.vector_class(9, 60, 2, 6), generators.perfect_packing(8, 7, d=2)]
    for inst in instances:
        out[inst.name] = (inst.workloads, inst.hosts, inst.overheads)
    return out


def describe(plan) -> dict:
    """What is pinned of a plan: host and form per workload, the unplaced, hosts used, cost, the bound."""
    return {
        "assignments": {a.workload: [a.host, a.form] for a in plan.assignments},
        "unplaced": sorted(plan.unplaced),
        "hosts_used": plan.hosts_used,
        "cost": round(float(plan.cost), 9),
        "lower_bound": round(float(plan.lower_bound), 9),
    }


def runs():
    """(key, plan) for every pinned call. ``auto`` runs on its deterministic work budget (no time limit)."""
    for name, (workloads, hosts, overheads) in fleets().items():
        for objective in OBJECTIVES:
            for method in HEURISTICS:
                keys = ("sum",) if method == "ff" else SORT_KEYS
                for key in keys:
                    plan = fp.place(workloads, hosts, objective=objective, method=method, sort_key=key,
                                    overheads=overheads)
                    yield f"{name}/{objective}/{method}/{key}", plan
            plan = fp.place(workloads, hosts, objective=objective, method="auto", overheads=overheads, workers=1)
            yield f"{name}/{objective}/auto", plan


def compute() -> dict:
    return {key: describe(plan) for key, plan in runs()}


if __name__ == "__main__":
    data = compute()
    PINNED.write_text(json.dumps(data, indent=0, sort_keys=True) + "\n")
    print(f"wrote {len(data)} plans to {PINNED}", file=sys.stderr)
