"""The group rules' share of the bounds in plain Python, as the core's rust/core/src/bounds/groups.rs (issue 16):
hard anti-affinity needs ceil(k / m) domains; the placed members of a hard host-scoped affinity group are one
workload of their summed demand for the bin-packing bounds, those of a label-scoped one need hosts of one domain
that cover their demand (docs/model.md, "Lower bounds")."""

from __future__ import annotations

from ..model.problem import Problem
from .classic import _dim_name, fekete_schepers, martello_toth_l2


def _group_bound(problem: Problem, candidates: list[int], placed: int) -> tuple[int, str] | None:
    """The most hosts the hard anti-affinity rules force on a plan placing at least ``placed`` of ``candidates``
    (the core's group_bound): ``k`` members at most ``m`` per domain need ``ceil(k / m)`` domains, each a host at
    least. The reason names ``<group r>``, ``<domain r>``, ``<domains r>``, which the plan words."""
    part = getattr(problem, "rules", None)
    if part is None:
        return None
    total = len(candidates)
    placed = min(placed, total)
    chosen = set(candidates)
    best: tuple[int, str] | None = None
    for r in range(len(part.rules)):
        cap = int(part.cap[r])
        if part.kind[r] != 0 or part.weight[r] != 0 or cap == 0:
            continue
        k = sum(int(i) in chosen for i in part.members_of(r).tolist())
        at_least = max(placed - (total - k), 0)
        need = min(-(-at_least // cap), len(problem.hosts))
        if need > (1 if best is None else best[0]):
            who = f"the {k} members of <group {r}>" if at_least == k else f"{at_least} of the {k} members of <group {r}>"
            unit = "hosts" if int(part.key[r]) == 2**32 - 1 else f"<domains {r}>"
            best = (need, f"{who} at most {cap} per <domain {r}> need {need} {unit}")
    return best


def _smallest_sums(relaxed, members: list[int], a: int) -> list[int]:
    """Per dimension, the sum of the ``a`` smallest demands of ``members`` there."""
    return [sum(sorted(relaxed.smallest[i][d] for i in members)[:a]) for d in relaxed.dims]


def _affinity_bound(problem: Problem, relaxed, placed: int) -> tuple[int, str] | None:
    """The most hosts the hard affinity rules force on a plan placing at least ``placed`` of the candidates (the
    core's affinity_bound): the placed members of a host-scoped group are one workload of their summed demand for
    L2 and Fekete–Schepers (the least over the counts of members a plan may place, at most 16 of them, for the 8
    rules forcing most members together); those of a label-scoped group need the fewest hosts of one domain that
    cover their demand."""
    part = getattr(problem, "rules", None)
    if part is None:
        return None
    total = len(relaxed.candidates)
    placed = min(placed, total)
    chosen = set(relaxed.candidates)
    best: list = [None]

    def raise_(need: int, why: str) -> None:
        if need > (1 if best[0] is None else best[0][0]):
            best[0] = (need, why)

    merged = []
    for r in range(len(part.rules)):
        if part.kind[r] != 1 or part.weight[r] != 0:
            continue
        members = [i for i in part.members_of(r).tolist() if i in chosen]
        k = len(members)
        at_least = max(placed - (total - k), 0)
        if at_least < 2:
            continue
        who = f"the {k} members of <group {r}>" if at_least == k else f"{at_least} of the {k} members of <group {r}>"
        key = int(part.key[r])
        if key == 2**32 - 1:
            merged.append((at_least, r, members))
            continue
        least = _smallest_sums(relaxed, members, at_least)
        domains: dict = {}
        for j in range(len(problem.hosts)):
            v = int(part.domain[key][j])
            domains.setdefault(v if v > 0 else -1 - j, []).append(j)
        fewest = None
        for hosts in domains.values():
            need = (0, 0)
            for d, demand in enumerate(least):
                rooms = sorted((relaxed.room(problem.capacity(problem.hosts[j]), d) for j in hosts), reverse=True)
                covered, n = 0, 0
                for room in rooms:
                    if covered >= demand:
                        break
                    covered += room
                    n += 1
                if covered < demand:
                    need = None
                    break
                if n > need[0]:
                    need = (n, d)
            if need is not None and (fewest is None or need[0] < fewest[0]):
                fewest = need
        if fewest is not None:
            raise_(fewest[0], f"{who} must share a <domain {r}>: at least {fewest[0]} hosts there by "
                              f"{_dim_name(fewest[1])}")
    merged.sort(key=lambda e: (-e[0], e[1]))
    capacities = [problem.capacity(h) for h in problem.hosts]
    for at_least, r, members in merged[:8]:
        k = len(members)
        most = min(k, placed)
        if most - at_least + 1 > 16:
            continue
        member = set(part.members_of(r).tolist())
        others = [sorted(relaxed.smallest[i][d] for i in relaxed.candidates if i not in member) for d in relaxed.dims]
        least = None
        for a in range(at_least, most + 1):
            sums = _smallest_sums(relaxed, members, a)
            if not any((h.max_workloads is None or h.max_workloads >= a)
                       and all(sums[d] <= relaxed.room(c, d) for d in relaxed.dims)
                       for h, c in zip(problem.hosts, capacities)):
                continue
            need = (1, 0)
            for d in relaxed.dims:
                column = sorted(others[d][:placed - a] + [sums[d]])
                room = relaxed.largest_room[d]
                value = max(martello_toth_l2(column, room), fekete_schepers(column, room))
                if value > need[0]:
                    need = (value, d)
            if least is None or need[0] < least[0]:
                least = (need[0], need[1], a)
        if least is not None:
            need, d, a = least
            need = min(need, len(relaxed.hosts))
            who = f"the {k} members" if a == k else f"{a} of the {k} members"
            raise_(need, f"{who} of <group {r}> must share a host: at least {need} hosts by {_dim_name(d)} with "
                         f"them as one workload")
    return best[0]


def _with_groups(problem: Problem, relaxed, placed: int, found: tuple) -> tuple:
    """``_rule_bound``'s answer raised by the group rules' bounds when larger (anti-affinity's, then affinity's)."""
    for grouped in (_group_bound(problem, relaxed.candidates, placed), _affinity_bound(problem, relaxed, placed)):
        if grouped is not None and grouped[0] > found[0]:
            found = (grouped[0], grouped[1], *found[2:])
    return found
