"""``fleetpack scenarios FLEET --growth 1,1.1,1.25 --max-moves 0,10,unlimited --drop-hosts none --drop-hosts 'h1*'``:
a capacity planner's sweep. Every combination of the values given is one scenario, placed by
``fleetpack.place_iter`` here (threads), on a process pool or on a Dask cluster; one row per scenario (the varied
values, placed, hosts used, cost, lower bound, gap, moves, seconds) as a table, CSV or JSON, and a plot."""

from __future__ import annotations

import argparse
import contextlib
import csv
import dataclasses
import fnmatch
import io
import itertools
import json
import math
import os
import textwrap
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from pathlib import Path
from typing import Any, TextIO

from ..errors import ErrorDetail, FleetpackWarning, ValidationError
from ..fleetfile import Fleet
from ..model.inputs import build_problem
from ..model.objects import Workload
from ..plan.moves import keep_current
from ..plan.plan import Plan
from ..solve.options import METHODS, OBJECTIVES, SORT_KEYS
from .argtypes import budget_list, positive_int, positive_seconds, seed
from .outputs import _check_writable, check_outputs
from .progress import Progress

__all__ = ["add_parser", "run_scenarios", "COLUMNS", "growth_list"]

#: The columns of a row: the scenario's values, then its plan's (empty where the scenario is infeasible).
COLUMNS = ("scenario", "growth", "drop_hosts", "max_moves", "feasible", "workloads", "placed", "unplaced",
           "hosts_used", "cost", "lower_bound", "gap", "moves", "move_cost", "seconds")
EXECUTORS = ("threads", "processes", "dask")
_NONE = "none"  # --drop-hosts none: the scenario that drops no host

_EPILOG = """\
examples:
  fleetpack scenarios fleet.json --growth 1,1.1,1.25,1.5 -o sweep.csv --plot sweep.png
  fleetpack scenarios live.json --growth 1,1.2 --max-moves 0,10,unlimited --drop-hosts none --drop-hosts 'rack-a-*'
  fleetpack scenarios fleet.json --growth 1,1.1,1.2 --executor dask --workers 8 --json
  fleetpack scenarios fleet.json --growth 1,2 --executor dask --dask-scheduler tcp://scheduler:8786

Each combination of the values given is a scenario: --growth multiplies every workload's cpu, memory and extra
dimensions (1.1: 10% more); --max-moves caps the moves of a live fleet (default: the fleet's own budget);
--drop-hosts names hosts lost (ids or shell patterns, separated by commas; 'none': no host), drained: they end empty
and the workloads on them move. The table has one row per scenario; -o writes it as CSV (.csv) or JSON (.json),
columns: scenario, growth, drop_hosts, max_moves (empty: unlimited), feasible, workloads, placed, unplaced,
hosts_used, cost, lower_bound, gap, moves, move_cost, seconds. A scenario whose budget is below the moves it forces
(workloads that no longer fit where they run), or whose pinned workloads no longer fit, is infeasible: its row says
feasible False and has no plan values. --plot draws hosts used (cost with --objective cost) against the first
value that varies, one line per combination of the others (needs matplotlib).
--executor threads (default) solves here on --workers threads; processes on a pool of --workers processes; dask
on a local cluster of --workers single-threaded processes (with fleetpack.distributed.QUIET_DASK), or on the
cluster at --dask-scheduler. Progress is shown on stderr when stderr is a terminal.
"""


def growth_list(text: str) -> tuple[float, ...]:
    """Demand growth factors separated by commas (``--growth 1,1.1,1.25``): positive numbers, each once."""
    values = []
    for part in (p.strip() for p in text.split(",")):
        try:
            value = float(part)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {part!r} in growth list {text!r} (expected factors "
                                             "separated by commas, e.g. 1,1.1,1.25)") from None
        if not (math.isfinite(value) and value > 0):
            raise argparse.ArgumentTypeError(f"a growth factor must be a positive number, got {part!r} in growth "
                                             f"list {text!r} (1.1 is 10% more demand)")
        values.append(value)
    if len(set(values)) < len(values):
        raise argparse.ArgumentTypeError(f"each growth factor comes once, got {text!r}")
    return tuple(values)


