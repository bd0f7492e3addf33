"""An independent checker: does a plan obey every placement rule?

``verify(workloads, hosts, plan, overheads)`` lists each rule a plan breaks as a `Violation`. It restates the rules
here on its own and shares no code with any solver (not ``rules``, ``problem``, ``reasons``, ``baseline`` nor the
Rust core), so that a mistake in a solver's arithmetic cannot also hide in the check of its answer.

The rules, with every size an exact integer (CPU in millicores, memory in bytes, extra dimensions in units):

- a workload's demand as a container is its CPU and memory plus the per-container overhead; as a VM it is its CPU
  times its host's hypervisor factor (in parts per million, rounded up) plus the per-VM overhead, and its memory
  plus the per-VM overhead. Extra dimensions carry no overhead;
- a host pays the hypervisor overhead once if it runs any VM and the container-runtime overhead once if it runs any
  container; with these, its workloads must fit its capacity in every dimension (0 in a dimension it does not list);
- a host holds at most ``max_workloads`` workloads, and at most one workload of each anti-affinity group;
- a VM needs a host with a hypervisor; a container needs a host that runs containers, of the workload's OS;
- a workload whose ``form`` is not ``"any"`` runs in that form;
- a tenant-isolated container shares its host only with containers of its own tenant (VMs beside it are fine);
- a dedicated workload is alone on its host;
- a workload with a ``selector`` runs on a host whose ``labels`` meet every key of it (a value: equal; a list: one
  of; None: the label exists; ``{"in": [...]}``, ``{"not_in": [...]}``: the label is missing or another value;
  ``{"exists": bool}``), and a host with ``taints`` holds only workloads whose ``tolerations`` list all of them;
- the group rules (``rules``: anti-affinity, affinity and spread per domain, hard or soft), as
  `fleetpack.verify_groups` restates them.
- with allocation ratios (a host's ``allocation_ratio``, else the call's) or a ``max_utilization``, per host and
  dimension: the physical room ``floor(capacity × max_utilization)`` less the once-per-host overheads less the
  demand of the workloads with ``overcommit=False``, times the ratio and rounded down, holds the demand of the
  others; and no workload's demand exceeds the host's capacity (``max_unit``).

In a live fleet (workloads with a ``current`` host; ``drain``, ``max_moves``, ``max_move_cost``):

- a pinned workload stays on its current host, in its ``current_form`` when given;
- a drained host ends empty;
- a workload with a current host moves when it ends on another host, in another form than its ``current_form``
  (when given), or unplaced; the moves number at most ``max_moves`` and their ``move_cost`` sums to at most
  ``max_move_cost``. The moves are worked out here from the workloads and the plan's assignment, never read from
  the plan's own list.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from typing import Any, Protocol, runtime_checkable

from .errors import ErrorDetail, ValidationError
from .model.inputs import FirstSeen
from .model.live import check_budgets, read_drain
from .model.objects import Host, Overheads, Workload, as_host, as_overheads, as_workload
from .model.overbook import read_call_ratios
from .model.units import format_amount
from .verify_groups import group_violations, plan_rules, read_verify_rules, stated_penalty

__all__ = ["Violation", "verify"]

_FORMS = ("vm", "container")
_PPM = 10**6
_WHERE = "verify()"


@dataclass(frozen=True)
class Violation:
    """One broken rule. ``rule`` is a short code (``"capacity"``, ``"anti_affinity"``, ...), ``message`` says what
    is wrong in words, and ``host`` / ``workload`` name what it concerns where that applies."""

    rule: str
    message: str
    host: str | None = None
    workload: str | None = None

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class _Entry:
    """One line of a plan as given, before any check: workload, host and form exactly as the plan spells them."""

    workload: object
    host: object
    form: object


@dataclass(frozen=True)
class _Placed:
    """A plan line that names a known workload, a known host and a known form."""

    index: int  # the workload's position in the input, so that reports follow input order
    workload: Workload
    host: Host
    form: str


def verify(workloads: Sequence, hosts: Sequence, plan, overheads=None, *, max_moves: int | None = None,
           max_move_cost: int | None = None, drain: Iterable[str] = (), rules=None, allocation_ratio=None,
           max_utilization=None) -> list[Violation]:
    """Check ``plan`` against every placement rule; return the violations found (empty when the plan is valid).

    ``workloads`` and ``hosts`` are sequences of `Workload` / `Host` or dicts; ``overheads`` is None (the defaults),
    an `Overheads` or a dict. ``plan`` is a `Plan`, a dict from ``Plan.to_dict()``, or a plain mapping
    ``{workload_id: (host_id, form)}`` in which a value of None leaves that workload unplaced.

    A plan that names an unknown workload, host or form, or assigns a workload twice, is reported as a violation,
    not raised; so is, for a `Plan` or its dict, a workload that it neither places nor lists as unplaced, or both
    places and lists. Raises `ValidationError` for invalid workloads, hosts or overheads, or for a ``plan`` that has
    none of the three shapes.

    ``max_moves``, ``max_move_cost`` and ``drain`` check a re-plan of a live fleet: pins, drained hosts and the
    budgets (the moves recomputed from the workloads' ``current``). An unknown current or drained host, or a
    budget that is not a whole number >= 0, raises `ValidationError`. ``allocation_ratio`` and ``max_utilization``
    are the call's, as `fleetpack.place` takes them.

    ``rules`` are the group rules (`fleetpack.AntiAffinity`, `Affinity`, `Spread`, or their mappings; None: those a
    `Plan` carries with its problem, if any), checked as `fleetpack.verify_groups` states them: a broken hard rule
    is a violation, a plan's stated ``penalty`` that is not what its soft rules cost is one too.

    The order is fixed: violations of the plan's structure (in plan order), then of each placed workload (in input
    order), then of each host (in input order), then of the live fleet (pins in input order, drained hosts in input
    order, the budgets), then of the group rules (in rule order, then the penalty).
    """
    w_items = _coerce_all(workloads, "workload", as_workload)
    h_items = _coerce_all(hosts, "host", as_host)
    group_rules = read_verify_rules(plan_rules(plan) if rules is None else rules, w_items, _WHERE)
    drained = _check_live_inputs(w_items, h_items, drain, max_moves, max_move_cost)
    over = as_overheads(overheads)
    ratios = _read_ratios(allocation_ratio, max_utilization)
    entries, unplaced = _read_plan(plan)

    violations: list[Violation] = []
    placed = _match_plan(w_items, h_items, entries, unplaced, violations)
    placed.sort(key=lambda p: p.index)
    for p in placed:
        _check_fit(p, violations)
    by_host: dict[str, list[_Placed]] = {}
    for p in placed:
        by_host.setdefault(p.host.id, []).append(p)
    dimensions = ("cpu", "memory", *sorted({d for item in (*w_items, *h_items) for d in item.extra_units}))
    for h in h_items:
        if h.id in by_host:
            _check_host(h, by_host[h.id], over, dimensions, violations, ratios)
    _check_live(w_items, h_items, placed, drained, max_moves, max_move_cost, violations)
    if group_rules or stated_penalty(plan):
        found = group_violations(group_rules, w_items, h_items, {p.workload.id: p.host for p in placed}, _may_run,
                                 stated_penalty(plan))
        violations += [Violation(rule, message, host, workload) for rule, message, host, workload in found]
    return violations


# --- reading the inputs ---------------------------------------------------------------------------------------------


def _coerce_all(values, kind: str, convert) -> list:
    """Workloads or hosts from a sequence of objects or dicts; every problem (duplicate ids too) raised at once."""
    if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Iterable):
        raise ValidationError.single(_WHERE, f"{kind}s", f"expected a sequence of {kind}s, got {type(values).__name__}")
    items, problems = [], []
    for index, value in enumerate(values):
        try:
            items.append(convert(value, index))
        except ValidationError as exc:
            problems.extend(exc.errors)
    # A plan names workloads and hosts by id, so two with one id would make it ambiguous.
    seen = FirstSeen()
    for k, item in enumerate(items):
        if seen.earlier(item.id, k) is not None:
            problems.append(ErrorDetail(f"{kind} {item.id!r}", "id", "duplicate id"))
    if problems:
        raise ValidationError(problems)
    return items


def _plan_error(field: str, message: str, value=None) -> ValidationError:
    return ValidationError.single(_WHERE, field, message, value)


def _is_pair(value) -> bool:
    """A ``(host, form)`` value of a plain mapping (and not, say, a two-item ``assignments`` list of dicts)."""
    return isinstance(value, (tuple, list)) and len(value) == 2 and not any(isinstance(v, Mapping) for v in value)


@runtime_checkable
class _PlanLike(Protocol):
    """What the verifier reads of a `fleetpack.Plan` (recognised by its shape: the verifier imports nothing of the
    plans' or the solvers' code)."""

    assignments: Any
    unplaced: Any


def _read_plan(plan) -> tuple[list[_Entry], list | None]:
    """The plan's lines, and the ids it lists as unplaced (None for a plain mapping, which has no such list)."""
    if isinstance(plan, _PlanLike) and not isinstance(plan, Mapping):
        return [_Entry(a.workload, a.host, a.form) for a in plan.assignments], list(plan.unplaced)
    if isinstance(plan, Mapping):
        # A workload may be called "assignments": its value is then a (host, form) pair, not a list of dicts.
        if "assignments" in plan and not _is_pair(plan["assignments"]):
            return _read_plan_dict(plan)
        return _read_mapping(plan), None
    raise _plan_error(
        "plan",
        "expected a Plan, a dict from Plan.to_dict() or a mapping of workload id to (host, form), "
        f"got {type(plan).__name__}",
        plan,
    )


