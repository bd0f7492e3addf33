"""The Rust core and the pure-Python reference follow the live-fleet contract alike (issue 15,
docs/design-live-rules-capacity.md): on random live fleets, for every heuristic method and sort key, both raise
`InfeasibleError` naming the same workloads, or both give the same assignments, strategy and moves; and the core's
plans pass the verifier within their budgets. (It needs the core's side of the contract, branch live-core.)"""

from hypothesis import example, given, settings, strategies as st

import fleetpack as fp
import fleetpack.baseline
from fleetpack.exact import heuristics_only

from strategies import live_fleets

METHODS = ["ff", "ffd", "bfd", "wfd", "auto"]


def outcome(place, ws, hs, over, options, **kwargs):
    """The plan, or the `InfeasibleError` raised instead."""
    try:
        return place(ws, hs, overheads=over, **options, **kwargs)
    except fp.InfeasibleError as error:
        return error


# found by this test: a live fleet without a budget, where the core's auto planned from nothing although its search
# had no work (heuristics_only); with no search work auto is its portfolio, as the contract's step 4 reads
_SPREAD_OUT = (
    [fp.Workload("w0", cpu="1942m"), fp.Workload("w1", memory=3 * 2**30, anti_affinity="g1"),
     fp.Workload("w2", memory=3.5 * 2**30, current="h2", current_form="vm"), fp.Workload("w3", cpu="1942m"),
     fp.Workload("w4", memory=3.5 * 2**30, anti_affinity="g1")],
    [fp.Host(h, cpu=2, memory=memory, extra=extra, containers=False, cost=0.5)
     for h, memory, extra in (("h0", "4Gi", None), ("h1", "16Gi", None), ("h2", "8Gi", {"gpu": 2}), ("h3", "4Gi", None))],
    None, {"drain": ["h0", "h3"], "max_moves": None, "max_move_cost": None})


@settings(max_examples=150, deadline=None)
@example(_SPREAD_OUT, "auto", "sum", "hosts")
@given(live_fleets(), st.sampled_from(METHODS), st.sampled_from(["sum", "max", "l2", "prod"]),
       st.sampled_from(["hosts", "cost", "spread"]))
def test_core_equals_reference_on_live_fleets(fleet, method, sort_key, objective):
    ws, hs, over, options = fleet
    kwargs = {"method": method, "sort_key": sort_key, "objective": objective}
    with heuristics_only():  # "auto" as its heuristic portfolio, as the reference runs it
        core = outcome(fp.place, ws, hs, over, options, **kwargs)
    reference = outcome(fleetpack.baseline.place, ws, hs, over, options, **kwargs)
    assert type(core) is type(reference), (core, reference)
    if isinstance(reference, fp.InfeasibleError):
        assert core.conflicts == reference.conflicts and core.needed == reference.needed
        return
    assert core.assignments == reference.assignments
    assert core.strategy == reference.strategy
    assert core.moves == reference.moves
    assert (core.move_count, core.move_cost) == (reference.move_count, reference.move_cost)
    # the bound, the budget's included (docs/design-live-rules-capacity.md, "Lower bound"), and its reason
    assert (core.lower_bound, core.bound_reason) == (reference.lower_bound, reference.bound_reason)
    assert {k: u.code for k, u in core.unplaced.items()} == {k: u.code for k, u in reference.unplaced.items()}
    assert fp.verify(ws, hs, core, over, **options) == []
