"""Heterogeneous fleets (issue 18): the bound clips each host to the room the workloads' shapes leave usable (core
and reference alike, and never above a proven optimum), and `auto` searches from a shape-matched plan too."""

from __future__ import annotations

import fleetpack as fp
from fleetpack.model.inputs import build_problem
from fleetpack.reference.bounds import lower_bound_explained


def mismatched_fleet():
    # workloads of 1 GiB per core; hosts rich in cpu or in memory hold one each, as the square ones do
    ws = [fp.Workload(f"w{i}", cpu=4, memory="4Gi", form="container") for i in range(4)]
    hs = [fp.Host(f"cpu-rich-{j}", cpu=16, memory="4Gi") for j in range(2)]
    hs += [fp.Host(f"memory-rich-{j}", cpu=4, memory="16Gi") for j in range(2)]
    hs += [fp.Host(f"square-{j}", cpu=4, memory="4Gi") for j in range(6)]
    return ws, hs


def test_the_bound_counts_only_the_room_the_workloads_shapes_leave_usable():
    ws, hs = mismatched_fleet()
    plan = fp.place(ws, hs, overheads=fp.Overheads.none())
    # by cpu alone or memory alone one host would do, by both together two: each host holds one workload
    assert plan.hosts_used == 4 and plan.lower_bound == 4 and plan.proven_optimal
    assert plan.bound_reason == "at least 4 hosts by the cpu the workloads' shapes leave usable"
    problem = build_problem(ws, hs, fp.Overheads.none())
    assert lower_bound_explained(problem, "hosts", 4) == (4, plan.bound_reason)
    assert fp.verify(ws, hs, plan, fp.Overheads.none()) == []


def test_the_cost_bound_prices_the_usable_room():
    ws, hs = mismatched_fleet()
    hs = [fp.Host(h.id, cpu=h.cpu_millis / 1000, memory=h.memory_bytes, cost=2.0 if h.id.startswith("square") else 1.0)
          for h in hs]
    plan = fp.place(ws, hs, objective="cost", overheads=fp.Overheads.none())
    # the four rich hosts at 1 each hold the four workloads; the cheapest cover of their usable room costs 4
    assert plan.cost == 4 and plan.lower_bound == 4
    problem = build_problem(ws, hs, fp.Overheads.none())
    assert lower_bound_explained(problem, "cost", 4)[0] == plan.lower_bound


def test_auto_takes_the_shaped_plan_when_the_portfolio_opens_hosts_of_the_wrong_shape():
    # square hosts come first and are as large as the memory-rich ones by the portfolio's measure; the workloads
    # fill the two memory-rich ones exactly
    ws = [fp.Workload(f"w{i}", cpu=2, memory="8Gi", form="container") for i in range(8)]
    hs = [fp.Host(f"square-{j}", cpu=16, memory="16Gi") for j in range(4)]
    hs += [fp.Host(f"memory-rich-{j}", cpu=8, memory="32Gi") for j in range(2)]
    plan = fp.place(ws, hs, overheads=fp.Overheads.none())
    assert plan.hosts_used == 2 and plan.proven_optimal
    assert {a.host for a in plan.assignments} == {"memory-rich-0", "memory-rich-1"}
