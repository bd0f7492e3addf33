"""Why a hard group rule (issue 16) keeps a workload off a host in a final plan, in words: for unplaced reasons
(`fleetpack.plan.reasons`), `explain` and its smallest changes.

A workload may join a host when, for each hard rule it is a member of, with the other members where the plan puts
them: its domain holds fewer than ``max_per_domain`` (anti-affinity); the placed members are all in that domain, or
none is placed (affinity); the domain is one of the spread's (a labelled host) and one more member there leaves the
largest count minus the smallest at most ``max_skew`` (spread, over its eligible domains).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..model.group_rules import HOST
from ..model.problem import Problem
from .penalty import AFFINITY, ANTI, host_domains, spread_domains

__all__ = ["GroupBlock", "GroupView", "GROUP_CODES"]

#: HostCheck / unplaced rule codes, per rule kind
CODES = {ANTI: "anti_affinity_domain", AFFINITY: "affinity", 2: "spread"}
GROUP_CODES = frozenset(CODES.values())


@dataclass(frozen=True)
class GroupBlock:
    """A hard rule that bars a workload from a host: its code, the rule, and the words: alone (``bare``), after
    "the host" (``one``) and after "N hosts" (``many``)."""

    rule: str
    describe: str
    bare: str
    one: str
    many: str


def _domain_words(problem: Problem, key: str, j: int, d: int, values: list) -> str:
    if key == HOST or d >= len(values):
        return f"host {problem.hosts[j].id!r}"
    return f"{key} {values[d]!r}"


class GroupView:
    """The hard rules' counts of a final plan (``host_index``: per workload its host or None), for asking whether
    workload ``i`` may join host ``j`` (`block`)."""

    def __init__(self, problem: Problem, host_index: list):
        self.problem = problem
        part = problem.rules
        self.part = part
        self.index = np.array([-1 if j is None else j for j in host_index], dtype=np.int64)
        self.rules_of: dict[int, list[int]] = {}
        self._domains: dict[int, np.ndarray] = {}
        self._first: dict[int, dict[int, int]] = {}  # per rule, a host of each domain (the first)
        self._counts: dict[int, dict[int, int]] = {}
        self._values: dict[str, list] = {}
        if part is None:
            return
        for r in np.flatnonzero(part.weight == 0).tolist():
            for i in part.members_of(r).tolist():
                self.rules_of.setdefault(i, []).append(r)

    def _rule(self, r: int) -> tuple[np.ndarray, dict[int, int]]:
        if r not in self._counts:
            part = self.part
            domains = self._domains[r] = host_domains(part, r)
            at = self.index[part.members_of(r).astype(np.int64)]
            at = at[at >= 0]
            counts: dict[int, int] = {}
            for d in domains[at].tolist():
                counts[d] = counts.get(d, 0) + 1
            if part.kind[r] == 2:
                for d in spread_domains(self.problem, r).tolist():
                    counts.setdefault(d, 0)
                counts.pop(-1, None)
            self._counts[r] = counts
            first: dict[int, int] = {}
            for j, d in enumerate(domains.tolist()):
                first.setdefault(d, j)
            self._first[r] = first
        return self._domains[r], self._counts[r]

    def _label_values(self, key: str) -> list:
        if key not in self._values:
            seen: dict[str, None] = {}
            for h in self.problem.hosts:
                if key in h.labels:
                    seen.setdefault(h.labels[key])
            self._values[key] = list(seen)
        return self._values[key]

    def block(self, i: int, j: int) -> GroupBlock | None:
        """The first hard rule that bars workload ``i`` from host ``j`` (counting the others where the plan puts
        them, and not ``i`` itself), or None."""
        for r in self.rules_of.get(i, ()):
            found = self._block(r, i, j)
            if found is not None:
                return found
        return None

    def _block(self, r: int, i: int, j: int) -> GroupBlock | None:
        part, rule = self.part, self.part.rules[r]
        domains, counts = self._rule(r)
        d = int(domains[j])
        own = int(self.index[i])
        mine = int(domains[own]) if own >= 0 else None  # (i's own count is left out)
        kind, cap = int(part.kind[r]), int(part.cap[r])
        values = self._label_values(rule.key) if rule.key != HOST else []
        if kind == ANTI:
            held = counts.get(d, 0) - (mine == d)
            if held < cap:
                return None
            where = _domain_words(self.problem, rule.key, j, d, values)
            unit = "host" if rule.key == HOST or d >= len(values) else rule.key
            members = f"{held} member{'s' if held != 1 else ''} of {rule.group!r}"
            tail = f"{members} (max {cap} per {unit})"
            if where.startswith("host "):
                return GroupBlock(CODES[kind], rule.describe(), f"already holds {tail}", f"already holds {tail}",
                                  f"already hold {members} each (max {cap} per {unit})")
            return GroupBlock(CODES[kind], rule.describe(), f"{where} already holds {tail}",
                              f"is in {where}, which already holds {tail}",
                              f"are in {where}, which already holds {tail}")
        if kind == AFFINITY:
            others = {k: n - (mine == k) for k, n in counts.items()}
            others = {k: n for k, n in others.items() if n > 0}
            if not others or d in others:
                return None
            home = max(others, key=lambda k: (others[k], -k))
            j_home = self._first[r][home]
            where = _domain_words(self.problem, rule.key, j_home, home, values)
            return GroupBlock(CODES[kind], rule.describe(), f"affinity group {rule.group!r} runs in {where}",
                              f"is outside {where}, where affinity group {rule.group!r} runs",
                              f"are outside {where}, where affinity group {rule.group!r} runs")
        if d < 0:
            return GroupBlock(CODES[kind], rule.describe(), f"no label {rule.key!r} to spread {rule.group!r} over",
                              f"has no label {rule.key!r} to spread {rule.group!r} over",
                              f"have no label {rule.key!r} to spread {rule.group!r} over")
        after = dict(counts)
        if mine is not None and mine in after:
            after[mine] -= 1
        after[d] = after.get(d, 0) + 1
        fewest = 0 if len(after) < int(part.min_domains[r]) else min(after.values())
        if max(after.values()) - fewest <= cap:
            return None
        low = min(after, key=lambda k: (after[k], k))
        j_low = self._first[r][low]
        where = _domain_words(self.problem, rule.key, j, d, values)
        words = (f"would then hold {after[d]} members of {rule.group!r} against {after[low]} in "
                 f"{_domain_words(self.problem, rule.key, j_low, low, values)} (max skew {cap})")
        return GroupBlock(CODES[kind], rule.describe(), f"{where} {words}", f"is in {where}, which {words}",
                          f"are in {where}, which {words}")
