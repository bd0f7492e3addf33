"""Group rules (issue 16): anti-affinity, affinity and spread over the members of a group of workloads, counted per
*domain* (a host, or the hosts that share a label's value), hard or soft; checked here and compiled into the rule
table the solvers read.

- A workload is a member of the groups it lists in ``groups``, and of its ``anti_affinity`` group (that shorthand
  is membership plus ``AntiAffinity(group, scope="host")``, which the solvers keep on their own fast path: it is
  not in the rule table).
- ``scope`` (or ``key``) is ``"host"`` or a label key. A host without that label is a domain of its own under
  `AntiAffinity` and `Affinity`; under `Spread` it holds no member (as Kubernetes filters such nodes out).
- `AntiAffinity`: at most ``max_per_domain`` members in any one domain. `Affinity`: every placed member in one
  domain. `Spread`: over the domains with a host eligible for some member (by its static rules: selector, taints,
  form, OS, hypervisor), the largest member count minus the smallest is at most ``max_skew``, the smallest counting
  as 0 while fewer than ``min_domains`` domains are eligible.
- ``weight=None`` makes a rule hard; a whole-number weight > 0 makes it soft, costing weight x its excess: members
  over the cap summed over domains (anti-affinity), placed members outside the domain holding most (affinity), skew
  over ``max_skew`` (spread). Placing more comes first, then the objective, then the summed penalty, then moves.

The rule table (wire keys, docs/design-live-rules-capacity.md): ``domain`` u32[K, m] (per topology key, each host's
domain: 1 + the index of its label value by first appearance, 0 when the host lacks the label); per rule ``rule_kind``
(0 anti-affinity, 1 affinity, 2 spread), ``rule_key`` (a row of ``domain``, or `HOST_SCOPE`), ``rule_cap``
(``max_per_domain``, ``max_skew``; 0 for affinity), ``rule_min_domains`` (0: none), ``rule_weight`` (0: hard); and
the members in CSR form, ``rule_offsets`` u32[R + 1] and ``rule_members`` u32 (workload rows, ascending).
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, ClassVar, Union

import numpy as np

from ..errors import ErrorDetail, FleetpackWarning, ValidationError

__all__ = ["AntiAffinity", "Affinity", "Spread", "Rule", "RULE_KINDS", "KIND_CODES", "HOST", "HOST_SCOPE",
           "RulePart", "read_groups", "as_rule", "read_rules", "build_rules", "encode_rules"]

#: The scope of a rule whose domains are single hosts.
HOST = "host"
#: ``rule_key`` of a host-scoped rule.
HOST_SCOPE = 2**32 - 1
#: The kinds of rule by their names in fleet files (``"kind"``), and their codes on the wire.
KIND_CODES = {"anti_affinity": 0, "affinity": 1, "spread": 2}
_MAX_COUNT = 2**32 - 2  # a cap or a domain count, held as u32
_MAX_WEIGHT = 2**53


class _Check:
    """The problems of one rule, all at once."""

    def __init__(self, rule) -> None:
        self.where = f"rule {rule.describe()}"
        self.problems: list[ErrorDetail] = []

    def add(self, field: str, message: str, value: Any = None) -> None:
        self.problems.append(ErrorDetail(self.where, field, message, value))

    def text(self, field: str, value) -> None:
        if not isinstance(value, str) or not value:
            self.add(field, f"must be a non-empty string, got {value!r}", value)

    def whole(self, field: str, value, least: int, allow_none: bool = False) -> None:
        if value is None and allow_none:
            return
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            none = " or None" if allow_none else ""
            self.add(field, f"must be a whole number >= {least}{none}, got {value!r}", value)
        elif value < least:
            self.add(field, f"must be at least {least}, got {value!r}", value)
        elif value > (_MAX_WEIGHT if field == "weight" else _MAX_COUNT):
            self.add(field, f"is too large ({value})", value)

    def done(self) -> None:
        if self.problems:
            raise ValidationError(self.problems)


class _GroupRule:
    """What the three rule kinds share: their checks (named by ``_texts`` and ``_counts``: field, least, may be
    None), ``describe`` and ``to_dict``; ``_domain`` names the field holding the domain (``scope`` or ``key``)."""

    _texts: ClassVar[tuple[str, ...]]
    _counts: ClassVar[tuple[tuple[str, int, bool], ...]]
    _domain: ClassVar[str]

    def __post_init__(self):
        check = _Check(self)
        for name in self._texts:
            check.text(name, getattr(self, name))
        for name, least, allow_none in self._counts + (("weight", 1, True),):
            check.whole(name, getattr(self, name), least, allow_none=allow_none)
        check.done()

    def describe(self) -> str:
        return f"{type(self).__name__}({self.group!r}, {self._domain}={getattr(self, self._domain)!r})"

    def to_dict(self) -> dict:
        """The rule as a fleet file writes it: its ``kind`` and its fields in order."""
        return {"kind": self.kind, **{f.name: getattr(self, f.name) for f in fields(self)}}


@dataclass(frozen=True)
class AntiAffinity(_GroupRule):
    """At most ``max_per_domain`` members of ``group`` in any domain of ``scope`` (``"host"`` or a label key)."""

    group: str
    scope: str = HOST
    max_per_domain: int = 1
    weight: int | None = None
    kind: ClassVar[str] = "anti_affinity"
    _texts = ("group", "scope")
    _counts = (("max_per_domain", 1, False),)
    _domain = "scope"

    @property
    def key(self) -> str:
        return self.scope


@dataclass(frozen=True)
class Affinity(_GroupRule):
    """Every placed member of ``group`` in one domain of ``scope`` (``"host"`` or a label key)."""

    group: str
    scope: str = HOST
    weight: int | None = None
    kind: ClassVar[str] = "affinity"
    _texts = ("group", "scope")
    _counts = ()
    _domain = "scope"

    @property
    def key(self) -> str:
        return self.scope


@dataclass(frozen=True)
class Spread(_GroupRule):
    """The members of ``group`` spread over the domains of ``key`` (Kubernetes' topology spread, on the final
    state): the most members in a domain minus the fewest is at most ``max_skew``, over the domains with a host
    eligible for a member; the fewest counts as 0 while fewer than ``min_domains`` domains are eligible."""

    group: str
    key: str
    max_skew: int = 1
    min_domains: int | None = None
    weight: int | None = None
    kind: ClassVar[str] = "spread"
    _texts = ("group", "key")
    _counts = (("max_skew", 1, False), ("min_domains", 1, True))
    _domain = "key"

    @property
    def scope(self) -> str:
        return self.key


Rule = Union[AntiAffinity, Affinity, Spread]

RULE_KINDS: dict[str, type] = {"anti_affinity": AntiAffinity, "affinity": Affinity, "spread": Spread}


def read_groups(add, value) -> tuple[str, ...]:
    """A workload's ``groups`` (None: none) as a tuple of distinct names, in the order given."""
    if value is None:
        return ()
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence | set | frozenset):
        add("groups", f"must be a list of group names (strings), got {type(value).__name__} {value!r}", value)
        return ()
    out: list[str] = []
    for name in value:
        if not isinstance(name, str) or not name:
            add("groups", f"group names must be non-empty strings, got {name!r}", name)
        elif name not in out:
            out.append(name)
    return tuple(out)


