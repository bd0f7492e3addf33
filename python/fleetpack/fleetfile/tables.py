"""CSV fleets: two files, one of workloads and one of hosts, with a header row of field names, one entry per row,
``extra.NAME`` columns for extra dimensions, and an empty cell for a field's default (``none`` for a host without
hypervisor). Errors name the file and line: ``hosts.csv:4: host 'h3': cpu: ...``.

Eligibility (issue 16): a host's label ``zone`` is the column ``labels.zone``; a workload's selector on ``zone`` is
the column ``selector.zone``, whose cell is ``a`` (the label is a), ``a|b`` (one of), ``*`` (the label exists),
``!a|b`` (missing or none of them) or ``!*`` (missing); ``taints`` and ``tolerations`` cells list keys separated by
spaces.

Group rules (issue 16): a workload's ``groups`` cell lists the names of its groups separated by spaces (as the
columnar path reads a ``groups`` column); the rules themselves are no part of a CSV file: pass them as ``rules``.
Ratios (issue 16): a host's ``allocation_ratio`` on ``cpu`` is the column ``allocation_ratio.cpu`` (a number; empty:
the fleet's); a workload's ``overcommit`` is a true/false column."""

from __future__ import annotations

import csv
import io
import os
from dataclasses import fields
from pathlib import Path

from ..errors import ErrorDetail, ValidationError
from ..model.inputs import FirstSeen
from ..model.likely_mistakes import collecting
from ..model.eligibility import keys_from_text, selector_from_text, selector_to_text
from ..model.objects import Host, Workload
from ..model.textfiles import read_text, source_name
from .fleet import Fleet, _as_fleet, _entry, _overheads

__all__ = ["load_fleet_csv", "dump_fleet_csv"]

#: Per kind, the prefixed columns that gather into one mapping field (``extra.gpu`` into ``extra``).
_PREFIXES = {"workload": ("extra", "selector"), "host": ("extra", "labels", "allocation_ratio")}
_TRUE, _FALSE = ("true", "yes", "1"), ("false", "no", "0")
_NONE = ("none", "null")


def load_fleet_csv(workloads: str | os.PathLike, hosts: str | os.PathLike, overheads=None, rules=()) -> Fleet:
    """A fleet from two CSV files, one of workloads and one of hosts, with ``overheads`` (an `Overheads`, a dict,
    or None for the defaults) and group ``rules`` (as a fleet file's ``rules``: rule objects or dicts). Each file
    has a header row of field names (``id`` required; ``extra.gpu`` for an extra dimension ``gpu``) and one entry
    per row; an empty cell leaves the field at its default. Raises one `ValidationError` naming the file, line,
    entry and field of every problem."""
    errors: list[ErrorDetail] = []
    with collecting():  # one warning per kind for both files
        w_items = _read_csv(workloads, Workload, "workload", errors)
        h_items = _read_csv(hosts, Host, "host", errors)
        over = _overheads(overheads, errors)
        if errors:
            raise ValidationError(errors)
        return Fleet(w_items, h_items, over, rules=rules)


