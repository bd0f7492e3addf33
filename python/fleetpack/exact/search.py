"""Solving: the formulation for the instance, the LP bound and dives (arc-flow), then rounds of CP-SAT with growing
time slices, each from the best plan so far, until the plan is proven optimal or the time or work runs out.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field

import numpy as np

from .. import _core
from ..model.wire import UNPLACED
from ..plan.scoring import host_states, meets_bound, objective_value
from ..model.problem import Problem
from .arcflow import _GRAPH_STATE_BUDGET, _ArcFlow, _arcflow_model
from .assignment import _assignment_model, assignment_size
from .cpsat import _OutOfTime, _run_cp_sat, _solver
from .dive import _Diver
from .fill import fill
from .instance import FORMS, _from_units, _Instance, _spread_scale, _spread_units, _value
from .relax import lp_bound
from .symmetry import graph_state_budget, pruning_on

# CP-SAT runs in rounds: the first of this much deterministic time (about seconds), each next one twice as long
_FIRST_SLICE = 0.5
# the name of the assignment model restricted to the hosts its relaxation opens (`_closed_by_relaxation`), solved
# before the rounds: from no hint, as the best plan so far may use closed hosts
RESTRICTED = "restricted to the relaxation's hosts"
# dives on the arc-flow LP: the first follows the LP, the others draw at random, until one meets the LP bound;
# a few before CP-SAT's first round, then more between rounds (`_DIVES` doubling)
_FIRST_DIVES = 3
_DIVES = 8


@dataclass
class ExactResult:
    """What the exact solver did. ``hosts`` / ``forms`` per workload as the engines return them; ``lower_bound`` in
    the objective's units (never below the foundation's bound); ``optimal``: the plan is proven to place as many
    workloads as any plan can and, among those, to have the best objective."""

    hosts: list
    forms: list
    strategy: str
    lower_bound: float
    optimal: bool
    formulation: str
    status: str
    lp_bound: float | None = None
    timings: dict = field(default_factory=dict)


def _float_value(problem: Problem, objective: str, hosts: list, forms: list) -> float:
    """The objective's value of a plan as `fleetpack.plan.objective_value` computes it (by the reference rules)."""
    return objective_value(problem, objective, host_states(problem, hosts, forms))


def _answer(inst: _Instance, hosts: list, forms: list, strategy: str, bound):
    """An engine's answer in the array form the Rust core returns (see `fleetpack.plan.build_plan`): the plan is
    then described lazily, without a Python object per host."""
    m = len(inst.problem.hosts)
    used = np.zeros((m, inst.D), dtype=np.uint64)
    for j, load in inst.host_loads(hosts, forms).items():
        used[j] = [v * g for v, g in zip(load, inst.scale)]
    value = _value(inst, hosts, forms)
    return {
        "host_index": np.array([-1 if j is None else j for j in hosts], dtype=np.int64),
        "form_codes": np.array([UNPLACED if f is None else FORMS.index(f) for f in forms], dtype=np.uint8),
        "strategy": strategy,
        "lower_bound": _bound_type(inst.objective, bound),
        "objective_value": value,
        "used": used,
    }


def _foundation_bound(problem: Problem, objective: str, placed: int, known: tuple[int, float]) -> float:
    """The core's lower bound for plans that place at least ``placed`` workloads: ``known`` = (placed, bound) of
    the heuristics' answer when the count is theirs, else computed by the core for that count."""
    if placed == known[0]:
        return known[1]
    bound = _core.lower_bound(problem.encode(), objective, placed)
    return int(bound) if objective == "hosts" else bound


