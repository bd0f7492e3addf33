"""Ratios and headroom (issue 16) as inputs: objects, tables and rows give one problem and one plan; every problem is
reported at once; the part travels with a pickled problem; absent, nothing is sent to the core."""

import pickle

import numpy as np
import pytest

import fleetpack as fp
from fleetpack.model.inputs import build_problem


def fleet():
    workloads = [fp.Workload(f"w{i}", cpu=1 + i % 3, memory="1Gi", overcommit=i % 4 != 0) for i in range(12)]
    hosts = [fp.Host(f"h{j}", cpu=4, memory="16Gi", allocation_ratio={"cpu": 4} if j % 2 else None)
             for j in range(6)]
    return workloads, hosts


def tables(workloads, hosts):
    w = {"id": [x.id for x in workloads], "cpu": [x.cpu for x in workloads], "memory": ["1Gi"] * len(workloads),
         "overcommit": np.array([x.overcommit for x in workloads])}
    h = {"id": [x.id for x in hosts], "cpu": [4] * len(hosts), "memory": ["16Gi"] * len(hosts),
         "allocation_ratio.cpu": np.array([np.nan if x.allocation_ratio is None else 4.0 for x in hosts])}
    return w, h


@pytest.mark.parametrize("method", ["ffd", "bfd", "auto"])
def test_tables_and_objects_give_the_same_plan(method):
    workloads, hosts = fleet()
    keywords = {"allocation_ratio": {"cpu": 2}, "max_utilization": {"cpu": 0.9}}
    rows = fp.place(workloads, hosts, method=method, **keywords)
    columns = fp.place(*tables(workloads, hosts), method=method, **keywords)
    assert rows.assignments == columns.assignments
    assert fp.verify(workloads, hosts, rows, **keywords) == []
    # the table's plan's problem makes objects that restate the ratios
    problem = columns.problem.materialize()
    assert [h.allocation_ratio for h in problem.hosts] == [h.allocation_ratio for h in hosts]
    assert [w.overcommit for w in problem.workloads] == [w.overcommit for w in workloads]


def test_the_part_is_encoded_only_when_some_ratio_or_share_is_not_one():
    workloads, hosts = fleet()
    assert "ratio_ppm" not in build_problem(workloads, [fp.Host("h", cpu=4, memory="1Gi")]).encode()
    problem = build_problem(workloads, hosts, max_utilization={"memory": 0.5})
    arrays = problem.encode()
    assert arrays["ratio_ppm"].tolist()[:2] == [[10**6, 10**6], [4 * 10**6, 10**6]]
    assert arrays["usable_ppm"].tolist() == [10**6, 5 * 10**5]
    assert arrays["overcommit"].tolist() == [w.overcommit for w in workloads]
    columnar = build_problem(*tables(workloads, hosts), max_utilization={"memory": 0.5})
    again = pickle.loads(pickle.dumps(columnar))
    assert again.overbook.ratio_ppm.tolist() == arrays["ratio_ppm"].tolist()
    assert again.overbook.max_utilization == {"memory": 5 * 10**5}


def test_every_problem_at_once():
    with pytest.raises(fp.ValidationError) as info:
        fp.place([fp.Workload("w", cpu=1)], [fp.Host("h", cpu=4, allocation_ratio={"cpu": 2, "disk": 3})],
                 allocation_ratio={"cpu": 0.5}, max_utilization={"memory": 0, "gpu": 0.5})
    fields = {(e.where, e.field) for e in info.value.errors}
    assert fields == {("place()", "allocation_ratio.cpu"), ("place()", "max_utilization.memory"),
                      ("place()", "max_utilization.gpu"), ("host 'h'", "allocation_ratio.disk")}


def test_a_reason_names_the_room_left_at_ratio():
    hosts = [fp.Host("h1", cpu=2, memory="8Gi", allocation_ratio={"cpu": 4})]
    workloads = [fp.Workload(name, cpu=2, memory="1Gi", form="container") for name in "abcd"]
    plan = fp.place(workloads, hosts, method="ffd")
    # room (2 - 0.1 runtime) x 4 = 7.6 cores: three take 6, the fourth finds 1.6
    assert set(plan.unplaced) == {"d"}
    assert "cpu (it has 1.6 left at ratio 4:1)" in plan.unplaced["d"].message, plan.unplaced["d"].message
    too_large = fp.place([fp.Workload("e", cpu=3, memory="1Gi", form="container")], hosts, method="ffd")
    assert too_large.unplaced["e"].code == "too_large"  # more than the host's 2 cores: max_unit


def test_explain_names_the_room_at_ratio_and_the_smallest_change():
    hosts = [fp.Host("h1", cpu=8, memory="64Gi", allocation_ratio={"cpu": 4})]
    workloads = [fp.Workload(f"vm{i}", cpu=4, memory="4Gi", form="vm") for i in range(6)]
    workloads.append(fp.Workload("db", cpu=4, memory="16Gi", form="vm", overcommit=False))
    plan = fp.place(workloads, hosts, method="ffd")
    text = str(plan.explain("vm5"))
    assert "insufficient cpu (it has 3.16 left at ratio 4:1)" in text
    # 240m more physical cpu: (8.24 - 4.12) x 4 = 16.48 holds four VMs of 4.12
    assert "240m more cpu on host 'h1'" in text
    bigger = [fp.Host("h1", cpu="8240m", memory="64Gi", allocation_ratio={"cpu": 4})]
    assert fp.place(workloads[:3] + workloads[5:], bigger, method="ffd").unplaced == {}


def test_the_ratios_travel_to_a_worker():
    from fleetpack.model.rules import HostState
    from fleetpack.model.shipping import join, split

    workloads, hosts = fleet()
    problem = build_problem(workloads, hosts, max_utilization={"cpu": 0.9})
    w, h = split(problem)
    again = join(pickle.loads(pickle.dumps(w)), pickle.loads(pickle.dumps(h))).materialize()
    assert [x.overcommit for x in again.workloads] == [x.overcommit for x in workloads]
    assert [x.allocation_ratio for x in again.hosts] == [x.allocation_ratio for x in hosts]
    assert HostState(again, again.hosts[1]).ratio == [4 * 10**6, 10**6]
    assert again.encode()["usable_ppm"].tolist() == [9 * 10**5, 10**6]
