"""The arc-flow formulation (objectives ``hosts`` and ``cost``): compressed arc-flow graphs per class of identical
hosts and per *variant* (VMs only, containers only, or both -- which fixes the per-host overheads -- and which
tenant's containers may be there), plans as paths in them and back, and the CP-SAT model on the graphs.

A graph's paths are exactly the feasible host contents (plus redundant ones); flow is integer and the number of
paths out of a class is at most its size. The graph is built by a memoised depth-first search over (free space,
next item type) with the free space lifted to the largest achievable values, and nodes merged by the largest load
still to come (the "main compression" of Brandão & Pedroso, 2016). docs/exact.md has the full statement.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass

from .cpsat import _deadline_check, _set_objective
from .instance import _Instance

# Limits of the arc-flow graph construction (states of the depth-first search, about 5 µs each; arcs kept).
_GRAPH_STATE_BUDGET = 200_000
_AUTO_GRAPH_STATE_BUDGET = 40_000
_GRAPH_ARC_BUDGET = 60_000
# per-dimension "achievable loads" bitsets are kept for capacities up to this many units
_BITSET_MAX = 1 << 17


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


def _room(inst: _Instance, v: _Variant) -> list[int]:
    """A variant's room per dimension: its class's capacity less the per-host overheads of its forms."""
    cap = list(inst.classes[v.cls].cap)
    for d in range(inst.D):
        if v.kind in ("vm", "mix"):
            cap[d] -= inst.hyp[d]
        if v.kind in ("ct", "mix"):
            cap[d] -= inst.rt[d]
    return cap


def _items_alone(inst: _Instance, v: _Variant, enough: int) -> int:
    """How many of a variant's items fit its empty host alone (none when the overheads leave no room), counted up to
    ``enough``."""
    cap = _room(inst, v)
    if any(x < 0 for x in cap) or inst.classes[v.cls].max_workloads == 0:
        return 0
    count = 0
    for n, f in v.items:
        if all(a <= b for a, b in zip(inst.types[n].options[v.cls][f], cap)):
            count += 1
            if count >= enough:
                break
    return count


def _variant_weights(inst: _Instance, v: _Variant):
    """Capacity and item weights of a variant's graph: the dimensions, then a count (``max_workloads``), then one
    dimension per anti-affinity group. Returns "no room" when the per-host overheads alone exceed the capacity,
    "weightless" when an item weighs nothing (arc-flow cannot bound how many such items a path takes)."""
    c = inst.classes[v.cls]
    cap = _room(inst, v)
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

    def __init__(self, inst: _Instance, states: int = _GRAPH_STATE_BUDGET, deadline: float | None = None,
                 max_arcs: int | None = None):
        self.inst = inst
        self.ok = False
        self.variants: list[_Variant] = []
        budget = [states, deadline]
        variants = [v for k in range(len(inst.classes)) for v in _variants(inst, k)]
        # every item that fits a variant's empty host alone is on at least one arc of its graph (the path that takes
        # it alone): more such items than ``max_arcs`` and the graphs are too large, known before building them
        if max_arcs is not None:
            alone = 0
            for v in variants:
                alone += _items_alone(inst, v, max_arcs - alone + 1)
                if alone > max_arcs:
                    return
        specs = []
        for v in variants:
            spec = _variant_weights(inst, v)
            if spec == "no room":
                continue
            if spec == "weightless":
                return
            specs.append((v, spec))
        for v, (weights, cap) in specs:
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
