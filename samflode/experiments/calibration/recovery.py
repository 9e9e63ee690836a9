"""Parameter recovery: calibrate against targets the model itself generated at known values.

A calibration is only worth something if, fed data from known parameters, its intervals hold
those parameters as often as they say (simulation-based calibration). Here a *true* point is
drawn from the prior, the scenarios run at it once with a seed the calibration never uses (one
plausible project), its KPIs become the targets, and the calibration's 50 % and 90 % intervals
are checked against the truth. The synthetic observations carry a tiny standard error: their
noise is the simulator's own run-to-run noise, which the calibration's likelihood already counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from samflode.config.calibration import ParametersFile, TargetsFile, apply
from samflode.config.scenario import Scenario
from samflode.execution.tasks import run_one_kpis
from samflode.experiments.calibration.calibrate import Calibration, calibrate
from samflode.experiments.calibration.space import Space
from samflode.rng.streams import stream

# The recovery problem of the benchmark and the tests: an M/M/1 queue whose weekly inflow and mean
# service time are the parameters (λ = 0.7 a day and 0.8 days in the middle of their boxes).
MM1_PARAMETERS = {
    "parameters": [
        {
            "name": "inflow",
            "paths": ["groups.arbetslosa.inflow_per_week"],
            "prior": {"dist": "uniform", "low": 3.5, "high": 5.6},
        },
        {
            "name": "service",
            "paths": ["forum.triage_duration.mean"],
            "prior": {"dist": "uniform", "low": 0.5, "high": 1.0},
        },
    ]
}
MM1_KPIS = {"mm1": ["arrivals", "utilisation_forum", "days_to_first_meeting_mean"]}

# The seed of the synthetic projects: far from the calibrations' own seeds.
TRUTH_SEED = 900_001
SYNTHETIC_SE = 1e-6


def draw_truths(params: ParametersFile, n: int, seed: int) -> list[dict[str, float]]:
    """``n`` true parameter sets drawn from the prior."""
    space = Space.of(params)
    return space.table(space.sample_prior(n, stream(seed, 0, "recovery/truths")))


def synthetic_targets(
    scenarios: Mapping[str, Scenario],
    params: ParametersFile,
    truth: Mapping[str, float],
    kpis: Mapping[str, Sequence[str]],
    replication: int,
) -> TargetsFile:
    """The KPIs of one replication at ``truth``, as a targets file (one target per KPI)."""
    variants = apply(params, truth, scenarios, "recovery")
    targets = []
    for key, names in kpis.items():
        values = run_one_kpis(variants[key], TRUTH_SEED, replication)
        for kpi in names:
            targets.append(
                {
                    "name": f"{key}_{kpi}"[:40],
                    "scenario": key,
                    "kpi": kpi,
                    "observed": float(values[kpi]),
                    "se": SYNTHETIC_SE,
                    "source": f"synthetic: replication {replication} at {dict(truth)}",
                }
            )
    return TargetsFile.model_validate({"targets": targets})


@dataclass(frozen=True)
class Recovery:
    """One calibration against synthetic targets: per parameter, was the truth inside?"""

    truth: dict[str, float]
    calibration: Calibration

    def inside(self, level: str) -> dict[str, bool]:
        """Whether each true value lies in the 50 % (``"50"``) or 90 % (``"90"``) interval."""
        low, high = {"50": ("q25", "q75"), "90": ("q05", "q95")}[level]
        rows = self.calibration.summary.set_index("parameter")
        return {
            name: bool(rows.at[name, low] <= value <= rows.at[name, high])
            for name, value in self.truth.items()
        }


def recover(
    scenarios: Mapping[str, Scenario],
    params: ParametersFile,
    truth: Mapping[str, float],
    kpis: Mapping[str, Sequence[str]],
    *,
    replication: int,
    seed: int = 1,
    replications: int = 2,
    budget: int | None = None,
    workers: int = 1,
) -> Recovery:
    """Calibrate against the synthetic targets of ``truth`` (module docstring)."""
    targets = synthetic_targets(scenarios, params, truth, kpis, replication)
    cal = calibrate(
        scenarios,
        targets,
        params,
        seed=seed,
        replications=replications,
        budget=budget,
        workers=workers,
        origin="recovery",
    )
    return Recovery(dict(truth), cal)


def coverage(recoveries: Sequence[Recovery], level: str) -> dict[str, float]:
    """The share of recoveries whose ``level`` interval holds the truth, per parameter."""
    names = list(recoveries[0].truth)
    return {n: float(np.mean([r.inside(level)[n] for r in recoveries])) for n in names}
