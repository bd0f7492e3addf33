"""CP-SAT over the pool with the side constraints as rows of the model (small instances): ``spare`` and
``max_types`` decided with the placement, not around it.

The model is the exact placement's assignment model (fleetpack.exact.assignment: every rule of docs/model.md) over
the existing hosts and the candidates, with every placeable workload placed, plus:

- ``b_j``, candidate j is bought: at least its use (a host that runs a workload is bought), or bought empty for the
  room; the objective is the summed price of the bought candidates (the existing hosts cost nothing);
- ``max_types``: ``z_t`` per type, ``b_j <= z_t`` for its candidates, at most ``max_types`` of them;
- the spare room, per dimension d: the capacity outside the k largest domains holds the usage (the workloads'
  demands and the per-host overheads of the first VM / container). With C_D the capacity of domain D (its existing
  hosts and its bought candidates), the sum of the k largest is min over t of k t + sum_D max(0, C_D - t) (the
  LP form of the k largest), so ``k t + sum_D s_D <= capacity - usage`` with ``s_D >= C_D - t``, ``s_D >= 0`` is
  exactly the condition.

Rows of the placement model that are only sound without side constraints are left out: the dominance between host
classes (a dominated class may be the one the spare room needs: another zone, a smaller host) and the cap of each
class at the hosts a plan of the start's value uses (``fleetpack.exact.symmetry.pruning(False)``); the classes of
identical hosts are split by domain, so that the hosts of a class, used in order, are interchangeable for the room.

The pool holds, per type, the first-fit count of copies plus k (the room may need more than the placement). It
holds a best purchase without side constraints (fleetpack.capacity.pool), not provably one with them: an optimum
here is an optimum over the pool, and the lower bound is not raised by it.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace
from typing import Hashable, Sequence

from ..model.hosttypes import HostType
from ..model.inputs import build_problem
from ..model.objects import Host
from ..model.wire import Answer
from ..plan.plan import Plan, build_plan
from ..exact.assignment import _assignment_model, assignment_size
from ..exact.cpsat import _OutOfTime, _run_cp_sat, _solver
from ..exact.grouprules import rule_rows
from ..exact.instance import _Instance
from ..exact.symmetry import pruning
from .pool import TypeFit, candidate_hosts

__all__ = ["exact_purchase", "EXACT_MAX_VARIABLES", "EXACT_MAX_PAIRS", "EXACT_WORK_LIMIT", "EXACT_WALL_LIMIT"]

#: Above this many (workload type, host, form) variables the purchase is not modelled (CP-SAT takes too long).
EXACT_MAX_VARIABLES = 4000
#: CP-SAT's deterministic time (about seconds) without a time limit: the same purchase on any machine (unless
#: the wall clock, `EXACT_WALL_LIMIT` seconds, cuts it first on a loaded one).
EXACT_WORK_LIMIT = 0.5
EXACT_WALL_LIMIT = 10.0
#: Workloads x pool hosts above which the model is not even built (the instance alone would take long).
EXACT_MAX_PAIRS = 20_000


class _PoolInstance(_Instance):
    """The placement instance with each class of identical hosts split by failure domain label (a host without
    the label, or with ``spare_domain=None``, keeps its class: such hosts are alike for the room too)."""

    def __init__(self, problem, objective: str, split: Sequence[Hashable]):
        super().__init__(problem, objective)
        groups = []
        for k, c in enumerate(self.classes):
            by_split: dict[Hashable, list[int]] = {}
            for j in c.hosts:
                by_split.setdefault(split[j], []).append(j)
            for g in by_split.values():
                groups.append((g[0], k, g))
        parts = self.split_classes(groups)
        self.types = [replace(t, options={k2: opts for k, opts in t.options.items() for k2 in parts[k]})
                      for t in self.types]


def exact_purchase(ws, ex: Sequence[Host], over, fits: Sequence[TypeFit], options: dict, max_types: int | None,
                   price, domain_of, start_cost: float) -> tuple[Plan | None, list[str], list[HostType], bool] | None:
    """The cheapest purchase over the pool with the spare room and ``max_types`` as rows, below ``start_cost`` (in
    the objective's prices): (the plan over the pool, the types of its rows after the existing hosts, the types
    bought empty, proven optimal over the pool); (None, [], [], True) when CP-SAT proves that none costs less than
    ``start_cost``; None when the pool is too large or CP-SAT finds nothing within its limits.
    ``domain_of(host, type or None, row)`` is a host's failure domain."""
    from ortools.sat.python import cp_model
    from ortools.sat.python.cp_model import LinearExpr

    began = time.perf_counter()
    k = options["spare"]
    call = options.get("call") or {}
    if k and (call.get("allocation_ratio") or call.get("max_utilization") or any(h.allocation_ratio for h in ex)
              or any(f.host_type.allocation_ratio for f in fits)):
        return None  # (the room rows count physical capacities: with ratios the heuristics' room stands)
    useful = [f for f in fits if f.copies > 0 and (f.host_type.available is None or f.host_type.available > 0)]
    counts = {f.host_type.name: f.copies + k for f in useful}
    candidates, kinds = candidate_hosts(useful, {h.id for h in ex}, counts=counts, cost_of=price)
    hosts = [replace(h, cost=0.0) for h in ex] + candidates
    if len(ws) * len(hosts) > EXACT_MAX_PAIRS:
        return None
    problem = build_problem(ws, hosts, over, **call).materialize()
    by_name = {f.host_type.name: f.host_type for f in useful}
    n_ex = len(ex)
    domain = [domain_of(h, None, j) if j < n_ex else domain_of(h, by_name[kinds[j - n_ex]], j)
              for j, h in enumerate(hosts)]
    split = [d if d[0] == "label" else None for d in domain]
    with pruning(False):
        inst = _PoolInstance(problem, "cost", split)
        if assignment_size(inst) > EXACT_MAX_VARIABLES or inst.placeable == 0:
            return None
        limit = options["time_limit"]
        deadline = None if limit is None else began + limit
        rows = _side_rows(inst, hosts, n_ex, kinds, domain, k, max_types, out := {})
        if problem.rules is not None:  # the group rules' rows too (fleetpack.exact.grouprules)
            rows = _with(rows, rule_rows(inst, {}))
        try:
            model, _, decode, _, _ = _assignment_model(inst, True, inst.placeable, 0, None, 1, deadline, rows=rows)
        except _OutOfTime:
            return None
    if inst.cost_exact:  # only a purchase cheaper than the start's is of use
        b = out["b"]
        below = math.ceil(start_cost * inst.cost_scale - 1e-6) - 1
        model.add(LinearExpr.weighted_sum(list(b.values()), [inst.classes[inst.class_of[j]].cost_int for j in b])
                  <= below)
    left = None if deadline is None else deadline - time.perf_counter()
    if left is not None and left <= 0.01:
        return None
    solver = _solver(EXACT_WALL_LIMIT if left is None else left, EXACT_WORK_LIMIT if limit is None else None,
                     options["seed"], options["workers"], deterministic=limit is None)
    status = _run_cp_sat(solver, model, deadline)
    if status == cp_model.INFEASIBLE and inst.cost_exact:
        return None, [], [], True
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    placed_hosts, forms = decode(solver)
    bought = {j for j, v in out["b"].items() if solver.value(v)}
    used = {j for j in placed_hosts if j is not None}
    empty = [by_name[kinds[j - n_ex]] for j in sorted(bought - used)]
    answer = Answer.from_lists(placed_hosts, forms, "exact/capacity", 0.0)
    plan = build_plan(build_problem(ws, hosts, over, **call), answer, objective="cost", method="auto",
                      elapsed=time.perf_counter() - began)
    return plan, kinds, empty, status == cp_model.OPTIMAL


