"""The columnar path (pandas DataFrames, dicts of numpy arrays) gives the plans of the object path, and reports bad
columns naming the row and the field."""

import numpy as np
import pytest
from hypothesis import given, strategies as st

import fleetpack as fp
import fleetpack.baseline

from strategies import hosts as host_lists, overheads, workloads as workload_lists

pd = pytest.importorskip("pandas")


def as_columns(items, kind: str) -> dict:
    """Rows as columns, in the model's integer units and with text columns as plain strings."""
    columns = {"id": np.array([x.id for x in items], dtype=object),
               "cpu_millis": np.array([x.cpu_millis for x in items], dtype=np.uint64),
               "memory_bytes": np.array([x.memory_bytes for x in items], dtype=np.uint64)}
    for name in sorted({d for x in items for d in x.extra_units}):
        columns[f"extra.{name}"] = np.array([x.extra_units.get(name, 0) for x in items], dtype=np.uint64)
    if kind == "workload":
        for field in ("form", "os", "tenant", "isolation", "anti_affinity"):
            columns[field] = np.array([getattr(x, field) for x in items], dtype=object)
    else:
        columns["os"] = np.array([x.os for x in items], dtype=object)
        columns["hypervisor"] = np.array([x.hypervisor for x in items], dtype=object)
        columns["containers"] = np.array([x.containers for x in items], dtype=bool)
        columns["cost"] = np.array([x.cost for x in items], dtype=np.float64)
        columns["max_workloads"] = np.array([np.nan if x.max_workloads is None else x.max_workloads for x in items])
    return columns


@given(workload_lists(), host_lists(), overheads, st.sampled_from(["ff", "ffd", "bfd", "wfd"]),
       st.sampled_from(["hosts", "cost", "spread"]), st.booleans())
def test_columns_give_the_plans_of_objects(ws, hs, over, method, objective, frames):
    w_cols, h_cols = as_columns(ws, "workload"), as_columns(hs, "host")
    if frames:
        w_cols, h_cols = pd.DataFrame(w_cols), pd.DataFrame(h_cols)
    by_rows = fp.place(ws, hs, method=method, objective=objective, overheads=over)
    by_columns = fp.place(w_cols, h_cols, method=method, objective=objective, overheads=over)
    assert by_columns.assignments == by_rows.assignments
    assert by_columns.lower_bound == by_rows.lower_bound
    assert by_columns.objective_value == by_rows.objective_value
    assert by_columns.cost == by_rows.cost
    assert dict(by_columns.utilization) == dict(by_rows.utilization)
    assert {k: u.code for k, u in by_columns.unplaced.items()} == {k: u.code for k, u in by_rows.unplaced.items()}
    assert fp.verify(ws, hs, by_columns, over) == []
    np.testing.assert_array_equal(by_columns.host_index, by_rows.host_index)
    np.testing.assert_array_equal(by_columns.form_codes, by_rows.form_codes)


def test_units_categoricals_and_defaults():
    workloads = pd.DataFrame({
        "cpu": [0.1, 2, 0.25],  # cores, as on the object path: 0.1 is 100m
        "memory": ["512Mi", "4Gi", 1 << 30],
        "form": pd.Categorical(["container", "vm", None]),  # missing: the default, "any"
        "extra.gpu": [0, 0, 1],
    })
    hosts = {"cpu": np.array([8, 16]), "memory": np.array([32 << 30, 64 << 30]), "extra.gpu": np.array([0, 2])}
    plan = fp.place(workloads, hosts)
    assert [a.workload for a in plan.assignments] == ["0", "1", "2"]  # rows named by position
    assert plan.form_of("0") == "container" and plan.form_of("1") == "vm"
    assert plan.host_of("2") == "1"  # the only host with a GPU
    problem = plan.problem.materialize()
    assert [w.cpu_millis for w in problem.workloads] == [100, 2000, 250]
    assert [w.memory_bytes for w in problem.workloads] == [512 << 20, 4 << 30, 1 << 30]
    assert [h.hypervisor for h in problem.hosts] == ["hardware", "hardware"]  # absent column: the default


