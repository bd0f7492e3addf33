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
@pytest.mark.parametrize("solver_name", ["core", "baseline"])
def test_solver_only(benchmark, n, solver_name):
    """The solvers alone on an already validated problem (FFD, as above), without the shared Python front and the
    plan's description."""
    from fleetpack.baseline import _solve as baseline_solve
    from fleetpack.model import build_problem
    from fleetpack.solve.pipeline import solve as core_solve

    problem = build_problem(*fleet(n))
    solver = core_solve if solver_name == "core" else baseline_solve
    rounds = 1 if solver_name == "baseline" and n > 1_000 else 5
    answer = benchmark.pedantic(solver, args=(problem, "ffd", "sum", "hosts", None, 0), rounds=rounds, iterations=1)
    assert (answer.host_index >= 0).all()  # an Answer (host -1: unplaced) from either solver
