"""Static eligibility (issue 16): which hosts a workload may run on at all, by host labels, selectors, taints and
tolerations; checked on the objects and compiled into classes for the core.

- A host's ``labels`` map keys to values (text to text) and its ``taints`` are keys.
- A workload's ``selector`` maps a label key to what the host's label must be: a value (``"oracle"``), one of a
  list (``["a", "b"]``), ``None`` (the host has the label, any value), or one operator as a dict: ``{"in": [...]}``,
  ``{"not_in": [...]}`` (the host lacks the label or has another value, as Kubernetes' NotIn), ``{"exists": True}``
  or ``{"exists": False}`` (the host lacks the label, Kubernetes' DoesNotExist). Every key must match.
- A host with taints takes only workloads whose ``tolerations`` list every one of its taints.

Workloads with the same selector and tolerations share a *class*; the core reads ``eligibility_class`` (a class per
workload) and ``eligible`` (classes × hosts). A problem in which every class may use every host sends neither, and
plans are as without them. A selector no host matches is no error: the workload is left out, with the reason
(`ineligible_reason`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

__all__ = ["Term", "read_labels", "read_selector", "read_keys", "term_matches", "allows", "EligibilityPart",
           "compile_eligibility", "encode_eligibility", "decode_eligibility", "ineligible_reason", "host_block", "term_words",
           "OPERATORS"]

#: One selector requirement: (label key, operator, values); operators ``in``, ``not_in``, ``exists``, ``absent``.
Term = tuple[str, str, tuple[str, ...]]
#: The operators a selector value may name in its dict form.
OPERATORS = ("in", "not_in", "exists")

Add = Callable[[str, str, Any], None]  # (field, message, value): how a reader reports a problem


def _is_text_list(value) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes)) and all(
        isinstance(v, str) for v in value)


def read_labels(add: Add, value) -> dict[str, str]:
    """A host's ``labels`` (None: none) as a dict of text to text; problems reported through ``add``."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        add("labels", f"must be a mapping of label key to value (text), got {type(value).__name__}", value)
        return {}
    out = {}
    for key, label in value.items():
        if not isinstance(key, str) or not key:
            add("labels", f"label keys must be non-empty strings, got {key!r}", key)
        elif not isinstance(label, str):
            add(f"labels.{key}", f"must be a string, got {type(label).__name__} {label!r}", label)
        else:
            out[key] = label
    return out


def read_selector(add: Add, value) -> tuple[Term, ...]:
    """A workload's ``selector`` (None: none) as sorted terms; problems reported through ``add``."""
    if value is None:
        return ()
    if not isinstance(value, Mapping):
        add("selector", f"must be a mapping of label key to value, list of values or None, got "
                        f"{type(value).__name__}", value)
        return ()
    terms = []
    for key, want in value.items():
        if not isinstance(key, str) or not key:
            add("selector", f"label keys must be non-empty strings, got {key!r}", key)
            continue
        where = f"selector.{key}"
        if want is None:
            terms.append((key, "exists", ()))
        elif isinstance(want, str):
            terms.append((key, "in", (want,)))
        elif isinstance(want, Mapping):
            term = _operator(add, where, key, want)
            if term is not None:
                terms.append(term)
        elif _is_text_list(want) and len(want) > 0:
            terms.append((key, "in", tuple(sorted(set(want)))))
        else:
            add(where, "must be a value (text), a non-empty list of values, None (the label exists) or one of "
                       f"{{'in': [...]}}, {{'not_in': [...]}}, {{'exists': bool}}; got {want!r}", want)
    return tuple(sorted(terms))


def _operator(add: Add, where: str, key: str, want: Mapping) -> Term | None:
    if len(want) != 1 or next(iter(want)) not in OPERATORS:
        add(where, f"an operator is a dict of one key, one of {', '.join(map(repr, OPERATORS))}; got {want!r}", want)
        return None
    (op, arg), = want.items()
    if op == "exists":
        if not isinstance(arg, bool):
            add(f"{where}.exists", f"must be True or False, got {arg!r}", arg)
            return None
        return (key, "exists" if arg else "absent", ())
    if not _is_text_list(arg) or (op == "in" and len(arg) == 0):
        add(f"{where}.{op}", f"must be a {'non-empty ' if op == 'in' else ''}list of values (text), got {arg!r}", arg)
        return None
    return (key, op, tuple(sorted(set(arg))))


