"""The column generation's bound for a purchase kept early (``plan_capacity``: the class LP's purchase within 2% of
the cover or the class LP, no other placement tried): those bounds see neither whole hosts' loads nor which items
never share a host, the column generation's LP does. Run in its share of the time when the purchase is more than
``TIGHTEN`` above the bound and at least twice that share is left; kept when higher."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np

from .bounds import purchase_bound
from .budget import column_seconds, left
from .colgen import wall_deadline

if TYPE_CHECKING:
    from .bounds import Patterns

__all__ = ["CLASS_CLOSE", "CLOSE_SIZE", "TIGHTEN", "close", "keep", "tighten", "exact_sizes", "seeds"]

#: A purchase this close to the bound is kept without trying the placements of sets of types, on fleets of more
#: than `CLOSE_SIZE` workloads (on smaller ones they are cheap and often close the last percent: one-dimensional
#: purchases reach the optimum there).
CLASS_CLOSE = 0.02
CLOSE_SIZE = 2_000
#: A purchase kept this close to the bound is not bounded again.
TIGHTEN = 0.01


def close(ws, outcome, bound: float, options: dict) -> bool:
    """Whether the purchase (the planner's ``_Outcome``) is kept early: it places every workload, no spare room is
    asked for (the placements' purchases improve with their spare hosts paid for), and `CLASS_CLOSE` holds."""
    return (not options["spare"] and not outcome.plan.unplaced and len(ws) > CLOSE_SIZE
            and outcome.key[1] <= bound * (1 + CLASS_CLOSE))


def keep(ws, ex, over, types, takes: np.ndarray, best, how: str, options: dict, dims: Sequence[str], rules: dict,
         notes: list[str]):
    """``best`` (chosen types, outcome) kept early, said in ``notes``, its bound tightened."""
    notes.append(f"bought {how}: within {CLASS_CLOSE:.0%} of the bound, so no other placement was tried")
    tighten(ws, ex, over, types, takes, best[1], options, dims, rules)
    return best


def tighten(ws, ex, over, types, takes: np.ndarray, outcome, options: dict, dims: Sequence[str],
            rules: dict) -> None:
    """Raise ``options["bound"]`` (what the final bound reuses) to the column generation's when higher; the
    purchase kept (``outcome``: the planner's ``_Outcome``) seeds its LP over the exact sizes. Not again when
    that LP ran already (`exact_sizes`)."""
    bound, cost = options["bound"], outcome.key[1]
    if cost <= bound.value * (1 + TIGHTEN) or options.get("exact_sizes"):
        return
    if options["deadline"] is not None and left(options) < 2 * column_seconds(options):
        return
    exact_sizes(ws, ex, over, types, takes, outcome, options, dims, rules)


def exact_sizes(ws, ex, over, types, takes: np.ndarray, outcome, options: dict, dims: Sequence[str], rules: dict,
                reserve: float = 0.0) -> "Patterns | None":
    """The column generation's LP over the exact sizes, its first columns the hosts of ``outcome`` (the planner's
    ``_Outcome``: a near-optimal purchase, from whose loads it converges in tens of rounds), stopping ``reserve``
    seconds before the deadline; ``options["bound"]`` raised to its bound when higher. Its patterns, or None when
    it fell back on coarse classes (more than ``bounds._MAX_FINE`` sizes, or more than two dimensions bind)."""
    options["exact_sizes"] = True
    deadline = options["deadline"]
    with wall_deadline(None if deadline is None else deadline - reserve):
        columns = purchase_bound(ws, takes.any(axis=0), takes, types, ex, over, dims, options["objective"],
                                 options["existing_cost"], column_seconds=column_seconds(options), **rules,
                                 seeds=seeds(outcome.plan, outcome.kinds, len(ex), types))
    if columns.value > options["bound"].value:
        options["bound"] = columns
    patterns = columns.patterns
    return None if patterns is None or patterns.coarse else patterns


def seeds(plan, kinds: Sequence[str], n_existing: int, types) -> list[tuple[int, list[int]]]:
    """The bought hosts of a plan over the pool, each (type index, the workloads on it); ``kinds``: the type of
    each host row after the existing ones."""
    index = np.asarray(plan.host_index)
    of_type = {t.name: k for k, t in enumerate(types)}
    held: dict[int, list[int]] = {}
    for w, j in enumerate(index.tolist()):
        if j >= n_existing:
            held.setdefault(j, []).append(w)
    return [(of_type[kinds[j - n_existing]], rows) for j, rows in sorted(held.items())
            if kinds[j - n_existing] in of_type]
