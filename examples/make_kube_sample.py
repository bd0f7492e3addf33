"""Make ``kube-pods.json`` and ``kube-nodes.json``: what ``kubectl get pods -A -o json`` and ``kubectl get nodes -o
json`` print for a small production cluster, trimmed of the fields nobody reads (managedFields, most of status).

The cluster, "shop-prod" on EKS: four m6i.2xlarge workers in three zones, a fifth one cordoned for maintenance, a
tainted m6i.large for system add-ons, a g5.2xlarge GPU node and a Windows node. It runs a web shop: storefront
replicas spread one per node (required anti-affinity, plus a canary that keeps away from them), Postgres replicas
apart, a catalog service whose init container needs more CPU than the app, storefront pods with a native sidecar
(an init container with restartPolicy Always), payment pods in Kata sandboxes (pod overhead from their
RuntimeClass), a GPU fraud scorer, a Windows invoicing service, Prometheus and Grafana, a pending ETL job, finished
and failed pods, and five DaemonSets on every node. Deterministic: running it again gives the same files::

    python examples/make_kube_sample.py              # rewrites examples/kube-pods.json and kube-nodes.json

Standard library only.
"""

from __future__ import annotations

import argparse
import json
import uuid
from pathlib import Path
from typing import Any

# a JSON object as kubectl prints it
JSON = dict[str, Any]

HERE = Path(__file__).resolve().parent
CREATED = "2025-03-02T09:14:07Z"

WORKER = {"cpu": "8", "memory": "32386524Ki", "pods": "58", "ephemeral-storage": "104845292Ki"}
WORKER_ALLOC = {"cpu": "7910m", "memory": "31369692Ki", "pods": "58", "ephemeral-storage": "95551679124"}


def uid(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, f"shop-prod/{name}"))


def node(name: str, instance: str, zone: str, capacity: dict[str, str], allocatable: dict[str, str], *,
         os_name: str = "linux", taints: list[JSON] | None = None, unschedulable: bool = False,
         extra_labels: dict[str, str] | None = None) -> JSON:
    labels = {
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/instance-type": instance,
        "beta.kubernetes.io/os": os_name,
        "eks.amazonaws.com/capacityType": "ON_DEMAND",
        "eks.amazonaws.com/nodegroup": (extra_labels or {}).get("eks.amazonaws.com/nodegroup", "general"),
        "failure-domain.beta.kubernetes.io/zone": zone,
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": os_name,
        "node.kubernetes.io/instance-type": instance,
        "topology.kubernetes.io/region": "us-east-1",
        "topology.kubernetes.io/zone": zone,
        **(extra_labels or {}),
    }
    spec: JSON = {"providerID": f"aws:///{zone}/i-0{uid(name).replace('-', '')[:16]}"}
    if taints:
        spec["taints"] = taints
    if unschedulable:
        spec["unschedulable"] = True
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "annotations": {"alpha.kubernetes.io/provided-node-ip": "10.0.0.0",
                            "node.alpha.kubernetes.io/ttl": "0",
                            "volumes.kubernetes.io/controller-managed-attach-detach": "true"},
            "creationTimestamp": CREATED,
            "labels": labels,
            "name": name,
            "resourceVersion": "48213377",
            "uid": uid(name),
        },
        "spec": spec,
        "status": {
            "allocatable": allocatable,
            "capacity": capacity,
            "conditions": [{"lastHeartbeatTime": "2025-03-09T11:02:41Z", "lastTransitionTime": CREATED,
                            "message": "kubelet is posting ready status", "reason": "KubeletReady",
                            "status": "True", "type": "Ready"}],
            "nodeInfo": {"architecture": "amd64", "containerRuntimeVersion": "containerd://1.7.25",
                         "kernelVersion": "6.1.128-136.201.amzn2023.x86_64" if os_name == "linux" else
                         "10.0.20348.3207", "kubeProxyVersion": "v1.31.5-eks-5d632ec",
                         "kubeletVersion": "v1.31.5-eks-5d632ec", "operatingSystem": os_name,
                         "osImage": "Amazon Linux 2023.6.20250218" if os_name == "linux" else
                         "Windows Server 2022 Datacenter"},
        },
    }


