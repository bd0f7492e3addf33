"""The count comes first (issue 18): how many workloads default ``auto`` places when not everything fits.

Two measures, comparable before and after the change (only public entry points are used, so the same script runs
on any build: check the first line it prints, ``fleetpack.__file__``):

- the Alibaba GPU 2023 trace (all nodes, the default pod list; ``../shared/data`` or $FLEETPACK_SHARED_DATA,
  skipped when absent): placed, left out, how many of the left out fit the final plan one at a time, and how many
  a plain first-fit-decreasing pass over the plan's leftover capacity places;
- 10 over-subscribed random fleets with every rule in play (600 workloads, 50 hosts of two sizes, hypervisors and
  OSes mixed): placed per objective, the most any heuristic places, and an upper bound on how many any plan can
  place (`count_upper_bound`: a linear relaxation solved by GLOP).

    python benches/count_first.py [--fleets 10] [--no-trace]
"""

from __future__ import annotations

import argparse
import os
import random
import time
import warnings
from pathlib import Path

import fleetpack as fp

ROOT = Path(__file__).resolve().parents[1]
OBJECTIVES = ("hosts", "cost", "spread")
HEURISTICS = [("ff", "sum")] + [(m, k) for m in ("ffd", "bfd", "wfd") for k in ("sum", "max", "l2", "prod")]


def _reference():
    """The reference rules (HostState) and the plan's host states, wherever this build keeps them."""
    try:
        from fleetpack.plan import host_states
        from fleetpack.problem import build_problem
        from fleetpack.rules import smallest_demand, static_forms
    except ImportError:  # the layout of issue 13
        from fleetpack.model.inputs import build_problem
        from fleetpack.model.rules import smallest_demand, static_forms
        from fleetpack.plan.scoring import host_states
    return build_problem, host_states, smallest_demand, static_forms


def left_out_that_fit(workloads, hosts, overheads, plan) -> tuple[int, int]:
    """(how many left-out workloads fit the final plan one at a time, how many an FFD pass over its leftover
    capacity places), by the reference rules."""
    build_problem, host_states, smallest_demand, static_forms = _reference()
    problem = build_problem(workloads, hosts, overheads)
    problem = getattr(problem, "materialize", lambda: problem)()
    host_pos = {h.id: j for j, h in enumerate(problem.hosts)}
    where = {a.workload: (host_pos[a.host], a.form) for a in plan.assignments}
    index = [where.get(w.id, (None, None)) for w in problem.workloads]
    left = [w for w, (j, _) in zip(problem.workloads, index) if j is None]

    def fitting(states, w):
        for j, s in enumerate(states):
            for form in static_forms(w, s.host):
                if s.blocker(w, form) is None:
                    return j, form
        return None

    states = host_states(problem, [j for j, _ in index], [f for _, f in index])
    alone = sum(fitting(states, w) is not None for w in left)
    scale = [max((problem.capacity(h)[d] for h in problem.hosts), default=0) for d in range(len(problem.dimensions))]
    size = lambda w: sum(a / s for a, s in zip(smallest_demand(problem, w), scale) if s > 0)  # noqa: E731
    ffd = 0
    for w in sorted(left, key=size, reverse=True):
        spot = fitting(states, w)
        if spot is not None:
            states[spot[0]].add(w, spot[1])
            ffd += 1
    return alone, ffd


def count_upper_bound(workloads, hosts, overheads=None) -> int:
    """An upper bound on how many workloads any valid plan places: the linear relaxation of "place the most" with
    ``x[w, h, form]`` in [0, 1] for every form the static rules allow and the workload's demand fits the empty host,
    each workload placed at most once, every host's capacity per dimension (its per-host overheads left out, which
    only loosens it), its ``max_workloads``, at most one member of an anti-affinity group per host, and a dedicated
    workload alone (its share on a host plus any other workload's share there is at most 1). Every valid
    plan is a solution of it, so its optimum (rounded down) bounds the count from above."""
    from ortools.linear_solver import pywraplp

    build_problem, _, _, static_forms = _reference()
    from fleetpack.model.rules import effective_demand

    problem = build_problem(workloads, hosts, overheads)
    problem = getattr(problem, "materialize", lambda: problem)()
    solver = pywraplp.Solver.CreateSolver("GLOP")
    placed = {}  # workload -> its variables
    load = {}  # (host, dimension) -> [(amount, variable)]
    per_host, per_group, dedicated = {}, {}, {}
    for i, w in enumerate(problem.workloads):
        for j, h in enumerate(problem.hosts):
            capacity = problem.capacity(h)
            for form in static_forms(w, h):
                demand = effective_demand(problem, w, form, h)
                if any(a > c for a, c in zip(demand, capacity)):
                    continue
                x = solver.NumVar(0, 1, "")
                placed.setdefault(i, []).append(x)
                per_host.setdefault(j, []).append(x)
                if w.isolation == "dedicated":
                    dedicated.setdefault(j, []).append(x)
                if w.anti_affinity is not None:
                    per_group.setdefault((j, w.anti_affinity), []).append(x)
                for d, amount in enumerate(demand):
                    if amount:
                        load.setdefault((j, d), []).append((amount, x))
    for xs in placed.values():
        solver.Add(sum(xs) <= 1)
    for (j, d), terms in load.items():
        solver.Add(sum(a * x for a, x in terms) <= problem.capacity(problem.hosts[j])[d])
    for j, xs in per_host.items():
        if problem.hosts[j].max_workloads is not None:
            solver.Add(sum(xs) <= problem.hosts[j].max_workloads)
    for xs in per_group.values():
        solver.Add(sum(xs) <= 1)
    for j, alone in dedicated.items():
        share = sum(alone)
        solver.Add(share <= 1)
        mine = {id(x) for x in alone}
        for x in per_host[j]:
            if id(x) not in mine:
                solver.Add(x + share <= 1)
    solver.Maximize(sum(x for xs in placed.values() for x in xs))
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return len(problem.workloads)
    return min(len(problem.workloads), int(solver.Objective().Value() + 1e-6))


