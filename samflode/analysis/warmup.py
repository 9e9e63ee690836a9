"""Warm-up diagnostic: the MSER-5 truncation rule for the initial transient of one output series.

A run starts empty (no queues, no caseloads), so early observations are biased low. MSER-5 (White
1997, "An effective truncation heuristic for bias reduction in simulation output", *Simulation*
69(6); White, Cobb & Spratt 2000) picks the truncation point that minimises the marginal standard
error of the mean of what is left: a long transient raises the spread of the kept data, and cutting
too much leaves too few data, so the statistic has an interior minimum where the transient ends.

Why it is implemented here: the one PyPI package we know of, ``pymser`` (IBM), targets equilibration
of molecular simulations and brings statsmodels (and, per its README, PyTorch) along; SimPy and Ciw
have no warm-up detection. No maintained PyPI library offers MSER-5 for discrete-event output. The
rule itself is a few lines of numpy, so this module keeps it as a small pure function with its own
tests (``tests/unit/test_warmup.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

BATCH_SIZE = 5


@dataclass(frozen=True, eq=False)
class Truncation:
    """A suggested truncation point of one series.

    Attributes
    ----------
    observations
        How many leading observations to drop (a multiple of ``batch_size``). For a daily series
        this is the suggested warm-up in days.
    batches
        The same in batches (``d*``).
    batch_size
        Observations per batch mean (5 for MSER-5).
    at_search_limit
        True when the minimum sits on the last admissible truncation (half the series): the
        transient may be longer than the series can show, so the run is too short to judge.
    statistic
        The MSER statistic for every admissible truncation ``d = 0 … k // 2`` (in batches).
    """

    observations: int
    batches: int
    batch_size: int
    at_search_limit: bool
    statistic: np.ndarray = field(repr=False)


def mser(values: np.ndarray, *, batch_size: int = BATCH_SIZE) -> Truncation:
    """Truncation point of ``values`` by the MSER rule on batch means of ``batch_size`` values.

    With batch means ``Z_1 … Z_k`` (a trailing partial batch is dropped), the statistic for
    truncating ``d`` batches is ``sum((Z_j - mean(Z_{d+1..k}))**2, j > d) / (k - d)**2``, the
    squared standard error of the mean of the kept batches up to a constant. The search covers
    the first half of the series only (``d ≤ k // 2``), as White recommends: near the end the few
    batches left make the statistic erratic. Ties go to the smallest ``d``.

    Raises
    ------
    ValueError
        If the series has fewer than four full batches or holds NaN or infinite values.
    """
    x = np.asarray(values, dtype=float)
    if batch_size < 1:
        raise ValueError(f"batch_size must be ≥ 1 (got {batch_size})")
    if not np.all(np.isfinite(x)):
        raise ValueError("series holds NaN or infinite values")
    k = len(x) // batch_size
    if k < 4:
        raise ValueError(
            f"series too short for MSER-{batch_size}: {len(x)} observations, "
            f"need at least {4 * batch_size}"
        )
    z = x[: k * batch_size].reshape(k, batch_size).mean(axis=1)
    # Centre first: the sums of squares below subtract nearly equal large numbers otherwise.
    z = z - z.mean()
    limit = k // 2
    # Sums over the kept batches Z_{d+1..k} for every d, from reversed cumulative sums.
    tail_sum = np.cumsum(z[::-1])[::-1][: limit + 1]
    tail_sq = np.cumsum((z * z)[::-1])[::-1][: limit + 1]
    kept = k - np.arange(limit + 1)
    sse = np.maximum(tail_sq - tail_sum * tail_sum / kept, 0.0)
    statistic = sse / (kept * kept)
    d = int(np.argmin(statistic))
    return Truncation(
        observations=d * batch_size,
        batches=d,
        batch_size=batch_size,
        at_search_limit=d == limit,
        statistic=statistic,
    )


def mser5(values: np.ndarray) -> Truncation:
    """MSER-5: :func:`mser` on batch means of five observations (White 1997)."""
    return mser(values, batch_size=BATCH_SIZE)
