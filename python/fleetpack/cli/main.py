"""The ``fleetpack`` command: place a fleet's workloads on its hosts, re-plan a live fleet (``replan``), check a plan,
explain a placement, run the demo.

A fleet comes from a fleet file (JSON or YAML), from two CSV files (``--workloads``, ``--hosts``), or from
Kubernetes (``--kube-pods``, ``--kube-nodes``: the output of ``kubectl get pods/nodes -o json``).

Exit status: 0 on success; 1 when ``place --strict`` leaves a workload unplaced, ``verify`` finds a broken rule, or
``explain`` is given a plan that breaks one; 2 on bad input (an unreadable or invalid file, an unknown workload, or
bad options), reported on stderr without traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import json
import logging
import os
import sys
import textwrap
import warnings
from importlib.resources import as_file, files
from typing import Sequence, TextIO


from .. import __version__
from ..api import place
from ..errors import ErrorDetail, FleetpackWarning, InfeasibleError, ValidationError
from ..fleetfile import Fleet, load_fleet, load_fleet_csv, load_overheads, load_plan, read_plan_dict
from ..plan.plan import Plan
from ..solve.options import METHODS, OBJECTIVES, SORT_KEYS
from ..verify import verify
from .argtypes import budget, budget_list, host_ids, positive_int, positive_seconds, seed
from .outputs import STDOUT, check_outputs, write_plan
from .reports import LISTED_IN_FULL, place_summary, plan_counts, verify_report
from .progress import Progress
from .replan import REPLAN_EPILOG, run_frontier, schedule_dict, schedule_text
from .summary import plural, summary

__all__ = ["main", "summary", "build_parser", "EXIT_OK", "EXIT_FAILED", "EXIT_BAD_INPUT"]

EXIT_OK = 0
EXIT_FAILED = 1  # a workload left unplaced under --strict, or a plan that breaks a rule
EXIT_BAD_INPUT = 2  # as argparse exits on bad options

DEMO_FLEET = "consolidation.json"  # in fleetpack/data: the shipped example, for `fleetpack demo`
DEMO_TIME_LIMIT = 2.0  # seconds: a demo answers at once (and shows its progress on a terminal while it runs)

_DESCRIPTION = """\
Place workloads on hosts as VMs or containers, and pack the fleet tight.

A fleet is a fleet file: a JSON (or, with PyYAML, YAML) object with "workloads" and "hosts" lists and optional
"overheads", "description" and "legacy_servers" (see examples/consolidation.json, or run 'fleetpack demo'); or two
CSV files (--workloads, --hosts); or a Kubernetes cluster's pods and nodes (--kube-pods, --kube-nodes)."""

_EPILOG = """\
examples:
  fleetpack demo                                          # the shipped example, end to end
  fleetpack place examples/consolidation.json -o plan.json --plot plan.png
  fleetpack verify examples/consolidation.json plan.json
  fleetpack explain examples/consolidation.json oracle-erp-db --plan plan.json
  fleetpack replan examples/live-fleet.json --frontier 0,5,10   # what each extra migration buys
  fleetpack buy examples/capacity.json --spare 1 --max-types 2   # which hosts to buy
  kubectl get pods -A -o json > pods.json && kubectl get nodes -o json > nodes.json
  fleetpack place --kube-pods pods.json --kube-nodes nodes.json
  fleetpack replan --kube-pods pods.json --kube-nodes nodes.json --max-moves 10 --schedule   # nodes 10 moves free

Run 'fleetpack COMMAND --help' for a command's options.
exit status: 0 success; 1 unplaced workloads under --strict, or a plan that breaks a rule; 2 bad input."""

_FLEET_HELP = """\
fleet sources (give exactly one):
  FLEET                       a fleet file, .json or .yaml/.yml
  --workloads W --hosts H     two CSV files: a header row of field names (id, cpu, memory, form, os, tenant,
                              isolation, anti_affinity; id, cpu, memory, os, hypervisor, containers, cost,
                              max_workloads), extra.NAME for an extra dimension, an empty cell for the default
  --kube-pods P --kube-nodes N
                              'kubectl get pods -A -o json' and 'kubectl get nodes -o json': pods become
                              container workloads (requests as the scheduler counts them), nodes hosts (allocatable);
                              DaemonSets count as per-node overhead; labels, taints, node selectors, required
                              node affinity and tolerations become eligibility rules. A live fleet:
                              pods start where they run, cordoned nodes are drained, pods that eviction cannot
                              move (do-not-disrupt, local storage) are pinned (--kube-greenfield: from nothing)
Sizes are numbers or Kubernetes quantities: CPU in cores ("500m"), memory in bytes ("16Gi")."""

