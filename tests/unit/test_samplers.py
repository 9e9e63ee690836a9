"""Duration samplers draw from the whole law their spec names, in days, not only its mean.

Each continuous spec is drawn 20,000 times from its own stream and compared with the matching
``scipy.stats`` distribution (built from the spec's parameters converted to days) by a
Kolmogorov–Smirnov test; empirical specs by a chi-square test of the value frequencies; fixed
specs exactly. The statistical checks share a Bonferroni level, so that the chance of any false
alarm when the streams change (a new draw, another NumPy) is at most ``FAMILY_ALPHA``. A negative
control shows the test is not blind: a lognormal with the right mean and a wrong sigma — which a
mean check cannot see — is rejected.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from samflode.config.distributions import (
    DAYS_PER_UNIT,
    DIST_NAMES,
    Empirical,
    Exponential,
    Fixed,
    Gamma,
    Lognormal,
    Triangular,
)
from samflode.rng.samplers import Sampler
from samflode.rng.streams import stream

SEED = 2026
DRAWS = 20_000

KS_CASES = [
    Exponential(dist="exponential", mean=5.0, unit="days"),
    Exponential(dist="exponential", mean=45.0, unit="minutes"),
    Exponential(dist="exponential", mean=2.0, unit="weeks"),
    Lognormal(dist="lognormal", mean=45.0, sd=30.0, unit="minutes"),
    Lognormal(dist="lognormal", mean=2.0, sd=0.5, unit="weeks"),
    Lognormal(dist="lognormal", mean=1.0, sd=2.0, unit="months"),
    Gamma(dist="gamma", mean=60.0, sd=20.0, unit="minutes"),
    Gamma(dist="gamma", mean=3.0, sd=3.0, unit="hours"),
    Gamma(dist="gamma", mean=0.5, sd=1.0, unit="months"),
    Triangular(dist="triangular", low=1.0, mode=2.0, high=7.0, unit="days"),
    Triangular(dist="triangular", low=1.0, mode=2.0, high=3.0, unit="months"),
    Triangular(dist="triangular", low=0.0, mode=0.0, high=4.0, unit="days"),
    Triangular(dist="triangular", low=30.0, mode=45.0, high=90.0, unit="minutes"),
    Triangular(dist="triangular", low=1.0, mode=3.0, high=3.0, unit="hours"),
]
CHI2_CASES = [
    Empirical(
        dist="empirical", values=[0, 1, 3, 5, 7], weights=[0.5, 0.15, 0.15, 0.1, 0.1], unit="days"
    ),
    Empirical(dist="empirical", values=[2, 4, 9], unit="weeks"),
    Empirical(dist="empirical", values=[1, 1, 2], unit="hours"),  # a repeated value counts twice
    Empirical(dist="empirical", values=[10, 20, 40], weights=[3, 0, 1], unit="minutes"),
]
FAMILY_ALPHA = 0.01
ALPHA = FAMILY_ALPHA / (len(KS_CASES) + len(CHI2_CASES))  # Bonferroni


def case_id(spec) -> str:
    """E.g. ``lognormal-minutes-45-30``, ``empirical-days-0_1_3_5_7-w0.5_0.15_0.15_0.1_0.1``."""
    parts = [spec.dist, spec.unit]
    for key, value in spec.model_dump(exclude={"dist", "unit"}, exclude_none=True).items():
        if isinstance(value, list):
            prefix = "w" if key == "weights" else ""
            parts.append(prefix + "_".join(f"{v:g}" for v in value))
        else:
            parts.append(f"{value:g}")
    return "-".join(parts)


def draw(spec, name: str, n: int = DRAWS) -> np.ndarray:
    sampler = Sampler(spec, stream(SEED, 0, f"test.{name}"))
    assert sampler.mean_days == spec.mean_days()
    return np.fromiter((sampler.draw() for _ in range(n)), dtype=float, count=n)


def lognormal_in_days(mean: float, sd: float):
    """The lognormal law with this mean and standard deviation (not log-scale ones):
    sigma² = ln(1 + (sd/mean)²), mu = ln(mean) − sigma²/2.
    """
    sigma2 = math.log1p((sd / mean) ** 2)
    return stats.lognorm(s=math.sqrt(sigma2), scale=math.exp(math.log(mean) - sigma2 / 2))


def reference(spec):
    """The scipy.stats law a continuous spec names, in days, and its standard deviation in days
    by the spec (None where the spec does not give one).
    """
    k = DAYS_PER_UNIT[spec.unit]
    if isinstance(spec, Exponential):
        return stats.expon(scale=spec.mean * k), spec.mean * k
    if isinstance(spec, Lognormal):
        return lognormal_in_days(spec.mean * k, spec.sd * k), spec.sd * k
    if isinstance(spec, Gamma):
        shape = (spec.mean / spec.sd) ** 2
        return stats.gamma(a=shape, scale=spec.mean * k / shape), spec.sd * k
    if isinstance(spec, Triangular):
        width = (spec.high - spec.low) * k
        c = (spec.mode - spec.low) * k / width
        return stats.triang(c=c, loc=spec.low * k, scale=width), None
    raise TypeError(spec)


def test_the_cases_cover_every_distribution_and_every_unit():
    specs = KS_CASES + CHI2_CASES
    assert {s.dist for s in specs} | {"fixed"} == set(DIST_NAMES)
    for dist in ("exponential", "lognormal", "gamma", "triangular"):
        assert len({s.unit for s in KS_CASES if s.dist == dist}) >= 3, dist
    assert {s.unit for s in KS_CASES} == set(DAYS_PER_UNIT)
    assert any(s.weights is None for s in CHI2_CASES)
    assert any(s.weights is not None for s in CHI2_CASES)


@pytest.mark.parametrize("spec", KS_CASES, ids=case_id)
def test_continuous_sampler_follows_its_law(spec):
    ref, sd_days = reference(spec)
    # The reference itself is the spec's law: scipy's own moments are the spec's, in days.
    assert ref.mean() == pytest.approx(spec.mean_days(), rel=1e-9)
    if sd_days is not None:
        assert ref.std() == pytest.approx(sd_days, rel=1e-9)
    draws = draw(spec, case_id(spec))
    assert (draws >= 0).all()
    lo, hi = ref.support()
    assert draws.min() >= lo - 1e-12 and draws.max() <= hi + 1e-12
    result = stats.kstest(draws, ref.cdf)
    assert result.pvalue > ALPHA, (
        f"{spec}: KS D = {result.statistic:.4f}, p = {result.pvalue:.2e} < {ALPHA:.1e}"
    )


@pytest.mark.parametrize("spec", CHI2_CASES, ids=case_id)
def test_empirical_sampler_follows_its_frequencies(spec):
    k = DAYS_PER_UNIT[spec.unit]
    weights = np.ones(len(spec.values)) if spec.weights is None else np.asarray(spec.weights)
    expected: dict[float, float] = {}  # value in days → probability
    for value, weight in zip(spec.values, weights / weights.sum(), strict=True):
        expected[value * k] = expected.get(value * k, 0.0) + weight
    draws = draw(spec, case_id(spec))
    support = np.array(sorted(expected))
    nearest = support[np.abs(draws[:, None] - support[None, :]).argmin(axis=1)]
    np.testing.assert_allclose(draws, nearest, rtol=0, atol=1e-12)  # only listed values
    possible = [v for v in support if expected[v] > 0]
    assert set(nearest) <= set(possible), "a value of weight 0 was drawn"
    observed = np.array([(nearest == v).sum() for v in possible])
    result = stats.chisquare(observed, DRAWS * np.array([expected[v] for v in possible]))
    assert result.pvalue > ALPHA, (
        f"{spec}: observed {observed.tolist()}, chi² p = {result.pvalue:.2e} < {ALPHA:.1e}"
    )


def test_a_wrong_sigma_is_rejected_although_the_mean_is_right():
    """Negative control: draws of lognormal(mean 45, sd 30 minutes) against the lognormal of the
    same mean and a 10 % smaller sd. A mean check passes it; the KS test must not.
    """
    spec = Lognormal(dist="lognormal", mean=45.0, sd=30.0, unit="minutes")
    k = DAYS_PER_UNIT["minutes"]
    wrong = lognormal_in_days(45.0 * k, 0.9 * 30.0 * k)
    assert wrong.mean() == pytest.approx(spec.mean_days(), rel=1e-9)
    draws = draw(spec, "negative-control")
    assert draws.mean() == pytest.approx(wrong.mean(), rel=0.03)  # the old mean-only check
    assert stats.kstest(draws, wrong.cdf).pvalue < ALPHA
    assert stats.kstest(draws, reference(spec)[0].cdf).pvalue > ALPHA


@pytest.mark.parametrize(
    ("value", "unit", "days"),
    [
        (90.0, "minutes", 90.0 / 1440.0),
        (1440.0, "minutes", 1.0),
        (36.0, "hours", 1.5),
        (3.0, "days", 3.0),
        (2.0, "weeks", 14.0),
        (12.0, "months", 365.2425),
    ],
)
def test_fixed_sampler_always_gives_the_value_in_days(value, unit, days):
    spec = Fixed(dist="fixed", value=value, unit=unit)
    assert spec.mean_days() == pytest.approx(days, rel=1e-12)
    draws = draw(spec, f"fixed-{unit}", n=1500)  # crosses the refill of a block
    assert draws == pytest.approx(np.full(1500, days), rel=1e-12)


def test_sampler_is_a_pure_function_of_the_stream():
    spec = Gamma(dist="gamma", mean=60.0, sd=20.0, unit="minutes")
    a = Sampler(spec, stream(7, 3, "x"))
    b = Sampler(spec, stream(7, 3, "x"))
    c = Sampler(spec, stream(7, 4, "x"))
    first = [a.draw() for _ in range(1000)]
    assert first == [b.draw() for _ in range(1000)]
    assert first != [c.draw() for _ in range(1000)]
