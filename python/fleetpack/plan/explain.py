"""Why a workload went where it went, or why it was not placed, as data and in words.

For every other host the explanation gives the rule (or the dimensions) that rules the workload out there in the
final plan, and groups the hosts by reason with counts, the way the Kubernetes scheduler answers "0/9 nodes are
available: 6 Insufficient memory, 3 node(s) didn't match pod anti-affinity rules". For an unplaced workload it also
works out the smallest changes that would let it fit ("4Gi more memory on any linux host").

Hosts are judged with `HostState`, the reference statement of the rules: a host's reason is the first rule
`HostState.blocker` would report, and capacity names every dimension that is short.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import TYPE_CHECKING, Mapping

from ..model.objects import Host, Workload
from ..model.eligibility import host_block, ineligible_reason
from ..model.rules import HostState, effective_demand, static_forms
from ..model.units import format_amount
from .group_reasons import GROUP_CODES, GroupView
from .moves import move_reason
from .reasons import not_reached_advice
from .view import PlanView

if TYPE_CHECKING:
    from .plan import Plan

__all__ = ["Explanation", "HostCheck", "ReasonGroup", "Change", "explain"]

_LISTED_HOSTS = 3  # hosts named per reason in the text; the data has them all

# What each heuristic does, for "why this host" (the strategy name's part before "/": "bfd/sum" -> "bfd").
_STRATEGIES = {
    "ff": "first fit: in input order, each workload on the first host that takes it",
    "ffd": "first fit decreasing: largest first, each workload on the first host that takes it",
    "bfd": "best fit decreasing: largest first, each workload on the used host it fills most tightly",
    "wfd": "worst fit decreasing: largest first, each workload on the host it leaves emptiest",
    # auto's count phase, when not everything fits: smallest first (by sizes weighted by scarcity), to place the most
    "ffi": "first fit increasing: to place the most, smallest first, each workload on the first host that takes it",
    "bfi": "best fit increasing: to place the most, smallest first, each workload on the used host it fills most "
           "tightly",
    "wfi": "worst fit increasing: to place the most, smallest first, each workload on the host it leaves emptiest",
}


class _PicklesProxies:
    """Pickles a frozen dataclass whose read-only mappings (`MappingProxyType`, which does not pickle) travel as dicts
    and are read-only again when loaded."""

    def __reduce__(self):
        values = {f.name: getattr(self, f.name) for f in fields(self)}  # type: ignore[arg-type]
        proxies = tuple(name for name, value in values.items() if isinstance(value, MappingProxyType))
        return _with_proxies, (type(self), {k: dict(v) if k in proxies else v for k, v in values.items()}, proxies)


def _with_proxies(cls, values: dict, proxies: tuple[str, ...]):
    return cls(**{k: MappingProxyType(v) if k in proxies else v for k, v in values.items()})


@dataclass(frozen=True)
class HostCheck(_PicklesProxies):
    """One host's verdict for one workload, against the final plan.

    ``fits``: the workload could go there now, as ``form``. Otherwise ``rule`` is the first rule that rules it out
    (``"eligibility"``: its selector or tolerations; ``"form"``, ``"max_workloads"``, ``"dedicated"``,
    ``"anti_affinity"``, ``"isolation"`` or ``"capacity"``; in a live fleet also ``"drain"``, and ``"pinned"`` for
    every host but a pinned workload's own; with group rules ``"anti_affinity_domain"``, ``"affinity"`` or
    ``"spread"``, a hard rule the plan's other members leave no room in) and
    ``reason`` says it in words, the same words for every host ruled out alike. ``short`` is, when capacity is the
    only obstacle for some form, how much is missing per dimension (in the model's units) for the form nearest to
    fitting, ``short_form``.
    """

    host: str
    fits: bool
    form: str | None = None
    rule: str | None = None
    reason: str = ""
    short: Mapping[str, int] = field(default_factory=dict)
    short_form: str | None = None


@dataclass(frozen=True)
class ReasonGroup:
    """Hosts ruled out for the same reason, in input order."""

    reason: str
    rule: str
    hosts: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.hosts)


@dataclass(frozen=True)
class Change(_PicklesProxies):
    """A change that would let an unplaced workload fit. ``kind`` is ``"capacity"`` (``amounts`` more on one of
    ``hosts``, as they are in the plan), ``"larger_host"`` (a host ``amounts`` larger than one of ``hosts``, which
    are too small even when empty), ``"max_workloads"`` (room for one more workload on one of ``hosts``),
    ``"new_host"`` (one more host like ``hosts[0]``), ``"eligible_host"`` (a host that may run it at all),
    ``"group_rule"`` (a looser hard group rule: it fits one of ``hosts`` otherwise) or
    ``"none"`` (it fits ``hosts[0]`` already). ``text`` says it in words."""

    kind: str
    text: str
    hosts: tuple[str, ...] = ()
    form: str | None = None
    amounts: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Explanation(_PicklesProxies):
    """Why workload ``workload`` runs on ``host`` as ``form``, or why it is unplaced (``host`` None).

    ``checks`` judges every other host against the final plan (without this workload); ``ruled_out`` groups the
    hosts that cannot take it by reason, most common first; ``alternatives`` are the other hosts that could take it
    now. For a placed workload, ``form_reason`` and ``host_reason`` say why this form and this host. For an unplaced
    one, ``code`` and ``message`` are its `Unplaced` reason and ``changes`` the smallest changes that would let it
    fit, smallest first. ``demand`` is what it asks for and ``effective`` what it takes on its host (overheads
    included), per dimension in the model's units; ``requested`` says what it asks for in words.
    """

    workload: str
    host: str | None
    form: str | None
    demand: Mapping[str, int]
    effective: Mapping[str, int] | None
    checks: tuple[HostCheck, ...]
    ruled_out: tuple[ReasonGroup, ...]
    alternatives: tuple[str, ...]
    alternatives_in_use: tuple[str, ...] = ()
    form_reason: str | None = None
    host_reason: str | None = None
    headroom: Mapping[str, float] | None = None
    code: str | None = None
    message: str | None = None
    changes: tuple[Change, ...] = ()
    requested: str = ""
    moved_from: str | None = None
    move_reason: str | None = None

    @property
    def placed(self) -> bool:
        return self.host is not None

    @property
    def smallest_change(self) -> Change | None:
        return self.changes[0] if self.changes else None

    def to_dict(self) -> dict:
        """The explanation as plain data (JSON-ready)."""
        return {
            "workload": self.workload,
            "placed": self.placed,
            "host": self.host,
            "form": self.form,
            "demand": dict(self.demand),
            "effective": None if self.effective is None else dict(self.effective),
            "form_reason": self.form_reason,
            "host_reason": self.host_reason,
            "headroom": None if self.headroom is None else dict(self.headroom),
            "code": self.code,
            "message": self.message,
            "alternatives": list(self.alternatives),
            "alternatives_in_use": list(self.alternatives_in_use),
            "ruled_out": [{"reason": g.reason, "rule": g.rule, "count": g.count, "hosts": list(g.hosts)}
                          for g in self.ruled_out],
            "changes": [{"kind": c.kind, "text": c.text, "hosts": list(c.hosts), "form": c.form,
                         "amounts": dict(c.amounts)} for c in self.changes],
            "moved_from": self.moved_from,
            "move_reason": self.move_reason,
        }

    def __str__(self) -> str:
        lines = []
        if self.placed:
            lines.append(f"Workload {self.workload!r} runs on host {self.host!r} as {_a(self.form)}.")
            if self.moved_from is not None:
                lines.append(f"It was moved from {self.moved_from}: {self.move_reason}.")
            lines.append(f"It asks for {self.requested}; there it takes {_amounts(self.effective)} "
                         f"(overheads included).")
            lines.append(f"Form: {self.form_reason}.")
            lines.append(f"Host: {self.host_reason}.")
            lines.append(f"After the plan, {self.host!r} has "
                         + ", ".join(f"{dim} {free:.0%}" for dim, free in self.headroom.items()) + " free.")
            others = len(self.checks)
            if others:
                used, empty = len(self.alternatives_in_use), len(self.alternatives) - len(self.alternatives_in_use)
                where = f": {used} in use{_listed(self.alternatives_in_use, ' ', paren=True)}, {empty} empty" \
                    if self.alternatives else ""
                lines.append(f"{len(self.alternatives)} of the {others} other host{'s' if others != 1 else ''} "
                             f"could take it instead{where}.")
                if self.ruled_out:
                    lines.append("The others cannot:")
        else:
            lines.append(f"Workload {self.workload!r} was not placed ({self.code}): {self.message}.")
            if self.moved_from is not None:
                lines.append(f"It was evicted from {self.moved_from}: {self.move_reason}.")
            lines.append(f"It asks for {self.requested}.")
            total = len(self.checks)
            if total:
                lines.append(f"{len(self.alternatives)}/{total} host{'s' if total != 1 else ''} can take it now"
                             + (f"{_listed(self.alternatives, ': ')}." if self.alternatives else ":"))
        for g in self.ruled_out:
            lines.append(f"  {g.count} host{'s' if g.count != 1 else ''}{_listed(g.hosts, ' ', paren=True)}: "
                         f"{g.reason}")
        if self.changes:
            lines.append(f"Smallest change: {self.changes[0].text}.")
            lines.extend(f"Or: {c.text}." for c in self.changes[1:])
        return "\n".join(lines)


def _a(form: str) -> str:
    return "a VM" if form == "vm" else "a container"


def _listed(hosts, lead: str, paren: bool = False) -> str:
    if not hosts:
        return ""
    names = ", ".join(hosts[:_LISTED_HOSTS])
    if len(hosts) > _LISTED_HOSTS:
        names += f", +{len(hosts) - _LISTED_HOSTS} more"
    return f"{lead}({names})" if paren else f"{lead}{names}"


def _amounts(values: Mapping[str, int]) -> str:
    # an extra dimension the workload does not use (gpu 0) is noise in words; the data keeps it
    return ", ".join(f"{dim} {format_amount(dim, v)}" for dim, v in values.items() if v or dim in ("cpu", "memory"))


# --- judging one host ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Block:
    rule: str
    words: str
    short: Mapping[str, int] = field(default_factory=dict)


def _container_words(w: Workload, h: Host) -> str:
    """Why ``w`` may not run as a container on ``h``."""
    return "runs no containers" if not h.containers else f"runs only {h.os} containers (it is {w.os})"


def _static_words(w: Workload, h: Host) -> str:
    """Why no form of ``w`` may run on ``h`` at all (form, hypervisor, containers, OS)."""
    containers = _container_words(w, h)
    if w.form == "vm":
        return "no hypervisor (it must run as a VM)"
    if w.form == "container":
        return f"{containers}, and it must run as a container"
    return f"no hypervisor, and {containers}"


def _failures(state: HostState, w: Workload, form: str) -> list[_Block]:
    """Every rule that keeps ``w`` off this host as ``form`` (the form is allowed there by the static rules), in
    the order `HostState.blocker` checks them, so that the first is the one it reports."""
    out = []
    cap = state.host.max_workloads
    if cap is not None and state.count >= cap:
        out.append(_Block("max_workloads", "at max_workloads"))
    if state.dedicated:
        out.append(_Block("dedicated", "a dedicated workload is there"))
    if w.isolation == "dedicated" and state.count > 0:
        out.append(_Block("dedicated", "not empty (it is dedicated)"))
    if w.anti_affinity is not None and w.anti_affinity in state.groups:
        out.append(_Block("anti_affinity", f"anti-affinity group {w.anti_affinity!r} is there already"))
    if form == "container":
        if state.isolated_tenants - {w.tenant}:
            out.append(_Block("isolation", "tenant-isolated containers of another tenant are there"))
        elif w.isolation == "tenant" and state.container_tenants - {w.tenant}:
            out.append(_Block("isolation", "containers of another tenant are there (it is tenant-isolated)"))
    short = state.shortfall(w, form)  # (with ratios, the physical room the rule at ratio lacks)
    if short:
        words = ", ".join(short)
        if state.ratio is not None:  # the room left at ratio, in the reasons' words
            why = state.blocker(w, form)
            words = why[1] if why is not None and why[0] == "capacity" else words
        out.append(_Block("capacity", "insufficient " + words, short))
    return out


def _cost(short: Mapping[str, int], state: HostState) -> float:
    """How big a shortfall is: the sum of its parts, each as a share of the host's capacity there."""
    dims = state.problem.dimensions
    return sum(amount / max(state.capacity[dims.index(dim)], 1) for dim, amount in short.items())


def _check(state: HostState, w: Workload, drained: frozenset = frozenset(), group=None) -> HostCheck:
    """The verdict of one host (in its given state) for ``w``; a host in ``drained`` (ids) takes nothing, and a
    pinned workload goes nowhere but its current host; ``group``: the hard group rule that bars it from the host
    (`fleetpack.plan.group_reasons.GroupBlock`), checked after the static rules."""
    if state.host.id in drained:
        return HostCheck(state.host.id, False, rule="drain", reason="drained (it must end empty)")
    if w.pinned and w.current is not None and state.host.id != w.current:
        return HostCheck(state.host.id, False, rule="pinned", reason=f"the workload is pinned to {w.current!r}")
    blocked = host_block(w, state.host)
    if blocked is not None:
        return HostCheck(state.host.id, False, rule="eligibility", reason=blocked)
    forms = static_forms(w, state.host)
    if not forms:
        return HostCheck(state.host.id, False, rule="form", reason=_static_words(w, state.host))
    if group is not None:
        return HostCheck(state.host.id, False, rule=group.rule, reason=group.bare)
    blocks = {form: _failures(state, w, form) for form in forms}
    for form in forms:
        if not blocks[form]:
            return HostCheck(state.host.id, True, form=form)
    first = {form: blocks[form][0] for form in forms}
    # capacity alone in some form: the nearest such form is what a change would have to make room for
    capacity_only = [(_cost(b[0].short, state), form) for form, b in blocks.items()
                     if len(b) == 1 and b[0].rule == "capacity"]
    short, short_form = {}, None
    if capacity_only:
        short_form = min(capacity_only)[1]
        short = dict(blocks[short_form][0].short)
    if all(b.rule == "capacity" for b in first.values()):
        nearest = min(forms, key=lambda f: _cost(first[f].short, state))
        reason = first[nearest].words
    elif len({b.words for b in first.values()}) == 1:
        reason = first[forms[0]].words
    else:
        reason = "; ".join(f"as {_a(form)}: {first[form].words}" for form in forms)
    return HostCheck(state.host.id, False, rule=first[forms[0]].rule, reason=reason,
                     short=MappingProxyType(short), short_form=short_form)


def _group(checks: list[HostCheck]) -> tuple[ReasonGroup, ...]:
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for c in checks:
        if not c.fits:
            groups[(c.reason, c.rule)].append(c.host)
    ordered = sorted(groups.items(), key=lambda item: -len(item[1]))  # stable: ties keep first-seen order
    return tuple(ReasonGroup(reason, rule, tuple(hosts)) for (reason, rule), hosts in ordered)


# --- smallest changes ------------------------------------------------------------------------------------------------


def _more(amounts: Mapping[str, int]) -> str:
    return " and ".join(f"{format_amount(dim, n)} more {dim}" for dim, n in amounts.items())


def _on_hosts(hosts: list[str], every_eligible: bool, w: Workload, form: str) -> str:
    if len(hosts) == 1:
        return f"on host {hosts[0]!r}"
    if every_eligible:
        return f"on any {w.os} host" if form == "container" else "on any host with a hypervisor"
    return f"on any of hosts {_listed(hosts, '')}"


def _capacity_changes(w: Workload, checks: list[tuple[HostCheck, HostState]], eligible: dict[str, set[str]],
                      larger: bool) -> list[tuple[float, Change]]:
    """The capacity changes: per (form, shortfall), the hosts short by exactly that much, the smallest first."""
    by_shortfall: dict[tuple, list[tuple[float, str]]] = defaultdict(list)
    for check, state in checks:
        if check.short:
            key = (check.short_form, tuple(check.short.items()))
            by_shortfall[key].append((_cost(check.short, state), check.host))
    options = []
    for (form, short), hosts in by_shortfall.items():
        amounts = dict(short)
        names = [h for _, h in hosts]
        every = set(names) == eligible.get(form, set()) and len(names) > 1
        notes = [f"as {_a(form)}"] if len(eligible) > 1 else []  # only when it could take another form
        if larger:
            if len(names) > 1:
                notes.append(f"{len(names) - 1} other host{'s are' if len(names) > 2 else ' is'} as short")
            text = f"a host with {_more(amounts)} than {names[0]!r}"
            kind = "larger_host"
        else:
            text = f"{_more(amounts)} {_on_hosts(names, every, w, form)}"
            kind = "capacity"
        text += f" ({'; '.join(notes)})" if notes else ""
        options.append((min(c for c, _ in hosts), Change(kind, text, tuple(names), form, MappingProxyType(amounts))))
    options.sort(key=lambda item: item[0])
    # a change in the same dimensions as a smaller one is no alternative, just a worse way of doing the same
    kept, seen = [], set()
    for cost, change in options:
        dims = frozenset(change.amounts)
        if dims not in seen:
            seen.add(dims)
            kept.append((cost, change))
    return kept


def _changes(view: PlanView, w: Workload, code: str, checks: list[HostCheck]) -> tuple[Change, ...]:
    problem = view.problem
    eligible: dict[str, set[str]] = defaultdict(set)
    for h in problem.hosts:
        for form in static_forms(w, h):
            eligible[form].add(h.id)
    if not eligible:
        blocked = ineligible_reason(w, problem.hosts)
        if blocked is not None:  # its selector or tolerations rule out every host
            return (Change("eligible_host", f"a host its selector and tolerations allow ({blocked}): a label "
                                            "on a host, a toleration, or a looser selector"),)
        if w.form == "vm":
            text = "a host with a hypervisor"
        elif w.form == "container":
            text = f"a host that runs {w.os} containers"
        else:
            text = f"a host with a hypervisor (to run it as a VM), or one that runs {w.os} containers"
        return (Change("eligible_host", text),)
    fitting = [c for c in checks if c.fits]
    if fitting:
        c = fitting[0]
        return (Change("none", f"none: it fits host {c.host!r} as {_a(c.form)} in the final plan; it was tried "
                               f"before that host reached its final state ({not_reached_advice(view.plan.method)})",
                       (c.host,), c.form),)
    if code == "too_large":
        empties = [(_check(s, w), s) for s in (HostState(problem, h) for h in problem.hosts)]
        return tuple(change for _, change in _capacity_changes(w, empties, eligible, larger=True)[:2])
    states = dict(zip((h.id for h in problem.hosts), view.states))
    changes = [change for _, change in _capacity_changes(w, [(c, states[c.host]) for c in checks], eligible,
                                                         larger=False)[:2]]
    # a host at max_workloads that would otherwise take it: one more slot there is a change of setting, not size
    counted = []
    for c in checks:
        if c.rule == "max_workloads":
            state = states[c.host]
            if any(all(b.rule == "max_workloads" for b in _failures(state, w, f)) for f in static_forms(w, state.host)):
                counted.append(c.host)
    loosen = _group_changes(view, w, checks, states)
    if loosen is not None:
        changes.append(loosen)
    if counted:
        changes.append(Change("max_workloads", f"room for one more workload {_on_hosts(counted, False, w, '')} "
                                               "(a higher max_workloads)", tuple(counted)))
    if not changes:
        fits_empty = [h for h in problem.hosts if _check(HostState(problem, h), w).fits]
        if fits_empty:
            cheapest = min(fits_empty, key=lambda h: h.cost)  # min keeps the first of equal cost
            changes.append(Change("new_host", f"one more host like {cheapest.id!r} (it fits there when empty)",
                                  (cheapest.id,)))
    return tuple(changes)


def _group_changes(view: PlanView, w: Workload, checks: list[HostCheck], states: dict) -> Change | None:
    """A looser hard group rule, when it alone keeps ``w`` off hosts where it would fit otherwise (the rule most
    such hosts name)."""
    barred: dict[str, list[str]] = defaultdict(list)
    for c in checks:
        if c.rule in GROUP_CODES:
            state = states[c.host]
            if any(not _failures(state, w, f) for f in static_forms(w, state.host)):
                barred[c.reason].append(c.host)
    if not barred:
        return None
    reason, hosts = max(barred.items(), key=lambda item: len(item[1]))
    return Change("group_rule", f"a looser group rule ({reason}): it fits {_on_hosts(hosts, False, w, '')} "
                                "otherwise", tuple(hosts))


# --- the explanation -------------------------------------------------------------------------------------------------


def _requested(view: PlanView, w: Workload) -> str:
    demand = dict(zip(view.problem.dimensions, view.problem.demand(w)))
    extra = f", os {w.os}" if w.os != "linux" else ""
    if w.anti_affinity is not None:
        extra += f", anti-affinity group {w.anti_affinity!r}"
    if w.groups:
        extra += f", group{'s' if len(w.groups) > 1 else ''} " + ", ".join(map(repr, w.groups))
    if w.isolation != "none":
        extra += f", isolation {w.isolation}" + (f" (tenant {w.tenant!r})" if w.isolation == "tenant" else "")
    return f"{_amounts(demand)} (form {w.form}{extra})"


def _form_reason(view: PlanView, w: Workload, form: str, state: HostState) -> str:
    if w.form != "any":
        return f"it must run as {_a(form)} (form {w.form!r})"
    if form == "container":
        return "containers are tried first, and it fits as one"
    if "container" not in static_forms(w, state.host):
        return f"it cannot run as a container there: the host {_container_words(w, state.host)}"
    blocks = _failures(state, w, "container")
    if blocks:
        return f"as a container it does not fit there: {blocks[0].words}"
    return "a container would also fit there in the final plan; the solver chose a VM"


def _host_reason(plan: Plan) -> str:
    base = plan.strategy.split("/")[0]
    words = _STRATEGIES.get(base)
    if words is None:
        return f"chosen by {plan.strategy}"
    best = " (the best of method 'auto')" if plan.method == "auto" else ""
    bound = f"; the plan's lower bound: {plan.bound_reason}" if plan.bound_reason else ""
    return f"{plan.strategy}{best}, {words}{bound}"


def explain(plan: Plan, workload_id: str) -> Explanation:
    """Why workload ``workload_id`` runs where it does in ``plan``, or why it is unplaced (see `Explanation`).

    The plan must know its problem (a plan returned by ``place`` does). Raises `KeyError` for an unknown id.
    """
    view = PlanView(plan)
    i = view.workload_index(workload_id)
    problem = view.problem
    w = problem.workloads[i]
    j = view.host_index[i]
    demand = MappingProxyType(dict(zip(problem.dimensions, problem.demand(w))))
    requested = _requested(view, w)
    drained = frozenset() if problem.live is None else frozenset(
        h.id for h, d in zip(problem.hosts, problem.live.drain.tolist()) if d)
    moved = {m.workload: m for m in plan.moves}.get(w.id)
    move = {} if moved is None else {
        "moved_from": f"host {moved.source!r}" + (f" (as {_a(moved.source_form)})" if moved.source_form else ""),
        "move_reason": move_reason(problem, i)}
    groups = GroupView(problem, view.host_index) if problem.rules is not None else None

    def group(k: int):
        return None if groups is None else groups.block(i, k)

    if j is None:
        checks = [_check(state, w, drained, group(k)) for k, state in enumerate(view.states)]
        reason = plan.unplaced[w.id]
        return Explanation(
            workload=w.id, host=None, form=None, demand=demand, effective=None, checks=tuple(checks),
            ruled_out=_group(checks), alternatives=tuple(c.host for c in checks if c.fits),
            code=reason.code, message=reason.message, changes=_changes(view, w, reason.code, checks),
            requested=requested, **move,
        )
    form = view.forms[i]
    host = problem.hosts[j]
    own = view.state_without(i)
    checks = [_check(state, w, drained, group(k)) for k, state in enumerate(view.states) if k != j]
    in_use = {h.id for h, state in zip(problem.hosts, view.states) if state.count > 0}
    final = view.states[j]
    headroom = {dim: (cap - used) / cap for dim, used, cap in zip(problem.dimensions, final.used, final.capacity)
                if cap > 0}
    return Explanation(
        workload=w.id, host=host.id, form=form, demand=demand,
        effective=MappingProxyType(dict(zip(problem.dimensions, effective_demand(problem, w, form, host)))),
        checks=tuple(checks), ruled_out=_group(checks), alternatives=tuple(c.host for c in checks if c.fits),
        alternatives_in_use=tuple(c.host for c in checks if c.fits and c.host in in_use),
        form_reason=_form_reason(view, w, form, own), host_reason=_host_reason(plan),
        headroom=MappingProxyType(headroom), requested=requested, **move,
    )
