"""``place_many(executor=RayExecutor())`` on a local Ray of two CPUs: the plans of local ``place_many`` at any chunk
size, checks before anything is sent, every plan streamed, shared hosts put in Ray's store once. Skipped when Ray
is not installed (``pip install 'fleetpack[ray]'``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ray = pytest.importorskip("ray")

from scale_out_cases import (DIE, EXPLODE, assert_same_plans, columns, hosts_columns, rows, scenarios,  # noqa: E402
                             with_first)

import fleetpack as fp  # noqa: E402
from fleetpack.distributed import RayExecutor, share  # noqa: E402


@pytest.fixture(scope="module")
def marker(tmp_path_factory):
    return tmp_path_factory.mktemp("ray") / "died-once"


@pytest.fixture(scope="module")
def executor(marker):
    tests = str(Path(__file__).resolve().parents[1])
    python_path = os.pathsep.join([tests, os.environ.get("PYTHONPATH", "")])
    # every worker process gets the test's faults when it starts (a problem named DIE kills its worker once)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False,
             runtime_env={"env_vars": {"PYTHONPATH": python_path, "FLEETPACK_TEST_DIE_ONCE": str(marker)},
                          "worker_process_setup_hook": "scale_out_cases.install_faults"})
    try:
        yield RayExecutor()
    finally:
        ray.shutdown()


@pytest.fixture(scope="module")
def cases():
    problems = scenarios()
    return problems, fp.place_many(problems)


@pytest.mark.parametrize("chunksize", [1, 3, 64])
def test_the_plans_are_those_of_local_place_many(executor, cases, chunksize):
    problems, local = cases
    assert_same_plans(fp.place_many(problems, executor=executor, chunksize=chunksize), local)


def test_place_iter_yields_every_plan_once(executor, cases):
    problems, local = cases
    found = dict(fp.place_iter(problems, executor=executor, chunksize=2))
    assert sorted(found) == list(range(len(problems)))
    assert_same_plans([found[k] for k in range(len(problems))], local)


def test_bad_input_fails_before_anything_is_sent(executor):
    class Counting(RayExecutor):
        submitted = 0

        def submit(self, fn, /, *args, **kwargs):
            Counting.submitted += 1
            return super().submit(fn, *args, **kwargs)

    with pytest.raises(fp.ValidationError, match=r"problems\[1\]: workload 'x'"):
        fp.place_many([rows(0), ([{"id": "x", "cpu": -1}], hosts_columns())], executor=Counting())
    assert Counting.submitted == 0


def test_shared_hosts_are_put_once_and_give_the_same_plans(executor):
    hosts = hosts_columns()
    workloads = [columns(s, windows=s == 1) for s in range(4)]
    local = fp.place_many([(w, hosts) for w in workloads], method="bfd")
    handle = share(hosts, executor)
    assert isinstance(handle.ref.ref, ray.ObjectRef)
    assert_same_plans(fp.place_many([(w, handle) for w in workloads], executor=executor, chunksize=2,
                                    method="bfd"), local)


def test_a_problem_that_raises_is_named(executor):
    problems = [(columns(s), hosts_columns()) for s in range(5)]
    problems[3] = (with_first(columns(3), EXPLODE), hosts_columns())
    with pytest.raises(RuntimeError, match="a fault injected by the test") as info:
        fp.place_many(problems, executor=executor, chunksize=1)
    assert any("raised by problems[3] on RayExecutor" in note for note in info.value.__notes__)


def test_a_killed_worker_is_retried_by_ray(executor, marker):
    problems = [(columns(s), hosts_columns()) for s in range(4)]
    problems[1] = (with_first(columns(1), DIE), hosts_columns())
    local = fp.place_many(problems)
    assert_same_plans(fp.place_many(problems, executor=executor, chunksize=1), local)
    assert marker.exists()  # a worker did die on it
