"""More capacity never places fewer workloads -- for the exact method, which proves it places the most it can.

Adding a host, or enlarging one (more CPU, memory or an extra dimension, nothing else changed), keeps every plan of
the smaller fleet possible, so the proven maximum cannot drop. (The heuristics have no such property: a greedy
order can place fewer on a larger fleet.) Checked on small random problems with every rule in play, where CP-SAT
proves optimality quickly; a pair where either run is unproven says nothing and is skipped.
"""

from __future__ import annotations

import dataclasses

from hypothesis import event, given, strategies as st

import fleetpack as fp
from fleetpack import _core, exact
from fleetpack.model import build_problem

from strategies import hosts, overheads, workloads


def most_placed(ws, hs, over, objective) -> tuple[int, bool]:
    """(workloads placed, proven optimal) by the exact solver, from the core's portfolio plan as `place` does."""
    problem = build_problem(ws, hs, over)
    start = exact.as_start(_core.place(problem.encode(), "auto", "sum", objective, None))
    r = exact.solve(problem, objective, start, workers=1, time_limit=10)
    plan = {w.id: None if j is None else (hs[j].id, f) for w, j, f in zip(ws, r.hosts, r.forms)}
    assert fp.verify(ws, hs, plan, over) == []
    return sum(j is not None for j in r.hosts), r.optimal


@st.composite
def more_capacity(draw, hs):
    """``hs`` with one host added, or one host enlarged in some dimensions."""
    if not hs or draw(st.booleans()):
        drawn = draw(hosts(max_size=1)) or [fp.Host("h", cpu=4, memory="8Gi")]
        return [*hs, dataclasses.replace(drawn[0], id=f"added-{len(hs)}")], "added a host"
    j = draw(st.integers(0, len(hs) - 1))
    h = hs[j]
    grown = dataclasses.replace(
        h,
        cpu=h.cpu_millis / 1000 + draw(st.sampled_from([0, 0.5, 2, 8])),
        memory=h.memory_bytes + draw(st.sampled_from([0, 2**29, 2**31, 2**33])),
        extra={**(h.extra or {}), "gpu": (h.extra or {}).get("gpu", 0) + draw(st.sampled_from([0, 1, 2]))},
    )
    return [*hs[:j], grown, *hs[j + 1:]], "enlarged a host"


@given(workloads(max_size=7), hosts(max_size=3), overheads, st.sampled_from(["hosts", "cost", "spread"]), st.data())
def test_more_capacity_never_places_fewer_for_exact(ws, hs, over, objective, data):
    bigger, how = data.draw(more_capacity(hs))
    before, proven_before = most_placed(ws, hs, over, objective)
    after, proven_after = most_placed(ws, bigger, over, objective)
    event(f"proven both: {proven_before and proven_after}")
    event(how)
    event(f"some left out before: {before < len(ws)}")
    if proven_before and proven_after:
        assert after >= before, f"{how}: {before} placed before, {after} after"
