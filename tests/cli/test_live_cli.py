"""The command line on live fleets (issue 15): ``place --max-moves --max-move-cost --drain`` (checked before any
work), ``verify`` with the fleet file's own drain and budgets, and the summary's line about moves."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import fleetpack.baseline
from fleetpack.cli import main, summary
from fleetpack.fleetfile import load_fleet

LIVE = {"max_moves": 1,
        "workloads": [{"id": "a", "cpu": 1, "memory": "1Gi", "current": "h1"},
                      {"id": "b", "cpu": 1, "memory": "1Gi", "current": "h2", "pinned": True},
                      {"id": "c", "cpu": 1, "memory": "1Gi"}],
        "hosts": [{"id": "h1", "cpu": 8, "memory": "32Gi"}, {"id": "h2", "cpu": 8, "memory": "32Gi"}]}


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def fleet_file(tmp_path: Path, doc=None) -> Path:
    path = tmp_path / "live.json"
    path.write_text(json.dumps(doc or LIVE), encoding="utf-8")
    return path


def test_place_refuses_bad_flags_and_unknown_drained_hosts_before_any_work(capsys, tmp_path):
    path = fleet_file(tmp_path)
    code, _, err = run(capsys, "place", path, "--max-moves", "-1")
    assert code == 2 and "--max-moves: must not be negative" in err
    code, _, err = run(capsys, "place", path, "--drain", "h1,,h2")
    assert code == 2 and "expected host ids separated by commas" in err
    code, _, err = run(capsys, "place", path, "--drain", "h1,h9")
    assert code == 2 and "drain: unknown host 'h9'" in err and "Traceback" not in err
    code, _, err = run(capsys, "place", path, "--drain", "h2")  # b is pinned there
    assert code == 2 and "workload 'b': pinned: its current host 'h2' is in drain" in err


def test_verify_checks_pins_drains_and_budgets_of_the_fleet_file(capsys, tmp_path):
    doc = dict(LIVE, drain=["h1"])
    path = fleet_file(tmp_path, doc)
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"assignments": [{"workload": "a", "host": "h1", "form": "container"},
                                                {"workload": "b", "host": "h1", "form": "container"},
                                                {"workload": "c", "host": "h2", "form": "container"}],
                                "unplaced": {}}), encoding="utf-8")
    code, out, _ = run(capsys, "verify", path, plan, "--all")
    assert code == 1
    assert "pinned workload 'b' must stay on host 'h2' but is placed on host 'h1'" in out
    assert "host 'h1' is drained but runs 'a', 'b'" in out
    good = tmp_path / "good.json"
    fleet = load_fleet(path)
    good.write_text(fleetpack.baseline.place(fleet.workloads, fleet.hosts, **fleet.live_options()).to_json(),
                    encoding="utf-8")
    code, out, _ = run(capsys, "verify", path, good)
    assert code == 0, out


def test_the_summary_says_what_moved(tmp_path):
    fleet = load_fleet(fleet_file(tmp_path, dict(LIVE, drain=["h1"])))
    plan = fleetpack.baseline.place(fleet.workloads, fleet.hosts, method="ffd", **fleet.live_options())
    assert "Moved 1 of 2 running workloads (move cost 1073741824)." in summary(fleet, plan)
    new = [replace(w, current=None, pinned=False) for w in fleet.workloads]
    greenfield = fleetpack.baseline.place(new, fleet.hosts)
    assert "Moved" not in summary(replace(fleet, workloads=new, drain=()), greenfield)
