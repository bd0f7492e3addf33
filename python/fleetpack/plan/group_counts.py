"""How many members of a group any plan can place under its hard rule (issue 16), and why, in words: a bound on the
count placed (plans place the most first), read by the unplaced reasons and so by `explain`.

- `AntiAffinity`, at most ``m`` per domain: only the domains with a host that some member fits (empty, by every
  static rule, ratios and headroom included) take members, so at most ``d × m`` of them.
- `Affinity`: the placed members share one domain, so they fit its hosts' summed room (one host's, at host scope,
  and its ``max_workloads``): at most the most members whose smallest demands, the smallest first, fit the roomiest
  domain in every dimension, among the members that fit a host there.
- `Spread` with ``min_domains`` above its eligible domains ``d``: the fewest counts as 0, so no domain holds more
  than ``max_skew``, and at most ``d × max_skew`` members are placed.

Each is sound: a plan's placed members meet it whatever the other workloads do. The tests hold it against the count
that CP-SAT places (tests/exact/test_group_count_bounds.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model.group_rules import HOST
from ..model.overbook import PPM
from ..model.problem import Problem
from ..model.rules import HostState, smallest_demand, static_forms
from ..model.units import format_amount
from .penalty import AFFINITY, ANTI, host_domains, spread_domains

__all__ = ["GroupCap", "group_caps"]


@dataclass(frozen=True)
class GroupCap:
    """Rule ``rule`` lets a plan place at most ``most`` of its ``members`` candidates; ``words`` say why."""

    rule: int
    most: int
    members: int
    words: str


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


class _Fits:
    """Whether a workload fits a host when the host is empty (in some form its static rules allow), cached by what
    decides it, so that alike members and hosts are checked once."""

    def __init__(self, problem: Problem):
        self.problem = problem
        self.empty = [HostState(problem, h) for h in problem.hosts]
        self.cache: dict[tuple, bool] = {}

    def __call__(self, i: int, j: int) -> bool:
        w = self.problem.workloads[i]
        key = (tuple(self.problem.demand(w)), w.form, w.os, w.isolation, w.selector_terms, frozenset(w.tolerations),
               w.overcommit, j)
        if key not in self.cache:
            state = self.empty[j]
            self.cache[key] = any(state.blocker(w, f) is None for f in static_forms(w, state.host))
        return self.cache[key]


def _room(problem: Problem, j: int) -> list[int]:
    """Host ``j``'s room for the workloads' demand: its capacity (grown by its ratios and cut by the headroom, as
    the bounds grow it) less the smaller of the two per-host overheads, which a used host pays at least."""
    host = problem.hosts[j]
    capacity = problem.capacity(host)
    part = problem.overbook
    if part is not None:
        ratios = part.ratios_of(host.id)
        capacity = [part.usable(c, d) * ratios[d] // PPM for d, c in enumerate(capacity)]
    per_host = [min(a, b) for a, b in zip(problem.fixed("hypervisor"), problem.fixed("container_runtime"))]
    return [max(c - o, 0) for c, o in zip(capacity, per_host)]


def group_caps(problem: Problem, rules: set[int] | None = None) -> dict[int, GroupCap]:
    """Per hard rule (of ``rules``, when given) that caps its members below their number, that cap."""
    part = problem.rules
    if part is None:
        return {}
    fits = _Fits(problem)
    caps: dict[int, GroupCap] = {}
    for r, rule in enumerate(part.rules):
        if part.weight[r] != 0 or (rules is not None and r not in rules):
            continue
        members = part.members_of(r).tolist()
        # (members that fit no host are out whatever the rule says: their own reason says so)
        placeable = [i for i in members if any(fits(i, j) for j in range(len(problem.hosts)))]
        found = _cap(problem, r, placeable, fits)
        if found is not None and found[0] < len(placeable):
            caps[r] = GroupCap(r, found[0], len(placeable), found[1])
    return caps


def _cap(problem: Problem, r: int, members: list[int], fits: _Fits) -> tuple[int, str] | None:
    part = problem.rules
    assert part is not None
    rule = part.rules[r]
    kind, cap = int(part.kind[r]), int(part.cap[r])
    domains = host_domains(part, r).tolist()
    k = len(members)
    scope = "host" if rule.key == HOST else rule.key
    if kind == ANTI:
        taking = {domains[j] for j in range(len(problem.hosts)) if any(fits(i, j) for i in members)}
        most = len(taking) * cap
        where = _plural(len(taking), scope)
        verb = "has" if len(taking) == 1 else "have"
        lead = (f"only {where} can take a member of {rule.group!r}" if scope == "host" else
                f"only {where} {verb} a host that can take a member of {rule.group!r}")
        return most, (f"{lead} (max {cap} per {scope}): at most {most} of its {k} members can be placed")
    if kind == AFFINITY:
        return _affinity_cap(problem, r, members, fits, domains, scope)
    eligible = len(spread_domains(problem, r))
    need = int(part.min_domains[r])
    if need <= eligible:
        return None
    most = eligible * cap
    verb = "has" if eligible == 1 else "have"
    return most, (f"only {_plural(eligible, rule.key)} {verb} a host that can take a member of {rule.group!r}, fewer "
                  f"than its min_domains {need}, so each holds at most {cap} (max skew {cap}): at most {most} of "
                  f"its {k} members can be placed")


def _affinity_cap(problem: Problem, r: int, members: list[int], fits: _Fits, domains: list[int],
                  scope: str) -> tuple[int, str] | None:
    rule = problem.rules.rules[r]  # type: ignore[union-attr]
    dims = problem.dimensions
    demands = {i: smallest_demand(problem, problem.workloads[i]) for i in members}
    hosts_of: dict[int, list[int]] = {}
    for j, d in enumerate(domains):
        hosts_of.setdefault(d, []).append(j)
    most, roomiest = 0, [0] * len(dims)
    for hosts in hosts_of.values():
        rooms = [_room(problem, j) for j in hosts]
        room = [sum(column) for column in zip(*rooms)]
        roomiest = [max(a, b) for a, b in zip(roomiest, room)]
        there = [i for i in members if any(fits(i, j) for j in hosts)]
        held = len(there)
        limits = [problem.hosts[j].max_workloads for j in hosts]
        if all(c is not None for c in limits):
            held = min(held, sum(limits))  # type: ignore[arg-type]
        for d in range(len(dims)):
            column = sorted(demands[i][d] for i in there)
            total, n = 0, 0
            while n < len(column) and total + column[n] <= room[d]:
                total += column[n]
                n += 1
            held = min(held, n)
        most = max(most, held)
    k = len(members)
    where = "a host" if scope == "host" else f"a {scope}"
    any_one = "any host" if scope == "host" else f"any {scope}'s hosts together"
    lead = f"the {k} members of {rule.group!r} must share {where}"
    over = [d for d in range(len(dims)) if sum(demands[i][d] for i in members) > roomiest[d]]
    if over:
        d = over[0]
        total = sum(demands[i][d] for i in members)
        words = f"{lead}: {format_amount(dims[d], total)} {dims[d]}, more than {any_one} {'has' if scope == 'host' else 'have'}"
    else:
        words = f"{lead}, and no {scope} takes more than {most} of them"
    return most, f"{words}: at most {most} of them can be placed"