def solve(problem: Problem, objective: str, start: tuple, *, time_limit: float | None = None, seed: int = 0,
          workers: int | None = None, formulation: str | None = None, work_limit: float | None = None,
          deterministic: bool = False, _prepared=None) -> ExactResult:
    """Solve ``problem`` exactly, starting from the plan ``start`` = (hosts, forms, strategy, lower bound) that a
    heuristic found (it is the hint, and the answer if nothing better is found in time).

    ``formulation``: ``"assignment"``, ``"arcflow"`` or None (chosen per instance: arc-flow when its graphs are
    small enough and the objective is ``hosts`` or ``cost``). ``time_limit`` in seconds covers everything here;
    None: until proven. ``workers``: CP-SAT threads (None: all cores). ``work_limit``: CP-SAT's budget in
    deterministic time (about seconds on a current core, the same on every machine). ``deterministic``: CP-SAT's
    interleaved search, so that the answer depends only on the inputs and ``seed`` (unless ``time_limit`` cuts it);
    slower than the default parallel portfolio.
    """
    t0 = time.perf_counter()
    deadline = None if time_limit is None else t0 + time_limit
    timings: dict[str, float] = {}
    problem = problem.materialize()
    hosts0, forms0, strategy0, bound0 = as_start(start)
    placed0 = sum(j is not None for j in hosts0)
    inst, af = _prepared if _prepared is not None else (_Instance(problem, objective), None)
    fixed = placed0 == inst.placeable
    value0 = _value(inst, hosts0, forms0)

    def result(hosts, forms, strategy, bound, optimal, form, status, lp=None):
        if not optimal and sum(j is not None for j in hosts) < inst.placeable:
            # cut short, CP-SAT may not have maximised the count: no left-out workload may fit (issue 18); the
            # bound, for fewer placed, still holds for more
            hosts, forms, _ = fill(problem, objective, hosts, forms)
        timings["total"] = time.perf_counter() - t0
        value = _value(inst, hosts, forms)
        if optimal:
            bound = value
        bound = min(bound, value) if bound > value else bound
        if objective == "hosts":
            bound = int(round(bound)) if optimal else int(math.ceil(bound - 1e-9))
        return ExactResult(hosts, forms, strategy + (":optimal" if optimal and form not in ("bound", "none") else ""),
                           bound, optimal, form, status, lp, timings)

    if inst.placeable == 0:
        return result(hosts0, forms0, strategy0, bound0, True, "none", "nothing to place")
    if fixed and meets_bound(objective, value0, bound0):
        return result(hosts0, forms0, strategy0, bound0, True, "bound", "the heuristic meets the lower bound")

    # which formulation
    if formulation not in (None, "assignment", "arcflow"):
        raise ValueError(f"unknown formulation {formulation!r}")
    if problem.overbook is not None:
        # ratios: the assignment model's room rows (exact/assignment.py); the arc-flow graphs and the spread
        # objective's utilisation rows know no ratios, so arc-flow is not used and spread keeps the heuristics' plan
        if objective == "spread" or formulation == "arcflow":
            return result(hosts0, forms0, strategy0, bound0, False, "none",
                          "allocation ratios: CP-SAT models hosts and cost in the assignment model only")
        formulation = "assignment"
    if objective == "spread" and formulation == "arcflow":
        raise ValueError("the arc-flow formulation handles the 'hosts' and 'cost' objectives only")
    if formulation != "assignment" and objective != "spread" and af is None:
        # the graphs get a quarter of the time when they compete with the assignment model, all of it when asked for
        share = 1.0 if formulation == "arcflow" else 0.25
        # when they compete, no more search states than graphs that can win take (`fleetpack.exact.symmetry`)
        limit = None if formulation == "arcflow" or not pruning_on() else _arcflow_limit(inst)
        states = _GRAPH_STATE_BUDGET if limit is None else graph_state_budget(limit, _GRAPH_STATE_BUDGET)
        af = _ArcFlow(inst, states=states, deadline=None if deadline is None else t0 + share * (deadline - t0),
                      max_arcs=limit)
    timings["prepare"] = time.perf_counter() - t0
    if formulation is None:
        use_arcflow = af is not None and af.ok and _prefer_arcflow(inst, af)
    else:
        use_arcflow = formulation == "arcflow"
        if use_arcflow and not (af is not None and af.ok):
            if deadline is not None and time.perf_counter() >= deadline:
                return _unproven(problem, objective, inst, (hosts0, forms0, strategy0), bound0, placed0, 0, 1, result,
                                 "arcflow", "time limit reached while building the arc-flow graphs", None)
            raise ValueError("the arc-flow graphs of this instance exceed the size limits")
    name = "arcflow" if use_arcflow else "assignment"

    # bounds in the solver's units
    spread_k, spread_exact = _spread_scale(inst) if objective == "spread" else (1, True)
    if objective == "hosts":
        lb_int = int(bound0) if fixed else 0
        ub_int = int(inst.value_int(hosts0, forms0)) if fixed else None
    elif objective == "cost":
        lb_int = int(math.ceil(bound0 * inst.cost_scale * (1 - 1e-9) - 1e-6)) if fixed and inst.cost_exact else 0
        ub_int = int(inst.value_int(hosts0, forms0)) if fixed else None
    else:
        lb_int = int(math.floor(bound0 * spread_k)) if fixed else 0
        ub_int = _spread_units(inst.value_int(hosts0, forms0), spread_k) if fixed else None
    lb_int = max(lb_int, 0)

    best = (hosts0, forms0, strategy0)
    closed: list[int] = []  # the hosts the assignment model's relaxation leaves unused (variable indices)
    work_done = 0.0
    hint_plan = None
    lp_value = None
    diver = None
    if use_arcflow and fixed:
        t1 = time.perf_counter()
        lp_deadline = None if deadline is None else t1 + 0.5 * (deadline - t1)
        diver = _Diver(af, lp_deadline, seed)
        lp_value = diver.lp_value
        if lp_value is not None:
            lb_int = max(lb_int, diver.target)
        found = diver.run(_FIRST_DIVES, lp_deadline)
        timings["lp_and_dive"] = time.perf_counter() - t1
        if found is not None:
            h, f = af.plan_of(*found[1])
            if sum(j is not None for j in h) == inst.placeable and inst.value_int(h, f) <= inst.value_int(*best[:2]):
                # CP-SAT starts from the dive's plan even when it only ties: LP-shaped plans make better hints
                hint_plan = (h, f)
                if inst.value_int(h, f) < inst.value_int(*best[:2]):
                    best = (h, f, f"exact/{name}")
                    ub_int = int(inst.value_int(h, f))
        if ub_int is not None and ub_int <= lb_int:
            return result(best[0], best[1], best[2], bound0, True, name, "the LP bound is met", lp_value)

    # CP-SAT
    t1 = time.perf_counter()
    if deadline is not None and deadline - t1 <= 0.01:
        return _unproven(problem, objective, inst, best, bound0, placed0, lb_int, spread_k, result, name,
                         "time limit reached before CP-SAT", lp_value)
    try:
        if use_arcflow:
            model, hint, decode, weight, value_expr = _arcflow_model(af, fixed, placed0, lb_int, ub_int, deadline)

            def set_hint(h, f):
                contents = af.contents_of(h, f)
                if contents is not None:
                    hint(*contents)
        else:
            opened: dict = {}
            model, hint, decode, weight, value_expr = _assignment_model(inst, fixed, placed0, lb_int, ub_int,
                                                                        spread_k, deadline, opened=opened)
            set_hint = hint
            if fixed and objective != "spread" and pruning_on():
                # the model's own relaxation, with the rule cuts that CP-SAT's presolve hides from its LP
                t_lp = time.perf_counter()
                relaxed = lp_bound(model, None if deadline is None else t_lp + 0.25 * (deadline - t_lp))
                timings["lp"] = time.perf_counter() - t_lp
                if relaxed is not None:
                    if math.ceil(relaxed[0]) > lb_int:
                        lp_value = relaxed[0]
                        lb_int = math.ceil(relaxed[0])
                        model.add(value_expr >= lb_int)
                    if ub_int is not None and ub_int <= lb_int:
                        return result(best[0], best[1], best[2], bound0, True, name, "the LP bound is met", lp_value)
                    closed = _closed_by_relaxation(inst, opened, relaxed[1])
    except _OutOfTime:
        return _unproven(problem, objective, inst, best, bound0, placed0, lb_int, spread_k, result, name,
                         "time limit reached while building the CP-SAT model", lp_value)
    timings["model"] = time.perf_counter() - t1
    from ortools.sat.python import cp_model

    def units(h, f) -> int:
        """The solver's objective for a plan."""
        v = inst.value_int(h, f)
        v = _spread_units(v, spread_k) if objective == "spread" else int(v)
        return v if fixed else v - weight * sum(j is not None for j in h)

    # rounds of CP-SAT with growing time slices, each from the best plan so far with another seed: its run time on
    # these models is heavy-tailed, and a restart from a better hint often finishes at once (docs/exact.md)
    t2 = time.perf_counter()
    if closed and ub_int is not None:
        # first, the model on the hosts the relaxation opens: its plans are the full model's (the hint for it)
        restricted = model.clone()
        restricted.name = RESTRICTED
        restricted.clear_hints()  # (the best plan may use closed hosts: no hint rather than an infeasible one)
        for index in closed:
            restricted.add(restricted.get_bool_var_from_proto_index(index) == 0)
        left = None if deadline is None else deadline - time.perf_counter()
        # (half of auto's budget: on realistic_fleet(100, 3) under "cost" it finds 15.5 against the bound 14.7,
        # where a quarter found nothing and the rounds from the heuristics' 21 stopped at 20)
        work = _FIRST_SLICE if work_limit is None else min(_FIRST_SLICE, work_limit / 2)
        solver = _solver(left, work, seed, workers, deterministic=deterministic)
        status = _run_cp_sat(solver, restricted, deadline)
        work_done += solver.deterministic_time
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            h, f = decode(solver)
            if units(h, f) < units(best[0], best[1]):
                best = (h, f, f"exact/{name}")
                model.add(value_expr <= units(h, f))
        timings["restricted"] = time.perf_counter() - t2
        if units(best[0], best[1]) <= lb_int:  # it meets the bound: proven, no round needed
            timings["cp_sat_work"] = work_done
            return result(best[0], best[1], best[2], bound0, True, name, "the LP bound is met", lp_value)
    proven = False
    bound_units = -math.inf
    status_name = "UNKNOWN"
    rounds = 0
    slice_ = _FIRST_SLICE
    while True:
        left = None if deadline is None else deadline - time.perf_counter()
        if left is not None and left <= 0.005:
            break
        model.clear_hints()
        if hint_plan is not None and rounds == 0:
            set_hint(*hint_plan)
        else:
            set_hint(best[0], best[1])
        if work_limit is not None:
            work_left = work_limit - work_done
            if work_left <= 1e-3:
                break
        else:
            work_left = None
        solver = _solver(left, slice_ if work_left is None else min(slice_, work_left), seed + rounds, workers,
                         probing=not use_arcflow, deterministic=deterministic)
        status = _run_cp_sat(solver, model, deadline)
        work_done += solver.deterministic_time
        rounds += 1
        status_name = solver.status_name(status)
        if status in (cp_model.INFEASIBLE, cp_model.MODEL_INVALID):
            warnings.warn(f"fleetpack.exact: CP-SAT reported {status_name} on a model that has a solution; "
                          "keeping the best plan found", RuntimeWarning, stacklevel=2)
            break
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            h, f = af.plan_of(*decode(solver)) if use_arcflow else decode(solver)
            if units(h, f) < units(best[0], best[1]):
                best = (h, f, f"exact/{name}")
        if status == cp_model.OPTIMAL:
            proven = True
            break
        if status == cp_model.FEASIBLE:  # after UNKNOWN, CP-SAT reports 0 as its bound: not a bound at all
            bound_units = max(bound_units, solver.best_objective_bound)
        if bound_units > -math.inf and math.ceil(bound_units - 1e-9) >= units(best[0], best[1]):
            proven = True
            break
        if diver is not None:  # more dives, about as long as the round just done
            dive_deadline = time.perf_counter() + solver.wall_time
            if deadline is not None:
                dive_deadline = min(dive_deadline, deadline)
            found = diver.run(_DIVES << rounds, None if deterministic else dive_deadline)
            if found is not None:
                h, f = af.plan_of(*found[1])
                if units(h, f) < units(best[0], best[1]):
                    best = (h, f, f"exact/{name}")
                    hint_plan = None
                if lb_int and math.ceil(max(bound_units, lb_int) - 1e-9) >= units(best[0], best[1]):
                    proven = True
                    break
        if fixed:  # later rounds look for better plans only
            model.add(value_expr <= units(best[0], best[1]))
        slice_ *= 2
    timings["cp_sat"] = time.perf_counter() - t2
    timings["cp_sat_rounds"] = rounds
    timings["cp_sat_work"] = work_done
    placed = sum(j is not None for j in best[0])
    optimal = proven and (objective != "spread" or spread_exact) and (objective != "cost" or inst.cost_exact)
    if optimal:
        return result(best[0], best[1], best[2], 0.0, True, name, status_name, lp_value)
    # an honest bound: CP-SAT's, in the plan's units, never below the foundation's
    bound = _foundation_bound(problem, objective, placed, (placed0, bound0))
    if bound_units > -math.inf:
        raw = bound_units if fixed else bound_units + weight * placed  # any plan placing as many has at least this
        bound = max(bound, _from_units(inst, objective, raw, spread_k))
    if fixed and lb_int:
        bound = max(bound, _from_units(inst, objective, lb_int + (objective == "spread"), spread_k))
    return result(best[0], best[1], best[2], bound, False, name, status_name, lp_value)


