"""The reference solver on live fleets (issue 15): its plans keep every rule, every pin and drain and both budgets
under the independent verifier; it raises `InfeasibleError` exactly when the contract's keep step leaves a pin
that does not fit or forced moves beyond a budget; a fleet that runs where a valid plan put it stays put; and with
no current host and no drain a plan is today's."""

from dataclasses import replace

import pytest
from hypothesis import given, settings, strategies as st

import fleetpack as fp
import fleetpack.baseline
from fleetpack.model.inputs import build_problem
from fleetpack.plan.moves import keep_current

from strategies import hosts, live_fleets, overheads, workloads

METHODS = ["ff", "ffd", "bfd", "wfd", "auto"]
KEYS = ["sum", "max", "l2", "prod"]
OBJECTIVES = ["hosts", "cost", "spread"]


def forced_beyond_budget(ws, hs, over, options) -> tuple[list[str], list[str]]:
    """(the pinned workloads that do not fit, the forced moves) when no plan within the budget exists, by the
    contract's keep step."""
    problem = build_problem(ws, hs, over, **options).materialize()
    if problem.live is None:
        return [], []
    kept = keep_current(problem)
    pins = [ws[i].id for i, _ in kept.pin_conflicts]
    forced = [i for i, _ in kept.forced]
    cost = sum(ws[i].move_cost_units for i in forced)
    over_budget = (options["max_moves"] is not None and len(forced) > options["max_moves"]
                   or options["max_move_cost"] is not None and cost > options["max_move_cost"])
    return pins, [ws[i].id for i in forced] if over_budget else []


@settings(max_examples=150, deadline=None)
@given(live_fleets(), st.sampled_from(METHODS), st.sampled_from(KEYS), st.sampled_from(OBJECTIVES))
def test_reference_plans_of_live_fleets_pass_the_verifier(fleet, method, sort_key, objective):
    ws, hs, over, options = fleet
    pins, beyond = forced_beyond_budget(ws, hs, over, options)
    try:
        plan = fleetpack.baseline.place(ws, hs, method=method, sort_key=sort_key, objective=objective,
                                        overheads=over, **options)
    except fp.InfeasibleError as error:
        assert pins or beyond, str(error)
        named = [c[0] for c in error.conflicts]
        assert named == (pins or beyond)
        if not pins:  # the smallest budget that repairs it is the forced moves'
            costs = {w.id: w.move_cost_units for w in ws}
            if "max_moves" in error.needed:
                assert error.needed["max_moves"] == len(beyond) > options["max_moves"]
            if "max_move_cost" in error.needed:
                assert error.needed["max_move_cost"] == sum(costs[w] for w in beyond) > options["max_move_cost"]
            assert error.needed
        return
    assert not pins and not beyond
    assert fp.verify(ws, hs, plan, over, **options) == []
    # the plan's own moves are the verifier's definition: with a budget of exactly them, nothing is over
    assert fp.verify(ws, hs, plan, over, max_moves=plan.move_count, max_move_cost=plan.move_cost,
                     drain=options["drain"]) == []
    if plan.move_count:
        assert any(v.rule == "max_moves" for v in fp.verify(ws, hs, plan, over, max_moves=plan.move_count - 1))
    if options["max_moves"] is not None:
        assert plan.move_count <= options["max_moves"]
    if options["max_move_cost"] is not None:
        assert plan.move_cost <= options["max_move_cost"]


@settings(max_examples=60, deadline=None)
@given(workloads(max_size=14), hosts(max_size=6), overheads, st.sampled_from(["ff", "ffd", "bfd", "wfd"]),
       st.sampled_from(KEYS), st.sampled_from(OBJECTIVES))
def test_a_fleet_that_runs_where_a_valid_plan_put_it_stays_put(ws, hs, over, method, sort_key, objective):
    first = fleetpack.baseline.place(ws, hs, method=method, sort_key=sort_key, objective=objective, overheads=over)
    live = [replace(w, current=first.host_of(w.id), current_form=first.form_of(w.id)) for w in ws]
    again = fleetpack.baseline.place(live, hs, method=method, sort_key=sort_key, objective=objective,
                                     overheads=over, max_moves=0)
    assert again.move_count == 0 and again.moves == ()
    assert again.assignments == first.assignments


@settings(max_examples=60, deadline=None)
@given(workloads(max_size=14), hosts(max_size=6), overheads, st.sampled_from(["ff", "ffd", "bfd", "wfd"]),
       st.sampled_from(KEYS), st.sampled_from(OBJECTIVES), st.data())
