"""One-dimensional bin packing side by side in one run: fleetpack (FFD, BFD) against lightbinpack (FFD, OBFD)
and binpacking, from numpy input, on items of sizes 20-100 into bins of 150.

``python benches/peers_1d.py [N ...]`` prints, per solver and size, the bins used, the least wall-clock and CPU
time over several runs (CPU time is steadier when the machine is shared) and the page faults per run (memory taken
fresh from the system; each costs microseconds here). Peers that are not installed are left out.
"""

import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import fleetpack as fp  # noqa: E402
from columns import bins_1d, items_1d  # noqa: E402


def solvers():
    none = fp.Overheads.none()
    out = {}
    for method in ("ffd", "bfd"):
        def run(items, method=method):
            workloads, hosts = bins_1d(items)
            return fp.place(workloads, hosts, method=method, overheads=none).hosts_used
        out[f"fleetpack {method}"] = run
    try:
        import lightbinpack
    except ImportError:
        lightbinpack = None
    if lightbinpack is not None:
        for name in ("ffd", "obfd"):
            out[f"lightbinpack {name}"] = lambda items, pack=getattr(lightbinpack, name): len(pack(items.tolist(), 150))
    try:
        import binpacking
    except ImportError:
        binpacking = None
    if binpacking is not None:
        out["binpacking"] = lambda items: len(binpacking.to_constant_volume(items.tolist(), 150))
    return out


def main(sizes):
    print(f"{'solver':<18} {'n':>8} {'bins':>8} {'wall (ms)':>10} {'cpu (ms)':>10} {'faults':>8}")
    for n in sizes:
        items = items_1d(n)
        for name, run in solvers().items():
            if name == "binpacking" and n > 10_000:
                continue  # seconds at 10k already
            rounds = 1 if name == "binpacking" else 15
            wall, cpu = float("inf"), float("inf")
            faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            for _ in range(rounds):
                start, cpu_start = time.perf_counter(), time.process_time()
                bins = run(items)
                wall = min(wall, time.perf_counter() - start)
                cpu = min(cpu, time.process_time() - cpu_start)
            faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults) / rounds
            print(f"{name:<18} {n:>8,} {bins:>8,} {wall * 1000:>10.1f} {cpu * 1000:>10.1f} {faults:>8.0f}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10_000, 100_000])
