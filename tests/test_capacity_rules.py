"""Purchases under group rules and ratios (issue 17 with issue 16's rules): every purchase verifies, the bound is
never above the proven optimum (CP-SAT over a pool that holds one), and rules never make the optimum cheaper."""

from __future__ import annotations

import itertools
import json
import math
import os
import random
import warnings

import numpy as np
import pytest

import fleetpack as fp
from fleetpack.capacity.bounds import purchase_bound
from fleetpack.capacity.planner import _dims
from fleetpack.capacity.pool import candidate_hosts, fit_types
from fleetpack.capacity.rulebound import Rating
from fleetpack.cli import main

NONE = fp.Overheads.none()


def _rules(rng: random.Random) -> list:
    pick = [
        lambda: fp.AntiAffinity("g"),
        lambda: fp.AntiAffinity("g", scope="zone", max_per_domain=2),
        lambda: fp.AntiAffinity("h", max_per_domain=2),
        lambda: fp.Affinity("h"),
        lambda: fp.Affinity("g", scope="zone"),
        lambda: fp.Spread("g", "zone"),
        lambda: fp.Spread("h", "zone", weight=3),
        lambda: fp.AntiAffinity("h", weight=2),
    ]
    return [rng.choice(pick)() for _ in range(rng.randint(1, 2))]


def _instance(seed: int):
    """4 to 7 workloads in groups g and h, some not overcommitted; 2 or 3 types (zones, ratios, limits); an
    existing host now and then; the call's ratio or headroom now and then."""
    rng = random.Random(seed)
    ws = []
    for i in range(rng.randint(4, 7)):
        groups = [g for g in ("g", "h") if rng.random() < 0.45]
        ws.append(fp.Workload(f"w{i}", cpu=rng.choice((1, 2, 3, 5)), memory=f"{rng.choice((1, 2, 4))}Gi",
                              form=rng.choice(("container", "container", "vm", "any")), groups=groups,
                              overcommit=rng.random() < 0.7))
    zones = rng.random() < 0.7
    types = [fp.HostType("a", cpu=6, memory="8Gi", cost=rng.choice((1.0, 1.5)),
                         labels={"zone": "a"} if zones else None,
                         allocation_ratio=rng.choice((None, {"cpu": 2}, {"cpu": 1.5, "memory": 1.25}))),
             fp.HostType("b", cpu=8, memory="6Gi", cost=rng.choice((1.0, 1.7, 2.0)),
                         labels={"zone": "b"} if zones else None, available=rng.choice((None, 2, 3)))]
    if rng.random() < 0.5:
        types.append(fp.HostType("c", cpu=4, memory="12Gi", cost=rng.choice((0.8, 1.2)),
                                 labels={"zone": rng.choice("ab")} if rng.random() < 0.5 else None,
                                 allocation_ratio={"cpu": rng.choice((1, 3))}))
    existing = [fp.Host("old", cpu=4, memory="4Gi", labels={"zone": "a"},
                        allocation_ratio=rng.choice((None, {"cpu": 4})))] if seed % 3 == 0 else []
    call = {}
    if rng.random() < 0.3:
        call["allocation_ratio"] = {"cpu": 2}
    if rng.random() < 0.3:
        call["max_utilization"] = {"memory": 0.9}
    rules = [r for r in _rules(rng) if any(r.group in w.groups for w in ws)]
    return ws, types, existing, rules, call


def _optimum(ws, types, existing, over, rules, call) -> tuple[int, float]:
    """CP-SAT's proven optimum (cost, workloads left out), most placed first, over a pool of as many hosts of each
    type as workloads it takes (within ``available``): an optimal purchase uses each host it buys, so the pool
    holds one. A hard spread counts the domains of every host, bought or not, so with one the optimum is the best
    over the pools of each set of types (the set an optimal purchase buys from has the domains it makes)."""
    spread = any(isinstance(r, fp.Spread) and r.weight is None for r in rules)
    sets = [s for k in range(1, len(types) + 1) for s in itertools.combinations(types, k)] if spread else [types]
    return min(_pool_optimum(ws, list(s), existing, over, rules, call) for s in sets)


def _pool_optimum(ws, types, existing, over, rules, call) -> tuple[int, float]:
    fits = fit_types(ws, types, over, {k: v for k, v in call.items()})
    counts = {f.host_type.name: int(f.takes.sum()) for f in fits}
    pool, _ = candidate_hosts(fits, {h.id for h in existing}, counts=counts)
    paid = [fp.Host(h.id, cpu=h.cpu, memory=h.memory, cost=0.0, labels=h.labels,
                    allocation_ratio=h.allocation_ratio) for h in existing]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fp.FleetpackWarning)
        best = fp.place(ws, paid + pool, objective="cost", method="exact", overheads=over, time_limit=60,
                        rules=rules or None, **call)
    assert best.proven_optimal or best.strategy.endswith(":optimal")  # (CP-SAT proved the most placed, then cost)
    return len(best.unplaced), best.cost


