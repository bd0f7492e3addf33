"""Each rule of the model, with a case where it binds and the plan changes because of it.

Every test runs on the Rust core and on the pure-Python baseline (the ``place`` fixture), and checks the plan with
the independent verifier.
"""

import pytest

import fleetpack as fp

NONE = fp.Overheads.none()


def placed(place, workloads, hosts, **kwargs):
    plan = place(workloads, hosts, **kwargs)
    assert fp.verify(workloads, hosts, plan, kwargs.get("overheads")) == []
    return plan


def test_container_preferred_because_vm_overhead_does_not_fit(place):
    # as a container: 1Gi + 16Mi + runtime 256Mi fits 2Gi; as a VM: 1Gi + 512Mi + hypervisor 1Gi does not
    w = [fp.Workload("app", cpu="500m", memory="1Gi")]
    h = [fp.Host("h", cpu=2, memory="2Gi")]
    plan = placed(place, w, h)
    assert plan.form_of("app") == "container"
    vm_only = [fp.Workload("app", cpu="500m", memory="1Gi", form="vm")]
    plan = placed(place, vm_only, h)
    assert plan.unplaced["app"].code == "too_large"
    assert "memory" in plan.unplaced["app"].message


def test_vm_cpu_factor_depends_on_hypervisor(place):
    # 10 cores as a VM: 10.3 cores on hardware virtualization, 13 under software emulation
    w = [fp.Workload("vm", cpu=10, memory="1Gi", form="vm")]
    software = fp.Host("soft", cpu=12, memory="64Gi", hypervisor="software")
    hardware = fp.Host("hard", cpu=12, memory="64Gi", hypervisor="hardware")
    over = fp.Overheads(vm={}, hypervisor={})
    assert placed(place, w, [software, hardware], overheads=over).host_of("vm") == "hard"
    assert placed(place, w, [software], overheads=over).unplaced["vm"].code == "too_large"
    # with a factor of 1.2 it fits the software host: the factor is honoured as configured
    over = fp.Overheads(vm={}, hypervisor={}, vm_cpu_factor={"software": 1.2})
    assert placed(place, w, [software], overheads=over).host_of("vm") == "soft"


def test_vm_factor_rounds_up(place):
    # 1m at 1.03 is 1.03m, rounded up to 2m: two such VMs need 4m, more than 3m
    w = [fp.Workload(f"v{i}", cpu="1m", form="vm") for i in range(2)]
    h = [fp.Host("h", cpu="3m", memory=1), fp.Host("g", cpu="3m", memory=1)]
    over = fp.Overheads(vm={}, container={}, hypervisor={}, container_runtime={})
    plan = placed(place, w, h, overheads=over)
    assert plan.hosts_used == 2


def test_container_needs_same_os_and_containers_enabled(place):
    w = [fp.Workload("svc", cpu=1, memory="1Gi", os="windows")]
    h = [fp.Host("linux", cpu=8, memory="16Gi")]
    assert placed(place, w, h).form_of("svc") == "vm"  # a VM may run any guest OS
    w = [fp.Workload("svc", cpu=1, memory="1Gi")]
    h = [fp.Host("novms", cpu=8, memory="16Gi", containers=False)]
    assert placed(place, w, h).form_of("svc") == "vm"
    w = [fp.Workload("svc", cpu=1, memory="1Gi", form="container", os="windows")]
    plan = placed(place, w, h)
    assert plan.unplaced["svc"].code == "no_eligible_host"


def test_vm_needs_a_hypervisor(place):
    w = [fp.Workload("legacy", cpu=1, memory="1Gi", form="vm")]
    h = [fp.Host("bare", cpu=64, memory="256Gi", hypervisor=None), fp.Host("kvm", cpu=8, memory="16Gi")]
    assert placed(place, w, h).host_of("legacy") == "kvm"
    assert placed(place, w, h[:1]).unplaced["legacy"].code == "no_eligible_host"


