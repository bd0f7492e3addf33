"""What a plan's soft group rules cost (issue 16), from its assignment and its problem's rule table (`RulePart`):
``penalty`` = the sum over soft rules of weight x excess, and one `SoftViolation` per soft rule with excess. Also
the per-rule domain arithmetic the reasons and the exact models share: each host's domain under a rule, and a
spread's eligible domains."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..model.group_rules import HOST_SCOPE, KIND_CODES, RulePart
from ..model.rules import static_forms

if TYPE_CHECKING:
    from ..model.inputs import ProblemLike

__all__ = ["SoftViolation", "host_domains", "spread_domains", "rule_excess", "soft_violations"]

ANTI, AFFINITY, SPREAD = KIND_CODES["anti_affinity"], KIND_CODES["affinity"], KIND_CODES["spread"]


@dataclass(frozen=True)
class SoftViolation:
    """A soft rule the plan does not keep in full: the rule (as it describes itself), its excess (members over the
    cap, members outside the largest domain, skew over ``max_skew``) and its penalty (weight x excess)."""

    rule: str
    excess: int
    penalty: int

    def to_dict(self) -> dict:
        return {"rule": self.rule, "excess": self.excess, "penalty": self.penalty}


def host_domains(part: RulePart, r: int) -> np.ndarray:
    """Each host's domain under rule ``r`` (int64, hosts long): its index for a host-scoped rule; else its label
    value's number, a host without the label being a domain of its own (numbered after the values) under
    (anti-)affinity and -1 (no domain) under a spread."""
    key = int(part.key[r])
    m = part.domain.shape[1]
    if key == HOST_SCOPE:
        return np.arange(m, dtype=np.int64)
    d = part.domain[key].astype(np.int64) - 1
    if part.kind[r] == SPREAD:
        return d
    values = int(d.max()) + 1 if m else 0
    return np.where(d >= 0, d, values + np.arange(m, dtype=np.int64))


def spread_domains(problem: ProblemLike, r: int) -> np.ndarray:
    """The domains of spread rule ``r`` with a host on which some member may run by its static rules (sorted)."""
    part = problem.rules
    assert part is not None
    domains = host_domains(part, r)
    arrays = getattr(problem, "arrays", None)
    if arrays is not None:  # a columnar problem: from its columns, without an object per row
        return np.unique(domains[_static_hosts(arrays, part.members_of(r)) & (domains >= 0)])
    full = problem.materialize()
    members = [full.workloads[i] for i in part.members_of(r).tolist()]
    kinds = {}
    for w in members:  # members alike in their static rules see the same hosts
        kinds.setdefault((w.selector_terms, w.tolerations, w.form, w.os), w)
    eligible = set()
    for j, h in enumerate(full.hosts):
        if domains[j] >= 0 and domains[j] not in eligible and any(static_forms(w, h) for w in kinds.values()):
            eligible.add(int(domains[j]))
    return np.array(sorted(eligible), dtype=np.int64)


def _static_hosts(arrays, members: np.ndarray) -> np.ndarray:
    """Per host, whether some of ``members`` may run there by the static rules (`static_forms` on the wire
    arrays: eligibility class, forms, OS, containers, hypervisor)."""
    rows = members.astype(np.int64)
    allowed = np.asarray(arrays["allowed"])[rows]
    w_os = np.asarray(arrays["w_os"])[rows]
    classes = arrays.get("eligibility_class")
    cls = np.asarray(classes)[rows] if classes is not None else np.zeros(len(rows), dtype=np.uint32)
    h_os = np.asarray(arrays["h_os"])
    vm_hosts = np.asarray(arrays["hypervisor"]) > 0
    ct_hosts = np.asarray(arrays["containers"]).astype(bool)
    out = np.zeros(len(h_os), dtype=bool)
    for a, o, c in set(zip(allowed.tolist(), w_os.tolist(), cls.tolist())):
        ok = np.zeros(len(h_os), dtype=bool)
        if a & 1:
            ok |= ct_hosts & (h_os == o)
        if a & 2:
            ok |= vm_hosts
        if classes is not None:
            ok &= np.asarray(arrays["eligible"])[c]
        out |= ok
    return out


def rule_excess(problem: ProblemLike, r: int, host_index: np.ndarray) -> int:
    """Rule ``r``'s excess under the assignment ``host_index`` (per workload, -1 unplaced)."""
    part = problem.rules
    assert part is not None
    at = host_index[part.members_of(r).astype(np.int64)]
    at = at[at >= 0]
    domains = host_domains(part, r)[at]
    kind = int(part.kind[r])
    if kind == SPREAD:
        # (a member on a domain no member may use breaks a static rule too; it counts all the same)
        eligible = np.union1d(spread_domains(problem, r), domains[domains >= 0])
        if len(eligible) == 0:
            return 0
        counts = np.array([np.count_nonzero(domains == d) for d in eligible.tolist()], dtype=np.int64)
        fewest = 0 if len(eligible) < int(part.min_domains[r]) else int(counts.min())
        return max(0, int(counts.max()) - fewest - int(part.cap[r]))
    if len(domains) == 0:
        return 0
    counts = np.unique(domains, return_counts=True)[1]
    if kind == ANTI:
        return int(np.maximum(counts - int(part.cap[r]), 0).sum())
    return int(len(domains) - counts.max())


def soft_violations(problem: ProblemLike, host_index: np.ndarray) -> tuple[int, tuple[SoftViolation, ...]]:
    """The plan's penalty and its soft violations, in rule order."""
    part = problem.rules
    if part is None or not part.soft:
        return 0, ()
    out = []
    for r in np.flatnonzero(part.weight > 0).tolist():
        excess = rule_excess(problem, r, host_index)
        if excess:
            out.append(SoftViolation(part.rules[r].describe(), excess, excess * int(part.weight[r])))
    return sum(v.penalty for v in out), tuple(out)