_PLACE_EPILOG = """\
examples:
  fleetpack place fleet.json                        # summary on stdout
  fleetpack place fleet.json -o plan.json --quiet   # just the plan file (-o plan.csv: one row per workload)
  fleetpack place fleet.json --plot plan.png        # a picture of every used host (needs matplotlib)
  cat fleet.json | fleetpack place - -o - > plan.json   # a pipe: the fleet from stdin, the plan to stdout
  fleetpack place fleet.json --method ffd --sort-key max
  fleetpack place fleet.json --objective cost --time-limit 5
  fleetpack place fleet.json --strict || echo "something did not fit"
  fleetpack place --workloads workloads.csv --hosts hosts.csv --overheads overheads.json
  fleetpack place --kube-pods pods.json --kube-nodes nodes.json

objectives: hosts (fewest hosts), cost (lowest total host cost), spread (lowest peak utilisation);
placing more workloads always comes first. Methods: ff (first fit, input order), ffd / bfd / wfd (first / best /
worst fit, largest first by --sort-key), auto (a portfolio of them, the best plan kept).
Progress is shown on stderr for runs longer than half a second, when stderr is a terminal.
--json prints one object: workloads, placed, hosts, hosts_used, unplaced (id: code, message), legacy_servers, vms,
containers, objective, objective_value, cost, lower_bound, gap (null when unbounded), proven_optimal, method,
strategy, elapsed (s), utilization (host: dimension: fraction), plan_file and picture (paths written, or null);
for a live fleet also moves, move_cost and hosts_freed (hosts that run workloads now and none in the plan).

""" + _FLEET_HELP

_VERIFY_EPILOG = """\
examples:
  fleetpack place fleet.json -o plan.json && fleetpack verify fleet.json plan.json
  fleetpack verify --kube-pods pods.json --kube-nodes nodes.json plan.csv

The check restates every placement rule on its own: capacity with overheads, max_workloads, forms, hypervisors and
OS, anti-affinity, tenant isolation and dedicated hosts. Exit status 1 lists each broken rule.

""" + _FLEET_HELP

_EXPLAIN_EPILOG = """\
examples:
  fleetpack explain fleet.json db-1                 # places the fleet (as 'place' would), then explains db-1
  fleetpack explain fleet.json db-1 web-2 --plan plan.json
  fleetpack explain fleet.json                      # every workload left unplaced
  fleetpack explain fleet.json db-1 --json          # as data
  fleetpack explain --kube-pods pods.json --kube-nodes nodes.json shop/web-7d9f-x2x

For a placed workload: why that form, how the host was chosen, how much room is left, and which other hosts could
take it or why not. For an unplaced one: each host that cannot take it, grouped by reason with counts (like the
Kubernetes scheduler's "0/9 nodes are available"), and the smallest change that would let it fit.

""" + _FLEET_HELP

_DEMO_EPILOG = """\
The example: Harbor & Finch Logistics consolidate the 198 workloads of 100 old servers onto a pool of 41 modern
hosts: Windows services that must be VMs, database replicas kept apart, tenant-isolated services, two dedicated
machines and two GPU jobs. The command prints where its fleet file is, so you can copy it and try your own."""


def _para(text: str) -> str:
    """A help paragraph folded to the width of the examples below it (the help formatter keeps text as written)."""
    return textwrap.fill(text, width=100)


