"""CSV fleets: two files, one of workloads and one of hosts, with a header row of field names, one entry per row,
``extra.NAME`` columns for extra dimensions, and an empty cell for a field's default (``none`` for a host without
hypervisor). Errors name the file and line: ``hosts.csv:4: host 'h3': cpu: ...``."""

from __future__ import annotations

import csv
import io
import os
from dataclasses import fields
from pathlib import Path

from ..errors import ErrorDetail, ValidationError
from ..model.inputs import FirstSeen
from ..model.likely_mistakes import collecting
from ..model.objects import Host, Workload
from ..model.textfiles import read_text, source_name
from .fleet import Fleet, _as_fleet, _entry, _overheads

__all__ = ["load_fleet_csv", "dump_fleet_csv"]

_EXTRA_PREFIX = "extra."
_TRUE, _FALSE = ("true", "yes", "1"), ("false", "no", "0")
_NONE = ("none", "null")


def load_fleet_csv(workloads: str | os.PathLike, hosts: str | os.PathLike, overheads=None) -> Fleet:
    """A fleet from two CSV files, one of workloads and one of hosts, with ``overheads`` (an `Overheads`, a dict,
    or None for the defaults). Each file has a header row of field names (``id`` required; ``extra.gpu`` for an
    extra dimension ``gpu``) and one entry per row; an empty cell leaves the field at its default. Raises one
    `ValidationError` naming the file, line, entry and field of every problem."""
    errors: list[ErrorDetail] = []
    with collecting():  # one warning per kind for both files
        w_items = _read_csv(workloads, Workload, "workload", errors)
        h_items = _read_csv(hosts, Host, "host", errors)
        over = _overheads(overheads, errors)
        if errors:
            raise ValidationError(errors)
        return Fleet(w_items, h_items, over)


def _read_csv(path, cls, kind: str, errors: list[ErrorDetail]) -> list:
    source = source_name(path)
    reader = csv.DictReader(io.StringIO(read_text(path), newline=""))
    names = [f.name for f in fields(cls)]
    header = [h.strip() for h in reader.fieldnames or []]
    if "id" not in header:
        errors.append(ErrorDetail(source, "(header)", f"needs an 'id' column (columns: {', '.join(names)}, "
                                                      f"and extra.NAME for an extra dimension)"))
        return []
    for column in sorted({c for c in header if header.count(c) > 1}):
        errors.append(ErrorDetail(source, "(header)", f"column {column!r} appears more than once"))
    for column in header:
        if column not in names or column == "extra":
            if not (column.startswith(_EXTRA_PREFIX) and len(column) > len(_EXTRA_PREFIX)):
                errors.append(ErrorDetail(source, "(header)", f"unknown column {column!r} (known: "
                                                              f"{', '.join(n for n in names if n != 'extra')}, "
                                                              "extra.NAME)"))
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
        entry, extra = {}, {}
        for column, text in cells.items():
            if not text or column not in names and not column.startswith(_EXTRA_PREFIX):
                continue
            if column.startswith(_EXTRA_PREFIX):
                extra[column[len(_EXTRA_PREFIX):]] = text
            else:
                try:
                    entry[column] = _csv_value(column, text)
                except ValueError as exc:
                    errors.append(ErrorDetail(where, column, str(exc), text))
        if extra:
            entry["extra"] = extra
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


def _csv_value(column: str, text: str):
    """A cell's text as the field's type; quantities stay strings, which the model parses exactly."""
    if column in ("containers", "pinned"):
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
    return text


def dump_fleet_csv(fleet_or_parts, workloads: str | os.PathLike, hosts: str | os.PathLike) -> None:
    """Write a fleet's workloads and hosts as two CSV files that `load_fleet_csv` reads back (overheads are not
    part of a CSV fleet). Only the columns some entry needs are written."""
    fleet = _as_fleet(fleet_or_parts)
    for path, items, cls in ((workloads, fleet.workloads, Workload), (hosts, fleet.hosts, Host)):
        rows = []
        for item in items:
            entry = _entry(item)
            extra = entry.pop("extra", {}) or {}
            row = {k: _csv_text(v) for k, v in entry.items()}
            row.update({f"{_EXTRA_PREFIX}{k}": _csv_text(v) for k, v in extra.items()})
            rows.append(row)
        present = {k for r in rows for k in r}
        columns = [f.name for f in fields(cls) if f.name == "id" or f.name in present]  # in the model's order
        columns += sorted({k for r in rows for k in r if k.startswith(_EXTRA_PREFIX)})
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