def _read_plan_dict(data: Mapping) -> tuple[list[_Entry], list]:
    assignments = data["assignments"]
    if isinstance(assignments, (str, bytes, Mapping)) or not isinstance(assignments, Iterable):
        raise _plan_error("plan.assignments", f"expected a list, got {type(assignments).__name__}", assignments)
    entries = []
    for i, a in enumerate(assignments):
        if not isinstance(a, Mapping) or not all(key in a for key in ("workload", "host", "form")):
            raise _plan_error(f"plan.assignments[{i}]", "expected a dict with 'workload', 'host' and 'form'", a)
        entries.append(_Entry(a["workload"], a["host"], a["form"]))
    unplaced = data.get("unplaced")
    if unplaced is None:
        unplaced = {}
    if not isinstance(unplaced, Mapping):
        raise _plan_error("plan.unplaced", f"expected a dict of workload id to reason, got {type(unplaced).__name__}")
    return entries, list(unplaced)


def _read_mapping(plan: Mapping) -> list[_Entry]:
    entries = []
    for wid, value in plan.items():
        if value is None:
            continue  # the researcher's way of saying "left unplaced"
        if not _is_pair(value):
            raise _plan_error(f"plan[{wid!r}]", f"expected a (host, form) pair or None, got {value!r}", value)
        entries.append(_Entry(wid, value[0], value[1]))
    return entries


