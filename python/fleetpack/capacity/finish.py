"""The end of ``plan_capacity``: the purchase kept, turned into a `CapacityPlan` on the final fleet (the existing
hosts, then the bought ones named ``<type>-<k>``, then the empty hosts of the spare room), with its bound: the one
the planner found when it counts the same workloads, else the purchase bound over those the plan must place."""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import replace

import numpy as np

from .. import _core
from ..errors import FleetpackWarning
from ..model.inputs import build_problem
from ..model.objects import Host
from ..model.wire import Answer
from ..plan.plan import Plan, build_plan
from .bounds import purchase_bound
from .budget import column_seconds
from .checks import in_hard_groups
from .colgen import wall_deadline
from .pool import names
from .result import CapacityPlan
from .spare import spare_hosts

__all__ = ["finish", "plan_on"]


def finish(ws, ex, over, types, fits, outcome, options, max_types, notes, began, price, rules: dict) -> CapacityPlan:
    """The `CapacityPlan` of the purchase kept (``outcome``: the planner's ``_Outcome``): the unused candidates
    dropped, the bought hosts named ``<type>-<k>``, the spare hosts added, the purchase bounded. ``price(type)``:
    a candidate's price in the solve; ``rules``: the purchase bounds' view of the call's rules and ratios."""
    if outcome.key[1] == math.inf:  # no set of types keeps the spare room: say what is missing
        outcome = replace(outcome, spare=spare_hosts(ex, types, outcome.plan, outcome.kinds, len(outcome.paid),
                                                     outcome.allowed, options, price))
    inner, kinds, n_paid = outcome.plan, outcome.kinds, len(outcome.paid)
    by_name = {t.name: t for t in types}
    index = np.asarray(inner.host_index)
    n_ex = len(ex)
    used_rows = list(range(n_ex, n_ex + n_paid)) + sorted(set(index[index >= n_ex + n_paid].tolist()))
    order = [kinds[j - n_ex] for j in used_rows] + [t.name for t in outcome.spare]
    counts = {name: order.count(name) for name in dict.fromkeys(order)}
    taken = {h.id for h in ex}
    next_of = {name: iter(names(name, count, taken)) for name, count in counts.items()}
    bought: list[Host] = []
    kind_of: dict[str, str] = {}
    for name in order:  # the hosts already paid for, the candidates in the pool's order, then the spare ones
        h = by_name[name].host(next(next_of[name]))
        bought.append(h)
        kind_of[h.id] = name
    kept = list(range(n_ex)) + used_rows
    row_of = np.full(len(inner.problem.host_ids), -1, dtype=np.int64)  # type: ignore[union-attr]
    row_of[kept] = np.arange(len(kept))
    final_index = np.where(index >= 0, row_of[np.maximum(index, 0)], -1) if len(row_of) else index.copy()
    with warnings.catch_warnings():  # (a rule's scope no host has: warned of when the inputs were checked)
        warnings.simplefilter("ignore", FleetpackWarning)
        problem = build_problem(ws, [*ex, *bought], over, max_moves=options["max_moves"],
                                max_move_cost=options["max_move_cost"], **options["call"])
    dims = problem.dimensions
    pool_dims = list(inner.dimensions)
    assert inner.answer is not None and inner.answer.used is not None
    used = np.zeros((len(kept) + len(outcome.spare), len(dims)), dtype=object)
    for d, name in enumerate(dims):
        used[:len(kept), d] = inner.answer.used[kept, pool_dims.index(name)]
    if outcome.spare:
        notes.append(f"spare={options['spare']}" + (f" (domain {options['spare_domain']})"
                                                    if options["spare_domain"] else "")
                     + f": {len(outcome.spare)} empty host(s) bought for the spare room")
    hosts = [*ex, *bought]
    plan = plan_on(problem, final_index, np.asarray(inner.form_codes), used, inner.strategy, options["method"],
                    time.perf_counter() - began)
    buy = {t.name: n for t in types for n in [sum(1 for k in kind_of.values() if k == t.name)] if n}
    cost = sum(h.cost for h in bought)
    placed_on = set(final_index[(final_index >= 0) & (final_index < n_ex)].tolist())
    if options["existing_cost"]:
        cost += sum(ex[j].cost for j in sorted(placed_on))
    value = float(len(bought)) if options["objective"] == "hosts" else float(cost)
    takes = np.array([f.takes for f in fits]).reshape(len(fits), len(ws))
    counted = (final_index >= 0) | takes.any(axis=0)
    grouped = in_hard_groups(ws, options["call"]["rules"] or ())
    blocked = takes.any(axis=0) & (final_index < 0)
    if blocked.any() and grouped.any():
        # group rules left out workloads a type takes: a purchase that places the most places every workload in
        # no hard rule's group that a type sold without limit takes (one more host of it would), so the bound
        # counts those alone
        unlimited = np.array([t.available is None for t in types], dtype=bool)
        counted = ~grouped & (takes[unlimited].any(axis=0) if unlimited.any() else np.zeros(len(ws), dtype=bool))
    bound = options.get("bound")
    if bound is None or not np.array_equal(counted, takes.any(axis=0)):
        with wall_deadline(options["deadline"]):
            bound = purchase_bound(ws, counted, takes, types, ex, over, dims, options["objective"],
                                   options["existing_cost"], column_seconds=column_seconds(options),
                                   **rules)
        if blocked.any() and grouped.any():
            bound = replace(bound, reason=f"{bound.reason}, over the {int(counted.sum())} workloads in no hard "
                            "group rule (the rules leave others out)")
    return CapacityPlan(buy=buy, hosts=tuple(hosts), plan=plan, cost=float(cost), objective=options["objective"],
                        objective_value=value, lower_bound=bound.value, host_types=tuple(types),
                        existing=tuple(h.id for h in ex), bought=kind_of, spare=options["spare"],
                        max_types=max_types, existing_cost=options["existing_cost"], bound_reason=bound.reason,
                        elapsed=time.perf_counter() - began, notes=tuple(notes),
                        spare_domain=options["spare_domain"], max_moves=options["max_moves"],
                        max_move_cost=options["max_move_cost"], rules=tuple(options["call"]["rules"] or ()),
                        allocation_ratio=options["call"]["allocation_ratio"],
                        max_utilization=options["call"]["max_utilization"])


def plan_on(problem, index: np.ndarray, forms: np.ndarray, used: np.ndarray, strategy: str, method: str,
             elapsed: float) -> Plan:
    """The `Plan` of a fixed assignment on the final fleet (its bound: the core's, for that fleet)."""
    placed = int(np.sum(index >= 0))
    bound = _core.lower_bound(problem.encode(), "cost", placed)  # type: ignore[arg-type]
    in_use = np.zeros(len(problem.host_ids), dtype=bool)
    in_use[index[index >= 0]] = True
    costs = np.asarray(problem.host_costs)[in_use]
    cost = float(np.cumsum(costs)[-1]) if len(costs) else 0.0
    answer = Answer(index.astype(np.int64), forms.astype(np.uint8), strategy, float(bound), objective_value=cost,
                    used=used, hosts_used=int(in_use.sum()), cost=cost)
    return build_plan(problem, answer, objective="cost", method=method, elapsed=elapsed)