def test_draining_hosts_a_greenfield_plan_leaves_empty_changes_nothing(ws, hs, over, method, sort_key, objective,
                                                                       data):
    first = fleetpack.baseline.place(ws, hs, method=method, sort_key=sort_key, objective=objective, overheads=over)
    empty = [h.id for h in hs if h.id not in {a.host for a in first.assignments}]
    drain = data.draw(st.lists(st.sampled_from(empty), unique=True) if empty else st.just([]))
    drained = fleetpack.baseline.place(ws, hs, method=method, sort_key=sort_key, objective=objective,
                                       overheads=over, drain=drain)
    assert drained.assignments == first.assignments
    assert drained.live == bool(drain) and drained.move_count == 0


@settings(max_examples=40, deadline=None)
@given(workloads(max_size=12), hosts(max_size=5), overheads, st.sampled_from(METHODS), st.sampled_from(OBJECTIVES))
def test_without_current_or_drain_a_plan_is_todays(ws, hs, over, method, objective):
    """Budgets alone make no live fleet: the plan, the wire arrays and the plan's dict are today's."""
    today = fleetpack.baseline.place(ws, hs, method=method, objective=objective, overheads=over)
    budgeted = fleetpack.baseline.place(ws, hs, method=method, objective=objective, overheads=over, max_moves=0,
                                        max_move_cost=0, drain=[])
    assert budgeted.assignments == today.assignments and budgeted.strategy == today.strategy
    assert not budgeted.live and "moves" not in budgeted.to_dict()
    assert build_problem(ws, hs, over, max_moves=0).encode().keys() == build_problem(ws, hs, over).encode().keys()


def test_a_forced_move_beyond_the_budget_names_the_workloads_rule_and_smallest_budget():
    hs = [fp.Host("h1", cpu=4, memory="8Gi"), fp.Host("h2", cpu=4, memory="8Gi")]
    ws = [fp.Workload("big", cpu=3, memory="1Gi", current="h1", move_cost=7),
          fp.Workload("also-big", cpu=3, memory="1Gi", current="h1", move_cost=5)]
    with pytest.raises(fp.InfeasibleError) as info:
        fleetpack.baseline.place(ws, hs, max_move_cost=4, strict=False)
    error = info.value
    assert error.plan is None and error.conflicts == (("also-big", "h1", "capacity (cpu)"),)
    assert error.needed == {"max_move_cost": 5}
    assert "max_move_cost >= 5 (given 4)" in str(error)
    plan = fleetpack.baseline.place(ws, hs, max_move_cost=5)  # the smallest budget repairs it
    assert [(m.workload, m.source, m.target, m.cost) for m in plan.moves] == [("also-big", "h1", "h2", 5)]


def test_a_pinned_workload_that_does_not_fit_is_infeasible_whatever_the_budget():
    hs = [fp.Host("h1", cpu=4, memory="8Gi"), fp.Host("h2", cpu=4, memory="8Gi")]
    ws = [fp.Workload("a", cpu=3, current="h1", pinned=True), fp.Workload("b", cpu=3, current="h1", pinned=True)]
    with pytest.raises(fp.InfeasibleError, match="pinned workload") as info:
        fleetpack.baseline.place(ws, hs)
    assert info.value.conflicts == (("b", "h1", "capacity (cpu)"),) and info.value.needed == {}


def test_pinned_workloads_are_kept_before_the_others():
    hs = [fp.Host("h1", cpu=4, memory="8Gi"), fp.Host("h2", cpu=4, memory="8Gi")]
    ws = [fp.Workload("free", cpu=3, current="h1"), fp.Workload("pin", cpu=3, current="h1", pinned=True)]
    plan = fleetpack.baseline.place(ws, hs, method="ffd")
    assert plan.host_of("pin") == "h1" and plan.host_of("free") == "h2"
    assert [(m.workload, m.source, m.target) for m in plan.moves] == [("free", "h1", "h2")]
    assert "could not stay: capacity (cpu)" in str(plan.explain("free"))


def test_a_drained_host_ends_empty_and_an_eviction_is_a_move():
    hs = [fp.Host("h1", cpu=4, memory="8Gi"), fp.Host("h2", cpu=2, memory="8Gi")]
    ws = [fp.Workload("x", cpu=3, memory="1Gi", current="h1", current_form="vm")]
    plan = fleetpack.baseline.place(ws, hs, drain=["h1"], max_moves=1)
    assert plan.unplaced and plan.moves == (fp.Move("x", "h1", None, "vm", None, 2**30),)
    assert plan.to_dict()["moves"] == [{"workload": "x", "source": "h1", "target": None, "source_form": "vm",
                                        "target_form": None, "cost": 2**30}]
    assert fp.Plan.from_json(plan.to_json()).moves == plan.moves
    assert "It was evicted from host 'h1' (as a VM): it could not stay: its host is drained." in str(
        plan.explain("x"))
    assert plan.to_pandas()["moved"].tolist() == [True]
    # a drained host takes nothing: not a place it "would fit", but a host ruled out
    assert plan.unplaced["x"].code == "too_large" and "largest eligible host has 2" in plan.unplaced["x"].message
    assert "1 host (h1): drained (it must end empty)" in str(plan.explain("x"))
