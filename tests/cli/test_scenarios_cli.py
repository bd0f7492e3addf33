"""``fleetpack scenarios``: one row per combination of growth, move budget and hosts lost, each the plan ``place``
gives that scenario; the same rows on threads, a process pool and Dask (when installed); infeasible scenarios as
rows, not errors; CSV, JSON and a picture; bad options exit 2 before any work."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

import fleetpack as fp
from fleetpack.cli import main
from fleetpack.cli.scenarios import COLUMNS, grown

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "live-fleet.json"
CONSOLIDATION = Path(__file__).resolve().parents[2] / "examples" / "consolidation.json"
OVERLOADED = {"workloads": [{"id": f"w{i}", "cpu": 2, "memory": "1Gi", "current": "h1"} for i in range(3)],
              "hosts": [{"id": "h1", "cpu": 5, "memory": "16Gi"}, {"id": "h2", "cpu": 5, "memory": "16Gi"}]}
SWEEP = ("--growth", "1,1.3", "--max-moves", "0,5,unlimited", "--drop-hosts", "none", "--drop-hosts", "node-0[12]")


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def without_time(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in row.items() if k != "seconds"} for row in rows]


def test_each_row_is_the_plan_place_gives_its_scenario(capsys):
    code, out, err = run(capsys, "scenarios", EXAMPLE, *SWEEP, "--json")
    assert code == 0, err
    rows = json.loads(out)
    fleet = fp.load_fleet(EXAMPLE)
    assert len(rows) == 2 * 2 * 3 and [r["scenario"] for r in rows] == list(range(12))
    assert all(set(r) == set(COLUMNS) for r in rows)
    for row in rows:
        drain = ("node-01", "node-02") if row["drop_hosts"] == "node-0[12]" else ()
        try:
            plan = fp.place(grown(fleet.workloads, row["growth"]), fleet.hosts, max_moves=row["max_moves"],
                            drain=drain)
        except fp.InfeasibleError:  # more moves forced than the budget allows: a row, not an error
            assert row["feasible"] is False and row["placed"] is None
            continue
        assert row["feasible"] is True
        assert (row["placed"], row["hosts_used"], row["cost"], row["lower_bound"], row["moves"],
                row["move_cost"]) == (plan.placed, plan.hosts_used, plan.cost, plan.lower_bound, plan.move_count,
                                      plan.move_cost)
    assert [r["growth"] for r in rows[:6]] == [1.0] * 6 and rows[0]["max_moves"] == 0
    assert rows[-1]["max_moves"] is None and rows[-1]["drop_hosts"] == "node-0[12]"
    assert [r["feasible"] for r in rows[3:6]] == [False, False, True]  # 11 workloads run on the two hosts lost


def test_growth_scales_every_size_rounding_up():
    w = fp.Workload("a", cpu="1234m", memory=1000, extra={"gpu": 3})
    (g,) = grown((w,), 1.1)
    assert (g.cpu_millis, g.memory_bytes, g.extra_units) == (1358, 1100, {"gpu": 4})
    assert grown((w,), 1.0) == [w]


@pytest.mark.parametrize("executor", ["processes", "dask"])
def test_the_same_rows_on_another_executor(capsys, executor):
    if executor == "dask":
        pytest.importorskip("distributed")
    code, out, err = run(capsys, "scenarios", EXAMPLE, *SWEEP, "--json")
    assert code == 0, err
    here = json.loads(out)
    code, out, err = run(capsys, "scenarios", EXAMPLE, *SWEEP, "--json", "--executor", executor, "--workers", "2",
                         "--chunksize", "5")
    assert code == 0, err
    assert without_time(json.loads(out)) == without_time(here)


def test_an_infeasible_scenario_is_a_row(capsys, tmp_path):
    path = tmp_path / "fleet.json"
    path.write_text(json.dumps(OVERLOADED), encoding="utf-8")
    code, out, err = run(capsys, "scenarios", path, "--max-moves", "0,1", "--drop-hosts", "none", "--drop-hosts",
                         "h1", "--json")
    assert code == 0, err
    rows = json.loads(out)
    # 3 x 2 cpu on a host of 5: one must move; losing h1, all three must (and do not all fit on h2)
    assert [(r["drop_hosts"], r["max_moves"], r["feasible"]) for r in rows] == [
        ("none", 0, False), ("none", 1, True), ("h1", 0, False), ("h1", 1, False)]
    assert rows[0]["placed"] is None and rows[1]["moves"] == 1 and rows[1]["placed"] == 3
    code, out, _ = run(capsys, "scenarios", path, "--max-moves", "0,1")
    lines = out.splitlines()
    assert lines[0] == "2 scenarios of 3 workloads:"
    assert lines[3].split() == ["1", "none", "0", "-", "-", "-", "-", "-", "-"]


def test_a_pinned_workload_on_a_lost_host_makes_its_scenarios_infeasible(capsys):
    code, out, err = run(capsys, "scenarios", EXAMPLE, "--drop-hosts", "node-10", "--json")
    assert code == 0, err
    assert [r["feasible"] for r in json.loads(out)] == [False]


def test_csv_json_and_picture(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    table, data, picture = tmp_path / "sweep.csv", tmp_path / "sweep.json", tmp_path / "sweep.png"
    code, out, err = run(capsys, "scenarios", CONSOLIDATION, "--growth", "1,1.25", "--method", "ffd", "-o", table,
                         "--plot", picture)
    assert code == 0, err
    assert f"Rows written to {table}. Picture drawn to {picture}." in out and picture.stat().st_size > 0
    with open(table, newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == list(COLUMNS) and len(rows) == 2
    assert rows[0]["max_moves"] == "" and rows[1]["growth"] == "1.25"
    code, _, err = run(capsys, "scenarios", CONSOLIDATION, "--growth", "1,1.25", "--method", "ffd", "-o", data,
                       "-q")
    assert code == 0, err
    doc = json.loads(data.read_text())
    assert [str(doc[k]["hosts_used"]) for k in range(2)] == [r["hosts_used"] for r in rows]
    plan = fp.place(grown(fp.load_fleet(CONSOLIDATION).workloads, 1.25), fp.load_fleet(CONSOLIDATION).hosts,
                    method="ffd")
    assert doc[1]["hosts_used"] == plan.hosts_used and doc[1]["gap"] == pytest.approx(plan.gap)


@pytest.mark.parametrize("argv, message", [
    (("--growth", "1,x"), "--growth: not a number: 'x' in growth list '1,x'"),
    (("--growth", "0"), "--growth: a growth factor must be a positive number, got '0'"),
    (("--growth", "1,1.0"), "--growth: each growth factor comes once, got '1,1.0'"),
    (("--max-moves", "5,0"), "--max-moves: budgets must increase"),
    (("--drop-hosts", "a,,b"), "--drop-hosts: expected host ids or patterns separated by commas"),
    (("--drop-hosts", "rack-z-*"),
     "--drop-hosts: rack-z-*: matches no host of the fleet (its hosts are named like 'node-01')"),
    (("-o", "rows.txt"), "-o: rows.txt: the rows are written as .csv or .json"),
    (("-o", "no/such/folder/rows.csv"), "-o: no/such/folder/rows.csv: its folder"),
    (("--dask-scheduler", "tcp://x:8786"), "--dask-scheduler: tcp://x:8786: goes with --executor dask"),
    (("--method", "exact", "--executor", "processes"), "--method: exact: runs here (--executor threads)"),
    (("--executor", "ray"), "argument --executor: invalid choice: 'ray'"),
])
def test_bad_options_exit_2(capsys, argv, message):
    code, out, err = run(capsys, "scenarios", EXAMPLE, *argv)
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err


def test_budgets_need_a_live_fleet(capsys):
    code, _, err = run(capsys, "scenarios", CONSOLIDATION, "--max-moves", "0,5")
    assert code == 2 and "--max-moves: 0,5: move budgets need a live fleet" in err