def _host_patterns(text: str) -> tuple[str, ...]:
    """``--drop-hosts``: host ids or shell patterns separated by commas, or ``none``."""
    if text.strip().lower() == _NONE:
        return ()
    patterns = tuple(p.strip() for p in text.split(","))
    if not all(patterns):
        raise argparse.ArgumentTypeError(f"expected host ids or patterns separated by commas (or 'none'), got "
                                         f"{text!r}")
    return patterns


def add_parser(subparsers, add_fleet_sources: Callable[[argparse.ArgumentParser], None],
               load: Callable[[argparse.Namespace], tuple[Fleet, bool]]) -> None:
    """Register ``scenarios`` on the ``fleetpack`` command's subparsers; ``add_fleet_sources`` and ``load`` are the
    command's own fleet options and reader (cli/main.py)."""
    p = subparsers.add_parser(
        "scenarios", help="place a fleet under every combination of demand growth, move budgets and hosts lost",
        description=textwrap.fill("A capacity planner's sweep: place the fleet under every combination of the "
                                  "values given (demand growth, move budgets, hosts lost), here, on a process pool "
                                  "or on a Dask cluster, and print one row per scenario.", width=100),
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_fleet_sources(p)
    g = p.add_argument_group("what varies")
    g.add_argument("--growth", type=growth_list, default=(1.0,), metavar="F1,F2,...",
                   help="demand growth factors: every workload's sizes times each (default: 1)")
    g.add_argument("--max-moves", type=budget_list, metavar="B1,B2,...",
                   help="move budgets of a live fleet, increasing, 'unlimited' last (default: the fleet's own)")
    g.add_argument("--drop-hosts", type=_host_patterns, action="append", metavar="H1,H2|none",
                   help="hosts lost in a scenario: ids or patterns ('rack-a-*'), or none; repeat for each "
                        "alternative (default: none)")
    e = p.add_argument_group("where it runs")
    e.add_argument("--executor", choices=EXECUTORS, default="threads",
                   help="threads here (default), a pool of processes, or a Dask cluster")
    e.add_argument("--workers", type=positive_int, metavar="N",
                   help="threads, processes or Dask workers (default: one per core)")
    e.add_argument("--chunksize", type=positive_int, metavar="N",
                   help="scenarios per task (default: about 0.3 s of work each)")
    e.add_argument("--dask-scheduler", metavar="ADDRESS",
                   help="with --executor dask: the scheduler of a running cluster (default: a local cluster)")
    s = p.add_argument_group("solver")
    s.add_argument("--method", choices=METHODS, default="auto", help="the heuristic to use (default: auto)")
    s.add_argument("--objective", choices=OBJECTIVES, default="hosts", help="what to minimise (default: hosts)")
    s.add_argument("--sort-key", choices=SORT_KEYS, default="sum", help="how ffd/bfd/wfd rank workloads by size")
    s.add_argument("--time-limit", type=positive_seconds, metavar="S", help="time limit per scenario (auto)")
    s.add_argument("--seed", type=seed, default=0, metavar="N", help="random seed (default: 0)")
    p.add_argument("-o", "--output", metavar="FILE", help="write the rows as CSV (.csv) or JSON (.json)")
    p.add_argument("--plot", metavar="IMAGE", help="draw hosts used (or cost) per scenario (needs matplotlib)")
    p.add_argument("--json", action="store_true", help="print the rows as JSON instead of a table")
    p.add_argument("-q", "--quiet", action="store_true", help="print no table or progress")
    p.set_defaults(run=lambda args, out: run_scenarios(args, out, load), command_parser=p)


def run_scenarios(args: argparse.Namespace, out: TextIO,
                  load: Callable[[argparse.Namespace], tuple[Fleet, bool]]) -> int:
    """The ``scenarios`` command: check the options, read the fleet, place every scenario, write the rows."""
    _check_options(args)
    fleet, _ = load(args)
    drops = args.drop_hosts or [()]
    budgets = args.max_moves if args.max_moves is not None else (fleet.max_moves,)
    _check_against_fleet(fleet, args, drops)
    combos = list(itertools.product(args.growth, drops, budgets))
    rows = _sweep(fleet, combos, args)
    if args.output:
        Path(args.output).write_text(_as_json(rows) if args.output.lower().endswith(".json") else _as_csv(rows))
    if args.plot:
        _plot(rows, args.plot, "cost" if args.objective == "cost" else "hosts_used")
    if args.json:
        out.write(_as_json(rows))
    elif not args.quiet:
        out.write(scenario_table(rows, len(fleet.workloads)))
        written = [f"Rows written to {args.output}." if args.output else "",
                   f"Picture drawn to {args.plot}." if args.plot else ""]
        if any(written):
            out.write("\n" + " ".join(w for w in written if w) + "\n")
    return 0


def _check_options(args: argparse.Namespace) -> None:
    """Options that do not go together, and outputs that cannot be written: all at once, before any work."""
    errors: list[ErrorDetail] = []
    if args.output is not None:
        if Path(args.output).suffix.lower() not in (".csv", ".json"):
            errors.append(ErrorDetail("-o", args.output, "the rows are written as .csv or .json"))
        _check_writable("-o", args.output, errors)
    if args.dask_scheduler is not None and args.executor != "dask":
        errors.append(ErrorDetail("--dask-scheduler", args.dask_scheduler, "goes with --executor dask"))
    if args.executor == "dask":
        import importlib.util

        if importlib.util.find_spec("distributed") is None:
            errors.append(ErrorDetail("--executor", "dask", "needs Dask: pip install 'fleetpack[dask]'"))
    if args.method == "exact" and args.executor != "threads":
        errors.append(ErrorDetail("--method", "exact", "runs here (--executor threads): it uses every core itself"))
    try:
        check_outputs(None, args.plot)
    except ValidationError as exc:
        errors.extend(exc.errors)
    if errors:
        raise ValidationError(errors)


def _check_against_fleet(fleet: Fleet, args: argparse.Namespace, drops: list[tuple[str, ...]]) -> None:
    errors = []
    ids = [h.id for h in fleet.hosts]
    for patterns in drops:
        for pattern in patterns:
            if not fnmatch.filter(ids, pattern):
                errors.append(ErrorDetail("--drop-hosts", pattern, "matches no host of the fleet" +
                                          (f" (its hosts are named like {ids[0]!r})" if ids else "")))
    if args.max_moves is not None and not any(w.current is not None for w in fleet.workloads):
        errors.append(ErrorDetail("--max-moves", ",".join("unlimited" if b is None else str(b) for b in
                                                          args.max_moves),
                                  "move budgets need a live fleet (workloads with a current host); this fleet has "
                                  "none"))
    if errors:
        raise ValidationError(errors)


def grown(workloads: tuple[Workload, ...], factor: float) -> list[Workload]:
    """The workloads with every size times ``factor`` (rounded up to the model's units: millicores, bytes)."""
    if factor == 1.0:
        return list(workloads)
    return [dataclasses.replace(w, cpu=f"{math.ceil(w.cpu_millis * factor)}m",
                                memory=math.ceil(w.memory_bytes * factor),
                                extra={k: math.ceil(v * factor) for k, v in (w.extra_units or {}).items()} or None)
            for w in workloads]


def _dropped(fleet: Fleet, patterns: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(h.id for h in fleet.hosts if any(fnmatch.fnmatchcase(h.id, p) for p in patterns))


def _sweep(fleet: Fleet, combos: list[tuple[float, tuple[str, ...], int | None]],
           args: argparse.Namespace) -> list[dict[str, Any]]:
    """Place every feasible scenario (``place_iter``, on the executor asked for); one row per scenario."""
    from ..distributed import place_iter, share

    rows: list[dict[str, Any]] = []
    problems, solved = [], []
    workloads = {g: grown(fleet.workloads, g) for g in dict.fromkeys(g for g, _, _ in combos)}
    live = fleet.live_options()
    with _executor(args) as executor:
        hosts = share(fleet.hosts, executor) if executor is not None else fleet.hosts
        forced: dict[tuple[float, tuple[str, ...]], tuple[bool, int, int]] = {}
        for k, (g, patterns, max_moves) in enumerate(combos):
            drain = tuple(dict.fromkeys((*live["drain"], *_dropped(fleet, patterns))))
            if (g, patterns) not in forced:
                forced[g, patterns] = _forced(workloads[g], fleet, drain)
            pinned, moves, cost = forced[g, patterns]
            feasible = not pinned and (max_moves is None or moves <= max_moves) and (
                live["max_move_cost"] is None or cost <= live["max_move_cost"])
            rows.append({"scenario": k, "growth": g, "drop_hosts": ",".join(patterns) or _NONE,
                         "max_moves": max_moves, "feasible": feasible, "workloads": len(fleet.workloads)})
            if feasible:
                solved.append(k)
                problems.append({"workloads": workloads[g], "hosts": hosts, "drain": drain, "max_moves": max_moves})
        label = f"Placing {len(problems)} scenarios of {len(fleet.workloads)} workloads"
        with warnings.catch_warnings():  # likely mistakes were warned when the fleet was read: not once per scenario
            warnings.simplefilter("ignore", FleetpackWarning)
            stream = place_iter(problems, objective=args.objective, method=args.method, sort_key=args.sort_key,
                                overheads=fleet.overheads, time_limit=args.time_limit, seed=args.seed,
                                workers=args.workers if executor is None else None, executor=executor,
                                chunksize=args.chunksize, max_move_cost=live["max_move_cost"],
                                rules=fleet.rules or None, **fleet.ratio_options())
            with Progress(label, total=len(problems), enabled=False if args.quiet else None) as progress:
                for done, (j, plan) in enumerate(stream, 1):
                    rows[solved[j]].update(_plan_values(plan))
                    progress.update(done)
    return rows


def _forced(workloads: list[Workload], fleet: Fleet, drain: tuple[str, ...]) -> tuple[bool, int, int]:
    """Whether a pinned workload no longer fits where it runs, and the moves (count, cost) that the others which
    no longer fit force: what no budget below them can serve (the live-fleet contract's first step)."""
    if not drain and not any(w.current is not None for w in workloads):
        return False, 0, 0
    if any(w.pinned and w.current in drain for w in workloads):  # a pinned workload on a host lost
        return True, 0, 0
    # (with the fleet's ratios: a workload that fits its host only at them is not forced to move)
    problem = build_problem(workloads, fleet.hosts, fleet.overheads, drain=drain, **fleet.ratio_options())
    if problem.live is None:
        return False, 0, 0
    kept = keep_current(problem.materialize())
    rows = [i for i, _ in kept.forced]
    return bool(kept.pin_conflicts), len(rows), int(problem.live.move_cost[rows].sum()) if rows else 0


def _plan_values(plan: Plan) -> dict[str, Any]:
    return {"placed": plan.placed, "unplaced": len(plan.unplaced), "hosts_used": plan.hosts_used,
            "cost": plan.cost, "lower_bound": plan.lower_bound, "gap": plan.gap, "moves": plan.move_count,
            "move_cost": plan.move_cost, "seconds": round(plan.elapsed, 4)}


@contextlib.contextmanager
def _executor(args: argparse.Namespace) -> Iterator[Executor | None]:
    if args.executor == "threads":
        yield None
    elif args.executor == "processes":
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=args.workers) as pool:
            yield pool
    else:
        import logging

        import dask
        from distributed import Client, LocalCluster

        from ..distributed import QUIET_DASK

        if args.dask_scheduler is not None:
            with Client(args.dask_scheduler) as client:
                yield client.get_executor()
            return
        with dask.config.set(QUIET_DASK):  # the command's own cluster: its background kept small
            cluster = LocalCluster(n_workers=args.workers or os.cpu_count() or 1, threads_per_worker=1,
                                   dashboard_address=None, silence_logs=logging.ERROR)
        with cluster, Client(cluster) as client:
            yield client.get_executor()


def _cell(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and not math.isfinite(value)) else value


def _as_json(rows: list[dict[str, Any]]) -> str:
    return json.dumps([{key: _cell(row.get(key)) for key in COLUMNS} for row in rows], indent=2) + "\n"


def _as_csv(rows: list[dict[str, Any]]) -> str:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(["" if _cell(row.get(key)) is None else row[key] for key in COLUMNS])
    return text.getvalue()


_HEADS = {"growth": "Growth", "drop_hosts": "Dropped", "max_moves": "Budget", "placed": "Placed",
          "hosts_used": "Hosts used", "cost": "Cost", "lower_bound": "Lower bound", "gap": "Gap", "moves": "Moves"}


def scenario_table(rows: list[dict[str, Any]], workloads: int) -> str:
    """The rows for people: one line per scenario, right-aligned columns; '-' where a scenario is infeasible (the
    seconds each took are in the CSV and JSON)."""
    def cell(key: str, row: dict[str, Any]) -> str:
        value = row.get(key)
        if key == "max_moves":
            return "unlimited" if value is None else str(value)
        if key in ("growth", "drop_hosts"):
            return f"{value:g}" if isinstance(value, float) else str(value)
        if not row["feasible"]:
            return "-"
        if key == "gap":
            return "-" if not math.isfinite(value) else f"{value:.1%}"
        return f"{value:g}" if isinstance(value, float) else str(value)

    table = [list(_HEADS.values()), *[[cell(key, row) for key in _HEADS] for row in rows]]
    widths = [max(len(r[c]) for r in table) for c in range(len(_HEADS))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(r, widths)).rstrip() for r in table]
    return f"{len(rows)} scenarios of {workloads} workloads:\n\n" + "\n".join(lines) + "\n"


