"""How large may an instance be for the exact stage of ``method="auto"`` to pay off? The measurements behind
``fleetpack.exact.AUTO_MAX_CANDIDATES`` / ``AUTO_MAX_ARCS`` / ``AUTO_WORK_LIMIT`` (docs/exact.md, "Threshold").

Run: ``python benches/exact_threshold.py [--seeds 5] [--sizes 10,20,40,80,160] [--work 10]``

For seeded fleet-like instances with every rule in play (few workload shapes, VMs and containers, tenant isolation,
anti-affinity groups, dedicated workloads, two or three host shapes), it runs the heuristic portfolio, then the exact
stage as ``auto`` runs it (deterministic CP-SAT) with a generous work limit, and prints per instance: the size
measures the threshold reads, whether the portfolio was already proven by the bound, the work (deterministic
seconds) and wall time CP-SAT needed, whether it proved optimality, and how much it improved on the portfolio.
"""

from __future__ import annotations

import argparse
import random
import time

import fleetpack as fp
from fleetpack import _core, exact
from fleetpack.model import build_problem

SHAPES = [(0.5, 1), (1, 2), (2, 4), (2, 8), (4, 16), (8, 32)]  # cores, GiB


def fleet(n: int, seed: int):
    """``n`` workloads of six shapes with every rule in play, and hosts of two or three shapes."""
    rng = random.Random(seed)
    workloads = []
    i = 0
    while len(workloads) < n:
        cpu, mem = rng.choice(SHAPES)
        kind = rng.random()
        if kind < 0.1 and n - len(workloads) >= 3:  # a replica set
            group = f"g{i}"
            for r in range(3):
                workloads.append(fp.Workload(f"w{len(workloads)}", cpu=cpu, memory=f"{mem}Gi", anti_affinity=group))
        elif kind < 0.15:
            workloads.append(fp.Workload(f"w{len(workloads)}", cpu=cpu, memory=f"{mem}Gi", isolation="dedicated"))
        elif kind < 0.3:
            workloads.append(fp.Workload(f"w{len(workloads)}", cpu=cpu, memory=f"{mem}Gi", tenant=rng.choice("ab"),
                                         isolation="tenant"))
        else:
            workloads.append(fp.Workload(f"w{len(workloads)}", cpu=cpu, memory=f"{mem}Gi",
                                         form=rng.choice(["any", "any", "vm", "container"]),
                                         os=rng.choice(["linux"] * 5 + ["windows"])))
        i += 1
    workloads = workloads[:n]
    host_shapes = rng.sample([(16, 64), (32, 128), (48, 256), (64, 256)], rng.choice([2, 3]))
    total_cpu = sum(w.cpu_millis for w in workloads) / 1000
    hosts = []
    j = 0
    while sum(h.cpu_millis for h in hosts) / 1000 < 1.6 * total_cpu + 32 or len(hosts) < 3:
        cpu, mem = host_shapes[j % len(host_shapes)]
        hosts.append(fp.Host(f"h{j}", cpu=cpu, memory=f"{mem}Gi", hypervisor=rng.choice(["hardware", "paravirtual"]),
                             cost=1.0 + 0.5 * (j % len(host_shapes))))
        j += 1
    return workloads, hosts


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--sizes", default="10,20,40,80,160")
    ap.add_argument("--objectives", default="hosts,cost,spread")
    ap.add_argument("--work", type=float, default=10.0, help="CP-SAT work limit (deterministic seconds)")
    ap.add_argument("--workers", type=int, default=None)
    args = ap.parse_args(argv)
    print("objective  n   m  candidates   arcs  proven_by_bound  formulation  work_s  wall_s  optimal  "
          "heuristic  exact  bound")
    for objective in args.objectives.split(","):
        for n in map(int, args.sizes.split(",")):
            for seed in range(args.seeds):
                workloads, hosts = fleet(n, seed)
                problem = build_problem(workloads, hosts)
                answer = _core.place(problem.encode(), "auto", "sum", objective, None)
                start = exact.as_start(answer)
                inst = exact._Instance(problem, objective)
                candidates = exact.assignment_size(inst)
                af = exact._ArcFlow(inst, states=exact._AUTO_GRAPH_STATE_BUDGET) if objective != "spread" else None
                arcs = af.arcs if af is not None and af.ok else -1
                heuristic_value = exact._float_value(problem, objective, start[0], start[1])
                t = time.perf_counter()
                r = exact.solve(problem, objective, start, work_limit=args.work, deterministic=True,
                                workers=args.workers, _prepared=(inst, af))
                wall = time.perf_counter() - t
                value = exact._float_value(problem, objective, r.hosts, r.forms)
                by_bound = r.formulation in ("bound", "none")
                print(f"{objective:9} {n:3} {len(hosts):3} {candidates:10} {arcs:6}  {str(by_bound):15}  "
                      f"{r.formulation:11}  {r.timings.get('cp_sat_work', 0.0):6.2f}  {wall:6.2f}  {str(r.optimal):7}  "
                      f"{heuristic_value:9.4g}  {value:5.4g}  {r.lower_bound:5.4g}", flush=True)


if __name__ == "__main__":
    main()
