"""Helpers for tests that read the public benchmark data beside the repository (``../shared/data``, or
$FLEETPACK_SHARED_DATA): they skip cleanly where it is absent."""

import os
from pathlib import Path

import pytest

from fleetpack.bench import Instance

ROOT = Path(__file__).resolve().parents[1]


def shared_data() -> Path:
    """The shared data folder, or a clean skip when this checkout has none."""
    path = Path(os.environ.get("FLEETPACK_SHARED_DATA") or ROOT.parent / "shared" / "data")
    if not path.is_dir():
        pytest.skip(f"no shared data folder at {path}")
    return path


def sizes(instance: Instance) -> list[list[int]]:
    """Each workload's sizes, in the instance's dimensions d1, d2, ..."""
    return [[w.extra_units[d] for d in sorted(w.extra_units)] for w in instance.workloads]
