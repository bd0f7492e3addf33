"""``place_many(executor=...)`` and ``place_iter`` on a `ProcessPoolExecutor`: the plans ``place_many`` makes
locally, in input order, at any chunk size; bad input fails before anything is sent; a problem that raises on a
worker cancels the rest and is named; a dead worker is reported as such; shared hosts give the same plans.
(The same on a Dask cluster: tests/solve/test_dask.py.)"""

from __future__ import annotations

from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import pytest
from scale_out_cases import (DIE, EXPLODE, assert_same_plans, columns, hosts_columns, install_faults, rows, scenarios,
                             with_first)

import fleetpack as fp
from fleetpack import exact
from fleetpack.distributed import share


class Recording(Executor):
    """An executor that counts what it is given and keeps the futures, around a real one."""

    def __init__(self, inner: Executor):
        self.inner, self.futures, self._max_workers = inner, [], 2

    def submit(self, fn, /, *args, **kwargs):
        future = self.inner.submit(fn, *args, **kwargs)
        self.futures.append(future)
        return future


@pytest.fixture(scope="module")
def pool():
    with ProcessPoolExecutor(max_workers=2, initializer=install_faults) as executor:
        yield executor


@pytest.fixture(scope="module")
def cases():
    problems = scenarios()
    return problems, fp.place_many(problems)


@pytest.mark.parametrize("chunksize", [1, 3, 64, None])
def test_the_plans_are_those_of_local_place_many(pool, cases, chunksize):
    problems, local = cases
    assert_same_plans(fp.place_many(problems, executor=pool, chunksize=chunksize), local)


def test_place_iter_yields_every_plan_once(pool, cases):
    problems, local = cases
    found = dict(fp.place_iter(problems, executor=pool, chunksize=2, progress=True))
    assert sorted(found) == list(range(len(problems)))
    assert_same_plans([found[k] for k in range(len(problems))], local)
    # and without an executor: chunk after chunk here (from a generator, too)
    found = dict(fp.place_iter((p for p in problems), chunksize=5, progress=True))
    assert_same_plans([found[k] for k in range(len(problems))], local)


def test_bad_input_fails_before_anything_is_sent(pool):
    recording = Recording(pool)
    problems = [rows(0), rows(1), ([{"id": "x", "cpu": -1}], hosts_columns()), (columns(0), {"cpu": ["lots"]})]
    with pytest.raises(fp.ValidationError) as info:
        fp.place_iter(problems, executor=recording, chunksize=0)
    assert recording.futures == []
    wheres = [(e.where, e.field) for e in info.value.errors]
    assert ("place_many()", "chunksize") in wheres
    assert any(w.startswith("problems[2]: workload 'x'") for w, _ in wheres)
    assert any(w.startswith("problems[3]: host") for w, _ in wheres)
    with pytest.raises(fp.ValidationError, match="executor: must be a concurrent.futures.Executor"):
        fp.place_many([rows(0)], executor="dask")


def test_a_problem_that_raises_cancels_the_rest_and_is_named(pool):
    recording = Recording(pool)
    problems = [(with_first(columns(1), EXPLODE), hosts_columns())] + [(columns(s), hosts_columns())
                                                                       for s in range(40)]
    with pytest.raises(RuntimeError, match="a fault injected by the test") as info:
        fp.place_many(problems, executor=recording, chunksize=1)
    assert "fleetpack: raised by problems[0] on Recording" in info.value.__notes__
    assert len(recording.futures) < len(problems)  # the driver stopped sending
    # in the middle of a chunk: the problems before it came back, the error names the right one
    problems = [(columns(s), hosts_columns()) for s in range(4)]
    problems[2] = (with_first(columns(2), EXPLODE), hosts_columns())
    stream = fp.place_iter(problems, executor=pool, chunksize=4)
    seen = []
    with pytest.raises(RuntimeError) as info:
        for k, _ in stream:
            seen.append(k)
    assert seen == [0, 1] and "fleetpack: raised by problems[2] on ProcessPoolExecutor" in info.value.__notes__


def test_a_dead_worker_is_reported_clearly():
    problems = [(columns(0), hosts_columns()), (with_first(columns(1), DIE), hosts_columns())]
    with ProcessPoolExecutor(max_workers=1, initializer=install_faults) as broken:
        with pytest.raises(BrokenProcessPool, match=r"a worker process died while solving problems\[1\]"):
            fp.place_many(problems, executor=broken, chunksize=1)


def test_strict_mode_raises_for_the_first_plan_that_leaves_a_workload_out(pool):
    with pytest.raises(fp.InfeasibleError) as info:
        fp.place_many([rows(0)], executor=pool, strict=True)
    assert "too-big" in info.value.unplaced and info.value.plan is not None


def test_shared_hosts_give_the_same_plans(pool):
    for hosts in (hosts_columns(), rows(0)[1]):
        workloads = [columns(s, windows=s == 1, gpu=s == 2) for s in range(4)] + [rows(3)[0]]
        local = fp.place_many([(w, hosts) for w in workloads], method="bfd")
        handle = share(hosts, pool)
        problems = [(w, handle) for w in workloads[:2]] + [{"workloads": w, "hosts": handle} for w in workloads[2:]]
        assert_same_plans(fp.place_many(problems, executor=pool, chunksize=2, method="bfd"), local)
        assert_same_plans(fp.place_many(problems, method="bfd"), local)  # a handle is hosts without an executor
    with pytest.raises(fp.ValidationError, match="host 'bad'"):
        share([{"id": "bad", "cpu": -1}], pool)


