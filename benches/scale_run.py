"""One placement in a fresh process, for peak memory: ``python benches/scale_run.py N METHOD`` prints JSON with
the whole call's seconds (wall clock, and CPU time of the process: steadier on a shared machine), the plan's hosts
and the process's peak resident memory."""

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
start, cpu_start = time.perf_counter(), time.process_time()
plan = fp.place(workloads, hosts, method=method)
seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
print(json.dumps({"n": n, "method": method, "seconds": seconds, "cpu_seconds": cpu_seconds,
                  "solver_seconds": plan.elapsed,
                  "hosts_used": plan.hosts_used, "lower_bound": plan.lower_bound, "placed": plan.placed,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
