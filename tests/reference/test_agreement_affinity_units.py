"""A hard affinity group placed as one unit by the greenfield heuristics (docs/model.md, "How the heuristics keep
them"): the core and the pure-Python reference agree assignment for assignment on fleets where affinity decides,
and a group goes whole to a domain that holds it instead of losing members to the first member's domain."""

from collections import Counter

from hypothesis import given, settings, strategies as st

import fleetpack as fp
import fleetpack.baseline
from fleetpack.exact import heuristics_only

from strategies import rule_fleets
from test_agreement_group_rules import broken_hard_rules

HEURISTICS = ["ff", "ffd", "bfd", "wfd"]


def _fleet(hosts_in_b: int):
    # zone a: one host of 8 cpu (the largest, opened first); zone b: hosts of 6 cpu; six members of 2 cpu
    hs = [fp.Host("a0", cpu=8, memory="16Gi", labels={"zone": "a"})]
    hs += [fp.Host(f"b{j}", cpu=6, memory="16Gi", labels={"zone": "b"}) for j in range(hosts_in_b)]
    ws = [fp.Workload(f"web{k}", cpu=2, memory="1Gi", groups=("web",)) for k in range(6)]
    return ws, hs, [fp.Affinity("web", scope="zone")]


def _zones_used(plan, hs):
    zone = {h.id: h.labels["zone"] for h in hs}
    return Counter(zone[a.host] for a in plan.assignments)


def test_an_affinity_group_goes_whole_to_a_zone_that_holds_it():
    ws, hs, rules = _fleet(hosts_in_b=3)
    for method in HEURISTICS:
        plan = fp.place(ws, hs, method=method, rules=rules, overheads=fp.Overheads.none())
        # zone a's host holds four of the six: the unit is tried again in zone b, which holds them all
        assert plan.placed == 6 and _zones_used(plan, hs) == {"b": 6}, method
        reference = fleetpack.baseline.place(ws, hs, method=method, rules=rules, overheads=fp.Overheads.none())
        assert reference.assignments == plan.assignments, method


def test_when_no_zone_holds_the_group_the_try_that_placed_most_is_kept():
    ws, hs, rules = _fleet(hosts_in_b=1)
    for method in HEURISTICS:
        plan = fp.place(ws, hs, method=method, rules=rules, overheads=fp.Overheads.none())
        # zone a holds four, zone b three: the first try's four, and the rule kept
        assert plan.placed == 4 and _zones_used(plan, hs) == {"a": 4}, method
        reference = fleetpack.baseline.place(ws, hs, method=method, rules=rules, overheads=fp.Overheads.none())
        assert reference.assignments == plan.assignments, method


@settings(max_examples=150, deadline=None)
@given(rule_fleets(max_workloads=24, soft=False), st.sampled_from(HEURISTICS),
       st.sampled_from(["sum", "max"]), st.sampled_from(["hosts", "cost", "spread"]), st.data())
def test_core_equals_reference_when_affinity_decides(fleet, method, sort_key, objective, data):
    # every named group under a hard affinity (zone or rack), beside the fleet's own rules
    ws, hs, over, rules = fleet
    named = sorted({g for w in ws for g in w.groups})
    rules = [*rules, *(fp.Affinity(g, scope=data.draw(st.sampled_from(["zone", "rack"]))) for g in named
                       if not any(isinstance(r, fp.Affinity) and r.group == g for r in rules))]
    kwargs = {"method": method, "sort_key": sort_key, "objective": objective, "overheads": over, "rules": rules}
    with heuristics_only():
        core = fp.place(ws, hs, **kwargs)
    reference = fleetpack.baseline.place(ws, hs, **kwargs)
    assert core.assignments == reference.assignments
    assert broken_hard_rules(ws, hs, core, rules) == []
