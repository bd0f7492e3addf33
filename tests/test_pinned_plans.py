"""Every pinned plan is made again, the same (tests/pinned_plans.py says what is pinned and how to re-pin)."""

import json

import pytest

import pinned_plans

EXPECTED = json.loads(pinned_plans.PINNED.read_text())


@pytest.fixture(scope="module")
def actual():
    return pinned_plans.compute()


def test_the_same_calls_are_pinned(actual):
    assert sorted(actual) == sorted(EXPECTED)


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_plan_unchanged(actual, key):
    got, want = actual[key], EXPECTED[key]
    moved = {w: (want["assignments"].get(w), got["assignments"].get(w))
             for w in set(got["assignments"]) | set(want["assignments"])
             if got["assignments"].get(w) != want["assignments"].get(w)}
    assert not moved, f"{len(moved)} workloads placed differently, e.g. {sorted(moved.items())[:5]}"
    assert got == want
