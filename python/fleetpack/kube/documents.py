"""What a Kubernetes document holds, checked before it is read: pods where pods are expected, nodes where nodes are.

``kubectl get pods -A -o json`` prints a ``List`` (``apiVersion: v1``) whose items are each of ``kind: Pod``; the API
itself answers with a ``PodList`` whose items may leave their kind out; ``kubectl get pod NAME -o json`` prints one
``Pod``. The same holds for nodes and RuntimeClasses. Anything else (a fleetpack fleet file, nodes given as pods, a
Deployment) is refused naming the file and what it holds, instead of being read as something it is not.
"""

from __future__ import annotations

from collections import Counter
from typing import Mapping

from ..errors import ValidationError

__all__ = ["EXPECTED", "document_items"]

# what each argument of from_kubernetes expects: the kind of its items, and the API group of their apiVersion
EXPECTED = {"pods": ("Pod", "v1"), "nodes": ("Node", "v1"), "runtime classes": ("RuntimeClass", "node.k8s.io/")}
_COMMANDS = {"pods": "kubectl get pods -A -o json", "nodes": "kubectl get nodes -o json",
             "runtime classes": "kubectl get runtimeclasses -o json"}


def document_items(value: Mapping, what: str, source: str) -> list:
    """The objects of a parsed document given as ``what`` (``"pods"``, ``"nodes"``, ``"runtime classes"``); raises
    `ValidationError` naming ``source`` when the document is not of that kind."""
    kind_name, version = EXPECTED[what]
    kind = value.get("kind")
    expected = f"{kind_name}, {kind_name}List or a List of {kind_name}s (the output of '{_COMMANDS[what]}')"
    if kind is None:
        if "workloads" in value or "hosts" in value:
            raise _error(source, f"holds a fleetpack fleet file (workloads and hosts), not Kubernetes {what}: give "
                                 f"it as FLEET; expected a {expected}")
        raise _error(source, f"is missing: expected a {expected}")
    if kind not in (kind_name, "List", f"{kind_name}List"):
        other = next((w for w, (k, _) in EXPECTED.items() if kind in (k, f"{k}List")), None)
        hint = f" ({other} given as {what}?)" if other else ""
        raise _error(source, f"is {kind!r}{hint}: expected a {expected}")
    _check_version(value, "v1" if kind == "List" else version, source, "apiVersion")
    if kind == kind_name:
        return [value]
    items = value.get("items") or []
    if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
        raise ValidationError.single(source, "items", "must be a list of objects")
    # a typed list's items may leave out their kind; a plain List's items carry theirs
    wrong = Counter(str(i.get("kind")) for i in items if i.get("kind", kind_name) != kind_name
                    or (kind == "List" and "kind" not in i))
    if wrong:
        held = ", ".join(f"{n} {k}{'s' if n != 1 else ''}" for k, n in wrong.most_common())
        other = next((w for w, (k, _) in EXPECTED.items() if k in wrong), None)
        hint = f" ({other} given as {what}?)" if other else ""
        raise _error(source, f"is a List holding {held}{hint}: expected a {expected}")
    for n, item in enumerate(items):
        _check_version(item, version, source, f"items[{n}].apiVersion")
    return list(items)


def _check_version(obj: Mapping, version: str, source: str, field: str) -> None:
    given = obj.get("apiVersion")
    if given is None:
        return
    fits = isinstance(given, str) and (given.startswith(version) if version.endswith("/") else given == version)
    if not fits:
        raise ValidationError.single(source, field, f"is {given!r}, expected {version!r}"
                                     f"{'...' if version.endswith('/') else ''}", given)


def _error(source: str, message: str) -> ValidationError:
    return ValidationError.single(source, "kind", message)
