"""Duration distributions as a scenario specifies them: validated, frozen, each with a unit.

A scenario names every duration as a distribution with an explicit unit (``minutes``, ``hours``,
``days``, ``weeks``, ``months``); the model works in days throughout, so each spec converts to days
once. Drawing from a spec is :mod:`samflode.rng.samplers`' job.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

DAYS_PER_UNIT: dict[str, float] = {
    "minutes": 1.0 / 1440.0,
    "hours": 1.0 / 24.0,
    "days": 1.0,
    "weeks": 7.0,
    # A month is a twelfth of the mean Gregorian year (365.2425 / 12 days).
    "months": 365.2425 / 12.0,
}
Unit = Literal["minutes", "hours", "days", "weeks", "months"]


class NoBoolNumbers(BaseModel):
    """A model whose number fields refuse ``true``/``false``.

    Pydantic's lax mode reads ``horizon_days: true`` as 1.0 (and YAML reads ``yes``/``on`` as
    true), so a slip in a scenario file would silently become a number. A boolean given to a
    number field is handed on as the text it was written as, which the field then refuses with
    its usual message, at the field's own place.
    """

    @model_validator(mode="before")
    @classmethod
    def _no_bool_for_numbers(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        changed = None
        for name, field in cls.model_fields.items():
            value = data.get(name)
            fixed = _bools_as_text(value, field.annotation)
            if fixed is not value:
                changed = changed or dict(data)
                changed[name] = fixed
        return data if changed is None else changed



class Section(NoBoolNumbers):
    """The base of every scenario section: immutable, unknown keys refused, no inf or nan."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


# A name in a scenario file (a pool, a group, an intervention type, …).
Ident = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]

def _bools_as_text(value: Any, annotation: Any) -> Any:
    """``value`` with every boolean that stands where ``annotation`` wants a number (directly, in
    a list or as a mapping's value) replaced by its text; ``value`` itself if there is none.
    """
    kinds = _kinds(annotation)
    if isinstance(value, bool):
        return str(value).lower() if kinds & {int, float} and bool not in kinds else value
    if isinstance(value, list) and any(isinstance(v, bool) for v in value):
        inner = set().union(*(_kinds(get_args(k)[0]) for k in kinds if get_origin(k) is list))
        if inner & {int, float} and bool not in inner:
            return [str(v).lower() if isinstance(v, bool) else v for v in value]
    if isinstance(value, dict) and any(isinstance(v, bool) for v in value.values()):
        inner = set().union(*(_kinds(get_args(k)[1]) for k in kinds if get_origin(k) is dict))
        if inner & {int, float} and bool not in inner:
            return {k: str(v).lower() if isinstance(v, bool) else v for k, v in value.items()}
    return value


def _kinds(annotation: Any) -> set:
    """The types an annotation allows, with Annotated and unions unpacked (``int | None`` →
    {int, NoneType}; ``list[Annotated[int, …]]`` stays one list type).
    """
    origin = get_origin(annotation)
    if origin is Annotated:
        return _kinds(get_args(annotation)[0])
    if origin in (Union, UnionType):
        return set().union(*(_kinds(a) for a in get_args(annotation)))
    return {annotation}


class _Spec(NoBoolNumbers):
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


# sd / mean of a lognormal or gamma spec: outside this range the derived parameters (gamma shape
# (mean/sd)², lognormal σ² = log(1 + (sd/mean)²)) overflow or lose all precision.
CV_RANGE = (1e-6, 1e3)


def _check_ratio(mean: float, sd: float) -> None:
    low, high = CV_RANGE
    ratio = sd / mean
    if not low <= ratio <= high:
        raise ValueError(
            f"sd / mean must be between {low:g} and {high:g} (got {ratio:.3g}); "
            "for a duration that does not vary use dist: fixed"
        )


class Lognormal(_Spec):
    """Right-skewed duration given by its own mean and standard deviation (not log-scale ones)."""

    dist: Literal["lognormal"]
    mean: float = Field(gt=0, le=1e6)
    sd: float = Field(gt=0, le=1e6)

    @model_validator(mode="after")
    def _ratio(self) -> Lognormal:
        _check_ratio(self.mean, self.sd)
        return self

    def mean_days(self) -> float:
        """Expected value in days."""
        return self.mean * self.scale_days


class Gamma(_Spec):
    """Duration with mean and standard deviation; shape = (mean/sd)^2."""

    dist: Literal["gamma"]
    mean: float = Field(gt=0, le=1e6)
    sd: float = Field(gt=0, le=1e6)

    @model_validator(mode="after")
    def _ratio(self) -> Gamma:
        _check_ratio(self.mean, self.sd)
        return self

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

    @field_validator("weights")
    @classmethod
    def _weights_sum(cls, weights: list[float] | None) -> list[float] | None:
        if weights is not None:
            check_weights(weights)
        return weights

    @model_validator(mode="after")
    def _weights(self) -> Empirical:
        if self.weights is not None and len(self.weights) != len(self.values):
            raise ValueError(
                f"weights must have one entry per value ({len(self.values)}), "
                f"got {len(self.weights)}"
            )
        return self

    def mean_days(self) -> float:
        """Expected value in days."""
        w = np.ones(len(self.values)) if self.weights is None else np.asarray(self.weights)
        return float(np.dot(self.values, w) / w.sum()) * self.scale_days


def repeated(names: Iterable[str]) -> list[str]:
    """The names that occur more than once, sorted (for "must be unique" messages)."""
    counts = Counter(names)
    return sorted(n for n, k in counts.items() if k > 1)


def check_weights(weights: list[float]) -> None:
    """ValueError unless ``weights`` can be normalised: not all zero, and a sum that is finite
    (``[1e308, 1e308]`` are each finite, but their sum is not, and every draw would be the last).
    """
    total = sum(weights)
    if total <= 0:
        raise ValueError("weights must not all be zero")
    if not math.isfinite(total):
        raise ValueError("weights are too large: their sum is not a finite number; scale them down")


Distribution = Annotated[
    Exponential | Lognormal | Gamma | Triangular | Fixed | Empirical, Field(discriminator="dist")
]
DIST_NAMES = ("exponential", "lognormal", "gamma", "triangular", "fixed", "empirical")
