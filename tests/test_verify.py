"""The independent checker: for each rule a valid plan passes and a hand-broken plan yields exactly that violation.

Fleets are built by hand and plans written out, so nothing here depends on a solver (``fleetpack.place``).
"""

from __future__ import annotations

import dataclasses

import pytest

from fleetpack.errors import ValidationError
from fleetpack.model import HYPERVISORS, Host, Overheads, Resources, Workload
from fleetpack.plan import Plan
from fleetpack.verify import Violation, verify

NONE = Overheads.none()


def only(**fields) -> Overheads:
    """No overhead except the ones named (factors stay 1 unless ``vm_cpu_factor`` is given)."""
    return dataclasses.replace(NONE, **fields)


def make_plan(assignments, unplaced=()) -> Plan:
    """A `Plan` listing ``(workload, host, form)`` lines and the ids left unplaced."""
    return Plan.from_dict({
        "assignments": [{"workload": w, "host": h, "form": f} for w, h, f in assignments],
        "unplaced": {wid: {"code": "no_room", "message": "no room"} for wid in unplaced},
        "objective": "hosts",
        "objective_value": 1,
        "hosts_used": 1,
        "cost": 1.0,
        "lower_bound": 1,
        "proven_optimal": False,
        "method": "hand",
    })


def check(workloads, hosts, assignments, overheads=NONE, unplaced=()) -> list[Violation]:
    return verify(workloads, hosts, make_plan(assignments, unplaced), overheads)


def only_rule(violations: list[Violation], rule: str) -> Violation:
    """The single violation expected, which must be of ``rule``."""
    assert [v.rule for v in violations] == [rule], violations
    return violations[0]


# --- capacity, overheads and dimensions -----------------------------------------------------------------------------


class TestCapacity:
    def test_fits_exactly(self):
        ws = [Workload("a", cpu=2, memory="4Gi"), Workload("b", cpu=2, memory="4Gi")]
        hosts = [Host("h1", cpu=4, memory="8Gi")]
        assert check(ws, hosts, [("a", "h1", "container"), ("b", "h1", "vm")]) == []

    def test_cpu_over(self):
        ws = [Workload(x, cpu=2, memory="1Gi") for x in "abc"]
        hosts = [Host("h1", cpu=4, memory="8Gi")]
        v = only_rule(check(ws, hosts, [(x, "h1", "container") for x in "abc"]), "capacity")
        assert v.host == "h1" and v.workload is None
        assert v.message == "host 'h1': cpu 6 used of 4"
        assert str(v) == v.message

    def test_memory_message_formats_amounts(self):
        ws = [Workload("a", cpu=1, memory="200Gi"), Workload("b", cpu=1, memory="100Gi")]
        hosts = [Host("h1", cpu=8, memory="256Gi")]
        v = only_rule(check(ws, hosts, [("a", "h1", "container"), ("b", "h1", "container")]), "capacity")
        assert v.message == "host 'h1': memory 300Gi used of 256Gi"

    def test_each_host_counts_only_its_own_workloads(self):
        ws = [Workload("a", cpu=3), Workload("b", cpu=3)]
        hosts = [Host("h1", cpu=4), Host("h2", cpu=4)]
        assert check(ws, hosts, [("a", "h1", "container"), ("b", "h2", "container")]) == []
        v = only_rule(check(ws, hosts, [("a", "h2", "container"), ("b", "h2", "container")]), "capacity")
        assert v.host == "h2"


