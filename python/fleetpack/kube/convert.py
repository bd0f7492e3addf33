"""Kubernetes pods and nodes converted to a fleet: the output of ``kubectl get pods -o json`` and ``kubectl get nodes -o json`` as a `Fleet`.

Pods become container workloads and nodes hosts, so that fleetpack can answer "on how few nodes would these pods
fit?". The choices, each the scheduler's own where the model can express it:

- **A pod's request** per resource is what the scheduler reserves for it: the larger of the sum over its app
  containers (plus its sidecars: init containers with ``restartPolicy: Always``, Kubernetes >= 1.29) and, for each
  init container, its request plus the sidecars started before it; plus the pod overhead (``spec.overhead``, which
  the RuntimeClass admission controller copies from ``overhead.podFixed``; for a pod without it, from the
  ``runtime_classes`` given). A container with a limit and no request requests its limit, as the API server
  defaults it. Pod-level ``spec.resources.requests`` (Kubernetes >= 1.32), when set, replace the containers' sum
  for CPU and memory.
- **Resources**: CPU and memory, and every other resource some pod requests (``nvidia.com/gpu``,
  ``ephemeral-storage``, hugepages) as an extra dimension, as the scheduler's fit check does.
- **Pods left out**: those in phase Succeeded or Failed (they hold nothing), mirror pods of static pods (bound to
  their node by the kubelet; a live fleet counts them on their node, below), and DaemonSet pods, which run on every node whatever the plan: each DaemonSet's
  largest request counts as per-node overhead (``container_runtime``), and each takes one pod slot per node.
- **Nodes** give ``status.allocatable`` as capacity (system and kube reservations already out) and ``pods`` as
  ``max_workloads`` (less one per DaemonSet); ``os`` from the label ``kubernetes.io/os``; ``containers=True`` and
  no hypervisor: Kubernetes runs pods as containers. Cordoned nodes (``spec.unschedulable``) are left out from
  nothing, while a live fleet drains them.
- **Node selection** (`kube.rules`): node labels are host ``labels``, NoSchedule and NoExecute taints host
  ``taints`` (named ``key=value:Effect``; a tainted node, the control plane's too, takes only pods that tolerate
  it), a pod's ``nodeSelector`` and one-term required node affinity its ``selector``, its tolerations matched
  against the nodes' taints its ``tolerations``. ``include_tainted=True`` ignores the taints. What the model cannot
  say (several terms, Gt/Lt, matchFields, preferred affinity, PreferNoSchedule) is counted in the notes, and the
  pod imported without it. A live fleet lets a running pod stay on its node's NoSchedule taints (Kubernetes does
  not evict for them): it tolerates them, so it may also go to other nodes with the same taint.
- **Anti-affinity**: a required pod anti-affinity term on ``kubernetes.io/hostname`` puts the pod and the pods its
  selector matches (in its namespaces) in one anti-affinity group. For the usual "one replica per node" rule this
  is exact. A workload has one such group, so the terms of groups that share a pod are group rules instead, each
  its own (`kube.pod_rules`). Pod anti-affinity on other topology keys, pod affinity, preferred terms and
  ``topologySpreadConstraints`` are workload ``groups`` and the fleet's ``rules`` (`kube.pod_rules`, which says
  where a rule is stricter than Kubernetes; the notes count those terms).
- A pod's ``os`` comes from its ``kubernetes.io/os`` node selector (default linux). The namespace is the
  workload's tenant (with isolation "none", it changes nothing). Overheads per container, VM and hypervisor are
  zero: pod overhead is explicit in the pod.

The notes on what was left out or simplified are the fleet's ``description``; ``legacy_servers`` counts the nodes
that run imported pods today.

**A live fleet** (issue 15; the default, ``current=True``): the cluster as it runs, so that "how many nodes can I
free with 10 evictions?" is ``place(..., max_moves=10)``. The live part is made by `kube.live`, apart from
the conversion above:

- a pod scheduled on an imported node (``spec.nodeName``) has that node as its ``current`` host (``current_form``
  container); a pod not yet scheduled is a new workload, and a pod on a node not in the list stays there, out of
  the plan; a pod whose node's labels no longer meet its selector (changed after scheduling) must move, said so;
- cordoned nodes are kept as hosts to ``drain`` instead of being left out (a cordoned node that runs a pinned pod
  is kept but not drained, and said so: the pod cannot leave it);
- pods that eviction cannot move are ``pinned``: the annotation ``karpenter.sh/do-not-disrupt: "true"`` or
  ``cluster-autoscaler.kubernetes.io/safe-to-evict: "false"``, and pods with local storage (an ``emptyDir`` or
  ``hostPath`` volume, whose data an eviction loses) unless ``evict_local_storage=True`` (the descheduler's
  ``evictLocalStoragePods``) or the pod says ``safe-to-evict: "true"``;
- mirror pods of static pods run on their node whatever the plan and are not evicted, yet do not keep it from being
  freed (``kubectl drain`` and the cluster autoscaler pass them by): their requests come off their node's room and
  each takes a pod slot there, instead of being left out. DaemonSet pods stay per-node overhead: they are not
  evicted either, but leave with their node, and every used node runs one (pinning them would keep every node).

``current=False`` plans from nothing (the pods' placement, cordons and pins ignored; mirror pods left out), as the
import was before live fleets.
"""

