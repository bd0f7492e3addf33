"""``place_many(executor=client.get_executor())`` on a Dask ``LocalCluster`` of two worker processes: the plans of
local ``place_many`` at any chunk size, checks before anything is sent, every plan streamed, a raising problem
named, a killed worker retried by Dask, shared hosts scattered once. Skipped when Dask is not installed
(``pip install 'fleetpack[dask]'``). One cluster for the module."""

from __future__ import annotations

from concurrent.futures import Executor

import pytest

distributed = pytest.importorskip("distributed")

from scale_out_cases import (DIE, EXPLODE, assert_same_plans, columns, hosts_columns, install_faults, rows,  # noqa: E402
                             scenarios, with_first)

import fleetpack as fp  # noqa: E402
from fleetpack.distributed import share  # noqa: E402


class Recording(Executor):
    """Counts the chunks submitted, around Dask's executor."""

    def __init__(self, inner: Executor):
        self.inner, self.futures, self._client = inner, [], None

    def submit(self, fn, /, *args, **kwargs):
        future = self.inner.submit(fn, *args, **kwargs)
        self.futures.append(future)
        return future


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=40) as cluster, distributed.Client(cluster) as dask_client:
        yield dask_client


@pytest.fixture(scope="module")
def executor(client):
    return client.get_executor()


@pytest.fixture(scope="module")
def cases():
    problems = scenarios()
    return problems, fp.place_many(problems)


@pytest.mark.parametrize("chunksize", [1, 3, 64, None])
def test_the_plans_are_those_of_local_place_many(executor, cases, chunksize):
    problems, local = cases
    assert_same_plans(fp.place_many(problems, executor=executor, chunksize=chunksize), local)


def test_place_iter_yields_every_plan_once(executor, cases):
    problems, local = cases
    found = dict(fp.place_iter(problems, executor=executor, chunksize=2))
    assert sorted(found) == list(range(len(problems)))
    assert_same_plans([found[k] for k in range(len(problems))], local)


def test_bad_input_fails_before_anything_is_sent(executor):
    recording = Recording(executor)
    with pytest.raises(fp.ValidationError, match=r"problems\[1\]: workload 'x'"):
        fp.place_many([rows(0), ([{"id": "x", "cpu": -1}], hosts_columns())], executor=recording)
    assert recording.futures == []


def test_a_problem_that_raises_is_named(client, executor):
    client.run(install_faults)
    problems = [(columns(s), hosts_columns()) for s in range(6)]
    problems[4] = (with_first(columns(4), EXPLODE), hosts_columns())
    with pytest.raises(RuntimeError, match="a fault injected by the test") as info:
        fp.place_many(problems, executor=executor, chunksize=1)
    assert any("raised by problems[4]" in note for note in info.value.__notes__)


def test_a_killed_worker_is_retried_by_dask(client, executor, tmp_path):
    marker = tmp_path / "died-once"
    client.restart()  # fresh workers (faults installed earlier die every time), then the fault that dies once
    client.run(install_faults, str(marker))
    problems = [(columns(s), hosts_columns()) for s in range(4)]
    problems[1] = (with_first(columns(1), DIE), hosts_columns())
    local = fp.place_many(problems)
    assert_same_plans(fp.place_many(problems, executor=executor, chunksize=1), local)
    assert marker.exists()  # a worker did die on it


def test_shared_hosts_are_scattered_once_and_give_the_same_plans(client, executor):
    hosts = hosts_columns()
    workloads = [columns(s, windows=s == 1, gpu=s == 2) for s in range(5)]
    local = fp.place_many([(w, hosts) for w in workloads], method="bfd")
    handle = share(hosts, executor)
    assert isinstance(handle.ref, distributed.Future)
    assert_same_plans(fp.place_many([(w, handle) for w in workloads], executor=executor, chunksize=2,
                                    method="bfd"), local)


def test_the_recipe_of_docs_scale_out_runs(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    import pandas as pd

    pytest.importorskip("matplotlib")
    example = Path(__file__).resolve().parents[2] / "examples" / "scale_out_sweep.py"
    subprocess.run([sys.executable, str(example), "1000"], cwd=tmp_path, check=True, capture_output=True, timeout=300)
    table = pd.read_csv(tmp_path / "sweep.csv")
    assert len(table) == 15 and (table["unplaced"] == 0).all() and (tmp_path / "sweep.png").exists()
    assert (table["cost"] >= table["lower bound"]).all()
    # demand grows, so does the fleet
    for _, by_type in table.groupby("host type"):
        assert by_type.sort_values("growth")["hosts"].is_monotonic_increasing
