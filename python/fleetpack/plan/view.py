"""A plan seen against the problem it answers: where each workload runs, and what each host holds in the end.

Explanations, frames and plots all read a plan this way. The host states are rebuilt from the plan's assignments
with `HostState`, the reference statement of the rules, so that what they show is what the rules say.
"""

from __future__ import annotations

from functools import cached_property

from typing import TYPE_CHECKING

from ..model.problem import Problem
from ..model.rules import HostState
from .scoring import host_states

if TYPE_CHECKING:
    from .plan import Plan

__all__ = ["PlanView", "NO_PROBLEM"]

NO_PROBLEM = (
    "this plan does not know its workloads and hosts (it was read from a file); load it with "
    "fleetpack.fleetfile.load_plan(path, fleet=...) to attach them"
)


class PlanView:
    """A `Plan` with its `Problem`: per workload (input order) its host index and form, and per host its state."""

    def __init__(self, plan: Plan):
        problem = plan.problem
        if problem is None:
            raise ValueError(NO_PROBLEM)
        problem = problem.materialize()  # a columnar problem (large inputs) makes its objects only now
        self.plan = plan
        self.problem: Problem = problem
        self.workload_pos = {w.id: i for i, w in enumerate(problem.workloads)}
        self.host_pos = {h.id: j for j, h in enumerate(problem.hosts)}
        n = len(problem.workloads)
        self.host_index: list[int | None] = [None] * n
        self.forms: list[str | None] = [None] * n
        for a in plan.assignments:
            i, j = self.workload_pos.get(a.workload), self.host_pos.get(a.host)
            if i is None or j is None:
                raise ValueError(f"the plan places workload {a.workload!r} on host {a.host!r}, and its problem has "
                                 f"no such {'workload' if i is None else 'host'}")
            self.host_index[i], self.forms[i] = j, a.form

    @cached_property
    def states(self) -> list[HostState]:
        """Each host's final state, in input order."""
        return host_states(self.problem, self.host_index, self.forms)

    @cached_property
    def residents(self) -> list[list[int]]:
        """Per host, the indices of its workloads in input order."""
        out: list[list[int]] = [[] for _ in self.problem.hosts]
        for i, j in enumerate(self.host_index):
            if j is not None:
                out[j].append(i)
        return out

    def state_without(self, i: int) -> HostState:
        """The final state of workload ``i``'s host as if ``i`` were not there (its host must be known)."""
        j = self.host_index[i]
        state = HostState(self.problem, self.problem.hosts[j])
        for k in self.residents[j]:
            if k != i:
                state.add(self.problem.workloads[k], self.forms[k])
        return state

    def workload_index(self, workload_id: str) -> int:
        try:
            return self.workload_pos[workload_id]
        except KeyError:
            raise KeyError(f"no workload {workload_id!r} in this plan's problem") from None