from __future__ import annotations

import math
import os
from collections import defaultdict
from fractions import Fraction
from collections.abc import Iterable, Mapping

from ..errors import ErrorDetail, ValidationError
from ..fleetfile import Fleet, parse_document
from ..model.eligibility import term_matches
from ..model.likely_mistakes import collecting, note_quantity
from ..model.objects import Host, Overheads, Resources, Workload
from ..model.textfiles import decode, read_text, source_name
from ..model.units import QuantityError, format_amount, parse_quantity
from .documents import document_items
from .live import MIRROR, live_fleet
from .pod_rules import RULE_NOTE_WORDS, SKIPPED_WORDS, matches, pod_group_rules, with_label_keys
from .rules import NOTE_WORDS, node_taints, pod_selector, pod_tolerations, taint_name

__all__ = ["from_kubernetes", "pod_requests"]

HOSTNAME = "kubernetes.io/hostname"
OS_LABEL = "kubernetes.io/os"
_SKIPPED_PHASES = ("Succeeded", "Failed")
_GI, _MI, _KI = 2**30, 2**20, 2**10


@collecting()  # likely mistakes: one warning per kind for the whole import
def from_kubernetes(pods, nodes, *, runtime_classes=None, include_tainted: bool = False,
                    current: bool = True, evict_local_storage: bool = False) -> Fleet:
    """A `Fleet` from ``kubectl get pods -o json`` and ``kubectl get nodes -o json`` (see the module's notes).
    A live fleet (``current=True``, the default): pods where they run now, cordoned nodes drained, pods that
    eviction cannot move pinned (pods with local storage too, unless ``evict_local_storage=True``).
    ``current=False`` plans from nothing. Node labels and taints, node selectors, required node affinity and
    tolerations become eligibility rules (`kube.rules`); ``include_tainted=True`` ignores the taints.

    Each argument is the parsed JSON (a dict), JSON text, a path to a JSON or YAML file, or an open file.
    ``runtime_classes`` (``kubectl get runtimeclasses -o json``) supplies ``overhead.podFixed`` for pods whose
    ``spec.overhead`` is not filled in. Raises `ValidationError` naming the file, the pod or node and the field.
    """
    documents, problems = [], _check_flags(current=current, evict_local_storage=evict_local_storage,
                                           include_tainted=include_tainted)
    for value, what in ((pods, "pods"), (nodes, "nodes")):  # both read, so that swapped files are both named
        try:
            documents.append(_items(value, what))
        except ValidationError as exc:
            problems.extend(exc.errors)
    if problems:
        raise ValidationError(problems)
    (pod_items, pod_source), (node_items, node_source) = documents
    classes = {}
    if runtime_classes is not None:
        class_items, _ = _items(runtime_classes, "runtime classes")
        classes = {_name(c): (c.get("overhead") or {}).get("podFixed") or {} for c in class_items}
    errors: list[ErrorDetail] = []
    notes = _Notes()

    kept, daemonsets, mirrors = _select_pods(pod_items, notes)
    requests = [_pod_requests(p, classes, _where(pod_source, "pod", _pod_id(p)), errors) for p in kept]
    ds_requests: dict[str, dict[str, Fraction]] = {}
    for pod, owner in daemonsets:
        reqs = _pod_requests(pod, classes, _where(pod_source, "pod", _pod_id(pod)), errors)
        _max_into(ds_requests.setdefault(owner, {}), reqs)
    extra_dims = sorted({r for reqs in requests for r in reqs} - {"cpu", "memory", "pods"})
    groups, overlapping = _anti_affinity_groups(kept)
    member_of, rules = pod_group_rules(kept, notes.count, overlapping)

    per_node = {}
    for reqs in ds_requests.values():
        for resource, amount in reqs.items():
            per_node[resource] = per_node.get(resource, 0) + amount
    if set(per_node) - {"cpu", "memory"}:
        notes.add(f"DaemonSet requests of {', '.join(sorted(set(per_node) - {'cpu', 'memory'}))} are not counted "
                  "(per-node overhead has CPU and memory only).")
    hosts, drain, host_nodes = [], [], {}
    soft_taints, all_taints = 0, {}
    for node in node_items:
        name = _name(node)
        skip = _node_skip_reason(node)
        if current and skip == "cordoned" and _node_skip_reason(_uncordoned(node)) is None:
            drain.append(name)  # a live fleet keeps a cordoned node, to be emptied
            node = _uncordoned(node)  # (its cordon taint goes with the cordon)
        elif skip:
            notes.left_out_node(name, skip)
            continue
        taints, soft = node_taints(node)
        soft_taints += soft
        all_taints.update((taint_name(t), t) for t in taints)
        host_nodes[name] = [] if include_tainted else taints
        hosts.append(_host(node, extra_dims, len(ds_requests), host_nodes[name], _where(node_source, "node", name),
                           errors))
    known_taints = list({taint_name(t): t for ts in host_nodes.values() for t in ts}.values())

    workloads = []
    stay_tolerated = 0
    by_name = {h.id: h for h in hosts if h is not None}
    for pod, reqs, group, names in zip(kept, requests, groups, member_of):
        where = _where(pod_source, "pod", _pod_id(pod))
        spec = pod.get("spec") or {}
        tolerations = pod_tolerations(spec, known_taints)
        on = spec.get("nodeName")
        if current and on in host_nodes:  # NoSchedule does not evict: a running pod may stay on its tainted node
            stay = {taint_name(t) for t in host_nodes[on] if t.get("effect") == "NoSchedule"} - set(tolerations)
            stay_tolerated += bool(stay)
            tolerations = sorted({*tolerations, *stay})
        w = _build(Workload, where, errors,
                   id=_pod_id(pod), cpu=_cpu(reqs.get("cpu", 0)), memory=_bytes(reqs.get("memory", 0)),
                   extra={d: math.ceil(reqs[d]) for d in extra_dims if reqs.get(d)},
                   form="container", os=str((spec.get("nodeSelector") or {}).get(OS_LABEL, "linux")),
                   tenant=_meta(pod).get("namespace", "default"), anti_affinity=group,
                   selector=pod_selector(spec, OS_LABEL, notes.count), tolerations=tolerations, groups=names)
        if current and w is not None and on in by_name and not all(
                term_matches(t, by_name[on].labels) for t in w.selector_terms):
            notes.count("selector_moved")  # its node's labels changed since it was scheduled
        workloads.append(w)
    if all_taints:
        notes.add(_taints_line(sorted(all_taints), include_tainted))
    if soft_taints:
        notes.add(f"PreferNoSchedule taints are preferences, not modelled ({soft_taints} on the nodes).")
    if stay_tolerated:
        notes.add(f"{_plural(stay_tolerated, 'pod tolerates', 'pods tolerate')} the NoSchedule taints of the "
                  "node they run on (Kubernetes does not evict them), so may also go to other nodes with those "
                  "taints.")
    # a live fleet counts static pods on their node (left out otherwise)
    mirror_requests = [_pod_requests(p, classes, _where(pod_source, "pod", _pod_id(p)), errors)
                       for p in (mirrors if current else ())]
    if errors:
        raise ValidationError(errors)
    if current:
        workloads, hosts, drain = live_fleet(workloads, kept, hosts, drain, list(zip(mirrors, mirror_requests)),
                                              evict_local_storage, notes)
    elif mirrors:
        notes.count("mirror", len(mirrors))

    runtime = Resources(_cpu(per_node.get("cpu", 0)), _bytes(per_node.get("memory", 0)))
    zero = Resources()
    overheads = Overheads(vm=zero, container=zero, hypervisor=zero, container_runtime=runtime,
                          vm_cpu_factor={"hardware": 1.0, "paravirtual": 1.0, "software": 1.0})
    if ds_requests:
        names = sorted(ds_requests)
        notes.add(f"{len(names)} DaemonSet{'s' if len(names) != 1 else ''} ({_short_list(names)}) count as "
                  f"per-node overhead: cpu {format_amount('cpu', runtime.cpu_millis)}, memory "
                  f"{format_amount('memory', runtime.memory_bytes)} and {len(names)} pod slot"
                  f"{'s' if len(names) != 1 else ''} on each node.")
    # the nodes that run the fleet's pods today (a live fleet's pods on nodes left out are not the fleet's)
    running = ({w.current for w in workloads if w is not None and w.current} if current
               else {(p.get("spec") or {}).get("nodeName") for p in kept} - {None, ""})
    summary = (f"Imported from Kubernetes: {len(workloads)} pod{'s' if len(workloads) != 1 else ''} as container "
               f"workloads, {len(hosts)} node{'s' if len(hosts) != 1 else ''} as hosts.")
    if rules:
        notes.add(f"Pod (anti-)affinity and topology spread: {_plural(len(rules), 'group rule', 'group rules')} "
                  f"({', '.join(f'{n} {k}' for k, n in _kinds(rules))}), kept on the final state.")
    return Fleet(workloads, hosts, overheads, description="\n".join([summary, *notes.lines()]),
                 legacy_servers=len(running) if running else None, drain=tuple(drain), rules=tuple(rules))


