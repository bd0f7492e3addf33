"""Seeded random fleets for the benchmarks: 2-D workloads (CPU, memory) and hosts of three shapes."""

import random

import fleetpack as fp

SHAPES = [(64, 256), (32, 128), (96, 768)]  # cores, GiB


def fleet(n: int, seed: int = 0, mixed_forms: bool = True):
    """``n`` workloads of 0.25-8 cores and 0.5-32 GiB, and enough hosts of three shapes to hold them."""
    rng = random.Random(seed)
    workloads = [
        fp.Workload(
            f"w{i}",
            cpu=f"{rng.randint(1, 32) * 250}m",
            memory=rng.randint(1, 64) * 2**29,
            form=rng.choice(["any", "any", "container", "vm"]) if mixed_forms else "any",
        )
        for i in range(n)
    ]
    # a mean workload (4.1 cores, 16 GiB) takes 1/15 of a mean host (64 cores, 384 GiB): leave 25% slack
    hosts = [
        fp.Host(f"h{j}", cpu=c, memory=f"{m}Gi")
        for j, (c, m) in enumerate(SHAPES[j % 3] for j in range(max(3, int(n / 15 * 1.25))))
    ]
    return workloads, hosts
