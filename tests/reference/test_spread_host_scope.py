"""`Spread(group, "host")`: each host a domain of its own (Kubernetes' ``topologyKey: kubernetes.io/hostname``).
It once made the core panic (its eligible domains were read from a label row that a host scope does not have)."""

import random

import pytest

import fleetpack as fp
from fleetpack import baseline


def _fleet(seed: int):
    rng = random.Random(seed)
    hosts = [fp.Host(f"h{i}", cpu=rng.choice([4, 8]), memory="16Gi", labels={"zone": "ab"[i % 2]},
                     os=rng.choice(["linux", "linux", "windows"])) for i in range(rng.randint(2, 6))]
    workloads = [fp.Workload(f"w{i}", cpu=rng.randint(1, 3), memory="2Gi", groups=("pg",) if i % 3 else ("q",))
                 for i in range(rng.randint(3, 12))]
    return rng, workloads, hosts


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("weight", [None, 3])
def test_a_host_scoped_spread_is_kept_and_the_core_equals_the_reference(seed, weight):
    rng, workloads, hosts = _fleet(seed)
    rules = [fp.Spread("pg", "host", max_skew=rng.choice([1, 2]), min_domains=rng.choice([None, 3]), weight=weight),
             fp.AntiAffinity("q", "host", 2)]
    for method in ("ff", "ffd", "bfd", "wfd"):
        plan = fp.place(workloads, hosts, rules=rules, method=method)
        assert fp.verify(workloads, hosts, plan, rules=rules) == []
        assert list(baseline.place(workloads, hosts, rules=rules, method=method).host_index) == list(plan.host_index)
    for method in ("auto", "exact"):
        plan = fp.place(workloads, hosts, rules=rules, method=method, time_limit=5)
        assert fp.verify(workloads, hosts, plan, rules=rules) == []


def test_a_hard_host_spread_counts_every_eligible_host():
    # three hosts of pool x and one of pool y: the members (pool x only) may run on three, so with max_skew 1 the
    # first three go one to a host and a fourth joins one of them; the fourth host is no domain of theirs
    hosts = [fp.Host(f"h{i}", cpu=16, memory="32Gi", labels={"pool": "x"}) for i in range(3)]
    hosts.append(fp.Host("other", cpu=16, memory="32Gi", labels={"pool": "y"}))
    workloads = [fp.Workload(f"w{i}", cpu=1, memory="1Gi", groups=("pg",), selector={"pool": "x"}) for i in range(4)]
    rules = [fp.Spread("pg", "host")]
    plan = fp.place(workloads, hosts, rules=rules, method="ffd")
    assert not plan.unplaced
    assert sorted(list(plan.host_index).count(j) for j in range(3)) == [1, 1, 2]
    assert fp.verify(workloads, hosts, plan, rules=rules) == []
    # one host too many for the skew is found by the verifier
    crowded = {"w0": ("h0", "container"), "w1": ("h0", "container"), "w2": ("h1", "container"),
               "w3": ("h1", "container")}
    assert [v.rule for v in fp.verify(workloads, hosts, crowded, rules=rules)] == ["spread"]
