"""The queueing-theory cases, their checks and the statistics behind them, in one place.

``test_queueing.py`` asserts on these and ``benchmarks/verify_queueing.py`` prints them, so the
figures quoted on an issue are the ones the tests assert.

Design (why the numbers are what they are):

* Every check compares the mean over independent replications with an exact theoretical value by
  a Student-t interval. There are ``len(CHECKS)`` such checks, so each is made at the Bonferroni
  level ``LEVEL = 1 − FAMILY_ALPHA / len(CHECKS)``: when the random streams shift (a new seed, a
  reordered draw) a correct model fails *any* of them with probability at most 5 %.
* Every interval must also be narrow: half-width ≤ ``MAX_HALF_WIDTH`` (2 %) of theory, asserted,
  so that a change which loses power fails loudly instead of passing vacuously. Replications and
  horizons were chosen from measured per-replication variances (two seed sets) so that the
  expected half-width is about 1.3 % or less; with 40–50 replications the sample SD then exceeds
  its design value by the factor 2/1.3 with negligible probability (< 1e-5), so the power rule
  adds nothing noticeable to the 5 % family-wise rate.
* Moderate loads (ρ = 0.5–0.6; Erlang A at offered load = c, held stable by abandonment) mix in
  a few service times, so a warm-up of 20 days removes the empty-start bias and the budget buys
  precision rather than transient. The whole module runs in about two minutes on one core.
* Little's law is an identity on every sample path up to boundary terms, so it is checked per
  replication (within 0.5 %) and, with the boundary terms computed from the log, exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from samflode.analysis.kpi import cohort_arrivals, time_average_in_system
from samflode.analysis.stats import confidence_interval
from samflode.analysis.theory import (
    erlang_a,
    jackson_tandem_sojourn,
    markovian_scenario,
    mg1_mean_wait,
    mmc_mean_wait,
)
from samflode.config.scenario import Scenario
from samflode.execution.tasks import run_one

FAMILY_ALPHA = 0.05
MAX_HALF_WIDTH = 0.02  # of the theoretical value
LITTLE_REL_TOL = 0.005  # per replication
WARMUP_DAYS = 20.0


@dataclass(frozen=True)
class Case:
    """One simulated configuration: a scenario, its seed and how many replications."""

    name: str
    description: str
    params: dict
    horizon_days: float
    replications: int
    seed: int
    warmup_days: float = WARMUP_DAYS

    def scenario(self) -> Scenario:
        """The validated samflode scenario of this case."""
        return markovian_scenario(
            horizon_days=self.horizon_days,
            warmup_days=self.warmup_days,
            name=self.name.replace("-", "_"),
            **self.params,
        )


@dataclass(frozen=True)
class Check:
    """One CI check: the replication means of ``measure`` in ``case`` against ``theory``."""

    name: str
    case: Case
    measure: str
    theory: float
    formula: str


@dataclass(frozen=True)
class Interval:
    """A Student-t interval of replication values."""

    mean: float
    low: float
    high: float
    n: int
    level: float
    half: float = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "half", (self.high - self.low) / 2.0)


def t_interval(values: Sequence[float], level: float) -> Interval:
    """Mean and two-sided Student-t interval at ``level`` (e.g. a Bonferroni level)."""
    mean, low, high, n = confidence_interval(values, level=level)
    return Interval(mean=mean, low=low, high=high, n=n, level=level)


def _lognormal(mean: float, sd: float) -> dict:
    return {"dist": "lognormal", "mean": mean, "sd": sd, "unit": "days"}


# ---------------------------------------------------------------------------------------------
# Cases. Rates are per day; λ = arrivals, μ = 1 / mean service, c = staff.
# Arrivals needed in all ≈ (t · s / ε)², with t the Bonferroni t-quantile (≈ 2.9), ε = 1.3 % the
# target half-width and s² the measured relative variance per arrival of the estimate (≈ 33 for
# M/M/1 ρ=0.5, close to Blomqvist's 29; ≈ 50 for M/M/2; ≈ 20 M/D/1; ≈ 28 lognormal CV 0.5;
# ≈ 13 Erlang A; ≈ 9 tandem sojourn). High loads or heavy-tailed service (lognormal CV 1.5:
# ≈ 170) would cost several times more for the same power.

ERLANG_C_1 = Case(
    "erlang-c-c1",
    "M/M/1, λ=5, μ=10, ρ=0.5",
    {"arrival_rate_per_day": 5.0, "service_mean_days": 0.1, "servers": 1},
    horizon_days=6600.0,
    replications=50,
    seed=2024,
)
ERLANG_C_2 = Case(
    "erlang-c-c2",
    "M/M/2, λ=10, μ=10, ρ=0.5",
    {"arrival_rate_per_day": 10.0, "service_mean_days": 0.1, "servers": 2},
    horizon_days=5500.0,
    replications=50,
    seed=2025,
)
MD1 = Case(
    "pk-deterministic",
    "M/D/1, λ=6, service fixed 0.1 d, ρ=0.6",
    {
        "arrival_rate_per_day": 6.0,
        "service_mean_days": 0.1,
        "servers": 1,
        "service": {"dist": "fixed", "value": 0.1, "unit": "days"},
    },
    horizon_days=4000.0,
    replications=50,
    seed=2026,
)
MG1_LOGNORMAL = Case(
    "pk-lognormal",
    "M/G/1, λ=6, service lognormal mean 0.1 d sd 0.05 d, ρ=0.6",
    {
        "arrival_rate_per_day": 6.0,
        "service_mean_days": 0.1,
        "servers": 1,
        "service": _lognormal(0.1, 0.05),
    },
    horizon_days=4800.0,
    replications=50,
    seed=2027,
)
ERLANG_A = Case(
    "erlang-a",
    "M/M/3+M, λ=30, μ=10, c=3 (offered load 3), mean patience 0.2 d (θ=5)",
    {
        "arrival_rate_per_day": 30.0,
        "service_mean_days": 0.1,
        "servers": 3,
        "patience_mean_days": 0.2,
    },
    horizon_days=600.0,
    replications=40,
    seed=2028,
)
TANDEM = Case(
    "jackson-tandem",
    "M/M/1 → M/M/2, λ=6, μ1=10, μ2=5, ρ=0.6 at both",
    {
        "arrival_rate_per_day": 6.0,
        "service_mean_days": 0.1,
        "servers": 1,
        "second_stage": (0.2, 2),
    },
    horizon_days=2000.0,
    replications=40,
    seed=2029,
)
CASES = [ERLANG_C_1, ERLANG_C_2, MD1, MG1_LOGNORMAL, ERLANG_A, TANDEM]

_EA = erlang_a(30.0, 10.0, 3, 5.0)

CHECKS = [
    Check("erlang-c-c1-wait", ERLANG_C_1, "wait", mmc_mean_wait(5.0, 10.0, 1), "Erlang C Wq"),
    Check("erlang-c-c2-wait", ERLANG_C_2, "wait", mmc_mean_wait(10.0, 10.0, 2), "Erlang C Wq"),
    Check("erlang-c-c1-utilisation", ERLANG_C_1, "utilisation", 0.5, "offered load ρ"),
    Check("erlang-c-c2-utilisation", ERLANG_C_2, "utilisation", 0.5, "offered load ρ"),
    Check("pk-deterministic-wait", MD1, "wait", mg1_mean_wait(6.0, 0.1, 0.1**2), "P-K Wq"),
    Check(
        "pk-lognormal-wait",
        MG1_LOGNORMAL,
        "wait",
        mg1_mean_wait(6.0, 0.1, 0.1**2 + 0.05**2),
        "P-K Wq",
    ),
    Check("erlang-a-abandonment", ERLANG_A, "dropout", _EA.p_abandon, "Erlang A P(abandon)"),
    Check("erlang-a-wait-served", ERLANG_A, "wait", _EA.mean_wait_served, "Erlang A E[Wq|served]"),
    Check(
        "jackson-tandem-sojourn",
        TANDEM,
        "sojourn",
        jackson_tandem_sojourn(6.0, [(10.0, 1), (5.0, 2)]),
        "Jackson W",
    ),
]
LEVEL = 1.0 - FAMILY_ALPHA / len(CHECKS)


# ---------------------------------------------------------------------------------------------
# Running a case: only per-replication scalars are kept, never the event logs.


def _tandem_measures(events: pd.DataFrame, case: Case) -> dict[str, float]:
    """Sojourn, Little's-law sides and the exact boundary terms of one tandem replication."""
    w, h = case.warmup_days, case.horizon_days
    arrived_all = events[events["event"] == "arrived"].groupby("participant")["time"].min()
    exited_all = events[events["event"] == "exited"].groupby("participant")["time"].min()
    cohort = cohort_arrivals(events, w, h)
    done = exited_all.reindex(cohort.index)
    sojourn = (done - cohort).dropna()
    lam = len(cohort) / (h - w)
    big_l = time_average_in_system(events, w, h)
    # ∫_w^h N(t) dt = completed sojourns of the cohort + the cohort's time still in system at the
    # horizon + the time after w of those who arrived before it (each cut at the horizon).
    censored = float((h - cohort[done.isna()]).sum())
    before = arrived_all[arrived_all < w].index
    left = exited_all.reindex(before).fillna(h).clip(upper=h)
    earlier = float((left - w).clip(lower=0).sum())
    return {
        "sojourn": float(sojourn.mean()),
        "L": big_l,
        "lambda_W": lam * float(sojourn.mean()),
        "area": big_l * (h - w),
        "area_from_parts": float(sojourn.sum()) + censored + earlier,
    }


