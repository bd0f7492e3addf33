"""The live part of a Kubernetes import (issue 15): where each pod runs now, the nodes to drain, the pods eviction
cannot move (pinned), and the static pods that stay on their node. `convert` makes the fleet; this module turns it
into the cluster as it runs (the choices are listed in `convert`'s notes)."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import replace
from fractions import Fraction
from typing import Mapping, Sequence

from ..model.objects import Host, Workload

__all__ = ["eviction_blocker", "live_fleet", "DO_NOT_DISRUPT", "SAFE_TO_EVICT", "MIRROR"]

DO_NOT_DISRUPT = "karpenter.sh/do-not-disrupt"
SAFE_TO_EVICT = "cluster-autoscaler.kubernetes.io/safe-to-evict"
MIRROR = "kubernetes.io/config.mirror"
_WHY = {"do-not-disrupt": f"{DO_NOT_DISRUPT}", "not safe to evict": f"{SAFE_TO_EVICT}=false",
        "local storage": "local storage (emptyDir or hostPath)"}


def eviction_blocker(pod: Mapping, evict_local_storage: bool = False) -> str | None:
    """Why eviction cannot move ``pod`` (``"do-not-disrupt"``, ``"not safe to evict"``, ``"local storage"``), or
    None. Local storage (an ``emptyDir`` or ``hostPath`` volume) is lost by an eviction, so such a pod stays unless
    ``evict_local_storage`` (the descheduler's ``evictLocalStoragePods``) or its ``safe-to-evict: "true"`` says it
    may go, as the cluster autoscaler reads that annotation."""
    annotations = (pod.get("metadata") or {}).get("annotations") or {}
    if str(annotations.get(DO_NOT_DISRUPT, "")).lower() == "true":
        return "do-not-disrupt"
    safe = str(annotations.get(SAFE_TO_EVICT, "")).lower()
    if safe == "false":
        return "not safe to evict"
    volumes = (pod.get("spec") or {}).get("volumes") or []
    local = any(isinstance(v, Mapping) and ("emptyDir" in v or "hostPath" in v) for v in volumes)
    if local and not evict_local_storage and safe != "true":
        return "local storage"
    return None


def live_fleet(workloads: list[Workload | None], pods: Sequence[Mapping], hosts: list[Host | None],
               drain: list[str], mirrors: Sequence[tuple[Mapping, Mapping[str, Fraction]]],
               evict_local_storage: bool, notes) -> tuple[list, list, list[str]]:
    """The workloads where their pods run (pinned when eviction cannot move them; pods on nodes left out are left
    out too, as they stay there), the hosts less the room their static pods take, and the nodes to drain (cordoned
    ones, except those a pinned pod keeps). ``notes.add`` hears what was done, in words, ``notes.count("mirror")``
    each static pod left out."""
    names = {h.id for h in hosts if h is not None}
    out: list[Workload | None] = []
    running = elsewhere = 0
    pinned: Counter = Counter()
    kept_by_pin: dict[str, list[str]] = {}
    for w, pod in zip(workloads, pods):
        node = (pod.get("spec") or {}).get("nodeName")
        if w is not None and node in names:
            why = eviction_blocker(pod, evict_local_storage)
            w = replace(w, current=node, current_form="container", pinned=why is not None)
            running += 1
            if why is not None:
                pinned[why] += 1
                if node in drain:
                    kept_by_pin.setdefault(node, []).append(w.id)
        elif node:
            elsewhere += 1  # it runs on a node the fleet leaves out, and stays there: not part of the plan
            continue
        out.append(w)
    drain = [name for name in drain if name not in kept_by_pin]
    hosts = _less_static_pods(hosts, mirrors, notes)

    line = f"Live: {_count(running, 'pod')} start on the node they run on"
    if pinned:
        line += (f"; {sum(pinned.values())} of them pinned, as eviction cannot move them ("
                 + ", ".join(f"{n} {_WHY[why]}" for why, n in pinned.items()) + ")")
    notes.add(line + ".")
    if pinned["local storage"]:
        notes.add("Pods with local storage may be moved with evict_local_storage=True (--kube-evict-local-storage).")
    if elsewhere:
        notes.add(f"{_count(elsewhere, 'pod')} on nodes left out stay there, out of the plan.")
    if drain:
        notes.add(f"Cordoned nodes to drain: {_short(drain)}.")
    for node, ids in kept_by_pin.items():
        notes.add(f"Cordoned node {node} is not drained: pinned pods run on it ({_short(ids)}).")
    return out, hosts, drain


def _less_static_pods(hosts: list[Host | None], mirrors, notes) -> list[Host | None]:
    """Each host less what the static pods on its node request (one pod slot each); the import's notes say so
    (``notes.count("mirror")`` for each static pod on a node left out)."""
    names = {h.id for h in hosts if h is not None}
    on: dict[str, list[Mapping[str, Fraction]]] = {}
    for pod, requests in mirrors:
        node = (pod.get("spec") or {}).get("nodeName")
        if node in names:
            on.setdefault(node, []).append(requests)
        else:  # on a node left out: nothing to count it against
            notes.count("mirror")
    out, counted = [], 0
    for h in hosts:
        if h is None or h.id not in on:
            out.append(h)
            continue
        total: dict[str, Fraction] = {}
        for requests in on[h.id]:
            for resource, amount in requests.items():
                total[resource] = total.get(resource, Fraction(0)) + amount
        counted += len(on[h.id])
        cpu = max(h.cpu_millis - math.ceil(total.get("cpu", 0) * 1000), 0)
        extra = {d: max(units - math.ceil(total.get(d, 0)), 0) for d, units in h.extra_units.items()}
        slots = None if h.max_workloads is None else max(h.max_workloads - len(on[h.id]), 0)
        out.append(replace(h, cpu=f"{cpu}m", memory=max(h.memory_bytes - math.ceil(total.get("memory", 0)), 0),
                           extra=extra or None, max_workloads=slots))
    if counted:
        notes.add(f"{_count(counted, 'static (mirror) pod')} stay on their node: their requests come off its room.")
    return out


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"


def _short(names: list[str], limit: int = 4) -> str:
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")
