"""Symmetry of interchangeable hosts, and what the exact solver may skip because of it (issue 18).

Hosts of one class (`_Instance.classes`: same capacity, OS, runtimes, cost and cap) are interchangeable, so a plan
can be renumbered within each class without changing its value. The assignment model already uses the hosts of a
class in order (`fleetpack.exact.assignment`); on top of that:

- **hosts a plan of the hint's value cannot use are left out**: with ``objective="hosts"`` a plan of at most ``ub``
  hosts uses at most ``ub`` hosts of any one class, and with ``"cost"`` at most ``ub // cost`` of a class whose
  hosts cost ``cost`` each; a class's hosts are used in order, so its first ones are kept. On the demo fleet
  (`examples/consolidation.json`, heuristic's value 8) this alone cuts 41 hosts to 27 and the model's variables from
  3 586 to 2 416; with the dominance below, to 11 hosts and 990 variables.
- **the arc-flow graphs get a budget in line with the assignment model**: the graphs are used only when they have
  at most ``max(2 × assignment variables, 2 000)`` arcs (`fleetpack.exact.search._prefer_arcflow`); building graphs
  that would lose that comparison took seconds on rule-heavy fleets before CP-SAT ever ran. The budget, in search
  states, is `STATES_PER_ARC` times that limit (on 17 random BPPLIB instances where arc-flow won, the graphs took
  at most a quarter of that budget; on rule-heavy fleets of 30-50 workloads they need 30-100 times the limit).
- **a class that dominates another is used up first**: class A dominates class B when every workload type and form
  that B's hosts take, A's take too with no larger effective demand, A's capacity and ``max_workloads`` are no
  smaller and (for ``"cost"``) its hosts cost no more. Then whatever a host of B holds fits a host of A at no
  greater value, so some optimal plan uses a host of B only when every host of A the model keeps is used: one
  implication per pair (`dominated_pairs`), and the hint is moved into that form (`move_to_dominant`). On the demo
  fleet the large hosts dominate the standard and small ones, and CP-SAT's deterministic search finds the 7-host
  plan it otherwise misses. When the dominating class can take every host a plan of value ``ub`` may use of it (or
  one per workload it can run), the dominated class is left out of the model altogether (`class_limits`). (Classes that dominate each other are ordered by index, so that the relation is a
  strict order and moving hosts up it ends.)

Hosts that are not interchangeable with any other are classes of their own: on a live fleet, every host that holds
a current workload (pinned or not) and every drained host (`live_hosts`).

`pruning(False)` turns all of it off (and the cuts of `fleetpack.exact.cuts`), for benches and tests that compare the two.
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


def rule_host_keys(problem: Problem) -> list[tuple] | None:
    """With group rules, each host's domain numbers under the rules' label keys (hosts of one class must share their
    domains: then renumbering within a class maps domains to domains); None without rules. Dominance is off then
    (`dominated_pairs`)."""
    part = getattr(problem, "rules", None)
    if part is None:
        return None
    return list(map(tuple, part.domain.T.tolist()))


def rule_workload_keys(problem: Problem) -> list[frozenset] | None:
    """With group rules, the rules each workload is a member of (workloads of one type must share them); None
    without rules."""
    part = getattr(problem, "rules", None)
    if part is None:
        return None
    rules_of: list[set[int]] = [set() for _ in problem.workload_ids]
    for r in range(len(part.rules)):
        for i in part.members_of(r).tolist():
            rules_of[i].add(r)
    return [frozenset(x) for x in rules_of]


def class_limits(inst: _Instance, ub: int | None) -> list[int]:
    """Per class, how many of its hosts (its first ones) the model keeps: all of them, or, when ``ub`` bounds the
    objective in the solver's units (hosts used, or scaled cost), as many as a plan of value at most ``ub`` can use."""
    sizes = [len(c.hosts) for c in inst.classes]
    if ub is None or not pruning_on() or inst.objective not in ("hosts", "cost"):
        return sizes
    ub = max(int(ub), 0)
    if inst.objective == "hosts":
        most = [ub] * len(sizes)
    else:
        # (free hosts: no cap from the value)
        most = [len(inst.problem.hosts) + inst.placeable if c.cost_int <= 0 else ub // c.cost_int
                for c in inst.classes]
    keep = [min(s, m) for s, m in zip(sizes, most)]
    # a dominated class is left out when a class that dominates it can take every host it could need: all the
    # hosts a plan of value ub may use of it, or one per workload it can run (`move_to_dominant` maps the hint)
    seen = [0] * len(sizes)
    for t in inst.placeable_types:
        for k in inst.types[t].options:
            seen[k] += len(inst.types[t].members)
    for a, b in dominated_pairs(inst):
        if keep[a] >= min(most[a], seen[a]):
            keep[b] = 0
    return keep


