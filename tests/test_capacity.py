"""Capacity planning (issue 17): every purchase is checked by the independent verifier; the bound is sound."""

from __future__ import annotations

import json
import pickle
import random

import pytest

import fleetpack as fp
from fleetpack.capacity.pool import candidate_hosts, fit_types
from fleetpack.cli.main import main

NONE = fp.Overheads.none()


def workloads(n: int = 20, seed: int = 0) -> list[fp.Workload]:
    rng = random.Random(seed)
    return [fp.Workload(f"w{i}", cpu=rng.choice((1, 2, 4)), memory=f"{rng.choice((2, 4, 8, 16))}Gi")
            for i in range(n)]


TYPES = [fp.HostType("small", cpu=8, memory="32Gi", cost=1.0), fp.HostType("big", cpu=32, memory="128Gi", cost=3.5),
         fp.HostType("fat", cpu=16, memory="256Gi", cost=3.0)]


def checked(ws, types, existing=(), overheads=None, **options) -> fp.CapacityPlan:
    purchase = fp.plan_capacity(ws, types, existing, overheads, **options)
    assert fp.verify_capacity(ws, types, purchase, existing, overheads) == []
    assert fp.verify(ws, purchase.hosts, purchase.plan, overheads) == []
    return purchase


def test_a_purchase_places_everything_and_is_valid():
    ws = workloads()
    purchase = checked(ws, TYPES)
    assert not purchase.unplaced and purchase.buy and sum(purchase.buy.values()) == len(purchase.hosts)
    assert purchase.cost == pytest.approx(sum(t.cost * purchase.buy.get(t.name, 0) for t in TYPES))
    assert {h.id for h in purchase.hosts} == set(purchase.bought)
    for ident, kind in purchase.bought.items():  # named <type>-<k>, k from 1
        assert ident.rpartition("-")[0] == kind
    assert 0 < purchase.lower_bound <= purchase.cost
    assert purchase.plan.explain("w0") is not None


def test_nothing_is_bought_when_the_existing_hosts_suffice():
    ws = workloads(10)
    existing = [fp.Host("old", cpu=64, memory="512Gi", cost=9.0)]
    purchase = checked(ws, TYPES, existing)
    assert purchase.buy == {} and purchase.cost == 0 and purchase.hosts == tuple(existing)
    assert purchase.proven_optimal  # the bound: nothing to buy either
    paid = checked(ws, TYPES, existing, existing_cost=True)
    assert paid.cost <= 9.0


def test_available_caps_each_type():
    ws = workloads(30)
    free = checked(ws, TYPES, time_limit=1)  # (what is checked holds for any plan)
    kind = max(free.buy, key=free.buy.get)
    capped = [fp.HostType(t.name, t.cpu, t.memory, cost=t.cost, available=1 if t.name == kind else None)
              for t in TYPES]
    purchase = checked(ws, capped, time_limit=1)
    assert purchase.buy.get(kind, 0) <= 1 and not purchase.unplaced


def test_max_types_is_kept():
    ws = workloads(30) + [fp.Workload("bigmem", cpu=1, memory="200Gi")]
    for cap in (1, 2):
        purchase = checked(ws, TYPES, max_types=cap, time_limit=1)  # (what is checked holds for any plan)
        assert len(purchase.buy) <= cap and not purchase.unplaced


def test_spare_keeps_the_room_of_the_largest_used_hosts():
    ws = workloads(25)
    purchase = checked(ws, TYPES, spare=1, time_limit=1)
    assert purchase.spare == 1  # (so `checked` had the verifier check the room)
    # the verifier's own check, and the condition restated here on the plan's hosts frame
    frame = purchase.plan.hosts_frame()
    for dim in ("cpu", "memory"):
        cap, free = frame[f"{dim}_capacity"], frame[f"{dim}_free"]
        assert free.sum() >= cap[frame["workloads"] > 0].max()
    # a fleet without the room: the verifier says which dimension misses what
    tight = fp.plan_capacity(ws, [fp.HostType("one", cpu=256, memory="2Ti", cost=1.0)], time_limit=1)
    assert tight.buy == {"one": 1}
    assert [v.rule for v in fp.verify_capacity(ws, tight.host_types, tight, spare=1)] == ["spare", "spare"]


