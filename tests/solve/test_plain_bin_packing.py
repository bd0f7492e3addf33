"""Plain one-dimensional bin packing (one dimension with capacity, hosts alike, no overheads, no rules in play),
which the core solves with structures of its own: the same plans as the baseline, for every heuristic."""

from hypothesis import given, strategies as st

import fleetpack as fp
import fleetpack.baseline
from fleetpack.exact import heuristics_only


@st.composite
def bin_packing(draw):
    capacity = draw(st.sampled_from([1, 7, 150, 1000, 40_000, 2**40]))
    sizes = draw(st.lists(st.one_of(st.integers(0, capacity + 2), st.sampled_from([capacity // 2, capacity // 3])),
                          max_size=40))
    form = draw(st.sampled_from(["any", "container", "vm"]))
    workloads = [fp.Workload(f"w{i}", cpu=0, memory=s, form=form) for i, s in enumerate(sizes)]
    costs = draw(st.lists(st.sampled_from([1.0, 0.5, 2.0]), min_size=1, max_size=12))
    hosts = [fp.Host(f"h{j}", cpu=0, memory=capacity, cost=c) for j, c in enumerate(costs)]
    return workloads, hosts


@given(bin_packing(), st.sampled_from(["ff", "ffd", "bfd", "wfd", "auto"]),
       st.sampled_from(["sum", "max", "l2", "prod"]), st.sampled_from(["hosts", "cost", "spread"]))
def test_plain_bin_packing_equals_baseline(problem, method, sort_key, objective):
    ws, hs = problem
    over = fp.Overheads.none()
    with heuristics_only():
        core = fp.place(ws, hs, method=method, sort_key=sort_key, objective=objective, overheads=over)
    base = fleetpack.baseline.place(ws, hs, method=method, sort_key=sort_key, objective=objective, overheads=over)
    assert core.assignments == base.assignments
    assert core.strategy == base.strategy
    assert core.objective_value == base.objective_value
    assert fp.verify(ws, hs, core, over) == []


def test_columns_in_arrays_out():
    """The 1-D columnar path end to end: a dict of numpy arrays in, numpy arrays out, the baseline's plan."""
    import numpy as np

    items = np.random.default_rng(3).integers(20, 101, 500, dtype=np.uint64)
    hosts = {"memory_bytes": np.full(400, 150, np.uint64)}
    plan = fp.place({"memory_bytes": items}, hosts, method="bfd", overheads=fp.Overheads.none())
    ws = [fp.Workload(str(i), cpu=0, memory=int(s)) for i, s in enumerate(items)]
    hs = [fp.Host(str(j), cpu=0, memory=150) for j in range(400)]
    base = fleetpack.baseline.place(ws, hs, method="bfd", overheads=fp.Overheads.none())
    assert isinstance(plan.host_index, np.ndarray)
    hosts_of = {a.workload: a.host for a in base.assignments}
    assert [str(j) for j in plan.host_index.tolist()] == [hosts_of[str(i)] for i in range(500)]