def graph_state_budget(limit_arcs: int, states: int) -> int:
    """The search states for arc-flow graphs that are wanted only with at most ``limit_arcs`` arcs, within the
    global budget ``states``."""
    if not pruning_on():
        return states
    return min(states, STATES_PER_ARC * limit_arcs)


def _weakly_dominates(inst: _Instance, a: int, b: int) -> bool:
    """Whatever one host of class ``b`` holds fits one host of class ``a``, at no greater value."""
    ca, cb = inst.classes[a], inst.classes[b]
    if any(x < y for x, y in zip(ca.cap, cb.cap)):
        return False
    if ca.rows is not None and cb.rows is not None and any(  # a larger ratio too (same usable share)
            ya * xb < yb * xa for (_, xa, ya), (_, xb, yb) in zip(ca.rows, cb.rows)):
        return False
    if ca.max_workloads is not None and (cb.max_workloads is None or ca.max_workloads < cb.max_workloads):
        return False
    if inst.objective == "cost" and (ca.cost_int > cb.cost_int or ca.cost > cb.cost):
        return False
    for t in inst.placeable_types:
        opts = inst.types[t].options
        if b not in opts:
            continue
        if a not in opts:
            return False
        for f, e in opts[b].items():
            ea = opts[a].get(f)
            if ea is None or any(x > y for x, y in zip(ea, e)):
                return False
    return True


def dominated_pairs(inst: _Instance) -> list[tuple[int, int]]:
    """Pairs (a, b) of classes where ``a`` strictly dominates ``b`` (see the module's docstring); none for
    ``"spread"``, and none involving a live fleet's hosts in use or drained."""
    if not pruning_on() or inst.objective not in ("hosts", "cost"):
        return []
    if getattr(inst.problem, "rules", None) is not None:  # (a larger host may be in a domain the rules bar)
        return []
    alone = live_hosts(inst.problem)
    free = [k for k, c in enumerate(inst.classes) if not alone.intersection(c.hosts)]
    weak = {(a, b) for a in free for b in free if a != b and _weakly_dominates(inst, a, b)}
    return [(a, b) for a, b in sorted(weak) if (b, a) not in weak or a < b]


def move_to_dominant(inst: _Instance, hosts: list, pairs: list[tuple[int, int]], room: dict[int, int]) -> list:
    """The same plan (each workload in the same form) with hosts of dominated classes moved to unused hosts of
    classes that dominate them, while a class ``a`` of a pair uses fewer than ``room[a]`` hosts; the value does not
    grow. The plan then meets the model's dominance rows (after `_canonical` renumbers each class)."""
    hosts = list(hosts)
    if not pairs:
        return hosts
    while True:
        on: dict[int, list[int]] = {}
        for i, j in enumerate(hosts):
            if j is not None:
                on.setdefault(j, []).append(i)
        for a, b in pairs:
            used_a = [j for j in inst.classes[a].hosts if j in on]
            used_b = [j for j in inst.classes[b].hosts if j in on]
            if used_b and len(used_a) < room.get(a, 0):
                target = next(j for j in inst.classes[a].hosts if j not in on)
                for i in on[used_b[-1]]:
                    hosts[i] = target
                break
        else:
            return hosts