@pytest.mark.filterwarnings("ignore:no host has label:UserWarning")
@pytest.mark.parametrize("seed", range(int(os.environ.get("FLEETPACK_CAPACITY_RULES_SEEDS", 30))))
def test_purchases_under_rules_and_ratios_verify_and_the_bound_is_sound(seed):
    ws, types, existing, rules, call = _instance(seed)
    purchase = fp.plan_capacity(ws, types, existing, NONE, rules=rules, **call)
    assert fp.verify_capacity(ws, types, purchase, existing, NONE) == []
    assert fp.verify_capacity(ws, types, json.loads(purchase.to_json()), existing, NONE) == []
    left_out, optimum = _optimum(ws, types, existing, NONE, rules, call)
    if left_out == len(purchase.unplaced):
        assert purchase.lower_bound <= optimum + 1e-9 <= purchase.cost + 2e-9
    # the bound of the rules' problem, with the column generation stopped early or run out, stays below too
    fits = fit_types(ws, types, NONE, call)
    takes = np.array([f.takes for f in fits])
    if left_out == 0:
        for seconds in (0.0, 1e-3, 5.0):
            bound = purchase_bound(ws, takes.any(axis=0), takes, types, existing, NONE, _dims(ws, types), "cost",
                                   False, column_seconds=seconds, rules=rules,
                                   rating=Rating.of(call.get("allocation_ratio"), call.get("max_utilization")))
            assert bound.value <= optimum + 1e-9
    # rules only remove plans: the optimum without them is never above
    free_left, free = _optimum(ws, types, existing, NONE, [], call)
    assert free_left <= left_out
    if free_left == left_out:
        assert free <= optimum + 1e-9
        unruled = fp.plan_capacity(ws, types, existing, NONE, **call)
        assert unruled.lower_bound <= free + 1e-9 <= purchase.cost + 2e-9


def test_hard_anti_affinity_per_zone_needs_ceil_k_over_m_hosts():
    """Five members at most two per zone need three zones: three hosts at least, of the cheapest type that takes
    them, which the bound says before any placement."""
    ws = [fp.Workload(f"db-{i}", cpu=1, memory="1Gi", groups=["db"]) for i in range(5)]
    types = [fp.HostType(f"z{k}", cpu=64, memory="256Gi", cost=3.0, labels={"zone": f"z{k}"}) for k in range(3)]
    purchase = fp.plan_capacity(ws, types, rules=[fp.AntiAffinity("db", scope="zone", max_per_domain=2)])
    assert purchase.cost == purchase.lower_bound == 9.0 and purchase.proven_optimal
    assert fp.verify_capacity(ws, types, purchase) == []
    assert fp.plan_capacity(ws, types).cost == 3.0


def test_host_affinity_is_one_item_for_the_bound():
    """Three members that must share a host, 3 cpus each, on types of 8 and 10 cpus: one 10-cpu host, and the
    bound sees that their 9 cpus cannot be split over the cheaper 8-cpu type (without the rule, two of those)."""
    ws = [fp.Workload(f"c{i}", cpu=3, memory=0, form="container", groups=["cache"]) for i in range(3)]
    types = [fp.HostType("small", cpu=8, memory=0, cost=1.0), fp.HostType("large", cpu=10, memory=0, cost=2.5)]
    purchase = fp.plan_capacity(ws, types, overheads=NONE, rules=[fp.Affinity("cache")])
    assert purchase.buy == {"large": 1} and purchase.lower_bound == 2.5 and purchase.proven_optimal
    assert fp.plan_capacity(ws, types, overheads=NONE).cost == 2.0


def test_ratios_price_the_rooms_and_dedicated_cores_count_in_full():
    """At 4:1 CPU an 8-cpu host holds 16 workloads of 2 cpus; two that may not be overcommitted take 4 of the
    physical 8, so the others get the other 4 at ratio: 16 cpus, 8 workloads. A ninth needs a second host, and the
    bound says so (the two count 8 each of the 32 at ratio)."""
    ws = [fp.Workload(f"v{i}", cpu=2, memory=0, form="container") for i in range(8)]
    ws += [fp.Workload(f"d{i}", cpu=2, memory=0, form="container", overcommit=False) for i in range(2)]
    types = [fp.HostType("h", cpu=8, memory=0, cost=1.0, allocation_ratio={"cpu": 4})]
    purchase = fp.plan_capacity(ws, types, overheads=NONE)
    assert purchase.buy == {"h": 1} and purchase.proven_optimal
    more = ws + [fp.Workload("one-more", cpu=2, memory=0, form="container")]
    purchase = fp.plan_capacity(more, types, overheads=NONE)
    assert purchase.buy == {"h": 2} and purchase.lower_bound == 2.0
    halved = fp.plan_capacity(ws, types, overheads=NONE, max_utilization={"cpu": 0.5})
    assert halved.buy == {"h": 2} and halved.lower_bound == 2.0
    assert fp.verify_capacity(ws, types, halved, overheads=NONE) == []


