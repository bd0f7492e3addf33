"""Many Python threads may call the core at once and get what they would get one at a time; a panic inside the core
comes back as an exception, never as an abort of the interpreter."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import fleetpack as fp
from fleetpack import _core


def problem(seed: int):
    rng = np.random.default_rng(seed)
    n = 3000
    workloads = {"cpu": rng.integers(1, 17, n) * 0.5, "memory": rng.integers(1, 33, n) * (1 << 29),
                 "form": rng.choice(["any", "vm", "container"], n).astype(object),
                 "anti_affinity": rng.choice([None, "a", "b", "c"], n, p=[0.97, 0.01, 0.01, 0.01]).astype(object)}
    hosts = {"cpu": np.tile([64, 32, 96], 100), "memory": np.tile([256, 128, 768], 100) * (1 << 30)}
    return workloads, hosts


@pytest.mark.parametrize("method", ["ffd", "bfd", "wfd"])
def test_concurrent_calls_give_the_serial_plans(method):
    problems = [problem(seed) for seed in range(8)]
    serial = [fp.place(*p, method=method) for p in problems]
    with ThreadPoolExecutor(max_workers=8) as pool:
        concurrent = list(pool.map(lambda p: fp.place(*p, method=method), problems))
    for one, other in zip(serial, concurrent):
        np.testing.assert_array_equal(one.host_index, other.host_index)
        np.testing.assert_array_equal(one.form_codes, other.form_codes)
        assert one.lower_bound == other.lower_bound


@pytest.mark.parametrize("quick", [False, True], ids=["worker-thread", "calling-thread"])
def test_a_panic_in_the_core_is_a_runtime_error_and_python_goes_on(quick):
    # a quick solve (one heuristic, a small problem) runs on the calling thread, a longer one on a worker thread
    with pytest.raises(RuntimeError, match="internal error.*forced for a test"):
        _core._panic_for_tests("forced for a test", quick)
    plan = fp.place([fp.Workload("a", cpu=1)], [fp.Host("h", cpu=2, memory="1Gi")])
    assert plan.host_of("a") == "h"
