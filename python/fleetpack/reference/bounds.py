"""The lower bounds in plain Python, as the core's rust/core/src/bounds/: Martello and Toth's L2, Fekete and
Schepers' dual feasible functions, the count and conflict bounds, per objective (docs/model.md, "Lower bounds")."""

from __future__ import annotations

import math
from dataclasses import replace

from ..model.overbook import PPM
from ..model.problem import Problem
from ..model.units import MAX_QUANTITY
from ..model.rules import HostState, eligibility_kinds, smallest_demand, static_forms
from .classic import _dim_name, fekete_schepers, martello_toth_l2
from .groups import _with_groups

__all__ = ["martello_toth_l2", "fekete_schepers", "lower_bound", "lower_bound_explained"]


_CLIQUE_LIST = 512  # the greedy clique's list: the largest in each dimension, and as many representatives


class _FitKinds:
    """Which hosts each workload fits when they are empty, as the core's FitKinds: hosts grouped by what decides it,
    and per workload the groups it fits (all hosts once it fits some, when there are more than 128 groups)."""

    def __init__(self, problem: Problem):
        self.problem = problem
        empty: dict[tuple, HostState] = {}
        self.of_host = []
        kinds = eligibility_kinds(problem)
        for h, kind in zip(problem.hosts, kinds):
            key = (tuple(problem.capacity(h)), h.os, h.hypervisor, h.containers, h.max_workloads, kind)
            empty.setdefault(key, HostState(problem, h))
            self.of_host.append(list(empty).index(key))
        states = list(empty.values())
        self.few = len(states) <= 128
        self.fits = [{g for g, s in enumerate(states) if any(s.blocker(w, f) is None for f in static_forms(w, s.host))}
                     for w in problem.workloads]

    def hosts_of(self, part: list[int]) -> list[int]:
        groups = set().union(*(self.fits[i] for i in part))
        return [j for j, g in enumerate(self.of_host) if not self.few or g in groups]


