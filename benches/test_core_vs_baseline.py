"""The Rust core against the pure-Python baseline on the same problems (same method, same answer).

Run: ``python -m pytest benches/test_core_vs_baseline.py --benchmark-columns=min,median,max,rounds``.
Each benchmark also records the plan's hosts used, so the table shows that both did the same work.
"""

import pytest

import fleetpack as fp
import fleetpack.baseline

from fleets import fleet

SIZES = [1_000, 10_000, 100_000]  # the baseline takes minutes at 100k
METHODS = ["ffd", "bfd"]


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("method", METHODS)
def test_core(benchmark, n, method):
    workloads, hosts = fleet(n)
    plan = benchmark(fp.place, workloads, hosts, method=method)
    benchmark.extra_info["hosts_used"] = plan.hosts_used
    benchmark.extra_info["solver_seconds"] = plan.elapsed
    assert not plan.unplaced


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("method", METHODS)
def test_baseline(benchmark, n, method):
    workloads, hosts = fleet(n)
    plan = benchmark.pedantic(fleetpack.baseline.place, args=(workloads, hosts), kwargs={"method": method},
                              rounds=1 if n > 1_000 else 3, iterations=1)
    benchmark.extra_info["hosts_used"] = plan.hosts_used
    assert plan.assignments == fp.place(workloads, hosts, method=method).assignments


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("engine", ["core", "baseline"])
def test_solver_only(benchmark, n, engine):
    """The solvers alone on an already validated problem (FFD, as above), without the shared Python front and the
    plan's description."""
    from fleetpack.api import _core_engine
    from fleetpack.baseline import _engine as baseline_engine
    from fleetpack.problem import build_problem

    problem = build_problem(*fleet(n))
    solver = _core_engine if engine == "core" else baseline_engine
    rounds = 1 if engine == "baseline" and n > 1_000 else 5
    answer = benchmark.pedantic(solver, args=(problem, "ffd", "sum", "hosts", None, 0), rounds=rounds, iterations=1)
    # the core answers with arrays (host -1: unplaced), the baseline with lists (None: unplaced)
    hosts = answer["host_index"].tolist() if isinstance(answer, dict) else answer[0]
    assert all(j is not None and j >= 0 for j in hosts)
