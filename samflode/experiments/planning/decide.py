"""Is a target met at a candidate staffing, and is that clear yet? Two ways to ask.

*mean* mode asks about the long-run mean: the target holds if the one-sided ``confidence`` bound
of the KPI's mean (Student t over replications) is on the right side of the value — the lower
bound for ``>=``, the upper for ``<=``. *probability* mode asks about a single year: each
replication is a plausible year, and the target holds if the share of replications that meet it
is at least ``confidence``; that share gets its own Clopper–Pearson interval (scipy's
``binomtest``), since a share of 19/20 is not the same evidence as 950/1000.

A decision is *clear* when more replications would not change it: the interval lies entirely on
one side. The planner adds replications to a candidate only while some target is unclear, and at
its cap decides by the rule above (the bound in mean mode, the share in probability mode), saying
that the decision was not clear.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats

from samflode.analysis.stats import kpi_range
from samflode.experiments.planning.spec import Target

Mode = Literal["mean", "probability"]
MODES: tuple[Mode, ...] = ("mean", "probability")
# The level of the interval around p_met in probability mode (and reported in mean mode).
P_INTERVAL = 0.95


@dataclass(frozen=True)
class Estimate:
    """One target at one candidate: the mean with its one-sided bounds, the share of replications
    that meet the target with its interval, and the decision.
    """

    target: Target
    mean: float
    low: float
    high: float
    p_met: float
    p_low: float
    p_high: float
    n: int
    met: bool
    clear: bool

    def as_dict(self) -> dict:
        """For plan.json and the dashboard."""
        return {
            "target": self.target.label,
            "kpi": self.target.kpi,
            "sense": self.target.sense,
            "value": self.target.value,
            "mean": self.mean,
            "low": self.low,
            "high": self.high,
            "p_met": self.p_met,
            "p_low": self.p_low,
            "p_high": self.p_high,
            "replications": self.n,
            "met": self.met,
            "clear": self.clear,
        }


def _mean_bounds(x: np.ndarray, confidence: float, kpi: str) -> tuple[float, float, float]:
    """Mean and its one-sided ``confidence`` lower and upper bounds, cut to the KPI's range."""
    mean = float(x.mean())
    if len(x) < 2:
        return mean, -math.inf, math.inf
    half = float(stats.t.ppf(confidence, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x)))
    low, high = kpi_range(kpi)
    return mean, max(mean - half, low), min(mean + half, high)


def share_interval(k: int, n: int, level: float = P_INTERVAL) -> tuple[float, float]:
    """Clopper–Pearson interval of a share of ``k`` successes in ``n`` trials."""
    if n == 0:
        return 0.0, 1.0
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=level, method="exact")
    return float(ci.low), float(ci.high)


def judge(target: Target, values: Sequence[float], mode: Mode, confidence: float) -> Estimate:
    """The estimate and decision for ``target`` from one KPI value per replication.

    Replications where the KPI is undefined (NaN: nobody reached that stage) count as not
    meeting the target and are left out of the mean.
    """
    all_values = np.asarray(values, dtype=float)
    n = len(all_values)
    hits = int(sum(target.holds(v) for v in all_values))
    p_met = hits / n if n else math.nan
    p_low, p_high = share_interval(hits, n)
    x = all_values[~np.isnan(all_values)]
    if len(x) == 0:
        mean, low, high = math.nan, math.nan, math.nan
        met, clear = False, n >= 2
    elif mode == "mean":
        mean, low, high = _mean_bounds(x, confidence, target.kpi)
        near, far = (low, high) if target.sense == ">=" else (high, low)
        met = target.holds(near)
        clear = met or not target.holds(far)
    else:
        mean, low, high = _mean_bounds(x, P_INTERVAL, target.kpi)
        met = p_met >= confidence
        clear = p_low >= confidence or p_high < confidence
    return Estimate(target, mean, low, high, p_met, p_low, p_high, n, met, clear)
