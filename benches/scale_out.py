"""Scale-out against local ``place_many``: ``python benches/scale_out.py [--scenarios N] [--workloads W]
[--method ffd] [--workers 2] [--config stock,quiet]``, or ``--idle`` for where an idle cluster's CPU goes.

N scenarios of W workloads (numpy columns, one shared host table) are placed by local ``place_many`` (all cores,
threads) and on a Dask ``LocalCluster`` of ``--workers`` single-threaded worker processes through
``place_many(executor=client.get_executor())`` with shared hosts and the default chunk size: once with Dask's stock
configuration, once with `fleetpack.distributed.QUIET_DASK` (``quiet``); then, stock, with one scenario per task.
Prints markdown tables: wall and CPU seconds of every process (the driver, which in a LocalCluster also runs the
scheduler and the nannies on its event-loop thread, and the workers), their ratio to local (raw, and with the
cluster's idle CPU rate taken out), the CPU by process and thread, the per-task overhead, the bytes sent per
scenario, and a projection of 10^5 scenarios on a 100-worker cluster from these measurements (docs/performance.md).

``--idle``: an idle cluster's CPU per second of wall by process and thread, stock, with each setting of
``QUIET_DASK`` alone, and with all of them."""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import numpy as np  # noqa: E402
import re  # noqa: E402
import threading  # noqa: E402

import fleetpack as fp  # noqa: E402
from columns import fleet_columns  # noqa: E402
from fleetpack.distributed import QUIET_DASK, share  # noqa: E402
from fleetpack.model.inputs import build_problem  # noqa: E402
from fleetpack.model.shipping import split  # noqa: E402
from fleetpack.solve.distributed import chunks  # noqa: E402
from fleetpack.solve.pipeline import solve_many  # noqa: E402


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


def threads_cpu() -> dict[str, float]:
    """This process's CPU seconds so far, by thread name (numbers taken out: a pool's threads are one); threads that
    have ended count as "(ended)"."""
    import psutil

    names = {t.native_id: re.sub(r"[-_]?\d+", "", t.name).strip("-_ ") for t in threading.enumerate()}
    out: dict[str, float] = {}
    for t in psutil.Process().threads():
        name = names.get(t.id, "(not Python's)")
        out[name] = out.get(name, 0.0) + t.user_time + t.system_time
    out["(ended)"] = _cpu() - sum(out.values())  # (to the clock's tick: either may be 10 ms behind)
    return out


def snapshot(client) -> dict[str, float]:
    """CPU seconds so far by process and thread: ``driver:NAME`` and ``workers:NAME`` (summed over the workers)."""
    out = {f"driver:{name}": cpu for name, cpu in threads_cpu().items()}
    if client is not None:
        for threads in client.run(threads_cpu).values():
            for name, cpu in threads.items():
                out[f"workers:{name}"] = out.get(f"workers:{name}", 0.0) + cpu
    return out


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
    before, start = snapshot(client), time.perf_counter()
    plans = run()
    wall, after = time.perf_counter() - start, snapshot(client)
    threads = {name: after.get(name, 0.0) - before.get(name, 0.0) for name in after}
    driver = sum(cpu for name, cpu in threads.items() if name.startswith("driver:"))
    workers = sum(cpu for name, cpu in threads.items() if name.startswith("workers:"))
    return {"plans": plans, "wall": wall, "driver": driver, "workers": workers, "cpu": driver + workers,
            "threads": threads}


def cluster(workers: int, config: dict):
    from distributed import LocalCluster

    import dask

    with dask.config.set(config):  # read when the processes start (the nannies pass it to their workers)
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                            silence_logs=40)