NODES = [
    node("ip-10-0-1-23.ec2.internal", "m6i.2xlarge", "us-east-1a", WORKER, WORKER_ALLOC),
    node("ip-10-0-2-41.ec2.internal", "m6i.2xlarge", "us-east-1b", WORKER, WORKER_ALLOC),
    node("ip-10-0-3-77.ec2.internal", "m6i.2xlarge", "us-east-1c", WORKER, WORKER_ALLOC),
    node("ip-10-0-1-105.ec2.internal", "m6i.2xlarge", "us-east-1a", WORKER, WORKER_ALLOC),
    node("ip-10-0-2-200.ec2.internal", "m6i.2xlarge", "us-east-1b", WORKER, WORKER_ALLOC, unschedulable=True,
         taints=[{"effect": "NoSchedule", "key": "node.kubernetes.io/unschedulable",
                  "timeAdded": "2025-03-09T08:00:12Z"}]),
    node("ip-10-0-3-12.ec2.internal", "m6i.large", "us-east-1c",
         {"cpu": "2", "memory": "7934712Ki", "pods": "29", "ephemeral-storage": "20959212Ki"},
         {"cpu": "1930m", "memory": "7244536Ki", "pods": "29", "ephemeral-storage": "18242267924"},
         taints=[{"effect": "NoSchedule", "key": "CriticalAddonsOnly", "value": "true"}],
         extra_labels={"eks.amazonaws.com/nodegroup": "system"}),
    node("ip-10-0-1-88.ec2.internal", "g5.2xlarge", "us-east-1a",
         {"cpu": "8", "memory": "32386524Ki", "pods": "58", "ephemeral-storage": "209702892Ki",
          "nvidia.com/gpu": "1"},
         {"cpu": "7910m", "memory": "31369692Ki", "pods": "58", "ephemeral-storage": "192188443124",
          "nvidia.com/gpu": "1"},
         extra_labels={"eks.amazonaws.com/nodegroup": "gpu", "nvidia.com/gpu.present": "true"}),
    node("ip-10-0-2-150.ec2.internal", "m6i.xlarge", "us-east-1b",
         {"cpu": "4", "memory": "16776756Ki", "pods": "110", "ephemeral-storage": "52426748Ki"},
         {"cpu": "3920m", "memory": "15625780Ki", "pods": "110", "ephemeral-storage": "47784118963"},
         os_name="windows", extra_labels={"eks.amazonaws.com/nodegroup": "windows"}),
]
LINUX_NODES = [n["metadata"]["name"] for n in NODES if n["metadata"]["labels"]["kubernetes.io/os"] == "linux"]


def container(name: str, image: str, requests: dict[str, str] | None = None,
              limits: dict[str, str] | None = None, **more: Any) -> JSON:
    c = {"image": image, "imagePullPolicy": "IfNotPresent", "name": name,
         "resources": {k: v for k, v in (("limits", limits), ("requests", requests)) if v},
         "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"}
    c.update(more)
    return c


def pod(namespace: str, name: str, labels: dict[str, str], containers: list[JSON], *, node_name: str | None = None,
        owner: tuple[str, str] | None = None, phase: str = "Running", init: list[JSON] | None = None,
        affinity: JSON | None = None, node_selector: dict[str, str] | None = None,
        tolerations: list[JSON] | None = None, runtime_class: str | None = None,
        overhead: dict[str, str] | None = None, annotations: dict[str, str] | None = None,
        volumes: list[JSON] | None = None) -> JSON:
    owner_refs = []
    if owner:
        kind, owner_name = owner
        owner_refs = [{"apiVersion": "apps/v1" if kind != "Job" else "batch/v1", "blockOwnerDeletion": True,
                       "controller": True, "kind": kind, "name": owner_name, "uid": uid(f"{namespace}/{owner_name}")}]
    spec = {"containers": containers, "dnsPolicy": "ClusterFirst", "enableServiceLinks": True,
            "preemptionPolicy": "PreemptLowerPriority", "priority": 0, "restartPolicy": "Always",
            "schedulerName": "default-scheduler", "securityContext": {}, "serviceAccountName": "default",
            "terminationGracePeriodSeconds": 30,
            "tolerations": (tolerations or []) + [
                {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists",
                 "tolerationSeconds": 300},
                {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists",
                 "tolerationSeconds": 300}]}
    if init:
        spec["initContainers"] = init
    if affinity:
        spec["affinity"] = affinity
    if node_selector:
        spec["nodeSelector"] = node_selector
    if runtime_class:
        spec["runtimeClassName"] = runtime_class
    if overhead:
        spec["overhead"] = overhead
    if node_name:
        spec["nodeName"] = node_name
    if volumes:
        spec["volumes"] = volumes
    status: JSON = {"phase": phase, "qosClass": "Burstable"}
    if node_name:
        status.update({"hostIP": "10.0.0.0", "podIP": "10.0.0.0", "startTime": CREATED})
    if phase == "Pending" and not node_name:
        status["conditions"] = [{"lastProbeTime": None, "lastTransitionTime": "2025-03-09T11:00:03Z",
                                 "message": "0/8 nodes are available: 1 node(s) had untolerated taint "
                                            "{CriticalAddonsOnly: true}, 1 node(s) were unschedulable, 1 node(s) "
                                            "didn't match Pod's node affinity/selector, 5 Insufficient cpu. "
                                            "preemption: 0/8 nodes are available: 3 No preemption victims found "
                                            "for incoming pod, 5 Preemption is not helpful for scheduling.",
                                 "reason": "Unschedulable", "status": "False", "type": "PodScheduled"}]
    metadata: JSON = {"creationTimestamp": CREATED, "generateName": name.rsplit("-", 1)[0] + "-",
                      "labels": labels, "name": name, "namespace": namespace, "ownerReferences": owner_refs,
                      "resourceVersion": "48200112", "uid": uid(f"{namespace}/{name}")}
    if annotations:
        metadata["annotations"] = annotations
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata,
        "spec": spec,
        "status": status,
    }


