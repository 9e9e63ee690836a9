"""The two files a calibration reads: what was observed (targets) and what may vary (parameters).

A *targets* file lists observations of KPIs, each with its uncertainty in the form the source
gives it — a count of a denominator for a share (``count: {successes, trials}``), a standard
error, or a range — and its source. ``holdout: true`` marks a target used only to check a fit.
A *parameters* file lists the parameters to fit: each is one or more dotted paths into the
scenarios (list entries by index or by a field, ``exit.outcomes[intervention=ali].keep_90d``), a
prior and, where the prior is unbounded, bounds; a parameter may be shared by several scenarios
(the AMiA sites share the outcome model's coefficients).

Both are validated like scenario files: a bad file raises :class:`ScenarioError` naming the
file, the field and the allowed range (the CLI exits 2). Whether a target's KPI exists and a
parameter's path reaches a number is checked against the scenarios themselves
(:func:`check_parameters`; KPI names in :mod:`samflode.experiments`), since this layer does not
know the KPIs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError, model_validator

from samflode.config.distributions import Ident, Section, repeated
from samflode.config.loader import (
    ScenarioError,
    format_validation_error,
    read_mapping,
)
from samflode.config.scenario import Scenario
from samflode.config.variants import set_path, variant

# Agreement between a share and its count: the seeds round shares to whole per cent.
COUNT_TOLERANCE = 0.01
Finite = Annotated[float, Field(allow_inf_nan=False)]


class Count(Section):
    """A share observed as ``successes`` of ``trials`` (the binomial noise model uses both)."""

    successes: int = Field(ge=0, le=10_000_000)
    trials: int = Field(ge=1, le=10_000_000)

    @model_validator(mode="after")
    def _at_most_trials(self) -> Count:
        if self.successes > self.trials:
            raise ValueError(f"successes ({self.successes}) > trials ({self.trials})")
        return self


class Target(Section):
    """One observed KPI value and how sure it is."""

    name: Ident
    scenario: Ident | None = Field(
        default=None, description="the key of the scenario it observes (a file's stem)"
    )
    pooled: list[Ident] | None = Field(
        default=None,
        min_length=2,
        description="held-out only: the KPI over several scenarios together, weighted by arrivals",
    )
    kpi: Ident
    observed: Finite
    count: Count | None = None
    se: float | None = Field(default=None, gt=0, le=1e9, description="standard error")
    range: tuple[Finite, Finite] | None = Field(default=None, description="low, high")
    source: str = Field(min_length=1, max_length=2000)
    holdout: bool = False
    discrepancy: float = Field(
        default=0.0,
        ge=0,
        le=1e9,
        description="model discrepancy: an sd, in the KPI's units, for what the model leaves out",
    )
    note: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _one_uncertainty(self) -> Target:
        if (self.scenario is None) == (self.pooled is None):
            raise ValueError("give exactly one of scenario (one site) or pooled (several)")
        if self.pooled is not None and not self.holdout:
            raise ValueError(
                "pooled targets are checked, not fitted: set holdout: true (the emulators fit "
                "one scenario's KPI each)"
            )
        given = [k for k in ("count", "se", "range") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one uncertainty: count, se or range "
                f"(got {', '.join(given) or 'none'})"
            )
        if self.count is not None:
            share = self.count.successes / self.count.trials
            if abs(share - self.observed) > COUNT_TOLERANCE:
                raise ValueError(
                    f"observed {self.observed} is not count {self.count.successes}/"
                    f"{self.count.trials} = {share:.3f} (within {COUNT_TOLERANCE})"
                )
        if self.range is not None:
            low, high = self.range
            if not low <= self.observed <= high:
                raise ValueError(f"observed {self.observed} lies outside range [{low}, {high}]")
        return self

    @property
    def sd(self) -> float:
        """The observation's standard deviation: the count's binomial one, the se, or a range
        read as ± 2 sd (a 95 % interval).
        """
        if self.count is not None:
            p = self.count.successes / self.count.trials
            # Never 0: a share of 0 or 1 observed in n trials is uncertain by about 1/n.
            return math.sqrt(max(p * (1 - p), 1 / self.count.trials) / self.count.trials)
        if self.se is not None:
            return self.se
        low, high = self.range  # type: ignore[misc]
        return (high - low) / 4


    @property
    def keys(self) -> list[str]:
        """The scenarios it reads."""
        return list(self.pooled) if self.pooled is not None else [self.scenario]  # type: ignore[list-item]


class Order(Section):
    """A documented ranking, checked (never fitted): the KPI is higher at ``higher`` than at
    ``lower`` (every one of the first above every one of the second).
    """

    name: Ident
    kpi: Ident
    higher: list[Ident] = Field(min_length=1)
    lower: list[Ident] = Field(min_length=1)
    source: str = Field(min_length=1, max_length=2000)
    note: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _apart(self) -> Order:
        both = sorted(set(self.higher) & set(self.lower))
        if both:
            raise ValueError(f"{both} both in higher and in lower")
        return self


class TargetsFile(Section):
    """A targets file: ``targets:`` a list of :class:`Target`, names unique; ``orders:``
    documented rankings to check.
    """

    targets: list[Target] = Field(min_length=1, max_length=10_000)
    orders: list[Order] = Field(default_factory=list, max_length=1000)

    @model_validator(mode="after")
    def _unique(self) -> TargetsFile:
        twice = repeated([*(t.name for t in self.targets), *(o.name for o in self.orders)])
        if twice:
            raise ValueError(f"target names must be unique; twice: {twice}")
        if all(t.holdout for t in self.targets):
            raise ValueError("every target is a holdout: at least one must be fitted")
        return self


class Uniform(Section):
    """Uniform on [low, high]."""

    dist: Literal["uniform"]
    low: Finite
    high: Finite


class LogUniform(Section):
    """log-uniform on [low, high], both > 0: for a rate whose order of magnitude is unknown."""

    dist: Literal["log_uniform"]
    low: float = Field(gt=0, le=1e12)
    high: float = Field(gt=0, le=1e12)


class Normal(Section):
    """A normal prior, cut to [low, high] (both needed: a calibration searches a bounded box)."""

    dist: Literal["normal"]
    mean: Finite
    sd: float = Field(gt=0, le=1e12)
    low: Finite
    high: Finite


class Beta(Section):
    """A beta(a, b) prior stretched over [low, high] (default [0, 1], for a share)."""

    dist: Literal["beta"]
    a: float = Field(gt=0, le=1e6)
    b: float = Field(gt=0, le=1e6)
    low: Finite = 0.0
    high: Finite = 1.0


Prior = Annotated[Uniform | LogUniform | Normal | Beta, Field(discriminator="dist")]


class Parameter(Section):
    """One parameter: where it goes in the scenarios, and its prior."""

    name: Ident
    paths: list[str] = Field(min_length=1, max_length=100)
    scenarios: list[Ident] | None = Field(
        default=None, description="the scenarios it is set in; none = every scenario"
    )
    prior: Prior
    source: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _bounds(self) -> Parameter:
        if not self.prior.low < self.prior.high:
            raise ValueError(f"prior: need low < high (got {self.prior.low}, {self.prior.high})")
        if isinstance(self.prior, Normal) and not (
            self.prior.low <= self.prior.mean <= self.prior.high
        ):
            raise ValueError(
                f"prior: mean {self.prior.mean} outside [{self.prior.low}, {self.prior.high}]"
            )
        return self

    @property
    def bounds(self) -> tuple[float, float]:
        """The box the calibration searches."""
        return float(self.prior.low), float(self.prior.high)


class ParametersFile(Section):
    """A parameters file: ``parameters:`` a list of :class:`Parameter`, names unique."""

    parameters: list[Parameter] = Field(min_length=1, max_length=100)

    @model_validator(mode="after")
    def _unique(self) -> ParametersFile:
        twice = repeated(p.name for p in self.parameters)
        if twice:
            raise ValueError(f"parameter names must be unique; twice: {twice}")
        return self


def _load(path: str | Path, model: type[Section], what: str) -> Section:
    path = Path(path)
    raw = read_mapping(path, what=what)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(format_validation_error(exc, str(path))) from None


def load_targets(path: str | Path) -> TargetsFile:
    """A validated targets file; ScenarioError (file, field, allowed range) if it is bad."""
    return _load(path, TargetsFile, "targets")  # type: ignore[return-value]


def load_parameters(path: str | Path) -> ParametersFile:
    """A validated parameters file; ScenarioError (file, field, allowed range) if it is bad."""
    return _load(path, ParametersFile, "parameters")  # type: ignore[return-value]


def check_targets(targets: TargetsFile, scenarios: Mapping[str, Scenario], origin: str) -> None:
    """Every target observes a scenario that is given; ScenarioError naming the target if not."""
    for i, target in enumerate(targets.targets):
        field = "scenario" if target.pooled is None else "pooled"
        for key in target.keys:
            if key not in scenarios:
                raise ScenarioError(
                    f"{origin}: targets[{i}].{field}: {key!r} is not among the scenarios "
                    f"given ({', '.join(scenarios)})"
                )
    for i, order in enumerate(targets.orders):
        for field in ("higher", "lower"):
            for key in getattr(order, field):
                if key not in scenarios:
                    raise ScenarioError(
                        f"{origin}: orders[{i}].{field}: {key!r} is not among the scenarios "
                        f"given ({', '.join(scenarios)})"
                    )


def check_parameters(
    params: ParametersFile, scenarios: Mapping[str, Scenario], origin: str
) -> None:
    """Every parameter's scenarios exist and each of its paths reaches a number in them.

    A dry run: the path is set, in a copy of each scenario's dump, to the prior's lower bound, so
    a path that names no field, a section or an ambiguous list entry fails here, before any run.
    """
    dumps = {key: sc.model_dump() for key, sc in scenarios.items()}
    for i, param in enumerate(params.parameters):
        keys = param.scenarios if param.scenarios is not None else list(scenarios)
        unknown = sorted(set(keys) - set(scenarios))
        if unknown:
            raise ScenarioError(
                f"{origin}: parameters[{i}].scenarios: {unknown} not among the scenarios given "
                f"({', '.join(scenarios)})"
            )
        for j, path in enumerate(param.paths):
            for key in keys:
                set_path(
                    dumps[key],
                    path,
                    param.bounds[0],
                    origin=f"{origin}: parameters[{i}].paths[{j}] in scenario {key}",
                )


def apply(
    params: ParametersFile,
    values: Mapping[str, float],
    scenarios: Mapping[str, Scenario],
    origin: str,
) -> dict[str, Scenario]:
    """The scenarios with each parameter set to its value (validated like a file)."""
    changes: dict[str, dict[str, float]] = {key: {} for key in scenarios}
    for param in params.parameters:
        for key in param.scenarios if param.scenarios is not None else scenarios:
            for path in param.paths:
                changes[key][path] = float(values[param.name])
    return {
        key: variant(sc, changes[key], origin=f"{origin} ({key})") if changes[key] else sc
        for key, sc in scenarios.items()
    }
