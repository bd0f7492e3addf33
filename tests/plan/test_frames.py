"""pandas frames of a plan: one row per workload, one per host, in units that add up."""

from __future__ import annotations

import sys

import pytest

import fleetpack as fp

pd = pytest.importorskip("pandas")

GI = 2**30


@pytest.fixture(scope="module")
def plan() -> fp.Plan:
    workloads = [
        fp.Workload("web", cpu="500m", memory="1Gi", form="container"),
        fp.Workload("payroll", cpu=2, memory="4Gi", os="windows"),
        fp.Workload("ocr", cpu=1, memory="2Gi", extra={"gpu": 1}),
        fp.Workload("huge", cpu=1, memory="1Ti"),
    ]
    hosts = [fp.Host("h1", cpu=8, memory="32Gi"), fp.Host("gpu", cpu=8, memory="32Gi", extra={"gpu": 2}),
             fp.Host("spare", cpu=8, memory="32Gi")]
    return fp.place(workloads, hosts, method="ffd")


def test_workloads_frame_has_host_form_demand_and_effective_demand(plan):
    df = plan.to_pandas()
    assert list(df.index) == ["web", "payroll", "ocr", "huge"] and df.index.name == "workload"
    assert list(df.columns) == ["host", "form", "cpu", "memory", "gpu", "cpu_effective", "memory_effective",
                                "gpu_effective", "unplaced"]
    assert df.loc["payroll", "form"] == "vm" and df.loc["payroll", "host"] == plan.host_of("payroll")
    assert df.loc["web", "cpu"] == 0.5 and df.loc["web", "memory"] == GI
    # a container pays 16Mi; a VM its guest's 512Mi and the hardware hypervisor's 3% CPU
    assert df.loc["web", "memory_effective"] == GI + 16 * 2**20
    assert df.loc["payroll", "cpu_effective"] == pytest.approx(2.06)
    assert df.loc["payroll", "memory_effective"] == 4 * GI + 512 * 2**20
    assert df.loc["ocr", "gpu_effective"] == 1
    assert pd.isna(df.loc["huge", "host"]) and pd.isna(df.loc["huge", "memory_effective"])
    assert df.loc["huge", "unplaced"] == "too_large" and pd.isna(df.loc["web", "unplaced"])
    assert str(df["memory"].dtype) == "Int64"  # integers stay integers next to <NA>
    assert df.groupby("form").size().to_dict() == {"container": 2, "vm": 1}


def test_hosts_frame_usage_is_effective_demand_plus_per_host_overheads(plan):
    hosts, df = plan.hosts_frame(), plan.to_pandas()
    assert list(hosts.index) == ["h1", "gpu", "spare"]
    assert hosts["used"].tolist() == [h in {a.host for a in plan.assignments} for h in hosts.index]
    assert hosts["workloads"].sum() == plan.placed
    for host, row in hosts.iterrows():
        mine = df[df["host"] == host]
        if not row["used"]:
            assert row["memory_used"] == 0 and row["memory_util"] == 0
            continue
        runtime = 256 * 2**20 if (mine["form"] == "container").any() else 0
        hypervisor = GI if (mine["form"] == "vm").any() else 0
        assert row["memory_used"] == mine["memory_effective"].sum() + runtime + hypervisor
        assert row["memory_overhead"] == row["memory_used"] - mine["memory"].sum()
        assert row["memory_free"] == row["memory_capacity"] - row["memory_used"]
        assert row["cpu_util"] == pytest.approx(plan.utilization[host]["cpu"])
    assert pd.isna(hosts.loc["h1", "gpu_util"])  # no gpu at all is not 0% used
    assert hosts.loc["gpu", "gpu_capacity"] == 2


def test_frames_need_pandas_and_a_problem(plan, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"pip install 'fleetpack\[pandas\]'"):
        plan.to_pandas()
    monkeypatch.undo()
    with pytest.raises(ValueError, match="does not know its workloads"):
        fp.Plan.from_dict(plan.to_dict()).hosts_frame()
