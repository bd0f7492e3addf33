"""The core runs without the GIL and Ctrl-C stops it: KeyboardInterrupt, and the interpreter goes on."""

import os
import subprocess
import sys
import threading

import numpy as np
import pytest



def big_fleet(n: int = 400_000):
    rng = np.random.default_rng(0)
    workloads = {"cpu_millis": rng.integers(1, 33, n, dtype=np.uint64) * 250,
                 "memory_bytes": rng.integers(1, 65, n, dtype=np.uint64) << np.uint64(29)}
    m = n // 12
    hosts = {"cpu_millis": np.full(m, 64_000, dtype=np.uint64), "memory_bytes": np.full(m, 256 << 30, dtype=np.uint64)}
    return workloads, hosts


# Run in a child process: if Ctrl-C killed the interpreter, it must not take the test session with it.
CHILD = r"""
import os, signal, sys, threading
import numpy as np
import fleetpack as fp

signal.signal(signal.SIGINT, signal.default_int_handler)  # as in an interactive session
if sys.argv[1] == "after-exact":  # an exact solve first: CP-SAT must not leave its own SIGINT handling behind
    fp.place([fp.Workload(f"w{i}", cpu=1) for i in range(4)], [fp.Host(f"h{j}", cpu=2, memory="1Gi")
             for j in range(3)], method="exact", time_limit=5)
n = 400_000
rng = np.random.default_rng(0)
workloads = {"cpu_millis": rng.integers(1, 33, n, dtype=np.uint64) * 250,
             "memory_bytes": rng.integers(1, 65, n, dtype=np.uint64) << np.uint64(29)}
hosts = {"cpu_millis": np.full(n // 12, 64_000, dtype=np.uint64),
         "memory_bytes": np.full(n // 12, 256 << 30, dtype=np.uint64)}
threading.Timer(0.3, os.kill, args=(os.getpid(), signal.SIGINT)).start()
try:
    fp.place(workloads, hosts, method="auto")
    print("finished")
except KeyboardInterrupt:
    print("interrupted")
plan = fp.place([fp.Workload("a", cpu=1)], [fp.Host("h", cpu=2, memory="1Gi")])
print("usable" if plan.host_of("a") == "h" else "broken")
"""


@pytest.mark.skipif(os.name != "posix", reason="needs POSIX signals")
@pytest.mark.parametrize("before", ["nothing", "after-exact"])
def test_ctrl_c_interrupts_a_long_solve_and_leaves_python_usable(before):
    if before == "after-exact":
        pytest.importorskip("ortools")
    child = subprocess.run([sys.executable, "-c", CHILD, before], capture_output=True, text=True, timeout=300)
    assert child.returncode == 0, child.stderr[-2000:]
    assert child.stdout.split() == ["interrupted", "usable"]


def test_other_threads_run_while_the_core_works():
    """The GIL is released: a Python thread makes progress during a solve."""
    from fleetpack import _core
    from fleetpack.model import build_problem

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