def _plot(rows: list[dict[str, Any]], path: str, value: str) -> None:
    """``value`` against the first of growth, budget, dropped hosts that varies; a line per the others' values."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def shown(axis: str, value: Any) -> str:
        return "unlimited" if axis == "max_moves" and value is None else str(value)

    axes = ["growth", "max_moves", "drop_hosts"]
    varied = [a for a in axes if len({shown(a, r[a]) for r in rows}) > 1] or ["growth"]
    x, others = varied[0], [a for a in axes if a != varied[0]]
    labels = {"max_moves": "budget", "drop_hosts": "dropped", "growth": "growth"}
    fig, ax = plt.subplots(figsize=(7, 4.2))
    lines: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:  # (in the rows' order: growth, then dropped hosts, then budget)
        lines.setdefault(tuple(shown(a, row[a]) for a in others), []).append(row)
    for key, group in lines.items():
        points = [(r[x] if x == "growth" else shown(x, r[x]), r[value]) for r in group if r["feasible"]]
        if points:
            ax.plot([p[0] for p in points], [p[1] for p in points], marker="o",
                    label=", ".join(f"{labels[a]} {v}" for a, v in zip(others, key)))
    ax.set_xlabel({"growth": "demand growth (factor)", "max_moves": "move budget",
                   "drop_hosts": "hosts dropped"}[x])
    ax.set_ylabel("hosts used" if value == "hosts_used" else "cost")
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
