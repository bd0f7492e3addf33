"""Capacity planning's side constraints (issue 17): spare room for the loss of failure domains (``spare_domain``),
live fleets (workloads with a ``current`` host) and host types' taints. Every purchase goes through the
independent verifier; the spare room is also checked here by brute force over the failed domains."""

from __future__ import annotations

import itertools
import json
import random

import pytest

import fleetpack as fp
from fleetpack.cli.main import main

NONE = fp.Overheads.none()


def workloads(n: int = 30, seed: int = 0) -> list[fp.Workload]:
    rng = random.Random(seed)
    return [fp.Workload(f"w{i}", cpu=rng.choice((1, 2, 4)), memory=f"{rng.choice((2, 4, 8, 16))}Gi")
            for i in range(n)]


ZONED = [fp.HostType("a-small", cpu=8, memory="32Gi", cost=1.0, labels={"zone": "a"}),
         fp.HostType("b-small", cpu=8, memory="32Gi", cost=1.1, labels={"zone": "b"}),
         fp.HostType("c-big", cpu=32, memory="128Gi", cost=3.5, labels={"zone": "c"}),
         fp.HostType("loose", cpu=16, memory="64Gi", cost=2.4)]


def checked(ws, types, existing=(), overheads=None, **options) -> fp.CapacityPlan:
    purchase = fp.plan_capacity(ws, types, existing, overheads, **options)
    assert fp.verify_capacity(ws, types, purchase, existing, overheads) == []
    assert fp.verify(ws, purchase.hosts, purchase.plan, overheads) == []
    return purchase


def survives(purchase: fp.CapacityPlan, k: int, key: str | None) -> bool:
    """Brute force: for every set of k domains, the room left on the other hosts holds their workloads, in every
    dimension (the hosts frame gives each host's capacity and free room, overheads included)."""
    frame = purchase.plan.hosts_frame()
    labels = {h.id: h.labels for h in purchase.hosts}
    domain = {ident: (labels[ident][key] if key is not None and key in labels[ident] else f"host:{ident}")
              for ident in frame.index}
    for lost in itertools.combinations(sorted(set(domain.values())), min(k, len(set(domain.values())))):
        down = frame.index.map(lambda ident: domain[ident] in lost)
        for dim in ("cpu", "memory"):
            used = frame[f"{dim}_capacity"] - frame[f"{dim}_free"]
            if used[down].sum() > frame[f"{dim}_free"][~down].sum():
                return False
    return True


@pytest.mark.parametrize("k", [1, 2])
def test_spare_domain_survives_the_loss_of_any_k_zones(k):
    ws = workloads()
    purchase = checked(ws, ZONED, spare=k, spare_domain="zone", time_limit=1)
    assert purchase.spare == k and purchase.spare_domain == "zone"
    assert survives(purchase, k, "zone")
    # the hosts of a type without the label are each a domain of their own
    loose = checked(ws, [ZONED[0], ZONED[3]], spare=k, spare_domain="zone", time_limit=1)
    assert survives(loose, k, "zone") and loose.buy.get("loose", 0) >= k


def test_hosts_alone_are_the_domains_without_spare_domain():
    ws = workloads(25)
    for k in (1, 2):
        purchase = checked(ws, ZONED, spare=k, time_limit=1)
        assert survives(purchase, k, None)


def test_one_zone_cannot_survive_its_own_loss():
    ws = workloads(10)
    with pytest.raises(fp.InfeasibleError, match="spare=1, spare_domain='zone': the fleet misses free room"):
        fp.plan_capacity(ws, ZONED[:1], spare=1, spare_domain="zone")
    # the same hosts, each its own domain, can
    assert checked(ws, ZONED[:1], spare=1).buy["a-small"] >= 2


def test_existing_hosts_take_their_zone_from_their_labels():
    ws = workloads(12)
    existing = [fp.Host(f"old-{i}", cpu=16, memory="64Gi", labels={"zone": "a"}) for i in range(3)]
    purchase = checked(ws, ZONED, existing, spare=1, spare_domain="zone", time_limit=1)
    assert survives(purchase, 1, "zone")
    assert purchase.buy  # zone a holds every workload, but its loss needs room elsewhere
    assert all(fp.verify_capacity(ws, ZONED, purchase, existing, spare_domain="zone") == [] for _ in "x")
    # the same purchase read as zoneless: a different (weaker) condition that it meets too
    assert fp.verify_capacity(ws, ZONED, purchase.to_dict(), existing) == []


