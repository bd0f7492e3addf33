"""Warnings for valid input that is likely a mistake (issue 14): once per kind per call, however many entries share
the mistake, on every path a problem comes in by (`place`, `place_many`, the baseline, fleet files, columns), and
none for input without such mistakes. The single cases are rows of docs/bad-inputs.md."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

import fleetpack as fp
from fleetpack import baseline

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "consolidation.json"
PODS, NODES = ROOT / "examples" / "kube-pods.json", ROOT / "examples" / "kube-nodes.json"


def caught(call) -> list[str]:
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        call()
    return [str(w.message) for w in seen if issubclass(w.category, fp.FleetpackWarning)]


def _write(tmp_path: Path, data) -> Path:
    target = tmp_path / "fleet.json"
    target.write_text(json.dumps(data))
    return target


def test_a_fleet_file_warns_once_per_kind_however_many_entries_share_the_mistake(tmp_path):
    fleet = {"workloads": [{"id": f"w{i}", "cpu": "2Gi", "memory": "512m"} for i in range(500)],
             "hosts": [{"id": "h", "cpu": 8, "memory": "64Gi"}]}
    path = _write(tmp_path, fleet)
    said = caught(lambda: fp.load_fleet(path))
    assert len(said) == 2
    assert said[0].startswith(f"{path}: workload 'w0': cpu: '2Gi' is") and said[0].endswith("(and 499 more like it)")
    assert said[1].startswith(f"{path}: workload 'w0': memory: '512m' is 0.512 bytes")


def test_valid_input_without_likely_mistakes_warns_nothing(tmp_path):
    assert caught(lambda: fp.load_fleet(EXAMPLE).place(method="ffd")) == []
    assert caught(lambda: fp.from_kubernetes(PODS, NODES).place(method="ffd")) == []
    w = {"cpu": np.ones(50_000), "memory": np.full(50_000, 2.0**30)}
    assert caught(lambda: fp.place(w, {"cpu": [64] * 10, "memory": [2**40] * 10}, method="ffd")) == []


def test_columnar_checks_find_the_rows_with_the_mistake():
    n = 100_000
    tenant = np.array(["t"] * n, dtype=object)
    tenant[[7, 9]] = ""
    workloads = {"cpu": np.ones(n), "memory": np.full(n, 2.0**20), "isolation": np.array(["tenant"] * n),
                 "tenant": tenant, "extra.gpus": np.where(np.arange(n) == 5, 1, 0)}
    hosts = {"cpu": [64, 64], "memory": [2**40, 0], "extra.gpu": [1, 0], "id": ["a", "b"]}
    said = caught(lambda: fp.place(workloads, hosts, method="ffd"))
    assert len(said) == 3, said
    assert any(m.startswith("host 'b': memory: is 0") for m in said)
    assert any(m.startswith("workload '5': extra.gpus: no host has a 'gpus' dimension") and "'gpu'" in m
               for m in said)
    assert any(m.startswith("workload '7': tenant: is empty") and m.endswith("(and 1 more like it)") for m in said)


def test_warnings_can_be_made_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error", fp.FleetpackWarning)
        with pytest.raises(fp.FleetpackWarning, match="fraction of a byte"):
            fp.Workload("w", memory="512m")


def test_place_many_warns_once_per_kind_for_all_its_problems():
    # the shared front gathers the notes of every problem: one warning per kind, counting them all
    workloads = [{"id": "a", "cpu": 1, "memory": "512m"}]
    hosts = [{"id": "h", "cpu": 4, "memory": "8Gi"}]
    said = caught(lambda: fp.place_many([(workloads, hosts), (workloads + [{"id": "b", "memory": "1.5"}], hosts)],
                                        method="ffd"))
    assert len(said) == 1, said
    assert said[0].startswith("workload 'a': memory: '512m' is 0.512 bytes") and said[0].endswith("(and 2 more like it)")


def test_the_baseline_comes_in_by_the_same_front_and_warns_alike():
    workloads = [{"id": "a", "cpu": 1, "memory": "512m"}, {"id": "b", "cpu": 1, "memory": "512m"}]
    hosts = [{"id": "h", "cpu": 4}]
    expected = caught(lambda: fp.place(workloads, hosts, method="ffd"))
    assert len(expected) == 2  # the fraction of a byte, and a host without memory
    assert caught(lambda: baseline.place(workloads, hosts, method="ffd")) == expected


def test_a_call_that_raises_does_not_warn():
    # bad input has its errors to report: the likely mistakes of the same call are not said beside them
    with warnings.catch_warnings():
        warnings.simplefilter("error", fp.FleetpackWarning)
        with pytest.raises(fp.ValidationError):
            fp.place([{"id": "a", "cpu": -1, "memory": "512m"}], [{"id": "h", "cpu": 4, "memory": "8Gi"}])
