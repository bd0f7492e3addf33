"""Entries (the dicts of a parsed fleet file) read straight into columns, without a `Workload` or `Host` per row.

`entry_table` sweeps each field across all entries at once: quantities are parsed once per distinct value (the
common forms by `units.quick_units`, the rest by the exact `units.to_units`, so docs/model.md's rounding holds),
ids and texts are checked with sets. It accepts only entries that the model's objects would accept as they are;
for anything else (an unknown field, a bad value, a duplicate id, an id given as a number) it returns None and the
caller converts the entries one by one, as before, so that every error reads as it always did.

`CheckedEntries` holds such entries: the columns for the solver (`fleetpack.model.inputs.build_problem` takes them
on the columnar path) and the objects, made on first look (explanations, the verifier).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import fields
from functools import cached_property
from typing import Callable

import numpy as np

from ..errors import ValidationError
from .labels import id_problems
from .likely_mistakes import note_column
from .objects import FORMS, HYPERVISORS, ISOLATIONS, MAX_COST, Host, Workload
from .units import MAX_QUANTITY, QuantityError, quick_units, to_units

__all__ = ["CheckedEntries", "entry_table", "quantity_column"]

_FIELDS = {"workload": {f.name for f in fields(Workload)}, "host": {f.name for f in fields(Host)}}
_NONE = type(None)
#: Fields read on the objects' path only (entries that give them are converted one by one).
_OBJECTS_ONLY = {"labels", "taints", "selector", "tolerations", "allocation_ratio", "overcommit"}


def quantity_column(values: list, scale: int, round_up: bool) -> np.ndarray | None:
    """Quantities in units (uint64), each distinct value parsed once; None when any value is no valid quantity
    (or a boolean, which the model refuses)."""
    if not set(map(type, values)) <= {int, float, str}:
        return None
    units: dict = {}
    for value in set(values):  # (1 and 1.0 share a key, and their units too)
        parsed = quick_units(value, scale, round_up=round_up)
        if parsed is None:
            try:
                parsed = to_units(value, scale, round_up=round_up)
            except (QuantityError, ValueError, ArithmeticError):
                return None
        units[value] = parsed
    return np.fromiter(map(units.__getitem__, values), dtype=np.uint64, count=len(values))


def _texts(values: list, *, allowed=None, empty: bool = False, missing: bool = False) -> bool:
    """Whether a text field's values are all strings (None too when ``missing``), non-empty unless ``empty``, and
    among ``allowed`` when given."""
    if not set(map(type, values)) <= ({str, _NONE} if missing else {str}):
        return False
    distinct = set(values)
    if allowed is not None:
        return distinct <= set(allowed)
    return empty or "" not in distinct


def _costs(values: list) -> np.ndarray | None:
    types = set(map(type, values))
    if not types <= {int, float}:
        return None
    ints = [v for v in values if type(v) is int]
    if ints and not 0 <= min(ints) <= max(ints) <= MAX_COST:  # (compared as ints: a float would round them)
        return None
    costs = np.array(values, dtype=np.float64)
    if not (np.isfinite(costs).all() and (costs >= 0).all() and (costs <= MAX_COST).all()):
        return None
    return costs


def _caps(values: list) -> np.ndarray | None:
    if not set(map(type, values)) <= {int, float, _NONE} or any(type(v) is float and v != v for v in values):
        return None  # (a NaN is no cap: the model refuses it, where a column would read it as missing)
    caps = np.array([math.nan if v is None else v for v in values], dtype=np.float64)
    given = caps[~np.isnan(caps)]
    if not ((given >= 0).all() and (given <= MAX_QUANTITY).all() and (given == np.floor(given)).all()):
        return None
    if any(type(v) is int and v > MAX_QUANTITY for v in values):  # (beyond a float's exact integers)
        return None
    return caps


def entry_table(entries: list, kind: str) -> dict | None:
    """The columns (`fleetpack.model.columnar`'s table) of a list of workload or host entries, or None when some
    entry is not a dict the model accepts as it is."""
    if not entries or set(map(type, entries)) != {dict}:
        return None
    keys = set().union(*entries)
    # (a field at its default is no reason: ``overcommit`` True, or an empty mapping or list)
    if not keys <= _FIELDS[kind] or any(e.get(name) not in (None, True) and e.get(name) != {} and e.get(name) != []
                                        and e.get(name) != () for name in keys & _OBJECTS_ONLY for e in entries):
        return None
    ids = [e.get("id") for e in entries]
    bad, duplicate = id_problems(ids)
    if bad is not None or duplicate is not None:
        return None
    round_up = kind == "workload"
    table: dict = {"id": np.array(ids, dtype=object)}
    given: list[tuple[str, list]] = []  # sizes as written, checked for likely mistakes once the table is whole
    for name, units_name, scale in (("cpu", "cpu_millis", 1000), ("memory", "memory_bytes", 1)):
        if name in keys:
            values = [e.get(name, 0) for e in entries]
            column = quantity_column(values, scale, round_up)
            if column is None:
                return None
            table[units_name] = column
            given.append((name, values))
    if "extra" in keys and not _extra_columns([e.get("extra") for e in entries], round_up, table):
        return None

    def column(name: str, default) -> list | None:
        return [e.get(name, default) for e in entries] if name in keys else None

    checks: list[tuple[str, object, Callable[[list], bool]]] = [("os", "linux", lambda v: _texts(v))]
    if kind == "workload":
        checks += [("form", "any", lambda v: _texts(v, allowed=FORMS)),
                   ("tenant", "", lambda v: _texts(v, empty=True)),
                   ("isolation", "none", lambda v: _texts(v, allowed=ISOLATIONS)),
                   ("anti_affinity", None, lambda v: _texts(v, missing=True))]
    else:
        checks += [("hypervisor", "hardware", lambda v: _texts(v, allowed=HYPERVISORS + (None,), missing=True)),
                   ("containers", True, lambda v: set(map(type, v)) <= {bool})]
    for name, default, valid in checks:
        values = column(name, default)
        if values is not None:
            if not valid(values):
                return None
            table[name] = np.array(values, dtype=bool if name == "containers" else object)
    for name, default, read in (("cost", 1.0, _costs), ("max_workloads", None, _caps)):
        values = column(name, default) if kind == "host" else None
        if values is not None:
            converted = read(values)
            if converted is None:
                return None
            table[name] = converted
    if kind == "workload" and not _live_columns(entries, keys, table):
        return None
    if kind == "workload" and "groups" in keys and not _groups_column(column("groups", None), table):
        return None
    for name, values in given:  # ("512m" bytes, "2Gi" cores: warned as the objects warn them)
        note_column(lambda row: f"{kind} {ids[row]!r}", name, values)
    return table


def _groups_column(values: list, table: dict) -> bool:
    """Workload ``groups`` (lists of names) as the columnar path's text column of names separated by spaces; False
    when a value is not such a list (the objects then word the error)."""
    texts = []
    for value in values:
        if value is None:
            texts.append("")
        elif type(value) in (list, tuple) and all(type(n) is str and n and not any(c.isspace() for c in n)
                                                  for n in value):
            texts.append(" ".join(dict.fromkeys(value)))
        else:
            return False
    table["groups"] = np.array(texts, dtype=object)
    return True


def _live_columns(entries: list, keys: set, table: dict) -> bool:
    """The live columns (``current``, ``current_form``, ``pinned``, ``move_cost``) of workload entries into
    ``table``; False when one is not as the model takes it as it is (the objects then word the error). Whether a
    current host exists and is not drained is checked with the fleet, as for objects."""
    if not keys & {"current", "current_form", "pinned", "move_cost"}:
        return True
    current = [e.get("current") for e in entries]
    if not _texts(current, missing=True):  # (an id given as a number: the objects make it a string)
        return False
    forms = [e.get("form", "any") for e in entries]
    if "current_form" in keys:
        given = [e.get("current_form") for e in entries]
        if not _texts(given, allowed=("vm", "container", None), missing=True) or any(
                c is not None and (h is None or f in ("vm", "container") and f != c)
                for c, f, h in zip(given, forms, current)):
            return False
        table["current_form"] = np.array(given, dtype=object)
    if "pinned" in keys:
        pinned = [e.get("pinned", False) for e in entries]
        if not set(map(type, pinned)) <= {bool} or any(p and h is None for p, h in zip(pinned, current)):
            return False
        table["pinned"] = np.array(pinned, dtype=bool)
    if "move_cost" in keys:
        given = [e.get("move_cost") for e in entries]
        rows = [k for k, v in enumerate(given) if v is not None]
        units = quantity_column([given[k] for k in rows], 1, True) if rows else np.zeros(0, dtype=np.uint64)
        if units is None:
            return False
        # a missing move cost is the workload's memory in bytes, as for objects
        column = np.array(table["memory_bytes"], dtype=np.uint64) if "memory_bytes" in table else \
            np.zeros(len(entries), dtype=np.uint64)
        column[rows] = units
        table["move_cost"] = column
    if "current" in keys:
        table["current"] = np.array(current, dtype=object)
    return True


def _extra_columns(values: list, round_up: bool, table: dict) -> bool:
    """The ``extra.NAME`` columns of the entries' ``extra`` mappings into ``table``; False when one is not valid."""
    if not set(map(type, values)) <= {dict, _NONE}:
        return False
    given = [v or {} for v in values]
    names = set().union(*given)
    if not all(type(n) is str and n and n not in ("cpu", "memory") for n in names):
        return False
    for name in sorted(names):
        column = quantity_column([v.get(name, 0) for v in given], 1, round_up)
        if column is None:
            return False
        table[f"extra.{name}"] = column
    return True


class CheckedEntries(Sequence):
    """Entries that `entry_table` accepted: ``table`` for the solver, and the model's objects (converted from the
    entries when first looked at). Compares equal to the tuple of those objects."""

    def __init__(self, entries: list, table: dict, convert: Callable):
        self._entries, self.table, self._convert = entries, table, convert

    @cached_property
    def objects(self) -> tuple:
        try:
            return tuple(self._convert(entry, k) for k, entry in enumerate(self._entries))
        except ValidationError as exc:  # entry_table accepts only entries the model accepts
            raise AssertionError(f"entries accepted as columns but refused as objects: {exc}") from exc

    def __len__(self) -> int:
        return len(self._entries)

    def __getitem__(self, index):
        return self.objects[index]

    def __iter__(self):
        return iter(self.objects)

    def __eq__(self, other) -> bool:
        if isinstance(other, CheckedEntries):
            other = other.objects
        return self.objects == other if isinstance(other, tuple) else NotImplemented

    def __add__(self, other):  # (as the tuple it stands for)
        return self.objects + (other.objects if isinstance(other, CheckedEntries) else other)

    def __radd__(self, other):
        return other + self.objects

    def __hash__(self) -> int:
        return hash(self.objects)

    def __repr__(self) -> str:
        return repr(self.objects)
