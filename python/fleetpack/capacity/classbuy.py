"""The LP over host types and workload classes (fleetpack.exact.classlp, issue 18) as a purchase bound and as the
guide of a purchase (issue 17).

**The bound.** The class LP of a fleet counts each kind of host up to its number of hosts; a purchase's types may
be bought up to ``available`` (unlimited: any number), at their price, and the existing hosts once each (cost 0,
or their cost with ``existing_cost``). Every purchase with its placement is a feasible point of that LP at its
cost: each bought host is one host of its type, in one pool (dedicated, an isolated tenant's, the rest) and one
mode (VMs, containers, both: which fixes its fixed overheads), each workload in one form on one host, within the
rooms and ``max_workloads``. So the LP's optimum is at most every purchase's cost. It keeps what the cover and the
column generation leave out (tenant isolation, the overheads of each mode, VMs at their host's CPU factor) and
leaves out anti-affinity (fewer rows: still a relaxation). It applies when no workload has a selector or toleration
and no host a taint (eligibility: the class LP does not model it) and the fleet is not live (``current``).
Since every workload is placed, the bound is the LP with rows that count whole hosts (``rounding`` in
fleetpack.exact.classlp: 417 GPUs on hosts of 4 need 105 hosts, not 104.25); the guide is the plain LP's solution.

**The purchase.** The LP's solution says how many hosts of each type to buy and which classes of workloads go on
them. Each class's workloads are dealt to the types in the LP's proportions (largest remainder), each type's share
is packed by ``auto`` twice (a one-type packing, which the core does well), on the LP's count of its hosts and a
little more and on a tenth more (`PACKINGS`), and the one using fewer hosts kept; what does not fit, with the share
of the existing hosts, is placed by ``auto`` over everything: the workloads packed so far start where they are
(``current``, free to move: the search empties hosts), the rest go to the existing hosts, the room left on the hosts
bought, or candidates of any type. The purchase is the hosts used.
"""

from __future__ import annotations

import math
import os
import time
import warnings
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Sequence

import numpy as np

from ..errors import FleetpackWarning
from ..exact.classlp import class_bound
from ..model.hosttypes import HostType
from ..model.inputs import build_problem
from ..model.objects import PLACED_FORMS, Host, Overheads, Workload
from ..model.wire import UNPLACED, Answer
from ..plan.plan import Plan, build_plan
from ..solve.front import core_place, core_place_many
from ..solve.pipeline import default_search_work
from .pool import TypeFit, candidate_hosts, fit_types, names

if TYPE_CHECKING:
    from .bounds import Patterns

__all__ = ["ClassLP", "class_lp", "class_purchase", "pattern_guide", "core_auto"]

#: Distinct demands the LP keeps apart (beyond, they are rounded down into fewer: `_coarse`).
MAX_SHAPES = 400
#: Each type's share is packed twice, on the LP's count of hosts and this much more (and one), its improvement
#: search on this much work (in units of the core's default, `default_search_work`); the one using fewer hosts
#: is kept. The tight room makes the core place the most first and search down from there; the loose one lets
#: it place all at once and empty hosts: either may end lower (by one to four hosts on `realistic_fleet`).
PACKINGS = ((0.02, 1.0), (0.1, 2.0))
#: The improvement search's work in the placement over everything after them (it starts from their plan).
JOINT_WORK = 0.25
_THREADS = max(1, min(2, os.cpu_count() or 1))
_DEBUG = bool(os.environ.get("FLEETPACK_COLGEN_DEBUG"))


@dataclass(frozen=True)
class ClassLP:
    """The class LP of a purchase: its value (a lower bound on the cost of every purchase that places the counted
    workloads), its groups of hosts (a type and a pool: dedicated, an isolated tenant's, the rest) with the hosts
    its solution buys of each, and per counted workload the group its class is dealt to."""

    value: float
    group_type: np.ndarray  # per group: a type index
    group_hosts: np.ndarray  # per group: hosts
    rows: np.ndarray  # the counted workloads (indices into the workloads)
    target: np.ndarray  # per counted workload: a group, or -1 (an existing host's share)


