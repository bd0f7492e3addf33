"""``fleetpack replan --schedule [--max-parallel N]``: the plan's moves in waves after the summary (or in its JSON),
what is blocked and why, and the hosts a re-plan frees."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import fleetpack as fp
from fleetpack.cli import main
from fleetpack.cli.replan import schedule_dict, schedule_text
from fleetpack.fleetfile import Fleet, dump_fleet, load_fleet

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "live-fleet.json"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _plan(max_moves: int) -> fp.Plan:
    fleet = load_fleet(EXAMPLE)
    return fp.place(fleet.workloads, fleet.hosts, overheads=fleet.overheads, max_moves=max_moves)


def test_the_schedule_follows_the_summary_wave_by_wave(capsys):
    code, out, _ = run(capsys, "replan", EXAMPLE, "--max-moves", 10, "--schedule", "--max-parallel", 3)
    assert code == 0
    plan = _plan(10)
    schedule = plan.schedule(max_parallel=3)
    assert out.endswith("\n" + schedule_text(schedule, 3))
    lines = schedule_text(schedule, 3).splitlines()
    assert lines[0] == (f"Schedule: {plan.move_count} moves in {len(schedule.waves)} waves, at most 3 at a time; "
                        "each wave keeps every rule while it runs.")
    waves = [line for line in lines if line.startswith("Wave ")]
    assert len(waves) == len(schedule.waves) >= 2
    shown = [line.strip() for line in lines if line.startswith("  ")]
    assert shown == [f"{m.workload}: {m.source} -> {m.target} ({m.target_form})"
                     for wave in schedule.waves for m in wave]
    assert all(len(wave) <= 3 for wave in schedule.waves)
    # the hosts the plan empties are named in the summary
    fleet = load_fleet(EXAMPLE)
    running = {w.current for w in fleet.workloads}
    freed = [h.id for h in fleet.hosts if h.id in running and h.id not in {a.host for a in plan.assignments}]
    assert freed and f"Empties {len(freed)} hosts in use now: {', '.join(freed)}." in out


def test_json_carries_the_schedule_and_the_freed_hosts(capsys):
    code, out, _ = run(capsys, "replan", EXAMPLE, "--max-moves", 5, "--schedule", "--json")
    assert code == 0
    data = json.loads(out)
    plan = _plan(5)
    assert data["schedule"] == schedule_dict(plan.schedule())
    assert [m["workload"] for wave in data["schedule"]["waves"] for m in wave] == [m.workload for m in plan.moves]
    assert data["schedule"]["blocked"] == [] and data["moves"] == plan.move_count
    assert set(data["schedule"]["waves"][0][0]) == {"workload", "source", "target", "source_form", "target_form",
                                                     "cost"}
    assert isinstance(data["hosts_freed"], list)


def test_evictions_come_first_and_new_workloads_last(capsys, tmp_path):
    # h1 holds three 8Gi workloads on 16Gi: one must go (to h2, whose workload fits nowhere once n is placed)
    ws = [fp.Workload(f"x{k}", cpu=1, memory="8Gi", current="h1", current_form="vm") for k in range(3)]
    ws += [fp.Workload("y", cpu=1, memory="16Gi", current="h2", current_form="vm"),
           fp.Workload("n", cpu=1, memory="1Gi", form="vm")]
    hosts = [fp.Host("h1", cpu=8, memory="16Gi"), fp.Host("h2", cpu=8, memory="16Gi"),
             fp.Host("h3", cpu=8, memory="2Gi")]
    path = tmp_path / "chain.json"
    dump_fleet(Fleet(ws, hosts, fp.Overheads.none()), path)
    code, out, _ = run(capsys, "replan", path, "--schedule")
    assert code == 0
    text = out[out.index("Schedule:"):].splitlines()
    assert text[1] == "Wave 1 (1 move):" and text[2] == "  y: h2 -> evicted"
    assert text[3] == "Wave 2 (1 move):" and text[4] == "  x2: h1 (vm) -> h2 (container)"  # room freed by wave 1
    assert text[-1] == "Then place 1 new workload: n."


def test_blocked_moves_are_listed_with_the_rule_they_would_break():
    hosts = [fp.Host("h1", cpu=8, memory="16Gi"), fp.Host("h2", cpu=8, memory="16Gi")]
    ws = [fp.Workload("a", cpu=1, memory="16Gi", current="h1", current_form="vm"),
          fp.Workload("b", cpu=1, memory="16Gi", current="h2", current_form="container")]
    plan = fp.place(ws, hosts, overheads=fp.Overheads.none())
    swap = (fp.Move("a", "h1", "h2", "vm", "vm", 1), fp.Move("b", "h2", "h1", "container", "vm", 1))
    schedule = replace(plan, moves=swap).schedule()
    text = schedule_text(schedule, None)
    assert text.splitlines() == [
        "Schedule: 0 moves in 0 waves; each wave keeps every rule while it runs.",
        "Blocked (2): each waits for room that another of them frees; a spare host, or evicting one of them, would "
        "break the cycle.",
        "  a: h1 -> h2 (vm): h2 would break capacity (memory)",
        "  b: h2 (container) -> h1 (vm): h1 would break capacity (memory)",  # a form change shows both forms
    ]
    assert schedule_dict(schedule)["blocked"][1] == {**swap[1].to_dict(), "reason": "h1 would break capacity (memory)"}


def test_no_moves_and_bad_combinations(capsys, tmp_path):
    code, out, _ = run(capsys, "replan", EXAMPLE, "--max-moves", 0, "--schedule")
    assert code == 0 and out.endswith("\nSchedule: no moves.\n")
    code, _, err = run(capsys, "replan", EXAMPLE, "--max-parallel", 2)
    assert code == 2 and "--max-parallel goes with --schedule" in err
    code, _, err = run(capsys, "replan", EXAMPLE, "--frontier", "0,5", "--schedule")
    assert code == 2 and "--schedule does not go with --frontier" in err
    code, _, err = run(capsys, "replan", EXAMPLE, "--schedule", "--max-parallel", 0)
    assert code == 2 and "must be at least 1" in err
    code, out, _ = run(capsys, "replan", EXAMPLE, "--max-moves", 5, "--schedule", "-q")
    assert code == 0 and out == ""
