"""The column generation's pricing in the core (fleetpack_core::knapsack through ``_core.knapsack``) and its cheap
bound (capacity/pricing.py): exact against brute force, the cheap bound above the best pattern, and the column
bound built on them (with the exchange columns and the smoothed duals) below the proven optimum."""

from __future__ import annotations

import itertools
import random
from types import SimpleNamespace

import numpy as np
import pytest

import fleetpack as fp
from fleetpack import _core
from fleetpack.capacity import colgen
from fleetpack.capacity.bounds import purchase_bound
from fleetpack.capacity.planner import _dims
from fleetpack.capacity.pool import candidate_hosts, fit_types
from fleetpack.capacity.pricing import exact_pricing, fractional_upper
from fleetpack.capacity.tighten import seeds

NONE = fp.Overheads.none()


def _brute(sizes: np.ndarray, room: np.ndarray, caps: np.ndarray, values: np.ndarray) -> float:
    return max(float(np.dot(x, values)) for x in itertools.product(*[range(int(c) + 1) for c in caps])
               if np.all(np.array(x) @ sizes <= room))


def _case(seed: int, dims: int):
    rng = random.Random(seed)
    k = rng.randint(1, 5)
    sizes = np.array([[rng.randint(0, 6) * rng.choice((1, 2)) for _ in range(dims)] for _ in range(k)],
                     dtype=np.int64).reshape(k, dims)
    room = np.array([rng.randint(0, 16) for _ in range(dims)], dtype=np.int64)
    caps = np.array([rng.randint(0, 4) for _ in range(k)], dtype=np.int64)
    values = np.array([rng.random() * 3 for _ in range(k)])
    return sizes, room, caps, values


@pytest.mark.parametrize("seed", range(60))
def test_the_core_knapsack_is_the_brute_force_optimum(seed):
    sizes, room, caps, values = _case(seed, 2)
    value, copies = _core.knapsack(sizes.astype(np.uint64), values, caps.astype(np.uint64),
                                   (int(room[0]), int(room[1])))
    x = copies.astype(np.int64)
    assert value == pytest.approx(_brute(sizes, room, caps, values), abs=1e-9)
    assert np.all(x @ sizes <= room) and np.all(x <= caps) and float(x @ values) == pytest.approx(value, abs=1e-9)
    relaxed, more = _core.knapsack(sizes.astype(np.uint64), values, caps.astype(np.uint64),
                                   (int(room[0]), int(room[1])), True)
    assert relaxed >= value - 1e-9 and np.all(more.astype(np.int64) @ sizes <= room)


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("dims", (1, 2))
def test_the_exact_pricing_and_the_cheap_bound(seed, dims):
    """The pricing in units of the sizes' gcd is the best pattern; the cheap bound is never below it."""
    sizes, room, caps, values = _case(seed, dims)
    sizes, room = sizes * 1000, room * 1000 + seed % 7  # (whole units of a gcd, and a room off the grid)
    keep = (caps > 0) & np.all(sizes <= room, axis=1)
    sizes, caps, values = sizes[keep], caps[keep], values[keep]
    if not len(caps):
        return
    best = _brute(sizes, room, caps, values)
    found = exact_pricing(np.arange(len(caps)), caps, sizes, room, values)
    assert found is not None
    upper, value, pattern = found
    x = np.array([pattern.get(i, 0) for i in range(len(caps))])
    assert value == pytest.approx(best, abs=1e-9) and upper >= best
    assert np.all(x @ sizes <= room) and np.all(x <= caps)
    assert fractional_upper(sizes, room, caps, values) >= best - 1e-9


def test_the_core_knapsack_refuses_bad_input():
    one = np.array([[1, 1]], dtype=np.uint64)
    with pytest.raises(ValueError):
        _core.knapsack(one, np.array([float("nan")]), np.array([1], dtype=np.uint64), (3, 3))
    with pytest.raises(ValueError):
        _core.knapsack(one, np.array([1.0, 2.0]), np.array([1], dtype=np.uint64), (3, 3))
    with pytest.raises(ValueError):
        _core.knapsack(one, np.array([1.0]), np.array([1], dtype=np.uint64), (5000, 5000))
    with pytest.raises(ValueError):
        _core.knapsack(np.ones((1, 3), dtype=np.uint64), np.array([1.0]), np.array([1], dtype=np.uint64), (3, 3))


def _two_dim(seed: int):
    """Pure two-dimensional vector packing, a few shapes of host (the benchmark's family, small)."""
    rng = random.Random(seed)
    shapes = [(10, 10, 3.0), (6, 6, 1.0), (5, 15, 1.5), (15, 5, 1.5), (12, 8, 2.2)]
    types = [fp.HostType(f"t{j}", cpu=c, memory=f"{m}Gi", cost=p, available=rng.choice((None, None, 2)))
             for j, (c, m, p) in enumerate(rng.sample(shapes, rng.randint(2, 4)))]
    ws = [fp.Workload(f"w{i}", cpu=rng.randint(1, 5), memory=f"{rng.randint(1, 5)}Gi", form="container")
          for i in range(rng.randint(5, 9))]
    return ws, types


