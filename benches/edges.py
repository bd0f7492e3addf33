"""Speed at the edges (issue 14), before and after side by side in one run: string ids on the columnar path,
fleet files through the command, and the Kubernetes import.

    python benches/edges.py [--before PYTHON] [--repeat N] [--quick]

"before" is another installation of fleetpack (default: main's, /work/main/.venv/bin/python when it exists), run
by the same worker code in fresh processes, taking turns with this one ("after"), so that both see the same
machine. Each figure is the minimum of ``--repeat`` runs (wall clock); the fleet-file figure is the whole
command, ``python -m fleetpack place FILE --method ffd``, from start to exit, with its peak resident memory.
Inputs come from benches/edge_inputs.py (seeded). The figures are reported, not asserted: docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
MAIN_PYTHON = Path("/work/main/.venv/bin/python")


# --- the worker: runs in the measured installation ------------------------------------------------------------------


def _ids(n: int) -> dict:
    import fleetpack as fp
    from edge_inputs import id_columns

    (w, h), (wi, hi) = id_columns(n)
    out = {}
    for label, ww, hh in (("without ids", w, h), ("with ids", wi, hi)):
        begin, cpu = time.perf_counter(), time.process_time()
        plan = fp.place(ww, hh, method="ffd")
        out[label], out[f"{label} cpu"] = time.perf_counter() - begin, time.process_time() - cpu
        out[f"hosts {label}"] = plan.hosts_used
    return out


def _one_dimension(n: int) -> dict:
    import numpy as np

    import fleetpack as fp
    from columns import bins_1d, items_1d

    items = items_1d(n)
    w, h = bins_1d(items)
    w = dict(w, id=np.array([f"item-{k}" for k in range(n)], dtype=object))
    none = fp.Overheads.none()
    fp.place(w, h, method="ffd", overheads=none)  # (warm: first-call costs are not the point)
    begin, cpu = time.perf_counter(), time.process_time()
    plan = fp.place(w, h, method="ffd", overheads=none)
    out = {"fleetpack ffd, ids": time.perf_counter() - begin, "fleetpack cpu": time.process_time() - cpu,
           "bins": plan.hosts_used}
    try:
        from lightbinpack import obfd
    except ImportError:
        return out
    sizes = items.tolist()
    obfd(sizes, 150)  # (warm, as fleetpack was)
    begin, cpu = time.perf_counter(), time.process_time()
    bins = obfd(sizes, 150)
    out["lightbinpack obfd"], out["obfd cpu"] = time.perf_counter() - begin, time.process_time() - cpu
    out["obfd bins"] = len(bins)
    return out


def _kube(pods: str, nodes: str) -> dict:
    import fleetpack as fp

    begin, cpu = time.perf_counter(), time.process_time()
    fleet = fp.from_kubernetes(pods, nodes)
    out = {"from_kubernetes": time.perf_counter() - begin, "from_kubernetes cpu": time.process_time() - cpu,
           "workloads": len(fleet.workloads)}
    # the import from nothing (current=False; the default before issue 15 made the import live)
    begin, cpu = time.perf_counter(), time.process_time()
    fp.from_kubernetes(pods, nodes, current=False)
    out["greenfield"], out["greenfield cpu"] = time.perf_counter() - begin, time.process_time() - cpu
    return out


def _worker(task: str, args: list[str]) -> None:
    sys.path.insert(0, str(HERE))
    import warnings

    warnings.simplefilter("ignore")  # (likely-mistake warnings of the seeded inputs are not measured)
    result = {"ids": lambda: _ids(int(args[0])), "1d": lambda: _one_dimension(int(args[0])),
              "kube": lambda: _kube(*args)}[task]()
    print(json.dumps(result))


# --- the driver ------------------------------------------------------------------------------------------------------


def _run_measured(python: str, argv: list[str]) -> tuple[float, float, str, float]:
    """(wall seconds, peak resident MB, stdout, CPU seconds) of one fresh process (its own: `os.wait4` on it)."""
    begin = time.perf_counter()
    process = subprocess.Popen([python, *argv], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               cwd=tempfile.gettempdir())
    stdout = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - begin
    if process.returncode != 0:
        raise RuntimeError(f"{python} {' '.join(argv)} exited with {process.returncode}")
    return wall, usage.ru_maxrss / 1024, stdout, usage.ru_utime + usage.ru_stime


def _worker_call(python: str, task: str, *args) -> dict:
    _, _, stdout, _ = _run_measured(python, [str(Path(__file__).resolve()), "--worker", task, *map(str, args)])
    return json.loads(stdout.strip().splitlines()[-1])


def _best(runs: list[dict]) -> dict:
    return {k: min(r[k] for r in runs) for k in runs[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default=str(MAIN_PYTHON) if MAIN_PYTHON.exists() else None,
                        help="the Python of the installation to compare with (default: main's venv)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="smaller inputs (a tenth), for a smoke run")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker(args.worker[0], args.worker[1:])
        return
    sys.path.insert(0, str(HERE))
    from edge_inputs import kube_lists, write_fleet

    scale = 10 if args.quick else 1
    sides = {"after": sys.executable, **({"before": args.before} if args.before else {})}
    with tempfile.TemporaryDirectory() as tmp:
        fleet = Path(tmp) / "fleet.json"
        write_fleet(fleet, 200_000 // scale, 20_000 // scale)
        pods, nodes = Path(tmp) / "pods.json", Path(tmp) / "nodes.json"
        pod_list, node_list = kube_lists(10_000 // scale, 1_000 // scale)
        pods.write_text(json.dumps(pod_list), encoding="utf-8")
        nodes.write_text(json.dumps(node_list), encoding="utf-8")
        results: dict[str, dict[str, list]] = {side: {"ids": [], "1d": [], "kube": [], "file": []} for side in sides}
        for _ in range(args.repeat):
            for side, python in sides.items():  # taking turns, so that both see the same machine
                results[side]["ids"].append(_worker_call(python, "ids", 1_000_000 // scale))
                results[side]["1d"].append(_worker_call(python, "1d", 100_000 // scale))
                results[side]["kube"].append(_worker_call(python, "kube", pods, nodes))
                wall, peak, _, cpu = _run_measured(python, ["-m", "fleetpack", "place", str(fleet), "--method", "ffd"])
                results[side]["file"].append({"seconds": wall, "peak MB": peak, "cpu": cpu})
    best = {side: {task: _best(runs) for task, runs in tasks.items()} for side, tasks in results.items()}
    n_ids, n_1d = 1_000_000 // scale, 100_000 // scale
    lines = [("measure", *sides.keys())]

    def row(label: str, get, fmt="{:.3f} s", cpu=None) -> None:
        """A row of wall-clock figures, with the CPU time in brackets when ``cpu`` reads it."""
        cells = []
        for side in sides:
            try:
                cpu_text = "" if cpu is None else f" ({cpu(best[side]):.2f}x)" if fmt.endswith("x") else f" ({cpu(best[side]):.3f})"
                cells.append(fmt.format(get(best[side])) + cpu_text)
            except KeyError:  # (a peer not installed beside that side)
                cells.append("-")
        lines.append((label, *cells))

    row(f"{n_ids:,} workloads from numpy columns, ffd, without ids", lambda b: b["ids"]["without ids"],
        cpu=lambda b: b["ids"]["without ids cpu"])
    row(f"{n_ids:,} workloads from numpy columns, ffd, with ids", lambda b: b["ids"]["with ids"],
        cpu=lambda b: b["ids"]["with ids cpu"])
    row("  with ids / without", lambda b: b["ids"]["with ids"] / b["ids"]["without ids"], "{:.2f}x",
        cpu=lambda b: b["ids"]["with ids cpu"] / b["ids"]["without ids cpu"])
    row(f"1-D, {n_1d:,} items with ids, fleetpack ffd", lambda b: b["1d"]["fleetpack ffd, ids"], "{:.4f} s",
        cpu=lambda b: b["1d"]["fleetpack cpu"])
    if "lightbinpack obfd" in best["after"]["1d"]:
        row("  lightbinpack.obfd, same items", lambda b: b["1d"]["lightbinpack obfd"], "{:.4f} s",
            cpu=lambda b: b["1d"]["obfd cpu"])
        row("  fleetpack / obfd", lambda b: b["1d"]["fleetpack ffd, ids"] / b["1d"]["lightbinpack obfd"], "{:.2f}x",
            cpu=lambda b: b["1d"]["fleetpack cpu"] / b["1d"]["obfd cpu"])
    row(f"fleet file, {200_000 // scale:,} workloads, {20_000 // scale:,} hosts: `fleetpack place --method ffd`",
        lambda b: b["file"]["seconds"], cpu=lambda b: b["file"]["cpu"])
    row("  its peak memory", lambda b: b["file"]["peak MB"], "{:.0f} MB")
    row(f"fp.from_kubernetes, {10_000 // scale:,} pods, {1_000 // scale:,} nodes", lambda b: b["kube"]["from_kubernetes"],
        cpu=lambda b: b["kube"]["from_kubernetes cpu"])
    row("  the same, current=False (from nothing)", lambda b: b["kube"]["greenfield"],
        cpu=lambda b: b["kube"]["greenfield cpu"])
    widths = [max(len(line[k]) for line in lines) for k in range(len(lines[0]))]
    print(f"minimum of {args.repeat} runs, wall clock (CPU time of the process in brackets); after = {sys.executable}" + (f", before = {args.before}" if args.before else ""))
    for k, line in enumerate(lines):
        print("| " + " | ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(line, widths))) + " |")
        if k == 0:
            print("| " + " | ".join("-" * w if i == 0 else "-" * (w - 1) + ":" for i, w in enumerate(widths)) + " |")


if __name__ == "__main__":
    main()
