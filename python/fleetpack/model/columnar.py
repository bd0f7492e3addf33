"""Columnar input: workloads and hosts as pandas DataFrames or dicts of numpy arrays.

This path makes no Python object per workload or host: columns are checked and converted with numpy, whole, and
handed to the core as arrays. Column names are the model's field names; a size may also be given in the model's
integer units (``cpu_millis``, ``memory_bytes``), and an extra dimension ``gpu`` is the column ``extra.gpu``.

- Integer sizes are exact. Float sizes are scaled to units and rounded up (demands) or down (capacities), except
  that a float within a millionth of a millionth of a whole number of units counts as that number, so that ``0.1``
  cores is 100 millicores as on the object path. Strings (``"500m"``, ``"16Gi"``) are parsed one by one: correct,
  and slower.
- Text columns (``form``, ``os``, ``tenant``, ``isolation``, ``anti_affinity``, ``hypervisor``) may be pandas
  categoricals (read by their codes) or arrays of strings; a missing value (None, NaN) means the field's default.
- ``id`` is optional: without it, rows are named by their position (``"0"``, ``"1"``, ...).
- Columns already in the model's form (unsigned 64-bit sizes in units) are read, not copied, and so is a field no
  column gives (a constant that takes no memory). The plan's problem refers to them: a column changed after
  `place` returns changes what ``plan.problem`` describes (the core took its own copy while it solved).

Objects for the rows (`Workload`, `Host`) are made only when something asks for them: the reasons of unplaced
workloads, explanations, the verifier.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Callable
from functools import cached_property

import numpy as np

from ..errors import ErrorDetail, ValidationError
from .likely_mistakes import note_column, note_quantity
from .live import LivePart, build_live, decode_live, host_rows
from .objects import MAX_COST, Host, Overheads, Workload, as_host, as_workload, gather_overheads
from .packing import compact, compact_arrays, constant
from .problem import Problem
from .labels import as_list, factorize, id_problems, not_text
from .units import MAX_QUANTITY, QuantityError, to_units
from .wire import (FORM_BITS, HYPERVISOR_CODES, ISOLATION_CODES, NO_HYPERVISOR, PLACED_FORMS,
                   UNLIMITED, encode_live, fixed_overheads)

__all__ = ["is_columnar", "ColumnarProblem", "build_columnar_problem"]

_EXTRA = "extra."
_WORKLOAD_FIELDS = {"id", "cpu", "cpu_millis", "memory", "memory_bytes", "form", "os", "tenant", "isolation",
                    "anti_affinity", "current", "current_form", "pinned", "move_cost"}
_HOST_FIELDS = {"id", "cpu", "cpu_millis", "memory", "memory_bytes", "os", "hypervisor", "containers", "cost",
                "max_workloads"}
_LIVE_COLUMNS = {"current", "current_form", "pinned", "move_cost"}
_TEXT_COLUMNS = {"form", "os", "tenant", "isolation", "anti_affinity", "hypervisor", "current", "current_form"}
_LISTED = 5  # offending rows named per column in an error


def is_columnar(value) -> bool:
    """Whether ``value`` is a table (a pandas DataFrame or a dict of columns) rather than a sequence of rows."""
    return isinstance(value, Mapping) or type(value).__name__ == "DataFrame" and hasattr(value, "columns")


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


class _Table:
    """One side's columns as numpy arrays, and the words that name its rows in errors."""

    def __init__(self, data, kind: str, fields: set[str]):
        self.kind = kind
        if isinstance(data, Mapping):
            columns = {str(k): v for k, v in data.items()}
        else:  # a DataFrame
            columns = {str(k): data[k] for k in data.columns}
        self.columns = {}
        self.labels: dict[tuple[str, str], tuple[np.ndarray, list[str]]] = {}  # see `_labels`
        lengths = set()
        problems = []
        for name, values in columns.items():
            if name not in fields and not (name.startswith(_EXTRA) and len(name) > len(_EXTRA)):
                problems.append(ErrorDetail(f"{kind}s", name, "unknown column (known: "
                                            f"{', '.join(sorted(fields))}, and extra.<dimension>)"))
                continue
            array = values.to_numpy() if hasattr(values, "to_numpy") and not _is_categorical(values) else values
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
        for name in _TEXT_COLUMNS & self.columns.keys():
            values = self.columns[name]
            if _is_categorical(values) or np.asarray(values).dtype != object:
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
               for r in rows[:_LISTED].tolist()]
        if len(rows) > _LISTED:
            out.append(ErrorDetail(f"{self.kind}s", field, f"... and {len(rows) - _LISTED} more rows like these"))
        return out