def hostname_anti_affinity(labels: dict[str, str], match_label_keys: list[str] | None = None) -> JSON:
    term = {"labelSelector": {"matchLabels": labels}, "topologyKey": "kubernetes.io/hostname"}
    if match_label_keys:
        term["matchLabelKeys"] = match_label_keys
    return {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term]}}


def daemonset_pods() -> list[JSON]:
    specs = [
        ("kube-system", "aws-node", "602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon-k8s-cni:v1.19.2",
         {"cpu": "25m"}, None),
        ("kube-system", "kube-proxy", "602401143452.dkr.ecr.us-east-1.amazonaws.com/eks/kube-proxy:v1.31.3",
         {"cpu": "100m"}, None),
        ("kube-system", "ebs-csi-node", "public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver:v1.39.0",
         {"cpu": "10m", "memory": "40Mi"}, {"memory": "256Mi"}),
        ("logging", "fluent-bit", "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.5",
         {"cpu": "50m", "memory": "100Mi"}, {"memory": "250Mi"}),
        ("monitoring", "node-exporter", "quay.io/prometheus/node-exporter:v1.9.0",
         {"cpu": "100m", "memory": "128Mi"}, {"memory": "180Mi"}),
    ]
    pods = []
    for n, node_name in enumerate(LINUX_NODES):
        for namespace, name, image, requests, limits in specs:
            suffix = uid(f"{name}/{node_name}")[:5]
            pods.append(pod(namespace, f"{name}-{suffix}", {"app.kubernetes.io/name": name},
                            [container(name, image, requests, limits)], node_name=node_name,
                            owner=("DaemonSet", name),
                            tolerations=[{"operator": "Exists"}]))
    return pods


