"""Group rules (issue 16, second slice) in the core and the pure-Python reference: the same plans (assignments,
strategy, value, penalty) on random fleets with zones, racks, groups and rules; every plan keeps the hard rules (an
independent check written here from docs/model.md "Group rules"); soft rules never keep a heuristic from placing;
and the contract's own small cases."""

from collections import Counter

from hypothesis import given, settings, strategies as st

import fleetpack as fp
import fleetpack.baseline
from fleetpack.exact import heuristics_only

from strategies import live_fleets, rule_fleets

METHODS = ["ff", "ffd", "bfd", "wfd", "auto"]


def _members(ws, rule):
    return [w for w in ws if rule.group in w.groups or w.anti_affinity == rule.group]


def _statically_fits(w, h) -> bool:
    # the fleets here have no selectors or taints: the form, OS and hypervisor decide
    container = w.form in ("any", "container") and h.containers and h.os == w.os
    vm = w.form in ("any", "vm") and h.hypervisor is not None
    return container or vm


def excess(ws, hs, plan, rule) -> int:
    """A rule's excess in a plan, stated on its own from the docs: members over the cap summed over domains;
    placed members outside the domain holding most; skew over max_skew over the eligible domains (a member on a
    host without the spread key's label: excess 1 each, which a hard rule forbids)."""
    where = {a.workload: a.host for a in plan.assignments}
    by_id = {h.id: h for h in hs}
    spread = isinstance(rule, fp.Spread)

    def domain(host):
        if rule.scope == "host":
            return ("host", host)
        value = by_id[host].labels.get(rule.key)
        return ("label", value) if value is not None else (None if spread else ("host", host))

    members = _members(ws, rule)
    counts = Counter(domain(where[w.id]) for w in members if w.id in where)
    if isinstance(rule, fp.AntiAffinity):
        return sum(max(0, c - rule.max_per_domain) for c in counts.values())
    if isinstance(rule, fp.Affinity):
        return sum(counts.values()) - max(counts.values(), default=0)
    outside = counts.pop(None, 0)
    eligible = {("label", h.labels[rule.key]) for h in hs if rule.key in h.labels
                and any(_statically_fits(w, h) for w in members)}
    if not eligible:  # (a soft rule counts such members nowhere; a hard one forbids them)
        return outside if rule.weight is None else 0
    per = [counts.get(d, 0) for d in eligible]
    least = 0 if len(eligible) < (rule.min_domains or 0) else min(per)
    return max(0, max(per) - least - rule.max_skew) + (outside if rule.weight is None else 0)


def broken_hard_rules(ws, hs, plan, rules):
    return [rule for rule in rules if rule.weight is None and excess(ws, hs, plan, rule) > 0]


@settings(max_examples=200, deadline=None)
@given(rule_fleets(), st.sampled_from(METHODS), st.sampled_from(["sum", "max", "l2", "prod"]),
       st.sampled_from(["hosts", "cost", "spread"]))
def test_core_equals_reference_with_group_rules(fleet, method, sort_key, objective):
    ws, hs, over, rules = fleet
    kwargs = {"method": method, "sort_key": sort_key, "objective": objective, "overheads": over, "rules": rules}
    with heuristics_only():  # "auto" as its heuristic portfolio, as the reference runs it
        core = fp.place(ws, hs, **kwargs)
    reference = fleetpack.baseline.place(ws, hs, **kwargs)
    assert core.assignments == reference.assignments
    assert core.strategy == reference.strategy
    assert core.objective_value == reference.objective_value
    assert core.penalty == reference.penalty
    assert broken_hard_rules(ws, hs, core, rules) == []
    expected = sum((rule.weight or 0) * excess(ws, hs, core, rule) for rule in rules)
    assert core.penalty == expected
    assert [(v.rule, v.excess) for v in core.soft_violations] == [
        (r.describe(), excess(ws, hs, core, r)) for r in rules if r.weight and excess(ws, hs, core, r)]


@settings(max_examples=80, deadline=None)
@given(rule_fleets(max_workloads=24), st.sampled_from(["hosts", "cost", "spread"]))
def test_auto_plans_keep_every_hard_rule(fleet, objective):
    ws, hs, over, rules = fleet
    plan = fp.place(ws, hs, objective=objective, overheads=over, rules=rules)
    assert broken_hard_rules(ws, hs, plan, rules) == []


@settings(max_examples=80, deadline=None)
@given(rule_fleets(soft=True), st.sampled_from(METHODS[:4]), st.sampled_from(["hosts", "cost", "spread"]))
def test_soft_rules_never_keep_a_heuristic_from_placing(fleet, method, objective):
    # soft rules never stop a placement: the heuristics' plans are those without the rules
    ws, hs, over, rules = fleet
    with_soft = fp.place(ws, hs, method=method, objective=objective, overheads=over, rules=rules)
    without = fp.place(ws, hs, method=method, objective=objective, overheads=over)
    assert with_soft.assignments == without.assignments


@settings(max_examples=60, deadline=None)
@given(rule_fleets(soft=True), st.sampled_from(["hosts", "cost"]))
def test_soft_rules_never_make_auto_place_fewer(fleet, objective):
    # (the exact stage aside: it does not read group rules yet, and skips problems with them)
    ws, hs, over, rules = fleet
    with heuristics_only():
        with_soft = fp.place(ws, hs, objective=objective, overheads=over, rules=rules)
        without = fp.place(ws, hs, objective=objective, overheads=over)
    assert with_soft.placed >= without.placed


