"""Why a workload was left out, in words a user can act on."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from ..model.eligibility import ineligible_reason
from ..model.objects import Workload
from ..model.problem import Problem
from ..model.rules import HostState, static_forms
from ..model.units import format_amount
from .group_counts import group_caps
from .group_reasons import GroupView
from .types import Unplaced

__all__ = ["unplaced_reasons", "not_reached_advice"]


def _form_words(form: str) -> str:
    return "as a VM" if form == "vm" else "as a container"


def _no_eligible_host(w: Workload) -> str:
    if w.form == "vm":
        return "must run as a VM, and no host has a hypervisor"
    if w.form == "container":
        return f"must run as a container, and no host runs {w.os} containers"
    return f"no host has a hypervisor (to run it as a VM) or runs {w.os} containers"


def _too_large(problem: Problem, w: Workload, eligible: dict[str, list]) -> str:
    """Which dimension keeps ``w`` off every eligible host even when the host is empty: per dimension, what it needs
    in each form it may take, said once when the largest eligible host is the same for every form."""
    parts = []
    short: dict[str, list[tuple[str, int, int]]] = {}  # dimension -> (form, need, largest eligible capacity)
    for form, hosts in eligible.items():
        empties = [HostState(problem, h) for h in hosts]
        if all(h.max_workloads == 0 for h in hosts):
            parts.append(f"{_form_words(form)}: every eligible host has max_workloads 0")
            continue
        needs = [s.usage_after(w, form) for s in empties]
        lacking = False
        for k, dim in enumerate(problem.dimensions):
            largest = max(s.capacity[k] for s in empties)
            need = min(n[k] for n in needs)
            if need > largest:
                short.setdefault(dim, []).append((form, need, largest))
                lacking = True
        if not lacking and problem.overbook is not None:  # the ratios' or headroom's room, host by host
            why = Counter(s.blocker(w, form)[1] for s in empties if s.blocker(w, form) is not None)
            parts.append(f"{_form_words(form)}: even empty, every eligible host lacks " + ", ".join(
                f"{detail}{'' if n == 1 else f' ({n} hosts)'}" for detail, n in why.most_common(3)))
        elif not lacking:
            parts.append(f"{_form_words(form)}: no single eligible host has room for all its dimensions at once")
    for dim, cases in short.items():
        largests = {largest for _, _, largest in cases}
        if len(largests) == 1:
            (form, need, largest), *rest = cases
            needs = f"{format_amount(dim, need)} {dim} {_form_words(form)}" + "".join(
                f" or {format_amount(dim, n)} {_form_words(f)}" for f, n, _ in rest)
            parts.insert(0, f"needs {needs} (overheads included); the largest eligible host has "
                            f"{format_amount(dim, largest)}")
        else:
            parts[:0] = [f"needs {format_amount(dim, need)} {dim} {_form_words(form)} (overheads included); the "
                         f"largest eligible host has {format_amount(dim, largest)}" for form, need, largest in cases]
    return "; ".join(parts)


# (one host, several hosts)
_KIND_WORDS = {
    "capacity": ("lacks {detail}", "lack {detail}"),
    "max_workloads": ("is at max_workloads", "are at max_workloads"),
    "dedicated": ("holds a dedicated workload or is not empty", "hold a dedicated workload or are not empty"),
    "anti_affinity": ("holds a workload of anti-affinity group {detail!r}",
                      "hold a workload of anti-affinity group {detail!r}"),
    "isolation": ("runs containers of another tenant", "run containers of another tenant"),
    "max_unit": ("is smaller in {detail} than the workload (max_unit)", "are smaller in {detail} than the workload "
                 "(max_unit)"),
}


def _no_room(problem: Problem, w: Workload, states: list[HostState], block=None) -> str:
    """``block(k)``: the hard group rule that bars ``w`` from the host of ``states[k]`` (`GroupBlock`), or None."""
    counts: Counter = Counter()
    groups = {}
    for k, s in enumerate(states):
        forms = static_forms(w, s.host)
        if not forms:
            continue
        g = None if block is None else block(k)
        if g is not None:  # a group rule is checked first, as the heuristics do
            groups[g.one] = g
            counts[("group", g.one)] += 1
            continue
        # the reason reported for a host is that of the first form it could run, as the heuristics try them
        kind, detail = s.blocker(w, forms[0])
        counts[(kind, detail)] += 1
    described = [
        f"{n} host{'s' if n != 1 else ''} " + (
            (groups[detail].one if n == 1 else groups[detail].many) if kind == "group"
            else _KIND_WORDS[kind][n != 1].format(detail=detail))
        for (kind, detail), n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]
    # affinity: where the group runs comes first ("affinity group 'db' runs in rack 'r1', whose hosts are full")
    home = next((g.bare for g in groups.values() if g.rule == "affinity"), None)
    lead = f"{home}, whose hosts are full: " if home is not None else ""
    return lead + "no eligible host has room left: " + ", ".join(described)


def unplaced_reasons(problem: Problem, host_index, states: list[HostState], method: str | None = None
                     ) -> dict[str, Unplaced]:
    """For each workload with no host (``host_index[i] is None``), the reason, judged against the final plan (in a
    live fleet, without the drained hosts, which take nothing); ``method`` (the plan's) words the advice of
    ``not_reached``."""
    view = GroupView(problem, list(host_index)) if getattr(problem, "rules", None) is not None else None
    full = problem
    open_rows = list(range(len(problem.hosts)))
    if problem.live is not None and problem.live.drain.any():
        drained = problem.live.drain.tolist()
        open_hosts = [h for h, d in zip(problem.hosts, drained) if not d]
        open_rows = [j for j, d in enumerate(drained) if not d]
        states = [s for s, d in zip(states, drained) if not d]
        problem = replace(problem, hosts=tuple(open_hosts))
    reasons: dict[str, Unplaced] = {}
    # workloads alike in everything the rules read get the same reason against the same plan
    known: dict[tuple, Unplaced] = {}
    for i, (w, j) in enumerate(zip(problem.workloads, host_index)):
        if j is not None:
            continue
        signature = (tuple(problem.demand(w)), w.form, w.os, w.tenant, w.isolation, w.anti_affinity, w.selector_terms,
                     frozenset(w.tolerations), w.groups)
        block = None
        if view is not None and view.rules_of.get(i):
            def block(k: int, i: int = i):
                return view.block(i, open_rows[k])
            # (an unplaced workload's hard group rules read only which rules it is in)
            signature = (*signature, tuple(view.rules_of[i]))
        if signature not in known:
            known[signature] = _reason(problem, w, states, method, block)
        reasons[w.id] = known[signature]
    if view is not None:
        _name_group_caps(full, host_index, view, reasons)
    return reasons


def _name_group_caps(problem: Problem, host_index, view: GroupView, reasons: dict[str, Unplaced]) -> None:
    """A member left out for want of room, of a hard rule that lets no plan place more of its members than this one
    does (`group_caps`), says so after the hosts' reasons: "...; only 2 zones have a host that can take a member of
    'pg' (max 1 per zone): at most 2 of its 3 members can be placed"."""
    index = {w.id: i for i, w in enumerate(problem.workloads)}
    left = [index[wid] for wid, reason in reasons.items() if reason.code == "no_room"]
    rules = {r for i in left for r in view.rules_of.get(i, ())}
    if not rules:
        return
    part = problem.rules
    caps = group_caps(problem, rules)
    full = {r for r, cap in caps.items()
            if sum(host_index[i] is not None for i in part.members_of(r).tolist()) >= cap.most}
    for i in left:
        hit = next((r for r in view.rules_of.get(i, ()) if r in full), None)
        if hit is not None:
            w = problem.workloads[i]
            reasons[w.id] = Unplaced("no_room", f"{reasons[w.id].message}; {caps[hit].words}")


def not_reached_advice(method: str | None) -> str:
    """What to do about a left-out workload that fits the final plan. Plans of ``auto`` and ``exact`` are maximal
    (no left-out workload fits them), unless the search was switched off (`fleetpack.exact.heuristics_only`)."""
    if method in ("auto", "exact"):
        return ("the heuristic portfolio alone made this plan (its search, which places every workload that fits, "
                "was off: fleetpack.exact.heuristics_only)")
    return "a heuristic places each workload once; method='auto' leaves out no workload that fits its plan"


def _reason(problem: Problem, w: Workload, states: list[HostState], method: str | None = None,
            block=None) -> Unplaced:
    eligible: dict[str, list] = {}
    for h in problem.hosts:
        for form in static_forms(w, h):
            eligible.setdefault(form, []).append(h)
    if not eligible:
        message = (ineligible_reason(w, problem.hosts) or _no_eligible_host(w)) if problem.hosts else \
            "there are no hosts"
        return Unplaced("no_eligible_host", message)
    fits_empty = any(
        HostState(problem, h).blocker(w, form) is None for form, hosts in eligible.items() for h in hosts
    )
    if not fits_empty:
        return Unplaced("too_large", _too_large(problem, w, eligible))
    room = next(((s, f) for k, s in enumerate(states) for f in static_forms(w, s.host)
                 if s.blocker(w, f) is None and (block is None or block(k) is None)), None)
    if room is not None:
        state, form = room
        return Unplaced(
            "not_reached",
            f"would fit host {state.host.id!r} {_form_words(form)} in the final plan, but it was tried before that "
            f"host reached its final state; {not_reached_advice(method)}",
        )
    return Unplaced("no_room", _no_room(problem, w, states, block))
