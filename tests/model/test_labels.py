"""Text columns checked and coded in whole-column sweeps (`fleetpack.model.labels`) give what pandas and a plain
row-by-row pass give."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from fleetpack.model.labels import factorize, id_problems, not_text

texts = st.lists(st.sampled_from(["a", "b", "", "c", None, math.nan, "A"]), max_size=30)
ids = st.lists(st.sampled_from(["a", "b", "c", "", 7, None, ["x"]]), max_size=20)


@given(texts)
def test_factorize_is_pandas_factorize(values):
    codes, labels = factorize(values)
    expected_codes, expected_labels = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    assert codes.tolist() == expected_codes.tolist()
    assert labels == list(expected_labels)


@given(ids)
def test_id_problems_name_bad_and_repeated_ids_row_by_row(values):
    bad, duplicate = id_problems(values)
    seen: set = set()
    expected_bad, expected_duplicate = [], []
    for value in values:
        wrong = not isinstance(value, str) or value == ""
        expected_bad.append(wrong)
        expected_duplicate.append(not wrong and value in seen)
        if not wrong:
            seen.add(value)
    assert (bad.tolist() if bad is not None else [False] * len(values)) == expected_bad
    assert (duplicate.tolist() if duplicate is not None else [False] * len(values)) == expected_duplicate
    assert bad is None or bad.any()


def test_id_problems_of_a_numpy_string_column():
    assert id_problems(["a", "b"], all_text=True) == (None, None)
    bad, duplicate = id_problems(np.array(["a", "", "a"]).tolist(), all_text=True)
    assert bad.tolist() == [False, True, False] and duplicate.tolist() == [False, False, True]


def test_not_text_names_what_is_neither_text_nor_missing():
    assert not_text(["a", None, "b"]) is None
    assert not_text(["a", math.nan]) is None
    assert not_text(["a", 3, ["x"], 1.5, None]).tolist() == [False, True, True, True, False]
