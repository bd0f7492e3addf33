"""CP-SAT with group rules (issue 16): on small random fleets with zones, racks and rules, hard and soft, the exact
plan keeps every rule by the verifier's independent check, states the penalty the verifier recomputes, is proven
optimal, and is never worse than the heuristics' plan when that plan keeps the hard rules."""

import random

import pytest

import fleetpack as fp
from fleetpack.exact.grouprules import hard_rules_kept

pytest.importorskip("ortools")


def _fleet(seed: int):
    rnd = random.Random(seed)
    hosts = [fp.Host(f"h{j}", cpu=rnd.choice([4, 8]), memory="16Gi",
                     labels={"zone": rnd.choice("ab" if seed % 2 else "abc"), "rack": f"r{j // 2}"}
                     if rnd.random() < 0.9 else {})
             for j in range(rnd.randint(4, 7))]
    workloads = [fp.Workload(f"w{i}", cpu=rnd.choice([1, 2, 3]), memory="2Gi", groups=(rnd.choice("gh"),))
                 for i in range(rnd.randint(5, 9))]
    kinds = [lambda g, w: fp.AntiAffinity(g, scope=rnd.choice(["host", "zone", "rack"]),
                                          max_per_domain=rnd.randint(1, 3), weight=w),
             lambda g, w: fp.Affinity(g, scope=rnd.choice(["host", "rack", "zone"]), weight=w),
             lambda g, w: fp.Spread(g, rnd.choice(["zone", "rack"]), max_skew=rnd.randint(1, 2),
                                    min_domains=rnd.choice([None, 3]), weight=w)]
    groups = sorted({g for w in workloads for g in w.groups})
    rules = [rnd.choice(kinds)(rnd.choice(groups), rnd.choice([None, None, 1, 4])) for _ in range(rnd.randint(1, 3))]
    return workloads, hosts, rules


@pytest.mark.parametrize("seed", range(24))
def test_exact_plans_keep_the_rules_and_are_proven(seed):
    workloads, hosts, rules = _fleet(seed)
    exact = fp.place(workloads, hosts, rules=rules, method="exact", time_limit=20, seed=0)
    assert fp.verify(workloads, hosts, exact) == []
    assert fp.verify(workloads, hosts, exact.to_dict(), rules=rules) == []
    assert exact.strategy.endswith(":optimal")  # (small instances: CP-SAT proves them)
    heuristic = fp.place(workloads, hosts, rules=rules, method="ffd")
    problem = heuristic.problem.materialize()
    hosts_of = [None if j < 0 else int(j) for j in heuristic.host_index.tolist()]
    if hard_rules_kept(problem, hosts_of):
        assert (-exact.placed, exact.objective_value, exact.penalty) <= \
            (-heuristic.placed, heuristic.objective_value, heuristic.penalty)


def test_the_penalty_is_a_stage_after_the_objective():
    # two hosts in two zones, room for two workloads each: a soft spread wants one host per zone, the objective
    # one host; the objective wins, and among one-host plans none is better, so the penalty is the skew over 1
    hosts = [fp.Host("a", cpu=4, memory="16Gi", labels={"zone": "a"}),
             fp.Host("b", cpu=4, memory="16Gi", labels={"zone": "b"})]
    workloads = [fp.Workload(f"w{i}", cpu=1, memory="1Gi", groups=("g",)) for i in range(2)]
    plan = fp.place(workloads, hosts, rules=[fp.Spread("g", "zone", weight=3)], method="exact")
    assert (plan.hosts_used, plan.penalty, plan.proven_optimal) == (1, 3, True)
    hard = fp.place(workloads, hosts, rules=[fp.Spread("g", "zone", max_skew=1)], method="exact")
    assert (hard.hosts_used, hard.penalty) == (2, 0)


def test_a_hard_rule_leaves_members_out_when_it_must():
    hosts = [fp.Host(f"h{j}", cpu=8, memory="16Gi", labels={"zone": "ab"[j % 2]}) for j in range(4)]
    workloads = [fp.Workload(f"w{i}", cpu=1, memory="1Gi", groups=("g",)) for i in range(5)]
    plan = fp.place(workloads, hosts, rules=[fp.AntiAffinity("g", scope="zone", max_per_domain=2)], method="exact")
    assert plan.placed == 4 and fp.verify(workloads, hosts, plan) == []


def test_a_live_fleet_repairs_a_broken_rule_with_the_cheapest_moves():
    # four members run in zone a now; at most 2 per zone: two must move, and the cheapest two do
    hosts = [fp.Host(f"h{k}", cpu=8, memory="16Gi", labels={"zone": "ab"[k % 2]}) for k in range(4)]
    workloads = [fp.Workload(f"w{k}", cpu=1, memory="1Gi", groups=("db",), current="h0", move_cost=k + 1)
                 for k in range(4)]
    rules = [fp.AntiAffinity("db", scope="zone", max_per_domain=2), fp.Spread("db", "zone", weight=1)]
    for method in ("exact", "auto"):
        plan = fp.place(workloads, hosts, rules=rules, method=method)
        assert fp.verify(workloads, hosts, plan) == []
        assert (plan.placed, plan.hosts_used, plan.penalty, plan.move_cost) == (4, 2, 0, 3)
        assert plan.proven_optimal


@pytest.mark.parametrize("objective", ["cost", "spread"])
@pytest.mark.parametrize("seed", range(8))
def test_every_objective_keeps_the_rules(seed, objective):
    workloads, hosts, rules = _fleet(seed)
    plan = fp.place(workloads, hosts, rules=rules, method="exact", objective=objective, time_limit=20)
    assert fp.verify(workloads, hosts, plan) == []
    assert plan.strategy.endswith(":optimal")
