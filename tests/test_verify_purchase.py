"""`fp.verify` checks a purchase as the capacity issue names it (issue 17): a `CapacityPlan` or its ``to_dict()``
goes to `fp.verify_capacity`, a placement to the placement verifier; keywords of the other kind are refused."""

import json

import pytest

import fleetpack as fp


@pytest.fixture(scope="module")
def bought():
    workloads = [fp.Workload(f"w{i}", cpu=2, memory="4Gi", anti_affinity="g") for i in range(4)]
    types = [fp.HostType("small", cpu=4, memory="8Gi", cost=1.0), fp.HostType("big", cpu=16, memory="32Gi",
                                                                                  cost=3.0)]
    existing = [fp.Host("old", cpu=4, memory="8Gi")]
    return workloads, types, existing, fp.plan_capacity(workloads, types, existing)


def test_a_valid_purchase_and_its_dict_verify(bought):
    workloads, types, existing, purchase = bought
    assert fp.verify(workloads, types, purchase, existing=existing) == []
    assert fp.verify(workloads, types, json.loads(json.dumps(purchase.to_dict())), existing=existing) == []
    assert fp.verify(workloads, types, purchase, existing=existing) == fp.verify_capacity(workloads, types, purchase,
                                                                                           existing)


def test_a_forged_purchase_is_caught(bought):
    workloads, types, existing, purchase = bought
    forged = purchase.to_dict()
    forged["cost"] = forged["cost"] - 1
    found = fp.verify(workloads, types, forged, existing=existing)
    assert found and found == fp.verify_capacity(workloads, types, forged, existing)
    tighter = fp.verify(workloads, types, purchase, existing=existing, max_types=0)
    assert any(v.rule == "max_types" for v in tighter), tighter


def test_a_placement_is_checked_as_before_and_purchase_keywords_are_refused(bought):
    workloads, types, existing, purchase = bought
    plan = purchase.plan
    assert fp.verify(workloads, list(purchase.hosts), plan) == []
    with pytest.raises(fp.ValidationError) as info:
        fp.verify(workloads, list(purchase.hosts), plan, spare=1, existing=existing)
    assert {e.field for e in info.value.errors} == {"spare", "existing"}
    with pytest.raises(fp.ValidationError) as info:
        fp.verify(workloads, types, purchase, existing=existing, drain=["old"])
    assert info.value.errors[0].field == "drain"


def test_a_workload_named_buy_is_still_a_placement():
    workloads = [fp.Workload("buy", cpu=1, memory="1Gi")]
    hosts = [fp.Host("h", cpu=2, memory="2Gi")]
    assert fp.verify(workloads, hosts, {"buy": ("h", "container")}) == []
    assert [v.rule for v in fp.verify(workloads, hosts, {"buy": ("ghost", "container")})] == ["unknown_host"]
