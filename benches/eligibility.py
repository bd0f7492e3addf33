"""Host eligibility (issue 16): what selectors and taints cost a solve.

The fleet is `fleetpack.bench.generators.realistic_fleet(n, seed=1)`; its hosts get a zone label (a, b, c in turn),
every tenth host a `gpu` taint, and a third of the workloads a selector (`zone` one of two zones, or `zone` not c),
a tenth of them the `gpu` toleration. Printed per size: the seconds of building and encoding the problem (checking
the objects, compiling the classes) and of `ffd` and `auto` (heuristics only: `fleetpack.exact.heuristics_only`), with and
without the labels, on the same workloads and hosts; and the classes and hosts used.

    python benches/eligibility.py             # 10k and 100k workloads
    python benches/eligibility.py --n 10000   # one size
"""

from __future__ import annotations

from dataclasses import replace

from fleetpack.bench.generators import realistic_fleet
from side_by_side import ffd_and_auto, main_over_sizes, timed
from fleetpack.model.inputs import build_problem


def labelled(ws, hs):
    hosts = [replace(h, labels={"zone": "abc"[j % 3]}, taints=["gpu"] if j % 10 == 9 else [])
             for j, h in enumerate(hs)]
    selectors = [None, None, None, {"zone": ["a", "b"]}, None, {"zone": {"not_in": ["c"]}}]
    workloads = [replace(w, selector=selectors[i % len(selectors)], tolerations=["gpu"] if i % 10 == 0 else [])
                 for i, w in enumerate(ws)]
    return workloads, hosts



def run(n: int) -> None:
    instance = realistic_fleet(n=n, seed=1)
    plain = (instance.workloads, instance.hosts)
    rules = labelled(*plain)
    print(f"{n} workloads, {len(instance.hosts)} hosts")
    for name, (ws, hs) in (("without labels", plain), ("with labels", rules)):
        problem, build = timed(lambda: build_problem(ws, hs))
        _, encode = timed(problem.encode)  # (the classes are compiled here)
        build += encode
        part = problem.eligibility
        classes = 0 if part is None else part.eligible.shape[0]
        ffd, t_ffd, auto, t_auto = ffd_and_auto(ws, hs)
        print(f"  {name:15s} build+encode {build:6.2f} s ({classes} classes)  ffd {t_ffd:6.2f} s "
              f"({ffd.hosts_used} hosts)  auto portfolio {t_auto:6.2f} s ({auto.hosts_used} hosts, "
              f"{auto.placed} placed)")


def main() -> None:
    main_over_sizes(__doc__, run)


if __name__ == "__main__":
    main()
