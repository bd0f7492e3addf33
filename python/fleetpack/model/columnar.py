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
from collections.abc import Mapping
from typing import Callable
from functools import cached_property

import numpy as np

from ..errors import ErrorDetail, ValidationError
from .eligibility import EligibilityPart, decode_eligibility, encode_eligibility, keys_from_text, selector_to_text
from .eligibility_columns import eligibility_columns
from .group_rules import RulePart, build_rules, encode_rules, read_groups, read_rules
from .live import LivePart, build_live, decode_live, host_rows
from .overbook import OverbookPart, decode_overbook, encode_overbook, read_call_ratios
from .overbook_columns import RATIO_PREFIX, overbook_columns
from .objects import MAX_COST, Host, Overheads, Workload, as_host, as_workload, gather_overheads
from .packing import compact, compact_arrays, constant
from .problem import Problem
from .table import EXTRA, KEYED, Table, check_ids, choice, counts, quantities, shared_codes, text_labels
from .units import MAX_QUANTITY
from .wire import (FORM_BITS, HYPERVISOR_CODES, ISOLATION_CODES, NO_HYPERVISOR, PLACED_FORMS,
                   UNLIMITED, encode_live, fixed_overheads)

__all__ = ["is_columnar", "ColumnarProblem", "build_columnar_problem"]

_WORKLOAD_FIELDS = {"id", "cpu", "cpu_millis", "memory", "memory_bytes", "form", "os", "tenant", "isolation",
                    "anti_affinity", "current", "current_form", "pinned", "move_cost", "tolerations",
                    "groups", "overcommit"}
_HOST_FIELDS = {"id", "cpu", "cpu_millis", "memory", "memory_bytes", "os", "hypervisor", "containers", "cost",
                "max_workloads", "taints"}
_LIVE_COLUMNS = {"current", "current_form", "pinned", "move_cost"}


def is_columnar(value) -> bool:
    """Whether ``value`` is a table (a pandas DataFrame or a dict of columns) rather than a sequence of rows."""
    return isinstance(value, Mapping) or type(value).__name__ == "DataFrame" and hasattr(value, "columns")


_constant = constant  # the value of a field no column gives


def _stacked(columns: tuple[np.ndarray, ...]) -> np.ndarray:
    """Columns of sizes, one per dimension, as one rows × dimensions array."""
    return np.stack(columns, axis=1) if len(columns[0]) else np.zeros((0, len(columns)), np.uint64)


class ColumnarProblem:
    """A validated problem held as columns: what the core takes, and ids for the plan. What needs an object per
    row (``workloads``, ``hosts``, ``demand()``, ...) comes from `materialize`, which makes them once, when first
    asked; the members below that do so say it."""

    def __init__(self, arrays: dict, dimensions: tuple[str, ...], workload_ids, host_ids, overheads: Overheads,
                 workload_rows: dict, host_rows: dict, objects: Callable[[], tuple[tuple, tuple]] | None = None,
                 live: LivePart | None = None, eligibility: EligibilityPart | None = None,
                 rules: RulePart | None = None, overbook: OverbookPart | None = None):
        self.arrays = arrays
        self.dimensions = dimensions
        self.workload_ids = workload_ids
        self.host_ids = host_ids
        self.overheads = overheads
        # the live part (None: greenfield); read back from the arrays when not given (a problem from a pickle or
        # from another process: the arrays carry all of it)
        self.live = live if live is not None else decode_live(arrays)
        self.eligibility = eligibility if eligibility is not None else decode_eligibility(arrays)
        self.rules = rules
        self.overbook = overbook if overbook is not None else decode_overbook(arrays, host_ids)
        self._rows = (workload_rows, host_rows)
        self._objects = objects  # the caller's own objects for the rows, when it has them (a fleet file's)

    def encode(self) -> dict:
        return self.arrays

    def __reduce__(self):
        # the columns, small (a column of one value pickles as that value), and none of the caches (nor the
        # caller's objects for the rows: a problem read back makes them from the columns)
        w_rows, h_rows = self._rows
        return ColumnarProblem, (compact_arrays(self.arrays), self.dimensions, self.workload_ids, self.host_ids,
                                 self.overheads, w_rows, h_rows, None, None, None, self.rules, self.overbook)

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
            return Problem(tuple(workloads), tuple(hosts), self.overheads, self.dimensions, self.live,
                           self.rules, self.overbook)
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
        return Problem(workloads, hosts, self.overheads, self.dimensions, self.live, self.rules, self.overbook)

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


