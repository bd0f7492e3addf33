"""Pod (anti-)affinity and topology spread in a Kubernetes import (issue 16): terms over other pods as workload
``groups`` and group rules (`AntiAffinity`, `Affinity`, `Spread`), judged on the final state.

A term's *group* is the pods that carry the same term (same kind, topology key, namespaces, label selector after
``matchLabelKeys``, weight) and the pods its selector matches in its namespaces (the pod's own by default; a
``namespaceSelector`` is taken as every namespace: the pods' JSON does not carry namespace labels, and more
members only make the rule stricter). The topology key ``kubernetes.io/hostname`` is the scope ``"host"``; any other
key is that node label (a node without it is a domain of its own for (anti-)affinity, as fleetpack's rules say:
stricter than Kubernetes, which lets such a node pass).

- **Required anti-affinity** ("no pod matching the selector in my domain") on a key other than the hostname:
  ``AntiAffinity(group, scope, max_per_domain=1)``. Exact when every member carries the term (the replicas of one
  workload, each matching its own selector); otherwise stricter (members that do not carry it are kept apart
  too), counted. Hostname terms keep the import's ``anti_affinity`` groups (`kube.convert`) but where those
  groups share pods: there they are rules of scope ``"host"``.
- **Required affinity** ("a pod matching the selector in my domain"): ``Affinity(group, scope)``, every member in one
  domain. Exact for replicas that match their own selector (the scheduler puts the first anywhere and each later
  one next to one before it, so all in one domain); otherwise stricter (the pods it points at are drawn into one
  domain too), counted.
- **Preferred terms**: the same rules, soft, with the term's ``weight``.
- **Topology spread**: ``Spread(group, key, max_skew, min_domains)`` over the pods the selector matches in the pod's
  namespace (the carriers too); ``DoNotSchedule`` hard, ``ScheduleAnyway`` soft with weight 1. A plan keeps the
  skew on the final state, which the scheduler does not after rollouts and scale-downs. The eligible domains are
  fleetpack's (the members' selectors and taints); ``nodeAffinityPolicy: Ignore`` and ``nodeTaintsPolicy: Honor``
  change Kubernetes' count and are noted, not modelled.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Collection, Mapping

from ..errors import ValidationError
from ..model.group_rules import HOST, Affinity, AntiAffinity, Rule, Spread

__all__ = ["matches", "with_label_keys", "pod_group_rules", "RULE_NOTE_WORDS"]

HOSTNAME = "kubernetes.io/hostname"
_REQUIRED = "requiredDuringSchedulingIgnoredDuringExecution"
_PREFERRED = "preferredDuringSchedulingIgnoredDuringExecution"

#: The notes' words for the pods whose terms this module maps, but not exactly as Kubernetes reads them.
RULE_NOTE_WORDS = (
    ("anti_stricter", "anti-affinity whose group holds pods that do not carry the term (kept apart too)"),
    ("affinity_stricter", "affinity whose group holds pods that do not carry the term (drawn into one domain too)"),
    ("spread_not_self", "topology spread over pods that do not include themselves (counted in the group)"),
    ("spread_policy", "topology spread with nodeAffinityPolicy Ignore or nodeTaintsPolicy Honor (domains counted "
                      "by the members' own node rules and taints)"),
)
#: Not modelled (the pod is imported without that term).
SKIPPED_WORDS = (
    ("term_bad", "pod (anti-)affinity or spread terms without a topology key or a label selector, or with a "
                 "maxSkew or minDomains below 1"),
)


def matches(selector, labels: Mapping) -> bool:
    """A Kubernetes label selector: None matches nothing, {} everything."""
    if selector is None:
        return False
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and key in labels and labels[key] in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def with_label_keys(term: Mapping, own_labels: Mapping):
    """The term's label selector with ``matchLabelKeys`` / ``mismatchLabelKeys`` (Kubernetes >= 1.29) applied:
    each key adds "key is (is not) this pod's value"."""
    selector = term.get("labelSelector")
    extra = [{"key": k, "operator": "In", "values": [own_labels[k]]}
             for k in term.get("matchLabelKeys") or [] if k in own_labels]
    extra += [{"key": k, "operator": "NotIn", "values": [own_labels[k]]}
              for k in term.get("mismatchLabelKeys") or [] if k in own_labels]
    if selector is None or not extra:
        return selector
    return {**selector, "matchExpressions": [*(selector.get("matchExpressions") or []), *extra]}


def _selector_text(selector) -> str:
    """A selector in a few words without spaces (group names are lists of names separated by spaces in tables)."""
    if not selector:
        return "(all)"
    parts = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for expr in selector.get("matchExpressions") or []:
        values = "|".join(map(str, expr.get("values") or []))
        parts.append(f"{expr.get('key')}:{expr.get('operator')}" + (f"({values})" if values else ""))
    return ",".join(parts).replace(" ", "_")


class _Term:
    """One distinct term: its rule's shape, the pods that carry it and the pods it selects."""

    def __init__(self, name: str, kind: str, scope: str, weight, extra: dict):
        self.name, self.kind, self.scope, self.weight, self.extra = name, kind, scope, weight, extra
        self.carriers: list[int] = []
        self.matched: set[int] = set()

    def rule(self) -> Rule:
        if self.kind == "anti_affinity":
            return AntiAffinity(self.name, scope=self.scope, weight=self.weight)
        if self.kind == "affinity":
            return Affinity(self.name, scope=self.scope, weight=self.weight)
        return Spread(self.name, self.scope, weight=self.weight, **self.extra)


