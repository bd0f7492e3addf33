"""Kubernetes import: pod requests as the scheduler counts them, nodes, DaemonSets, anti-affinity, and the sample."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

import fleetpack as fp
from fleetpack.kube import from_kubernetes, pod_requests

ROOT = Path(__file__).resolve().parents[1]
PODS = ROOT / "examples" / "kube-pods.json"
NODES = ROOT / "examples" / "kube-nodes.json"
GI, MI = 2**30, 2**20


def container(cpu=None, memory=None, **more) -> dict:
    requests = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v is not None}
    return {"name": "c", "resources": {"requests": requests}, **more}


def a_pod(name="p", namespace="default", containers=(), init=(), labels=None, **spec) -> dict:
    return {"kind": "Pod", "metadata": {"name": name, "namespace": namespace, "labels": labels or {}},
            "spec": {"containers": list(containers), "initContainers": list(init), **spec},
            "status": {"phase": "Running"}}


def a_node(name="n1", cpu="4", memory="16Gi", pods="110", labels=None, **spec) -> dict:
    return {"kind": "Node", "metadata": {"name": name, "labels": labels or {"kubernetes.io/os": "linux"}},
            "spec": spec, "status": {"allocatable": {"cpu": cpu, "memory": memory, "pods": pods}}}


def as_list(items) -> dict:
    return {"apiVersion": "v1", "kind": "List", "items": list(items)}


# --- pod requests, as Kubernetes computes them -----------------------------------------------------------------------


def test_app_containers_are_summed():
    reqs = pod_requests(a_pod(containers=[container("250m", "64Mi"), container("1", "1Gi")]))
    assert reqs == {"cpu": Fraction(5, 4), "memory": GI + 64 * MI}


def test_an_init_container_counts_at_its_peak_when_it_is_larger():
    pod = a_pod(containers=[container("500m", "1Gi")], init=[container("2", "256Mi"), container("100m", "2Gi")])
    assert pod_requests(pod) == {"cpu": 2, "memory": 2 * GI}


def test_sidecars_add_to_the_pod_and_to_every_init_container_after_them():
    # the KEP-753 example: sidecar 1 started, then an init container runs beside it, then the app with it
    sidecar = container("100m", "128Mi", restartPolicy="Always")
    pod = a_pod(containers=[container("500m", "512Mi")],
                init=[container("1", "64Mi"), sidecar, container("900m", "64Mi")])
    reqs = pod_requests(pod)
    # app + sidecar = 600m; init 1 alone = 1; init 3 + sidecar = 1000m: the peak is 1 core
    assert reqs["cpu"] == 1
    assert reqs["memory"] == 640 * MI  # app + sidecar beats every init container


def test_pod_overhead_is_added_and_runtime_classes_fill_it_in():
    pod = a_pod(containers=[container("500m", "1Gi")], overhead={"cpu": "250m", "memory": "160Mi"})
    assert pod_requests(pod) == {"cpu": Fraction(3, 4), "memory": GI + 160 * MI}
    kata = a_pod(containers=[container("500m", "1Gi")], runtimeClassName="kata")
    assert pod_requests(kata) == {"cpu": Fraction(1, 2), "memory": GI}
    assert pod_requests(kata, {"kata": {"cpu": "250m", "memory": "160Mi"}})["cpu"] == Fraction(3, 4)


def test_a_limit_without_a_request_is_the_request_and_pod_level_requests_win():
    pod = a_pod(containers=[{"name": "c", "resources": {"limits": {"cpu": "2", "memory": "1Gi"}}}])
    assert pod_requests(pod) == {"cpu": 2, "memory": GI}
    pod = a_pod(containers=[container("2", "4Gi")], resources={"requests": {"cpu": "1"}})
    assert pod_requests(pod) == {"cpu": 1, "memory": 4 * GI}


def test_bad_quantities_name_the_pod_and_the_field():
    with pytest.raises(fp.ValidationError) as exc_info:
        from_kubernetes(as_list([a_pod("web", "shop", containers=[container("lots", "1Gi")])]), as_list([a_node()]))
    (error,) = exc_info.value.errors
    assert (error.where, error.field) == ("pods: pod 'shop/web'", "spec.containers[0].resources.requests.cpu")


def test_bad_node_fields_name_the_file_the_node_and_the_json_field(tmp_path):
    nodes = tmp_path / "nodes.json"
    nodes.write_text(json.dumps(as_list([a_node("n1", memory="sixteen")])))
    with pytest.raises(fp.ValidationError) as exc_info:
        from_kubernetes(as_list([]), nodes)
    (error,) = exc_info.value.errors
    assert (error.where, error.field) == (f"{nodes}: node 'n1'", "status.allocatable.memory")


# --- what is left out, and what counts per node ----------------------------------------------------------------------


def test_finished_mirror_and_daemonset_pods_are_not_workloads():
    done = a_pod("done", containers=[container("1", "1Gi")])
    done["status"]["phase"] = "Succeeded"
    mirror = a_pod("kube-apiserver-n1", "kube-system", containers=[container("250m")])
    mirror["metadata"]["annotations"] = {"kubernetes.io/config.mirror": "abc"}
    ds = [a_pod(f"proxy-{n}", "kube-system", containers=[container(cpu, mem)]) for n, (cpu, mem) in
          enumerate((("100m", "64Mi"), ("150m", "32Mi")))]
    for p in ds:
        p["metadata"]["ownerReferences"] = [{"kind": "DaemonSet", "name": "kube-proxy"}]
    logs = a_pod("logs-0", "logging", containers=[container("50m", "100Mi")])
    logs["metadata"]["ownerReferences"] = [{"kind": "DaemonSet", "name": "fluent-bit"}]
    app = a_pod("app", containers=[container("1", "1Gi")])
    fleet = from_kubernetes(as_list([done, mirror, *ds, logs, app]), as_list([a_node(pods="110")]), current=False)
    assert [w.id for w in fleet.workloads] == ["default/app"]
    # the largest pod of each DaemonSet, summed over DaemonSets, on every node; one pod slot each
    runtime = fleet.overheads.container_runtime
    assert (runtime.cpu_millis, runtime.memory_bytes) == (200, 164 * MI)
    assert fleet.hosts[0].max_workloads == 108
    assert fleet.overheads.container.memory_bytes == 0 and fleet.overheads.vm.memory_bytes == 0
    assert "1 finished (Succeeded or Failed), 1 mirror (static)" in fleet.description


def test_nodes_become_container_hosts_with_labels_and_taints_and_cordoned_ones_are_left_out():
    nodes = [
        a_node("a", cpu="7910m", memory="31369692Ki", pods="58"),
        a_node("win", labels={"kubernetes.io/os": "windows"}),
        a_node("cordoned", unschedulable=True),
        a_node("cp", taints=[{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]),
        a_node("soft", taints=[{"key": "spot", "value": "true", "effect": "PreferNoSchedule"}]),
    ]
    fleet = from_kubernetes(as_list([]), as_list(nodes), current=False)
    assert [h.id for h in fleet.hosts] == ["a", "win", "cp", "soft"]  # a tainted node is a host with taints
    a = fleet.hosts[0]
    assert (a.cpu_millis, a.memory_bytes, a.max_workloads) == (7910, 31369692 * 1024, 58)
    assert (a.hypervisor, a.containers, a.os, fleet.hosts[1].os) == (None, True, "linux", "windows")
    assert fleet.hosts[1].labels == {"kubernetes.io/os": "windows"}
    assert [h.taints for h in fleet.hosts] == [(), (), ("node-role.kubernetes.io/control-plane:NoSchedule",), ()]
    assert "Nodes left out: cordoned (cordoned)." in fleet.description
    assert "Taints: node-role.kubernetes.io/control-plane:NoSchedule;" in fleet.description
    assert "PreferNoSchedule taints are preferences, not modelled (1 on the nodes)." in fleet.description
    ignored = from_kubernetes(as_list([]), as_list(nodes), include_tainted=True, current=False)
    assert [h.id for h in ignored.hosts] == ["a", "win", "cp", "soft"]  # cordoned stays out: it is being drained
    assert all(h.taints == () for h in ignored.hosts) and "Taints ignored (include_tainted=True)" in (
        ignored.description)
    live = from_kubernetes(as_list([]), as_list(nodes))  # a live fleet (the default) keeps it, to drain
    assert [h.id for h in live.hosts] == ["a", "win", "cordoned", "cp", "soft"] and live.drain == ("cordoned",)
    assert live.hosts[2].taints == ()  # the cordon's own taint goes with the cordon


def test_extended_resources_become_extra_dimensions_and_os_comes_from_the_node_selector():
    gpu_pod = a_pod("scorer", containers=[container("2", "8Gi", resources={"requests": {"cpu": "2", "memory": "8Gi",
                                                                                        "nvidia.com/gpu": "1"}})])
    win_pod = a_pod("invoicing", containers=[container("1", "2Gi")], nodeSelector={"kubernetes.io/os": "windows"})
    zoned = a_pod("pinned", containers=[container("1", "1Gi")], nodeSelector={"topology.kubernetes.io/zone": "a"})
    gpu_node = a_node("g")
    gpu_node["status"]["allocatable"]["nvidia.com/gpu"] = "4"
    fleet = from_kubernetes(as_list([gpu_pod, win_pod, zoned]), as_list([a_node("n"), gpu_node]))
    scorer, invoicing, pinned = fleet.workloads
    assert scorer.extra_units == {"nvidia.com/gpu": 1} and scorer.form == "container"
    assert (invoicing.os, pinned.os) == ("windows", "linux")
    assert [h.extra_units for h in fleet.hosts] == [{}, {"nvidia.com/gpu": 4}]
    assert pinned.selector == {"topology.kubernetes.io/zone": "a"} and invoicing.selector is None  # os: its own field


# --- anti-affinity ---------------------------------------------------------------------------------------------------


def anti(labels: dict, key="kubernetes.io/hostname", **term) -> dict:
    return {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        {"labelSelector": {"matchLabels": labels}, "topologyKey": key, **term}]}}


def test_hostname_anti_affinity_groups_the_matched_pods():
    web = [a_pod(f"web-{n}", "shop", [container("1", "1Gi")], labels={"app": "web"}, affinity=anti({"app": "web"}))
           for n in range(3)]
    other_ns = a_pod("web-x", "test", [container("1", "1Gi")], labels={"app": "web"})
    zoned = [a_pod(f"db-{n}", "shop", [container("1", "1Gi")], labels={"app": "db"},
                   affinity=anti({"app": "db"}, key="topology.kubernetes.io/zone")) for n in range(2)]
    fleet = from_kubernetes(as_list([*web, other_ns, *zoned]), as_list([a_node()]))
    groups = {w.id: w.anti_affinity for w in fleet.workloads}
    assert groups == {"shop/web-0": "shop/app=web", "shop/web-1": "shop/app=web", "shop/web-2": "shop/app=web",
                      "test/web-x": None, "shop/db-0": None, "shop/db-1": None}
    # the zone term is a group rule (kube.pod_rules); the db pods are in its group
    zone = "anti-affinity:shop/app=db@topology.kubernetes.io/zone"
    assert fleet.rules == (fp.AntiAffinity(zone, scope="topology.kubernetes.io/zone"),)
    assert {w.id: w.groups for w in fleet.workloads if w.groups} == {"shop/db-0": (zone,), "shop/db-1": (zone,)}


def test_groups_that_share_a_pod_become_group_rules():
    a = a_pod("a", labels={"app": "a"}, containers=[container("1")], affinity=anti({"app": "a"}))
    a2 = a_pod("a2", labels={"app": "a"}, containers=[container("1")], affinity=anti({"app": "a"}))
    # "b" keeps away from the "a" pods and from its own replicas
    b_terms = {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        {"labelSelector": {"matchLabels": {"app": "b"}}, "topologyKey": "kubernetes.io/hostname"},
        {"labelSelector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["a"]}]},
         "topologyKey": "kubernetes.io/hostname"}]}}
    b = [a_pod(f"b{n}", labels={"app": "b"}, containers=[container("1")], affinity=b_terms) for n in range(2)]
    fleet = from_kubernetes(as_list([a, a2, *b]), as_list([a_node()]))
    # a pod has one anti_affinity group: these terms are host-scoped rules each instead (kube.pod_rules)
    assert {w.anti_affinity for w in fleet.workloads} == {None}
    a_rule, b_rule, b_to_a = (f"anti-affinity:default/{s}@kubernetes.io/hostname"
                              for s in ("app=a", "app=b", "app:In(a)"))
    assert fleet.rules == tuple(fp.AntiAffinity(g) for g in (a_rule, b_rule, b_to_a))
    assert [w.groups for w in fleet.workloads] == [(a_rule, b_to_a), (a_rule, b_to_a), (b_rule, b_to_a),
                                                   (b_rule, b_to_a)]
    # "b" keeps away from the "a" pods: the group holds both, so the "a" pods are kept apart by it too (stricter)
    assert "2 pods with anti-affinity whose group holds pods that do not carry the term" in fleet.description


def test_match_label_keys_restrict_the_group_to_one_revision():
    term = {"matchLabelKeys": ["pod-template-hash"]}
    pods = [a_pod(f"api-{h}-{n}", labels={"app": "api", "pod-template-hash": h}, containers=[container("1")],
                  affinity=anti({"app": "api"}, **term)) for h in ("old", "new") for n in range(2)]
    fleet = from_kubernetes(as_list(pods), as_list([a_node()]))
    groups = [w.anti_affinity for w in fleet.workloads]
    assert groups[0] == groups[1] and groups[2] == groups[3] and groups[0] != groups[2]


# --- input forms -----------------------------------------------------------------------------------------------------


def test_documents_may_be_dicts_text_paths_files_or_single_objects(tmp_path):
    pods = as_list([a_pod("web", containers=[container("1", "1Gi")])])
    nodes = as_list([a_node()])
    path = tmp_path / "pods.json"
    path.write_text(json.dumps(pods))
    expected = from_kubernetes(pods, nodes).workloads
    assert from_kubernetes(json.dumps(pods), nodes).workloads == expected
    assert from_kubernetes(str(path), nodes).workloads == expected
    assert from_kubernetes(io.StringIO(json.dumps(pods)), nodes).workloads == expected
    assert from_kubernetes(pods["items"][0], a_node()).workloads == expected
    with pytest.raises(fp.ValidationError, match="not valid JSON"):
        from_kubernetes("{", nodes)


# --- the shipped sample ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample() -> fp.fleetfile.Fleet:
    return from_kubernetes(PODS, NODES, current=False)  # from nothing: every pod to place


def test_sample_is_what_its_script_makes(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "examples" / "make_kube_sample.py"), "--out-dir", str(tmp_path)],
                   check=True)
    assert (tmp_path / "kube-pods.json").read_text() == PODS.read_text()
    assert (tmp_path / "kube-nodes.json").read_text() == NODES.read_text()


def test_sample_imports_as_documented(sample):
    by_id = {w.id: w for w in sample.workloads}
    assert len(by_id) == 23 and sample.legacy_servers == 8
    storefront = by_id["shop/storefront-f7c9d8b6d-2xkqp"]  # app + native sidecar
    assert (storefront.cpu_millis, storefront.memory_bytes) == (600, 640 * MI)
    catalog = by_id["shop/catalog-7c4b9d6c8f-8vbnm"]  # the migration init container needs a whole core
    assert (catalog.cpu_millis, catalog.memory_bytes) == (1000, GI)
    payments = by_id["payments/payments-api-5f6d7b8c9d-4mzjk"]  # Kata pod overhead
    assert (payments.cpu_millis, payments.memory_bytes) == (750, GI + 160 * MI)
    assert by_id["payments/fraud-scorer-6d5c4b3a29-v8kd2"].extra_units == {"nvidia.com/gpu": 1}
    assert by_id["legacy/invoicing-7b9c8d6e5f-qq2lx"].os == "windows"
    assert "batch/report-28995960-j2x7c" not in by_id  # Succeeded
    assert "batch/nightly-etl-28996140-6w4nd" in by_id  # Pending: still to place
    storefront_group = {w.id for w in sample.workloads if w.anti_affinity == "shop/app=storefront"}
    assert len(storefront_group) == 4 and "shop/storefront-canary-6b8f9c7d54-lq8rw" in storefront_group
    assert [h.id for h in sample.hosts] == ["ip-10-0-1-23.ec2.internal", "ip-10-0-2-41.ec2.internal",
                                            "ip-10-0-3-77.ec2.internal", "ip-10-0-1-105.ec2.internal",
                                            "ip-10-0-3-12.ec2.internal",  # tainted CriticalAddonsOnly: a host
                                            "ip-10-0-1-88.ec2.internal", "ip-10-0-2-150.ec2.internal"]
    assert [h.taints for h in sample.hosts if h.taints] == [("CriticalAddonsOnly=true:NoSchedule",)]
    assert all(h.max_workloads in (24, 53, 105) for h in sample.hosts)  # 29, 58 or 110 pods, less 5 DaemonSets
    assert (sample.overheads.container_runtime.cpu_millis, sample.overheads.container_runtime.memory_bytes) == \
        (285, 268 * MI)


def test_sample_plan_keeps_every_rule_and_needs_fewer_nodes(sample):
    plan = sample.place(method="bfd")
    assert not plan.unplaced
    assert fp.verify(sample.workloads, sample.hosts, plan, sample.overheads) == []
    assert plan.hosts_used < sample.legacy_servers
    storefront = [plan.host_of(w.id) for w in sample.workloads if w.anti_affinity == "shop/app=storefront"]
    assert len(set(storefront)) == 4
    assert plan.host_of("legacy/invoicing-7b9c8d6e5f-qq2lx") == "ip-10-0-2-150.ec2.internal"


# --- a live fleet (issue 15) -----------------------------------------------------------------------------------------


def test_the_sample_cluster_is_live_by_default_pods_where_they_run_cordoned_nodes_drained():
    import fleetpack.baseline

    pods, nodes = PODS, NODES
    today = from_kubernetes(pods, nodes, current=False)
    live = from_kubernetes(pods, nodes)
    assert today.drain == () and all(w.current is None and not w.pinned for w in today.workloads)
    assert live.drain == ("ip-10-0-2-200.ec2.internal",)  # cordoned: kept, to be emptied
    assert [h.id for h in live.hosts if h.id not in {g.id for g in today.hosts}] == list(live.drain)
    by_pod = {(p["metadata"].get("namespace", "default") + "/" + p["metadata"]["name"]): p["spec"].get("nodeName")
              for p in json.loads(pods.read_text())["items"]}
    hosts = {h.id for h in live.hosts}
    # the tainted node (CriticalAddonsOnly) is a host too: its pods tolerate the taint and stay
    assert [w.id for w in live.workloads] == [w.id for w in today.workloads]
    assert all(by_pod[w.id] in hosts | {None} for w in live.workloads) and live.legacy_servers == 8
    addons = {w.id for w in live.workloads if w.tolerations == ("CriticalAddonsOnly=true:NoSchedule",)}
    assert {by_pod[w] for w in addons} == {"ip-10-0-3-12.ec2.internal"} and len(addons) == 3
    pinned = {"monitoring/prometheus-0",  # karpenter.sh/do-not-disrupt
              "monitoring/grafana-8f7e6d5c4b-zv9mm"}  # an emptyDir volume
    for w in live.workloads:
        node = by_pod[w.id]
        assert w.current == node
        assert w.current_form == ("container" if w.current else None) and w.pinned == (w.id in pinned)
    moved = from_kubernetes(pods, nodes, evict_local_storage=True)
    assert {w.id for w in moved.workloads if w.pinned} == {"monitoring/prometheus-0"}
    plan = fleetpack.baseline.place(live.workloads, live.hosts, overheads=live.overheads, **live.live_options())
    assert fp.verify(live.workloads, live.hosts, plan, live.overheads, **live.live_options()) == []
    assert {m.source for m in plan.moves} == set(live.drain)  # only the cordoned node's pods had to move


# --- the live part: pins, static pods, cordons (kube/live.py) --------------------------------------------------------


def running_on(pod: dict, node: str, **annotations) -> dict:
    pod["spec"]["nodeName"] = node
    if annotations:
        pod["metadata"]["annotations"] = annotations
    return pod


def test_pods_that_eviction_cannot_move_are_pinned():
    app = lambda name, **spec: a_pod(name, containers=[container("100m", "128Mi")], **spec)  # noqa: E731
    pods = [
        running_on(app("keep"), "n1", **{"karpenter.sh/do-not-disrupt": "true"}),
        running_on(app("loose"), "n1", **{"karpenter.sh/do-not-disrupt": "false"}),
        running_on(app("unsafe"), "n1", **{"cluster-autoscaler.kubernetes.io/safe-to-evict": "false"}),
        running_on(app("scratch", volumes=[{"name": "tmp", "emptyDir": {"medium": "Memory"}}]), "n1"),
        running_on(app("host", volumes=[{"name": "logs", "hostPath": {"path": "/var/log"}}]), "n1"),
        running_on(app("safe", volumes=[{"name": "tmp", "emptyDir": {}}]), "n1",
                   **{"cluster-autoscaler.kubernetes.io/safe-to-evict": "true"}),
        running_on(app("claim", volumes=[{"name": "data", "persistentVolumeClaim": {"claimName": "d"}}]), "n1"),
        app("pending"),
    ]
    fleet = from_kubernetes(as_list(pods), as_list([a_node("n1")]))
    pinned = {w.id.split("/")[1]: w.pinned for w in fleet.workloads}
    assert pinned == {"keep": True, "loose": False, "unsafe": True, "scratch": True, "host": True, "safe": False,
                      "claim": False, "pending": False}
    assert [w.current for w in fleet.workloads] == ["n1"] * 7 + [None]
    assert ("7 pods start on the node they run on; 4 of them pinned, as eviction cannot move them (1 "
            "karpenter.sh/do-not-disrupt, 1 cluster-autoscaler.kubernetes.io/safe-to-evict=false, 2 local storage"
            in fleet.description.replace("\n", " "))
    loose = from_kubernetes(as_list(pods), as_list([a_node("n1")]), evict_local_storage=True)
    assert {w.id.split("/")[1] for w in loose.workloads if w.pinned} == {"keep", "unsafe"}
    greenfield = from_kubernetes(as_list(pods), as_list([a_node("n1")]), current=False)
    assert not any(w.pinned or w.current for w in greenfield.workloads)


def test_static_pods_take_room_on_their_node_without_keeping_it_and_daemonsets_stay_overhead():
    mirror = running_on(a_pod("etcd-n1", "kube-system", containers=[container("500m", "1Gi")]), "n1",
                        **{"kubernetes.io/config.mirror": "abc"})
    elsewhere = running_on(a_pod("etcd-cp", "kube-system", containers=[container("1", "1Gi")]), "cp",
                           **{"kubernetes.io/config.mirror": "def"})
    proxy = [running_on(a_pod(f"proxy-{n}", "kube-system", containers=[container("100m", "64Mi")]), node)
             for n, node in enumerate(("n1", "n2"))]
    for p in proxy:
        p["metadata"]["ownerReferences"] = [{"kind": "DaemonSet", "name": "kube-proxy"}]
    apps = [running_on(a_pod(f"app-{n}", containers=[container("1", "2Gi")]), node)
            for n, node in enumerate(("n1", "n2", "n2"))]
    nodes = [a_node("n1", pods="10"), a_node("n2", pods="10"),
             a_node("cp", taints=[{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}])]
    fleet = from_kubernetes(as_list([mirror, elsewhere, *proxy, *apps]), as_list(nodes))
    assert [w.id for w in fleet.workloads] == ["default/app-0", "default/app-1", "default/app-2"]
    n1, n2, cp = fleet.hosts
    assert (n1.cpu_millis, n1.memory_bytes, n1.max_workloads) == (3500, 15 * GI, 8)  # less etcd, less kube-proxy
    assert (n2.cpu_millis, n2.memory_bytes, n2.max_workloads) == (4000, 16 * GI, 9)
    assert (cp.cpu_millis, cp.taints) == (3000, ("node-role.kubernetes.io/control-plane:NoSchedule",))
    assert fleet.overheads.container_runtime.cpu_millis == 100  # the DaemonSet: per-node overhead, as before
    assert "2 static (mirror) pods stay on their node" in fleet.description
    # neither the static pod nor the DaemonSet pod keeps n1: its one app may move, and n1 is freed; the
    # control-plane node is no place for the apps (its taint)
    plan = fp.place(fleet.workloads, fleet.hosts, overheads=fleet.overheads, max_moves=1)
    assert plan.hosts_used == 1 and plan.host_of("default/app-0") == "n2" and plan.move_count == 1
    gone = from_kubernetes(as_list([mirror, elsewhere, *proxy, *apps]), as_list(nodes[:2]))
    assert "Pods left out: 1 mirror (static)" in gone.description  # on a node not in the list
    greenfield = from_kubernetes(as_list([mirror, elsewhere, *proxy, *apps]), as_list(nodes), current=False)
    assert greenfield.hosts[0].cpu_millis == 4000 and "2 mirror (static)" in greenfield.description


def test_a_cordoned_node_with_a_pinned_pod_is_kept_but_not_drained():
    pods = [running_on(a_pod("db", containers=[container("1", "1Gi")]), "old",
                       **{"karpenter.sh/do-not-disrupt": "true"}),
            running_on(a_pod("web", containers=[container("1", "1Gi")]), "gone")]
    nodes = [a_node("old", unschedulable=True), a_node("empty", unschedulable=True), a_node("new")]
    fleet = from_kubernetes(as_list(pods), as_list(nodes))
    assert [h.id for h in fleet.hosts] == ["old", "empty", "new"] and fleet.drain == ("empty",)
    assert "Cordoned node old is not drained: pinned pods run on it (default/db)." in fleet.description
    # the pod on a node the documents do not have stays there, out of the plan
    assert [w.id for w in fleet.workloads] == ["default/db"]
    assert "1 pod on nodes left out stay there, out of the plan." in fleet.description
    assert fleet.place().host_of("default/db") == "old"


def test_how_many_nodes_ten_evictions_free_is_one_command(capsys, tmp_path):
    from fleetpack.cli import main

    # a spread-out cluster: 6 nodes, each with two small pods; pods on n1 are pinned
    nodes = [a_node(f"n{k}", cpu="4", memory="16Gi") for k in range(1, 7)]
    pods = [running_on(a_pod(f"app-{k}-{i}", containers=[container("500m", "1Gi")]), f"n{k}")
            for k in range(1, 7) for i in range(2)]
    for p in pods[:2]:
        p["spec"]["volumes"] = [{"name": "cache", "emptyDir": {}}]
    pods_file, nodes_file = tmp_path / "pods.json", tmp_path / "nodes.json"
    pods_file.write_text(json.dumps(as_list(pods)), encoding="utf-8")
    nodes_file.write_text(json.dumps(as_list(nodes)), encoding="utf-8")
    code = main(["replan", "--kube-pods", str(pods_file), "--kube-nodes", str(nodes_file), "--max-moves", "4",
                 "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["moves"] == 4 and out["hosts_used"] == 4 and len(out["hosts_freed"]) == 2
    assert "n1" not in out["hosts_freed"]  # its pods are pinned (local storage)
    code = main(["replan", "--kube-pods", str(pods_file), "--kube-nodes", str(nodes_file), "--max-moves", "10",
                 "--kube-evict-local-storage"])
    text = capsys.readouterr().out
    # 6 cores of pods on 4-core nodes: 2 nodes at best, reached with 8 moves; 4 nodes freed
    assert code == 0 and "Moved 8 of 12 running workloads" in text and "Empties 4 hosts in use now" in text
    code = main(["replan", "--kube-pods", str(pods_file), "--kube-nodes", str(nodes_file), "--kube-greenfield"])
    text = capsys.readouterr().out
    assert code == 0 and "Moved" not in text and "Placed 12 of 12 workloads on 2 hosts" in text


def test_the_live_keywords_are_checked():
    with pytest.raises(fp.ValidationError) as info:
        from_kubernetes(as_list([]), as_list([]), current="yes", evict_local_storage=1)
    assert [(e.where, e.field) for e in info.value.errors] == [("from_kubernetes()", "current"),
                                                               ("from_kubernetes()", "evict_local_storage")]


# --- node selection: labels, selectors, taints, tolerations (kube/rules.py, issue 16) --------------------------------


def required(*terms) -> dict:
    return {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": list(terms)}}}


def expr(key, operator, *values) -> dict:
    return {"key": key, "operator": operator, **({"values": list(values)} if values else {})}


def selectors(*pods, nodes=None) -> tuple[list, str]:
    fleet = from_kubernetes(as_list(pods), as_list(nodes or [a_node("n")]), current=False)
    return [w.selector for w in fleet.workloads], fleet.description


def test_node_selector_and_required_node_affinity_become_selectors():
    term = {"matchExpressions": [expr("zone", "In", "a", "b"), expr("spot", "NotIn", "true"), expr("gpu", "Exists"),
                                 expr("legacy", "DoesNotExist")]}
    got, notes = selectors(
        a_pod("plain", nodeSelector={"disk": "ssd", "kubernetes.io/os": "linux"}),
        a_pod("affine", affinity=required(term)),
        a_pod("one", affinity=required({"matchExpressions": [expr("zone", "In", "c")]})))
    assert got == [{"disk": "ssd"},  # the os label is the workload's os
                   {"zone": ["a", "b"], "spot": {"not_in": ["true"]}, "gpu": None, "legacy": {"exists": False}},
                   {"zone": "c"}]
    assert "Not modelled" not in notes


def test_requirements_on_one_key_are_combined_when_the_model_can_say_both():
    def both(*exprs, selector=None):
        pod = a_pod(affinity=required({"matchExpressions": list(exprs)}), **(
            {"nodeSelector": selector} if selector else {}))
        return selectors(pod)

    assert both(expr("zone", "In", "a", "b"), selector={"zone": "b"})[0] == [{"zone": "b"}]
    assert both(expr("zone", "In", "a", "b", "c"), expr("zone", "NotIn", "c"))[0] == [{"zone": ["a", "b"]}]
    assert both(expr("zone", "In", "a"), expr("zone", "Exists"))[0] == [{"zone": "a"}]
    assert both(expr("zone", "NotIn", "a"), expr("zone", "NotIn", "b"))[0] == [{"zone": {"not_in": ["a", "b"]}}]
    assert both(expr("zone", "NotIn", "a"), expr("zone", "DoesNotExist"))[0] == [{"zone": {"exists": False}}]
    # no one requirement says both: the nodeSelector's (the first) is kept, the other counted
    got, notes = both(expr("zone", "In", "a"), selector={"zone": "b"})
    assert got == [{"zone": "b"}]
    assert "Not modelled: 1 pod with node rules that cannot be combined on one key" in notes
    got, notes = both(expr("zone", "Exists"), expr("zone", "NotIn", "a"))
    assert got == [{"zone": None}] and "cannot be combined" in notes


def test_node_affinity_the_model_cannot_say_is_counted_and_left_out():
    got, notes = selectors(
        a_pod("or", affinity=required({"matchExpressions": [expr("zone", "In", "a")]},
                                      {"matchExpressions": [expr("zone", "In", "b")]})),
        a_pod("gt", affinity=required({"matchExpressions": [expr("cores", "Gt", "8"), expr("zone", "In", "a")]})),
        a_pod("fields", affinity=required({"matchFields": [expr("metadata.name", "In", "n")]})),
        a_pod("soft", affinity={"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 1, "preference": {"matchExpressions": [expr("zone", "In", "a")]}}]}}))
    assert got == [None, {"zone": "a"}, None, None]  # Gt dropped, the rest of its term kept
    assert ("Not modelled: 1 pod with node affinity of several terms (OR), 1 pod with node affinity Gt or Lt, "
            "1 pod with node affinity on fields (matchFields), 1 pod with preferred node affinity; those pods are "
            "imported without that rule.") in notes


def test_tolerations_are_matched_against_the_nodes_taints_as_kubernetes_does():
    nodes = [a_node("gpu", taints=[{"key": "nvidia.com/gpu", "value": "true", "effect": "NoSchedule"}]),
             a_node("db", taints=[{"key": "dedicated", "value": "db", "effect": "NoExecute"}]),
             a_node("cp", taints=[{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]),
             a_node("plain")]
    gpu, db, cp = "nvidia.com/gpu=true:NoSchedule", "dedicated=db:NoExecute", \
        "node-role.kubernetes.io/control-plane:NoSchedule"
    pods = [a_pod("exists", tolerations=[{"key": "nvidia.com/gpu", "operator": "Exists"}]),
            a_pod("equal", tolerations=[{"key": "dedicated", "operator": "Equal", "value": "db",
                                         "effect": "NoExecute"}]),
            a_pod("other-value", tolerations=[{"key": "dedicated", "value": "web"}]),
            a_pod("other-effect", tolerations=[{"key": "dedicated", "operator": "Exists", "effect": "NoSchedule"}]),
            a_pod("for-a-while", tolerations=[{"key": "dedicated", "operator": "Exists", "effect": "NoExecute",
                                               "tolerationSeconds": 300}]),
            a_pod("everything", tolerations=[{"operator": "Exists"}]),
            a_pod("absent", tolerations=[{"key": "spot", "operator": "Exists"}])]
    fleet = from_kubernetes(as_list(pods), as_list(nodes), current=False)
    assert [w.tolerations for w in fleet.workloads] == [(gpu,), (db,), (), (), (), tuple(sorted((cp, db, gpu))), ()]
    assert [h.taints for h in fleet.hosts] == [(gpu,), (db,), (cp,), ()]
    assert f"Taints: {db}, {cp}, {gpu};" in fleet.description
    # the rule holds in a plan: only "everything" may use the control-plane node
    plan = fp.place(fleet.workloads, fleet.hosts, overheads=fleet.overheads)
    assert not plan.unplaced
    assert all(plan.host_of(w.id) != "cp" for w in fleet.workloads if w.id != "default/everything")
    assert plan.host_of("default/exists") in ("gpu", "plain") and plan.host_of("default/equal") in ("db", "plain")


def test_a_running_pod_may_stay_on_a_node_tainted_noschedule_after_it_came_and_labels_that_changed_are_said():
    nodes = [a_node("n1", labels={"zone": "a"}, taints=[{"key": "maintenance", "effect": "NoSchedule"}]),
             a_node("n2", labels={"zone": "b"}, taints=[{"key": "evict", "effect": "NoExecute"}])]
    pods = [running_on(a_pod("stays", containers=[container("1", "1Gi")]), "n1"),
            running_on(a_pod("evicted", containers=[container("1", "1Gi")]), "n2"),
            running_on(a_pod("zoned", containers=[container("1", "1Gi")], nodeSelector={"zone": "b"}), "n1")]
    live = from_kubernetes(as_list(pods), as_list(nodes))
    stays, evicted, zoned = live.workloads
    assert stays.tolerations == ("maintenance:NoSchedule",) and evicted.tolerations == ()  # NoExecute evicts
    assert ("2 pods tolerate the NoSchedule taints of the node they run on (Kubernetes does not evict them)"
            in live.description)
    assert "1 pod runs on a node whose labels no longer meet their node selector or affinity" in live.description
    greenfield = from_kubernetes(as_list(pods), as_list(nodes), current=False)
    assert all(w.tolerations == () for w in greenfield.workloads)  # from nothing: no pod runs anywhere
