"""An independent check of a purchase (`fleetpack.plan_capacity`'s `CapacityPlan`, or its ``to_dict()``).

Like `fleetpack.verify`, it imports only the errors and the model (and the placement verifier): it reads the
purchase by its shape and restates each rule here.

- every host that is not an existing one is a bought host named ``<type>-<k>`` of a known type, exactly that type's
  host (capacity, extra dimensions, OS, hypervisor, containers, cost, max_workloads); the existing hosts are all
  there, unchanged;
- per type, the hosts bought number as the purchase says (``buy``) and at most ``available``; at most
  ``max_types`` distinct types are bought;
- the stated cost is the bought hosts' costs summed (plus the used existing hosts' with ``existing_cost``);
- the placement obeys every rule of the model on the fleet (`fleetpack.verify`);
- with ``spare=k``: in every dimension, the capacity of the fleet outside its k largest failure domains holds
  the usage of every workload (per-host overheads included): the hosts alone, or with ``spare_domain`` the hosts
  sharing that label's value (a host without the label alone); a domain's capacity is all its hosts', used or
  not. (Equivalently: the free room is at least the capacity of the k largest domains.) With ratios a host's
  capacity counts at its ratio within the usable share, ``floor(floor(capacity x u) x r)``, and every demand at
  its value: the aggregate reading of the room an overcommitted fleet has;
- the placement keeps the purchase's group rules and ratios (its ``rules``, ``allocation_ratio``,
  ``max_utilization``, `fleetpack.verify`).
- the moves of a live fleet are within ``max_moves`` and ``max_move_cost`` (`fleetpack.verify`).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from .errors import ErrorDetail, ValidationError
from .model.hosttypes import host_types as read_host_types
from .model.objects import Host, Overheads, as_host, as_overheads, as_workload
from .model.units import format_amount
from .verify import Violation, verify as verify_placement

__all__ = ["verify", "verify_capacity"]

_WHERE = "verify_capacity()"
_PPM = 10**6
_OWN = ("spare", "spare_domain", "max_types", "existing_cost", "max_moves", "max_move_cost", "rules",
        "allocation_ratio", "max_utilization")


def verify(workloads: Sequence, hosts: Sequence, plan: Any, overheads=None, *, max_moves: int | None = None,
           max_move_cost: int | None = None, drain: Iterable[str] = (), rules=None, allocation_ratio=None,
           max_utilization=None, existing: Sequence = (), spare: int | None = None, max_types: int | None = None,
           existing_cost: bool | None = None, spare_domain: str | None = None) -> list[Violation]:
    """``fleetpack.verify``: the violations of ``plan`` (empty when it is valid), a placement or a purchase.

    A placement (a `Plan`, its ``to_dict()`` or ``{workload_id: (host_id, form)}``) is checked on ``hosts`` by
    `fleetpack.verify.verify` (its docstring has the rules and keywords). A purchase (`fleetpack.plan_capacity`'s
    `CapacityPlan`, or its ``to_dict()``) is checked by `verify_capacity`: ``hosts`` are then the host types it
    bought from, ``existing`` the hosts it had, and ``spare``, ``max_types``, ``existing_cost`` and
    ``spare_domain`` (like the budgets, rules and ratios) default to the purchase's own."""
    if _is_purchase(plan):
        if list(drain):
            raise ValidationError.single("verify()", "drain", "is for a placement: a purchase drains no host",
                                         list(drain))
        return verify_capacity(workloads, hosts, plan, existing, overheads, spare=spare, max_types=max_types,
                               existing_cost=existing_cost, spare_domain=spare_domain, max_moves=max_moves,
                               max_move_cost=max_move_cost, rules=rules, allocation_ratio=allocation_ratio,
                               max_utilization=max_utilization)
    given = {"existing": list(existing) or None, "spare": spare, "max_types": max_types,
             "existing_cost": existing_cost, "spare_domain": spare_domain}
    wrong = [name for name, value in given.items() if value is not None]
    if wrong:
        raise ValidationError([ErrorDetail("verify()", name, "is for a purchase (a CapacityPlan); this plan is a "
                                           "placement", given[name]) for name in wrong])
    return verify_placement(workloads, hosts, plan, overheads, max_moves=max_moves, max_move_cost=max_move_cost,
                            drain=drain, rules=rules, allocation_ratio=allocation_ratio,
                            max_utilization=max_utilization)


def _is_purchase(plan: Any) -> bool:
    """A `CapacityPlan` or its ``to_dict()``: both carry a ``buy`` mapping, which no placement has (in a plain
    ``{workload_id: (host_id, form)}``, a workload named ``buy`` maps to a pair or None)."""
    if isinstance(plan, Mapping):
        return isinstance(plan.get("buy"), Mapping)
    return hasattr(plan, "buy") and hasattr(plan, "plan")


