"""The migration schedule of a live plan (issue 15): its moves in waves, so that the fleet keeps the model's rules at
every step, a live migration holding room on both its source and its target while it runs.

The rule a wave keeps, the simplest sound one: every host that receives a workload in a wave holds every rule of
the model (capacity with overheads, max_workloads, forms, anti-affinity, tenant isolation, dedicated) with what it
held before the wave plus what arrives in it (a workload moving away is still there until the wave ends). A host
that receives nothing only loses workloads, and a host that held the rules still does when it loses some. So a host
that holds the rules now holds them at every step and during every wave, and a host whose current placement breaks
them (the reason some moves are forced) receives nothing until enough has left it to hold them again.

A form change on the same host is a restart in place: during its wave the workload counts on its host once, in
its new form. Evictions (moves to no host) go first, as they only free room. New workloads (no current host) are
placed in one last step after every move (`Schedule.new`); the plan holds every rule, so that step does too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import ErrorDetail, ValidationError
from ..model.rules import FORM_ORDER, HostState, static_forms
from .types import Move

if TYPE_CHECKING:
    from ..model.objects import Workload
    from ..model.problem import Problem
    from .plan import Plan

__all__ = ["Schedule", "schedule_plan", "BREAK_CYCLE"]

BREAK_CYCLE = ("each waits for room that another of them frees; a spare host, or evicting one of them, would "
               "break the cycle")


@dataclass(frozen=True)
class Schedule:
    """A live plan's moves in ``waves`` (each at most ``max_parallel`` moves, run together), the moves no order
    can make (``blocked``, with ``blocked_by``: per blocked move, the rule its target breaks if it went now) and the
    new workloads placed after the last wave (``new``, in input order). Empty for a greenfield plan."""

    waves: tuple[tuple[Move, ...], ...] = ()
    blocked: tuple[Move, ...] = ()
    blocked_by: tuple[str, ...] = ()
    new: tuple[str, ...] = ()

    def __str__(self) -> str:
        if not self.waves and not self.blocked and not self.new:
            return "no moves"
        lines = []
        for k, wave in enumerate(self.waves, 1):
            lines.append(f"wave {k}:")
            lines.extend(f"  {_words(m)}" for m in wave)
        if self.new:
            lines.append(f"then place {len(self.new)} new workload(s): {', '.join(self.new)}")
        if self.blocked:
            lines.append(f"blocked ({len(self.blocked)}): {BREAK_CYCLE}")
            lines.extend(f"  {_words(m)}: {why}" for m, why in zip(self.blocked, self.blocked_by))
        return "\n".join(lines)


def _words(m: Move) -> str:
    source = m.source + (f" ({m.source_form})" if m.source_form else "")
    if m.target is None:
        return f"evict {m.workload!r} from {source}"
    return f"move {m.workload!r} from {source} to {m.target} ({m.target_form})"


def _check_max_parallel(max_parallel) -> None:
    if max_parallel is None:
        return
    if isinstance(max_parallel, bool) or not isinstance(max_parallel, int) or max_parallel < 1:
        raise ValidationError([ErrorDetail("schedule()", "max_parallel", "must be a whole number >= 1 or None, "
                                           f"got {max_parallel!r}", max_parallel)])


def _source_form(w: Workload, host) -> str:
    """The form a workload runs in now: its ``current_form``, else the first form its host may run it in, else the
    first form it may take at all (its place then breaks the form rule)."""
    if w.current_form is not None:
        return w.current_form
    forms = static_forms(w, host) or [f for f in FORM_ORDER if w.form in ("any", f)]
    return forms[0]


def _blocker(problem: Problem, j: int, items) -> tuple[str, str] | None:
    """The first rule host ``j`` breaks holding ``items`` ((workload, form) pairs); None when it holds them all.
    Every rule's check is symmetric in the order workloads arrive, so adding them one by one finds any break."""
    state = HostState(problem, problem.hosts[j])
    for w, form in items:
        why = state.blocker(w, form)
        if why is not None:
            return why
        state.add(w, form)
    return None


def schedule_plan(plan: Plan, max_parallel: int | None = None) -> Schedule:
    """The waves of ``plan``'s moves (see the module's docstring for the rule each wave keeps). Greedy: each wave
    takes, in the plan's move order, every move whose target keeps the rules with it, up to ``max_parallel``."""
    _check_max_parallel(max_parallel)
    if not plan.live or plan.problem is None or plan.problem.live is None:
        if plan.live and plan.moves:
            raise ValueError("a plan read back from JSON has no problem to schedule its moves against")
        return Schedule()
    problem = plan.problem.materialize()
    live = problem.live
    assert live is not None and plan.host_index is not None and plan.form_codes is not None
    index = {w.id: i for i, w in enumerate(problem.workloads)}
    host_row = {h.id: j for j, h in enumerate(problem.hosts)}
    moving = {m.workload for m in plan.moves}
    # what each host holds now: (workload row -> form); new workloads come last, the moving ones in their source form
    held: list[dict[int, str]] = [{} for _ in problem.hosts]
    new = []
    for i, w in enumerate(problem.workloads):
        j = int(plan.host_index[i])
        if w.id in moving:
            src = int(live.current[i])
            held[src][i] = _source_form(w, problem.hosts[src])
        elif int(live.current[i]) >= 0:
            held[j][i] = plan.form_of(w.id) or ""
        elif j >= 0:
            new.append(w.id)
    cap = max_parallel if max_parallel is not None else len(plan.moves) or 1
    waves: list[tuple[Move, ...]] = []
    evictions = [m for m in plan.moves if m.target is None]
    for start in range(0, len(evictions), cap):
        wave = tuple(evictions[start:start + cap])
        for m in wave:
            del held[host_row[m.source]][index[m.workload]]
        waves.append(wave)
    # each migration with its target's row, its workload's row and its form there
    left = [(m, host_row[m.target], index[m.workload], m.target_form or "")
            for m in plan.moves if m.target is not None]

    def items(j: int, extra: dict[int, str]) -> list:
        together = {**held[j], **extra}  # (an in-place form change replaces the old form)
        return [(problem.workloads[i], form) for i, form in together.items()]

    while left:
        arriving: dict[int, dict[int, str]] = {}
        taken: list[Move] = []
        rest = []
        for move in left:
            _, j, i, form = move
            trial = {**arriving.get(j, {}), i: form}
            if len(taken) < cap and _blocker(problem, j, items(j, trial)) is None:
                arriving[j] = trial
                taken.append(move[0])
            else:
                rest.append(move)
        if not taken:
            break
        for m in taken:
            del held[host_row[m.source]][index[m.workload]]
        for j, arrivals in arriving.items():
            held[j].update(arrivals)
        waves.append(tuple(taken))
        left = rest
    why = []
    for m, j, i, form in left:
        kind, detail = _blocker(problem, j, items(j, {i: form})) or ("rules", "")
        why.append(f"{m.target} would break {kind} ({detail})")
    return Schedule(tuple(waves), tuple(m for m, *_ in left), tuple(why), tuple(new))