class TestVmCpuFactor:
    def test_factor_and_vm_overhead(self):
        # 1000m at 1.03 is 1030m, plus 100m per VM.
        over = only(vm=Resources("100m", 0), vm_cpu_factor={"hardware": 1.03})
        ws = [Workload("a", cpu=1)]
        assert check(ws, [Host("h1", cpu="1130m")], [("a", "h1", "vm")], over) == []
        v = only_rule(check(ws, [Host("h1", cpu="1129m")], [("a", "h1", "vm")], over), "capacity")
        assert v.message == "host 'h1': cpu 1.13 used of 1.129"

    def test_factor_rounds_up(self):
        # 1m at 1.03 is 1.03m: the VM takes 2m.
        over = only(vm_cpu_factor={"hardware": 1.03})
        ws = [Workload("a", cpu="1m")]
        assert check(ws, [Host("h1", cpu="2m")], [("a", "h1", "vm")], over) == []
        v = only_rule(check(ws, [Host("h1", cpu="1m")], [("a", "h1", "vm")], over), "capacity")
        assert v.message == "host 'h1': cpu 2m used of 1m"

    def test_factor_of_the_hosts_hypervisor(self):
        ws = [Workload("a", cpu=1)]
        hosts = [Host("hw", cpu="1050m", hypervisor="hardware"), Host("sw", cpu="1050m", hypervisor="software")]
        # Defaults: hardware 1.03, paravirtual 1.05, software 1.30 (memory overheads need room too).
        over = only(vm_cpu_factor={"hardware": 1.03, "software": 1.30})
        assert check(ws, hosts, [("a", "hw", "vm")], over) == []
        v = only_rule(check(ws, hosts, [("a", "sw", "vm")], over), "capacity")
        assert v.message == "host 'sw': cpu 1.3 used of 1.05"

    def test_container_pays_no_factor(self):
        over = only(vm_cpu_factor={kind: 2.0 for kind in HYPERVISORS})
        ws = [Workload("a", cpu=1)]
        assert check(ws, [Host("h1", cpu=1)], [("a", "h1", "container")], over) == []
        assert only_rule(check(ws, [Host("h1", cpu=1)], [("a", "h1", "vm")], over), "capacity").host == "h1"


class TestPerHostOverheads:
    def test_hypervisor_overhead_paid_once_per_host_with_vms(self):
        over = only(hypervisor=Resources(0, "1Gi"))
        ws = [Workload("a", memory="1Gi"), Workload("b", memory="1Gi")]
        both_vms = [("a", "h1", "vm"), ("b", "h1", "vm")]
        assert check(ws, [Host("h1", memory="3Gi")], both_vms, over) == []
        # Containers only: no hypervisor overhead, so the same host could be smaller.
        assert check(ws, [Host("h1", memory="2Gi")], [("a", "h1", "container"), ("b", "h1", "container")], over) == []

    def test_hypervisor_overhead_tips_host_over(self):
        over = only(hypervisor=Resources(0, "1Gi"))
        ws = [Workload("a", memory="1Gi"), Workload("b", memory="1Gi")]
        hosts = [Host("h1", memory="2Gi")]
        v = only_rule(check(ws, hosts, [("a", "h1", "container"), ("b", "h1", "vm")], over), "capacity")
        assert v.message == "host 'h1': memory 3Gi used of 2Gi"

    def test_container_runtime_overhead_paid_once_per_host_with_containers(self):
        over = only(container_runtime=Resources("500m", 0))
        ws = [Workload("a", cpu="750m"), Workload("b", cpu="750m")]
        both = [("a", "h1", "container"), ("b", "h1", "container")]
        assert check(ws, [Host("h1", cpu=2)], both, over) == []
        # As VMs they pay no runtime overhead.
        assert check(ws, [Host("h1", cpu="1500m")], [("a", "h1", "vm"), ("b", "h1", "vm")], over) == []

    def test_container_runtime_overhead_tips_host_over(self):
        over = only(container_runtime=Resources("500m", 0))
        ws = [Workload("a", cpu="1600m")]
        assert check(ws, [Host("h1", cpu=2)], [("a", "h1", "vm")], over) == []
        v = only_rule(check(ws, [Host("h1", cpu=2)], [("a", "h1", "container")], over), "capacity")
        assert v.message == "host 'h1': cpu 2.1 used of 2"

    def test_default_overheads(self):
        # Container: 1Gi + 16Mi per container + 256Mi runtime = 1296Mi; cpu 1000m + 100m runtime.
        # VM on hardware: 1030m; 1Gi + 512Mi guest + 1Gi hypervisor = 2.5Gi.
        ws = [Workload("a", cpu=1, memory="1Gi")]
        assert verify(ws, [Host("h1", cpu="1100m", memory="1296Mi")], {"a": ("h1", "container")}) == []
        v = only_rule(verify(ws, [Host("h1", cpu="1100m", memory="1295Mi")], {"a": ("h1", "container")}), "capacity")
        assert v.message == "host 'h1': memory 1296Mi used of 1295Mi"
        assert verify(ws, [Host("h1", cpu="1030m", memory="2.5Gi")], {"a": ("h1", "vm")}) == []
        found = verify(ws, [Host("h1", cpu="1029m", memory="2Gi")], {"a": ("h1", "vm")})
        assert [v.message for v in found] == [
            "host 'h1': cpu 1.03 used of 1.029",
            "host 'h1': memory 2.5Gi used of 2Gi",
        ]

    def test_overheads_given_as_dict(self):
        ws = [Workload("a", cpu=1)]
        over = {"vm": {"cpu": 0, "memory": 0}, "hypervisor": {"cpu": "500m", "memory": 0},
                "vm_cpu_factor": {"hardware": 1.0}}
        assert verify(ws, [Host("h1", cpu="1500m", memory="1Gi")], {"a": ("h1", "vm")}, over) == []
        v = only_rule(verify(ws, [Host("h1", cpu="1499m", memory="1Gi")], {"a": ("h1", "vm")}, over), "capacity")
        assert "cpu 1.5 used of 1.499" in v.message


