"""One side's columns (workloads or hosts) as numpy arrays: reading a table, naming its rows in errors, and the
column readers that check and convert it whole (quantities, text labels, choices, counts, ids)."""

from __future__ import annotations

import numbers
from collections.abc import Mapping

import numpy as np

from ..errors import ErrorDetail, ValidationError
from .labels import as_list, factorize, id_problems, not_text
from .packing import constant
from .likely_mistakes import note_column, note_quantity
from .units import MAX_QUANTITY, QuantityError, to_units

__all__ = ["RowNames", "Table", "is_categorical", "quantities", "text_labels", "factorized", "choice", "shared_codes",
           "check_ids", "counts", "EXTRA", "KEYED", "TEXT_COLUMNS", "LISTED"]

EXTRA = "extra."
TEXT_COLUMNS = {"form", "os", "tenant", "isolation", "anti_affinity", "hypervisor", "current", "current_form",
                "taints", "tolerations", "groups"}
#: Per side, the prefixes of columns named by a key besides ``extra.``: a host's ``labels.zone``, a workload's
#: ``selector.zone`` (text columns, `fleetpack.model.eligibility_columns`).
KEYED = {"workload": "selector.", "host": "labels."}
LISTED = 5  # offending rows named per column in an error


class RowNames:
    """The ids ``"0"``, ``"1"``, ... of rows given without an ``id`` column, made one at a time when read."""

    def __init__(self, count: int):
        self._count = count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, k: int) -> str:
        if not 0 <= k < self._count:
            raise IndexError(k)
        return str(k)

    def __iter__(self):
        return (str(k) for k in range(self._count))


class Table:
    """One side's columns as numpy arrays, and the words that name its rows in errors."""

    def __init__(self, data, kind: str, fields: set[str]):
        self.kind = kind
        if isinstance(data, Mapping):
            columns = {str(k): v for k, v in data.items()}
        else:  # a DataFrame
            columns = {str(k): data[k] for k in data.columns}
        self.columns = {}
        self.labels: dict[tuple[str, str], tuple[np.ndarray, list[str]]] = {}  # see `text_labels`
        lengths = set()
        problems = []
        for name, values in columns.items():
            keyed = KEYED.get(kind, EXTRA)
            if name not in fields and not any(name.startswith(p) and len(name) > len(p) for p in (EXTRA, keyed)):
                problems.append(ErrorDetail(f"{kind}s", name, "unknown column (known: "
                                            f"{', '.join(sorted(fields))}, extra.<dimension> and {keyed}<key>)"))
                continue
            array = values.to_numpy() if hasattr(values, "to_numpy") and not is_categorical(values) else values
            try:
                ndim = np.ndim(array)
            except ValueError:  # ragged nested lists
                ndim = -1
            if ndim != 1:
                shape = f"shape {np.shape(array)}" if ndim > 1 else type(values).__name__ if ndim == 0 else "ragged lists"
                problems.append(ErrorDetail(f"{kind}s", name, f"must be a column (a 1-D array, list or Series), "
                                                              f"got {shape}"))
                continue
            self.columns[name] = array
            lengths.add(len(array))
        if len(lengths) > 1:
            problems.append(ErrorDetail(f"{kind}s", "(columns)", f"columns have different lengths: {sorted(lengths)}"))
        if problems:
            raise ValidationError(problems)
        self.length = lengths.pop() if lengths else 0
        ids = self.columns.get("id")
        if ids is None:
            self.ids = RowNames(self.length)
        else:
            self.ids = np.asarray(ids, dtype=object)
        self.ids_are_text = getattr(getattr(ids, "dtype", None), "kind", "") == "U"  # (numpy strings: all text)
        # a text column of objects holds text or missing values; anything else (a list, a number) is reported here
        # and read as missing, so that the rest of the checks go on
        self.bad_text: list[ErrorDetail] = []
        keyed = KEYED.get(kind, EXTRA)
        for name in [n for n in self.columns if n in TEXT_COLUMNS or n.startswith(keyed)]:
            values = self.columns[name]
            if is_categorical(values) or np.asarray(values).dtype != object:
                continue
            values = np.asarray(values, dtype=object)
            bad = not_text(values.tolist())
            if bad is not None:
                self.bad_text.extend(self.bad_rows(bad, name, "must be text or missing, got {value!r}", values))
                self.columns[name] = np.where(bad, None, values)

    #: whether an error names a row by its number too (not for a fleet file's entries: named as their objects are)
    row_numbers = True

    def where(self, row: int) -> str:
        return f"{self.kind} {str(self.ids[row])!r}" + (f" (row {row})" if self.row_numbers else "")

    def bad_rows(self, mask: np.ndarray, field: str, message: str, values=None) -> list[ErrorDetail]:
        rows = np.flatnonzero(mask)
        out = [ErrorDetail(self.where(r), field, message.format(value=None if values is None else values[r]))
               for r in rows[:LISTED].tolist()]
        if len(rows) > LISTED:
            out.append(ErrorDetail(f"{self.kind}s", field, f"... and {len(rows) - LISTED} more rows like these"))
        return out


