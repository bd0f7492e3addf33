"""The migration schedule (issue 15): how long `plan.schedule` takes on a re-plan of a realistic fleet.

The fleet is `fleetpack.bench.generators.realistic_fleet(n, seed=1)`, placed now as `wfd` spreads it; the re-plan
(`ffd`) drains the first fifth of the hosts in use, which forces their workloads to move. Printed: the moves, and
per `max_parallel` the waves, the blocked moves and the seconds `plan.schedule` took.

    python benches/schedule.py            # 1k and 10k workloads
    python benches/schedule.py --n 1000   # one size
"""

from __future__ import annotations

import argparse
import time
import warnings
from dataclasses import replace

import fleetpack as fp
from fleetpack.bench.generators import realistic_fleet


def run(n: int) -> None:
    instance = realistic_fleet(n=n, seed=1)
    ws, hs = instance.workloads, instance.hosts
    spread = fp.place(ws, hs, method="wfd")
    now = [replace(w, current=spread.host_of(w.id), current_form=spread.form_of(w.id))
           if spread.host_of(w.id) is not None else w for w in ws]
    used = sorted({a.host for a in spread.assignments})
    plan = fp.place(now, hs, method="ffd", drain=used[: len(used) // 5])
    for cap in (None, 10, 1):
        start = time.perf_counter()
        schedule = plan.schedule(max_parallel=cap)
        seconds = time.perf_counter() - start
        print(f"n={n} moves={plan.move_count} max_parallel={cap}: {len(schedule.waves)} waves, "
              f"{len(schedule.blocked)} blocked, {seconds:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, action="append", help="workloads (repeatable; default 1000 and 10000)")
    args = parser.parse_args()
    warnings.simplefilter("ignore", fp.FleetpackWarning)
    for n in args.n or [1000, 10000]:
        run(n)


if __name__ == "__main__":
    main()