_constant = constant  # the value of a field no column gives


def _is_categorical(values) -> bool:
    return str(getattr(values, "dtype", "")) == "category"


def _quantities(table: _Table, name: str, units_name: str, scale: int, round_up: bool,
                problems: list[ErrorDetail]) -> np.ndarray:
    """A size column in the model's integer units (uint64)."""
    if units_name != name and units_name in table.columns:
        if name in table.columns:
            problems.append(ErrorDetail(f"{table.kind}s", name, f"give either {name!r} or {units_name!r}, not both"))
        name, scale = units_name, 1
    values = table.columns.get(name)
    if values is None:
        return _constant(0, np.uint64, table.length)
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


def _labels(table: _Table, name: str, default: str) -> tuple[np.ndarray, list[str]]:
    """A text column as integer codes and the labels they stand for; missing values take ``default``. Worked out
    once per column (checking and keeping the rows' texts both read it; factorizing strings is the slow part)."""
    key = (name, default)
    if key not in table.labels:
        table.labels[key] = _factorize(table, name, default)
    return table.labels[key]


def _factorize(table: _Table, name: str, default: str) -> tuple[np.ndarray, list[str]]:
    values = table.columns.get(name)
    if values is None:
        return _constant(0, np.int64, table.length), [default]
    if _is_categorical(values):
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


def _choice(table: _Table, name: str, default: str, mapping: dict, problems: list[ErrorDetail], dtype) -> np.ndarray:
    if name not in table.columns:
        return _constant(mapping[default], dtype, table.length)
    codes, labels = _labels(table, name, default)
    lookup = np.array([mapping.get(label, 255) for label in labels], dtype=np.int64)
    mapped = lookup[codes]
    unknown = mapped == 255
    values = np.asarray(labels, dtype=object)[codes] if unknown.any() else None
    # (a label starting with NUL is an internal stand-in for a missing value: None to the user)
    allowed = ", ".join("None" if label.startswith("\0") else repr(label) for label in mapping)
    problems.extend(table.bad_rows(unknown, name, f"must be one of {allowed}, got {{value!r}}", values))
    return np.where(unknown, 0, mapped).astype(dtype)


def _shared_codes(sides: list[tuple[np.ndarray, list[str]]], lower: bool = False) -> list[np.ndarray]:
    """Codes of several columns (workloads' and hosts' os) over one shared set of labels."""
    shared: dict[str, int] = {}
    out = []
    for codes, labels in sides:
        lookup = np.array([shared.setdefault(label.lower() if lower else label, len(shared)) for label in labels],
                          dtype=np.uint32)
        if len(lookup) == 1:  # one label (a column not given, or one value throughout)
            out.append(_constant(lookup[0], np.uint32, len(codes)))
        else:
            out.append(lookup[codes] if len(lookup) else codes.astype(np.uint32))
    return out


def _check_ids(table: _Table, problems: list[ErrorDetail]) -> None:
    if isinstance(table.ids, RowNames):
        return
    bad, duplicate = id_problems(table.ids.tolist(), all_text=table.ids_are_text)
    if bad is not None:
        problems.extend(table.bad_rows(bad, "id", "must be a non-empty string, got {value!r}", table.ids))
    if duplicate is not None:
        problems.extend(table.bad_rows(duplicate, "id", "duplicate id"))


def _stacked(columns: tuple[np.ndarray, ...]) -> np.ndarray:
    """Columns of sizes, one per dimension, as one rows × dimensions array."""
    return np.stack(columns, axis=1) if len(columns[0]) else np.zeros((0, len(columns)), np.uint64)