def is_categorical(values) -> bool:
    return str(getattr(values, "dtype", "")) == "category"


def quantities(table: Table, name: str, units_name: str, scale: int, round_up: bool,
                problems: list[ErrorDetail]) -> np.ndarray:
    """A size column in the model's integer units (uint64)."""
    if units_name != name and units_name in table.columns:
        if name in table.columns:
            problems.append(ErrorDetail(f"{table.kind}s", name, f"give either {name!r} or {units_name!r}, not both"))
        name, scale = units_name, 1
    values = table.columns.get(name)
    if values is None:
        return constant(0, np.uint64, table.length)
    array = np.asarray(values)
    kind = array.dtype.kind
    if kind == "b":
        problems.append(ErrorDetail(f"{table.kind}s", name, "must be numbers or quantity strings, not booleans"))
        return np.zeros(table.length, dtype=np.uint64)
    if kind in "iu":
        # whole-column reductions first: the masks and the rows they name are made only for a column that has a
        # bad value (an unsigned 64-bit column in units is then used as it is, not copied)
        if kind == "i" and len(array) and array.min() < 0:
            negative = array < 0
            problems.extend(table.bad_rows(negative, name, "is negative ({value})", array))
            array = np.where(negative, 0, array)
        limit = MAX_QUANTITY // scale  # (compared before scaling, which could wrap around)
        if len(array) and array.max() > limit:
            too_large = array > limit
            problems.extend(table.bad_rows(too_large, name, f"is too large ({{value}}; at most {MAX_QUANTITY} units)",
                                           array))
            array = np.where(too_large, 0, array)
        units = array.astype(np.uint64, copy=False)
        return units * np.uint64(scale) if scale != 1 else units
    if kind == "f":
        problems.extend(table.bad_rows(np.isnan(array), name, "is NaN"))
        problems.extend(table.bad_rows(np.isinf(array), name, "is infinite"))
        problems.extend(table.bad_rows(array < 0, name, "is negative ({value})", array))
        scaled = np.nan_to_num(array, nan=0.0, posinf=0.0, neginf=0.0).clip(min=0.0) * scale
        whole = np.rint(scaled)
        # a float within rounding noise of a whole number of units is that number (0.1 cores -> 100m)
        near = np.abs(scaled - whole) <= 1e-12 * np.maximum(1.0, np.abs(scaled))
        units = np.where(near, whole, np.ceil(scaled) if round_up else np.floor(scaled))
        if name == "memory" and not near.all():
            row = int(np.argmin(near))
            note_quantity(table.where(row), name, float(array[row]), "memory")
        too_large = units > MAX_QUANTITY
        problems.extend(table.bad_rows(too_large, name, f"is too large ({{value}}; at most {MAX_QUANTITY} units)",
                                       array))
        return np.where(too_large, 0, units).astype(np.uint64)
    # strings or mixed objects: parsed one by one, exactly as on the object path
    out = np.zeros(len(array), dtype=np.uint64)
    values = array.tolist()
    for row, value in enumerate(values):
        try:
            out[row] = to_units(value, scale, round_up=round_up)
        except QuantityError as exc:
            problems.append(ErrorDetail(table.where(row), name, str(exc), value))
    if name in ("cpu", "memory"):
        note_column(table.where, name, values)  # "512m" bytes, "2Gi" cores: each distinct text checked once
    return out


