"""Symmetry of interchangeable hosts, and what the exact solver may skip because of it (issue 18).

Hosts of one class (`_Instance.classes`: same capacity, OS, runtimes, cost and cap) are interchangeable, so a plan
can be renumbered within each class without changing its value. The assignment model already uses the hosts of a
class in order (`fleetpack.exact.assignment`); on top of that:

- **hosts a plan of the hint's value cannot use are left out**: with ``objective="hosts"`` a plan of at most ``ub``
  hosts uses at most ``ub`` hosts of any one class, and with ``"cost"`` at most ``ub // cost`` of a class whose
  hosts cost ``cost`` each; a class's hosts are used in order, so its first ones are kept. On the demo fleet
  (`examples/consolidation.json`) this cuts 41 hosts to 27 and the model's variables by a third.
- **the arc-flow graphs get a budget in line with the assignment model**: the graphs are used only when they have
  at most ``max(2 × assignment variables, 2 000)`` arcs (`fleetpack.exact.search._prefer_arcflow`); building graphs
  that would lose that comparison took seconds on rule-heavy fleets before CP-SAT ever ran. The budget, in search
  states, is `STATES_PER_ARC` times that limit (on the BPPLIB samples where arc-flow wins, the graphs took at most
  1.9 states per arc kept).

Hosts that are not interchangeable with any other are classes of their own: on a live fleet, every host that holds
a current workload (pinned or not) and every drained host (`live_hosts`).

`pruning(False)` turns both off, for benches and tests that compare the two.
"""

from __future__ import annotations

import contextvars
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..model.problem import Problem
    from .instance import _Instance

#: The arc-flow graphs built to be compared with the assignment model get this many search states per arc of the
#: limit the comparison sets.
STATES_PER_ARC = 3

_PRUNING: contextvars.ContextVar[bool] = contextvars.ContextVar("fleetpack_exact_pruning", default=True)


class pruning:
    """Context manager: ``with pruning(False): ...`` builds the exact models without what this module adds (every
    host of a class, graphs within the global budgets only): for before/after measurements and tests."""

    def __init__(self, on: bool):
        self.on = on

    def __enter__(self):
        self._token = _PRUNING.set(self.on)
        return self

    def __exit__(self, *exc):
        _PRUNING.reset(self._token)
        return False


def pruning_on() -> bool:
    return _PRUNING.get()


def live_hosts(problem: Problem) -> set[int]:
    """Hosts of a live fleet that are not interchangeable with others: those holding a current workload (pinned
    workloads included: they stay where they are) and the drained ones."""
    live = problem.live
    if live is None:
        return set()
    special = {int(j) for j in live.current.tolist() if j >= 0}
    special.update(int(j) for j in live.drain.nonzero()[0].tolist())
    return special


def class_limits(inst: _Instance, ub: int | None) -> list[int]:
    """Per class, how many of its hosts (its first ones) the model keeps: all of them, or, when ``ub`` bounds the
    objective in the solver's units (hosts used, or scaled cost), as many as a plan of value at most ``ub`` can use."""
    sizes = [len(c.hosts) for c in inst.classes]
    if ub is None or not pruning_on() or inst.objective not in ("hosts", "cost"):
        return sizes
    if inst.objective == "hosts":
        return [min(s, max(int(ub), 0)) for s in sizes]
    return [s if c.cost_int <= 0 else min(s, max(int(ub), 0) // c.cost_int) for s, c in zip(sizes, inst.classes)]


def graph_state_budget(limit_arcs: int, states: int) -> int:
    """The search states for arc-flow graphs that are wanted only with at most ``limit_arcs`` arcs, within the
    global budget ``states``."""
    if not pruning_on():
        return states
    return min(states, STATES_PER_ARC * limit_arcs)
