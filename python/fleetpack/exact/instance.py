"""The instance in solver form: classes of identical hosts, types of identical workloads, integer demands.

Every dimension is divided by the greatest common divisor of every demand and overhead in it (exact; capacities are
then rounded down, which is exact as every load is a multiple of the divisor). Host costs are scaled to integers by
the least common multiple of their decimal denominators. Also here: a plan's objective value from these integer
loads, and the integer grid of the ``spread`` objective.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Sequence

from ..model.overbook import PPM
from ..model.problem import Problem
from ..model.rules import effective_demand, eligibility_kinds, static_forms
from ..model.wire import PLACED_FORMS as FORMS
from .symmetry import live_hosts, rule_host_keys, rule_workload_keys


# CP-SAT works with 64-bit integers: keep every linear expression well inside
_INT_LIMIT = 1 << 60


@dataclass
class _Class:
    """Hosts identical in everything the rules and the objective read, in input order."""

    hosts: list[int]
    cap: tuple[int, ...]  # scaled capacity per dimension
    raw_cap: tuple[int, ...]
    cost: float
    cost_int: int = 0
    max_workloads: int | None = None
    # with ratios (`fleetpack.model.overbook`): per dimension (usable room U, weight of an overcommittable unit,
    # weight of a physical unit), the room row being `sum(weights x demand) <= U x physical weight`; None without
    rows: tuple[tuple[int, int, int], ...] | None = None


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
    overcommit: bool = True  # counts at its host's ratio (only read with ratios)

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


def _room_rows(part, cap: tuple[int, ...], ratios: tuple[int, ...] | None) -> tuple | None:
    """Per dimension (usable room U, weight of an overcommittable unit, weight of a physical unit): with ratio r
    (parts per million) the rule ``O × 10^6 + Q × r <= U × r`` divided by ``gcd(10^6, r)``, so that an integer ratio
    weighs 1 and r (small coefficients for CP-SAT)."""
    if part is None or ratios is None:
        return None
    rows = []
    for d, (c, r) in enumerate(zip(cap, ratios)):
        g = math.gcd(PPM, r)
        rows.append((part.usable(c, d), PPM // g, r // g))
    return tuple(rows)


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
        kinds = eligibility_kinds(problem)  # (hosts alike for every selector and toleration too)
        alone = live_hosts(problem)  # (a live fleet's hosts in use or drained are classes of their own)
        domains = rule_host_keys(problem)  # (with group rules, hosts alike in their domains too)
        part = problem.overbook
        for j, h in enumerate(problem.hosts):
            cap = tuple(problem.capacity(h))
            ratios = None if part is None else tuple(part.ratios_of(h.id))
            key = (cap, h.os, h.hypervisor, h.containers, h.cost, h.max_workloads, kinds[j],
                   j if j in alone else None, ratios)
            if domains is not None:
                key += (domains[j],)
            c = by_key.get(key)
            if c is None:
                c = by_key[key] = _Class([], cap, cap, h.cost, 0, h.max_workloads, _room_rows(part, cap, ratios))
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
        membership = rule_workload_keys(problem)  # (with group rules, workloads alike in their rules too)
        for i, w in enumerate(problem.workloads):
            overcommit = part is None or bool(part.overcommit[i])
            key = (tuple(problem.demand(w)), w.form, w.os, w.tenant, w.isolation, w.anti_affinity, w.selector_terms,
                   frozenset(w.tolerations), overcommit)
            if membership is not None:  # (the flag is read by name below: the key may end with the rules)
                key += (membership[i],)
            n = type_index.get(key)
            if n is None:
                n = type_index[key] = len(self.types)
                self.types.append(_Type([], w.tenant, w.isolation, w.anti_affinity, overcommit=overcommit))
                opts: dict[int, dict[str, list[int]]] = {}
                for k, c in enumerate(self.classes):
                    host = self.rep_host[k]
                    if c.max_workloads == 0:
                        continue
                    for form in static_forms(w, host):
                        eff = effective_demand(problem, w, form, host)
                        fixed = hyp_raw if form == "vm" else rt_raw
                        if c.rows is not None:  # alone on an empty host, by the ratios' room and max_unit
                            fits = all(e <= cap and e * (wo if overcommit else wp) + f * wp <= room * wp
                                       for e, f, cap, (room, wo, wp) in zip(eff, fixed, c.raw_cap, c.rows))
                        else:
                            fits = all(e + f <= cap for e, f, cap in zip(eff, fixed, c.raw_cap))
                        if fits:
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
            # (with ratios the room rows weigh units unevenly: no scaling)
            scale.append(_gcd_all(values) if part is None else 1)
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

    def split_classes(self, groups: list[tuple[int, int, list[int]]]) -> dict[int, list[int]]:
        """Replace the host classes by ``groups`` of (first host, old class, its hosts), in order of their first
        host (a subclass's split: a live fleet's busy hosts, a purchase's failure domains); returns old class -> its
        new classes. The workload types' options still name the old classes."""
        parts: dict[int, list[int]] = {}
        classes, rep = [], []
        for first, k, hosts in sorted(groups, key=lambda g: g[0]):
            parts.setdefault(k, []).append(len(classes))
            classes.append(replace(self.classes[k], hosts=hosts))
            rep.append(self.problem.hosts[first])
        self.classes, self.rep_host = classes, rep
        self.class_of = [None] * len(self.problem.hosts)
        for k, c in enumerate(classes):
            for j in c.hosts:
                self.class_of[j] = k
        return parts

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


def _spread_units(ratio: Fraction, k: int) -> int:
    """The smallest integer U with ratio <= U / k."""
    return -(-ratio.numerator * k // ratio.denominator)


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
