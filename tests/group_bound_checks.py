"""The two checks every group-rule bound test makes on its random fleets: the core's bound equals the reference's
(value, and the plan's stated reason), and no bound is above an optimum CP-SAT proves."""

import pytest

import fleetpack as fp
from fleetpack import _core
from fleetpack.model.inputs import build_problem
from fleetpack.plan.plan import _rule_words
from fleetpack.reference.bounds import lower_bound_explained


def core_equals_reference(workloads, hosts, rules) -> None:
    """At every count placed, for both objectives; and `ffd`'s plan states the reference's bound and reason."""
    problem = build_problem(workloads, hosts, None, rules=rules).materialize()
    for objective in ("hosts", "cost"):
        for placed in range(len(workloads) + 1):
            core = _core.lower_bound(problem.encode(), objective, placed)
            assert core == pytest.approx(lower_bound_explained(problem, objective, placed)[0])
    plan = fp.place(workloads, hosts, rules=rules, method="ffd")
    reference = lower_bound_explained(problem, "hosts", plan.placed)
    assert (plan.lower_bound, plan.bound_reason) == (reference[0], _rule_words(reference[1], problem))


def below_proven_optima(workloads, hosts, rules, *, every_count: bool) -> None:
    """For both objectives, when `exact` proves its plan: the core's and the reference's bounds at the plan's count
    (``every_count``: at every count up to it, as a plan placing more also places fewer) are at most its value."""
    pytest.importorskip("ortools")
    for objective in ("hosts", "cost"):
        plan = fp.place(workloads, hosts, rules=rules, method="exact", objective=objective, time_limit=20)
        if not plan.strategy.endswith(":optimal"):
            continue
        problem = plan.problem.materialize()
        value = plan.objective_value
        for placed in range(plan.placed + 1) if every_count else (plan.placed,):
            assert _core.lower_bound(problem.encode(), objective, placed) <= value + 1e-9, (objective, placed)
            assert lower_bound_explained(problem, objective, placed)[0] <= value + 1e-9, (objective, placed)
