"""CP-SAT with group rules (issue 16): the assignment model with a row set per rule, solved in stages for the order
most placed, then the objective, then the summed penalty of the soft rules.

The instance (`_Instance`) already keeps hosts of one class in the same domains and workloads of one type in the
same rules (`fleetpack.exact.symmetry.rule_host_keys`, `rule_workload_keys`), and drops dominance, so that the
model's symmetry breaking stays sound. Per rule, over ``n`` (workloads of a type on a host in a form), summed over
the rule's member types:

- `AntiAffinity`: per domain (a host without the label a domain of its own), members <= ``max_per_domain``; soft:
  <= ``max_per_domain`` + excess, excess >= 0.
- `Affinity`: a Boolean per domain, at most one true; members in a domain only when its Boolean is; soft: per
  domain a count ``k_D`` <= members there and <= members x its Boolean, excess = placed members - sum ``k_D``.
- `Spread`: per eligible domain (`fleetpack.plan.penalty.spread_domains`) its count between ``L`` and ``M``, ``L``
  = 0 while fewer than ``min_domains`` domains are eligible; ``M - L <= max_skew`` (soft: excess >= M - L -
  max_skew, >= 0); a hard spread's members take no host without the label.

Stage one maximises the count and minimises the objective as the greenfield model does; stage two keeps both at
the best found and minimises the penalty (weight x excess, summed); on a live fleet (the live model's rows with the
rules') a last stage keeps the penalty and minimises the move cost. The heuristics' plan is the hint; when it breaks a
hard rule it is no start (the count is then free, and it is the answer only if CP-SAT finds no plan at all).
"""

from __future__ import annotations

import math
import time
from collections import defaultdict

import numpy as np

from ..model.problem import Problem
from ..plan.penalty import AFFINITY, ANTI, SPREAD, host_domains, rule_excess, spread_domains
from .assignment import _assignment_model
from .cpsat import _OutOfTime, _run_cp_sat, _solver
from .instance import _from_units, _Instance, _spread_scale, _spread_units, _value
from .live import LiveInstance, _live_rows, within_budgets

__all__ = ["rule_rows", "plan_penalty", "hard_rules_kept", "solve_rules"]

# stage one (count and objective) gets this share of the time and work, stage two (penalty) the rest
_FIRST_STAGE = 0.7


def _index(hosts: list) -> np.ndarray:
    return np.array([-1 if j is None else j for j in hosts], dtype=np.int64)


def plan_penalty(problem: Problem, hosts: list) -> int:
    """The soft rules' penalty of a plan (`fleetpack.plan.penalty`); 0 without group rules."""
    part = problem.rules
    if part is None:
        return 0
    index = _index(hosts)
    return sum(int(part.weight[r]) * rule_excess(problem, r, index) for r in np.flatnonzero(part.weight > 0).tolist())


def hard_rules_kept(problem: Problem, hosts: list) -> bool:
    """Whether a plan keeps every hard group rule (True without group rules)."""
    part = problem.rules
    if part is None:
        return True
    index = _index(hosts)
    for r in np.flatnonzero(part.weight == 0).tolist():
        if rule_excess(problem, r, index):
            return False
        if part.kind[r] == SPREAD:  # (a hard spread's member on a host without the label)
            at = index[part.members_of(r).astype(np.int64)]
            if (host_domains(part, r)[at[at >= 0]] < 0).any():
                return False
    return True