def test_missing_hypervisor_means_none_and_reasons_are_given():
    workloads = {"id": np.array(["legacy"], dtype=object), "cpu": np.array([1.0]), "memory": np.array([1 << 30]),
                 "form": np.array(["vm"], dtype=object)}
    hosts = {"cpu": np.array([8]), "memory": np.array([16 << 30]), "hypervisor": np.array([None], dtype=object)}
    plan = fp.place(workloads, hosts)
    assert plan.unplaced["legacy"].code == "no_eligible_host"


def test_bad_columns_name_the_row_and_the_field():
    workloads = {"id": np.array(["a", "b", "a", ""], dtype=object), "cpu": np.array([1.0, -1.0, np.nan, np.inf]),
                 "memory": np.array(["1Gi", "2Gb", "1Gi", "1Gi"], dtype=object),
                 "form": np.array(["vm", "xx", "any", "any"], dtype=object), "memroy": np.zeros(4)}
    with pytest.raises(fp.ValidationError) as info:
        fp.place(workloads, {"cpu": np.array([8]), "memory": np.array([16 << 30])})
    assert [(e.where, e.field) for e in info.value.errors] == [("workloads", "memroy")]
    del workloads["memroy"]
    with pytest.raises(fp.ValidationError) as info:
        fp.place(workloads, {"cpu": np.array([8]), "memory": np.array([16 << 30])})
    found = {(e.where, e.field) for e in info.value.errors}
    assert ("workload 'b' (row 1)", "cpu") in found  # negative
    assert ("workload 'a' (row 2)", "cpu") in found  # NaN
    assert ("workload '' (row 3)", "cpu") in found  # infinite
    assert ("workload 'b' (row 1)", "memory") in found  # "2Gb"
    assert ("workload 'b' (row 1)", "form") in found
    assert ("workload 'a' (row 2)", "id") in found  # duplicate
    assert ("workload '' (row 3)", "id") in found  # empty


def test_columns_of_different_lengths_and_bad_dtypes():
    with pytest.raises(fp.ValidationError, match="different lengths"):
        fp.place({"cpu": np.ones(3), "memory": np.ones(2)}, {"cpu": np.ones(1), "memory": np.ones(1)})
    with pytest.raises(fp.ValidationError, match="booleans"):
        fp.place({"cpu": np.ones(2, dtype=bool)}, {"cpu": np.ones(1)})
    with pytest.raises(fp.ValidationError, match="either 'cpu' or 'cpu_millis'"):
        fp.place({"cpu": np.ones(2), "cpu_millis": np.ones(2, dtype=np.uint64)}, {"cpu": np.ones(1)})


def test_rows_beside_columns_and_the_baseline():
    hosts = [fp.Host("h1", cpu=8, memory="32Gi"), fp.Host("h2", cpu=8, memory="32Gi", hypervisor=None)]
    workloads = {"cpu": np.array([3.5, 3.5, 3.5]), "memory": np.array([8 << 30] * 3)}
    plan = fp.place(workloads, hosts, method="ffd")
    assert [a.host for a in plan.assignments] == ["h1", "h1", "h2"]
    assert fleetpack.baseline.place(workloads, hosts, method="ffd").assignments == plan.assignments


def test_place_many_equals_place_one_by_one():
    rng = np.random.default_rng(3)
    problems = []
    for k in range(6):
        n = int(rng.integers(1, 200))
        workloads = {"cpu": rng.integers(1, 16, n) * 0.5, "memory": rng.integers(1, 32, n) * (1 << 29)}
        hosts = {"cpu": np.full(40, 32), "memory": np.full(40, 128 << 30)}
        problems.append((workloads, hosts) if k % 2 else {"workloads": workloads, "hosts": hosts, "method": "bfd"})
    plans = fp.place_many(problems, method="ffd", workers=2)
    for item, plan in zip(problems, plans):
        if isinstance(item, dict):
            alone = fp.place(item["workloads"], item["hosts"], method="bfd")
        else:
            alone = fp.place(*item, method="ffd")
        assert plan.assignments == alone.assignments and plan.strategy == alone.strategy


