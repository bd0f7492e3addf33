"""Make ``live-fleet.json``: a running fleet to re-plan, 60 services spread over 12 hosts by a scheduler's spreading
policy (each new service on the least loaded host), so every host is used and about half full.

Each service runs where the spreading put it (``current``); two databases are pinned (``pinned``: never moved). The
question for ``fleetpack replan live-fleet.json --frontier 0,2,5,10``: how many hosts each extra migration frees.
Seeded, so running this script again gives the same file, byte for byte::

    python examples/make_live_fleet.py               # rewrites examples/live-fleet.json

Standard library only.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path
from typing import Any

from make_consolidation import to_json  # one line per workload or host, as the other shipped example

JSON = dict[str, Any]

SEED = 20261206
HOSTS = 12
HOST_CPU, HOST_MEMORY_GI = 32, 128
# (name, count, cpu choices, memory choices in GiB)
SERVICES = [("web", 24, (1, 2), (2, 4)), ("api", 16, (2, 4), (4, 8)), ("worker", 12, (2, 4, 6), (8, 16)),
            ("cache", 6, (1, 2), (16, 24)), ("db", 2, (8,), (48,))]
PINNED = {"db-1", "db-2"}

DESCRIPTION = (
    "A running fleet of 60 services on 12 hosts, spread out by a scheduler's spreading policy (each service on the "
    "least loaded host when it started); the two databases are pinned where they run."
)


def fleet() -> JSON:
    rng = random.Random(SEED)
    services: list[JSON] = []
    for name, count, cpus, memories in SERVICES:
        for k in range(1, count + 1):
            services.append({"id": f"{name}-{k}", "cpu": rng.choice(cpus), "memory": rng.choice(memories)})
    rng.shuffle(services)  # the order they started in
    load = [0.0] * HOSTS
    hosts = [f"node-{j + 1:02d}" for j in range(HOSTS)]
    workloads: list[JSON] = []
    for s in services:
        j = min(range(HOSTS), key=lambda h: (load[h], h))  # spreading: the least loaded host
        load[j] += s["cpu"] / HOST_CPU + s["memory"] / HOST_MEMORY_GI
        w = {"id": s["id"], "cpu": s["cpu"], "memory": f"{s['memory']}Gi", "current": hosts[j]}
        if s["id"] in PINNED:
            w["pinned"] = True
        workloads.append(w)
    return {
        "description": DESCRIPTION,
        "workloads": workloads,
        "hosts": [{"id": h, "cpu": HOST_CPU, "memory": f"{HOST_MEMORY_GI}Gi"} for h in hosts],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", type=Path, default=Path(__file__).with_name("live-fleet.json"),
                        help="where to write the fleet file (default: live-fleet.json beside this script)")
    args = parser.parse_args()
    args.output.write_text(to_json(fleet()), encoding="utf-8")


if __name__ == "__main__":
    main()
