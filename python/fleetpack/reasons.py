"""Why a workload was left out, in words a user can act on."""

from __future__ import annotations

from collections import Counter

from .model import Workload
from .plan import Unplaced
from .problem import Problem
from .rules import HostState, static_forms
from .units import format_amount

__all__ = ["unplaced_reasons"]


def _form_words(form: str) -> str:
    return "as a VM" if form == "vm" else "as a container"


def _no_eligible_host(w: Workload) -> str:
    if w.form == "vm":
        return "must run as a VM, and no host has a hypervisor"
    if w.form == "container":
        return f"must run as a container, and no host runs {w.os} containers"
    return f"no host has a hypervisor (to run it as a VM) or runs {w.os} containers"


def _too_large(problem: Problem, w: Workload, eligible: dict[str, list]) -> str:
    """Which dimension keeps ``w`` off every eligible host even when the host is empty."""
    parts = []
    for form, hosts in eligible.items():
        empties = [HostState(problem, h) for h in hosts]
        if all(h.max_workloads == 0 for h in hosts):
            parts.append(f"{_form_words(form)}: every eligible host has max_workloads 0")
            continue
        needs = [s.usage_after(w, form) for s in empties]
        short = []
        for k, dim in enumerate(problem.dimensions):
            largest = max(s.capacity[k] for s in empties)
            need = min(n[k] for n in needs)
            if need > largest:
                short.append(f"needs {format_amount(dim, need)} {dim} {_form_words(form)} (overheads included); "
                             f"the largest eligible host has {format_amount(dim, largest)}")
        if short:
            parts.extend(short)
        else:
            parts.append(f"{_form_words(form)}: no single eligible host has room for all its dimensions at once")
    return "; ".join(parts)


_KIND_WORDS = {
    "capacity": "lack {detail}",
    "max_workloads": "are at max_workloads",
    "dedicated": "hold a dedicated workload or are not empty",
    "anti_affinity": "hold a workload of anti-affinity group {detail!r}",
    "isolation": "run containers of another tenant",
}


def _no_room(problem: Problem, w: Workload, states: list[HostState]) -> str:
    counts: Counter = Counter()
    for s in states:
        forms = static_forms(w, s.host)
        if not forms:
            continue
        # the reason reported for a host is that of the first form it could run, as the heuristics try them
        kind, detail = s.blocker(w, forms[0])
        counts[(kind, detail)] += 1
    described = [
        f"{n} host{'s' if n != 1 else ''} {_KIND_WORDS[kind].format(detail=detail)}"
        for (kind, detail), n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]
    return "no eligible host has room left: " + ", ".join(described)


def unplaced_reasons(problem: Problem, host_index, states: list[HostState]) -> dict[str, Unplaced]:
    """For each workload with no host (``host_index[i] is None``), the reason, judged against the final plan."""
    reasons: dict[str, Unplaced] = {}
    for w, j in zip(problem.workloads, host_index):
        if j is not None:
            continue
        eligible: dict[str, list] = {}
        for h in problem.hosts:
            for form in static_forms(w, h):
                eligible.setdefault(form, []).append(h)
        if not eligible:
            reasons[w.id] = Unplaced("no_eligible_host", _no_eligible_host(w))
            continue
        fits_empty = any(
            HostState(problem, h).blocker(w, form) is None for form, hosts in eligible.items() for h in hosts
        )
        if not fits_empty:
            reasons[w.id] = Unplaced("too_large", _too_large(problem, w, eligible))
            continue
        room = next(((s, f) for s in states for f in static_forms(w, s.host) if s.blocker(w, f) is None), None)
        if room is not None:
            state, form = room
            reasons[w.id] = Unplaced(
                "not_reached",
                f"would fit host {state.host.id!r} {_form_words(form)} in the final plan, but the heuristic tried "
                "it before that host's overheads were in place; method='auto' may place it",
            )
            continue
        reasons[w.id] = Unplaced("no_room", _no_room(problem, w, states))
    return reasons
