"""Make ``capacity.json``: the workloads of ``consolidation.json`` with hosts to buy for them.

Harbor & Finch Logistics (the shipped consolidation example) buys hosts instead of using a given pool: two hosts
bought last year are there already, and five host types can be bought, the 'dense' type only 6 and the GPU type
only 2 this quarter. The question for ``fleetpack buy capacity.json --spare 1 --max-types 3``: what to buy. Running
this script again gives the same file, byte for byte::

    python examples/make_capacity.py                 # rewrites examples/capacity.json

Standard library only.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from make_consolidation import to_json  # one line per workload or host, as the other shipped examples

HERE = Path(__file__).resolve().parent
EXISTING = [{"id": "r740-1", "cpu": 48, "memory": "384Gi", "cost": 9.5},
            {"id": "r740-2", "cpu": 48, "memory": "384Gi", "cost": 9.5}]
HOST_TYPES = [{"name": "std", "cpu": 32, "memory": "256Gi", "cost": 7.0},
              {"name": "dense", "cpu": 64, "memory": "512Gi", "cost": 12.5, "available": 6},
              {"name": "cpu", "cpu": 96, "memory": "384Gi", "cost": 14.0},
              {"name": "small", "cpu": 16, "memory": "64Gi", "cost": 2.6, "labels": {"tier": "edge"}},
              {"name": "gpu", "cpu": 48, "memory": "384Gi", "extra": {"gpu": 4}, "cost": 21.0, "available": 2}]


def fleet() -> dict[str, Any]:
    source = json.loads((HERE / "consolidation.json").read_text(encoding="utf-8"))
    return {"description": "Harbor & Finch Logistics (the workloads of examples/consolidation.json) buys hosts for "
                           "its consolidation: two hosts bought last year are already there; five host types can be "
                           "bought, the 'dense' type only 6 and the GPU type only 2 this quarter.",
            "overheads": source["overheads"], "workloads": source["workloads"], "hosts": EXISTING,
            "host_types": HOST_TYPES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", type=Path, default=HERE / "capacity.json",
                        help="where to write the fleet file (default: capacity.json beside this script)")
    args = parser.parse_args()
    args.output.write_text(to_json(fleet()), encoding="utf-8")


if __name__ == "__main__":
    main()