def verify_capacity(workloads: Sequence, host_types: Sequence, purchase: Any, existing: Sequence = (),
                    overheads=None, *, spare: int | None = None, max_types: int | None = None,
                    existing_cost: bool | None = None, spare_domain: str | None = None,
                    max_moves: int | None = None, max_move_cost: int | None = None, rules=None,
                    allocation_ratio=None, max_utilization=None) -> list[Violation]:
    """Check a purchase; return the violations found (empty when it is valid). ``purchase`` is a `CapacityPlan`
    or its ``to_dict()``; ``spare``, ``spare_domain``, ``max_types``, ``existing_cost``, ``max_moves``,
    ``max_move_cost``, ``rules`` (group rules), ``allocation_ratio`` and ``max_utilization`` default to the
    purchase's own."""
    types = {t.name: t for t in read_host_types(host_types, _WHERE)}
    ws = [as_workload(w, k) for k, w in enumerate(workloads)]
    ex = [as_host(h, k) for k, h in enumerate(existing)]
    over = as_overheads(overheads)
    buy, fleet, plan, stated_cost, own = _read(purchase, ex)
    spare = own.get("spare", 0) if spare is None else spare
    max_types = own.get("max_types") if max_types is None else max_types
    existing_cost = bool(own.get("existing_cost", False)) if existing_cost is None else existing_cost
    spare_domain = own.get("spare_domain") if spare_domain is None else spare_domain
    max_moves = own.get("max_moves") if max_moves is None else max_moves
    max_move_cost = own.get("max_move_cost") if max_move_cost is None else max_move_cost
    rules = own.get("rules") if rules is None else rules
    allocation_ratio = own.get("allocation_ratio") if allocation_ratio is None else allocation_ratio
    max_utilization = own.get("max_utilization") if max_utilization is None else max_utilization
    if isinstance(spare, bool) or not isinstance(spare, numbers.Integral) or spare < 0:
        raise ValidationError.single(_WHERE, "spare", f"must be a whole number >= 0, got {spare!r}", spare)
    if spare_domain is not None and (not isinstance(spare_domain, str) or not spare_domain):
        raise ValidationError.single(_WHERE, "spare_domain", "must be a label key (a non-empty string) or None, "
                                     f"got {spare_domain!r}", spare_domain)
    out: list[Violation] = []
    existing_ids = {h.id for h in ex}
    by_id = {h.id: h for h in fleet}
    for h in ex:
        if h.id not in by_id:
            out.append(Violation("existing", f"existing host {h.id!r} is missing from the purchase's fleet", h.id))
        elif by_id[h.id].to_dict() != h.to_dict():
            out.append(Violation("existing", f"existing host {h.id!r} was changed in the purchase's fleet", h.id))
    counts: dict[str, int] = {}
    bought_cost = 0.0
    for h in fleet:
        if h.id in existing_ids:
            continue
        name, _, k = h.id.rpartition("-")
        t = types.get(name)
        if t is None or not k.isdigit() or int(k) < 1:
            out.append(Violation("host_type", f"host {h.id!r} is neither an existing host nor a bought one named "
                                 "<type>-<k> of a known type", h.id))
            continue
        if t.host(h.id).to_dict() != h.to_dict():
            out.append(Violation("host_type", f"host {h.id!r} is not a host of type {name!r}", h.id))
        counts[name] = counts.get(name, 0) + 1
        bought_cost += t.cost
    for name, count in counts.items():
        t = types[name]
        if t.available is not None and count > t.available:
            out.append(Violation("available", f"{count} hosts of type {name!r} bought, {t.available} available"))
    stated = {k: v for k, v in buy.items() if v}
    if stated != counts:
        out.append(Violation("buy", f"the purchase says {stated} but its fleet has {counts}"))
    if max_types is not None and len(counts) > max_types:
        out.append(Violation("max_types", f"{len(counts)} types bought ({', '.join(counts)}), at most {max_types}"))
    out.extend(verify_placement(ws, fleet, plan, over, max_moves=max_moves, max_move_cost=max_move_cost,
                      rules=list(rules) if rules else None, allocation_ratio=allocation_ratio,
                      max_utilization=max_utilization))
    placed = _placed(plan)
    if existing_cost:
        bought_cost += sum(h.cost for h in ex if h.id in {host for host, _ in placed.values()})
    if stated_cost is not None and not math.isclose(stated_cost, bought_cost, rel_tol=1e-9, abs_tol=1e-9):
        out.append(Violation("cost", f"the purchase says it costs {stated_cost:g}, its hosts cost {bought_cost:g}"))
    if spare:
        out.extend(_check_spare(ws, fleet, placed, over, int(spare), spare_domain,
                                _ppm_of(allocation_ratio), _ppm_of(max_utilization)))
    return out


