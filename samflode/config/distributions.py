"""Duration distributions as a scenario specifies them: validated, frozen, each with a unit.

A scenario names every duration as a distribution with an explicit unit (``minutes``, ``hours``,
``days``, ``weeks``, ``months``); the model works in days throughout, so each spec converts to days
once. Drawing from a spec is :mod:`samflode.rng.samplers`' job.
"""

from __future__ import annotations

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


class _Spec(BaseModel):
    """What every duration spec has: a unit, and no NaN or infinity anywhere."""

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
