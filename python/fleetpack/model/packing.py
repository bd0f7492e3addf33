"""Arrays that pickle small: a column of one value is held as a read-only broadcast (no memory), and numpy would
pickle it as a full copy; `compact` wraps such a column so that it pickles as its value and length, and is a
broadcast again when loaded. Used by the problems' pickles and by the scale-out path's payloads."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["constant", "compact", "compact_arrays"]


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


def compact(value: Any) -> Any:
    """``value`` itself, unless it is a 1-D column of one value held as a broadcast (stride 0): then a stand-in that
    pickles as that value and the length. Tuples of columns are looked into."""
    if isinstance(value, tuple):
        return tuple(map(compact, value))
    if isinstance(value, np.ndarray) and value.ndim == 1 and len(value) > 1 and value.strides == (0,):
        return _Constant(value)
    return value


def compact_arrays(arrays: dict[str, Any]) -> dict[str, Any]:
    """A problem's arrays (`fleetpack.model.wire`), each `compact`."""
    return {name: compact(value) for name, value in arrays.items()}