def measure(events: pd.DataFrame, kpis: dict, case: Case) -> dict[str, float]:
    """The per-replication values a case's checks use."""
    out = {
        "wait": kpis["days_to_first_meeting_mean"],
        "utilisation": kpis["utilisation_forum"],
        "dropout": kpis["share_dropout"],
        "arrivals": kpis["arrivals"],
        "exits": kpis["exits"],
        "in_system_end": kpis["in_system_end"],
    }
    if case.params.get("second_stage") is not None:
        out.update(_tandem_measures(events, case))
    if case.params.get("patience_mean_days") is not None:
        dropped = events[events["event"] == "dropped_out"]
        met = events.loc[events["event"] == "meeting_start", "participant"]
        out["dropouts_not_at_forum"] = float((dropped["stage"].astype(str) != "forum").sum())
        out["dropouts_after_a_meeting"] = float(dropped["participant"].isin(met).sum())
    return out


def run_case(case: Case) -> pd.DataFrame:
    """Run every replication of ``case``; one row of measures per replication."""
    scenario = case.scenario()
    rows = []
    for r in range(case.replications):
        events, kpis = run_one(scenario, case.seed, r)
        rows.append(measure(events, kpis, case))
        del events
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class Outcome:
    """A check's interval against its theory, and whether it passes both rules."""

    check: Check
    interval: Interval

    @property
    def half_share(self) -> float:
        """Half-width as a share of the theoretical value."""
        return self.interval.half / self.check.theory

    @property
    def covers(self) -> bool:
        """The interval contains the theoretical value."""
        return self.interval.low <= self.check.theory <= self.interval.high

    @property
    def narrow(self) -> bool:
        """The interval is narrow enough to see an error of a few per cent."""
        return self.interval.half <= MAX_HALF_WIDTH * self.check.theory

    def message(self) -> str:
        """Theory, estimate and interval, for an assertion message or a report line."""
        c, i = self.check, self.interval
        return (
            f"{c.name} ({c.case.description}): {c.formula} = {c.theory:.5f}, simulated mean "
            f"{i.mean:.5f} over {i.n} replications, {i.level:.2%} CI [{i.low:.5f}, {i.high:.5f}]"
            f" (half-width {self.half_share:.2%} of theory, limit {MAX_HALF_WIDTH:.0%})"
        )


def evaluate(check: Check, samples: pd.DataFrame, level: float = LEVEL) -> Outcome:
    """The outcome of ``check`` on the replication measures of its case."""
    return Outcome(check, t_interval(samples[check.measure], level))