def _as_id(value) -> str | None:
    """An id as the model stores it (integers become strings, as in `Workload`); None if it cannot be an id."""
    if isinstance(value, str):
        return value
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return str(value)
    return None


# --- the plan's structure -------------------------------------------------------------------------------------------


def _match_plan(w_items, h_items, entries, unplaced, violations) -> list[_Placed]:
    """Match the plan's lines to the inputs, reporting what cannot be matched; return the lines that can."""
    index_of = {w.id: i for i, w in enumerate(w_items)}
    hosts = {h.id: h for h in h_items}
    first_host: dict[str, object] = {}  # workload id -> the host named by its first line
    placed = []
    for e in entries:
        wid, hid = _as_id(e.workload), _as_id(e.host)
        if wid not in index_of:
            violations.append(Violation(
                "unknown_workload", f"the plan places unknown workload {e.workload!r} (on host {e.host!r})",
                host=hid if hid in hosts else None,
            ))
            continue
        if wid in first_host:
            violations.append(Violation(
                "duplicate_assignment",
                f"workload {wid!r} is assigned twice: to host {first_host[wid]!r} and to host {e.host!r}",
                workload=wid,
            ))
            continue  # the first line stands; the later one is only reported
        first_host[wid] = e.host
        usable = True
        if hid not in hosts:
            violations.append(Violation(
                "unknown_host", f"workload {wid!r} is assigned to unknown host {e.host!r}", workload=wid
            ))
            usable = False
        if not isinstance(e.form, str) or e.form not in _FORMS:
            violations.append(Violation(
                "unknown_form",
                f"workload {wid!r} is assigned in unknown form {e.form!r} (expected 'vm' or 'container')",
                host=hid if hid in hosts else None,
                workload=wid,
            ))
            usable = False
        if usable:
            placed.append(_Placed(index_of[wid], w_items[index_of[wid]], hosts[hid], e.form))

    if unplaced is not None:
        listed = set()
        for raw in unplaced:
            wid = _as_id(raw)
            listed.add(wid)
            if wid not in index_of:
                violations.append(Violation(
                    "unknown_workload", f"the plan lists unknown workload {raw!r} as unplaced"
                ))
            elif wid in first_host:
                violations.append(Violation(
                    "placed_and_unplaced",
                    f"workload {wid!r} is placed (on host {first_host[wid]!r}) and also listed as unplaced",
                    workload=wid,
                ))
        for w in w_items:
            if w.id not in first_host and w.id not in listed:
                violations.append(Violation(
                    "missing_workload", f"workload {w.id!r} is neither placed nor listed as unplaced", workload=w.id
                ))
    return placed