def test_a_workload_no_type_takes_is_unplaced_and_strict_raises():
    ws = workloads(5) + [fp.Workload("huge", cpu=128, memory="8Gi"), fp.Workload("win", form="container",
                                                                                   os="windows")]
    purchase = checked(ws, TYPES)
    assert set(purchase.unplaced) == {"huge", "win"}
    assert purchase.unplaced["huge"].code == "too_large"
    with pytest.raises(fp.InfeasibleError):
        fp.plan_capacity(ws, TYPES, strict=True)


def test_a_purchase_pickles_and_writes_json():
    purchase = checked(workloads(), TYPES)
    back = pickle.loads(pickle.dumps(purchase))
    assert back.buy == purchase.buy and back.cost == purchase.cost and back.plan.cost == purchase.plan.cost
    data = json.loads(purchase.to_json())
    assert fp.verify_capacity(workloads(), TYPES, data) == []
    frame = purchase.to_pandas()
    assert list(frame.index) == [t.name for t in TYPES] and frame["count"].sum() == len(purchase.bought)


def test_the_verifier_finds_a_tampered_purchase():
    ws = workloads()
    data = json.loads(fp.plan_capacity(ws, TYPES).to_json())
    kind = next(iter(data["buy"]))
    capped = [fp.HostType(t.name, t.cpu, t.memory, cost=t.cost, available=0 if t.name == kind else None)
              for t in TYPES]
    assert {v.rule for v in fp.verify_capacity(ws, capped, data)} == {"available"}
    assert {v.rule for v in fp.verify_capacity(ws, TYPES, dict(data, cost=data["cost"] - 1))} == {"cost"}
    assert {v.rule for v in fp.verify_capacity(ws, TYPES, dict(data, buy={kind: 99}))} == {"buy"}
    assert {v.rule for v in fp.verify_capacity(ws, TYPES, data, max_types=len(data["buy"]) - 1)} == \
        ({"max_types"} if len(data["buy"]) > 1 else set())
    hosts = [dict(h, cpu=1000) if k == 0 else h for k, h in enumerate(data["hosts"])]
    assert "host_type" in {v.rule for v in fp.verify_capacity(ws, TYPES, dict(data, hosts=hosts))}


def test_fewest_hosts():
    ws = workloads(20)
    purchase = checked(ws, TYPES, objective="hosts")
    assert purchase.objective_value == len(purchase.bought) >= purchase.lower_bound
    assert purchase.lower_bound == int(purchase.lower_bound)


@pytest.mark.parametrize("seed", range(6))
def test_the_bound_is_sound_against_the_exact_optimum(seed):
    """The exact optimum over the pool of candidates is the best purchase (the pool holds one, pool.py says why);
    the bound never exceeds it, and no purchase found is below it."""
    rng = random.Random(seed)
    ws = [fp.Workload(f"w{i}", cpu=rng.choice((1, 2, 3)), memory=f"{rng.choice((1, 2, 4, 6))}Gi",
                      isolation="dedicated" if rng.random() < 0.15 else "none",
                      anti_affinity="g" if rng.random() < 0.3 else None) for i in range(rng.randint(4, 7))]
    costs = (1.5, 1.5, 1.5) if seed % 3 == 0 else (1.0, 1.7, 1.2)  # one price: the bound rounds up to whole hosts
    types = [fp.HostType("a", cpu=4, memory="8Gi", cost=costs[0]), fp.HostType("b", cpu=8, memory="8Gi", cost=costs[1]),
             fp.HostType("c", cpu=2, memory="16Gi", cost=costs[2], available=rng.choice((None, 2)))]
    existing = [fp.Host("old", cpu=3, memory="4Gi")] if seed % 2 else []
    for objective in ("cost", "hosts"):
        purchase = checked(ws, types, existing, NONE, objective=objective)
        fits = fit_types(ws, types, NONE)
        price = (lambda t: 1.0) if objective == "hosts" else (lambda t: t.cost)
        pool, _ = candidate_hosts(fits, {"old"}, cost_of=price)
        best = fp.place(ws, [fp.Host("old", cpu=3, memory="4Gi", cost=0.0)] * bool(existing) + pool,
                        objective="cost", method="exact", overheads=NONE, time_limit=20)
        assert best.proven_optimal and not best.unplaced
        assert purchase.lower_bound <= best.cost + 1e-9
        assert purchase.objective_value >= best.cost - 1e-9