def _add_fleet_sources(p: argparse.ArgumentParser, *, positional: bool = True) -> None:
    if positional:
        p.add_argument("fleet", metavar="FLEET", nargs="?",
                       help="the fleet file (.json, or .yaml/.yml with PyYAML; '-': JSON on standard input)")
    g = p.add_argument_group("other fleet sources")
    g.add_argument("--workloads", metavar="CSV", help="the workloads of a CSV fleet (with --hosts)")
    g.add_argument("--hosts", metavar="CSV", help="the hosts of a CSV fleet (with --workloads)")
    g.add_argument("--overheads", metavar="FILE",
                   help="overheads for a CSV fleet (a JSON/YAML overheads object, or a fleet file's)")
    g.add_argument("--kube-pods", metavar="JSON", help="the output of 'kubectl get pods -A -o json'")
    g.add_argument("--kube-nodes", metavar="JSON", help="the output of 'kubectl get nodes -o json'")
    g.add_argument("--kube-runtime-classes", metavar="JSON",
                   help="'kubectl get runtimeclasses -o json', for pod overheads missing from the pods")
    g.add_argument("--kube-include-tainted", action="store_true",
                   help="ignore the nodes' taints (every pod may go to a tainted node, as the import did before "
                        "tolerations were modelled)")
    g.add_argument("--kube-greenfield", action="store_true",
                   help="plan from nothing: ignore where pods run, cordons and pins (by default the cluster is a live "
                        "fleet: pods start where they run, cordoned nodes are drained, pods eviction cannot move "
                        "are pinned)")
    g.add_argument("--kube-evict-local-storage", action="store_true",
                   help="pods with emptyDir or hostPath volumes may move (pinned by default: eviction loses their "
                        "data)")


def _add_solver_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("solver")
    g.add_argument("--method", choices=METHODS, default="auto", help="the heuristic to use (default: auto)")
    g.add_argument("--objective", choices=OBJECTIVES, default="hosts", help="what to minimise (default: hosts)")
    g.add_argument("--sort-key", choices=SORT_KEYS, default="sum",
                   help="how ffd/bfd/wfd rank workloads by size across dimensions (default: sum)")
    g.add_argument("--time-limit", type=positive_seconds, metavar="S",
                   help="stop the auto portfolio after S seconds (default: no limit)")
    g.add_argument("--seed", type=seed, default=0, metavar="N", help="random seed (default: 0)")
    g.add_argument("--workers", type=positive_int, metavar="N",
                   help="threads for the exact solver (default: all cores)")
    g.add_argument("-v", "--verbose", action="store_true",
                   help="log on stderr what the solver ran, and each stage's result and time")


def _add_place_options(p: argparse.ArgumentParser) -> None:
    """The options of ``place``, which ``replan`` shares."""
    _add_fleet_sources(p)
    p.add_argument("-o", "--output", metavar="PLAN",
                   help="write the plan to this file (.json, or .csv; '-': JSON on standard output, the summary then "
                        "goes to stderr)")
    p.add_argument("--plot", metavar="IMAGE", help="draw the plan to this image (.png, .svg, .pdf; needs matplotlib)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON data (keys: see below)")
    _add_solver_options(p)
    p.add_argument("--strict", action="store_true",
                   help="exit with status 1, writing no plan, if any workload cannot be placed")
    live = p.add_argument_group("live fleet (workloads with a current host; override the fleet file's own)")
    live.add_argument("--max-moves", type=budget, metavar="N", help="move at most N running workloads")
    live.add_argument("--max-move-cost", type=budget, metavar="C", help="moves of summed move_cost at most C")
    live.add_argument("--drain", type=host_ids, metavar="H1,H2", help="hosts that must end empty")
    p.add_argument("-q", "--quiet", action="store_true", help="print no summary or progress (errors still go to "
                                                              "stderr)")


