"""Running the simulator at parameter points: the units of a calibration and their store.

A point is one set of parameter values; at each, every scenario runs the same replications with
the same seed as at every other point, so the points differ by their parameters and not by their
luck (common random numbers): the emulators then see smooth responses, and two points are compared
on the same participants. Each replication is one unit of the experiment loop, checkpointed as it
finishes, and it carries the values it ran with, so a resumed calibration can prove that what it
loads is what it planned.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from samflode.config.calibration import ParametersFile, apply
from samflode.config.scenario import Scenario
from samflode.execution.checkpoint import Checkpoint, CheckpointError
from samflode.execution.tasks import run_one_kpis
from samflode.execution.units import KpiStore, Unit, run_units

# Agreement between a stored unit's parameter values and the planned ones (json keeps floats
# exactly, so anything but equality means the plan changed).
SAME_POINT = 1e-12


def run_kpis_at(
    scenario: Scenario, seed: int, replication: int, kpis: Sequence[str], theta: dict
) -> dict:
    """One replication at one point: the KPIs asked for (NaN where the run has none) and theta."""
    values = run_one_kpis(scenario, seed, replication)
    out = {}
    for kpi in kpis:
        value = values.get(kpi)
        out[kpi] = float(value) if value is not None else math.nan
    return {"theta": theta, "kpis": out}


@dataclass
class Simulator:
    """Runs scenarios at parameter points, by the experiment loop, into one checkpoint."""

    scenarios: Mapping[str, Scenario]
    params: ParametersFile
    kpis: Mapping[str, Sequence[str]]  # per scenario key, the KPIs the targets name
    seed: int
    replications: int
    origin: str
    workers: int = 1
    scheduler: str | None = None
    store: KpiStore | None = None
    progress: Callable[[int], None] | None = None  # called with units finished in this batch
    runs: int = 0  # simulations started or loaded so far

    @staticmethod
    def key(point: int, scenario: int, replication: int) -> str:
        """The checkpoint key of one replication of one scenario at one point."""
        return Checkpoint.key(replication, f"point-{point:04d}-{scenario:02d}")

    def run(
        self, points: Sequence[dict[str, float]], first: int
    ) -> dict[tuple[int, str, str], np.ndarray]:
        """Run every scenario's replications at ``points`` (numbered from ``first``); return the
        values per (point number, scenario key, KPI), one per replication (NaN where missing).
        """
        units, planned = [], {}
        keys = list(self.scenarios)
        for offset, theta in enumerate(points):
            i = first + offset
            variants = apply(self.params, theta, self.scenarios, f"{self.origin} point {i}")
            for j, name in enumerate(keys):
                for r in range(self.replications):
                    key = self.key(i, j, r)
                    planned[key] = theta
                    args = (variants[name], self.seed, r, list(self.kpis[name]), theta)
                    units.append(Unit(key, run_kpis_at, args))
        tell = self.progress
        outputs = run_units(
            units,
            workers=self.workers,
            scheduler=self.scheduler,
            store=self.store,
            progress=None if tell is None else (lambda done, _total: tell(done)),
        )
        self.runs += len(units)
        for key, theta in planned.items():
            stored = outputs[key].get("theta", {})
            if set(stored) != set(theta) or any(
                abs(float(stored[k]) - theta[k]) > SAME_POINT for k in theta
            ):
                raise CheckpointError(
                    f"--resume: {key} in the checkpoint ran at other parameter values than this "
                    "calibration plans there; run without --resume to start afresh"
                )
        values: dict[tuple[int, str, str], np.ndarray] = {}
        for offset in range(len(points)):
            i = first + offset
            for j, name in enumerate(keys):
                per_rep = [outputs[self.key(i, j, r)]["kpis"] for r in range(self.replications)]
                for kpi in self.kpis[name]:
                    values[i, name, kpi] = np.array([float(kp[kpi]) for kp in per_rep])
        return values
