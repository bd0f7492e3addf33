"""What `fleetpack.exact.symmetry` lets the exact solver skip never changes what it proves: the optimum with and
without it agree (random fleets with every rule, hosts repeated so that classes have several members; rule-heavy
ruled fleets of a known optimum; the cost objective with hosts of different prices), the hint CP-SAT gets is a
complete feasible solution of the pruned model, and a live fleet's hosts in use or drained are classes of their own."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st

import fleetpack as fp
from fleetpack import _core, generators
from fleetpack.exact import _Instance, search
from fleetpack.exact.assignment import _assignment_model
from fleetpack.exact.symmetry import class_limits, dominated_pairs, live_hosts, move_to_dominant, pruning
from fleetpack.model.inputs import build_problem

from strategies import hosts as host_lists, overheads as overhead_choices, workloads as workload_lists


@st.composite
def repeated_fleets(draw):
    """Random fleets whose hosts come in classes of 1-4 identical copies (sizes and prices differ between them)."""
    ws = draw(workload_lists(max_size=10))
    kinds = draw(host_lists(max_size=3))
    hs = []
    for h in kinds:
        for copy in range(draw(st.integers(1, 4))):
            hs.append(fp.Host(f"{h.id}-{copy}", cpu=h.cpu, memory=h.memory, extra=h.extra or None, os=h.os,
                              hypervisor=h.hypervisor, containers=h.containers, cost=h.cost,
                              max_workloads=h.max_workloads))
    return ws, hs, draw(overhead_choices)


def _optimum(problem, objective, start):
    r = search.solve(problem, objective, start, time_limit=20, workers=2, formulation="assignment")
    placed = sum(j is not None for j in r.hosts)
    return r.optimal, placed, search._float_value(problem, objective, r.hosts, r.forms)


def _both(problem, objective):
    """The optimum (placed, value) from the heuristics' plan, with and without pruning, when both are proven."""
    start = search.as_start(_core.place(problem.encode(), "ffd", "sum", objective, None, 0, None))
    with_it = _optimum(problem, objective, start)
    with pruning(False):
        without = _optimum(problem, objective, start)
    return with_it, without


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(repeated_fleets(), st.sampled_from(["hosts", "cost"]))
def test_pruning_never_changes_the_optimum(fleet, objective):
    problem = build_problem(*fleet).materialize()
    (proven, placed, value), (proven0, placed0, value0) = _both(problem, objective)
    if proven and proven0:
        assert placed == placed0
        assert abs(value - value0) <= 1e-9 * max(1.0, value0), (value, value0)


def test_ruled_fleets_keep_their_known_optimum_with_and_without_pruning():
    for hosts, seed in ((4, 0), (6, 3), (8, 1)):
        inst = generators.ruled_fleet(hosts, seed)
        problem = build_problem(inst.workloads, inst.hosts, inst.overheads).materialize()
        (proven, placed, value), (proven0, placed0, value0) = _both(problem, "hosts")
        assert proven and proven0
        assert placed == placed0 == len(inst.workloads)
        assert value == value0 == inst.optimum


def test_a_plan_of_the_hint_value_uses_no_more_hosts_of_a_class_than_kept():
    # two price tiers: under "cost" a class keeps only as many hosts as the bound can pay for
    hs = [fp.Host(f"cheap{j}", cpu=4, memory="8Gi", cost=1.0) for j in range(6)]
    hs += [fp.Host(f"dear{j}", cpu=8, memory="16Gi", cost=2.5) for j in range(6)]
    ws = [fp.Workload(f"w{i}", cpu=3, memory="6Gi", form="container") for i in range(5)]
    problem = build_problem(ws, hs, fp.Overheads.none()).materialize()
    inst = _Instance(problem, "cost")
    ub = 5 * inst.classes[0].cost_int  # five cheap hosts
    assert class_limits(inst, ub) == [5, 2]
    with pruning(False):
        assert class_limits(inst, ub) == [6, 6]
    assert dominated_pairs(inst) == []  # the larger hosts cost more
    # under "hosts" the larger hosts dominate: with three of them kept, the small ones are never needed
    inst = _Instance(problem, "hosts")
    assert dominated_pairs(inst) == [(1, 0)]
    assert class_limits(inst, 3) == [0, 3] and class_limits(inst, None) == [6, 6]
    with pruning(False):
        assert class_limits(inst, 3) == [6, 6] and dominated_pairs(inst) == []