def build_parser() -> argparse.ArgumentParser:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(prog="fleetpack", description=_DESCRIPTION, epilog=_EPILOG,
                                     formatter_class=formatter)
    parser.add_argument("--version", action="version", version=f"fleetpack {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = commands.add_parser("place", help="place a fleet's workloads and print a summary",
                            description=_para("Place the workloads of a fleet on its hosts, print a summary of "
                                              "the plan (hosts used, lower bound, forms, unplaced workloads and "
                                              "why, per-host utilisation), and write the plan with -o."),
                            epilog=_PLACE_EPILOG, formatter_class=formatter)
    _add_place_options(p)
    p.set_defaults(run=_run_place, command_parser=p)

    r = commands.add_parser("replan", help="re-plan a live fleet within a move budget, or under each of a list of "
                            "budgets (--frontier)", description=_para("Re-plan a live fleet from where its workloads "
                            "run: with --max-moves N, 'place' within N moves; with --frontier 0,5,10, a table of "
                            "what each budget buys."), epilog=REPLAN_EPILOG + "\n" + _FLEET_HELP,
                            formatter_class=formatter)
    _add_place_options(r)
    r.add_argument("--frontier", type=budget_list, metavar="B1,B2,...",
                   help="re-plan under each move budget (increasing whole numbers, 'unlimited' last) and print a "
                        "table of hosts used against the budget (--plot: its picture)")
    r.add_argument("--schedule", action="store_true",
                   help="print the plan's moves in waves that keep every rule at every step, and what is blocked")
    r.add_argument("--max-parallel", type=positive_int, metavar="N",
                   help="with --schedule: at most N moves in a wave (default: as many as the rules allow)")
    r.set_defaults(run=_run_replan, command_parser=r)

    v = commands.add_parser("verify", help="check that a plan obeys every rule of a fleet",
                            description=_para("Check PLAN (a plan file written by 'fleetpack place -o', JSON or CSV) "
                                              "against the workloads, hosts and overheads of the fleet, and list every "
                                              "broken rule."),
                            epilog=_VERIFY_EPILOG, formatter_class=formatter)
    _add_fleet_sources(v)
    v.add_argument("plan", metavar="PLAN", help="the plan file (.json or .csv)")
    v.add_argument("--all", action="store_true", help=f"list every broken rule (more than {LISTED_IN_FULL} are "
                                                      "grouped by rule with counts and examples)")
    v.set_defaults(run=_run_verify, command_parser=v)

    e = commands.add_parser("explain", help="say why workloads went where they went, or why they were not placed",
                            description=_para("Explain where each WORKLOAD went and why, or why it was not "
                                              "placed. Without --plan the fleet is placed first, with the solver "
                                              "options given; without WORKLOAD every unplaced workload is "
                                              "explained."),
                            epilog=_EXPLAIN_EPILOG, formatter_class=formatter)
    _add_fleet_sources(e)
    e.add_argument("workloads_to_explain", metavar="WORKLOAD", nargs="*", help="workload ids")
    e.add_argument("--plan", metavar="PLAN", help="explain this plan file (.json or .csv) instead of placing anew")
    e.add_argument("--json", action="store_true", help="print the explanations as JSON data")
    _add_solver_options(e)
    e.set_defaults(run=_run_explain, command_parser=e)

    d = commands.add_parser("demo", help="place the shipped consolidation example and show the result",
                            description=_para("Place the shipped example fleet, print the summary, and explain where "
                                              "one database replica went and why."),
                            epilog=_DEMO_EPILOG, formatter_class=formatter)
    d.add_argument("-o", "--output", metavar="PLAN", help="write the plan to this file (.json, or .csv)")
    d.add_argument("--plot", metavar="IMAGE", help="draw the plan to this image (needs matplotlib)")
    d.set_defaults(run=_run_demo, command_parser=d)
    # Further commands register here, each with set_defaults(run=function(args, out) -> exit status).
    from .bench import add_parser as add_bench_parser  # the research harness; it imports pandas only when run
    add_bench_parser(commands)
    from .buy import add_parser as add_buy_parser  # capacity planning: `fleetpack buy`
    add_buy_parser(commands)
    from .scenarios import add_parser as add_scenarios_parser  # (given the fleet options: scenarios imports no main)
    add_scenarios_parser(commands, _add_fleet_sources, _load)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``fleetpack`` command with ``argv`` (default: the process's arguments); return the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        _check_sources(args)
    except SystemExit as exc:  # --help, --version and bad options: argparse has printed its message
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    with warnings.catch_warnings():
        shown = warnings.showwarning

        def show(message, category, *where, **more) -> None:
            # likely mistakes in the input: the command's own lines on stderr, without a source line
            if issubclass(category, FleetpackWarning):
                print(f"fleetpack: warning: {message}", file=sys.stderr)
            else:
                shown(message, category, *where, **more)

        warnings.showwarning = show
        with _logging_to_stderr(getattr(args, "verbose", False)):
            return _run(args)


@contextlib.contextmanager
def _logging_to_stderr(on: bool):
    """``-v``: the ``fleetpack`` logger's debug records on stderr, for this run only."""
    if not on:
        yield
        return
    logger = logging.getLogger("fleetpack")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("fleetpack: %(message)s"))
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _run(args: argparse.Namespace) -> int:
    try:
        return args.run(args, sys.stdout)
    except BrokenPipeError:  # `fleetpack ... | head`: the reader has all it wants; say nothing more
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return EXIT_FAILED
    except ValidationError as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"{exc.filename or ''}: {exc.strerror or exc}" if exc.filename else str(exc))
    except RecursionError:  # (the readers refuse deep nesting themselves; this is the last guard)
        return _fail("the input is nested too deeply to read")


