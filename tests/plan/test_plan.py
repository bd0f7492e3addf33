"""The `Plan` API: assignments, reasons for unplaced workloads, strict mode, serialisation, utilisation, the
objective, bounds and optimality, immutability, and that every plan ``place`` returns passes ``verify``."""

from __future__ import annotations

import dataclasses
import json
import math
import random
import re

import pytest

import fleetpack as fp
import fleetpack.baseline
import fleetpack.exact
from fleetpack.model.units import format_memory

W, H = fp.Workload, fp.Host
GI, MI = 2**30, 2**20
NONE = fp.Overheads.none()
METHODS = ["ff", "ffd", "bfd", "wfd", "auto"]
OBJECTIVES = ["hosts", "cost", "spread"]
IMPLEMENTATIONS = {"core": fp.place, "baseline": fleetpack.baseline.place}


@pytest.fixture(params=sorted(IMPLEMENTATIONS))
def place(request):
    """``fleetpack.place`` and ``fleetpack.baseline.place``: the same contract."""
    return IMPLEMENTATIONS[request.param]


def plain(plan: fp.Plan) -> dict:
    """Every field of a plan as plain Python values, for comparing two plans (Plan has no ``==``)."""
    out = {}
    for f in dataclasses.fields(plan):
        if not f.compare:  # the problem a plan answers is not part of the plan's data
            continue
        value = getattr(plan, f.name)
        if f.name == "unplaced":
            value = dict(value)
        elif f.name == "utilization":
            value = {h: dict(u) for h, u in value.items()}
        out[f.name] = value
    return out


# --- assignments, host_of, form_of ----------------------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_assignments_follow_input_order(place, method):
    # sizes increase along the input, so the decreasing methods place them in reverse; "huge" fits nowhere
    workloads = [W(f"w{i}", cpu=i + 1, memory=f"{i + 1}Gi", form="container") for i in range(5)]
    workloads.insert(2, W("huge", cpu=1000, form="container"))
    hosts = [H("h1", cpu=10, memory="16Gi"), H("h2", cpu=10, memory="16Gi")]
    plan = place(workloads, hosts, method=method)
    assert [a.workload for a in plan.assignments] == ["w0", "w1", "w2", "w3", "w4"]
    assert list(plan.unplaced) == ["huge"]
    assert plan.placed == 5 and plan.containers == 5 and plan.vms == 0


def test_host_of_and_form_of(place):
    workloads = [W("c", cpu=1, memory="1Gi", form="container"), W("v", cpu=1, memory="1Gi", form="vm"),
                 W("nope", cpu=1, form="vm", os="plan9")]
    plan = place(workloads, [H("only", cpu=8, memory="16Gi")])
    assert (plan.host_of("c"), plan.form_of("c")) == ("only", "container")
    assert (plan.host_of("v"), plan.form_of("v")) == ("only", "vm")
    # unplaced workloads have neither; an unknown id is an error, as in plan.explain (a typo is not "unplaced")
    plan = place(workloads, [H("only", cpu=8, memory="16Gi", hypervisor=None)])
    assert plan.host_of("v") is None and plan.form_of("v") is None
    for method in (plan.host_of, plan.form_of, plan.explain):
        with pytest.raises(KeyError, match="no workload 'ghost'"):
            method("ghost")
    assert plan.host_of("c") == "only"
    assert plan.assignments == (fp.Assignment("c", "only", "container"),)


def test_form_any_runs_as_a_container_when_it_can(place):
    plan = place([W("a", cpu=1, memory="1Gi")], [H("h", cpu=4, memory="8Gi")])
    assert plan.form_of("a") == "container"
    plan = place([W("a", cpu=1, memory="1Gi")], [H("h", cpu=4, memory="8Gi", containers=False)])
    assert plan.form_of("a") == "vm"


# --- unplaced reasons -----------------------------------------------------------------------------------------------


def test_no_eligible_host_for_a_windows_container_on_linux_hosts(place):
    hosts = [H("l1", cpu=8, memory="16Gi", os="linux"), H("l2", cpu=8, memory="16Gi", os="linux")]
    plan = place([W("iis", cpu=1, memory="1Gi", os="windows", form="container")], hosts)
    reason = plan.unplaced["iis"]
    assert reason.code == "no_eligible_host"
    assert "container" in reason.message and "windows" in reason.message