def class_lp(ws: Sequence[Workload], counted: np.ndarray, types: Sequence[HostType], ex: Sequence[Host],
             over: Overheads, price, existing_cost: bool, seconds: float | None, spare: int = 0) -> ClassLP | None:
    """The class LP over the types (priced by ``price(type)``, up to ``available``) and the existing hosts, for
    plans that place every ``counted`` workload (and keep the room of ``spare`` hosts, ``classlp``'s rows); None
    when it does not apply or GLOP finds no optimum in time."""
    rows = np.flatnonzero(counted)
    if not len(rows) or not types:
        return None
    greenfield = [_fresh(ws[w]) for w in rows.tolist()]
    taken = {h.id for h in ex}
    own = [replace(t.host(names(t.name, 1, taken)[0]), cost=float(price(t))) for t in types]
    hosts = [*own, *(h if existing_cost else replace(h, cost=0.0) for h in ex)]
    try:
        arrays = build_problem(greenfield, hosts, over).encode()
    except Exception:  # (a fleet the encoder refuses is bounded by the other bounds)
        return None
    arrays["demand"] = _coarse(np.stack([np.asarray(c, dtype=np.uint64) for c in arrays["demand"]], axis=1)
                               if not isinstance(arrays["demand"], np.ndarray) else arrays["demand"])
    copies = np.array([math.inf if t.available is None else float(t.available) for t in types] + [1.0] * len(ex))
    solution: dict[str, np.ndarray] = {}
    # the value with the rows that count whole hosts (fleetpack.exact.classlp `_rounding_cuts`); the guide is the
    # plain LP's solution, whose packings came out cheaper
    found = class_bound(arrays, "cost", len(rows), seconds, copies=copies, solution=solution, spare=spare,
                        rounding=True)
    if found is None:
        return None
    # the groups: per type and pool, the slots (modes) summed
    slot_row, slot_pool = solution["slot_row"], solution["slot_pool"]
    keys = sorted({(int(r), int(p)) for r, p in zip(slot_row.tolist(), slot_pool.tolist()) if r < len(types)})
    group_of = {key: g for g, key in enumerate(keys)}
    slot_group = np.array([group_of.get((int(r), int(p)), -1) for r, p in zip(slot_row.tolist(),
                                                                              slot_pool.tolist())], dtype=np.int64)
    hosts = np.zeros(len(keys))
    np.add.at(hosts, slot_group[slot_group >= 0], solution["slot_hosts"][slot_group >= 0])
    assign = np.zeros((solution["assign"].shape[0], len(keys) + 1))  # (the last column: existing hosts)
    for s_, g in enumerate(slot_group.tolist()):
        assign[:, g if g >= 0 else len(keys)] += solution["assign"][:, s_]
    return ClassLP(found.value, np.array([k for k, _ in keys], dtype=np.int64), hosts, rows,
                   _deal(assign, solution["class_of"], len(keys)))


def pattern_guide(patterns: "Patterns | None", n_types: int) -> ClassLP | None:
    """The column generation's LP solution (fleetpack.capacity.colgen) as a guide of the same shape as the class
    LP's: each class's workloads dealt to the kinds in the shares its patterns hold of it (the LP's exchange
    columns followed: a pattern's copy of a larger class may hold a smaller one), the hosts of each type those the
    LP buys; the existing kinds' share as -1. None without a solution, or when a pattern's item is a merged
    affinity group (the rows then do not map the classes to workloads)."""
    if patterns is None or not patterns.result.solution or patterns.merged:
        return None
    lp = patterns.lp
    share = _class_shares(lp, patterns.result.solution)
    assign = np.column_stack([share[:, :n_types], share[:, n_types:].sum(axis=1)])
    mix = np.asarray(patterns.result.mix[:n_types], dtype=float)
    return ClassLP(float(patterns.result.value), np.arange(n_types, dtype=np.int64), mix,
                   np.asarray(patterns.rows, dtype=np.int64), _deal(assign, patterns.class_of, n_types))