def read_keys(add: Add, field: str, value) -> tuple[str, ...]:
    """``taints`` or ``tolerations`` (None: none) as a tuple of distinct keys, in the order given."""
    if value is None:
        return ()
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence | set | frozenset):
        add(field, f"must be a list of taint keys (strings), got {type(value).__name__} {value!r}", value)
        return ()
    out = []
    for key in value:
        if not isinstance(key, str) or not key:
            add(field, f"taint keys must be non-empty strings, got {key!r}", key)
        elif key not in out:
            out.append(key)
    return tuple(out)


def term_matches(term: Term, labels: Mapping[str, str]) -> bool:
    """Whether a host's labels meet one selector term."""
    key, op, values = term
    if op == "in":
        return labels.get(key) in values
    if op == "not_in":
        return labels.get(key) not in values
    return (key in labels) == (op == "exists")


def allows(w, h) -> bool:
    """Whether workload ``w`` may run on host ``h`` by its selector and tolerations (objects of the model)."""
    if h.taints and not set(h.taints) <= set(w.tolerations):
        return False
    return all(term_matches(t, h.labels) for t in w.selector_terms)


def term_words(term: Term) -> str:
    """A term in words: ``licence=oracle``, ``zone in (a, b)``, ``zone not in (c)``, ``gpu`` (exists), ``not spot``."""
    key, op, values = term
    if op == "in":
        return f"{key}={values[0]}" if len(values) == 1 else f"{key} in ({', '.join(values)})"
    if op == "not_in":
        return f"{key} not in ({', '.join(values)})"
    return key if op == "exists" else f"no label {key}"


def host_block(w, h) -> str | None:
    """Why host ``h`` may not take ``w`` by its selector and tolerations, in words alike for every host ruled out
    alike (``"has taint gpu, which it does not tolerate"``, ``"lacks label licence=oracle"``); None when it may."""
    for taint in h.taints:
        if taint not in w.tolerations:
            return f"has taint {taint}, which it does not tolerate"
    for term in w.selector_terms:
        if not term_matches(term, h.labels):
            key, op, _ = term
            if op in ("in", "exists"):
                return f"lacks label {term_words(term)}" + (f" (it has {key}={h.labels[key]})" if key in h.labels else "")
            return f"has label {key}={h.labels[key]} (its selector: {term_words(term)})"
    return None


_LISTED = 3  # hosts named in a reason


def ineligible_reason(w, hosts: Sequence) -> str | None:
    """Why no host of ``hosts`` may take ``w`` by its selector and tolerations, or None when some host may:
    ``"no host has label licence=oracle"``, ``"host 'h3' has taint gpu that 'w1' does not tolerate"``."""
    if any(allows(w, h) for h in hosts):
        return None
    for term in w.selector_terms:
        if not any(term_matches(term, h.labels) for h in hosts):
            key, op, values = term
            if op in ("in", "exists"):
                return f"no host has label {term_words(term)}"
            return f"every host has label {key}" + (f" in ({', '.join(values)})" if op == "not_in" else "")
    selected = [h for h in hosts if all(term_matches(t, h.labels) for t in w.selector_terms)]
    if not selected:
        return f"no host has every label of its selector ({', '.join(map(term_words, w.selector_terms))})"
    tolerated = set(w.tolerations)
    blocked = [(h.id, [t for t in h.taints if t not in tolerated]) for h in selected]
    if len(blocked) == 1:
        hid, taints = blocked[0]
        plural = "s" if len(taints) > 1 else ""
        return f"host {hid!r} has taint{plural} {', '.join(taints)} that {w.id!r} does not tolerate"
    named = "; ".join(f"{hid!r}: {', '.join(taints)}" for hid, taints in blocked[:_LISTED])
    more = f"; and {len(blocked) - _LISTED} more" if len(blocked) > _LISTED else ""
    scope = "hosts that match its selector" if w.selector_terms else "hosts"
    return f"each of the {len(blocked)} {scope} has a taint that {w.id!r} does not tolerate ({named}{more})"


