"""The bound the exact solver reports when its plan places more workloads than the heuristics' plan: the core's
(`_core.lower_bound`), which is the value the pure-Python contract (`fleetpack.baseline.lower_bound`) computes."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

import fleetpack.baseline
from fleetpack import _core, generators
from fleetpack.exact import search
from fleetpack.model.inputs import build_problem

from strategies import hosts as host_lists, overheads as overhead_choices, workloads as workload_lists


def _same_bound_for_every_count(problem, objective):
    problem = problem.materialize()
    arrays = problem.encode()
    for placed in range(len(problem.workloads) + 2):
        core = _core.lower_bound(arrays, objective, placed)
        contract = fleetpack.baseline.lower_bound(problem, objective, placed)
        assert core == pytest.approx(contract, rel=1e-12, abs=0), (objective, placed)
        assert search._foundation_bound(problem, objective, placed, (-1, 0.0)) == pytest.approx(contract, rel=1e-12)


@given(workload_lists(), host_lists(), overhead_choices, st.sampled_from(["hosts", "cost", "spread"]))
def test_the_core_bound_is_the_contract_bound_for_every_count(ws, hs, over, objective):
    _same_bound_for_every_count(build_problem(ws, hs, over), objective)


@pytest.mark.parametrize("objective", ["hosts", "cost", "spread"])
def test_the_core_bound_on_generated_fleets(objective):
    for instance in (generators.realistic_fleet(30, 1), generators.falkenauer_uniform(30, 2),
                     generators.vector_class(4, 20, 2, 3)):
        _same_bound_for_every_count(build_problem(instance.workloads, instance.hosts, instance.overheads), objective)

