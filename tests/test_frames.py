"""ddanalysis.frames.records: a frame's rows as itertuples gives them, for the workbook's writers."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ddanalysis.frames import records


def test_records_match_itertuples_field_by_field():
    """Names, values and Python types as ``itertuples(index=False)`` gives them, on a frame with a text, an
    integer, a float with a NaN, a date and a column whose name is not an identifier (renamed by position)."""
    frame = pd.DataFrame(
        {
            "option": ["mutual", "trust"],
            "year_index": np.array([0, 1], dtype=np.int64),
            "cost_gbp": [1.5, np.nan],
            "start": [dt.date(2015, 4, 1), dt.date(2016, 4, 1)],
            "P(best)": [0.25, 0.75],
        }
    )
    got = list(records(frame))
    want = list(frame.itertuples(index=False))
    assert got[0]._fields == want[0]._fields == ("option", "year_index", "cost_gbp", "start", "_4")
    assert [tuple(map(type, g)) for g in got] == [tuple(map(type, w)) for w in want]
    assert got[0] == ("mutual", 0, 1.5, dt.date(2015, 4, 1), 0.25)
    assert got[1].option == "trust" and np.isnan(got[1].cost_gbp) and got[1]._4 == 0.75


def test_records_of_an_empty_frame_and_of_a_frame_without_columns():
    assert list(records(pd.DataFrame({"a": []}))) == []
    assert list(records(pd.DataFrame(index=range(2)))) == [(), ()]


def test_repeated_column_names_are_read_by_position():
    """``frame["a"]`` would be a frame when two columns share the name; records reads by position, as
    itertuples does (the second becomes ``_1``)."""
    frame = pd.DataFrame([[1, 2]], columns=["a", "a"])
    (row,) = records(frame)
    assert row == (1, 2) and row._fields == ("a", "_1")
