"""Pod (anti-)affinity, preferred terms and topology spread in the Kubernetes import (`fleetpack.kube.pod_rules`),
on the small YAML files in tests/data and on pods made here."""

from __future__ import annotations

from pathlib import Path

import pytest

import fleetpack as fp
from fleetpack.fleetfile import dump_fleet, load_fleet
from fleetpack.kube import from_kubernetes

pytest.importorskip("yaml")

DATA = Path(__file__).resolve().parent / "data"
PODS, NODES = DATA / "kube-rules-pods.yaml", DATA / "kube-rules-nodes.yaml"
ZONE = "topology.kubernetes.io/zone"


def a_pod(name: str, app: str, namespace: str = "default", **spec) -> dict:
    return {"kind": "Pod", "metadata": {"name": name, "namespace": namespace, "labels": {"app": app}},
            "spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": "1"}}}], **spec},
            "status": {"phase": "Pending"}}


def nodes(n: int = 3) -> dict:
    return {"kind": "List", "apiVersion": "v1", "items": [
        {"kind": "Node", "metadata": {"name": f"n{k}", "labels": {ZONE: "abc"[k % 3]}},
         "status": {"allocatable": {"cpu": "8", "memory": "32Gi", "pods": "110"}}} for k in range(n)]}


def pods(*items) -> dict:
    return {"kind": "List", "apiVersion": "v1", "items": list(items)}


def term(app: str, key: str = ZONE, **more) -> dict:
    return {"labelSelector": {"matchLabels": {"app": app}}, "topologyKey": key, **more}


def test_the_sample_maps_each_kind_of_term_to_its_rule():
    fleet = from_kubernetes(PODS, NODES)
    assert fleet.rules == (
        fp.AntiAffinity(f"anti-affinity:shop/app=web@{ZONE}", scope=ZONE),
        fp.Spread(f"spread:shop/app=web@{ZONE}", ZONE, max_skew=1, min_domains=3),
        fp.Affinity(f"affinity:shop/app=cache@{ZONE}", scope=ZONE),
        fp.AntiAffinity("anti-affinity~50:shop/app=api@kubernetes.io/hostname", scope="host", weight=50),
        fp.Spread(f"spread~1:shop/app=batch@{ZONE}", ZONE, max_skew=2, weight=1))
    members = {r.group: sorted(w.id for w in fleet.workloads if r.group in w.groups) for r in fleet.rules}
    # the namespace bounds a group: test/web-x matches app=web but is not in shop
    assert members[f"anti-affinity:shop/app=web@{ZONE}"] == ["shop/web-0", "shop/web-1", "shop/web-2"]
    # the worker's affinity to the caches joins the caches' own group (stricter: counted in the notes)
    assert members[f"affinity:shop/app=cache@{ZONE}"] == ["shop/cache-0", "shop/cache-1", "shop/worker"]
    assert "5 group rules (1 anti-affinity, 1 spread, 1 affinity, 1 anti-affinity (soft), 1 spread (soft))" in \
        fleet.description
    assert "Not exactly as Kubernetes: 3 pods with affinity whose group holds pods that do not carry the term" in \
        fleet.description
    assert "4 pods with topology spread with nodeAffinityPolicy Ignore or nodeTaintsPolicy Honor" in fleet.description
    assert "Not modelled" not in fleet.description


def test_the_imported_rules_survive_a_fleet_file_and_reach_place(tmp_path):
    fleet = from_kubernetes(PODS, NODES)
    for name in ("fleet.json", "fleet.yaml"):
        dump_fleet(fleet, tmp_path / name)
        again = load_fleet(tmp_path / name)
        assert again.rules == fleet.rules and [w.groups for w in again.workloads] == [w.groups for w in fleet.workloads]
    plan = fleet.place()
    assert plan.placed == len(fleet.workloads)
    zone = {h.id: h.labels[ZONE] for h in fleet.hosts}
    assert len({zone[plan.host_of(f"shop/web-{k}")] for k in range(3)}) == 3  # one replica per zone
    assert len({zone[plan.host_of(p)] for p in ("shop/cache-0", "shop/cache-1", "shop/worker")}) == 1


def test_replicas_that_keep_apart_from_their_own_kind_are_one_exact_rule():
    web = [a_pod(f"web-{k}", "web", affinity={"podAntiAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [term("web")]}}) for k in range(3)]
    fleet = from_kubernetes(pods(*web), nodes())
    assert fleet.rules == (fp.AntiAffinity(f"anti-affinity:default/app=web@{ZONE}", scope=ZONE),)
    assert "Not exactly" not in fleet.description


def test_a_pod_that_keeps_apart_from_others_groups_them_stricter_and_says_so():
    db = [a_pod(f"db-{k}", "db") for k in range(2)]
    app = a_pod("app", "app", affinity={"podAntiAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [term("db")]}})
    fleet = from_kubernetes(pods(*db, app), nodes())
    (rule,) = fleet.rules
    assert sorted(w.id for w in fleet.workloads if rule.group in w.groups) == ["default/app", "default/db-0",
                                                                              "default/db-1"]
    assert "1 pod with anti-affinity whose group holds pods that do not carry the term (kept apart too)" in \
        fleet.description


def test_terms_alone_in_their_group_need_no_rule_and_bad_terms_are_counted():
    lone = a_pod("lone", "lone", affinity={"podAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [term("lone")]}})
    keyless = a_pod("keyless", "x", topologySpreadConstraints=[
        {"maxSkew": 1, "whenUnsatisfiable": "DoNotSchedule", "labelSelector": {"matchLabels": {"app": "x"}}}])
    skew0 = [a_pod(f"s{k}", "s", topologySpreadConstraints=[
        {"maxSkew": 0, "topologyKey": ZONE, "whenUnsatisfiable": "DoNotSchedule",
         "labelSelector": {"matchLabels": {"app": "s"}}}]) for k in range(2)]
    fleet = from_kubernetes(pods(lone, keyless, *skew0), nodes())
    assert fleet.rules == ()
    assert "Not modelled: 3 pods with pod (anti-)affinity or spread terms without a topology key" in \
        fleet.description


def test_a_namespace_selector_takes_every_namespace_and_preferred_affinity_is_soft():
    spec = {"affinity": {"podAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": 7, "podAffinityTerm": term("cache", namespaceSelector={})}]}}}
    cache = [a_pod("cache-0", "cache", "a", **spec), a_pod("cache-1", "cache", "b", **spec)]
    fleet = from_kubernetes(pods(*cache), nodes())
    assert fleet.rules == (fp.Affinity(f"affinity~7:*/app=cache@{ZONE}", scope=ZONE, weight=7),)
    assert all(w.groups == (fleet.rules[0].group,) for w in fleet.workloads)