def test_the_verifier_finds_room_missing_for_a_zone():
    ws = workloads(12)
    existing = [fp.Host(f"old-{i}", cpu=16, memory="64Gi", labels={"zone": "a"}) for i in range(3)]
    purchase = checked(ws, ZONED[:1], existing, spare=1, time_limit=1)  # hosts alone: every one in zone a
    found = fp.verify_capacity(ws, ZONED[:1], purchase, existing, spare_domain="zone")
    assert {v.rule for v in found} == {"spare"}
    assert "after losing the 1 largest domains of label 'zone'" in found[0].message
    assert not survives(purchase, 1, "zone")


@pytest.mark.parametrize("seed", range(4))
def test_random_zones_and_spares_are_kept(seed):
    rng = random.Random(seed)
    ws = workloads(rng.randint(5, 25), seed)
    types = [fp.HostType(f"t{j}", cpu=rng.choice((8, 16, 32)), memory=f"{rng.choice((32, 64, 128))}Gi",
                         cost=round(rng.uniform(1, 4), 1), available=rng.choice((None, None, 6)),
                         labels={"zone": rng.choice("ab")} if rng.random() < 0.7 else None) for j in range(4)]
    existing = [fp.Host("old", cpu=8, memory="32Gi", labels={"zone": "a"})] if seed % 2 else []
    k = 1 + seed % 2
    try:
        purchase = checked(ws, types, existing, NONE, spare=k, spare_domain="zone", time_limit=1)
    except fp.InfeasibleError as exc:  # the types allow no room outside k zones: every zone is labelled
        assert "spare_domain='zone'" in str(exc)
        return
    assert survives(purchase, k, "zone")


def test_spare_domain_bad_inputs_are_reported():
    ws = workloads(3)
    with pytest.raises(fp.ValidationError) as exc_info:
        fp.plan_capacity(ws, ZONED, spare_domain="zone")
    assert [(e.where, e.field) for e in exc_info.value.errors] == [("plan_capacity()", "spare_domain")]
    assert "without spare" in str(exc_info.value)
    with pytest.raises(fp.ValidationError, match="no existing host and no host type has the label 'rack'"):
        fp.plan_capacity(ws, ZONED, spare=1, spare_domain="rack")
    with pytest.raises(fp.ValidationError, match="spare_domain: must be a label key"):
        fp.plan_capacity(ws, ZONED, spare=1, spare_domain=3)
    with pytest.raises(fp.ValidationError, match="spare_domain: must be a label key"):
        fp.verify_capacity(ws, ZONED, fp.plan_capacity(ws, ZONED), spare=1, spare_domain="")


def test_the_spare_room_is_kept_in_every_dimension_gpus_too():
    """The one GPU a job needs is the largest host in GPUs: the room of its loss is a second GPU host."""
    ws = workloads(40) + [fp.Workload("job", cpu=2, memory="4Gi", extra={"gpu": 1})]
    types = [fp.HostType("small", cpu=8, memory="32Gi", cost=1.0),
             fp.HostType("gpu", cpu=32, memory="128Gi", extra={"gpu": 2}, cost=6.0)]
    purchase = checked(ws, types, spare=1, time_limit=1)
    assert purchase.buy["gpu"] == 2 and survives(purchase, 1, None)
    assert checked(ws, types, time_limit=1).buy["gpu"] == 1


def live_fleet():
    existing = [fp.Host("old-1", cpu=16, memory="64Gi"), fp.Host("old-2", cpu=16, memory="64Gi")]
    running = [fp.Workload(f"r{i}", cpu=6, memory="8Gi", current=f"old-{1 + i % 2}") for i in range(2)]
    new = [fp.Workload("new", cpu=12, memory="8Gi")]
    return running + new, existing


