"""CP-SAT on a live fleet (issue 15): the assignment model over a live instance, with the moves, the budgets, the
pins and the drains as rows of their own, solved in two stages for the order most placed, then the objective, then
the least total move cost.

The live instance is the greenfield one (`_Instance`) with two splits, so that the assignment model's counting by
types and classes stays exact:

- every host that runs a workload now or is drained is a class of its own (such hosts are not interchangeable; the
  other hosts of a class still are, as none of them holds a current workload, and the model's symmetry breaking
  stays sound on them);
- workloads of one type are split by where they run now (host, ``current_form``, pin, move cost), so that the
  members of a type are alike in what a move costs too.

A pinned workload's type may only take its current host (in its ``current_form`` when given), a drained host takes
no workload, and the count of a type's workloads that stay, ``stay = sum of n[t, current host, f]`` over the forms
that count as staying, makes ``count - stay`` its moves (each one elsewhere, in another form or unplaced: a move as
docs/design-live-rules-capacity.md defines it). The budgets are rows over those moves. Stage one solves (placed,
objective) as the greenfield model does, within the budgets; stage two keeps the count and the objective at the
best found and minimises the move cost. The plan is proven optimal when both stages are. The stages are run by
`fleetpack.exact.grouprules.solve_rules`, which solves a live fleet with group rules the same way (a penalty stage
between the two).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..model.problem import Problem
from ..model.wire import PLACED_FORMS, UNPLACED
from ..plan.moves import moved_rows
from .instance import _Instance

__all__ = ["LiveInstance", "live_size", "within_budgets", "live_answer"]

# stage one (count and objective) gets this share of the time and work, stage two (move cost) the rest
_FIRST_STAGE = 0.7


@dataclass
class _Home:
    """Where a type's workloads run now: the host, the forms in which they stay, their move cost each, pinned."""

    host: int
    forms: tuple[str, ...]
    cost: int
    pinned: bool


class LiveInstance(_Instance):
    """The instance of a live fleet: hosts that run a workload now or are drained in classes of their own, types
    split by where their workloads run now (``home``: type -> `_Home`, for the types that run somewhere)."""

    def __init__(self, problem: Problem, objective: str):
        super().__init__(problem, objective)
        live = problem.live
        assert live is not None
        current = live.current.tolist()
        drained = live.drain.tolist()
        special = {j for j in current if j >= 0} | {j for j, d in enumerate(drained) if d}
        # classes: the special hosts alone, the rest of each class together, in order of their first host
        groups = []
        for k, c in enumerate(self.classes):
            rest = [j for j in c.hosts if j not in special]
            for g in [[j] for j in c.hosts if j in special] + ([rest] if rest else []):
                groups.append((g[0], k, g))
        parts = self.split_classes(groups)  # old class -> new classes
        # types: split by where the workloads run now
        forms_of = live.current_form.tolist()
        pinned = live.pinned.tolist()
        costs = live.move_cost.tolist()
        index: dict[tuple, int] = {}
        types, self.home = [], {}
        for t, typ in enumerate(self.types):
            for i in typ.members:
                j = current[i]
                key = (t, j, forms_of[i], pinned[i], int(costs[i])) if j >= 0 else (t, -1)
                n = index.get(key)
                if n is None:
                    n = index[key] = len(types)
                    options = {}
                    for k, opts in typ.options.items():
                        for k2 in parts[k]:
                            h = self.classes[k2].hosts[0]
                            if drained[h] or (pinned[i] and h != j):
                                continue
                            keep = {f: e for f, e in opts.items()
                                    if not (pinned[i] and forms_of[i] >= 0 and f != PLACED_FORMS[forms_of[i]])}
                            if keep:
                                options[k2] = keep
                    types.append(replace(typ, members=[], options=options))
                    if j >= 0:
                        stay = (PLACED_FORMS[forms_of[i]],) if forms_of[i] >= 0 else tuple(PLACED_FORMS)
                        self.home[n] = _Home(j, stay, int(costs[i]), bool(pinned[i]))
                types[n].members.append(i)
                self.type_of[i] = n
        self.types = types
        self.type_order = sorted(range(len(types)), key=lambda n: (-types[n].size, types[n].members[0]))
        self.placeable_types = [n for n in self.type_order if types[n].options]
        self.placeable = sum(len(types[n].members) for n in self.placeable_types)

    def moves(self, hosts: list, forms: list) -> tuple[int, int]:
        """(moves, move cost) of a plan, as `fleetpack.plan.moves` counts them."""
        live = self.problem.live
        host_index = np.array([-1 if j is None else j for j in hosts], dtype=np.int64)
        codes = np.array([UNPLACED if f is None else PLACED_FORMS.index(f) for f in forms], dtype=np.int64)
        rows = moved_rows(self.problem, host_index, codes)
        return len(rows), int(live.move_cost[rows].sum()) if len(rows) else 0


