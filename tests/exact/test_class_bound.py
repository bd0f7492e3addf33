"""The LP bound over host types and workload classes (`fleetpack.exact.classlp`, issue 18) never exceeds a proven
optimum, with and without the rows that count whole hosts, for plans placing every workload or fewer
(over-subscribed fleets), and ``auto`` reports it when it is the highest bound."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings, strategies as st

import fleetpack as fp
from fleetpack import _core, generators
from fleetpack.exact import search
from fleetpack.exact.classlp import class_bound
from fleetpack.model.inputs import build_problem

from strategies import hosts as host_lists, overheads as overhead_choices, oversubscribed, workloads as workload_lists


@st.composite
def typed_fleets(draw):
    """Small fleets of a few host types (each host repeated, so that types hold several hosts) with every rule."""
    ws = draw(workload_lists(max_size=10))
    kinds = draw(host_lists(max_size=4))
    hs = [fp.Host(f"{h.id}-{k}", cpu=h.cpu, memory=h.memory, extra=h.extra or None, os=h.os,
                  hypervisor=h.hypervisor, containers=h.containers, cost=h.cost, max_workloads=h.max_workloads)
          for h in kinds for k in range(draw(st.integers(1, 3)))]
    return ws, hs, draw(overhead_choices)


def _check_sound(ws, hs, over, objective):
    problem = build_problem(ws, hs, over).materialize()
    n = len(problem.workloads)
    start = ([None] * n, [None] * n, "none", 0)
    r = search.solve(problem, objective, start, time_limit=10)
    if not r.optimal or r.formulation in ("bound", "none"):
        return None
    placed = sum(j is not None for j in r.hosts)
    value = search._float_value(problem, objective, r.hosts, r.forms)
    bound = class_bound(problem.encode(), objective, placed)
    if bound is not None:
        assert bound.value <= value + 1e-9 * max(1.0, value), (objective, placed, bound.value, value)
    # with the rows that count whole hosts (what ``auto`` reports): never below the plain LP, never above the optimum
    whole = class_bound(problem.encode(), objective, placed, rounding=True)
    if whole is not None:
        assert whole.value <= value + 1e-9 * max(1.0, value), (objective, placed, whole.value, value)
        assert bound is None or whole.value >= bound.value - 1e-6 * max(1.0, bound.value)
    return bound


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(typed_fleets(), st.sampled_from(["hosts", "cost"]))
def test_the_class_bound_never_exceeds_a_proven_optimum(fleet, objective):
    _check_sound(*fleet, objective)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(oversubscribed(max_workloads=14, max_hosts=4), st.sampled_from(["hosts", "cost"]))
def test_the_class_bound_is_sound_when_not_everything_fits(fleet, objective):
    _check_sound(*fleet, objective)


def test_containers_cannot_use_the_cheap_vm_only_hosts():
    # cheap VM-only hosts (per unit of room) and dearer container hosts; the workloads must run as containers:
    # the per-dimension covers price their demand at the VM-only hosts' rate, the LP at the container hosts'
    hs = [fp.Host(f"old{j}", cpu=16, memory="64Gi", containers=False, cost=0.5) for j in range(4)]
    hs += [fp.Host(f"bare{j}", cpu=16, memory="64Gi", hypervisor=None, cost=2.0) for j in range(4)]
    ws = [fp.Workload(f"c{i}", cpu=4, memory="16Gi", form="container") for i in range(8)]
    over = fp.Overheads.none()
    problem = build_problem(ws, hs, over).materialize()
    core = _core.lower_bound(problem.encode(), "cost", 8)
    bound = class_bound(problem.encode(), "cost", 8)
    assert bound is not None and bound.value > core
    assert abs(bound.value - 4.0) < 1e-4  # two container hosts, the optimum
    assert _check_sound(ws, hs, over, "cost") is not None


def test_isolated_containers_take_only_their_tenants_room():
    # tenant a's isolated containers need 1.5 hosts; the VM-capable hosts are cheap but their room is taken by
    # VMs only if the isolated containers share them with other tenants' containers: the LP keeps them apart
    hs = [fp.Host(f"h{j}", cpu=16, memory="32Gi", cost=1.0) for j in range(4)]
    ws = [fp.Workload(f"a{i}", cpu=1, memory="12Gi", form="container", tenant="a", isolation="tenant")
          for i in range(4)]
    ws += [fp.Workload(f"b{i}", cpu=1, memory="12Gi", form="container", tenant="b") for i in range(2)]
    over = fp.Overheads.none()
    bound = class_bound(build_problem(ws, hs, over).materialize().encode(), "hosts", 6)
    assert bound is not None and bound.value == 3  # 48 GiB of a's and 24 GiB of b's, apart: 1.5 + 0.75 hosts
    assert bound.reason == "at least 3 hosts by an LP over host types and workload classes"
    _check_sound(ws, hs, over, "hosts")


def test_no_bound_under_spread_or_with_eligibility():
    hs = [fp.Host("h0", cpu=8, memory="32Gi", labels={"zone": "a"}), fp.Host("h1", cpu=8, memory="32Gi")]
    ws = [fp.Workload("w0", cpu=1, memory="1Gi", selector={"zone": "a"})]
    arrays = build_problem(ws, hs, fp.Overheads.none()).materialize().encode()
    assert class_bound(arrays, "cost", 1) is None
    plain = build_problem([fp.Workload("w0", cpu=1, memory="1Gi")], [fp.Host("h0", cpu=8, memory="32Gi")],
                          fp.Overheads.none()).materialize().encode()
    assert class_bound(plain, "spread", 1) is None and class_bound(plain, "hosts", 1).value == 1


def test_auto_reports_the_lp_bound_on_a_realistic_fleet():
    inst = generators.realistic_fleet(300, 0)
    arrays = build_problem(inst.workloads, inst.hosts, inst.overheads).materialize().encode()
    core = _core.lower_bound(arrays, "cost", len(inst.workloads))
    lp = class_bound(arrays, "cost", len(inst.workloads))
    assert lp is not None and lp.value > core
    plan = fp.place(inst.workloads, inst.hosts, overheads=inst.overheads, objective="cost")
    assert plan.lower_bound >= lp.value - 1e-9
    if plan.lower_bound == lp.value:  # (else the exact stage proved more)
        assert plan.bound_reason == lp.reason


def test_a_columnar_problem_gets_the_same_bound():
    # a fleet file's problem is held in columns (one array per dimension): the LP reads it as the objects' matrix
    import pathlib

    demo = fp.load_fleet(pathlib.Path(__file__).parents[2] / "examples" / "consolidation.json")
    problem = build_problem(demo.workloads, demo.hosts, demo.overheads)
    rows = problem.materialize().encode()
    for objective in ("hosts", "cost"):
        by_rows = class_bound(rows, objective, len(demo.workloads))
        by_columns = class_bound(problem.encode(), objective, len(demo.workloads))
        assert by_rows is not None and by_columns is not None and by_rows.value == by_columns.value


def test_no_lp_bound_without_the_time_for_it():
    # with a time limit the LP runs only when enough of it is left: here the exact stage takes what the core left
    inst = generators.realistic_fleet(300, 0)
    arrays = build_problem(inst.workloads, inst.hosts, inst.overheads).materialize().encode()
    lp = class_bound(arrays, "cost", len(inst.workloads))
    assert class_bound(arrays, "cost", len(inst.workloads), seconds=0.0) is None
    plan = fp.place(inst.workloads, inst.hosts, overheads=inst.overheads, objective="cost", time_limit=0.3)
    assert lp is not None and plan.bound_reason != lp.reason
