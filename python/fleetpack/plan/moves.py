"""What a plan of a live fleet moves, written once: the moves of an assignment (`plan_moves`), the contract's first
step (`keep_current`: which workloads stay where they run, and why the others cannot), and the `InfeasibleError`
of a live fleet that no plan within the budget serves (`live_infeasibility`).

A workload with a current host moves when it ends on another host, in another form than its ``current_form`` (when
given), or unplaced (an eviction); its cost is its ``move_cost``. The verifier restates this on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..errors import InfeasibleError
from ..model.rule_counts import empty_states
from ..model.rules import HostState, static_forms
from ..model.wire import PLACED_FORMS, UNPLACED, Answer
from .types import Move

if TYPE_CHECKING:
    from ..model.inputs import ProblemLike
    from ..model.problem import Problem

__all__ = ["moved_rows", "plan_moves", "Kept", "keep_current", "move_reason", "live_infeasibility"]

_LISTED = 10  # workloads named in an error


def moved_rows(problem: ProblemLike, host_index: np.ndarray, form_codes: np.ndarray) -> np.ndarray:
    """The rows of the workloads an assignment moves, in input order (none without a live part)."""
    live = problem.live
    if live is None:
        return np.zeros(0, dtype=np.int64)
    has_current = live.current >= 0
    elsewhere = host_index != live.current
    other_form = (live.current_form >= 0) & (form_codes.astype(np.int64) != live.current_form)
    return np.flatnonzero(has_current & (elsewhere | other_form))


def plan_moves(problem: ProblemLike, host_index: np.ndarray, form_codes: np.ndarray) -> tuple[Move, ...]:
    """The moves of an assignment (per workload in input order: host row, -1 unplaced; form code)."""
    live = problem.live
    rows = moved_rows(problem, host_index, form_codes)
    if live is None or not len(rows):
        return ()
    w_ids, h_ids = problem.workload_ids, problem.host_ids
    out = []
    for i in rows.tolist():
        j, code, source_form = int(host_index[i]), int(form_codes[i]), int(live.current_form[i])
        out.append(Move(str(w_ids[i]), str(h_ids[live.current[i]]), None if j < 0 else str(h_ids[j]),
                        None if source_form < 0 else PLACED_FORMS[source_form],
                        None if code == UNPLACED else PLACED_FORMS[code], int(live.move_cost[i])))
    return tuple(out)


@dataclass
class Kept:
    """Step 1 of the live-fleet contract: the hosts' states with the kept workloads on them, each workload's host
    row and form (None where not kept), and the pinned workloads that do not fit their place and the other
    workloads that could not stay (``forced``), each as (row, the rule as (kind, detail)), in input order."""

    states: list[HostState]
    hosts: list[int | None]
    forms: list[str | None]
    pin_conflicts: list[tuple[int, tuple[str, str]]]
    forced: list[tuple[int, tuple[str, str]]]


def keep_current(problem: Problem) -> Kept:
    """Keep: pinned workloads first, then the others with a current host, each group in input order; each stays on
    its current host, in its ``current_form`` when given (else the first form of the host's try order that fits),
    when it fits the host's state so far under every rule. A drained host keeps no workload."""
    live = problem.live
    assert live is not None
    states = empty_states(problem)
    n = len(problem.workloads)
    hosts: list[int | None] = [None] * n
    forms: list[str | None] = [None] * n
    pin_conflicts, forced = [], []
    current = live.current.tolist()
    pinned = live.pinned.tolist()
    order = [i for i in range(n) if pinned[i]] + [i for i in range(n) if current[i] >= 0 and not pinned[i]]
    for i in order:
        w, j = problem.workloads[i], current[i]
        state = states[j]
        if live.drain[j]:
            blocker = ("drain", f"host {state.host.id!r} is drained")
        else:
            tried = [w.current_form] if w.current_form is not None else static_forms(w, state.host)
            blocker = ("form", f"host {state.host.id!r} runs it in no form it may take")
            for form in tried:
                why = state.blocker(w, form)
                if why is None:
                    state.add(w, form)
                    hosts[i], forms[i], blocker = j, form, None
                    break
                if blocker[0] == "form" or form == tried[0]:
                    blocker = why
        if blocker is not None:
            (pin_conflicts if pinned[i] else forced).append((i, blocker))
    return Kept(states, hosts, forms, pin_conflicts, forced)


def _rule(blocker: tuple[str, str]) -> str:
    kind, detail = blocker
    return {"capacity": f"capacity ({detail})", "anti_affinity": f"anti-affinity group {detail!r}",
            "max_workloads": f"max_workloads ({detail})", "form": f"form ({detail})",
            "drain": "its host is drained"}.get(kind, f"{kind} ({detail})")


def move_reason(problem: Problem, row: int) -> str:
    """Why a workload that the plan moves could not stay, in words: the rule its place breaks as the contract's
    first step sees it, or, when it could have stayed, that a search moved it to pack the fleet."""
    kept = keep_current(problem)
    rules = dict(kept.pin_conflicts + kept.forced)
    if row in rules:
        return f"it could not stay: {_rule(rules[row])}"
    return "it could have stayed; the improvement search moved it to pack the fleet tighter"


def live_infeasibility(problem: ProblemLike, answer: Answer) -> InfeasibleError | None:
    """The error of a live fleet that no plan within the budget serves, from a solver's answer: pinned workloads
    that do not fit their place, or forced moves beyond a budget (naming the workloads, the rule their place breaks
    and the smallest budget that would repair them); None when neither."""
    live = problem.live
    if live is None:
        return None
    forced_cost = int(live.move_cost[answer.forced_moves].sum()) if len(answer.forced_moves) else 0
    over_moves = live.max_moves is not None and len(answer.forced_moves) > live.max_moves
    over_cost = live.max_move_cost is not None and forced_cost > live.max_move_cost
    if not len(answer.pin_conflicts) and not over_moves and not over_cost:
        return None
    kept = keep_current(problem.materialize())  # (the rule each place breaks, as the contract's first step sees it)
    rules = dict(kept.pin_conflicts + kept.forced)
    ids, h_ids = problem.workload_ids, problem.host_ids

    def named(rows) -> tuple[list[tuple[str, str, str]], str]:
        items = [(str(ids[i]), str(h_ids[live.current[i]]), _rule(rules.get(i, ("rules", "its place")))) for i in rows]
        words = "; ".join(f"{w!r} on {h!r}: {r}" for w, h, r in items[:_LISTED])
        more = len(items) - _LISTED
        return items, words + (f"; and {more} more" if more > 0 else "")

    if len(answer.pin_conflicts):
        items, words = named(answer.pin_conflicts.tolist())
        return InfeasibleError.live(f"{len(items)} pinned workload(s) do not fit where they run: {words}", items, {})
    items, words = named(answer.forced_moves.tolist())
    needed, said = {}, []
    if over_moves:
        needed["max_moves"] = len(items)
        said.append(f"max_moves >= {len(items)} (given {live.max_moves})")
    if over_cost:
        needed["max_move_cost"] = forced_cost
        said.append(f"max_move_cost >= {forced_cost} (given {live.max_move_cost})")
    return InfeasibleError.live(
        f"{len(items)} workload(s) cannot stay where they run, and moving them exceeds the budget: {words}. "
        f"The smallest budget that repairs them: {' and '.join(said)}", items, needed)