def workload_pods() -> list[JSON]:
    w1, w2, w3, w4, cordoned, system, gpu, win = (n["metadata"]["name"] for n in NODES)
    envoy = container("envoy", "envoyproxy/envoy:v1.33.0", {"cpu": "100m", "memory": "128Mi"},
                      {"memory": "256Mi"}, restartPolicy="Always")
    pods = []
    for rs, node_name in zip(("f7c9d8b6d-2xkqp", "f7c9d8b6d-9wq4z", "f7c9d8b6d-tr5mv"), (w1, w2, w3)):
        labels = {"app": "storefront", "pod-template-hash": "f7c9d8b6d"}
        pods.append(pod("shop", f"storefront-{rs}", labels,
                        [container("storefront", "ghcr.io/shop/storefront:4.12.1", {"cpu": "500m", "memory": "512Mi"},
                                   {"memory": "1Gi"})],
                        init=[envoy], node_name=node_name, owner=("ReplicaSet", "storefront-f7c9d8b6d"),
                        affinity=hostname_anti_affinity({"app": "storefront"})))
    pods.append(pod("shop", "storefront-canary-6b8f9c7d54-lq8rw",
                    {"app": "storefront-canary", "pod-template-hash": "6b8f9c7d54"},
                    [container("storefront", "ghcr.io/shop/storefront:4.13.0-rc1",
                               {"cpu": "500m", "memory": "512Mi"}, {"memory": "1Gi"})],
                    init=[envoy], node_name=cordoned, owner=("ReplicaSet", "storefront-canary-6b8f9c7d54"),
                    affinity=hostname_anti_affinity({"app": "storefront"})))
    for rs, node_name in zip(("59d7c6f8d9-hk2pn", "59d7c6f8d9-x7d2c"), (w2, w4)):
        pods.append(pod("shop", f"cart-{rs}", {"app": "cart", "pod-template-hash": "59d7c6f8d9"},
                        [container("cart", "ghcr.io/shop/cart:2.3.0", {"cpu": "250m", "memory": "256Mi"},
                                   {"memory": "512Mi"})],
                        node_name=node_name, owner=("ReplicaSet", "cart-59d7c6f8d9")))
    for rs, node_name in zip(("7c4b9d6c8f-8vbnm", "7c4b9d6c8f-ztw4q"), (w3, w4)):
        # the schema migration in the init container needs more CPU than the service itself
        pods.append(pod("shop", f"catalog-{rs}", {"app": "catalog", "pod-template-hash": "7c4b9d6c8f"},
                        [container("catalog", "ghcr.io/shop/catalog:3.8.2", {"cpu": "500m", "memory": "1Gi"},
                                   {"memory": "1536Mi"})],
                        init=[container("migrate", "ghcr.io/shop/catalog-migrate:3.8.2",
                                        {"cpu": "1", "memory": "512Mi"}, {"memory": "512Mi"})],
                        node_name=node_name, owner=("ReplicaSet", "catalog-7c4b9d6c8f")))
    for n, node_name in enumerate((w1, w3)):
        pods.append(pod("shop", f"search-{n}", {"app": "search", "statefulset.kubernetes.io/pod-name": f"search-{n}"},
                        [container("opensearch", "opensearchproject/opensearch:2.19.0",
                                   {"cpu": "500m", "memory": "2Gi"}, {"memory": "2Gi"})],
                        node_name=node_name, owner=("StatefulSet", "search"),
                        affinity={"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
                            {"labelSelector": {"matchLabels": {"app": "search"}},
                             "topologyKey": "topology.kubernetes.io/zone"}]}}))
    pods.append(pod("shop", "redis-0", {"app": "redis", "statefulset.kubernetes.io/pod-name": "redis-0"},
                    [container("redis", "redis:7.4.2", {"cpu": "250m", "memory": "1Gi"}, {"memory": "1Gi"})],
                    node_name=w4, owner=("StatefulSet", "redis")))
    for n, node_name in enumerate((w1, w2)):
        pods.append(pod("shop", f"postgres-{n}",
                        {"app": "postgres", "statefulset.kubernetes.io/pod-name": f"postgres-{n}"},
                        [container("postgres", "postgres:16.8", {"cpu": "1", "memory": "4Gi"}, {"memory": "4Gi"})],
                        init=[container("init-chmod-data", "busybox:1.37", {"cpu": "100m", "memory": "64Mi"})],
                        node_name=node_name, owner=("StatefulSet", "postgres"),
                        affinity=hostname_anti_affinity({"app": "postgres"})))
    for rs, node_name in zip(("5f6d7b8c9d-4mzjk", "5f6d7b8c9d-p9xtw"), (w3, w4)):
        # Kata sandboxes: the RuntimeClass admission controller copied overhead.podFixed into spec.overhead
        pods.append(pod("payments", f"payments-api-{rs}", {"app": "payments-api", "pod-template-hash": "5f6d7b8c9d"},
                        [container("api", "ghcr.io/shop/payments-api:1.21.4", {"cpu": "500m", "memory": "1Gi"},
                                   {"cpu": "1", "memory": "1Gi"})],
                        node_name=node_name, owner=("ReplicaSet", "payments-api-5f6d7b8c9d"),
                        runtime_class="kata-qemu", overhead={"cpu": "250m", "memory": "160Mi"},
                        affinity=hostname_anti_affinity({"app": "payments-api"},
                                                        match_label_keys=["pod-template-hash"])))
    pods.append(pod("payments", "fraud-scorer-6d5c4b3a29-v8kd2", {"app": "fraud-scorer"},
                    [container("scorer", "ghcr.io/shop/fraud-scorer:0.9.3",
                               {"cpu": "2", "memory": "8Gi", "nvidia.com/gpu": "1"},
                               {"memory": "8Gi", "nvidia.com/gpu": "1"})],
                    node_name=gpu, owner=("ReplicaSet", "fraud-scorer-6d5c4b3a29"),
                    tolerations=[{"effect": "NoSchedule", "key": "nvidia.com/gpu", "operator": "Exists"}]))
    pods.append(pod("legacy", "invoicing-7b9c8d6e5f-qq2lx", {"app": "invoicing"},
                    [container("invoicing", "ghcr.io/shop/invoicing-win:2019.4",
                               {"cpu": "1", "memory": "2Gi"}, {"memory": "2Gi"})],
                    node_name=win, owner=("ReplicaSet", "invoicing-7b9c8d6e5f"),
                    node_selector={"kubernetes.io/os": "windows"}))
    pods.append(pod("monitoring", "prometheus-0", {"app.kubernetes.io/name": "prometheus"},
                    [container("prometheus", "quay.io/prometheus/prometheus:v3.2.1",
                               {"cpu": "1", "memory": "6Gi"}, {"memory": "8Gi"}),
                     container("config-reloader", "quay.io/prometheus-operator/prometheus-config-reloader:v0.80.1",
                               {"cpu": "10m", "memory": "50Mi"}, {"memory": "50Mi"})],
                    node_name=w2, owner=("StatefulSet", "prometheus"),
                    # Karpenter leaves its node alone: a restart would lose hours of in-memory samples
                    annotations={"karpenter.sh/do-not-disrupt": "true"}))
    pods.append(pod("monitoring", "grafana-8f7e6d5c4b-zv9mm", {"app.kubernetes.io/name": "grafana"},
                    [container("grafana", "grafana/grafana:11.5.2", {"cpu": "250m", "memory": "512Mi"},
                               {"memory": "1Gi"})],
                    node_name=w1, owner=("ReplicaSet", "grafana-8f7e6d5c4b"),
                    # local storage: an eviction loses it, so the import pins the pod unless told otherwise
                    volumes=[{"name": "storage", "emptyDir": {}}]))
    for suffix in ("5d78c9869d-7tq8x", "5d78c9869d-kbn2s"):
        pods.append(pod("kube-system", f"coredns-{suffix}", {"k8s-app": "kube-dns", "pod-template-hash": "5d78c9869d"},
                        [container("coredns", "602401143452.dkr.ecr.us-east-1.amazonaws.com/eks/coredns:v1.11.4",
                                   {"cpu": "100m", "memory": "70Mi"}, {"memory": "170Mi"})],
                        node_name=system, owner=("ReplicaSet", "coredns-5d78c9869d"),
                        tolerations=[{"key": "CriticalAddonsOnly", "operator": "Exists"}]))
    pods.append(pod("kube-system", "metrics-server-6f8c9b7d5-wl7rp", {"k8s-app": "metrics-server"},
                    [container("metrics-server", "registry.k8s.io/metrics-server/metrics-server:v0.7.2",
                               {"cpu": "100m", "memory": "200Mi"})],
                    node_name=system, owner=("ReplicaSet", "metrics-server-6f8c9b7d5"),
                    tolerations=[{"key": "CriticalAddonsOnly", "operator": "Exists"}]))
    pods.append(pod("batch", "nightly-etl-28996140-6w4nd", {"job-name": "nightly-etl-28996140"},
                    [container("etl", "ghcr.io/shop/etl:5.0.1", {"cpu": "3", "memory": "6Gi"}, {"memory": "6Gi"})],
                    owner=("Job", "nightly-etl-28996140"), phase="Pending"))
    pods.append(pod("batch", "report-28995960-j2x7c", {"job-name": "report-28995960"},
                    [container("report", "ghcr.io/shop/report:5.0.1", {"cpu": "1", "memory": "2Gi"})],
                    node_name=w4, owner=("Job", "report-28995960"), phase="Succeeded"))
    pods.append(pod("shop", "catalog-migrate-backfill-x8p2d", {"job-name": "catalog-migrate-backfill"},
                    [container("backfill", "ghcr.io/shop/catalog-migrate:3.8.2", {"cpu": "2", "memory": "4Gi"})],
                    node_name=w3, owner=("Job", "catalog-migrate-backfill"), phase="Failed"))
    return pods


def as_list(items: list[JSON]) -> JSON:
    return {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=HERE)
    args = parser.parse_args()
    pods = workload_pods() + daemonset_pods()
    for name, doc in (("kube-pods.json", as_list(pods)), ("kube-nodes.json", as_list(NODES))):
        (args.out_dir / name).write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