# --- the rules ------------------------------------------------------------------------------------------------------


def _check_fit(p: _Placed, violations: list[Violation]) -> None:
    """The rules about one workload and its host alone: form, hypervisor, containers and OS."""
    w, h, form = p.workload, p.host, p.form

    def report(rule: str, message: str) -> None:
        violations.append(Violation(rule, message, host=h.id, workload=w.id))

    if w.form != "any" and w.form != form:
        report("form", f"workload {w.id!r} must run as a {w.form} but is placed as a {form} on host {h.id!r}")
    if form == "vm" and h.hypervisor is None:
        report("vm_needs_hypervisor", f"workload {w.id!r} runs as a VM on host {h.id!r}, which has no hypervisor")
    for key, want in (w.selector or {}).items():
        if not _label_ok(h.labels, key, want):
            report("selector", f"workload {w.id!r} selects {key}={want!r} but runs on host {h.id!r}, whose labels "
                               f"give {key}={h.labels.get(key)!r}")
    for taint in h.taints:
        if taint not in w.tolerations:
            report("taint", f"host {h.id!r} has taint {taint!r}, which workload {w.id!r} does not tolerate")
    if form == "container":
        if not h.containers:
            report("containers_disabled",
                   f"workload {w.id!r} runs as a container on host {h.id!r}, which does not run containers")
        if h.os != w.os:
            report("os_mismatch",
                   f"workload {w.id!r} ({w.os}) runs as a container on host {h.id!r} ({h.os})")


def _may_run(w: Workload, h: Host) -> bool:
    """Whether ``w`` may run on ``h`` in some form by the static rules (selector, taints, form, hypervisor,
    containers, OS); what a spread's eligible domains are made of."""
    if not all(_label_ok(h.labels, key, want) for key, want in (w.selector or {}).items()):
        return False
    if any(taint not in w.tolerations for taint in h.taints):
        return False
    container = w.form in ("any", "container") and h.containers and h.os == w.os
    return bool(container or (w.form in ("any", "vm") and h.hypervisor is not None))


def _label_ok(labels: Mapping[str, str], key: str, want) -> bool:
    """Whether a host's labels meet one key of a selector, as the model writes it (restated here)."""
    if want is None:
        return key in labels
    if isinstance(want, str):
        return labels.get(key) == want
    if isinstance(want, Mapping):
        (op, arg), = want.items()
        if op == "exists":
            return (key in labels) == arg
        inside = key in labels and labels[key] in arg
        return inside if op == "in" else not inside
    return key in labels and labels[key] in want