def test_the_hint_moves_up_to_dominating_classes_without_growing():
    # small hosts used by the plan move to unused large ones, workload for workload, in the same form
    hs = [fp.Host(f"small{j}", cpu=4, memory="8Gi") for j in range(3)]
    hs += [fp.Host(f"large{j}", cpu=8, memory="16Gi") for j in range(2)]
    ws = [fp.Workload(f"w{i}", cpu=3, memory="6Gi") for i in range(3)]
    problem = build_problem(ws, hs, fp.Overheads.none()).materialize()
    inst = _Instance(problem, "hosts")
    plan = [0, 1, 2]  # three small hosts
    moved = move_to_dominant(inst, plan, dominated_pairs(inst), {0: 3, 1: 2})
    assert sorted(moved) == [0, 3, 4]  # two moved up (room for two), the third stays
    assert len(set(moved)) == 3


def test_the_hint_is_complete_and_feasible_in_the_pruned_model():
    from ortools.sat.python import cp_model

    for hosts, seed in ((6, 0), (10, 2)):
        inst_ = generators.ruled_fleet(hosts, seed, spare=6.0)  # many spare hosts: classes larger than kept
        problem = build_problem(inst_.workloads, inst_.hosts, inst_.overheads).materialize()
        for objective in ("hosts", "cost"):
            inst = _Instance(problem, objective)
            hs, fs, _, bound = search.as_start(_core.place(problem.encode(), "ffd", "sum", objective, None, 0, None))
            assert all(j is not None for j in hs)
            ub = int(inst.value_int(hs, fs))
            model, hint, *_ = _assignment_model(inst, True, len(hs), 0, ub, 1)
            assert sum(len(c.hosts) for c in inst.classes) > sum(class_limits(inst, ub))
            hint(hs, fs)
            proto = model.proto
            assert len(proto.solution_hint.vars) == len(proto.variables)
            probe = cp_model.CpSolver()
            probe.parameters.fix_variables_to_their_hinted_value = True
            probe.parameters.num_workers = 1
            probe.parameters.max_time_in_seconds = 10
            assert probe.status_name(probe.solve(model)) in ("OPTIMAL", "FEASIBLE")


def test_live_hosts_in_use_or_drained_are_classes_of_their_own():
    hs = [fp.Host(f"h{j}", cpu=8, memory="16Gi") for j in range(5)]
    ws = [fp.Workload("a", cpu=1, memory="1Gi"), fp.Workload("b", cpu=1, memory="1Gi")]
    problem = build_problem(ws, hs, fp.Overheads.none()).materialize()
    assert live_hosts(problem) == set() and len(_Instance(problem, "hosts").classes) == 1
    ws = [fp.Workload("a", cpu=1, memory="1Gi", current="h1"),
          fp.Workload("b", cpu=1, memory="1Gi", current="h1", pinned=True)]
    live = build_problem(ws, hs, fp.Overheads.none(), drain=["h3"]).materialize()
    assert live.live is not None and np.asarray(live.live.drain).any()
    assert live_hosts(live) == {1, 3}
    classes = _Instance(live, "hosts").classes
    assert sorted(c.hosts for c in classes) == [[0, 2, 4], [1], [3]]


def test_free_hosts_of_a_dominating_class_do_not_hide_the_class_they_dominate():
    # hosts that cost nothing: the value sets no cap on how many a plan uses, so the small class stays in the model
    # when the large one is too few to take everything
    hs = [fp.Host(f"large{j}", cpu=8, memory="16Gi", cost=0) for j in range(2)]
    hs += [fp.Host(f"small{j}", cpu=4, memory="8Gi", cost=0) for j in range(3)]
    ws = [fp.Workload(f"w{i}", cpu=3, memory="6Gi", isolation="dedicated") for i in range(4)]
    problem = build_problem(ws, hs, fp.Overheads.none()).materialize()
    inst = _Instance(problem, "cost")
    assert dominated_pairs(inst) == [(0, 1)]
    assert class_limits(inst, 0) == [2, 3]
    (proven, placed, value), (proven0, placed0, value0) = _both(problem, "cost")
    assert proven and proven0 and placed == placed0 == 4 and value == value0 == 0