def test_existing_hosts_with_ratios_are_used_before_buying():
    ws = [fp.Workload(f"w{i}", cpu=2, memory="1Gi", form="container") for i in range(6)]
    existing = [fp.Host("old", cpu=4, memory="16Gi", allocation_ratio={"cpu": 3})]
    types = [fp.HostType("m5", cpu=8, memory="32Gi", cost=2.0)]
    purchase = fp.plan_capacity(ws, types, existing, NONE)
    assert purchase.buy == {} and purchase.cost == 0.0 and purchase.proven_optimal
    assert fp.verify_capacity(ws, types, purchase, existing, NONE) == []
    one_more = fp.plan_capacity(ws + [fp.Workload("w6", cpu=2, memory="1Gi", form="container")], types, existing,
                                NONE)
    assert one_more.buy == {"m5": 1} and one_more.lower_bound == 2.0


def test_spare_domains_with_zone_rules_and_ratios():
    """A spread over zones and the loss of a zone: the room of any zone is kept by the others (at ratio)."""
    ws = [fp.Workload(f"web-{i}", cpu=4, memory="8Gi", form="container", groups=["web"]) for i in range(6)]
    types = [fp.HostType(f"std-{z}", cpu=16, memory="64Gi", cost=5.0, labels={"zone": z},
                         allocation_ratio={"cpu": 2}) for z in "abc"]
    rules = [fp.Spread("web", "zone"), fp.AntiAffinity("web", scope="zone", max_per_domain=3)]
    purchase = fp.plan_capacity(ws, types, rules=rules, spare=1, spare_domain="zone")
    assert fp.verify_capacity(ws, types, purchase) == []
    zones = {purchase.plan.host_of(w.id).split("-")[1] for w in ws}  # type: ignore[union-attr]
    assert len(zones) >= 2
    by_zone = {z: sum(1 for w in ws if purchase.plan.host_of(w.id).startswith(f"std-{z}")) for z in zones}
    assert max(by_zone.values()) - min(by_zone.values()) <= 1 and max(by_zone.values()) <= 3


def test_the_verifier_finds_a_broken_rule_in_a_purchase():
    ws = [fp.Workload(f"w{i}", cpu=1, memory="1Gi", groups=["g"]) for i in range(2)]
    types = [fp.HostType("m5", cpu=8, memory="32Gi", cost=1.0)]
    together = fp.plan_capacity(ws, types)
    assert together.buy == {"m5": 1}
    found = fp.verify_capacity(ws, types, together, rules=[fp.AntiAffinity("g")])
    assert [v.rule for v in found] == ["anti_affinity_domain"]
    apart = fp.plan_capacity(ws, types, rules=[fp.AntiAffinity("g")])
    assert apart.buy == {"m5": 2} and fp.verify_capacity(ws, types, apart) == []
    data = apart.to_dict()
    assert data["rules"] == [{"kind": "anti_affinity", "group": "g", "scope": "host", "max_per_domain": 1}]


def test_bad_rules_and_ratios_of_a_purchase_are_reported_at_once():
    with pytest.raises(fp.ValidationError) as exc:
        fp.plan_capacity([fp.Workload("w", cpu=1)], [fp.HostType("m5", cpu=8, allocation_ratio={"gpu": 2})],
                         rules=[fp.AntiAffinity("db")], allocation_ratio={"cpu": 0.5})
    text = str(exc.value)
    assert "host type 'm5': allocation_ratio.gpu: unknown dimension" in text
    assert "no workload is in group 'db'" in text
    assert "plan_capacity(): allocation_ratio.cpu: must be at least 1" in text
    with pytest.raises(fp.ValidationError, match="host type 'm5': allocation_ratio.cpu: must be at least 1"):
        fp.HostType("m5", cpu=8, allocation_ratio={"cpu": 0.5})


def test_a_scope_no_host_and_no_type_has_is_warned_of_once():
    ws = [fp.Workload(f"w{i}", cpu=1, groups=["g"]) for i in range(2)]
    zoned = [fp.HostType("m5", cpu=8, memory="32Gi", labels={"zone": "a"})]
    with warnings.catch_warnings():
        warnings.simplefilter("error", fp.FleetpackWarning)
        fp.plan_capacity(ws, zoned, rules=[fp.AntiAffinity("g", scope="zone")])
    with pytest.warns(fp.FleetpackWarning, match="no host has label 'rack'"):
        fp.plan_capacity(ws, zoned, rules=[fp.AntiAffinity("g", scope="rack")])


