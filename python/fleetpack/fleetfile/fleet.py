"""A fleet file's content (`Fleet`): reading it from JSON or YAML, checking it all at once, writing it back."""

from __future__ import annotations

import json
import numbers
import os
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping, Sequence

from ..errors import ErrorDetail, ValidationError
from ..model.entries import CheckedEntries, entry_table
from ..model.group_rules import Rule, as_rule
from ..model.hosttypes import HostType, host_types
from ..model.inputs import convert_items
from ..model.likely_mistakes import collecting
from ..model.live import check_budgets, read_drain
from ..model.objects import Host, Overheads, Resources, Workload, as_host, as_overheads, as_workload
from ..model.overbook import read_call_ratios
from ..model.textfiles import decode, parse_json, read_text, source_name
from ..plan.plan import Plan

__all__ = ["Fleet", "load_fleet", "dump_fleet", "load_overheads", "fleet_schema", "parse_document", "fleet_json"]

_KEYS = ("description", "legacy_servers", "overheads", "workloads", "hosts", "drain", "max_moves", "max_move_cost",
         "host_types", "rules", "allocation_ratio", "max_utilization")
_YAML_SUFFIXES = (".yaml", ".yml")
_CSV_SUFFIX = ".csv"


@dataclass(frozen=True)
class Fleet:
    """The content of a fleet file. ``workloads`` and ``hosts`` may be given as any sequences of the model's objects
    or of dicts, and ``overheads`` as an `Overheads`, a dict or None; they are stored as tuples and `Overheads`."""

    workloads: tuple[Workload, ...]
    hosts: tuple[Host, ...]
    overheads: Overheads = field(default_factory=Overheads)
    description: str = ""
    legacy_servers: int | None = None
    drain: tuple[str, ...] = ()
    max_moves: int | None = None
    max_move_cost: int | None = None
    host_types: tuple[HostType, ...] = ()  # kinds of host to buy (`plan_capacity`): the hosts are the existing ones
    rules: tuple[Rule, ...] = ()  # group rules over the workloads' groups (`AntiAffinity`, `Affinity`, `Spread`)
    allocation_ratio: dict[str, Any] | None = None  # the ratio of hosts without their own (`place`'s keyword)
    max_utilization: dict[str, Any] | None = None  # the usable share per dimension (`place`'s keyword)

    def __post_init__(self):
        errors: list[ErrorDetail] = []
        set_ = object.__setattr__
        with collecting():  # likely mistakes ("512m" bytes): one warning per kind for the whole fleet
            set_(self, "workloads", _entries(self.workloads, "workload", as_workload, "fleet", errors))
            set_(self, "hosts", _entries(self.hosts, "host", as_host, "fleet", errors))
        set_(self, "overheads", _overheads(self.overheads, errors))
        _check_metadata(self.description, self.legacy_servers, "fleet", errors)
        _check_live(self, errors)
        _check_host_types(self, errors)
        _check_rules(self, errors)
        problems: list = []
        read_call_ratios(self.allocation_ratio, self.max_utilization, problems)
        errors.extend(ErrorDetail("fleet", e.field, e.message, e.value) for e in problems)
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
                data.get("drain", ()),
                data.get("max_moves"),
                data.get("max_move_cost"),
                _as_list(data.get("host_types", []), "host_types", top, errors),
                _as_list(data.get("rules", []), "rules", top, errors),
                data.get("allocation_ratio"),
                data.get("max_utilization"),
            )
        except ValidationError as exc:
            errors.extend(_prefixed(exc.errors, source))
        if errors:
            raise ValidationError(errors)
        return fleet

    def live_options(self) -> dict[str, Any]:
        """The fleet's own ``drain``, ``max_moves`` and ``max_move_cost``, as ``place`` takes them."""
        return {"drain": self.drain, "max_moves": self.max_moves, "max_move_cost": self.max_move_cost}

    def ratio_options(self) -> dict[str, Any]:
        """The fleet's own ``allocation_ratio`` and ``max_utilization`` (those given), as ``place`` takes them."""
        return {key: getattr(self, key) for key in ("allocation_ratio", "max_utilization")
                if getattr(self, key) is not None}

    def place_options(self) -> dict[str, Any]:
        """What ``place`` takes from the fleet: `live_options`, its group ``rules`` when it has any, and
        `ratio_options`."""
        return {**self.live_options(), **({"rules": self.rules} if self.rules else {}), **self.ratio_options()}

    def place(self, **options) -> Plan:
        """``fleetpack.place`` on this fleet's workloads, hosts, overheads, drained hosts, move budgets, group rules
        and ratios; ``options`` as for ``place`` (they override the fleet's own)."""
        from ..api import place

        return place(self.workloads, self.hosts, overheads=self.overheads, **{**self.place_options(), **options})

    def plan_capacity(self, **options):
        """``fleetpack.plan_capacity`` of this fleet: its workloads, its ``host_types`` to buy, its hosts as the
        existing ones, its overheads, group rules and ratios; ``options`` as for ``plan_capacity`` (they override
        the fleet's own)."""
        from ..capacity import plan_capacity

        own = {**({"rules": self.rules} if self.rules else {}), **self.ratio_options()}
        return plan_capacity(self.workloads, self.host_types, self.hosts, self.overheads, **{**own, **options})

    def to_dict(self) -> dict:
        """The fleet as a fleet file's object. Fields hold the values they were given (so ``"512Mi"`` stays a
        string), which makes `Fleet.from_dict` give back equal objects; fields at their defaults are left out."""
        out: dict[str, Any] = {}
        if self.description:
            out["description"] = self.description
        if self.legacy_servers is not None:
            out["legacy_servers"] = self.legacy_servers
        if self.drain:
            out["drain"] = list(self.drain)
        for key in ("max_moves", "max_move_cost"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        out["overheads"] = _overheads_dict(self.overheads)
        out["workloads"] = [_entry(w) for w in self.workloads]
        out["hosts"] = [_entry(h) for h in self.hosts]
        if self.host_types:
            out["host_types"] = [t.to_dict() for t in self.host_types]
        if self.rules:  # (a field at its default, None, left out)
            out["rules"] = [{k: v for k, v in r.to_dict().items() if v is not None} for r in self.rules]
        out.update({key: dict(value) for key, value in self.ratio_options().items()})
        return out


# --- reading -------------------------------------------------------------------------------------------------------


def load_fleet(path: str | os.PathLike) -> Fleet:
    """Read a fleet file (JSON, or YAML for ``.yaml``/``.yml``). Raises `ValidationError` naming the file, entry and
    field of every problem, and `OSError` when the file cannot be read. ``-`` reads JSON from standard input."""
    source = source_name(path)
    if source.lower().endswith(_CSV_SUFFIX):
        raise ValidationError.single(source, "(file)", "a CSV fleet is two files, workloads and hosts: read it with "
                                                       "load_fleet_csv(workloads, hosts)")
    with collecting(source):  # one warning per kind for the file (duplicate keys, "512m" bytes, ...)
        data = parse_document(read_text(path), source)
        return Fleet.from_dict(_checked_entries(data), source)


def load_overheads(path: str | os.PathLike) -> Overheads:
    """`Overheads` from a JSON or YAML file: an overheads object, or a fleet file whose ``overheads`` it takes."""
    source = source_name(path)
    data = parse_document(read_text(path), source)
    if isinstance(data, Mapping) and "workloads" in data and "hosts" in data:
        data = data.get("overheads")
    try:
        return as_overheads(data)
    except ValidationError as exc:
        raise ValidationError(_prefixed(exc.errors, source)) from None


def fleet_schema() -> dict:
    """The JSON Schema of fleet files (draft 2020-12), as shipped in ``fleetpack/schema/fleet.schema.json``."""
    from importlib.resources import files

    return json.loads(files("fleetpack").joinpath("schema", "fleet.schema.json").read_text(encoding="utf-8"))


def parse_document(text: str, source: str) -> Any:
    """JSON text, or YAML when ``source`` ends in ``.yaml``/``.yml``; errors name ``source``, line and column."""
    if source.lower().endswith(_YAML_SUFFIXES):
        try:
            import yaml  # optional: only YAML fleet files need it
        except ImportError:
            raise ValidationError.single(
                source, "(file)", "is a YAML file, and reading YAML needs PyYAML (pip install pyyaml)"
            ) from None
        try:
            return yaml.safe_load(text)
        except RecursionError:
            raise ValidationError.single(source, "(document)", "not a fleetpack document: its YAML is nested too "
                                                               "deeply to read") from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            position = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "(file)"
            problem = getattr(exc, "problem", None) or str(exc)
            raise ValidationError.single(source, position, f"not valid YAML: {problem}") from None
    return _parse_json(text, source)


def _parse_json(text: str, source: str) -> Any:
    return parse_json(decode(text, source), source)  # (a byte-order mark dropped, as for CSV)


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
    return value if isinstance(value, CheckedEntries) else list(value)


def _entries(values, kind: str, convert, where: str, errors: list[ErrorDetail]) -> tuple:
    """Convert every entry, collecting the errors of all of them, then check that the ids are unique."""
    if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Sequence):
        errors.append(ErrorDetail(where, f"{kind}s", f"must be a sequence of {kind}s, got {_type_name(values)}"))
        return ()
    if isinstance(values, CheckedEntries):
        return values
    items, problems = convert_items(values, kind, convert)
    errors.extend(problems)
    return tuple(items)


