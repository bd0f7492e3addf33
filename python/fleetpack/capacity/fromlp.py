"""A purchase read off the column generation's LP (price and branch): whole numbers of the patterns it generated
(``colgen.integer_master``), each bought pattern a host holding those workloads.

The patterns are a relaxation (a workload in its smallest form, the smaller fixed overhead, tenant isolation left
out), so every workload is put on its host by the reference rules (``HostState.first_form``); one that does not fit
there goes to the first host of the purchase that takes it, else to a new host of the cheapest type that takes it.
On pure vector packing nothing moves and the purchase is the LP's integer optimum over its patterns; it is one more
candidate beside the core's placements, kept only when it is cheaper.
"""

from __future__ import annotations

import math
import time
from collections import Counter, deque
from typing import Sequence

import numpy as np

from ..model.inputs import build_problem
from ..model.objects import PLACED_FORMS, Host, Overheads, Workload
from ..model.rules import HostState
from ..model.wire import UNPLACED, Answer
from ..plan.plan import build_plan
from .bounds import Patterns
from .classbuy import core_auto
from .colgen import PatternLP, seconds_left
from .master import dive, enumerate_patterns, integer_master
from .pool import TypeFit, candidate_hosts, fit_types

__all__ = ["lp_purchase"]

_MAX_WORKLOADS = 2_000  # beyond, the reference rules' pass over the purchase costs more than it finds


def lp_purchase(ws: Sequence[Workload], ex: Sequence[Host], over: Overheads, fits: Sequence[TypeFit],
                patterns: Patterns | None, price, seconds: float, bound: float = 0.0):
    """(the types bought from, the plan over the existing hosts and the bought candidates, the candidates' types,
    a proven lower bound on the cost or None), or None when nothing is found in ``seconds``. ``ex`` are the
    existing hosts as the solve prices them; ``price(type)`` a candidate's price. Readings of the LP, the cheapest
    kept: the dive (when the core's table prices the LP) and the integer master over its columns; with the LP
    converged, the integer master over every pattern a cheaper purchase could use (its proven optimum: the bound
    returned); and, unless that proves the purchase, the LP's whole part with the workloads it leaves placed by the
    core's ``auto``. A purchase that costs no more than ``bound`` (a lower bound on every purchase's cost) ends the
    search: it is optimal."""
    if patterns is None or not patterns.result.solution or patterns.coarse or len(ws) > _MAX_WORKLOADS:
        return None
    if any(w.current is not None for w in ws):  # a live fleet: the patterns know nothing of moves
        return None
    began = time.perf_counter()
    lp = patterns.lp

    found = []
    # (the dive adds the columns of its residual LPs; it solves dozens of them: only when the core's table prices
    # them, with CP-SAT pricing it ran out of its time, 10 s at 1,000 workloads, and bought nothing)
    dived = dive(lp, patterns.result.solution, seconds / 4) if patterns.result.fast else []
    chosen = _cheapest(lp, [dived, integer_master(lp, patterns.result.solution, seconds / 8, dived)])
    if chosen:
        found.append(_realize(ws, ex, over, fits, price, *_slots(ws, ex, fits, patterns, chosen), began))
    lower = None
    if found and not found[0][1].unplaced and found[0][1].cost <= bound * (1 + 1e-9):
        return (*found[0], None)
    duals = patterns.result.duals
    if duals is not None and found and not found[0][1].unplaced and seconds_left() > 0:
        # every pattern a cheaper purchase could use, then the integer master over them: its optimum (when
        # proven) is the best purchase of patterns, so a bound; with the patterns exact, the optimum itself
        upper = found[0][1].cost
        complete = enumerate_patterns(lp, duals, upper) is not None  # (else too many: the columns so far)
        proof: list[float] = []
        x = list(patterns.result.solution) + [0.0] * (len(lp.columns) - len(patterns.result.solution))
        better = integer_master(lp, x, seconds / 2, chosen, proof)
        if better:
            found.append(_realize(ws, ex, over, fits, price, *_slots(ws, ex, fits, patterns, better), began))
        if complete and proof and proof[0] > -math.inf:
            lower = min(proof[0], upper)
    floor = max(bound, -math.inf if lower is None else lower)
    if (not found or min(f[1].cost for f in found) > floor * (1 + 1e-9)) and seconds_left() > 0:
        whole = [(k, p, int(np.floor(x + 1e-9))) for (k, p), x in zip(lp.columns, patterns.result.solution)]
        slots, left = _slots(ws, ex, fits, patterns, [(k, p, c) for k, p, c in whole if c > 0])
        if left:
            found.append(_with_residual(ws, ex, over, fits, price, slots, left))
    found = [f for f in found if f is not None]
    if not found:
        return None
    return (*min(found, key=lambda f: (len(f[1].unplaced), f[1].cost)), lower)


def _slots(ws, ex, fits, patterns: Patterns, chosen) -> tuple[list[tuple[int, list[int]]], list[int]]:
    """The hosts of a purchase of patterns, each (type index, or -1 - existing index) with the workloads meant for
    it, and the workloads left over."""
    lp, n_types = patterns.lp, len(fits)
    members: list[deque] = [deque() for _ in range(len(lp.demand))]
    for row, c in zip(patterns.rows.tolist(), patterns.class_of.tolist()):
        members[c].append(row)
    slots: list[tuple[int, list[int]]] = []
    free_existing = [deque(group) for group in patterns.existing_groups]
    for k, pattern, copies in chosen:
        for _ in range(copies):
            held = [members[i].popleft() for i, a in pattern.items() for _ in range(min(a, len(members[i])))]
            if k < n_types:
                slots.append((k, held))
            elif free_existing[k - n_types]:
                slots.append((-1 - free_existing[k - n_types].popleft(), held))
    left = [w for group in members for w in group]
    seen = {w for _, held in slots for w in held} | set(left)
    left += [w for w in range(len(ws)) if w not in seen]  # the workloads the LP does not count
    return slots, left


