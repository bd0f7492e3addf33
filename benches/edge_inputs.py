"""Seeded inputs for benches/edges.py: a large fleet file (quantities in the forms people write), numpy columns
with string ids, and Kubernetes pod and node lists."""

from __future__ import annotations

import json

import numpy as np

_CPU = ["100m", "250m", "500m", "750m", "1", "1.5", "2", "4", "8", 1, 2, 0.5, 4]
_MEMORY = ["128Mi", "256Mi", "512Mi", "1Gi", "1.5Gi", "2Gi", "4Gi", "8Gi", "16Gi", "1G", "500M", 1073741824]
_HOSTS = [(64, "256Gi"), (32, "128Gi"), (96, "768Gi"), ("48", "384Gi")]


def fleet_document(workloads: int, hosts: int, seed: int = 0) -> dict:
    """A fleet file's object: ``workloads`` entries with mixed quantity forms (strings with and without suffixes,
    ints, floats), a fifth of them VM-only and a fifth containers, and ``hosts`` hosts of four shapes."""
    rng = np.random.default_rng(seed)
    cpu = rng.integers(0, len(_CPU), workloads).tolist()
    memory = rng.integers(0, len(_MEMORY), workloads).tolist()
    forms = rng.integers(0, 5, workloads).tolist()
    entries = []
    for k in range(workloads):
        entry = {"id": f"w-{k}", "cpu": _CPU[cpu[k]], "memory": _MEMORY[memory[k]]}
        if forms[k] == 0:
            entry["form"] = "vm"
        elif forms[k] == 1:
            entry["form"] = "container"
        entries.append(entry)
    machines = [{"id": f"h-{j}", "cpu": _HOSTS[j % 4][0], "memory": _HOSTS[j % 4][1]} for j in range(hosts)]
    return {"description": f"{workloads} workloads on {hosts} hosts", "workloads": entries, "hosts": machines}


def write_fleet(path, workloads: int, hosts: int, seed: int = 0) -> None:
    with open(path, "w", encoding="utf-8") as out:
        json.dump(fleet_document(workloads, hosts, seed), out)


def id_columns(n: int, seed: int = 0):
    """numpy columns of ``n`` 2-D workloads (as benches/columns.py) and their hosts, each with a string id column."""
    from columns import fleet_columns

    w, h = fleet_columns(n, seed)
    with_ids = (dict(w, id=np.array([f"w{i}" for i in range(n)])),
                dict(h, id=np.array([f"h{j}" for j in range(len(h["cpu_millis"]))])))
    return (w, h), with_ids


def kube_lists(pods: int, nodes: int, seed: int = 0) -> tuple[dict, dict]:
    """``kubectl get pods -A -o json`` and ``kubectl get nodes -o json`` of a cluster: running pods of one or two
    containers with requests, a tenth of them of DaemonSets, spread over ``nodes`` ready nodes."""
    rng = np.random.default_rng(seed)
    node_items = [{
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": f"node-{j}", "labels": {"kubernetes.io/os": "linux"}},
        "spec": {},
        "status": {"allocatable": {"cpu": "15890m", "memory": "63Gi", "pods": "110"},
                   "capacity": {"cpu": "16", "memory": "64Gi", "pods": "110"},
                   "conditions": [{"type": "Ready", "status": "True"}]},
    } for j in range(nodes)]
    cpu = rng.integers(0, 6, pods).tolist()
    memory = rng.integers(0, 6, pods).tolist()
    pod_items = []
    for k in range(pods):
        daemon = k % 10 == 0
        containers = [{"name": "app", "resources": {"requests": {"cpu": ["50m", "100m", "250m", "500m", "1", "2"][cpu[k]],
                                                                 "memory": ["64Mi", "128Mi", "256Mi", "512Mi", "1Gi",
                                                                            "2Gi"][memory[k]]}}}]
        if k % 3 == 0:
            containers.append({"name": "sidecar", "resources": {"requests": {"cpu": "10m", "memory": "32Mi"}}})
        owner = ({"kind": "DaemonSet", "name": "agent"} if daemon else {"kind": "ReplicaSet", "name": f"app-{k % 500}"})
        pod_items.append({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": f"pod-{k}", "namespace": f"ns-{k % 20}", "ownerReferences": [owner],
                         "labels": {"app": f"app-{k % 500}"}},
            "spec": {"nodeName": f"node-{k % nodes}", "containers": containers},
            "status": {"phase": "Running"},
        })
    return ({"apiVersion": "v1", "kind": "List", "items": pod_items},
            {"apiVersion": "v1", "kind": "List", "items": node_items})
