"""Seeded fleets as numpy columns (the columnar path): 2-D workloads and hosts of three shapes, or 1-D items."""

import numpy as np

SHAPES = np.array([[64_000, 256 << 30], [32_000, 128 << 30], [96_000, 768 << 30]], dtype=np.uint64)


def fleet_columns(n: int, seed: int = 0):
    """``n`` workloads of 0.25-8 cores and 0.5-32 GiB, and 25% more hosts of three shapes than they need."""
    rng = np.random.default_rng(seed)
    workloads = {"cpu_millis": rng.integers(1, 33, n, dtype=np.uint64) * 250,
                 "memory_bytes": rng.integers(1, 65, n, dtype=np.uint64) << np.uint64(29)}
    m = max(3, int(n / 15 * 1.25))
    rows = np.arange(m) % 3
    hosts = {"cpu_millis": SHAPES[rows, 0], "memory_bytes": SHAPES[rows, 1]}
    return workloads, hosts


def items_1d(n: int, seed: int = 0, low: int = 20, high: int = 100):
    """``n`` one-dimensional items of sizes ``low``..``high`` (the Falkenauer-like sizes for bins of 150)."""
    return np.random.default_rng(seed).integers(low, high + 1, n, dtype=np.uint64)


def bins_1d(items: np.ndarray, capacity: int = 150):
    """Items as workloads in memory alone, and 20% more bins than their total needs. Placed with
    ``overheads=fp.Overheads.none()`` this is plain bin packing (each item goes in as a container, the first form
    tried), which the core recognises and solves with structures made for it."""
    m = int(items.sum()) // capacity * 6 // 5 + 10
    return {"memory_bytes": items}, {"memory_bytes": np.full(m, capacity, np.uint64)}
