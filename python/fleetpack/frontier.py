"""``replan_frontier()``: a live fleet re-planned under a series of move budgets, "what each extra migration buys".

One plan per budget, solved together by `fleetpack.place_many`; the table (budget, moves, move cost, hosts used,
cost, lower bound, placed) and a plot of hosts used against the budget (issue 15)."""

from __future__ import annotations

import math
import numbers
import os
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .api import HostsInput, WorkloadsInput, place_many
from .errors import ErrorDetail, FleetpackWarning, ValidationError
from .model.inputs import build_problem, is_columnar
from .model.likely_mistakes import check_problem, collecting
from .model.objects import Overheads
from .plan.moves import keep_current
from .plan.plan import Plan
from .solve.options import Objective, check_parameters

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["replan_frontier", "Frontier", "COLUMNS"]

_WHERE = "replan_frontier()"
COLUMNS = ("budget", "feasible", "moves", "move_cost", "hosts_used", "cost", "lower_bound", "placed")


@dataclass(frozen=True)
class Frontier:
    """The plans of `replan_frontier`, one per budget (``None`` in ``budgets``: unlimited). ``plans[k]`` is None
    where the moves forced by the current placement (workloads that cannot stay where they run) exceed
    ``budgets[k]``; ``forced_moves`` is their number."""

    budgets: tuple[int | None, ...]
    plans: tuple[Plan | None, ...]
    forced_moves: int

    def rows(self) -> list[dict[str, Any]]:
        """One dict per budget with the keys of `COLUMNS`; an infeasible budget has ``feasible`` False and NaN
        values."""
        rows = []
        for budget, plan in zip(self.budgets, self.plans):
            if plan is None:
                rows.append({"budget": budget, "feasible": False,
                             **{key: math.nan for key in COLUMNS[2:]}})
            else:
                rows.append({"budget": budget, "feasible": True, "moves": plan.move_count,
                             "move_cost": plan.move_cost, "hosts_used": plan.hosts_used, "cost": plan.cost,
                             "lower_bound": plan.lower_bound, "placed": plan.placed})
        return rows

    def to_pandas(self) -> pd.DataFrame:
        """The table as a DataFrame, one row per budget (columns: `COLUMNS`; ``budget`` None is unlimited)."""
        import pandas as pd

        return pd.DataFrame(self.rows(), columns=list(COLUMNS))

    def plot(self, path: str | os.PathLike | None = None, *, title: str | None = None, dpi: int = 110):
        """Draw hosts used (and the lower bound) against the budget and return the matplotlib ``Figure``; with
        ``path``, also save it there. Unlimited is drawn past the largest budget; infeasible budgets are left out.
        Needs matplotlib (``pip install 'fleetpack[plot]'``)."""
        try:
            from matplotlib.figure import Figure
        except ImportError:
            raise ImportError("Frontier.plot() needs matplotlib: pip install 'fleetpack[plot]' (or pip install "
                              "matplotlib)") from None
        finite = [b for b in self.budgets if b is not None]
        unlimited_at = (max(finite) * 1.25 + 1) if finite else 0
        points = [(unlimited_at if b is None else b, p) for b, p in zip(self.budgets, self.plans) if p is not None]
        fig = Figure(figsize=(6.4, 4.0))
        ax = fig.add_subplot()
        xs = [x for x, _ in points]
        ax.step(xs, [p.hosts_used for _, p in points], where="post", marker="o", color="#3b6fb6",
                label="hosts used")
        ax.plot(xs, [p.lower_bound for _, p in points], linestyle="--", color="#222222", linewidth=1.1,
                label="lower bound")
        ax.set_xticks(xs, ["unlimited" if b is None else str(b) for b, p in zip(self.budgets, self.plans)
                           if p is not None])
        ax.set_xlabel("move budget (max_moves)")
        ax.set_ylabel("hosts used")
        ax.set_title(title or "What each extra migration buys")
        ax.legend()
        if path is not None:
            fig.savefig(os.fspath(path), dpi=dpi)
        return fig