class _Relaxed:
    """The relaxed problem the bounds read: the placeable workloads (by index), their smallest-form demands per
    dimension, and each host's room once it pays the smaller of its two per-host overheads; ``candidates`` and
    ``hosts`` (indices) restrict it to a part of the workloads and the hosts they fit."""

    def __init__(self, problem: Problem, fits: _FitKinds, candidates: list[int] | None = None,
                 hosts: list[int] | None = None):
        self.problem = problem
        self.candidates = [i for i in range(len(problem.workloads)) if fits.fits[i]] if candidates is None \
            else candidates
        self.hosts = list(range(len(problem.hosts))) if hosts is None else hosts
        self.smallest = {i: smallest_demand(problem, problem.workloads[i]) for i in self.candidates}
        self.dims = range(len(problem.dimensions))
        self.sorted = [sorted(self.smallest[i][d] for i in self.candidates) for d in self.dims]
        self.per_host = [min(a, b) for a, b in zip(problem.fixed("hypervisor"), problem.fixed("container_runtime"))]
        self.cone = _cone([self.smallest[i] for i in self.candidates], len(problem.dimensions))
        capacities = [problem.capacity(problem.hosts[j]) for j in self.hosts]
        self.rooms = [[self.room(c, d) for c in capacities] for d in self.dims]
        # the rooms the candidates' shapes leave usable (the core's Relaxed::usable)
        self.usable = [[_clip([self.room(c, e) for e in self.dims], d, self.cone) for c in capacities]
                       for d in self.dims]
        self.largest_room = [max(r, default=0) for r in self.rooms]
        self.mixed_os = {problem.hosts[j].os for j in self.hosts
                         if problem.hosts[j].hypervisor is not None and problem.hosts[j].containers}

    def room(self, capacity: list[int], d: int) -> int:
        return max(capacity[d] - self.per_host[d], 0)

    def demand(self, placed: int) -> list[int]:
        return [sum(column[:placed]) for column in self.sorted]

    def min_hosts(self, placed: int, clique: bool = True) -> tuple[int, str]:
        """The fewest hosts any plan placing ``placed`` uses, and which bound makes it: the largest of the room
        cover, L2 and Fekete–Schepers per dimension, the joint cover per pair of dimensions, the count bound and the
        pairwise conflicts (less one for each candidate left out); at least 1."""
        placed = min(placed, len(self.candidates))
        best = [1, ""]

        def raise_(value: int, why) -> None:
            if value > best[0]:
                best[0], best[1] = value, why()

        demand = self.demand(placed)
        for d in self.dims:
            raise_(_cover(self.rooms[d], demand[d]), lambda: f"by {_dim_name(d)}")
            column = self.sorted[d][:placed]
            raise_(martello_toth_l2(column, self.largest_room[d]), lambda: f"by {_dim_name(d)} (bin-packing bound)")
            raise_(fekete_schepers(column, self.largest_room[d]), lambda: f"by {_dim_name(d)} (bin-packing bound)")
        # the same covers with the rooms the candidates' shapes leave usable (after the plain ones: their words stay
        # when the shapes add nothing)
        for d in self.dims:
            raise_(_cover(self.usable[d], demand[d]),
                   lambda: f"by the {_dim_name(d)} the workloads' shapes leave usable")
        for d1 in self.dims:
            for d2 in range(d1 + 1, len(self.dims)):
                raise_(self._joint_cover(d1, d2, demand),
                       lambda: f"by {_dim_name(d1)} and {_dim_name(d2)} together")
        raise_(self._count_bound(placed), lambda: "by the workloads a host holds")
        conflicts, dedicated = self._conflict_clique(clique)
        conflicts = max(conflicts + placed - len(self.candidates), 0)
        raise_(conflicts, lambda: f"as {conflicts} workloads pairwise cannot share a host"
               + (f" ({dedicated} of them dedicated)" if dedicated else ""))
        return best[0], best[1]

    def _joint_cover(self, d1: int, d2: int, demand: list[int]) -> int:
        """Any plan's rooms cover every nonnegative weighted sum of two dimensions' demands: the fewest hosts,
        largest weighted room first, for the weights k·R2 and (32 − k)·R1, k = 1..31 (as the core; skipped from
        rooms of 2**50 and demands of 2**68)."""
        r1, r2 = self.largest_room[d1], self.largest_room[d2]
        if not _joint_weights_fit(r1, r2, demand[d1], demand[d2]):
            return 0
        best = 0
        for k in range(1, 32):
            a, b = k * r2, (32 - k) * r1
            rooms = [a * x + b * y for x, y in zip(self.usable[d1], self.usable[d2])]
            best = max(best, _cover(rooms, a * demand[d1] + b * demand[d2]))
        return best

    def _count_bound(self, placed: int) -> int:
        """The fewest hosts, most capacious first, whose counts reach ``placed``: a host holds at most its
        ``max_workloads`` and, per dimension, as many workloads as the smallest demands fill its room."""
        counts = []
        for j, h in enumerate(self.problem.hosts[k] for k in self.hosts):
            count = math.inf if h.max_workloads is None else h.max_workloads
            for d in self.dims:
                column, total, k = self.sorted[d], 0, 0
                while k < len(column) and total + column[k] <= self.usable[d][j]:
                    total += column[k]
                    k += 1
                if k < len(column):
                    count = min(count, k)
            counts.append(count)
        return _cover(counts, placed)

    def _share(self, i: int) -> float:
        return max((float(self.smallest[i][d]) / float(self.largest_room[d]) for d in self.dims
                    if self.largest_room[d] > 0), default=0.0)

    def _conflict_clique(self, greedy: bool) -> tuple[int, int]:
        """Candidates that pairwise cannot share a host: the dedicated ones, plus the best of: per dimension the
        largest demands of which any two overflow the largest room; the largest anti-affinity group; a greedy clique
        over the largest workloads of each dimension and the largest of each group, OS (container-only) and tenant
        (isolated container-only), by their largest share of a room."""
        w = self.problem.workloads
        others = [i for i in self.candidates if w[i].isolation != "dedicated"]
        dedicated = len(self.candidates) - len(others)
        if not others:
            return dedicated, dedicated
        best = 1
        for d in self.dims:
            column = sorted(self.smallest[i][d] for i in others)
            k = 1
            while k < len(column) and column[-k] + column[-k - 1] > self.largest_room[d]:
                k += 1
            best = max(best, k)
        groups: dict[str, int] = {}
        representatives: dict[tuple, tuple[float, int]] = {}
        for i in others:
            container_only = w[i].form == "container"
            kinds = []
            if w[i].anti_affinity is not None:
                groups[w[i].anti_affinity] = groups.get(w[i].anti_affinity, 0) + 1
                kinds.append(("group", w[i].anti_affinity))
            if container_only:
                kinds.append(("os", w[i].os))
                if w[i].isolation == "tenant":
                    kinds.append(("tenant", w[i].tenant))
            for kind in kinds:
                if kind not in representatives or self._share(i) > representatives[kind][0]:
                    representatives[kind] = (self._share(i), i)
        best = max(best, max(groups.values(), default=0))
        if not greedy:
            return dedicated + best, dedicated
        threshold = [column[max(len(column) - _CLIQUE_LIST, 0)] for column in self.sorted]
        taken = [0 for _ in self.dims]
        listed = []
        for i in others:
            picked = False
            for d in self.dims:
                if self.smallest[i][d] >= threshold[d] and taken[d] < _CLIQUE_LIST:
                    taken[d] += 1
                    picked = True
            if picked:
                listed.append((self._share(i), i))
        order = lambda e: (-e[0], e[1])  # noqa: E731
        listed += sorted(representatives.values(), key=order)[:_CLIQUE_LIST]
        clique: list[int] = []
        for _, i in sorted(set(listed), key=order):
            if all(self._conflict(i, k) for k in clique):
                clique.append(i)
        return dedicated + max(best, len(clique)), dedicated

    def _conflict(self, a: int, b: int) -> bool:
        """Whether two workloads (not dedicated) can never share a host."""
        wa, wb = self.problem.workloads[a], self.problem.workloads[b]
        if wa.anti_affinity is not None and wa.anti_affinity == wb.anti_affinity:
            return True
        if any(self.smallest[a][d] + self.smallest[b][d] > self.largest_room[d] for d in self.dims):
            return True
        if wa.form == "container" and wb.form == "container":
            if wa.os != wb.os:
                return True
            if "tenant" in (wa.isolation, wb.isolation) and wa.tenant != wb.tenant:
                return True
        return any(v.form == "vm" and c.form == "container" and c.os not in self.mixed_os
                   for v, c in ((wa, wb), (wb, wa)))


