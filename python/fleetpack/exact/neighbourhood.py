"""A large-neighbourhood search for ``auto`` on fleets too large for its exact stage (issue 18, rule-heavy fleets
of a known optimum): free the workloads of a few used hosts and let CP-SAT re-place them, on those hosts and an
unused host of each of their classes, with fewer hosts (or a lower cost); repeat under a deterministic work budget.

Every neighbourhood is a `Problem` of its own: the freed workloads and the chosen hosts as they are, so the exact
model (`fleetpack.exact.search.solve`) keeps every rule of the full one. Per-host rules (capacity, count, forms,
OS, tenants, dedicated, the ``anti_affinity`` field, eligibility) only look at one host, and the chosen hosts are
emptied of everything else (used ones wholly freed, the others unused), so a plan of the neighbourhood put back
into the rest is valid. Group rules, live fleets and allocation ratios reach beyond a host: the search does not
run on them. A neighbourhood's plan is taken only when it places all the freed workloads and lowers the objective,
so the search never makes a plan worse (a workload the plan leaves out is placed after it when the room made fits
it: the plan stays maximal, and places more); CP-SAT runs its deterministic search bounded by work, so the same
input gives the same plan.
"""

from __future__ import annotations

import logging
import random
import time

import numpy as np

from .. import _core
from ..model.problem import Problem
from .fill import fill
from .instance import _Instance, _value
from .search import _answer, as_start, solve

__all__ = ["LNS_MAX_HOSTS", "LNS_MAX_WORKLOADS", "LNS_SUB_WORK", "LNS_WORK", "applies", "improve"]

_log = logging.getLogger(__name__)

#: CP-SAT's work (deterministic time, about seconds on one core) for the whole search: what the exact stage gives
#: CP-SAT on the whole model (`fleetpack.exact.stage.AUTO_WORK_LIMIT`), as the search runs in its place ...
LNS_WORK = 1.0
#: ... and for one neighbourhood.
LNS_SUB_WORK = 0.5
#: A neighbourhood frees at most this many used hosts.
LNS_MAX_HOSTS = 16
#: The search runs on fleets of at most this many workloads (`ruled_fleet(1000)` has 3 500): on larger ones a host
#: saved is a small share of the plan, and each step's bookkeeping is linear in the workloads.
LNS_MAX_WORKLOADS = 5_000
#: Each neighbourhood is charged at least this much work, so that the search ends even when CP-SAT stops at once.
_MIN_CHARGE = 0.02
#: A drawn neighbourhood adds at most this many full hosts ...
_EXTRA = 6
#: ... and the search draws at most this many neighbourhoods in all.
_DRAWS = 200


def applies(problem: Problem, objective: str, answer) -> bool:
    """Whether the search may run on this problem and answer (see the module's text)."""
    if objective not in ("hosts", "cost") or not isinstance(answer, dict):
        return False
    if problem.live is not None or problem.rules is not None or problem.overbook is not None:
        return False
    if len(problem.workloads) > LNS_MAX_WORKLOADS:
        return False
    index = answer["host_index"]
    return len(np.unique(index[index >= 0])) >= 2


def _fill(problem: Problem, used: np.ndarray) -> np.ndarray:
    """Per host, its fullest dimension's share (0 for an unused host)."""
    cap = problem.capacities.astype(np.float64)
    share = np.divide(used.astype(np.float64), cap, out=np.zeros_like(cap), where=cap > 0)
    return share.max(axis=1) if share.shape[1] else np.zeros(len(cap))


def _kind(w) -> tuple:
    """What makes workloads compete for the same hosts: the rules that keep them apart or together."""
    return (w.tenant if w.isolation != "none" else "", w.isolation == "dedicated", w.os, w.form)


