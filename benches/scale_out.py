"""Scale-out against local ``place_many``: ``python benches/scale_out.py [--scenarios N] [--workloads W]
[--method ffd] [--workers 2]``. N scenarios of W workloads (numpy columns, one shared host table) are placed by
local ``place_many`` (all cores, threads) and on a Dask ``LocalCluster`` of ``--workers`` single-threaded worker
processes through ``place_many(executor=client.get_executor())`` with shared hosts and the default chunk size; then
with one scenario per task. Prints a markdown table: wall and CPU seconds of every process (the driver, which in a
LocalCluster also runs the scheduler and the nannies, and the workers), their ratio to local, the per-task overhead, the bytes sent per scenario, and a
projection of 10^5 scenarios on a 100-worker cluster from these measurements (docs/performance.md)."""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import numpy as np  # noqa: E402

import fleetpack as fp  # noqa: E402
from columns import fleet_columns  # noqa: E402
from fleetpack.distributed import share  # noqa: E402
from fleetpack.model.inputs import build_problem  # noqa: E402
from fleetpack.model.shipping import split  # noqa: E402
from fleetpack.solve.distributed import chunks  # noqa: E402


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


def cluster_cpu(client) -> float:
    """The worker processes' CPU seconds so far (a LocalCluster's nannies and scheduler are in this process)."""
    return sum(client.run(_cpu).values())


def scenarios(count: int, n: int):
    """Demand growth: scenario k is the seed-k fleet grown by k per mille, all on one host table."""
    _, hosts = fleet_columns(n, 0)
    out = []
    for k in range(count):
        workloads, _ = fleet_columns(n, k)
        growth = 1 + (k % 200) / 1000
        out.append({name: np.ceil(column * growth).astype(np.uint64) for name, column in workloads.items()})
    return out, hosts


def measure(run, client=None) -> dict:
    before = (time.perf_counter(), _cpu(), cluster_cpu(client) if client else 0.0)
    plans = run()
    after = (time.perf_counter(), _cpu(), cluster_cpu(client) if client else 0.0)
    wall, driver, workers = (b - a for a, b in zip(before, after))
    return {"plans": plans, "wall": wall, "driver": driver, "workers": workers, "cpu": driver + workers}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenarios", type=int, default=200)
    parser.add_argument("--workloads", type=int, default=10_000)
    parser.add_argument("--method", default="ffd")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    from distributed import Client, LocalCluster

    workloads, hosts = scenarios(args.scenarios, args.workloads)
    method = args.method
    jobs = [(build_problem(w, hosts), {"method": method, "time_limit": None}) for w in workloads]
    tasks = len(chunks(jobs, None))
    payload = len(pickle.dumps(split(jobs[0][0])[0], protocol=5))
    payload_hosts = len(pickle.dumps(split(jobs[0][0])[1], protocol=5))

    local = measure(lambda: fp.place_many([(w, hosts) for w in workloads], method=method))
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=40) as cluster, Client(cluster) as client:
        executor = client.get_executor()
        fp.place_many([(workloads[0], hosts)], method=method, executor=executor)  # warm the workers' imports
        handle = share(hosts, executor)
        idle = measure(lambda: time.sleep(3.0), client)  # what the cluster's processes spend doing nothing
        chunked = measure(lambda: fp.place_many([(w, handle) for w in workloads], method=method,
                                                executor=executor), client)
        single = measure(lambda: fp.place_many([(w, handle) for w in workloads], method=method, executor=executor,
                                               chunksize=1), client)
        tiny_count = 200
        tiny = [([fp.Workload("a", cpu=1)], [fp.Host("h", cpu=2)])] * tiny_count
        empty = measure(lambda: fp.place_many(tiny, method="ffd", executor=executor, chunksize=1), client)
    for run in (chunked, single):
        assert all(list(a.host_index) == list(b.host_index) for a, b in zip(run["plans"], local["plans"]))

    n = args.scenarios
    overhead_cpu = (chunked["cpu"] - idle["cpu"] / idle["wall"] * chunked["wall"] - local["cpu"]) / tasks
    print(f"{n} scenarios of {args.workloads} workloads, method {method!r}, {args.workers} Dask workers "
          f"(1 thread each) on a {os.cpu_count()}-core machine; default chunk: {n / tasks:.1f} scenarios, {tasks} tasks")
    print()
    # the cluster's processes spend CPU when idle too (heartbeats, the nannies' memory checks): shown, and taken out
    # of the last column at the rate measured over an idle period
    idle_rate = idle["cpu"] / idle["wall"]
    print("| run | wall s | CPU s (driver + workers) | CPU / local | CPU / local, idle rate taken out |")
    print("| --- | ---: | ---: | ---: | ---: |")
    print(f"| local `place_many` (threads) | {local['wall']:.2f} | {local['cpu']:.2f} | 1.00 | 1.00 |")
    for name, run in ((f"Dask, default chunks ({tasks} tasks)", chunked), (f"Dask, chunksize=1 ({n} tasks)", single)):
        busy = run["cpu"] - idle_rate * run["wall"]
        print(f"| {name} | {run['wall']:.2f} | {run['cpu']:.2f} ({run['driver']:.2f} + {run['workers']:.2f}) | "
              f"{run['cpu'] / local['cpu']:.2f} | {busy / local['cpu']:.2f} |")
    print()
    print(f"- idle cluster: {idle_rate:.3f} CPU s per second of wall ({idle['driver'] / idle['wall']:.3f} in the "
          f"driver with the scheduler and nannies, {idle['workers'] / idle['wall']:.3f} in {args.workers} workers)")
    per_task_cpu = (empty["cpu"] - idle_rate * empty["wall"]) / tiny_count
    per_task_wall = empty["wall"] / tiny_count
    print(f"- per-task overhead, {tiny_count} tasks of a 1-workload problem: {per_task_cpu * 1e3:.1f} ms CPU "
          f"(all processes), {per_task_wall * 1e3:.1f} ms wall; from the default-chunk run against local: "
          f"{overhead_cpu * 1e3:.1f} ms CPU per task")
    print(f"- sent per scenario: {payload / 1e3:.0f} kB (workloads' side); the hosts' side ({payload_hosts / 1e3:.0f} "
          "kB) once, scattered")
    # projection: the workers' work spreads over 100 workers; the driver's (checks, encoding, plans, scheduling) does
    # not
    scale, workers = 10**5, 100
    # (each less what its processes spend idle over as long: a background that does not grow with scenarios)
    driver_per = (chunked["driver"] - idle["driver"] / idle["wall"] * chunked["wall"]) / n
    worker_per = (chunked["workers"] - idle["workers"] / idle["wall"] * chunked["wall"]) / n
    worker_bound = scale * worker_per / workers
    driver_bound = scale * driver_per
    print(f"- projection, {scale:,} scenarios on {workers} workers: workers' CPU {worker_per * 1e3:.1f} ms per "
          f"scenario -> {worker_bound:.0f} s of wall; the driver's {driver_per * 1e3:.1f} ms per scenario -> "
          f"{driver_bound:.0f} s; so about {max(worker_bound, driver_bound):.0f} s, bound by the "
          f"{'driver' if driver_bound > worker_bound else 'workers'} "
          f"({scale * (local['cpu'] / n):.0f} CPU s of local place_many)")


if __name__ == "__main__":
    main()