def _spaced(why: str) -> str:
    return f" {why}" if why else ""


def _cover(rooms: list[int], demand: int) -> int:
    """The fewest of ``rooms``, largest first, that add up to ``demand`` (all of them when they do not)."""
    covered, k = 0, 0
    for room in sorted(rooms, reverse=True):
        if covered >= demand:
            break
        covered += room
        k += 1
    return k


def _share_parts(problem: Problem, candidates: list[int], mixed_os: set) -> list[list[int]]:
    """The candidates (dedicated ones left out) in parts no two of which can share a host by the rules of OS, forms
    and tenant isolation: the connected parts of "may share a host" between classes (both forms; VM-only;
    container-only per OS, tenant and isolation), as the core's share_parts."""
    w = problem.workloads
    classes: dict[tuple, list[int]] = {}
    for i in candidates:
        if w[i].isolation == "dedicated":
            continue
        if w[i].form == "container":
            key: tuple = ("container", w[i].os, w[i].tenant, w[i].isolation == "tenant")
        else:
            key = ("vm",) if w[i].form == "vm" else ("both",)
        classes.setdefault(key, []).append(i)
    keys = list(classes)
    parent = list(range(len(keys)))

    def root(k: int) -> int:
        while parent[k] != k:
            k = parent[k]
        return k

    def join(a: int, b: int) -> None:
        ra, rb = root(a), root(b)
        parent[max(ra, rb)] = min(ra, rb)

    shared_of_os: dict = {}
    for k, key in enumerate(keys):
        if ("both",) in classes:
            join(keys.index(("both",)), k)
        if key[0] == "container":
            if ("vm",) in classes and key[1] in mixed_os:
                join(keys.index(("vm",)), k)
            if not key[3]:
                join(shared_of_os.setdefault(key[1], k), k)
    for k, key in enumerate(keys):
        if key[0] == "container" and key[3] and ("container", key[1], key[2], False) in classes:
            join(keys.index(("container", key[1], key[2], False)), k)
    parts: dict[int, list[int]] = {}
    for k, key in enumerate(keys):
        parts.setdefault(root(k), []).extend(classes[key])
    return [sorted(p) for p in parts.values()]


