"""`fp.replan_frontier` (issue 15): one plan per move budget, solved by place_many; monotone (more budget never
uses more hosts); a budget below the forced moves is a row, not an error; the table and the plot."""

from __future__ import annotations

import math
import random
import subprocess
import sys
from pathlib import Path

import pytest

import fleetpack as fp

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "live-fleet.json"
BUDGETS = (0, 1, 2, 3, 5, 8, 13, None)


def spread_fleet(seed: int) -> tuple[list[fp.Workload], list[fp.Host]]:
    """A live fleet as a spreading scheduler leaves it: each workload on the least loaded host by cpu (overheads not
    counted, so some hosts run over their memory or cpu and force moves), the ones that did not fit new."""
    rng = random.Random(seed)
    hosts = [fp.Host(f"h{j}", cpu=16, memory="64Gi") for j in range(rng.randint(4, 9))]
    load = [0] * len(hosts)
    workloads = []
    for i in range(rng.randint(10, 45)):
        cpu, memory = rng.randint(1, 4), rng.randint(1, 16)
        j = min(range(len(hosts)), key=lambda h: (load[h], h))
        current = None
        if load[j] + cpu <= 16:
            load[j] += cpu
            current = hosts[j].id
        workloads.append(fp.Workload(f"w{i}", cpu=cpu, memory=f"{memory}Gi", current=current))
    return workloads, hosts


def rank(plan: fp.Plan) -> tuple:
    return (-plan.placed, plan.objective_value, plan.move_cost)


@pytest.mark.parametrize("seed", range(12))
def test_the_frontier_is_monotone_within_each_budget_and_the_best_of_place_at_each(seed):
    workloads, hosts = spread_fleet(seed)
    frontier = fp.replan_frontier(workloads, hosts, BUDGETS)
    assert frontier.budgets == BUDGETS and len(frontier.plans) == len(BUDGETS)
    feasible = [(b, p) for b, p in zip(BUDGETS, frontier.plans) if p is not None]
    assert feasible and feasible[-1][0] is None  # unlimited is always feasible (no pins here)
    for (_, smaller), (_, larger) in zip(feasible, feasible[1:]):
        assert larger.placed >= smaller.placed
        assert rank(larger) <= rank(smaller)
        if larger.placed == smaller.placed:
            assert larger.hosts_used <= smaller.hosts_used
    singles = {}
    for budget, plan in feasible:
        assert budget is None or plan.move_count <= budget
        assert fp.verify(workloads, hosts, plan, max_moves=budget) == []
        singles[budget] = fp.place(workloads, hosts, max_moves=budget)
        best = min((singles[b] for b in singles), key=rank)  # the budgets so far: all within this one
        assert rank(plan) == rank(best)


@pytest.mark.parametrize("seed", range(12))
def test_a_budget_below_the_forced_moves_is_an_infeasible_row(seed):
    workloads, hosts = spread_fleet(seed)
    frontier = fp.replan_frontier(workloads, hosts, BUDGETS)
    for budget, plan, row in zip(BUDGETS, frontier.plans, frontier.rows()):
        below = budget is not None and budget < frontier.forced_moves
        assert (plan is None) == below and row["feasible"] is (not below)
        if below:
            assert all(math.isnan(row[key]) for key in ("moves", "hosts_used", "cost", "placed"))
            with pytest.raises(fp.InfeasibleError, match=f"max_moves >= {frontier.forced_moves}"):
                fp.place(workloads, hosts, max_moves=budget)
        else:
            assert row["hosts_used"] == plan.hosts_used and row["moves"] == plan.move_count


def test_an_overloaded_host_forces_moves_and_budget_zero_says_so():
    hosts = [fp.Host("h1", cpu=5, memory="16Gi"), fp.Host("h2", cpu=5, memory="16Gi")]
    workloads = [fp.Workload(f"w{i}", cpu=2, memory="1Gi", current="h1") for i in range(3)]  # two fit on h1
    frontier = fp.replan_frontier(workloads, hosts, [0, 1, None])
    assert frontier.forced_moves == 1
    assert frontier.plans[0] is None
    assert [p.move_count for p in frontier.plans[1:]] == [1, 1]
    assert [p.hosts_used for p in frontier.plans[1:]] == [2, 2]


def test_a_pinned_workload_that_does_not_fit_raises_as_place_does():
    hosts = [fp.Host("h1", cpu=4, memory="16Gi")]
    workloads = [fp.Workload("big", cpu=8, memory="1Gi", current="h1", pinned=True)]
    with pytest.raises(fp.InfeasibleError, match="pinned workload"):
        fp.replan_frontier(workloads, hosts, [0, 5])