def test_form_is_respected(place):
    w = [fp.Workload("a", cpu=1, memory="1Gi", form="vm"), fp.Workload("b", cpu=1, memory="1Gi")]
    plan = placed(place, w, [fp.Host("h", cpu=8, memory="16Gi")])
    assert plan.form_of("a") == "vm" and plan.form_of("b") == "container"


def test_max_workloads(place):
    w = [fp.Workload(f"w{i}", cpu="100m", memory="64Mi") for i in range(3)]
    h = [fp.Host("small", cpu=8, memory="16Gi", max_workloads=2), fp.Host("other", cpu=8, memory="16Gi")]
    plan = placed(place, w, h, method="ff")
    assert [plan.host_of(f"w{i}") for i in range(3)] == ["small", "small", "other"]


def test_anti_affinity_forces_another_host(place):
    w = [fp.Workload(f"db-{i}", cpu=1, memory="1Gi", anti_affinity="db") for i in range(3)]
    h = [fp.Host(f"h{j}", cpu=64, memory="256Gi") for j in range(3)]
    plan = placed(place, w, h)
    assert plan.hosts_used == 3
    assert placed(place, w, h[:2]).unplaced["db-2"].code == "no_room"
    assert "anti-affinity group 'db'" in placed(place, w, h[:2]).unplaced["db-2"].message


def test_tenant_isolation_containers_only(place):
    iso = fp.Workload("acme-api", cpu=1, memory="1Gi", form="container", tenant="acme", isolation="tenant")
    other = fp.Workload("globex-api", cpu=1, memory="1Gi", form="container", tenant="globex")
    same = fp.Workload("acme-web", cpu=1, memory="1Gi", form="container", tenant="acme")
    other_vm = fp.Workload("globex-vm", cpu=1, memory="1Gi", form="vm", tenant="globex")
    h = [fp.Host("h1", cpu=64, memory="256Gi"), fp.Host("h2", cpu=64, memory="256Gi")]
    plan = placed(place, [iso, other, same, other_vm], h, method="ff")
    assert plan.host_of("acme-api") == "h1"
    assert plan.host_of("globex-api") == "h2"  # another tenant's container may not share h1's kernel
    assert plan.host_of("acme-web") == "h1"  # its own tenant's container may
    assert plan.host_of("globex-vm") == "h1"  # a VM has its own kernel
    # with isolation lifted, everything shares one host
    plain = fp.Workload("acme-api", cpu=1, memory="1Gi", form="container", tenant="acme")
    assert placed(place, [plain, other, same, other_vm], h, method="ff").hosts_used == 1


def test_tenant_isolated_workload_runs_as_vm_when_containers_of_others_fill_hosts(place):
    other = fp.Workload("globex-api", cpu=1, memory="1Gi", form="container", tenant="globex")
    iso = fp.Workload("acme-api", cpu=1, memory="1Gi", tenant="acme", isolation="tenant")
    plan = placed(place, [other, iso], [fp.Host("h", cpu=64, memory="256Gi")], method="ff")
    assert plan.form_of("acme-api") == "vm"  # isolation makes the VM form the one that fits
    assert plan.hosts_used == 1


def test_dedicated_is_alone(place):
    w = [fp.Workload("oracle", cpu=2, memory="8Gi", isolation="dedicated"), fp.Workload("web", cpu=1, memory="1Gi")]
    h = [fp.Host(f"h{j}", cpu=64, memory="256Gi") for j in range(2)]
    plan = placed(place, w, h)
    assert plan.hosts_used == 2 and plan.host_of("oracle") != plan.host_of("web")
    assert placed(place, w, h[:1]).unplaced["web"].code == "no_room"


def test_extra_dimension_needs_a_host_that_has_it(place):
    w = [fp.Workload("train", cpu=4, memory="16Gi", extra={"gpu": 2})]
    h = [fp.Host("cpu-box", cpu=96, memory="768Gi"), fp.Host("gpu-box", cpu=32, memory="256Gi", extra={"gpu": 4})]
    assert placed(place, w, h).host_of("train") == "gpu-box"
    plan = placed(place, w, h[:1])
    assert plan.unplaced["train"].code == "too_large" and "gpu" in plan.unplaced["train"].message


