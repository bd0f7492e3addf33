"""Capacity planning under group rules and overcommit (issue 17 with issue 16's rules): what the rules and ratios
cost a purchase, against its bound, and how long it takes.

On generated demand (`fleetpack.generators.realistic_fleet`, default overheads) and the first 3 host types of
benches/capacity.py, each sold in zones a, b and c (a ``zone`` label), four purchases, each checked by
`fleetpack.verify_capacity`: without rules or ratios; with CPU overcommitted 2:1 (``allocation_ratio``); with every
anti-affinity group of the fleet spread over the zones (`fleetpack.Spread`, hard) and at most half of it (rounded
up) in one zone (`fleetpack.AntiAffinity` per zone); and with both.

    python benches/capacity_rules.py                 # n = 200 and 1000
    python benches/capacity_rules.py --n 200
"""

from __future__ import annotations

import argparse
import math
import time
from collections import Counter

import fleetpack as fp
from fleetpack.generators import realistic_fleet

from capacity import host_types


def zoned(k: int) -> list[fp.HostType]:
    return [fp.HostType(f"{t.name}-{z}", cpu=t.cpu, memory=t.memory, extra=t.extra, os=t.os, hypervisor=t.hypervisor,
                        containers=t.containers, cost=t.cost, max_workloads=t.max_workloads, labels={"zone": z})
            for t in host_types(k) for z in "abc"]


def rules_of(ws) -> list:
    sizes = Counter(w.anti_affinity for w in ws if w.anti_affinity is not None)
    out: list = []
    for group, k in sorted(sizes.items()):
        out.append(fp.Spread(group, "zone"))
        out.append(fp.AntiAffinity(group, scope="zone", max_per_domain=math.ceil(k / 2)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, action="append", help="workloads (repeatable; default 200 and 1000)")
    parser.add_argument("--types", type=int, default=3, help="host types of benches/capacity.py (each in 3 zones)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(f"{'n':>6} {'rules':>5} {'ratio':>5} {'cost':>8} {'bound':>8} {'gap':>6} {'seconds':>7}  purchase")
    for n in args.n or [200, 1000]:
        inst = realistic_fleet(n=n, seed=args.seed)
        ws, over = list(inst.workloads), inst.overheads
        types = zoned(args.types)
        rules = rules_of(ws)
        for with_rules, ratio in ((False, None), (False, {"cpu": 2}), (True, None), (True, {"cpu": 2})):
            began = time.perf_counter()
            purchase = fp.plan_capacity(ws, types, overheads=over, seed=args.seed, allocation_ratio=ratio,
                                        rules=rules if with_rules else ())
            seconds = time.perf_counter() - began
            assert fp.verify_capacity(ws, types, purchase, overheads=over) == []
            bought = ", ".join(f"{v} {k}" for k, v in purchase.buy.items())
            print(f"{n:>6} {len(rules) if with_rules else 0:>5} {'2:1' if ratio else '-':>5} {purchase.cost:>8.1f} "
                  f"{purchase.lower_bound:>8.1f} {purchase.gap:>6.1%} {seconds:>7.1f}  {bought}; unplaced "
                  f"{len(purchase.unplaced)}", flush=True)


if __name__ == "__main__":
    main()
