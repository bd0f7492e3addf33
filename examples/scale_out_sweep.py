"""A capacity planner's sweep on a local Dask cluster (docs/scale-out.md): demand growth x host types, one
problem each, placed by ``fp.place_many(executor=...)``; the table goes to sweep.csv and the costs to sweep.png.
``python examples/scale_out_sweep.py [WORKLOADS]`` (10,000 by default).
Needs ``pip install 'fleetpack[dask]' matplotlib``."""

import sys

import dask
import numpy as np
import pandas as pd
from distributed import Client, LocalCluster

import fleetpack as fp
from fleetpack.distributed import QUIET_DASK, share

# today's fleet: 10,000 workloads as columns (here made up; in practice read from an inventory; another count as
# the first argument)
n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
rng = np.random.default_rng(0)
today = pd.DataFrame({"cpu": rng.integers(1, 33, n) * 0.25,
                      "memory": rng.integers(1, 65, n) * 2**29,
                      "form": rng.choice(["any", "container", "vm"], n)})
# the host types on offer: (cores, memory, cost per host); 2,500 of each, more than any scenario needs
host_types = {"general 64c/256Gi": (64, 256, 1.0), "compute 96c/192Gi": (96, 192, 1.2),
              "memory 32c/512Gi": (32, 512, 1.1)}
growth = [0.0, 0.1, 0.2, 0.3, 0.5]

if __name__ == "__main__":
    # QUIET_DASK: the cluster's own background work made rarer, read as its processes start (docs/scale-out.md,
    # "Cost"); distributed's LocalCluster and Client carry no annotations
    with dask.config.set(QUIET_DASK):
        cluster = LocalCluster(n_workers=2, threads_per_worker=1)  # type: ignore[no-untyped-call]
    with cluster, Client(cluster) as client:  # type: ignore[no-untyped-call]
        executor = client.get_executor()
        problems, rows = [], []
        for name, (cores, gib, cost) in host_types.items():
            hosts = share({"cpu": np.full(2500, cores), "memory": np.full(2500, gib * 2**30),
                           "cost": np.full(2500, cost)}, executor)          # sent to the cluster once
            for g in growth:
                workloads = today.assign(cpu=today.cpu * (1 + g), memory=np.ceil(today.memory * (1 + g)))
                problems.append((workloads, hosts))
                rows.append({"host type": name, "growth": g})
        plans = fp.place_many(problems, objective="cost", method="bfd", executor=executor)
    table = pd.DataFrame([{**row, "hosts": p.hosts_used, "cost": p.cost, "lower bound": p.lower_bound,
                           "unplaced": len(p.unplaced)} for row, p in zip(rows, plans)])
    table.to_csv("sweep.csv", index=False)
    costs = table.pivot(index="growth", columns="host type", values="cost")
    print(costs.to_string())
    import matplotlib.pyplot as plt  # needs matplotlib

    costs.plot(marker="o", ylabel="fleet cost")
    plt.savefig("sweep.png")
