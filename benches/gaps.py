"""How far the plans of default ``auto`` are from their lower bounds on rule-heavy fleets (issue 18).

    python benches/gaps.py realistic [--sizes 100 1000 10000] [--seeds 5] [--objectives hosts cost]
    python benches/gaps.py ruled [--sizes 10 100 1000] [--seeds 5]          # plan and bound vs the known optimum

``realistic``: `fleetpack.generators.realistic_fleet(n, seed)` under the objectives ``hosts`` and ``cost``, one
row per fleet and objective, with the time ``auto`` took (wall clock, and the process's CPU time over every
thread: on a shared machine the CPU time is the steadier of the two) and the time the bounds alone take
(``_core.lower_bound`` for the plan's count, and the LP over host types and workload classes,
`fleetpack.exact.classlp`). It runs with whichever fleetpack the interpreter imports (printed first), so that one
build can be set against another (main's venv, then this one). ``ruled``: `fleetpack.generators.ruled_fleet(hosts,
seed)`, whose optimum is the hosts built. Prints Markdown tables; the numbers are in docs/quality.md.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

import fleetpack as fp
from fleetpack import _core, generators
from fleetpack.model.inputs import build_problem


def _bound_seconds(instance, objective: str, placed: int) -> tuple[float, str]:
    """The core's bound alone, and the LP over host types and workload classes alone (``-`` in builds without it)."""
    arrays = build_problem(instance.workloads, instance.hosts, instance.overheads).materialize().encode()
    start = time.perf_counter()
    _core.lower_bound(arrays, objective, placed)
    core = time.perf_counter() - start
    try:
        from fleetpack.exact.classlp import class_bound
    except ImportError:
        return core, "-"
    start = time.perf_counter()
    class_bound(arrays, objective, placed)
    return core, f"{time.perf_counter() - start:.3f}"


def realistic(sizes: list[int], seeds: int, objectives: list[str]) -> None:
    print("| n | objective | seed | plan | bound | gap | auto s | auto CPU s | bound s | LP s |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    gaps: dict[tuple[int, str], list[float]] = {}
    for n in sizes:
        for objective in objectives:
            for seed in range(seeds):
                inst = generators.realistic_fleet(n, seed)
                start, cpu = time.perf_counter(), time.process_time()
                plan = fp.place(inst.workloads, inst.hosts, overheads=inst.overheads, objective=objective)
                seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
                bound_s, lp_s = _bound_seconds(inst, objective, plan.placed)
                gaps.setdefault((n, objective), []).append(plan.gap)
                print(f"| {n} | {objective} | {seed} | {plan.objective_value:.6g} | {plan.lower_bound:.6g} | "
                      f"{plan.gap:.1%} | {seconds:.2f} | {cpu:.2f} | {bound_s:.3f} | {lp_s} |", flush=True)
    print("\n| n | objective | mean gap |\n| ---: | --- | ---: |")
    for (n, objective), values in gaps.items():
        print(f"| {n} | {objective} | {statistics.mean(values):.1%} |")


def ruled(sizes: list[int], seeds: int) -> None:
    print("| hosts built (optimum) | seed | workloads | plan | bound | plan / optimum | bound / optimum | auto s |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for size in sizes:
        for seed in range(seeds):
            inst = generators.ruled_fleet(size, seed)
            start = time.perf_counter()
            plan = fp.place(inst.workloads, inst.hosts, overheads=inst.overheads)
            seconds = time.perf_counter() - start
            print(f"| {inst.optimum} | {seed} | {len(inst.workloads)} | {plan.hosts_used} | {plan.lower_bound} | "
                  f"{plan.hosts_used / inst.optimum:.3f} | {plan.lower_bound / inst.optimum:.3f} | {seconds:.2f} |",
                  flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("which", choices=["realistic", "ruled"])
    parser.add_argument("--sizes", type=int, nargs="+")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--objectives", nargs="+", default=["hosts", "cost"], choices=["hosts", "cost"])
    args = parser.parse_args()
    warnings.simplefilter("ignore", fp.FleetpackWarning)
    print(f"fleetpack from {fp.__file__}\n")
    if args.which == "realistic":
        realistic(args.sizes or [100, 1000, 10000], args.seeds, args.objectives)
    else:
        ruled(args.sizes or [10, 100, 1000], args.seeds)


if __name__ == "__main__":
    main()
