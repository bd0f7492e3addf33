"""Plan files: what ``fleetpack place -o`` writes, in JSON or CSV (one row per workload), read back for the verifier
(as it is) or as a `Plan` (rebuilt against the fleet it was made for)."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Mapping

from ..errors import ErrorDetail, ValidationError
from ..model.inputs import build_problem
from ..model.textfiles import parse_json, read_text
from ..model.wire import Answer
from ..plan.plan import Plan, build_plan
from ..solve.options import OBJECTIVES
from .fleet import _CSV_SUFFIX, Fleet, _type_name

__all__ = ["read_plan_dict", "load_plan", "dump_plan"]

def read_plan_dict(path: str | os.PathLike) -> dict:
    """A plan file's object as it is, for the verifier to judge: JSON, or for ``.csv`` a dict with the
    ``assignments`` and ``unplaced`` of its rows. Raises `ValidationError` naming the file when it is not JSON or
    not an object, or a CSV plan without the columns of one."""
    source = os.fspath(path)
    if source.lower().endswith(_CSV_SUFFIX):
        return _read_plan_csv(source)
    data = parse_json(read_text(source), source)
    if not isinstance(data, dict):
        raise ValidationError.single(source, "(document)", f"must be a plan object, got {_type_name(data)}")
    if "assignments" not in data:
        # without it, an empty or foreign object would pass as a plan that places nothing and breaks no rule
        keys = f"its keys: {', '.join(map(str, list(data)[:6]))}" if data else "it is an empty object"
        raise ValidationError.single(source, "assignments", f"is required: a plan file holds the assignments "
                                                            f"'fleetpack place -o' writes ({keys})")
    return data


def load_plan(path: str | os.PathLike, fleet: Fleet | None = None) -> Plan:
    """A `Plan` from a plan file written by ``fleetpack place -o`` (or `dump_plan`).

    With the ``fleet`` it was made for, the plan is rebuilt against that fleet's workloads and hosts, so that
    ``explain``, ``plot`` and the frames work; utilisation and unplaced reasons are then worked out afresh (and a
    CSV plan, which holds assignments only, can be read too). Check the plan with ``verify`` first: a plan that
    breaks a rule is taken as it is."""
    source = os.fspath(path)
    data = read_plan_dict(source)
    if fleet is not None:
        return _rebuild(data, fleet, source)
    if source.lower().endswith(_CSV_SUFFIX):
        raise ValidationError.single(source, "(file)", "a CSV plan holds assignments only: load it with the fleet "
                                                       "it was made for, load_plan(path, fleet=...)")
    try:
        return Plan.from_dict(data)
    except KeyError as exc:
        raise ValidationError.single(source, str(exc.args[0]), "is required in a plan file") from None
    except (TypeError, ValueError, AttributeError) as exc:
        raise ValidationError.single(source, "(plan)", f"is not a fleetpack plan: {exc}") from None


def _rebuild(data: Mapping, fleet: Fleet, source: str) -> Plan:
    problem = build_problem(fleet.workloads, fleet.hosts, fleet.overheads, **fleet.place_options())
    workload_pos = {w.id: i for i, w in enumerate(problem.workloads)}
    host_pos = {h.id: j for j, h in enumerate(problem.hosts)}
    host_index: list = [None] * len(problem.workloads)
    forms: list = [None] * len(problem.workloads)
    errors = []
    for n, a in enumerate(data.get("assignments") or []):
        if not isinstance(a, Mapping):
            errors.append(ErrorDetail(source, f"assignments[{n}]", "must be an object"))
            continue
        i, j = workload_pos.get(a.get("workload")), host_pos.get(a.get("host"))
        if i is None or j is None or a.get("form") not in ("vm", "container"):
            errors.append(ErrorDetail(source, f"assignments[{n}]", f"names an unknown workload, host or form for "
                                                                   f"this fleet: {dict(a)!r}"))
            continue
        host_index[i], forms[i] = j, a["form"]
    if errors:
        raise ValidationError(errors)
    objective = data.get("objective", "hosts")
    method = data.get("method", "the plan file")
    answer = Answer.from_lists(host_index, forms, data.get("strategy", method), data.get("lower_bound", 0))
    return build_plan(problem, answer, objective=objective if objective in OBJECTIVES else "hosts", method=method,
                      elapsed=data.get("elapsed", 0.0))


_PLAN_CSV_COLUMNS = ("workload", "host", "form", "unplaced", "reason")


def _read_plan_csv(source: str) -> dict:
    reader = csv.DictReader(io.StringIO(read_text(source), newline=""))
    missing = [c for c in ("workload", "host", "form") if c not in (reader.fieldnames or [])]
    if missing:
        raise ValidationError.single(source, "(header)", f"a CSV plan needs the columns workload, host and form "
                                                         f"(missing: {', '.join(missing)})")
    assignments, unplaced = [], {}
    for row in reader:
        workload, host = (row.get("workload") or "").strip(), (row.get("host") or "").strip()
        if not workload:
            continue
        if host:
            assignments.append({"workload": workload, "host": host, "form": (row.get("form") or "").strip()})
        else:
            unplaced[workload] = {"code": (row.get("unplaced") or "").strip(), "message": row.get("reason") or ""}
    return {"assignments": assignments, "unplaced": unplaced}


def dump_plan(plan: Plan, path: str | os.PathLike) -> None:
    """Write a plan file: JSON, or for ``.csv`` one row per workload (``workload, host, form, unplaced, reason``:
    placed workloads in input order, then the unplaced ones with their reason code and words)."""
    target = os.fspath(path)
    if not target.lower().endswith(_CSV_SUFFIX):
        Path(target).write_text(plan.to_json() + "\n", encoding="utf-8")
        return
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_PLAN_CSV_COLUMNS)
    writer.writerows((a.workload, a.host, a.form, "", "") for a in plan.assignments)
    writer.writerows((wid, "", "", u.code, u.message) for wid, u in plan.unplaced.items())
    Path(target).write_text(out.getvalue(), encoding="utf-8")

