"""A user's script, written and typed as a user of fleetpack would: tests/test_typing.py runs `mypy --strict` on
it, and runs it. It places a small fleet from objects, reads the plan, checks it with the verifier, and places a
batch of fleets given as numpy columns."""

from __future__ import annotations

import numpy as np

import fleetpack as fp


def small_fleet() -> tuple[list[fp.Workload], list[fp.Host]]:
    workloads = [
        fp.Workload("web-1", cpu=2, memory="4Gi", form="container", anti_affinity="web"),
        fp.Workload("web-2", cpu=2, memory="4Gi", form="container", anti_affinity="web"),
        fp.Workload("db", cpu=8, memory="32Gi", form="vm", isolation="dedicated"),
        fp.Workload("billing", cpu="500m", memory="1Gi", tenant="acme", isolation="tenant"),
        fp.Workload("legacy", cpu=4, memory="8Gi", os="windows", form="vm"),
    ]
    hosts = [fp.Host(f"h{k}", cpu=32, memory="128Gi", cost=1.0 + k / 10) for k in range(4)]
    return workloads, hosts


def summary(plan: fp.Plan) -> dict[str, str]:
    """Per placed workload, "host/form"; per unplaced workload, its reason's code."""
    placed = {a.workload: f"{a.host}/{a.form}" for a in plan.assignments}
    left_out = {workload: reason.code for workload, reason in plan.unplaced.items()}
    return placed | left_out


def place_objects() -> fp.Plan:
    workloads, hosts = small_fleet()
    plan = fp.place(workloads, hosts, objective="cost", method="ffd", overheads=fp.Overheads())
    host: str | None = plan.host_of("db")
    form: str | None = plan.form_of("db")
    assert host is not None and form == "vm"
    assert plan.placed == len(workloads) and plan.hosts_used >= 2
    gap: float = plan.gap
    assert gap >= 0 and plan.lower_bound <= plan.objective_value
    violations: list[fp.Violation] = fp.verify(workloads, hosts, plan)
    assert violations == [], violations
    round_trip = fp.Plan.from_json(plan.to_json())
    assert round_trip.host_of("db") == host
    return plan


def place_columns(fleets: int, n: int, seed: int = 0) -> list[fp.Plan]:
    """`fleets` fleets of `n` workloads each, as numpy columns, placed in one batch."""
    rng = np.random.default_rng(seed)
    problems = []
    for _ in range(fleets):
        workloads = {
            "cpu_millis": rng.integers(1, 17, n, dtype=np.uint64) * 250,
            "memory_bytes": rng.integers(1, 33, n, dtype=np.uint64) << np.uint64(29),
        }
        m = max(2, n // 8)
        hosts = {
            "cpu_millis": np.full(m, 32_000, dtype=np.uint64),
            "memory_bytes": np.full(m, 128 << 30, dtype=np.uint64),
        }
        problems.append((workloads, hosts))
    plans = fp.place_many(problems, method="bfd", workers=2)
    for plan in plans:
        assert plan.placed == n and not plan.unplaced
    # one fleet alone: the same columns go to place
    first = fp.place(*problems[0], method="bfd")
    assert first.hosts_used == plans[0].hosts_used
    hosts_of = np.asarray(first.host_index)
    assert (hosts_of >= 0).all()
    return plans


def buy_hosts() -> dict[str, int]:
    """Capacity planning, typed: the purchase, its bound and its check."""
    workloads = [fp.Workload(f"w{i}", cpu=2, memory="4Gi") for i in range(8)]
    types = [fp.HostType("small", cpu=8, memory="32Gi", cost=1.0), fp.HostType("big", cpu=32, memory="128Gi",
                                                                                cost=3.5, available=2)]
    purchase: fp.CapacityPlan = fp.plan_capacity(workloads, types, spare=1, max_types=1, time_limit=1.0)
    gap: float = purchase.gap
    assert gap >= 0 and purchase.lower_bound <= purchase.cost
    assert fp.verify_capacity(workloads, types, purchase) == []
    return dict(purchase.buy)


def main() -> None:
    plan = place_objects()
    for workload, where in sorted(summary(plan).items()):
        print(f"{workload:10} {where}")
    plans = place_columns(fleets=3, n=200)
    print("hosts used per fleet:", [p.hosts_used for p in plans])
    print("bought:", buy_hosts())


if __name__ == "__main__":
    main()
