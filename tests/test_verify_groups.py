"""The verifier's group rules (issue 16): hand-made plans that break each rule, one that keeps it, soft rules'
penalty, and the rules keyword's bad inputs."""

import pytest

import fleetpack as fp
from fleetpack.errors import ValidationError


def _hosts():
    # zone a: a1, a2; zone b: b1; c0 has no zone label
    return [fp.Host("a1", cpu=8, memory="16Gi", labels={"zone": "a", "rack": "r1"}),
            fp.Host("a2", cpu=8, memory="16Gi", labels={"zone": "a", "rack": "r2"}),
            fp.Host("b1", cpu=8, memory="16Gi", labels={"zone": "b", "rack": "r3"}),
            fp.Host("c0", cpu=8, memory="16Gi")]


def _workloads(n=3, group="db"):
    return [fp.Workload(f"w{k}", cpu=1, memory="1Gi", groups=(group,)) for k in range(n)]


def _plan(*hosts):
    return {f"w{k}": (h, "container") for k, h in enumerate(hosts)}


def _codes(violations):
    return [v.rule for v in violations]


def test_anti_affinity_per_zone():
    rule = fp.AntiAffinity("db", scope="zone", max_per_domain=1)
    ws, hs = _workloads(), _hosts()
    assert fp.verify(ws, hs, _plan("a1", "b1", "c0"), rules=[rule]) == []
    bad = fp.verify(ws, hs, _plan("a1", "a2", "b1"), rules=[rule])
    assert _codes(bad) == ["anti_affinity_domain"]
    assert "zone 'a' holds 2 members of group 'db' ('w0', 'w1'), at most 1 per zone" in bad[0].message


def test_anti_affinity_hosts_without_the_label_are_domains_of_their_own():
    ws, hs = _workloads(2), _hosts()
    assert fp.verify(ws, hs, _plan("c0", "c0"), rules=[fp.AntiAffinity("db", scope="zone")])[0].host == "c0"
    hs.append(fp.Host("c1", cpu=8, memory="16Gi"))
    assert fp.verify(ws, hs, _plan("c0", "c1"), rules=[fp.AntiAffinity("db", scope="zone")]) == []


def test_anti_affinity_counts_the_shorthand_members():
    ws = [fp.Workload("w0", cpu=1, memory="1Gi", anti_affinity="pg"),
          fp.Workload("w1", cpu=1, memory="1Gi", groups=("pg",))]
    bad = fp.verify(ws, _hosts(), _plan("a1", "a2"), rules=[fp.AntiAffinity("pg", scope="zone")])
    assert _codes(bad) == ["anti_affinity_domain"]


def test_affinity():
    rule = fp.Affinity("db", scope="rack")
    ws, hs = _workloads(), _hosts()
    assert fp.verify(ws, hs, _plan("a1", "a1", "a1"), rules=[rule]) == []
    bad = fp.verify(ws, hs, _plan("a1", "a2", "a1"), rules=[rule])
    assert _codes(bad) == ["affinity"]
    assert "must share one rack but run in 2" in bad[0].message
    # unplaced members do not break it
    assert fp.verify(ws, hs, {"w0": ("b1", "container"), "w1": None, "w2": None}, rules=[rule]) == []


def test_spread_counts_empty_eligible_domains():
    rule = fp.Spread("db", "zone", max_skew=1)
    ws, hs = _workloads(), _hosts()
    assert fp.verify(ws, hs, _plan("a1", "a2", "b1"), rules=[rule]) == []
    bad = fp.verify(ws, hs, _plan("a1", "a2", "a1"), rules=[rule])  # a: 3, b: 0
    assert _codes(bad) == ["spread"]
    assert "skew 3, at most 1" in bad[0].message


def test_spread_leaves_out_domains_no_member_may_use():
    hs = _hosts()
    hs[2] = fp.Host("b1", cpu=8, memory="16Gi", labels={"zone": "b"}, taints=("gpu",))
    ws = _workloads(2)
    # zone b's only host is tainted: not an eligible domain, so 2 in zone a and none in b is no skew
    assert fp.verify(ws, hs, _plan("a1", "a2"), rules=[fp.Spread("db", "zone")]) == []


def test_spread_min_domains_counts_the_fewest_as_zero():
    ws, hs = _workloads(2), _hosts()
    plan = _plan("a1", "b1")
    assert fp.verify(ws, hs, plan, rules=[fp.Spread("db", "zone")]) == []
    bad = fp.verify(ws, hs, _plan("a1", "a2"), rules=[fp.Spread("db", "zone", max_skew=1, min_domains=3)])
    assert _codes(bad) == ["spread"]  # 2 - 0 (only 2 eligible zones, fewer than 3)
    assert fp.verify(ws, hs, plan, rules=[fp.Spread("db", "zone", max_skew=1, min_domains=3)]) == []


def test_hard_spread_member_on_a_host_without_the_label():
    ws, hs = _workloads(1), _hosts()
    bad = fp.verify(ws, hs, _plan("c0"), rules=[fp.Spread("db", "zone")])
    assert _codes(bad) == ["spread"] and bad[0].workload == "w0"
    assert fp.verify(ws, hs, _plan("c0"), rules=[fp.Spread("db", "zone", weight=3)]) == []


def test_soft_rules_are_not_violations_but_the_stated_penalty_must_match():
    ws, hs = _workloads(), _hosts()
    rules = [fp.AntiAffinity("db", scope="zone", weight=5), fp.Affinity("db", scope="host", weight=2)]
    placement = _plan("a1", "a2", "b1")  # zone a: 1 over (5); three hosts: 2 outside the largest (4)
    assert fp.verify(ws, hs, placement, rules=rules) == []  # a plain mapping states no penalty
    as_dict = {"assignments": [{"workload": w, "host": h, "form": f} for w, (h, f) in placement.items()],
               "unplaced": {}, "penalty": 9}
    assert fp.verify(ws, hs, as_dict, rules=rules) == []
    bad = fp.verify(ws, hs, {**as_dict, "penalty": 4}, rules=rules)
    assert _codes(bad) == ["penalty"]
    assert "states a penalty of 4" in bad[0].message and "cost 9" in bad[0].message


def test_rules_keyword_bad_inputs_all_at_once():
    ws, hs = _workloads(), _hosts()
    with pytest.raises(ValidationError) as info:
        fp.verify(ws, hs, _plan("a1", "a2", "b1"), rules=[fp.Spread("nobody", "zone"), {"kind": "near"}])
    fields = [(e.where, e.field) for e in info.value.errors]
    assert fields == [("rules[0] (Spread('nobody', key='zone'))", "group"), ("rules[1]", "kind")]
    with pytest.raises(ValidationError, match="expected a list of rules"):
        fp.verify(ws, hs, _plan("a1", "a2", "b1"), rules=fp.Spread("db", "zone"))
