"""The live part of the inputs (issue 15): the workloads' live fields in rows and in columns, the keywords of
``place`` and of each ``place_many`` problem, and their errors all at once."""

import numpy as np
import pandas as pd
import pytest

import fleetpack as fp
import fleetpack.baseline
from fleetpack.model.inputs import build_problem
from fleetpack.solve.front import read_problems

HOSTS = [fp.Host("h1", cpu=8, memory="32Gi"), fp.Host("h2", cpu=8, memory="32Gi", hypervisor=None)]
ROWS = [fp.Workload("a", cpu=2, memory="4Gi", current="h1", current_form="vm", pinned=True),
        fp.Workload("b", cpu=3, memory="2Gi", current="h1", move_cost="1Ki"),
        fp.Workload("c", cpu=4, memory="1Gi")]
COLUMNS = pd.DataFrame({"id": ["a", "b", "c"], "cpu": [2, 3, 4], "memory": ["4Gi", "2Gi", "1Gi"],
                        "current": ["h1", "h1", None], "current_form": ["vm", None, None],
                        "pinned": [True, False, False], "move_cost": [None, "1Ki", None]})


def test_a_workloads_live_fields_and_their_defaults():
    a, b, c = ROWS
    assert (a.current, a.current_form, a.pinned, a.move_cost_units) == ("h1", "vm", True, 4 * 2**30)
    assert b.move_cost_units == 1024 and c.move_cost_units == 2**30 and c.current is None
    again = fp.Workload(**b.to_dict())  # to_dict keeps the live fields
    assert (again.current, again.move_cost_units, again.pinned) == ("h1", 1024, False)
    assert fp.Workload("n", current=7).current == "7"  # an id that is an integer is its text, as Workload.id


def test_rows_and_columns_give_one_live_problem_and_one_plan():
    rows = build_problem(ROWS, HOSTS, drain=["h2"], max_moves=3)
    columns = build_problem(COLUMNS, HOSTS, drain=["h2"], max_moves=3)
    for name in ("current", "current_form", "pinned", "move_cost", "drain"):
        assert np.array_equal(getattr(rows.live, name), getattr(columns.live, name)), name
    assert (columns.live.max_moves, columns.live.max_move_cost) == (3, None)
    assert [(w.current, w.current_form, w.pinned, w.move_cost_units) for w in columns.workloads] == \
        [(w.current, w.current_form, w.pinned, w.move_cost_units) for w in ROWS]
    by_rows = fleetpack.baseline.place(ROWS, HOSTS, drain=["h2"], method="ffd")
    by_columns = fleetpack.baseline.place(COLUMNS, HOSTS, drain=["h2"], method="ffd")
    assert by_rows.assignments == by_columns.assignments and by_rows.moves == by_columns.moves


def test_a_table_beside_rows_keeps_the_live_fields():
    hosts = pd.DataFrame({"id": ["h1", "h2"], "cpu": [8, 8], "memory": ["32Gi", "32Gi"]})
    problem = build_problem(ROWS, hosts, max_move_cost=5)
    assert problem.live.current.tolist() == [0, 0, -1] and problem.live.move_cost.tolist()[1] == 1024


def test_place_many_takes_the_live_keywords_and_each_problems_own():
    jobs = read_problems([(ROWS, HOSTS), {"workloads": ROWS, "hosts": HOSTS, "drain": ["h2"], "max_moves": 1}],
                         {"objective": "hosts", "method": "ffd", "sort_key": "sum", "overheads": None,
                          "time_limit": None, "max_moves": 4, "max_move_cost": None, "drain": ()}, 0, None, False)
    (first, _), (second, _) = jobs
    assert first.live.max_moves == 4 and not first.live.drain.any()
    assert second.live.max_moves == 1 and second.live.drain.tolist() == [False, True]


def test_every_live_problem_is_reported_at_once():
    ws = [fp.Workload("x", current="h9"), fp.Workload("y", current="h1", pinned=True)]
    with pytest.raises(fp.ValidationError) as info:
        fp.place(ws, HOSTS, drain=["h1", "h7"], max_moves=-2, max_move_cost=0.5)
    assert [(e.where, e.field) for e in info.value.errors] == [
        ("place()", "max_moves"), ("place()", "max_move_cost"), ("place()", "drain"), ("workload 'x'", "current"),
        ("workload 'y'", "pinned")]


def test_exact_plans_a_live_fleet_rather_than_ignore_it():
    # exact/live.py models the live part: the plan is checked against it, in place and in place_many alike
    plan = fp.place(ROWS, HOSTS, method="exact", time_limit=10)
    assert fp.verify(ROWS, HOSTS, plan) == []
    [many] = fp.place_many([(ROWS, HOSTS)], method="exact", time_limit=10)
    assert many.assignments == plan.assignments and many.moves == plan.moves