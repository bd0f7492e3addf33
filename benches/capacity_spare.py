"""Spare room inside the purchase, against spare room bought after it (issue 17, `plan_capacity(spare=k)`).

On the demand and host types of benches/capacity.py (`realistic_fleet`, default overheads), three purchases that
survive the loss of any k hosts (or, with ``--zones``, of any k zones: each type sold in zones a, b and c), each
checked by `fleetpack.verify_capacity`:

- **after**: the cheapest purchase without spare room (`plan_capacity(spare=0)`), then the empty hosts that restore
  the room (the first slice's way: the room bought after the solve);
- **judged**: each set of types the planner places in full is judged with its spare hosts (no second placement);
- **fleetpack**: `plan_capacity(spare=k)` as it is: judged so, then placed again with the spare hosts paid for
  while that buys less.

The bound is `plan_capacity`'s, which leaves the spare room out (so it stays below every purchase).

    python benches/capacity_spare.py                     # n = 1000, 3/6/10 types, k = 1 and 2
    python benches/capacity_spare.py --zones --types 3   # each type in three zones, spare_domain="zone"
    python benches/capacity_spare.py --n 10000 --types 3 --spare 1
    python benches/capacity_spare.py --small 20   # small instances: heuristics, CP-SAT rows, brute force

``--small N``: N random instances of 4 to 10 workloads and 3 types (zones, spare 1 or 2, max_types 2 on some), the
purchase of the heuristics alone (no CP-SAT stage), of ``plan_capacity`` as it is, and the cheapest purchase by
brute force over the counts of each type (at most 10 of each; the room checked, then every workload placed by
``place(method="exact")``), without overheads.
"""

from __future__ import annotations

import argparse
import itertools
import random
import time

import fleetpack as fp
from fleetpack.capacity import planner
from fleetpack.generators import realistic_fleet

from capacity import cost_of, host_types


def zoned(types: list[fp.HostType]) -> list[fp.HostType]:
    return [fp.HostType(f"{t.name}-{z}", cpu=t.cpu, memory=t.memory, extra=t.extra, os=t.os,
                        hypervisor=t.hypervisor, containers=t.containers, cost=t.cost, max_workloads=t.max_workloads,
                        labels={"zone": z}) for t in types for z in "abc"]


def after(ws, types, over, k: int, domain: str | None, time_limit) -> tuple[float, dict]:
    """The purchase without spare room, then the empty hosts that restore it."""
    plain = fp.plan_capacity(ws, types, overheads=over, time_limit=time_limit)
    options = {"objective": "cost", "spare": k, "spare_domain": domain}
    names = {t.name: t for t in types}
    kinds = [plain.bought.get(h.id) for h in plain.hosts]
    room_plan = plain.plan
    # the plan's hosts are all bought (no existing ones): rows are the "already paid" hosts of the room
    extra = planner._spare_hosts([], types, room_plan, kinds, len(kinds), list(types), options)
    buy = dict(plain.buy)
    for t in extra:
        buy[t.name] = buy.get(t.name, 0) + 1
    assert all(names[k] for k in buy)
    return cost_of(buy, types), buy


def brute_force(ws, types, k: int, key, max_types, most: int) -> float:
    """The cheapest purchase of at most ``most`` hosts per type with the room kept (no overheads) on which CP-SAT
    places every workload."""
    none = fp.Overheads.none()
    demand = [sum(w.cpu_millis for w in ws), sum(w.memory_bytes for w in ws)]
    options = []
    for counts in itertools.product(range(most + 1), repeat=len(types)):
        if max_types is not None and sum(1 for c in counts if c) > max_types:
            continue
        caps: dict = {}
        for t, c in zip(types, counts):
            for copy in range(c):
                name = ("label", t.labels[key]) if key is not None and key in t.labels else (t.name, copy)
                cap = caps.setdefault(name, [0, 0])
                cap[0] += t.cpu_millis
                cap[1] += t.memory_bytes
        if all(sum(v[d] for v in caps.values()) - sum(sorted((v[d] for v in caps.values()), reverse=True)[:k])
               >= demand[d] for d in (0, 1)):
            options.append((sum(t.cost * c for t, c in zip(types, counts)), counts))
    for cost, counts in sorted(options):
        hosts = [t.host(f"{t.name}-{i + 1}") for t, c in zip(types, counts) for i in range(c)]
        if not fp.place(ws, hosts, method="exact", overheads=none, time_limit=30).unplaced:
            return cost
    return float("inf")