def _closed_by_relaxation(inst: _Instance, opened: dict, values: list[float]) -> list[int]:
    """The hosts (their "used" variables' indices) beyond what the relaxation opens of each class, with one spare:
    the restricted model's plans are the full model's, and often near the relaxation's value."""
    closed = []
    for c in inst.classes:
        hs = [j for j in c.hosts if j in opened]
        total = sum(values[opened[j].index] for j in hs)
        keep = 0 if total <= 1e-6 else math.ceil(total - 1e-6) + 1
        closed += [opened[j].index for j in hs[keep:]]
    return closed


def _unproven(problem, objective, inst, best, bound0, placed0, lb_int, spread_k, result, name, status, lp_value):
    """No proof: the foundation's bound, raised by the LP bound when everything placeable is placed."""
    placed = sum(j is not None for j in best[0])
    bound = _foundation_bound(problem, objective, placed, (placed0, bound0))
    if placed == inst.placeable and lb_int:
        bound = max(bound, _from_units(inst, objective, lb_int + 1 if objective == "spread" else lb_int, spread_k))
    return result(best[0], best[1], best[2], bound, False, name, status, lp_value)


def _arcflow_limit(inst: _Instance) -> int:
    """The most arcs with which the arc-flow graphs are preferred to the assignment model: twice its variables, and
    at least `_ARCFLOW_FLOOR` unless the graphs carry rules (docs/exact.md, "Which formulation")."""
    return max(2 * assignment_size(inst), 0 if _rules_in_graphs(inst) else _ARCFLOW_FLOOR)


