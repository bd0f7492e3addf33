"""The assignment formulation (every objective): for each type of identical workloads, host and form that the rules
allow and that fits the empty host, how many of the type's workloads the host runs in that form; per-host Booleans
for "used", "runs a VM", "runs a container", and the container tenants when tenant isolation is in play.

Identical hosts form classes whose members are used in order, and the host of rank r in a class may only run types
whose last workload ranks at least r among the workloads eligible there (symmetry breaking; `_canonical` renumbers
a plan's hosts into that form, so that it is a hint the model accepts).
"""

from __future__ import annotations

from collections import Counter, defaultdict

from .cpsat import _deadline_check, _set_objective
from .cuts import add_capacity_cuts, add_rule_cuts
from .instance import _Instance, _spread_units
from .symmetry import class_limits, dominated_pairs, move_to_dominant


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
        if e[d] and c.rows is not None:  # with ratios: copies x e x w + fixed x wp <= U x wp
            room, wo, wp = c.rows[d]
            most = min(most, (room - fixed[d]) * wp // (e[d] * (wo if typ.overcommit else wp)))
        elif e[d]:
            most = min(most, (c.cap[d] - fixed[d]) // e[d])
    if c.max_workloads is not None:
        most = min(most, c.max_workloads)
    return max(most, 0)


def _assignment_model(inst: _Instance, fixed: bool, placed0: int, lb: int, ub: int | None, spread_k: int,
                      deadline: float | None = None, rows=None, opened: dict | None = None):
    """The CP-SAT assignment model: for each host and each workload type, how many of its workloads the host runs
    in each form. Returns (model, hint, decode, placement weight, objective expression). Raises `_OutOfTime` when
    building it passes ``deadline``. ``rows(model, n, placed)``, when given, adds rows of its own once the model is
    built (`n`: (type, host, form) -> variable; `placed`: type -> its count placed, empty when ``fixed``): the live
    fleet's moves (exact/live.py). ``opened``, when given, receives each modelled host's Boolean "used"."""
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
    # a plan of value at most ub uses only the first hosts of each class (`fleetpack.exact.symmetry`)
    keep = class_limits(inst, ub if fixed else None)
    for t in inst.placeable_types:
        check()
        for k, opts in inst.types[t].options.items():
            for r, j in enumerate(inst.classes[k].hosts[:keep[k]]):
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
    iso_flags: dict[tuple[int, str], object] = {}  # (host, isolated tenant) -> its flag, for the rule cuts
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
            # with ratios, the room row `O x wo + Q x wp <= U x wp` (`_room_rows`); without, weights 1 and capacity
            room, wo, wp = c.rows[d] if c.rows is not None else (c.cap[d], 1, 1)
            for t, f, v, most in items:
                e = inst.types[t].options[k][f][d] * (wo if inst.types[t].overcommit else wp)
                if e:
                    terms.append(v)
                    coefs.append(e)
                    top += e * most
            if hv is not None and inst.hyp[d]:
                terms.append(hv)
                coefs.append(inst.hyp[d] * wp)
                top += inst.hyp[d] * wp
            if hc is not None and inst.rt[d]:
                terms.append(hc)
                coefs.append(inst.rt[d] * wp)
                top += inst.rt[d] * wp
            if not terms:
                continue
            load = LinearExpr.weighted_sum(terms, coefs)
            if c.rows is not None:
                if top > room * wp:
                    m.add(load <= room * wp * u)
                continue  # (spread with ratios is not modelled: exact/search.py keeps the heuristics' plan)
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
                iso = iso_flags[(j, tenant)] = m.new_bool_var(f"iso{j}_{tenant}")
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

    add_capacity_cuts(m, inst, per_host, used, fixed)
    if opened is not None:
        opened.update(used)
    for flag, j, tenant in add_rule_cuts(m, inst, per_host, used, iso_flags, fixed):
        aux_tenant.append((flag, j, "iso", tenant))

    # symmetry: the hosts of a class are used in order
    for c in inst.classes:
        hs = [j for j in c.hosts if j in used]
        for a, b in zip(hs, hs[1:]):
            m.add_implication(used[b], used[a])
    # dominance: a class's hosts are used only when every host kept of each class that dominates it is
    room = {k: sum(j in used for j in c.hosts) for k, c in enumerate(inst.classes)}
    pairs = dominated_pairs(inst)
    for a, b in pairs:
        first_b = inst.classes[b].hosts[0]
        if first_b not in used:
            continue
        if room[a] == 0:
            m.add(used[first_b] == 0)
        else:
            m.add_implication(used[first_b], used[inst.classes[a].hosts[room[a] - 1]])

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
    if rows is not None:
        rows(m, n, placed)

    def hint(hosts: list, forms: list):
        hosts = _canonical(inst, move_to_dominant(inst, hosts, pairs, room))
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


def assignment_size(inst: _Instance, ub: int | None = None) -> int:
    """Variables (workload type, host, form) of the assignment model, after symmetry breaking; ``ub``: the bound on
    the objective (solver's units) the model is built with when everything placeable is placed."""
    keep = class_limits(inst, ub)
    total = 0
    seen = Counter()
    for t in inst.placeable_types:
        for k, opts in inst.types[t].options.items():
            seen[k] += len(inst.types[t].members)
            total += min(seen[k], keep[k]) * len(opts)
    return total
