"""The answer on page one: which design, by how much, and how sure — from the paired differences.

A board asks which design gives more people work or studies, and at what cost. The answer is read
off the comparison table only, by a rule written down here rather than chosen per run:

* **Outcome**: the share in work or studies 90 days after exit (``share_work_or_studies_90d``),
  the follow-up the seeds measure (AMiA 2013 p. 172: activity 90 days after the programme).
* A design is **better** when its paired 95 % CI of that difference lies wholly above 0. Of the
  better designs the one with the largest mean gain is proposed; on a tie (a gain within the
  other's interval) the cheaper a year. With no better design the reference is kept.
* **How sure**: besides the interval, the probability that the true paired difference is above 0,
  from the Student-t distribution the interval came from (n − 1 degrees of freedom; its standard
  error is the interval's half-width ÷ t₀.₉₇₅). It is a statement about the model under its
  assumptions, and the paper says so.
* **Cost per extra person** in work or studies: the paired difference in cost a year ÷ (the gain
  × the cohort's arrivals a year). It is an approximation — the gain is a share of those followed
  up — and is labelled as one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats

from samflode.analysis.costs import DAYS_PER_YEAR
from samflode.report.board.bundle import Bundle

OUTCOME = "share_work_or_studies_90d"
COST = "cost_total_sek_per_year"
SAVING = "saving_forsorjningsstod_sek_per_year"


@dataclass(frozen=True)
class Effect:
    """One design's paired difference to the reference in one KPI."""

    kpi: str
    mean: float
    low: float
    high: float
    p_positive: float  # probability the true difference is > 0 (t, n − 1 df)

    @property
    def clear(self) -> bool:
        """The 95 % CI excludes 0."""
        return self.low > 0 or self.high < 0


@dataclass(frozen=True)
class Verdict:
    """One design against the reference."""

    name: str
    outcome: Effect
    cost: Effect
    saving: Effect
    extra_people_per_year: float
    cost_per_extra_person: float  # NaN when the gain is not positive


@dataclass(frozen=True)
class Answer:
    """The page-one answer: the proposed design (the reference if none is better) and why."""

    proposed: str
    reference: str
    verdicts: list[Verdict]
    better: list[str]  # designs clearly better than the reference in the outcome
    tied: list[str]  # better designs as good as the best within its interval (cheapest proposed)

    def verdict(self, name: str) -> Verdict:
        """The verdict of one non-reference design."""
        return next(v for v in self.verdicts if v.name == name)

    @property
    def keeps_reference(self) -> bool:
        """No design was clearly better: the reference stays."""
        return self.proposed == self.reference


def p_positive(mean: float, low: float, high: float, n: int) -> float:
    """P(true difference > 0) under the t model the 95 % interval ``[low, high]`` came from."""
    if any(math.isnan(x) for x in (mean, low, high)) or n < 2:
        return math.nan
    half = (high - low) / 2
    if half <= 0:
        return 1.0 if mean > 0 else 0.0 if mean < 0 else 0.5
    se = half / stats.t.ppf(0.975, n - 1)
    return float(stats.t.cdf(mean / se, n - 1))


def effect(bundle: Bundle, kpi: str, name: str) -> Effect:
    """The paired difference of ``name`` to the reference in ``kpi``."""
    mean = bundle.cell(kpi, name, "diff_vs_first")
    low = bundle.cell(kpi, name, "diff_ci_low")
    high = bundle.cell(kpi, name, "diff_ci_high")
    return Effect(kpi, mean, low, high, p_positive(mean, low, high, bundle.replications))


def arrivals_per_year(bundle: Bundle, name: str) -> float:
    """The cohort's arrivals a year (the window's arrivals scaled as the costs are)."""
    design = bundle.design(name)
    window = float(design["horizon_days"]) - float(design["warmup_days"])
    return bundle.cell("arrivals", name) * DAYS_PER_YEAR / window


def decide(bundle: Bundle) -> Answer:
    """Apply the rule of the module docstring to a comparison."""
    verdicts = []
    for name in bundle.names[1:]:
        outcome, cost = effect(bundle, OUTCOME, name), effect(bundle, COST, name)
        extra = outcome.mean * arrivals_per_year(bundle, name)
        per_person = cost.mean / extra if extra > 0 else math.nan
        verdicts.append(
            Verdict(name, outcome, cost, effect(bundle, SAVING, name), extra, per_person)
        )
    better = [v for v in verdicts if v.outcome.clear and v.outcome.mean > 0]
    proposed, tied = bundle.reference, []
    if better:
        best = max(better, key=lambda v: v.outcome.mean)
        # Designs whose gain is within the best one's interval are as good: take the cheapest.
        equal = [v for v in better if v.outcome.mean >= best.outcome.low]
        proposed = min(equal, key=lambda v: (v.cost.mean, -v.outcome.mean)).name
        tied = [v.name for v in equal if v.name != proposed]
    return Answer(
        proposed=proposed,
        reference=bundle.reference,
        verdicts=verdicts,
        better=[v.name for v in better],
        tied=tied,
    )