def _with_residual(ws, ex, over, fits, price, slots, left: list[int]):
    """The slots as they are, and the workloads left placed by the core's ``auto`` on hosts of their own (the existing
    hosts no slot holds among them)."""
    began = time.perf_counter()
    used_existing = {-1 - s for s, _ in slots if s < 0}
    free = [j for j in range(len(ex)) if j not in used_existing]
    rest = [ws[w] for w in left]
    rest_fits = fit_types(rest, [f.host_type for f in fits], over)
    taken = {h.id for h in ex}
    held = Counter(fits[s].host_type.name for s, _ in slots if s >= 0)
    counts = {f.host_type.name: f.copies if f.host_type.available is None
              else max(0, min(f.copies, f.host_type.available - held[f.host_type.name])) for f in rest_fits}
    pool, kinds = candidate_hosts(rest_fits, taken, counts=counts, cost_of=price)
    remaining = seconds_left()  # (plan_capacity's time limit: what is left of it)
    # (the core alone: auto's exact stage prepares an arc-flow model of the whole pool, seconds for a residual)
    plan = core_auto(rest, [ex[j] for j in free] + pool, over, "cost",
                     None if math.isinf(remaining) else max(0.05, remaining), 0, 1.0)
    index = np.asarray(plan.host_index)
    type_of = {f.host_type.name: t for t, f in enumerate(fits)}
    extra: dict[int, list[int]] = {}
    for r, j in enumerate(index.tolist()):
        if j >= 0:
            extra.setdefault(j, []).append(left[r])
    more = [(-1 - free[j] if j < len(free) else type_of[kinds[j - len(free)]], held) for j, held in extra.items()]
    unplaced = [left[r] for r in np.flatnonzero(index < 0).tolist()]
    return _realize(ws, ex, over, fits, price, slots + more, unplaced, began)


def _realize(ws, ex, over, fits, price, slots, left, began):
    """The plan of a purchase given as slots: each workload put on its slot by the reference rules, those that
    do not fit there (and ``left``) on the first host that takes them, else on a new host of the cheapest type."""
    n_types = len(fits)
    used_existing = {-1 - s for s, _ in slots if s < 0}
    slots = slots + [(-1 - j, []) for j in range(len(ex)) if j not in used_existing]
    left = list(left)
    hosts = [ex[-1 - s] if s < 0 else fits[s].host_type.host(f"slot-{j}") for j, (s, _) in enumerate(slots)]
    problem = build_problem(ws, hosts, over).materialize()
    states = [HostState(problem, h) for h in problem.hosts]
    where = np.full(len(ws), -1, dtype=np.int64)
    forms: list[str | None] = [None] * len(ws)
    for j, (_, held) in enumerate(slots):
        for w in held:
            form = states[j].first_form(problem.workloads[w])
            if form is None:
                left.append(w)
            else:
                states[j].add(problem.workloads[w], form)
                where[w], forms[w] = j, form
    kinds = [s for s, _ in slots]
    order = sorted(range(n_types), key=lambda t: price(fits[t].host_type))
    bought = {t: sum(1 for s in kinds if s == t) for t in range(n_types)}
    for w in left:
        wl = problem.workloads[w]
        for j, state in enumerate(states):
            form = state.first_form(wl)
            if form is not None:
                state.add(wl, form)
                where[w], forms[w] = j, form
                break
        else:
            for t in order:
                ht = fits[t].host_type
                if not fits[t].takes[w] or (ht.available is not None and bought[t] >= ht.available):
                    continue
                state = HostState(problem, ht.host(f"slot-{len(states)}"))
                form = state.first_form(wl)
                if form is not None:
                    state.add(wl, form)
                    states.append(state)
                    kinds.append(t)
                    bought[t] += 1
                    where[w], forms[w] = len(states) - 1, form
                    break
    # the plan over the existing hosts, then the candidates of the types bought, in the pool's order
    in_use = np.zeros(len(states), dtype=bool)
    in_use[where[where >= 0]] = True
    counts = {fits[t].host_type.name: int(sum(1 for j, s in enumerate(kinds) if s == t and in_use[j]))
              for t in range(n_types)}
    types_used = [f for f in fits if counts[f.host_type.name]]
    candidates, names_ = candidate_hosts(types_used, {h.id for h in ex}, counts=counts, cost_of=price)
    row_of = np.full(len(states), -1, dtype=np.int64)
    next_row = {f.host_type.name: len(ex) + sum(counts[g.host_type.name] for g in types_used[:p])
                for p, f in enumerate(types_used)}
    for j, s in enumerate(kinds):
        if s < 0:
            row_of[j] = -1 - s
        elif in_use[j]:
            name = fits[s].host_type.name
            row_of[j] = next_row[name]
            next_row[name] += 1
    index = np.where(where >= 0, row_of[np.maximum(where, 0)], -1)
    codes = np.array([PLACED_FORMS.index(f) if f is not None else UNPLACED for f in forms], dtype=np.uint8)
    final = build_problem(ws, [*ex, *candidates], over)
    answer = Answer(index.astype(np.int64), codes, "column generation", 0.0)
    plan = build_plan(final, answer, objective="cost", method="column generation",
                      elapsed=time.perf_counter() - began)
    return types_used, plan, names_


def _cheapest(lp: PatternLP, answers: list[list[tuple[int, dict[int, int], int]]]):
    found = [a for a in answers if a]
    return min(found, key=lambda a: sum(lp.kinds[k].price * c for k, _, c in a)) if found else []
