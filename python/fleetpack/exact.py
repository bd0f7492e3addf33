"""Exact solving with OR-Tools: CP-SAT on an assignment model or on an arc-flow model, whichever suits the instance.

``method="exact"`` (and the exact stage of ``method="auto"``) runs here. The whole model of docs/model.md is encoded:
forms chosen per workload, effective demands (VM CPU factor, fixed per-VM and per-container overheads), the per-host
``hypervisor`` and ``container_runtime`` overheads switched on by the first VM / container, OS / hypervisor /
containers eligibility, tenant isolation, dedicated hosts, anti-affinity, ``max_workloads`` and extra dimensions.
Placing as many workloads as possible ranks above the objective.

Two formulations (docs/exact.md has the full statement and the measurements):

- **assignment** (every objective): for each type of identical workloads, host and form that the rules allow and
  that fits the empty host, how many of the type's workloads the host runs in that form; per-host Booleans for
  "used", "runs a VM", "runs a container", and the container tenants when tenant isolation is in play. Identical
  hosts (same shape, cost and attributes) form classes whose members are used in order, and the host of rank r in a
  class may only run types whose last workload ranks at least r among the workloads eligible there.
- **arc-flow** (``"hosts"`` and ``"cost"``): workloads of the same shape are one item type; for each class of
  identical hosts and each *variant* (VMs only, containers only, or both -- which fixes the per-host overheads -- and
  which tenant's containers may be there) a compressed arc-flow graph whose paths are exactly the feasible host
  contents (plus redundant ones); flow is integer and the number of paths out of a class is at most its size. The
  graph is built by a memoised depth-first search over (free space, next item type) with the free space lifted to
  the largest achievable values, and nodes merged by the largest load still to come (the "main compression" of
  Brandão & Pedroso, 2016). Its LP relaxation (solved with GLOP) is the Gilmore-Gomory bound, which is usually tight;
  a dive on that LP gives CP-SAT a near-optimal hint.

Both models are integer-only: CPU in millicores, memory in bytes, extra dimensions in units, each dimension divided
by the greatest common divisor of every demand and overhead in it (exact; capacities are then rounded down, which is
exact as every load is a multiple of the divisor). Host costs are scaled to integers by the least common multiple of
their decimal denominators.

OR-Tools is imported only when a model is solved, so ``import fleetpack`` stays fast.
"""

from __future__ import annotations

import contextvars
import math
import random
import threading
import time
import warnings
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable, Sequence

from .maximal import fill
from .problem import Problem
from .rules import effective_demand, static_forms

__all__ = [
    "ExactResult",
    "solve",
    "engine",
    "auto_stage",
    "auto_eligible",
    "AUTO_TIME_LIMIT",
    "AUTO_WORK_LIMIT",
    "AUTO_MAX_CANDIDATES",
    "AUTO_MAX_ARCS",
    "AUTO_MAX_WORKLOADS",
    "heuristics_only",
    "as_start",
]

FORMS = ("container", "vm")

# --- the exact stage of method="auto" (docs/exact.md, "Threshold", has the measurements behind these numbers) -------

#: Without a ``time_limit``, the exact stage of ``auto`` gives CP-SAT this much work (deterministic time, about
#: seconds on one current core: the same plan on every machine) ...
AUTO_WORK_LIMIT = 1.0
#: ... and stops after this many seconds of wall-clock time in any case.
AUTO_TIME_LIMIT = 10.0
#: ``auto`` tries CP-SAT when the assignment model has at most this many (workload type, host, form) variables ...
AUTO_MAX_CANDIDATES = {"hosts": 2000, "cost": 2000, "spread": 500}
#: ... or when the arc-flow graphs have at most this many arcs in all (objectives "hosts" and "cost").
AUTO_MAX_ARCS = 20000
#: ``auto`` never looks at instances with more workloads than this (preparing the exact stage is not free).
AUTO_MAX_WORKLOADS = 200_000

# Limits of the arc-flow graph construction (states of the depth-first search, about 5 µs each; arcs kept).
_GRAPH_STATE_BUDGET = 200_000
_AUTO_GRAPH_STATE_BUDGET = 40_000
_GRAPH_ARC_BUDGET = 60_000
# per-dimension "achievable loads" bitsets are kept for capacities up to this many units
_BITSET_MAX = 1 << 17
# CP-SAT runs in rounds: the first of this much deterministic time (about seconds), each next one twice as long
_FIRST_SLICE = 0.5
# dives on the arc-flow LP: the first follows the LP, the others draw at random, until one meets the LP bound;
# a few before CP-SAT's first round, then more between rounds (`_DIVES` doubling)
_FIRST_DIVES = 3
_DIVES = 8
# GLOP: without presolve, re-solves after the dive's changes start from the previous basis
_GLOP_PARAMETERS = "use_preprocessing: false"
# CP-SAT works with 64-bit integers: keep every linear expression well inside
_INT_LIMIT = 1 << 60


# --- the exact stage can be switched off, for code that wants the heuristic portfolio alone -------------------------

_AUTO_ENABLED: contextvars.ContextVar[bool] = contextvars.ContextVar("fleetpack_auto_exact", default=True)


def auto_stage_enabled() -> bool:
    """Whether ``auto`` goes beyond its heuristic portfolio here (false inside `heuristics_only`)."""
    return _AUTO_ENABLED.get()


class heuristics_only:
    """Context manager: inside it, ``method="auto"`` runs the heuristic portfolio alone, without the improvement
    search and the exact stage.

    >>> with heuristics_only():
    ...     pass  # fleetpack.place(...) here behaves as fleetpack.baseline.place for "auto"

    Thread- and task-local (a `contextvars.ContextVar`).
    """

    def __enter__(self):
        self._token = _AUTO_ENABLED.set(False)
        return self

    def __exit__(self, *exc):
        _AUTO_ENABLED.reset(self._token)
        return False


# ====================================================================================================================
# The instance: host classes, workload types, scaled integer demands
# ====================================================================================================================


@dataclass
class _Class:
    """Hosts identical in everything the rules and the objective read, in input order."""

    hosts: list[int]
    cap: tuple[int, ...]  # scaled capacity per dimension
    raw_cap: tuple[int, ...]
    cost: float
    cost_int: int = 0
    max_workloads: int | None = None


@dataclass
class _Type:
    """Workloads identical in everything the rules read, in input order."""

    members: list[int]
    tenant: str
    isolation: str
    group: str | None
    # class index -> {form: scaled effective demand}; only the (class, form) pairs the rules allow and that fit the
    # empty host, per-host overhead included
    options: dict[int, dict[str, tuple[int, ...]]] = field(default_factory=dict)
    size: float = 0.0  # for the order: normalised size of the smallest demand

    @property
    def dedicated(self) -> bool:
        return self.isolation == "dedicated"


def _gcd_all(values) -> int:
    g = 0
    for v in values:
        g = math.gcd(g, v)
        if g == 1:
            break
    return g or 1


