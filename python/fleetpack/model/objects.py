"""The model: workloads, hosts and overheads, validated on construction.

Fields keep what the caller gave (so ``dataclasses.replace`` works); after validation the integer sizes the rules use
are ``cpu_millis`` (millicores), ``memory_bytes`` (bytes) and ``extra_units`` (whole units per extra dimension).
Demands (workloads, overheads) are rounded up and capacities (hosts) down.
Constructors accept numbers and Kubernetes-style quantity strings: CPU given as a number is cores, memory as a number
is bytes (``Workload("a", cpu=0.5, memory="512Mi")``).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field, fields, replace
from collections.abc import Mapping
from typing import Any, Literal, get_args

from ..errors import ErrorDetail, ValidationError
from .eligibility import read_keys, read_labels, read_selector
from .group_rules import read_groups
from .likely_mistakes import note_quantity
from .units import MAX_QUANTITY, QuantityError, format_cpu, format_memory, to_units

__all__ = [
    "Form",
    "Isolation",
    "Hypervisor",
    "FORMS",
    "PLACED_FORMS",
    "ISOLATIONS",
    "HYPERVISORS",
    "Resources",
    "Overheads",
    "Workload",
    "Host",
    "as_workload",
    "as_host",
    "as_overheads",
    "gather_overheads",
]

#: What a workload may run as (``"any"``: fleetpack chooses).
Form = Literal["any", "vm", "container"]
#: Who a workload may share its host with (see `Workload`).
Isolation = Literal["none", "tenant", "dedicated"]
#: A host's kind of virtualisation (None in `Host.hypervisor`: it runs no VMs).
Hypervisor = Literal["hardware", "paravirtual", "software"]
FORMS: tuple[Form, ...] = get_args(Form)
#: The forms a workload runs in (its ``current_form``, a plan's forms).
PLACED_FORMS = ("container", "vm")
ISOLATIONS: tuple[Isolation, ...] = get_args(Isolation)
HYPERVISORS: tuple[Hypervisor, ...] = get_args(Hypervisor)

# Units per unit of input for each named dimension: CPU numbers are cores (1000 millicores), memory numbers bytes.
_SCALE = {"cpu": 1000, "memory": 1}
#: The largest host cost (as in the core): sums of costs over any fleet stay finite.
MAX_COST = float(2**53)
_GI, _MI = 2**30, 2**20


class _Errors:
    """Collects the problems of one object so that all of them are reported at once."""

    def __init__(self, where: str):
        self.where = where
        self.items: list[ErrorDetail] = []

    def add(self, field_name: str, message: str, value: Any = None) -> None:
        self.items.append(ErrorDetail(self.where, field_name, message, value))

    def quantity(self, field_name: str, value, dimension: str, *, round_up: bool) -> int:
        try:
            units = to_units(value, _SCALE.get(dimension, 1), round_up=round_up)
        except QuantityError as exc:
            self.add(field_name, str(exc), value)
            return 0
        if isinstance(value, (str, float)) and dimension in ("cpu", "memory"):
            note_quantity(self.where, field_name, value, dimension)  # "512m" bytes, "2Gi" cores: likely mistakes
        return units

    def choice(self, field_name: str, value, allowed: tuple[str, ...]) -> Any:
        if not isinstance(value, str) or value not in allowed:
            self.add(field_name, f"must be one of {', '.join(map(repr, allowed))}, got {value!r}", value)
        return value

    def text(self, field_name: str, value, *, allow_empty: bool) -> Any:
        if not isinstance(value, str):
            self.add(field_name, f"must be a string, got {type(value).__name__}", value)
        elif not allow_empty and not value:
            self.add(field_name, "must not be empty", value)
        return value

    def extra(self, value, *, round_up: bool) -> dict[str, int]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self.add("extra", f"must be a mapping of dimension name to amount, got {type(value).__name__}", value)
            return {}
        result = {}
        for name, amount in value.items():
            if not isinstance(name, str) or not name:
                self.add("extra", f"dimension names must be non-empty strings, got {name!r}", name)
            elif name in ("cpu", "memory"):
                self.add(f"extra.{name}", f"{name!r} is a field of its own, not an extra dimension", amount)
            else:
                result[name] = self.quantity(f"extra.{name}", amount, name, round_up=round_up)
        return result

    def raise_if_any(self) -> None:
        if self.items:
            raise ValidationError(self.items)


def _key_name(key) -> str:
    """A mapping's key as a field name in an error: as it is when it is a name, quoted when it is empty or no text."""
    return key if isinstance(key, str) and key.strip() == key and key else repr(key)


