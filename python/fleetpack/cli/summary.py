"""The plan in words for people: the summary ``fleetpack place`` prints (what was placed, how far from the optimum
it can be, the moves of a live fleet, the unplaced workloads and their reasons) and the per-host table."""

from __future__ import annotations

import math
from collections import Counter
from typing import Iterator

import numpy as np

from ..fleetfile import Fleet
from ..model.wire import PLACED_FORMS
from ..plan.plan import Plan
from .reports import freed_hosts

__all__ = ["summary", "plural"]


def summary(fleet: Fleet, plan: Plan) -> str:
    """The plan in words and a per-host table, for people."""
    total = len(fleet.workloads)
    hosts = "host" if plan.hosts_used == 1 else "hosts"
    head = f"Placed {plan.placed} of {total} workloads on {plan.hosts_used} {hosts}"
    if fleet.legacy_servers is not None:
        head += f" instead of the {fleet.legacy_servers} it had"
    lines = [
        head + ".",
        _quality(plan),
        f"Cost {_number(plan.cost)}; {plural(plan.vms, 'VM')} and {plural(plan.containers, 'container')}.",
        f"Method {_method(plan)}, {_duration(plan.elapsed)}.",
    ]
    if plan.live:
        running = sum(w.current is not None for w in fleet.workloads)
        evicted = sum(m.target is None for m in plan.moves)
        lines.append(f"Moved {plan.move_count} of {running} running workloads (move cost {plan.move_cost})"
                     + (f", {evicted} of them evicted" if evicted else "") + ".")
        freed = freed_hosts(fleet, plan)
        if freed:
            lines.append(f"Empties {plural(len(freed), 'host')} in use now: {_listed(freed)}.")
    if plan.penalty:
        broken = "; ".join(f"{v.rule} by {v.excess} ({v.penalty})" for v in plan.soft_violations)
        lines.append(f"Soft rules cost a penalty of {plan.penalty}: {broken}.")
    if plan.unplaced:
        lines += ["", f"Unplaced workloads ({len(plan.unplaced)}):"]
        lines += [f"  {wid}: {reason.code}: {reason.message}" for wid, reason in plan.unplaced.items()]
    if plan.hosts_used:
        lines += [""] + _host_table(fleet, plan)
        empty = len(fleet.hosts) - plan.hosts_used
        lines.append(f"{empty} of {len(fleet.hosts)} hosts left empty.")
    return "\n".join(lines) + "\n"


def _listed(names: list[str], limit: int = 10) -> str:
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _quality(plan: Plan) -> str:
    """How far from the best possible the plan can be, from the solver's lower bound on the objective."""
    bound = {
        "hosts": lambda b: f"{b:g} host{'s' if b != 1 else ''}",
        "cost": lambda b: f"cost {_number(b)}",
        "spread": lambda b: f"peak utilisation {b:.1%}",
    }[plan.objective](plan.lower_bound)
    if plan.bound_reason:
        bound += f" ({plan.bound_reason})"
    if plan.unplaced:
        return f"Lower bound {bound} for placing every workload; not every workload was placed."
    if plan.proven_optimal:
        return f"Proven optimal: lower bound {bound}."
    if math.isinf(plan.gap):
        return f"Lower bound {bound}, too weak to bound the gap to the optimum."
    # rounded up, so that "at most" stays true
    percent = math.ceil(plan.gap * 1000 - 1e-9) / 10
    return f"Lower bound {bound}, so at most {percent:g}% above the optimum."


def _method(plan: Plan) -> str:
    if plan.method == "auto":
        return f"auto (best strategy: {plan.strategy})"
    return plan.strategy


def _duration(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _number(value: float) -> str:
    return f"{round(value, 3):g}"


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"


def _host_table(fleet: Fleet, plan: Plan) -> list[str]:
    """One row per used host, in the fleet file's order: workload counts, then utilisation per dimension."""
    extra = list(plan.dimensions[2:])
    header = ["Host", "Workloads", "VMs", "Containers", "CPU", "Memory", *extra]
    rows = []
    for host_id, vms, containers, has_extra in _host_counts(fleet, plan):
        if host_id not in plan.utilization and not (vms or containers):
            continue
        usage = plan.utilization.get(host_id, {})
        row = [host_id, str(vms + containers), str(vms), str(containers)]
        row += [f"{usage.get(dim, 0.0):.0%}" for dim in ("cpu", "memory")]
        # a dimension the host does not have is "-", not 0%
        row += [f"{usage.get(dim, 0.0):.0%}" if has else "-" for dim, has in zip(extra, has_extra)]
        rows.append(row)
    widths = [max(len(r[k]) for r in [header, *rows]) for k in range(len(header))]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [c.rjust(w) for c, w in zip(cells[1:], widths[1:])]
        return "  ".join([first, *rest]).rstrip()

    return [line(header), *(line(r) for r in rows)]


def _host_counts(fleet: Fleet, plan: Plan) -> Iterator[tuple[str, int, int, list[bool]]]:
    """Per host in the fleet's order: its id, its VMs and containers, and whether it has each extra dimension;
    from the plan's arrays when it has them (no object per workload or host), else from its assignments."""
    problem, host_index, form_codes = plan.problem, plan.host_index, plan.form_codes
    if problem is not None and host_index is not None and form_codes is not None:
        placed = host_index >= 0
        is_vm = placed & (form_codes == PLACED_FORMS.index("vm"))
        everyone = np.bincount(host_index[placed], minlength=len(problem.host_ids)).tolist()
        vms = np.bincount(host_index[is_vm], minlength=len(problem.host_ids)).tolist()
        has_extra = (problem.capacities[:, 2:] > 0).tolist()
        for j, host_id in enumerate(problem.host_ids):
            yield str(host_id), vms[j], everyone[j] - vms[j], has_extra[j]
        return
    vm_count: Counter = Counter()
    container_count: Counter = Counter()
    for a in plan.assignments:
        (vm_count if a.form == "vm" else container_count)[a.host] += 1
    for host in fleet.hosts:
        yield (host.id, vm_count[host.id], container_count[host.id],
               [bool(host.extra_units.get(dim, 0)) for dim in plan.dimensions[2:]])
