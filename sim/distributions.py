"""Duration distributions: their validated specification and a fast sampler for each.

A scenario names every duration as a distribution with an explicit unit (``minutes``, ``hours``,
``days``, ``weeks``, ``months``); the model works in days throughout, so each spec converts to days
once. Samplers draw from their own named :mod:`numpy` generator in blocks: a scalar numpy call costs
about as much as a SimPy event, and drawing a block of standard variates and scaling it keeps the
per-participant cost near that of bare SimPy while giving exactly the same sequence for a
given seed.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

DAYS_PER_UNIT: dict[str, float] = {
    "minutes": 1.0 / 1440.0,
    "hours": 1.0 / 24.0,
    "days": 1.0,
    "weeks": 7.0,
    # A month is a twelfth of the mean Gregorian year (365.2425 / 12 days).
    "months": 365.2425 / 12.0,
}
Unit = Literal["minutes", "hours", "days", "weeks", "months"]
BLOCK = 512


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)
    unit: Unit = Field(description="time unit of the parameters; converted to days")

    @property
    def scale_days(self) -> float:
        """Days per unit of this spec."""
        return DAYS_PER_UNIT[self.unit]


class Exponential(_Spec):
    """Memoryless duration, the M in M/M/c: used where queueing theory must apply."""

    dist: Literal["exponential"]
    mean: float = Field(gt=0, le=1e6)

    def mean_days(self) -> float:
        """Expected value in days."""
        return self.mean * self.scale_days


class Lognormal(_Spec):
    """Right-skewed duration given by its own mean and standard deviation (not log-scale ones)."""

    dist: Literal["lognormal"]
    mean: float = Field(gt=0, le=1e6)
    sd: float = Field(gt=0, le=1e6)

    def mean_days(self) -> float:
        """Expected value in days."""
        return self.mean * self.scale_days


class Gamma(_Spec):
    """Duration with mean and standard deviation; shape = (mean/sd)^2."""

    dist: Literal["gamma"]
    mean: float = Field(gt=0, le=1e6)
    sd: float = Field(gt=0, le=1e6)

    def mean_days(self) -> float:
        """Expected value in days."""
        return self.mean * self.scale_days


class Triangular(_Spec):
    """Expert-judgement duration: least, most likely and greatest value."""

    dist: Literal["triangular"]
    low: float = Field(ge=0, le=1e6)
    mode: float = Field(ge=0, le=1e6)
    high: float = Field(ge=0, le=1e6)

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not (self.low <= self.mode <= self.high) or self.low == self.high:
            raise ValueError(
                "needs low <= mode <= high and low < high "
                f"(got {self.low}, {self.mode}, {self.high})"
            )
        return self

    def mean_days(self) -> float:
        """Expected value in days."""
        return (self.low + self.mode + self.high) / 3.0 * self.scale_days


class Fixed(_Spec):
    """A deterministic duration (used by the deterministic-pathway tests)."""

    dist: Literal["fixed"]
    value: float = Field(ge=0, le=1e6)

    def mean_days(self) -> float:
        """Expected value in days."""
        return self.value * self.scale_days


class Empirical(_Spec):
    """Observed durations resampled with optional weights (e.g. from project records)."""

    dist: Literal["empirical"]
    values: list[Annotated[float, Field(ge=0, le=1e6)]] = Field(min_length=1)
    weights: list[Annotated[float, Field(ge=0)]] | None = None

    @model_validator(mode="after")
    def _weights(self) -> Empirical:
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError(
                    f"weights must have one entry per value ({len(self.values)}), "
                    f"got {len(self.weights)}"
                )
            if sum(self.weights) <= 0:
                raise ValueError("weights must not all be zero")
        return self

    def mean_days(self) -> float:
        """Expected value in days."""
        w = np.ones(len(self.values)) if self.weights is None else np.asarray(self.weights)
        return float(np.dot(self.values, w) / w.sum()) * self.scale_days


Distribution = Annotated[
    Exponential | Lognormal | Gamma | Triangular | Fixed | Empirical, Field(discriminator="dist")
]
DIST_NAMES = ("exponential", "lognormal", "gamma", "triangular", "fixed", "empirical")


class Sampler:
    """Draws durations in days from one spec and one generator, a block at a time.

    ``draw()`` is the hot path: it pops from a pre-drawn block and refills when empty. Blocks are
    always the same size, so the sequence is a pure function of the generator's seed.
    """

    __slots__ = ("_block", "_i", "_fill", "mean_days")

    def __init__(self, spec: _Spec, rng: np.random.Generator) -> None:
        self._fill = _block_filler(spec, rng)
        self._block: list[float] = []
        self._i = 0
        self.mean_days = spec.mean_days()  # type: ignore[attr-defined]

    def draw(self) -> float:
        """Return the next duration in days."""
        i = self._i
        if i == len(self._block):
            self._block = self._fill()
            i = 0
        self._i = i + 1
        return self._block[i]


def _block_filler(spec: _Spec, rng: np.random.Generator):  # noqa: ANN202 - returns a closure
    k = spec.scale_days
    if isinstance(spec, Exponential):
        mean = spec.mean * k
        return lambda: (rng.standard_exponential(BLOCK) * mean).tolist()
    if isinstance(spec, Lognormal):
        sigma2 = math.log1p((spec.sd / spec.mean) ** 2)
        mu = math.log(spec.mean * k) - sigma2 / 2.0
        sigma = math.sqrt(sigma2)
        return lambda: np.exp(mu + sigma * rng.standard_normal(BLOCK)).tolist()
    if isinstance(spec, Gamma):
        shape = (spec.mean / spec.sd) ** 2
        scale = spec.sd**2 / spec.mean * k
        return lambda: (rng.standard_gamma(shape, BLOCK) * scale).tolist()
    if isinstance(spec, Triangular):
        lo, mo, hi = spec.low * k, spec.mode * k, spec.high * k
        return lambda: rng.triangular(lo, mo, hi, BLOCK).tolist()
    if isinstance(spec, Fixed):
        value = spec.value * k
        block = [value] * BLOCK
        return lambda: block
    if isinstance(spec, Empirical):
        values = np.asarray(spec.values, dtype=float) * k
        p = None if spec.weights is None else np.asarray(spec.weights) / sum(spec.weights)
        return lambda: rng.choice(values, size=BLOCK, p=p).tolist()
    raise TypeError(f"unknown distribution spec {type(spec).__name__}")


class UniformBlock:
    """Uniform(0, 1) numbers from one generator, a block at a time (for routing decisions)."""

    __slots__ = ("_block", "_i", "_rng")

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._block: list[float] = []
        self._i = 0

    def draw(self) -> float:
        """Return the next uniform number."""
        i = self._i
        if i == len(self._block):
            self._block = self._rng.random(BLOCK).tolist()
            i = 0
        self._i = i + 1
        return self._block[i]
