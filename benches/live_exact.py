"""Small live fleets proven optimal under their move budget by `auto` (issue 15): CP-SAT's live model (exact/live.py)
after the core's live search, with no time limit (CP-SAT's deterministic work budget).

The fleets are made as benches/live.py makes them, at 20 to 60 workloads: benches/columns.py's workloads of 0.25-8
cores and 0.5-32 GiB as containers without overheads, on hosts of 16 cores and 64 GiB (half as many again as their
demand needs), placed now as a spreading scheduler leaves them. Per fleet and budget (``max_moves`` 0, 2, 5, none):
the hosts of the plan, its lower bound, whether it is proven optimal (``proven``: the objective; ``moves proven``:
the move cost too, CP-SAT's second stage), the moves and the seconds of `fp.place`.

    python benches/live_exact.py            # 20, 40 and 60 workloads, three seeds each
    python benches/live_exact.py --quick    # 40 workloads, one seed
    python benches/live_exact.py --any      # the workloads may run as VMs or containers: twice the variables
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

import fleetpack as fp
from columns import fleet_columns
from live import spread

BUDGETS = (0, 2, 5, None)


def fleet(n: int, seed: int, form: str = "container") -> tuple[list[fp.Workload], list[fp.Host]]:
    """``n`` workloads of benches/columns.py on hosts of 16 cores and 64 GiB, half as many again as their larger
    demand needs, where a spreading scheduler put them (benches/live.py; those that fit nowhere are new)."""
    workloads, _ = fleet_columns(n, seed)
    demand = np.stack([workloads["cpu_millis"], workloads["memory_bytes"]], axis=1)
    host = np.array([16_000, 64 << 30], dtype=np.uint64)
    m = math.ceil(1.5 * max(int(demand[:, 0].sum()) / int(host[0]), int(demand[:, 1].sum()) / int(host[1])))
    capacity = np.tile(host, (m, 1))
    current = spread(demand, capacity).tolist()
    hs = [fp.Host(f"h{j}", cpu=16, memory="64Gi") for j in range(m)]
    ws = [fp.Workload(f"w{i}", cpu=f"{int(c)}m", memory=int(b), form=form, current=None if j < 0 else f"h{j}")
          for i, ((c, b), j) in enumerate(zip(demand.tolist(), current))]
    return ws, hs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--any", action="store_true", help="workloads of form 'any' (VM or container)")
    args = parser.parse_args()
    sizes, seeds = ((40,), (0,)) if args.quick else ((20, 40, 60), (0, 1, 2))
    print("| workloads | hosts | used now | max_moves | plan hosts | bound | proven | moves proven | moves | seconds |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | :---: | :---: | ---: | ---: |")
    slowest, unproven = 0.0, 0
    for n in sizes:
        for seed in seeds:
            ws, hs = fleet(n, seed, "any" if args.any else "container")
            used = len({w.current for w in ws if w.current is not None})
            for budget in BUDGETS:
                t = time.perf_counter()
                plan = fp.place(ws, hs, overheads=fp.Overheads.none(), max_moves=budget)
                seconds = time.perf_counter() - t
                assert fp.verify(ws, hs, plan, fp.Overheads.none(), max_moves=budget) == []
                slowest = max(slowest, seconds)
                unproven += not plan.proven_optimal
                print(f"| {n} | {len(hs)} | {used} | {'none' if budget is None else budget} | {plan.hosts_used} | "
                      f"{plan.lower_bound:g} | {'yes' if plan.proven_optimal else 'no'} | "
                      f"{'yes' if plan.strategy.endswith(':optimal') or plan.move_count == 0 else 'no'} | "
                      f"{plan.move_count} | {seconds:.2f} |")
    print(f"\nslowest {slowest:.2f} s; {unproven} plan(s) not proven optimal")


if __name__ == "__main__":
    main()
