"""The purchase the column generation's LP guides (issue 17): its classes dealt to the kinds as its patterns hold
them (capacity/classbuy.py ``pattern_guide``), the extra columns per round (capacity/colgen.py ``_apart``), the
packings kept with what they leave placed alone, and the planner's route on a large two-dimensional fleet."""

from __future__ import annotations

import random

import numpy as np
import pytest

import fleetpack as fp
from fleetpack.capacity import colgen
from fleetpack.capacity.bounds import purchase_bound
from fleetpack.capacity.classbuy import JOINT_WORK, _class_shares, class_purchase, pattern_guide
from fleetpack.capacity.planner import _dims
from fleetpack.capacity.pool import fit_types

NONE = fp.Overheads.none()


def _lp(sizes, demand, columns):
    n = len(sizes)
    lp = colgen.PatternLP(np.array(sizes, dtype=np.int64), np.array(demand, dtype=np.int64),
                          np.zeros(n, dtype=bool), np.full(n, -1, dtype=np.int64), [],
                          [colgen.Kind(np.array([10, 10, 99]), 1.0, float("inf"), np.ones(n, dtype=bool)),
                           colgen.Kind(np.array([20, 5, 99]), 1.0, float("inf"), np.array([True, True, False]))])
    lp.columns.extend(columns)
    return lp


def test_the_shares_follow_the_exchanges():
    """Class 1 (3x3) has no pattern of its own: the LP covers it with the room of class 0's copies (5x5) that
    class 0 leaves free; class 2 only with its own pattern. Every class gets its demand, from the kinds that hold
    it."""
    lp = _lp([[5, 5, 1], [3, 3, 1], [2, 2, 1]], [2, 2, 3], [(0, {0: 2}), (1, {0: 1}), (0, {2: 3})])
    share = _class_shares(lp, [1.0, 2.0, 1.0])  # class 0: 2 copies on kind 0, 2 on kind 1; demand 2
    assert share.sum(axis=1) == pytest.approx([2, 2, 3])
    assert share[0] == pytest.approx([1.0, 1.0]) and share[1] == pytest.approx([1.0, 1.0])
    assert share[2] == pytest.approx([3.0, 0.0])


def test_a_class_is_not_dealt_to_a_kind_that_does_not_take_it():
    """Class 2 may use class 0's free room only on kind 0 (kind 1 does not take it)."""
    lp = _lp([[5, 5, 1], [3, 3, 1], [2, 2, 1]], [1, 0, 2], [(1, {0: 2}), (0, {0: 1})])
    share = _class_shares(lp, [1.0, 1.0])  # class 0: 2 copies on kind 1, 1 on kind 0; demand 1
    assert share[2, 1] == 0.0 and share[2, 0] == pytest.approx(share[2].sum())
    assert share[0].sum() == pytest.approx(1.0)


def _fleet(n: int, seed: int):
    rng = random.Random(seed)
    shapes = ((100, 100, 10.0), (60, 60, 4.0), (50, 150, 6.0), (150, 50, 6.0))
    types = [fp.HostType(f"t{j}", cpu=c, memory=f"{m}Mi", cost=p) for j, (c, m, p) in enumerate(shapes)]
    ws = [fp.Workload(f"w{i}", cpu=rng.randint(10, 50), memory=f"{rng.randint(10, 50)}Mi", form="container")
          for i in range(n)]
    return ws, types


def _bound(ws, types, seconds):
    fits = fit_types(ws, types, NONE)
    takes = np.array([f.takes for f in fits])
    return fits, purchase_bound(ws, takes.any(axis=0), takes, types, [], NONE, _dims(ws, types), "cost", False,
                                column_seconds=seconds)


def test_the_extra_columns_leave_the_lp_as_it_was(monkeypatch):
    """On an LP of many classes each round adds columns apart from the first (``_apart``): the LP converges to
    the same value, in no more rounds."""
    ws, types = _fleet(600, 1)
    results = {}
    for apart in (0, colgen._APART):
        monkeypatch.setattr(colgen, "_APART", apart)
        _, bound = _bound(ws, types, 20.0)
        assert bound.patterns is not None and len(bound.patterns.lp.demand) >= colgen._MIN_EXCHANGE
        results[apart] = bound.patterns.result
    without, with_ = results[0], results[colgen._APART]
    assert without.converged and with_.converged
    assert with_.value == pytest.approx(without.value, rel=1e-6)
    assert with_.iterations <= without.iterations


@pytest.mark.parametrize("joint", (None, JOINT_WORK))
def test_the_guided_purchase_places_every_workload_validly(joint):
    """Each class dealt as the LP's patterns hold it, each type's share packed alone, the rest placed after
    (alone, or by the placement over everything): a valid plan of every workload, no dearer than the LP says
    by much, and buying only types the guide deals to or the rest needs."""
    ws, types = _fleet(600, 2)
    fits, bound = _bound(ws, types, 20.0)
    guide = pattern_guide(bound.patterns, len(types))
    assert guide is not None and np.all(guide.target >= 0) and len(guide.rows) == len(ws)
    plan, kinds = class_purchase(ws, [], NONE, fits, guide, lambda t: t.cost, None, 0, joint=joint)
    assert not plan.unplaced and fp.verify(ws, list(plan.problem.materialize().hosts), plan, NONE) == []
    assert bound.value <= plan.cost <= 1.1 * bound.value
    index = np.asarray(plan.host_index)
    assert len(kinds) >= len(set(index.tolist()))


def test_no_guide_without_a_solution_or_for_merged_items():
    ws, types = _fleet(30, 3)
    _, bound = _bound(ws, types, 0)
    assert pattern_guide(bound.patterns, len(types)) is None  # (no column generation: no patterns)
    _, bound = _bound(ws, types, 2.0)
    from dataclasses import replace

    assert pattern_guide(replace(bound.patterns, merged=True), len(types)) is None


def test_a_large_two_dimensional_fleet_is_bought_as_the_column_generation_guides():
    """Above ``CLOSE_SIZE`` workloads with a time limit, the column generation runs first and its LP guides the
    purchase; it is valid and within its bound."""
    ws, types = _fleet(2100, 4)
    bought = fp.plan_capacity(ws, types, overheads=NONE, time_limit=5)
    assert fp.verify_capacity(ws, types, bought, overheads=NONE) == []
    assert any("column generation's LP guides" in note for note in bought.notes)
    assert 0 < bought.lower_bound <= bought.cost
    assert set(bought.buy) <= {t.name for t in types} and not bought.plan.unplaced
