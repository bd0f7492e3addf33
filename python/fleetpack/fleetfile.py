"""Fleet files: the workloads, hosts and overheads of one placement problem, in JSON (or YAML), and plan files.

A fleet file is one object::

    {
      "description": "optional free text",
      "legacy_servers": 100,
      "overheads": {"vm": {"cpu": 0, "memory": "512Mi"}, ...},
      "workloads": [{"id": "web-1", "cpu": "500m", "memory": "1Gi", "form": "container"}, ...],
      "hosts": [{"id": "h1", "cpu": 64, "memory": "512Gi", "max_workloads": 110}, ...]
    }

Entries use the field names of `Workload`, `Host` and `Overheads`, with quantities as numbers or Kubernetes strings.
``overheads`` (default: the model's defaults), ``description`` and ``legacy_servers`` (how many servers the fleet
ran on before; shown by the command line) are optional. Files ending in ``.yaml`` or ``.yml`` are read as YAML
when PyYAML is installed. Every problem found is reported in one `ValidationError` whose details name the file,
the entry and the field, e.g. ``examples/x.json: workload 'db-1': memory: ...``.
"""

from __future__ import annotations

import json
import numbers
import os
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping, Sequence

from .errors import ErrorDetail, ValidationError
from .model import Host, Overheads, Resources, Workload, as_host, as_overheads, as_workload
from .plan import Plan

__all__ = ["Fleet", "load_fleet", "dump_fleet", "read_plan_dict", "load_plan", "dump_plan"]

_KEYS = ("description", "legacy_servers", "overheads", "workloads", "hosts")
_YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Fleet:
    """The content of a fleet file. ``workloads`` and ``hosts`` may be given as any sequences of the model's objects
    or of dicts, and ``overheads`` as an `Overheads`, a dict or None; they are stored as tuples and `Overheads`."""

    workloads: tuple[Workload, ...]
    hosts: tuple[Host, ...]
    overheads: Overheads = field(default_factory=Overheads)
    description: str = ""
    legacy_servers: int | None = None

    def __post_init__(self):
        errors: list[ErrorDetail] = []
        set_ = object.__setattr__
        set_(self, "workloads", _entries(self.workloads, "workload", as_workload, "fleet", errors))
        set_(self, "hosts", _entries(self.hosts, "host", as_host, "fleet", errors))
        set_(self, "overheads", _overheads(self.overheads, errors))
        _check_metadata(self.description, self.legacy_servers, "fleet", errors)
        if errors:
            raise ValidationError(errors)

    @classmethod
    def from_dict(cls, data: Any, source: str = "") -> "Fleet":
        """A fleet from a parsed fleet file. ``source`` (the file name) prefixes the place of every error."""
        top = source or "fleet"
        if not isinstance(data, Mapping):
            raise ValidationError.single(
                top, "(document)", f"must be an object with 'workloads' and 'hosts', got {_type_name(data)}"
            )
        errors = [
            ErrorDetail(top, str(key), f"unknown key (known: {', '.join(sorted(_KEYS))})", data[key])
            for key in data
            if key not in _KEYS
        ]
        for key in ("workloads", "hosts"):
            if key not in data:
                errors.append(ErrorDetail(top, key, "is required"))
        try:
            fleet = cls(
                _as_list(data.get("workloads", []), "workloads", top, errors),
                _as_list(data.get("hosts", []), "hosts", top, errors),
                data.get("overheads"),
                data.get("description", ""),
                data.get("legacy_servers"),
            )
        except ValidationError as exc:
            errors.extend(_prefixed(exc.errors, source))
        if errors:
            raise ValidationError(errors)
        return fleet

    def to_dict(self) -> dict:
        """The fleet as a fleet file's object. Fields hold the values they were given (so ``"512Mi"`` stays a
        string), which makes `Fleet.from_dict` give back equal objects; fields at their defaults are left out."""
        out: dict[str, Any] = {}
        if self.description:
            out["description"] = self.description
        if self.legacy_servers is not None:
            out["legacy_servers"] = self.legacy_servers
        out["overheads"] = _overheads_dict(self.overheads)
        out["workloads"] = [_entry(w) for w in self.workloads]
        out["hosts"] = [_entry(h) for h in self.hosts]
        return out