def build_columnar_problem(workloads, hosts, overheads=None, objects=None, *, drain=(), max_moves=None,
                           max_move_cost=None, rules=None, allocation_ratio=None, max_utilization=None
                           ) -> ColumnarProblem:
    """Validate and convert tables of workloads and hosts (and the live part's keywords); raise one
    `ValidationError` listing every problem. ``objects`` (a function giving the rows' workloads and hosts) is for a
    caller that has objects for the rows."""
    problems: list[ErrorDetail] = []
    tables = []
    for data, kind, fields in ((workloads, "workload", _WORKLOAD_FIELDS), (hosts, "host", _HOST_FIELDS)):
        if not is_columnar(data):
            data = _rows_to_columns(data, kind)
        try:
            tables.append(Table(data, kind, fields))
        except ValidationError as exc:
            problems.extend(exc.errors)
    over = gather_overheads(overheads, problems)
    call_ratio, call_usable = read_call_ratios(allocation_ratio, max_utilization, problems)
    if problems:
        raise ValidationError(problems)
    w, h = tables
    if objects is not None:  # rows with objects of their own, whose errors name them by id alone
        w.row_numbers = h.row_numbers = False
    extra = sorted({name[len(EXTRA):] for t in tables for name in t.columns if name.startswith(EXTRA)})
    dims = ("cpu", "memory", *extra)

    def sizes(table: Table, round_up: bool) -> tuple[np.ndarray, ...]:
        # one column per dimension: the core interleaves them itself (a stacked copy is made only if asked for)
        columns = [quantities(table, "cpu", "cpu_millis", 1000, round_up, problems),
                   quantities(table, "memory", "memory_bytes", 1, round_up, problems)]
        columns += [quantities(table, EXTRA + d, EXTRA + d, 1, round_up, problems) for d in extra]
        return tuple(columns)

    demand, capacity = sizes(w, True), sizes(h, False)
    for table in tables:
        check_ids(table, problems)
        problems.extend(table.bad_text)
    allowed = choice(w, "form", "any", FORM_BITS, problems, np.uint8)
    isolation = choice(w, "isolation", "none", ISOLATION_CODES, problems, np.uint8)
    w_os, h_os = shared_codes([text_labels(w, "os", "linux"), text_labels(h, "os", "linux")], lower=True)
    (tenant,) = shared_codes([text_labels(w, "tenant", "")])
    if "anti_affinity" in w.columns:
        group_codes, group_labels = text_labels(w, "anti_affinity", "\0none")
        none_group = group_labels.index("\0none") if "\0none" in group_labels else -1
        group = np.where(group_codes == none_group, 0, group_codes + 1).astype(np.uint32)
    else:
        group = _constant(0, np.uint32, w.length)
    if "hypervisor" in h.columns:  # a missing value means no hypervisor, as None does
        hypervisor = choice(h, "hypervisor", "\0none",
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
        raw = counts(h, "max_workloads", problems)
        given = ~np.isnan(raw)
        bad = given & ((raw < 0) | (raw != np.floor(raw)) | (raw > MAX_QUANTITY))
        problems.extend(h.bad_rows(bad, "max_workloads", "must be a whole number >= 0 or missing, got {value}", raw))
        max_workloads = np.where(given & ~bad, raw, 0).astype(np.uint64)
        max_workloads[~given] = UNLIMITED
    live, live_rows = _live_columns(w, h, allowed, demand[1], drain, max_moves, max_move_cost, problems)
    eligibility, eligibility_w, eligibility_h = eligibility_columns(w, h, problems)
    rule_part, groups_w = _rule_columns(w, h, eligibility_h, read_rules(rules, problems), problems)
    overbook, overbook_w, overbook_h = overbook_columns(w, h, dims, call_ratio, call_usable, problems)
    if problems:
        raise ValidationError(problems)
    arrays = {
        "demand": demand, "allowed": allowed, "w_os": w_os, "tenant": tenant, "isolation": isolation,
        "group": group, "capacity": capacity, "h_os": h_os, "hypervisor": hypervisor, "containers": containers,
        "cost": cost, "max_workloads": max_workloads, **fixed_overheads(over, len(dims)), **encode_live(live),
        **encode_eligibility(eligibility), **encode_rules(rule_part), **encode_overbook(overbook),
    }
    # the text fields of each row, kept for making objects later
    def texts(table: Table, names: dict) -> dict:
        out = {}
        for field, default in names.items():
            if field in table.columns:
                codes, labels = text_labels(table, field, default)
                out[field] = _LabelColumn(codes, labels)
        return out

    w_rows = texts(w, {"form": "any", "os": "linux", "tenant": "", "isolation": "none", "anti_affinity": "\0none"})
    w_rows.update(live_rows)
    w_rows.update(eligibility_w)
    w_rows.update(groups_w)
    w_rows.update({name: _ValueColumn(column, bool) for name, column in overbook_w.items()})
    h_rows = texts(h, {"os": "linux", "hypervisor": "\0none"})
    h_rows["containers"] = _ValueColumn(containers, bool)
    h_rows["cost"] = _ValueColumn(cost, float)
    h_rows["max_workloads"] = _ValueColumn(max_workloads, _cap)
    h_rows.update(eligibility_h)
    h_rows.update(overbook_h)
    return ColumnarProblem(arrays, dims, w.ids, h.ids, over, w_rows, h_rows, objects, live, eligibility, rule_part,
                           overbook)


def _rule_columns(w: Table, h: Table, eligibility_h: dict, rules: tuple, problems: list[ErrorDetail]
                  ) -> tuple[RulePart | None, dict]:
    """The group rules over tables: a workload's ``groups`` as a text column of names separated by spaces, its
    ``anti_affinity``, and the hosts' ``labels.<key>`` columns; and the rows' groups for objects made later."""
    rows: dict = {}
    if "groups" in w.columns:
        codes, texts = text_labels(w, "groups", "")
        names = []
        for code, text in enumerate(texts):
            def add(field: str, message: str, value=None, code=code) -> None:
                problems.append(ErrorDetail(w.where(int(np.flatnonzero(codes == code)[0])), field, message, value))
            names.append(read_groups(add, keys_from_text(text)))
        rows["groups"] = _LabelColumn(codes, names)
    if not rules:
        return None, rows
    groups = [rows["groups"][i] for i in range(w.length)] if rows else [()] * w.length
    if "anti_affinity" in w.columns:
        codes, labels = text_labels(w, "anti_affinity", "\0none")
        shorthand = [None if labels[c] == "\0none" else labels[c] for c in codes.tolist()]
    else:
        shorthand = [None] * w.length
    labels_of = eligibility_h.get("labels")
    host_labels = [labels_of[j] for j in range(h.length)] if labels_of is not None else [{}] * h.length
    return build_rules(rules, groups, shorthand, host_labels, problems), rows


def _cap(value) -> int | None:
    """A host's ``max_workloads`` as the model gives it (a module-level function, so that problems pickle)."""
    return None if value == UNLIMITED else int(value)


def _current_form(code) -> str | None:
    """A workload's ``current_form`` as the model gives it (a module-level function, so that problems pickle)."""
    return None if code < 0 else PLACED_FORMS[code]


def _live_columns(w: Table, h: Table, allowed: np.ndarray, memory: np.ndarray, drain, max_moves, max_move_cost,
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
        codes, labels = text_labels(w, "current", "\0none")
        named = [None if label == "\0none" else label for label in labels]
        rows = host_rows(named, host_ids)[codes] if len(labels) else np.zeros(0, dtype=np.int64)
        current_ids = _LabelColumn(codes, labels)
        current_id = current_ids.__getitem__
    no_current = np.ones(n, dtype=bool) if rows is None else rows == -1
    form = choice(w, "current_form", "\0none", {"\0none": -1, "container": 0, "vm": 1}, problems, np.int64)
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
        units = quantities(w, "move_cost", "move_cost", 1, True, problems)
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
        columns[EXTRA + name] = [o.extra_units.get(name, 0) for o in objects]
    if kind == "workload" and any(o.current is not None for o in objects):
        columns["current"] = [o.current for o in objects]
        columns["current_form"] = [o.current_form for o in objects]
        columns["pinned"] = np.array([o.pinned for o in objects], dtype=bool)
        columns["move_cost"] = np.array([o.move_cost_units for o in objects], dtype=np.uint64)
    keyed = {}  # labels.<key> of hosts, selector.<key> of workloads, and their keys as text
    for k, o in enumerate(objects):
        mapping = o.selector or {} if kind == "workload" else o.labels
        for key, value in mapping.items():
            column = keyed.setdefault(KEYED[kind] + key, [None] * len(objects))
            column[k] = selector_to_text(value) if kind == "workload" else value
        if kind == "workload" and o.groups:
            keyed.setdefault("groups", [None] * len(objects))[k] = " ".join(o.groups)
        keys = o.tolerations if kind == "workload" else o.taints
        if keys:
            keyed.setdefault("tolerations" if kind == "workload" else "taints", [None] * len(objects))[k] = \
                " ".join(keys)
    columns.update(keyed)
    if kind == "workload" and not all(o.overcommit for o in objects):  # (overbook_columns reads them back)
        columns["overcommit"] = np.array([o.overcommit for o in objects], dtype=bool)
    if kind == "host":
        for name in sorted({d for o in objects for d in o.allocation_ratio or {}}):
            columns[RATIO_PREFIX + name] = np.array([(o.allocation_ratio or {}).get(name, math.nan)
                                                     for o in objects], dtype=np.float64)
    fields = (("form", "os", "tenant", "isolation", "anti_affinity") if kind == "workload"
              else ("os", "hypervisor", "containers", "cost", "max_workloads"))
    for field in fields:
        columns[field] = [getattr(o, field) for o in objects]
    if kind == "host":
        columns["max_workloads"] = [math.nan if v is None else v for v in columns["max_workloads"]]
        columns["containers"] = np.array(columns["containers"], dtype=bool)
    return {k: (v if isinstance(v, np.ndarray)
                else np.array(v, dtype=np.uint64) if k in ("cpu_millis", "memory_bytes") or k.startswith(EXTRA)
                else np.array(v, dtype=object) if k not in ("containers", "cost", "max_workloads") else np.array(v))
            for k, v in columns.items()}
