"""Overcommit and headroom (issue 16): what allocation ratios cost a solve, and what they save.

The fleet is `fleetpack.bench.generators.realistic_fleet(n, seed=1)`. Printed per size, on the same workloads and
hosts, for `ffd` and `auto` (heuristics only: `fleetpack.exact.heuristics_only`): the seconds and the hosts used
without ratios, with a CPU allocation ratio of 4 for every host (`allocation_ratio={"cpu": 4}`), and with that
ratio, every tenth workload not overcommitted (`overcommit=False`) and a target utilisation of 0.8 in CPU and
memory (`max_utilization`). Every plan is checked by `fleetpack.verify`.

    python benches/overcommit.py             # 10k and 100k workloads
    python benches/overcommit.py --n 10000   # one size
"""

from __future__ import annotations

from dataclasses import replace

from fleetpack.bench.generators import realistic_fleet
from side_by_side import ffd_and_auto, main_over_sizes



def run(n: int) -> None:
    instance = realistic_fleet(n=n, seed=1)
    ws, hs = instance.workloads, instance.hosts
    dedicated = [replace(w, overcommit=i % 10 != 0) for i, w in enumerate(ws)]
    cases = (("no ratio", ws, {}),
             ("cpu 4:1", ws, {"allocation_ratio": {"cpu": 4}}),
             ("cpu 4:1, 10% dedicated, 80% max", dedicated,
              {"allocation_ratio": {"cpu": 4}, "max_utilization": {"cpu": 0.8, "memory": 0.8}}))
    print(f"{n} workloads, {len(hs)} hosts")
    for name, workloads, keywords in cases:
        ffd, t_ffd, auto, t_auto = ffd_and_auto(workloads, hs, **keywords)
        print(f"  {name:33s} ffd {t_ffd:6.2f} s ({ffd.hosts_used} hosts, {ffd.placed} placed, bound "
              f"{ffd.lower_bound})  auto portfolio {t_auto:6.2f} s ({auto.hosts_used} hosts, {auto.placed} placed)")


def main() -> None:
    main_over_sizes(__doc__, run)


if __name__ == "__main__":
    main()