class ColumnarProblem:
    """A validated problem held as columns: what the core takes, and ids for the plan. What needs an object per
    row (``workloads``, ``hosts``, ``demand()``, ...) comes from `materialize`, which makes them once, when first
    asked; the members below that do so say it."""

    def __init__(self, arrays: dict, dimensions: tuple[str, ...], workload_ids, host_ids, overheads: Overheads,
                 workload_rows: dict, host_rows: dict, objects: Callable[[], tuple[tuple, tuple]] | None = None,
                 live: LivePart | None = None):
        self.arrays = arrays
        self.dimensions = dimensions
        self.workload_ids = workload_ids
        self.host_ids = host_ids
        self.overheads = overheads
        # the live part (None: greenfield); read back from the arrays when not given (a problem from a pickle or
        # from another process: the arrays carry all of it)
        self.live = live if live is not None else decode_live(arrays)
        self._rows = (workload_rows, host_rows)
        self._objects = objects  # the caller's own objects for the rows, when it has them (a fleet file's)

    def encode(self) -> dict:
        return self.arrays

    def __reduce__(self):
        # the columns, small (a column of one value pickles as that value), and none of the caches (nor the
        # caller's objects for the rows: a problem read back makes them from the columns)
        w_rows, h_rows = self._rows
        return ColumnarProblem, (compact_arrays(self.arrays), self.dimensions, self.workload_ids, self.host_ids,
                                 self.overheads, w_rows, h_rows)

    @property
    def host_costs(self) -> np.ndarray:
        return self.arrays["cost"]

    @cached_property
    def capacities(self) -> np.ndarray:
        """Hosts × dimensions capacities (uint64)."""
        return _stacked(self.arrays["capacity"])

    @cached_property
    def demands(self) -> np.ndarray:
        """Workloads × dimensions demands (uint64)."""
        return _stacked(self.arrays["demand"])

    @cached_property
    def _materialized(self) -> Problem:
        if self._objects is not None:
            workloads, hosts = self._objects()
            return Problem(tuple(workloads), tuple(hosts), self.overheads, self.dimensions, self.live)
        a = {"demand": self.demands, "capacity": self.capacities}
        extra = self.dimensions[2:]
        w_rows, h_rows = self._rows
        workloads = tuple(
            Workload(str(self.workload_ids[i]), cpu=f"{int(a['demand'][i, 0])}m", memory=int(a["demand"][i, 1]),
                     extra={d: int(a["demand"][i, 2 + k]) for k, d in enumerate(extra) if a["demand"][i, 2 + k]},
                     **{field: column[i] for field, column in w_rows.items()})
            for i in range(len(self.workload_ids))
        )
        hosts = tuple(
            Host(str(self.host_ids[j]), cpu=f"{int(a['capacity'][j, 0])}m", memory=int(a["capacity"][j, 1]),
                 extra={d: int(a["capacity"][j, 2 + k]) for k, d in enumerate(extra) if a["capacity"][j, 2 + k]},
                 **{field: column[j] for field, column in h_rows.items()})
            for j in range(len(self.host_ids))
        )
        return Problem(workloads, hosts, self.overheads, self.dimensions, self.live)

    def materialize(self) -> Problem:
        """The same problem with a `Workload` and a `Host` object per row (made once, on first call)."""
        return self._materialized

    # what needs the objects: made by `materialize`
    @property
    def workloads(self) -> tuple[Workload, ...]:
        return self._materialized.workloads

    @property
    def hosts(self) -> tuple[Host, ...]:
        return self._materialized.hosts

    def demand(self, w: Workload) -> list[int]:
        return self._materialized.demand(w)

    def capacity(self, h: Host) -> list[int]:
        return self._materialized.capacity(h)

    def fixed(self, name: str) -> list[int]:
        return self._materialized.fixed(name)


def _counts(table: _Table, name: str, problems: list[ErrorDetail]) -> np.ndarray:
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