def idle_breakdown(workers: int, seconds: float = 10.0) -> None:
    """An idle cluster's CPU per second of wall, by process and thread, under each configuration."""
    from distributed import Client

    configs = [("stock", {})] + [(f"stock, {key.removeprefix('distributed.')}={value}", {key: value})
                                 for key, value in QUIET_DASK.items()] + [("QUIET_DASK", QUIET_DASK)]
    rows = []
    for name, config in configs:
        with cluster(workers, config) as c, Client(c) as client:
            client.submit(sum, [1]).result()
            time.sleep(2.0)
            idle = measure(lambda: time.sleep(seconds), client)
        rates = {k: v / idle["wall"] for k, v in idle["threads"].items()}
        rows.append((name, idle["cpu"] / idle["wall"], rates))
    names = sorted({k for _, _, rates in rows for k, v in rates.items() if v >= 0.001})
    print(f"Idle {workers}-worker LocalCluster, CPU s per second of wall over {seconds:.0f} s (driver: the scheduler, "
          "the nannies and the client, in this process; workers: summed)")
    print()
    print("| configuration | all | " + " | ".join(names) + " |")
    print("| --- | ---: | " + " | ".join("---:" for _ in names) + " |")
    for name, total, rates in rows:
        print(f"| {name} | {total:.3f} | " + " | ".join(f"{rates.get(k, 0.0):.3f}" for k in names) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenarios", type=int, default=200)
    parser.add_argument("--workloads", type=int, default=10_000)
    parser.add_argument("--method", default="ffd")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--config", default="stock,quiet", help="the clusters' configurations: stock, quiet or both")
    parser.add_argument("--idle", action="store_true", help="only the idle cluster's CPU, by setting")
    args = parser.parse_args()
    if args.idle:
        idle_breakdown(args.workers)
        return
    from distributed import Client

    workloads, hosts = scenarios(args.scenarios, args.workloads)
    method = args.method
    jobs = [(build_problem(w, hosts), {"method": method, "time_limit": None}) for w in workloads]
    tasks = len(chunks(jobs, None))
    payload = len(pickle.dumps(split(jobs[0][0])[0], protocol=5))
    payload_hosts = len(pickle.dumps(split(jobs[0][0])[1], protocol=5))
    (answer, _), = solve_many([(jobs[0][0], {"objective": "hosts", "sort_key": "sum", **jobs[0][1]})], 0, 1)
    payload_back = len(pickle.dumps(answer, protocol=5))

    local = measure(lambda: fp.place_many([(w, hosts) for w in workloads], method=method))
    runs: dict[str, dict] = {}
    for name in args.config.split(","):
        with cluster(args.workers, {"stock": {}, "quiet": QUIET_DASK}[name]) as c, Client(c) as client:
            executor = client.get_executor()
            fp.place_many([(workloads[0], hosts)], method=method, executor=executor)  # warm the workers' imports
            handle = share(hosts, executor)
            time.sleep(1.0)
            # what the cluster's processes spend doing nothing (heartbeats, watchdogs, the profiler)
            runs[f"{name}: idle"] = measure(lambda: time.sleep(5.0), client)
            runs[f"{name}: chunked"] = measure(lambda: fp.place_many([(w, handle) for w in workloads], method=method,
                                                                     executor=executor), client)
            if name == "stock":
                runs["single"] = measure(lambda: fp.place_many([(w, handle) for w in workloads], method=method,
                                                               executor=executor, chunksize=1), client)
                tiny_count = 200
                tiny = [([fp.Workload("a", cpu=1, memory="1Gi")],
                         [fp.Host("h", cpu=2, memory="8Gi")])] * tiny_count
                runs["tiny"] = measure(lambda: fp.place_many(tiny, method="ffd", executor=executor, chunksize=1),
                                       client)
    for key, run in runs.items():
        if key.endswith("chunked") or key == "single":
            assert all(list(a.host_index) == list(b.host_index) for a, b in zip(run["plans"], local["plans"]))

    n = args.scenarios
    print(f"{n} scenarios of {args.workloads} workloads, method {method!r}, {args.workers} Dask workers "
          f"(1 thread each) on a {os.cpu_count()}-core machine; default chunk: {n / tasks:.1f} scenarios, {tasks} tasks")
    print()
    # the cluster's processes spend CPU when idle too (heartbeats, the watchdogs, the workers' profiler): shown, and
    # taken out of the last column at the rate measured over an idle period of the same cluster
    print("| run | wall s | CPU s (driver + workers) | CPU / local | CPU / local, idle rate taken out |")
    print("| --- | ---: | ---: | ---: | ---: |")
    print(f"| local `place_many` (threads) | {local['wall']:.2f} | {local['cpu']:.2f} | 1.00 | 1.00 |")
    shown = [(f"Dask {name.split(':')[0]}, default chunks ({tasks} tasks)", key, f"{name.split(':')[0]}: idle")
             for key, name in ((k, k) for k in runs if k.endswith("chunked"))]
    if "single" in runs:
        shown.append((f"Dask stock, chunksize=1 ({n} tasks)", "single", "stock: idle"))
    for label, key, idle_key in shown:
        run, idle = runs[key], runs[idle_key]
        busy = run["cpu"] - idle["cpu"] / idle["wall"] * run["wall"]
        print(f"| {label} | {run['wall']:.2f} | {run['cpu']:.2f} ({run['driver']:.2f} + {run['workers']:.2f}) | "
              f"{run['cpu'] / local['cpu']:.2f} | {busy / local['cpu']:.2f} |")
    print()
    # where the CPU goes: by process and thread (the driver's event loop runs the scheduler, the nannies and the
    # client's side of the messages; its main thread is fleetpack's: checks, sending, building plans)
    keys = [k for k in runs if k != "tiny"]
    names = sorted({t for k in keys for t, cpu in runs[k]["threads"].items() if cpu >= 0.01})
    print("| CPU s by process: thread | " + " | ".join(keys) + " |")
    print("| --- | " + " | ".join("---:" for _ in keys) + " |")
    for t in names:
        print(f"| {t} | " + " | ".join(f"{runs[k]['threads'].get(t, 0.0):.2f}" for k in keys) + " |")
    print("| wall s | " + " | ".join(f"{runs[k]['wall']:.2f}" for k in keys) + " |")
    print()
    stock_idle = runs.get("stock: idle") or runs[next(k for k in runs if k.endswith("idle"))]
    for key in (k for k in runs if k.endswith("idle")):
        idle = runs[key]
        print(f"- idle cluster ({key.split(':')[0]}): {idle['cpu'] / idle['wall']:.3f} CPU s per second of wall "
              f"({idle['driver'] / idle['wall']:.3f} in the driver with the scheduler and nannies, "
              f"{idle['workers'] / idle['wall']:.3f} in {args.workers} workers)")
    if "tiny" in runs:
        empty, idle_rate = runs["tiny"], stock_idle["cpu"] / stock_idle["wall"]
        per_task_cpu = (empty["cpu"] - idle_rate * empty["wall"]) / tiny_count
        print(f"- per-task overhead, {tiny_count} tasks of a 1-workload problem (stock): {per_task_cpu * 1e3:.1f} ms "
              f"CPU (all processes), {empty['wall'] / tiny_count * 1e3:.1f} ms wall")
    print(f"- sent per scenario: {payload / 1e3:.0f} kB (workloads' side); the hosts' side ({payload_hosts / 1e3:.0f} "
          f"kB) once, scattered; back: {payload_back / 1e3:.0f} kB (the answer)")
    # projection: the workers' work spreads over 100 workers; the driver's (checks, encoding, plans, scheduling) does
    # not. (each less what its processes spend idle over as long: a background that does not grow with scenarios)
    key = "quiet: chunked" if "quiet: chunked" in runs else next(k for k in runs if k.endswith("chunked"))
    chunked, idle = runs[key], runs[key.replace("chunked", "idle")]
    scale, workers = 10**5, 100
    driver_per = (chunked["driver"] - idle["driver"] / idle["wall"] * chunked["wall"]) / n
    worker_per = (chunked["workers"] - idle["workers"] / idle["wall"] * chunked["wall"]) / n
    worker_bound = scale * worker_per / workers
    driver_bound = scale * driver_per
    print(f"- projection ({key}), {scale:,} scenarios on {workers} workers: workers' CPU {worker_per * 1e3:.1f} ms per "
          f"scenario -> {worker_bound:.0f} s of wall; the driver's {driver_per * 1e3:.1f} ms per scenario -> "
          f"{driver_bound:.0f} s; so about {max(worker_bound, driver_bound):.0f} s, bound by the "
          f"{'driver' if driver_bound > worker_bound else 'workers'} "
          f"({scale * (local['cpu'] / n):.0f} CPU s of local place_many)")


if __name__ == "__main__":
    main()
