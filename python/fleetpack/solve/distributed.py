"""Solving many problems on a `concurrent.futures.Executor` (a process pool, Dask's ``client.get_executor()``, the
Ray adapter of `fleetpack.distributed`): problems go in chunks of compact columns (`fleetpack.model.shipping`), each
chunk is solved by the same pipeline as ``place_many`` solves locally (`solve_many`: the same answers), and the
answers come back as each chunk finishes. The driver builds the plans (`fleetpack.api`)."""

from __future__ import annotations

import pickle
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import nullcontext
from itertools import islice
from typing import Any

from ..model.inputs import ProblemLike
from ..model.shipping import HostPart, WorkloadPart, join, split
from ..model.wire import Answer
from .pipeline import solve_many

__all__ = ["CHUNK_SECONDS", "Shared", "estimate_seconds", "chunks", "solve_chunk", "iter_answers"]

#: The work a chunk gets by default, in seconds of one core: enough that a task's overhead on the engine (tens of
#: milliseconds on Dask) stays a small share of it, little enough that many chunks keep every worker busy.
CHUNK_SECONDS = 0.3
#: One core's seconds per problem and per workload, by method: rough, from fleets of 10^4 to 10^5 workloads of the
#: benches' shapes (ffd 0.6-0.85 us a workload, bfd 1.0-1.5 us). ``exact`` runs to its time limit, or long.
_SECONDS = {"ff": (2e-4, 6e-7), "ffd": (2e-4, 6e-7), "bfd": (2e-4, 1.2e-6), "wfd": (2e-4, 1.2e-6),
            "auto": (5e-3, 1e-4), "exact": (10.0, 0.0)}
#: Chunks on the engine at once, per worker it has (more are sent as these finish): the driver keeps memory for
#: a few chunks per worker, not for every problem's payload.
_IN_FLIGHT_PER_WORKER = 3


class Shared:
    """Hosts shared by many problems (`fleetpack.distributed.share`): the hosts as given (problems are checked with
    them here), their side of the wire format, and what a task gets instead of it (``ref``: a Dask future, a Ray
    object reference, or the side itself for an engine without a store)."""

    def __init__(self, hosts: Any, part: HostPart, ref: Any):
        self.hosts, self.part, self.ref = hosts, part, ref

    def __repr__(self) -> str:
        return f"Shared({len(self.part.host_ids)} hosts, ref={type(self.ref).__name__})"


def estimate_seconds(problem: ProblemLike, options: Mapping[str, Any]) -> float:
    """About how long one core takes to solve ``problem``, from its number of workloads."""
    per_problem, per_workload = _SECONDS[options["method"]]
    seconds = per_problem + per_workload * len(problem.workload_ids)
    limit = options.get("time_limit")
    return seconds if limit is None else min(seconds, float(limit))


def chunks(jobs: Sequence[tuple[ProblemLike, Mapping[str, Any]]], chunksize: int | None) -> list[range]:
    """Consecutive problems in chunks: ``chunksize`` problems each, or (None) about `CHUNK_SECONDS` of work each."""
    if chunksize is not None:
        return [range(start, min(start + chunksize, len(jobs))) for start in range(0, len(jobs), chunksize)]
    out, start, work = [], 0, 0.0
    for k, (problem, options) in enumerate(jobs):
        work += estimate_seconds(problem, options)
        if work >= CHUNK_SECONDS:
            out.append(range(start, k + 1))
            start, work = k + 1, 0.0
    if start < len(jobs):
        out.append(range(start, len(jobs)))
    return out


Task = tuple[int, WorkloadPart, Any, dict[str, Any]]


def _sendable(error: BaseException) -> BaseException:
    """``error``, or a RuntimeError with its words when it would not pickle back to the driver."""
    try:
        pickle.dumps(error)
        return error
    except Exception:
        return RuntimeError(f"{type(error).__name__}: {error}")


def solve_chunk(tasks: list[Task], seed: int, workers: int | None,
                auto_stage: bool) -> tuple[list[tuple[int, Answer, float]], tuple[int, BaseException] | None]:
    """On a worker: solve a chunk's problems as ``place_many`` does. Returns ([(index, answer, seconds)], None), or
    the answers before the problem that raised and (its index, the error)."""
    from .. import exact

    problems: list[tuple[ProblemLike, dict[str, Any]]] = []
    for k, workloads, hosts, options in tasks:
        hosts = hosts.resolve() if hasattr(hosts, "resolve") else hosts  # a Ray reference (fleetpack.distributed)
        problems.append((join(workloads, hosts), options))
    with nullcontext() if auto_stage else exact.heuristics_only():
        try:
            answers = solve_many(problems, seed, workers)
            return [(task[0], answer, seconds) for task, (answer, seconds) in zip(tasks, answers)], None
        except Exception:  # which one: one at a time, up to it
            pass
        out: list[tuple[int, Answer, float]] = []
        for task, job in zip(tasks, problems):
            try:
                (answer, seconds), = solve_many([job], seed, workers)
            except Exception as exc:
                return out, (task[0], _sendable(exc))
            out.append((task[0], answer, seconds))
        return out, None