def _kinds(rules) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for rule in rules:
        kind = rule.kind.replace("_", "-") + (" (soft)" if rule.weight else "")
        counts[kind] = counts.get(kind, 0) + 1
    return list(counts.items())


def _uncordoned(node: Mapping) -> Mapping:
    """The node as it was before ``kubectl cordon`` (which sets ``unschedulable`` and its own taint)."""
    spec = {k: v for k, v in (node.get("spec") or {}).items() if k != "unschedulable"}
    spec["taints"] = [t for t in spec.get("taints") or [] if t.get("key") != "node.kubernetes.io/unschedulable"]
    return {**node, "spec": spec}


def _check_flags(**flags) -> list[ErrorDetail]:
    return [ErrorDetail("from_kubernetes()", name, f"must be True or False, got {value!r}", value)
            for name, value in flags.items() if not isinstance(value, bool)]


def pod_requests(pod: Mapping, runtime_classes: Mapping[str, Mapping] | None = None) -> dict[str, Fraction]:
    """What the scheduler reserves for one pod, per resource, as exact fractions of the resource's base unit
    (cores, bytes, devices). ``runtime_classes`` maps a RuntimeClass name to its ``overhead.podFixed``."""
    errors: list[ErrorDetail] = []
    result = _pod_requests(pod, runtime_classes or {}, f"pod {_pod_id(pod)!r}", errors)
    if errors:
        raise ValidationError(errors)
    return result


