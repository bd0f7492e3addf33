"""A user script that uses fleetpack with its types: `mypy --strict` passes on it (tests/test_typing.py)."""

import fleetpack as fp

workloads = [fp.Workload("web", cpu=2, memory="4Gi", form="vm", isolation="tenant")]
hosts = [fp.Host("h1", cpu=16, memory="64Gi", hypervisor="paravirtual")]
plan: fp.Plan = fp.place(workloads, hosts, objective="cost", method="ffd", sort_key="max",
                         overheads=fp.Overheads(vm_cpu_factor={"software": 1.2}))
plans: list[fp.Plan] = fp.place_many([(workloads, hosts)], method="auto")
host: str | None = plan.host_of("web")
print(host, plans[0].hosts_used)