def test_no_eligible_host_for_a_vm_without_hypervisors(place):
    hosts = [H("bare", cpu=64, memory="256Gi", hypervisor=None)]
    plan = place([W("legacy", cpu=1, memory="1Gi", form="vm")], hosts)
    assert plan.unplaced["legacy"].code == "no_eligible_host"
    assert "VM" in plan.unplaced["legacy"].message and "hypervisor" in plan.unplaced["legacy"].message


def test_no_eligible_host_for_any_form(place):
    # a windows workload that may take either form, on linux hosts that run no VMs
    plan = place([W("svc", cpu=1, os="windows")], [H("l", cpu=8, memory="16Gi", hypervisor=None)])
    assert plan.unplaced["svc"].code == "no_eligible_host"
    assert "hypervisor" in plan.unplaced["svc"].message and "windows containers" in plan.unplaced["svc"].message


def test_too_large_names_dimension_and_both_amounts(place):
    hosts = [H("big", cpu=64, memory="256Gi"), H("small", cpu=64, memory="128Gi")]
    plan = place([W("db", cpu=1, memory="300Gi", form="container")], hosts, overheads=NONE)
    reason = plan.unplaced["db"]
    assert reason.code == "too_large"
    assert reason.message.startswith("needs 300Gi memory as a container")
    assert reason.message.endswith("the largest eligible host has 256Gi")


def test_too_large_counts_overheads(place):
    hosts = [H("big", cpu=64, memory="256Gi")]
    plan = place([W("db", cpu=1, memory="300Gi", form="container")], hosts)
    # 300Gi + 16Mi per container + 256Mi container runtime
    need = format_memory(300 * GI + 16 * MI + 256 * MI)
    assert need == "300.27Gi"
    assert plan.unplaced["db"].code == "too_large"
    assert f"needs {need} memory as a container" in plan.unplaced["db"].message
    assert "256Gi" in plan.unplaced["db"].message


def test_too_large_in_each_allowed_form(place):
    plan = place([W("hpc", cpu=100, memory="1Gi")], [H("h", cpu=64, memory="256Gi")], overheads=NONE)
    message = plan.unplaced["hpc"].message
    assert plan.unplaced["hpc"].code == "too_large"
    assert message == "needs 100 cpu as a container or 100 as a VM (overheads included); the largest eligible " \
                      "host has 64"
    assert "memory" not in message


def test_too_large_in_a_dimension_no_host_has(place):
    hosts = [H("h", cpu=8, memory="16Gi", extra={"gpu": 1}), H("g", cpu=8, memory="16Gi")]
    plan = place([W("train", cpu=1, extra={"gpu": 2})], hosts)
    reason = plan.unplaced["train"]
    assert reason.code == "too_large"
    assert "needs 2 gpu" in reason.message and "the largest eligible host has 1" in reason.message


def test_too_large_when_every_host_takes_no_workload(place):
    plan = place([W("a", cpu=1, form="container")], [H("h", cpu=8, memory="16Gi", max_workloads=0)])
    assert plan.unplaced["a"].code == "too_large"
    assert "max_workloads 0" in plan.unplaced["a"].message


def test_no_room_when_the_fleet_is_full(place):
    workloads = [W(f"w{i}", cpu=1, memory="3Gi", form="container") for i in range(3)]
    hosts = [H("h1", cpu=4, memory="4Gi"), H("h2", cpu=4, memory="4Gi")]
    plan = place(workloads, hosts)
    assert plan.placed == 2 and list(plan.unplaced) == ["w2"]
    reason = plan.unplaced["w2"]
    assert reason.code == "no_room"
    assert reason.message == "no eligible host has room left: 2 hosts lack memory"


def test_no_room_names_the_anti_affinity_group(place):
    workloads = [W(f"db-{i}", cpu=1, memory="1Gi", anti_affinity="db") for i in range(3)]
    workloads.append(W("cache", cpu=1, memory="3Gi", form="container"))
    hosts = [H(f"h{i}", cpu=4, memory="4Gi", hypervisor=None) for i in range(3)]
    plan = place(workloads, hosts)
    assert list(plan.unplaced) == ["db-2"]
    reason = plan.unplaced["db-2"]
    assert reason.code == "no_room"
    # hosts are counted by reason, the most common first
    assert reason.message.startswith("no eligible host has room left: 2 hosts hold a workload of anti-affinity "
                                     "group 'db'")
    assert re.search(r"1 host lacks? memory$", reason.message), reason.message


