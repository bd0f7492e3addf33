"""The ``fleetpack bench`` sub-command: its parser and its run (the harness itself is `fleetpack.bench`)."""

from __future__ import annotations

import argparse
import importlib.util
import sys

from ..bench.compare import _AGAINST, compare, format_summary, performance_profile, summary
from ..errors import ValidationError
from .argtypes import positive_int, positive_seconds

__all__ = ["add_parser", "run_bench"]

_BENCH_EPILOG = """\
examples:
  fleetpack bench --set bpplib_1d/Falkenauer/Falkenauer_U --solutions bpplib_1d/Bounds_BPPLib.jl.txt
  fleetpack bench --set instances/ --methods ffd,bfd,auto --time-limit 1 -o results.csv --plot profile.png

A set is a directory of instance files (BPPLIB .txt, VPSolver .vbp) or one file; --set may be repeated.
--solutions names a table of known optima and bounds (BPPLIB's Bounds table, a Mommessin et al. results file, or
a CSV with columns instance and lb/ub or optimum). Exit status 1 if any plan is invalid."""


def add_parser(subparsers) -> None:
    """Register the ``bench`` subcommand on the ``fleetpack`` command's subparsers."""
    p = subparsers.add_parser(
        "bench", help="compare placement methods on benchmark instance sets",
        description="Run placement methods on benchmark instances (BPPLIB and VPSolver files), verify every plan, "
                    "and print a summary per set and method: valid and optimal plans, hosts above the optimum, "
                    "ratio to the optimum (or lower bound), time.",
        epilog=_BENCH_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--set", dest="sets", action="append", required=True, metavar="PATH",
                   help="a directory of .txt (BPPLIB) or .vbp (VPSolver) instance files, or one file; repeatable")
    p.add_argument("--solutions", action="append", default=[], metavar="FILE",
                   help="a table of known optima / lower bounds by instance name; repeatable")
    p.add_argument("--methods", default="ffd,bfd,auto", metavar="LIST",
                   help="comma-separated fleetpack methods (default: ffd,bfd,auto)")
    p.add_argument("--time-limit", type=positive_seconds, metavar="S", help="time limit per run, in seconds")
    p.add_argument("--workers", type=positive_int, metavar="N", help="processes to use (default: one per CPU)")
    p.add_argument("-o", "--output", metavar="CSV", help="write every run (one row per instance and method) as CSV")
    p.add_argument("--plot", metavar="IMAGE", help="save a performance profile plot (needs matplotlib)")
    p.add_argument("--plot-against", choices=_AGAINST, default="best",
                   help="profile against the best method per instance (Dolan-More, default) or the optimum")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(run=run_bench, command_parser=p)


def run_bench(args, out) -> int:
    """The ``bench`` subcommand: read the sets, compare the methods, print the summary."""
    from ..bench.datasets import read_set, read_solutions

    if importlib.util.find_spec("pandas") is None:
        raise ValidationError.single("bench", "(command)", "needs pandas: pip install pandas")
    if args.plot is not None and importlib.util.find_spec("matplotlib") is None:  # fail before the long part
        raise ValidationError.single("--plot", args.plot, "a performance profile needs matplotlib: "
                                                          "pip install 'fleetpack[plot]'")
    solutions: dict = {}
    for path in args.solutions:
        for name, known in read_solutions(path).items():
            solutions.setdefault(name, known)
    instances = [inst for path in args.sets for inst in read_set(path, solutions=solutions)]
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    if not args.quiet:
        sets = len(dict.fromkeys(inst.set for inst in instances))
        print(f"fleetpack bench: {len(instances)} instances in {sets} set{'s' if sets != 1 else ''}, "
              f"{len(methods)} method{'s' if len(methods) != 1 else ''}", file=sys.stderr)
    results = compare(methods, instances, time_limit=args.time_limit, workers=args.workers,
                      progress=not args.quiet)
    if args.output:
        results.to_csv(args.output, index=False)
    if args.plot:
        performance_profile(results, against=args.plot_against, path=args.plot)
    out.write(format_summary(summary(results)))
    invalid = int((~results["valid"]).sum())
    if invalid:
        out.write(f"\n{invalid} invalid plan{'s' if invalid != 1 else ''}; see the error column "
                  f"{'in ' + args.output if args.output else '(write it with -o)'}.\n")
        return 1
    return 0