# --- reading -------------------------------------------------------------------------------------------------------


def load_fleet(path: str | os.PathLike) -> Fleet:
    """Read a fleet file (JSON, or YAML for ``.yaml``/``.yml``). Raises `ValidationError` naming the file, entry and
    field of every problem, and `OSError` when the file cannot be read."""
    source = os.fspath(path)
    data = _parse(Path(source).read_text(encoding="utf-8"), source)
    return Fleet.from_dict(data, source)


def _parse(text: str, source: str) -> Any:
    if source.lower().endswith(_YAML_SUFFIXES):
        try:
            import yaml  # optional: only YAML fleet files need it
        except ImportError:
            raise ValidationError.single(
                source, "(file)", "is a YAML file, and reading YAML needs PyYAML (pip install pyyaml)"
            ) from None
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            position = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "(file)"
            problem = getattr(exc, "problem", None) or str(exc)
            raise ValidationError.single(source, position, f"not valid YAML: {problem}") from None
    return _parse_json(text, source)


def _parse_json(text: str, source: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError.single(
            source, f"line {exc.lineno}, column {exc.colno}", f"not valid JSON: {exc.msg}"
        ) from None


def _prefixed(details, source: str) -> list[ErrorDetail]:
    """The model's error details with the file name in front of their place."""
    if not source:
        return list(details)
    # "fleet" is the place of the file's own keys (legacy_servers, ...): the file name alone says that
    return [
        ErrorDetail(source if d.where == "fleet" else f"{source}: {d.where}", d.field, d.message, d.value)
        for d in details
    ]


_JSON_TYPE_NAMES = {dict: "an object", list: "a list", str: "a string", type(None): "null"}


def _type_name(value) -> str:
    """A value's type as a fleet file's author knows it (``"an object"``, not ``"dict"``)."""
    return _JSON_TYPE_NAMES.get(type(value), type(value).__name__)


def _as_list(value, key: str, where: str, errors: list[ErrorDetail]) -> list:
    # a mapping or a string would iterate "successfully" over its keys or characters, so both are refused here
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
        errors.append(ErrorDetail(where, key, f"must be a list of {key}, got {_type_name(value)}", value))
        return []
    return list(value)


def _entries(values, kind: str, convert, where: str, errors: list[ErrorDetail]) -> tuple:
    """Convert every entry, collecting the errors of all of them, then check that the ids are unique."""
    if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Sequence):
        errors.append(ErrorDetail(where, f"{kind}s", f"must be a sequence of {kind}s, got {_type_name(values)}"))
        return ()
    items = []
    first: dict[str, int] = {}  # id -> index of the entry that has it first, as the file counts entries
    for index, value in enumerate(values):
        try:
            item = convert(value, index)
        except ValidationError as exc:
            errors.extend(exc.errors)
            continue
        items.append(item)
        if item.id in first:
            errors.append(ErrorDetail(f"{kind} {item.id!r}", "id", f"duplicate id (also {kind} #{first[item.id]})"))
        else:
            first[item.id] = index
    return tuple(items)


def _overheads(value, errors: list[ErrorDetail]) -> Overheads:
    try:
        return as_overheads(value)
    except ValidationError as exc:
        errors.extend(exc.errors)
        return Overheads()


def _check_metadata(description, legacy_servers, where: str, errors: list[ErrorDetail]) -> None:
    if not isinstance(description, str):
        errors.append(ErrorDetail(where, "description", f"must be a string, got {_type_name(description)}"))
    if legacy_servers is not None and (
        isinstance(legacy_servers, bool) or not isinstance(legacy_servers, numbers.Integral) or legacy_servers < 0
    ):
        errors.append(
            ErrorDetail(where, "legacy_servers", f"must be a whole number of servers, got {legacy_servers!r}")
        )


# --- writing -------------------------------------------------------------------------------------------------------


