"""``fleetpack replan FLEET --frontier 0,5,10``: a live fleet re-planned under each move budget, as a table (or
JSON, or a plot of hosts used against the budget). ``replan`` without ``--frontier`` is ``place`` (main.py);
``--schedule`` adds the plan's moves in waves (`schedule_text`, and `schedule_dict` for ``--json``)."""

from __future__ import annotations

import json
import math
from typing import TextIO

from ..fleetfile import Fleet
from ..frontier import Frontier, replan_frontier
from ..plan.schedule import BREAK_CYCLE, Schedule
from ..plan.types import Move
from .outputs import check_outputs

__all__ = ["run_frontier", "frontier_table", "schedule_text", "schedule_dict", "REPLAN_EPILOG"]

REPLAN_EPILOG = """\
examples:
  fleetpack replan fleet.json --frontier 0,5,10,20        # hosts used under each move budget
  fleetpack replan fleet.json --frontier 0,5,unlimited --json
  fleetpack replan fleet.json --frontier 0,5,10 --plot frontier.png
  fleetpack replan fleet.json --max-moves 5 -o plan.json  # one plan within 5 moves: 'place' with that budget
  fleetpack replan fleet.json --max-moves 5 --schedule --max-parallel 3   # ... and its moves in waves
  fleetpack replan --kube-pods pods.json --kube-nodes nodes.json --max-moves 10   # nodes freed by 10 evictions

Without --frontier, replan is 'place' (all of its options). With --frontier, the fleet's current placement is
re-planned by 'auto' under each budget (max_moves); the table has one row per budget: moves, move cost, hosts used,
cost, lower bound, placed. A larger budget never uses more hosts (it keeps a smaller budget's plan when that is
better). A budget below the moves the current placement forces is shown as infeasible ('-').
--json prints {"forced_moves": N, "frontier": [one object per budget, keys: budget (null: unlimited), feasible,
moves, move_cost, hosts_used, cost, lower_bound, placed (null when infeasible)]}.
With --schedule, the plan's moves follow the summary in waves that keep every rule at every step (a moving workload
holds room on its source and its target during its wave; evictions first; at most --max-parallel moves a wave),
then the new workloads placed after the last wave, then the moves no order can make (blocked) and the rule each
would break. With --json the summary gains "schedule": {"waves": [[move, ...], ...], "new": [workload ids],
"blocked": [move with "reason"]}, a move being {workload, source, target (null: evicted), source_form,
target_form, cost}.
"""

_HEADS = {"budget": "Budget", "moves": "Moves", "move_cost": "Move cost", "hosts_used": "Hosts used",
          "cost": "Cost", "lower_bound": "Lower bound", "placed": "Placed"}


def run_frontier(fleet: Fleet, live: dict, args, out: TextIO) -> int:
    """The frontier of ``fleet`` under ``args.frontier``, with the command's solver options and the fleet's own
    ``drain``, ``max_move_cost``, group ``rules``, ``allocation_ratio`` and ``max_utilization`` (``live``); printed
    as a table, or as JSON with ``--json``."""
    check_outputs(None, args.plot)
    frontier = replan_frontier(fleet.workloads, fleet.hosts, args.frontier, objective=args.objective,
                               overheads=fleet.overheads, max_move_cost=live.get("max_move_cost"),
                               drain=live.get("drain", ()), time_limit=args.time_limit, seed=args.seed,
                               workers=args.workers, rules=live.get("rules"),
                               allocation_ratio=live.get("allocation_ratio"),
                               max_utilization=live.get("max_utilization"))
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
        head += f" ({frontier.forced_moves} must move: their host is drained or they no longer fit there)"
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



def schedule_text(schedule: Schedule, max_parallel: int | None) -> str:
    """The migration schedule for people: per wave its moves (``workload: source -> target (form)``, evictions
    first), the new workloads placed after the last wave, and the blocked moves with the rule each would break."""
    moves = sum(len(w) for w in schedule.waves)
    if not moves and not schedule.blocked:
        text = "Schedule: no moves."
        if schedule.new:
            text += f" Place the {_count(len(schedule.new), 'new workload')}: {', '.join(schedule.new)}."
        return text + "\n"
    at_most = f", at most {max_parallel} at a time" if max_parallel is not None else ""
    lines = [f"Schedule: {_count(moves, 'move')} in {_count(len(schedule.waves), 'wave')}{at_most}; each wave "
             "keeps every rule while it runs."]
    for k, wave in enumerate(schedule.waves, 1):
        lines.append(f"Wave {k} ({_count(len(wave), 'move')}):")
        lines += [f"  {_move_words(m)}" for m in wave]
    if schedule.new:
        lines.append(f"Then place {_count(len(schedule.new), 'new workload')}: {', '.join(schedule.new)}.")
    if schedule.blocked:
        lines.append(f"Blocked ({len(schedule.blocked)}): {BREAK_CYCLE}.")
        lines += [f"  {_move_words(m)}: {why}" for m, why in zip(schedule.blocked, schedule.blocked_by)]
    return "\n".join(lines) + "\n"


def schedule_dict(schedule: Schedule) -> dict:
    """The schedule as data for ``--json``: waves of moves, the new workloads, the blocked moves with reasons."""
    return {"waves": [[m.to_dict() for m in wave] for wave in schedule.waves],
            "new": list(schedule.new),
            "blocked": [{**m.to_dict(), "reason": why} for m, why in zip(schedule.blocked, schedule.blocked_by)]}


def _move_words(m: Move) -> str:
    if m.target is None:
        return f"{m.workload}: {m.source} -> evicted"
    # the source's form when it differs (a form change, in place or not); the target's always
    changed = m.source_form is not None and m.source_form != m.target_form
    source = m.source + (f" ({m.source_form})" if changed else "")
    return f"{m.workload}: {source} -> {m.target} ({m.target_form})"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"