def oversubscribed_fleet(seed: int, n: int = 600, m: int = 50):
    """``n`` workloads with every rule in play on ``m`` hosts of two sizes that cannot take them all."""
    rng = random.Random(seed)
    workloads = [
        fp.Workload(f"w{i}", cpu=f"{rng.randint(100, 4000)}m", memory=rng.randint(1, 12) * 2**29,
                    extra=rng.choice([None] * 7 + [{"gpu": 1}]), form=rng.choice(["any", "any", "vm", "container"]),
                    os=rng.choice(["linux"] * 3 + ["windows"]), tenant=rng.choice(["", "a", "b"]),
                    isolation=rng.choice(["none"] * 12 + ["tenant"] * 3 + ["dedicated"]),
                    anti_affinity=rng.choice([None] * 5 + [f"g{k}" for k in range(12)]))
        for i in range(n)
    ]
    hosts = []
    for j in range(m):
        big = rng.random() < 0.4
        hosts.append(fp.Host(f"h{j}", cpu=32 if big else 16, memory="64Gi" if big else "32Gi",
                             extra=rng.choice([None, None, None, {"gpu": 2}]), os=rng.choice(["linux"] * 3 + ["windows"]),
                             hypervisor=rng.choice(["hardware", "hardware", "paravirtual", "software", None]),
                             containers=rng.random() < 0.7, cost=2.0 if big else 1.0,
                             max_workloads=rng.choice([None, None, None, 24])))
    return workloads, hosts


def trace() -> None:
    folder = Path(os.environ.get("FLEETPACK_SHARED_DATA") or ROOT.parent / "shared" / "data") / "alibaba_gpu_v2023"
    if not folder.is_dir():
        print(f"GPU trace: skipped (no {folder})")
        return
    from fleetpack.datasets import read_alibaba_gpu_2023

    inst = read_alibaba_gpu_2023(folder / "openb_node_list_all_node.csv", folder / "openb_pod_list_default.csv")
    print(f"GPU trace ({len(inst.workloads)} pods, {len(inst.hosts)} nodes), default auto:")
    print("| objective | placed | left out | of them fit the plan alone | an FFD pass places | not_reached | time |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for objective in OBJECTIVES:
        start = time.perf_counter()
        plan = fp.place(inst.workloads, inst.hosts, objective=objective, overheads=inst.overheads)
        took = time.perf_counter() - start
        alone, ffd = left_out_that_fit(inst.workloads, inst.hosts, inst.overheads, plan)
        reached = sum(u.code == "not_reached" for u in plan.unplaced.values())
        print(f"| {objective} | {plan.placed} | {len(plan.unplaced)} | {alone} | {ffd} | {reached} | {took:.1f} s |")


def fleets(count: int) -> None:
    print(f"\n{count} over-subscribed random fleets (600 workloads, 50 hosts), default auto, placed per objective:")
    print("| seed | hosts | cost | spread | most by one heuristic | upper bound | time (hosts) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    totals = [0, 0, 0, 0, 0]
    for seed in range(count):
        workloads, hosts = oversubscribed_fleet(seed)
        placed, took = [], 0.0
        for objective in OBJECTIVES:
            start = time.perf_counter()
            placed.append(fp.place(workloads, hosts, objective=objective).placed)
            took = took or time.perf_counter() - start
        most = max(fp.place(workloads, hosts, objective=o, method=m, sort_key=k).placed
                   for o in OBJECTIVES for m, k in HEURISTICS)
        upper = count_upper_bound(workloads, hosts)
        for k, v in enumerate([*placed, most, upper]):
            totals[k] += v
        print(f"| {seed} | {placed[0]} | {placed[1]} | {placed[2]} | {most} | {upper} | {took:.2f} s |")
    print(f"| total | {totals[0]} | {totals[1]} | {totals[2]} | {totals[3]} | {totals[4]} | |")


def main() -> None:
    warnings.simplefilter("ignore", fp.FleetpackWarning)  # the random fleets' likely mistakes are deliberate
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fleets", type=int, default=10)
    parser.add_argument("--no-trace", action="store_true")
    args = parser.parse_args()
    print(f"fleetpack from {fp.__file__}")
    if not args.no_trace:
        trace()
    fleets(args.fleets)


if __name__ == "__main__":
    main()
