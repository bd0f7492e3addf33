"""Capacity planning against the answers a planner computes by hand (issue 17).

On generated demand (`fleetpack.generators.realistic_fleet`'s workloads, default overheads) and 3, 6 or 10 host
types, three purchases, each checked by `fleetpack.verify_capacity`:

- **by hand**: the type that covers the whole demand cheapest at its scarcest dimension (cost x the largest
  demand / capacity ratio over the dimensions) is bought, as many as first-fit decreasing needs for what it takes;
  what it cannot take (GPU jobs, Windows containers) goes the same way to the next such type;
- **Karpenter-style**: each workload in turn goes to the first open host that takes it, else a host of the
  cheapest type that takes it alone is opened;
- **fleetpack**: ``plan_capacity``, with its lower bound and gap.

    python benches/capacity.py                   # n = 1000 and 10000, 3/6/10 types
    python benches/capacity.py --n 1000 --types 3
    python benches/capacity.py --n 1000 --types 10 --all-sets   # also every set of 1-3 types placed in full
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import fleetpack as fp
from fleetpack.capacity.pool import fit_types
from fleetpack.generators import realistic_fleet
from fleetpack.model.problem import Problem
from fleetpack.model.rules import HostState

# name, cores, memory GiB, gpus, os, hypervisor, containers, cost, max_workloads
_TYPES = (
    ("gen", 32, 128, 0, "linux", "hardware", True, 1.0, 110),
    ("bare", 48, 192, 0, "linux", None, True, 1.2, 250),
    ("gpu", 48, 384, 4, "linux", "hardware", True, 4.0, 110),
    ("big", 64, 512, 0, "linux", "paravirtual", True, 2.4, 110),
    ("win", 32, 128, 0, "windows", "hardware", True, 1.3, None),
    ("cpu", 96, 192, 0, "linux", "hardware", True, 2.1, 250),
    ("small", 8, 32, 0, "linux", "hardware", True, 0.3, 110),
    ("mem", 16, 256, 0, "linux", "hardware", True, 1.1, 110),
    ("gpu8", 96, 768, 8, "linux", "hardware", True, 7.5, 110),
    ("mid", 16, 64, 0, "linux", "hardware", True, 0.55, 110),
)


def host_types(k: int) -> list[fp.HostType]:
    return [fp.HostType(name, cpu=cpu, memory=f"{mem}Gi", extra={"gpu": gpu} if gpu else None, os=os,
                        hypervisor=hyp, containers=cont, cost=cost, max_workloads=cap)
            for name, cpu, mem, gpu, os, hyp, cont, cost, cap in _TYPES[:k]]


def by_hand(ws, types, over) -> dict[str, int]:
    fits = fit_types(ws, types, over)
    dims = ["cpu", "memory", "gpu"]
    demand = np.array([sum(w.cpu_millis for w in ws), sum(w.memory_bytes for w in ws),
                       sum(w.extra_units.get("gpu", 0) for w in ws)], dtype=float)
    left = np.ones(len(ws), dtype=bool)
    buy: dict[str, int] = {}
    while left.any():
        def price(f):
            t = f.host_type
            cap = np.array([t.cpu_millis, t.memory_bytes, t.extra_units.get("gpu", 0)], dtype=float)
            ratio = max(demand[d] / cap[d] if cap[d] else (np.inf if demand[d] else 0) for d in range(len(dims)))
            return t.cost * ratio if np.isfinite(ratio) else t.cost * max(demand[0] / cap[0], demand[1] / cap[1])
        usable = [f for f in fits if (f.takes & left).any()]
        if not usable:
            break
        f = min(usable, key=price)
        take = f.takes & left
        plan = fp.place([w for w, keep in zip(ws, take) if keep],
                        [f.host_type.host(f"x{k}") for k in range(int(take.sum()))], method="ffd", overheads=over)
        buy[f.host_type.name] = plan.hosts_used
        left &= ~take
    return buy


def karpenter(ws, types, over) -> dict[str, int]:
    """First fit over the open hosts (a numpy screen of free room, then the model's rules), else the cheapest
    type that takes the workload alone."""
    order = sorted(types, key=lambda t: t.cost)
    hosts: list[fp.Host] = []
    states: list[HostState] = []
    problem = Problem(tuple(ws), (), over, ("cpu", "memory", "gpu"), None)
    free = np.zeros((0, 3))
    buy: dict[str, int] = {}
    for w in ws:
        need = np.array([w.cpu_millis, w.memory_bytes, w.extra_units.get("gpu", 0)], dtype=float)
        placed = False
        for j in np.flatnonzero((free >= need).all(axis=1)).tolist():
            form = states[j].first_form(w)
            if form is not None:
                states[j].add(w, form)
                free[j] = np.array(states[j].capacity, dtype=float) - np.array(states[j].used, dtype=float)
                placed = True
                break
        if placed:
            continue
        for t in order:
            h = t.host(f"{t.name}-{buy.get(t.name, 0) + 1}")
            state = HostState(problem, h)
            form = state.first_form(w)
            if form is not None:
                state.add(w, form)
                hosts.append(h)
                states.append(state)
                free = np.vstack([free, np.array(state.capacity, float) - np.array(state.used, float)])
                buy[t.name] = buy.get(t.name, 0) + 1
                break
    return buy


def cost_of(buy: dict[str, int], types) -> float:
    price = {t.name: t.cost for t in types}
    return sum(price[k] * v for k, v in buy.items())


def all_sets(ws, types, over) -> tuple[float, list[str], int]:
    """The cheapest purchase over every set of one to three types (each completed to cover every workload),
    placed in full as plan_capacity places its few sets: how far its choice of sets is from trying them all."""
    import itertools

    from fleetpack.capacity import planner

    fits = fit_types(ws, types, over)
    useful = [f for f in fits if f.copies > 0]
    options = {"objective": "cost", "existing_cost": False, "method": "auto", "time_limit": None, "seed": 0,
               "workers": None}
    seen, best = set(), (float("inf"), [])
    for r in (1, 2, 3):
        for chosen in itertools.combinations(useful, r):
            covered = planner._covering(list(chosen), useful)
            key = tuple(f.host_type.name for f in covered)
            if key in seen:
                continue
            seen.add(key)
            plan, _ = planner._solve(ws, [], over, covered, options)
            if not plan.unplaced and plan.cost < best[0]:
                best = (plan.cost, list(key))
    return best[0], best[1], len(seen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, action="append", help="workloads (repeatable; default 1000 and 10000)")
    parser.add_argument("--types", type=int, action="append", help="host types, 3 to 10 (default 3, 6, 10)")
    parser.add_argument("--time-limit", type=float, default=None, help="plan_capacity's time limit")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--all-sets", action="store_true", help="also place every set of 1-3 types in full")
    args = parser.parse_args()
    print(f"{'n':>6} {'types':>5} {'by hand':>9} {'karpenter':>9} {'fleetpack':>9} {'bound':>9} {'gap':>6} "
          f"{'saved/hand':>10} {'saved/karp':>10} {'seconds':>7}  purchase")
    for n in args.n or [1000, 10000]:
        inst = realistic_fleet(n=n, seed=args.seed)
        ws, over = list(inst.workloads), inst.overheads
        for k in args.types or [3, 6, 10]:
            types = host_types(k)
            hand = cost_of(by_hand(ws, types, over), types)
            karp = cost_of(karpenter(ws, types, over), types)
            began = time.perf_counter()
            purchase = fp.plan_capacity(ws, types, overheads=over, time_limit=args.time_limit, seed=args.seed)
            seconds = time.perf_counter() - began
            assert fp.verify_capacity(ws, types, purchase, overheads=over) == []
            bought = ", ".join(f"{v} {k}" for k, v in purchase.buy.items())
            print(f"{n:>6} {k:>5} {hand:>9.1f} {karp:>9.1f} {purchase.cost:>9.1f} {purchase.lower_bound:>9.1f} "
                  f"{purchase.gap:>6.1%} {1 - purchase.cost / hand:>10.1%} {1 - purchase.cost / karp:>10.1%} "
                  f"{seconds:>7.1f}  {bought}; unplaced {len(purchase.unplaced)}", flush=True)
            if args.all_sets:
                began = time.perf_counter()
                cost, kinds, count = all_sets(ws, types, over)
                print(f"{'':>12} every set of 1-3 types ({count} sets, {time.perf_counter() - began:.0f} s): best "
                      f"{cost:.2f} from {', '.join(kinds)}", flush=True)


if __name__ == "__main__":
    main()
