"""The ``fleetpack`` logger says, at debug level, what ``place`` ran and each stage's result and time; the
command's ``-v`` shows the same on stderr, and nothing is logged without being asked."""

from __future__ import annotations

import logging

import fleetpack as fp
from fleetpack.cli.main import main

WORKLOADS = [fp.Workload(f"w{i}", cpu=1 + i % 3, memory="1Gi") for i in range(12)]
HOSTS = [fp.Host(f"h{j}", cpu=8, memory="16Gi") for j in range(6)]


def _messages(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name.startswith("fleetpack")]


def test_auto_logs_its_stages_with_their_results_and_times(caplog):
    caplog.set_level(logging.DEBUG, logger="fleetpack")
    plan = fp.place(WORKLOADS, HOSTS, method="auto", time_limit=5)
    messages = _messages(caplog)
    assert any(m.startswith("input checked (Problem) in ") for m in messages)
    assert any(m.startswith("auto: 12 workloads, 6 hosts, objective hosts, time limit 5 s") for m in messages)
    core = [m for m in messages if m.startswith("auto: the core: ")]
    assert len(core) == 1 and f"placed {plan.placed} of 12" in core[0] and core[0].endswith(" s")
    # the exact stage says whether it ran, and what it found or why not
    assert any(m.startswith("auto: exact stage") or m.startswith("auto: no exact stage: ") for m in messages)
    assert all(r.levelno == logging.DEBUG for r in caplog.records if r.name.startswith("fleetpack"))


def test_the_exact_method_logs_the_portfolio_and_cp_sat(caplog):
    caplog.set_level(logging.DEBUG, logger="fleetpack")
    fp.place(WORKLOADS[:6], HOSTS[:3], method="exact", time_limit=5)
    messages = _messages(caplog)
    assert any(m.startswith("exact: the core's portfolio: ") for m in messages)
    assert any(m.startswith("exact: CP-SAT: ") and "lower bound" in m for m in messages)


def test_nothing_is_logged_below_the_level_asked_for(caplog):
    caplog.set_level(logging.INFO, logger="fleetpack")
    fp.place(WORKLOADS, HOSTS, method="ffd")
    assert _messages(caplog) == []


def test_the_command_shows_the_log_with_v(tmp_path, capsys):
    fleet = tmp_path / "fleet.json"
    fp.fleetfile.dump_fleet((WORKLOADS, HOSTS), fleet)
    assert main(["place", str(fleet), "--method", "ffd", "-q", "-v"]) == 0
    err = capsys.readouterr().err
    assert "fleetpack: ffd: 12 workloads, 6 hosts" in err
    assert "fleetpack: ffd: the core: " in err
    assert main(["place", str(fleet), "--method", "ffd", "-q"]) == 0
    assert capsys.readouterr().err == ""  # without -v, and the handler is gone after the run
    assert logging.getLogger("fleetpack").handlers == []