def _with(first, second):
    """Two sets of rows added one after the other."""
    def rows(m, n, placed):
        first(m, n, placed)
        second(m, n, placed)
    return rows


def _side_rows(inst, hosts: Sequence[Host], n_ex: int, kinds: Sequence[str], domain: Sequence[Hashable], k: int,
               max_types: int | None, out: dict):
    """The rows of the purchase: bought candidates, their price as the objective, max_types, the spare room."""
    from ortools.sat.python.cp_model import LinearExpr

    def rows(m, n, placed):
        on: dict[int, list] = {}
        for (t, j, f), v in n.items():
            on.setdefault(j, []).append((t, f, v))
        b = out["b"] = {}
        for j in range(n_ex, len(hosts)):
            b[j] = m.new_bool_var(f"buy{j}")
            for _, _, v in on.get(j, ()):
                m.add(v == 0).only_enforce_if(b[j].Not())
        costs = [inst.classes[inst.class_of[j]].cost_int for j in b]
        m.minimize(LinearExpr.weighted_sum(list(b.values()), costs))
        if max_types is not None:
            z = {name: m.new_bool_var(f"type_{name}") for name in dict.fromkeys(kinds)}
            for j, v in b.items():
                m.add_implication(v, z[kinds[j - n_ex]])
            m.add(LinearExpr.sum(list(z.values())) <= max_types)
        if not k:
            return
        # per host: runs a VM / a container (the per-host overheads count in the usage)
        hv, hc = {}, {}
        for j, items in on.items():
            for f, flags, fixed in (("vm", hv, inst.hyp), ("container", hc, inst.rt)):
                vs = [v for _, g, v in items if g == f]
                if vs and any(fixed):
                    flags[j] = m.new_bool_var(f"{f}{j}")
                    for v in vs:
                        m.add(v == 0).only_enforce_if(flags[j].Not())
        for d in range(inst.D):
            usage_terms, usage_coefs = [], []
            for (t, j, f), v in n.items():
                e = inst.types[t].options[inst.class_of[j]][f][d]
                if e:
                    usage_terms.append(v)
                    usage_coefs.append(e)
            for flags, fixed in ((hv, inst.hyp), (hc, inst.rt)):
                if fixed[d]:
                    usage_terms.extend(flags.values())
                    usage_coefs.extend([fixed[d]] * len(flags))
            cap = {j: inst.classes[inst.class_of[j]].cap[d] for j in range(len(hosts))}
            if not usage_terms:
                continue
            members: dict[Hashable, list[int]] = {}
            for j in range(len(hosts)):
                if cap[j]:
                    members.setdefault(domain[j], []).append(j)
            total_terms = [b[j] for j in b if cap[j]]
            total = LinearExpr.weighted_sum(total_terms, [cap[j] for j in b if cap[j]]) + \
                sum(cap[j] for j in range(n_ex))
            biggest = sum(cap.values())
            t_var = m.new_int_var(0, biggest, f"t{d}")
            slack = []
            for key, js in members.items():
                fixed_cap = sum(cap[j] for j in js if j < n_ex)
                bought = [j for j in js if j >= n_ex]
                c_d = LinearExpr.weighted_sum([b[j] for j in bought], [cap[j] for j in bought]) + fixed_cap
                s = m.new_int_var(0, fixed_cap + sum(cap[j] for j in bought), f"s{d}_{len(slack)}")
                m.add(s >= c_d - t_var)
                slack.append(s)
            m.add(k * t_var + LinearExpr.sum(slack) + LinearExpr.weighted_sum(usage_terms, usage_coefs) <= total)

    return rows