def _fail(message: str) -> int:
    print(f"fleetpack: error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


# --- where the fleet comes from --------------------------------------------------------------------------------------


def _check_sources(args: argparse.Namespace) -> None:
    """Exactly one fleet source, complete; errors exit as argparse's do (usage, message, status 2)."""
    if not hasattr(args, "kube_pods"):
        return
    parser = args.command_parser
    csv_given = args.workloads is not None or args.hosts is not None
    kube_given = args.kube_pods is not None or args.kube_nodes is not None
    if args.command == "explain" and args.fleet is not None and (csv_given or kube_given):
        # with another source, the first positional argument was a workload id, not a fleet file
        args.workloads_to_explain.insert(0, args.fleet)
        args.fleet = None
    given = [name for name, on in (("FLEET", args.fleet is not None), ("--workloads/--hosts", csv_given),
                                   ("--kube-pods/--kube-nodes", kube_given)) if on]
    if not given:
        parser.error("give a fleet: a fleet file FLEET, --workloads and --hosts (CSV), or --kube-pods and "
                     "--kube-nodes")
    if len(given) > 1:
        parser.error(f"give one fleet source, not {' and '.join(given)}")
    if csv_given and (args.workloads is None or args.hosts is None):
        parser.error("--workloads and --hosts go together")
    if kube_given and (args.kube_pods is None or args.kube_nodes is None):
        parser.error("--kube-pods and --kube-nodes go together")
    if args.overheads is not None and not csv_given:
        parser.error("--overheads is for a CSV fleet (a fleet file and a Kubernetes import have their own)")
    kube_options = [name for name, on in (("--kube-runtime-classes", args.kube_runtime_classes is not None),
                                          ("--kube-include-tainted", args.kube_include_tainted),
                                          ("--kube-greenfield", args.kube_greenfield),
                                          ("--kube-evict-local-storage", args.kube_evict_local_storage)) if on]
    if kube_options and not kube_given:
        parser.error(f"{', '.join(kube_options)} go{'es' if len(kube_options) == 1 else ''} with --kube-pods and "
                     "--kube-nodes")
    if getattr(args, "json", False) and getattr(args, "output", None) == STDOUT:
        parser.error("--json and -o - both write to standard output: give -o a file name")


def _load(args: argparse.Namespace) -> tuple[Fleet, bool]:
    """The fleet the arguments name, and whether it came from Kubernetes (whose import notes are worth showing)."""
    if args.kube_pods is not None:
        from ..kube import from_kubernetes

        return from_kubernetes(args.kube_pods, args.kube_nodes, runtime_classes=args.kube_runtime_classes,
                               include_tainted=args.kube_include_tainted, current=not args.kube_greenfield,
                               evict_local_storage=args.kube_evict_local_storage), True
    if args.workloads is not None:
        overheads = load_overheads(args.overheads) if args.overheads is not None else None
        return load_fleet_csv(args.workloads, args.hosts, overheads), False
    return load_fleet(args.fleet), False


def _place(fleet: Fleet, args: argparse.Namespace, *, quiet: bool, strict: bool = False) -> Plan:
    """``place`` with the command's solver options, showing progress on a terminal while it runs."""
    label = f"Placing {plural(len(fleet.workloads), 'workload')} on {plural(len(fleet.hosts), 'host')}"
    with Progress(label, time_limit=args.time_limit, enabled=False if quiet else None):
        return place(fleet.workloads, fleet.hosts, objective=args.objective, method=args.method,
                     sort_key=args.sort_key, overheads=fleet.overheads, time_limit=args.time_limit, seed=args.seed,
                     strict=strict, workers=args.workers, **_live_options(fleet, args),
                     **fleet.ratio_options())


def _live_options(fleet: Fleet, args: argparse.Namespace) -> dict:
    """The fleet's drain, budgets and group rules, the first overridden by the command's flags (only ``place`` has
    them)."""
    options = fleet.place_options()
    for name in ("max_moves", "max_move_cost", "drain"):
        if getattr(args, name, None) is not None:
            options[name] = getattr(args, name)
    return options


def _wrap(text: str) -> str:
    return "\n".join(textwrap.fill(line, width=100) for line in text.splitlines()) + "\n"


# --- place ---------------------------------------------------------------------------------------------------------


def _run_place(args: argparse.Namespace, out: TextIO) -> int:
    check_outputs(args.output, args.plot)  # before any work: a bad path fails now, not after the solve
    words = sys.stderr if args.output == STDOUT else out  # with the plan on stdout, the summary goes to stderr
    fleet, from_kube = _load(args)
    if from_kube and not args.quiet and not args.json:
        words.write(_wrap(fleet.description) + "\n")
    try:
        plan = _place(fleet, args, quiet=args.quiet or args.json, strict=args.strict)
    except InfeasibleError as exc:
        if exc.plan is None:  # a live fleet with no plan within its budget, strict or not
            print(f"fleetpack: no plan within the budget: {exc}", file=sys.stderr)
            return EXIT_FAILED
        if args.json:
            out.write(json.dumps(place_summary(fleet, exc.plan, output=None, plot=None), indent=2) + "\n")
        elif not args.quiet:
            words.write(summary(fleet, exc.plan))
        print(f"fleetpack: {len(exc.unplaced)} workload(s) could not be placed (--strict); no plan written",
              file=sys.stderr)
        return EXIT_FAILED
    schedule = plan.schedule(args.max_parallel) if getattr(args, "schedule", False) else None
    if args.json:
        _write_outputs(plan, fleet, args.output, args.plot, out, quiet=True)
        data = place_summary(fleet, plan, output=args.output, plot=args.plot)
        if schedule is not None:
            data["schedule"] = schedule_dict(schedule)
        out.write(json.dumps(data, indent=2) + "\n")
        return EXIT_OK
    status = _write_outputs(plan, fleet, args.output, args.plot, words, quiet=args.quiet, plan_out=out)
    if schedule is not None and not args.quiet:
        words.write("\n" + schedule_text(schedule, args.max_parallel))
    return status


def _run_replan(args: argparse.Namespace, out: TextIO) -> int:
    """``replan``: ``place`` (with its budget; ``--schedule``: and its moves in waves), or with ``--frontier`` the
    table of what each budget buys."""
    if args.max_parallel is not None and not args.schedule:
        return _fail("replan: --max-parallel goes with --schedule")
    if args.frontier is None:
        return _run_place(args, out)
    for option, given in (("--max-moves", args.max_moves is not None), ("-o", args.output is not None),
                          ("--strict", args.strict), ("--method", args.method != "auto"),
                          ("--schedule", args.schedule)):
        if given:
            return _fail(f"replan: {option} does not go with --frontier (each budget is its own plan)")
    fleet, _ = _load(args)
    return run_frontier(fleet, _live_options(fleet, args), args, out)


def _write_outputs(plan: Plan, fleet: Fleet, output: str | None, plot: str | None, out: TextIO, *,
                   quiet: bool, plan_out: TextIO | None = None) -> int:
    if output:
        write_plan(plan, output, plan_out or out)
    if plot:
        plan.plot(plot)
    if not quiet:
        out.write(summary(fleet, plan))
        written = [f"Plan written to {output}." if output and output != STDOUT else "",
                   f"Picture drawn to {plot}." if plot else ""]
        if any(written):
            out.write("\n" + " ".join(w for w in written if w) + "\n")
    return EXIT_OK


# --- verify --------------------------------------------------------------------------------------------------------


def _run_verify(args: argparse.Namespace, out: TextIO) -> int:
    fleet, _ = _load(args)
    plan = read_plan_dict(args.plan)
    violations = _violations(fleet, plan, args.plan)
    out.write(verify_report(args.plan, plan_counts(fleet, plan), violations, show_all=args.all))
    return EXIT_FAILED if violations else EXIT_OK


def _violations(fleet: Fleet, plan: dict, source: str) -> list:
    try:
        return verify(fleet.workloads, fleet.hosts, plan, fleet.overheads, **fleet.place_options())
    except ValidationError as exc:
        # the fleet was valid, so what the verifier refuses is the shape of the plan: name its file
        raise ValidationError(
            [ErrorDetail(source, e.field, e.message, e.value) if e.where == "verify()" else e for e in exc.errors]
        ) from None


# --- explain -------------------------------------------------------------------------------------------------------


def _run_explain(args: argparse.Namespace, out: TextIO) -> int:
    fleet, _ = _load(args)
    known = [w.id for w in fleet.workloads]
    unknown = [wid for wid in args.workloads_to_explain if wid not in set(known)]
    if unknown:
        return _fail("; ".join(_unknown_workload(wid, known) for wid in unknown))
    if args.plan is not None:
        violations = _violations(fleet, read_plan_dict(args.plan), args.plan)
        if violations:
            print(f"fleetpack: {args.plan} breaks {plural(len(violations), 'rule')}, so it cannot be explained; "
                  f"'fleetpack verify' lists them", file=sys.stderr)
            return EXIT_FAILED
        plan = load_plan(args.plan, fleet=fleet)
    else:
        plan = _place(fleet, args, quiet=args.json)
    ids = args.workloads_to_explain or list(plan.unplaced)
    explanations = [plan.explain(wid) for wid in ids]
    if args.json:
        out.write(json.dumps([e.to_dict() for e in explanations], indent=2) + "\n")
    elif not ids:
        out.write(f"All {plural(plan.placed, 'workload')} are placed; name one to see why it went where it did.\n")
    else:
        out.write("\n\n".join(_wrap_explanation(str(e)) for e in explanations) + "\n")
    return EXIT_OK


def _wrap_explanation(text: str) -> str:
    """An explanation folded to 100 columns; a reason line's continuation indented under its text."""
    lines = []
    for line in text.splitlines():
        indent = "    " if line.startswith("  ") else "  "
        lines.append(textwrap.fill(line, width=100, subsequent_indent=indent, break_on_hyphens=False))
    return "\n".join(lines)


def _unknown_workload(wid: str, known: list[str]) -> str:
    close = difflib.get_close_matches(wid, known, n=3)
    hint = f" (did you mean {', '.join(map(repr, close))}?)" if close else ""
    return f"no workload {wid!r} in the fleet{hint}"


# --- demo ----------------------------------------------------------------------------------------------------------


def _run_demo(args: argparse.Namespace, out: TextIO) -> int:
    if args.output == STDOUT:  # the demo's words are on stdout already
        raise ValidationError.single("-o", STDOUT, "the demo writes its plan to a file; 'fleetpack place FLEET -o -' "
                                                   "writes a plan to standard output")
    check_outputs(args.output, args.plot)
    resource = files("fleetpack").joinpath("data", DEMO_FLEET)
    with as_file(resource) as path:
        fleet = load_fleet(path)
        shown = os.fspath(path)
    out.write(_wrap(fleet.description) + f"Fleet file: {shown}\n\n")
    args.method, args.objective, args.sort_key, args.seed, args.workers = "auto", "hosts", "sum", 0, None
    args.time_limit = DEMO_TIME_LIMIT
    plan = _place(fleet, args, quiet=False)
    _write_outputs(plan, fleet, args.output, args.plot, out, quiet=False)
    # a database replica: its anti-affinity group and its size rule out hosts, which the explanation shows
    out.write(f"\n$ fleetpack explain {DEMO_FLEET} pg-main-2\n{_wrap_explanation(str(plan.explain('pg-main-2')))}\n")
    out.write(f"\nTry: fleetpack place {shown} --objective cost --plot plan.png\n"
              f"     fleetpack explain {shown} oracle-erp-db\n")
    return EXIT_OK
