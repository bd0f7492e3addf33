# The Rust extension (rust/python/src/lib.rs). What it takes and returns is the wire format of
# fleetpack/model/wire.py: `encode_rows` (or a columnar problem) makes the arrays, `Answer.from_core` reads the
# answer; tests/model/test_wire.py checks this file against both.
from typing import Any, TypedDict

import numpy as np
import numpy.typing as npt

__version__: str

class CoreAnswer(TypedDict):
    host_index: npt.NDArray[np.int64]
    form_codes: npt.NDArray[np.uint8]
    used: npt.NDArray[np.uint64]
    strategy: str
    objective_value: float
    lower_bound: float
    hosts_used: int
    cost: float
    elapsed: float

def place(
    arrays: dict[str, Any],
    method: str,
    sort_key: str,
    objective: str,
    time_limit: float | None = None,
    seed: int = 0,
    search_work: float | None = None,
) -> CoreAnswer: ...
def place_many(
    jobs: list[tuple[dict[str, Any], str, str, str, float | None, int, float | None]], workers: int
) -> list[CoreAnswer]: ...
def _panic_for_tests(message: str, quick: bool = False) -> None: ...
