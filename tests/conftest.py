"""Shared fixtures: the two implementations of ``place`` that must agree, and hypothesis profiles."""

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

import fleetpack
import fleetpack.baseline

# The tests sit in folders that mirror the package (tests/model, tests/plan, ...); their shared helpers
# (strategies, shared_data, pinned_plans) stay here, importable from every folder.
sys.path.insert(0, str(Path(__file__).resolve().parent))

# A short profile for CI, a long one for thorough runs: FLEETPACK_HYPOTHESIS=long pytest
settings.register_profile("ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("FLEETPACK_HYPOTHESIS", "ci"))


@pytest.fixture(params=["core", "baseline"])
def place(request):
    """``fleetpack.place`` (the Rust core) and ``fleetpack.baseline.place`` (pure Python): same contract."""
    return fleetpack.place if request.param == "core" else fleetpack.baseline.place
