"""The recorder's percentile is numpy's, to the last bit (caseload_p90 must not move)."""
from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from sim.model.recorder import percentile


@given(st.lists(st.integers(0, 60), min_size=1, max_size=400), st.integers(0, 100))
def test_percentile_of_caseloads_is_numpy_percentile_exactly(caseloads, percent):
    expected = np.percentile(np.array(caseloads, dtype=float), percent)
    assert percentile(sorted(caseloads), percent / 100) == expected