def test_a_live_fleet_keeps_its_workloads_unless_a_move_saves_a_purchase():
    ws, existing = live_fleet()
    types = [fp.HostType("std", cpu=16, memory="64Gi", cost=2.0)]
    stay = checked(ws, types, existing, NONE, max_moves=0)
    assert stay.plan.live and stay.plan.move_count == 0 and stay.buy == {"std": 1}
    assert [stay.plan.host_of(f"r{i}") for i in range(2)] == ["old-1", "old-2"]
    assert stay.max_moves == 0 and stay.to_dict()["max_moves"] == 0
    moved = checked(ws, types, existing, NONE)  # one move makes room for the new workload: nothing to buy
    assert moved.buy == {} and moved.plan.move_count == 1 and moved.cost == 0
    # the verifier counts the moves against the budget
    assert {v.rule for v in fp.verify_capacity(ws, types, moved, existing, NONE, max_moves=0)} == {"max_moves"}


def test_a_live_fleet_with_spare_room_and_a_forced_move():
    ws, existing = live_fleet()
    ws[0] = fp.Workload("r0", cpu=6, memory="8Gi", current="old-1", selector={"tier": "gold"})  # must move
    types = [fp.HostType("std", cpu=16, memory="64Gi", cost=2.0, labels={"tier": "gold"})]
    purchase = checked(ws, types, existing, NONE, spare=1, max_moves=1)
    assert purchase.plan.host_of("r0").startswith("std-") and purchase.plan.move_count == 1
    assert survives(purchase, 1, None)
    with pytest.raises(fp.InfeasibleError):
        fp.plan_capacity(ws, types, existing, NONE, max_moves=0)


def test_a_current_host_must_be_an_existing_one():
    with pytest.raises(fp.ValidationError) as exc_info:
        fp.plan_capacity([fp.Workload("a", cpu=1, current="nowhere")], [fp.HostType("m5", cpu=4)],
                         max_moves=-1)
    fields = {(e.where, e.field) for e in exc_info.value.errors}
    assert ("workload 'a'", "current") in fields and ("plan_capacity()", "max_moves") in fields


def test_bought_hosts_carry_their_types_taints():
    ws = workloads(8) + [fp.Workload("job", cpu=2, memory="4Gi", extra={"gpu": 1}, tolerations=["gpu"])]
    types = [fp.HostType("small", cpu=8, memory="32Gi", cost=1.0),
             fp.HostType("gpu", cpu=64, memory="256Gi", extra={"gpu": 1}, cost=0.5, taints=["gpu"])]
    purchase = checked(ws, types)
    assert purchase.buy["gpu"] == 1 and purchase.buy["small"] >= 1  # the cheap big host takes only the job
    gpu_host = next(h for h in purchase.hosts if purchase.bought[h.id] == "gpu")
    assert gpu_host.taints == ("gpu",)
    assert [a.workload for a in purchase.plan.assignments if a.host == gpu_host.id] == ["job"]
    assert types[1].to_dict()["taints"] == ["gpu"] and fp.HostType(**types[1].to_dict()) == types[1]
    # a key a text cell cannot hold still reaches the hosts of the type
    spaced = [types[0], fp.HostType("gpu", cpu=64, memory="256Gi", extra={"gpu": 1}, cost=0.5,
                                    taints=["gpu only"])]
    assert checked(ws[:-1] + [fp.Workload("job", cpu=2, extra={"gpu": 1}, tolerations=["gpu only"])],
                   spaced).buy["gpu"] == 1
    with pytest.raises(fp.ValidationError, match="host type 'x': taints: must be a list of taint keys"):
        fp.HostType("x", cpu=1, taints="gpu")
    # a purchase whose bought host lost its taint is not of its type
    data = purchase.to_dict()
    data["hosts"] = [{k: v for k, v in h.items() if k != "taints"} for h in data["hosts"]]
    assert "host_type" in {v.rule for v in fp.verify_capacity(ws, types, data)}


