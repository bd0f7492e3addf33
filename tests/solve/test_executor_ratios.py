"""Allocation ratios and headroom on the workers (issue 16): a problem shipped to another process, whole or with a
shared hosts' side, keeps its hosts' ``allocation_ratio``, the call's ``allocation_ratio`` and ``max_utilization``
(all compiled into the arrays that travel), so a shipped solve is the local one, plan for plan, and its plan
verifies with the call's ratios. The local solves run on one thread, as each task does on the executor: CP-SAT on
more threads may find another optimum (both are proven; the exact stage of "auto" runs on these sizes)."""

from __future__ import annotations

import pickle
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest
from scale_out_cases import assert_same_plans

import fleetpack as fp
from fleetpack.distributed import share

CALL = {"allocation_ratio": {"cpu": 3}, "max_utilization": {"memory": 0.5}}


@pytest.fixture(scope="module")
def pool():
    with ProcessPoolExecutor(max_workers=1) as executor:
        yield executor


def _hosts():
    # h0 has its own ratio; the others take the call's
    return [fp.Host(f"h{j}", cpu=8, memory="32Gi", allocation_ratio={"cpu": 2} if j == 0 else None)
            for j in range(4)]


def _problems(hosts):
    # "auto" on these sizes runs the exact stage on the worker, which reads the ratios of the objects made there
    return [{"workloads": [fp.Workload(f"w{i}", cpu=2 + i % 3, memory="3Gi", overcommit=i % 4 != 1)
                           for i in range(k)], "hosts": hosts, "method": method, **CALL}
            for k in (6, 14) for method in ("ffd", "auto")]


def test_ratios_travel_with_objects_and_with_shared_hosts(pool):
    hosts = _hosts()
    problems = _problems(hosts)
    local = fp.place_many(problems, workers=1)
    # the ratios matter here: without them, fewer fit per host
    plain = fp.place_many([{k: v for k, v in p.items() if k not in CALL} for p in problems])
    assert any((-a.placed, a.hosts_used) < (-b.placed, b.hosts_used) for a, b in zip(local, plain))
    assert_same_plans(fp.place_many(problems, executor=pool), local)
    shared = share(hosts, pool)
    remote = fp.place_many([dict(p, hosts=shared) for p in problems], executor=pool)
    assert_same_plans(remote, local)
    for problem, plan in zip(problems, remote):
        assert fp.verify(problem["workloads"], hosts, plan, **CALL) == []
    # the keywords given once for every problem, and a plan that crossed a process, keep them too
    bare = [{k: v for k, v in p.items() if k not in CALL} for p in problems]
    assert_same_plans(fp.place_many(bare, executor=pool, **CALL), local)
    assert_same_plans([plan for _, plan in sorted(fp.place_iter(bare, executor=pool, **CALL))], local)
    assert_same_plans([plan for _, plan in sorted(fp.place_iter(bare, workers=1, **CALL))], local)
    again = pickle.loads(pickle.dumps(remote[-1]))
    assert again.problem.overbook is not None and again.assignments == local[-1].assignments


def test_ratios_travel_with_columns(pool):
    rng = np.random.default_rng(3)
    n = 60
    workloads = {"id": np.array([f"w{i}" for i in range(n)], dtype=object), "cpu": rng.integers(1, 9, n) * 1.0,
                 "memory": rng.integers(1, 9, n) * (1 << 30), "overcommit": rng.random(n) < 0.8}
    hosts = {"id": np.array([f"h{j}" for j in range(12)], dtype=object), "cpu": np.full(12, 16),
             "memory": np.full(12, 64 << 30), "allocation_ratio.cpu": np.where(np.arange(12) % 3 == 0, 4.0, np.nan)}
    problems = [{"workloads": workloads, "hosts": hosts, "method": m, **CALL} for m in ("ffd", "bfd", "auto")]
    local = fp.place_many(problems, workers=1)
    assert_same_plans(fp.place_many(problems, executor=pool), local)
    assert_same_plans([plan for _, plan in sorted(fp.place_iter(problems, executor=pool))], local)
