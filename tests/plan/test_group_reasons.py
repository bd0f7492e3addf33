"""Unplaced reasons and explanations with hard group rules (issue 16): the rule that keeps a workload off each
host, in words, and the smallest change that names it."""

import pytest

import fleetpack as fp

pytest.importorskip("ortools")


def _zones():
    return [fp.Host(f"a{k}", cpu=8, memory="16Gi", labels={"zone": "a"}) for k in range(3)] + \
        [fp.Host("b0", cpu=8, memory="16Gi", labels={"zone": "b"})]


def test_anti_affinity_per_zone_in_the_reason_and_the_explanation():
    workloads = [fp.Workload(f"w{k}", cpu=1, memory="1Gi", groups=("pg",)) for k in range(5)]
    plan = fp.place(workloads, _zones(), rules=[fp.AntiAffinity("pg", scope="zone", max_per_domain=2)],
                    method="exact")
    (left, reason), = plan.unplaced.items()
    assert reason.code == "no_room"
    assert reason.message == ("no eligible host has room left: 3 hosts are in zone 'a', which already holds 2 "
                              "members of 'pg' (max 2 per zone), 1 host is in zone 'b', which already holds 2 "
                              "members of 'pg' (max 2 per zone); only 2 zones have a host that can take a member of "
                              "'pg' (max 2 per zone): at most 4 of its 5 members can be placed")
    why = plan.explain(left)
    assert [(g.rule, g.count, g.reason) for g in why.ruled_out] == [
        ("anti_affinity_domain", 3, "zone 'a' already holds 2 members of 'pg' (max 2 per zone)"),
        ("anti_affinity_domain", 1, "zone 'b' already holds 2 members of 'pg' (max 2 per zone)")]
    assert why.smallest_change.kind == "group_rule" and why.smallest_change.hosts == ("a0", "a1", "a2")


def test_affinity_names_the_domain_where_the_group_runs():
    hosts = [fp.Host("a0", cpu=8, memory="16Gi", labels={"rack": "r1"}),
             fp.Host("b0", cpu=8, memory="16Gi", labels={"rack": "r2"})]
    workloads = [fp.Workload(f"w{k}", cpu=3, memory="1Gi", groups=("db",)) for k in range(4)]
    plan = fp.place(workloads, hosts, rules=[fp.Affinity("db", scope="rack")], method="exact")
    assert plan.placed == 2
    rack = plan.problem.hosts[int(plan.host_index[plan.host_index >= 0][0])].labels["rack"]
    for reason in plan.unplaced.values():
        assert reason.message.startswith(f"affinity group 'db' runs in rack {rack!r}, whose hosts are full: ")
        assert "1 host lacks cpu" in reason.message
    why = plan.explain(next(iter(plan.unplaced)))
    assert ("affinity", f"affinity group 'db' runs in rack {rack!r}") in [(g.rule, g.reason) for g in why.ruled_out]
    assert why.smallest_change.kind != "none"


def test_spread_skew_in_the_explanation():
    hosts = [fp.Host("a0", cpu=2, memory="16Gi", labels={"zone": "a"}),
             fp.Host("a1", cpu=8, memory="16Gi", labels={"zone": "a"}),
             fp.Host("b0", cpu=8, memory="16Gi", labels={"zone": "b"})]
    workloads = [fp.Workload(f"w{k}", cpu=1, memory="1Gi", groups=("web",)) for k in range(2)]
    plan = fp.place(workloads, hosts, rules=[fp.Spread("web", "zone")], method="exact")
    assert fp.verify(workloads, hosts, plan) == []
    on_a = next(a.workload for a in plan.assignments if a.host.startswith("a"))
    why = plan.explain(on_a)
    # moved to zone b, it would leave a at 0 and b at 2: skew 2
    assert ("spread", "zone 'b' would then hold 2 members of 'web' against 0 in zone 'a' (max skew 1)") in \
        [(g.rule, g.reason) for g in why.ruled_out]
