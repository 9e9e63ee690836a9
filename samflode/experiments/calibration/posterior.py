"""History matching and the posterior, both on the emulators: implausibility, likelihood, weights.

For a fitted target t with observed value z, observation sd σ_obs and discrepancy sd δ, at a point
θ where its emulator says mean μ(θ) and sd s(θ), the variance that separates z from μ is

    V(θ) = max(σ_obs², σ_run²) + δ² + s(θ)²,

σ_run² being the simulator's run-to-run variance of one replication (the observed project is one
realisation; for a share observed as a count, σ_obs² is the binomial variance of that realisation,
so the larger of the two is used, never their sum). The implausibility is I = |z − μ| / √V, and a
point is *not ruled out yet* (NROY) while the largest I over the fitted targets is below the
cut-off (3, by Pukelsheim's three-sigma rule, as in history matching). The likelihood is Gaussian
with that mean and variance, and the posterior is found by importance sampling: draws from the
prior, then from a Gaussian fitted to the weighted draws mixed with the prior (a defensive mixture,
so no part of the prior is left unproposed), each weighted by prior × likelihood / proposal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats
from scipy.special import logsumexp

from samflode.config.calibration import Target
from samflode.experiments.calibration.emulator import Emulator
from samflode.experiments.calibration.space import Space

CUTOFF = 3.0
# The share of the second-round proposal that is the prior itself (defensive importance sampling).
DEFENSIVE = 0.2
# How much the fitted Gaussian is widened before it proposes (its covariance × this).
WIDEN = 2.0


@dataclass(frozen=True)
class Matched:
    """The fitted targets with their emulators, in one order."""

    targets: tuple[Target, ...]
    emulators: tuple[Emulator, ...]

    def variance_floor(self) -> np.ndarray:
        """max(σ_obs², σ_run²) + δ² per target: V without the emulator's own uncertainty."""
        return np.array(
            [
                max(t.sd**2, e.run_variance) + t.discrepancy**2
                for t, e in zip(self.targets, self.emulators, strict=True)
            ]
        )

    def predict(self, unit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Emulator means and variances, points × targets."""
        means, variances = [], []
        for emulator in self.emulators:
            mean, sd = emulator.predict(unit)
            means.append(mean)
            variances.append(sd**2)
        return np.column_stack(means), np.column_stack(variances)

    def implausibility(self, unit: np.ndarray) -> np.ndarray:
        """I per point and target (points × targets)."""
        mean, var = self.predict(unit)
        observed = np.array([t.observed for t in self.targets])
        return np.abs(observed - mean) / np.sqrt(var + self.variance_floor())

    def log_likelihood(self, unit: np.ndarray) -> np.ndarray:
        """The Gaussian log likelihood of the fitted targets at each point."""
        mean, var = self.predict(unit)
        total = var + self.variance_floor()
        observed = np.array([t.observed for t in self.targets])
        return stats.norm.logpdf(observed, mean, np.sqrt(total)).sum(axis=1)


def effective_sample_size(log_weights: np.ndarray) -> float:
    """Kish's effective sample size of importance weights given as logs."""
    finite = log_weights[np.isfinite(log_weights)]
    if finite.size == 0:
        return 0.0
    w = np.exp(finite - logsumexp(finite))
    return float(1.0 / np.sum(w**2))


@dataclass(frozen=True)
class Posterior:
    """Equally weighted posterior draws and what the importance sampling that gave them saw."""

    draws: np.ndarray  # n × d parameter values
    ess: float
    proposals: int
    nroy_share: float  # of the prior's mass not ruled out, estimated from the first round


def _weights(space: Space, matched: Matched, values: np.ndarray, log_q: np.ndarray) -> np.ndarray:
    log_prior = space.log_prior(values)
    inside = np.isfinite(log_prior)
    log_w = np.full(len(values), -np.inf)
    if inside.any():
        unit = space.to_unit(values[inside])
        log_w[inside] = log_prior[inside] + matched.log_likelihood(unit) - log_q[inside]
    return log_w


def importance_posterior(
    space: Space,
    matched: Matched,
    rng: np.random.Generator,
    *,
    proposals: int = 20_000,
    draws: int = 4_000,
) -> Posterior:
    """The posterior on the emulators, by two rounds of importance sampling (module docstring)."""
    first = space.sample_prior(proposals, rng)
    log_w = _weights(space, matched, first, space.log_prior(first))
    nroy = float(np.mean(matched.implausibility(space.to_unit(first)).max(axis=1) < CUTOFF))
    values, final = first, log_w
    if np.isfinite(log_w).any():
        w = np.exp(log_w - logsumexp(log_w))
        mean = w @ first
        centred = first - mean
        cov = (centred * w[:, None]).T @ centred * WIDEN
        # A floor on the spread: a posterior narrower than 1 % of the box is still proposed around.
        box = np.array([p.bounds[1] - p.bounds[0] for p in space.parameters])
        cov += np.diag((0.01 * box) ** 2)
        gauss = stats.multivariate_normal(mean, cov, allow_singular=True)
        n_gauss = rng.binomial(proposals, 1 - DEFENSIVE)
        second = np.vstack(
            [
                gauss.rvs(size=n_gauss, random_state=rng).reshape(n_gauss, space.dim),
                space.sample_prior(proposals - n_gauss, rng),
            ]
        )
        log_prior = space.log_prior(second)
        log_q = np.logaddexp(
            np.log(1 - DEFENSIVE) + gauss.logpdf(second).reshape(-1),
            np.log(DEFENSIVE) + log_prior,
        )
        values, final = second, _weights(space, matched, second, log_q)
    if not np.isfinite(final).any():
        raise ValueError("every proposal has zero weight: the emulators or the prior are broken")
    w = np.exp(final - logsumexp(final))
    picked = systematic_resample(w, draws, rng)
    return Posterior(values[picked], effective_sample_size(final), 2 * proposals, nroy)


def systematic_resample(weights: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``n`` equally weighted draws from normalised ``weights`` (systematic)."""
    positions = (rng.random() + np.arange(n)) / n
    cumulative = np.cumsum(weights)
    cumulative[-1] = 1.0
    return np.searchsorted(cumulative, positions)


def nroy_points(
    space: Space, matched: Matched, rng: np.random.Generator, candidates: int
) -> tuple[np.ndarray, float]:
    """Candidate points (unit cube) not ruled out, from a Latin hypercube over the box, and the
    share of the box they are.
    """
    unit = space.to_unit(space.design(candidates, rng))
    keep = matched.implausibility(unit).max(axis=1) < CUTOFF
    return unit[keep], float(keep.mean())


def matched_of(targets: Sequence[Target], emulators: Sequence[Emulator | None]) -> Matched:
    """The targets that have an emulator (a KPI with no value anywhere has none)."""
    pairs = [(t, e) for t, e in zip(targets, emulators, strict=True) if e is not None]
    return Matched(tuple(t for t, _ in pairs), tuple(e for _, e in pairs))
