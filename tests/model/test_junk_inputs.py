"""Any value in any field is either accepted or a `ValidationError` -- never a TypeError, an OverflowError or a crash
from deep inside -- on the object path, the dict path, the columnar path and for the parameters of ``place``."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, strategies as st

import fleetpack as fp

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([10**400, -(10**400)]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.sampled_from(["1Gi", "500m", "-1", "1e400", "1e-400", "0x10", "∞", "1_000", " 2 ", "NaN", "inf", "linux"]),
    st.lists(st.integers(0, 3), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(-2, 2), max_size=2),
    st.just(object()),
    st.just(np.float64("nan")),
    st.just(np.int64(-1)),
    st.just(np.uint64(2**63)),
)
WORKLOAD_FIELDS = ["id", "cpu", "memory", "extra", "form", "os", "tenant", "isolation", "anti_affinity"]
HOST_FIELDS = ["id", "cpu", "memory", "extra", "os", "hypervisor", "containers", "cost", "max_workloads"]


def accepted_or_validation_error(build):
    try:
        return build()
    except fp.ValidationError as exc:
        assert exc.errors and all(e.where and e.field for e in exc.errors)
        return None


@given(st.sampled_from(WORKLOAD_FIELDS), JUNK)
def test_a_workload_field_of_any_value(field, value):
    kwargs = {"id": "w1", field: value}
    w = accepted_or_validation_error(lambda: fp.Workload(**kwargs))
    if w is not None:  # accepted: it places (or is reported unplaced) like any workload
        plan = fp.place([w], [fp.Host("h1", cpu=64, memory="256Gi")], method="ffd")
        assert plan.placed + len(plan.unplaced) == 1


@given(st.sampled_from(HOST_FIELDS), JUNK)
def test_a_host_field_of_any_value(field, value):
    kwargs = {"id": "h1", field: value}
    h = accepted_or_validation_error(lambda: fp.Host(**kwargs))
    if h is not None:
        assert math.isfinite(h.cost) and h.cost >= 0
        plan = fp.place([fp.Workload("w1", cpu=1, memory="1Gi")], [h], method="ffd", objective="cost")
        assert math.isfinite(plan.cost) and math.isfinite(plan.lower_bound)


@given(st.sampled_from(WORKLOAD_FIELDS), JUNK, st.sampled_from(HOST_FIELDS), JUNK)
def test_dict_rows_of_any_value(w_field, w_value, h_field, h_value):
    workloads = [{"id": "w1", "cpu": 1, w_field: w_value}]
    hosts = [{"id": "h1", "cpu": 8, "memory": "32Gi", h_field: h_value}]
    accepted_or_validation_error(lambda: fp.place(workloads, hosts, method="ffd"))


COLUMN = st.one_of(
    st.lists(JUNK, min_size=2, max_size=2).map(lambda v: np.array(v, dtype=object)),
    st.sampled_from([np.array([1, 2]), np.array([1.5, np.nan]), np.array([-1, 3]), np.array([True, False]),
                     np.array(["1Gi", "x"]), np.array([2**63, 1], dtype=np.uint64), np.array([1 + 1j, 2]),
                     np.array(["2020-01-01", "2020-01-02"], dtype="datetime64[D]"), np.zeros((2, 2)),
                     np.array([np.inf, 1.0]), np.array([1e300, 1.0])]),
)
W_COLUMNS = ["cpu", "memory", "cpu_millis", "memory_bytes", "extra.gpu", "form", "os", "tenant", "isolation",
             "anti_affinity", "id"]
H_COLUMNS = ["cpu", "memory", "cpu_millis", "memory_bytes", "extra.gpu", "os", "hypervisor", "containers", "cost",
             "max_workloads", "id"]


@given(st.sampled_from(W_COLUMNS), COLUMN, st.sampled_from(H_COLUMNS), COLUMN)
def test_columns_of_any_dtype(w_name, w_column, h_name, h_column):
    workloads = {"cpu": np.array([1.0, 2.0]), w_name: w_column}
    hosts = {"cpu": np.array([64, 64]), "memory": np.array([2**38, 2**38]), h_name: h_column}
    plan = accepted_or_validation_error(lambda: fp.place(workloads, hosts, method="ffd", objective="cost"))
    if plan is not None:
        assert math.isfinite(plan.cost) and plan.placed + len(plan.unplaced) == 2


@given(st.sampled_from(["objective", "method", "sort_key", "time_limit", "seed", "workers", "overheads"]), JUNK)
def test_a_parameter_of_any_value(name, value):
    if name == "time_limit" and isinstance(value, (int, float)) and not isinstance(value, bool) and value > 1:
        value = 1  # a valid long limit would only make the test slow
    accepted_or_validation_error(
        lambda: fp.place([fp.Workload("w1", cpu=1)], [fp.Host("h1", cpu=8, memory="32Gi")], **{name: value}))