def small(count: int) -> None:
    none = fp.Overheads.none()
    print(f"{'seed':>4} {'n':>3} {'k':>2} {'domain':>6} {'types':>5} {'heuristics':>10} {'fleetpack':>9} "
          f"{'optimum':>8} {'s heur':>6} {'s fleetpack':>11}  note")
    found = {"heuristics": 0, "fleetpack": 0}
    solved = count  # the instances with a purchase
    for seed in range(count):
        rng = random.Random(seed)
        ws = [fp.Workload(f"w{i}", cpu=rng.choice((1, 2, 3)), memory=f"{rng.choice((1, 2, 4))}Gi")
              for i in range(rng.randint(4, 10))]
        types = [fp.HostType("a", cpu=4, memory="8Gi", cost=1.0, labels={"zone": "x"}),
                 fp.HostType("b", cpu=8, memory="8Gi", cost=1.7, labels={"zone": "y"} if seed % 2 else None),
                 fp.HostType("c", cpu=3, memory="6Gi", cost=0.8, labels={"zone": "z"} if seed % 4 == 3 else None)]
        k, key = 1 + seed % 2, ("zone" if seed % 3 else None)
        max_types = 2 if seed % 5 == 4 else None
        rows, planner._exact_rounds = planner._exact_rounds, (lambda *a: a[5])
        try:
            began = time.perf_counter()
            heur = fp.plan_capacity(ws, types, (), none, spare=k, spare_domain=key, max_types=max_types)
            s_heur = time.perf_counter() - began
        except fp.InfeasibleError:  # (then no purchase keeps the room: checked by brute force)
            best = brute_force(ws, types, k, key, max_types, 10)
            print(f"{seed:>4} {len(ws):>3} {k:>2} {key or '-':>6} {max_types or '-':>5} {'none':>10} {'none':>9} "
                  f"{best:>8.2f}  (no purchase keeps the room)", flush=True)
            assert best == float("inf")
            solved -= 1
            continue
        finally:
            planner._exact_rounds = rows
        began = time.perf_counter()
        full = fp.plan_capacity(ws, types, (), none, spare=k, spare_domain=key, max_types=max_types)
        s_full = time.perf_counter() - began
        for p in (heur, full):
            assert fp.verify_capacity(ws, types, p, (), none) == []
        best = brute_force(ws, types, k, key, max_types, 10)
        found["heuristics"] += abs(heur.cost - best) < 1e-9
        found["fleetpack"] += abs(full.cost - best) < 1e-9
        note = next((n for n in full.notes if n.startswith("CP-SAT")), "")
        print(f"{seed:>4} {len(ws):>3} {k:>2} {key or '-':>6} {max_types or '-':>5} {heur.cost:>10.2f} "
              f"{full.cost:>9.2f} {best:>8.2f} {s_heur:>6.2f} {s_full:>11.2f}  {note}", flush=True)
    print(f"the optimum found: heuristics {found['heuristics']} of {solved}, fleetpack {found['fleetpack']} of "
          f"{solved}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, action="append", help="workloads (repeatable; default 1000)")
    parser.add_argument("--types", type=int, action="append", help="host types, 3 to 10 (default 3, 6, 10)")
    parser.add_argument("--spare", type=int, action="append", help="k (repeatable; default 1 and 2)")
    parser.add_argument("--zones", action="store_true", help="each type in zones a, b, c; spare_domain='zone'")
    parser.add_argument("--time-limit", type=float, default=None, help="plan_capacity's time limit")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--small", type=int, metavar="N", help="N small instances against brute force instead")
    args = parser.parse_args()
    if args.small:
        small(args.small)
        return
    domain = "zone" if args.zones else None
    print(f"{'n':>6} {'types':>5} {'k':>2} {'no spare':>9} {'after':>9} {'judged':>9} {'fleetpack':>9} {'bound':>9} "
          f"{'saved':>6} {'s after':>7} {'s judged':>8} {'s fleetpack':>11}  purchase")
    for n in args.n or [1000]:
        inst = realistic_fleet(n=n, seed=args.seed)
        ws, over = list(inst.workloads), inst.overheads
        for count in args.types or [3, 6, 10]:
            types = zoned(host_types(count)) if args.zones else host_types(count)
            plain = fp.plan_capacity(ws, types, overheads=over, time_limit=args.time_limit).cost
            for k in args.spare or [1, 2]:
                began = time.perf_counter()
                late, _ = after(ws, types, over, k, domain, args.time_limit)
                s_after = time.perf_counter() - began
                rounds, planner._SPARE_ROUNDS = planner._SPARE_ROUNDS, 0
                try:
                    began = time.perf_counter()
                    judged = fp.plan_capacity(ws, types, overheads=over, spare=k, spare_domain=domain,
                                              time_limit=args.time_limit)
                    s_judged = time.perf_counter() - began
                finally:
                    planner._SPARE_ROUNDS = rounds
                began = time.perf_counter()
                full = fp.plan_capacity(ws, types, overheads=over, spare=k, spare_domain=domain,
                                        time_limit=args.time_limit)
                s_full = time.perf_counter() - began
                for p in (judged, full):
                    assert fp.verify_capacity(ws, types, p, overheads=over) == [] and not p.unplaced
                bought = ", ".join(f"{v} {t}" for t, v in full.buy.items())
                print(f"{n:>6} {count:>5} {k:>2} {plain:>9.1f} {late:>9.1f} {judged.cost:>9.1f} {full.cost:>9.1f} "
                      f"{full.lower_bound:>9.1f} {1 - full.cost / late:>6.1%} {s_after:>7.1f} {s_judged:>8.1f} "
                      f"{s_full:>11.1f}  {bought}", flush=True)


if __name__ == "__main__":
    main()