def _zones(n=6, zones="abc", cpu=4):
    return [fp.Host(f"h{j}", cpu=cpu, memory="16Gi", labels={"zone": zones[j % len(zones)], "rack": f"r{j}"})
            for j in range(n)]


def _group(n, group="web", cpu=1):
    return [fp.Workload(f"{group}{i}", cpu=cpu, memory="1Gi", groups=[group]) for i in range(n)]


def _zone_counts(plan, hs):
    zone = {h.id: h.labels["zone"] for h in hs}
    return Counter(zone[a.host] for a in plan.assignments)


def test_zone_anti_affinity_puts_at_most_the_cap_in_each_zone():
    hs, ws = _zones(), _group(5)
    for method in METHODS:
        for place in (fp.place, fleetpack.baseline.place):
            plan = place(ws, hs, method=method, rules=[fp.AntiAffinity("web", scope="zone", max_per_domain=1)])
            assert plan.placed == 3 and max(_zone_counts(plan, hs).values()) == 1, method
            assert {u.code for u in plan.unplaced.values()} and plan.penalty == 0


def test_affinity_keeps_members_in_the_first_members_zone():
    hs, ws = _zones(), _group(6, cpu=2)
    kwargs = {"method": "ffd", "rules": [fp.Affinity("web", scope="zone")], "overheads": fp.Overheads.none()}
    plan = fp.place(ws, hs, **kwargs)
    # zone a has two hosts of 4 cpu: four members of 2 cpu, the other two left out
    assert plan.placed == 4 and set(_zone_counts(plan, hs)) == {"a"}
    assert fleetpack.baseline.place(ws, hs, **kwargs).assignments == plan.assignments


def test_spread_keeps_the_skew_and_min_domains():
    hs, ws = _zones(), _group(7)
    for method in METHODS:
        plan = fp.place(ws, hs, method=method, rules=[fp.Spread("web", key="zone", max_skew=1)])
        counts = _zone_counts(plan, hs)
        assert plan.placed == 7 and max(counts.values()) - min(counts.values()) <= 1, method
    # four domains asked for, three eligible: the fewest counts as 0, so at most max_skew in each zone
    plan = fp.place(ws, hs, method="ffd", rules=[fp.Spread("web", key="zone", max_skew=2, min_domains=4)])
    assert plan.placed == 6 and set(_zone_counts(plan, hs).values()) == {2}


def test_spread_takes_no_member_on_a_host_without_the_label():
    hs = [fp.Host("bare", cpu=8, memory="16Gi"), *_zones(2, "ab")]
    plan = fp.place(_group(2), hs, method="ff", rules=[fp.Spread("web", key="zone")])
    assert plan.host_of("web0") != "bare" and plan.host_of("web1") != "bare"
    soft = fp.place(_group(2), hs, method="ff", rules=[fp.Spread("web", key="zone", weight=3)])
    assert soft.host_of("web0") == "bare" and soft.penalty == 0  # counted nowhere


def test_soft_rules_report_their_penalty():
    hs, ws = _zones(1), _group(3)
    rules = [fp.AntiAffinity("web", scope="host", weight=4), fp.Spread("web", key="zone", weight=10)]
    plan = fp.place(ws, hs, rules=rules)
    assert plan.placed == 3 and plan.penalty == 4 * 2  # two members over the cap on the one host; one zone
    assert [(v.rule, v.excess, v.penalty) for v in plan.soft_violations] == [(rules[0].describe(), 2, 8)]
    assert plan.to_dict()["penalty"] == 8 and fp.Plan.from_dict(plan.to_dict()).penalty == 8
    assert "penalty" not in fp.place(ws, hs).to_dict()


def test_the_soft_penalty_breaks_ties_of_the_portfolio():
    # three hosts each of which takes two: a soft host anti-affinity costs nothing when each member has a host
    hs = [fp.Host(f"h{j}", cpu=2, memory="4Gi") for j in range(3)]
    ws = _group(3) + [fp.Workload(f"x{i}", cpu=1, memory="1Gi") for i in range(3)]
    plan = fp.place(ws, hs, rules=[fp.AntiAffinity("web", weight=1)])
    assert plan.objective_value == 3 and plan.penalty == 0


@settings(max_examples=60, deadline=None)
@given(live_fleets(), st.sampled_from(METHODS), st.sampled_from(["hosts", "cost"]), st.data())
def test_core_equals_reference_on_live_fleets_with_group_rules(fleet, method, objective, data):
    # a current placement may break a hard rule: the members kept first stay, the others move (forced)
    from dataclasses import replace

    ws, hs, over, options = fleet
    hs = [replace(h, labels={"zone": data.draw(st.sampled_from(["a", "b"]))}) for h in hs]
    ws = [replace(w, groups=data.draw(st.sampled_from([(), ("g",)]))) for w in ws]
    if not any(w.groups for w in ws):
        return
    rules = [data.draw(st.sampled_from([fp.AntiAffinity("g", scope="zone", max_per_domain=2),
                                        fp.Spread("g", "zone"), fp.Affinity("g", scope="zone"),
                                        fp.AntiAffinity("g", weight=3)]))]
    kwargs = {"method": method, "objective": objective, "overheads": over, "rules": rules, **options}
    outcomes = []
    for place in (fp.place, fleetpack.baseline.place):
        try:
            with heuristics_only():
                outcomes.append(place(ws, hs, **kwargs))
        except fp.InfeasibleError as error:
            outcomes.append(error)
    core, reference = outcomes
    assert type(core) is type(reference), (core, reference)
    if isinstance(core, fp.InfeasibleError):
        return
    assert core.assignments == reference.assignments and core.moves == reference.moves
    assert broken_hard_rules(ws, hs, core, rules) == []
