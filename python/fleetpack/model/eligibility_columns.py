"""Eligibility (issue 16) from columns: a host's labels as ``labels.<key>`` text columns (a missing value: no such
label), a workload's selector as ``selector.<key>`` text columns in the cell encoding of
`fleetpack.model.eligibility` (``a``, ``a|b``, ``*``, ``!a|b``, ``!*``; missing: no requirement), and ``taints`` /
``tolerations`` as text columns of keys separated by spaces. Each distinct value is read once; workloads alike in
every such column share a class, found with one ``numpy.unique`` over their codes."""

from __future__ import annotations

import numpy as np

from ..errors import ErrorDetail
from .eligibility import (EligibilityPart, compile_eligibility, keys_from_text, read_keys, read_labels, read_selector,
                          selector_from_text)
from .table import KEYED, Table, text_labels

__all__ = ["eligibility_columns"]

_MISSING = "\0none"


class _Values:
    """Per row, a value from codes and the distinct values (what `ColumnarProblem` makes objects from)."""

    def __init__(self, codes: np.ndarray, values: list):
        self._codes, self._values = codes, values

    def __getitem__(self, row: int):
        return self._values[self._codes[row]]

    def __reduce__(self):
        return _Values, (self._codes, self._values)


def _keyed(table: Table) -> list[str]:
    prefix = KEYED[table.kind]
    return sorted(name for name in table.columns if name.startswith(prefix))


def _rows_of(table: Table, names: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct rows of codes over the columns ``names`` (missing: ``_MISSING``), the first table row of each
    (which errors name), and each table row's index among them."""
    if not names:
        return np.zeros((1, 0), dtype=np.int64), np.zeros(1, dtype=np.int64), np.zeros(table.length, dtype=np.int64)
    codes = np.stack([text_labels(table, name, _MISSING)[0] for name in names], axis=1)
    unique, first, inverse = np.unique(codes, axis=0, return_index=True, return_inverse=True)
    return unique, first, inverse.reshape(-1)


def eligibility_columns(w: Table, h: Table, problems: list[ErrorDetail]
                        ) -> tuple[EligibilityPart | None, dict, dict]:
    """The eligibility part of tables, and the rows' values for objects made later (workloads: ``selector`` and
    ``tolerations``; hosts: ``labels`` and ``taints``); (None, {}, {}) when no such column is given."""
    w_names = _keyed(w) + (["tolerations"] if "tolerations" in w.columns else [])
    h_names = _keyed(h) + (["taints"] if "taints" in h.columns else [])
    if not w_names and not h_names:
        return None, {}, {}
    # hosts: each distinct row of labels and taints read once
    h_unique, h_first, h_inverse = _rows_of(h, h_names)
    host_values = []
    for row, first in zip(h_unique.tolist(), h_first.tolist()):
        labels, taints = {}, ()
        for name, code in zip(h_names, row):
            text = text_labels(h, name, _MISSING)[1][code]
            if text == _MISSING:
                continue
            if name == "taints":
                taints = read_keys(_reporter(h, first, problems), "taints", keys_from_text(text))
            else:
                labels[name[len(KEYED["host"]):]] = text
        host_values.append((read_labels(_reporter(h, first, problems), labels), taints))
    # workloads: one class per distinct row of selector cells and tolerations
    w_unique, w_first, w_inverse = _rows_of(w, w_names)
    selectors, terms, tolerations = [], [], []
    for row, first in zip(w_unique.tolist(), w_first.tolist()):
        add = _reporter(w, first, problems)
        selector, tolerated = {}, ()
        for name, code in zip(w_names, row):
            text = text_labels(w, name, _MISSING)[1][code]
            if text == _MISSING:
                continue
            if name == "tolerations":
                tolerated = read_keys(add, "tolerations", keys_from_text(text))
            else:
                selector[name[len(KEYED["workload"]):]] = selector_from_text(text)
        selectors.append(selector or None)
        terms.append(read_selector(add, selector))
        tolerations.append(tolerated)
    labels = [host_values[k][0] for k in h_inverse.tolist()]
    taints = [host_values[k][1] for k in h_inverse.tolist()]
    part = compile_eligibility(terms, tolerations, labels, taints)
    if part is not None:  # (classes of the distinct rows, per workload)
        part = EligibilityPart(part.classes[w_inverse].astype(np.uint32), part.eligible)
    w_rows = {"selector": _Values(w_inverse, selectors), "tolerations": _Values(w_inverse, tolerations)}
    h_rows = {"labels": _Values(h_inverse, [v[0] for v in host_values]),
              "taints": _Values(h_inverse, [v[1] for v in host_values])}
    return part, w_rows, h_rows


def _reporter(table: Table, row: int, problems: list[ErrorDetail]):
    def add(field: str, message: str, value=None) -> None:
        problems.append(ErrorDetail(table.where(row), field, message, value))
    return add
