"""A plan's score by the reference rules: each host's final state, the objective's value, whether it meets a bound.
Used by the plan builder, the exact solver and the reference solver."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model.rules import HostState

if TYPE_CHECKING:
    from ..model.problem import Problem

__all__ = ["host_states", "utilisation", "objective_value", "meets_bound"]


def host_states(problem: Problem, host_index, forms) -> list[HostState]:
    """Each host's final state under an assignment (workload i on host ``host_index[i]`` as ``forms[i]``)."""
    states = [HostState(problem, h) for h in problem.hosts]
    for w, j, form in zip(problem.workloads, host_index, forms):
        if j is not None:
            states[j].add(w, form)
    return states


def utilisation(state: HostState) -> list[float]:
    return [float(u) / float(c) if c > 0 else 0.0 for u, c in zip(state.used, state.capacity)]


def objective_value(problem: Problem, objective: str, states: list[HostState]) -> float:
    """The objective's score of a plan: hosts used, total cost (summed in host input order), or the largest
    utilisation of any used host in any dimension it has."""
    used = [s for s in states if s.count > 0]
    if objective == "hosts":
        return len(used)
    if objective == "cost":
        total = 0.0
        for s in used:
            total += s.host.cost
        return total
    worst = 0.0
    for s in used:
        for u in utilisation(s):
            worst = max(worst, u)
    return worst


def meets_bound(objective: str, value: float, bound: float) -> bool:
    if objective == "hosts":
        return value <= bound
    return value <= bound + 1e-9 * max(1.0, abs(bound))