# small bin-packing instances go to arc-flow even when the assignment model is smaller: its LP bound proves them
_ARCFLOW_FLOOR = 2000


def _rules_in_graphs(inst: _Instance) -> bool:
    """Whether the graphs carry anti-affinity groups (a dimension each) or isolated tenants (a variant each): on such
    fleets the assignment model, with its rule cuts, proves what the floor would send to arc-flow (a fleet of 23
    rule-heavy workloads: 1 657 arcs against 184 variables, 1.3 s of CPU against 0.14 s)."""
    return any(inst.types[t].group is not None or inst.types[t].isolation == "tenant" for t in inst.placeable_types)


def _prefer_arcflow(inst: _Instance, af: _ArcFlow) -> bool:
    """Arc-flow when its graphs are small against the assignment model (docs/exact.md, "Which formulation")."""
    return af.arcs <= _arcflow_limit(inst)


def as_start(answer) -> tuple[list, list, str, float]:
    """An engine's answer -- the core's dict of arrays or a (hosts, forms, strategy, bound) tuple -- as lists."""
    if isinstance(answer, dict):
        hosts = [None if j < 0 else int(j) for j in answer["host_index"].tolist()]
        forms = [None if j is None else FORMS[c] for j, c in zip(hosts, answer["form_codes"].tolist())]
        bound = answer["lower_bound"]
        return hosts, forms, answer["strategy"], bound
    hosts, forms, strategy, bound = answer
    return list(hosts), list(forms), strategy, bound


def _bound_type(objective: str, bound: float):
    return int(bound) if objective == "hosts" else float(bound)