def _read_csv(path, cls, kind: str, errors: list[ErrorDetail]) -> list:
    source = source_name(path)
    reader = csv.DictReader(io.StringIO(read_text(path), newline=""))
    prefixes = _PREFIXES[kind]
    names = [f.name for f in fields(cls) if f.name not in prefixes]
    known = ", ".join(names + [f"{p}.NAME" for p in prefixes])
    header = [h.strip() for h in reader.fieldnames or []]
    if "id" not in header:
        errors.append(ErrorDetail(source, "(header)", f"needs an 'id' column (columns: {known})"))
        return []
    for column in sorted({c for c in header if header.count(c) > 1}):
        errors.append(ErrorDetail(source, "(header)", f"column {column!r} appears more than once"))
    for column in header:
        if column not in names and _prefixed(column, prefixes) is None:
            errors.append(ErrorDetail(source, "(header)", f"unknown column {column!r} (known: {known})"))
    items, first_line = [], FirstSeen()
    for row in reader:
        line = reader.line_num
        cells = {(k or "").strip(): (v or "").strip() for k, v in row.items() if not isinstance(v, list)}
        if not any(cells.values()):
            continue  # a blank line, as spreadsheets leave at the end
        ident = cells.get("id", "")
        where = f"{source}:{line}: {kind} {ident!r}" if ident else f"{source}:{line}: {kind}"
        # csv.DictReader puts cells past the header under None and fills missing ones with None
        count = len(header) + len(row.get(None) or []) - sum(v is None for k, v in row.items() if k is not None)
        if count != len(header):
            errors.append(ErrorDetail(where, "(row)", f"has {count} cells, the header {len(header)}"))
            continue
        entry: dict = {}
        for column, text in cells.items():
            prefixed = _prefixed(column, prefixes)
            if not text or column not in names and prefixed is None:
                continue
            if prefixed is not None:
                field, key = prefixed
                if field == "allocation_ratio":
                    try:
                        value = _number(text)
                    except ValueError as exc:
                        errors.append(ErrorDetail(where, column, str(exc), text))
                        continue
                else:
                    value = selector_from_text(text) if field == "selector" else text
                entry.setdefault(field, {})[key] = value
            else:
                try:
                    entry[column] = _csv_value(column, text)
                except ValueError as exc:
                    errors.append(ErrorDetail(where, column, str(exc), text))
        try:
            item = cls(**{"id": ident, **{k: v for k, v in entry.items() if k != "id"}})
        except ValidationError as exc:
            errors.extend(ErrorDetail(where, e.field, e.message, e.value) for e in exc.errors)
            continue
        earlier = first_line.earlier(item.id, line)
        if earlier is not None:
            errors.append(ErrorDetail(where, "id", f"duplicate id (also line {earlier})"))
        else:
            items.append(item)
    return items


def _prefixed(column: str, prefixes: tuple[str, ...]) -> tuple[str, str] | None:
    """(field, key) of a prefixed column (``labels.zone``: ("labels", "zone")), or None for another column."""
    field, dot, key = column.partition(".")
    return (field, key) if dot and key and field in prefixes else None


def _csv_value(column: str, text: str):
    """A cell's text as the field's type; quantities stay strings, which the model parses exactly."""
    if column in ("containers", "pinned", "overcommit"):
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise ValueError(f"must be true or false, got {text!r}")
    if column == "cost":
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"must be a number, got {text!r}") from None
    if column == "max_workloads":
        if text.lower() in _NONE:
            return None
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"must be a whole number, got {text!r}") from None
    if column in ("hypervisor", "anti_affinity", "current", "current_form", "move_cost") and text.lower() in _NONE:
        return None
    if column in ("taints", "tolerations", "groups"):
        return keys_from_text(text)
    return text


def _number(text: str) -> int | float:
    """A ratio's cell as a number (an int when it is one)."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"must be a number, got {text!r}") from None


def dump_fleet_csv(fleet_or_parts, workloads: str | os.PathLike, hosts: str | os.PathLike) -> None:
    """Write a fleet's workloads and hosts as two CSV files that `load_fleet_csv` reads back (overheads are not
    part of a CSV fleet). Only the columns some entry needs are written."""
    fleet = _as_fleet(fleet_or_parts)
    for path, items, cls, kind in ((workloads, fleet.workloads, Workload, "workload"),
                                   (hosts, fleet.hosts, Host, "host")):
        rows = []
        for item in items:
            entry = _entry(item)
            prefixed = {name: entry.pop(name, None) or {} for name in _PREFIXES[kind]}
            row = {k: " ".join(v) if k in ("taints", "tolerations", "groups") else _csv_text(v)
                   for k, v in entry.items()}
            for name, mapping in prefixed.items():
                text = selector_to_text if name == "selector" else _csv_text
                row.update({f"{name}.{k}": text(v) for k, v in mapping.items()})
            rows.append(row)
        present = {k for r in rows for k in r}
        columns = [f.name for f in fields(cls) if f.name == "id" or f.name in present]  # in the model's order
        columns += sorted({k for r in rows for k in r if _prefixed(k, _PREFIXES[kind]) is not None})
        out = io.StringIO()
        writer = csv.DictWriter(out, columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        Path(os.fspath(path)).write_text(out.getvalue(), encoding="utf-8")


def _csv_text(value) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


