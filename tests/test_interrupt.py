"""The core runs without the GIL and Ctrl-C stops it: KeyboardInterrupt, and the interpreter goes on."""

import os
import signal
import threading

import numpy as np
import pytest

import fleetpack as fp


def big_fleet(n: int = 400_000):
    rng = np.random.default_rng(0)
    workloads = {"cpu_millis": rng.integers(1, 33, n, dtype=np.uint64) * 250,
                 "memory_bytes": rng.integers(1, 65, n, dtype=np.uint64) << np.uint64(29)}
    m = n // 12
    hosts = {"cpu_millis": np.full(m, 64_000, dtype=np.uint64), "memory_bytes": np.full(m, 256 << 30, dtype=np.uint64)}
    return workloads, hosts


@pytest.mark.skipif(not hasattr(signal, "SIGINT") or os.name != "posix", reason="needs POSIX signals")
def test_ctrl_c_interrupts_a_long_solve_and_leaves_python_usable():
    workloads, hosts = big_fleet()
    timer = threading.Timer(0.3, os.kill, args=(os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            fp.place(workloads, hosts, method="auto")
    finally:
        timer.cancel()
    # the interpreter, and the core, work as before
    plan = fp.place([fp.Workload("a", cpu=1)], [fp.Host("h", cpu=2, memory="1Gi")])
    assert plan.host_of("a") == "h"


def test_other_threads_run_while_the_core_works():
    """The GIL is released: a Python thread makes progress during a solve."""
    from fleetpack import _core
    from fleetpack.problem import build_problem

    arrays = build_problem(*big_fleet(150_000)).encode()
    ticks = []
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(1)
            stop.wait(0.01)

    thread = threading.Thread(target=tick)
    thread.start()
    try:
        before = len(ticks)
        answer = _core.place(arrays, "bfd", "sum", "hosts")
        during = len(ticks) - before
    finally:
        stop.set()
        thread.join()
    assert (answer["host_index"] >= 0).all()
    assert during >= 2  # it ticked while the core worked (a held GIL would block it for the whole call)