@dataclass(frozen=True, eq=False)
class EligibilityPart:
    """Per workload its class (uint32), and per class and host whether the class may use the host (bool, classes ×
    hosts)."""

    classes: np.ndarray
    eligible: np.ndarray

    def host_kinds(self) -> list[int]:
        """Per host, the first host with the same column of ``eligible`` (as the core groups alike hosts)."""
        first: dict[bytes, int] = {}
        columns = np.ascontiguousarray(self.eligible.T)
        return [first.setdefault(columns[j].tobytes(), j) for j in range(columns.shape[0])]


def compile_eligibility(selectors: Sequence[tuple[Term, ...]], tolerations: Sequence[tuple[str, ...]],
                        labels: Sequence[Mapping[str, str]], taints: Sequence[tuple[str, ...]]
                        ) -> EligibilityPart | None:
    """Classes of workloads (per workload its selector terms and tolerations) and the hosts each class may use (per
    host its labels and taints); None when every class may use every host (nothing restricts anything)."""
    if not any(taints) and not any(selectors):
        return None
    index: dict[tuple, int] = {}  # (terms, set of tolerations) -> class
    seen: dict[tuple, int] = {}  # (terms, tolerations as given) -> class: one set made per distinct pair

    def class_of(key: tuple) -> int:
        c = seen.get(key)
        if c is None:
            c = seen[key] = index.setdefault((key[0], frozenset(key[1])), len(index))
        return c

    classes = np.fromiter(map(class_of, zip(selectors, tolerations)), dtype=np.uint32, count=len(selectors))
    m = len(labels)
    # per label key, each host's value (None: no such label); per taint, the hosts that have it: a class's row is
    # then a few whole-row operations, not a test per host
    values: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # key -> (has the label, its text or "")
    for key in {t[0] for terms, _ in index for t in terms}:
        values[key] = (np.array([key in host for host in labels], dtype=bool),
                       np.array([host.get(key, "") for host in labels], dtype=str))
    tainted = {taint: np.array([taint in host for host in taints], dtype=bool) for taint in set().union(*taints)}
    eligible = np.ones((len(index), m), dtype=bool)
    for (terms, tolerated), c in index.items():
        row = eligible[c]
        for taint, hosts in tainted.items():
            if taint not in tolerated:
                row &= ~hosts
        for key, op, wanted in terms:
            present, texts = values[key]
            if op in ("in", "not_in"):
                inside = present & np.isin(texts, np.array(wanted, dtype=str))
                row &= inside if op == "in" else ~inside
            else:
                row &= present if op == "exists" else ~present
    if eligible.all():
        return None
    return EligibilityPart(classes, eligible)


def encode_eligibility(part: EligibilityPart | None) -> dict[str, np.ndarray]:
    """The wire keys (none without eligibility: a problem is sent exactly as before)."""
    if part is None:
        return {}
    return {"eligibility_class": part.classes, "eligible": part.eligible}


def decode_eligibility(arrays) -> EligibilityPart | None:
    """The part from its wire keys, or None when they are absent."""
    if "eligibility_class" not in arrays:
        return None
    return EligibilityPart(np.asarray(arrays["eligibility_class"], dtype=np.uint32),
                           np.asarray(arrays["eligible"], dtype=bool))


# --- in text cells (CSV, table columns) -------------------------------------------------------------------------------
# A selector key's cell: "a" (the label is a), "a|b" (one of), "*" (the label exists), "!a|b" (missing or not one of),
# "!*" (the label is missing); an empty cell asks nothing. Taints and tolerations: keys separated by spaces.
# (Kubernetes label values and taint keys hold none of "|", "!", "*" or spaces.)


def selector_from_text(text: str):
    """One selector key's requirement from its cell text (see above), as the model's selector value."""
    negated = text.startswith("!")
    body = text[1:] if negated else text
    if body == "*":
        return {"exists": False} if negated else None
    values = [v.strip() for v in body.split("|")]
    if negated:
        return {"not_in": values}
    return values[0] if len(values) == 1 else values


def selector_to_text(want) -> str:
    """A selector value as cell text (`selector_from_text` reads it back)."""
    if want is None:
        return "*"
    if isinstance(want, str):
        return want
    if isinstance(want, Mapping):
        (op, arg), = want.items()
        if op == "exists":
            return "*" if arg else "!*"
        return ("!" if op == "not_in" else "") + "|".join(arg)
    return "|".join(want)


def keys_from_text(text: str) -> list[str]:
    """Taint or toleration keys from cell text: separated by spaces (commas are taken as spaces too)."""
    return text.replace(",", " ").split()
