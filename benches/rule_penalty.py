"""What a plan's soft group rules cost to score (issue 16, `fleetpack.plan.penalty`), on a large columnar fleet.

100,000 workloads in 500 groups on 10,000 hosts in 3 zones and racks of 20, with 100 soft spread rules (per zone)
and 100 soft anti-affinity rules (at most 2 per rack): `ffd` with the rules, the same fleet without them, and
`soft_violations` alone on the plan (which `build_plan` runs once per plan). Prints seconds; no assertion.

    python benches/rule_penalty.py
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

import fleetpack as fp
from fleetpack.plan.penalty import soft_violations


def main() -> None:
    n, m = 100_000, 10_000
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


if __name__ == "__main__":
    main()
