"""Maximal plans: no workload a plan leaves out fits it as it stands (issue 18).

The Rust core makes every plan of ``auto`` maximal (rust/core/src/improve/fill.rs). A CP-SAT answer is maximal
when CP-SAT proves it (it maximises the count first), but one cut short by its time limit may not be: `fill` places
every left-out workload that fits, by the reference rules (`HostState`). One pass suffices, as there: adding a
workload never makes room for another, so one that fits nowhere now fits nowhere later.
"""

from __future__ import annotations

from ..model.problem import Problem
from ..model.rules import HostState, smallest_demand, static_forms
from ..plan.scoring import host_states

__all__ = ["fill"]


def fill(problem: Problem, objective: str, hosts: list, forms: list) -> tuple[list, list, int]:
    """``(hosts, forms, added)``: the plan (host index and form per workload, None when left out) with every
    left-out workload that fits placed, smallest first; on the used host it fills most tightly, else the first
    unused host that takes it (for ``"spread"``: the host, used or not, left least utilised)."""
    hosts, forms = list(hosts), list(forms)
    left = [i for i, j in enumerate(hosts) if j is None]
    if not left or not problem.hosts:
        return hosts, forms, 0
    states = host_states(problem, hosts, forms)
    scale = [max(problem.capacity(h)[d] for h in problem.hosts) for d in range(len(problem.dimensions))]

    def size(i: int) -> float:
        small = smallest_demand(problem, problem.workloads[i])
        return sum(a / s for a, s in zip(small, scale) if s > 0)

    failed: set[tuple] = set()
    added = 0
    for i in sorted(left, key=lambda i: (size(i), i)):
        w = problem.workloads[i]
        signature = (tuple(problem.demand(w)), w.form, w.os, w.tenant, w.isolation, w.anti_affinity, w.selector_terms,
                     frozenset(w.tolerations))
        if signature in failed:
            continue
        spot = _spot(states, w, objective)
        if spot is None:
            failed.add(signature)
            continue
        j, form = spot
        states[j].add(w, form)
        hosts[i], forms[i] = j, form
        added += 1
    return hosts, forms, added


def _spot(states: list[HostState], w, objective: str) -> tuple[int, str] | None:
    fitting = []
    for j, s in enumerate(states):
        form = next((f for f in static_forms(w, s.host) if s.blocker(w, f) is None), None)
        if form is not None:
            fitting.append((j, form, s.usage_after(w, form)))
    if not fitting:
        return None
    if objective == "spread":
        def peak(item) -> float:
            _, _, after = item
            cap = states[item[0]].capacity
            return max((u / c for u, c in zip(after, cap) if c > 0), default=0.0)
        j, form, _ = min(fitting, key=peak)
        return j, form
    used = [item for item in fitting if states[item[0]].count > 0]
    if used:
        j, form, _ = min(used, key=lambda item: states[item[0]].normalised_free(item[2]))
        return j, form
    return fitting[0][0], fitting[0][1]
