"""The worked examples of docs/research.md, end to end: run this script to reproduce their tables and plots.

    python benches/research_example.py [--data ../shared/data] [--out docs]

1. FFD, BFD and auto on BPPLIB's Falkenauer U and T sets (needs the BPPLIB files; skipped without them). The same
   run from the command line:

       fleetpack bench --set $D/Falkenauer/Falkenauer_U --set $D/Falkenauer/Falkenauer_T \\
           --solutions $D/Bounds_BPPLib.jl.txt --methods ffd,bfd,auto --time-limit 1 \\
           --plot docs/research_falkenauer.png --plot-against optimum

2. A researcher's own heuristic (vector next fit) against fleetpack's methods on generated vector classes, with a
   Dolan–Moré performance profile.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from fleetpack import bench, datasets, generators

ROOT = Path(__file__).resolve().parents[1]


def next_fit(instance: bench.Instance) -> dict:
    """Next fit in any number of dimensions: keep one bin open, open the next when an item does not fit it."""
    dims = sorted(instance.hosts[0].extra_units)
    capacity = [instance.hosts[0].extra_units[d] for d in dims]
    plan, bin_index, room = {}, 0, list(capacity)
    for w in instance.workloads:
        size = [w.extra_units[d] for d in dims]
        if any(s > r for s, r in zip(size, room)):
            bin_index, room = bin_index + 1, list(capacity)
        plan[w.id] = (instance.hosts[bin_index].id, "container")
        room = [r - s for r, s in zip(room, size)]
    return plan


def falkenauer(data: Path, out: Path) -> None:
    root = data / "bpplib_1d"
    if not root.is_dir():
        print(f"no BPPLIB folder at {root}: skipping the Falkenauer example")
        return
    bounds = datasets.read_solutions(root / "Bounds_BPPLib.jl.txt")
    instances = (datasets.read_set(root / "Falkenauer" / "Falkenauer_U", bounds)
                 + datasets.read_set(root / "Falkenauer" / "Falkenauer_T", bounds))
    results = bench.compare(["ffd", "bfd", "auto"], instances, time_limit=1)
    print(bench.format_summary(bench.summary(results)))
    bench.performance_profile(results, against="optimum", path=out / "research_falkenauer.png")


def generated(out: Path) -> None:
    instances = [generators.vector_class(cls, n=120, d=3, seed=seed) for cls in (7, 8, 10) for seed in range(10)]
    results = bench.compare({"next fit": next_fit, "ff": "ff", "ffd": "ffd", "bfd": "bfd"}, instances)
    print(bench.format_summary(bench.summary(results)))
    bench.performance_profile(results, path=out / "research_generated.png",
                              title="Vector classes 7, 8, 10 (d = 3, n = 120): 30 instances")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data", help="the shared data folder")
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="where to save the plots")
    args = parser.parse_args()
    falkenauer(args.data, args.out)
    generated(args.out)


if __name__ == "__main__":
    main()
