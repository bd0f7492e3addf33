"""The lower bounds that add the rules up never exceed a proven optimum: CP-SAT proves the optimum on small fleets
with every rule in play, from an empty start with no bound (so that its proof does not lean on the bound tested)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings, strategies as st

import fleetpack as fp
from fleetpack import _core
from fleetpack.exact import search
from fleetpack.model.inputs import build_problem
from fleetpack.reference.bounds import lower_bound_explained

from strategies import hosts as host_lists, overheads as overhead_choices, workloads as workload_lists


@st.composite
def ruled_fleets(draw):
    """Small fleets where the rules dominate: many dedicated, tenant-isolated and grouped workloads."""
    ws = draw(workload_lists(max_size=9))
    hs = draw(host_lists(max_size=6))
    # hosts of one type repeated, so that the bounds' host kinds and the exact model's symmetry both matter
    hs = hs + [fp.Host(f"{h.id}-copy", cpu=h.cpu, memory=h.memory, extra=h.extra or None, os=h.os,
                       hypervisor=h.hypervisor, containers=h.containers, cost=h.cost, max_workloads=h.max_workloads)
               for h in hs[:2]]
    return ws, hs, draw(overhead_choices)


def _check_sound(ws, hs, over, objective):
    problem = build_problem(ws, hs, over).materialize()
    n = len(problem.workloads)
    start = ([None] * n, [None] * n, "none", 0)
    r = search.solve(problem, objective, start, time_limit=10)
    if not r.optimal or r.formulation in ("bound", "none"):
        return
    placed = sum(j is not None for j in r.hosts)
    value = search._float_value(problem, objective, r.hosts, r.forms)
    core = _core.lower_bound(problem.encode(), objective, placed)
    assert core <= value + 1e-9 * max(1.0, value), (objective, placed, core, value)
    reference, _ = lower_bound_explained(problem, objective, placed)
    assert reference <= value + 1e-9 * max(1.0, value)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ruled_fleets(), st.sampled_from(["hosts", "cost"]))
def test_the_bound_never_exceeds_a_proven_optimum(fleet, objective):
    _check_sound(*fleet, objective)


def test_dedicated_workloads_add_their_hosts_to_the_rest():
    # 3 dedicated workloads and 6 others that fill 3 hosts by memory: no plan uses fewer than 6 hosts
    ws = [fp.Workload(f"d{i}", cpu=1, memory="1Gi", isolation="dedicated") for i in range(3)]
    ws += [fp.Workload(f"w{i}", cpu=1, memory="8Gi", form="container") for i in range(6)]
    hs = [fp.Host(f"h{j}", cpu=16, memory="16Gi") for j in range(10)]
    plan = fp.place(ws, hs, overheads=fp.Overheads.none())
    assert plan.hosts_used == 6 and plan.lower_bound == 6 and plan.proven_optimal
    assert plan.bound_reason == "3 dedicated workloads need 3 hosts; the rest need at least 3 more by memory"
    _check_sound(ws, hs, fp.Overheads.none(), "hosts")


def test_isolated_tenants_need_hosts_of_their_own():
    # two tenant-isolated tenants and one open tenant, each filling one host and a bit: 2 hosts each
    ws = [fp.Workload(f"{t}{i}", cpu=1, memory="5Gi", form="container", tenant=t,
                      isolation="tenant" if t != "open" else "none")
          for t in ("a", "b") for i in range(4)]
    hs = [fp.Host(f"h{j}", cpu=16, memory="16Gi", hypervisor=None) for j in range(10)]
    plan = fp.place(ws, hs, overheads=fp.Overheads.none())
    assert plan.lower_bound == 4 and plan.hosts_used == 4
    assert "2 sets that cannot share a host" in plan.bound_reason
    _check_sound(ws, hs, fp.Overheads.none(), "hosts")


def test_a_joint_cover_beats_each_dimension_apart():
    # hosts rich in CPU or in memory, and workloads of both shapes: each dimension's demand (36) fits 3 hosts of
    # its best type, but those hosts are poor in the other; 4 hosts are needed, and a plan uses 4
    hs = [fp.Host(f"c{j}", cpu=16, memory="4Gi") for j in range(6)]
    hs += [fp.Host(f"m{j}", cpu=4, memory="16Gi") for j in range(6)]
    ws = [fp.Workload(f"c{i}", cpu=5, memory="1Gi", form="container") for i in range(6)]
    ws += [fp.Workload(f"m{i}", cpu=1, memory="5Gi", form="container") for i in range(6)]
    plan = fp.place(ws, hs, overheads=fp.Overheads.none(), method="ffd")
    assert plan.lower_bound == 4 and plan.hosts_used == 4
    assert plan.bound_reason == "at least 4 hosts by cpu and memory together"
    _check_sound(ws, hs, fp.Overheads.none(), "hosts")
