"""Hard affinity's share of the bounds (issue 16): the placed members of a host-scoped group share a host, so the
bin-packing bounds take them as one workload of their summed demand; those of a label-scoped group share a domain,
whose hosts must cover them. The core and the reference agree on the bound and its reason, and the bound never
exceeds an optimum CP-SAT proves on small random fleets with these rules."""

import random

import pytest

import fleetpack as fp
from fleetpack import _core
from fleetpack.model.inputs import build_problem
from fleetpack.plan.plan import _rule_words
from fleetpack.reference.bounds import lower_bound_explained
from group_bound_checks import below_proven_optima, core_equals_reference


def _fleet(seed: int):
    rnd = random.Random(seed)
    hosts = [fp.Host(f"h{j}", cpu=rnd.choice([8, 16]), memory=rnd.choice(["32Gi", "64Gi"]), cost=rnd.choice([1, 2, 3]),
                     labels={"zone": rnd.choice("abc")} if rnd.random() < 0.8 else {},
                     max_workloads=rnd.choice([None, None, 3]))
             for j in range(rnd.randint(3, 6))]
    workloads = [fp.Workload(f"w{i}", cpu=rnd.choice([1, 2, 4, 6]), memory=rnd.choice(["4Gi", "8Gi", "20Gi"]),
                             groups=tuple(rnd.sample("gh", rnd.randint(0, 2))))
                 for i in range(rnd.randint(4, 9))]
    groups = sorted({g for w in workloads for g in w.groups}) or ["g"]
    if not any(w.groups for w in workloads):
        workloads[0] = fp.Workload("w0", cpu=2, memory="4Gi", groups=("g",))
    rules = [fp.Affinity(groups[0], scope=rnd.choice(["host", "host", "zone"]))]
    if rnd.random() < 0.5:
        rules.append(rnd.choice([fp.Affinity(groups[-1], scope="zone"),
                                 fp.AntiAffinity(groups[-1], scope="zone", max_per_domain=rnd.randint(1, 2))]))
    return workloads, hosts, rules


def test_members_that_share_a_host_are_one_workload_for_the_bound():
    # 3 hosts of 16 cores; the 4 members of 'db' (4 cores each) must share one, 4 others of 10 cores each need one
    # of their own: 5 hosts, where the cores alone say 3
    hosts = [fp.Host(f"h{k}", cpu=16, memory="64Gi") for k in range(6)]
    db = [fp.Workload(f"db{k}", cpu=4, memory="1Gi", groups=("db",)) for k in range(4)]
    big = [fp.Workload(f"big{k}", cpu=10, memory="1Gi") for k in range(4)]
    plan = fp.place(db + big, hosts, rules=[fp.Affinity("db")], overheads=fp.Overheads.none())
    assert plan.placed == 8 and plan.hosts_used == 5
    assert plan.lower_bound == 5 and plan.proven_optimal
    assert plan.bound_reason == "the 4 members of 'db' must share a host: at least 5 hosts by cpu with them as one workload"
    without = fp.place(db + big, hosts, overheads=fp.Overheads.none())
    assert without.lower_bound == 4  # (L2 without the rule: 4 large ones each alone)


def test_members_that_share_a_zone_need_that_zone_to_hold_them():
    # zone a's one host of 32 GiB cannot hold the 4 members of 10 GiB: zone b's hosts of 16 GiB must, 3 of them at
    # least (its 4, one member each, in fact), where the memory of the roomiest hosts says 2
    hosts = ([fp.Host("a0", cpu=8, memory="32Gi", labels={"zone": "a"})]
             + [fp.Host(f"b{k}", cpu=8, memory="16Gi", labels={"zone": "b"}) for k in range(4)])
    db = [fp.Workload(f"db{k}", cpu=1, memory="10Gi", groups=("db",)) for k in range(4)]
    problem = build_problem(db, hosts, fp.Overheads.none(), rules=[fp.Affinity("db", scope="zone")]).materialize()
    bound, why = lower_bound_explained(problem, "hosts", 4)
    assert (bound, _rule_words(why, problem)) == (3, "the 4 members of 'db' must share a zone: at least 3 hosts "
                                                     "there by memory")
    assert _core.lower_bound(problem.encode(), "hosts", 4) == 3
    plain = build_problem(db, hosts, fp.Overheads.none()).materialize()
    assert _core.lower_bound(plain.encode(), "hosts", 4) == 2


@pytest.mark.parametrize("seed", range(40))
def test_core_and_reference_agree(seed):
    core_equals_reference(*_fleet(seed))


@pytest.mark.parametrize("seed", range(40))
def test_the_bound_never_exceeds_a_proven_optimum(seed):
    below_proven_optima(*_fleet(seed), every_count=True)