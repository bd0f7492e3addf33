"""The solving options, written once: the methods, objectives and sort keys (as `Literal` types and as tuples) and
the checks of every parameter of a solve. `fleetpack.place`, `place_many`, the baseline, the CLI and the bench
harness all read them here."""

from __future__ import annotations

import math
import numbers
from typing import Any, Literal, get_args

from ..errors import ErrorDetail, ValidationError

__all__ = ["Method", "Objective", "SortKey", "METHODS", "OBJECTIVES", "SORT_KEYS", "CORE_METHODS", "check_choice",
           "check_parameters"]

Method = Literal["auto", "ff", "ffd", "bfd", "wfd", "exact"]
Objective = Literal["hosts", "cost", "spread"]
SortKey = Literal["sum", "max", "l2", "prod"]
METHODS: tuple[Method, ...] = get_args(Method)
OBJECTIVES: tuple[Objective, ...] = get_args(Objective)
SORT_KEYS: tuple[SortKey, ...] = get_args(SortKey)
#: The methods the core runs alone (``"exact"`` goes on to CP-SAT in Python).
CORE_METHODS: tuple[Method, ...] = ("ff", "ffd", "bfd", "wfd", "auto")


def check_choice(name: str, value: Any, allowed: tuple[str, ...]) -> None:
    """Raise a `ValidationError` naming the parameter unless ``value`` is one of ``allowed``."""
    if not isinstance(value, str) or value not in allowed:
        raise ValidationError.single(
            "place()", name, f"must be one of {', '.join(map(repr, allowed))}, got {value!r}", value
        )


def check_parameters(objective: Any, method: Any, sort_key: Any, time_limit: Any, seed: Any, workers: Any = None,
                     strict: Any = False) -> list[ErrorDetail]:
    """The problems of the parameters, all of them (the caller reports them with those of the inputs)."""
    problems: list[ErrorDetail] = []
    if not isinstance(strict, bool):
        problems.append(ErrorDetail("place()", "strict", f"must be True or False, got {strict!r}", strict))
    for name, value, allowed in (("objective", objective, OBJECTIVES), ("method", method, METHODS),
                                 ("sort_key", sort_key, SORT_KEYS)):
        try:
            check_choice(name, value, allowed)
        except ValidationError as exc:
            problems.extend(exc.errors)
    if time_limit is not None:
        # (compared, not converted: an int too large for a float is an error, not an OverflowError)
        if isinstance(time_limit, bool) or not isinstance(time_limit, numbers.Real) or not 0 < time_limit < math.inf:
            problems.append(ErrorDetail("place()", "time_limit", f"must be a positive number of seconds or None, "
                                                                f"got {time_limit!r}", time_limit))
        elif time_limit > 1e9:  # (the core keeps durations in 64 bits)
            problems.append(ErrorDetail("place()", "time_limit", f"must be at most 1e9 seconds, got {time_limit!r}",
                                        time_limit))
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= seed < 2**63:
        problems.append(ErrorDetail("place()", "seed", f"must be a non-negative integer, got {seed!r}", seed))
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, numbers.Integral)
                                or not 1 <= workers <= 1024):
        problems.append(ErrorDetail("place()", "workers", f"must be a positive integer or None (all cores), "
                                                          f"got {workers!r}", workers))
    return problems
