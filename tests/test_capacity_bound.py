"""The column-generation bound of a purchase (capacity/colgen.py): its pricing is exact, it is sound against the
proven optimum at every step (stopped early too), and the purchase read off its patterns is valid."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

import fleetpack as fp
from fleetpack.capacity.bounds import achievable_at_least, purchase_bound
from fleetpack.capacity.colgen import _knapsack_dp
from fleetpack.capacity.planner import _dims
from fleetpack.capacity.pool import candidate_hosts, fit_types

NONE = fp.Overheads.none()


@pytest.mark.parametrize("seed", range(40))
def test_the_dp_pricing_is_the_best_pattern(seed):
    rng = random.Random(seed)
    k, dims = rng.randint(1, 4), rng.randint(1, 3)
    sizes = np.array([[rng.randint(0, 6) * rng.choice((1, 3)) for _ in range(dims)] for _ in range(k)])
    room = np.array([rng.randint(3, 14) for _ in range(dims)])
    caps = np.array([rng.randint(1, 4) for _ in range(k)])
    pi = np.array([rng.random() for _ in range(k)])
    best = max(float(np.dot(x, pi)) for x in itertools.product(*[range(c + 1) for c in caps])
               if np.all(np.array(x) @ sizes <= room))
    value, pattern = _knapsack_dp(np.arange(k), caps, sizes, room, pi)
    x = np.array([pattern.get(i, 0) for i in range(k)])
    assert value == pytest.approx(best)
    assert np.all(x @ sizes <= room) and np.all(x <= caps) and float(x @ pi) == pytest.approx(value)


@pytest.mark.parametrize("seed", range(20))
def test_the_least_achievable_cost_at_or_above_a_bound(seed):
    rng = random.Random(seed)
    prices = [rng.choice((0.3, 0.55, 1.0, 1.2, 2.5)) for _ in range(rng.randint(1, 3))]
    limits = [rng.choice((None, 1, 2)) for _ in prices]
    existing = [rng.choice((0.0, 0.7))] if rng.random() < 0.5 else []
    value = rng.uniform(0.1, 6.0)
    sums = {round(sum(n * p for n, p in zip(ns, prices)) + sum(e for e, used in zip(existing, us) if used), 9)
            for ns in itertools.product(*[range((lim if lim is not None else 30) + 1) for lim in limits])
            for us in itertools.product((0, 1), repeat=len(existing))}
    expected = min((s for s in sums if s >= value - 1e-9), default=value)
    assert achievable_at_least(value, prices, limits, existing) == pytest.approx(expected)


def _instance(seed: int):
    rng = random.Random(seed)
    two = seed % 2 == 0
    ws = [fp.Workload(f"w{i}", cpu=rng.choice((1, 2, 3, 5)), memory=f"{rng.choice((1, 2, 4, 6)) if two else 0}Gi",
                      form="container" if seed % 4 != 2 else rng.choice(("any", "vm", "container")),
                      tenant=rng.choice(("a", "b")), isolation=rng.choice(("dedicated",) + ("none",) * 8 + (
                          ("tenant",) if seed % 4 == 2 else ())),
                      anti_affinity=rng.choice(("g", "h")) if rng.random() < 0.25 else None)
          for i in range(rng.randint(4, 8))]
    costs = [rng.choice((1.0, 1.5, 1.7, 2.0)) for _ in range(3)]
    types = [fp.HostType("a", cpu=6, memory="8Gi" if two else 0, cost=costs[0]),
             fp.HostType("b", cpu=8, memory="6Gi" if two else 0, cost=costs[1], available=rng.choice((None, 2))),
             fp.HostType("c", cpu=5, memory="16Gi" if two else 0, cost=costs[2], max_workloads=rng.choice((None, 2)))]
    existing = [fp.Host("old", cpu=4, memory="4Gi" if two else 0)] if seed % 3 == 0 else []
    return ws, types, existing


def _overheads(seed: int) -> fp.Overheads:
    return fp.Overheads() if seed % 4 == 2 else NONE  # (VMs, tenant isolation and the default overheads)


def _optimum(ws, types, existing, over) -> float:
    fits = fit_types(ws, types, over)
    pool, _ = candidate_hosts(fits, {h.id for h in existing})
    free = [fp.Host(h.id, cpu=h.cpu, memory=h.memory, cost=0.0) for h in existing]  # paid for already
    best = fp.place(ws, free + pool, objective="cost", method="exact", overheads=over, time_limit=30)
    assert best.proven_optimal
    return float("inf") if best.unplaced else best.cost


@pytest.mark.parametrize("seed", range(24))
def test_the_column_bound_is_sound_at_every_step(seed):
    """Against the proven optimum over the pool (which holds a best purchase): the bound after 0, 1, 3 and all
    iterations' worth of time, and the purchase plan_capacity makes from it (with the bound the integer master
    proves over the enumerated patterns), verified."""
    ws, types, existing = _instance(seed)
    over = _overheads(seed)
    optimum = _optimum(ws, types, existing, over)
    fits = fit_types(ws, types, over)
    takes = np.array([f.takes for f in fits])
    for seconds in (0.0, 1e-4, 1e-3, 5.0):
        bound = purchase_bound(ws, takes.any(axis=0), takes, types, existing, over, _dims(ws, types), "cost",
                               False, column_seconds=seconds)
        assert bound.value <= optimum + 1e-9
    purchase = fp.plan_capacity(ws, types, existing, over)
    assert fp.verify_capacity(ws, types, purchase, existing, over) == []
    assert purchase.lower_bound <= optimum + 1e-9 <= purchase.cost + 2e-9 or purchase.unplaced


def test_the_column_bound_sees_what_no_two_share():
    """Items of 60 on hosts of 100: the cover says 0.6 host each, the patterns one each; three replicas apart
    (anti-affinity) fit beside them."""
    ws = [fp.Workload(f"w{i}", cpu=60, memory=0, form="container") for i in range(5)]
    ws += [fp.Workload(f"r{i}", cpu=30, memory=0, form="container", anti_affinity="r") for i in range(3)]
    types = [fp.HostType("h", cpu=100, memory=0, cost=1.0)]
    purchase = fp.plan_capacity(ws, types, overheads=NONE)
    assert purchase.lower_bound == purchase.cost == 5.0 and purchase.proven_optimal
    assert "column generation" in purchase.bound_reason