def _class_shares(lp, solution) -> np.ndarray:
    """(classes, kinds): how many of each class the solution's patterns of each kind hold, at most its demand;
    a class covered by larger classes' copies (the exchanges) takes the room left in the smallest of those
    first, the classes from the largest down."""
    n, kinds = len(lp.demand), len(lp.kinds)
    supply = np.zeros((n, kinds))
    for (k, pattern), x in zip(lp.columns, solution):
        if x > 1e-9:
            for i, a in pattern.items():
                supply[i, k] += x * a
    size = lp.size.astype(float)
    norm = (size / np.maximum(size.max(axis=0), 1.0)).sum(axis=1)
    eligible = np.array([kind.eligible for kind in lp.kinds], dtype=bool).reshape(kinds, n)
    share = np.zeros((n, kinds))
    spare = np.zeros((n, kinds))  # the copies of each class, per kind, that its own members leave free
    for i in np.argsort(-norm, kind="stable").tolist():
        need, own = float(lp.demand[i]), float(supply[i].sum())
        if own > 0:
            take = min(need, own)
            share[i] = supply[i] * (take / own)
            spare[i] = supply[i] - share[i]
            need -= take
        if need <= 1e-9:
            continue
        holds = np.all(lp.size >= lp.size[i], axis=1) & (lp.family == lp.family[i]) & (lp.dedicated == lp.dedicated[i])
        holds[i] = False
        for j in sorted(np.flatnonzero(holds & (spare.sum(axis=1) > 1e-9)).tolist(), key=lambda j: norm[j]):
            room = np.where(eligible[:, i], spare[j], 0.0)
            got = float(room.sum())
            if got <= 1e-9:
                continue
            take = min(need, got)
            share[i] += room * (take / got)
            spare[j] -= room * (take / got)
            need -= take
            if need <= 1e-9:
                break
    return share


def _coarse(demand: np.ndarray) -> np.ndarray:
    """The demands as the LP sees them: themselves when they have at most `MAX_SHAPES` distinct rows, else each
    dimension rounded down to fewer levels (quantiles), as many as keep that many shapes. Smaller demands only
    lower the LP's optimum: it stays a bound (a little weaker), and solves in a fraction of the time."""
    demand = np.asarray(demand, dtype=np.uint64)
    if len(np.unique(demand, axis=0)) <= MAX_SHAPES:
        return demand
    coarse = demand
    for levels in (32, 24, 16, 12, 8, 6, 4, 3, 2, 1):
        coarse = demand.copy()
        for d in range(demand.shape[1]):
            if len(np.unique(demand[:, d])) <= levels:
                continue
            cuts = np.unique(np.quantile(demand[:, d], np.linspace(0, 1, levels, endpoint=False), method="lower"))
            cuts[0] = min(cuts[0], demand[:, d].min())
            coarse[:, d] = cuts[np.searchsorted(cuts, demand[:, d], side="right") - 1]
        if len(np.unique(coarse, axis=0)) <= MAX_SHAPES:
            break
    return coarse


def _deal(assign: np.ndarray, class_of: np.ndarray, n_groups: int) -> np.ndarray:
    """Each class's workloads dealt to the groups in the LP's proportions (largest remainder); the last column
    (existing hosts) as -1."""
    target = np.full(len(class_of), -1, dtype=np.int64)
    for c in range(assign.shape[0]):
        members = np.flatnonzero(class_of == c)
        total = float(assign[c].sum())
        if not len(members) or total <= 0:
            continue
        share = assign[c] / total * len(members)
        count = np.floor(share).astype(np.int64)
        order = np.argsort(-(share - count), kind="stable")
        count[order[:len(members) - int(count.sum())]] += 1
        at = 0
        for row, q in enumerate(count.tolist()):
            target[members[at:at + q]] = row if row < n_groups else -1
            at += q
    return target


