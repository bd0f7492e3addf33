"""A plan as a picture: each used host as a bar per dimension, stacked by workload, coloured by form.

Bars are drawn in percent of the host's capacity, so that hosts of different sizes and dimensions of different units
read on one scale, and the capacity is the dashed line at 100%. A workload's segment is its own demand; everything
the model adds (guest OSes, VM CPU factors, container, hypervisor and runtime overheads) is one hatched grey segment
on top, so the price of virtualisation shows apart.

A live plan (issue 15) marks the workloads that moved in: their segments are hatched and outlined (a form change in
place counts), with a legend entry; the title counts them and names the evicted workloads (which have no bar) and
the hosts the plan empties.

Past ``max_bars`` used hosts (500 bars are unreadable), hosts are aggregated: hosts of one shape (capacity, OS,
hypervisor, cost) are sorted by their peak utilisation and binned, each bin drawn as one bar of its summed VM,
container and overhead usage over its summed capacity, with a whisker from its least to its most used host.

matplotlib is an optional dependency (``pip install 'fleetpack[plot]'``), imported only when a plot is drawn; no
pyplot state is touched, so plotting is safe in scripts, servers and notebooks alike.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

from typing import TYPE_CHECKING

from .view import PlanView

if TYPE_CHECKING:
    from .plan import Plan

__all__ = ["plot_plan", "VM_COLOUR", "CONTAINER_COLOUR", "OVERHEAD_COLOUR", "MOVED_HATCH", "MOVED_EDGE"]

# Blue and orange stay apart for the common forms of colour blindness.
VM_COLOUR = "#3b6fb6"
CONTAINER_COLOUR = "#f28e2b"
OVERHEAD_COLOUR = "#b0b0b0"
MOVED_HATCH = "xxx"  # a workload that moved in (live plans): hatched and outlined in dark grey
MOVED_EDGE = "#222222"
_CAPACITY_STYLE = {"color": "#222222", "linestyle": "--", "linewidth": 1.1}


def _matplotlib():
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("plan.plot() needs matplotlib: pip install 'fleetpack[plot]' (or pip install matplotlib)") \
            from None
    return Figure


@dataclass
class _Bar:
    """One bar's content in one dimension, in percent of its capacity."""

    label: str
    segments: list[tuple[float, str, bool]]  # (height, colour, moved in), bottom to top
    overhead: float
    spread: tuple[float, float] | None = None  # least and most used host of an aggregated bar


def plot_plan(plan: Plan, path: str | os.PathLike | None = None, *, max_bars: int = 40, title: str | None = None,
              dpi: int = 110):
    """Draw ``plan`` and return the matplotlib ``Figure``; with ``path``, also save it there (PNG, SVG, PDF, ...
    by the file's extension).

    One row of bars per dimension that a used host has; one bar per used host (in input order), or, past
    ``max_bars`` used hosts, per bin of similar hosts. The plan must know its problem (a plan from ``place`` does).
    """
    Figure = _matplotlib()
    view = PlanView(plan)
    problem = view.problem
    used = [j for j, s in enumerate(view.states) if s.count > 0]
    dims = [k for k in range(len(problem.dimensions)) if any(view.states[j].capacity[k] > 0 for j in used)]
    aggregated = len(used) > max_bars
    moved = {view.workload_pos[m.workload] for m in plan.moves if m.target is not None}
    groups = _bins(view, used, max_bars) if aggregated else [[j] for j in used]

    n = max(len(groups), 1)
    detailed = n <= 16  # few enough bars to name each host's size under it, horizontally
    width = min(max(6.4, (0.95 if detailed else 0.34) * n + 1.8), 26)
    fig = Figure(figsize=(width, 1.75 * max(len(dims), 1) + 1.5), dpi=dpi, layout="constrained")
    axes = fig.subplots(max(len(dims), 1), 1, sharex=True, squeeze=False)[:, 0]
    for ax, k in zip(axes, dims):
        bars = [_aggregate(view, g, k, moved) if aggregated else _host_bar(view, g[0], k, moved) for g in groups]
        _draw(ax, bars, problem.dimensions[k])
    if not used:
        axes[0].text(0.5, 0.5, "no workload placed", ha="center", va="center", transform=axes[0].transAxes)
    labels = [_group_label(view, g, detailed) for g in groups]
    if aggregated:
        _mark_shapes(axes[0], view, groups)
    bottom = axes[-1]
    bottom.set_xticks(range(len(groups)), labels, rotation=0 if detailed else 90, fontsize=8)
    bottom.set_xlim(-0.6, n - 0.4)
    fig.suptitle(title or _title(plan, len(problem.hosts), len(used), len(groups) if aggregated else None),
                 fontsize=11)
    _legend(fig, aggregated, bool(moved))
    if path is not None:
        fig.savefig(os.fspath(path), dpi=dpi)
    return fig


