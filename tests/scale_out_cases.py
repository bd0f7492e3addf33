"""What the scale-out tests share (tests/solve/test_executor.py with a process pool, tests/solve/test_dask.py on a
Dask cluster): scenarios in every input form, the comparison of plans, and the faults a worker can be made to
have (installed in the worker processes, keyed by a workload's id)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

import fleetpack as fp
import fleetpack.solve.distributed as distributed

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "consolidation.json"


def columns(seed: int, n: int = 400, windows: bool = False, gpu: bool = False):
    rng = np.random.default_rng(seed)
    workloads = {"cpu": rng.integers(1, 17, n) * 0.5, "memory": rng.integers(1, 33, n) * (1 << 29),
                 "form": rng.choice(["any", "vm", "container"], n).astype(object),
                 "anti_affinity": rng.choice([None, "a", "b"], n, p=[0.98, 0.01, 0.01]).astype(object)}
    if windows:
        workloads["os"] = rng.choice(["windows", "linux"], n).astype(object)
    if gpu:
        workloads["extra.gpu"] = rng.integers(0, 2, n)
    return workloads


def hosts_columns(count: int = 40):
    return {"id": np.array([f"h{j}" for j in range(count)], dtype=object), "cpu": np.tile([64, 32, 96], count)[:count],
            "memory": np.tile([256, 128, 768], count)[:count] * (1 << 30),
            "cost": np.tile([2.0, 1.0, 3.5], count)[:count]}


def rows(seed: int, n: int = 12):
    rng = np.random.default_rng(seed)
    workloads = [fp.Workload(f"w{i}", cpu=float(rng.integers(1, 9)), memory=f"{rng.integers(1, 17)}Gi",
                             form=str(rng.choice(["any", "vm", "container"])), tenant=str(rng.choice(["", "acme"])),
                             isolation=str(rng.choice(["none", "none", "tenant"])))
                 for i in range(n)]
    workloads.append(fp.Workload("too-big", cpu=500, memory="1Gi"))  # a reason to compare
    hosts = [fp.Host(f"n{j}", cpu=16, memory="64Gi", hypervisor=("hardware", "software", None)[j % 3])
             for j in range(12)]
    return workloads, hosts


def scenarios() -> list:
    """Problems of every form and several options: rows, columns, a fleet file's, per-problem methods."""
    fleet = fp.load_fleet(EXAMPLE)
    out: list = [{"workloads": fleet.workloads, "hosts": fleet.hosts, "method": "bfd"}]
    out += [rows(seed) for seed in range(3)]  # "auto": the exact stage runs on these (small) ones
    out += [(columns(seed, windows=seed % 2 == 1, gpu=seed % 3 == 2), hosts_columns()) for seed in range(6)]
    out += [{"workloads": columns(10 + seed), "hosts": hosts_columns(), "method": method, "objective": objective}
            for seed, (method, objective) in enumerate([("ffd", "hosts"), ("bfd", "cost"), ("wfd", "spread"),
                                                        ("ff", "hosts")])]
    return out


def assert_same_plans(got: list, expected: list) -> None:
    assert len(got) == len(expected)
    for k, (a, b) in enumerate(zip(got, expected)):
        assert list(a.assignments) == list(b.assignments), k
        assert {w: (u.code, u.message) for w, u in a.unplaced.items()} == \
            {w: (u.code, u.message) for w, u in b.unplaced.items()}, k
        for name in ("objective", "objective_value", "hosts_used", "cost", "lower_bound", "proven_optimal",
                     "method", "strategy", "dimensions"):
            assert getattr(a, name) == getattr(b, name), (k, name)
        assert type(a.problem) is type(b.problem)  # plans are built on the driver, with its problem


# --- faults, installed in a worker process (`install_faults`) ---------------------------------------------------

EXPLODE = "explode"  # a problem with a workload of this id raises in the worker
DIE = "die"  # ... kills its worker process (once per marker file, when FLEETPACK_TEST_DIE_ONCE names one)


def _ids(job) -> set:
    problem = job[0]
    return {str(problem.workload_ids[i]) for i in range(min(len(problem.workload_ids), 3))}


def install_faults(marker: str | None = None) -> None:
    """In a worker: problems whose first workloads include `EXPLODE` raise, `DIE` exit the process (with
    ``marker``, or the file FLEETPACK_TEST_DIE_ONCE names, only while that file does not exist yet: the retry then
    succeeds)."""
    if getattr(distributed, "_faulty", False):
        return
    marker = marker or os.environ.get("FLEETPACK_TEST_DIE_ONCE")
    solve_many = distributed.solve_many

    def faulty(jobs, seed, workers):
        for job in jobs:
            ids = _ids(job)
            if EXPLODE in ids:
                raise RuntimeError("a fault injected by the test")
            if DIE in ids and (marker is None or not os.path.exists(marker)):
                if marker is not None:
                    Path(marker).touch()
                os._exit(3)
        return solve_many(jobs, seed, workers)

    distributed.solve_many = faulty
    distributed._faulty = True


def with_first(workloads: dict, ident: str) -> dict:
    """Columns whose first workload is named ``ident`` (the others ``w1``, ``w2``, ...)."""
    n = len(workloads["cpu"])
    return {**workloads, "id": np.array([ident] + [f"w{i}" for i in range(1, n)], dtype=object)}
