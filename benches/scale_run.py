"""One placement in a fresh process, for peak memory: ``python benches/scale_run.py N METHOD`` prints JSON with
the whole call's seconds, the plan's hosts and the process's peak resident memory."""

import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import fleetpack as fp  # noqa: E402
from columns import fleet_columns  # noqa: E402

n, method = int(sys.argv[1]), sys.argv[2]
workloads, hosts = fleet_columns(n)
start = time.perf_counter()
plan = fp.place(workloads, hosts, method=method)
seconds = time.perf_counter() - start
print(json.dumps({"n": n, "method": method, "seconds": seconds, "solver_seconds": plan.elapsed,
                  "hosts_used": plan.hosts_used, "lower_bound": plan.lower_bound, "placed": plan.placed,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