def test_fleet_files_with_rules_and_ratios_go_through_buy(tmp_path, capsys):
    fleet = {"workloads": [{"id": f"db-{i}", "cpu": 2, "memory": "4Gi", "groups": ["db"], "overcommit": i > 0}
                           for i in range(4)],
             "hosts": [],
             "host_types": [{"name": "std-a", "cpu": 8, "memory": "32Gi", "cost": 3, "labels": {"zone": "a"},
                             "allocation_ratio": {"cpu": 2}},
                            {"name": "std-b", "cpu": 8, "memory": "32Gi", "cost": 3, "labels": {"zone": "b"}}],
             "rules": [{"kind": "anti_affinity", "group": "db", "scope": "zone", "max_per_domain": 2}],
             "max_utilization": {"memory": 0.9}}
    path = tmp_path / "fleet.json"
    path.write_text(json.dumps(fleet))
    out = tmp_path / "purchase.json"
    assert main(["buy", str(path), "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Buy: 1 x std-a, 1 x std-b (2 hosts)." in text
    data = json.loads(out.read_text())
    assert data["max_utilization"] == {"memory": 0.9} and data["rules"][0]["scope"] == "zone"
    loaded = fp.load_fleet(str(path))
    assert loaded.host_types[0].allocation_ratio == {"cpu": 2}
    assert fp.verify_capacity(loaded.workloads, loaded.host_types, data) == []
    assert math.isclose(data["cost"], 6.0)


def test_rows_beside_a_table_keep_overcommit_and_ratios():
    """Workload objects beside a host table (the pool's path) and host objects beside a workload table keep the
    workloads' ``overcommit`` and the hosts' ``allocation_ratio``: the same plan as objects on both sides."""
    ws = [fp.Workload(f"v{i}", cpu=2, memory=0, form="container", overcommit=i >= 2) for i in range(11)]
    hosts = [fp.Host(f"x{i}", cpu=8, memory=0, allocation_ratio={"cpu": 4} if i else None) for i in range(3)]
    table = {"id": [h.id for h in hosts], "cpu": np.full(3, 8), "memory": np.zeros(3, dtype=np.int64),
             "allocation_ratio.cpu": np.array([np.nan, 4.0, 4.0])}
    rows = fp.place(ws, hosts, overheads=NONE, method="ffd")
    assert fp.place(ws, table, overheads=NONE, method="ffd").assignments == rows.assignments
    columns = {"id": [w.id for w in ws], "cpu": np.full(11, 2), "memory": np.zeros(11, dtype=np.int64),
               "form": ["container"] * 11, "overcommit": np.array([w.overcommit for w in ws])}
    assert fp.place(columns, hosts, overheads=NONE, method="ffd").assignments == rows.assignments
    assert fp.verify(ws, hosts, rows, NONE) == []


@pytest.mark.parametrize("rules", [None, [fp.AntiAffinity("g", max_per_domain=2)], [fp.Affinity("g")]])
def test_cp_sat_with_group_rules_reads_each_workloads_overcommit(rules):
    """CP-SAT's workload types with group rules read the overcommit flag, not the rules the key ends with: the
    optimum (w6, 5 cpus, fits no 4-cpu host) is proven with and without rules."""
    ws = [fp.Workload("w2", cpu=3, memory="4Gi", form="container", groups=["g"]),
          fp.Workload("w3", cpu=3, memory="2Gi", form="container"),
          fp.Workload("w4", cpu=2, memory="4Gi", groups=["g"]),
          fp.Workload("w6", cpu=5, memory="2Gi", form="container")]
    hosts = [fp.Host("a-1", cpu=6, memory="8Gi", cost=1)] + [
        fp.Host(f"c-{i}", cpu=4, memory="12Gi", cost=0.8, allocation_ratio={"cpu": 3}) for i in range(2)]
    plan = fp.place(ws, hosts, objective="cost", method="exact", overheads=NONE, time_limit=20, rules=rules)
    assert plan.proven_optimal and plan.cost == pytest.approx(1.8)
    assert fp.verify(ws, hosts, plan, NONE) == []


def test_nothing_any_type_takes_and_no_existing_host_is_left_out_without_a_crash():
    ws = [fp.Workload("a", cpu=1, groups=["g"])]  # (a container's memory overhead: no memoryless host takes it)
    purchase = fp.plan_capacity(ws, [fp.HostType("m5", cpu=8)], rules=[fp.AntiAffinity("g")])
    assert purchase.buy == {} and list(purchase.unplaced) == ["a"]