def class_purchase(ws: Sequence[Workload], ex: Sequence[Host], over: Overheads, fits: Sequence[TypeFit],
                   lp: ClassLP, price, seconds: float | None, seed: int,
                   packings: Sequence[tuple[float, float]] = PACKINGS,
                   joint: float | None = JOINT_WORK) -> tuple[Plan, list[str]] | None:
    """The purchase the class LP guides (the module's doc): the plan over the existing hosts (as the solve prices
    them), the hosts bought from the LP's counts and candidates, and the types of the rows after the existing
    hosts; None when a one-type packing finds nothing. ``packings``: each type's share packed so (`PACKINGS`);
    ``joint``: the work of the placement over everything after them, or None: the packings kept as they are and
    what they leave placed alone (at 10,000 workloads the placement over everything takes seconds)."""
    began = time.perf_counter()
    types = [f.host_type for f in fits]
    current: dict[int, tuple[str, str]] = {}  # workload -> (host id, form)
    bought: list[Host] = []
    kinds: list[str] = []
    taken = {h.id for h in ex}
    shares = []  # per type: its groups' workloads, group by group (pools apart), each largest first
    for k, t in enumerate(types):
        room = np.array([max(1, t.cpu_millis), max(1, t.memory_bytes)], dtype=float)
        parts = []
        for g in np.flatnonzero(lp.group_type == k).tolist():
            mine = lp.rows[lp.target == g]
            size = np.array([[ws[w].cpu_millis, ws[w].memory_bytes] for w in mine.tolist()], dtype=float)
            order = np.argsort(-(size / room).max(axis=1), kind="stable") if len(mine) else []
            parts.append(mine[order])
        shares.append(np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64))
    jobs = []  # per type and packing: (type, host ids, hosts, its problem, work)
    for k, t in enumerate(types):
        need = float(lp.group_hosts[lp.group_type == k].sum())
        counts = [int(math.ceil(need * (1 + room) - 1e-6)) + 1 for room, _ in packings]
        if t.available is not None:
            counts = [min(c, t.available) for c in counts]
        if max(counts) <= 0 or not len(shares[k]):
            continue
        ids = names(t.name, max(counts), taken)
        taken.update(ids)
        hosts = [replace(t.host(i), cost=float(price(t))) for i in ids]
        mine = [_fresh(ws[w]) for w in shares[k].tolist()]
        for count, (_, work) in sorted(set(zip(counts, packings))):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FleetpackWarning)
                problem = build_problem(mine, hosts[:count], over)
            jobs.append((k, ids[:count], hosts[:count], problem, _work(problem, work)))
    # the packings side by side (the core releases the GIL), the largest first
    jobs.sort(key=lambda job: -len(shares[job[0]]))
    cap = None if seconds is None else max(0.05, seconds - (time.perf_counter() - began))
    answers = core_place_many([(p, "auto", "sum", "hosts", cap, seed, work) for *_, p, work in jobs], _THREADS)
    best: dict[int, tuple[tuple[float, int], list[str], list[Host], np.ndarray, np.ndarray]] = {}
    for (k, ids, hosts, _, _), answer in zip(jobs, answers):
        index, codes = np.asarray(answer.host_index), np.asarray(answer.form_codes)
        used, left = len(set(index[index >= 0].tolist())), int((index < 0).sum())
        # the hosts, with those left out counted at the packing's hosts per workload (the placement after finds
        # them room on any type, or on the room left here)
        key = (used + left * used / max(1, len(index) - left), left)
        if _DEBUG:
            print(f"classbuy: {types[k].name}: {len(shares[k])} workloads on {len(ids)} hosts -> {used} hosts, "
                  f"{left} left out, {answer.elapsed:.2f} s")
        if k not in best or key < best[k][0]:
            best[k] = (key, ids, hosts, index, codes)
    for k, (_, ids, hosts, index, codes) in sorted(best.items()):
        for r, w in enumerate(shares[k].tolist()):
            if index[r] >= 0:
                current[w] = (ids[index[r]], PLACED_FORMS[codes[r]])
        used = sorted(set(index[index >= 0].tolist()))
        bought += [hosts[j] for j in used]
        kinds += [types[k].name] * len(used)
    rest = [w for w in range(len(ws)) if w not in current]
    if _DEBUG:
        print(f"classbuy: one-type packings {sum(price(t) for t in types for k in kinds if k == t.name):g}, "
              f"{len(rest)} left, {time.perf_counter() - began:.2f} s")
    rest_fits = fit_types([_fresh(ws[w]) for w in rest], types, over) if rest else []
    taken.update(h.id for h in bought)
    held = {t.name: kinds.count(t.name) for t in types}
    counts = {f.host_type.name: f.copies if f.host_type.available is None
              else max(0, min(f.copies, f.host_type.available - held[f.host_type.name])) for f in rest_fits}
    # the rest on the type that holds it all cheapest alone (first-fit decreasing), when one does: the core's cost
    # order prices room per unit, blind to the rest's shape
    whole = [f for f in rest_fits if f.takes.all() and 0 < f.copies <= counts[f.host_type.name]]
    if whole:
        rest_fits = [min(whole, key=lambda f: f.copies * float(price(f.host_type)))]
    pool, pool_kinds = candidate_hosts(rest_fits, taken, counts=counts, cost_of=price) if rest else ([], [])
    left = None if seconds is None else max(0.1, seconds - (time.perf_counter() - began))
    if joint is None:
        plan = _rest_alone(ws, ex, bought, pool, over, current, rest, left, seed)
    else:
        live = [replace(w, current=current[i][0], current_form=current[i][1], pinned=False) if i in current
                else _fresh(w) for i, w in enumerate(ws)]
        plan = core_auto(build_problem(live, [*ex, *bought, *pool], over), None, over, "cost", left, seed, joint)
    if _DEBUG:
        print(f"classbuy: then {plan.cost:g}, {len(plan.unplaced)} unplaced, {time.perf_counter() - began:.2f} s")
    return plan, kinds + pool_kinds