def test_activation_overhead_tips_a_host_over(place):
    # 'h' holds the container with its runtime; a first VM there would also need the hypervisor's 1Gi
    c = fp.Workload("c", cpu=1, memory="2Gi", form="container")
    v = fp.Workload("v", cpu=1, memory="1Gi", form="vm")
    h = [fp.Host("h", cpu=8, memory="4Gi"), fp.Host("g", cpu=8, memory="4Gi")]
    plan = placed(place, [c, v], h, method="ff")
    assert plan.host_of("c") == "h" and plan.host_of("v") == "g"
    # without the hypervisor overhead both share 'h'
    over = fp.Overheads(hypervisor={})
    assert placed(place, [c, v], h, method="ff", overheads=over).hosts_used == 1


def test_rounding_never_overcommits(place):
    # demands round up (1.0001 cores -> 1001m), capacities down (1.0009 cores -> 1000m)
    w = [fp.Workload("w", cpu="1.0001", memory=1)]
    h = [fp.Host("h", cpu="1.0009", memory=10)]
    plan = placed(place, w, h, overheads=NONE)
    assert plan.unplaced["w"].code == "too_large"


def test_objective_cost_prefers_cheap_capacity(place):
    w = [fp.Workload(f"w{i}", cpu=4, memory="8Gi") for i in range(4)]
    h = [fp.Host("big-pricey", cpu=64, memory="256Gi", cost=10), fp.Host("small-cheap", cpu=32, memory="128Gi", cost=1)]
    assert placed(place, w, h, objective="hosts").host_of("w0") == "big-pricey"
    plan = placed(place, w, h, objective="cost")
    assert {a.host for a in plan.assignments} == {"small-cheap"} and plan.cost == 1


def test_objective_spread_uses_the_fleet_evenly(place):
    w = [fp.Workload(f"w{i}", cpu=2, memory="4Gi") for i in range(6)]
    h = [fp.Host(f"h{j}", cpu=16, memory="64Gi") for j in range(3)]
    assert placed(place, w, h, objective="hosts").hosts_used == 1
    plan = placed(place, w, h, objective="spread")
    assert plan.hosts_used == 3
    assert plan.objective_value < placed(place, w, h, objective="hosts").objective_value


@pytest.mark.parametrize("method", ["ff", "ffd", "bfd", "wfd", "auto"])
def test_every_method_gives_valid_plans_with_every_rule_in_play(place, method):
    w = [
        fp.Workload("win", cpu=2, memory="4Gi", os="windows"),
        fp.Workload("ded", cpu=1, memory="2Gi", isolation="dedicated"),
        fp.Workload("iso", cpu=1, memory="1Gi", tenant="t1", isolation="tenant", form="container"),
        fp.Workload("t2", cpu=1, memory="1Gi", tenant="t2", form="container"),
        fp.Workload("r1", cpu=1, memory="1Gi", anti_affinity="r"),
        fp.Workload("r2", cpu=1, memory="1Gi", anti_affinity="r"),
        fp.Workload("gpu", cpu=1, memory="1Gi", extra={"gpu": 1}),
        fp.Workload("vm", cpu=3, memory="3Gi", form="vm"),
    ]
    h = [
        fp.Host("a", cpu=8, memory="16Gi", max_workloads=3),
        fp.Host("b", cpu=8, memory="16Gi", hypervisor="software"),
        fp.Host("c", cpu=8, memory="16Gi", extra={"gpu": 1}, hypervisor=None),
        fp.Host("d", cpu=16, memory="32Gi", cost=3),
    ]
    for objective in ("hosts", "cost", "spread"):
        plan = placed(place, w, h, method=method, objective=objective)
        # first fit in input order may spend the GPU host on another workload; the others place everything
        assert not plan.unplaced or method == "ff"