def _neighbourhoods(problem: Problem, inst: _Instance, hosts: list, fill: np.ndarray, rng: random.Random):
    """The used hosts to free together, in the order they are tried: first the hosts with room left (the least
    filled first, at most `LNS_MAX_HOSTS`) with the hosts that hold the rest of their isolated tenants' workloads
    (`_kind`: a tenant's containers split over two hosts); then, without end, some of those hosts with others drawn
    at random from the classes their workloads may use."""
    on: dict[int, list[int]] = {}
    for i, j in enumerate(hosts):
        if j is not None:
            on.setdefault(j, []).append(i)
    holders: dict[tuple, list[int]] = {}
    for j in sorted(on):
        for k in sorted({_kind(problem.workloads[i]) for i in on[j]}, key=repr):
            if k[0]:  # (an isolated tenant's or a dedicated workload's)
                holders.setdefault(k, []).append(j)

    def with_partners(base: list[int]) -> list[int]:
        out = list(base)
        for j in base:
            for k in sorted({_kind(problem.workloads[i]) for i in on[j]}, key=repr):
                out.extend(h for h in holders.get(k, ()) if h not in out)
        return out[:LNS_MAX_HOSTS]

    slack = sorted((j for j in on if fill[j] < 1.0), key=lambda j: (fill[j], j))
    if len(slack) < 2:
        return
    yield with_partners(slack[:LNS_MAX_HOSTS])
    classes = set().union(*(inst.types[inst.type_of[i]].options for j in slack for i in on[j]))
    others = sorted(j for j in on if fill[j] >= 1.0 and inst.class_of[j] in classes)
    while True:
        keep = slack[:rng.randint(2, max(2, min(len(slack), LNS_MAX_HOSTS * 2 // 3)))]
        base = with_partners(keep)
        extra = rng.sample(others, min(len(others), max(0, LNS_MAX_HOSTS - len(base)), _EXTRA))
        yield base + [j for j in extra if j not in base]


def _spares(inst: _Instance, hosts: list, freed: list[int]) -> list[int]:
    """An unused host of each class of the freed hosts (in host order): room for a workload to change host class
    when the classes differ, and one more host to move through."""
    busy = {j for j in hosts if j is not None}
    out = []
    for c in sorted({inst.class_of[j] for j in freed}):
        spare = next((j for j in inst.classes[c].hosts if j not in busy), None)
        if spare is not None:
            out.append(spare)
    return out


def _repack(problem: Problem, objective: str, hosts: list, forms: list, freed: list[int], spares: list[int],
            work: float, deadline: float | None, seed: int, deterministic: bool):
    """CP-SAT on the neighbourhood: ``freed`` hosts' workloads on ``freed`` + ``spares``, for the objective.
    Returns ({workload: (host, form)} when every workload is placed and the objective is better there, else None;
    CP-SAT's work)."""
    chosen = freed + spares
    where = {j: k for k, j in enumerate(chosen)}
    free = set(freed)
    moved = [i for i, j in enumerate(hosts) if j in free]
    sub = Problem(tuple(problem.workloads[i] for i in moved), tuple(problem.hosts[j] for j in chosen),
                  problem.overheads, problem.dimensions)
    start_hosts = [where[hosts[i]] for i in moved]
    start_forms = [forms[i] for i in moved]
    bound = _core.lower_bound(sub.encode(), objective, len(moved))
    sub_inst = _Instance(sub, objective)
    before = sub_inst.value_int(start_hosts, start_forms)
    if (before <= bound) if objective == "hosts" else (before <= bound * sub_inst.cost_scale * (1 - 1e-9)):
        return None, _MIN_CHARGE  # (nothing better here: the bound says so before CP-SAT)
    # deterministic: bounded by work alone (the wall clock is checked between neighbourhoods), the same plan on
    # every machine; else within what is left of the time limit too
    left = None if deadline is None or deterministic else max(deadline - time.perf_counter(), 0.001)
    r = solve(sub, objective, (start_hosts, start_forms, "lns", int(bound) if objective == "hosts" else bound),
              time_limit=left, work_limit=work, deterministic=True, seed=seed, workers=1, formulation="assignment",
              _prepared=(sub_inst, None))
    spent = max(float(r.timings.get("cp_sat_work", 0.0)), _MIN_CHARGE)
    if any(k is None for k in r.hosts) or sub_inst.value_int(r.hosts, r.forms) >= before:
        return None, spent
    return {i: (chosen[k], f) for i, k, f in zip(moved, r.hosts, r.forms)}, spent


def improve(problem: Problem, objective: str, answer: dict, inst: _Instance | None, time_limit: float | None,
            seed: int, deterministic: bool = True) -> dict:
    """``answer`` (the core's dict of arrays) improved by the search, or unchanged when it finds nothing (or does
    not apply, `applies`). ``inst``: the problem's `_Instance` for ``objective`` when already made; ``time_limit``:
    seconds of wall clock it may take (None: its work budget alone bounds it, `LNS_WORK`); ``deterministic``:
    the limit is checked between neighbourhoods only, so that the plan does not depend on the machine's speed
    unless the limit cuts the search short (as the exact stage's `AUTO_TIME_LIMIT` does).

    Each step frees the hosts of a neighbourhood (`_neighbourhoods`) and takes CP-SAT's plan for them only when it
    places them all with fewer hosts (a lower cost), so the objective never gets worse."""
    if not applies(problem, objective, answer):
        return answer
    began = time.perf_counter()
    deadline = None if time_limit is None else began + time_limit
    inst = _Instance(problem, objective) if inst is None else inst
    hosts, forms, strategy, bound = as_start(answer)
    value0 = value = inst.value_int(hosts, forms)
    lower = bound if objective == "hosts" else bound * inst.cost_scale
    if value <= lower:
        return answer
    used = _answer(inst, hosts, forms, strategy, bound)["used"]
    rng = random.Random(seed)
    work_left, rounds, steps, tried = LNS_WORK, 0, 0, 0
    while work_left > 1e-9 and value > lower and (deadline is None or time.perf_counter() < deadline):
        better = False
        for freed in _neighbourhoods(problem, inst, hosts, _fill(problem, used), rng):
            if work_left <= 1e-9 or (deadline is not None and time.perf_counter() >= deadline) or tried > _DRAWS:
                break
            tried += 1
            found, spent = _repack(problem, objective, hosts, forms, freed, _spares(inst, hosts, freed),
                                   min(LNS_SUB_WORK, work_left), deadline, seed + rounds, deterministic)
            work_left -= spent
            rounds += 1
            _log.debug("neighbourhood %d: %d hosts, work %.3f: %s", rounds, len(freed), spent,
                       "better" if found else "nothing better")
            if found is not None:
                for i, (j, f) in found.items():
                    hosts[i], forms[i] = j, f
                value = inst.value_int(hosts, forms)
                used = _answer(inst, hosts, forms, strategy, bound)["used"]
                steps += 1
                better = True
                break
        if not better:
            break
    _log.debug("auto: neighbourhood search: %d better of %d, objective %g, in %.3f s", steps, rounds,
               _value(inst, hosts, forms), time.perf_counter() - began)
    if value >= value0:
        return answer
    # a workload left out (none fitted the plan) may fit the room the search made: the plan stays maximal
    hosts, forms, _ = fill(problem, objective, hosts, forms)
    out = _answer(inst, hosts, forms, strategy + "+lns", bound)
    out["bound_reason"] = answer.get("bound_reason", "")
    return out
