"""CP-SAT on live fleets (issue 15, exact/live.py): ``method="exact"`` keeps the pins, empties the drained hosts and
stays within the budgets (the verifier recomputes the moves), is never worse than the heuristics (most placed, then
the objective, then the move cost), and a proven optimum is at least as good as every heuristic's plan; the budget
bound (rust/core/src/bounds/budget.rs, reference/bounds.py) never exceeds a proven optimum."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings, strategies as st

import fleetpack as fp
import fleetpack.baseline
from fleetpack import _core
from fleetpack.exact import heuristics_only
from fleetpack.exact.grouprules import solve_rules
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
    h, f, _, _, optimal = solve_rules(problem, objective, (hosts, forms, start.strategy), bound0=0, time_limit=10)
    if not optimal:
        return
    value = _float_value(problem, objective, h, f)
    core = _core.lower_bound(problem.encode(), objective, sum(j is not None for j in h))
    assert core <= value + 1e-9 * max(1.0, value), (core, value)
    reference, _ = lower_bound_explained(problem, objective, sum(j is not None for j in h))
    assert reference == core



@st.composite
def spread_out(draw):
    """Small live fleets as a spreading scheduler leaves them (each workload on the least loaded host), some pinned,
    under small budgets: the fleets where the budget bound, not the greenfield one, is the larger."""
    hs = [fp.Host(f"h{j}", cpu=16, memory="64Gi", cost=draw(st.sampled_from([1.0, 1.0, 2.5])))
          for j in range(draw(st.integers(3, 6)))]
    load = [0] * len(hs)
    ws = []
    for i in range(draw(st.integers(3, 12))):
        cpu = draw(st.integers(1, 6))
        j = min(range(len(hs)), key=lambda h: (load[h], h))
        load[j] += cpu
        ws.append(fp.Workload(f"w{i}", cpu=cpu, memory=f"{draw(st.integers(1, 16))}Gi", form="container",
                              current=hs[j].id, pinned=draw(st.integers(0, 6)) == 0,
                              move_cost=draw(st.sampled_from([None, 1, 3]))))
    options = {"max_moves": draw(st.sampled_from([None, 0, 1, 2, 3])),
               "max_move_cost": draw(st.sampled_from([None, None, 2, 6]))}
    return ws, hs, fp.Overheads.none(), options


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spread_out(), st.sampled_from(["hosts", "cost"]))
def test_the_budget_bound_never_exceeds_a_proven_optimum_on_spread_out_fleets(fleet, objective):
    test_the_budget_bound_never_exceeds_a_proven_optimum.hypothesis.inner_test(fleet, objective)


def test_the_budget_bound_proves_a_consolidation_within_two_moves():
    # four hosts run two workloads each now; two moves empty one host and no plan within them empties two: the
    # greenfield bound (2 hosts) is far below, the budget's is the optimum
    hs = [fp.Host(f"h{j}", cpu=16, memory="64Gi") for j in range(4)]
    ws = [fp.Workload(f"w{i}", cpu=2, memory="4Gi", form="container", current=f"h{i % 4}") for i in range(8)]
    plan = fp.place(ws, hs, overheads=fp.Overheads.none(), max_moves=2)
    assert (plan.hosts_used, plan.lower_bound, plan.proven_optimal) == (3, 3, True)
    with heuristics_only():  # (auto's exact stage then says the proof is its own)
        portfolio = fp.place(ws, hs, overheads=fp.Overheads.none(), max_moves=2)
    assert (portfolio.lower_bound, portfolio.bound_reason) == (
        3, "4 hosts are used now and at most 1 can be emptied within 2 moves")
    reference = fleetpack.baseline.place(ws, hs, overheads=fp.Overheads.none(), max_moves=2)
    assert (reference.lower_bound, reference.bound_reason) == (portfolio.lower_bound, portfolio.bound_reason)
    exact = fp.place(ws, hs, overheads=fp.Overheads.none(), max_moves=2, method="exact")
    assert (exact.hosts_used, exact.move_count) == (3, 2) and fp.verify(ws, hs, exact, fp.Overheads.none(),
                                                                         max_moves=2) == []