def build_columnar_problem(workloads, hosts, overheads=None, objects=None, *, drain=(), max_moves=None,
                           max_move_cost=None) -> ColumnarProblem:
    """Validate and convert tables of workloads and hosts (and the live part's keywords); raise one
    `ValidationError` listing every problem. ``objects`` (a function giving the rows' workloads and hosts) is for a
    caller that has objects for the rows."""
    problems: list[ErrorDetail] = []
    tables = []
    for data, kind, fields in ((workloads, "workload", _WORKLOAD_FIELDS), (hosts, "host", _HOST_FIELDS)):
        if not is_columnar(data):
            data = _rows_to_columns(data, kind)
        try:
            tables.append(_Table(data, kind, fields))
        except ValidationError as exc:
            problems.extend(exc.errors)
    over = gather_overheads(overheads, problems)
    if problems:
        raise ValidationError(problems)
    w, h = tables
    if objects is not None:  # rows with objects of their own, whose errors name them by id alone
        w.row_numbers = h.row_numbers = False
    extra = sorted({name[len(_EXTRA):] for t in tables for name in t.columns if name.startswith(_EXTRA)})
    dims = ("cpu", "memory", *extra)

    def sizes(table: _Table, round_up: bool) -> tuple[np.ndarray, ...]:
        # one column per dimension: the core interleaves them itself (a stacked copy is made only if asked for)
        columns = [_quantities(table, "cpu", "cpu_millis", 1000, round_up, problems),
                   _quantities(table, "memory", "memory_bytes", 1, round_up, problems)]
        columns += [_quantities(table, _EXTRA + d, _EXTRA + d, 1, round_up, problems) for d in extra]
        return tuple(columns)

    demand, capacity = sizes(w, True), sizes(h, False)
    for table in tables:
        _check_ids(table, problems)
        problems.extend(table.bad_text)
    allowed = _choice(w, "form", "any", FORM_BITS, problems, np.uint8)
    isolation = _choice(w, "isolation", "none", ISOLATION_CODES, problems, np.uint8)
    w_os, h_os = _shared_codes([_labels(w, "os", "linux"), _labels(h, "os", "linux")], lower=True)
    (tenant,) = _shared_codes([_labels(w, "tenant", "")])
    if "anti_affinity" in w.columns:
        group_codes, group_labels = _labels(w, "anti_affinity", "\0none")
        none_group = group_labels.index("\0none") if "\0none" in group_labels else -1
        group = np.where(group_codes == none_group, 0, group_codes + 1).astype(np.uint32)
    else:
        group = _constant(0, np.uint32, w.length)
    if "hypervisor" in h.columns:  # a missing value means no hypervisor, as None does
        hypervisor = _choice(h, "hypervisor", "\0none",
                             {"\0none": NO_HYPERVISOR, **HYPERVISOR_CODES}, problems, np.uint8)
    else:  # the model's default
        hypervisor = _constant(HYPERVISOR_CODES["hardware"], np.uint8, h.length)
    containers = _constant(True, bool, h.length)
    if "containers" in h.columns:
        raw = np.asarray(h.columns["containers"])
        if raw.dtype.kind != "b":
            problems.append(ErrorDetail("hosts", "containers", f"must be booleans, got dtype {raw.dtype}"))
        else:
            containers = raw.astype(bool)
    cost = _constant(1.0, np.float64, h.length)
    if "cost" in h.columns:
        raw = np.asarray(h.columns["cost"])
        if raw.dtype.kind not in "iuf":
            problems.append(ErrorDetail("hosts", "cost", f"must be numbers, got dtype {raw.dtype}"))
        else:
            cost = raw.astype(np.float64)
            problems.extend(h.bad_rows(~np.isfinite(cost), "cost", "must be finite, got {value}", cost))
            problems.extend(h.bad_rows(cost < 0, "cost", "must not be negative, got {value}", cost))
            problems.extend(h.bad_rows(np.isfinite(cost) & (cost > MAX_COST), "cost", "must be at most 2**53, got {value}", cost))
    max_workloads = _constant(UNLIMITED, np.uint64, h.length)
    if "max_workloads" in h.columns:
        raw = _counts(h, "max_workloads", problems)
        given = ~np.isnan(raw)
        bad = given & ((raw < 0) | (raw != np.floor(raw)) | (raw > MAX_QUANTITY))
        problems.extend(h.bad_rows(bad, "max_workloads", "must be a whole number >= 0 or missing, got {value}", raw))
        max_workloads = np.where(given & ~bad, raw, 0).astype(np.uint64)
        max_workloads[~given] = UNLIMITED
    live, live_rows = _live_columns(w, h, allowed, demand[1], drain, max_moves, max_move_cost, problems)
    if problems:
        raise ValidationError(problems)
    arrays = {
        "demand": demand, "allowed": allowed, "w_os": w_os, "tenant": tenant, "isolation": isolation,
        "group": group, "capacity": capacity, "h_os": h_os, "hypervisor": hypervisor, "containers": containers,
        "cost": cost, "max_workloads": max_workloads, **fixed_overheads(over, len(dims)), **encode_live(live),
    }
    # the text fields of each row, kept for making objects later
    def texts(table: _Table, names: dict) -> dict:
        out = {}
        for field, default in names.items():
            if field in table.columns:
                codes, labels = _labels(table, field, default)
                out[field] = _LabelColumn(codes, labels)
        return out

    w_rows = texts(w, {"form": "any", "os": "linux", "tenant": "", "isolation": "none", "anti_affinity": "\0none"})
    w_rows.update(live_rows)
    h_rows = texts(h, {"os": "linux", "hypervisor": "\0none"})
    h_rows["containers"] = _ValueColumn(containers, bool)
    h_rows["cost"] = _ValueColumn(cost, float)
    h_rows["max_workloads"] = _ValueColumn(max_workloads, _cap)
    return ColumnarProblem(arrays, dims, w.ids, h.ids, over, w_rows, h_rows, objects, live)