def _rule_bound(problem: Problem, fits: _FitKinds, whole: _Relaxed, placed: int) -> tuple[int, str, tuple | None]:
    """The fewest hosts with the rules added up (the core's rule_bound; docs/model.md, "Lower bounds"): each
    dedicated workload a host of its own, plus per part that cannot share a host with the others its own bound on
    the hosts it fits; or the bound over all workloads together, when larger. With the split for the cost bound:
    (dedicated placed, the hosts they fit, per part (its hosts, its fewest hosts, its least demand)), or None."""
    best, why = whole.min_hosts(placed)
    total = len(whole.candidates)
    placed = min(placed, total)
    reason = "at least one host" if best <= 1 else f"at least {best} hosts {why}"
    w = problem.workloads
    dedicated = sum(w[i].isolation == "dedicated" for i in whole.candidates)
    parts = _share_parts(problem, whole.candidates, whole.mixed_os)
    if dedicated == 0 and len(parts) <= 1:
        return best, reason, None
    parts.sort(key=len, reverse=True)
    if len(parts) > 64:
        parts = parts[:63] + [[i for p in parts[63:] for i in p]]
    own = max(placed - (total - dedicated), 0)
    split = (own, fits.hosts_of([i for i in whole.candidates if w[i].isolation == "dedicated"]), [])
    total_hosts, first, counted = own, None, 0
    for k, part in enumerate(parts):
        at_least = max(placed - (total - len(part)), 0)
        if at_least == 0:
            continue
        relaxed = _Relaxed(problem, fits, part, fits.hosts_of(part))
        b, why = relaxed.min_hosts(at_least, k < 8)
        split[2].append((relaxed.hosts, b, relaxed.demand(at_least)))
        total_hosts += b
        counted += 1
        if first is None:
            first = (b, why)
    if total_hosts <= best:
        return best, reason, split
    rest = total_hosts - own
    words = []
    if dedicated > 0:
        words.append(f"{own} dedicated workloads need {own} hosts")
    more = " more" if dedicated > 0 else ""
    if counted == 1 and first is not None:
        words.append(f"the rest need at least {rest}{more}{_spaced(first[1])}")
    elif first is not None:
        words.append(f"the rest, in {counted} sets that cannot share a host (by OS and tenant isolation), need at "
                     f"least {rest}{more}: {first[0]}{_spaced(first[1])} for the largest")
    return total_hosts, "; ".join(words), split


