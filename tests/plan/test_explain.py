"""Explanations: per host the rule that rules a workload out, grouped with counts, and the smallest change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import fleetpack as fp
from fleetpack.plan.view import PlanView
from fleetpack.plan.explain import _failures
from fleetpack.fleetfile import dump_plan, load_fleet, load_plan
from fleetpack.model.rules import static_forms

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "consolidation.json"
NONE = fp.Overheads.none()


@pytest.fixture(scope="module")
def example_plan() -> fp.Plan:
    fleet = load_fleet(EXAMPLE)
    return fleet.place(method="bfd")  # the solver is not under test here


def test_an_unplaced_workload_gets_hosts_grouped_by_reason_and_the_smallest_change():
    hosts = [fp.Host(f"h{i}", cpu=8, memory="16Gi", hypervisor=None) for i in range(3)]
    hosts.append(fp.Host("small", cpu=1, memory="64Gi", hypervisor=None))
    workloads = [fp.Workload(f"a{i}", cpu=1, memory="12Gi") for i in range(3)]
    workloads.append(fp.Workload("big", cpu=2, memory="8Gi"))
    plan = fp.place(workloads, hosts, overheads=NONE, method="ff")
    assert plan.unplaced["big"].code == "no_room"
    e = plan.explain("big")
    assert not e.placed and e.code == "no_room" and e.alternatives == ()
    assert [(g.reason, g.rule, g.count) for g in e.ruled_out] == [
        ("insufficient memory", "capacity", 3), ("insufficient cpu", "capacity", 1)]
    assert {c.host: dict(c.short) for c in e.checks} == {
        "h0": {"memory": 4 * 2**30}, "h1": {"memory": 4 * 2**30}, "h2": {"memory": 4 * 2**30},
        "small": {"cpu": 1000}}
    change = e.smallest_change
    assert (change.kind, change.hosts, dict(change.amounts)) == ("capacity", ("h0", "h1", "h2"),
                                                                  {"memory": 4 * 2**30})
    assert change.text == "4Gi more memory on any of hosts h0, h1, h2"
    text = str(e)
    assert "0/4 hosts can take it now:" in text
    assert "  3 hosts (h0, h1, h2): insufficient memory" in text
    assert "Smallest change: 4Gi more memory on any of hosts h0, h1, h2." in text


def test_a_shortfall_on_every_host_that_may_run_it_names_the_class_of_host():
    hosts = [fp.Host(f"h{i}", cpu=8, memory="16Gi", hypervisor=None) for i in range(2)]
    workloads = [fp.Workload(f"a{i}", cpu=1, memory="12Gi") for i in range(2)] + [fp.Workload("b", memory="8Gi")]
    e = fp.place(workloads, hosts, overheads=NONE).explain("b")
    assert e.smallest_change.text == "4Gi more memory on any linux host"


def test_rules_other_than_capacity_are_named_and_a_new_host_is_suggested():
    workloads = [fp.Workload("hsm", cpu=1, memory="1Gi", isolation="dedicated"),
                 fp.Workload("pg-1", cpu=1, memory="1Gi", anti_affinity="pg"),
                 fp.Workload("pg-2", cpu=1, memory="1Gi", anti_affinity="pg")]
    hosts = [fp.Host("a", cpu=4, memory="8Gi"), fp.Host("b", cpu=4, memory="8Gi", cost=0.5)]
    plan = fp.place(workloads, hosts, overheads=NONE)
    (unplaced,) = plan.unplaced
    e = plan.explain(unplaced)
    assert sorted((g.rule, g.reason) for g in e.ruled_out) == [
        ("anti_affinity", "anti-affinity group 'pg' is there already"),
        ("dedicated", "a dedicated workload is there")]
    assert e.smallest_change.kind == "new_host" and e.smallest_change.hosts == ("b",)  # the cheaper host


def test_a_workload_that_no_host_may_run_and_one_too_large_for_any():
    hosts = [fp.Host("linux-1", cpu=16, memory="64Gi", hypervisor=None),
             fp.Host("linux-2", cpu=32, memory="128Gi", hypervisor=None)]
    workloads = [fp.Workload("win", cpu=1, memory="1Gi", os="windows"),
                 fp.Workload("huge", cpu=8, memory="200Gi", form="container")]
    plan = fp.place(workloads, hosts, overheads=NONE)
    win = plan.explain("win")
    assert win.code == "no_eligible_host"
    assert [(g.rule, g.count) for g in win.ruled_out] == [("form", 2)]
    assert win.ruled_out[0].reason == "no hypervisor, and runs only linux containers (it is windows)"
    assert win.smallest_change.text == ("a host with a hypervisor (to run it as a VM), or one that runs windows "
                                        "containers")
    huge = plan.explain("huge")
    assert huge.code == "too_large"
    assert huge.smallest_change.kind == "larger_host"
    assert huge.smallest_change.text == "a host with 72Gi more memory than 'linux-2'"


def test_max_workloads_that_alone_keeps_it_out_is_a_change_too():
    hosts = [fp.Host("a", cpu=8, memory="16Gi", max_workloads=1, hypervisor=None)]
    plan = fp.place([fp.Workload("x", cpu=1), fp.Workload("y", cpu=1)], hosts, overheads=NONE, method="ff")
    e = plan.explain("y")
    assert [(g.rule, g.reason) for g in e.ruled_out] == [("max_workloads", "at max_workloads")]
    assert e.smallest_change.kind == "max_workloads" and e.smallest_change.hosts == ("a",)


def test_a_placed_workload_says_why_this_form_and_host_and_what_else_could_take_it(example_plan):
    fleet_hosts = {h.id for h in example_plan.problem.hosts}
    e = example_plan.explain("pg-main-2")
    assert e.placed and e.host == example_plan.host_of("pg-main-2") and e.form == example_plan.form_of("pg-main-2")
    assert {c.host for c in e.checks} == fleet_hosts - {e.host}
    siblings = {example_plan.host_of(w) for w in ("pg-main-1", "pg-main-3")}
    anti = [g for g in e.ruled_out if g.rule == "anti_affinity"]
    assert len(anti) == 1 and set(anti[0].hosts) == siblings
    assert set(e.alternatives_in_use) <= set(e.alternatives)
    assert sum(g.count for g in e.ruled_out) + len(e.alternatives) == len(fleet_hosts) - 1
    assert e.effective["memory"] == e.demand["memory"] + 16 * 2**20  # a container's overhead
    assert e.host_reason.startswith("bfd/sum, best fit decreasing: largest first")
    text = str(e)
    assert text.startswith(f"Workload 'pg-main-2' runs on host {e.host!r} as a container.")
    assert "anti-affinity group 'pg-main' is there already" in text


def test_a_windows_workload_explains_why_it_is_a_vm(example_plan):
    wid = next(w.id for w in example_plan.problem.workloads if w.os == "windows")
    e = example_plan.explain(wid)
    assert e.form == "vm"
    assert e.form_reason == "it must run as a VM (form 'vm')"
    any_form = fp.place([fp.Workload("w", cpu=1, memory="1Gi", os="windows")], [fp.Host("h", cpu=4, memory="8Gi")])
    assert any_form.explain("w").form_reason == ("it cannot run as a container there: the host runs only linux "
                                                 "containers (it is windows)")


def test_the_reported_rule_is_the_one_the_reference_rules_report_first(example_plan):
    view = PlanView(example_plan)
    for w in view.problem.workloads[::7]:
        for state in view.states:
            for form in static_forms(w, state.host):
                blocks, blocker = _failures(state, w, form), state.blocker(w, form)
                assert (blocks[0].rule if blocks else None) == (blocker[0] if blocker else None)


def test_explanations_are_data(example_plan):
    data = example_plan.explain("oracle-erp-db").to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["placed"] and data["host"] == example_plan.host_of("oracle-erp-db")
    assert sum(g["count"] for g in data["ruled_out"]) + len(data["alternatives"]) == 40


def test_unknown_workloads_and_plans_without_a_problem(example_plan, tmp_path):
    with pytest.raises(KeyError, match="nope"):
        example_plan.explain("nope")
    path = tmp_path / "plan.json"
    dump_plan(example_plan, path)
    with pytest.raises(ValueError, match="load_plan"):
        load_plan(path).explain("pg-main-1")
    again = load_plan(path, fleet=load_fleet(EXAMPLE))  # with its fleet, a plan file can be explained
    assert str(again.explain("pg-main-1")).splitlines()[0] == str(example_plan.explain("pg-main-1")).splitlines()[0]


def test_a_pinned_workload_could_go_nowhere_else():
    hosts = [fp.Host(f"h{i}", cpu=8, memory="16Gi") for i in range(3)]
    ws = [fp.Workload("db", cpu=1, memory="1Gi", current="h1", pinned=True),
          fp.Workload("web", cpu=1, memory="1Gi", current="h1")]
    plan = fp.place(ws, hosts, overheads=NONE, drain=["h2"])
    pinned = plan.explain("db")
    assert pinned.host == "h1" and pinned.alternatives == ()
    assert {c.host: c.rule for c in pinned.checks} == {"h0": "pinned", "h2": "drain"}
    assert "1 host (h0): the workload is pinned to 'h1'" in str(pinned)
    free = plan.explain("web")  # not pinned: any host but the drained one could take it
    assert set(free.alternatives) == {"h0"}