class TestExtraDimensions:
    def test_gpu_within_capacity(self):
        ws = [Workload("a", extra={"gpu": 1}), Workload("b", extra={"gpu": 1})]
        hosts = [Host("h1", cpu=1, extra={"gpu": 2})]
        assert check(ws, hosts, [("a", "h1", "container"), ("b", "h1", "vm")]) == []

    def test_gpu_over(self):
        ws = [Workload(x, extra={"gpu": 1}) for x in "abc"]
        hosts = [Host("h1", cpu=1, extra={"gpu": 2})]
        v = only_rule(check(ws, hosts, [(x, "h1", "container") for x in "abc"]), "capacity")
        assert v.message == "host 'h1': gpu 3 used of 2"

    def test_host_missing_dimension_has_capacity_zero(self):
        ws = [Workload("a", extra={"gpu": 1}), Workload("b")]
        hosts = [Host("h1", cpu=1, memory="1Gi"), Host("h2", cpu=1, memory="1Gi")]
        assert check(ws, hosts, [("b", "h1", "container")], unplaced=["a"]) == []
        v = only_rule(check(ws, hosts, [("a", "h2", "container"), ("b", "h1", "container")]), "capacity")
        assert v.message == "host 'h2': gpu 1 used of 0"

    def test_extra_dimensions_carry_no_overhead(self):
        over = Overheads(vm_cpu_factor={kind: 1.30 for kind in HYPERVISORS})
        ws = [Workload("a", extra={"gpu": 2})]
        hosts = [Host("h1", cpu=1, memory="4Gi", extra={"gpu": 2})]
        assert check(ws, hosts, [("a", "h1", "vm")], over) == []
        assert check(ws, hosts, [("a", "h1", "container")], over) == []


# --- the other rules ------------------------------------------------------------------------------------------------


class TestMaxWorkloads:
    def test_at_cap(self):
        ws = [Workload("a"), Workload("b")]
        assert check(ws, [Host("h1", max_workloads=2)], [("a", "h1", "container"), ("b", "h1", "vm")]) == []

    def test_over_cap(self):
        ws = [Workload(x) for x in "abc"]
        v = only_rule(check(ws, [Host("h1", max_workloads=2)], [(x, "h1", "container") for x in "abc"]),
                      "max_workloads")
        assert v.host == "h1" and "'h1'" in v.message and "3 workloads" in v.message and "2" in v.message

    def test_cap_zero(self):
        v = only_rule(check([Workload("a")], [Host("h1", max_workloads=0)], [("a", "h1", "vm")]), "max_workloads")
        assert v.host == "h1"


class TestAntiAffinity:
    def test_apart(self):
        ws = [Workload("a", anti_affinity="g"), Workload("b", anti_affinity="g"), Workload("c"), Workload("d")]
        hosts = [Host("h1"), Host("h2")]
        plan = [("a", "h1", "container"), ("b", "h2", "container"), ("c", "h1", "container"), ("d", "h1", "vm")]
        assert check(ws, hosts, plan) == []

    def test_together(self):
        ws = [Workload("a", anti_affinity="g"), Workload("b", anti_affinity="g")]
        v = only_rule(check(ws, [Host("h1")], [("a", "h1", "container"), ("b", "h1", "vm")]), "anti_affinity")
        assert v.host == "h1" and v.workload == "b"
        assert "'g'" in v.message and "'a'" in v.message and "'b'" in v.message and "'h1'" in v.message

    def test_different_groups_may_share(self):
        ws = [Workload("a", anti_affinity="g"), Workload("b", anti_affinity="k")]
        assert check(ws, [Host("h1")], [("a", "h1", "container"), ("b", "h1", "container")]) == []


