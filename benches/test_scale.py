"""Scale: FFD and BFD from numpy columns at 10k, 100k and 1M workloads; peak memory; place_many against one by
one; 1-D peers side by side (binpacking, lightbinpack) and the 2-D peer vectorpack where they are installed.

Run: ``python -m pytest benches/test_scale.py --benchmark-columns=min,median,max,rounds``
"""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import fleetpack as fp

from columns import bins_1d, fleet_columns, items_1d

HERE = Path(__file__).parent


@pytest.mark.parametrize("n", [10_000, 100_000, 1_000_000])
@pytest.mark.parametrize("method", ["ffd", "bfd"])
def test_scaling(benchmark, n, method):
    workloads, hosts = fleet_columns(n)
    plan = benchmark.pedantic(fp.place, args=(workloads, hosts), kwargs={"method": method},
                              rounds=1 if n >= 1_000_000 else 3, iterations=1)
    benchmark.extra_info.update(hosts_used=plan.hosts_used, lower_bound=plan.lower_bound, solver=plan.elapsed)
    assert plan.placed == n


@pytest.mark.parametrize("n", [100_000, 1_000_000])
def test_peak_memory(benchmark, n):
    """Peak resident memory of a whole process that places ``n`` workloads with FFD (numpy, pandas included)."""
    def run():
        out = subprocess.run([sys.executable, str(HERE / "scale_run.py"), str(n), "ffd"], check=True,
                             capture_output=True, text=True)
        return json.loads(out.stdout)

    result = benchmark.pedantic(run, rounds=1, iterations=1)
    benchmark.extra_info.update(result)
    assert result["placed"] == n


@pytest.mark.parametrize("how", ["place_many", "one_by_one"])
def test_place_many(benchmark, how):
    problems = [fleet_columns(10_000, seed=k) for k in range(64)]
    if how == "place_many":
        plans = benchmark.pedantic(fp.place_many, args=(problems,), kwargs={"method": "ffd"}, rounds=3)
    else:
        plans = benchmark.pedantic(lambda: [fp.place(*p, method="ffd") for p in problems], rounds=3)
    assert all(p.placed == 10_000 for p in plans)


@pytest.mark.parametrize("solver", ["fleetpack-ffd", "fleetpack-bfd", "lightbinpack-ffd", "lightbinpack-obfd",
                                    "binpacking"])
@pytest.mark.parametrize("n", [10_000, 100_000])
def test_one_dimension_against_peers(benchmark, solver, n):
    items = items_1d(n)
    if solver.startswith("fleetpack"):
        workloads, hosts = bins_1d(items)
        method = solver.split("-")[1]
        plan = benchmark(fp.place, workloads, hosts, method=method, overheads=fp.Overheads.none())
        bins = plan.hosts_used
    elif solver.startswith("lightbinpack"):
        lightbinpack = pytest.importorskip("lightbinpack")
        pack = getattr(lightbinpack, solver.split("-")[1])
        bins = len(benchmark(lambda: pack(items.tolist(), 150)))
    else:
        binpacking = pytest.importorskip("binpacking")
        if n > 10_000:
            pytest.skip("binpacking takes seconds at 10k already")
        bins = len(benchmark.pedantic(lambda: binpacking.to_constant_volume(items.tolist(), 150), rounds=1))
    benchmark.extra_info["bins"] = bins


@pytest.mark.parametrize("solver", ["fleetpack-ffd", "vectorpack-ffd"])
@pytest.mark.parametrize("n", [1_000, 3_000])
def test_two_dimensions_against_vectorpack(benchmark, solver, n):
    """vectorpack's first fit decreasing (``pack_by_items``, items by decreasing normalised sum) on the fleet of
    `fleet_columns` without overheads; it scans every bin per item in Python (about 25 s at 10k here), so it runs
    at the sizes it finishes in seconds."""
    workloads, hosts = fleet_columns(n)
    if solver.startswith("fleetpack"):
        plan = benchmark(fp.place, workloads, hosts, method="ffd", overheads=fp.Overheads.none())
        assert plan.placed == n
        used = plan.hosts_used
    else:
        packs = pytest.importorskip("vectorpack.packs")
        items = np.stack([workloads["cpu_millis"], workloads["memory_bytes"]], axis=1).astype(np.float64)
        bins = np.stack([hosts["cpu_millis"], hosts["memory_bytes"]], axis=1).astype(np.float64)
        scale = bins.max(axis=0)
        mapping = benchmark.pedantic(packs.pack_by_items, kwargs={
            "items": list(items), "bins": list(bins), "item_key": lambda v: -float((v / scale).sum())}, rounds=1)
        assert mapping is not None and None not in mapping
        used = len(set(mapping))
    benchmark.extra_info["hosts_used"] = used
