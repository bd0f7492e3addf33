"""Group rules (issue 16): what zone/rack anti-affinity and spread cost a solve.

The fleet is `fleetpack.bench.generators.realistic_fleet(n, seed=1)`; its hosts stand in racks of 20 in input
order (label ``rack``), the racks in zones a, b, c in turn (label ``zone``). Three workloads in five are in a
service group of five replicas; each group has one hard rule, in turn `fp.Spread(group, "zone")` (max_skew 1),
`fp.AntiAffinity(group, scope="rack")` and `fp.AntiAffinity(group, scope="zone", max_per_domain=2)`. Printed per
size: the seconds of `ffd` and of the default `auto` (its search on; its exact stage off for both, as at 100k it
does not run anyway: `fleetpack.exact.heuristics_only`), without and with the rules, on the same workloads
and hosts (`fp.place` end to end: checking, encoding, solving, the plan); hosts used and workloads placed.

    python benches/group_rules.py             # 10k and 100k workloads
    python benches/group_rules.py --n 10000   # one size
"""

from __future__ import annotations

from dataclasses import replace

import fleetpack as fp
from fleetpack.bench.generators import realistic_fleet
from side_by_side import ffd_and_auto, main_over_sizes


def ruled(ws, hs):
    hosts = [replace(h, labels={"rack": f"r{j // 20}", "zone": "abc"[(j // 20) % 3]}) for j, h in enumerate(hs)]
    workloads, rules = [], []
    for i, w in enumerate(ws):
        if i % 5 < 3:
            group = f"s{i // 5}"
            workloads.append(replace(w, groups=(group,)))
            if i % 5 == 0:
                kind = (i // 5) % 3
                rules.append(fp.Spread(group, "zone") if kind == 0 else
                             fp.AntiAffinity(group, scope="rack") if kind == 1 else
                             fp.AntiAffinity(group, scope="zone", max_per_domain=2))
        else:
            workloads.append(w)
    return workloads, hosts, rules



def run(n: int) -> None:
    instance = realistic_fleet(n=n, seed=1)
    ws, hs, rules = ruled(instance.workloads, instance.hosts)
    print(f"{n} workloads, {len(hs)} hosts, {len(rules)} rules")
    for name, kwargs in (("without rules", {}), ("with rules", {"rules": rules})):
        ffd, t_ffd, auto, t_auto = ffd_and_auto(ws, hs, **kwargs)
        print(f"  {name:14s} ffd {t_ffd:6.2f} s ({ffd.hosts_used} hosts, {ffd.placed} placed)  auto {t_auto:6.2f} s "
              f"({auto.hosts_used} hosts, {auto.placed} placed, {auto.strategy})")


def main() -> None:
    main_over_sizes(__doc__, run)


if __name__ == "__main__":
    main()
