"""Meetings still running at the horizon are found exactly as the plain groupby finds them."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from samflode.analysis.kpi import _unfinished_meetings


def _reference(starts: pd.DataFrame, ends: pd.DataFrame) -> set[tuple[str, float]]:
    """The groupby form: a key with more starts than ends runs from its last start."""
    if starts.empty:
        return set()
    key = ["participant", "resource", "detail"]
    n_start = starts.groupby(key, observed=True).size()
    n_end = ends.groupby(key, observed=True).size().reindex(n_start.index, fill_value=0)
    open_keys = n_start[n_start > n_end].index
    last = starts.groupby(key, observed=True)["time"].max().reindex(open_keys)
    return {(k[1], t) for k, t in zip(open_keys, last.to_numpy(), strict=True)}


meetings = st.lists(
    st.tuples(
        st.integers(-1, 4),  # participant (−1: staff)
        st.sampled_from(["forum", "team", "af+fk"]),
        st.sampled_from(["triage", "session", "coordination"]),
        st.floats(0, 100, allow_nan=False),
        st.booleans(),  # ended?
    ),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(meetings)
def test_unfinished_meetings_match_the_groupby(rows):
    frame = pd.DataFrame(
        rows, columns=["participant", "resource", "detail", "time", "ended"]
    ).astype({"participant": np.int64, "time": float})
    for column in ("resource", "detail"):
        frame[column] = pd.Categorical(frame[column])
    starts = frame
    ends = frame[frame["ended"].astype(bool).to_numpy()]
    resources, times = _unfinished_meetings(starts, ends)
    assert set(zip(resources, times.tolist(), strict=True)) == _reference(starts, ends)