def _cap(value) -> int | None:
    """A host's ``max_workloads`` as the model gives it (a module-level function, so that problems pickle)."""
    return None if value == UNLIMITED else int(value)


def _current_form(code) -> str | None:
    """A workload's ``current_form`` as the model gives it (a module-level function, so that problems pickle)."""
    return None if code < 0 else PLACED_FORMS[code]


def _live_columns(w: _Table, h: _Table, allowed: np.ndarray, memory: np.ndarray, drain, max_moves, max_move_cost,
                  problems: list[ErrorDetail]) -> tuple[LivePart | None, dict]:
    """The live part from the columns ``current``, ``current_form``, ``pinned`` and ``move_cost`` (each optional)
    and the call's keywords; and the rows' values of those columns, for making objects later. A table without
    them costs no pass over its rows here."""
    n = w.length
    host_ids = [str(x) for x in h.ids]
    if not _LIVE_COLUMNS & w.columns.keys():
        live = build_live(None, None, _constant(-1, np.int8, n), _constant(False, bool, n), memory, w.where,
                          host_ids, drain, max_moves, max_move_cost, problems)
        return live, {}
    rows, current_id, current_ids = None, None, None
    if "current" in w.columns:
        codes, labels = _labels(w, "current", "\0none")
        named = [None if label == "\0none" else label for label in labels]
        rows = host_rows(named, host_ids)[codes] if len(labels) else np.zeros(0, dtype=np.int64)
        current_ids = _LabelColumn(codes, labels)
        current_id = current_ids.__getitem__
    no_current = np.ones(n, dtype=bool) if rows is None else rows == -1
    form = _choice(w, "current_form", "\0none", {"\0none": -1, "container": 0, "vm": 1}, problems, np.int64)
    given = form >= 0
    bits = np.where(form == 1, 2, 1)
    problems.extend(w.bad_rows(given & (np.asarray(allowed) & bits == 0), "current_form",
                               "is not allowed by the workload's form"))
    problems.extend(w.bad_rows(given & no_current, "current_form", "is given without a current host"))
    pinned = np.zeros(n, dtype=bool)
    if "pinned" in w.columns:
        raw = np.asarray(w.columns["pinned"])
        if raw.dtype.kind != "b":
            problems.append(ErrorDetail("workloads", "pinned", f"must be booleans, got dtype {raw.dtype}"))
        else:
            pinned = raw.astype(bool)
            problems.extend(w.bad_rows(pinned & no_current, "pinned", "a pinned workload needs a current host "
                                                                      "(pinned=True without current)"))
    move_cost = np.asarray(memory, dtype=np.uint64)
    if "move_cost" in w.columns:
        raw = np.asarray(w.columns["move_cost"])
        missing = (np.isnan(raw) if raw.dtype.kind == "f"
                   else np.array([v is None or isinstance(v, float) and math.isnan(v) for v in raw.tolist()],
                                 dtype=bool) if raw.dtype == object
                   else np.zeros(n, dtype=bool))
        w.columns["move_cost"] = np.where(missing, 0, raw) if missing.any() else raw
        units = _quantities(w, "move_cost", "move_cost", 1, True, problems)
        move_cost = np.where(missing, move_cost, units).astype(np.uint64)
    live = build_live(rows, current_id, form.astype(np.int8), pinned, move_cost, w.where, host_ids, drain,
                      max_moves, max_move_cost, problems)
    if live is None:
        return None, {}
    return live, {"current": current_ids if current_ids is not None else _constant(None, object, n),
                  "current_form": _ValueColumn(form, _current_form),
                  "pinned": _ValueColumn(pinned, bool), "move_cost": _ValueColumn(move_cost, int)}


