"""The group rules' share of the bounds (issue 16): k members of a hard anti-affinity group at m per domain need
ceil(k/m) domains, so as many hosts. The core and the reference agree on the bound and its reason, and the bound
never exceeds an optimum CP-SAT proves on small random fleets with rules."""

import random

import pytest

import fleetpack as fp
from group_bound_checks import below_proven_optima, core_equals_reference


def _fleet(seed: int):
    rnd = random.Random(seed)
    hosts = [fp.Host(f"h{j}", cpu=rnd.choice([8, 16]), memory="32Gi", cost=rnd.choice([1, 2]),
                     labels={"zone": rnd.choice("abc"), "rack": f"r{j // 2}"} if rnd.random() < 0.8 else {})
             for j in range(rnd.randint(3, 7))]
    workloads = [fp.Workload(f"w{i}", cpu=rnd.choice([1, 2, 4]), memory="2Gi", groups=(rnd.choice("gh"),))
                 for i in range(rnd.randint(4, 10))]
    groups = sorted({g for w in workloads for g in w.groups})
    rules = [fp.AntiAffinity(rnd.choice(groups), scope=rnd.choice(["host", "zone", "rack"]),
                             max_per_domain=rnd.randint(1, 3)) for _ in range(rnd.randint(1, 2))]
    if rnd.random() < 0.4:
        rules.append(fp.Spread(rnd.choice(groups), "zone", weight=2))
    return workloads, hosts, rules


def test_the_reason_names_the_group_and_its_domains():
    hosts = [fp.Host(f"h{k}", cpu=64, memory="256Gi", labels={"zone": "abc"[k % 3]}) for k in range(9)]
    workloads = [fp.Workload(f"w{k}", cpu=1, memory="1Gi", groups=("db",)) for k in range(5)]
    plan = fp.place(workloads, hosts, rules=[fp.AntiAffinity("db", scope="zone", max_per_domain=2)], method="ffd")
    assert (plan.lower_bound, plan.bound_reason) == (3, "the 5 members of 'db' at most 2 per zone need 3 zones")
    per_host = fp.place(workloads, hosts, rules=[fp.AntiAffinity("db", max_per_domain=2)], method="ffd")
    assert per_host.bound_reason == "the 5 members of 'db' at most 2 per host need 3 hosts"


@pytest.mark.parametrize("seed", range(30))
def test_core_and_reference_agree(seed):
    core_equals_reference(*_fleet(seed))


@pytest.mark.parametrize("seed", range(30))
def test_the_bound_never_exceeds_a_proven_optimum(seed):
    below_proven_optima(*_fleet(seed), every_count=False)