def _in_flight(executor: Executor) -> int:
    """How many chunks to keep on the engine: a few per worker it has (its pool size, or Dask's threads)."""
    workers = getattr(executor, "_max_workers", None) or getattr(executor, "workers", None)
    client = getattr(executor, "_client", None)
    if workers is None and client is not None:
        try:
            workers = sum(client.nthreads().values())
        except Exception:
            workers = None
    return _IN_FLIGHT_PER_WORKER * max(int(workers or 16), 1)


def iter_answers(jobs: Sequence[tuple[ProblemLike, dict[str, Any]]], seed: int, workers: int | None,
                 executor: Executor, chunksize: int | None,
                 shared: Mapping[int, Shared] | None = None) -> Iterator[tuple[int, Answer, float]]:
    """(index, answer, seconds) of every job, as the chunks finish on ``executor``. ``shared``: the shared hosts of
    the problems that have them, by index. A chunk that raises cancels the others and its error is raised, with a
    note naming the problem (``problems[k]``)."""
    from .. import exact

    shared = shared or {}
    auto_stage = exact.auto_stage_enabled()  # (`heuristics_only` is local to this thread: the workers get it)
    pending: dict[Future, range] = {}

    def submit(group: range) -> None:
        tasks = []
        for k in group:
            problem, options = jobs[k]
            hosts = shared.get(k)
            workloads, part = split(problem, None if hosts is None else hosts.part)
            tasks.append((k, workloads, part if hosts is None else hosts.ref,
                          {name: options[name] for name in ("objective", "method", "sort_key", "time_limit")}))
        pending[executor.submit(solve_chunk, tasks, seed, workers, auto_stage)] = group

    groups = iter(chunks(jobs, chunksize))
    try:
        for group in islice(groups, _in_flight(executor)):
            submit(group)
        while pending:
            done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for future in done:
                group = pending.pop(future)
                where = f"problems[{group.start}]" if len(group) == 1 else \
                    f"problems[{group.start}] to problems[{group.stop - 1}]"
                try:
                    answers, failure = future.result()
                except BrokenProcessPool as exc:
                    raise BrokenProcessPool(f"a worker process died while solving {where} (killed, or out of "
                                            "memory); the process pool cannot be used any more") from exc
                except Exception as exc:
                    exc.add_note(f"fleetpack: raised while solving {where} on {type(executor).__name__}")
                    raise
                yield from answers
                if failure is not None:
                    k, error = failure
                    error.add_note(f"fleetpack: raised by problems[{k}] on {type(executor).__name__}")
                    raise error
            for group in islice(groups, len(done)):
                submit(group)
    finally:  # an error, or the caller stopped reading: nothing more runs for it
        for future in pending:
            future.cancel()


def iter_local(jobs: Sequence[tuple[ProblemLike, dict[str, Any]]], seed: int, workers: int | None,
               chunksize: int | None) -> Iterator[tuple[int, Answer, float]]:
    """`iter_answers` without an executor: chunk after chunk in this process, each on ``workers`` threads."""
    for group in chunks(jobs, chunksize):
        answers = solve_many([jobs[k] for k in group], seed, workers)
        yield from ((k, answer, seconds) for k, (answer, seconds) in zip(group, answers))


def unshare(problems: Any) -> tuple[Any, dict[int, Shared]]:
    """``place_many``'s problems with shared hosts (`Shared`) replaced by the hosts they stand for, and the
    `Shared` of each problem that had one, by index. Anything that is no list of problems is passed on as it is
    (the checks word its error)."""
    if isinstance(problems, (str, bytes, Mapping)) or not hasattr(problems, "__iter__"):
        return problems, {}
    out, shared = [], {}
    for k, item in enumerate(problems):
        if isinstance(item, Mapping) and isinstance(item.get("hosts"), Shared):
            shared[k] = item["hosts"]
            item = {**item, "hosts": item["hosts"].hosts}
        elif isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], Shared):
            shared[k] = item[1]
            item = (item[0], item[1].hosts)
        out.append(item)
    return out, shared
