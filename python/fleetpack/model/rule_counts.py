"""Group rules while a plan is built (issue 16), in plain Python: per (rule, domain) member counts shared by every
host's `HostState`, and the hard rules' check of one more member. The reference statement of what the Rust core
keeps in ``model/rules.rs`` (`RuleCounts`); the verifier restates the rules on its own.

- Anti-affinity: a member may join a domain holding fewer than ``max_per_domain`` members.
- Affinity: the first member placed fixes the domain (one not barred by a trial of the group as one unit); the
  others may join only it.
- Spread: a member may join an eligible domain (a host without the key's label takes none) when the skew after
  (the most members in an eligible domain minus the fewest, the fewest 0 while fewer than ``min_domains`` domains
  are eligible) is at most ``max_skew``. Members only join while a plan is built, so the skew never goes over:
  Kubernetes' filter, and the plan's final state keeps the rule.
- Soft rules (a weight) never keep a member out.

Domains: a host-scoped rule's domain is the host; a label's, the index of the host's value of it, or for a host
without it its own domain (``values + host``) under (anti-)affinity and none under spread, as the core numbers them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .group_rules import HOST_SCOPE, KIND_CODES
from .rules import HostState, static_forms

if TYPE_CHECKING:
    from .objects import Workload
    from .problem import Problem

__all__ = ["RuleCounts", "NO_DOMAIN", "excesses", "penalty", "empty_states"]

#: The domain of a host in no domain of a rule (a spread rule's host without the label).
NO_DOMAIN = -1
_ANTI, _AFFINITY, _SPREAD = KIND_CODES["anti_affinity"], KIND_CODES["affinity"], KIND_CODES["spread"]


def empty_states(problem: Problem) -> list[HostState]:
    """Every host of ``problem`` empty, as a plan starts; with group rules, sharing one count of their members."""
    rules = RuleCounts(problem) if problem.rules is not None else None
    return [HostState(problem, h, rules, j) for j, h in enumerate(problem.hosts)]


class RuleCounts:
    """The member counts of every group rule of ``problem`` in the plan being built (none placed at first)."""

    def __init__(self, problem: Problem):
        part = problem.rules
        assert part is not None, "a problem with group rules"
        self.part = part
        self.m = len(problem.hosts)
        self.row_of = {id(w): i for i, w in enumerate(problem.workloads)}
        self.host_row = {id(h): j for j, h in enumerate(problem.hosts)}
        self.values = [int(part.domain[k].max()) if self.m else 0 for k in range(len(part.keys))]
        self.rules_of: list[list[int]] = [[] for _ in problem.workloads]
        for r in range(len(part.rules)):
            for i in part.members_of(r):
                self.rules_of[int(i)].append(r)
        self.eligible = [self._eligible_domains(problem, r) for r in range(len(part.rules))]
        self.count: dict[tuple[int, int], int] = {}
        self.placed = [0] * len(part.rules)
        self.home = [0] * len(part.rules)
        # (affinity rule, domain) pairs a first member may not open: the domains a heuristic's trial of the group as
        # one unit found too small (`fleetpack.reference.units`)
        self.barred: set[tuple[int, int]] = set()

    def _eligible_domains(self, problem: Problem, r: int) -> list[bool]:
        """A spread rule's domains (labelled, or hosts under a host scope), each eligible when a host there statically
        takes some member."""
        part = self.part
        if int(part.kind[r]) != _SPREAD:
            return []
        host_scope = int(part.key[r]) == HOST_SCOPE  # (each host a domain of its own)
        out = [False] * (self.m if host_scope else self.values[int(part.key[r])])
        for i in part.members_of(r):
            w = problem.workloads[int(i)]
            for j, h in enumerate(problem.hosts):
                d = self.domain(r, j)
                if d != NO_DOMAIN and not out[d] and static_forms(w, h):
                    out[d] = True
        return out

    def domain(self, r: int, j: int) -> int:
        """Host row ``j``'s domain under rule ``r`` (see the module's docstring)."""
        key = int(self.part.key[r])
        if key == HOST_SCOPE:
            return j
        v = int(self.part.domain[key, j])
        if v:
            return v - 1
        return NO_DOMAIN if int(self.part.kind[r]) == _SPREAD else self.values[key] + j

    def _skew_after(self, r: int, d: int | None) -> int:
        """Spread rule ``r``'s skew with one more member in domain ``d`` (None: as it is)."""
        counts = [self.count.get((r, e), 0) + (e == d) for e, ok in enumerate(self.eligible[r]) if ok]
        if not counts:
            return 0
        least = 0 if len(counts) < int(self.part.min_domains[r]) else min(counts)
        return max(counts) - least

    def blocker(self, w: Workload, j: int) -> int | None:
        """The first hard rule (its index) that keeps ``w`` out of host row ``j``; None when none does."""
        part = self.part
        for r in self.rules_of[self.row_of[id(w)]]:
            if int(part.weight[r]):
                continue
            d, kind, cap = self.domain(r, j), int(part.kind[r]), int(part.cap[r])
            if kind == _ANTI:
                ok = self.count.get((r, d), 0) < cap
            elif kind == _AFFINITY:
                ok = (r, d) not in self.barred if self.placed[r] == 0 else self.home[r] == d
            else:
                ok = d != NO_DOMAIN and d < len(self.eligible[r]) and self.eligible[r][d]
                ok = ok and (self._skew_after(r, d) <= cap or self._skew_after(r, d) < self._skew_after(r, None))
            if not ok:
                return r
        return None

    def add(self, w: Workload, j: int) -> None:
        """``w`` is now on host row ``j``."""
        for r in self.rules_of[self.row_of[id(w)]]:
            d = self.domain(r, j)
            self.placed[r] += 1
            if d != NO_DOMAIN:
                self.count[r, d] = self.count.get((r, d), 0) + 1
            if int(self.part.kind[r]) == _AFFINITY and self.placed[r] == 1:
                self.home[r] = d


def excesses(problem: Problem, hosts) -> list[int]:
    """Every group rule's excess in the plan where workload row ``i`` is on host row ``hosts[i]`` (None or -1:
    left out): members over the cap summed over domains (anti-affinity), placed members outside the domain holding
    most (affinity), skew over the cap over the eligible domains (spread). Empty without rules."""
    if problem.rules is None:
        return []
    counts = RuleCounts(problem)
    for i, j in enumerate(hosts):
        if j is not None and j >= 0:
            counts.add(problem.workloads[i], int(j))
    part, out = counts.part, []
    for r in range(len(part.rules)):
        kind, cap = int(part.kind[r]), int(part.cap[r])
        mine = [c for (rule, _), c in counts.count.items() if rule == r]
        if kind == _ANTI:
            out.append(sum(max(0, c - cap) for c in mine))
        elif kind == _AFFINITY:
            out.append(sum(mine) - max(mine, default=0))
        else:
            out.append(max(0, counts._skew_after(r, None) - cap))
    return out


def penalty(problem: Problem, hosts) -> int:
    """The soft group rules' summed weight x excess in the plan ``hosts`` (see `excesses`); 0 without them."""
    if problem.rules is None:
        return 0
    weights = problem.rules.weight.tolist()
    return sum(int(w) * e for w, e in zip(weights, excesses(problem, hosts)) if w)
