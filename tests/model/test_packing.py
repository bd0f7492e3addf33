"""Columns pickle small (`fleetpack.model.packing.compact`): a column of one value as that value, a column of whole
numbers narrowed to the bytes its values need; either loads as the same values in the same type."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fleetpack.model.packing import compact, constant

rng = np.random.default_rng(0)
COLUMNS = {
    "millicores": rng.integers(1, 33, 1000, dtype=np.uint64) * 250,
    "bytes in GiB steps": rng.integers(1, 65, 1000, dtype=np.uint64) << np.uint64(30),
    "int64 row numbers": np.arange(1000, dtype=np.int64),
    "negative": np.arange(1000, dtype=np.int64) - 5,
    "host rows, -1 unplaced": np.arange(1000, dtype=np.int64) % 900 - 1,
    "far below zero": np.arange(1000, dtype=np.int64) - 2**40,
    "int64 extremes": np.array([-1, 2**63 - 1] * 50, dtype=np.int64),
    "top bit set": np.full(100, 2**63, np.uint64) + np.arange(100, dtype=np.uint64),
    "all ones": np.full(100, 2**64 - 1, np.uint64) - (np.arange(100, dtype=np.uint64) % 2),
    "zeros": np.zeros(100, np.uint64),
    "short": np.arange(10, dtype=np.uint64),
    "uint16": np.arange(1000, dtype=np.uint16),
    "float": np.linspace(0, 1, 100),
    "one value": constant(7, np.uint64, 1000),
}


def round_trip(value):
    return pickle.loads(pickle.dumps(compact(value), protocol=5))


@pytest.mark.parametrize("name", COLUMNS)
def test_a_column_loads_as_the_same_values_in_the_same_type(name):
    column = COLUMNS[name]
    loaded = round_trip(column)
    assert loaded.dtype == column.dtype and np.array_equal(loaded, column)


def test_sizes_and_byte_counts_pickle_narrowed():
    # millicores in steps of 250 (2 x 125): 2 bytes each, not 8; bytes in GiB steps, at most 64 GiB: 1 byte each
    for name, share in (("millicores", 1 / 3), ("bytes in GiB steps", 1 / 6)):
        assert len(pickle.dumps(compact(COLUMNS[name]))) < share * len(pickle.dumps(COLUMNS[name]))
    assert len(pickle.dumps(compact(COLUMNS["host rows, -1 unplaced"]))) < 1 / 3 * 8000
    for name in ("far below zero", "int64 extremes", "all ones", "short", "uint16", "float"):  # pickled as they are
        assert compact(COLUMNS[name]) is COLUMNS[name]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 2**64 - 1), min_size=64, max_size=200), st.integers(0, 40))
def test_any_unsigned_column_round_trips(values, shift):
    column = np.array([(v << shift) % 2**64 for v in values], dtype=np.uint64)
    loaded = round_trip(column)
    assert loaded.dtype == column.dtype and np.array_equal(loaded, column)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-(2**63), 2**63 - 1), min_size=64, max_size=100) |
       st.lists(st.integers(-1, 70_000), min_size=64, max_size=100))
def test_any_signed_column_round_trips(values):
    column = np.array(values, dtype=np.int64)
    loaded = round_trip(column)
    assert loaded.dtype == column.dtype and np.array_equal(loaded, column)


def test_an_answer_pickles_its_host_rows_narrowed():
    from fleetpack.model.wire import Answer

    answer = Answer(np.arange(2000, dtype=np.int64) % 300 - 1, np.zeros(2000, np.uint8), "ffd", 3.0,
                    used=np.ones((300, 2), np.uint64), moves=2)
    loaded = pickle.loads(pickle.dumps(answer))
    assert np.array_equal(loaded.host_index, answer.host_index) and loaded.host_index.dtype == np.int64
    assert (loaded.strategy, loaded.lower_bound, loaded.moves) == ("ffd", 3.0, 2)
    assert np.array_equal(loaded.used, answer.used) and len(pickle.dumps(answer)) < 2000 * 3 + 6000
