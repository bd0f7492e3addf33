"""What a plan's soft group rules cost to score (issue 16, `fleetpack.plan.penalty`), on a large columnar fleet.

100,000 workloads in 500 groups on 10,000 hosts in 3 zones and racks of 20, with 100 soft spread rules (per zone)
and 100 soft anti-affinity rules (at most 2 per rack): `ffd` with the rules, the same fleet without them, and
`soft_violations` alone on the plan (which `build_plan` runs once per plan). Then `auto` (its portfolio, the
improvement search and the search's penalty phase; at these sizes no exact stage) on the same fleet with the rules:
its seconds, hosts used and penalty against ffd's (tests/solve/test_penalty_phase.py verifies such plans). Prints seconds; no assertion.

    python benches/rule_penalty.py [--n 100000] [--no-auto]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

import fleetpack as fp
from fleetpack.plan.penalty import soft_violations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="workloads (hosts: a tenth; groups: n / 200)")
    parser.add_argument("--no-auto", action="store_true", help="ffd and the scoring only")
    args = parser.parse_args()
    warnings.simplefilter("ignore", fp.FleetpackWarning)
    n, m = args.n, args.n // 10
    rng = np.random.default_rng(0)
    workloads = pd.DataFrame({"id": [f"w{i}" for i in range(n)], "cpu": rng.integers(1, 4, n), "memory": ["2Gi"] * n,
                              "groups": [f"g{i % 500}" for i in range(n)]})
    hosts = pd.DataFrame({"id": [f"h{j}" for j in range(m)], "cpu": [64] * m, "memory": ["256Gi"] * m,
                          "labels.zone": [f"z{j % 3}" for j in range(m)],
                          "labels.rack": [f"r{j // 20}" for j in range(m)]})
    rules = [fp.Spread(f"g{g}", "zone", weight=1) for g in range(0, 500, 5)]
    rules += [fp.AntiAffinity(f"g{g}", scope="rack", max_per_domain=2, weight=3) for g in range(1, 500, 5)]
    t = time.perf_counter()
    plan = fp.place(workloads, hosts, rules=rules, method="ffd")
    with_rules = time.perf_counter() - t
    t = time.perf_counter()
    soft_violations(plan.problem, plan.host_index)
    scoring = time.perf_counter() - t
    t = time.perf_counter()
    fp.place(workloads.drop(columns=["groups"]), hosts, method="ffd")
    without = time.perf_counter() - t
    print(f"ffd with 200 soft rules: {with_rules:.2f} s (penalty {plan.penalty}); without rules: {without:.2f} s; "
          f"soft_violations alone: {scoring:.3f} s")
    if args.no_auto:
        return
    t = time.perf_counter()
    auto = fp.place(workloads, hosts, rules=rules)
    seconds = time.perf_counter() - t
    print(f"auto with 200 soft rules: {seconds:.2f} s, {auto.hosts_used} hosts (ffd {plan.hosts_used}), "
          f"placed {auto.placed} (ffd {plan.placed}), penalty {auto.penalty} (ffd {plan.penalty})")


if __name__ == "__main__":
    main()
