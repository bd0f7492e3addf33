"""The group rules' bound on the count placed (issue 16, `fleetpack.plan.group_counts`): a hard anti-affinity with
fewer domains than its members need, a hard spread with fewer eligible domains than ``min_domains`` and a hard
affinity whose members no domain holds all cap how many members any plan places. The cap is never below what
CP-SAT places (most placed first) on small random fleets, and a member it keeps out says so, in its reason and in
`explain`."""

import random

import pytest

import fleetpack as fp
from fleetpack.plan.group_counts import group_caps


def _fleet(seed: int):
    rnd = random.Random(seed)
    hosts = [fp.Host(f"h{j}", cpu=rnd.choice([4, 8]), memory=rnd.choice(["16Gi", "32Gi"]),
                     labels={"zone": rnd.choice("ab")} if rnd.random() < 0.85 else {},
                     taints=("gpu",) if rnd.random() < 0.2 else (), max_workloads=rnd.choice([None, 2]))
             for j in range(rnd.randint(2, 5))]
    workloads = [fp.Workload(f"w{i}", cpu=rnd.choice([1, 2, 3]), memory=rnd.choice(["2Gi", "6Gi", "12Gi"]),
                             groups=("g",) if i % 3 else ("g", "h"),
                             selector={"zone": "a"} if rnd.random() < 0.15 else None)
                 for i in range(rnd.randint(3, 8))]
    rule = rnd.choice([
        fp.AntiAffinity("g", scope=rnd.choice(["zone", "host"]), max_per_domain=rnd.randint(1, 2)),
        fp.Affinity("g", scope=rnd.choice(["host", "zone"])),
        fp.Spread("g", "zone", max_skew=rnd.randint(1, 2), min_domains=rnd.randint(2, 4)),
    ])
    rules = [rule] + ([fp.AntiAffinity("h", scope="zone")] if rnd.random() < 0.3 else [])
    return workloads, hosts, rules


def _placed_members(plan, problem, r):
    return sum(plan.host_of(problem.workloads[i].id) is not None for i in problem.rules.members_of(r).tolist())


@pytest.mark.parametrize("seed", range(60))
def test_the_cap_is_never_below_what_the_exact_solver_places(seed):
    pytest.importorskip("ortools")
    workloads, hosts, rules = _fleet(seed)
    exact = fp.place(workloads, hosts, rules=rules, method="exact", time_limit=20)
    assert fp.verify(workloads, hosts, exact) == []
    problem = exact.problem.materialize()
    caps = group_caps(problem)
    for r, cap in caps.items():
        assert _placed_members(exact, problem, r) <= cap.most, (cap, exact.assignments)
        assert cap.most < cap.members
    for method in ("ffd", "auto"):
        plan = fp.place(workloads, hosts, rules=rules, method=method)
        for r, cap in caps.items():
            assert _placed_members(plan, problem, r) <= cap.most


def test_fewer_zones_than_anti_affinity_needs():
    hosts = [fp.Host(f"h{k}", cpu=16, memory="64Gi", labels={"zone": "ab"[k % 2]}) for k in range(6)]
    pg = [fp.Workload(f"pg{k}", cpu=1, memory="1Gi", groups=("pg",)) for k in range(3)]
    plan = fp.place(pg, hosts, rules=[fp.AntiAffinity("pg", scope="zone")])
    assert plan.placed == 2
    (left,) = plan.unplaced
    message = plan.unplaced[left].message
    assert message.endswith("; only 2 zones have a host that can take a member of 'pg' (max 1 per zone): at most 2 "
                            "of its 3 members can be placed")
    assert plan.unplaced[left].code == "no_room"
    assert message in str(plan.explain(left))


def test_fewer_zones_than_min_domains():
    hosts = [fp.Host(f"h{k}", cpu=16, memory="64Gi", labels={"zone": "ab"[k % 2]}) for k in range(4)]
    web = [fp.Workload(f"web{k}", cpu=1, memory="1Gi", groups=("web",)) for k in range(5)]
    plan = fp.place(web, hosts, rules=[fp.Spread("web", "zone", min_domains=3)])
    assert plan.placed == 2
    message = plan.unplaced[next(iter(plan.unplaced))].message
    assert message.endswith("; only 2 zones have a host that can take a member of 'web', fewer than its min_domains "
                            "3, so each holds at most 1 (max skew 1): at most 2 of its 5 members can be placed")


def test_members_that_must_share_a_host_no_host_holds():
    hosts = [fp.Host(f"h{k}", cpu=16, memory="64Gi") for k in range(3)]
    db = [fp.Workload(f"db{k}", cpu=2, memory="24Gi", groups=("db",)) for k in range(4)]
    plan = fp.place(db, hosts, rules=[fp.Affinity("db")], overheads=fp.Overheads.none())
    assert plan.placed == 2
    message = plan.unplaced[next(iter(plan.unplaced))].message
    assert message.endswith("; the 4 members of 'db' must share a host: 96Gi memory, more than any host has: at "
                            "most 2 of them can be placed")


def test_no_cap_without_a_shortage():
    hosts = [fp.Host(f"h{k}", cpu=16, memory="64Gi", labels={"zone": "abc"[k % 3]}) for k in range(6)]
    pg = [fp.Workload(f"pg{k}", cpu=1, memory="1Gi", groups=("pg",)) for k in range(3)]
    plan = fp.place(pg, hosts, rules=[fp.AntiAffinity("pg", scope="zone"), fp.Spread("pg", "zone", min_domains=3)])
    assert plan.placed == 3 and group_caps(plan.problem.materialize()) == {}
