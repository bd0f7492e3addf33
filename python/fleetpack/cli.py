"""The ``fleetpack`` command: place a fleet file's workloads on its hosts, and check a plan against a fleet file.

Exit status: 0 on success; 1 when ``place --strict`` leaves a workload unplaced or ``verify`` finds a broken rule;
2 on bad input (an unreadable or invalid fleet or plan file, or bad options), reported on stderr without traceback.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections import Counter
from typing import Sequence, TextIO

from . import __version__
from .api import place
from .errors import ErrorDetail, InfeasibleError, ValidationError
from .fleetfile import Fleet, dump_plan, load_fleet, read_plan_dict
from .plan import Plan
from .problem import METHODS, OBJECTIVES, SORT_KEYS
from .verify import verify

__all__ = ["main", "EXIT_OK", "EXIT_FAILED", "EXIT_BAD_INPUT"]

EXIT_OK = 0
EXIT_FAILED = 1  # a workload left unplaced under --strict, or a plan that breaks a rule
EXIT_BAD_INPUT = 2  # as argparse exits on bad options

_DESCRIPTION = """\
Place workloads on hosts as VMs or containers, and pack the fleet tight.

A fleet file is a JSON (or, with PyYAML, YAML) object with "workloads" and "hosts" lists and optional "overheads",
"description" and "legacy_servers"; see examples/consolidation.json."""

_EPILOG = """\
examples:
  fleetpack place examples/consolidation.json
  fleetpack place examples/consolidation.json --objective cost -o plan.json
  fleetpack verify examples/consolidation.json plan.json

exit status: 0 success; 1 unplaced workloads under --strict, or a plan that breaks a rule; 2 bad input."""

_PLACE_EPILOG = """\
examples:
  fleetpack place fleet.json                        # summary on stdout
  fleetpack place fleet.json -o plan.json --quiet   # just the plan file
  fleetpack place fleet.json --method ffd --sort-key max
  fleetpack place fleet.json --objective cost --time-limit 5
  fleetpack place fleet.json --strict || echo "something did not fit"

objectives: hosts (fewest hosts), cost (lowest total host cost), spread (lowest peak utilisation);
placing more workloads always comes first. Methods: ff (first fit, input order), ffd / bfd / wfd (first / best /
worst fit, largest first by --sort-key), auto (a portfolio of them, the best plan kept)."""

_VERIFY_EPILOG = """\
examples:
  fleetpack place fleet.json -o plan.json && fleetpack verify fleet.json plan.json

The check restates every placement rule on its own: capacity with overheads, max_workloads, forms, hypervisors and
OS, anti-affinity, tenant isolation and dedicated hosts. Exit status 1 lists each broken rule."""


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text!r}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"must be a non-negative integer below 2**63, got {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(prog="fleetpack", description=_DESCRIPTION, epilog=_EPILOG,
                                     formatter_class=formatter)
    parser.add_argument("--version", action="version", version=f"fleetpack {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = commands.add_parser("place", help="place a fleet file's workloads and print a summary",
                            description="Place the workloads of FLEET on its hosts, print a summary of the plan "
                                        "(hosts used, lower bound, forms, unplaced workloads and why, per-host "
                                        "utilisation), and write the plan as JSON with -o.",
                            epilog=_PLACE_EPILOG, formatter_class=formatter)
    p.add_argument("fleet", metavar="FLEET", help="the fleet file (.json, or .yaml/.yml with PyYAML)")
    p.add_argument("-o", "--output", metavar="PLAN", help="write the plan to this JSON file")
    p.add_argument("--method", choices=METHODS, default="auto", help="the heuristic to use (default: auto)")
    p.add_argument("--objective", choices=OBJECTIVES, default="hosts", help="what to minimise (default: hosts)")
    p.add_argument("--sort-key", choices=SORT_KEYS, default="sum",
                   help="how ffd/bfd/wfd rank workloads by size across dimensions (default: sum)")
    p.add_argument("--time-limit", type=_positive_seconds, metavar="S",
                   help="stop the auto portfolio after S seconds (default: no limit)")
    p.add_argument("--seed", type=_seed, default=0, metavar="N", help="random seed (default: 0)")
    p.add_argument("--strict", action="store_true",
                   help="exit with status 1, writing no plan, if any workload cannot be placed")
    p.add_argument("-q", "--quiet", action="store_true", help="print no summary (errors still go to stderr)")
    p.set_defaults(run=_run_place)

    v = commands.add_parser("verify", help="check that a plan file obeys every rule of a fleet file",
                            description="Check PLAN (a plan file written by 'fleetpack place -o') against the "
                                        "workloads, hosts and overheads of FLEET, and list every broken rule.",
                            epilog=_VERIFY_EPILOG, formatter_class=formatter)
    v.add_argument("fleet", metavar="FLEET", help="the fleet file the plan was made for")
    v.add_argument("plan", metavar="PLAN", help="the plan file (JSON)")
    v.set_defaults(run=_run_verify)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``fleetpack`` command with ``argv`` (default: the process's arguments); return the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and bad options: argparse has printed its message
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    try:
        return args.run(args, sys.stdout)
    except ValidationError as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"{exc.filename or ''}: {exc.strerror or exc}" if exc.filename else str(exc))


def _fail(message: str) -> int:
    print(f"fleetpack: error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


# --- place ---------------------------------------------------------------------------------------------------------


def _run_place(args: argparse.Namespace, out: TextIO) -> int:
    fleet = load_fleet(args.fleet)
    try:
        plan = place(fleet.workloads, fleet.hosts, objective=args.objective, method=args.method,
                     sort_key=args.sort_key, overheads=fleet.overheads, time_limit=args.time_limit, seed=args.seed,
                     strict=args.strict)
    except InfeasibleError as exc:
        if not args.quiet:
            out.write(summary(fleet, exc.plan))
        print(f"fleetpack: {len(exc.unplaced)} workload(s) could not be placed (--strict); no plan written",
              file=sys.stderr)
        return EXIT_FAILED
    if args.output:
        dump_plan(plan, args.output)
    if not args.quiet:
        out.write(summary(fleet, plan))
        if args.output:
            out.write(f"\nPlan written to {args.output}.\n")
    return EXIT_OK


def summary(fleet: Fleet, plan: Plan) -> str:
    """The plan in words and a per-host table, for people."""
    total = len(fleet.workloads)
    hosts = "host" if plan.hosts_used == 1 else "hosts"
    head = f"Placed {plan.placed} of {total} workloads on {plan.hosts_used} {hosts}"
    if fleet.legacy_servers is not None:
        head += f" instead of the {fleet.legacy_servers} it had"
    lines = [
        head + ".",
        _quality(plan),
        f"Cost {_number(plan.cost)}; {_count(plan.vms, 'VM')} and {_count(plan.containers, 'container')}.",
        f"Method {_method(plan)}, {_duration(plan.elapsed)}.",
    ]
    if plan.unplaced:
        lines += ["", f"Unplaced workloads ({len(plan.unplaced)}):"]
        lines += [f"  {wid}: {reason.code}: {reason.message}" for wid, reason in plan.unplaced.items()]
    if plan.hosts_used:
        lines += [""] + _host_table(fleet, plan)
        empty = len(fleet.hosts) - plan.hosts_used
        lines.append(f"{empty} of {len(fleet.hosts)} hosts left empty.")
    return "\n".join(lines) + "\n"


def _quality(plan: Plan) -> str:
    """How far from the best possible the plan can be, from the solver's lower bound on the objective."""
    bound = {
        "hosts": lambda b: f"{b:g} host{'s' if b != 1 else ''}",
        "cost": lambda b: f"cost {_number(b)}",
        "spread": lambda b: f"peak utilisation {b:.1%}",
    }[plan.objective](plan.lower_bound)
    if plan.unplaced:
        return f"Lower bound {bound} for placing every workload; not every workload was placed."
    if plan.proven_optimal:
        return f"Proven optimal: lower bound {bound}."
    if math.isinf(plan.gap):
        return f"Lower bound {bound}, too weak to bound the gap to the optimum."
    # rounded up, so that "at most" stays true
    percent = math.ceil(plan.gap * 1000 - 1e-9) / 10
    return f"Lower bound {bound}, so at most {percent:g}% above the optimum."