def _checked_entries(data: Any) -> Any:
    """A parsed fleet file with its lists of entries as `CheckedEntries` where the model accepts every entry as it
    is: read as columns, their objects made only when looked at (`fleetpack.model.entries`). Only for documents
    parsed here, whose entries no one changes later; other entries are converted one by one, as before."""
    if not isinstance(data, dict):
        return data
    out = dict(data)
    for key, kind, convert in (("workloads", "workload", as_workload), ("hosts", "host", as_host)):
        entries = data.get(key)
        table = entry_table(entries, kind) if type(entries) is list else None
        if table is not None:
            out[key] = CheckedEntries(entries, table, convert)
    return out


def _overheads(value, errors: list[ErrorDetail]) -> Overheads:
    try:
        return as_overheads(value)
    except ValidationError as exc:
        errors.extend(exc.errors)
        return Overheads()


def _check_live(fleet: Fleet, errors: list[ErrorDetail]) -> None:
    """The live part against the fleet: budgets, drained hosts and current hosts that exist, no pin on a drained
    host (as `place` checks them, so that a file is refused when it is loaded)."""
    errors.extend(check_budgets(fleet.max_moves, fleet.max_move_cost, "fleet"))
    if isinstance(fleet.drain, (list, tuple)):
        object.__setattr__(fleet, "drain", tuple(str(h) if isinstance(h, int) and not isinstance(h, bool) else h
                                                 for h in fleet.drain))
    hosts, workloads = fleet.hosts, fleet.workloads
    # a fleet file's entries read as columns are checked on their columns (no object made per row)
    host_ids = hosts.table["id"].tolist() if isinstance(hosts, CheckedEntries) else [h.id for h in hosts]
    drained = read_drain(fleet.drain, host_ids, errors, "fleet")
    index = {h: j for j, h in enumerate(host_ids)}
    if isinstance(workloads, CheckedEntries):
        table = workloads.table
        if "current" not in table:
            return
        n = len(table["id"])
        rows = zip(table["id"].tolist(), table["current"].tolist(),
                   table["pinned"].tolist() if "pinned" in table else [False] * n)
    else:
        rows = ((w.id, w.current, w.pinned) for w in workloads)
    for wid, current, pinned in rows:
        if current is None:
            continue
        if current not in index:
            errors.append(ErrorDetail(f"workload {wid!r}", "current", f"unknown host {current!r} (no host has "
                                                                      "this id)", current))
        elif pinned and drained[index[current]]:
            errors.append(ErrorDetail(f"workload {wid!r}", "pinned", f"its current host {current!r} is in drain "
                                                                     "(a pinned workload must stay where it is)"))


