"""Ratios (issue 16) from columns: a host's ``allocation_ratio.<dimension>`` numeric columns (a missing value: the
call's ratio) and a workload's ``overcommit`` boolean column, checked whole; the call's ``allocation_ratio`` and
``max_utilization`` as on the object path (`fleetpack.model.overbook`)."""

from __future__ import annotations

import numpy as np

from ..errors import ErrorDetail
from .overbook import MAX_RATIO, PPM, OverbookPart, build_overbook
from .table import Table

__all__ = ["RATIO_PREFIX", "overbook_columns"]

#: A host table's ratio columns: ``allocation_ratio.cpu``.
RATIO_PREFIX = "allocation_ratio."


class _Ratios:
    """Per host row, its own ``allocation_ratio`` as the model gives it (a dict, or None), made when read."""

    def __init__(self, names: list[str], values: np.ndarray):
        self._names, self._values = names, values

    def __getitem__(self, row: int):
        own = {n: float(v) for n, v in zip(self._names, self._values[row]) if not np.isnan(v)}
        return {n: int(v) if v.is_integer() else v for n, v in own.items()} or None

    def __reduce__(self):
        return _Ratios, (self._names, self._values)


def overbook_columns(w: Table, h: Table, dims: tuple[str, ...], call_ratio: dict | None, call_usable: dict | None,
                     problems: list[ErrorDetail]) -> tuple[OverbookPart | None, dict, dict]:
    """The ratios part, and the columns that give the rows' ``overcommit`` and ``allocation_ratio`` back."""
    overcommit = np.ones(w.length, dtype=bool)
    w_rows: dict = {}
    if "overcommit" in w.columns:
        raw = np.asarray(w.columns["overcommit"])
        if raw.dtype.kind != "b":
            problems.append(ErrorDetail("workloads", "overcommit", f"must be booleans, got dtype {raw.dtype}"))
        else:
            overcommit = raw.astype(bool)
            w_rows["overcommit"] = overcommit
    names = sorted(n[len(RATIO_PREFIX):] for n in h.columns if n.startswith(RATIO_PREFIX))
    values = np.full((h.length, len(names)), np.nan)
    for k, name in enumerate(names):
        field = RATIO_PREFIX + name
        raw = np.asarray(h.columns[field])
        if raw.dtype.kind not in "iuf":
            problems.append(ErrorDetail("hosts", field, f"must be numbers (a ratio >= 1) or missing, got dtype "
                                                        f"{raw.dtype}"))
            continue
        column = raw.astype(np.float64)
        given = ~np.isnan(column)
        problems.extend(h.bad_rows(given & ~np.isfinite(column), field, "must be a finite number, got {value}", column))
        problems.extend(h.bad_rows(given & (column < 1), field, "must be at least 1 (a ratio below 1 would take away "
                                   "physical room), got {value}", column))
        problems.extend(h.bad_rows(given & np.isfinite(column) & (column > MAX_RATIO), field,
                                   f"must be at most {MAX_RATIO}, got {{value}}", column))
        values[:, k] = column
    # per distinct row of ratios, its dict in parts per million (fleets have few kinds of host)
    own: list[dict[str, int] | None] = [None] * h.length
    if names:
        rows, inverse = np.unique(np.nan_to_num(values, nan=-1.0), axis=0, return_inverse=True)
        dicts = [{n: round(float(v) * PPM) for n, v in zip(names, row) if v >= 1} or None for row in rows]
        own = [dicts[k] for k in np.asarray(inverse).reshape(-1).tolist()]
    part = build_overbook(own, overcommit, call_ratio, call_usable, dims, h.where, problems, h.ids)
    h_rows = {"allocation_ratio": _Ratios(names, values)} if names else {}
    return part, w_rows, h_rows
