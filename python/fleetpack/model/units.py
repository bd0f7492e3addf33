"""Quantities: Kubernetes-style strings and plain numbers, turned into exact integers.

Inside fleetpack every size is an integer: CPU in millicores, memory in bytes, any extra dimension in whole units.
Parsing is exact (``fractions.Fraction``); demands are then rounded up and capacities down, so rounding can never
overcommit a host.
"""

from __future__ import annotations

import functools
import math
import numbers
import re
from fractions import Fraction

__all__ = [
    "MAX_QUANTITY",
    "QuantityError",
    "parse_quantity",
    "to_units",
    "quick_units",
    "format_cpu",
    "format_memory",
    "format_amount",
]

# Upper bound of any integer size: every size converts to a float exactly, and a VM CPU factor of up to 1000 still
# fits in 64 bits. 2**53 bytes is 8 PiB; 2**53 millicores, nine trillion cores.
MAX_QUANTITY = 2**53

_SUFFIXES = {
    "": Fraction(1),
    "n": Fraction(1, 10**9),
    "u": Fraction(1, 10**6),
    "m": Fraction(1, 1000),
    "k": Fraction(10**3),
    "M": Fraction(10**6),
    "G": Fraction(10**9),
    "T": Fraction(10**12),
    "P": Fraction(10**15),
    "E": Fraction(10**18),
    "Ki": Fraction(2**10),
    "Mi": Fraction(2**20),
    "Gi": Fraction(2**30),
    "Ti": Fraction(2**40),
    "Pi": Fraction(2**50),
    "Ei": Fraction(2**60),
}
_QUANTITY = re.compile(
    r"^(?P<num>[+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:[eE](?P<exp>[+-]?\d+))?(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]?)$"
)


class QuantityError(ValueError):
    """A value that is not a valid quantity; the message says why (the caller adds where)."""


def parse_quantity(value) -> Fraction:
    """Parse a number or a Kubernetes quantity string (``"500m"``, ``"16Gi"``, ``"1G"``, ``"1e3"``) exactly.

    Floats are read by their shortest decimal form, so ``0.1`` means exactly one tenth. Booleans, NaN, infinities and
    negative values are refused.
    """
    if isinstance(value, bool):
        raise QuantityError(f"expected a number or a quantity string, got {value!r}")
    if isinstance(value, numbers.Integral):
        result = Fraction(int(value))
    elif isinstance(value, numbers.Real):
        as_float = float(value)
        if math.isnan(as_float):
            raise QuantityError("is NaN")
        if math.isinf(as_float):
            raise QuantityError("is infinite")
        result = Fraction(repr(as_float))
    elif isinstance(value, str):
        result = _parse_text(value)
    else:
        raise QuantityError(f"expected a number or a quantity string, got {type(value).__name__}")
    if result < 0:
        raise QuantityError(f"is negative ({value!r})")
    return result


@functools.lru_cache(maxsize=4096)  # (files repeat a few texts: "500m", "1Gi"; a Fraction never changes)
def _parse_text(value: str) -> Fraction:
    match = _QUANTITY.match(value.strip())
    if match is None:
        raise QuantityError(f"{value!r} is not a quantity (examples: 2, '500m', '512Mi', '16Gi', '1G', '10Ki')")
    result = Fraction(match["num"]) * _SUFFIXES[match["suffix"]]
    if match["exp"] is not None:
        exponent = int(match["exp"])
        if abs(exponent) > 40:
            raise QuantityError(f"{value!r} has an exponent out of range")
        result *= Fraction(10) ** exponent
    return result


def to_units(value, scale: int, *, round_up: bool) -> int:
    """``value`` (see `parse_quantity`) times ``scale``, rounded up (demands) or down (capacities)."""
    exact = parse_quantity(value) * scale
    units = math.ceil(exact) if round_up else math.floor(exact)
    if units > MAX_QUANTITY:
        raise QuantityError(f"is too large ({value!r}; at most {MAX_QUANTITY} units)")
    return units


# The forms most files use, read with integer arithmetic: a plain decimal (no sign, exponent or space) with a
# suffix, whose factor is numerator / denominator.
_COMMON = re.compile(r"(\d+)(?:\.(\d+))?(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]?)")
_FACTORS = {suffix: (f.numerator, f.denominator) for suffix, f in _SUFFIXES.items()}


def quick_units(value, scale: int, *, round_up: bool) -> int | None:
    """`to_units` of the common forms (ints, whole floats, ``"1.5Gi"``, ``"500m"``, ``"2"``) without `Fraction`;
    None for any other value, which `to_units` then reads exactly (and refuses when it is no quantity)."""
    kind = type(value)
    if kind is int:
        units = value * scale
    elif kind is float:
        if not value.is_integer() or value < 0:
            return None
        units = int(value) * scale
    elif kind is str:
        match = _COMMON.fullmatch(value) if len(value) <= 40 else None
        if match is None:
            return None
        whole, fraction, suffix = match.groups()
        numerator, denominator = _FACTORS[suffix]
        if fraction:
            numerator *= int(whole + fraction)
            denominator *= 10 ** len(fraction)
        else:
            numerator *= int(whole)
        numerator *= scale
        units = -(-numerator // denominator) if round_up else numerator // denominator
    else:
        return None
    return units if 0 <= units <= MAX_QUANTITY else None


def format_cpu(millicores: int) -> str:
    """Millicores as people write them: ``"2"`` for whole cores, ``"1.5"`` or ``"99.1"`` for more than one core,
    ``"500m"`` below one; exact, so that the text parses back to the same millicores."""
    if millicores % 1000 == 0:
        return str(millicores // 1000)
    if millicores < 1000:
        return f"{millicores}m"
    whole, rest = divmod(millicores, 1000)
    return f"{whole}.{rest:03d}".rstrip("0")


def format_memory(num_bytes: int) -> str:
    """Bytes with the largest binary suffix that keeps at most one decimal (``"16Gi"``, ``"1.5Gi"``, ``"300"``)."""
    for suffix, size in (("Ei", 2**60), ("Pi", 2**50), ("Ti", 2**40), ("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10)):
        if num_bytes >= size:
            whole, rest = divmod(num_bytes, size)
            if rest == 0:
                return f"{whole}{suffix}"
            if num_bytes * 10 % size == 0:
                return f"{num_bytes / size:.1f}{suffix}"
            if num_bytes >= 10 * size:
                return f"{num_bytes / size:.2f}{suffix}"
    return str(num_bytes)


def format_amount(dimension: str, units: int) -> str:
    """A size in a dimension, formatted for messages."""
    if dimension == "cpu":
        return format_cpu(units)
    if dimension == "memory":
        return format_memory(units)
    return str(units)