@pytest.mark.parametrize("seed", range(24))
@pytest.mark.parametrize("exchanges", (False, True))
def test_the_column_bound_is_sound_in_two_dimensions(seed, exchanges, monkeypatch):
    """The core's pricing, the exchange columns (forced on, for so few classes) and the smoothed duals: below the
    proven optimum, stopped early or converged."""
    if exchanges:
        monkeypatch.setattr(colgen, "_MIN_EXCHANGE", 0)
    ws, types = _two_dim(seed)
    fits = fit_types(ws, types, NONE)
    pool, kinds = candidate_hosts(fits, set())
    best = fp.place(ws, pool, objective="cost", method="exact", overheads=NONE, time_limit=30)
    assert best.proven_optimal
    takes = np.array([f.takes for f in fits])
    planted = seeds(best, kinds, 0, types)  # (the optimum's hosts as the first columns of the exact-size LP)
    for seconds, given in ((1e-4, ()), (5.0, ()), (1e-4, planted), (5.0, planted)):
        bound = purchase_bound(ws, takes.any(axis=0), takes, types, [], NONE, _dims(ws, types), "cost", False,
                               column_seconds=seconds, seeds=given)
        assert bound.value <= best.cost + 1e-9


def test_the_exchanges_pair_a_class_with_a_larger_one(monkeypatch):
    monkeypatch.setattr(colgen, "_MIN_EXCHANGE", 0)
    sizes = np.array([[1, 2, 1], [2, 2, 1], [2, 1, 1], [3, 3, 1], [1, 1, 1]], dtype=np.int64)
    everywhere = np.ones(len(sizes), dtype=bool)
    lp = colgen.PatternLP(sizes, np.ones(len(sizes), dtype=np.int64), np.zeros(len(sizes), dtype=bool),
                          np.full(len(sizes), -1, dtype=np.int64), [],
                          [colgen.Kind(np.array([4, 4, 9]), 1.0, float("inf"), everywhere)])
    pairs = colgen._exchanges(lp)
    assert pairs and all(np.all(sizes[i] <= sizes[j]) and i != j for i, j in pairs)
    assert {(0, 1), (2, 1), (1, 3), (4, 0), (4, 2)} <= set(pairs)


def test_the_coarse_classes_keep_what_never_shares_a_host_apart():
    """Rounded down (sound), and an item of which two copies do not fit a room stays so."""
    from fleetpack.capacity.bounds import _MAX_CLASSES, _coarse_sizes

    rng = random.Random(3)
    real = np.array([[rng.randint(10, 50), rng.randint(10, 50), 1] for _ in range(3000)], dtype=np.int64)
    eligible = [(True,)] * len(real)
    coarse = _coarse_sizes(real, eligible, [[60, 60, 3000]])
    assert coarse is not real and np.all(coarse <= real)
    assert len({tuple(r) for r in coarse.tolist()}) <= _MAX_CLASSES
    for edge in (31, 21, 16):  # 60 // k + 1 for k = 2, 3, 4
        assert np.all((coarse[:, :2] >= edge) == (real[:, :2] >= edge))


def test_a_purchase_kept_early_gets_the_column_bound():
    """Items of 60 on hosts of 100: the cover says 0.6 host each, the column generation one each; ``tighten``
    raises the bound a kept purchase is measured against, and leaves it when the purchase is within 1%."""
    from fleetpack.capacity.rulebound import Rating
    from fleetpack.capacity.tighten import tighten

    ws = [fp.Workload(f"w{i}", cpu=60, memory=0, form="container") for i in range(5)]
    types = [fp.HostType("h", cpu=100, memory=0, cost=1.0)]
    fits = fit_types(ws, types, NONE)
    takes = np.array([f.takes for f in fits])
    rules = {"rules": (), "rating": Rating()}
    cover = purchase_bound(ws, takes.any(axis=0), takes, types, [], NONE, _dims(ws, types), "cost", False,
                           column_seconds=0, **rules)
    assert cover.value == 3.0
    options = {"bound": cover, "deadline": None, "time_limit": None, "objective": "cost", "existing_cost": False}
    plan = fp.place(ws, [types[0].host(f"h-{j}") for j in range(5)], objective="cost", overheads=NONE)
    kept = SimpleNamespace(plan=plan, kinds=["h"] * 5, key=(0, 3.0))
    tighten(ws, [], NONE, types, takes, kept, options, _dims(ws, types), rules)
    assert options["bound"] is cover  # (within 1%: not bounded again)
    tighten(ws, [], NONE, types, takes, SimpleNamespace(plan=plan, kinds=["h"] * 5, key=(0, 5.0)), options,
            _dims(ws, types), rules)
    assert options["bound"].value == 5.0 and "column generation" in options["bound"].reason
