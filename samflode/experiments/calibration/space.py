"""The parameter space of a calibration: the box it searches, the prior on it, and designs in it.

Every parameter has a box (its prior's bounds). The emulators and the designs work in the unit
cube over that box — log-scaled for a log-uniform prior, so that a rate known only to its order of
magnitude is searched evenly over its orders — and the posterior is computed against the prior's
own density. The distributions are scipy's frozen ones, so no density is written by hand here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats
from scipy.stats import qmc

from samflode.config.calibration import Beta, LogUniform, Normal, Parameter, ParametersFile


def frozen_prior(param: Parameter) -> stats.rv_continuous:
    """The parameter's prior as a frozen scipy distribution (a truncated normal for ``normal``)."""
    p = param.prior
    if isinstance(p, LogUniform):
        return stats.loguniform(p.low, p.high)
    if isinstance(p, Normal):
        return stats.truncnorm((p.low - p.mean) / p.sd, (p.high - p.mean) / p.sd, p.mean, p.sd)
    if isinstance(p, Beta):
        return stats.beta(p.a, p.b, loc=p.low, scale=p.high - p.low)
    return stats.uniform(p.low, p.high - p.low)


@dataclass(frozen=True)
class Space:
    """The parameters of one calibration, in the file's order."""

    parameters: tuple[Parameter, ...]

    @classmethod
    def of(cls, params: ParametersFile) -> Space:
        """The space of a parameters file."""
        return cls(tuple(params.parameters))

    @property
    def names(self) -> list[str]:
        """The parameter names, in order (the columns of every table of points)."""
        return [p.name for p in self.parameters]

    @property
    def dim(self) -> int:
        """The number of parameters."""
        return len(self.parameters)

    def _log(self) -> np.ndarray:
        return np.array([isinstance(p.prior, LogUniform) for p in self.parameters])

    def _bounds(self) -> tuple[np.ndarray, np.ndarray]:
        low = np.array([p.bounds[0] for p in self.parameters], dtype=float)
        high = np.array([p.bounds[1] for p in self.parameters], dtype=float)
        logs = self._log()
        low[logs], high[logs] = np.log(low[logs]), np.log(high[logs])
        return low, high

    def to_unit(self, values: np.ndarray) -> np.ndarray:
        """Parameter values (n × d) → the unit cube the emulators see."""
        values = np.array(values, dtype=float, ndmin=2)
        logs = self._log()
        values[:, logs] = np.log(values[:, logs])
        low, high = self._bounds()
        return (values - low) / (high - low)

    def from_unit(self, unit: np.ndarray) -> np.ndarray:
        """Points of the unit cube (n × d) → parameter values."""
        unit = np.asarray(unit, dtype=float)
        low, high = self._bounds()
        values = low + unit * (high - low)
        logs = self._log()
        values[:, logs] = np.exp(values[:, logs])
        # Clipped to the box: exp(log(x)) may step a last bit outside it.
        box_low = np.array([p.bounds[0] for p in self.parameters])
        box_high = np.array([p.bounds[1] for p in self.parameters])
        return np.clip(values, box_low, box_high)

    def log_prior(self, values: np.ndarray) -> np.ndarray:
        """The log prior density of each point (n × d → n), −inf outside the box."""
        values = np.asarray(values, dtype=float)
        total = np.zeros(len(values))
        for j, param in enumerate(self.parameters):
            total += frozen_prior(param).logpdf(values[:, j])
        return total

    def sample_prior(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` independent draws from the prior (n × d)."""
        u = rng.random((n, self.dim))
        return np.column_stack(
            [frozen_prior(p).ppf(u[:, j]) for j, p in enumerate(self.parameters)]
        )

    def design(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """A Latin hypercube of ``n`` points over the box (n × d, parameter values).

        Even over the box, not the prior: the emulators must be good wherever the posterior might
        be, and the prior enters the posterior through its density.
        """
        sampler = qmc.LatinHypercube(d=self.dim, rng=rng)
        return self.from_unit(sampler.random(n))

    def table(self, values: np.ndarray) -> list[dict[str, float]]:
        """Points as ``{name: value}`` dicts (what :func:`~samflode.config.calibration.apply`
        takes).
        """
        return [dict(zip(self.names, map(float, row), strict=True)) for row in values]


def maximin_subset(points: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """The indices of ``n`` of ``points`` (in the unit cube) spread as far apart as greedily can be.

    The next design wave is chosen this way from the points not ruled out, so it covers what
    survives instead of piling up where the surviving cloud is dense.
    """
    if len(points) <= n:
        return np.arange(len(points))
    chosen = [int(rng.integers(len(points)))]
    nearest = np.linalg.norm(points - points[chosen[0]], axis=1)
    for _ in range(n - 1):
        nxt = int(np.argmax(nearest))
        chosen.append(nxt)
        nearest = np.minimum(nearest, np.linalg.norm(points - points[nxt], axis=1))
    return np.array(chosen)


def names_of(values: Sequence[dict[str, float]], names: Sequence[str]) -> np.ndarray:
    """``{name: value}`` points back to an array (n × d) in the order of ``names``."""
    return np.array([[float(v[k]) for k in names] for v in values], dtype=float)