# --- what to draw ----------------------------------------------------------------------------------------------------


def _host_bar(view: PlanView, j: int, k: int, moved: set[int]) -> _Bar:
    problem, state = view.problem, view.states[j]
    capacity = state.capacity[k]
    scale = 100 / capacity if capacity else 0.0
    residents = view.residents[j]
    # VMs below containers, each form largest first, those that moved in on top of those that stay: blocks of one
    # look read better than input order
    residents = sorted(residents, key=lambda i: (view.forms[i] != "vm", i in moved,
                                                 -problem.demand(problem.workloads[i])[k]))
    segments, own = [], 0
    for i in residents:
        amount = problem.demand(problem.workloads[i])[k]
        own += amount
        if amount:
            segments.append((amount * scale, VM_COLOUR if view.forms[i] == "vm" else CONTAINER_COLOUR, i in moved))
    return _Bar(problem.hosts[j].id, segments, (state.used[k] - own) * scale)


def _aggregate(view: PlanView, hosts: list[int], k: int, moved: set[int]) -> _Bar:
    problem = view.problem
    capacity = sum(view.states[j].capacity[k] for j in hosts)
    used = sum(view.states[j].used[k] for j in hosts)
    amounts = {(form, m): 0 for form in ("vm", "container") for m in (False, True)}  # (form, moved in) -> demand
    for j in hosts:
        for i in view.residents[j]:
            form = "vm" if view.forms[i] == "vm" else "container"
            amounts[form, i in moved] += problem.demand(problem.workloads[i])[k]
    scale = 100 / capacity if capacity else 0.0
    utilisations = [100 * s.used[k] / s.capacity[k] for s in (view.states[j] for j in hosts) if s.capacity[k]]
    spread = (min(utilisations), max(utilisations)) if len(utilisations) > 1 else None
    segments = [(amount * scale, VM_COLOUR if form == "vm" else CONTAINER_COLOUR, m)
                for (form, m), amount in amounts.items() if amount or not m]
    return _Bar("", segments, (used - sum(amounts.values())) * scale, spread)


def _bins(view: PlanView, used: list[int], max_bars: int) -> list[list[int]]:
    """Used hosts in at most about ``max_bars`` bins: by shape (first seen first), then by peak utilisation."""
    def peak(j: int) -> float:
        s = view.states[j]
        return max((u / c for u, c in zip(s.used, s.capacity) if c), default=0.0)

    def shape(j: int) -> tuple:
        h = view.problem.hosts[j]
        return (tuple(view.states[j].capacity), h.os, h.hypervisor, h.containers, h.cost)

    size = math.ceil(len(used) / max_bars)
    shapes: dict[tuple, list[int]] = {}
    for j in used:
        shapes.setdefault(shape(j), []).append(j)
    if sum(math.ceil(len(members) / size) for members in shapes.values()) > max_bars:
        shapes = {(): list(used)}  # too many shapes to keep apart: bin all hosts together by utilisation
    bins = []
    for members in shapes.values():
        members = sorted(members, key=peak, reverse=True)  # stable: equal peaks keep input order
        bins.extend(members[start:start + size] for start in range(0, len(members), size))
    return bins


def _group_label(view: PlanView, hosts: list[int], detailed: bool) -> str:
    first = view.problem.hosts[hosts[0]].id
    if len(hosts) > 1:
        return f"{first} +{len(hosts) - 1}"
    return f"{first}\n{_shape_words(view, hosts[0], sep=True)}" if detailed else first


def _shape_words(view: PlanView, j: int, sep: bool = False) -> str:
    """A host's size, as people say it: "64 cpu, 512Gi"."""
    from ..model.units import format_amount

    dims = view.problem.dimensions
    capacity = view.states[j].capacity
    words = [f"{format_amount(d, c)} {d}" if d != "memory" else format_amount(d, c)
             for d, c in zip(dims, capacity) if c]
    # cpu and memory on one line, extra dimensions on the next, to keep labels narrow
    return ", ".join(words[:2]) + "".join(f"\n{w}" for w in words[2:]) if sep else ", ".join(words)