def _terms_of(spec: Mapping, hostname: bool) -> list[tuple[str, Mapping, int | None, dict]]:
    """(kind, term, weight or None for hard, extra rule fields) of each inter-pod term of a pod spec, required
    hostname anti-affinity (the import's ``anti_affinity``) left out unless ``hostname``."""
    affinity = spec.get("affinity") if isinstance(spec.get("affinity"), Mapping) else {}
    out: list[tuple[str, Mapping, int | None, dict]] = []
    for field, kind in (("podAntiAffinity", "anti_affinity"), ("podAffinity", "affinity")):
        part = affinity.get(field) if isinstance(affinity.get(field), Mapping) else {}
        for term in part.get(_REQUIRED) or []:
            if isinstance(term, Mapping) and (hostname or kind != "anti_affinity"
                                              or term.get("topologyKey") != HOSTNAME):
                out.append((kind, term, None, {}))
        for preferred in part.get(_PREFERRED) or []:
            if isinstance(preferred, Mapping) and isinstance(preferred.get("podAffinityTerm"), Mapping):
                weight = preferred.get("weight")
                if isinstance(weight, int) and not isinstance(weight, bool) and weight > 0:
                    out.append((kind, preferred["podAffinityTerm"], weight, {}))
    for constraint in spec.get("topologySpreadConstraints") or []:
        if not isinstance(constraint, Mapping):
            continue
        weight = 1 if constraint.get("whenUnsatisfiable") == "ScheduleAnyway" else None
        extra = {"max_skew": constraint.get("maxSkew", 1), "min_domains": constraint.get("minDomains")}
        out.append(("spread", constraint, weight, extra))
    return out


def pod_group_rules(pods: list[Mapping], count, hostname_pods: Collection[int] = ()
                    ) -> tuple[list[tuple[str, ...]], list[Rule]]:
    """Per pod the groups it is in, and the rules of the groups (see the module's notes); ``count(key)`` hears each
    pod whose term is mapped not exactly or left out (keys of `RULE_NOTE_WORDS`, `SKIPPED_WORDS`). The required
    hostname anti-affinity of the pods in ``hostname_pods`` is mapped here too (the import's ``anti_affinity``
    groups cannot say it: see `kube.convert`)."""
    metas = [p.get("metadata") if isinstance(p.get("metadata"), Mapping) else {} for p in pods]
    labels = [m.get("labels") or {} for m in metas]
    namespaces = [m.get("namespace", "default") for m in metas]
    terms: dict[str, _Term] = {}
    for i, pod in enumerate(pods):
        spec = pod.get("spec") if isinstance(pod.get("spec"), Mapping) else {}
        for kind, term, weight, extra in _terms_of(spec, i in hostname_pods):
            key = term.get("topologyKey")
            if not isinstance(key, str) or not key or term.get("labelSelector") is None:
                count("term_bad")
                continue
            if kind == "spread" and (term.get("nodeAffinityPolicy") == "Ignore"
                                     or term.get("nodeTaintsPolicy") == "Honor"):
                count("spread_policy")
            selector = with_label_keys(term, labels[i])
            spaces: frozenset | None
            if kind == "spread":  # (a spread constraint counts the pods of its own namespace)
                spaces = frozenset([namespaces[i]])
            elif term.get("namespaceSelector") is not None:
                spaces = None  # every namespace (see the module's notes)
            else:
                spaces = frozenset(map(str, term.get("namespaces") or [namespaces[i]]))
            scope = HOST if key == HOSTNAME else key
            soft = "" if weight is None else f"~{weight}"
            where = namespaces[i] if spaces == frozenset([namespaces[i]]) else (
                "*" if spaces is None else "+".join(sorted(spaces)))
            name = f"{kind.replace('_', '-')}{soft}:{where}/{_selector_text(selector)}@{key}"
            identity = json.dumps([kind, key, sorted(spaces) if spaces else None, selector, weight, extra],
                                  sort_keys=True, default=str)
            found = terms.get(identity)
            if found is None:
                found = terms[identity] = _Term(name, kind, scope, weight, extra)
                found.matched = {k for k in range(len(pods)) if (spaces is None or namespaces[k] in spaces)
                                 and matches(selector, labels[k])}
            found.carriers.append(i)
    groups: list[list[str]] = [[] for _ in pods]
    rules: list[Rule] = []
    used: dict[str, int] = {}
    for term in terms.values():
        members = sorted(set(term.carriers) | term.matched)
        if len(members) < 2:
            continue  # a pod alone in its group: the rule holds whatever the plan
        try:
            rule = term.rule()
        except ValidationError:  # (a maxSkew or minDomains the API server would refuse)
            count("term_bad", len(term.carriers))
            continue
        carriers = set(term.carriers)
        if not carriers <= term.matched or term.kind != "spread" and not term.matched <= carriers:
            count({"anti_affinity": "anti_stricter", "affinity": "affinity_stricter"}.get(term.kind,
                                                                                          "spread_not_self"),
                  len(carriers))
        used[term.name] = used.get(term.name, 0) + 1
        if used[term.name] > 1:  # (two terms that differ in what the name leaves out)
            term.name = f"{term.name}#{used[term.name]}"
        for k in members:
            groups[k].append(term.name)
        rules.append(dataclasses.replace(rule, group=term.name))
    return [tuple(g) for g in groups], rules