def replan_frontier(workloads: WorkloadsInput, hosts: HostsInput,
                    budgets: Sequence[int | None] = (0, 5, 10, 20, 50), *, objective: Objective = "hosts",
                    overheads: Overheads | dict[str, Any] | None = None, max_move_cost: int | None = None,
                    drain: Iterable[str] = (), time_limit: float | None = None, seed: int = 0,
                    workers: int | None = None, rules: Sequence[Any] | None = None,
                    allocation_ratio: Mapping[str, float] | None = None,
                    max_utilization: Mapping[str, float] | None = None) -> Frontier:
    """Re-plan a live fleet under each move budget in ``budgets`` (``max_moves``; increasing whole numbers >= 0,
    ``None`` last for unlimited) with ``method="auto"``; returns a `Frontier` (``.plans``, ``.to_pandas()``,
    ``.plot()``). The other keywords are `fleetpack.place`'s. The inputs are checked once (errors name the
    workloads, hosts and this call's arguments); the budgets are then solved together by `fleetpack.place_many`.

    The frontier is monotone: a plan within a smaller budget is within a larger one, so each budget's plan is the
    best (most placed, then the objective, the soft rules' penalty, the least move cost) of its own solve and the
    smaller budgets' plans; a budget may therefore share its plan with a smaller one. A budget below the moves the current placement
    forces (workloads that no longer fit where they run) is not raised: its plan is None and its row says
    ``feasible`` False, with NaN values. A pinned workload that does not fit, or forced moves beyond
    ``max_move_cost``, raise `InfeasibleError` as `place` does (no budget helps).
    """
    if isinstance(budgets, Iterable) and not isinstance(budgets, (str, bytes, Mapping)):
        budgets = list(budgets)  # (a generator is read once)
    errors = check_parameters(objective, "auto", "sum", time_limit, seed, workers)
    errors.extend(_check_budgets(budgets))
    rows_w, rows_h = _reusable(workloads), _reusable(hosts)  # (Any: read once, then passed on per budget)
    problem = None
    with collecting():
        try:
            problem = build_problem(rows_w, rows_h, overheads, drain=drain, max_move_cost=max_move_cost, rules=rules,
                                    allocation_ratio=allocation_ratio, max_utilization=max_utilization)
        except ValidationError as exc:
            errors.extend(exc.errors)
        if errors:  # (the shared checks name place(); here they are this call's arguments)
            raise ValidationError([ErrorDetail(_WHERE if e.where == "place()" else e.where, e.field, e.message,
                                               e.value) for e in errors])
        check_problem(problem)
    assert problem is not None
    budgets = tuple(None if b is None else int(b) for b in budgets)
    kept = keep_current(problem.materialize()) if problem.live is not None else None
    forced = len(kept.forced) if kept is not None else 0
    # A pin conflict fails every budget: solve them all so that place_many raises its error.
    solved = [k for k, b in enumerate(budgets) if b is None or b >= forced or (kept and kept.pin_conflicts)]
    with warnings.catch_warnings():  # likely mistakes were warned above, once: not again per budget
        warnings.simplefilter("ignore", FleetpackWarning)
        found = place_many([{"workloads": rows_w, "hosts": rows_h, "max_moves": budgets[k]} for k in solved],
                           objective=objective, overheads=overheads, time_limit=time_limit, seed=seed,
                           workers=workers, max_move_cost=max_move_cost, drain=drain,
                           rules=rules, allocation_ratio=allocation_ratio,
                           max_utilization=max_utilization) if solved else []
    plans: list[Plan | None] = [None] * len(budgets)
    for k, solved_plan in zip(solved, found):
        plans[k] = solved_plan
    best: Plan | None = None
    for k, own in enumerate(plans):  # monotone: the best plan of this budget or a smaller one
        if own is not None and (best is None or _rank(own) < _rank(best)):
            best = own
        plans[k] = best if own is not None else None
    return Frontier(budgets, tuple(plans), forced)


def _rank(plan: Plan) -> tuple[int, float, int, int]:
    # place's order: most placed, the objective, the soft rules' penalty (0 without rules), the move cost
    return (-plan.placed, plan.objective_value, plan.penalty, plan.move_cost)


def _check_budgets(budgets: Any) -> list[ErrorDetail]:
    def bad(message: str) -> list[ErrorDetail]:
        return [ErrorDetail(_WHERE, "budgets", message, budgets)]

    if isinstance(budgets, (str, bytes, Mapping)) or not isinstance(budgets, Iterable):
        return bad(f"expected a sequence of move budgets, got {type(budgets).__name__}")
    items = list(budgets)
    if not items:
        return bad("give at least one move budget")
    for b in items:
        if b is not None and (isinstance(b, bool) or not isinstance(b, numbers.Integral) or b < 0):
            return bad(f"each budget is a whole number >= 0 or None (unlimited), got {b!r}")
    finite = [int(b) for b in items if b is not None]
    if items.count(None) > 1 or (None in items and items[-1] is not None):
        return bad("None (unlimited) comes once, last")
    if any(a >= b for a, b in zip(finite, finite[1:])):
        return bad(f"budgets must increase, got {items!r}")
    return []


def _reusable(side: Any) -> Any:
    """An iterator (a generator of workloads) read once into a list: the inputs are read once per budget."""
    if is_columnar(side) or isinstance(side, (Sequence, Mapping)) or not isinstance(side, Iterable):
        return side
    return list(side)
