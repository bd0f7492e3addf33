"""``fleetpack replan --frontier`` and ``fleetpack scenarios`` read a fleet file's ratios (issue 16): the hosts' own
``allocation_ratio`` and the fleet's ``allocation_ratio`` and ``max_utilization``, as ``place`` does. The fleet here
runs 2 CPUs of workloads per physical CPU: at its ratios nothing has to move, without them workloads would."""

from __future__ import annotations

import json

import fleetpack as fp
from fleetpack.cli import main

# h0 and h1 run 6 CPUs of workloads on 4 physical CPUs each; h1 at its own ratio 2, h0 at the fleet's 2; h2 is
# empty; the fleet leaves a quarter of the memory free (max_utilization 0.75)
FLEET = {
    "allocation_ratio": {"cpu": 2},
    "max_utilization": {"memory": 0.75},
    "hosts": [{"id": "h0", "cpu": 4, "memory": "16Gi"},
              {"id": "h1", "cpu": 4, "memory": "16Gi", "allocation_ratio": {"cpu": 2}},
              {"id": "h2", "cpu": 4, "memory": "16Gi"}],
    "workloads": [{"id": f"w{i}", "cpu": 2, "memory": "2Gi", "current": f"h{i % 2}"} for i in range(6)],
}
RATIOS = {"allocation_ratio": {"cpu": 2}, "max_utilization": {"memory": 0.75}}


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _fleet_file(tmp_path) -> str:
    path = tmp_path / "fleet.json"
    path.write_text(json.dumps(FLEET))
    return str(path)


def test_the_fleet_needs_its_ratios(tmp_path):
    fleet = fp.load_fleet(_fleet_file(tmp_path))
    assert fp.replan_frontier(fleet.workloads, fleet.hosts, (0,), **RATIOS).forced_moves == 0
    bare = [fp.Host(**{k: v for k, v in h.items() if k != "allocation_ratio"}) for h in FLEET["hosts"]]
    assert fp.replan_frontier(fleet.workloads, bare, (0,)).forced_moves > 0


def test_replan_frontier_reads_the_fleets_ratios(capsys, tmp_path):
    code, out, err = run(capsys, "replan", _fleet_file(tmp_path), "--frontier", "0,2,unlimited", "--json")
    assert code == 0, err
    data = json.loads(out)
    fleet = fp.load_fleet(_fleet_file(tmp_path))
    expected = fp.replan_frontier(fleet.workloads, fleet.hosts, (0, 2, None), **RATIOS)
    assert data["forced_moves"] == expected.forced_moves == 0
    assert [(r["feasible"], r["moves"], r["hosts_used"], r["placed"]) for r in data["frontier"]] == \
        [(True, p.move_count, p.hosts_used, p.placed) for p in expected.plans]
    assert all(r["placed"] == 6 for r in data["frontier"])
    for plan in expected.plans:
        assert fp.verify(fleet.workloads, fleet.hosts, plan, **RATIOS) == []


def test_scenarios_read_the_fleets_ratios(capsys, tmp_path):
    code, out, err = run(capsys, "scenarios", _fleet_file(tmp_path), "--max-moves", "0,unlimited", "--json")
    assert code == 0, err
    rows = json.loads(out)
    fleet = fp.load_fleet(_fleet_file(tmp_path))
    assert [r["feasible"] for r in rows] == [True, True]  # no move is forced at the fleet's ratios
    for row in rows:
        plan = fp.place(fleet.workloads, fleet.hosts, max_moves=row["max_moves"], **RATIOS)
        assert (row["placed"], row["hosts_used"], row["moves"], row["lower_bound"]) == \
            (plan.placed, plan.hosts_used, plan.move_count, plan.lower_bound)
    assert rows[0]["moves"] == 0 and rows[0]["placed"] == 6
