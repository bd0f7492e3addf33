"""Pictures of a plan: saved, non-empty, one bar per used host, aggregated when there are many."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import fleetpack as fp
from fleetpack.fleetfile import load_fleet

pytest.importorskip("matplotlib")

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def example_plan() -> fp.Plan:
    return load_fleet(ROOT / "examples" / "consolidation.json").place(method="bfd")


def test_plot_saves_a_png_with_a_bar_row_per_dimension(example_plan, tmp_path):
    path = tmp_path / "plan.png"
    fig = example_plan.plot(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000
    assert len(fig.axes) == 3  # cpu, memory, gpu
    bottom = fig.axes[-1]
    labels = [t.get_text().splitlines()[0] for t in bottom.get_xticklabels()]
    used = [h.id for h in example_plan.problem.hosts if h.id in example_plan.utilization]
    assert labels == used
    # one segment per workload with demand in the dimension, plus one overhead segment per host
    cpu_bars = fig.axes[0].patches
    with_cpu = sum(1 for w in example_plan.problem.workloads if w.cpu_millis)
    assert len(cpu_bars) == with_cpu + len(used)
    # the capacity line at 100% in every row
    assert all(any(list(line.get_ydata()) == [100, 100] for line in ax.get_lines()) for ax in fig.axes)


def test_segments_add_up_to_the_hosts_utilisation(example_plan):
    fig = example_plan.plot()
    tops: dict[float, float] = {}
    for patch in fig.axes[1].patches:  # memory
        x = round(patch.get_x() + patch.get_width() / 2)
        tops[x] = max(tops.get(x, 0.0), patch.get_y() + patch.get_height())
    used = [h for h in example_plan.problem.hosts if h.id in example_plan.utilization]
    for x, host in enumerate(used):
        assert tops[x] == pytest.approx(100 * example_plan.utilization[host.id]["memory"])


def test_many_hosts_are_aggregated_into_readable_bars(tmp_path):
    workloads = [fp.Workload(f"w{i}", cpu=2, memory="8Gi", form="vm" if i % 3 else "container") for i in range(1500)]
    hosts = [fp.Host(f"h{i:03d}", cpu=32 if i % 2 else 64, memory="256Gi") for i in range(600)]
    plan = fp.place(workloads, hosts, objective="spread", method="wfd")  # spread over every host
    assert plan.hosts_used == 600
    path = tmp_path / "big.svg"
    fig = plan.plot(path, max_bars=30)
    assert path.stat().st_size > 10_000
    labels = [t.get_text() for t in fig.axes[-1].get_xticklabels()]
    assert 2 <= len(labels) <= 32 and any("+" in label for label in labels)
    assert "600 used hosts in" in fig.get_suptitle()
    # every used host is in exactly one bar
    counted = sum(1 + int(label.split("+")[1]) if "+" in label else 1 for label in labels)
    assert counted == plan.hosts_used


def test_plot_needs_matplotlib_and_a_problem(example_plan, monkeypatch):
    with pytest.raises(ValueError, match="does not know its workloads"):
        fp.Plan.from_dict(example_plan.to_dict()).plot()
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match="fleetpack\\[plot\\]"):
        example_plan.plot()
