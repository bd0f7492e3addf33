"""Text columns (ids, ``form``, ``os``, ``tenant``, ...) checked and coded in whole-column sweeps: sets and dicts
built by their C loops, not a Python call per row, so that a million ids cost a tenth of a second. Only a column
with a bad value takes a row-by-row pass, to name the rows; pandas is not needed.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["as_list", "id_problems", "not_text", "factorize"]


def as_list(values) -> list:
    """A column as a list of Python values (numpy scalars become Python ones)."""
    return values.tolist() if isinstance(values, np.ndarray) else list(values)


def id_problems(ids: list, all_text: bool = False) -> tuple[np.ndarray | None, np.ndarray | None]:
    """(rows whose id is no non-empty string, rows whose id an earlier row has), each None when no row is so. A bad
    id (which may be unhashable) is never a duplicate: it is reported once, as bad. ``all_text``: the caller knows
    every id is a string (a numpy string column)."""
    if all_text or set(map(type, ids)) <= {str}:
        unique = set(ids)
        if len(unique) == len(ids) and "" not in unique:
            return None, None
    bad = np.zeros(len(ids), dtype=bool)
    duplicate = np.zeros(len(ids), dtype=bool)
    seen: set[str] = set()
    for row, value in enumerate(ids):
        if not isinstance(value, str) or value == "":
            bad[row] = True
        elif value in seen:
            duplicate[row] = True
        else:
            seen.add(value)
    return (bad if bad.any() else None), (duplicate if duplicate.any() else None)


def _missing(value) -> bool:
    return value is None or isinstance(value, float) and math.isnan(value)


def not_text(values: list) -> np.ndarray | None:
    """The rows of a text column that hold neither text nor a missing value (None, NaN), or None when none do."""
    types = set(map(type, values))
    if types <= {str, type(None)}:
        return None
    bad = np.fromiter((not (isinstance(v, str) or _missing(v)) for v in values), dtype=bool, count=len(values))
    return bad if bad.any() else None


def factorize(values: list) -> tuple[np.ndarray, list]:
    """Integer codes (int64; -1 for a missing value, None or NaN) and the distinct values in order of first
    appearance, as ``pandas.factorize`` gives them."""
    if not set(map(type, values)) <= {str}:
        values = [None if _missing(v) else v for v in values]
    uniques = dict.fromkeys(values)
    lookup = {value: code for code, value in enumerate(uniques)}
    codes = np.fromiter(map(lookup.__getitem__, values), dtype=np.int64, count=len(values))
    labels = list(uniques)
    if None in lookup:
        missing = lookup[None]
        codes[codes == missing] = -1
        codes[codes > missing] -= 1
        labels.pop(missing)
    return codes, labels