def dump_fleet(fleet_or_parts, path: str | os.PathLike) -> None:
    """Write a fleet file: JSON, or YAML for ``.yaml``/``.yml`` (needs PyYAML). ``fleet_or_parts`` is a `Fleet`, a
    dict shaped like a fleet file, or a ``(workloads, hosts)`` or ``(workloads, hosts, overheads)`` sequence."""
    fleet = _as_fleet(fleet_or_parts)
    target = os.fspath(path)
    if target.lower().endswith(_YAML_SUFFIXES):
        import yaml  # optional: only YAML fleet files need it

        text = yaml.safe_dump(fleet.to_dict(), sort_keys=False, default_flow_style=None, width=120)
    else:
        text = fleet_json(fleet)
    Path(target).write_text(text, encoding="utf-8")


def fleet_json(fleet: Fleet) -> str:
    """A fleet as JSON text, one workload or host per line so that large fleets stay readable and diff well."""
    doc = fleet.to_dict()
    lines = ["{"]
    keys = list(doc)
    for n, key in enumerate(keys):
        comma = "," if n < len(keys) - 1 else ""
        value = doc[key]
        if key in ("workloads", "hosts") and value:
            lines.append(f"  {json.dumps(key)}: [")
            lines.extend(f"    {json.dumps(item)}{',' if i < len(value) - 1 else ''}" for i, item in enumerate(value))
            lines.append(f"  ]{comma}")
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _as_fleet(value) -> Fleet:
    if isinstance(value, Fleet):
        return value
    if isinstance(value, Mapping):
        return Fleet.from_dict(value)
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)) and len(value) in (2, 3):
        return Fleet(*value)
    raise TypeError(
        f"expected a Fleet, a fleet dict or (workloads, hosts[, overheads]), got {type(value).__name__}"
    )


def _plain(value, canonical):
    """A field's value as JSON can hold it: the caller's own value when it is a JSON number or string, else (for
    ``Fraction`` and the like) ``canonical()``, the validated integer size."""
    if isinstance(value, (str, bool)) or value is None:
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, float):
        return value
    return canonical()


def _entry(item: Workload | Host) -> dict:
    out: dict[str, Any] = {}
    for f in fields(item):
        value = getattr(item, f.name)
        default = f.default if f.default is not MISSING else MISSING
        if f.name != "id" and value == default:
            continue
        if f.name == "cpu":
            value = _plain(value, lambda: _cores(item.cpu_millis))
        elif f.name == "memory":
            value = _plain(value, lambda: item.memory_bytes)
        elif f.name == "extra":
            value = {str(k): _plain(v, lambda k=k: item.extra_units[k]) for k, v in value.items()}
        out[f.name] = value
    return out


def _cores(millis: int):
    return millis // 1000 if millis % 1000 == 0 else f"{millis}m"


def _overheads_dict(over: Overheads) -> dict:
    def fixed(r: Resources) -> dict:
        return {"cpu": _plain(r.cpu, lambda: _cores(r.cpu_millis)), "memory": _plain(r.memory, lambda: r.memory_bytes)}

    return {
        "vm": fixed(over.vm),
        "container": fixed(over.container),
        "hypervisor": fixed(over.hypervisor),
        "container_runtime": fixed(over.container_runtime),
        "vm_cpu_factor": dict(over.vm_cpu_factor),
    }


# --- plan files ----------------------------------------------------------------------------------------------------


def read_plan_dict(path: str | os.PathLike) -> dict:
    """A plan file's JSON object as it is, for the verifier to judge. Raises `ValidationError` naming the file when
    it is not JSON or not an object."""
    source = os.fspath(path)
    data = _parse_json(Path(source).read_text(encoding="utf-8"), source)
    if not isinstance(data, dict):
        raise ValidationError.single(source, "(document)", f"must be a plan object, got {_type_name(data)}")
    return data


def load_plan(path: str | os.PathLike) -> Plan:
    """A `Plan` from a plan file written by ``fleetpack place -o`` (or `dump_plan`)."""
    source = os.fspath(path)
    data = read_plan_dict(source)
    try:
        return Plan.from_dict(data)
    except KeyError as exc:
        raise ValidationError.single(source, str(exc.args[0]), "is required in a plan file") from None
    except (TypeError, ValueError, AttributeError) as exc:
        raise ValidationError.single(source, "(plan)", f"is not a fleetpack plan: {exc}") from None


def dump_plan(plan: Plan, path: str | os.PathLike) -> None:
    """Write a plan file (JSON)."""
    Path(os.fspath(path)).write_text(plan.to_json() + "\n", encoding="utf-8")

