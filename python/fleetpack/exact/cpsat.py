"""Running CP-SAT: its parameters, the solve in a worker thread that honours the deadline and Ctrl-C, the deadline
while a model is built, the objective both models share, and CP-SAT's own output, which goes to the ``fleetpack``
logger (at DEBUG), never to the process's stderr.

OR-Tools is imported only when a model is solved, so ``import fleetpack`` stays fast.
"""

from __future__ import annotations

import ctypes
import logging
import os
import threading
import time
from typing import Callable

_log = logging.getLogger("fleetpack.exact")


def _solver(time_limit: float | None, work_limit: float | None, seed: int, workers: int | None,
            probing: bool = True, deterministic: bool = False):
    """A CP-SAT solver bounded by ``time_limit`` (wall clock) and ``work_limit`` (deterministic time, about
    seconds). ``deterministic``: CP-SAT's interleaved search, which gives the same answer for the same seed whatever
    the number of threads and the machine's speed (unless the wall clock cuts it)."""
    from ortools.sat.python import cp_model

    s = cp_model.CpSolver()
    p = s.parameters
    if time_limit is not None:
        p.max_time_in_seconds = max(time_limit, 0.001)
    if work_limit is not None:
        p.max_deterministic_time = work_limit
    p.random_seed = seed % (2**31 - 1)
    p.num_workers = 0 if workers is None else int(workers)
    # CP-SAT would install its own SIGINT handler and leave the default one (terminate the process) behind it:
    # Ctrl-C after any exact solve would then kill the interpreter instead of raising KeyboardInterrupt
    p.catch_sigint_signal = False
    p.interleave_search = deterministic
    if not probing:
        p.cp_model_probing_level = 0
    # CP-SAT's search log only when the fleetpack logger asks for it, and then through the logger
    p.log_to_stdout = False
    if _log.isEnabledFor(logging.DEBUG):
        p.log_search_progress = True
        s.log_callback = _log_line
    return s


def _log_line(line: str) -> None:
    _log.debug("CP-SAT: %s", line.rstrip("\n"))


class _NativeStderr:
    """While CP-SAT runs, C's ``stderr`` stream (through which its C++ logging writes, e.g. "Infeasible LNS
    solution! ..." with a dump of its parameters, an internal message of its LNS workers) points at a temporary
    file; when the last concurrent solve ends, what was written goes to the ``fleetpack.exact`` logger at DEBUG.
    Only that C stream is redirected: Python's ``sys.stderr`` writes to file descriptor 2 directly and is untouched,
    so other threads' output (warnings, logging, a progress line) goes out as it comes. Where the C library's
    ``stderr`` cannot be found (not glibc or macOS), nothing is redirected."""

    def __init__(self):
        self._lock = threading.Lock()
        self._users = 0
        self._saved: int | None = None
        self._file: int | None = None
        self._libc, self._stderr = self._find()

    @staticmethod
    def _find():
        try:
            libc = ctypes.CDLL(None)
        except (OSError, TypeError):  # (Windows has no process-wide handle of this kind)
            return None, None
        for name in ("stderr", "__stderrp"):  # glibc and musl; macOS
            try:
                pointer = ctypes.c_void_p.in_dll(libc, name)
            except ValueError:
                continue
            libc.tmpfile.restype = ctypes.c_void_p
            for function in (libc.fflush, libc.fclose, libc.fileno):
                function.argtypes = [ctypes.c_void_p]
            return libc, pointer
        return None, None

    def __enter__(self):
        if self._stderr is None:
            return self
        with self._lock:
            if self._users == 0:
                file = self._libc.tmpfile()
                if file:
                    self._libc.fflush(self._stderr.value)
                    self._saved, self._file = self._stderr.value, file
                    self._stderr.value = file
            self._users += 1
        return self

    def __exit__(self, *exc):
        if self._stderr is None:
            return False
        with self._lock:
            self._users -= 1
            if self._users or self._file is None:
                return False
            file, self._file = self._file, None
            self._stderr.value = self._saved
            self._libc.fflush(file)
            fd = self._libc.fileno(file)
            os.lseek(fd, 0, os.SEEK_SET)
            chunks = []
            while chunk := os.read(fd, 1 << 16):
                chunks.append(chunk)
            self._libc.fclose(file)
        text = b"".join(chunks).decode("utf-8", "replace").strip()
        if text:
            _log.debug("CP-SAT wrote to stderr:\n%s", text)
        return False


_native_stderr = _NativeStderr()


# CP-SAT is stopped this long after the deadline if it has not returned by then (its own limit does not cover every
# stage of its work on large models)
_DEADLINE_GRACE = 0.05
# how often the waiting thread wakes up to check the deadline and let Python's signal handlers run
_WAIT_SLICE = 0.02


def _run_cp_sat(solver, model, deadline: float | None):
    """``solver.solve(model)`` in a worker thread while this thread waits in short slices. A Python signal handler
    cannot run while the main thread is inside CP-SAT's C++ solve, so Ctrl-C would wait for the solve to end;
    here the waiting thread takes the KeyboardInterrupt (or any exception), stops the search, waits for the worker
    to return, and re-raises. Past ``deadline`` (plus `_DEADLINE_GRACE`) the search is stopped as well."""
    outcome: dict = {}

    def work():
        try:
            outcome["status"] = solver.solve(model)
        except BaseException as exc:  # handed to the waiting thread
            outcome["error"] = exc

    with _native_stderr:
        worker = threading.Thread(target=work, name="fleetpack-cp-sat", daemon=True)
        worker.start()
        try:
            while worker.is_alive():
                worker.join(_WAIT_SLICE)
                if deadline is not None and time.perf_counter() > deadline + _DEADLINE_GRACE:
                    solver.stop_search()  # (repeated: a stop before the solve has started is not remembered)
        except BaseException:
            while worker.is_alive():
                solver.stop_search()
                worker.join(_WAIT_SLICE)
            raise
    if "error" in outcome:
        raise outcome["error"]
    return outcome["status"]


class _OutOfTime(Exception):
    """Building a CP-SAT model passed the deadline."""


def _deadline_check(deadline: float | None) -> Callable[[], None]:
    """A function that raises `_OutOfTime` once ``deadline`` (a ``time.perf_counter()`` value) has passed."""
    if deadline is None:
        return lambda: None

    def check():
        if time.perf_counter() > deadline:
            raise _OutOfTime

    return check


def _set_objective(m, value, placed: dict, placed0: int, weight: int, fixed: bool, lb: int, ub: int | None):
    """The objective of either model: with the set of placed workloads ``fixed``, minimise ``value`` within
    [``lb``, ``ub``]; otherwise place at least ``placed0`` and rank placing one more above any gain in ``value``
    (``weight`` exceeds the value's range)."""
    from ortools.sat.python.cp_model import LinearExpr

    if lb:
        m.add(value >= lb)
    if fixed:
        if ub is not None:
            m.add(value <= ub)
        m.minimize(value)
    else:
        placed_sum = LinearExpr.sum(list(placed.values()))
        m.add(placed_sum >= placed0)
        m.minimize(value - weight * placed_sum)