def test_no_room_at_max_workloads(place):
    workloads = [W(f"w{i}", cpu="100m", form="container") for i in range(3)]
    plan = place(workloads, [H("h", cpu=8, memory="16Gi", max_workloads=2)])
    assert plan.unplaced["w2"].code == "no_room"
    assert "1 host" in plan.unplaced["w2"].message and "max_workloads" in plan.unplaced["w2"].message


def test_no_room_beside_a_dedicated_workload(place):
    workloads = [W("solo", cpu=1, isolation="dedicated"), W("other", cpu=1)]
    plan = place(workloads, [H("h", cpu=8, memory="16Gi")])
    assert plan.host_of("solo") == "h"
    assert plan.unplaced["other"].code == "no_room"
    assert "dedicated" in plan.unplaced["other"].message


def test_every_workload_is_placed_or_explained(place):
    workloads = [W(f"w{i}", cpu=i % 4 + 1, memory=f"{i % 3 + 1}Gi") for i in range(20)]
    plan = place(workloads, [H("h1", cpu=8, memory="16Gi"), H("h2", cpu=4, memory="8Gi")])
    placed = {a.workload for a in plan.assignments}
    assert placed.isdisjoint(plan.unplaced)
    assert placed | set(plan.unplaced) == {w.id for w in workloads}
    assert all(u.code in ("no_eligible_host", "too_large", "no_room", "not_reached") and u.message
               for u in plan.unplaced.values())


# --- strict mode ----------------------------------------------------------------------------------------------------


def test_strict_raises_infeasible_with_the_plan(place):
    workloads = [W("fits", cpu=1, memory="1Gi"), W("win", cpu=1, os="windows", form="container"),
                 W("huge", cpu=1, memory="1Ti")]
    hosts = [H("h", cpu=8, memory="16Gi")]
    lenient = place(workloads, hosts)
    with pytest.raises(fp.InfeasibleError) as info:
        place(workloads, hosts, strict=True)
    exc = info.value
    assert isinstance(exc, fp.FleetpackError) and not isinstance(exc, fp.ValidationError)
    assert str(exc).startswith("2 workload(s) could not be placed:")
    assert "win: " in str(exc) and "huge: " in str(exc) and "fits" not in str(exc)
    assert isinstance(exc.plan, fp.Plan)
    assert exc.plan.host_of("fits") == "h"
    assert {k: u.code for k, u in exc.unplaced.items()} == {"win": "no_eligible_host", "huge": "too_large"}
    assert exc.plan.assignments == lenient.assignments
    assert dict(exc.plan.unplaced) == dict(lenient.unplaced)


def test_strict_returns_the_plan_when_everything_fits(place):
    plan = place([W("a", cpu=1)], [H("h", cpu=2, memory="1Gi")], strict=True)
    assert plan.host_of("a") == "h" and not plan.unplaced


def test_infeasible_message_is_capped():
    plan = fp.place([W(f"w{i}", cpu=1000) for i in range(25)], [H("h", cpu=1, memory="1Gi")])
    exc = fp.InfeasibleError(plan)
    assert len(exc.unplaced) == 25
    assert "... and 5 more" in str(exc) and "w19:" in str(exc) and "w20:" not in str(exc)


# --- serialisation --------------------------------------------------------------------------------------------------


def mixed_inputs():
    """Containers, a VM, an extra dimension, different costs, and a workload too large for any host."""
    workloads = [W("web", cpu=2, memory="4Gi"), W("vm", cpu=1, memory="2Gi", form="vm"),
                 W("gpu", cpu=1, memory="1Gi", extra={"gpu": 1}), W("huge", cpu=500)]
    hosts = [H("h1", cpu=8, memory="32Gi", extra={"gpu": 2}, cost=2.5), H("h2", cpu=4, memory="16Gi")]
    return workloads, hosts


def mixed_plan(place) -> fp.Plan:
    return place(*mixed_inputs(), objective="cost")


def test_to_dict_from_dict_round_trip(place):
    plan = mixed_plan(place)
    data = plan.to_dict()
    assert data["assignments"][0] == {"workload": "web", "host": plan.host_of("web"), "form": plan.form_of("web")}
    assert data["unplaced"] == {"huge": {"code": "too_large", "message": plan.unplaced["huge"].message}}
    assert data["dimensions"] == ["cpu", "memory", "gpu"]
    again = fp.Plan.from_dict(data)
    assert plain(again) == plain(plan)
    assert again.to_dict() == data
    assert again.host_of("gpu") == plan.host_of("gpu") and again.gap == plan.gap