def test_bad_inputs_are_all_reported_at_once():
    with pytest.raises(fp.ValidationError) as exc_info:
        fp.plan_capacity(workloads(2), [{"name": "a", "cpu": -1, "available": -2, "labels": {"k": 1}},
                                        {"name": "b"}, {"cpu": 1, "colour": "red"}, {"name": "b"}],
                         objective="spread", spare=-1, max_types=0, existing_cost="yes")
    fields = {(e.where, e.field) for e in exc_info.value.errors}
    assert {("host type 'a'", "cpu"), ("host type 'a'", "available"), ("host type 'a'", "labels.k"),
            ("host type 'b'", "name"), ("host type #2", "colour"), ("host type #2", "name"),
            ("plan_capacity()", "objective"), ("plan_capacity()", "spare"), ("plan_capacity()", "max_types"),
            ("plan_capacity()", "existing_cost")} <= fields
    with pytest.raises(fp.ValidationError, match="at least one host type"):
        fp.plan_capacity(workloads(2), [])


def test_fleet_files_carry_host_types_and_buy_prints_the_purchase(tmp_path, capsys):
    fleet = fp.Fleet(workloads(12), [fp.Host("old", cpu=8, memory="32Gi")],
                     host_types=[t.to_dict() for t in TYPES[:2]] + [{"name": "x", "cpu": 4, "labels": {"z": "a"}}])
    back = fp.Fleet.from_dict(json.loads(json.dumps(fleet.to_dict())))
    assert back.host_types == fleet.host_types and back.host_types[2].labels == {"z": "a"}
    path = tmp_path / "fleet.json"
    path.write_text(json.dumps(fleet.to_dict()))
    out = tmp_path / "purchase.json"
    assert main(["buy", str(path), "--spare", "1", "--max-types", "2", "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Buy: ") and "lower bound" in text and "Utilisation" in text
    assert fp.verify_capacity(fleet.workloads, fleet.host_types, json.loads(out.read_text()), fleet.hosts) == []
    with pytest.raises(fp.ValidationError) as exc_info:
        fp.Fleet.from_dict({"workloads": [], "hosts": [], "host_types": [{"name": "t", "available": "many"}]})
    assert [(e.where, e.field) for e in exc_info.value.errors] == [("host type 't'", "available")]


def test_spare_room_no_type_can_restore_is_a_clear_error():
    ws = [fp.Workload("gpu-job", cpu=1, memory="1Gi", extra={"gpu": 2})]
    existing = [fp.Host("gpu-node", cpu=8, memory="32Gi", extra={"gpu": 2})]
    assert checked(ws, TYPES, existing).buy == {}
    with pytest.raises(fp.InfeasibleError, match="spare=1: the fleet misses free room of gpu 2"):
        fp.plan_capacity(ws, TYPES, existing, spare=1)


def test_buy_prints_json_and_exits_1_when_a_workload_cannot_be_placed(tmp_path, capsys):
    fleet = fp.Fleet([*workloads(4), fp.Workload("huge", cpu=500)], [], host_types=TYPES[:1])
    path = tmp_path / "fleet.json"
    path.write_text(json.dumps(fleet.to_dict()))
    assert main(["buy", str(path), "--json", "--objective", "hosts", "--time-limit", "1"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["objective"] == "hosts" and data["buy"] == {"small": data["objective_value"]}
    assert "plan" not in data
    assert main(["buy", str(path)]) == 1
    assert "Unplaced: 1 workload(s)" in capsys.readouterr().out


def test_the_example_is_what_its_script_makes(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    example = Path(__file__).resolve().parents[1] / "examples" / "capacity.json"
    out = tmp_path / "capacity.json"
    subprocess.run([sys.executable, str(example.with_name("make_capacity.py")), "-o", str(out)], check=True)
    assert out.read_text() == example.read_text()
    fleet = fp.load_fleet(example)
    assert len(fleet.host_types) == 5 and len(fleet.hosts) == 2 and len(fleet.workloads) == 198