def as_rule(value, index: int = 0) -> Rule:
    """A rule object, or a mapping with ``kind`` (``"anti_affinity"``, ``"affinity"``, ``"spread"``) and the rule's
    fields (a fleet file's form); errors name ``rules[index]``."""
    if isinstance(value, (AntiAffinity, Affinity, Spread)):
        return value
    where = f"rules[{index}]"
    if not isinstance(value, Mapping):
        raise ValidationError([ErrorDetail(where, "(rule)", "expected fleetpack.AntiAffinity, Affinity, Spread or a "
                                                            f"mapping with 'kind', got {type(value).__name__}", value)])
    kind = value.get("kind")
    cls = RULE_KINDS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise ValidationError([ErrorDetail(where, "kind", f"must be one of {', '.join(map(repr, RULE_KINDS))}, got "
                                                          f"{kind!r}", kind)])
    names = set(cls.__dataclass_fields__) - {"kind"}
    unknown = sorted(set(map(str, value)) - names - {"kind"})
    if unknown:
        raise ValidationError([ErrorDetail(where, name, f"unknown field for {_article(kind)} rule (known: "
                                                        f"{', '.join(sorted(names))})") for name in unknown])
    required = ("group", "key") if cls is Spread else ("group",)
    missing = [name for name in required if name not in value]
    if missing:
        raise ValidationError([ErrorDetail(where, name, f"is required for {_article(kind)} rule") for name in missing])
    try:
        return cls(**{k: v for k, v in value.items() if k != "kind"})
    except ValidationError as exc:
        raise ValidationError([ErrorDetail(f"{where} ({e.where})", e.field, e.message, e.value)
                               for e in exc.errors]) from None


def _article(kind: str) -> str:
    return ("an " if kind[0] in "aeiou" else "a ") + kind


def read_rules(rules, problems: list[ErrorDetail]) -> tuple[Rule, ...]:
    """The ``rules`` keyword (None or a sequence of rules) as a tuple of rule objects; problems reported."""
    if rules is None:
        return ()
    if isinstance(rules, (str, bytes, Mapping)) or not isinstance(rules, Sequence):
        problems.append(ErrorDetail("place()", "rules", "expected a list of rules (fleetpack.AntiAffinity, Affinity, "
                                                        f"Spread), got {type(rules).__name__}", rules))
        return ()
    out = []
    for index, value in enumerate(rules):
        try:
            out.append(as_rule(value, index))
        except ValidationError as exc:
            problems.extend(exc.errors)
    return tuple(out)