def test_to_json_from_json_round_trip(place):
    plan = mixed_plan(place)
    text = plan.to_json()
    assert json.loads(text) == plan.to_dict()
    again = fp.Plan.from_json(text)
    assert plain(again) == plain(plan)
    assert fp.Plan.from_json(plan.to_json(indent=None)).to_dict() == plan.to_dict()
    assert "\n" not in plan.to_json(indent=None)
    assert fp.verify(*mixed_inputs(), again) == []


def test_from_dict_fills_optional_fields():
    plan = fp.Plan.from_dict({"assignments": [{"workload": "a", "host": "h", "form": "vm"}], "objective": "hosts",
                              "objective_value": 1, "hosts_used": 1, "cost": 1.0, "lower_bound": 1,
                              "proven_optimal": True, "method": "ff"})
    assert plan.host_of("a") == "h" and dict(plan.unplaced) == {} and plan.strategy == "ff"
    assert plan.elapsed == 0.0 and dict(plan.utilization) == {} and plan.dimensions == ("cpu", "memory")


# --- utilisation ----------------------------------------------------------------------------------------------------


def test_utilization_of_a_container_includes_overheads(place):
    plan = place([W("c", cpu=1, memory="1Gi", form="container")], [H("h", cpu=4, memory="8Gi")])
    # default overheads: 16Mi per container; a host running containers pays the runtime, 100m cpu and 256Mi
    assert set(plan.utilization) == {"h"}
    assert plan.utilization["h"]["cpu"] == (1000 + 100) / 4000
    assert plan.utilization["h"]["memory"] == (GI + 16 * MI + 256 * MI) / (8 * GI)


def test_utilization_of_a_vm_includes_overheads(place):
    plan = place([W("v", cpu=1, memory="1Gi", form="vm")], [H("h", cpu=4, memory="8Gi", hypervisor="hardware")])
    # default overheads: cpu times 1.03 on a hardware hypervisor; 512Mi per VM; 1Gi per host running VMs
    assert plan.utilization["h"]["cpu"] == 1030 / 4000
    assert plan.utilization["h"]["memory"] == (GI + 512 * MI + GI) / (8 * GI)


def test_utilization_counts_per_host_overheads_once(place):
    workloads = [W(f"c{i}", cpu=1, memory="1Gi", form="container") for i in range(2)]
    plan = place(workloads, [H("h", cpu=4, memory="8Gi")])
    assert plan.utilization["h"]["cpu"] == (2000 + 100) / 4000
    assert plan.utilization["h"]["memory"] == (2 * GI + 2 * 16 * MI + 256 * MI) / (8 * GI)


def test_utilization_lists_only_used_hosts_and_every_dimension(place):
    workloads = [W("g", cpu=1, memory="1Gi", extra={"gpu": 1})]
    hosts = [H("idle", cpu=1, memory="1Gi"), H("h", cpu=2, memory="2Gi", extra={"gpu": 4})]
    plan = place(workloads, hosts, overheads=NONE)
    assert dict(plan.utilization["h"]) == {"cpu": 0.5, "memory": 0.5, "gpu": 0.25}
    assert set(plan.utilization) == {"h"}
    assert plan.dimensions == ("cpu", "memory", "gpu")


# --- hosts used, cost, objective, bounds ----------------------------------------------------------------------------


def test_single_workload_meets_the_bound(place):
    plan = place([W("a", cpu=1, memory="1Gi")], [H("h1", cpu=4, memory="8Gi"), H("h2", cpu=4, memory="8Gi")])
    assert plan.hosts_used == 1 and plan.objective_value == 1 and plan.lower_bound == 1
    assert plan.cost == 1.0
    assert plan.gap == 0.0 and plan.proven_optimal


@pytest.mark.parametrize("method", METHODS)
def test_weak_bound_gives_a_gap(place, method):
    # on bins of 100 every bound says 2 (198 in all; only 58 and 55 are apart), while the optimum is 3
    sizes = [58, 55, 38, 31, 16]
    with fleetpack.exact.heuristics_only():  # auto's exact stage would prove 3 optimal (tests/exact/test_exact.py)
        plan = place([W(f"w{i}", memory=s) for i, s in enumerate(sizes)],
                     [H(f"h{i}", cpu=1, memory=100) for i in range(5)], overheads=NONE, method=method)
    assert plan.lower_bound == 2 and not plan.unplaced
    assert plan.gap == pytest.approx((plan.hosts_used - 2) / 2) and plan.gap > 0
    assert not plan.proven_optimal


