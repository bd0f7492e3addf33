"""The arc-flow LP: the Gilmore-Gomory bound (solved with GLOP), and dives on it for a near-optimal plan that
CP-SAT then starts from.
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter

from .arcflow import _ArcFlow, _decompose

# GLOP: without presolve, re-solves after the dive's changes start from the previous basis
_GLOP_PARAMETERS = "use_preprocessing: false"


class _Diver:
    """The LP relaxation of the arc-flow model (every placeable workload placed), solved with GLOP, and dives on it
    (`_dive`): the first follows the LP, later ones draw the fractional pattern to fix at random (seeded). ``lp_value``
    is None when the LP could not be solved in time."""

    def __init__(self, af: _ArcFlow, deadline: float | None, seed: int = 0):
        from ortools.linear_solver import pywraplp

        self.af = af
        self.lp_value = None
        self.rng = random.Random(seed)
        self.dives = 0
        self.best = None  # (value, (paths, dedicated))
        inst = af.inst
        lp = self.lp = pywraplp.Solver.CreateSolver("GLOP")
        if lp is None:
            return
        lp.SetSolverSpecificParametersAsString(_GLOP_PARAMETERS)
        self._optimal = pywraplp.Solver.OPTIMAL
        inf = lp.infinity()
        obj = lp.Objective()
        demand = self.demand = {t: lp.Constraint(len(inst.types[t].members), inf) for t in inst.placeable_types}
        classes = self.classes = {k: lp.Constraint(0, len(c.hosts)) for k, c in enumerate(inst.classes)}
        self.flow_vars: list[dict] = []
        self.loss_vars: list[list] = []
        self.z_vars = []
        for v in af.variants:
            g = v.graph
            nodes = [lp.Constraint(0, 0) for _ in range(g.nodes)]
            f = {}
            for a in g.arcs:
                var = lp.NumVar(0, inf, "")
                f[a] = var
                nodes[a[0]].SetCoefficient(var, -1)
                nodes[a[1]].SetCoefficient(var, 1)
                if a[2] >= 0:
                    demand[v.items[a[2]][0]].SetCoefficient(var, 1)
            loss = []
            for node in range(g.nodes):
                var = lp.NumVar(0, inf, "")
                nodes[node].SetCoefficient(var, -1)
                loss.append(var)
            z = lp.NumVar(0, inf, "")
            nodes[g.source].SetCoefficient(z, 1)
            classes[v.cls].SetCoefficient(z, 1)
            obj.SetCoefficient(z, 1 if inst.objective == "hosts" else inst.classes[v.cls].cost_int)
            self.flow_vars.append(f)
            self.loss_vars.append(loss)
            self.z_vars.append(z)
        self.y_vars = {}
        for t, k, f in af.dedicated:
            var = self.y_vars[(t, k, f)] = lp.NumVar(0, inf, "")
            demand[t].SetCoefficient(var, 1)
            classes[k].SetCoefficient(var, 1)
            obj.SetCoefficient(var, 1 if inst.objective == "hosts" else inst.classes[k].cost_int)
        obj.SetMinimization()
        self.deadline = deadline
        if self.solve_lp():
            self.lp_value = obj.Value()
            self.target = math.ceil(self.lp_value - 1e-7 * max(1.0, abs(self.lp_value)))
        self.cost = {k: 1 if inst.objective == "hosts" else c.cost_int for k, c in enumerate(inst.classes)}

    def solve_lp(self) -> bool:
        if self.deadline is not None:
            left = self.deadline - time.perf_counter()
            if left <= 0:
                return False
            self.lp.SetTimeLimit(max(1, int(left * 1000)))
        return self.lp.Solve() == self._optimal

    def run(self, attempts: int, deadline: float | None):
        """Up to ``attempts`` more dives (fewer if ``deadline`` passes or one meets the LP bound); returns the best
        dive so far as (value in the solver's units, (paths, dedicated)), or None."""
        if self.lp_value is None:
            return self.best
        self.deadline = deadline
        inst = self.af.inst
        for _ in range(attempts):
            if self.best is not None and self.best[0] <= self.target:
                break
            if self.dives and deadline is not None and time.perf_counter() > deadline:
                break
            if self.dives:  # back to the full problem
                for t, c in self.demand.items():
                    c.SetLb(len(inst.types[t].members))
                for k, c in self.classes.items():
                    c.SetUb(len(inst.classes[k].hosts))
                if not self.solve_lp():
                    break
            found = _dive(self.af, self.solve_lp, self.z_vars, self.flow_vars, self.loss_vars, self.y_vars,
                          self.demand, self.classes, self.rng if self.dives else None)
            self.dives += 1
            if found is None:
                continue
            value = (sum(self.cost[self.af.variants[p[0]].cls] for p in found[0])
                     + sum(self.cost[k[1]] * c for k, c in found[1].items()))
            if self.best is None or value < self.best[0]:
                self.best = (value, found)
        return self.best


def _dive(af: _ArcFlow, solve_lp, z_vars, flow_vars, loss_vars, y_vars, demand, classes, rng):
    """One dive from the LP solution at hand: commit every pattern with an LP value of at least 1 (rounded down)
    and the one with the largest value -- or, with ``rng``, one drawn with probability proportional to its value --
    then re-solve, until every workload is placed. Returns (paths, dedicated) or None."""
    inst = af.inst
    need = {t: len(inst.types[t].members) for t in inst.placeable_types}
    room = {k: len(c.hosts) for k, c in enumerate(inst.classes)}
    paths: list = []
    dedicated = Counter()
    first = True
    while any(need.values()):
        if not first and not solve_lp():
            return None
        first = False
        candidates = []
        for vi, v in enumerate(af.variants):
            zv = z_vars[vi].solution_value()
            if zv <= 1e-9:
                continue
            flow = {a: var.solution_value() for a, var in flow_vars[vi].items()}
            loss = [var.solution_value() for var in loss_vars[vi]]
            for arcs, end, amount in _decompose(v.graph, flow, loss, zv, eps=1e-9):
                items = [v.items[a[2]][0] for a in arcs if a[2] >= 0]
                candidates.append((amount, v.cls, items, "path", (vi, arcs, end)))
        for key, var in y_vars.items():
            if var.solution_value() > 1e-9:
                candidates.append((var.solution_value(), key[1], [key[0]], "dedicated", key))
        candidates.sort(key=lambda c: -c[0])
        if rng is not None:
            fractional = [c for c in candidates if c[0] < 1 - 1e-9]
            if fractional:
                pick = rng.choices(fractional, weights=[c[0] for c in fractional])[0]
                candidates = [c for c in candidates if c[0] >= 1 - 1e-9] + [pick]
        committed = 0
        for amount, k, items, kind, what in candidates:
            copies = math.floor(amount + 1e-9)
            if committed == 0 and copies == 0:
                copies = 1
            if copies == 0:
                break
            for _ in range(copies):
                if room[k] == 0 or not any(need[t] for t in items):
                    break
                room[k] -= 1
                for t in items:
                    if need[t]:
                        need[t] -= 1
                if kind == "path":
                    paths.append(what)
                else:
                    dedicated[what] += 1
                committed += 1
        if not committed:
            return None
        for t, c in demand.items():
            c.SetLb(need[t])
        for k, c in classes.items():
            c.SetUb(room[k])
    return paths, dedicated