def test_fleet_files_and_buy_take_zones_taints_and_live_fleets(tmp_path, capsys):
    ws, existing = live_fleet()
    existing = [fp.Host(h.id, h.cpu, h.memory, labels={"zone": "a"}) for h in existing]
    types = [t.to_dict() for t in ZONED] + [{"name": "tainted", "cpu": 4, "taints": ["t1"]}]
    fleet = fp.Fleet(ws, existing, host_types=types)
    back = fp.Fleet.from_dict(json.loads(json.dumps(fleet.to_dict())))
    assert back.host_types == fleet.host_types and back.host_types[4].taints == ("t1",)
    path = tmp_path / "fleet.json"
    path.write_text(json.dumps(fleet.to_dict()))
    out = tmp_path / "purchase.json"
    assert main(["buy", str(path), "--spare", "1", "--spare-domain", "zone", "--max-moves", "0",
                 "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Moves: 0 workload(s) moved" in text
    assert "Spare: the fleet holds every workload after the loss of any 1 domain(s) of label 'zone'" in text
    data = json.loads(out.read_text())
    assert data["spare_domain"] == "zone" and data["max_moves"] == 0
    assert fp.verify_capacity(fleet.workloads, fleet.host_types, data, fleet.hosts) == []
    assert main(["buy", str(path), "--spare-domain", "zone"]) == 2
    assert "spare_domain" in capsys.readouterr().err


def brute_force(ws, types, k: int, key: str | None, max_types: int | None, most: int) -> float:
    """The cheapest purchase of at most ``most`` hosts per type that keeps the room (no overheads: the usage is
    the demands) and on which CP-SAT places every workload: counts tried in order of cost."""
    demand = [sum(w.cpu_millis for w in ws), sum(w.memory_bytes for w in ws)]
    options = []
    for counts in itertools.product(range(most + 1), repeat=len(types)):
        if max_types is not None and sum(1 for c in counts if c) > max_types:
            continue
        caps: dict = {}
        for t, c in zip(types, counts):
            for copy in range(c):
                name = ("label", t.labels[key]) if key is not None and key in t.labels else (t.name, copy)
                caps.setdefault(name, [0, 0])
                caps[name][0] += t.cpu_millis
                caps[name][1] += t.memory_bytes
        ok = all(sum(v[d] for v in caps.values()) - sum(sorted((v[d] for v in caps.values()), reverse=True)[:k])
                 >= demand[d] for d in (0, 1))
        if ok:
            options.append((sum(t.cost * c for t, c in zip(types, counts)), counts))
    for cost, counts in sorted(options):
        hosts = [t.host(f"{t.name}-{i + 1}") for t, c in zip(types, counts) for i in range(c)]
        plan = fp.place(ws, hosts, method="exact", overheads=NONE, time_limit=20)
        if not plan.unplaced:
            return cost
    return float("inf")


@pytest.mark.parametrize("seed", range(6))
def test_small_purchases_with_side_constraints_are_the_cheapest(seed):
    """On small instances CP-SAT takes the spare room and max_types as rows: the purchase is the cheapest of all
    (by brute force over the counts of each type), not only the cheapest the heuristics find."""
    rng = random.Random(seed)
    ws = [fp.Workload(f"w{i}", cpu=rng.choice((1, 2, 3)), memory=f"{rng.choice((1, 2, 4))}Gi")
          for i in range(rng.randint(3, 6))]
    types = [fp.HostType("a", cpu=4, memory="8Gi", cost=1.0, labels={"zone": "x"}),
             fp.HostType("b", cpu=8, memory="8Gi", cost=1.7, labels={"zone": "y"} if seed % 2 else None),
             fp.HostType("c", cpu=3, memory="6Gi", cost=0.8)]
    k, key = 1 + seed % 2, ("zone" if seed % 3 else None)
    max_types = 2 if seed in (1, 4) else None
    purchase = checked(ws, types, (), NONE, spare=k, spare_domain=key, max_types=max_types)
    assert purchase.cost == pytest.approx(brute_force(ws, types, k, key, max_types, 8))


def test_max_types_that_leave_too_few_zones_is_a_clear_error():
    """Two types of three zones cannot survive the loss of two zones: the error, not a purchase of three types."""
    ws = workloads(6)
    types = [fp.HostType(f"t-{z}", cpu=8, memory="32Gi", cost=1.0, labels={"zone": z}) for z in "abc"]
    assert survives(checked(ws, types, spare=2, spare_domain="zone", time_limit=1), 2, "zone")
    with pytest.raises(fp.InfeasibleError, match="spare=2, spare_domain='zone'"):
        fp.plan_capacity(ws, types, spare=2, spare_domain="zone", max_types=2, time_limit=1)
