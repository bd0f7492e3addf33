"""How fast ``method="exact"`` proves rule-heavy fleets of a known optimum, with and without what issue 18 added to
the exact models (`fleetpack.exact.symmetry`: class limits, class dominance, the arc-flow budget; `fleetpack.exact.cuts`).

    python benches/ruled_exact.py [--sizes 10 20 30 40] [--seeds 3] [--time-limit 20] [--demo]

Fleets: `fleetpack.generators.ruled_fleet(hosts, seed)` (three host types, dedicated and tenant-isolated workloads,
anti-affinity groups; its optimum is the hosts built), with ``hosts`` chosen so that the fleet has about ``n``
workloads (the generator builds 3.5 workloads per host on average: ``hosts = max(1, round(n / 3.5))``; the row shows
the count it made). Each fleet is solved twice in the same run, side by side: ``before`` inside
``fleetpack.exact.symmetry.pruning(False)`` (the models as they were) and ``after`` as shipped; both by
``fp.place(..., method="exact", time_limit=T, workers=2)``. The work cap of the search before CP-SAT
(`fleetpack.solve.pipeline.EXACT_SEARCH_WORK_FACTOR`) is in both columns: ``--no-search-cap`` runs ``before`` with the
search taking its whole share again, as it did. ``--demo`` adds examples/consolidation.json with default ``auto``.
Prints a Markdown table; the numbers are in docs/exact.md.
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import fleetpack as fp
from fleetpack import generators
from fleetpack.exact.symmetry import pruning
from fleetpack.solve import pipeline


def _run(inst, time_limit: float) -> tuple[int, bool, float, float]:
    """(hosts used, proven, wall-clock seconds, CPU seconds of the process: every thread, CP-SAT's two included)."""
    start, cpu = time.perf_counter(), time.process_time()
    plan = fp.place(inst.workloads, inst.hosts, overheads=inst.overheads, method="exact", time_limit=time_limit,
                    workers=2)
    return plan.hosts_used, plan.proven_optimal, time.perf_counter() - start, time.process_time() - cpu


class _uncapped_search:
    """The search before CP-SAT takes its whole share of the time limit, as before issue 18."""

    def __enter__(self):
        saved = self._saved = pipeline.core_limits

        def uncapped(problem, method, time_limit):
            limit, work = saved(problem, method, time_limit)
            return (limit, None) if method == "exact" and time_limit is not None else (limit, work)

        pipeline.core_limits = uncapped  # type: ignore[assignment]
        return self

    def __exit__(self, *exc):
        pipeline.core_limits = self._saved  # type: ignore[assignment]
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 20, 30, 40], help="workloads, about")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--no-search-cap", action="store_true", help="'before' also lets the search take its share")
    parser.add_argument("--demo", action="store_true", help="also examples/consolidation.json with default auto")
    args = parser.parse_args()
    warnings.simplefilter("ignore", fp.FleetpackWarning)
    print(f"fleetpack from {fp.__file__}; exact, time_limit={args.time_limit:g} s, workers=2\n")
    print("| n (asked) | hosts built | seed | workloads | optimum | before: hosts | proven | s | CPU s | after: hosts "
          "| proven | s | CPU s |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | :---: | ---: | ---: | ---: | :---: | ---: | ---: |")
    import ortools.sat.python.cp_model  # noqa: F401  (OR-Tools' import, once, outside the timings)

    worst = {"before": 0.0, "after": 0.0}
    unproven = {"before": 0, "after": 0}
    for n in args.sizes:
        built = max(1, round(n / 3.5))
        for seed in range(args.seeds):
            inst = generators.ruled_fleet(built, seed)
            with pruning(False):
                if args.no_search_cap:
                    with _uncapped_search():
                        before = _run(inst, args.time_limit)
                else:
                    before = _run(inst, args.time_limit)
            after = _run(inst, args.time_limit)
            for name, (_, proven, seconds, _cpu) in (("before", before), ("after", after)):
                worst[name] = max(worst[name], seconds)
                unproven[name] += not proven
            print(f"| {n} | {built} | {seed} | {len(inst.workloads)} | {inst.optimum} | {before[0]} | "
                  f"{'yes' if before[1] else 'no'} | {before[2]:.2f} | {before[3]:.2f} | {after[0]} | "
                  f"{'yes' if after[1] else 'no'} | {after[2]:.2f} | {after[3]:.2f} |", flush=True)
    print(f"\nworst time: before {worst['before']:.2f} s, after {worst['after']:.2f} s; "
          f"unproven: before {unproven['before']}, after {unproven['after']}")
    if args.demo:
        fleet = fp.load_fleet(Path(__file__).resolve().parents[1] / "examples" / "consolidation.json")
        for name, on in (("before", False), ("after", True)):
            with pruning(on):
                start, cpu = time.perf_counter(), time.process_time()
                plan = fleet.place()
                seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
            print(f"demo, default auto, {name}: {plan.hosts_used} hosts, lower bound {plan.lower_bound}, "
                  f"proven {plan.proven_optimal}, {seconds:.2f} s ({cpu:.2f} s CPU)")


if __name__ == "__main__":
    main()
