"""Model against queueing theory: Erlang C for M/M/c and Little's law on a multi-stage run."""

from __future__ import annotations

import math

import pytest

from samflode.analysis.kpi import cohort_arrivals, time_average_in_system
from samflode.analysis.stats import confidence_interval
from samflode.analysis.theory import erlang_c, markovian_scenario, mmc_mean_wait
from samflode.execution.tasks import run_one

REPLICATIONS = 20

# (arrivals per day λ, service rate per day μ, staff c, horizon days); ρ = λ / (c μ).
MMC_CASES = [
    pytest.param(4.0, 10.0, 1, 1500.0, id="rho0.4-c1"),
    pytest.param(16.0, 5.0, 4, 600.0, id="rho0.8-c4"),
    pytest.param(9.0, 10.0, 1, 3000.0, id="rho0.9-c1"),
    pytest.param(27.0, 10.0, 3, 1200.0, id="rho0.9-c3"),
    pytest.param(10.0, 2.0, 6, 1000.0, id="rho0.83-c6"),
]


def test_erlang_c_known_values():
    # M/M/1: P(wait) = ρ; M/M/2 with a = 1: C = 1/3 (textbook value).
    assert erlang_c(1, 0.9) == pytest.approx(0.9)
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    # Wq for M/M/1 = ρ / (μ − λ).
    assert mmc_mean_wait(9.0, 10.0, 1) == pytest.approx(0.9 / 1.0)


@pytest.mark.parametrize(("lam", "mu", "c", "horizon"), MMC_CASES)
def test_forum_mean_wait_matches_erlang_c(lam, mu, c, horizon):
    scenario = markovian_scenario(
        arrival_rate_per_day=lam,
        service_mean_days=1.0 / mu,
        servers=c,
        horizon_days=horizon,
        warmup_days=horizon / 10,
    )
    waits = [
        run_one(scenario, 2024, r)[1]["days_to_first_meeting_mean"] for r in range(REPLICATIONS)
    ]
    mean, low, high, n = confidence_interval(waits)
    theory = mmc_mean_wait(lam, mu, c)
    assert n == REPLICATIONS
    assert low <= theory <= high, (
        f"ρ={lam / (c * mu):.2f}, c={c}: Erlang C Wq = {theory:.4f} d, simulated mean "
        f"{mean:.4f} d, 95 % CI [{low:.4f}, {high:.4f}]"
    )


@pytest.mark.parametrize(("lam", "mu", "c", "horizon"), MMC_CASES[:2])
def test_forum_utilisation_matches_offered_load(lam, mu, c, horizon):
    scenario = markovian_scenario(
        arrival_rate_per_day=lam, service_mean_days=1.0 / mu, servers=c, horizon_days=horizon
    )
    values = [run_one(scenario, 7, r)[1]["utilisation_forum"] for r in range(10)]
    mean, low, high, _ = confidence_interval(values)
    rho = lam / (c * mu)
    assert low <= rho <= high, f"ρ = {rho:.3f}, simulated {mean:.4f} [{low:.4f}, {high:.4f}]"


def test_littles_law_on_tandem_run():
    """L = λW for the whole system (Forum → Konsultation), measured on the event log.

    L is the time-average number in system over the window, λ the observed arrival rate and W
    the mean sojourn of those who arrived in the window; with a long horizon and a stable
    tandem the boundary terms vanish, so the two sides agree within a few per cent.
    """
    horizon, warmup = 2000.0, 200.0
    scenario = markovian_scenario(
        arrival_rate_per_day=8.0,
        service_mean_days=0.1,
        servers=1,
        horizon_days=horizon,
        warmup_days=warmup,
        second_stage=(0.2, 2),
    )
    events, kpis = run_one(scenario, 11, 0)
    arrived = cohort_arrivals(events, warmup, horizon)
    exited = events[events["event"] == "exited"].set_index("participant")["time"]
    sojourn = (exited.reindex(arrived.index) - arrived).dropna()
    lam = len(arrived) / (horizon - warmup)
    big_l = time_average_in_system(events, warmup, horizon)
    assert math.isclose(big_l, lam * sojourn.mean(), rel_tol=0.03), (
        f"L = {big_l:.4f}, λW = {lam:.4f} × {sojourn.mean():.4f} = {lam * sojourn.mean():.4f}"
    )
    # And W is what theory says for two M/M/c queues in tandem (Jackson network):
    # W = Wq1 + 1/μ1 + Wq2 + 1/μ2.
    theory_w = mmc_mean_wait(8.0, 10.0, 1) + 0.1 + mmc_mean_wait(8.0, 5.0, 2) + 0.2
    assert math.isclose(sojourn.mean(), theory_w, rel_tol=0.10), (
        f"W = {sojourn.mean():.4f} d, Jackson network theory {theory_w:.4f} d"
    )
    assert kpis["arrivals"] == kpis["exits"] + kpis["in_system_end"]
