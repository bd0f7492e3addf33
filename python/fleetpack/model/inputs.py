"""The one entry for a problem's inputs: rows (objects or dicts) or columns (tables) become a validated problem, and
`ProblemLike` is the contract that both kinds of problem keep (`Problem`, `ColumnarProblem`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from operator import attrgetter
from typing import Any, Callable, Protocol, runtime_checkable

import numpy as np

from ..errors import ErrorDetail, ValidationError
from .columnar import build_columnar_problem, is_columnar
from .eligibility import EligibilityPart
from .group_rules import RulePart, build_rules, read_rules
from .entries import CheckedEntries
from .live import LivePart, build_live, host_rows
from .objects import Host, Overheads, Workload, as_host, as_workload, gather_overheads
from .problem import Problem
from .wire import CURRENT_FORM_CODES

__all__ = ["ProblemLike", "build_problem", "convert_items", "FirstSeen"]

_ID, _EXTRA = attrgetter("id"), attrgetter("extra_units")


@runtime_checkable
class ProblemLike(Protocol):
    """What solvers and plans read of a validated problem. The columns (ids, sizes, the core's arrays) cost nothing
    on either kind; ``workloads``, ``hosts``, ``demand``, ``capacity`` and ``fixed`` read objects, which a
    `ColumnarProblem` makes once, when first asked (`materialize`)."""

    dimensions: tuple[str, ...]
    overheads: Overheads
    live: LivePart | None

    @property
    def rules(self) -> RulePart | None: ...

    @property
    def eligibility(self) -> EligibilityPart | None: ...

    @property
    def workload_ids(self) -> Sequence[str]: ...

    @property
    def host_ids(self) -> Sequence[str]: ...

    @property
    def host_costs(self) -> np.ndarray: ...

    @property
    def capacities(self) -> np.ndarray: ...

    @property
    def demands(self) -> np.ndarray: ...

    @property
    def workloads(self) -> tuple[Workload, ...]: ...

    @property
    def hosts(self) -> tuple[Host, ...]: ...

    def encode(self) -> dict[str, Any]: ...

    def materialize(self) -> Problem: ...

    def demand(self, w: Workload) -> list[int]: ...

    def capacity(self, h: Host) -> list[int]: ...

    def fixed(self, name: str) -> list[int]: ...


class FirstSeen:
    """The one duplicate-id check: where each id was first seen (plans name workloads and hosts by id, so two with
    one id would make a plan ambiguous). Each reader words the error its own way (index, line, ...)."""

    def __init__(self) -> None:
        self._first: dict[str, Any] = {}

    def earlier(self, ident: str, where: Any) -> Any:
        """Where ``ident`` was first seen, or None when this is its first time (then ``where`` is recorded)."""
        if ident in self._first:
            return self._first[ident]
        self._first[ident] = where
        return None


def convert_items(values, kind: str, convert: Callable,
                  duplicate: Callable[[Any, int], ErrorDetail] | None = None) -> tuple[list, list[ErrorDetail]]:
    """Convert every entry with ``convert(value, index)``, collecting the errors of all of them, and check that the
    ids are unique: ``duplicate(item, index of the first with its id)`` words the error (by default it names
    that index)."""
    entries = values if isinstance(values, (list, tuple)) else list(values)
    target = {"workload": Workload, "host": Host}.get(kind)
    # the common case in one sweep: objects already made (`convert` returns them as they are), ids unique
    if target is not None and set(map(type, entries)) <= {target}:
        if len(set(map(_ID, entries))) == len(entries):
            return list(entries), []
    items, problems = [], []
    seen = FirstSeen()
    for index, value in enumerate(entries):
        try:
            item = convert(value, index)
        except ValidationError as exc:
            problems.extend(exc.errors)
            continue
        items.append(item)
        earlier = seen.earlier(item.id, index)
        if earlier is not None:
            problems.append(ErrorDetail(f"{kind} {item.id!r}", "id", f"duplicate id (also {kind} #{earlier})")
                            if duplicate is None else duplicate(item, earlier))
    return items, problems
def _items(values, kind: str, convert) -> tuple[list, list[ErrorDetail]]:
    if values is None:
        return [], []
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        return [], [ErrorDetail(f"{kind}s", "(argument)", f"expected a sequence of {kind}s, got {type(values).__name__}")]
    return convert_items(values, kind, convert)


def build_problem(workloads: Sequence, hosts: Sequence, overheads=None, *, drain=(), max_moves=None,
                  max_move_cost=None, rules=None) -> ProblemLike:
    """Validate and normalise the inputs of a call, the live part's keywords (``drain``, ``max_moves``,
    ``max_move_cost``) and the group ``rules`` with them; raise one `ValidationError` listing every problem. Tables
    (pandas DataFrames, dicts of arrays) take the columnar path (`fleetpack.model.columnar`)."""
    if is_columnar(workloads) or is_columnar(hosts):
        return build_columnar_problem(workloads, hosts, overheads, drain=drain, max_moves=max_moves,
                                      max_move_cost=max_move_cost, rules=rules)
    if isinstance(workloads, CheckedEntries) and isinstance(hosts, CheckedEntries):  # a fleet file's, as columns
        return build_columnar_problem(workloads.table, hosts.table, overheads,
                                      objects=lambda: (workloads.objects, hosts.objects), drain=drain,
                                      max_moves=max_moves, max_move_cost=max_move_cost, rules=rules)
    w_items, problems = _items(workloads, "workload", as_workload)
    h_items, h_problems = _items(hosts, "host", as_host)
    problems.extend(h_problems)
    over = gather_overheads(overheads, problems)
    current = [w.current for w in w_items]
    live = build_live(
        host_rows(current, [h.id for h in h_items]) if any(c is not None for c in current) else None,
        current.__getitem__,
        np.array([CURRENT_FORM_CODES.get(w.current_form, -1) for w in w_items], dtype=np.int8),
        np.array([w.pinned for w in w_items], dtype=bool),
        np.array([w.move_cost_units for w in w_items], dtype=np.uint64),
        lambda row: f"workload {w_items[row].id!r}", [h.id for h in h_items], drain, max_moves, max_move_cost,
        problems)
    rule_part = build_rules(read_rules(rules, problems), [w.groups for w in w_items],
                            [w.anti_affinity for w in w_items], [h.labels for h in h_items], problems)
    if problems:
        raise ValidationError(problems)
    extra = sorted(set().union(*map(_EXTRA, w_items), *map(_EXTRA, h_items)))
    return Problem(tuple(w_items), tuple(h_items), over, ("cpu", "memory", *extra), live, rule_part)
