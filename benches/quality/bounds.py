"""How often fleetpack's lower bound equals the known optimum on the published sets (docs/quality.md, "Lower
bounds"): no solving, only the bound of the problem (the core's `lower_bound` for placing every workload).

    python benches/quality/bounds.py [--sets 1d,vector] [--data ../shared/data]

Per set: the instances whose optimum is known, on how many the bound equals it, and on how many it would exceed it
(never: that would be a bug). Reads the sets as `benches/quality/run.py` does; no data folder: a message, exit 0.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import GROUPS, default_data, entries, expand_sets, load  # noqa: E402  (the runner's readers)


def main(argv=None) -> int:
    from fleetpack import _core
    from fleetpack.model.inputs import build_problem

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="1d,vector", help="sets or groups as run.py takes them: "
                                                            + ", ".join(GROUPS))
    parser.add_argument("--data", type=Path, default=default_data())
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"bounds: no data folder at {args.data}; nothing to run", file=sys.stderr)
        return 0
    chosen = entries(args.data, expand_sets(s.strip() for s in args.sets.split(",") if s.strip()))
    instances, unreadable = load(args.data, chosen)
    rows: dict[str, list[int]] = {}
    for inst in instances:
        if inst.optimum is None:
            continue
        problem = build_problem(inst.workloads, inst.hosts, inst.overheads)
        bound = int(_core.lower_bound(problem.encode(), "hosts", len(inst.workloads)))
        row = rows.setdefault(inst.set, [0, 0, 0])
        row[0] += 1
        row[1] += bound == inst.optimum
        row[2] += bound > inst.optimum
    print("| set | optimum known | bound = optimum | bound above optimum |")
    print("|---|---:|---:|---:|")
    for name, (known, equal, above) in rows.items():
        print(f"| {name} | {known} | {equal} | {above} |")
    if unreadable:
        print(f"\n{len(unreadable)} unreadable files left out (see run.py)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