def _rest_alone(ws, ex, bought, pool, over, current: dict[int, tuple[str, str]], rest: list[int],
                seconds: float | None, seed: int) -> Plan:
    """The plan over the existing hosts, the hosts bought and the candidates: the packings (``current``) as they
    are, the workloads left placed by ``auto`` on the existing hosts and the candidates alone."""
    began = time.perf_counter()
    hosts = [*ex, *bought, *pool]
    row = {h.id: j for j, h in enumerate(hosts)}
    index = np.full(len(ws), -1, dtype=np.int64)
    codes = np.full(len(ws), UNPLACED, dtype=np.uint8)
    for w, (host, form) in current.items():
        index[w], codes[w] = row[host], PLACED_FORMS.index(form)
    if rest:
        alone = core_auto([_fresh(ws[w]) for w in rest], [*ex, *pool], over, "cost", seconds, seed)
        where, forms = np.asarray(alone.host_index), np.asarray(alone.form_codes)
        placed = where >= 0
        at = np.asarray(rest, dtype=np.int64)[placed]
        index[at] = np.where(where[placed] < len(ex), where[placed], where[placed] + len(bought))
        codes[at] = forms[placed]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FleetpackWarning)
        problem = build_problem([_fresh(w) for w in ws], hosts, over)
    return build_plan(problem, Answer(index, codes, "auto", 0.0), objective="cost", method="auto",
                      elapsed=time.perf_counter() - began)


def core_auto(ws, hosts, over, objective: str, seconds: float | None, seed: int, work: float = JOINT_WORK) -> Plan:
    """``auto`` in the core alone (no exact stage) on ``work`` times its default budget of work (so the same on any
    load), with ``seconds`` as a last resort; ``ws`` a built problem when ``hosts`` is None."""
    began = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FleetpackWarning)
        problem = ws if hosts is None else build_problem(ws, hosts, over)
        answer = core_place(problem, "auto", "sum", objective, seconds, seed, _work(problem, work))
    return build_plan(problem, answer, objective=objective, method="auto", elapsed=time.perf_counter() - began)


def _work(problem, factor: float) -> int:
    return max(1, int(factor * default_search_work(len(problem.workload_ids))))


def _fresh(w: Workload) -> Workload:
    """The workload without where it runs (a copy only when it runs somewhere: copies are not cheap)."""
    if w.current is None and w.current_form is None and not w.pinned:
        return w
    return replace(w, current=None, current_form=None, pinned=False)
