"""What the model-extension benches share (`eligibility.py`, `group_rules.py`, `overcommit.py`): a 100k-style
fleet solved by `ffd` and by `auto`'s portfolio and search (its exact stage off, as at 100k it does not run), case
by case on the same workloads and hosts, each plan verified; and the command line that takes the sizes."""

from __future__ import annotations

import argparse
import time
import warnings
from typing import Callable

import fleetpack as fp
from fleetpack.exact import heuristics_only

__all__ = ["timed", "ffd_and_auto", "main_over_sizes"]


def timed(fn):
    """(what ``fn()`` returns, the seconds it took)."""
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def ffd_and_auto(ws, hs, **keywords) -> tuple[fp.Plan, float, fp.Plan, float]:
    """``fp.place`` end to end by ``ffd`` and by ``auto`` without its exact stage, both verified: (ffd's plan, its
    seconds, auto's plan, its seconds)."""
    ffd, t_ffd = timed(lambda: fp.place(ws, hs, method="ffd", **keywords))
    with heuristics_only():
        auto, t_auto = timed(lambda: fp.place(ws, hs, **keywords))
    assert fp.verify(ws, hs, ffd, **keywords) == [] and fp.verify(ws, hs, auto, **keywords) == []
    return ffd, t_ffd, auto, t_auto


def main_over_sizes(doc: str, run: Callable[[int], None]) -> None:
    """``--n`` (repeatable; default 10k and 100k workloads), each size run in turn."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--n", type=int, action="append", help="workloads (repeatable; default 10k and 100k)")
    args = parser.parse_args()
    warnings.simplefilter("ignore", fp.FleetpackWarning)
    for n in args.n or [10_000, 100_000]:
        run(n)