def _demand(w: Workload, form: str, h: Host, over: Overheads) -> dict[str, int]:
    """What ``w`` takes on ``h`` as ``form``, per dimension, before the once-per-host overheads."""
    if form == "container":
        cpu = w.cpu_millis + over.container.cpu_millis
        memory = w.memory_bytes + over.container.memory_bytes
    else:
        # A VM on a host without a hypervisor is reported on its own; it counts here at factor 1 so that the host's
        # other rules still see it.
        ppm = _PPM if h.hypervisor is None else round(over.vm_cpu_factor[h.hypervisor] * _PPM)
        cpu = -(-w.cpu_millis * ppm // _PPM) + over.vm.cpu_millis  # exact ceiling, no floats
        memory = w.memory_bytes + over.vm.memory_bytes
    return {"cpu": cpu, "memory": memory, **w.extra_units}


def _usage(h: Host, residents: list[_Placed], over: Overheads, dimensions) -> dict[str, int]:
    used = dict.fromkeys(dimensions, 0)
    for p in residents:
        for dim, amount in _demand(p.workload, p.form, h, over).items():
            used[dim] += amount
    forms = {p.form for p in residents}
    for form, fixed in (("vm", over.hypervisor), ("container", over.container_runtime)):
        if form in forms:
            used["cpu"] += fixed.cpu_millis
            used["memory"] += fixed.memory_bytes
    return used


def _read_ratios(allocation_ratio, max_utilization) -> tuple[dict, dict] | None:
    """The call's ratios and usable shares as fractions (None when neither is given)."""
    if allocation_ratio is None and max_utilization is None:
        return None
    problems: list = []
    ratio, usable = read_call_ratios(allocation_ratio, max_utilization, problems)
    if problems:
        raise ValidationError(problems)
    return ({d: Fraction(v, _PPM) for d, v in (ratio or {}).items()},
            {d: Fraction(v, _PPM) for d, v in (usable or {}).items()})


def _check_ratios(h: Host, residents: list[_Placed], over: Overheads, dimensions, ratios, violations) -> bool:
    """The capacity rule with ratios and headroom (see the module's docstring); False when none applies here."""
    call_ratio, usable = ratios if ratios is not None else ({}, {})
    own = {d: Fraction(v, _PPM) for d, v in (h.ratio_ppm or {}).items()}
    if not own and not call_ratio and not usable:
        return False
    capacity = {"cpu": h.cpu_millis, "memory": h.memory_bytes, **h.extra_units}
    forms = {p.form for p in residents}
    for dim in dimensions:
        cap = capacity.get(dim, 0)
        ratio = own.get(dim, call_ratio.get(dim, Fraction(1)))
        fixed = sum(getattr(f, {"cpu": "cpu_millis", "memory": "memory_bytes"}[dim], 0)
                    for form, f in (("vm", over.hypervisor), ("container", over.container_runtime))
                    if form in forms) if dim in ("cpu", "memory") else 0
        dedicated = overcommitted = 0
        for p in residents:
            amount = _demand(p.workload, p.form, h, over).get(dim, 0)
            if amount > cap:
                violations.append(Violation("max_unit", f"host {h.id!r}: {p.workload.id!r} takes "
                                            f"{format_amount(dim, amount)} {dim}, more than the host's "
                                            f"{format_amount(dim, cap)}", host=h.id, workload=p.workload.id))
            if p.workload.overcommit:
                overcommitted += amount
            else:
                dedicated += amount
        physical = math.floor(cap * usable.get(dim, Fraction(1))) - fixed - dedicated
        room = math.floor(physical * ratio)
        if overcommitted > room or physical < 0:
            share = usable.get(dim, Fraction(1))
            violations.append(Violation(
                "capacity",
                f"host {h.id!r}: {dim} {format_amount(dim, overcommitted)} at ratio {ratio}:1 in "
                f"{format_amount(dim, max(room, 0))} of room (capacity {format_amount(dim, cap)}"
                f"{'' if share == 1 else f' x {share}'} less {format_amount(dim, fixed + dedicated)} not overcommitted)",
                host=h.id,
            ))
    return True


def _check_host(h: Host, residents: list[_Placed], over: Overheads, dimensions, violations, ratios=None) -> None:
    """The rules about what shares a host: capacity, max_workloads, anti-affinity, tenant isolation, dedicated."""
    capacity = {"cpu": h.cpu_millis, "memory": h.memory_bytes, **h.extra_units}
    checked = _check_ratios(h, residents, over, dimensions, ratios, violations)
    for dim, used in ({} if checked else _usage(h, residents, over, dimensions)).items():
        cap = capacity.get(dim, 0)
        if used > cap:
            violations.append(Violation(
                "capacity",
                f"host {h.id!r}: {dim} {format_amount(dim, used)} used of {format_amount(dim, cap)}",
                host=h.id,
            ))

    if h.max_workloads is not None and len(residents) > h.max_workloads:
        violations.append(Violation(
            "max_workloads", f"host {h.id!r}: {len(residents)} workloads, at most {h.max_workloads} allowed", host=h.id
        ))

    first_of_group: dict[str, Workload] = {}
    for p in residents:
        group = p.workload.anti_affinity
        if group is None:
            continue
        if group in first_of_group:
            violations.append(Violation(
                "anti_affinity",
                f"host {h.id!r}: workloads {first_of_group[group].id!r} and {p.workload.id!r} share "
                f"anti-affinity group {group!r}",
                host=h.id,
                workload=p.workload.id,
            ))
        else:
            first_of_group[group] = p.workload

    containers = [p.workload for p in residents if p.form == "container"]
    reported: set[frozenset[str]] = set()  # two isolated containers of different tenants make one violation
    for w in containers:
        if w.isolation != "tenant":
            continue
        for other in containers:
            pair = frozenset((w.id, other.id))
            if other.tenant != w.tenant and pair not in reported:
                reported.add(pair)
                violations.append(Violation(
                    "tenant_isolation",
                    f"host {h.id!r}: tenant-isolated container {w.id!r} (tenant {w.tenant!r}) shares the host with "
                    f"container {other.id!r} of tenant {other.tenant!r}",
                    host=h.id,
                    workload=w.id,
                ))

    if len(residents) > 1:
        for p in residents:
            if p.workload.isolation == "dedicated":
                others = ", ".join(repr(q.workload.id) for q in residents if q is not p)
                violations.append(Violation(
                    "dedicated",
                    f"host {h.id!r}: dedicated workload {p.workload.id!r} shares the host with {others}",
                    host=h.id,
                    workload=p.workload.id,
                ))


# --- the live fleet -------------------------------------------------------------------------------------------------


def _check_live_inputs(w_items, h_items, drain, max_moves, max_move_cost) -> list[bool]:
    """The live part's inputs: current hosts that exist, drained hosts that exist, budgets; raised all at once.
    Returns whether each host is drained."""
    problems = check_budgets(max_moves, max_move_cost, _WHERE)
    host_ids = [h.id for h in h_items]
    drained = read_drain(drain, host_ids, problems, _WHERE).tolist()
    known = set(host_ids)
    for w in w_items:
        if w.current is not None and w.current not in known:
            problems.append(ErrorDetail(f"workload {w.id!r}", "current",
                                        f"unknown host {w.current!r} (no host has this id)", w.current))
    if problems:
        raise ValidationError(problems)
    return drained


def _check_live(w_items, h_items, placed: list[_Placed], drained: list[bool], max_moves, max_move_cost,
                violations: list[Violation]) -> None:
    """Pins, drained hosts and the move budgets."""
    where = {p.workload.id: p for p in placed}
    moves, cost = 0, 0
    for w in w_items:
        if w.current is None:
            continue
        p = where.get(w.id)
        stays = p is not None and p.host.id == w.current and (w.current_form is None or p.form == w.current_form)
        if stays:
            continue
        moves += 1
        cost += w.move_cost_units
        if w.pinned:
            form = f" as a {w.current_form}" if w.current_form is not None else ""
            now = ("is left unplaced" if p is None else f"runs as a {p.form}" if p.host.id == w.current
                   else f"is placed on host {p.host.id!r}")
            violations.append(Violation("pinned", f"pinned workload {w.id!r} must stay on host {w.current!r}{form} "
                                                  f"but {now}", host=w.current, workload=w.id))
    drained_ids = {h.id for h, is_drained in zip(h_items, drained) if is_drained}
    by_host: dict[str, list[str]] = {}
    for p in placed:
        if p.host.id in drained_ids:
            by_host.setdefault(p.host.id, []).append(p.workload.id)
    for h in h_items:
        residents = by_host.get(h.id)
        if residents:
            violations.append(Violation("drain", f"host {h.id!r} is drained but runs "
                                                 f"{', '.join(map(repr, residents))}", host=h.id))
    if max_moves is not None and moves > max_moves:
        violations.append(Violation("max_moves", f"the plan moves {moves} workload(s), at most {int(max_moves)} "
                                                 "allowed"))
    if max_move_cost is not None and cost > max_move_cost:
        violations.append(Violation("max_move_cost", f"the plan's moves cost {cost}, at most {int(max_move_cost)} "
                                                     "allowed"))