# --- reading the documents -------------------------------------------------------------------------------------------


def _items(value, what: str) -> tuple[list[dict], str]:
    """The objects of a ``kubectl get ... -o json`` document, and the name of its source for error messages."""
    source = what
    if isinstance(value, (str, os.PathLike)) and not (isinstance(value, str) and value.lstrip().startswith("{")):
        source = source_name(value)
        value = parse_document(read_text(value), source)
    elif isinstance(value, str):
        value = parse_document(value, what)
    elif isinstance(value, bytes):
        value = parse_document(decode(value, what), what)
    elif hasattr(value, "read"):
        source = str(getattr(value, "name", what))
        value = parse_document(decode(value.read(), source), source)
    if not isinstance(value, Mapping):
        raise ValidationError.single(source, "(document)", f"expected the JSON object kubectl prints for {what}")
    return document_items(value, what, source), source  # a List, PodList/NodeList, or one object, of the right kind


def _meta(obj: Mapping) -> Mapping:
    return obj.get("metadata") or {}


def _name(obj: Mapping) -> str:
    return str(_meta(obj).get("name", "?"))


def _pod_id(pod: Mapping) -> str:
    return f"{_meta(pod).get('namespace', 'default')}/{_name(pod)}"


def _where(source: str, kind: str, name: str) -> str:
    return f"{source}: {kind} {name!r}"


