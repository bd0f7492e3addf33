"""CP-SAT on live fleets (issue 15, exact/live.py): ``method="exact"`` keeps the pins, empties the drained hosts and
stays within the budgets (the verifier recomputes the moves), is never worse than the heuristics (most placed, then
the objective, then the move cost), and a proven optimum is at least as good as every heuristic's plan; the budget
bound (rust/core/src/bounds.rs, reference/bounds.py) never exceeds a proven optimum."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings, strategies as st

import fleetpack as fp
import fleetpack.baseline
from fleetpack import _core
from fleetpack.exact import heuristics_only
from fleetpack.exact.live import solve_live
from fleetpack.exact.search import _float_value
from fleetpack.model.inputs import build_problem
from fleetpack.reference.bounds import lower_bound_explained

from strategies import live_fleets


def outcome(place, ws, hs, over, options, **kwargs):
    try:
        return place(ws, hs, overheads=over, **options, **kwargs)
    except fp.InfeasibleError as error:
        return error


def rank(plan: fp.Plan) -> tuple:
    return (-plan.placed, round(plan.objective_value, 9), plan.move_cost)


def recount(ws, plan) -> tuple[int, int]:
    """The plan's moves, counted here from the workloads' current places."""
    moves = cost = 0
    for w in ws:
        if w.current is None:
            continue
        host, form = plan.host_of(w.id), plan.form_of(w.id)
        if host != w.current or (w.current_form is not None and form != w.current_form):
            moves += 1
            cost += w.move_cost_units
    return moves, cost


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(live_fleets(max_workloads=10, max_hosts=5), st.sampled_from(["hosts", "cost", "spread"]))
def test_exact_plans_of_live_fleets_are_valid_and_never_worse_than_the_heuristics(fleet, objective):
    ws, hs, over, options = fleet
    with heuristics_only():
        first = outcome(fp.place, ws, hs, over, options, objective=objective)
    exact = outcome(fp.place, ws, hs, over, options, objective=objective, method="exact", time_limit=20)
    assert type(exact) is type(first)
    if isinstance(exact, fp.InfeasibleError):
        assert exact.conflicts == first.conflicts
        return
    assert fp.verify(ws, hs, exact, over, **options) == []  # pins, drains, budgets, from recounted moves
    assert recount(ws, exact) == (exact.move_count, exact.move_cost)
    assert rank(exact) <= rank(first)
    if exact.strategy.endswith(":optimal"):
        assert exact.lower_bound <= exact.objective_value + 1e-9
        for method in ("ff", "ffd", "bfd", "wfd", "auto"):
            other = outcome(fp.place, ws, hs, over, options, objective=objective, method=method)
            if isinstance(other, fp.Plan):
                assert rank(exact) <= rank(other), method


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(live_fleets(max_workloads=10, max_hosts=6), st.sampled_from(["hosts", "cost"]))
def test_the_budget_bound_never_exceeds_a_proven_optimum(fleet, objective):
    ws, hs, over, options = fleet
    try:
        start = fleetpack.baseline.place(ws, hs, overheads=over, objective=objective, **options)
    except fp.InfeasibleError:
        return
    problem = build_problem(ws, hs, over, **options).materialize()
    if problem.live is None:
        return
    row = {h.id: j for j, h in enumerate(hs)}
    hosts = [None if start.host_of(w.id) is None else row[start.host_of(w.id)] for w in ws]
    forms = [start.form_of(w.id) for w in ws]
    # from the heuristics' plan (within the budgets) and no bound: the proof does not lean on the bound tested
    h, f, _, _, optimal = solve_live(problem, objective, (hosts, forms, start.strategy), bound0=0, time_limit=10)
    if not optimal:
        return
    value = _float_value(problem, objective, h, f)
    core = _core.lower_bound(problem.encode(), objective, sum(j is not None for j in h))
    assert core <= value + 1e-9 * max(1.0, value), (core, value)
    reference, _ = lower_bound_explained(problem, objective, sum(j is not None for j in h))
    assert reference == core

