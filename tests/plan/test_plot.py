"""Pictures of a plan: saved, non-empty, one bar per used host, aggregated when there are many."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import fleetpack as fp
from fleetpack.fleetfile import load_fleet
from fleetpack.plan.plot import MOVED_EDGE, MOVED_HATCH

pytest.importorskip("matplotlib")
from matplotlib.colors import to_hex  # noqa: E402

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


def _moved_patches(ax) -> list:
    return [p for p in ax.patches if p.get_hatch() == MOVED_HATCH]


def test_a_live_plan_marks_the_workloads_that_moved_in_and_names_the_evicted():
    # h1 is drained: a and b move to h2 or h3; d (15Gi) fits on neither beside their 12Gi workloads: evicted
    hosts = [fp.Host("h1", cpu=8, memory="16Gi"), fp.Host("h2", cpu=8, memory="16Gi"),
             fp.Host("h3", cpu=8, memory="16Gi")]
    ws = [fp.Workload("a", cpu=1, memory="2Gi", current="h1", current_form="container"),
          fp.Workload("b", cpu=2, memory="3Gi", current="h1", current_form="container"),
          fp.Workload("d", cpu=1, memory="15Gi", current="h1", current_form="container"),
          fp.Workload("s", cpu=1, memory="12Gi", current="h2", current_form="container"),
          fp.Workload("t", cpu=1, memory="12Gi", current="h3", current_form="container")]
    plan = fp.place(ws, hosts, overheads=fp.Overheads.none(), drain=["h1"])
    moved_in = [m for m in plan.moves if m.target is not None]
    evicted = [m.workload for m in plan.moves if m.target is None]
    assert moved_in and evicted == ["d"]
    fig = plan.plot()
    for ax in fig.axes:  # cpu and memory: one hatched, outlined segment per workload that moved in
        marked = _moved_patches(ax)
        assert len(marked) == len(moved_in)
        assert all(p.get_gid() == "moved" and to_hex(p.get_edgecolor()) == MOVED_EDGE for p in marked)
        # each on the bar of its target host, at its own height
        labels = [t.get_text().splitlines()[0] for t in fig.axes[-1].get_xticklabels()]
        on = sorted(labels[round(p.get_x() + p.get_width() / 2)] for p in marked)
        assert on == sorted(m.target for m in moved_in)
    cpu = sorted(round(p.get_height(), 6) for p in _moved_patches(fig.axes[0]))
    assert cpu == sorted(round(100 * ws[[w.id for w in ws].index(m.workload)].cpu_millis / 8000, 6)
                         for m in moved_in)
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "moved in" in legend
    title = fig.get_suptitle()
    assert f"{len(moved_in)} moved in (hatched)" in title and "evicted: d" in title and "emptied: h1" in title
    # a plan without moves draws no mark and no legend entry
    still = fp.place(ws[3:], hosts, overheads=fp.Overheads.none())
    fig = still.plot()
    assert not any(_moved_patches(ax) for ax in fig.axes)
    assert "moved in" not in [t.get_text() for t in fig.legends[0].get_texts()]


def test_aggregated_bars_mark_the_demand_that_moved_in():
    hosts = [fp.Host(f"h{i:02d}", cpu=8, memory="32Gi") for i in range(30)]
    ws = [fp.Workload(f"w{i}", cpu=1, memory="4Gi", current=f"h{i % 30:02d}", current_form="container")
          for i in range(60)]
    plan = fp.place(ws, hosts, overheads=fp.Overheads.none(), drain=["h00", "h01"])
    assert plan.move_count >= 4
    fig = plan.plot(max_bars=5)
    marked = _moved_patches(fig.axes[0])
    assert marked and "moved in" in [t.get_text() for t in fig.legends[0].get_texts()]
    # the hatched segments hold the moved workloads' CPU: summed back over the bins' capacities
    labels = [t.get_text() for t in fig.axes[-1].get_xticklabels()]
    sizes = [1 + int(label.split("+")[1]) if "+" in label else 1 for label in labels]
    total = sum(p.get_height() / 100 * 8000 * sizes[round(p.get_x() + p.get_width() / 2)] for p in marked)
    assert total == pytest.approx(1000 * sum(m.target is not None for m in plan.moves))
