"""The arc-flow graphs' size check before building them (`_ArcFlow(max_arcs=...)`): every item that fits a
variant's empty host alone is on an arc of its graph, so when those items outnumber ``max_arcs`` the graphs, built in
full, have more arcs than that (or could not be built). The check only skips work whose answer is already known."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings, strategies as st

from fleetpack.exact.arcflow import _ArcFlow
from fleetpack.exact.instance import _Instance
from fleetpack.model.inputs import build_problem

from strategies import hosts as host_lists, overheads as overhead_choices, workloads as workload_lists


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ws=workload_lists(max_size=14), hs=host_lists(max_size=4), over=overhead_choices,
       objective=st.sampled_from(["hosts", "cost"]), max_arcs=st.integers(0, 40))
def test_a_graph_rejected_before_it_is_built_is_too_large_when_built(ws, hs, over, objective, max_arcs):
    inst = _Instance(build_problem(ws, hs, over).materialize(), objective)
    checked = _ArcFlow(inst, max_arcs=max_arcs)
    built = _ArcFlow(inst)
    if built.ok and built.arcs <= max_arcs:
        assert checked.ok and checked.arcs == built.arcs  # a graph within the limit is never turned away
    if not checked.ok and built.ok:
        assert built.arcs > max_arcs


def test_many_anti_affinity_groups_are_turned_away_at_once():
    """Hundreds of distinct items (here anti-affinity groups) on one host type: the check answers from the items
    alone, where building the graphs would give each group a dimension of its own."""
    import fleetpack as fp

    ws = [fp.Workload(f"w{i}", cpu=f"{100 + i}m", memory="1Gi", anti_affinity=f"g{i % 300}") for i in range(600)]
    hs = [fp.Host(f"h{j}", cpu=64, memory="256Gi") for j in range(40)]
    inst = _Instance(build_problem(ws, hs).materialize(), "hosts")
    af = _ArcFlow(inst, max_arcs=100)
    assert not af.ok and af.variants == []
