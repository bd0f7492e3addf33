"""Overcommit and headroom (issue 16) in the four places: the core and the pure-Python reference give the same
plans (assignments, bounds and their reasons) on random fleets with allocation ratios, workloads that may not be
overcommitted and a target utilisation; every plan (theirs and CP-SAT's) passes the independent verifier; the
bounds stay below CP-SAT's proven optimum; ratio 1 everywhere is no ratio, plan for plan."""

from dataclasses import replace

from hypothesis import HealthCheck, given, settings, strategies as st

import fleetpack as fp
import fleetpack.baseline
from fleetpack.exact import heuristics_only

from strategies import RATIOS, hosts, live_fleets, overbook_fleets, overheads, workloads

METHODS = ["ff", "ffd", "bfd", "wfd", "auto"]


def _verify(ws, hs, plan, over, keywords):
    return fp.verify(ws, hs, plan, over, **keywords)


@settings(max_examples=200, deadline=None)
@given(overbook_fleets(), st.sampled_from(METHODS), st.sampled_from(["sum", "max", "l2", "prod"]),
       st.sampled_from(["hosts", "cost", "spread"]))
def test_core_equals_reference_with_ratios(fleet, method, sort_key, objective):
    ws, hs, over, keywords = fleet
    kwargs = {"method": method, "sort_key": sort_key, "objective": objective, "overheads": over, **keywords}
    with heuristics_only():  # "auto" as its heuristic portfolio, as the reference runs it
        core = fp.place(ws, hs, **kwargs)
    reference = fleetpack.baseline.place(ws, hs, **kwargs)
    assert core.assignments == reference.assignments
    assert (core.lower_bound, core.bound_reason) == (reference.lower_bound, reference.bound_reason)
    assert {k: u.code for k, u in core.unplaced.items()} == {k: u.code for k, u in reference.unplaced.items()}
    assert _verify(ws, hs, core, over, keywords) == []


@settings(max_examples=60, deadline=None)
@given(overbook_fleets(), st.sampled_from(["hosts", "cost", "spread"]))
def test_auto_with_search_is_valid(fleet, objective):
    ws, hs, over, keywords = fleet
    plan = fp.place(ws, hs, objective=objective, overheads=over, **keywords)
    assert _verify(ws, hs, plan, over, keywords) == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(overbook_fleets(max_workloads=9, max_hosts=4), st.sampled_from(["hosts", "cost"]))
def test_bounds_below_the_exact_optimum(fleet, objective):
    ws, hs, over, keywords = fleet
    exact = fp.place(ws, hs, method="exact", objective=objective, overheads=over, time_limit=20, **keywords)
    assert _verify(ws, hs, exact, over, keywords) == []
    for method in ("ffd", "bfd"):
        plan = fp.place(ws, hs, method=method, objective=objective, overheads=over, **keywords)
        if plan.placed == exact.placed:
            assert plan.lower_bound <= exact.objective_value + 1e-9
        # CP-SAT places at least as many as any heuristic, and when proven, no more hosts (cost) for as many
        assert exact.placed >= plan.placed
        if exact.strategy.endswith(":optimal") and plan.placed == exact.placed:
            assert exact.objective_value <= plan.objective_value + 1e-9


@settings(max_examples=100, deadline=None)
@given(workloads(), hosts(), overheads, st.sampled_from(METHODS), st.sampled_from(["hosts", "cost", "spread"]),
       st.booleans())
def test_ratio_one_is_no_ratio(ws, hs, over, method, objective, flags):
    plain = fp.place(ws, hs, method=method, objective=objective, overheads=over)
    ones = [replace(h, allocation_ratio={"cpu": 1, "memory": 1.0}) for h in hs]
    if flags:  # workloads that may not be overcommitted change nothing at ratio 1
        ws = [replace(w, overcommit=k % 2 == 0) for k, w in enumerate(ws)]
    same = fp.place(ws, ones, method=method, objective=objective, overheads=over,
                    allocation_ratio={"cpu": 1}, max_utilization={"cpu": 1, "memory": 1})
    assert same.assignments == plain.assignments
    assert (same.lower_bound, same.bound_reason, same.strategy) == (plain.lower_bound, plain.bound_reason,
                                                                    plain.strategy)


@settings(max_examples=120, deadline=None)
@given(live_fleets(), st.sampled_from(METHODS), st.sampled_from(["hosts", "cost", "spread"]), RATIOS,
       st.sampled_from([None, {"cpu": 0.9}]), st.integers(0, 3))
def test_core_equals_reference_on_live_fleets_with_ratios(fleet, method, objective, ratio, usable, every):
    ws, hs, over, options = fleet
    if every:  # some workloads may not be overcommitted
        ws = [replace(w, overcommit=k % (every + 1) != 0) for k, w in enumerate(ws)]
    dims = {"cpu", "memory"} | {d for x in [*ws, *hs] for d in x.extra_units}
    ratio = None if ratio is None else {k: v for k, v in ratio.items() if k in dims} or None
    kwargs = {"method": method, "objective": objective, "allocation_ratio": ratio, "max_utilization": usable}

    def outcome(place):
        try:
            return place(ws, hs, overheads=over, **options, **kwargs)
        except fp.InfeasibleError as error:
            return error

    with heuristics_only():
        core = outcome(fp.place)
    reference = outcome(fleetpack.baseline.place)
    assert type(core) is type(reference), (core, reference)
    if isinstance(reference, fp.InfeasibleError):
        return
    assert core.assignments == reference.assignments
    assert (core.move_count, core.move_cost) == (reference.move_count, reference.move_cost)
    keywords = {k: v for k, v in options.items() if k in ("drain", "max_moves", "max_move_cost")}
    assert fp.verify(ws, hs, core, over, **keywords, allocation_ratio=ratio, max_utilization=usable) == []
    with_search = outcome(fp.place)
    if not isinstance(with_search, fp.InfeasibleError):
        assert fp.verify(ws, hs, with_search, over, **keywords, allocation_ratio=ratio, max_utilization=usable) == []