def rule_rows(inst: _Instance, out: dict):
    """The rows of the group rules, for `_assignment_model`'s ``rows``; ``out["penalty"]`` gets the penalty
    expression (None without soft rules)."""
    problem = inst.problem
    part = problem.rules

    def rows(m, n, placed):
        from ortools.sat.python.cp_model import LinearExpr

        if part is None:  # (a live fleet without group rules: no rows, no penalty)
            out["penalty"] = None
            out["placed"] = LinearExpr.sum(list(placed.values())) if placed else None
            return

        by_type_host: dict[tuple[int, int], list] = defaultdict(list)
        for (t, j, _f), v in n.items():
            by_type_host[(t, j)].append(v)
        penalty_terms, penalty_coefs = [], []
        for r in range(len(part.rules)):
            members = part.members_of(r)
            size = len(members)
            types = {inst.type_of[i] for i in members.tolist()}
            domains = host_domains(part, r)
            per_domain: dict[int, list] = defaultdict(list)
            nowhere = []
            for (t, j), vs in by_type_host.items():
                if t in types:
                    (per_domain[int(domains[j])] if domains[j] >= 0 else nowhere).extend(vs)
            kind, cap, weight = int(part.kind[r]), int(part.cap[r]), int(part.weight[r])
            if kind == ANTI:
                for d, vs in per_domain.items():
                    if weight:
                        e = m.new_int_var(0, size, f"ex{r}_{d}")
                        m.add(LinearExpr.sum(vs) <= cap + e)
                        penalty_terms.append(e)
                        penalty_coefs.append(weight)
                    else:
                        m.add(LinearExpr.sum(vs) <= cap)
            elif kind == AFFINITY:
                choice = {d: m.new_bool_var(f"in{r}_{d}") for d in per_domain}
                m.add(LinearExpr.sum(list(choice.values())) <= 1)
                if weight:
                    kept = []
                    for d, vs in per_domain.items():
                        k = m.new_int_var(0, size, f"keep{r}_{d}")
                        m.add(k <= LinearExpr.sum(vs))
                        m.add(k <= size * choice[d])
                        kept.append(k)
                    every = [v for vs in per_domain.values() for v in vs]
                    e = m.new_int_var(0, size, f"ex{r}")
                    m.add(e == LinearExpr.sum(every) - LinearExpr.sum(kept))
                    penalty_terms.append(e)
                    penalty_coefs.append(weight)
                else:
                    for d, vs in per_domain.items():
                        m.add(LinearExpr.sum(vs) <= size * choice[d])
            else:
                eligible = spread_domains(problem, r).tolist()
                if not weight:
                    for v in nowhere:
                        m.add(v == 0)
                if not eligible:
                    continue
                top = m.new_int_var(0, size, f"max{r}")
                low = m.new_int_var(0, size, f"min{r}")
                if len(eligible) < int(part.min_domains[r]):
                    m.add(low == 0)
                for d in eligible:
                    count = LinearExpr.sum(per_domain.get(d, []))
                    m.add(count <= top)
                    m.add(count >= low)
                if weight:
                    e = m.new_int_var(0, size, f"ex{r}")
                    m.add(e >= top - low - cap)
                    penalty_terms.append(e)
                    penalty_coefs.append(weight)
                else:
                    m.add(top - low <= cap)
        out["penalty"] = LinearExpr.weighted_sum(penalty_terms, penalty_coefs) if penalty_terms else None
        out["placed"] = LinearExpr.sum(list(placed.values())) if placed else None

    return rows