def _read(purchase: Any, ex: list[Host]):
    """(buy, fleet hosts, plan, stated cost, own options) of a `CapacityPlan` or of its dict."""
    if isinstance(purchase, Mapping):
        try:
            bought = [as_host(h, k) for k, h in enumerate(purchase["hosts"])]
            return (dict(purchase["buy"]), [*ex, *bought], purchase["plan"], purchase.get("cost"),
                    {k: purchase.get(k) for k in _OWN if k in purchase})
        except (KeyError, TypeError) as exc:
            raise ValidationError.single(_WHERE, "purchase", "expected a CapacityPlan or its to_dict() (keys "
                                         f"'buy', 'hosts', 'plan'), got a dict without {exc}") from None
    if all(hasattr(purchase, a) for a in ("buy", "hosts", "plan", "cost")):
        return (dict(purchase.buy), list(purchase.hosts), purchase.plan, purchase.cost,
                {k: getattr(purchase, k) for k in _OWN if hasattr(purchase, k)})
    raise ValidationError.single(_WHERE, "purchase", "expected a CapacityPlan or its to_dict(), got "
                                 f"{type(purchase).__name__}", purchase)


def _placed(plan: Any) -> dict[str, tuple[str, str]]:
    """workload id -> (host id, form) as the plan says."""
    if isinstance(plan, Mapping):
        return {a["workload"]: (a["host"], a["form"]) for a in plan.get("assignments", ())}
    return {a.workload: (a.host, a.form) for a in plan.assignments}


def _ppm_of(given) -> dict[str, int]:
    """A call's ratios or shares (validated by `verify`) in parts per million."""
    return {d: round(Fraction(x) * _PPM) for d, x in (given or {}).items()
            if isinstance(x, numbers.Real) and not isinstance(x, bool)}


def _check_spare(ws, fleet: list[Host], placed, over: Overheads, k: int, key: str | None,
                 call_ratio: Mapping[str, int], usable: Mapping[str, int]) -> list[Violation]:
    by_id = {w.id: w for w in ws}
    dims = ("cpu", "memory", *sorted({d for x in (*ws, *fleet) for d in x.extra_units}))  # type: ignore[attr-defined]
    usage = {h.id: dict.fromkeys(dims, 0) for h in fleet}
    forms: dict[str, set[str]] = {h.id: set() for h in fleet}
    hosts = {h.id: h for h in fleet}
    for wid, (hid, form) in placed.items():
        w, h = by_id.get(wid), hosts.get(hid)
        if w is None or h is None:
            continue  # (reported by verify)
        if form == "container":
            cpu = w.cpu_millis + over.container.cpu_millis  # type: ignore[attr-defined]
            memory = w.memory_bytes + over.container.memory_bytes  # type: ignore[attr-defined]
        else:
            ppm = _PPM if h.hypervisor is None else round(over.vm_cpu_factor[h.hypervisor] * _PPM)
            cpu = -(-w.cpu_millis * ppm // _PPM) + over.vm.cpu_millis  # type: ignore[attr-defined]
            memory = w.memory_bytes + over.vm.memory_bytes  # type: ignore[attr-defined]
        usage[hid]["cpu"] += cpu
        usage[hid]["memory"] += memory
        for d, units in w.extra_units.items():  # type: ignore[attr-defined]
            usage[hid][d] += units
        forms[hid].add(form)
    for hid, kinds in forms.items():
        for form, fixed in (("vm", over.hypervisor), ("container", over.container_runtime)):
            if form in kinds:
                usage[hid]["cpu"] += fixed.cpu_millis  # type: ignore[attr-defined]
                usage[hid]["memory"] += fixed.memory_bytes  # type: ignore[attr-defined]
    domain = {h.id: (h.labels[key] if key is not None and key in h.labels else None) for h in fleet}
    lost_what = "hosts" if key is None else f"domains of label {key!r}"
    out = []
    for d in dims:
        by_domain: dict[Any, int] = {}
        for h in fleet:  # a host without the label: a domain of its own
            name = ("label", domain[h.id]) if domain[h.id] is not None else ("host", h.id)
            by_domain[name] = by_domain.get(name, 0) + _rated(h, d, call_ratio, usable)
        largest = sorted(by_domain.values(), reverse=True)[:k]
        left = sum(by_domain.values()) - sum(largest)
        total = sum(usage[h.id][d] for h in fleet)
        if left < total:
            out.append(Violation("spare", f"spare={k}: after losing the {len(largest)} largest {lost_what}, the "
                                 f"{d} left {format_amount(d, left)} is less than the workloads' "
                                 f"{format_amount(d, total)}"))
    return out


def _rated(h: Host, d: str, call_ratio: Mapping[str, int], usable: Mapping[str, int]) -> int:
    """The host's capacity in ``d`` as the spare room counts it: at its ratio (its own, else the call's), within the
    usable share, ``floor(floor(capacity x u) x r)``; without ratios its capacity."""
    own = h.ratio_ppm or {}  # type: ignore[attr-defined]
    r = own.get(d, call_ratio.get(d, _PPM))
    return _capacity(h, d) * usable.get(d, _PPM) // _PPM * r // _PPM


def _capacity(h: Host, d: str) -> int:
    if d == "cpu":
        return h.cpu_millis  # type: ignore[attr-defined]
    if d == "memory":
        return h.memory_bytes  # type: ignore[attr-defined]
    return h.extra_units.get(d, 0)  # type: ignore[attr-defined]
