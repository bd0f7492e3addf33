"""The large-neighbourhood search of ``auto`` (fleetpack.exact.neighbourhood): its plans keep every rule (checked
by the independent verifier), never use more hosts or cost more than the plan it starts from, place the same
workloads, and are the same for the same input; on rule-heavy fleets of a known optimum it reaches the optimum the
exact stage is too large for."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings, strategies as st

import fleetpack as fp
from fleetpack import exact, generators
from fleetpack.exact import neighbourhood
from fleetpack.exact.search import as_start
from fleetpack.model.inputs import build_problem
from fleetpack.model.wire import Answer
from fleetpack.plan.plan import build_plan
from fleetpack.solve.front import core_place

from strategies import hosts as host_lists, overheads as overhead_choices, workloads as workload_lists


@st.composite
def fleets(draw):
    """Every per-host rule in play, eligibility too: workloads that ask for a zone, hosts with labels and taints."""
    ws = draw(workload_lists(max_size=24))
    hs = draw(host_lists(max_size=8))
    hs = hs + [fp.Host(f"{h.id}-copy", cpu=h.cpu, memory=h.memory, extra=h.extra or None, os=h.os,
                       hypervisor=h.hypervisor, containers=h.containers, cost=h.cost, max_workloads=h.max_workloads)
               for h in hs[:3]]
    zones = draw(st.lists(st.sampled_from(["a", "b"]), min_size=len(hs), max_size=len(hs)))
    tainted = draw(st.lists(st.booleans(), min_size=len(hs), max_size=len(hs)))
    hs = [fp.Host(h.id, cpu=h.cpu, memory=h.memory, extra=h.extra or None, os=h.os, hypervisor=h.hypervisor,
                  containers=h.containers, cost=h.cost, max_workloads=h.max_workloads, labels={"zone": z},
                  taints=["gpu-only"] if t and k % 3 == 0 else None)
          for k, (h, z, t) in enumerate(zip(hs, zones, tainted))]
    picks = draw(st.lists(st.sampled_from(["none", "zone-a", "tolerates"]), min_size=len(ws), max_size=len(ws)))
    ws = [fp.Workload(w.id, cpu=w.cpu, memory=w.memory, extra=w.extra or None, form=w.form, os=w.os, tenant=w.tenant,
                      isolation=w.isolation, anti_affinity=w.anti_affinity,
                      selector={"zone": "a"} if p == "zone-a" else None,
                      tolerations=["gpu-only"] if p == "tolerates" else None)
          for w, p in zip(ws, picks)]
    return ws, hs, draw(overhead_choices)


def _improved(ws, hs, over, objective, method="ff"):
    """The core's plan by ``method`` and the search's plan from it, both as `Plan`s, and the search's answer."""
    problem = build_problem(ws, hs, over).materialize()
    start = core_place(problem, method, "sum", objective, None, 0, 0).to_core()
    out = neighbourhood.improve(problem, objective, start, None, None, 0)
    plans = [build_plan(problem, Answer.from_core(a, objective), objective=objective, method="auto", elapsed=0.0)
             for a in (start, out)]
    return plans, out


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(fleets(), st.sampled_from(["hosts", "cost"]))
def test_the_search_keeps_every_rule_and_never_makes_a_plan_worse(monkeypatch, fleet, objective):
    monkeypatch.setattr(neighbourhood, "LNS_WORK", 0.3)  # (a smaller budget: the rules are what is tested here)
    ws, hs, over = fleet
    (before, after), out = _improved(ws, hs, over, objective)
    assert fp.verify(ws, hs, after, over) == []
    assert set(after.unplaced) <= set(before.unplaced)  # (the room made may fit a left-out workload)
    if after.placed == before.placed:
        assert after.hosts_used <= before.hosts_used if objective == "hosts" else after.cost <= before.cost + 1e-9
    if after.assignments != before.assignments:  # a changed plan is a better one
        assert after.placed > before.placed or \
            (after.hosts_used < before.hosts_used if objective == "hosts" else after.cost < before.cost)
        assert out["strategy"].endswith("+lns")


def test_the_search_reaches_the_known_optimum_of_a_ruled_fleet_and_keeps_its_rules():
    inst = generators.ruled_fleet(30, seed=0)
    ws, hs = list(inst.workloads), list(inst.hosts)
    (before, after), out = _improved(ws, hs, inst.overheads, "hosts", method="bfd")
    assert after.hosts_used < before.hosts_used and after.placed == len(ws)
    assert fp.verify(ws, hs, after, inst.overheads) == []
    with exact.heuristics_only():  # the core alone does not reach the optimum here ...
        assert fp.place(ws, hs, overheads=inst.overheads).hosts_used > inst.optimum
    plan = fp.place(ws, hs, overheads=inst.overheads)  # ... auto with the search does
    assert plan.hosts_used == inst.optimum and plan.proven_optimal and "+lns" in plan.strategy
    assert fp.verify(ws, hs, plan, inst.overheads) == []


def test_the_search_gives_the_same_plan_for_the_same_input():
    inst = generators.ruled_fleet(30, seed=2)
    ws, hs = list(inst.workloads), list(inst.hosts)
    runs = [_improved(ws, hs, inst.overheads, "hosts", method="bfd")[1] for _ in range(2)]
    assert as_start(runs[0])[:2] == as_start(runs[1])[:2]
    assert [a.host for a in fp.place(ws, hs, overheads=inst.overheads).assignments] == \
        [a.host for a in fp.place(ws, hs, overheads=inst.overheads).assignments]


def test_the_search_leaves_group_rules_and_the_spread_objective_alone():
    ws = [fp.Workload(f"w{i}", cpu=1, memory="3Gi", form="container") for i in range(4)]
    hs = [fp.Host(f"h{j}", cpu=8, memory="8Gi") for j in range(4)]
    spread = build_problem(ws, hs, fp.Overheads.none()).materialize()
    answer = Answer.from_lists([0, 1, 2, 3], ["container"] * 4, "ff/sum", 2).to_core()
    assert neighbourhood.applies(spread, "hosts", answer)
    assert not neighbourhood.applies(spread, "spread", answer)
    alone = Answer.from_lists([0, None, None, None], ["container"] + [None] * 3, "ff/sum", 1).to_core()
    assert not neighbourhood.applies(spread, "hosts", alone)  # (one host: nothing to gather)
    members = [fp.Workload(w.id, cpu=w.cpu, memory=w.memory, form=w.form, groups=["g"]) for w in ws]
    grouped = build_problem(members, hs, fp.Overheads.none(), rules=[fp.AntiAffinity("g")]).materialize()
    assert not neighbourhood.applies(grouped, "hosts", answer)
    # on a plan it may improve it does: four half-empty hosts become two
    out = neighbourhood.improve(spread, "hosts", answer, None, None, 0)
    assert len(set(out["host_index"].tolist())) == 2


def test_the_search_leaves_fleets_above_its_size_alone(monkeypatch):
    ws = [fp.Workload(f"w{i}", cpu=1, memory="3Gi", form="container") for i in range(4)]
    hs = [fp.Host(f"h{j}", cpu=8, memory="8Gi") for j in range(4)]
    problem = build_problem(ws, hs, fp.Overheads.none()).materialize()
    answer = Answer.from_lists([0, 1, 2, 3], ["container"] * 4, "ff/sum", 2).to_core()
    monkeypatch.setattr(neighbourhood, "LNS_MAX_WORKLOADS", 3)
    assert not neighbourhood.applies(problem, "hosts", answer)
    assert neighbourhood.improve(problem, "hosts", answer, None, None, 0) is answer