def _method(plan: Plan) -> str:
    if plan.method == "auto":
        return f"auto (best strategy: {plan.strategy})"
    return plan.strategy


def _duration(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _number(value: float) -> str:
    return f"{round(value, 3):g}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"


def _host_table(fleet: Fleet, plan: Plan) -> list[str]:
    """One row per used host, in the fleet file's order: workload counts, then utilisation per dimension."""
    vms: Counter = Counter()
    containers: Counter = Counter()
    for a in plan.assignments:
        (vms if a.form == "vm" else containers)[a.host] += 1
    extra = list(plan.dimensions[2:])
    header = ["Host", "Workloads", "VMs", "Containers", "CPU", "Memory", *extra]
    rows = []
    for host in fleet.hosts:
        if host.id not in plan.utilization and not (vms[host.id] or containers[host.id]):
            continue
        usage = plan.utilization.get(host.id, {})
        row = [host.id, str(vms[host.id] + containers[host.id]), str(vms[host.id]), str(containers[host.id])]
        row += [f"{usage.get(dim, 0.0):.0%}" for dim in ("cpu", "memory")]
        # a dimension the host does not have is "-", not 0%
        row += [f"{usage.get(dim, 0.0):.0%}" if host.extra_units.get(dim, 0) else "-" for dim in extra]
        rows.append(row)
    widths = [max(len(r[k]) for r in [header, *rows]) for k in range(len(header))]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [c.rjust(w) for c, w in zip(cells[1:], widths[1:])]
        return "  ".join([first, *rest]).rstrip()

    return [line(header), *(line(r) for r in rows)]


# --- verify --------------------------------------------------------------------------------------------------------


def _run_verify(args: argparse.Namespace, out: TextIO) -> int:
    fleet = load_fleet(args.fleet)
    plan = read_plan_dict(args.plan)
    try:
        violations = verify(fleet.workloads, fleet.hosts, plan, fleet.overheads)
    except ValidationError as exc:
        # the fleet file was valid, so what the verifier refuses is the shape of the plan: name its file
        raise ValidationError(
            [ErrorDetail(args.plan, e.field, e.message, e.value) if e.where == "verify()" else e for e in exc.errors]
        ) from None
    if not violations:
        assignments = plan.get("assignments")
        counts = ""
        if isinstance(assignments, list):  # a plan file from `fleetpack place`, not a plain {workload: [host, form]}
            used = len({a["host"] for a in assignments})
            counts = f" ({_count(len(assignments), 'workload')} placed on {_count(used, 'host')})"
        out.write(f"{args.plan}: plan is valid{counts}.\n")
        return EXIT_OK
    out.write(f"{args.plan}: plan breaks {_count(len(violations), 'rule')}:\n")
    for v in violations:
        out.write(f"  {v.rule}: {v.message}\n")
    return EXIT_FAILED
