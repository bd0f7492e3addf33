"""``fleetpack replan FLEET --frontier 0,5,10``: a live fleet re-planned under each move budget, as a table (or
JSON, or a plot of hosts used against the budget). ``replan`` without ``--frontier`` is ``place`` (main.py)."""

from __future__ import annotations

import json
import math
from typing import TextIO

from ..fleetfile import Fleet
from ..frontier import Frontier, replan_frontier
from .outputs import check_outputs

__all__ = ["run_frontier", "frontier_table", "REPLAN_EPILOG"]

REPLAN_EPILOG = """\
examples:
  fleetpack replan fleet.json --frontier 0,5,10,20        # hosts used under each move budget
  fleetpack replan fleet.json --frontier 0,5,unlimited --json
  fleetpack replan fleet.json --frontier 0,5,10 --plot frontier.png
  fleetpack replan fleet.json --max-moves 5 -o plan.json  # one plan within 5 moves: 'place' with that budget

Without --frontier, replan is 'place' (all of its options). With --frontier, the fleet's current placement is
re-planned by 'auto' under each budget (max_moves); the table has one row per budget: moves, move cost, hosts used,
cost, lower bound, placed. A larger budget never uses more hosts (it keeps a smaller budget's plan when that is
better). A budget below the moves the current placement forces is shown as infeasible ('-').
--json prints {"forced_moves": N, "frontier": [one object per budget, keys: budget (null: unlimited), feasible,
moves, move_cost, hosts_used, cost, lower_bound, placed (null when infeasible)]}.
"""

_HEADS = {"budget": "Budget", "moves": "Moves", "move_cost": "Move cost", "hosts_used": "Hosts used",
          "cost": "Cost", "lower_bound": "Lower bound", "placed": "Placed"}


def run_frontier(fleet: Fleet, live: dict, args, out: TextIO) -> int:
    """The frontier of ``fleet`` under ``args.frontier``, with the command's solver options and the fleet's own
    ``drain`` and ``max_move_cost`` (``live``); printed as a table, or as JSON with ``--json``."""
    check_outputs(None, args.plot)
    frontier = replan_frontier(fleet.workloads, fleet.hosts, args.frontier, objective=args.objective,
                               overheads=fleet.overheads, max_move_cost=live.get("max_move_cost"),
                               drain=live.get("drain", ()), time_limit=args.time_limit, seed=args.seed,
                               workers=args.workers)
    if args.plot:
        frontier.plot(args.plot)
    if args.json:
        rows = [{k: None if isinstance(v, float) and math.isnan(v) else v for k, v in row.items()}
                for row in frontier.rows()]
        out.write(json.dumps({"forced_moves": frontier.forced_moves, "frontier": rows}, indent=2) + "\n")
    elif not args.quiet:
        out.write(frontier_table(frontier, len(fleet.workloads)))
        if args.plot:
            out.write(f"\nPicture drawn to {args.plot}.\n")
    return 0


def frontier_table(frontier: Frontier, workloads: int) -> str:
    """The frontier for people: one line per budget, right-aligned columns."""
    rows = [[_cell(key, row) for key in _HEADS] for row in frontier.rows()]
    table = [list(_HEADS.values()), *rows]
    widths = [max(len(r[c]) for r in table) for c in range(len(_HEADS))]
    lines = ["  ".join(cell.rjust(w) for cell, w in zip(r, widths)).rstrip() for r in table]
    head = f"Move budget frontier of {workloads} workloads"
    if frontier.forced_moves:
        head += f" ({frontier.forced_moves} must move: they no longer fit where they run)"
    return head + ":\n\n" + "\n".join(lines) + "\n"


def _cell(key: str, row: dict) -> str:
    value = row[key]
    if key == "budget":
        return "unlimited" if value is None else str(value)
    if not row["feasible"]:
        return "-"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)