def live_size(inst: LiveInstance) -> int:
    """Variables (workload type, host, form) of the live assignment model, at most (no symmetry counted)."""
    return sum(len(inst.classes[k].hosts) * len(opts) for t in inst.placeable_types
               for k, opts in inst.types[t].options.items())


def _live_rows(inst: LiveInstance, out: dict):
    """The rows of the moves: pins, the budgets; ``out["cost"]`` gets the move cost expression."""
    from ortools.sat.python.cp_model import LinearExpr

    live = inst.problem.live

    def rows(m, n, placed):
        moves, cost_terms, cost_coefs, constant_moves, constant_cost = [], [], [], 0, 0
        for t, home in inst.home.items():
            count = len(inst.types[t].members)
            stay = [n[(t, home.host, f)] for f in home.forms if (t, home.host, f) in n]
            if home.pinned:
                m.add(LinearExpr.sum(stay) == count)
                continue
            constant_moves += count
            constant_cost += count * home.cost
            moves.extend(stay)
            cost_terms.extend(stay)
            cost_coefs.extend([home.cost] * len(stay))
        # moves = constant - sum(stay): the budgets as floors on the workloads that stay
        if live.max_moves is not None:
            m.add(LinearExpr.sum(moves) >= constant_moves - live.max_moves)
        if live.max_move_cost is not None:
            m.add(LinearExpr.weighted_sum(cost_terms, cost_coefs) >= constant_cost - live.max_move_cost)
        out["cost"] = constant_cost - LinearExpr.weighted_sum(cost_terms, cost_coefs)
        out["placed"] = LinearExpr.sum(list(placed.values())) if placed else None

    return rows


def within_budgets(inst: LiveInstance, hosts: list, forms: list) -> bool:
    """Whether a plan keeps the pins, leaves the drained hosts empty and stays within the budgets (the start CP-SAT
    needs: a fleet whose forced moves exceed a budget has no such plan, and `place` raises instead)."""
    live = inst.problem.live
    moves, cost = inst.moves(hosts, forms)
    if (live.max_moves is not None and moves > live.max_moves) or \
            (live.max_move_cost is not None and cost > live.max_move_cost):
        return False
    current, forms_now = live.current.tolist(), live.current_form.tolist()
    for i, (j, f) in enumerate(zip(hosts, forms)):
        if j is not None and live.drain[j]:
            return False
        if live.pinned[i] and (j != current[i] or (forms_now[i] >= 0 and f != PLACED_FORMS[forms_now[i]])):
            return False
    return True


def live_answer(inst: LiveInstance, answer: dict, given) -> dict:
    """An exact answer (`search._answer`'s dict) with the live part's keys: the plan's moves and move cost, and the
    pin conflicts and forced moves of the heuristics' answer ``given`` (step 1 of the contract: whatever the plan)."""
    moves, cost = inst.moves(*_lists(answer))
    out = dict(answer, moves=moves, move_cost=cost)
    if isinstance(given, dict):
        for key in ("pin_conflicts", "forced_moves"):
            if key in given:
                out[key] = given[key]
    return out


def _lists(answer: dict) -> tuple[list, list]:
    hosts = [None if j < 0 else int(j) for j in answer["host_index"].tolist()]
    forms = [None if j is None else PLACED_FORMS[c] for j, c in zip(hosts, answer["form_codes"].tolist())]
    return hosts, forms
