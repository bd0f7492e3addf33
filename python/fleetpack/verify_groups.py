"""The verifier's statement of the group rules (issue 16), restated from the objects: a workload's groups from its
``groups`` and ``anti_affinity``, a domain from its hosts' ``labels``. Like `fleetpack.verify`, which calls it, it
imports only the errors and the model (the rule objects and how they are read), never the compiled rule table.

- A *domain* of a scope is a host (``"host"``) or the hosts sharing a value of the label. Under `AntiAffinity` and
  `Affinity` a host without the label is a domain of its own; under `Spread` it is no domain: a member placed there
  breaks a hard spread (and counts nowhere under a soft one).
- `AntiAffinity`: at most ``max_per_domain`` placed members in any domain (excess: the members over it, summed).
- `Affinity`: every placed member in one domain (excess: the placed members outside the domain holding most).
- `Spread`: over the domains with a host on which some member may run by its static rules (selector, taints, form,
  hypervisor, containers and OS), the most placed members minus the fewest is at most ``max_skew``, the fewest
  counting as 0 while fewer than ``min_domains`` domains are eligible (excess: the skew over ``max_skew``).
- A hard rule with excess is a violation (``anti_affinity_domain``, ``affinity``, ``spread``); a soft rule costs
  ``weight`` x excess, and the plan's stated ``penalty``, when it states one, must equal the sum (``penalty``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from .errors import ErrorDetail, ValidationError
from .model.group_rules import HOST, Affinity, AntiAffinity, Spread, as_rule
from .model.objects import Host, Workload

__all__ = ["read_verify_rules", "plan_rules", "stated_penalty", "group_violations"]

#: One violation before the verifier dresses it: (rule code, message, host id, workload id).
Found = tuple[str, str, "str | None", "str | None"]


def read_verify_rules(rules, w_items: Sequence[Workload], where: str) -> tuple:
    """The ``rules`` keyword (None or a list of rule objects or their mappings) as rule objects; every problem
    (not a list, a bad rule, a group no workload is in) raised at once, naming ``rules[k]``."""
    if rules is None:
        return ()
    if isinstance(rules, (str, bytes, Mapping)) or not isinstance(rules, Sequence):
        raise ValidationError.single(where, "rules", "expected a list of rules (fleetpack.AntiAffinity, Affinity, "
                                                     f"Spread), got {type(rules).__name__}", rules)
    groups = {g for w in w_items for g in (*w.groups, w.anti_affinity) if g is not None}
    out, problems = [], []
    for k, value in enumerate(rules):
        try:
            rule = as_rule(value, k)
        except ValidationError as exc:
            problems.extend(exc.errors)
            continue
        if rule.group not in groups:
            problems.append(ErrorDetail(f"rules[{k}] ({rule.describe()})", "group",
                                        f"no workload is in group {rule.group!r} (its groups or anti_affinity)",
                                        rule.group))
        out.append(rule)
    if problems:
        raise ValidationError(problems)
    return tuple(out)


def plan_rules(plan) -> tuple:
    """The rules a `Plan` carries with its problem (read by shape), or none."""
    part = getattr(getattr(plan, "problem", None), "rules", None)
    return tuple(getattr(part, "rules", ()) or ())


def stated_penalty(plan) -> int | None:
    """The penalty a plan states (a `Plan`'s ``penalty``, a plan dict's ``"penalty"``), or None when it states none
    (a plain mapping, a plan of a problem without rules)."""
    if isinstance(plan, Mapping):
        value = plan.get("penalty") if "assignments" in plan and isinstance(plan.get("assignments"), list) else None
    elif getattr(plan, "has_rules", False):
        value = getattr(plan, "penalty", None)
    else:
        value = None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _domain(h: Host, key: str, spread: bool) -> tuple | None:
    """The domain of ``h`` under a scope; None (no domain) for a host without the label under a spread."""
    if key == HOST:
        return ("host", h.id)
    value = h.labels.get(key)
    if value is None:
        return None if spread else ("host", h.id)
    return ("label", value)


def _name(domain: tuple, key: str) -> str:
    kind, value = domain
    if kind == "host":
        return f"host {value!r}"
    return f"{key} {value!r}"


def _unit(key: str) -> str:
    return "host" if key == HOST else key


def _ids(ws: Sequence[Workload], most: int = 5) -> str:
    shown = ", ".join(repr(w.id) for w in ws[:most])
    return shown + (f" and {len(ws) - most} more" if len(ws) > most else "")


def group_violations(rules: Sequence, w_items: Sequence[Workload], h_items: Sequence[Host],
                     host_of: Mapping[str, Host], may_run: Callable[[Workload, Host], bool],
                     stated: int | None) -> list[Found]:
    """The group rules' violations of a plan placing each workload id of ``host_of`` on its host (``may_run``: the
    verifier's static rules of a workload on a host), and the stated penalty's, in rule order."""
    found: list[Found] = []
    penalty = 0
    by_group: dict[str, list[Workload]] = {}  # (each group's members in input order, read once for every rule)
    for w in w_items:
        for name in dict.fromkeys((*w.groups, w.anti_affinity)):
            if name is not None:
                by_group.setdefault(name, []).append(w)
    eligible = _EligibleDomains(h_items, may_run)
    for rule in rules:
        members = by_group.get(rule.group, [])
        placed = [(w, host_of[w.id]) for w in members if w.id in host_of]
        if isinstance(rule, AntiAffinity):
            excess = _anti_affinity(rule, placed, found)
        elif isinstance(rule, Affinity):
            excess = _affinity(rule, placed, found)
        else:
            excess = _spread(rule, members, placed, eligible, found)
        penalty += (rule.weight or 0) * excess
    if stated is not None and stated != penalty:
        found.append(("penalty", f"the plan states a penalty of {stated} for its soft rules, but they cost {penalty}",
                      None, None))
    return found


def _by_domain(placed, key: str, spread: bool) -> tuple[dict[tuple, list[Workload]], list[tuple[Workload, Host]]]:
    """The placed members per domain (in order of first appearance), and those on hosts of no domain."""
    out: dict[tuple, list[Workload]] = {}
    nowhere = []
    for w, h in placed:
        d = _domain(h, key, spread)
        if d is None:
            nowhere.append((w, h))
        else:
            out.setdefault(d, []).append(w)
    return out, nowhere


def _anti_affinity(rule: AntiAffinity, placed, found: list[Found]) -> int:
    excess = 0
    for domain, ws in _by_domain(placed, rule.scope, False)[0].items():
        over = len(ws) - rule.max_per_domain
        if over <= 0:
            continue
        excess += over
        if rule.weight is None:
            host = domain[1] if domain[0] == "host" else None
            found.append(("anti_affinity_domain",
                          f"{_name(domain, rule.scope)} holds {len(ws)} members of group {rule.group!r} "
                          f"({_ids(ws)}), at most {rule.max_per_domain} per {_unit(rule.scope)} allowed",
                          host, None))
    return excess


def _affinity(rule: Affinity, placed, found: list[Found]) -> int:
    domains = _by_domain(placed, rule.scope, False)[0]
    if len(domains) <= 1:
        return 0
    most = max(len(ws) for ws in domains.values())
    excess = len(placed) - most
    if rule.weight is None:
        parts = "; ".join(f"{_name(d, rule.scope)}: {_ids(ws, 3)}" for d, ws in domains.items())
        found.append(("affinity", f"the members of group {rule.group!r} must share one {_unit(rule.scope)} but run "
                                  f"in {len(domains)}: {parts}", None, None))
    return excess


class _EligibleDomains:
    """A spread's eligible domains: those with a host on which some member may run (``may_run``), in order of their
    first such host. Members whose static fields are alike see the same hosts, so each (key, kind of member) is
    scanned once over the hosts, for every rule over that key (thousands of rules share a handful of kinds)."""

    def __init__(self, h_items: Sequence[Host], may_run: Callable[[Workload, Host], bool]):
        self.h_items = h_items
        self.may_run = may_run
        self.seen: dict[tuple, dict[tuple, int]] = {}

    def of(self, key: str, members: Sequence[Workload]) -> dict[tuple, int]:
        """Domain -> the index of its first host a member may run on."""
        out: dict[tuple, int] = {}
        for w in {_static_kind(w): w for w in reversed(members)}.values():
            found = self.seen.get((key, _static_kind(w)))
            if found is None:
                found = {}
                for j, h in enumerate(self.h_items):
                    d = _domain(h, key, True)
                    if d is not None and d not in found and self.may_run(w, h):
                        found[d] = j
                self.seen[(key, _static_kind(w))] = found
            for d, j in found.items():
                out[d] = min(j, out.get(d, j))
        return out


def _static_kind(w: Workload) -> tuple:
    """What the static rules read of a workload (selector, tolerations, form, OS): equal kinds may run on the same
    hosts. (The selector by its text: two spellings of one selector are two kinds, which only costs a scan.)"""
    return (repr(w.selector), tuple(w.tolerations), w.form, w.os)


def _spread(rule: Spread, members, placed, eligible: _EligibleDomains, found: list[Found]) -> int:
    firsts = eligible.of(rule.key, members)
    counts: dict[tuple, int] = {d: 0 for d in sorted(firsts, key=firsts.__getitem__)}
    domains, nowhere = _by_domain(placed, rule.key, True)
    for d, ws in domains.items():
        counts[d] = counts.get(d, 0) + len(ws)
    if rule.weight is None:
        for w, h in nowhere:
            found.append(("spread", f"workload {w.id!r} of group {rule.group!r} runs on host {h.id!r}, which has no "
                                    f"label {rule.key!r} to spread over", h.id, w.id))
    if not counts:
        return 0
    largest = max(counts.values())
    fewest = 0 if rule.min_domains is not None and len(counts) < rule.min_domains else min(counts.values())
    skew = largest - fewest
    excess = max(0, skew - rule.max_skew)
    if excess and rule.weight is None:
        top = max(counts, key=counts.__getitem__)
        low = min(counts, key=counts.__getitem__)
        why = (f"fewer than min_domains={rule.min_domains} {rule.key} domains are eligible ({len(counts)}), so the "
               "fewest counts as 0" if fewest == 0 and counts[low] > 0
               else f"{_name(low, rule.key)} holds {counts[low]}")
        found.append(("spread", f"group {rule.group!r} is spread over {rule.key} with skew {skew}, at most "
                                f"{rule.max_skew} allowed: {_name(top, rule.key)} holds {largest}, {why}",
                      None, None))
    return excess