class TestStaticRules:
    def test_vm_needs_hypervisor(self):
        ws = [Workload("a")]
        hosts = [Host("h1", hypervisor=None)]
        assert check(ws, hosts, [("a", "h1", "container")]) == []
        v = only_rule(check(ws, hosts, [("a", "h1", "vm")]), "vm_needs_hypervisor")
        assert (v.host, v.workload) == ("h1", "a") and "'a'" in v.message and "'h1'" in v.message

    def test_containers_disabled(self):
        ws = [Workload("a")]
        hosts = [Host("h1", containers=False)]
        assert check(ws, hosts, [("a", "h1", "vm")]) == []
        v = only_rule(check(ws, hosts, [("a", "h1", "container")]), "containers_disabled")
        assert (v.host, v.workload) == ("h1", "a") and "'a'" in v.message and "'h1'" in v.message

    def test_os_mismatch(self):
        ws = [Workload("win", os="windows")]
        linux, windows = Host("lin", os="linux"), Host("winhost", os="Windows")
        assert check(ws, [linux], [("win", "lin", "vm")]) == []  # a VM may run any guest OS
        assert check(ws, [windows], [("win", "winhost", "container")]) == []  # OS names compare case-blind
        v = only_rule(check(ws, [linux], [("win", "lin", "container")]), "os_mismatch")
        assert (v.host, v.workload) == ("lin", "win") and "windows" in v.message and "linux" in v.message

    def test_form(self):
        ws = [Workload("v", form="vm"), Workload("c", form="container"), Workload("x", form="any")]
        hosts = [Host("h1")]
        good = [("v", "h1", "vm"), ("c", "h1", "container"), ("x", "h1", "vm")]
        assert check(ws, hosts, good) == []
        assert check(ws, hosts, [("v", "h1", "vm"), ("c", "h1", "container"), ("x", "h1", "container")]) == []
        v = only_rule(check(ws, hosts, [("v", "h1", "container"), ("c", "h1", "container")], unplaced=["x"]), "form")
        assert (v.host, v.workload) == ("h1", "v") and "'v'" in v.message and "vm" in v.message

    def test_static_rules_add_up(self):
        # One bad line can break several rules at once; each is reported.
        ws = [Workload("a", form="vm", os="windows")]
        hosts = [Host("h1", containers=False)]
        assert [v.rule for v in check(ws, hosts, [("a", "h1", "container")])] == [
            "form", "containers_disabled", "os_mismatch"
        ]


class TestTenantIsolation:
    def test_same_tenant_and_vms_are_fine(self):
        ws = [
            Workload("a", tenant="acme", isolation="tenant"),
            Workload("b", tenant="acme"),
            Workload("c", tenant="other"),
        ]
        plan = [("a", "h1", "container"), ("b", "h1", "container"), ("c", "h1", "vm")]
        assert check(ws, [Host("h1")], plan) == []

    def test_isolated_vm_may_sit_beside_other_tenants(self):
        ws = [Workload("a", tenant="acme", isolation="tenant"), Workload("b", tenant="other")]
        assert check(ws, [Host("h1")], [("a", "h1", "vm"), ("b", "h1", "container")]) == []

    def test_container_of_another_tenant(self):
        ws = [Workload("b", tenant="other"), Workload("a", tenant="acme", isolation="tenant")]
        v = only_rule(check(ws, [Host("h1")], [("b", "h1", "container"), ("a", "h1", "container")]),
                      "tenant_isolation")
        assert (v.host, v.workload) == ("h1", "a")
        for name in ("'a'", "'b'", "'acme'", "'other'", "'h1'"):
            assert name in v.message

    def test_two_isolated_tenants_make_one_violation(self):
        ws = [Workload("a", tenant="x", isolation="tenant"), Workload("b", tenant="y", isolation="tenant")]
        v = only_rule(check(ws, [Host("h1")], [("a", "h1", "container"), ("b", "h1", "container")]),
                      "tenant_isolation")
        assert v.workload == "a"