def test_the_example_frees_hosts_as_the_budget_grows_and_its_table():
    pd = pytest.importorskip("pandas")
    fleet = fp.load_fleet(EXAMPLE)
    frontier = fp.replan_frontier(fleet.workloads, fleet.hosts, (0, 5, 10, None))
    frame = frontier.to_pandas()
    assert list(frame.columns) == ["budget", "feasible", "moves", "move_cost", "hosts_used", "cost", "lower_bound",
                                   "placed"]
    assert frame["hosts_used"].tolist() == [p.hosts_used for p in frontier.plans]
    assert frame["hosts_used"].iloc[0] == 12 and frame["moves"].iloc[0] == 0  # nothing moves for nothing
    assert frame["hosts_used"].iloc[-1] < frame["hosts_used"].iloc[0]
    assert frame["hosts_used"].is_monotonic_decreasing and (frame["placed"] == 60).all()
    assert pd.isna(frame["budget"].iloc[-1])


def test_inputs_are_checked_once_and_a_generator_is_read_once():
    workloads, hosts = spread_fleet(3)
    frontier = fp.replan_frontier(iter(workloads), iter(hosts), (b for b in [20, None]))
    assert frontier.budgets == (20, None)
    assert [p.hosts_used for p in frontier.plans] == \
        [p.hosts_used for p in fp.replan_frontier(workloads, hosts, [20, None]).plans]
    with pytest.raises(fp.ValidationError) as info:
        fp.replan_frontier([{"id": "w", "cpu": -1}], hosts, [3, 1], seed=-1)
    wheres = [(e.where, e.field) for e in info.value.errors]  # every problem at once, none as problems[k]
    assert ("replan_frontier()", "seed") in wheres and ("replan_frontier()", "budgets") in wheres
    assert ("workload 'w'", "cpu") in wheres
    assert not any("problems[" in e.where for e in info.value.errors)


def test_a_greenfield_fleet_moves_nothing_at_any_budget():
    workloads = [fp.Workload(f"w{i}", cpu=1, memory="1Gi") for i in range(6)]
    hosts = [fp.Host("h1", cpu=4, memory="16Gi"), fp.Host("h2", cpu=4, memory="16Gi")]
    frontier = fp.replan_frontier(workloads, hosts, [0, 3])
    assert frontier.forced_moves == 0
    assert [(p.move_count, p.hosts_used) for p in frontier.plans] == [(0, 2), (0, 2)]


def test_the_plot_draws_hosts_used_against_the_budget(tmp_path):
    pytest.importorskip("matplotlib")
    fleet = fp.load_fleet(EXAMPLE)
    frontier = fp.replan_frontier(fleet.workloads, fleet.hosts, (0, 5, 10, None))
    fig = frontier.plot(tmp_path / "frontier.png")
    assert (tmp_path / "frontier.png").stat().st_size > 0
    hosts_line = fig.axes[0].get_lines()[0]
    assert list(hosts_line.get_ydata()) == [p.hosts_used for p in frontier.plans]
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["0", "5", "10", "unlimited"]


def test_the_plot_needs_matplotlib(monkeypatch):
    workloads = [fp.Workload("w", cpu=1, memory="1Gi", current="h1")]
    frontier = fp.replan_frontier(workloads, [fp.Host("h1", cpu=4, memory="16Gi")], [0])
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match="pip install 'fleetpack\\[plot\\]'"):
        frontier.plot()


def test_the_example_is_what_its_script_makes_and_as_promised(tmp_path):
    out = tmp_path / "live-fleet.json"
    subprocess.run([sys.executable, str(EXAMPLE.with_name("make_live_fleet.py")), "-o", str(out)], check=True)
    assert out.read_text() == EXAMPLE.read_text()
    fleet = fp.load_fleet(EXAMPLE)
    assert len(fleet.workloads) == 60 and len(fleet.hosts) == 12
    cpu = {h.id: 0.0 for h in fleet.hosts}
    for w in fleet.workloads:
        cpu[w.current] += w.cpu
    assert min(cpu.values()) > 0 and max(cpu.values()) <= 0.6 * 32  # spread: every host used, none over 60% cpu
    assert sorted(w.id for w in fleet.workloads if w.pinned) == ["db-1", "db-2"]


def test_a_likely_mistake_warns_once_not_once_per_budget():
    workloads = [{"id": "a", "cpu": 1, "memory": "512m", "current": "h"}]  # half a byte: 'm' is milli
    with pytest.warns(fp.FleetpackWarning) as record:
        fp.replan_frontier(workloads, [{"id": "h", "cpu": 4, "memory": "8Gi"}], [0, 1, None])
    assert len([w for w in record if issubclass(w.category, fp.FleetpackWarning)]) == 1
