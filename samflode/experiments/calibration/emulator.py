"""Gaussian-process emulators: what the simulator would give for a KPI, between the points it ran.

One emulator per target KPI, fitted by scikit-learn's :class:`GaussianProcessRegressor` to the
mean over replications at each design point (in the unit cube). The simulator is noisy, and its
noise is known rather than guessed: the replications at each point give the run-to-run variance,
pooled over points, and ``alpha`` (the nugget) is that variance over the number of replications —
so the emulator's variance is its uncertainty about the *expected* KPI, and the run-to-run variance
of one replication (one plausible project) is kept beside it for the likelihood.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Matern

# A floor on the nugget, relative to the output's variance: keeps the solve well posed when the
# replications happen to agree exactly (a KPI that a parameter does not move).
JITTER = 1e-6


@dataclass
class Emulator:
    """One target's emulator: predict(unit points) → mean and sd of its expected KPI."""

    name: str
    gp: GaussianProcessRegressor
    centre: float
    scale: float
    run_variance: float  # of one replication, pooled over the design points
    points: int

    def predict(self, unit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean and standard deviation of the expected KPI at each point of the unit cube."""
        mean, sd = self.gp.predict(np.asarray(unit, dtype=float), return_std=True)
        return self.centre + self.scale * mean, self.scale * sd

    @property
    def kernel(self) -> str:
        """The fitted kernel, for the record (length scales per parameter)."""
        return str(self.gp.kernel_)


def fit_emulator(
    name: str,
    unit: np.ndarray,
    runs: np.ndarray,
    *,
    random_state: int,
) -> Emulator | None:
    """Fit the emulator of target ``name`` to ``runs`` (points × replications, NaN where a
    replication has no value) at ``unit`` (points × d); None if fewer than three points have one.
    """
    runs = np.asarray(runs, dtype=float)
    have = np.isfinite(runs)
    counts = have.sum(axis=1)
    keep = counts > 0
    if keep.sum() < 3:
        return None
    means = np.array([runs[i, have[i]].mean() for i in np.flatnonzero(keep)])
    # Pooled within-point variance of one replication (points with ≥ 2 values).
    spread = [runs[i, have[i]].var(ddof=1) for i in np.flatnonzero(counts >= 2)]
    run_variance = float(np.mean(spread)) if spread else 0.0
    centre = float(means.mean())
    scale = float(means.std()) or 1.0
    if not math.isfinite(scale) or scale <= 0:
        scale = 1.0
    y = (means - centre) / scale
    alpha = run_variance / counts[keep] / scale**2 + JITTER
    d = unit.shape[1]
    kernel = ConstantKernel(1.0, (1e-3, 1e3)) * Matern(
        length_scale=np.full(d, 0.5), length_scale_bounds=(0.03, 30.0), nu=2.5
    )
    gp = GaussianProcessRegressor(
        kernel=kernel,
        alpha=alpha,
        normalize_y=False,
        n_restarts_optimizer=2,
        random_state=random_state,
    )
    with warnings.catch_warnings():
        # A length scale at its bound means the KPI hardly moves along that parameter: a finding
        # (reported by the kernel in calibration.json), not a failure.
        warnings.simplefilter("ignore", ConvergenceWarning)
        gp.fit(np.asarray(unit, dtype=float)[keep], y)
    return Emulator(name, gp, centre, scale, run_variance, int(keep.sum()))
