"""The exceptions fleetpack raises.

Every error found in the input is collected before raising, so one call reports all of them (nothing is lost), and
each one names the workload or host and the field it concerns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

__all__ = ["FleetpackError", "FleetpackWarning", "ErrorDetail", "ValidationError", "InfeasibleError"]

_MAX_LISTED = 20


class FleetpackError(Exception):
    """Base class of fleetpack's own exceptions."""


class FleetpackWarning(UserWarning):
    """Valid input that is likely a mistake (``memory: "512m"`` is half a byte, not 512 MiB): the call goes on,
    and says so. Turn these into errors with ``warnings.simplefilter("error", fleetpack.FleetpackWarning)``."""


@dataclass(frozen=True)
class ErrorDetail:
    """One problem in the input: where it is (``"workload 'web-1'"``), which field, and what is wrong."""

    where: str
    field: str
    message: str
    value: Any = None

    def __str__(self) -> str:
        return f"{self.where}: {self.field}: {self.message}"


class ValidationError(FleetpackError, ValueError):
    """Bad input. ``errors`` lists every problem found, each naming the workload or host and the field."""

    def __init__(self, errors: Iterable[ErrorDetail]):
        self.errors: tuple[ErrorDetail, ...] = tuple(errors)
        lines = [str(e) for e in self.errors[:_MAX_LISTED]]
        if len(self.errors) > _MAX_LISTED:
            lines.append(f"... and {len(self.errors) - _MAX_LISTED} more")
        count = len(self.errors)
        head = f"{count} invalid input{'s' if count != 1 else ''}"
        super().__init__(head + ":\n  " + "\n  ".join(lines) if count > 1 else (lines[0] if lines else head))

    def __reduce__(self):
        # rebuilt from its errors, so that it crosses process boundaries whole (the default would pass the message)
        return type(self), (self.errors,)

    @classmethod
    def single(cls, where: str, field: str, message: str, value: Any = None) -> "ValidationError":
        return cls([ErrorDetail(where, field, message, value)])


class InfeasibleError(FleetpackError):
    """Raised by ``place(..., strict=True)`` when some workloads could not be placed. ``plan`` is the partial plan
    (it pickles with the error; None only for an error made without one).

    In a live fleet it is raised, strict or not, when no plan within the budget exists (`InfeasibleError.live`):
    ``plan`` is None, ``conflicts`` lists (workload, its current host, the rule its place breaks) and ``needed``
    the smallest budgets that would repair them (``{"max_moves": 3}``; empty for a pinned workload that does not
    fit, which no budget repairs)."""

    conflicts: tuple[tuple[str, str, str], ...] = ()
    needed: dict[str, int] = {}

    @classmethod
    def live(cls, message: str, conflicts, needed: dict[str, int]) -> "InfeasibleError":
        return _infeasible_error(message, {}, None, conflicts, needed)

    def __init__(self, plan):
        self.plan = plan
        self.unplaced = dict(plan.unplaced)
        listed = [f"{wid}: {u.message}" for wid, u in list(self.unplaced.items())[:_MAX_LISTED]]
        more = len(self.unplaced) - len(listed)
        if more > 0:
            listed.append(f"... and {more} more")
        super().__init__(f"{len(self.unplaced)} workload(s) could not be placed:\n  " + "\n  ".join(listed))

    def __reduce__(self):
        # across processes it carries its message, the unplaced workloads' reasons (not worked out again), the
        # plan (plans pickle small: fleetpack.plan.plan) and a live fleet's conflicts
        return _infeasible_error, (str(self), self.unplaced, self.plan, self.conflicts, self.needed)


def _infeasible_error(message: str, unplaced: dict, plan=None, conflicts=(), needed=None) -> InfeasibleError:
    error = InfeasibleError.__new__(InfeasibleError)
    Exception.__init__(error, message)
    error.plan, error.unplaced = plan, unplaced
    error.conflicts, error.needed = tuple(conflicts), dict(needed or {})
    return error
