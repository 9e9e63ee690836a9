"""Output statistics over replications: t-intervals, summaries, paired differences, precision.

Replications are independent and identically distributed, so each KPI's replication values give a
Student-t interval for its mean. Designs compared with common random numbers are compared per
replication, value(S_i, r) − value(S_1, r): the shared noise cancels and the interval of the
difference is usually much narrower than that of two independent means.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

SUMMARY_COLUMNS = ["kpi", "mean", "ci_low", "ci_high", "n"]
# KPI name prefixes and names whose values cannot be negative.
NON_NEGATIVE = ("days_", "cost_", "benefit_", "utilisation_")
COUNTS = frozenset({"arrivals", "exits", "in_system_end"})
# Default precision target: a 95 % CI half-width within 5 % of the mean.
DEFAULT_TARGET_HALF_WIDTH = 0.05
COMPARISON_COLUMNS = (
    "kpi",
    "scenario",
    "mean",
    "ci_low",
    "ci_high",
    "diff_vs_first",
    "diff_ci_low",
    "diff_ci_high",
)


def kpi_range(kpi: str) -> tuple[float, float]:
    """The values a KPI can take: shares in [0, 1]; counts, days, costs, utilisation ≥ 0."""
    if kpi.startswith("share_"):
        return 0.0, 1.0
    if kpi.startswith(NON_NEGATIVE) or kpi in COUNTS:
        return 0.0, math.inf
    return -math.inf, math.inf


def difference_range(kpi: str) -> tuple[float, float]:
    """The values a paired difference of ``kpi`` can take (e.g. [−1, 1] for a share)."""
    low, high = kpi_range(kpi)
    return low - high, high - low


def confidence_interval(
    values: Iterable[float],
    level: float = 0.95,
    bounds: tuple[float, float] = (-math.inf, math.inf),
) -> tuple[float, float, float, int]:
    """Mean and Student-t confidence interval of replication values, ignoring NaN.

    The interval is intersected with ``bounds``, the values the KPI can take: with few
    replications a t-interval of a share near 1 can reach past 100 % ("97.0 % [92.4 – 101.5 %]")
    and one of a count below 0. The mean lies within the bounds, so cutting the impossible part
    never lowers the coverage; it only stops the table showing values that cannot occur.
    """
    x = np.asarray([v for v in values if v is not None and not np.isnan(v)], dtype=float)
    n = len(x)
    if n == 0:
        return np.nan, np.nan, np.nan, 0
    mean = float(x.mean())
    if n == 1:
        return mean, np.nan, np.nan, 1
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * x.std(ddof=1) / np.sqrt(n))
    low, high = bounds
    return mean, max(mean - half, low), min(mean + half, high), n


def summarise(kpis: pd.DataFrame, *, within_range: bool = True) -> pd.DataFrame:
    """Per KPI of long KPIs (``kpi, value``): mean, 95 % CI low/high and n, KPIs in first order.

    CIs are cut to the KPI's range (:func:`kpi_range`) unless ``within_range`` is false, as the
    precision check needs: a cut interval is narrower than the t-interval's real half-width.
    """
    rows = []
    for kpi, group in kpis.groupby("kpi", sort=False):
        bounds = kpi_range(str(kpi)) if within_range else (-math.inf, math.inf)
        mean, low, high, n = confidence_interval(group["value"], bounds=bounds)
        rows.append({"kpi": kpi, "mean": mean, "ci_low": low, "ci_high": high, "n": n})
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def paired_comparison(kpis: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    """Rows of ``comparison.csv`` from long KPIs (``scenario, replication, kpi, value``).

    One row per (KPI, design), KPIs in order of first appearance and designs in ``names`` order,
    over the union of KPIs (designs with other staff pools have other ``utilisation_*`` KPIs; a
    design without the KPI gets NaN). ``mean, ci_low, ci_high`` summarise the design's replications.
    ``diff_vs_first`` is the mean of the paired differences value(S_i, r) − value(S_1, r) over the
    replications where both are defined, with its Student-t 95 % CI. For the first design this is
    its difference with itself: 0 with a CI of [0, 0] (NaN where the KPI itself is undefined).
    """
    order = list(dict.fromkeys(kpis["kpi"]))
    # Names are distinct, so (kpi, replication, scenario) is a unique key: no aggregation here.
    wide = kpis.set_index(["kpi", "replication", "scenario"])["value"].unstack("scenario")
    wide = wide.reindex(columns=list(names))
    rows = []
    for kpi in order:
        block = wide.xs(kpi, level="kpi")
        first = block[names[0]]
        for name in names:
            mean, low, high, _ = confidence_interval(block[name], bounds=kpi_range(kpi))
            diff, diff_low, diff_high, _ = confidence_interval(
                block[name] - first, bounds=difference_range(kpi)
            )
            rows.append(
                {
                    "kpi": kpi,
                    "scenario": name,
                    "mean": mean,
                    "ci_low": low,
                    "ci_high": high,
                    "diff_vs_first": diff,
                    "diff_ci_low": diff_low,
                    "diff_ci_high": diff_high,
                }
            )
    return pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS))


def replications_needed(
    mean: float, ci_low: float, ci_high: float, n: int, target: float
) -> tuple[float, float, int | None]:
    """Half-width, relative half-width and replications needed for ``target`` × |mean|.

    ``needed`` is ``ceil(n · (relative / target)²)`` (at least 2), the usual pilot-run estimate
    (Law & Kelton, *Simulation Modeling and Analysis*, §9.4.1); it keeps the t quantile of the
    current n, so errs high. A mean of 0 with a CI of zero width meets any target; with a positive
    width, or no value at all, there is no relative target (``needed`` is None).
    """
    half = (ci_high - ci_low) / 2
    size = abs(mean)
    if math.isnan(half) or math.isnan(size):
        return half, math.nan, None
    if size == 0:
        return (half, 0.0, n) if half == 0 else (half, math.inf, None)
    relative = half / size
    return half, relative, max(2, math.ceil(n * (relative / target) ** 2))