def _check_host_types(fleet: Fleet, errors: list[ErrorDetail]) -> None:
    """The host types, each checked on its own (all problems at once), names unique."""
    if not fleet.host_types:
        object.__setattr__(fleet, "host_types", ())
        return
    try:
        object.__setattr__(fleet, "host_types", tuple(host_types(fleet.host_types, "fleet")))
    except ValidationError as exc:
        errors.extend(exc.errors)


def _check_rules(fleet: Fleet, errors: list[ErrorDetail]) -> None:
    """The group rules, each read as `fleetpack.place` reads them (all problems at once, named ``rules[k]``), and
    each naming a group that some workload is in (its ``groups`` or ``anti_affinity``)."""
    rules = fleet.rules
    if isinstance(rules, (str, bytes, Mapping)) or not isinstance(rules, Sequence):
        errors.append(ErrorDetail("fleet", "rules", f"must be a list of rules, got {_type_name(rules)}", rules))
        object.__setattr__(fleet, "rules", ())
        return
    read: dict[int, Rule] = {}
    for index, value in enumerate(rules):
        try:
            read[index] = as_rule(value, index)
        except ValidationError as exc:
            errors.extend(exc.errors)
    object.__setattr__(fleet, "rules", tuple(read.values()))
    groups = _fleet_groups(fleet.workloads) if read else set()
    for index, rule in read.items():
        if rule.group not in groups:
            errors.append(ErrorDetail(f"rules[{index}] ({rule.describe()})", "group",
                                      f"no workload is in group {rule.group!r} (its groups or anti_affinity)",
                                      rule.group))


def _fleet_groups(workloads) -> set[str]:
    """The names of the groups the workloads are in (read on the columns of a fleet file's entries)."""
    if isinstance(workloads, CheckedEntries):
        table = workloads.table
        names = {n for text in table["groups"].tolist() for n in text.split()} if "groups" in table else set()
        if "anti_affinity" in table:
            names.update(g for g in table["anti_affinity"].tolist() if g is not None)
        return names
    return {n for w in workloads for n in (*w.groups, *((w.anti_affinity,) if w.anti_affinity else ()))}


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
        if key in ("workloads", "hosts", "rules") and value:
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
        if f.name in ("labels", "taints", "tolerations", "groups"):  # (as lists and dicts, left out when empty)
            if value:
                out[f.name] = dict(value) if f.name == "labels" else list(value)
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


