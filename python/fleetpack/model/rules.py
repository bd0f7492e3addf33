"""The model's arithmetic, in plain Python: effective demands and which forms a host can run.

Used to describe plans (usage, reasons), by the exact solver, and by the pure-Python reference solver
(`fleetpack.reference`). The verifier does not use it: it restates
the rules on its own, so that a mistake here cannot hide a broken plan.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .eligibility import allows
from .objects import HYPERVISORS, Host, Workload
from .overbook import PPM, ratio_text
from .units import format_amount

if TYPE_CHECKING:
    from .problem import Problem

__all__ = ["vm_cpu", "effective_demand", "smallest_demand", "static_forms", "eligibility_kinds", "FORM_ORDER",
           "HostState"]

# On a host a workload tries the container form first, then the VM form.
FORM_ORDER = ("container", "vm")


def vm_cpu(cpu_millis: int, factor_ppm: int) -> int:
    """A VM's CPU before its fixed overhead: the workload's CPU times the factor (parts per million), rounded up."""
    return -(-cpu_millis * factor_ppm // 10**6)


def effective_demand(problem: Problem, w: Workload, form: str, host: Host) -> list[int]:
    """What workload ``w`` takes on ``host`` as ``form``, per dimension (before the per-host overheads)."""
    demand = problem.demand(w)
    if form == "container":
        fixed = problem.fixed("container")
    else:
        fixed = problem.fixed("vm")
        demand[0] = vm_cpu(demand[0], problem.overheads.factor_ppm(host.hypervisor))
    return [a + b for a, b in zip(demand, fixed)]


def smallest_demand(problem: Problem, w: Workload) -> list[int]:
    """Per dimension, the least a workload can take in any form it may take. A VM's CPU counts with the smallest
    of the configured factors. Used for sort keys and lower bounds."""
    demand = problem.demand(w)
    options = []
    if w.form in ("any", "container"):
        options.append([a + b for a, b in zip(demand, problem.fixed("container"))])
    if w.form in ("any", "vm"):
        ppm = min(problem.overheads.factor_ppm(k) for k in HYPERVISORS)
        vm = [a + b for a, b in zip(demand, problem.fixed("vm"))]
        vm[0] = vm_cpu(demand[0], ppm) + problem.fixed("vm")[0]
        options.append(vm)
    return [min(column) for column in zip(*options)]


def static_forms(w: Workload, host: Host) -> list[str]:
    """The forms in which ``w`` may run on ``host`` by the static rules (selector and tolerations, form,
    hypervisor, containers and os), in the order they are tried."""
    if (w.selector_terms or host.taints) and not allows(w, host):
        return []
    forms = []
    if w.form in ("any", "container") and host.containers and host.os == w.os:
        forms.append("container")
    if w.form in ("any", "vm") and host.hypervisor is not None:
        forms.append("vm")
    return forms


def eligibility_kinds(problem: Problem) -> list[int]:
    """Per host, its eligibility kind (0 for every host without eligibility): the first host that every
    workload's selector and tolerations see alike, as the core groups alike hosts (with ratios: alike in its
    ratios too)."""
    part = problem.eligibility
    kinds = [0] * len(problem.hosts) if part is None else part.host_kinds()
    ratios = problem.overbook
    if ratios is None:
        return kinds
    # with ratios, the first host alike in eligibility and ratios (as the core's `eligibility_kind`)
    first: dict[tuple, int] = {}
    return [first.setdefault((kind, tuple(ratios.ratios_of(h.id))), j)
            for j, (h, kind) in enumerate(zip(problem.hosts, kinds))]


class HostState:
    """What a host holds while a plan is being built, and whether it can take one more workload.

    Written for clarity, not speed: this is the reference statement of the placement rules that the Rust core
    implements too (the verifier restates them independently).
    """

    def __init__(self, problem: Problem, host: Host, rules=None, row: int = -1):
        self.problem = problem
        self.host = host
        # the group rules' counts (a `fleetpack.model.rule_counts.RuleCounts`), shared by every host of the plan
        # (see `fleetpack.model.rule_counts.empty_states`), and this host's row
        self.rules = rules
        self.row = row
        self.capacity = problem.capacity(host)
        self.used = [0] * len(problem.dimensions)
        self.count = 0
        self.vms = 0
        self.containers = 0
        self.container_tenants: set[str] = set()  # tenants of the containers on this host
        self.isolated_tenants: set[str] = set()  # tenants of its tenant-isolated containers
        self.dedicated = False  # holds a dedicated workload
        self.groups: set[str] = set()  # anti-affinity groups present
        # with ratios (`fleetpack.model.overbook`): the host's ratios, the usable room, and per dimension the part of
        # `used` that counts at ratio
        part = problem.overbook
        self.ratio = None if part is None else part.ratios_of(host.id)
        self.usable = None if part is None else [part.usable(c, d) for d, c in enumerate(self.capacity)]
        self.over = [0] * len(problem.dimensions)

    def within(self, d: int, used: int, over: int) -> bool:
        """Whether the host takes, in dimension ``d``, the usage ``used`` of which ``over`` counts at ratio:
        ``over × 10^6 + (used - over) × r <= U × r`` (without ratios, ``used <= capacity``)."""
        if self.ratio is None or self.usable is None:
            return used <= self.capacity[d]
        r = self.ratio[d]
        return over * PPM + (used - over) * r <= self.usable[d] * r

    def over_after(self, w: Workload, form: str) -> list[int]:
        """The part of the usage that counts at ratio if ``w`` were added as ``form``."""
        if self.ratio is None or not w.overcommit:
            return list(self.over)
        return [o + e for o, e in zip(self.over, effective_demand(self.problem, w, form, self.host))]

    def has_room_for(self, amounts: list[int]) -> bool:
        """Whether the host has at least ``amounts`` free in every dimension (a quick test that rules hosts out)."""
        if self.ratio is not None:  # with ratios: the most any workload could still take
            return all(amount <= self.room(d) for d, amount in enumerate(amounts))
        for used, amount, capacity in zip(self.used, amounts, self.capacity):
            if used + amount > capacity:
                return False
        return True

    def room(self, d: int) -> int:
        """The most a workload's effective demand could still take in dimension ``d`` (free capacity without
        ratios; with them ``floor(slack / 10^6)``, as the core's indexes prune)."""
        if self.ratio is None or self.usable is None:
            return self.capacity[d] - self.used[d]
        r = self.ratio[d]
        return max(0, self.usable[d] * r - (self.used[d] - self.over[d]) * r - self.over[d] * PPM) // PPM

    def usage_after(self, w: Workload, form: str) -> list[int]:
        """The host's usage per dimension if ``w`` were added as ``form``, per-host overheads included."""
        after = [u + e for u, e in zip(self.used, effective_demand(self.problem, w, form, self.host))]
        if form == "vm" and self.vms == 0:
            after = [a + b for a, b in zip(after, self.problem.fixed("hypervisor"))]
        if form == "container" and self.containers == 0:
            after = [a + b for a, b in zip(after, self.problem.fixed("container_runtime"))]
        return after

    def blocker(self, w: Workload, form: str) -> tuple[str, str] | None:
        """The first rule that keeps ``w`` off this host as ``form``, as (kind, detail); None when it fits."""
        if form not in static_forms(w, self.host):
            return ("form", form)
        cap = self.host.max_workloads
        if cap is not None and self.count >= cap:
            return ("max_workloads", str(cap))
        if self.dedicated:
            return ("dedicated", "holds a dedicated workload")
        if w.isolation == "dedicated" and self.count > 0:
            return ("dedicated", "is not empty")
        if w.anti_affinity is not None and w.anti_affinity in self.groups:
            return ("anti_affinity", w.anti_affinity)
        if self.rules is not None:
            rule = self.rules.blocker(w, self.row)
            if rule is not None:
                return ("group_rule", self.rules.part.rules[rule].describe())
        if form == "container":
            if self.isolated_tenants - {w.tenant}:
                return ("isolation", "runs tenant-isolated containers of another tenant")
            if w.isolation == "tenant" and self.container_tenants - {w.tenant}:
                return ("isolation", "runs containers of another tenant")
        if self.ratio is not None:
            own = effective_demand(self.problem, w, form, self.host)
            over = self.over_after(w, form)
            for d, (dim, total) in enumerate(zip(self.problem.dimensions, self.usage_after(w, form))):
                if own[d] > self.capacity[d]:
                    return ("max_unit", dim)
                if not self.within(d, total, over[d]):
                    left = format_amount(dim, self.room(d))
                    at = f" at ratio {ratio_text(self.ratio[d])}" if self.ratio[d] != PPM else ""
                    return ("capacity", f"{dim} (it has {left} left{at})")
            return None
        for dim, total, capacity in zip(self.problem.dimensions, self.usage_after(w, form), self.capacity):
            if total > capacity:
                return ("capacity", dim)
        return None

    def shortfall(self, w: Workload, form: str) -> dict[str, int]:
        """Per dimension short, how much more capacity ``w`` would need here as ``form`` (empty: it fits by
        capacity). With ratios, the physical room the rule at ratio lacks (``ceil(excess / r)``), or what the
        workload takes above the host's capacity (``max_unit``), the larger."""
        usage = self.usage_after(w, form)
        if self.ratio is None or self.usable is None:
            return {dim: total - cap for dim, total, cap in zip(self.problem.dimensions, usage, self.capacity)
                    if total > cap}
        own = effective_demand(self.problem, w, form, self.host)
        over = self.over_after(w, form)
        out = {}
        for d, dim in enumerate(self.problem.dimensions):
            r = self.ratio[d]
            excess = over[d] * PPM + (usage[d] - over[d]) * r - self.usable[d] * r
            need = max(own[d] - self.capacity[d], -(-excess // r))
            if need > 0:
                out[dim] = need
        return out

    def first_form(self, w: Workload) -> str | None:
        """The form in which ``w`` goes on this host: container if it fits, else VM if it fits, else None."""
        for form in static_forms(w, self.host):
            if self.blocker(w, form) is None:
                return form
        return None

    def add(self, w: Workload, form: str) -> None:
        self.over = self.over_after(w, form)
        self.used = self.usage_after(w, form)
        self.count += 1
        if form == "vm":
            self.vms += 1
        else:
            self.containers += 1
            self.container_tenants.add(w.tenant)
            if w.isolation == "tenant":
                self.isolated_tenants.add(w.tenant)
        if w.isolation == "dedicated":
            self.dedicated = True
        if w.anti_affinity is not None:
            self.groups.add(w.anti_affinity)
        if self.rules is not None:
            self.rules.add(w, self.row)

    def free_after(self, w: Workload, form: str) -> float:
        """The best-fit score if ``w`` were added as ``form``: `normalised_free` of the usage after."""
        return self.normalised_free(self.usage_after(w, form), self.over_after(w, form))

    def normalised_free(self, usage: list[int], over: list[int] | None = None) -> float:
        """Sum over the host's dimensions of free / capacity (dimensions of capacity 0 are skipped). With ratios,
        of the slack ``U × r - (usage - over) × r - over × 10^6`` over ``U × r`` (dimensions with no usable room
        skipped), ``over`` the part of ``usage`` at ratio (the host's own when not given)."""
        if self.ratio is not None and self.usable is not None:
            over = self.over if over is None else over
            total = 0.0
            for d, (used, o) in enumerate(zip(usage, over)):
                whole = self.usable[d] * self.ratio[d]
                if whole > 0:
                    slack = max(0, whole - (used - o) * self.ratio[d] - o * PPM)
                    total += float(slack) / float(whole)
            return total
        total = 0.0
        for used, capacity in zip(usage, self.capacity):
            if capacity > 0:
                total += float(capacity - used) / float(capacity)
        return total