def test_heuristics_only_reaches_the_workers(pool, cases):
    problems, _ = cases
    with exact.heuristics_only():
        local = fp.place_many(problems[:2])
        assert_same_plans(fp.place_many(problems[:2], executor=pool, chunksize=1), local)


def test_neither_dask_nor_ray_is_imported_unless_used():
    import subprocess
    import sys

    script = ("import sys, fleetpack as fp, fleetpack.distributed\n"
              "from concurrent.futures import ThreadPoolExecutor\n"
              "with ThreadPoolExecutor(2) as pool:\n"
              "    fp.place_many([([fp.Workload('a', cpu=1)], [fp.Host('h', cpu=2)])] * 3, executor=pool)\n"
              "print(sorted(m for m in ('dask', 'distributed', 'ray') if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_place_iter_counts_on_the_progress_line(monkeypatch, cases):
    import fleetpack.cli.progress as progress

    lines = []

    class Recorded(progress.Progress):
        def __init__(self, label, **options):
            super().__init__(label, **options)
            lines.append(self)

    monkeypatch.setattr(progress, "Progress", Recorded)
    problems, _ = cases
    assert len(list(fp.place_iter(problems[:4], chunksize=1, progress=True))) == 4
    (line,) = lines
    assert line.label == "Placing 4 problems" and line.total == 4 and line.done == 4
    assert list(fp.place_iter(problems[:1])) and len(lines) == 1  # not asked: no line


def _live_problems() -> list:
    """Live fleets in rows and in columns, with drains and budgets of their own: what the workers get is what the
    driver has (the live arrays travel with the workloads, the drain with the hosts)."""
    hosts = [fp.Host(f"h{j}", cpu=8, memory="32Gi") for j in range(4)]
    workloads = [fp.Workload(f"w{i}", cpu=2, memory="4Gi", current=f"h{i % 4}", pinned=i == 0,
                             current_form="vm" if i == 1 else None, move_cost=i) for i in range(8)]
    workloads.append(fp.Workload("new", cpu=1, memory="1Gi"))
    table = {"id": [w.id for w in workloads], "cpu": [2] * 8 + [1], "memory": ["4Gi"] * 8 + ["1Gi"],
             "current": [w.current for w in workloads], "move_cost": [w.move_cost for w in workloads]}
    return [(workloads, hosts), {"workloads": workloads, "hosts": hosts, "drain": ["h3"], "max_moves": 2},
            {"workloads": table, "hosts": hosts, "drain": ["h2"], "max_move_cost": 12, "method": "ffd"},
            {"workloads": workloads, "hosts": hosts, "drain": ["h1", "h2", "h3"], "objective": "spread"}]


def test_live_fleets_are_planned_on_the_workers_as_here(pool):
    import pickle

    problems = _live_problems()
    local = fp.place_many(problems)
    assert any(plan.moves for plan in local)
    for chunksize in (1, None):
        got = fp.place_many(problems, executor=pool, chunksize=chunksize)
        assert_same_plans(got, local)
        assert [plan.moves for plan in got] == [plan.moves for plan in local]
    # a plan and its problem pickle with the live part
    again = pickle.loads(pickle.dumps(local[2]))
    assert again.moves == local[2].moves and again.problem.live is not None
    assert again.problem.live.drain.tolist() == [False, False, True, False]


def test_a_live_fleet_without_a_plan_in_its_budget_raises_from_the_workers_too(pool):
    hosts = [fp.Host("h0", cpu=8, memory="32Gi"), fp.Host("h1", cpu=8, memory="32Gi")]
    workloads = [fp.Workload("a", cpu=1, current="h0"), fp.Workload("b", cpu=1, current="h0")]
    problem = {"workloads": workloads, "hosts": hosts, "drain": ["h0"], "max_moves": 1}
    with pytest.raises(fp.InfeasibleError) as error:
        fp.place_many([problem], executor=pool)
    assert error.value.needed == {"max_moves": 2}


def test_fleets_with_eligibility_are_planned_on_the_workers_as_here(pool):
    # labels, taints, selectors and tolerations travel with both sides; "auto" (with its exact stage, which reads
    # the objects made on the worker) and a shared hosts' side give the plans made here
    hosts = [fp.Host(f"h{j}", cpu=8, memory="32Gi", labels={"zone": "ab"[j % 2]}, taints=["gpu"] if j == 3 else [])
             for j in range(4)]
    problems = [{"workloads": [fp.Workload(f"w{i}", cpu=1 + i % 3, memory="4Gi", selector={"zone": "b"},
                                           tolerations=["gpu"] if i % 2 else []) for i in range(k)],
                 "hosts": hosts, "method": method}
                for k in (3, 8) for method in ("ffd", "auto")]
    local = fp.place_many(problems)
    assert all(plan.host_of(a.workload) in ("h1", "h3") for plan in local for a in plan.assignments)
    assert_same_plans(fp.place_many(problems, executor=pool), local)
    shared = share(hosts, pool)
    assert_same_plans(fp.place_many([dict(p, hosts=shared) for p in problems], executor=pool), local)