def solve_rules(problem: Problem, objective: str, start: tuple, *, bound0: float, time_limit: float | None = None,
                work_limit: float | None = None, seed: int = 0, workers: int | None = None,
                deterministic: bool = False, inst: _Instance | None = None, label: str = "exact/rules"):
    """CP-SAT on ``problem`` (with group rules, a live fleet, or both) from the plan ``start`` = (hosts, forms,
    strategy). ``bound0``: the foundation's bound for the start's count. Returns (hosts, forms, strategy, lower
    bound, optimal): never worse than a start that keeps the hard rules (and, live, the pins, drains and budgets) by
    (placed, objective, penalty, move cost). A plan CP-SAT finds has the strategy ``label``."""
    from ortools.sat.python import cp_model

    from .search import _foundation_bound

    t0 = time.perf_counter()
    deadline = None if time_limit is None else t0 + time_limit
    live = problem.live is not None
    if inst is None:
        inst = LiveInstance(problem, objective) if live else _Instance(problem, objective)
    hosts0, forms0, strategy0 = start

    def valid(h, f) -> bool:
        return hard_rules_kept(problem, h) and (not live or within_budgets(inst, h, f))

    valid0 = valid(hosts0, forms0)
    placed0 = sum(j is not None for j in hosts0) if valid0 else 0
    if inst.placeable == 0:
        return hosts0, forms0, strategy0, bound0, True
    fixed = valid0 and placed0 == inst.placeable
    spread_k, spread_exact = _spread_scale(inst) if objective == "spread" else (1, True)

    def units(h, f) -> int:
        v = inst.value_int(h, f)
        return _spread_units(v, spread_k) if objective == "spread" else int(v)

    def rank(h, f) -> tuple:
        if not valid(h, f):
            return (1,)
        moved = inst.moves(h, f)[1] if live else 0
        return (0, -sum(j is not None for j in h), units(h, f), plan_penalty(problem, h), moved)

    if objective == "hosts":
        lb_int = int(bound0) if fixed else 0
    elif objective == "cost":
        lb_int = int(math.ceil(bound0 * inst.cost_scale * (1 - 1e-9) - 1e-6)) if fixed and inst.cost_exact else 0
    else:
        lb_int = int(math.floor(bound0 * spread_k)) if fixed else 0
    lb_int = max(lb_int, 0)
    ub_int = units(hosts0, forms0) if fixed else None
    out: dict = {}
    moves: dict = {}
    group_rows = rule_rows(inst, out)
    move_rows = _live_rows(inst, moves) if live else None

    def rows(m, n, placed):
        group_rows(m, n, placed)
        if move_rows is not None:
            move_rows(m, n, placed)

    try:
        model, hint, decode, weight, value_expr = _assignment_model(inst, fixed, placed0, lb_int, ub_int, spread_k,
                                                                    deadline, rows=rows)
    except _OutOfTime:
        return hosts0, forms0, strategy0, bound0, False

    # stage one: count and objective; then the penalty (with soft rules); then the move cost (live)
    stages = ["objective"] + (["penalty"] if out["penalty"] is not None else []) + (["moves"] if live else [])
    best = (hosts0, forms0, strategy0)
    proven, bound_units = [], -math.inf
    for k, stage in enumerate(stages):
        left = None if deadline is None else deadline - time.perf_counter()
        if left is not None and left <= 0.005:
            proven.append(False)
            break
        share = 1.0 if k == len(stages) - 1 else (_FIRST_STAGE if k == 0 else 0.5)
        model.clear_hints()
        hint(best[0], best[1])
        solver = _solver(None if left is None else left * share, None if work_limit is None else work_limit * share,
                         seed, workers, deterministic=deterministic)
        status = _run_cp_sat(solver, model, deadline)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            h, f = decode(solver)
            if rank(h, f) < rank(best[0], best[1]):
                best = (h, f, label)
        proven.append(status == cp_model.OPTIMAL)
        if stage == "objective" and status == cp_model.FEASIBLE:
            bound_units = solver.best_objective_bound
        if k == len(stages) - 1:
            break
        if not valid(best[0], best[1]):  # (no plan to hold the next stages to)
            proven.append(False)
            break
        # the next stage keeps what this one reached
        if stage == "objective":
            if out["placed"] is not None:
                model.add(out["placed"] >= sum(j is not None for j in best[0]))
            model.add(value_expr <= units(best[0], best[1]))
        else:
            model.add(out["penalty"] <= plan_penalty(problem, best[0]))
        model.minimize(out["penalty"] if stages[k + 1] == "penalty" else moves["cost"])
    exact_units = (objective != "spread" or spread_exact) and (objective != "cost" or inst.cost_exact)
    optimal = all(proven) and len(proven) == len(stages) and exact_units
    hosts, forms, strategy = best
    value = _value(inst, hosts, forms)
    if proven[:1] == [True] and exact_units:
        bound: float = value  # stage one proved the count and the objective
    else:
        placed = sum(j is not None for j in hosts)
        bound = _foundation_bound(problem, objective, placed, (sum(j is not None for j in hosts0), bound0))
        if bound_units > -math.inf:
            raw = bound_units if fixed else bound_units + weight * placed
            bound = max(bound, _from_units(inst, objective, raw, spread_k))
        bound = min(bound, value)
    if objective == "hosts":
        bound = int(math.ceil(bound - 1e-9))
    return hosts, forms, strategy + (":optimal" if optimal else ""), bound, optimal