class TestDedicated:
    def test_alone(self):
        ws = [Workload("a", isolation="dedicated"), Workload("b")]
        assert check(ws, [Host("h1"), Host("h2")], [("a", "h1", "vm"), ("b", "h2", "container")]) == []

    def test_shared(self):
        ws = [Workload("a", isolation="dedicated"), Workload("b")]
        v = only_rule(check(ws, [Host("h1")], [("a", "h1", "vm"), ("b", "h1", "container")]), "dedicated")
        assert (v.host, v.workload) == ("h1", "a") and "'a'" in v.message and "'b'" in v.message


# --- the plan's shapes and structure --------------------------------------------------------------------------------

FLEET_W = [Workload("a", cpu=2), Workload("b", cpu=2, anti_affinity="g"), Workload("c", cpu=1, anti_affinity="g")]
FLEET_H = [Host("h1", cpu=4), Host("h2", cpu=4)]
GOOD = [("a", "h1", "container"), ("b", "h1", "vm"), ("c", "h2", "container")]
BAD = [("a", "h1", "container"), ("b", "h2", "vm"), ("c", "h2", "container")]  # b and c share group g


class TestPlanShapes:
    @pytest.mark.parametrize("shape", ["plan", "dict", "mapping"])
    def test_all_three_shapes_agree(self, shape):
        def as_shape(lines):
            plan = make_plan(lines)
            if shape == "plan":
                return plan
            if shape == "dict":
                return plan.to_dict()
            return {w: (h, f) for w, h, f in lines}

        assert verify(FLEET_W, FLEET_H, as_shape(GOOD), NONE) == []
        found = verify(FLEET_W, FLEET_H, as_shape(BAD), NONE)
        assert found == [Violation(
            "anti_affinity", "host 'h2': workloads 'b' and 'c' share anti-affinity group 'g'", host="h2", workload="c"
        )]

    def test_inputs_as_dicts(self):
        ws = [w.to_dict() for w in FLEET_W]
        hs = [h.to_dict() for h in FLEET_H]
        assert verify(ws, hs, {w: (h, f) for w, h, f in GOOD}, NONE.to_dict()) == []
        assert [v.rule for v in verify(ws, hs, {w: (h, f) for w, h, f in BAD}, NONE.to_dict())] == ["anti_affinity"]

    def test_mapping_none_means_unplaced(self):
        plan = {"a": ("h1", "container"), "b": None, "c": None}
        assert verify(FLEET_W, FLEET_H, plan, NONE) == []

    def test_mapping_with_integer_ids(self):
        ws = [Workload(7, cpu=1)]
        assert verify(ws, [Host(1, cpu=1)], {7: (1, "container")}, NONE) == []

    def test_mapping_with_workload_named_assignments(self):
        ws = [Workload("assignments", cpu=1)]
        assert verify(ws, [Host("h1", cpu=1)], {"assignments": ("h1", "vm")}, NONE) == []
        only_rule(verify(ws, [Host("h1")], {"assignments": ("h1", "vm")}, NONE), "capacity")

    def test_dict_with_two_assignments_is_not_a_pair(self):
        plan = make_plan(GOOD[:2], unplaced=["c"]).to_dict()
        assert verify(FLEET_W, FLEET_H, plan, NONE) == []

    @pytest.mark.parametrize("plan", [None, "a:h1", ["a", "h1", "vm"], 42, make_plan(GOOD).assignments])
    def test_wrong_plan_type_raises(self, plan):
        with pytest.raises(ValidationError) as info:
            verify(FLEET_W, FLEET_H, plan, NONE)
        assert [e.field for e in info.value.errors] == ["plan"]

    def test_malformed_mapping_value_raises(self):
        with pytest.raises(ValidationError) as info:
            verify(FLEET_W, FLEET_H, {"a": "h1"}, NONE)
        assert info.value.errors[0].field.startswith("plan")

    def test_malformed_dict_line_raises(self):
        with pytest.raises(ValidationError) as info:
            verify(FLEET_W, FLEET_H, {"assignments": [{"workload": "a", "host": "h1"}]}, NONE)
        assert info.value.errors[0].field == "plan.assignments[0]"

    def test_invalid_inputs_raise(self):
        with pytest.raises(ValidationError):
            verify([{"id": "a", "cpu": -1}], FLEET_H, {}, NONE)
        with pytest.raises(ValidationError):
            verify(FLEET_W, [{"id": "h1", "colour": "red"}], {}, NONE)
        with pytest.raises(ValidationError):
            verify([Workload("a"), Workload("a")], FLEET_H, {}, NONE)
        with pytest.raises(ValidationError):
            verify(FLEET_W, FLEET_H, {}, {"vm_cpu_factor": {"quantum": 2}})