def test_place_many_times_each_problem_itself_and_gives_the_exact_stage_its_time():
    # the core reports each problem's own solve time; the exact stage of `auto` proves a small instance whose
    # bound (2) is below its optimum (3), as `place` does
    none = fp.Overheads.none()
    small = ([fp.Workload(f"w{i}", cpu=0, memory=s) for i, s in enumerate([58, 55, 38, 31, 16])],
             [fp.Host(f"h{j}", cpu=1, memory=100) for j in range(5)])
    big = ({"cpu": np.full(2000, 1.0), "memory": np.full(2000, 1 << 30)},
           {"cpu": np.full(200, 16), "memory": np.full(200, 64 << 30)})
    plans = fp.place_many([small, {"workloads": big[0], "hosts": big[1], "method": "ffd"}], overheads=none)
    assert plans[0].strategy.endswith(":optimal") and plans[0].hosts_used == plans[0].lower_bound == 3
    assert plans[0].strategy == fp.place(*small, overheads=none).strategy
    assert all(plan.elapsed > 0 for plan in plans)
    from fleetpack import _core
    from fleetpack.model import build_problem

    answer = _core.place(build_problem(*big, none).encode(), "ffd", "sum", "hosts")
    assert answer["elapsed"] > 0 and answer["host_index"].shape == (2000,)


def test_place_many_reports_every_bad_problem():
    good = ([fp.Workload("a", cpu=1)], [fp.Host("h", cpu=2, memory="1Gi")])
    with pytest.raises(fp.ValidationError) as info:
        fp.place_many([good, ([{"id": "x", "cpu": -1}], good[1]), {"workloads": []}, 7])
    wheres = [e.where for e in info.value.errors]
    assert wheres == ["problems[1]: workload 'x'", "problems[2]", "problems[3]"]


@given(workload_lists(), host_lists(), st.sampled_from(["ffd", "bfd", "auto"]))
def test_fields_left_out_take_their_defaults(ws, hs, method):
    """A table with only sizes is the table with every other column at its default: the same plan (the columns not
    given are constants the core reads, not arrays made per row)."""
    w_all, h_all = as_columns(ws, "workload"), as_columns(hs, "host")
    w_sizes = {k: w_all[k] for k in w_all if k in ("cpu_millis", "memory_bytes") or k.startswith("extra.")}
    h_sizes = {k: h_all[k] for k in h_all if k in ("cpu_millis", "memory_bytes") or k.startswith("extra.")}
    defaults = {"form": "any", "os": "linux", "tenant": "", "isolation": "none", "anti_affinity": None}
    w_defaults = {**w_sizes, **{k: np.array([v] * len(ws), dtype=object) for k, v in defaults.items()}}
    h_defaults = {**h_sizes, "os": np.array(["linux"] * len(hs), dtype=object),
                  "hypervisor": np.array(["hardware"] * len(hs), dtype=object),
                  "containers": np.ones(len(hs), dtype=bool), "cost": np.ones(len(hs)),
                  "max_workloads": np.full(len(hs), np.nan)}
    short = fp.place(w_sizes, h_sizes, method=method)
    spelled = fp.place(w_defaults, h_defaults, method=method)
    np.testing.assert_array_equal(short.host_index, spelled.host_index)
    np.testing.assert_array_equal(short.form_codes, spelled.form_codes)
    assert (short.objective_value, short.cost, short.lower_bound) == (spelled.objective_value, spelled.cost,
                                                                       spelled.lower_bound)
    assert dict(short.utilization) == dict(spelled.utilization)


def test_size_columns_in_units_are_read_without_a_copy():
    memory = np.array([3, 5, 7], dtype=np.uint64)
    plan = fp.place({"memory_bytes": memory}, {"memory_bytes": np.array([10, 10], dtype=np.uint64)},
                    overheads=fp.Overheads.none())
    assert np.shares_memory(plan.problem.encode()["demand"][1], memory)
    assert plan.hosts_used == 2 and plan.proven_optimal
    # another dtype is converted (a copy): the problem keeps its own uint64 column
    signed = memory.astype(np.int64)
    plan = fp.place({"memory_bytes": signed}, {"memory_bytes": np.array([10, 10])}, overheads=fp.Overheads.none())
    assert not np.shares_memory(plan.problem.encode()["demand"][1], signed)
    assert plan.problem.demands.tolist() == [[0, 3], [0, 5], [0, 7]]
