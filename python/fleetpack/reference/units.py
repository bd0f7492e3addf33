"""A hard affinity group placed as one unit by the greenfield heuristics, in plain Python: the reference statement of
the core's ``rust/core/src/heuristics/unit.rs`` (docs/model.md, "Group rules").

When a pass comes to the first member of a hard affinity group with none placed, it places the group's members that
are still to come, in the pass's order, each by the method as usual (the rule keeps them in the first one's domain).
When one is left out, the unit is undone and tried again with that domain barred to the first member, up to
`TRIES` domains; if no try places them all, the try that placed the most (the first of those) is placed again and
kept.
"""

from __future__ import annotations

import copy
from typing import Callable

from ..model.group_rules import KIND_CODES
from ..model.rules import HostState

__all__ = ["TRIES", "unit_rule", "place_unit"]

#: At most this many domains are tried for one unit (the core's `TRIES`).
TRIES = 8
# what `HostState.add` changes
_HOST_FIELDS = ("used", "over", "count", "vms", "containers", "container_tenants", "isolated_tenants", "dedicated",
                "groups")
_AFFINITY = KIND_CODES["affinity"]

# picks (host row, form) for a workload row, or None
Choose = Callable[[int], "tuple[int, str] | None"]


def unit_rule(states: list[HostState], i: int) -> int | None:
    """The hard affinity rule whose group workload row ``i`` leads as a unit: the first of its rules that is a hard
    affinity of more than one member with none placed yet; None without one."""
    counts = states[0].rules if states else None
    if counts is None:
        return None
    part = counts.part
    for r in counts.rules_of[i]:
        if (int(part.kind[r]) == _AFFINITY and not int(part.weight[r]) and len(part.members_of(r)) > 1
                and counts.placed[r] == 0):
            return r
    return None


def place_unit(states: list[HostState], hosts: list, forms: list, choose: Choose, lead: int, r: int,
               position: dict[int, int]) -> None:
    """Place workload row ``lead`` and the members of rule ``r`` not placed that come after it in the pass
    (``position``: each row's place in the pass) as one unit, as the module's docstring says."""
    counts = states[0].rules
    assert counts is not None
    workloads = states[0].problem.workloads
    later = [int(m) for m in counts.part.members_of(r)
             if int(m) != lead and hosts[int(m)] is None and position.get(int(m), -1) > position[lead]]
    members = [lead, *sorted(later, key=lambda m: position[m])]

    def attempt() -> tuple[list[int], list[tuple[int, dict]], tuple]:
        saved_counts = (dict(counts.count), list(counts.placed), list(counts.home))
        saved: list[tuple[int, dict]] = []
        added: list[int] = []
        for k, i in enumerate(members):
            choice = choose(i)
            if choice is None:
                if k == 0:
                    break
                continue
            j, form = choice
            if all(j != s for s, _ in saved):
                saved.append((j, {a: copy.copy(getattr(states[j], a)) for a in _HOST_FIELDS}))
            states[j].add(workloads[i], form)
            hosts[i], forms[i] = j, form
            added.append(i)
        return added, saved, saved_counts

    def undo(added: list[int], saved: list[tuple[int, dict]], saved_counts: tuple) -> None:
        for j, fields in saved:
            vars(states[j]).update(fields)
        counts.count, counts.placed, counts.home = saved_counts
        for i in added:
            hosts[i], forms[i] = None, None

    domains: list[int] = []
    best = None  # (how many it placed, how many domains were barred) of the try that placed the most
    while True:
        added, saved, saved_counts = attempt()
        if len(added) == len(members):
            counts.barred.clear()
            return
        better = best is None or len(added) > best[0]
        if better:
            best = (len(added), len(domains))
        if not added:  # the lead found no host: no other domain takes it either
            break
        home = counts.domain(r, hosts[lead])
        if len(domains) + 1 == TRIES and better:  # the last try is the best: kept as it is
            counts.barred.clear()
            return
        undo(added, saved, saved_counts)
        if len(domains) + 1 == TRIES:
            break
        domains.append(home)
        counts.barred.add((r, home))
    counts.barred.clear()
    if best is not None and best[0] > 0:  # the try that placed the most, again
        counts.barred.update((r, d) for d in domains[:best[1]])
        attempt()
        counts.barred.clear()