class TestPlanStructure:
    def test_unknown_workload(self):
        v = only_rule(verify(FLEET_W, FLEET_H, {"a": ("h1", "vm"), "zzz": ("h1", "vm")}, NONE), "unknown_workload")
        assert "'zzz'" in v.message and v.workload is None

    def test_unknown_host(self):
        v = only_rule(verify(FLEET_W, FLEET_H, {"a": ("h9", "vm")}, NONE), "unknown_host")
        assert v.workload == "a" and "'h9'" in v.message

    @pytest.mark.parametrize("form", ["VM", "pod", "any", None])
    def test_unknown_form(self, form):
        v = only_rule(verify(FLEET_W, FLEET_H, {"a": ("h1", form)}, NONE), "unknown_form")
        assert (v.workload, v.host) == ("a", "h1") and repr(form) in v.message

    def test_duplicate_assignment(self):
        plan = make_plan([("a", "h1", "container"), ("b", "h1", "vm"), ("c", "h2", "vm"), ("a", "h2", "vm")])
        v = only_rule(verify(FLEET_W, FLEET_H, plan, NONE), "duplicate_assignment")
        assert v.workload == "a" and "'h1'" in v.message and "'h2'" in v.message

    def test_duplicate_in_dict_form(self):
        plan = make_plan(GOOD).to_dict()
        plan["assignments"].append({"workload": "c", "host": "h2", "form": "container"})
        assert [v.rule for v in verify(FLEET_W, FLEET_H, plan, NONE)] == ["duplicate_assignment"]

    def test_placed_and_unplaced(self):
        v = only_rule(verify(FLEET_W, FLEET_H, make_plan(GOOD, unplaced=["b"]), NONE), "placed_and_unplaced")
        assert v.workload == "b" and "'b'" in v.message

    def test_unplaced_unknown_workload(self):
        v = only_rule(verify(FLEET_W, FLEET_H, make_plan(GOOD, unplaced=["zzz"]), NONE), "unknown_workload")
        assert "'zzz'" in v.message

    def test_missing_workload(self):
        assert verify(FLEET_W, FLEET_H, make_plan(GOOD[:2], unplaced=["c"]), NONE) == []
        v = only_rule(verify(FLEET_W, FLEET_H, make_plan(GOOD[:2]), NONE), "missing_workload")
        assert v.workload == "c" and "'c'" in v.message
        v = only_rule(verify(FLEET_W, FLEET_H, make_plan(GOOD[:2]).to_dict(), NONE), "missing_workload")
        assert v.workload == "c"

    def test_mapping_may_leave_workloads_out(self):
        # A plain mapping has no list of unplaced workloads, so absence is not a violation.
        assert verify(FLEET_W, FLEET_H, {"a": ("h1", "vm")}, NONE) == []

    def test_empty_fleet(self):
        assert verify([], [], {}) == []
        assert verify([], [], make_plan([])) == []


class TestReport:
    def test_order_follows_inputs(self):
        ws = [Workload("z", cpu=2, form="vm"), Workload("y", cpu=2), Workload("x", cpu=2, form="vm")]
        hosts = [Host("h2", cpu=1), Host("h1", cpu=1)]
        plan = {"x": ("h1", "container"), "y": ("h1", "container"), "z": ("h2", "container")}
        found = verify(ws, hosts, plan, NONE)
        assert [(v.rule, v.host, v.workload) for v in found] == [
            ("form", "h2", "z"),
            ("form", "h1", "x"),
            ("capacity", "h2", None),
            ("capacity", "h1", None),
        ]
        assert verify(ws, hosts, plan, NONE) == found

    def test_violation_is_frozen(self):
        v = Violation("capacity", "host 'h1': cpu 2 used of 1", host="h1")
        with pytest.raises(dataclasses.FrozenInstanceError):
            v.rule = "other"
        assert str(v) == "host 'h1': cpu 2 used of 1" and v.workload is None
