"""Node selection in a Kubernetes import (issue 16): node labels and taints to host ``labels`` and ``taints``, pods'
``nodeSelector``, required node affinity and tolerations to workload ``selector`` and ``tolerations``.

- **Taints** are named as ``kubectl taint`` writes them, ``key=value:Effect`` (``key:Effect`` without a value), so
  that a toleration's value and effect are matched exactly: a host's ``taints`` are its NoSchedule and NoExecute
  taints; PreferNoSchedule is a preference, not modelled (counted in the notes).
- **Tolerations** are matched as Kubernetes does (key, or an empty key with ``Exists`` for every key; ``Exists``
  any value, ``Equal`` the same value; an empty effect every effect) against every taint of the imported nodes, and
  the pod's ``tolerations`` are the taints it tolerates. A NoExecute toleration with ``tolerationSeconds`` does not
  count: Kubernetes evicts the pod once the time is up.
- **Selectors**: ``nodeSelector`` (but ``kubernetes.io/os``, the workload's ``os``) gives values; required node
  affinity with one term gives ``In`` a list, ``NotIn`` ``{"not_in": [...]}``, ``Exists`` None and
  ``DoesNotExist`` ``{"exists": False}``. Requirements on the same key are combined when the result is one
  requirement (``In`` with ``In``: the values in both); otherwise the later one is dropped and counted. Several
  terms (OR), ``Gt``/``Lt``, ``matchFields`` and preferred affinity are not modelled: the pod is imported without
  that rule, counted in the notes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

__all__ = ["HARD_EFFECTS", "taint_name", "node_taints", "tolerates", "pod_tolerations", "pod_selector",
           "NOTE_WORDS"]

HARD_EFFECTS = ("NoSchedule", "NoExecute")
_AFFINITY = "requiredDuringSchedulingIgnoredDuringExecution"
_PREFERRED = "preferredDuringSchedulingIgnoredDuringExecution"

#: The import notes' words for each count this module makes ("Not modelled: 2 pods with ...").
NOTE_WORDS = (
    ("affinity_or", "node affinity of several terms (OR)"),
    ("affinity_op", "node affinity Gt or Lt"),
    ("affinity_fields", "node affinity on fields (matchFields)"),
    ("affinity_conflict", "node rules that cannot be combined on one key"),
    ("affinity_preferred", "preferred node affinity"),
)


def taint_name(taint: Mapping) -> str:
    """``key=value:Effect`` or ``key:Effect``, as ``kubectl taint`` writes a taint."""
    value = taint.get("value")
    return f"{taint.get('key', '')}{'=' + str(value) if value else ''}:{taint.get('effect', '')}"


def node_taints(node: Mapping) -> tuple[list[Mapping], int]:
    """The node's hard taints (NoSchedule, NoExecute) and how many PreferNoSchedule ones it has."""
    taints = [t for t in _list(_map(node.get("spec")).get("taints")) if isinstance(t, Mapping)]
    return ([t for t in taints if t.get("effect") in HARD_EFFECTS],
            sum(t.get("effect") == "PreferNoSchedule" for t in taints))


def tolerates(toleration: Mapping, taint: Mapping) -> bool:
    """Kubernetes' ToleratesTaint, with a NoExecute toleration for a limited time not counted (it evicts)."""
    effect = toleration.get("effect") or ""
    if effect and effect != taint.get("effect"):
        return False
    if taint.get("effect") == "NoExecute" and toleration.get("tolerationSeconds") is not None:
        return False
    key = toleration.get("key") or ""
    operator = toleration.get("operator") or "Equal"
    if operator == "Exists":
        return not key or key == taint.get("key")
    return operator == "Equal" and key == taint.get("key") and (toleration.get("value") or "") == (
        taint.get("value") or "")


def pod_tolerations(spec: Mapping, taints: Iterable[Mapping]) -> list[str]:
    """The names of the ``taints`` (the imported nodes' hard taints) that the pod tolerates."""
    own = [t for t in _list(spec.get("tolerations")) if isinstance(t, Mapping)]
    return sorted({taint_name(t) for t in taints if any(tolerates(o, t) for o in own)})


def _requirement(expr: Mapping):
    """A node selector requirement as (operator, values) of the model, or the note key that says why not."""
    op, values = expr.get("operator"), [str(v) for v in expr.get("values") or []]
    if op == "In" and values:
        return "in", frozenset(values)
    if op == "NotIn" and values:
        return "not_in", frozenset(values)
    if op in ("Exists", "DoesNotExist") and not values:
        return ("exists" if op == "Exists" else "absent"), frozenset()
    return "affinity_op"


def _combine(a, b):
    """Two requirements on one key as one, or None when the model cannot say both (or no node could meet both)."""
    (op_a, va), (op_b, vb) = sorted((a, b), key=lambda r: ("in", "not_in", "exists", "absent").index(r[0]))
    if op_a == "in":
        values = {"in": va & vb, "not_in": va - vb, "exists": va}.get(op_b, frozenset())
        return ("in", values) if values else None
    if op_a == op_b:
        return op_a, va | vb
    if (op_a, op_b) == ("not_in", "absent"):
        return op_b, vb
    return None  # NotIn with Exists ("has the label, not these values"), Exists with DoesNotExist


def _selector_value(op: str, values: frozenset):
    if op == "in":
        return next(iter(values)) if len(values) == 1 else sorted(values)
    if op == "not_in":
        return {"not_in": sorted(values)}
    return None if op == "exists" else {"exists": False}


def _map(value) -> Mapping:
    """A mapping field of the JSON, or {} (hand-made JSON may hold anything; kubectl's never does)."""
    return value if isinstance(value, Mapping) else {}


def _list(value) -> list:
    return list(value) if isinstance(value, list) else []


def pod_selector(spec: Mapping, os_label: str, count) -> dict | None:
    """The pod's node selector and required node affinity as a workload ``selector`` (None: no rule);
    ``count(key)`` hears each rule left out (keys of `NOTE_WORDS`)."""
    wanted: dict[str, tuple[str, frozenset]] = {
        str(k): ("in", frozenset([str(v)])) for k, v in _map(spec.get("nodeSelector")).items() if k != os_label}
    node_affinity = _map(_map(spec.get("affinity")).get("nodeAffinity"))
    if node_affinity.get(_PREFERRED):
        count("affinity_preferred")
    required = node_affinity.get(_AFFINITY)
    if required is not None:
        terms = _list(_map(required).get("nodeSelectorTerms"))
        if len(terms) != 1:
            count("affinity_or")
        else:
            term = _map(terms[0])
            if term.get("matchFields"):
                count("affinity_fields")
            left_out = set()
            for expr in (e for e in _list(term.get("matchExpressions")) if isinstance(e, Mapping)):
                requirement = _requirement(expr)
                key = str(expr.get("key"))
                if isinstance(requirement, str):
                    left_out.add(requirement)
                elif key not in wanted:
                    wanted[key] = requirement
                else:
                    both = _combine(wanted[key], requirement)
                    if both is None:
                        left_out.add("affinity_conflict")
                    else:
                        wanted[key] = both
            for why in sorted(left_out):
                count(why)
    return {key: _selector_value(*r) for key, r in sorted(wanted.items())} or None