def text_labels(table: Table, name: str, default: str) -> tuple[np.ndarray, list[str]]:
    """A text column as integer codes and the labels they stand for; missing values take ``default``. Worked out
    once per column (checking and keeping the rows' texts both read it; factorizing strings is the slow part)."""
    key = (name, default)
    if key not in table.labels:
        table.labels[key] = factorized(table, name, default)
    return table.labels[key]


def factorized(table: Table, name: str, default: str) -> tuple[np.ndarray, list[str]]:
    values = table.columns.get(name)
    if values is None:
        return constant(0, np.int64, table.length), [default]
    if is_categorical(values):
        categorical = values.cat if hasattr(values, "cat") else values  # a Series or a Categorical
        codes = np.asarray(categorical.codes, dtype=np.int64)
        labels = [str(c) for c in categorical.categories]
    else:
        codes, uniques = factorize(as_list(np.asarray(values, dtype=object)))
        labels = [str(u) for u in uniques]
    missing = codes < 0
    if missing.any():
        if default in labels:
            codes[missing] = labels.index(default)
        else:
            codes[missing] = len(labels)
            labels.append(default)
    return codes, labels


def choice(table: Table, name: str, default: str, mapping: dict, problems: list[ErrorDetail], dtype) -> np.ndarray:
    if name not in table.columns:
        return constant(mapping[default], dtype, table.length)
    codes, labels = text_labels(table, name, default)
    lookup = np.array([mapping.get(label, 255) for label in labels], dtype=np.int64)
    mapped = lookup[codes]
    unknown = mapped == 255
    values = np.asarray(labels, dtype=object)[codes] if unknown.any() else None
    # (a label starting with NUL is an internal stand-in for a missing value: None to the user)
    allowed = ", ".join("None" if label.startswith("\0") else repr(label) for label in mapping)
    problems.extend(table.bad_rows(unknown, name, f"must be one of {allowed}, got {{value!r}}", values))
    return np.where(unknown, 0, mapped).astype(dtype)


def shared_codes(sides: list[tuple[np.ndarray, list[str]]], lower: bool = False) -> list[np.ndarray]:
    """Codes of several columns (workloads' and hosts' os) over one shared set of labels."""
    shared: dict[str, int] = {}
    out = []
    for codes, labels in sides:
        lookup = np.array([shared.setdefault(label.lower() if lower else label, len(shared)) for label in labels],
                          dtype=np.uint32)
        if len(lookup) == 1:  # one label (a column not given, or one value throughout)
            out.append(constant(lookup[0], np.uint32, len(codes)))
        else:
            out.append(lookup[codes] if len(lookup) else codes.astype(np.uint32))
    return out


def check_ids(table: Table, problems: list[ErrorDetail]) -> None:
    if isinstance(table.ids, RowNames):
        return
    bad, duplicate = id_problems(table.ids.tolist(), all_text=table.ids_are_text)
    if bad is not None:
        problems.extend(table.bad_rows(bad, "id", "must be a non-empty string, got {value!r}", table.ids))
    if duplicate is not None:
        problems.extend(table.bad_rows(duplicate, "id", "duplicate id"))


def counts(table: Table, name: str, problems: list[ErrorDetail]) -> np.ndarray:
    """A column of whole numbers or missing values as floats (NaN: missing); an entry that is no number at all is
    reported, and read as missing."""
    values = np.asarray(table.columns[name])
    if values.dtype.kind in "iuf":
        return values.astype(np.float64)
    if values.dtype != object:
        problems.append(ErrorDetail(f"{table.kind}s", name, f"must be numbers or missing, got dtype {values.dtype}"))
        return np.full(table.length, np.nan)
    out = np.full(table.length, np.nan)
    for row, v in enumerate(values.tolist()):
        if isinstance(v, numbers.Real) and not isinstance(v, bool):
            out[row] = float(v) if not isinstance(v, numbers.Integral) else float(min(max(v, -1), 2**63))
        elif v is not None:
            problems.append(ErrorDetail(table.where(row), name, f"must be a whole number or missing, got {v!r}", v))
    return out