def _build(cls, where: str, errors: list[ErrorDetail], **fields):
    try:
        return cls(**fields)
    except ValidationError as exc:
        errors.extend(ErrorDetail(where, e.field, e.message, e.value) for e in exc.errors)
        return None


class _Notes:
    """What the import left out or simplified, in words for the fleet's description."""

    def __init__(self):
        self.counts: dict[str, int] = defaultdict(int)
        self.nodes: list[tuple[str, str]] = []
        self.extra: list[str] = []

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] += n

    def add(self, line: str) -> None:
        self.extra.append(line)

    def left_out_node(self, name: str, why: str) -> None:
        self.nodes.append((name, why))

    def lines(self) -> list[str]:
        c = self.counts
        out = []
        left_out = [f"{n} {what}" for what, n in (("finished (Succeeded or Failed)", c["finished"]),
                                                   ("mirror (static)", c["mirror"])) if n]
        if left_out:
            out.append(f"Pods left out: {', '.join(left_out)}.")
        if self.nodes:
            out.append("Nodes left out: " + "; ".join(f"{name} ({why})" for name, why in self.nodes) + ".")
        out.extend(self.extra)
        ignored = [f"{n} pod{'s' if n != 1 else ''} with {what}" for what, n in (
            *((words, c[key]) for key, words in NOTE_WORDS),
            *((words, c[key]) for key, words in SKIPPED_WORDS)) if n]
        if ignored:
            out.append(f"Not modelled: {', '.join(ignored)}; those pods are imported without that rule.")
        inexact = [f"{_plural(c[key], 'pod', 'pods')} with {words}" for key, words in RULE_NOTE_WORDS if c[key]]
        if inexact:
            out.append(f"Not exactly as Kubernetes: {'; '.join(inexact)}.")
        if c["selector_moved"]:
            out.append(f"{_plural(c['selector_moved'], 'pod runs', 'pods run')} on a node whose labels no longer "
                       "meet their node selector or affinity: the plan moves them.")
        return out


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _short_list(names: list[str], limit: int = 4) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


# --- pods ------------------------------------------------------------------------------------------------------------


def _select_pods(items: list[Mapping], notes: _Notes) -> tuple[list[Mapping], list[tuple[Mapping, str]],
                                                               list[Mapping]]:
    """The pods to place, the DaemonSet pods with their DaemonSet's name, and the mirror pods of static pods."""
    kept, daemonsets, mirrors = [], [], []
    for pod in items:
        if (pod.get("status") or {}).get("phase") in _SKIPPED_PHASES:
            notes.count("finished")
            continue
        meta = _meta(pod)
        owners = meta.get("ownerReferences") or []
        if MIRROR in (meta.get("annotations") or {}) or any(
                o.get("kind") == "Node" for o in owners):
            mirrors.append(pod)  # (a live fleet counts them on their node; counted in the notes otherwise)
            continue
        daemonset = next((o for o in owners if o.get("kind") == "DaemonSet"), None)
        if daemonset is not None:
            daemonsets.append((pod, f"{meta.get('namespace', 'default')}/{daemonset.get('name', '?')}"))
            continue
        kept.append(pod)
    return kept, daemonsets, mirrors


def _quantities(values, where: str, field: str, errors: list[ErrorDetail]) -> dict[str, Fraction]:
    out = {}
    if not isinstance(values, Mapping):
        if values is not None:
            errors.append(ErrorDetail(where, field, "must be a mapping of resource name to quantity", values))
        return out
    for resource, amount in values.items():
        try:
            out[str(resource)] = parse_quantity(amount)
        except QuantityError as exc:
            errors.append(ErrorDetail(where, f"{field}.{resource}", str(exc), amount))
            continue
        if resource in ("cpu", "memory"):  # "512m" of memory is half a byte to Kubernetes too
            note_quantity(where, f"{field}.{resource}", amount, resource, out[resource])
    return out


