"""Two builds of the Rust core side by side on the fleets of `group_rules.py` and `eligibility.py`.

On a shared, loaded machine whole benches run minutes apart see different loads; here both builds' `_core` modules
are loaded into one process and called in turn on the same encoded problems (`fleetpack._core.place`: reading
the arrays, solving, the bound), so each pair of calls sees about the same load. Printed per fleet (``plain``,
``rules``: zones, racks, spread and anti-affinity as in `group_rules.py`; ``labels``: selectors and taints as in
`eligibility.py`) and method (``ffd``; ``auto`` as `fleetpack.exact.heuristics_only` runs it): the median seconds
of each build, and whether their plans are the same.

    python benches/core_ab.py /work/main/python/fleetpack/_core.abi3.so python/fleetpack/_core.abi3.so \\
        --n 100000 --reps 3
"""

from __future__ import annotations

import argparse
import importlib.machinery
import importlib.util
import statistics
import time
import warnings

from fleetpack.bench.generators import realistic_fleet
from fleetpack.exact import heuristics_only
from fleetpack.model.inputs import build_problem
from fleetpack.solve.pipeline import core_limits
from eligibility import labelled
from group_rules import ruled


def load(path: str):
    """A build's `_core` module from its shared library."""
    loader = importlib.machinery.ExtensionFileLoader("_core", path)
    spec = importlib.util.spec_from_file_location("_core", path, loader=loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", help="the first build's _core shared library")
    parser.add_argument("b", help="the second build's")
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--fleets", default="plain,rules,labels")
    parser.add_argument("--methods", default="ffd,auto")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    cores = {"a": load(args.a), "b": load(args.b)}
    instance = realistic_fleet(n=args.n, seed=1)
    for fleet in args.fleets.split(","):
        rules = None
        if fleet == "rules":
            ws, hs, rules = ruled(instance.workloads, instance.hosts)
        elif fleet == "labels":
            ws, hs = labelled(instance.workloads, instance.hosts)
        else:
            ws, hs = instance.workloads, instance.hosts
        problem = build_problem(ws, hs, None, rules=rules)
        arrays = problem.encode()
        for method in args.methods.split(","):
            with heuristics_only():
                limit, work = core_limits(problem, method, None)
            seconds: dict[str, list[float]] = {name: [] for name in cores}
            plans = {}
            for _ in range(args.reps):
                for name, core in cores.items():
                    start = time.perf_counter()
                    answer = core.place(arrays, method, "sum", "hosts", limit, 0, work)
                    seconds[name].append(time.perf_counter() - start)
                    plans[name] = answer["host_index"].tolist()
            print(f"{args.n} {fleet:6s} {method:4s} a {statistics.median(seconds['a']):6.3f} s  "
                  f"b {statistics.median(seconds['b']):6.3f} s  "
                  f"{'same plans' if plans['a'] == plans['b'] else 'PLANS DIFFER'}", flush=True)


if __name__ == "__main__":
    main()
