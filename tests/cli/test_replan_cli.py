"""``fleetpack replan``: ``--frontier`` prints the table of what each move budget buys (or JSON, or a picture);
without it, ``replan`` is ``place`` (``--max-moves N`` gives the same plan); bad budget lists exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import fleetpack as fp
from fleetpack.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "live-fleet.json"
OVERLOADED = {"workloads": [{"id": f"w{i}", "cpu": 2, "memory": "1Gi", "current": "h1"} for i in range(3)],
              "hosts": [{"id": "h1", "cpu": 5, "memory": "16Gi"}, {"id": "h2", "cpu": 5, "memory": "16Gi"}]}


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_frontier_table_has_a_row_per_budget_as_the_function_says(capsys):
    code, out, err = run(capsys, "replan", EXAMPLE, "--frontier", "0,5,unlimited")
    assert code == 0, err
    fleet = fp.load_fleet(EXAMPLE)
    plans = fp.replan_frontier(fleet.workloads, fleet.hosts, (0, 5, None)).plans
    lines = out.splitlines()
    assert lines[0] == "Move budget frontier of 60 workloads:"
    assert lines[2].split() == ["Budget", "Moves", "Move", "cost", "Hosts", "used", "Cost", "Lower", "bound",
                                "Placed"]
    for line, budget, plan in zip(lines[3:], ("0", "5", "unlimited"), plans):
        assert line.split() == [budget, str(plan.move_count), str(plan.move_cost), str(plan.hosts_used),
                                f"{plan.cost:g}", f"{plan.lower_bound:g}", str(plan.placed)]
    assert len(lines) == 6


def test_json_and_an_infeasible_budget(capsys, tmp_path):
    path = tmp_path / "fleet.json"
    path.write_text(json.dumps(OVERLOADED), encoding="utf-8")
    code, out, err = run(capsys, "replan", path, "--frontier", "0,1", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["forced_moves"] == 1
    assert doc["frontier"][0] == {"budget": 0, "feasible": False, "moves": None, "move_cost": None,
                                  "hosts_used": None, "cost": None, "lower_bound": None, "placed": None}
    assert doc["frontier"][1]["feasible"] is True and doc["frontier"][1]["moves"] == 1
    code, out, _ = run(capsys, "replan", path, "--frontier", "0,1")
    assert "(1 must move: their host is drained or they no longer fit there)" in out
    assert out.splitlines()[3].split() == ["0", "-", "-", "-", "-", "-", "-"]


def test_replan_with_max_moves_is_place_with_that_budget(capsys, tmp_path):
    code, replanned, _ = run(capsys, "replan", EXAMPLE, "--max-moves", "5", "--json")
    assert code == 0
    code, placed, _ = run(capsys, "place", EXAMPLE, "--max-moves", "5", "--json")
    assert code == 0
    a, b = json.loads(replanned), json.loads(placed)
    for doc in (a, b):
        doc.pop("elapsed")
    assert a == b and a["moves"] <= 5


def test_the_frontier_picture(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    picture = tmp_path / "frontier.png"
    code, out, err = run(capsys, "replan", EXAMPLE, "--frontier", "0,10", "--plot", picture)
    assert code == 0, err
    assert picture.stat().st_size > 0 and f"Picture drawn to {picture}." in out
    code, _, err = run(capsys, "replan", EXAMPLE, "--frontier", "0,10", "--plot", tmp_path / "no" / "f.png")
    assert code == 2 and "--plot" in err


@pytest.mark.parametrize("argv, message", [
    (("--frontier", "0,,5"), "not a whole number: '' in budget list '0,,5'"),
    (("--frontier", "three"), "not a whole number: 'three'"),
    (("--frontier", "0,-1"), "must not be negative, got '-1'"),
    (("--frontier", "5,5"), "budgets must increase"),
    (("--frontier", "0,5", "-o", "plan.json"), "-o does not go with --frontier"),
    (("--frontier", "0,5", "--strict"), "--strict does not go with --frontier"),
    (("--frontier", "0,5", "--method", "ffd"), "--method does not go with --frontier"),
])
def test_bad_frontiers_exit_2_with_a_message(capsys, argv, message):
    code, out, err = run(capsys, "replan", EXAMPLE, *argv)
    assert code == 2 and message in err and "Traceback" not in err
    assert out == ""
