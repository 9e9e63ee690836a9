"""MSER-5 (samflode.analysis.warmup) finds a known initial transient, leaves a stationary one."""

from __future__ import annotations

import numpy as np
import pytest

from samflode.analysis.warmup import mser, mser5
from samflode.rng.streams import stream

N = 1000
TRANSIENT = 200


def noise(seed: int, n: int = N) -> np.ndarray:
    return stream(seed, 0, "test.warmup.noise").normal(0.0, 1.0, n)


@pytest.mark.parametrize("seed", range(5))
def test_truncation_lands_at_the_end_of_a_known_transient(seed):
    # Level 10 falling linearly to the steady level 0 over the first 200 points, then noise.
    t = np.arange(N)
    series = np.where(t < TRANSIENT, 10.0 * (1 - t / TRANSIENT), 0.0) + noise(seed)
    cut = mser5(series)
    assert abs(cut.observations - TRANSIENT) <= 10 * 5, (
        f"expected a truncation within 10 batches of {TRANSIENT}, got {cut.observations}"
    )
    assert cut.observations % 5 == 0 and cut.batches == cut.observations // 5
    assert not cut.at_search_limit


@pytest.mark.parametrize("seed", range(5))
def test_stationary_series_needs_little_or_no_truncation(seed):
    cut = mser5(10.0 + noise(seed))
    assert cut.observations <= 0.05 * N, f"stationary series truncated at {cut.observations}"


def test_a_trend_over_the_whole_run_hits_the_search_limit():
    # Still rising at the end: the run is too short to show where the transient ends.
    series = np.linspace(0.0, 50.0, N) + noise(7)
    cut = mser5(series)
    assert cut.at_search_limit
    assert cut.observations == (N // 5 // 2) * 5


def test_statistic_matches_the_definition():
    series = np.exp(-np.arange(60) / 8.0) + noise(3, 60) * 0.1
    cut = mser5(series)
    z = series.reshape(12, 5).mean(axis=1)
    expected = [((z[d:] - z[d:].mean()) ** 2).sum() / (12 - d) ** 2 for d in range(7)]
    np.testing.assert_allclose(cut.statistic, expected, rtol=1e-9, atol=1e-15)
    assert cut.batches == int(np.argmin(expected))


def test_trailing_partial_batch_is_ignored_and_batch_size_is_a_parameter():
    series = np.concatenate([np.full(40, 5.0), np.zeros(160)])
    assert mser5(np.append(series, [99.0, 99.0])).observations == 40
    assert mser(series, batch_size=10).observations == 40


@pytest.mark.parametrize(
    "values, message",
    [(np.zeros(19), "too short"), (np.array([1.0] * 30 + [np.nan]), "NaN")],
)
def test_bad_series_are_rejected(values, message):
    with pytest.raises(ValueError, match=message):
        mser5(values)