def _container_requests(c: Mapping, field: str, where: str, errors: list[ErrorDetail]) -> dict[str, Fraction]:
    resources = c.get("resources") or {}
    requests = _quantities(resources.get("requests"), where, f"{field}.resources.requests", errors)
    limits = _quantities(resources.get("limits"), where, f"{field}.resources.limits", errors)
    # the API server defaults a missing request to the limit; kubectl's output has it already, hand-made JSON may not
    return {**limits, **requests}


def _add_into(total: dict, values: Mapping) -> None:
    for resource, amount in values.items():
        total[resource] = total.get(resource, 0) + amount


def _max_into(total: dict, values: Mapping) -> None:
    for resource, amount in values.items():
        total[resource] = max(total.get(resource, 0), amount)


def _pod_requests(pod: Mapping, classes: Mapping, where: str, errors: list[ErrorDetail]) -> dict[str, Fraction]:
    """Kubernetes' PodRequests: containers and sidecars summed, init containers at their peak, overhead added."""
    spec = pod.get("spec") or {}
    total: dict[str, Fraction] = {}
    for n, c in enumerate(spec.get("containers") or []):
        _add_into(total, _container_requests(c, f"spec.containers[{n}]", where, errors))
    sidecars: dict[str, Fraction] = {}
    init_peak: dict[str, Fraction] = {}
    for n, c in enumerate(spec.get("initContainers") or []):
        reqs = _container_requests(c, f"spec.initContainers[{n}]", where, errors)
        if c.get("restartPolicy") == "Always":
            # a sidecar runs for the pod's life: it adds to the pod, and to every init container started after it
            _add_into(total, reqs)
            _add_into(sidecars, reqs)
            in_use = dict(sidecars)
        else:
            in_use = dict(reqs)
            _add_into(in_use, sidecars)
        _max_into(init_peak, in_use)
    _max_into(total, init_peak)
    pod_level = _quantities((spec.get("resources") or {}).get("requests"), where, "spec.resources.requests", errors)
    for resource in ("cpu", "memory"):
        if resource in pod_level:
            total[resource] = pod_level[resource]
    overhead = spec.get("overhead")
    if overhead is None and spec.get("runtimeClassName") in classes:
        overhead = classes[spec["runtimeClassName"]]
    _add_into(total, _quantities(overhead, where, "spec.overhead", errors))
    return {r: a for r, a in total.items() if a}


def _cpu(cores) -> str | int:
    """Cores, rounded up to whole millicores (the finest CPU unit Kubernetes keeps), as a quantity."""
    millis = math.ceil(Fraction(cores) * 1000)
    return millis // 1000 if millis % 1000 == 0 else f"{millis}m"


def _bytes(amount) -> str | int:
    """Bytes, rounded up, as the shortest exact binary quantity ("512Mi"), or a plain number."""
    n = math.ceil(Fraction(amount))
    for suffix, size in (("Gi", _GI), ("Mi", _MI), ("Ki", _KI)):
        if n and n % size == 0:
            return f"{n // size}{suffix}"
    return n


# --- anti-affinity ---------------------------------------------------------------------------------------------------


def _describe_selector(namespace: str, selector) -> str:
    if not selector:
        return f"{namespace}/(all pods)"
    parts = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for expr in selector.get("matchExpressions") or []:
        values = ",".join(expr.get("values") or [])
        parts.append(f"{expr.get('key')} {expr.get('operator')}" + (f" ({values})" if values else ""))
    return f"{namespace}/{','.join(parts)}"