def _cost_integers(costs: Sequence[float]) -> tuple[list[int], int, bool]:
    """Host costs as integers ``round(cost * scale)``; exact when the decimal forms share a small denominator."""
    fractions = [Fraction(repr(c)) for c in costs]
    lcm = 1
    for f in fractions:
        lcm = lcm * f.denominator // math.gcd(lcm, f.denominator)
    ints = [int(f * lcm) for f in fractions]
    if lcm <= 10**9 and sum(ints) <= 1 << 40:
        return ints, lcm, True
    # inexact: scale so that the total is about 2**40 and round; the bounds account for the rounding (docs/exact.md)
    total = sum(costs)
    scale = (1 << 40) / total if total > 0 else 1.0
    return [round(c * scale) for c in costs], scale, False


class _Instance:
    """The problem in solver form: classes of identical hosts, types of identical workloads, integer demands."""

    def __init__(self, problem: Problem, objective: str):
        self.problem = problem
        self.objective = objective
        self.D = len(problem.dimensions)
        hyp_raw = problem.fixed("hypervisor")
        rt_raw = problem.fixed("container_runtime")

        # host classes, in order of their first host
        by_key: dict[tuple, _Class] = {}
        self.class_of: list[int | None] = [None] * len(problem.hosts)
        self.classes: list[_Class] = []
        self.rep_host = []
        for j, h in enumerate(problem.hosts):
            cap = tuple(problem.capacity(h))
            key = (cap, h.os, h.hypervisor, h.containers, h.cost, h.max_workloads)
            c = by_key.get(key)
            if c is None:
                c = by_key[key] = _Class([], cap, cap, h.cost, 0, h.max_workloads)
                self.classes.append(c)
                self.rep_host.append(h)
            c.hosts.append(j)
        for k, c in enumerate(self.classes):
            for j in c.hosts:
                self.class_of[j] = k

        # workload types and the raw effective demands of each (class, form) they may take
        type_index: dict[tuple, int] = {}
        self.types: list[_Type] = []
        self.type_of: list[int] = [0] * len(problem.workloads)
        raw_options: list[dict[int, dict[str, list[int]]]] = []
        for i, w in enumerate(problem.workloads):
            key = (tuple(problem.demand(w)), w.form, w.os, w.tenant, w.isolation, w.anti_affinity)
            n = type_index.get(key)
            if n is None:
                n = type_index[key] = len(self.types)
                self.types.append(_Type([], w.tenant, w.isolation, w.anti_affinity))
                opts: dict[int, dict[str, list[int]]] = {}
                for k, c in enumerate(self.classes):
                    host = self.rep_host[k]
                    if c.max_workloads == 0:
                        continue
                    for form in static_forms(w, host):
                        eff = effective_demand(problem, w, form, host)
                        fixed = hyp_raw if form == "vm" else rt_raw
                        if all(e + f <= cap for e, f, cap in zip(eff, fixed, c.raw_cap)):
                            opts.setdefault(k, {})[form] = eff
                raw_options.append(opts)
            self.types[n].members.append(i)
            self.type_of[i] = n

        # per-dimension divisor: every demand and overhead that can occur is a multiple of it
        self.uses_vm = any("vm" in o for opts in raw_options for o in opts.values())
        self.uses_ct = any("container" in o for opts in raw_options for o in opts.values())
        scale = []
        for d in range(self.D):
            values = [e[d] for opts in raw_options for o in opts.values() for e in o.values()]
            if self.uses_vm:
                values.append(hyp_raw[d])
            if self.uses_ct:
                values.append(rt_raw[d])
            if objective == "spread":  # utilisation is a ratio to the capacity: keep capacities exact too
                values.extend(c.raw_cap[d] for c in self.classes)
            scale.append(_gcd_all(values))
        self.scale = scale
        self.hyp = tuple(v // s for v, s in zip(hyp_raw, scale))
        self.rt = tuple(v // s for v, s in zip(rt_raw, scale))
        for c in self.classes:
            c.cap = tuple(v // s for v, s in zip(c.raw_cap, scale))
        for t, opts in zip(self.types, raw_options):
            t.options = {k: {f: tuple(v // s for v, s in zip(e, scale)) for f, e in o.items()} for k, o in opts.items()}

        # host costs as integers
        ints, self.cost_scale, self.cost_exact = _cost_integers([c.cost for c in self.classes])
        for c, v in zip(self.classes, ints):
            c.cost_int = v

        # the order of workloads: types by decreasing normalised size (ties: first member), members in input order
        largest = [max((c.cap[d] for c in self.classes), default=0) for d in range(self.D)]
        for t in self.types:
            sizes = [e for o in t.options.values() for e in o.values()]
            if sizes:
                smallest = [min(e[d] for e in sizes) for d in range(self.D)]
                t.size = sum(v / largest[d] for d, v in enumerate(smallest) if largest[d] > 0)
        self.type_order = sorted(range(len(self.types)), key=lambda n: (-self.types[n].size, self.types[n].members[0]))
        self.placeable_types = [n for n in self.type_order if self.types[n].options]
        self.placeable = sum(len(self.types[n].members) for n in self.placeable_types)

    # --- helpers on plans -------------------------------------------------------------------------------------------

    def host_loads(self, hosts: list, forms: list) -> dict[int, list[int]]:
        """Scaled load per used host (per-host overheads included)."""
        loads: dict[int, list[int]] = {}
        kinds: dict[int, set] = defaultdict(set)
        for i, (j, f) in enumerate(zip(hosts, forms)):
            if j is None:
                continue
            t = self.types[self.type_of[i]]
            e = t.options[self.class_of[j]][f]
            cur = loads.setdefault(j, [0] * self.D)
            for d in range(self.D):
                cur[d] += e[d]
            kinds[j].add(f)
        for j, ks in kinds.items():
            for d in range(self.D):
                loads[j][d] += (self.hyp[d] if "vm" in ks else 0) + (self.rt[d] if "container" in ks else 0)
        return loads

    def value_int(self, hosts: list, forms: list) -> int | Fraction:
        """The objective in the solver's units: hosts used, scaled cost, or the exact largest utilisation."""
        used = {j for j in hosts if j is not None}
        if self.objective == "hosts":
            return len(used)
        if self.objective == "cost":
            return sum(self.classes[self.class_of[j]].cost_int for j in used)
        worst = Fraction(0)
        for j, load in self.host_loads(hosts, forms).items():
            cap = self.classes[self.class_of[j]].cap
            for d in range(self.D):
                if cap[d] > 0:
                    worst = max(worst, Fraction(load[d], cap[d]))
        return worst


# ====================================================================================================================
# Arc-flow graphs
# ====================================================================================================================


class _Graph:
    """A compressed arc-flow graph for one bin shape: every path from ``source`` that stops at any node is a
    multiset of items (one per item arc) whose total fits ``cap``; every such multiset with its items in
    non-decreasing index order is a path."""

    def __init__(self, weights: list[tuple[int, ...]], cap: tuple[int, ...], budget: list[int]):
        self.weights = weights
        self.cap = cap
        self.ok = False
        k, D = len(weights), len(cap)
        self.k = k
        # suffix[d][i]: bitset of the loads achievable in dimension d with items i.. (any number of copies)
        self.suffix: list[list[int] | None] = []
        for d in range(D):
            if cap[d] > _BITSET_MAX or cap[d] * (k + 1) > (1 << 27):
                self.suffix.append(None)
                continue
            mask = (1 << (cap[d] + 1)) - 1
            bits = [0] * (k + 1)
            b = 1
            bits[k] = b
            for i in range(k - 1, -1, -1):
                if budget[1] is not None and time.perf_counter() > budget[1]:
                    return
                w = weights[i][d]
                if w > 0:
                    step = w
                    while step <= cap[d]:
                        b = (b | (b << step)) & mask
                        step <<= 1
                bits[i] = b
            self.suffix.append(bits)
        self.memo: dict[tuple, int] = {}
        self.labels: list[tuple[int, ...]] = []
        label_id: dict[tuple[int, ...], int] = {}
        arcs: dict[tuple[int, int, int], None] = {}
        zero = (0,) * D

        root = self.canon(cap, 0)
        # iterative post-order depth-first search over states (free space, next item index)
        stack = [root]
        memo = self.memo
        steps = 0
        while stack:
            steps += 1
            # the clock is read every 64 steps: counted in steps, not in states, which grow unevenly (a step on
            # capacities of 10^5 units, with bitsets that long, takes up to a millisecond)
            if budget[1] is not None and not steps & 63 and time.perf_counter() > budget[1]:
                return
            state = stack[-1]
            if state in memo:
                stack.pop()
                continue
            s, i = state
            children = []
            if i + 1 < k:
                children.append((self.canon(s, i + 1), -1))
            w = weights[i]
            if all(a <= b for a, b in zip(w, s)):
                children.append((self.canon(tuple(b - a for a, b in zip(w, s)), i), i))
            pending = [c for c, _ in children if c not in memo]
            if pending:
                if len(memo) + len(stack) > budget[0]:
                    return
                stack.extend(pending)
                continue
            stack.pop()
            lam = zero
            for c, item in children:
                lv = self.labels[memo[c]]
                if item < 0:
                    lam = tuple(max(x, y) for x, y in zip(lam, lv))
                else:
                    lam = tuple(max(x, y + z) for x, y, z in zip(lam, lv, weights[item]))
            node = label_id.get(lam)
            if node is None:
                node = label_id[lam] = len(self.labels)
                self.labels.append(lam)
            for c, item in children:
                v = memo[c]
                if v != node:
                    arcs[(node, v, item)] = None
            memo[state] = node
            if len(arcs) > _GRAPH_ARC_BUDGET:
                return
        budget[0] -= len(memo)
        self._compress(memo[root], list(arcs))
        self.ok = True

    def _compress(self, source: int, arcs: list[tuple[int, int, int]]) -> None:
        """The final compression: relabel each node with the largest load of a path reaching it (componentwise)
        and merge nodes with the same label. Paths stay valid (along an arc the label grows by at least the item's
        weight, and no label exceeds the capacity) and none is lost."""
        n = len(self.labels)
        zero = (0,) * len(self.cap)
        into: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        outdeg = [0] * n
        for u, v, item in arcs:
            into[v].append((u, item))
            outdeg[u] += 1
        # topological order: by decreasing backward label sum (arcs go to smaller labels), source first
        order = sorted(range(n), key=lambda u: (u != source, -sum(self.labels[u])))
        mu: list[tuple[int, ...] | None] = [None] * n
        mu[source] = zero
        for v in order:
            if v == source:
                continue
            best = zero
            for u, item in into[v]:
                mu_u = mu[u]
                if mu_u is None:  # not reached yet: fall back to no compression
                    self._finish(source, arcs, list(range(n)))
                    return
                w = self.weights[item] if item >= 0 else zero
                best = tuple(max(a, b + c) for a, b, c in zip(best, mu_u, w))
            mu[v] = best
        ids: dict[tuple[int, ...], int] = {}
        relabel = [ids.setdefault(m, len(ids)) for m in mu]
        self._finish(source, arcs, relabel)

    def _finish(self, source: int, arcs, relabel: list[int]) -> None:
        self.relabel = relabel
        self.source = relabel[source]
        self.arcs = list(dict.fromkeys((relabel[u], relabel[v], i) for u, v, i in arcs if relabel[u] != relabel[v]))
        self.nodes = max(relabel) + 1 if relabel else 1

    def canon(self, s: tuple[int, ...], i: int) -> tuple[tuple[int, ...], int]:
        """The state (free space, next item): free space lowered to the largest loads the items from ``i`` on
        can reach in each dimension (the same item sets fit)."""
        out = []
        for d, v in enumerate(s):
            bits = self.suffix[d]
            if bits is None:
                out.append(v)
            else:
                out.append((bits[i] & ((2 << v) - 1)).bit_length() - 1)
        return tuple(out), i

    def path(self, items: list[int]) -> tuple[list[tuple[int, int, int]], int] | None:
        """The arcs of the path that takes ``items`` (item indices, any order) and the node where it stops."""
        items = sorted(items)
        state = self.canon(self.cap, 0)
        arcs = []
        relabel = self.relabel
        node = relabel[self.memo[state]]
        for item in items:
            while state[1] < item:
                nxt = self.canon(state[0], state[1] + 1)
                v = self.memo.get(nxt)
                if v is None:
                    return None
                v = relabel[v]
                if v != node:
                    arcs.append((node, v, -1))
                state, node = nxt, v
            s = state[0]
            w = self.weights[item]
            if any(a > b for a, b in zip(w, s)):
                return None
            nxt = self.canon(tuple(b - a for a, b in zip(w, s)), item)
            v = self.memo.get(nxt)
            if v is None:
                return None
            v = relabel[v]
            arcs.append((node, v, item))
            state, node = nxt, v
        return arcs, node


@dataclass
class _Variant:
    """One way a host of a class can be filled: which forms (hence which per-host overheads) and which tenant's
    containers. ``items`` are (type index, form) in the graph's item order."""

    cls: int
    kind: str  # "vm": VMs only; "ct": containers only; "mix": both
    mode: str | None  # tenant whose containers only may be there (a tenant-isolated container is), or None
    items: list[tuple[int, str]]
    graph: _Graph | None = None


def _variants(inst: _Instance, k: int) -> list[_Variant]:
    """The variants of class ``k`` (their graphs are built by `_ArcFlow`), dominated ones left out: with no
    hypervisor overhead "containers only" is "both"; with no runtime overhead "VMs only" is "both"."""
    types = [n for n in inst.placeable_types if k in inst.types[n].options and not inst.types[n].dedicated]
    vm_items = [(n, "vm") for n in types if "vm" in inst.types[n].options[k]]
    ct_types = [n for n in types if "container" in inst.types[n].options[k]]
    isolated = sorted({inst.types[n].tenant for n in ct_types if inst.types[n].isolation == "tenant"})
    modes: list[tuple[str | None, list[tuple[int, str]]]] = [
        (None, [(n, "container") for n in ct_types if inst.types[n].isolation != "tenant"])
    ]
    for tenant in isolated:
        modes.append((tenant, [(n, "container") for n in ct_types if inst.types[n].tenant == tenant]))
    hyp_zero = not any(inst.hyp)
    rt_zero = not any(inst.rt)
    out = []
    if vm_items and not (rt_zero and any(items for _, items in modes)):
        out.append(_Variant(k, "vm", None, list(vm_items)))
    for mode, items in modes:
        if not items:
            continue
        if not (hyp_zero and vm_items):
            out.append(_Variant(k, "ct", mode, list(items)))
        if vm_items:
            out.append(_Variant(k, "mix", mode, list(items) + list(vm_items)))
    return out


def _variant_weights(inst: _Instance, v: _Variant):
    """Capacity and item weights of a variant's graph: the dimensions, then a count (``max_workloads``), then one
    dimension per anti-affinity group. Returns "no room" when the per-host overheads alone exceed the capacity,
    "weightless" when an item weighs nothing (arc-flow cannot bound how many such items a path takes)."""
    c = inst.classes[v.cls]
    cap = list(c.cap)
    for d in range(inst.D):
        if v.kind in ("vm", "mix"):
            cap[d] -= inst.hyp[d]
        if v.kind in ("ct", "mix"):
            cap[d] -= inst.rt[d]
    if any(x < 0 for x in cap):
        return "no room"
    groups = sorted({inst.types[n].group for n, _ in v.items if inst.types[n].group is not None})
    count = c.max_workloads is not None
    weights = []
    for n, f in v.items:
        t = inst.types[n]
        w = list(t.options[v.cls][f])
        if count:
            w.append(1)
        w.extend(1 if t.group == g else 0 for g in groups)
        weights.append(tuple(w))
    if count:
        cap.append(c.max_workloads)
    cap.extend(1 for _ in groups)
    if any(not any(w) for w in weights):
        return "weightless"
    return weights, tuple(cap)


class _ArcFlow:
    """The arc-flow formulation: graphs per (class, variant), dedicated workloads counted per (class, form).
    ``ok`` is False when the graphs exceed ``states`` search states in all, or ``deadline`` passes, while built."""

    def __init__(self, inst: _Instance, states: int = _GRAPH_STATE_BUDGET, deadline: float | None = None):
        self.inst = inst
        self.ok = False
        self.variants: list[_Variant] = []
        budget = [states, deadline]
        for k in range(len(inst.classes)):
            for v in _variants(inst, k):
                spec = _variant_weights(inst, v)
                if spec == "no room":
                    continue
                if spec == "weightless":
                    return
                weights, cap = spec
                # the graph's item order: decreasing normalised size
                order = sorted(range(len(weights)), key=lambda a: (
                    -sum(x / c for x, c in zip(weights[a], cap) if c > 0), weights[a]))
                v.items = [v.items[a] for a in order]
                weights = [weights[a] for a in order]
                g = _Graph(weights, cap, budget)
                if not g.ok:
                    return
                v.graph = g
                self.variants.append(v)
        # dedicated workloads: one per host, counted per (type, class, form)
        self.dedicated = [(n, k, f) for n in inst.placeable_types if inst.types[n].dedicated
                          for k, o in inst.types[n].options.items() for f in o]
        self.arcs = sum(len(v.graph.arcs) for v in self.variants)
        self.ok = True

    # --- solutions as host contents ---------------------------------------------------------------------------------

    def contents_of(self, hosts: list, forms: list):
        """A plan as (variant index, path arcs, end node) per used host plus dedicated (type, class, form) counts;
        None if some host's content is not a path of any variant (cannot happen for a valid plan)."""
        inst = self.inst
        per_host: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for i, (j, f) in enumerate(zip(hosts, forms)):
            if j is not None:
                per_host[j].append((inst.type_of[i], f))
        paths = []
        dedicated = Counter()
        for j, content in per_host.items():
            k = inst.class_of[j]
            if len(content) == 1 and inst.types[content[0][0]].dedicated:
                dedicated[(content[0][0], k, content[0][1])] += 1
                continue
            found = None
            for vi, v in enumerate(self.variants):
                if v.cls != k:
                    continue
                index = {item: a for a, item in enumerate(v.items)}
                if any(item not in index for item in content):
                    continue
                p = v.graph.path([index[item] for item in content])
                if p is not None:
                    found = (vi, p[0], p[1])
                    break
            if found is None:
                return None
            paths.append(found)
        return paths, dedicated

    def plan_of(self, paths, dedicated) -> tuple[list, list]:
        """Hosts and forms from host contents: hosts of each class in input order, workloads of each type in input
        order; an item with no workload left (the flow may cover a type more than needed) is dropped."""
        inst = self.inst
        n = len(inst.problem.workloads)
        hosts: list = [None] * n
        forms: list = [None] * n
        left = {t: list(reversed(inst.types[t].members)) for t in inst.placeable_types}
        free = {k: list(reversed(c.hosts)) for k, c in enumerate(inst.classes)}
        contents = []
        for (t, k, f), count in sorted(dedicated.items()):
            contents.extend([(k, [(t, f)])] * count)
        for vi, arcs, _end in paths:
            v = self.variants[vi]
            contents.append((v.cls, [v.items[a[2]] for a in arcs if a[2] >= 0]))
        for k, items in contents:
            taken = [(left[t].pop(), f) for t, f in items if left[t]]
            if not taken:
                continue
            j = free[k].pop()
            for i, f in taken:
                hosts[i], forms[i] = j, f
        return hosts, forms


# ====================================================================================================================
# The result
# ====================================================================================================================


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


# ====================================================================================================================
# CP-SAT models
# ====================================================================================================================


def _solver(time_limit: float | None, work_limit: float | None, seed: int, workers: int | None,
            probing: bool = True, deterministic: bool = False):
    """A CP-SAT solver bounded by ``time_limit`` (wall clock) and ``work_limit`` (deterministic time, about
    seconds). ``deterministic``: CP-SAT's interleaved search, which gives the same answer for the same seed whatever
    the number of threads and the machine's speed (unless the wall clock cuts it)."""
    from ortools.sat.python import cp_model

    s = cp_model.CpSolver()
    p = s.parameters
    if time_limit is not None:
        p.max_time_in_seconds = max(time_limit, 0.001)
    if work_limit is not None:
        p.max_deterministic_time = work_limit
    p.random_seed = seed % (2**31 - 1)
    p.num_workers = 0 if workers is None else int(workers)
    # CP-SAT would install its own SIGINT handler and leave the default one (terminate the process) behind it:
    # Ctrl-C after any exact solve would then kill the interpreter instead of raising KeyboardInterrupt
    p.catch_sigint_signal = False
    p.interleave_search = deterministic
    if not probing:
        p.cp_model_probing_level = 0
    return s


# CP-SAT is stopped this long after the deadline if it has not returned by then (its own limit does not cover every
# stage of its work on large models)
_DEADLINE_GRACE = 0.05
# how often the waiting thread wakes up to check the deadline and let Python's signal handlers run
_WAIT_SLICE = 0.02


def _run_cp_sat(solver, model, deadline: float | None):
    """``solver.solve(model)`` in a worker thread while this thread waits in short slices. A Python signal handler
    cannot run while the main thread is inside CP-SAT's C++ solve, so Ctrl-C would wait for the solve to end;
    here the waiting thread takes the KeyboardInterrupt (or any exception), stops the search, waits for the worker
    to return, and re-raises. Past ``deadline`` (plus `_DEADLINE_GRACE`) the search is stopped as well."""
    outcome: dict = {}

    def work():
        try:
            outcome["status"] = solver.solve(model)
        except BaseException as exc:  # handed to the waiting thread
            outcome["error"] = exc

    worker = threading.Thread(target=work, name="fleetpack-cp-sat", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(_WAIT_SLICE)
            if deadline is not None and time.perf_counter() > deadline + _DEADLINE_GRACE:
                solver.stop_search()  # (repeated: a stop before the solve has started is not remembered)
    except BaseException:
        while worker.is_alive():
            solver.stop_search()
            worker.join(_WAIT_SLICE)
        raise
    if "error" in outcome:
        raise outcome["error"]
    return outcome["status"]


class _OutOfTime(Exception):
    """Building a CP-SAT model passed the deadline."""


def _deadline_check(deadline: float | None) -> Callable[[], None]:
    """A function that raises `_OutOfTime` once ``deadline`` (a ``time.perf_counter()`` value) has passed."""
    if deadline is None:
        return lambda: None

    def check():
        if time.perf_counter() > deadline:
            raise _OutOfTime

    return check


def _copies(inst: _Instance, t: int, k: int, f: str) -> int:
    """The most workloads of type ``t`` that fit one host of class ``k`` as ``f``, by the rules on one type alone."""
    typ = inst.types[t]
    c = inst.classes[k]
    if typ.dedicated or typ.group is not None:
        return 1
    e = typ.options[k][f]
    fixed = inst.hyp if f == "vm" else inst.rt
    most = len(typ.members)
    for d in range(inst.D):
        if e[d]:
            most = min(most, (c.cap[d] - fixed[d]) // e[d])
    if c.max_workloads is not None:
        most = min(most, c.max_workloads)
    return max(most, 0)


def _set_objective(m, value, placed: dict, placed0: int, weight: int, fixed: bool, lb: int, ub: int | None):
    """The objective of either model: with the set of placed workloads ``fixed``, minimise ``value`` within
    [``lb``, ``ub``]; otherwise place at least ``placed0`` and rank placing one more above any gain in ``value``
    (``weight`` exceeds the value's range)."""
    from ortools.sat.python.cp_model import LinearExpr

    if lb:
        m.add(value >= lb)
    if fixed:
        if ub is not None:
            m.add(value <= ub)
        m.minimize(value)
    else:
        placed_sum = LinearExpr.sum(list(placed.values()))
        m.add(placed_sum >= placed0)
        m.minimize(value - weight * placed_sum)


def _assignment_model(inst: _Instance, fixed: bool, placed0: int, lb: int, ub: int | None, spread_k: int,
                      deadline: float | None = None):
    """The CP-SAT assignment model: for each host and each workload type, how many of its workloads the host runs
    in each form. Returns (model, hint, decode, placement weight, objective expression). Raises `_OutOfTime` when
    building it passes ``deadline``."""
    from ortools.sat.python import cp_model

    check = _deadline_check(deadline)

    m = cp_model.CpModel()
    problem = inst.problem
    D = inst.D
    LinearExpr = cp_model.LinearExpr

    # symmetry: the hosts of a class hold workloads in order -- the host of rank r in class k may run type t only if
    # r is below the position of t's last workload among those eligible for k (types in the solver's order)
    last = {}
    seen = Counter()
    for t in inst.placeable_types:
        for k in inst.types[t].options:
            seen[k] += len(inst.types[t].members)
            last[(t, k)] = seen[k] - 1

    # n[(t, j, f)]: workloads of type t on host j as form f
    n: dict[tuple[int, int, str], object] = {}
    bound: dict[tuple[int, int, str], int] = {}
    per_host: dict[int, list[tuple[int, str, object, int]]] = defaultdict(list)
    per_type: dict[int, list] = defaultdict(list)
    for t in inst.placeable_types:
        check()
        for k, opts in inst.types[t].options.items():
            for r, j in enumerate(inst.classes[k].hosts):
                if r > last[(t, k)]:
                    break
                for f in opts:
                    most = _copies(inst, t, k, f)
                    if most <= 0:
                        continue
                    v = m.new_bool_var(f"n{t}_{j}_{f[0]}") if most == 1 else m.new_int_var(0, most, f"n{t}_{j}_{f[0]}")
                    n[(t, j, f)] = v
                    bound[(t, j, f)] = most
                    per_host[j].append((t, f, v, most))
                    per_type[t].append(v)

    placed = {}
    for t in inst.placeable_types:
        count = len(inst.types[t].members)
        if fixed:
            m.add(LinearExpr.sum(per_type[t]) == count)
        else:
            p = placed[t] = m.new_int_var(0, count, f"p{t}")
            m.add(LinearExpr.sum(per_type[t]) == p)

    used = {}
    has_vm = {}
    has_ct = {}
    aux_tenant: list[tuple[object, int, str, str]] = []  # (flag, host, "ct" or "iso", tenant), for hints
    U = m.new_int_var(0, spread_k, "U") if inst.objective == "spread" else None
    for j in sorted(per_host):
        check()
        items = per_host[j]
        k = inst.class_of[j]
        c = inst.classes[k]
        u = used[j] = m.new_bool_var(f"used{j}")
        xs = [v for _, _, v, _ in items]
        for _, _, v, most in items:
            m.add(v <= most * u)
        m.add(LinearExpr.sum(xs) >= u)
        hv = hc = None
        if any(f == "vm" for _, f, _, _ in items) and any(inst.hyp):
            hv = has_vm[j] = m.new_bool_var(f"hv{j}")
            for _, f, v, most in items:
                if f == "vm":
                    m.add(v <= most * hv)
        if any(f == "container" for _, f, _, _ in items) and any(inst.rt):
            hc = has_ct[j] = m.new_bool_var(f"hc{j}")
            for _, f, v, most in items:
                if f == "container":
                    m.add(v <= most * hc)
        for d in range(D):
            terms, coefs, top = [], [], 0
            for t, f, v, most in items:
                e = inst.types[t].options[k][f][d]
                if e:
                    terms.append(v)
                    coefs.append(e)
                    top += e * most
            if hv is not None and inst.hyp[d]:
                terms.append(hv)
                coefs.append(inst.hyp[d])
                top += inst.hyp[d]
            if hc is not None and inst.rt[d]:
                terms.append(hc)
                coefs.append(inst.rt[d])
                top += inst.rt[d]
            if not terms:
                continue
            load = LinearExpr.weighted_sum(terms, coefs)
            if top > c.cap[d]:
                if inst.objective == "spread":
                    m.add(load <= c.cap[d])
                else:
                    m.add(load <= c.cap[d] * u)
            if U is not None and c.cap[d] > 0:
                m.add(LinearExpr.weighted_sum(terms, [spread_k * e for e in coefs]) <= c.cap[d] * U)
        most_items = sum(most for _, _, _, most in items)
        if c.max_workloads is not None and most_items > c.max_workloads:
            m.add(LinearExpr.sum(xs) <= c.max_workloads)
        groups: dict[str, list] = defaultdict(list)
        for t, f, v, _ in items:
            g = inst.types[t].group
            if g is not None:
                groups[g].append(v)
        for vs in groups.values():
            if len(vs) > 1:
                m.add(LinearExpr.sum(vs) <= 1)
        # tenant isolation: a tenant-isolated container shares the host only with containers of its tenant
        ct_by_tenant: dict[str, list] = defaultdict(list)
        iso_by_tenant: dict[str, list] = defaultdict(list)
        for t, f, v, most in items:
            if f == "container":
                typ = inst.types[t]
                ct_by_tenant[typ.tenant].append((v, most))
                if typ.isolation == "tenant":
                    iso_by_tenant[typ.tenant].append((v, most))
        if iso_by_tenant and len(ct_by_tenant) > 1:
            flag = {}
            for tenant, vs in ct_by_tenant.items():
                b = flag[tenant] = m.new_bool_var(f"ct{j}_{tenant}")
                aux_tenant.append((b, j, "ct", tenant))
                for v, most in vs:
                    m.add(v <= most * b)
            for tenant, vs in iso_by_tenant.items():
                iso = m.new_bool_var(f"iso{j}_{tenant}")
                aux_tenant.append((iso, j, "iso", tenant))
                for v, most in vs:
                    m.add(v <= most * iso)
                for other, b in flag.items():
                    if other != tenant:
                        m.add_bool_or([iso.Not(), b.Not()])
        # dedicated: alone on the host
        ded = [v for t, _, v, _ in items if inst.types[t].dedicated]
        if ded and most_items > 1:
            m.add(LinearExpr.sum(xs) + (most_items - 1) * LinearExpr.sum(ded) <= most_items)

    # symmetry: the hosts of a class are used in order
    for c in inst.classes:
        hs = [j for j in c.hosts if j in used]
        for a, b in zip(hs, hs[1:]):
            m.add_implication(used[b], used[a])

    # the objective; placing more comes first when the number placed is free
    if inst.objective == "hosts":
        value = LinearExpr.sum(list(used.values()))
        weight = len(used) + 1
    elif inst.objective == "cost":
        hs = list(used)
        costs = [inst.classes[inst.class_of[j]].cost_int for j in hs]
        value = LinearExpr.weighted_sum([used[j] for j in hs], costs)
        weight = sum(costs) + 1
    else:
        value = U
        weight = spread_k + 1
    _set_objective(m, value, placed, placed0, weight, fixed, lb, ub)

    def hint(hosts: list, forms: list):
        hosts = _canonical(inst, hosts)
        counts = Counter()
        kinds = defaultdict(set)
        tenants = defaultdict(set)
        for i, (j, f) in enumerate(zip(hosts, forms)):
            if j is None:
                continue
            t = inst.type_of[i]
            counts[(t, j, f)] += 1
            kinds[j].add(f)
            if f == "container":
                typ = inst.types[t]
                tenants[(j, "ct")].add(typ.tenant)
                if typ.isolation == "tenant":
                    tenants[(j, "iso")].add(typ.tenant)
        for key, v in n.items():
            m.add_hint(v, counts[key])
        by_type = Counter()
        for (t, _, _), c in counts.items():
            by_type[t] += c
        for t, p in placed.items():
            m.add_hint(p, by_type[t])
        for j, u in used.items():
            m.add_hint(u, j in kinds)
        for j, v in has_vm.items():
            m.add_hint(v, "vm" in kinds[j])
        for j, v in has_ct.items():
            m.add_hint(v, "container" in kinds[j])
        for v, j, kind, tenant in aux_tenant:
            m.add_hint(v, tenant in tenants[(j, kind)])
        if U is not None:
            m.add_hint(U, _spread_units(inst.value_int(hosts, forms), spread_k))

    def decode(solver) -> tuple[list, list]:
        """Workloads of each type to hosts in host order, in input order."""
        size = len(problem.workloads)
        hosts: list = [None] * size
        forms: list = [None] * size
        left = {t: list(reversed(inst.types[t].members)) for t in inst.placeable_types}
        for (t, j, f), v in sorted(n.items(), key=lambda kv: (kv[0][1], kv[0][0], kv[0][2])):
            for _ in range(solver.value(v)):
                if left[t]:
                    i = left[t].pop()
                    hosts[i], forms[i] = j, f
        return hosts, forms

    return m, hint, decode, weight, value


def _spread_units(ratio: Fraction, k: int) -> int:
    """The smallest integer U with ratio <= U / k."""
    return -(-ratio.numerator * k // ratio.denominator)


def _canonical(inst: _Instance, hosts: list) -> list:
    """The same plan with the hosts of each class renumbered so that it meets the assignment model's symmetry
    breaking: used hosts first, ordered by the first workload type they hold (types in the solver's order)."""
    rank_of_type = {t: r for r, t in enumerate(inst.placeable_types)}
    first: dict[int, int] = {}
    for i, j in enumerate(hosts):
        if j is not None:
            r = rank_of_type[inst.type_of[i]]
            first[j] = min(first.get(j, r), r)
    move: dict[int, int] = {}
    for c in inst.classes:
        used = sorted((j for j in c.hosts if j in first), key=lambda j: (first[j], j))
        for target, j in zip(c.hosts, used):
            move[j] = target
    return [None if j is None else move[j] for j in hosts]


def _arcflow_model(af: _ArcFlow, fixed: bool, placed0: int, lb: int, ub: int | None,
                   deadline: float | None = None):
    """The CP-SAT arc-flow model; returns (model, hint, decode, placement weight, objective expression). Raises
    `_OutOfTime` when building it passes ``deadline``."""
    from ortools.sat.python import cp_model

    check = _deadline_check(deadline)

    inst = af.inst
    m = cp_model.CpModel()
    LinearExpr = cp_model.LinearExpr
    flows: list[dict] = []
    losses: list[list] = []
    zs = []
    cover: dict[int, list] = defaultdict(list)
    per_class: dict[int, list] = defaultdict(list)
    for vi, v in enumerate(af.variants):
        check()
        size = len(inst.classes[v.cls].hosts)
        g = v.graph
        f = {a: m.new_int_var(0, size, "") for a in g.arcs}
        loss = [m.new_int_var(0, size, "") for _ in range(g.nodes)]
        z = m.new_int_var(0, size, f"z{vi}")
        inn: list[list] = [[] for _ in range(g.nodes)]
        out: list[list] = [[] for _ in range(g.nodes)]
        for a, var in f.items():
            out[a[0]].append(var)
            inn[a[1]].append(var)
            if a[2] >= 0:
                cover[v.items[a[2]][0]].append(var)
        inn[g.source].append(z)
        for node in range(g.nodes):
            if not node & 1023:
                check()
            m.add(LinearExpr.sum(inn[node]) == LinearExpr.sum(out[node] + [loss[node]]))
        flows.append(f)
        losses.append(loss)
        zs.append(z)
        per_class[v.cls].append(z)
    ys = {}
    for t, k, f in af.dedicated:
        size = min(len(inst.classes[k].hosts), len(inst.types[t].members))
        y = ys[(t, k, f)] = m.new_int_var(0, size, "")
        cover[t].append(y)
        per_class[k].append(y)
    for k, vs in per_class.items():
        m.add(LinearExpr.sum(vs) <= len(inst.classes[k].hosts))
    placed = {}
    for t in inst.placeable_types:
        count = len(inst.types[t].members)
        if fixed:
            m.add(LinearExpr.sum(cover[t]) >= count)
        else:
            p = placed[t] = m.new_int_var(0, count, f"p{t}")
            m.add(LinearExpr.sum(cover[t]) >= p)
    # the objective
    hosts_of = [(z, af.variants[vi].cls) for vi, z in enumerate(zs)] + [(y, k) for (t, k, f), y in ys.items()]
    if inst.objective == "hosts":
        value = LinearExpr.sum([v for v, _ in hosts_of])
        weight = sum(len(c.hosts) for c in inst.classes) + 1
    else:
        value = LinearExpr.weighted_sum([v for v, _ in hosts_of], [inst.classes[k].cost_int for _, k in hosts_of])
        weight = sum(len(c.hosts) * c.cost_int for c in inst.classes) + 1
    _set_objective(m, value, placed, placed0, weight, fixed, lb, ub)

    def hint(paths, dedicated):
        arc_count: list[Counter] = [Counter() for _ in af.variants]
        end_count: list[Counter] = [Counter() for _ in af.variants]
        z_count = Counter()
        covered = Counter()
        for vi, arcs, end in paths:
            z_count[vi] += 1
            end_count[vi][end] += 1
            for a in arcs:
                arc_count[vi][a] += 1
                if a[2] >= 0:
                    covered[af.variants[vi].items[a[2]][0]] += 1
        for vi, f in enumerate(flows):
            for a, var in f.items():
                m.add_hint(var, arc_count[vi][a])
            for node, var in enumerate(losses[vi]):
                m.add_hint(var, end_count[vi][node])
            m.add_hint(zs[vi], z_count[vi])
        for key, y in ys.items():
            m.add_hint(y, dedicated.get(key, 0))
            covered[key[0]] += dedicated.get(key, 0)
        for t, p in placed.items():
            m.add_hint(p, min(covered[t], len(inst.types[t].members)))

    def decode(solver):
        paths = []
        for vi, v in enumerate(af.variants):
            z = solver.value(zs[vi])
            if not z:
                continue
            flow = {a: solver.value(var) for a, var in flows[vi].items()}
            loss = [solver.value(var) for var in losses[vi]]
            paths.extend((vi, arcs, end) for arcs, end, amount in _decompose(v.graph, flow, loss, z)
                         for _ in range(amount))
        dedicated = Counter({key: solver.value(y) for key, y in ys.items() if solver.value(y)})
        return paths, dedicated

    return m, hint, decode, weight, value


def _decompose(g: _Graph, flow: dict, loss: list, total, eps: float = 0.0):
    """Split an integer (or, with ``eps``, fractional) flow of ``total`` units out of the source into paths:
    yields (arcs, end node, amount)."""
    out: list[list] = [[] for _ in range(g.nodes)]
    for a, x in flow.items():
        if x > eps:
            out[a[0]].append(a)
    flow = dict(flow)
    loss = list(loss)
    left = total
    while left > eps:
        node = g.source
        arcs = []
        amount = left
        while True:
            while out[node] and flow[out[node][-1]] <= eps:
                out[node].pop()
            if out[node]:
                a = out[node][-1]
                arcs.append(a)
                amount = min(amount, flow[a])
                node = a[1]
            elif loss[node] > eps:
                amount = min(amount, loss[node])
                break
            else:  # numerical residue of a fractional flow
                return
        if amount <= eps:
            return
        for a in arcs:
            flow[a] -= amount
        loss[node] -= amount
        left -= amount
        yield arcs, node, amount


# ====================================================================================================================
# The arc-flow LP: the Gilmore-Gomory bound, and a dive for a near-optimal plan
# ====================================================================================================================


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


# ====================================================================================================================
# Solving
# ====================================================================================================================


def _float_value(problem: Problem, objective: str, hosts: list, forms: list) -> float:
    """The objective's value of a plan as `fleetpack.plan.objective_value` computes it (by the reference rules)."""
    from .plan import host_states, objective_value

    return objective_value(problem, objective, host_states(problem, hosts, forms))


def _value(inst: _Instance, hosts: list, forms: list) -> float:
    """The same value as `_float_value`, from the solver's integer loads: hosts used; their costs summed in host
    input order; or the largest of float(usage) / float(capacity) over used hosts and the dimensions they have."""
    used = sorted({j for j in hosts if j is not None})
    if inst.objective == "hosts":
        return len(used)
    if inst.objective == "cost":
        total = 0.0
        for j in used:
            total += inst.problem.hosts[j].cost
        return total
    worst = 0.0
    for j, load in inst.host_loads(hosts, forms).items():
        cap = inst.classes[inst.class_of[j]].raw_cap
        for d in range(inst.D):
            if cap[d] > 0:
                worst = max(worst, float(load[d] * inst.scale[d]) / float(cap[d]))
    return worst


def _answer(inst: _Instance, hosts: list, forms: list, strategy: str, bound):
    """An engine's answer in the array form the Rust core returns (see `fleetpack.plan.build_plan`): the plan is
    then described lazily, without a Python object per host."""
    import numpy as np

    from .plan import UNPLACED

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
    if placed == known[0]:
        return known[1]
    from .baseline import lower_bound

    return lower_bound(problem, objective, placed)


def _spread_scale(inst: _Instance) -> tuple[int, bool]:
    """The grid K of the spread objective (utilisation in units of 1/K) and whether it is exact: with K at least
    the square of the largest capacity, two different utilisations never share a unit, so minimising
    ceil(K * utilisation) minimises the utilisation."""
    capmax = max((c.cap[d] for c in inst.classes for d in range(inst.D)), default=1) or 1
    n = max(inst.placeable, 1)
    room = _INT_LIMIT // (capmax * (n + 4))
    k = capmax * capmax
    if k <= room:
        return max(k, 1), True
    return max(min(room, 1 << 40), 1), False


def assignment_size(inst: _Instance) -> int:
    """Variables (workload type, host, form) of the assignment model, after symmetry breaking."""
    total = 0
    seen = Counter()
    for t in inst.placeable_types:
        for k, opts in inst.types[t].options.items():
            seen[k] += len(inst.types[t].members)
            total += min(seen[k], len(inst.classes[k].hosts)) * len(opts)
    return total


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

    from .plan import meets_bound

    if inst.placeable == 0:
        return result(hosts0, forms0, strategy0, bound0, True, "none", "nothing to place")
    if fixed and meets_bound(objective, value0, bound0):
        return result(hosts0, forms0, strategy0, bound0, True, "bound", "the heuristic meets the lower bound")

    # which formulation
    if formulation not in (None, "assignment", "arcflow"):
        raise ValueError(f"unknown formulation {formulation!r}")
    if objective == "spread" and formulation == "arcflow":
        raise ValueError("the arc-flow formulation handles the 'hosts' and 'cost' objectives only")
    if formulation != "assignment" and objective != "spread" and af is None:
        # the graphs get a quarter of the time when they compete with the assignment model, all of it when asked for
        share = 1.0 if formulation == "arcflow" else 0.25
        af = _ArcFlow(inst, deadline=None if deadline is None else t0 + share * (deadline - t0))
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
            model, hint, decode, weight, value_expr = _assignment_model(inst, fixed, placed0, lb_int, ub_int,
                                                                        spread_k, deadline)
            set_hint = hint
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
    proven = False
    bound_units = -math.inf
    status_name = "UNKNOWN"
    rounds = 0
    work_done = 0.0
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


def _from_units(inst: _Instance, objective: str, raw: float, spread_k: int) -> float:
    """A lower bound in the solver's units (possibly fractional) as a lower bound in the plan's units."""
    if objective == "hosts":
        return math.ceil(raw - 1e-9)
    if objective == "cost":
        units = math.ceil(raw - 1e-9)
        if not inst.cost_exact:  # each host's rounded cost is at most half a unit above its real cost
            units -= 0.5 * sum(len(c.hosts) for c in inst.classes)
        return max(units, 0) / inst.cost_scale
    units = math.ceil(raw - 1e-9)  # U >= units, and U = ceil(K * utilisation)
    return max(units - 1, 0) / spread_k


def _unproven(problem, objective, inst, best, bound0, placed0, lb_int, spread_k, result, name, status, lp_value):
    """No proof: the foundation's bound, raised by the LP bound when everything placeable is placed."""
    placed = sum(j is not None for j in best[0])
    bound = _foundation_bound(problem, objective, placed, (placed0, bound0))
    if placed == inst.placeable and lb_int:
        bound = max(bound, _from_units(inst, objective, lb_int + 1 if objective == "spread" else lb_int, spread_k))
    return result(best[0], best[1], best[2], bound, False, name, status, lp_value)


def _prefer_arcflow(inst: _Instance, af: _ArcFlow) -> bool:
    """Arc-flow when its graphs are small against the assignment model (docs/exact.md, "Which formulation")."""
    return af.arcs <= max(2 * assignment_size(inst), 2000)


# ====================================================================================================================
# Engines
# ====================================================================================================================

Heuristic = Callable[..., object]


def as_start(answer) -> tuple[list, list, str, float]:
    """An engine's answer -- the core's dict of arrays or a (hosts, forms, strategy, bound) tuple -- as lists."""
    if isinstance(answer, dict):
        hosts = [None if j < 0 else int(j) for j in answer["host_index"].tolist()]
        forms = [None if j is None else FORMS[c] for j, c in zip(hosts, answer["form_codes"].tolist())]
        bound = answer["lower_bound"]
        return hosts, forms, answer["strategy"], bound
    hosts, forms, strategy, bound = answer
    return list(hosts), list(forms), strategy, bound


def _proven_by_bound(objective: str, answer) -> bool:
    """The heuristics' plan places everything and meets the foundation's bound (nothing left to prove)."""
    from .plan import meets_bound

    if isinstance(answer, dict):
        if (answer["host_index"] < 0).any():
            return False
        value = answer.get("objective_value")
        if value is None:
            return False
        return meets_bound(objective, value, answer["lower_bound"])
    return False


def engine(problem: Problem, method: str, sort_key: str, objective: str, time_limit, seed: int, *,
           workers: int | None = None, heuristic: Heuristic):
    """``method="exact"``: the heuristic portfolio (``heuristic``, an engine run with method ``"auto"``), then the
    exact solver within what is left of ``time_limit``. Returns what an `Engine` returns."""
    t0 = time.perf_counter()
    problem = problem.materialize()
    start = as_start(heuristic(problem, "auto", sort_key, objective, time_limit, seed))
    inst = _Instance(problem, objective)
    left = None if time_limit is None else max(time_limit - (time.perf_counter() - t0), 0.0)
    r = solve(problem, objective, start, time_limit=left, seed=seed, workers=workers, _prepared=(inst, None))
    return _answer(inst, r.hosts, r.forms, r.strategy, r.lower_bound)


def _bound_type(objective: str, bound: float):
    return int(bound) if objective == "hosts" else float(bound)


def auto_eligible(problem: Problem, objective: str, start: tuple, deadline: float | None = None):
    """Whether the exact stage of ``auto`` runs after the heuristics found ``start`` (lists, see `as_start`): it is
    on (see `heuristics_only`), the plan is not already proven optimal by the bound, and the instance is small enough
    (`AUTO_MAX_CANDIDATES`, `AUTO_MAX_ARCS`). Building the arc-flow graphs stops at ``deadline`` (a
    ``time.perf_counter()`` value) when one is given. Returns the prepared instance, or None."""
    hosts, forms, _strategy, bound = start
    if not problem.workloads or not problem.hosts:
        return None
    inst = _Instance(problem, objective)
    if inst.placeable == 0:
        return None
    if sum(j is not None for j in hosts) == inst.placeable:
        from .plan import meets_bound

        if meets_bound(objective, _value(inst, hosts, forms), bound):
            return None
    af = _ArcFlow(inst, states=_AUTO_GRAPH_STATE_BUDGET, deadline=deadline) if objective != "spread" else None
    if af is not None and af.ok and af.arcs <= AUTO_MAX_ARCS:
        return inst, af
    if assignment_size(inst) <= AUTO_MAX_CANDIDATES[objective]:
        return inst, af
    return None


def auto_stage(problem: Problem, objective: str, answer, time_limit: float | None, seed: int,
               workers: int | None = None):
    """The exact stage of ``method="auto"``, after the heuristics answered ``answer``: when `auto_eligible`,
    CP-SAT within ``time_limit`` seconds (None: `AUTO_TIME_LIMIT`) from the heuristics' plan; otherwise ``answer``
    unchanged."""
    if not _AUTO_ENABLED.get() or _proven_by_bound(objective, answer):
        return answer
    if time_limit is not None and time_limit <= 0:
        return answer
    if len(problem.workload_ids) > AUTO_MAX_WORKLOADS:  # (no objects made for a columnar problem)
        return answer
    began = time.perf_counter()
    problem = problem.materialize()
    start = as_start(answer)
    # with a time limit, preparing the models may take a quarter of it (as in `solve`); without one the graphs'
    # state budget alone bounds it, so that the plan does not depend on the machine's speed
    deadline = None if time_limit is None else began + 0.25 * time_limit
    prepared = auto_eligible(problem, objective, start, deadline)
    if time_limit is not None:
        time_limit -= time.perf_counter() - began
        if time_limit <= 0.01:
            return answer
    if prepared is None:
        return answer
    if time_limit is None:  # reproducible: CP-SAT's deterministic search, bounded by work, not by the clock
        r = solve(problem, objective, start, time_limit=AUTO_TIME_LIMIT, work_limit=AUTO_WORK_LIMIT,
                  deterministic=True, seed=seed, workers=workers, _prepared=prepared)
    else:
        r = solve(problem, objective, start, time_limit=time_limit, seed=seed, workers=workers, _prepared=prepared)
    return _answer(prepared[0], r.hosts, r.forms, r.strategy, r.lower_bound)