def _describe(kind: str, ident) -> str:
    return f"{kind} {ident!r}" if isinstance(ident, str) and ident else f"{kind} {ident!r}"


def _check_id(errors: _Errors, ident) -> str:
    if isinstance(ident, bool) or not isinstance(ident, (str, numbers.Integral)):
        errors.add("id", f"must be a non-empty string, got {type(ident).__name__}", ident)
        return ident
    ident = str(ident)
    if not ident:
        errors.add("id", "must not be empty", ident)
    return ident


@dataclass(frozen=True)
class Resources:
    """A fixed CPU and memory amount, such as a guest OS's memory. CPU in millicores, memory in bytes."""

    cpu: int = 0
    memory: int = 0

    def __post_init__(self):
        errors = _Errors("overheads")
        object.__setattr__(self, "cpu_millis", errors.quantity("cpu", self.cpu, "cpu", round_up=True))
        object.__setattr__(self, "memory_bytes", errors.quantity("memory", self.memory, "memory", round_up=True))
        errors.raise_if_any()

    def __str__(self) -> str:
        return f"cpu {format_cpu(self.cpu_millis)}, memory {format_memory(self.memory_bytes)}"


def _resources(errors: _Errors, name: str, value) -> Resources:
    if isinstance(value, Resources):
        return value
    if isinstance(value, Mapping):
        unknown = set(value) - {"cpu", "memory"}
        for key in sorted(map(str, unknown)):
            errors.add(f"{name}.{_key_name(key)}", "unknown field (a fixed overhead has 'cpu' and 'memory')", value)
        try:
            return Resources(value.get("cpu", 0), value.get("memory", 0))
        except ValidationError as exc:
            for e in exc.errors:
                errors.add(f"{name}.{e.field}", e.message, e.value)
            return Resources()
    errors.add(name, f"must be a Resources or a dict with 'cpu' and 'memory', got {type(value).__name__}", value)
    return Resources()


_DEFAULT_FACTORS: dict[Hypervisor, float] = {"hardware": 1.03, "paravirtual": 1.05, "software": 1.30}