def _mark_shapes(ax, view: PlanView, groups: list[list[int]]) -> None:
    """Separate and name the runs of bars that hold hosts of one size."""
    runs: list[tuple[int, int, str]] = []
    for x, g in enumerate(groups):
        words = _shape_words(view, g[0])
        if runs and runs[-1][2] == words and all(_shape_words(view, j) == words for j in g):
            runs[-1] = (runs[-1][0], x, words)
        else:
            runs.append((x, x, words))
    if len(runs) < 2:
        return
    for start, end, words in runs:
        if start:
            for a in ax.figure.axes:
                a.axvline(start - 0.5, color="#888888", linewidth=0.8, linestyle=":")
        ax.text((start + end) / 2, 1.0, words, transform=ax.get_xaxis_transform(), ha="center", va="bottom",
                fontsize=8, color="#444444")


def _title(plan: Plan, total_hosts: int, used: int, bins: int | None) -> str:
    vms, containers = plan.vms, plan.containers
    text = (f"{plan.placed} workloads on {used} of {total_hosts} hosts: {vms} VM{'s' if vms != 1 else ''}, "
            f"{containers} container{'s' if containers != 1 else ''}")
    if plan.unplaced:
        text += f", {len(plan.unplaced)} unplaced"
    text += f" ({plan.strategy})"
    moves = plan.moves
    if moves:
        moved_in = sum(m.target is not None for m in moves)
        evicted = [m.workload for m in moves if m.target is None]
        running = {m.source for m in moves}
        emptied = sorted(running - set(plan.utilization))
        parts = [f"{moved_in} moved in (hatched)"]
        if evicted:
            parts.append(f"evicted: {_few(evicted)}")
        if emptied:
            parts.append(f"emptied: {_few(emptied)}")
        text += "\n" + "; ".join(parts)
    if bins is not None:
        text += f"\n{used} used hosts in {bins} bars of similar hosts; whiskers span the least to the most used host"
    return text


def _few(names: list[str], limit: int = 6) -> str:
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")


# --- drawing ---------------------------------------------------------------------------------------------------------


def _draw(ax, bars: list[_Bar], dimension: str) -> None:
    xs, heights, bottoms, colours, moved = [], [], [], [], []
    tops = []
    for x, bar in enumerate(bars):
        bottom = 0.0
        for height, colour, m in bar.segments:
            xs.append(x), heights.append(height), bottoms.append(bottom), colours.append(colour), moved.append(m)
            bottom += height
        tops.append(bottom)
    # thin white edges separate the workloads stacked in one bar; on slivers an edge would hide the colour
    edges = [0.35 if h >= 1.5 else 0.0 for h in heights]
    drawn = ax.bar(xs, heights, bottom=bottoms, color=colours, width=0.78, edgecolor="white", linewidth=edges)
    for patch, m in zip(drawn.patches, moved):
        if m:  # moved in: hatched and outlined, the colour still saying its form
            patch.set_hatch(MOVED_HATCH)
            patch.set_edgecolor(MOVED_EDGE)
            patch.set_linewidth(0.6)
            patch.set_gid("moved")
    ax.bar(range(len(bars)), [b.overhead for b in bars], bottom=tops, width=0.78, color=OVERHEAD_COLOUR,
           hatch="////", edgecolor="white", linewidth=0.0)
    spreads = [(x, b.spread) for x, b in enumerate(bars) if b.spread is not None]
    if spreads:
        ax.vlines([x for x, _ in spreads], [s[0] for _, s in spreads], [s[1] for _, s in spreads],
                  color="#222222", linewidth=1.0)
        for end in (0, 1):
            ax.scatter([x for x, _ in spreads], [s[end] for _, s in spreads], marker="_", s=40, color="#222222",
                       linewidths=1.0, zorder=3)
    ax.axhline(100, **_CAPACITY_STYLE, zorder=4)
    highest = max([t + b.overhead for t, b in zip(tops, bars)] + [b.spread[1] for b in bars if b.spread] + [100])
    ax.set_ylim(0, highest * 1.08)
    ax.set_yticks([0, 25, 50, 75, 100])
    ax.set_ylabel(f"{dimension}\n% of capacity", fontsize=9)
    ax.tick_params(axis="y", labelsize=8)
    ax.grid(axis="y", color="#e6e6e6", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _legend(fig, aggregated: bool, moved: bool = False) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [
        Patch(facecolor=VM_COLOUR, label="VM"),
        Patch(facecolor=CONTAINER_COLOUR, label="container"),
        Patch(facecolor=OVERHEAD_COLOUR, hatch="////", edgecolor="white", label="overheads"),
        Line2D([], [], **_CAPACITY_STYLE, label="capacity"),
    ]
    if moved:
        handles.insert(2, Patch(facecolor="white", hatch=MOVED_HATCH, edgecolor=MOVED_EDGE, linewidth=0.6,
                                label="moved in"))
    if aggregated:
        handles.append(Line2D([], [], color="#222222", marker="_", linewidth=1.0, label="least / most used host"))
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), fontsize=8, frameon=False)
