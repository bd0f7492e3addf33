"""``plan_capacity``'s time: ``time_limit`` kept overall. The planner's options carry a ``deadline`` (None without a
limit); each stage takes a share of what is left of it, never the whole limit again, and the column generation and
the purchases read off it stop by it (``colgen.wall_deadline``). Without a limit every stage runs on its own budget
of work (the same result on any load).
"""

from __future__ import annotations

import math
import time

__all__ = ["column_seconds", "left", "budget"]


def column_seconds(options: dict) -> float:
    """The column generation's share of the time (and again the purchase read off it): a quarter of the limit
    (at most half of what is left of it), else up to 4 s (it stops when it converges, the bound holding at every
    step)."""
    limit = options["time_limit"]
    if limit is None:
        return 4.0
    return max(0.2, min(4.0, 0.25 * limit, 0.5 * left(options)))


def left(options: dict) -> float:
    """The seconds left of ``time_limit`` (``math.inf`` without one)."""
    deadline = options.get("deadline")
    return math.inf if deadline is None else max(0.0, deadline - time.perf_counter())


def budget(options: dict, share: float = 1.0) -> dict:
    """The options for a stage that may take ``share`` of the time left (``time_limit`` kept overall: each
    placement's limit is what is left of it, not the whole limit again)."""
    if options.get("deadline") is None:
        return options
    return dict(options, time_limit=max(0.05, share * left(options)))