@pytest.mark.parametrize("method", METHODS)
def test_pairwise_apart_is_proven_optimal(place, method):
    # three items of 51 on bins of 100: capacity alone says two hosts could do, but no two share one; the bound
    # counts them, and every plan that uses three hosts is proven optimal
    with fleetpack.exact.heuristics_only():
        plan = place([W(f"w{i}", memory=51) for i in range(3)], [H(f"h{i}", cpu=1, memory=100) for i in range(3)],
                     overheads=NONE, method=method)
    assert plan.hosts_used == plan.objective_value == plan.lower_bound == 3
    assert plan.gap == 0 and plan.proven_optimal


def test_proven_optimal_when_the_hosts_meet_the_bound(place):
    # anti-affinity: the four of group "g" need four hosts; the small ones fit beside them
    workloads = [W(f"g{i}", cpu=1, memory=1, anti_affinity="g") for i in range(4)]
    workloads += [W(f"s{i}", cpu=1, memory=1) for i in range(6)]
    plan = place(workloads, [H(f"h{i}", cpu=8, memory=8) for i in range(6)], overheads=NONE)
    assert plan.lower_bound == 4 and plan.hosts_used == 4 and plan.proven_optimal and plan.gap == 0
    # a dedicated workload more: five hosts, still met
    plan = place(workloads + [W("d", cpu=1, memory=1, isolation="dedicated")],
                 [H(f"h{i}", cpu=8, memory=8) for i in range(6)], overheads=NONE)
    assert plan.lower_bound == plan.hosts_used == 5 and plan.proven_optimal


def test_not_proven_optimal_with_an_unplaced_workload(place):
    plan = place([W("a", cpu=1), W("b", cpu=100)], [H("h", cpu=4, memory="8Gi")])
    assert list(plan.unplaced) == ["b"]
    assert plan.objective_value == plan.lower_bound == 1  # the bound is met for what was placed
    assert not plan.proven_optimal


def test_gap_from_the_bound():
    base = fp.Plan.from_dict({"assignments": [], "objective": "hosts", "objective_value": 3, "hosts_used": 3,
                              "cost": 3.0, "lower_bound": 2, "proven_optimal": False, "method": "ff"})
    assert base.gap == 0.5
    assert dataclasses.replace(base, lower_bound=3).gap == 0.0
    assert dataclasses.replace(base, lower_bound=0).gap == math.inf


def test_objective_cost(place):
    hosts = [H("big", cpu=16, memory="64Gi", cost=5), H("small", cpu=4, memory="16Gi", cost=1)]
    plan = place([W("a", cpu=1, memory="1Gi")], hosts, objective="cost")
    assert plan.objective == "cost"
    assert plan.host_of("a") == "small"
    assert plan.objective_value == plan.cost == 1.0
    assert plan.proven_optimal  # the cheapest host bounds the cost
    by_hosts = place([W("a", cpu=1, memory="1Gi")], hosts, objective="hosts")
    assert by_hosts.host_of("a") == "big" and by_hosts.cost == 5.0 and by_hosts.objective_value == 1


def test_cost_sums_the_hosts_used(place):
    workloads = [W(f"w{i}", cpu=3, memory="1Gi", form="container") for i in range(3)]
    hosts = [H("a", cpu=4, memory="8Gi", cost=1.5), H("b", cpu=4, memory="8Gi", cost=2.25),
             H("c", cpu=4, memory="8Gi", cost=4), H("d", cpu=4, memory="8Gi", cost=100)]
    for objective in OBJECTIVES:
        plan = place(workloads, hosts, objective=objective)
        used = {a.host for a in plan.assignments}
        assert plan.hosts_used == len(used) == 3
        assert plan.cost == sum(h.cost for h in hosts if h.id in used)
    assert place(workloads, hosts, objective="cost").cost == 1.5 + 2.25 + 4


def test_objective_spread(place):
    workloads = [W("a", cpu=1, memory="1Gi"), W("b", cpu=1, memory="1Gi")]
    hosts = [H("h1", cpu=4, memory="8Gi"), H("h2", cpu=4, memory="8Gi")]
    spread = place(workloads, hosts, objective="spread")
    assert spread.objective == "spread"
    assert spread.hosts_used == 2
    assert spread.objective_value == max(u for per_host in spread.utilization.values() for u in per_host.values())
    assert spread.objective_value == (1000 + 100) / 4000
    packed = place(workloads, hosts, objective="hosts")
    assert packed.hosts_used == packed.objective_value == 1
    assert spread.objective_value < max(packed.utilization["h1"].values())
    assert spread.lower_bound <= spread.objective_value


