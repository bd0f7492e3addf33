"""CP-SAT prints nothing the caller did not ask for, and the hints fleetpack gives it are feasible plans of its
models (issue 14): its search log and anything its C++ side writes to stderr go to the ``fleetpack.exact`` logger
at DEBUG, never to the process's stderr."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

import fleetpack as fp
from fleetpack import _core, generators
from fleetpack.exact import as_start, cpsat, search
from fleetpack.model.inputs import build_problem

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _fleets():
    fleets = [("consolidation.json", fp.load_fleet(EXAMPLES / "consolidation.json"))]
    for n, seed in ((20, 0), (30, 1), (40, 2)):
        fleets.append((f"realistic_fleet({n}, {seed})", generators.realistic_fleet(n, seed)))
    # identical hosts only: symmetry breaking decides every host's rank
    fleets.append(("falkenauer_triplets(15, 1)", generators.falkenauer_triplets(15, 1)))
    return fleets


FLEETS = _fleets()
# a fleet whose exact solve (objective hosts) reaches CP-SAT: the heuristics' plan meets neither the bound nor the
# assignment model's relaxation (which proves the small realistic fleets above before CP-SAT)
REACHES_CP_SAT = FLEETS[0][1]


def _place(fleet, method, objective):
    return fp.place(fleet.workloads, fleet.hosts, overheads=fleet.overheads, method=method, objective=objective,
                    workers=2, time_limit=2 if method == "exact" else None)


@pytest.mark.parametrize("name, fleet", FLEETS, ids=[name for name, _ in FLEETS])
@pytest.mark.parametrize("method", ["exact", "auto"])
def test_exact_and_auto_write_nothing_to_stdout_or_stderr(capfd, name, fleet, method):
    for objective in ("hosts", "cost", "spread"):
        plan = _place(fleet, method, objective)
        assert fp.verify(fleet.workloads, fleet.hosts, plan, fleet.overheads) == []
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


def _dump_flags(prefix: str, on: bool):
    from ortools.init.python import init

    flags = init.CppFlags()
    flags.cp_model_dump_models = on
    if on:
        flags.cp_model_dump_prefix = prefix
    init.CppBridge.set_flags(flags)


def test_what_cp_sat_writes_to_stderr_goes_to_the_logger(capfd, caplog, tmp_path):
    # with OR-Tools' dump flag on, CP-SAT's C++ logging announces every model it dumps on C's stderr: the same path
    # as its "Infeasible LNS solution!" message
    fleet = REACHES_CP_SAT
    _dump_flags(str(tmp_path / "m_"), True)
    try:
        with caplog.at_level(logging.DEBUG, logger="fleetpack.exact"):
            fp.place(fleet.workloads, fleet.hosts, overheads=fleet.overheads, method="exact", workers=2,
                     time_limit=2)
    finally:
        _dump_flags("", False)
    assert list(tmp_path.glob("m_*")), "CP-SAT dumped no model: the test did not make it write"
    assert capfd.readouterr() == ("", "")
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "fleetpack.exact")
    assert "CP-SAT wrote to stderr" in logged and "Dumping model" in logged


def test_the_search_log_only_when_the_logger_asks(caplog):
    fleet = REACHES_CP_SAT
    with caplog.at_level(logging.INFO, logger="fleetpack.exact"):
        _place(fleet, "exact", "hosts")
    assert not [r for r in caplog.records if r.name == "fleetpack.exact"]
    with caplog.at_level(logging.DEBUG, logger="fleetpack.exact"):
        _place(fleet, "exact", "hosts")
    lines = [r.getMessage() for r in caplog.records if r.name == "fleetpack.exact"]
    assert any(line.startswith("CP-SAT: ") and "Starting CP-SAT" in line for line in lines)


def test_the_redirection_ends_with_the_last_solve():
    # nested users (concurrent solves) share one redirection; C's stderr is back as it was after the last
    if cpsat._native_stderr._stderr is None:
        pytest.skip("no C stderr stream to redirect on this platform")
    before = cpsat._native_stderr._stderr.value
    with cpsat._native_stderr:
        inside = cpsat._native_stderr._stderr.value
        with cpsat._native_stderr:
            assert cpsat._native_stderr._stderr.value == inside
        assert cpsat._native_stderr._stderr.value == inside
    assert inside != before and cpsat._native_stderr._stderr.value == before


def test_every_hint_is_a_complete_feasible_solution(monkeypatch):
    # each CP-SAT round gets the best plan so far as its hint: solved with every variable fixed to its hinted value,
    # the model must be feasible (the assignment model's symmetry breaking accepts the plan once its hosts are
    # renumbered; the arc-flow model gets the plan's paths)
    from ortools.sat.python import cp_model

    real = search._run_cp_sat
    checked = []

    def check_hint_then_run(solver, model, deadline):
        proto = model.proto
        if proto.name == search.RESTRICTED:  # the round on the relaxation's hosts gets no hint at all
            assert len(proto.solution_hint.vars) == 0
            checked.append("restricted")
            return real(solver, model, deadline)
        assert len(proto.solution_hint.vars) == len(proto.variables)
        probe = cp_model.CpSolver()
        probe.parameters.fix_variables_to_their_hinted_value = True
        probe.parameters.num_workers = 1
        probe.parameters.max_time_in_seconds = 10
        status = probe.solve(model)
        checked.append(probe.status_name(status))
        return real(solver, model, deadline)

    monkeypatch.setattr(search, "_run_cp_sat", check_hint_then_run)
    for _, fleet in FLEETS:
        for objective in ("hosts", "cost", "spread"):
            for method in ("exact", "auto"):
                _place(fleet, method, objective)
    # both formulations from a first-fit-decreasing plan, and from nothing placed, where the LP bound does not end it
    for seed in (0, 2):
        fleet = generators.scholl2(30, seed)
        problem = build_problem(fleet.workloads, fleet.hosts, fleet.overheads).materialize()
        ffd = as_start(_core.place(problem.encode(), "ffd", "sum", "hosts", None))
        nothing = ([None] * len(problem.workloads), [None] * len(problem.workloads), "none", 0)
        for start in (ffd, nothing):
            for formulation in ("arcflow", "assignment"):
                search.solve(problem, "hosts", start, formulation=formulation, workers=2, time_limit=2)
    assert len(checked) > 10 and set(checked) <= {"OPTIMAL", "FEASIBLE", "restricted"}, checked
