"""The ``fleetpack buy`` sub-command: which hosts to buy for a fleet file's workloads (its ``host_types``, its
hosts as the existing ones), the purchase's cost against its lower bound, and the use of each type bought."""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import TextIO

from ..capacity import plan_capacity
from ..capacity.result import CapacityPlan
from ..errors import InfeasibleError
from ..fleetfile import load_fleet
from ..verify_capacity import verify_capacity
from .argtypes import budget, positive_int, positive_seconds, seed
from .outputs import check_outputs

__all__ = ["add_parser", "run_buy", "purchase_summary"]

_EPILOG = """\
examples:
  fleetpack buy examples/capacity.json                       # the cheapest purchase
  fleetpack buy examples/capacity.json --spare 1 --max-types 2 --plot buy.png
  fleetpack buy examples/capacity.json --objective hosts -o purchase.json
  fleetpack buy examples/capacity.json --spare 1 --spare-domain zone   # survive the loss of a zone

The fleet file lists "host_types" (name, cpu, memory, extra, os, hypervisor, containers, cost, max_workloads,
labels, available, taints, allocation_ratio); its "hosts" are the existing hosts (already paid for: cost 0 unless --existing-cost).
Workloads with a "current" host keep running there unless a move saves a purchase (--max-moves caps them).
The fleet's group "rules", "allocation_ratio" and "max_utilization" hold on the hosts bought too.
Every purchase is checked by fleetpack.verify_capacity before it is printed.
exit status: 0 success; 1 workloads no host type can take (or --spare that no type can keep); 2 bad input."""


def add_parser(subparsers) -> None:
    """Register ``buy`` on the ``fleetpack`` command's subparsers."""
    p = subparsers.add_parser(
        "buy", help="which hosts to buy from a fleet file's host_types so that every workload is placed",
        description="Buy hosts of the fleet file's host_types so that every workload is placed under every rule, "
                    "at least cost; print the purchase, its cost against the lower bound, and the use of each "
                    "type bought.", epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("fleet", metavar="FLEET", help="the fleet file (.json, or .yaml/.yml) with host_types")
    p.add_argument("--spare", type=int, default=0, metavar="K",
                   help="survive the loss of the K largest hosts (or domains): their room kept free in every "
                        "dimension (default 0)")
    p.add_argument("--spare-domain", metavar="LABEL",
                   help="with --spare: the failure domains are the hosts sharing this label's value (say zone)")
    p.add_argument("--max-moves", type=budget, metavar="N",
                   help="a live fleet: move at most N workloads from where they run")
    p.add_argument("--max-types", type=positive_int, metavar="N", help="buy at most N distinct types")
    p.add_argument("--objective", choices=("cost", "hosts"), default="cost",
                   help="least cost (default) or fewest hosts bought")
    p.add_argument("--existing-cost", action="store_true", help="the existing hosts cost their cost when used")
    p.add_argument("--time-limit", type=positive_seconds, metavar="S", help="time limit of the placement")
    p.add_argument("--seed", type=seed, default=0, metavar="N", help="random seed (default: 0)")
    p.add_argument("-o", "--output", metavar="JSON", help="write the purchase (CapacityPlan.to_json) to this file")
    p.add_argument("--plot", metavar="IMAGE", help="draw the plan on the fleet bought (needs matplotlib)")
    p.add_argument("--json", action="store_true", help="print the purchase as JSON data (without the plan)")
    p.set_defaults(run=run_buy, command_parser=p)


def run_buy(args: argparse.Namespace, out: TextIO) -> int:
    check_outputs(args.output, args.plot)
    fleet = load_fleet(args.fleet)
    try:
        purchase = plan_capacity(fleet.workloads, fleet.host_types, fleet.hosts, fleet.overheads,
                                 objective=args.objective, spare=args.spare, max_types=args.max_types,
                                 time_limit=args.time_limit, seed=args.seed, existing_cost=args.existing_cost,
                                 spare_domain=args.spare_domain, max_moves=args.max_moves, rules=fleet.rules,
                                 **fleet.ratio_options())
    except InfeasibleError as exc:
        print(f"fleetpack: error: {exc}", file=sys.stderr)
        return 1
    violations = verify_capacity(fleet.workloads, fleet.host_types, purchase, fleet.hosts, fleet.overheads)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(purchase.to_json() + "\n")
    if args.plot:
        purchase.plan.plot(args.plot)
    if args.json:
        data = purchase.to_dict()
        del data["plan"]
        out.write(json.dumps(data, indent=2) + "\n")
    else:
        out.write(purchase_summary(purchase))
    for v in violations:  # (never expected: the planner's own check)
        print(f"fleetpack: invalid purchase: {v}", file=sys.stderr)
    return 1 if violations or purchase.unplaced else 0


def purchase_summary(purchase: CapacityPlan) -> str:
    """The purchase in words: what to buy, its cost against the bound, per type the use of what is bought."""
    lines = []
    bought = ", ".join(f"{count} x {kind}" for kind, count in purchase.buy.items()) or "nothing"
    lines.append(f"Buy: {bought} ({purchase.hosts_bought} host{'s' if purchase.hosts_bought != 1 else ''}).")
    gap = "inf" if math.isinf(purchase.gap) else f"{purchase.gap:.1%}"
    optimal = " (proven optimal)" if purchase.proven_optimal else ""
    bound = f"lower bound {purchase.lower_bound:g}, gap {gap}{optimal}"
    if purchase.objective == "hosts":
        lines.append(f"Cost: {purchase.cost:g}; hosts bought {purchase.objective_value:g}, {bound}.")
    else:
        lines.append(f"Cost: {purchase.cost:g} ({bound}).")
    if purchase.bound_reason:
        lines.append(f"Bound: {purchase.bound_reason}.")
    used_existing = len({a.host for a in purchase.plan.assignments} & set(purchase.existing))
    if purchase.existing:
        lines.append(f"Existing hosts used: {used_existing} of {len(purchase.existing)}.")
    if purchase.spare:
        lost = (f"{purchase.spare} domain(s) of label {purchase.spare_domain!r}" if purchase.spare_domain
                else f"{purchase.spare} host(s)")
        lines.append(f"Spare: the fleet holds every workload after the loss of any {lost}.")
    if purchase.plan.live:
        lines.append(f"Moves: {purchase.plan.move_count} workload(s) moved from where they run.")
    util = purchase.type_utilization()
    if util:
        dims = purchase.plan.dimensions
        lines.append("Utilisation of the hosts bought, per type:")
        width = max(len(k) for k in util)
        lines.append("  " + "type".ljust(width) + "  count  " + "  ".join(f"{d:>7}" for d in dims))
        for kind, by_dim in util.items():
            lines.append("  " + kind.ljust(width) + f"  {purchase.buy[kind]:>5}  "
                         + "  ".join(f"{by_dim[d]:>7.1%}" for d in dims))
    for note in purchase.notes:
        lines.append(f"Note: {note}.")
    if purchase.unplaced:
        lines.append(f"Unplaced: {len(purchase.unplaced)} workload(s) no host type or existing host can take:")
        for wid, u in list(purchase.unplaced.items())[:10]:
            lines.append(f"  {wid}: {u.message}")
    return "\n".join(lines) + "\n"
