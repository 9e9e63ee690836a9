"""The theory itself: Erlang C, Pollaczek–Khinchine and Erlang A against known values and limits.

These are exact and fast; the simulation tests in ``test_queueing.py`` rely on them.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from samflode.analysis.theory import (
    erlang_a,
    erlang_c,
    jackson_tandem_sojourn,
    markovian_scenario,
    mg1_mean_wait,
    mmc_mean_wait,
)


def test_erlang_c_known_values():
    # M/M/1: P(wait) = ρ; M/M/2 with a = 1: C = 1/3 (textbook value).
    assert erlang_c(1, 0.9) == pytest.approx(0.9)
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    # Wq for M/M/1 = ρ / (μ − λ).
    assert mmc_mean_wait(9.0, 10.0, 1) == pytest.approx(0.9 / 1.0)


def test_pollaczek_khinchine_special_cases():
    # Exponential service (E[S²] = 2/μ²) is M/M/1; deterministic service halves its wait.
    for lam, mu in [(5.0, 10.0), (9.0, 10.0), (0.3, 1.0)]:
        assert mg1_mean_wait(lam, 1 / mu, 2 / mu**2) == pytest.approx(mmc_mean_wait(lam, mu, 1))
        assert mg1_mean_wait(lam, 1 / mu, 1 / mu**2) == pytest.approx(mmc_mean_wait(lam, mu, 1) / 2)
    assert mg1_mean_wait(10.0, 0.1, 0.02) == math.inf


def test_jackson_tandem_is_the_sum_of_its_stages():
    w = jackson_tandem_sojourn(6.0, [(10.0, 1), (5.0, 2)])
    assert w == pytest.approx(mmc_mean_wait(6.0, 10.0, 1) + 0.1 + mmc_mean_wait(6.0, 5.0, 2) + 0.2)


def test_erlang_a_with_patience_equal_to_service_is_m_m_infinity():
    # θ = μ: every customer leaves at rate μ whether waiting or served, so N ~ Poisson(λ/μ).
    lam, mu, c = 20.0, 10.0, 3
    e = erlang_a(lam, mu, c, mu)
    n = np.arange(200)
    pmf = stats.poisson.pmf(n, lam / mu)
    assert e.p_wait == pytest.approx(pmf[c:].sum(), rel=1e-12)
    assert e.mean_queue == pytest.approx((np.maximum(n - c, 0) * pmf).sum(), rel=1e-12)


def test_erlang_a_tends_to_erlang_c_as_patience_grows():
    for lam, mu, c in [(5.0, 10.0, 1), (21.0, 10.0, 3), (10.0, 2.0, 6)]:
        e = erlang_a(lam, mu, c, 1e-7)
        assert e.p_wait == pytest.approx(erlang_c(c, lam / mu), rel=1e-5)
        assert e.mean_wait_served == pytest.approx(mmc_mean_wait(lam, mu, c), rel=1e-5)
        assert e.p_abandon < 1e-5


@pytest.mark.parametrize(
    ("lam", "mu", "c", "theta"),
    [(30, 10, 3, 5), (20, 10, 2, 1 / 0.3), (50, 10, 3, 2), (4, 10, 1, 20)],
)
def test_erlang_a_per_position_waits_agree_with_littles_law(lam, mu, c, theta):
    """Recompute the waits position by position and compare with the flow identities.

    An arrival at queue position k is served with probability cμ/(cμ + kθ); its wait until
    service or abandonment is Σ_{j≤k} P(reach j) / (cμ + jθ) with P(reach j) = cμ/(cμ + (j−1)θ).
    The mean of that over arrivals must be E[Q]/λ (Little), and P(abandon) must be θE[Q]/λ.
    """
    e = erlang_a(lam, mu, c, theta)
    # Independent truncated chain, solved as a linear system rather than by products.
    n_max = e.states + 50
    n = np.arange(n_max)
    death = np.minimum(n, c) * mu + np.maximum(n - c, 0) * theta
    q = np.zeros((n_max, n_max))
    q[n[:-1], n[:-1] + 1] = lam
    q[n[1:], n[1:] - 1] = death[1:]
    q[n, n] = -q.sum(axis=1)
    a = np.vstack([q.T, np.ones(n_max)])
    b = np.zeros(n_max + 1)
    b[-1] = 1.0
    pi = np.linalg.lstsq(a, b, rcond=None)[0]
    mean_queue = float((np.maximum(n - c, 0) * pi).sum())
    assert e.mean_queue == pytest.approx(mean_queue, rel=1e-9)
    assert e.p_abandon == pytest.approx(theta * mean_queue / lam, rel=1e-9)
    wait_all = 0.0
    for state in range(c, n_max):
        k = state - c + 1
        j = np.arange(1, k + 1)
        reach = c * mu / (c * mu + (j - 1) * theta)
        wait_all += pi[state] * float((reach / (c * mu + j * theta)).sum())
    assert e.mean_wait == pytest.approx(wait_all, rel=1e-9)
    assert e.mean_wait == pytest.approx(mean_queue / lam, rel=1e-9)
    # Served + abandoned waits make up the whole: E[W] = P(S) E[W|S] + P(A) E[W|A] with
    # E[W|A] > 0, so E[W|served] (1 − P(A)) < E[W].
    assert e.mean_wait_served * (1 - e.p_abandon) < e.mean_wait


def test_markovian_scenario_options():
    base = markovian_scenario(
        arrival_rate_per_day=5.0, service_mean_days=0.1, servers=1, horizon_days=10.0
    )
    assert base.patience is None
    assert base.forum.triage_duration.dist == "exponential"
    fixed = markovian_scenario(
        arrival_rate_per_day=5.0,
        service_mean_days=0.1,
        servers=1,
        horizon_days=10.0,
        service={"dist": "fixed", "value": 0.1, "unit": "days"},
        patience_mean_days=0.5,
    )
    assert fixed.forum.triage_duration.dist == "fixed"
    assert fixed.patience.dist == "exponential"
    assert fixed.patience.mean_days() == pytest.approx(0.5)
    with pytest.raises(ValueError, match="service_mean_days"):
        markovian_scenario(
            arrival_rate_per_day=5.0,
            service_mean_days=0.1,
            servers=1,
            horizon_days=10.0,
            service={"dist": "fixed", "value": 2, "unit": "hours"},
        )