def _cone(demands: list[list[int]], dims: int) -> dict[tuple[int, int], tuple[int, int]]:
    """The ratios every demand keeps (the core's Cone): per ordered pair of dimensions (d1, d2), the least
    ``s[d2] / s[d1]`` over the demands with ``s[d1] > 0``, as (s[d2], s[d1]). A host's load is a sum of demands, so
    load[d1] is at most room[d2] over that ratio."""
    least: dict[tuple[int, int], tuple[int, int]] = {}
    for s in demands:
        for d1 in range(dims):
            if s[d1] == 0:
                continue
            for d2 in range(dims):
                if d2 != d1 and ((d1, d2) not in least
                                 or s[d2] * least[d1, d2][1] < least[d1, d2][0] * s[d1]):
                    least[d1, d2] = (s[d2], s[d1])
    return least


def _clip(rooms: list[int], d: int, cone: dict[tuple[int, int], tuple[int, int]]) -> int:
    """The room in dimension ``d`` of a host whose unclipped rooms are ``rooms``, clipped to the cone."""
    room = rooms[d]
    for e in range(len(rooms)):
        ratio = cone.get((d, e)) if e != d else None
        if ratio is not None and ratio[0] > 0:
            room = min(room, rooms[e] * ratio[1] // ratio[0])
    return room


def _float_sum(values: list[float]) -> float:
    """Left to right, as the core adds (the built-in sum compensates its rounding from Python 3.12)."""
    total = 0.0
    for v in values:
        total += v
    return total


def _hosts_cost(problem: Problem, hosts: list[int], min_hosts: int, demand: list[int],
                per_host: list[int], cone: dict) -> tuple[float, int | tuple[int, int] | None]:
    """The least that hosts among ``hosts`` holding a set of workloads cost (the core's hosts_cost): the larger of
    the ``min_hosts`` cheapest (at least 1) and per dimension the cheapest fractional cover of ``demand`` (hosts by
    price per unit of room, the last in part; rooms clipped to the demand ``cone``); with the dimension whose cover
    makes it."""
    if not hosts:
        return 0.0, None
    bound = _float_sum(sorted(problem.hosts[j].cost for j in hosts)[:min(max(min_hosts, 1), len(hosts))])
    dims = len(problem.dimensions)
    raw = [[max(c - o, 0) for c, o in zip(problem.capacity(problem.hosts[j]), per_host)] for j in hosts]
    raw_of = {d: [r[d] for r in raw] for d in range(dims)}
    rooms_of = {d: [_clip(r, d, cone) for r in raw] for d in range(dims)}
    won = None
    # each dimension's cover with the plain rooms, then with the usable ones (the words stay when they add nothing)
    for d, of in [(d, raw_of) for d in range(dims)] + [(d, rooms_of) for d in range(dims)]:
        if demand[d] == 0:
            continue
        total = _fractional_cover([(problem.hosts[j].cost, room) for j, room in zip(hosts, of[d])], demand[d])
        if total > bound:
            bound, won = total, d
    # the joint cover's weights: the hosts cover every weighted sum of two dimensions' demands

    for d1 in range(dims):
        for d2 in range(d1 + 1, dims):
            r1, r2 = max(rooms_of[d1]), max(rooms_of[d2])
            if not _joint_weights_fit(r1, r2, demand[d1], demand[d2]):
                continue
            for k in range(1, 32):
                a, b = k * r2, (32 - k) * r1
                weighted = [(problem.hosts[j].cost, a * x + b * y) for j, x, y in zip(hosts, rooms_of[d1], rooms_of[d2])]
                total = _fractional_cover(weighted, a * demand[d1] + b * demand[d2])
                if total > bound:
                    bound, won = total, (d1, d2)
    return bound, won


def _fractional_cover(rooms: list, demand: int) -> float:
    """The least cost of covering ``demand`` with hosts given as (cost, room), cheapest per unit of room first, the
    last in part (rooms of 0 cannot help)."""
    remaining, total = demand, 0.0
    for cost, size in sorted((r for r in rooms if r[1] > 0), key=lambda r: r[0] / float(r[1])):
        take = min(remaining, size)
        total += cost * float(take) / float(size)
        remaining -= take
        if remaining == 0:
            break
    return total


def _joint_weights_fit(r1: int, r2: int, demand1: int, demand2: int) -> bool:
    return 0 < r1 < 1 << 50 and 0 < r2 < 1 << 50 and 0 < demand1 < 1 << 68 and 0 < demand2 < 1 << 68


def _cost_words(won) -> str:
    if isinstance(won, tuple):
        return f"the {_dim_name(won[0])} and {_dim_name(won[1])} demands together cost"
    return f"the {_dim_name(won)} demand costs"


def lower_bound(problem: Problem, objective: str, placed: int) -> float:
    """A lower bound on the objective of any plan that places at least ``placed`` workloads (`lower_bound_explained`
    without its reason)."""
    return lower_bound_explained(problem, objective, placed)[0]


def lower_bound_explained(problem: Problem, objective: str, placed: int) -> tuple[float, str]:
    """A lower bound on the objective of any plan that places at least ``placed`` workloads, and which rule makes it
    in words.

    ``hosts``: the rules added up (`_rule_bound`). ``cost``: the larger of the cheapest fractional cover per
    dimension (hosts by price per unit of room, the last in part) and the sum of that many cheapest hosts.
    ``spread``: demand over the whole fleet's capacity per dimension. See docs/model.md, "Lower bounds". A live
    fleet: the larger of that (its rules read no live part) and `_budget_bound`.
    """
    bound, reason = _greenfield_bound(problem, objective, placed)
    if problem.live is not None:
        kept = _budget_bound(problem, objective)
        if kept is not None and kept[0] > bound:
            return kept
    return bound, reason


def _budget_bound(problem: Problem, objective: str) -> tuple[float, str] | None:
    """A live fleet's bound from where it runs now (``hosts`` and ``cost``; None for ``spread``, or when the moves
    out of the drained hosts alone exceed a budget): a host used now (not drained) ends empty only when each of its
    current workloads moves, and never when it runs a pinned one; the hosts a plan empties cost it their workloads'
    moves and move costs on top of the drained hosts'. The most hosts emptied within ``max_moves`` is at most the
    longest prefix of the emptiable hosts by fewest workloads within it, the same by cheapest moves within
    ``max_move_cost``; the smaller of the two bounds both, and every plan within the budgets keeps the other hosts
    used (for ``cost``: the pinned hosts and the cheapest of the emptiable ones it keeps). As the core's
    ``budget_bound``."""
    live = problem.live
    if objective == "spread" or live is None:
        return None
    m = len(problem.hosts)
    count, cost, pinned = [0] * m, [0] * m, [False] * m
    left_moves, left_cost = live.max_moves, live.max_move_cost
    for i, j in enumerate(live.current.tolist()):
        if j < 0:
            continue
        c = int(live.move_cost[i])
        if live.drain[j]:  # a move in every plan, before any host is emptied
            left_moves = None if left_moves is None else left_moves - 1
            left_cost = None if left_cost is None else left_cost - c
            if (left_moves is not None and left_moves < 0) or (left_cost is not None and left_cost < 0):
                return None
            continue
        count[j] += 1
        cost[j] += c
        pinned[j] = pinned[j] or bool(live.pinned[i])
    used = [j for j in range(m) if count[j] > 0]
    if not used:
        return None
    emptiable = [j for j in used if not pinned[j]]

    def most(needs: list[int], budget: int | None) -> int:
        if budget is None:
            return len(needs)
        spent, k = 0, 0
        for need in sorted(needs):
            spent += need
            if spent > budget:
                break
            k += 1
        return k

    emptied = min(most([count[j] for j in emptiable], left_moves), most([cost[j] for j in emptiable], left_cost))
    kept = len(used) - emptied
    if live.max_moves is not None and live.max_move_cost is not None:
        within = f" within {live.max_moves} moves and a move cost of {live.max_move_cost}"
    elif live.max_moves is not None:
        within = f" within {live.max_moves} moves"
    elif live.max_move_cost is not None:
        within = f" within a move cost of {live.max_move_cost}"
    else:
        within = " (the others run pinned workloads)"
    reason = f"{len(used)} hosts are used now and at most {emptied} can be emptied{within}"
    if objective == "hosts":
        return kept, reason
    free = sorted(problem.hosts[j].cost for j in emptiable)
    total = _float_sum(sorted([problem.hosts[j].cost for j in used if pinned[j]] + free[:len(free) - emptied]))
    return total, f"{reason}; the {kept} hosts that stay used cost at least {total:.2f}"


def _grown(problem: Problem) -> Problem:
    """With ratios, the same problem with every host grown to ``floor(floor(capacity × usable) × ratio)`` (at most
    2**53) and no ratios: every plan of the problem is one of it, so its bounds hold (as the core's
    ``overbook_relaxed``)."""
    part = problem.overbook
    if part is None:
        return problem
    hosts = []
    for j, h in enumerate(problem.hosts):
        ratios = part.ratios_of(h.id)
        grown = [min(part.usable(c, d) * ratios[d] // PPM, MAX_QUANTITY) for d, c in enumerate(problem.capacity(h))]
        extra = {name: grown[2 + k] for k, name in enumerate(problem.dimensions[2:]) if grown[2 + k]}
        hosts.append(replace(h, cpu=f"{grown[0]}m", memory=grown[1], extra=extra or None, allocation_ratio=None))
    return replace(problem, hosts=tuple(hosts), overbook=None)


def _greenfield_bound(problem: Problem, objective: str, placed: int) -> tuple[float, str]:
    """`lower_bound_explained` by the workloads and hosts alone (with ratios, of the hosts grown by them)."""
    problem = _grown(problem)
    if placed == 0 or not problem.hosts:
        return 0, ""
    fits = _FitKinds(problem)
    relaxed = _Relaxed(problem, fits)
    dims = range(len(problem.dimensions))
    demand = relaxed.demand(placed)
    capacities = [problem.capacity(h) for h in problem.hosts]
    if objective == "hosts":
        return _with_groups(problem, relaxed, placed, _rule_bound(problem, fits, relaxed, placed))[:2]
    if objective == "cost":
        min_hosts, why, split = _with_groups(problem, relaxed, placed, _rule_bound(problem, fits, relaxed, placed))
        every = list(range(len(problem.hosts)))
        bound, won = _hosts_cost(problem, every, min_hosts, demand, relaxed.per_host, relaxed.cone)
        if won is None:
            reason = f"{why}; the {min(max(min_hosts, 1), len(every))} cheapest hosts cost {bound:.2f}"
        else:
            reason = f"{_cost_words(won)} at least {bound:.2f} at the cheapest price per unit"
        if split is not None:
            # the parts' hosts are disjoint, so their costs add up
            own, dedicated_hosts, parts = split
            own_cost = _float_sum(sorted(problem.hosts[j].cost for j in dedicated_hosts)[:own])
            total = own_cost
            for part_hosts, part_min, part_demand in parts:
                total += _hosts_cost(problem, part_hosts, part_min, part_demand, relaxed.per_host, relaxed.cone)[0]
            if total > bound:
                bound = total
                reason = (f"the sets that cannot share a host cost at least {total:.2f} together" if own == 0 else
                          f"{own} dedicated workloads need hosts of {own_cost:.2f}; the rest at least "
                          f"{total - own_cost:.2f} more")
        return bound, reason
    bound, reason = 0.0, ""
    for d in dims:
        fleet = sum(c[d] for c in capacities)
        if fleet > 0 and float(demand[d]) / float(fleet) > bound:
            bound = float(demand[d]) / float(fleet)
            reason = f"the {_dim_name(d)} demand over the whole fleet's {_dim_name(d)}"
    return bound, reason
