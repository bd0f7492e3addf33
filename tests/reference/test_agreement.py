"""The Rust core and the pure-Python baseline give identical plans, and every plan passes the verifier."""

from hypothesis import given, strategies as st

import fleetpack as fp
import fleetpack.baseline
from fleetpack.exact import heuristics_only

from strategies import hosts, overheads, workloads

METHODS = ["ff", "ffd", "bfd", "wfd", "auto"]


def same_plan(a: fp.Plan, b: fp.Plan) -> None:
    assert a.assignments == b.assignments
    assert a.strategy == b.strategy
    assert a.lower_bound == b.lower_bound
    assert a.bound_reason == b.bound_reason
    assert a.objective_value == b.objective_value
    # the core reports the hosts it uses and their cost itself; the baseline's plan works them out from the plan
    assert (a.hosts_used, a.cost) == (b.hosts_used, b.cost)
    assert {k: u.code for k, u in a.unplaced.items()} == {k: u.code for k, u in b.unplaced.items()}


@given(workloads(), hosts(), overheads, st.sampled_from(METHODS), st.sampled_from(["sum", "max", "l2", "prod"]),
       st.sampled_from(["hosts", "cost", "spread"]))
def test_core_equals_baseline(ws, hs, over, method, sort_key, objective):
    with heuristics_only():  # "auto" compared as the heuristic portfolio, without its exact (CP-SAT) stage
        core = fp.place(ws, hs, method=method, sort_key=sort_key, objective=objective, overheads=over)
    base = fleetpack.baseline.place(ws, hs, method=method, sort_key=sort_key, objective=objective, overheads=over)
    same_plan(core, base)
    assert fp.verify(ws, hs, core, over) == []


@given(workloads(), hosts(), overheads, st.sampled_from(["hosts", "cost", "spread"]))
def test_auto_is_the_best_of_its_portfolio(ws, hs, over, objective):
    auto = fp.place(ws, hs, objective=objective, overheads=over)
    for method, key in fleetpack.baseline.portfolio(objective):
        single = fp.place(ws, hs, method=method, sort_key=key, objective=objective, overheads=over)
        assert (-auto.placed, auto.objective_value) <= (-single.placed, single.objective_value)
        # the bound holds for every plan that places as many
        if single.placed == auto.placed and not auto.unplaced:
            assert single.objective_value >= auto.lower_bound - 1e-9


@given(workloads(max_size=12), hosts(max_size=6))
def test_deterministic(ws, hs):
    first = fp.place(ws, hs, method="auto")
    assert fp.place(ws, hs, method="auto").to_dict() | {"elapsed": 0} == first.to_dict() | {"elapsed": 0}
