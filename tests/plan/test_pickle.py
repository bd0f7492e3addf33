"""Everything a user gets back pickles, with plain `pickle` and with `cloudpickle` (what Dask and Ray use): plans of
every input form (rebuilt from the problem and the answer's arrays), problems, the model's objects, fleets and the
errors. A copy is compared with the original field by field."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

import fleetpack as fp
from fleetpack.model.inputs import build_problem

cloudpickle = pytest.importorskip("cloudpickle")

DUMPS = {"pickle": lambda x: pickle.dumps(x, protocol=pickle.HIGHEST_PROTOCOL), "cloudpickle": cloudpickle.dumps}


@pytest.fixture(params=sorted(DUMPS))
def round_trip(request):
    dumps = DUMPS[request.param]
    return lambda x: pickle.loads(dumps(x))


def rows_fleet():
    workloads = [
        fp.Workload("web-1", cpu="500m", memory="1Gi", form="container"),
        fp.Workload("web-2", cpu=0.5, memory="1Gi", anti_affinity="web"),
        fp.Workload("web-3", cpu=0.5, memory="1Gi", anti_affinity="web"),
        fp.Workload("payroll", cpu=4, memory="16Gi", os="windows"),
        fp.Workload("etl", cpu=1, memory="2Gi", tenant="acme", isolation="tenant", extra={"gpu": 1}),
        fp.Workload("huge", cpu=500, memory="1Gi"),  # fits nowhere: a reason
    ]
    hosts = [fp.Host("a", cpu=8, memory="32Gi", cost=2.0), fp.Host("b", cpu=8, memory="32Gi", extra={"gpu": 2}),
             fp.Host("c", cpu=4, memory="16Gi", hypervisor=None, max_workloads=3)]
    return workloads, hosts


def columnar_fleet():
    n = 40
    workloads = pd.DataFrame({
        "id": [f"w{i}" for i in range(n)],
        "cpu": np.linspace(0.25, 6, n),
        "memory": (np.arange(n) % 7 + 1) * 2**30,
        "form": pd.Categorical(["any", "vm", "container", None] * (n // 4)),
        "os": ["linux"] * (n - 2) + ["windows", None],
        "anti_affinity": [None, "g"] * (n // 2),
        "extra.gpu": np.arange(n) % 2,
    })
    hosts = {"cpu": np.full(6, 16), "memory": np.full(6, 64 * 2**30), "extra.gpu": np.array([0, 4, 4, 0, 0, 4]),
             "max_workloads": np.array([np.nan, 5, np.nan, 8, np.nan, np.nan]),
             "hypervisor": np.array(["hardware", None, "software", "paravirtual", "hardware", None], dtype=object)}
    return workloads, hosts


def assert_same_plan(copy: fp.Plan, plan: fp.Plan) -> None:
    assert type(copy) is fp.Plan
    assert list(copy.assignments) == list(plan.assignments)
    assert {k: (u.code, u.message) for k, u in copy.unplaced.items()} == \
        {k: (u.code, u.message) for k, u in plan.unplaced.items()}
    for name in ("objective", "objective_value", "hosts_used", "cost", "lower_bound", "proven_optimal", "method",
                 "strategy", "elapsed", "dimensions", "gap"):
        assert getattr(copy, name) == getattr(plan, name), name
    assert {h: dict(u) for h, u in copy.utilization.items()} == {h: dict(u) for h, u in plan.utilization.items()}
    assert copy.to_dict() == plan.to_dict()
    if plan.host_index is not None:
        np.testing.assert_array_equal(copy.host_index, plan.host_index)
        np.testing.assert_array_equal(copy.form_codes, plan.form_codes)


@pytest.mark.parametrize("method", ["ffd", "bfd", "auto"])
@pytest.mark.parametrize("objective", ["hosts", "cost", "spread"])
def test_plans_of_rows_round_trip(round_trip, method, objective):
    plan = fp.place(*rows_fleet(), method=method, objective=objective)
    assert plan.unplaced  # the test covers the reasons
    assert_same_plan(round_trip(plan), plan)


def test_plans_of_columns_round_trip(round_trip):
    plan = fp.place(*columnar_fleet(), method="auto")
    copy = round_trip(plan)
    assert_same_plan(copy, plan)
    # the copy answers what needs its problem, as the original does
    assert str(copy.explain("w3")) == str(plan.explain("w3"))
    pd.testing.assert_frame_equal(copy.to_pandas(), plan.to_pandas())
    assert fp.verify(copy.problem.workloads, copy.problem.hosts, copy) == []


def test_a_plan_read_from_json_round_trips(round_trip):
    plan = fp.Plan.from_json(fp.place(*rows_fleet()).to_json())
    assert_same_plan(round_trip(plan), plan)


def test_reasons_worked_out_travel_with_the_plan(round_trip):
    plan = fp.place(*rows_fleet(), method="ffd")
    assert round_trip(plan).unplaced.computed() is None  # not worked out: not sent, worked out when read
    reasons = dict(plan.unplaced)
    copy = round_trip(plan)
    assert copy.unplaced.computed() == reasons  # worked out: sent, not worked out again


def test_problems_round_trip_in_every_input_form(round_trip):
    for workloads, hosts in (rows_fleet(), columnar_fleet()):
        problem = build_problem(workloads, hosts)
        problem.demands, problem.capacities  # caches made: they do not travel, the copy makes them again
        copy = round_trip(problem)
        assert type(copy) is type(problem) and copy.dimensions == problem.dimensions
        assert list(copy.workload_ids) == list(problem.workload_ids)
        assert list(copy.host_ids) == list(problem.host_ids)
        for name, value in problem.encode().items():
            for a, b in zip(*(v if isinstance(v, tuple) else (v,) for v in (copy.encode()[name], value))):
                np.testing.assert_array_equal(a, b, err_msg=name)
        assert copy.materialize().workloads == problem.materialize().workloads
        assert copy.materialize().hosts == problem.materialize().hosts


def test_a_column_of_one_value_pickles_as_that_value():
    n = 200_000
    problem = build_problem({"cpu": np.ones(n), "memory": np.full(n, 2**30)}, {"cpu": [64], "memory": [2**38]})
    data = pickle.dumps(problem, protocol=5)
    # the two size columns (8 bytes a row each) and little else: the constant columns (form, os, tenant, ...)
    assert len(data) < 2 * 8 * n + 20_000
    copy = pickle.loads(data)
    assert copy.arrays["allowed"].strides == (0,) and copy.arrays["allowed"].shape == (n,)


def test_model_objects_and_fleets_round_trip(round_trip):
    workloads, hosts = rows_fleet()
    overheads = fp.Overheads(vm=fp.Resources(0, "1Gi"), vm_cpu_factor={"hardware": 1.1})
    assert round_trip(workloads) == workloads and round_trip(hosts) == hosts
    assert round_trip(overheads) == overheads and round_trip(fp.Overheads.none()) == fp.Overheads.none()
    fleet = fp.Fleet(workloads, hosts, overheads, description="two racks")
    assert round_trip(fleet) == fleet


def test_errors_round_trip(round_trip):
    with pytest.raises(fp.ValidationError) as info:
        fp.place([{"id": "a", "cpu": -1}, {"id": "b", "memory": "x"}], [fp.Host("h", cpu=1)], method="best")
    copy = round_trip(info.value)
    assert type(copy) is fp.ValidationError and copy.errors == info.value.errors and str(copy) == str(info.value)
    assert all(type(e) is fp.ErrorDetail for e in copy.errors) and len(copy.errors) == 3
    with pytest.raises(fp.InfeasibleError) as info:
        fp.place(*rows_fleet(), strict=True)
    copy = round_trip(info.value)
    assert type(copy) is fp.InfeasibleError and str(copy) == str(info.value)
    assert copy.unplaced == info.value.unplaced
    assert_same_plan(copy.plan, info.value.plan)


def test_explanations_and_violations_round_trip(round_trip):
    plan = fp.place(*rows_fleet(), method="ffd")
    for workload in ("web-1", "huge"):  # placed (its checks), unplaced (the changes that would let it fit)
        explanation = plan.explain(workload)
        copy = round_trip(explanation)
        assert copy == explanation and str(copy) == str(explanation) and copy.to_dict() == explanation.to_dict()
    broken = fp.Plan.from_dict({**plan.to_dict(), "assignments": [{"workload": "web-1", "host": "nope",
                                                                   "form": "vm"}]})
    violations = fp.verify(*rows_fleet(), broken)
    assert violations and round_trip(violations) == violations


def test_a_live_plan_keeps_its_moves(round_trip):
    # the problem's live part travels with it: the copy's moves are recomputed from the same current placement
    workloads = [fp.Workload("a", cpu=1, memory="1Gi", current="h1"),
                 fp.Workload("b", cpu=1, memory="1Gi", current="h2", current_form="container")]
    hosts = [fp.Host("h1", cpu=4, memory="8Gi"), fp.Host("h2", cpu=4, memory="8Gi")]
    plan = fp.place(workloads, hosts, drain=["h2"])
    copy = round_trip(plan)
    assert plan.move_count == 1
    assert copy.moves == plan.moves and copy.move_cost == plan.move_cost and copy.live
    assert copy.assignments == plan.assignments and copy.bound_reason == plan.bound_reason
    assert round_trip(plan.moves[0]) == plan.moves[0]
    problem = build_problem(workloads, hosts, None)
    copied = round_trip(problem)
    assert copied.live is not None and copied.live.current.tolist() == problem.live.current.tolist()