@dataclass(frozen=True, eq=False)
class RulePart:
    """The group rules of a problem: the rule objects and their compiled table (see the module's docstring)."""

    rules: tuple[Rule, ...]
    keys: tuple[str, ...]
    domain: np.ndarray
    kind: np.ndarray
    key: np.ndarray
    cap: np.ndarray
    min_domains: np.ndarray
    weight: np.ndarray
    offsets: np.ndarray
    members: np.ndarray

    def members_of(self, r: int) -> np.ndarray:
        """The workload rows of rule ``r``'s group."""
        return self.members[self.offsets[r]:self.offsets[r + 1]]

    @property
    def soft(self) -> bool:
        """Whether some rule is soft."""
        return bool((self.weight > 0).any())


def build_rules(rules: Sequence[Rule], groups: Sequence[tuple[str, ...]], anti_affinity: Sequence[str | None],
                host_labels: Sequence[Mapping[str, str]], problems: list[ErrorDetail]) -> RulePart | None:
    """The rule part of a problem (None without rules): ``groups`` and ``anti_affinity`` per workload, ``host_labels``
    per host. A rule naming a group no workload is in is reported; a scope key no host carries is warned of (the
    rule then holds trivially, or, for spread, leaves its members nowhere to go)."""
    if not rules:
        return None
    # memberships as flat (group id, row) lists, not a list per group: at 100k workloads in 20k groups those lists
    # cost more in garbage collection than in building
    ids: dict[str, int] = {}
    group_of: list[int] = []
    row_of: list[int] = []
    for row, (names, shorthand) in enumerate(zip(groups, anti_affinity)):
        for name in names:
            group_of.append(ids.setdefault(name, len(ids)))
            row_of.append(row)
        if shorthand is not None and shorthand not in names:
            group_of.append(ids.setdefault(shorthand, len(ids)))
            row_of.append(row)
    keys: dict[str, int] = {}
    for index, rule in enumerate(rules):
        if rule.group not in ids:
            problems.append(ErrorDetail(f"rules[{index}] ({rule.describe()})", "group",
                                        f"no workload is in group {rule.group!r} (its groups or anti_affinity)",
                                        rule.group))
        if rule.key != HOST:
            keys.setdefault(rule.key, len(keys))
    domain = np.zeros((len(keys), len(host_labels)), dtype=np.uint32)
    for key, row in keys.items():
        values: dict[str, int] = {}
        column = [labels.get(key) for labels in host_labels]
        domain[row] = [0 if v is None else 1 + values.setdefault(v, len(values)) for v in column]
        if not values:
            warnings.warn(f"no host has label {key!r}, which a rule's scope names: each host is a domain of its own "
                          "for (anti-)affinity, a hard spread's members have no host and a soft one counts none", FleetpackWarning,
                          stacklevel=4)
    offsets, flat = _members_csr(rules, ids, np.array(group_of, dtype=np.int64), np.array(row_of, dtype=np.int64))
    return RulePart(
        tuple(rules), tuple(keys), domain,
        np.array([KIND_CODES[r.kind] for r in rules], dtype=np.uint8),
        np.array([HOST_SCOPE if r.key == HOST else keys[r.key] for r in rules], dtype=np.uint32),
        np.array([getattr(r, "max_per_domain", getattr(r, "max_skew", 0)) for r in rules], dtype=np.uint32),
        np.array([getattr(r, "min_domains", None) or 0 for r in rules], dtype=np.uint32),
        np.array([r.weight or 0 for r in rules], dtype=np.uint64),
        offsets.astype(np.uint32), flat.astype(np.uint32))


def _members_csr(rules: Sequence[Rule], ids: Mapping[str, int], group_of: np.ndarray,
                 row_of: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each rule's members (the rows of its group, ascending; none for an unknown group) in CSR form, from the
    memberships (group id, row) in row order: (offsets, members)."""
    order = np.argsort(group_of, kind="stable")  # by group, rows ascending within one
    rows = row_of[order]
    size = np.bincount(group_of, minlength=len(ids))
    start = np.concatenate(([0], np.cumsum(size)))
    group = np.array([ids.get(rule.group, -1) for rule in rules], dtype=np.int64)
    length = np.where(group >= 0, size[np.maximum(group, 0)] if len(size) else 0, 0)
    offsets = np.concatenate(([0], np.cumsum(length))).astype(np.int64)
    # member k of rule r is row start[group r] + (k - offsets[r]) of the sorted memberships
    take = np.repeat(start[np.maximum(group, 0)] - offsets[:-1], length) + np.arange(offsets[-1])
    return offsets, rows[take]


def encode_rules(part: RulePart | None) -> dict[str, Any]:
    """The rule table's wire keys: none without rules (the problem is sent as before)."""
    if part is None:
        return {}
    return {"domain": part.domain, "rule_kind": part.kind, "rule_key": part.key, "rule_cap": part.cap,
            "rule_min_domains": part.min_domains, "rule_weight": part.weight, "rule_offsets": part.offsets,
            "rule_members": part.members}