def _anti_affinity_groups(pods: list[Mapping]) -> tuple[list[str | None], set[int]]:
    """One anti-affinity group name (or None) per pod: each required hostname term links the pod with the pods it
    matches; linked pods form one group (union-find), named after the first term that formed it. Linked pods whose
    terms differ (groups that share a pod) get no name: their terms are group rules each (`kube.pod_rules`), which
    keeps them exact; the second value is those pods."""
    parent = list(range(len(pods)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    labels = [_meta(p).get("labels") or {} for p in pods]
    namespaces = [_meta(p).get("namespace", "default") for p in pods]
    term_names: dict[int, str] = {}  # pod index -> the name of its first hostname term
    for i, pod in enumerate(pods):
        affinity = (pod.get("spec") or {}).get("affinity") or {}
        terms = (affinity.get("podAntiAffinity") or {}).get("requiredDuringSchedulingIgnoredDuringExecution") or []
        for term in terms:
            if term.get("topologyKey") != HOSTNAME:
                continue  # (a rule of kube.pod_rules)
            selector = with_label_keys(term, labels[i])
            if term.get("namespaceSelector") is not None:
                # {} means every namespace; any other selects by namespace labels, which the pods' JSON does not
                # carry, so it is taken as every namespace too (stricter, never looser)
                spaces = None
            else:
                spaces = set(term.get("namespaces") or [namespaces[i]])
            term_names.setdefault(i, _describe_selector(namespaces[i], term.get("labelSelector")))
            for k in range(len(pods)):
                if k != i and (spaces is None or namespaces[k] in spaces) and matches(selector, labels[k]):
                    parent[find(k)] = find(i)

    members: dict[int, list[int]] = defaultdict(list)
    for i in range(len(pods)):
        members[find(i)].append(i)
    names: list[str | None] = [None] * len(pods)
    overlapping: set[int] = set()
    used: dict[str, int] = {}
    for root, group in sorted(members.items(), key=lambda item: item[1][0]):
        if len(group) < 2:
            continue  # a pod that matches only itself needs no group
        terms = list(dict.fromkeys(term_names[i] for i in group if i in term_names))
        if len(terms) > 1:
            overlapping.update(group)
            continue
        name = terms[0]
        used[name] = used.get(name, 0) + 1
        if used[name] > 1:
            name = f"{name}#{used[name]}"
        for i in group:
            names[i] = name
    return names, overlapping


# --- nodes -----------------------------------------------------------------------------------------------------------


def _node_skip_reason(node: Mapping) -> str | None:
    return "cordoned" if (node.get("spec") or {}).get("unschedulable") else None


def _taints_line(names: list[str], ignored: bool) -> str:
    if ignored:
        return f"Taints ignored (include_tainted=True): {_short_list(names)}."
    return (f"Taints: {_short_list(names)}; pods go to a tainted node only if they tolerate every one of its "
            "NoSchedule and NoExecute taints.")


def _host(node: Mapping, extra_dims: Iterable[str], daemonsets: int, taints: list[Mapping], where: str,
          errors: list[ErrorDetail]) -> Host | None:
    status = node.get("status") or {}
    allocatable = status.get("allocatable") or status.get("capacity") or {}
    labels = _meta(node).get("labels") or {}
    os_name = labels.get(OS_LABEL) or (status.get("nodeInfo") or {}).get("operatingSystem") or "linux"
    max_pods = None
    if "pods" in allocatable:
        try:
            max_pods = max(math.floor(parse_quantity(allocatable["pods"])) - daemonsets, 0)
        except QuantityError as exc:
            errors.append(ErrorDetail(where, "status.allocatable.pods", str(exc), allocatable["pods"]))
    host = _build(Host, where, errors, id=_name(node), cpu=allocatable.get("cpu", 0),
                  memory=allocatable.get("memory", 0),
                  extra={d: allocatable[d] for d in extra_dims if d in allocatable},
                  os=str(os_name), hypervisor=None, containers=True, max_workloads=max_pods,
                  labels={str(k): str(v) for k, v in labels.items()}, taints=[taint_name(t) for t in taints])
    if host is None:  # name the field as it is in the node's JSON
        errors[:] = [ErrorDetail(e.where, _node_field(e.field), e.message, e.value) if e.where == where else e
                     for e in errors]
    return host


def _node_field(field: str) -> str:
    if field in ("cpu", "memory"):
        return f"status.allocatable.{field}"
    if field.startswith("extra."):
        return f"status.allocatable.{field[len('extra.'):]}"
    return field

