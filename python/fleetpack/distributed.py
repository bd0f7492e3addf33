"""Scale-out (docs/scale-out.md): many scenarios on the engines planners already run, through
``fleetpack.place_many(problems, executor=...)``.

- `place_iter`: ``(index, plan)`` of each problem as it finishes, with the command line's progress line if asked.
- `share`: hosts that many scenarios share go to the cluster once (Dask ``scatter``, Ray ``put``); problems that
  give the returned handle as their hosts refer to it.
- `RayExecutor`: Ray as a `concurrent.futures.Executor` (Ray has none of its own).
- `QUIET_DASK`: the Dask settings recommended for a cluster that runs these tasks (its own background work made
  rarer); fleetpack never sets them itself: ``with dask.config.set(QUIET_DASK): LocalCluster(...)``.

Neither Dask nor Ray is imported here unless used.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Executor, Future
from typing import Any, Mapping, Sequence

from .api import plan_stream
from .model.inputs import build_problem
from .model.objects import Overheads
from .model.shipping import HostPart, host_part
from .plan.plan import Plan
from .solve.distributed import Shared
from .solve.options import Method, Objective, SortKey

__all__ = ["place_iter", "share", "Shared", "RayExecutor", "QUIET_DASK"]

#: Dask settings for a cluster that runs fleetpack's tasks: what its processes do between tasks, made rarer. The
#: workers' statistical profiler (a sample of every thread each 10 ms, for the dashboard's profile page: the
#: solve is one Rust call, nothing to see) off; the event-loop watchdog of each scheduler, nanny and worker from
#: every 20 ms to every second (it warns of a loop blocked for over 3 s all the same); the nannies' memory checks
#: from every 0.1 s to every second and the system monitor (the dashboard's CPU and memory plots) from every 0.5 s to
#: every 2 s. On an idle two-worker `LocalCluster` they cut its processes' CPU from about 0.07 to 0.01 CPU s per
#: second (docs/performance.md, ``python benches/scale_out.py --idle``). Set them when the cluster starts (the
#: nannies hand the configuration to their workers): ``with dask.config.set(QUIET_DASK): LocalCluster(...)``, or in
#: a Dask configuration file of the deployment.
QUIET_DASK: dict[str, Any] = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.admin.system-monitor.interval": "2s",
}


def place_iter(problems: Sequence[Any], *, objective: Objective = "hosts", method: Method = "auto",
               sort_key: SortKey = "sum", overheads: Overheads | dict[str, Any] | None = None,
               time_limit: float | None = None, seed: int = 0, strict: bool = False, workers: int | None = None,
               executor: Executor | None = None, chunksize: int | None = None,
               progress: bool = False, max_moves: int | None = None, max_move_cost: int | None = None,
               drain: Sequence[str] = (), rules: Sequence[Any] | None = None,
               allocation_ratio: Mapping[str, float] | None = None,
               max_utilization: Mapping[str, float] | None = None) -> Iterator[tuple[int, Plan]]:
    """``(index, plan)`` of each problem of `fleetpack.place_many` (same arguments), as each finishes: every
    problem is checked first (a `ValidationError` before anything is solved), then each chunk's plans come as the
    chunk finishes, on ``executor`` or here. ``progress``: show the command line's progress line on stderr (on a
    terminal, for runs over half a second). Stopping early cancels what has not run."""
    stream = plan_stream(problems, objective=objective, method=method, sort_key=sort_key, overheads=overheads,
                         time_limit=time_limit, seed=seed, strict=strict, workers=workers, executor=executor,
                         chunksize=chunksize, max_moves=max_moves, max_move_cost=max_move_cost, drain=drain,
                         rules=rules, allocation_ratio=allocation_ratio, max_utilization=max_utilization)
    if not progress:
        return stream
    return _shown(stream, len(problems) if hasattr(problems, "__len__") else None)


def _shown(stream: Iterator[tuple[int, Plan]], total: int | None) -> Iterator[tuple[int, Plan]]:
    from .cli.progress import Progress  # (here: the cli package imports the package's own __init__)

    with Progress("Placing problems" if total is None else f"Placing {total} problems", total=total) as line:
        try:
            for done, item in enumerate(stream, 1):
                line.update(done)
                yield item
        finally:
            stream.close()  # type: ignore[attr-defined]


class _RayHosts:
    """A Ray object reference to shared hosts; a task reads them with `resolve` (Ray resolves only top-level
    arguments)."""

    def __init__(self, ref: Any):
        self.ref = ref

    def resolve(self) -> HostPart:
        import ray

        return ray.get(self.ref)


def share(hosts: Any, executor: Executor | None) -> Shared:
    """Hosts shared by many scenarios, sent to ``executor``'s cluster once: give the handle as the hosts of each
    problem (``(workloads, handle)`` or ``{"workloads": ..., "hosts": handle}``). Dask keeps them with
    ``scatter``, Ray with ``put``; another executor (a process pool) gets them once per chunk. The hosts are
    checked here (`ValidationError`); each problem is still checked with them, and only what differs for it travels
    (an OS numbered otherwise, a dimension only its workloads have)."""
    part = host_part(build_problem([], hosts))
    client = getattr(executor, "_client", None) if type(executor).__module__.startswith("distributed") else None
    if client is not None:
        ref: Any = client.scatter(part, hash=False)
    elif isinstance(executor, RayExecutor):
        import ray

        ref = _RayHosts(ray.put(part))
    else:
        ref = part
    return Shared(hosts, part, ref)


class RayExecutor(Executor):
    """Ray tasks as a `concurrent.futures.Executor`, for ``place_many(executor=RayExecutor())``: each ``submit`` is
    a Ray task (retried by Ray if its worker dies), its result a `concurrent.futures.Future`. ``ray.init()`` must
    have been called (or Ray connects to a local cluster); ``workers``: how many tasks may run at once, for the
    driver's flow control (None: the cluster's CPUs)."""

    def __init__(self, workers: int | None = None, **options: Any):
        import ray

        self._ray = ray
        self._options = options
        self._remote: dict[Any, Any] = {}
        self.workers = workers or int(ray.cluster_resources().get("CPU", 1))

    def submit(self, fn, /, *args, **kwargs) -> Future:
        remote = self._remote.get(fn)
        if remote is None:
            remote = self._remote[fn] = self._ray.remote(fn).options(**self._options)
        return remote.remote(*args, **kwargs).future()
