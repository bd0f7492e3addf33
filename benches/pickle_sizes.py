"""Pickled sizes and times of what ``place`` returns: ``python benches/pickle_sizes.py [N]`` (default 10,000
workloads). A plan is rebuilt from its problem and the answer's arrays; a columnar problem pickles its columns (a
column of one value as that value); a problem of objects pickles its objects. Prints a markdown table
(docs/performance.md)."""

import pickle
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import fleetpack as fp  # noqa: E402
from columns import fleet_columns  # noqa: E402
from fleets import fleet  # noqa: E402
from fleetpack.model.inputs import build_problem  # noqa: E402


def best(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    rows, columns = fleet(n), fleet_columns(n)
    things = {
        f"plan, {n:,} workloads as columns (ffd)": fp.place(*columns, method="ffd"),
        f"plan, {n:,} workloads as objects (ffd)": fp.place(*rows, method="ffd"),
        f"problem as columns ({n:,} workloads)": build_problem(*columns),
        f"problem as objects ({n:,} workloads)": build_problem(*rows),
        f"the same plan as JSON text (`to_json`), for scale": None,
    }
    print("| object | pickled | dumps ms | loads ms |")
    print("| --- | ---: | ---: | ---: |")
    for name, thing in things.items():
        if thing is None:
            text = things[f"plan, {n:,} workloads as columns (ffd)"].to_json(indent=None).encode()
            print(f"| {name} | {len(text) / 1e3:,.0f} kB | | |")
            continue
        data = pickle.dumps(thing, protocol=5)
        dumps = best(lambda: pickle.dumps(thing, protocol=5))
        loads = best(lambda: pickle.loads(data))
        print(f"| {name} | {len(data) / 1e3:,.0f} kB | {dumps * 1e3:.1f} | {loads * 1e3:.1f} |")


if __name__ == "__main__":
    main()
