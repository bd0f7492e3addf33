"""The real provider's case (issue 18): Huawei Cloud's 1,710 servers and 4,998 VM requests under `auto`.

    python benches/huawei.py [--time-limit 60] [--objective hosts] [--data DIR] [--rules]

Reads /work/shared/data/huawei_vm_placement (or $FLEETPACK_SHARED_DATA/huawei_vm_placement, or --data) with
`fleetpack.datasets.read_huawei_2023` (NUMA nodes pooled, anti-affinity groups kept, rack rules not: a first
reading) and prints the plan, the bound, the gap, the time, the used hosts' mean CPU and memory utilisation, and what
`fp.verify` finds wrong with the plan (nothing, when it keeps every rule).
``--rules`` reads the rack rules too (``read_huawei_2023(rules=True)``: hosts labelled ``rack``, affinity groups in
one rack, fault-domain groups' domains on distinct racks) and places with them; it then counts, on the requests,
the affinity groups the plan spreads over two racks and the fault-domain groups it gives a rack with VMs of two
domains (the reading keeps one VM per domain apart: the others are not held to it). Without ``--rules`` the same
counts say what a plan blind to the rack rules breaks. The numbers are in docs/research.md.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import time
import warnings
from pathlib import Path

import fleetpack as fp
from fleetpack.datasets import read_huawei_2023


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--time-limit", type=float, default=None, help="seconds (default: auto's work budget)")
    parser.add_argument("--objective", default="hosts", choices=["hosts", "cost"])
    parser.add_argument("--data", default=None, help="the folder of servers.csv, topology.csv and the requests")
    parser.add_argument("--rules", action="store_true", help="the rack rules as group rules (rules=True)")
    args = parser.parse_args()
    warnings.simplefilter("ignore", fp.FleetpackWarning)
    shared = Path(os.environ.get("FLEETPACK_SHARED_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data")
    folder = Path(args.data) if args.data else shared / "huawei_vm_placement"
    inst = read_huawei_2023(folder, rules=args.rules)
    print(f"fleetpack from {fp.__file__}")
    print(f"{inst.name}: {len(inst.workloads)} VMs, {len(inst.hosts)} servers; objective {args.objective}, "
          f"time limit {args.time_limit}; {len(inst.rules)} group rules")
    start = time.perf_counter()
    plan = fp.place(inst.workloads, inst.hosts, overheads=inst.overheads, objective=args.objective,
                    time_limit=args.time_limit, rules=inst.rules or None)
    seconds = time.perf_counter() - start
    used = plan.utilization.values()
    cpu = statistics.mean(u["cpu"] for u in used)
    memory = statistics.mean(u["memory"] for u in plan.utilization.values())
    print("| placed | plan | bound | gap | s | used hosts' mean cpu | mean memory | strategy |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    print(f"| {len(plan.assignments)} | {plan.objective_value:.6g} | {plan.lower_bound:.6g} | {plan.gap:.1%} | "
          f"{seconds:.1f} | {cpu:.1%} | {memory:.1%} | {plan.strategy} |")
    print(f"bound: {plan.bound_reason}")
    violations = fp.verify(inst.workloads, inst.hosts, plan, inst.overheads, rules=inst.rules or None)
    print(f"fp.verify: {len(violations)} violations{''.join(f'; {v}' for v in violations[:3])}")
    broken = _rack_rules_broken(folder, plan)
    print(f"rack rules broken by the plan (FORMAT.md's readings): {broken['affinity']} affinity groups in more "
          f"than one rack, {broken['fault_domain']} fault-domain groups with two domains in one rack")


def _rack_rules_broken(folder: Path, plan: fp.Plan) -> dict[str, int]:
    """The groups whose rack rule (FORMAT.md's readings) the plan breaks, checked here on the requests: an affinity
    group with placed VMs in two racks; a fault-domain group with a rack that holds placed VMs of two domains."""
    seen: dict[tuple[str, str], dict[str, set[str]]] = {}  # (strategy, group) -> rack -> domains
    with open(folder / "vm_requests_C1.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            host = plan.host_of(f"vm-{row['request']}")
            if host is not None and row["strategy"] in ("affinity", "fault_domain"):
                racks = seen.setdefault((row["strategy"], row["group"]), {})
                racks.setdefault(host.rsplit("@rack-", 1)[1], set()).add(row["domain"])  # (ids name the rack)
    return {"affinity": sum(len(r) > 1 for (s, _), r in seen.items() if s == "affinity"),
            "fault_domain": sum(any(len(d) > 1 for d in r.values()) for (s, _), r in seen.items()
                                if s == "fault_domain")}


if __name__ == "__main__":
    main()