class _ValueColumn:
    """A numeric column's value per row as a Python value, made when read (most plans never read them)."""

    def __init__(self, values: np.ndarray, convert):
        self._values, self._convert = values, convert

    def __getitem__(self, row: int):
        return self._convert(self._values[row])

    def __reduce__(self):
        return _ValueColumn, (compact(self._values), self._convert)


class _LabelColumn:
    """A text column's value per row, from codes and labels (the label of a missing value stands for None)."""

    def __init__(self, codes: np.ndarray, labels: list[str]):
        self._codes, self._labels = codes, labels

    def __getitem__(self, row: int):
        label = self._labels[self._codes[row]]
        return None if label == "\0none" else label

    def __reduce__(self):
        return _LabelColumn, (compact(self._codes), self._labels)


def _rows_to_columns(items, kind: str) -> dict:
    """Rows (objects or dicts) as columns, for a table given beside rows on the other side (hosts are few)."""
    convert = as_workload if kind == "workload" else as_host
    objects = [convert(item, k) for k, item in enumerate(items)]
    columns: dict[str, list] = {"id": [o.id for o in objects], "cpu_millis": [o.cpu_millis for o in objects],
                                "memory_bytes": [o.memory_bytes for o in objects]}
    for name in sorted({d for o in objects for d in o.extra_units}):
        columns[_EXTRA + name] = [o.extra_units.get(name, 0) for o in objects]
    if kind == "workload" and any(o.current is not None for o in objects):
        columns["current"] = [o.current for o in objects]
        columns["current_form"] = [o.current_form for o in objects]
        columns["pinned"] = np.array([o.pinned for o in objects], dtype=bool)
        columns["move_cost"] = np.array([o.move_cost_units for o in objects], dtype=np.uint64)
    fields = (("form", "os", "tenant", "isolation", "anti_affinity") if kind == "workload"
              else ("os", "hypervisor", "containers", "cost", "max_workloads"))
    for field in fields:
        columns[field] = [getattr(o, field) for o in objects]
    if kind == "host":
        columns["max_workloads"] = [math.nan if v is None else v for v in columns["max_workloads"]]
        columns["containers"] = np.array(columns["containers"], dtype=bool)
    return {k: (v if isinstance(v, np.ndarray)
                else np.array(v, dtype=np.uint64) if k in ("cpu_millis", "memory_bytes") or k.startswith(_EXTRA)
                else np.array(v, dtype=object) if k not in ("containers", "cost", "max_workloads") else np.array(v))
            for k, v in columns.items()}