# --- immutability ---------------------------------------------------------------------------------------------------


def test_plan_is_immutable(place):
    plan = mixed_plan(place)
    for name, value in [("hosts_used", 0), ("assignments", ()), ("cost", 0.0), ("proven_optimal", True)]:
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(plan, name, value)
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.new_attribute = 1
    with pytest.raises(TypeError):
        plan.unplaced["web"] = fp.Unplaced("no_room", "x")
    with pytest.raises(TypeError):
        plan.utilization["h1"]["cpu"] = 0.0
    with pytest.raises(TypeError):
        plan.utilization["h9"] = {}
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.assignments[0].host = "elsewhere"
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.unplaced["huge"].code = "no_room"
    with pytest.raises(TypeError):
        plan.assignments[0] = fp.Assignment("web", "h2", "vm")
    assert not hasattr(plan.assignments, "append")
    assert plan.host_of("web") == mixed_plan(place).host_of("web")


def test_plans_read_back_are_immutable_too(place):
    plan = fp.Plan.from_dict(mixed_plan(place).to_dict())
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.cost = 0.0
    with pytest.raises(TypeError):
        plan.unplaced["x"] = None
    with pytest.raises(TypeError):
        plan.utilization["h1"]["cpu"] = 0.0


def test_repr_summarises(place):
    text = repr(mixed_plan(place))
    assert text.startswith("Plan(placed=3, unplaced=1, ")
    assert "objective='cost'" in text


# --- every plan verifies --------------------------------------------------------------------------------------------


def random_fleet(seed: int):
    rng = random.Random(seed)
    workloads = []
    for i in range(rng.randint(10, 40)):
        kwargs = {
            "cpu": rng.choice(["250m", 0.5, 1, 2, 3, 6]),
            "memory": rng.choice(["256Mi", "1Gi", "2Gi", "5Gi", "12Gi"]),
            "form": rng.choice(["any", "any", "vm", "container"]),
            "os": rng.choice(["linux"] * 4 + ["windows"]),
            "tenant": rng.choice(["", "acme", "globex"]),
            "isolation": rng.choice(["none"] * 6 + ["tenant", "dedicated"]),
            "anti_affinity": rng.choice([None, None, None, "db", "web"]),
        }
        if rng.random() < 0.2:
            kwargs["extra"] = {"gpu": rng.choice([1, 2])}
        workloads.append(W(f"w{i}", **kwargs))
    hosts = []
    for j in range(rng.randint(2, 10)):
        kwargs = {
            "cpu": rng.choice([4, 8, 16]),
            "memory": rng.choice(["8Gi", "16Gi", "32Gi"]),
            "os": rng.choice(["linux"] * 3 + ["windows"]),
            "hypervisor": rng.choice(["hardware", "paravirtual", "software", None]),
            "containers": rng.random() < 0.8,
            "cost": rng.choice([1, 1.5, 2, 4]),
            "max_workloads": rng.choice([None, None, 3]),
        }
        if rng.random() < 0.3:
            kwargs["extra"] = {"gpu": rng.choice([1, 4])}
        hosts.append(H(f"h{j}", **kwargs))
    overheads = rng.choice([None, NONE, fp.Overheads(vm_cpu_factor={"software": 2.0}, container={"cpu": "50m"})])
    return workloads, hosts, overheads


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("objective", OBJECTIVES)
@pytest.mark.parametrize("method", METHODS)
def test_verify_accepts_every_plan_from_place(seed, objective, method):
    workloads, hosts, overheads = random_fleet(seed)
    plan = fp.place(workloads, hosts, objective=objective, method=method, overheads=overheads)
    assert fp.verify(workloads, hosts, plan, overheads) == []
    assert fp.verify(workloads, hosts, plan.to_dict(), overheads) == []
    assert plan.placed + len(plan.unplaced) == len(workloads)
    assert plan.placed > 0
    assert plan.hosts_used == len({a.host for a in plan.assignments}) == len(plan.utilization)
    assert plan.objective == objective and plan.method == method
    assert plan.lower_bound <= plan.objective_value + 1e-9


@pytest.mark.parametrize("method", METHODS)
def test_verify_accepts_baseline_plans_too(method):
    workloads, hosts, overheads = random_fleet(99)
    plan = fleetpack.baseline.place(workloads, hosts, method=method, overheads=overheads)
    assert fp.verify(workloads, hosts, plan, overheads) == []
    assert plan.placed > 0