@dataclass(frozen=True)
class Overheads:
    """What running a workload as a VM or a container costs beyond the workload itself.

    - ``vm``: per VM, a fixed amount (default memory 512Mi: the guest OS);
    - ``vm_cpu_factor``: a VM's CPU demand is multiplied by the factor of its host's hypervisor (defaults hardware
      1.03, paravirtual 1.05, software 1.30); a partial dict overrides only the kinds it names;
    - ``container``: per container (default memory 16Mi);
    - ``hypervisor``: per host that runs at least one VM (default memory 1Gi);
    - ``container_runtime``: per host that runs at least one container (default cpu 100m, memory 256Mi).

    ``Overheads.none()`` zeroes every amount and sets every factor to 1.
    """

    vm: Any = field(default_factory=lambda: Resources(0, 512 * _MI))
    container: Any = field(default_factory=lambda: Resources(0, 16 * _MI))
    hypervisor: Any = field(default_factory=lambda: Resources(0, _GI))
    container_runtime: Any = field(default_factory=lambda: Resources("100m", 256 * _MI))
    vm_cpu_factor: Mapping[Hypervisor, float] | None = None

    def __post_init__(self):
        errors = _Errors("overheads")
        for name in ("vm", "container", "hypervisor", "container_runtime"):
            object.__setattr__(self, name, _resources(errors, name, getattr(self, name)))
        factors = dict(_DEFAULT_FACTORS)
        given = self.vm_cpu_factor if self.vm_cpu_factor is not None else {}
        if not isinstance(given, Mapping):
            errors.add("vm_cpu_factor", f"must be a dict of hypervisor kind to factor, got {type(given).__name__}", given)
            given = {}
        for kind, factor in given.items():
            key = f"vm_cpu_factor.{kind}"
            if kind not in HYPERVISORS:
                errors.add(key, f"unknown hypervisor kind (one of {', '.join(map(repr, HYPERVISORS))})", kind)
            elif isinstance(factor, bool) or not isinstance(factor, numbers.Real):
                errors.add(key, f"must be a number, got {type(factor).__name__}", factor)
            elif not math.isfinite(float(factor)):
                errors.add(key, f"must be finite, got {factor!r}", factor)
            elif factor < 0:
                errors.add(key, f"must not be negative, got {factor!r}", factor)
            elif factor > 1000:
                errors.add(key, f"must be at most 1000, got {factor!r}", factor)
            else:
                factors[kind] = float(factor)
        object.__setattr__(self, "vm_cpu_factor", factors)
        errors.raise_if_any()

    @classmethod
    def none(cls) -> "Overheads":
        """No overhead at all: VMs and containers cost exactly their workload."""
        zero = Resources()
        return cls(zero, zero, zero, zero, {kind: 1.0 for kind in HYPERVISORS})

    def factor_ppm(self, hypervisor: Hypervisor) -> int:
        """The VM CPU factor of a hypervisor kind in parts per million, as the rules use it."""
        return round(self.vm_cpu_factor[hypervisor] * 10**6)

    def to_dict(self) -> dict:
        def fixed(r: Resources) -> dict:
            return {"cpu": format_cpu(r.cpu_millis), "memory": r.memory_bytes}

        return {
            "vm": fixed(self.vm),
            "container": fixed(self.container),
            "hypervisor": fixed(self.hypervisor),
            "container_runtime": fixed(self.container_runtime),
            "vm_cpu_factor": dict(self.vm_cpu_factor),
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> "Overheads":
        return as_overheads(data)


@dataclass(frozen=True)
class Workload:
    """Something to run: as a VM, as a container, or either (``form="any"``: fleetpack chooses).

    ``isolation``: ``"none"``; ``"tenant"`` (as a container it shares a host only with containers of its own
    ``tenant``; VMs beside it are fine); ``"dedicated"`` (alone on its host). Workloads with the same
    ``anti_affinity`` group never share a host.

    In a live fleet, ``current`` is the id of the host it runs on now (None: a new workload) and ``current_form``
    the form it runs in there (None: only its host counts); ``pinned=True`` keeps it there. Ending anywhere else,
    in another form or unplaced is a move, of cost ``move_cost`` (a number or quantity; default its memory in
    bytes, which a live migration copies).

    ``selector`` restricts the hosts it may run on by their ``labels`` (``{"zone": ["a", "b"], "licence":
    "oracle"}``: every key must match; a list is one of; None: the label exists; ``{"not_in": [...]}``,
    ``{"exists": False}``); ``tolerations`` are the taint keys it tolerates (a host with taints takes only workloads
    that tolerate every one). `fleetpack.model.eligibility` has the rules. ``groups`` are the names of the groups
    it is a member of, which rules (`AntiAffinity`, `Affinity`, `Spread`) refer to (`fleetpack.model.group_rules`).
    """

    id: str
    cpu: Any = 0
    memory: Any = 0
    extra: Any = None
    form: Form = "any"
    os: str = "linux"
    tenant: str = ""
    isolation: Isolation = "none"
    anti_affinity: str | None = None
    current: str | None = None
    current_form: Literal["vm", "container"] | None = None
    pinned: bool = False
    move_cost: Any = None
    selector: Any = field(default=None, hash=False)
    tolerations: Any = ()
    groups: Any = ()

    def __post_init__(self):
        errors = _Errors(_describe("workload", self.id))
        set_ = object.__setattr__
        set_(self, "id", _check_id(errors, self.id))
        set_(self, "cpu_millis", errors.quantity("cpu", self.cpu, "cpu", round_up=True))
        set_(self, "memory_bytes", errors.quantity("memory", self.memory, "memory", round_up=True))
        set_(self, "extra_units", errors.extra(self.extra, round_up=True))
        errors.choice("form", self.form, FORMS)
        errors.text("os", self.os, allow_empty=False)
        if isinstance(self.os, str):
            set_(self, "os", self.os.lower())
        errors.text("tenant", self.tenant, allow_empty=True)
        errors.choice("isolation", self.isolation, ISOLATIONS)
        if self.anti_affinity is not None:
            errors.text("anti_affinity", self.anti_affinity, allow_empty=False)
        _check_live(errors, self)
        set_(self, "selector_terms", read_selector(errors.add, self.selector))
        set_(self, "tolerations", read_keys(errors.add, "tolerations", self.tolerations))
        set_(self, "groups", read_groups(errors.add, self.groups))
        errors.raise_if_any()

    def to_dict(self) -> dict:
        return _to_dict(self)


def _check_live(errors: _Errors, w: Workload) -> None:
    """The live-fleet fields of a workload, on their own (whether ``current`` names a host of the fleet is checked
    with the fleet, `fleetpack.model.live`)."""
    set_ = object.__setattr__
    if w.current is not None:
        if isinstance(w.current, bool) or not isinstance(w.current, (str, numbers.Integral)) or w.current == "":
            errors.add("current", f"must be a host id (a non-empty string) or None, got {w.current!r}", w.current)
        else:
            set_(w, "current", str(w.current))
    if w.current_form is not None:
        if w.current_form not in PLACED_FORMS:
            errors.add("current_form", f"must be one of 'vm', 'container', None, got {w.current_form!r}",
                       w.current_form)
        elif w.form in PLACED_FORMS and w.current_form != w.form:
            errors.add("current_form", f"is {w.current_form!r} but the workload's form is {w.form!r}", w.current_form)
        elif w.current is None:
            errors.add("current_form", "is given without a current host", w.current_form)
    if not isinstance(w.pinned, bool):
        errors.add("pinned", f"must be True or False, got {w.pinned!r}", w.pinned)
    elif w.pinned and w.current is None:
        errors.add("pinned", "a pinned workload needs a current host (pinned=True without current)", w.pinned)
    if w.move_cost is None:
        set_(w, "move_cost_units", getattr(w, "memory_bytes", 0))
    else:
        set_(w, "move_cost_units", errors.quantity("move_cost", w.move_cost, "move_cost", round_up=True))


@dataclass(frozen=True)
class Host:
    """A machine. ``hypervisor`` is ``"hardware"`` (VT-x/AMD-V), ``"paravirtual"``, ``"software"`` or None (runs no
    VMs); ``containers`` says whether it runs containers on its own kernel (of its ``os``). A dimension the host does
    not list has capacity 0. ``max_workloads`` caps how many workloads it holds (None: no cap). ``labels`` (text to
    text) are what workloads' selectors match; ``taints`` (keys) keep off every workload that does not tolerate
    them all."""

    id: str
    cpu: Any = 0
    memory: Any = 0
    extra: Any = None
    os: str = "linux"
    hypervisor: Hypervisor | None = "hardware"
    containers: bool = True
    cost: float = 1.0
    max_workloads: int | None = None
    labels: Any = field(default_factory=dict, hash=False)
    taints: Any = ()

    def __post_init__(self):
        errors = _Errors(_describe("host", self.id))
        set_ = object.__setattr__
        set_(self, "id", _check_id(errors, self.id))
        set_(self, "cpu_millis", errors.quantity("cpu", self.cpu, "cpu", round_up=False))
        set_(self, "memory_bytes", errors.quantity("memory", self.memory, "memory", round_up=False))
        set_(self, "extra_units", errors.extra(self.extra, round_up=False))
        errors.text("os", self.os, allow_empty=False)
        if isinstance(self.os, str):
            set_(self, "os", self.os.lower())
        if self.hypervisor is not None:
            errors.choice("hypervisor", self.hypervisor, HYPERVISORS + (None,))
        if not isinstance(self.containers, bool):
            errors.add("containers", f"must be True or False, got {self.containers!r}", self.containers)
        cost = self.cost
        if isinstance(cost, bool) or not isinstance(cost, numbers.Real):
            errors.add("cost", f"must be a number, got {type(cost).__name__}", cost)
        elif not isinstance(cost, numbers.Integral) and not math.isfinite(float(cost)):
            # (an int is compared as it is: one too large for a float would overflow float())
            errors.add("cost", f"must be finite, got {cost!r}", cost)
        elif cost < 0:
            errors.add("cost", f"must not be negative, got {cost!r}", cost)
        elif cost > MAX_COST:
            errors.add("cost", f"must be at most 2**53, got {cost!r}", cost)
        else:
            set_(self, "cost", float(cost))
        cap = self.max_workloads
        if cap is not None:
            if isinstance(cap, float) and cap.is_integer() and cap >= 0:
                cap = int(cap)  # then checked as an int (a float past 2**53 too)
            if isinstance(cap, bool) or not isinstance(cap, numbers.Integral):
                errors.add("max_workloads", f"must be a whole number or None, got {cap!r}", cap)
            elif cap < 0:
                errors.add("max_workloads", f"must not be negative, got {cap!r}", cap)
            elif cap > MAX_QUANTITY:
                errors.add("max_workloads", f"is too large ({cap})", cap)
            else:
                set_(self, "max_workloads", int(cap))
        set_(self, "labels", read_labels(errors.add, self.labels))
        set_(self, "taints", read_keys(errors.add, "taints", self.taints))
        errors.raise_if_any()

    def to_dict(self) -> dict:
        return _to_dict(self)


def _to_dict(item) -> dict:
    """A JSON-ready dict in canonical units (CPU as cores or millicores, memory in bytes) that rebuilds the item."""
    out = {"id": item.id, "cpu": format_cpu(item.cpu_millis), "memory": item.memory_bytes}
    if item.extra_units:
        out["extra"] = dict(item.extra_units)
    for f in fields(item)[4:]:
        value = getattr(item, f.name)
        if f.name in ("labels", "taints", "tolerations", "groups"):
            if value:
                out[f.name] = dict(value) if f.name == "labels" else list(value)
        elif value != f.default:
            out[f.name] = value
    return out


def _from_mapping(cls, kind: str, data: Mapping, index: int):
    names = {f.name for f in fields(cls)}
    ident = data.get("id", f"#{index}")
    where = _describe(kind, ident) if "id" in data else f"{kind} #{index}"
    problems = [
        ErrorDetail(where, _key_name(key), f"unknown field (known: {', '.join(sorted(names))})", data[key])
        for key in data
        if key not in names
    ]
    if "id" not in data:
        problems.append(ErrorDetail(where, "id", "is required"))
    if problems:
        # still check the known fields, so that their problems are reported in the same error
        known = {key: value for key, value in data.items() if key in names}
        try:
            cls(**{"id": "-", **known})
        except ValidationError as exc:
            problems.extend(e if "id" in data else replace(e, where=where) for e in exc.errors)
        raise ValidationError(problems)
    return cls(**data)


def as_workload(value, index: int = 0) -> Workload:
    """A `Workload` from a Workload or a dict with the same keys."""
    if isinstance(value, Workload):
        return value
    if isinstance(value, Mapping):
        return _from_mapping(Workload, "workload", value, index)
    raise ValidationError.single(f"workload #{index}", "(item)", f"expected a Workload or a dict, got {type(value).__name__}")


def as_host(value, index: int = 0) -> Host:
    """A `Host` from a Host or a dict with the same keys."""
    if isinstance(value, Host):
        return value
    if isinstance(value, Mapping):
        return _from_mapping(Host, "host", value, index)
    raise ValidationError.single(f"host #{index}", "(item)", f"expected a Host or a dict, got {type(value).__name__}")


def gather_overheads(value, problems: list) -> Overheads | None:
    """`as_overheads`, its problems added to ``problems`` instead of raised (None then): for the callers that report
    every problem of a call at once."""
    try:
        return as_overheads(value)
    except ValidationError as exc:
        problems.extend(exc.errors)
        return None


def as_overheads(value) -> Overheads:
    """`Overheads` from None (the defaults), an Overheads, or a dict of its fields."""
    if value is None:
        return Overheads()
    if isinstance(value, Overheads):
        return value
    if isinstance(value, Mapping):
        known = {f.name for f in fields(Overheads)}
        unknown = [k for k in value if k not in known]
        if unknown:
            problems = [
                ErrorDetail("overheads", _key_name(k), f"unknown field (known: {', '.join(sorted(known))})")
                for k in unknown
            ]
            try:  # the known fields too, so that all problems are reported at once
                Overheads(**{k: v for k, v in value.items() if k in known})
            except ValidationError as exc:
                problems.extend(exc.errors)
            raise ValidationError(problems)
        return Overheads(**value)
    raise ValidationError.single("overheads", "(value)", f"expected Overheads, a dict or None, got {type(value).__name__}")
