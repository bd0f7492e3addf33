"""Arrays that pickle small: a column of one value is held as a read-only broadcast (no memory), and numpy would
pickle it as a full copy; `compact` wraps such a column so that it pickles as its value and length, and is a
broadcast again when loaded. A column of whole numbers that needs fewer bytes than its type's (sizes in millicores,
bytes in multiples of a MiB) pickles narrowed: shifted by the trailing zero bits all its values share, in the
smallest unsigned type that holds the rest, and is widened back to the same values and type when loaded. Used by
the problems' pickles and by the scale-out path's payloads (docs/performance.md: 161 kB a scenario of 10,000
workloads before, 30 kB after)."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["constant", "compact", "compact_arrays"]

#: Columns shorter than this pickle as they are: narrowing them saves less than it costs.
_NARROW_FROM = 64


def constant(value, dtype, length: int) -> np.ndarray:
    """A read-only column of one value, in no memory (a broadcast)."""
    return np.broadcast_to(np.array(value, dtype=dtype), (length,))


class _Constant:
    """A broadcast column on its way into a pickle: loading it makes the broadcast again (see `compact`)."""

    __slots__ = ("array",)

    def __init__(self, array: np.ndarray):
        self.array = array

    def __reduce__(self):
        return constant, (self.array[0].item(), self.array.dtype.str, len(self.array))


def widen(narrow: np.ndarray, shift: int, dtype: str, base: int = 0) -> np.ndarray:
    """A narrowed column back as it was (see `compact`)."""
    out = narrow.astype(dtype)
    if shift:
        out <<= np.array(shift, dtype=dtype)
    if base:
        out += np.array(base, dtype=dtype)
    return out


class _Narrow:
    """A column of whole numbers on its way into a pickle, narrowed (see `compact`)."""

    __slots__ = ("narrow", "shift", "dtype", "base")

    def __init__(self, narrow: np.ndarray, shift: int, dtype: str, base: int):
        self.narrow, self.shift, self.dtype, self.base = narrow, shift, dtype, base

    def __reduce__(self):
        return widen, (self.narrow, self.shift, self.dtype, self.base)


def _narrowed(value: np.ndarray) -> _Narrow | None:
    """``value`` narrowed when that saves bytes: less its least value when that is negative (-1 for an unplaced
    workload's host), shifted by the zero bits all its values end with, in the smallest unsigned type that holds
    them."""
    if value.dtype.kind not in "ui" or value.dtype.itemsize < 4 or len(value) < _NARROW_FROM:
        return None
    base = min(int(value.min()), 0) if value.dtype.kind == "i" else 0
    if base < -(2**31) or (base and int(value.max()) > np.iinfo(value.dtype).max + base):  # (value - base overflows)
        return None
    rest = value - np.array(base, dtype=value.dtype) if base else value
    bits = int(np.bitwise_or.reduce(rest))
    shift = (bits & -bits).bit_length() - 1 if bits else 0
    top = bits >> shift
    small = next((t for t in (np.uint8, np.uint16, np.uint32) if top <= np.iinfo(t).max), None)
    if small is None or np.dtype(small).itemsize >= value.dtype.itemsize:
        return None
    shifted = rest >> np.array(shift, dtype=value.dtype) if shift else rest
    return _Narrow(shifted.astype(small), shift, value.dtype.str, base)


def compact(value: Any) -> Any:
    """``value`` itself, unless it is a 1-D column of one value held as a broadcast (stride 0): then a stand-in that
    pickles as that value and the length; or a 1-D column of whole numbers that fits fewer bytes: then a stand-in
    that pickles narrowed and loads as the same values and type. Tuples of columns are looked into."""
    if isinstance(value, tuple):
        return tuple(map(compact, value))
    if isinstance(value, np.ndarray) and value.ndim == 1 and len(value) > 1:
        if value.strides == (0,):
            return _Constant(value)
        narrow = _narrowed(value)
        if narrow is not None:
            return narrow
    return value


def compact_arrays(arrays: dict[str, Any]) -> dict[str, Any]:
    """A problem's arrays (`fleetpack.model.wire`), each `compact`."""
    return {name: compact(value) for name, value in arrays.items()}
